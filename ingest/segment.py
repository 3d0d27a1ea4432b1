"""The segment stage: document kind, title and date, voices with their authors, sections
with the question they answer, and the fields of action-plan table rows.

* **Voices.** The document opens with a voice (line 1). A short block that names a sender
  ("Innspill fra LSU Volda", "5. Innspill til handlingsplan fra Inderøy kommune", "Vedlegg 2:
  Bykle kommune", an appendix whose first sentence names its sender) later in the document
  starts a new voice; a bare appendix heading right before it ("VEDLEGG 2") belongs to it.
  Authors come from the sender phrase (a list of several: "A – B – C", "A, B og C kommune",
  "kommunene i X: A, B og C"), an opening sentence ("A og B kommune gir med dette et felles
  innspill"), a more precise sender line right after it, the organisations of a signature
  block (each signer's own when no body signs first), a letterhead (one or more lines of
  known actors), or (for the opening voice) the title.
* **Authors** are canonical actor names resolved through the registry; a sender the registry
  does not know keeps its own name (person names and role titles removed). Persons are never
  authors.
* **Sections** start at headings; the question a heading asks ("hva er de viktigste
  utfordringene", "hvilke tiltak er aktuelle", "gode eksempler") sets the section context;
  lead-in labels ("Tiltak som kan være aktuelle:") switch it until the next heading.

All cue words are in ``ontology/structure.yaml``.
"""

from __future__ import annotations

import itertools
import logging
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from helsegraf.ingest.actors import get_matcher
from helsegraf.ingest.models import (
    ActorRef,
    Block,
    BlocksByLine,
    DocumentKind,
    NormalisedDocument,
    Section,
    SectionContext,
    SegmentedDocument,
    SourceInfo,
    TableRow,
    VoiceSegment,
)
from helsegraf.ingest.normalise import structure
from helsegraf.ontology.codebook import load_codebook
from helsegraf.ontology.registry import Registry, load_registry
from helsegraf.ontology.web_domains import publisher

log = logging.getLogger(__name__)

# A block longer than this is prose, not a sender line or a heading.
_SHORT = 220
_WORDS = re.compile(r"[^\W\d_][\w\-.]*", re.UNICODE)


@dataclass(frozen=True)
class _Cues:
    contexts: dict[str, list[re.Pattern[str]]]
    plan_measure: list[re.Pattern[str]]
    openers: list[re.Pattern[str]]
    head_openers: list[re.Pattern[str]]
    kommune_list: re.Pattern[str]
    kommune_suffix: str
    signatures: list[re.Pattern[str]]
    appendix: re.Pattern[str]
    title_cues: frozenset[str]
    kinds: dict[str, frozenset[str]]
    months: dict[str, int]
    date_line_max: int
    role_titles: frozenset[str]
    role_suffixes: tuple[str, ...]
    abbreviations: dict[str, str]
    organisation_words: frozenset[str]
    sender_types: list[tuple[str, re.Pattern[str]]]
    table_when: list[re.Pattern[str]]
    responsible_heads: list[re.Pattern[str]]
    table_header: re.Pattern[str]
    connectors: frozenset[str]
    plan_owner: list[re.Pattern[str]]
    plan_owner_blocks: int
    section_resets: list[re.Pattern[str]]
    letterhead_blocks: int
    addressees: list[re.Pattern[str]]
    addressee_before: frozenset[str]
    sender_separators: re.Pattern[str]
    sender_members: re.Pattern[str]
    sender_units: re.Pattern[str]
    sender_tail: re.Pattern[str]
    sender_lead: re.Pattern[str]
    sender_groups: re.Pattern[str]
    sender_behalf: re.Pattern[str]
    appendix_senders: list[re.Pattern[str]]
    sender_sentence_blocks: int
    sender_sentences: list[re.Pattern[str]]
    signature_for: re.Pattern[str]
    signature_stops: list[re.Pattern[str]]
    signature_lines: int


@lru_cache
def _cues() -> _Cues:
    s = structure()
    i = re.IGNORECASE
    return _Cues(
        contexts={k: [re.compile(p, i) for p in v] for k, v in s["contexts"].items()},
        plan_measure=[re.compile(p, i) for p in s["plan_measure_headings"]],
        openers=[re.compile(p, i) for p in s["voice_openers"]],
        head_openers=[re.compile(p, i) for p in s["head_openers"]],
        kommune_list=re.compile(s["kommune_list"], i),
        kommune_suffix=s["kommune_suffix"],
        signatures=[re.compile(p, i) for p in s["signature_cues"]],
        appendix=re.compile(s["appendix"], i),
        title_cues=frozenset(s["title_cues"]),
        kinds={k: frozenset(v) for k, v in s["kinds"].items()},
        months={k.lower(): int(v) for k, v in s["months"].items()},
        date_line_max=int(s["date_line_max"]),
        role_titles=frozenset(s["role_titles"]),
        role_suffixes=tuple(s["role_suffixes"]),
        abbreviations=dict(s["sender_abbreviations"]),
        organisation_words=frozenset(s["organisation_words"]),
        sender_types=[(t, re.compile(p, i)) for t, p in s["sender_types"]],
        table_when=[re.compile(rf"(?:{p})", i) for p in s["table_when"]],
        responsible_heads=[re.compile(rf"^(?:{p})$") for p in s["responsible_heads"]],
        table_header=re.compile(s["table_header"], i),
        connectors=frozenset(w.lower() for w in s["connectors"]),
        plan_owner=[re.compile(p) for p in s["plan_owner"]],
        plan_owner_blocks=int(s["plan_owner_blocks"]),
        section_resets=[re.compile(p, i) for p in s["section_resets"]],
        letterhead_blocks=int(s["letterhead_blocks"]),
        addressees=[re.compile(p, i) for p in s["addressees"]],
        addressee_before=frozenset(w.lower() for w in s["addressee_before"]),
        sender_separators=re.compile(rf"(?:{s['sender_separators']})*", i),
        sender_members=re.compile(s["sender_members"], i),
        sender_units=re.compile(s["sender_units"], i),
        sender_tail=re.compile(s["sender_tail"], i),
        sender_lead=re.compile(s["sender_lead"], i),
        sender_groups=re.compile(s["sender_groups"], i),
        sender_behalf=re.compile(s["sender_behalf"], i),
        appendix_senders=[re.compile(p, i) for p in s["appendix_senders"]],
        sender_sentence_blocks=int(s["sender_sentence_blocks"]),
        sender_sentences=[re.compile(p, i) for p in s["sender_sentences"]],
        signature_for=re.compile(s["signature_for"], i),
        signature_stops=[re.compile(p, i) for p in s["signature_stops"]],
        signature_lines=int(s["signature_lines"]),
    )


# --------------------------------------------------------------------------- actors


@lru_cache
def _registry() -> Registry:
    return load_registry()


def resolve(name: str, year: int | None = None) -> ActorRef | None:
    """The registry's actor for a written name, or None."""
    if not name.strip():
        return None
    try:
        return _registry().resolve(name, year)
    except Exception:  # a registry bug must not stop extraction
        log.exception("registry could not resolve %r", name)
        return None


def find_actors(text: str, year: int | None = None) -> list[ActorRef]:
    """Actors the registry's matcher finds in ``text``, in text order."""
    try:
        return [ref for _, _, ref, _ in get_matcher().find(text, year=year)]
    except Exception:  # a matcher bug must not stop extraction; it is logged
        log.exception("actor matcher failed on %r", text[:80])
        return []


def sender_type(name: str) -> str:
    """The actor type of a sender the registry does not know, from words in its name."""
    for t, p in _cues().sender_types:
        if p.search(name):
            return t
    return "Organisasjon"


# --------------------------------------------------------------------------- public


def run(doc: NormalisedDocument) -> SegmentedDocument:
    """Find kind, title, date, voices (with authors and sections) and table rows."""
    cues = _cues()
    blocks = doc.blocks
    meta = doc.source.metadata
    # what the source metadata states explicitly wins over what the text suggests
    title = meta.title or _title(doc, cues)
    when = meta.date or _date(blocks, cues)
    year = int(when[:4]) if when else None
    kind = meta.kind or _kind(title, blocks, cues)
    authors: dict[str, ActorRef] = {}

    starts = _voice_starts(doc, cues, year, authors)
    last_line = len(doc.source.lines)
    voices: list[VoiceSegment] = []
    for k, (block_index, names, note) in enumerate(starts):
        first = 1 if k == 0 else _voice_first_line(blocks, block_index, cues)
        voices.append(
            VoiceSegment(id=f"v{k + 1}", authors=names, lines=(first, last_line), note=note)
        )
    for a, b in itertools.pairwise(voices):
        a.lines = (a.lines[0], max(a.lines[0], b.lines[0] - 1))
    # the letterhead, read once: the first voice's authors when it names none, the members
    # of a sender named as a group, and the council a joint submission is sent by
    head_refs: dict[str, ActorRef] = {}
    head = _letterhead_authors(blocks[: cues.letterhead_blocks], year, head_refs, cues)
    if not voices[0].authors:
        authors.update((n, head_refs[n]) for n in head)
        voices[0].authors = head
    elif _collective(voices[0].authors, authors, cues):
        # "Felles uttalelse fra kommunene i Vesterålen" under a letterhead that names them
        members = [head_refs[n] for n in head]
        if len(members) < 2:
            members = _behalf_members(blocks[: cues.sender_sentence_blocks], year, cues)
        if len(members) >= 2:
            for name in voices[0].authors:
                authors.pop(name, None)
            authors.update((r.name, r) for r in members)
            voices[0].authors = [r.name for r in members]
    _add_sending_council(voices[0], head, head_refs, authors)
    if not voices[0].authors:
        # the text names no sender: the manifest's sender, else the site that published it
        voices[0].authors = _source_authors(meta, year, authors, cues)
    if not voices[0].authors:
        names = _title_authors(title, year, authors, cues)
        if not names and kind == "handlingsplan":
            # "HANDLINGSPLAN 2024–2026" / "Helsefellesskapet for X og kommunane i Y"
            names = _title_authors(_subtitle(blocks, title, cues), year, authors, cues)
        if kind == "handlingsplan":
            end = next((k for k, b in enumerate(blocks) if b.first_line > voices[0].lines[1]), None)
            first_blocks = blocks[: min(end or len(blocks), cues.plan_owner_blocks)]
            for name in _plan_owners(first_blocks, year, authors, cues):
                if name not in names:
                    names.append(name)
        voices[0].authors = names
    table_rows = _table_rows(doc, cues)
    by_line = BlocksByLine(blocks)
    for v in voices:
        v.sections = _sections(by_line.within(*v.lines), v, cues, kind, table_rows)
    return SegmentedDocument(
        doc=doc,
        kind=kind,
        title=title,
        date=when,
        voices=voices,
        table_rows=table_rows,
        authors=authors,
    )


def context_of(text: str) -> SectionContext:
    """The context a heading or lead-in asks for: the first kind of question it names."""
    best: tuple[int, str] | None = None
    for ctx, pats in _cues().contexts.items():
        for p in pats:
            m = p.search(text)
            if m and (best is None or m.start() < best[0]):
                best = (m.start(), ctx)
    return best[1] if best else "none"  # type: ignore[return-value]


# --------------------------------------------------------------------------- title, kind, date


def _title_shaped(block: Block, text: str) -> bool:
    """A title is a heading or a short one- or two-line block of one sentence."""
    if block.kind == "heading":
        return True
    return (
        len(block.fragments) <= 2 and len(text) <= 160 and not re.search(r"[.!?]\s+[A-ZÆØÅ]", text)
    )


def _title(doc: NormalisedDocument, cues: _Cues) -> str | None:
    for b in doc.blocks[:8]:
        t = " ".join(b.text.split()).strip().rstrip(".").strip()
        if len(t) < 12 or len(t) > 200 or (_date_in(t, cues) and len(t) <= cues.date_line_max):
            continue
        if not _title_shaped(b, t) or re.match(r"^\d", t):
            continue  # "1 Innledning" is a section, not the title
        words = {w.lower() for w in _WORDS.findall(t)}
        if any(any(w.startswith(c) for c in cues.title_cues) for w in words):
            return t
    for f in doc.furniture:
        words = {w.lower() for w in _WORDS.findall(f)}
        if any(any(w.startswith(c) for c in cues.title_cues) for w in words):
            return " ".join(f.split())
    return None


def _kind(title: str | None, blocks: list[Block], cues: _Cues) -> DocumentKind:
    head = " ".join(b.text for b in blocks[:6]).lower()
    text = (title or "").lower()
    for source in (text, head):
        words = _WORDS.findall(source)
        for kind in ("innspill", "handlingsplan"):
            if any(any(w.startswith(c) for c in cues.kinds[kind]) for w in words):
                return kind  # type: ignore[return-value]
    if any(b.kind == "table_row" for b in blocks):
        return "handlingsplan"
    return "annet"


_NUM_DATE = re.compile(r"\b(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{2}|\d{4})\b")
_WORD_DATE = re.compile(r"\b(\d{1,2})\.?\s+([A-Za-zæøåÆØÅ]+)\s+(\d{4})\b")


_ISO_DATE = re.compile(r"\b((?:19|20)\d{2})-(\d{2})-(\d{2})\b")


def _date_in(text: str, cues: _Cues) -> str | None:
    iso = _ISO_DATE.search(text)
    m = _NUM_DATE.search(text)
    if iso:
        y, mo, d = int(iso.group(1)), int(iso.group(2)), int(iso.group(3))
    elif m:
        d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        y = y + 2000 if y < 100 else y
    else:
        m = _WORD_DATE.search(text)
        if not m or m.group(2).lower() not in cues.months:
            return None
        d, mo, y = int(m.group(1)), cues.months[m.group(2).lower()], int(m.group(3))
    try:
        return date(y, mo, d).isoformat()
    except ValueError:
        return None


def _date(blocks: list[Block], cues: _Cues) -> str | None:
    """The letter date: a short date line near the top of the document."""
    for b in blocks[:6]:
        t = b.text.strip()
        if len(t) <= cues.date_line_max:
            found = _date_in(t, cues)
            if found:
                return found
    return None


# --------------------------------------------------------------------------- voices


def _opener(block: Block, cues: _Cues, head: bool = False) -> str | None:
    """The sender a short block names ("Innspill fra X"); ``head`` also tries the openers
    that count only at the top of a document ("Fra X")."""
    t = " ".join(block.text.split()).strip()
    if len(t) > _SHORT or t.endswith(":") or block.kind == "table_row":
        return None
    for p in [*cues.openers, *(cues.head_openers if head else [])]:
        m = p.match(t)
        if m:
            who = m.group("who").strip(" .,:;")
            if who:
                return who
    return None


def _voice_starts(
    doc: NormalisedDocument, cues: _Cues, year: int | None, authors: dict[str, ActorRef]
) -> list[tuple[int, list[str], str | None]]:
    """(first block, authors, note) of each voice; the first voice starts at block 0."""
    blocks = doc.blocks
    out: list[tuple[int, list[str], str | None]] = []
    head_limit = min(len(blocks), 8)
    for i, b in enumerate(blocks):
        who = _opener(b, cues)
        if who is None and i < head_limit and (not out or not out[0][1]):
            who = _opener(b, cues, head=True)
            if who is not None and not _resolves_any(who, year, cues):
                who = None
        if who is None and out and out[0][1] and cues.appendix.match(blocks[i - 1].text.strip()):
            # an appendix ("VEDLEGG 3") whose first sentence names its sender
            who = _sentence_sender(b, year, cues)
        if who is None and i < cues.sender_sentence_blocks and len(out) <= 1:
            # an opening sentence names the senders; it may complete a shorter opener
            # ("Innspill fra A kommune" + "A, B og C kommune gir med dette et felles innspill")
            sent = _sentence_sender(b, year, cues)
            current = out[0][1] if out else []
            trial = _authors_of(sent, year, {}, cues) if sent else []
            if trial and (
                not current
                or set(current) < set(trial)
                or (len(trial) >= 2 and _collective(current, authors, cues))
            ):
                names = _authors_of(sent or "", year, authors, cues)
                out[:1] = [(0, names, None)]
                continue
        if who is None:
            who = _appendix_sender(b, year, cues)
        if who is None:
            continue
        names = _authors_of(who, year, authors, cues)
        names = _refine(blocks, i, names, who, year, authors, cues)
        if (not out or not out[0][1]) and (i < head_limit or not _content_before(blocks, i)):
            # the first sender phrase, with only a letterhead, addresses and dates above it
            if out:
                out[0] = (0, names, None)
            else:
                out.append((0, names, None))
            continue
        if not out:
            out.append((0, [], None))
        if names and names == out[-1][1]:
            continue  # the same sender again (a nynorsk repeat of the opener)
        note = " ".join(b.text.split())[:160]
        out.append((i, names, note))
    if not out:
        out.append((0, [], None))
    # voices without a sender phrase in their opener: the first organisation after a
    # signature cue in their own range
    bounds = [s[0] for s in out] + [len(blocks)]
    for k, (bi, voice_names, voice_note) in enumerate(out):
        group = _unresolved_group(voice_names, authors, cues)
        if voice_names and not group and not _unresolved_shorthand(voice_names, authors):
            continue
        signed = _signature_authors(blocks[bi : bounds[k + 1]], year, authors, cues)
        if signed and (not group or len(signed) >= 2):
            for n in voice_names:  # the shorthand is replaced, not an actor of its own
                authors.pop(n, None)
            out[k] = (bi, signed, voice_note)
    return out


def _appendix_sender(block: Block, year: int | None, cues: _Cues) -> str | None:
    """The sender an appendix heading names alone ("Vedlegg 2: Bykle kommune"), when the
    registry knows it (not "Vedlegg 1 Oppsummering av tiltak")."""
    t = " ".join(block.text.split()).strip()
    if len(t) > _SHORT or block.kind == "table_row":
        return None
    for p in cues.appendix_senders:
        m = p.match(t)
        if not m:
            continue
        who = _clean_sender(m.group("who"))
        ref = resolve(who, year)
        if (ref is not None and ref.type != "Fylke") or _listed_actors(who, year, cues):
            return who
    return None


def _sentence_sender(block: Block, year: int | None, cues: _Cues) -> str | None:
    """The sender an opening sentence names ("A, B og C kommune gir med dette et felles
    innspill", "Helsefellesskapet i X oversender herved sine innspill"), when it names known
    actors or an organisation (not "Vi", not the addressee)."""
    if block.kind == "table_row":
        return None
    t = " ".join(block.text.split())
    for p in cues.sender_sentences:
        m = p.match(t)
        if not m:
            continue
        who = _clean_sender(cues.sender_lead.sub("", m.group("who")))
        if any(a.search(who) for a in cues.addressees):
            continue  # "... viser til departementets invitasjon til å gi innspill": try the next
        bare = cues.sender_members.sub("", who)
        words = [w.lower().strip(".,") for w in _WORDS.findall(bare)]
        listed = cues.kommune_list.match(bare)
        known = resolve(bare, year) is not None or bool(
            _listed_actors(listed.group("names") if listed else bare, year, cues)
        )
        # an organisation the registry does not know: a short name with an organisation word
        proper = [w for w in _WORDS.findall(bare) if w[:1].isupper()]
        named = (
            len(words) <= 6
            and bool(set(words) & cues.organisation_words)
            and any(w.lower() not in cues.organisation_words for w in proper)
        )
        if known or named:
            return who
    return None


def _unresolved_group(names: list[str], authors: dict[str, ActorRef], cues: _Cues) -> bool:
    """A sender the registry does not know, named as a group of municipalities
    ("Kommunene i Setesdal", "Setesdalskommunane")."""
    return (
        len(names) == 1
        and names[0] in authors
        and bool(cues.sender_groups.search(names[0]))
        and resolve(names[0]) is None
    )


def _content_before(blocks: list[Block], i: int) -> bool:
    """Whether a block before ``i`` is running text (a sentence of ten words or more)."""
    return any(len(b.text.split()) >= 10 and b.kind != "heading" for b in blocks[:i])


def _add_sending_council(
    voice: VoiceSegment,
    head: list[str],
    head_refs: dict[str, ActorRef],
    authors: dict[str, ActorRef],
) -> None:
    """A joint submission of municipalities on a council's letterhead ("SALTEN REGIONRÅD"):
    the council that sends it (``head``: the letterhead's actors) is an author too."""
    refs = [authors.get(n) for n in voice.authors]
    if sum(1 for r in refs if r is not None and r.type == "Kommune") < 2:
        return
    if any(r is not None and r.type == "Samarbeidsorgan" for r in refs):
        return
    council = next((n for n in head if head_refs[n].type == "Samarbeidsorgan"), None)
    if council is not None:
        authors[council] = head_refs[council]
        voice.authors = [council, *voice.authors]


def _behalf_members(blocks: list[Block], year: int | None, cues: _Cues) -> list[ActorRef]:
    """Known actors listed after "på vegne av" in the opening blocks ("uttalelsen er gitt på
    vegne av Andøy, Bø og Hadsel kommune")."""
    for b in blocks:
        t = " ".join(b.text.split())
        parts = cues.sender_behalf.split(t, maxsplit=1)
        if len(parts) < 2:
            continue
        listed = re.split(r"[.!?](?:\s|$)", parts[1], maxsplit=1)[0]
        m = cues.kommune_list.match(listed)
        refs = _listed_actors(m.group("names") if m else listed, year, cues)
        if len(refs) >= 2:
            return refs
    return []


def _collective(names: list[str], authors: dict[str, ActorRef], cues: _Cues) -> bool:
    """A sender named only as a group ("Kommunane i Nordfjord", "Gjøvikregionen"): a
    sentence that lists the members names the senders better."""
    if len(names) != 1:
        return False
    ref = authors.get(names[0])
    return _unresolved_group(names, authors, cues) or (ref is not None and ref.type == "Region")


def _unresolved_shorthand(names: list[str], authors: dict[str, ActorRef]) -> bool:
    """A sender the registry did not know, written as abbreviations ("LSU ROR")."""
    if len(names) != 1 or names[0] not in authors:
        return False
    words = names[0].split()
    shorthand = bool(words) and all(re.fullmatch(r"[A-ZÆØÅ0-9&/\-]{2,}", w) for w in words)
    return shorthand and resolve(names[0]) is None


def _resolves_any(who: str, year: int | None, cues: _Cues) -> bool:
    """Does a sender phrase name at least one actor the registry knows?"""
    who = _clean_sender(cues.sender_members.sub("", who))
    if _listed_actors(who, year, cues) or _listed_actors(who.split(":", 1)[-1], year, cues):
        return True
    m = cues.kommune_list.match(who)
    parts = re.split(r",\s*|\s+og\s+", m.group("names") if m else who)
    suffix = f" {cues.kommune_suffix}" if m else ""
    return resolve(who, year) is not None or any(
        resolve(p.strip() + suffix, year) is not None for p in parts if p.strip()
    )


def _voice_first_line(blocks: list[Block], i: int, cues: _Cues) -> int:
    """A bare appendix heading right before the opener belongs to the new voice."""
    first = blocks[i].first_line
    for j in range(i - 1, max(-1, i - 3), -1):
        t = blocks[j].text.strip()
        if cues.appendix.match(t):
            return blocks[j].first_line
        if len(t) > 80:
            break
    return first


def _refine(
    blocks: list[Block],
    i: int,
    names: list[str],
    who: str,
    year: int | None,
    authors: dict[str, ActorRef],
    cues: _Cues,
) -> list[str]:
    """A short sender line right after the opener ("Lokalt samarbeidsutvalg Kristiansund")
    names the sender more precisely than the opener's shorthand ("LSU Nordmøre")."""
    for b in blocks[i + 1 : i + 3]:
        t = " ".join(b.text.split()).strip()
        if len(t) > 90 or t.endswith((".", "?")) or _opener(b, cues):
            continue
        ref = resolve(t, year)
        if ref is not None and ref.type not in ("Fylke", "Kommune"):
            if names and authors.get(names[0]) is not None and authors[names[0]].name == ref.name:
                return names
            if len(names) <= 1:
                authors[ref.name] = ref
                return [ref.name]
    return names


def _signature_authors(
    blocks: list[Block], year: int | None, authors: dict[str, ActorRef], cues: _Cues
) -> list[str]:
    """The organisations a signature block signs for: after a signature cue ("Med vennlig
    hilsen", "Vennleg helsing"), every organisation on the signers' lines ("Ola Nordmann,
    kommunalsjef, Valle kommune", "rådmann" / "Valle kommune", "for Valle kommune"), until a
    long line, a stop line ("Kopi til") or the end of the block. Persons and roles are not."""
    lines = [" ".join(p.split()).strip() for b in blocks for p in _row_pieces(b)]
    lines = [t for t in lines if t]
    for k, t in enumerate(lines):
        if len(t) > 80 or not any(p.match(t) for p in cues.signatures):
            continue
        out: list[str] = []
        bodies = True  # lines so far name organisations only: the bodies that sign
        # the cue line itself may name the organisation ("På vegne av Valle kommune")
        for n, line in enumerate([t, *lines[k + 1 : k + 1 + cues.signature_lines]]):
            if n and (len(line) > 80 or any(p.match(line) for p in cues.signature_stops)):
                break
            if n == 0:  # the cue line: what follows the cue ("Med hilsen Valle kommune")
                cue = next(p.match(line) for p in cues.signatures if p.match(line))
                assert cue is not None  # only matches are yielded
                line = line[cue.end() :].strip(" ,:") if cue.end() < len(line) else ""
                if not line:
                    continue
            m = cues.signature_for.match(line)
            refs = _organisations_in(m.group("who") if m else line, year, cues)
            whole = bool(m or resolve(line, year) or _listed_actors(line, year, cues))
            if out and bodies and not whole:
                break  # the bodies signed first; the lines after are their members
            bodies = bodies and whole
            for ref in refs:
                authors[ref.name] = ref
                if ref.name not in out:
                    out.append(ref.name)
        if out:
            return out
    return []


def _organisations_in(text: str, year: int | None, cues: _Cues) -> list[ActorRef]:
    """Known organisations that a short line names as its comma-separated parts or as a
    list ("Ola Nordmann, rådmann, Valle kommune" -> Valle kommune); persons and roles are
    not organisations."""
    out: list[ActorRef] = []
    for part in text.split(","):
        part = _clean_sender(part)
        if not part or part.lower() in cues.role_titles:
            continue
        refs = _part_organisations(part, year, cues)
        words = part.split()
        if not refs and words and words[0].lower().endswith(cues.role_suffixes):
            # a role and its organisation: "Kommunalsjef helse og omsorg i Valle kommune"
            for m in re.finditer(r"\s(?:i|for|ved|på)\s+", part):
                refs = _part_organisations(part[m.end() :], year, cues)
                if refs:
                    break
        out.extend(r for r in refs if r.type != "Fylke" and r not in out)
    return out


def _part_organisations(part: str, year: int | None, cues: _Cues) -> list[ActorRef]:
    ref = resolve(part, year)
    return [ref] if ref is not None else _listed_actors(part, year, cues)


def _listed_actors(text: str, year: int | None, cues: _Cues) -> list[ActorRef]:
    """The known actors a sender phrase lists ("A kommune – B kommune", "A / B | C",
    "A, B og C kommune", "Evje og Hornnes kommune"), in order; [] unless the actors and
    the separators (``sender_separators``) fill the phrase completely."""
    try:
        found = get_matcher().find(text, year=year, explicit=True)
    except Exception:  # a matcher bug must not stop extraction; it is logged
        log.exception("actor matcher failed on %r", text[:80])
        return []
    out: list[ActorRef] = []
    pos = 0
    for start, end, ref, surface in found:
        if start < pos:
            continue
        if not cues.sender_separators.fullmatch(text[pos:start]):
            return []
        if resolve(surface, year) is None or (len(found) > 1 and cues.sender_units.match(surface)):
            return []  # a unit ("Klinikk for …, Sykehuset X") is one composite sender
        if ref.type != "Fylke" and all(r.name != ref.name for r in out):
            out.append(ref)
        pos = end
    if not cues.sender_separators.fullmatch(text[pos:]):
        return []
    if any(r.type == "Kommune" for r in out):
        # "Setesdal: Bygland, Valle og Bykle kommune": the region is the group they make up
        out = [r for r in out if r.type != "Region"]
    return out


def _letterhead_authors(
    blocks: list[Block], year: int | None, authors: dict[str, ActorRef], cues: _Cues
) -> list[str]:
    """A letterhead: the first lines at the very top that name known actors and nothing else
    ("Valle kommune", "A kommune – B kommune – C kommune", one organisation a line), not the
    addressee (e.g. the ministry a consultation answer is sent to)."""
    out: list[str] = []
    for b in blocks:
        if len(b.text) > 250 or b.kind == "table_row":
            if out:
                break
            continue
        found = False
        for piece in _row_pieces(b):
            t = " ".join(piece.split()).strip(" ,.")
            if not t or len(t) > 160 or any(p.search(t) for p in cues.addressees):
                continue
            ref = resolve(t, year)
            if ref is None and t.isupper():
                ref = resolve(t.title(), year)  # "SALTEN REGIONRÅD"
            refs = [ref] if ref is not None else _listed_actors(t, year, cues)
            for r in refs:
                if r.type != "Fylke":
                    found = True
                    authors[r.name] = r
                    if r.name not in out:
                        out.append(r.name)
        if out and not found:
            break
    return out


def _source_authors(
    meta: SourceInfo, year: int | None, authors: dict[str, ActorRef], cues: _Cues
) -> list[str]:
    """The authors the source metadata gives: its explicit ``sender``, else the organisation
    whose own web site published the document (none for a site that hosts others' texts)."""
    if meta.sender:
        return _authors_of(meta.sender, year, authors, cues)
    site = publisher(meta.url)
    if site is None or site.name is None:
        return []
    ref = resolve(site.name, year)
    if ref is None:
        log.warning(
            "web domain %s names %r, which the registry does not know", site.domain, site.name
        )
        return []
    authors[ref.name] = ref
    return [ref.name]


def _title_authors(
    title: str | None, year: int | None, authors: dict[str, ActorRef], cues: _Cues
) -> list[str]:
    """The actors a title names, except the one it is addressed to ("… til X", "… på X")."""
    if not title:
        return []
    out: list[str] = []
    try:
        found = get_matcher().find(title, year=year)
    except Exception:  # a matcher bug must not stop extraction; it is logged
        log.exception("actor matcher failed on %r", title[:80])
        return []
    for start, _end, ref, _surface in found:
        if ref.type in ("Fylke",) or ref.name in out:
            continue
        before = title[:start].split()
        if before and before[-1].lower().strip(",:") in cues.addressee_before:
            continue  # the addressee is never the author
        authors[ref.name] = ref
        out.append(ref.name)
    return out


def _subtitle(blocks: list[Block], title: str | None, cues: _Cues) -> str | None:
    """The short line right after a plan's title (the plan's owner, as a rule)."""
    for k, b in enumerate(blocks[:6]):
        if title and " ".join(b.text.split()) == " ".join(title.split()) and k + 1 < len(blocks):
            nxt = " ".join(blocks[k + 1].text.split())
            return nxt if len(nxt) <= 160 and not _TERMINAL_DOT.search(nxt) else None
    return None


_TERMINAL_DOT = re.compile(r"[.!?]\s*$")


def _plan_owners(
    blocks: list[Block], year: int | None, authors: dict[str, ActorRef], cues: _Cues
) -> list[str]:
    """The bodies an action plan says adopt it ("vedtak i ASU")."""
    out: list[str] = []
    for b in blocks:
        for p in cues.plan_owner:
            for m in p.finditer(" ".join(b.text.split())):
                words = m.group("who").split()
                # the longest leading run of words that resolves ("ASU 13" -> "ASU")
                for n in range(len(words), 0, -1):
                    ref = resolve(" ".join(words[:n]), year)
                    if ref is not None:
                        if ref.type not in ("Fylke", "Kommune") and ref.name not in out:
                            authors[ref.name] = ref
                            out.append(ref.name)
                        break
    return out


def _clean_sender(who: str) -> str:
    who = _cues().sender_tail.sub("", re.sub(r"[«»“”\"]", "", who))
    return " ".join(who.split()).strip(" ,.;:")


def _is_person(part: str, cues: _Cues) -> bool:
    words = part.split()
    if not 2 <= len(words) <= 4:
        return False
    if any(w.lower().strip(".,") in cues.organisation_words for w in words):
        return False
    return all(re.match(r"^[A-ZÆØÅ][a-zæøåéü\-]+$", w) for w in words)


def _authors_of(who: str, year: int | None, authors: dict[str, ActorRef], cues: _Cues) -> list[str]:
    """Canonical author names for a sender phrase."""
    who = _clean_sender(cues.sender_members.sub("", who))
    if not who:
        return []
    writer, *behalf = cues.sender_behalf.split(who, maxsplit=1)
    if behalf:  # "A kommune på vegne av kommunane B, C og D"
        whom = _clean_sender(behalf[0])
        m = cues.kommune_list.match(whom)
        if _listed_actors(m.group("names") if m else whom, year, cues):
            return _authors_of(whom, year, authors, cues)
        who = _clean_sender(writer)
    m = cues.kommune_list.match(who)
    listed = _listed_actors(m.group("names") if m else who, year, cues)
    if not listed and ":" in who:  # a group label before the list ("Setesdal: A, B og C")
        listed = _listed_actors(who.split(":", 1)[1], year, cues)
    if listed and (m or resolve(who, year) is None):
        for r in listed:
            authors[r.name] = r
        return [r.name for r in listed]
    if m:
        names = [n.strip() for n in re.split(r",|\s+og\s+|\s+&\s+", m.group("names")) if n.strip()]
        out = []
        for n in names:
            ref = resolve(f"{n} {cues.kommune_suffix}", year) or resolve(n, year)
            if ref is not None:
                authors[ref.name] = ref
                out.append(ref.name)
            else:
                name = f"{n} {cues.kommune_suffix}"
                authors[name] = ActorRef(name=name, type="Kommune")
                out.append(name)
        return out
    ref = resolve(who, year)
    if ref is not None and ref.type != "Fylke":
        authors[ref.name] = ref
        return [ref.name]
    # a municipality and one of its departments ("Valle kommune, helse og omsorg")
    head, _, rest = who.partition(",")
    ref = resolve(head, year) if rest.strip() else None
    if ref is not None and ref.type == "Kommune" and not find_actors(rest, year):
        authors[ref.name] = ref
        return [ref.name]
    # drop persons and role titles ("Tove Vannes Sundby, avdelingsleder, Avd. for ...")
    parts = [p.strip() for p in who.split(",") if p.strip()]
    kept = [p for p in parts if p.lower() not in cues.role_titles and not _is_person(p, cues)]
    if kept and len(kept) < len(parts):
        who = ", ".join(kept)
        ref = resolve(who, year)
        if ref is not None and ref.type != "Fylke":
            authors[ref.name] = ref
            return [ref.name]
    # several senders that each resolve ("Romsdal IPR og LSU Molde"); a group of
    # municipalities among them is a Region ("Helse Fonna HF og kommunene i Fonna-området")
    pieces = [p.strip() for p in re.split(r",\s*|\s+og\s+", who) if p.strip()]
    if len(pieces) > 1:
        refs = [
            resolve(p, year)
            or (
                ActorRef(name=p[:1].upper() + p[1:], type="Region")
                if cues.sender_groups.match(p) and len(p.split()) > 2
                else None
            )
            for p in pieces
        ]
        if all(r is not None and r.type != "Fylke" for r in refs):
            out = []
            for sender in refs:
                assert sender is not None
                authors[sender.name] = sender
                if sender.name not in out:
                    out.append(sender.name)
            return out
    # "<unit> i <organisation>" ("brukerutvalget i Helse Nord-Trøndelag")
    m = re.match(r"^(?P<unit>.+?)\s+(?:i|ved|på)\s+(?P<org>.+)$", who)
    if m:
        org = resolve(m.group("org"), year)
        if org is not None and org.type in ("Helseforetak", "RegionaltHelseforetak", "Kommune"):
            who = f"{m.group('unit')} i {org.name}"
    for short, full in cues.abbreviations.items():
        who = re.sub(rf"(?<!\w){re.escape(short)}(?=\s)", full, who)
    name = who[:1].upper() + who[1:]
    if _is_person(name, cues):
        return []
    authors[name] = ActorRef(name=name, type=sender_type(name))  # type: ignore[arg-type]
    return [name]


# --------------------------------------------------------------------------- sections


def _is_label(block: Block) -> bool:
    t = block.text.strip()
    if block.kind == "heading":
        return True
    return len(t) < 160 and t.endswith((":", "?"))


def _sections(
    blocks: list[Block],
    voice: VoiceSegment,
    cues: _Cues,
    kind: DocumentKind,
    table_rows: dict[int, TableRow],
) -> list[Section]:
    sections: list[Section] = []
    cur = Section()
    base: SectionContext = "none"  # what the last question heading asked
    for b in blocks:  # the voice's own blocks
        t = " ".join(b.text.split())
        ctx = context_of(t) if _is_label(b) else "none"
        if b.kind == "heading":
            if cur.blocks or cur.heading:
                sections.append(cur)
            is_question = ctx != "none" and (t.endswith("?") or len(t) > 40 or t[:1].isdigit())
            if ctx != "none" and (is_question or not cur.heading):
                base = ctx
            elif any(p.match(t) for p in cues.section_resets):
                base = "none"  # a new chapter, question number, appendix or signature
            if kind == "handlingsplan" and any(p.match(t) for p in cues.plan_measure):
                ctx = "measure"
            cur = Section(
                heading=t,
                heading_block=b.index,
                context=ctx if ctx != "none" else base,
                theme=_theme_of(t),
            )
            continue
        if ctx != "none" and b.kind != "table_row" and len(t) < 160:
            # a lead-in label ("Tiltak som kan være aktuelle:") opens a sub-section
            if cur.blocks or cur.heading:
                sections.append(cur)
            cur = Section(heading=t, heading_block=b.index, context=ctx, theme=cur.theme)
            continue
        if b.kind == "table_row" and cur.context == "none":
            cur.context = "measure"
        cur.blocks.append(b.index)
    if cur.blocks or cur.heading:
        sections.append(cur)
    return sections


@lru_cache
def _themes() -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern for every label and phrasing of every theme, each form an alternative
    named after its theme (in codebook order), and the themes by alternative name."""
    alts: list[str] = []
    names: dict[str, str] = {}
    for c in load_codebook().themes():
        for f in (c.label, *c.phrasings):
            if f:
                name = f"t{len(alts)}"
                names[name] = c.id
                alts.append(rf"(?P<{name}>(?<!\w){re.escape(f)})")
    return re.compile("|".join(alts) or "(?!)", re.IGNORECASE), names


def _theme_of(heading: str) -> str | None:
    """The codebook theme whose label or phrasing the heading names first (of two forms that
    start at the same place, the one first in the codebook)."""
    # the leftmost match of the alternation, and at that place its first alternative that
    # matches: the earliest form, the first theme with it (one scan, not one per form)
    rx, names = _themes()
    m = rx.search(heading)
    return names[m.lastgroup] if m and m.lastgroup else None


# --------------------------------------------------------------------------- table rows


def _table_rows(doc: NormalisedDocument, cues: _Cues) -> dict[int, TableRow]:
    out: dict[int, TableRow] = {}
    years: list[str] = []
    columns: list[str] = []
    for b in doc.blocks:
        if b.kind == "heading" and cues.table_header.match(b.text.strip()):
            years = re.findall(r"\b(?:19|20)\d{2}\b", b.text)
            columns = [c.strip().lower() for c in b.text.split("\t")] if "\t" in b.text else []
            continue
        if b.kind == "table_row":
            line = doc.source.lines[b.first_line - 1].text
            if columns and "\t" in line:
                out[b.index] = _parse_cells(line, columns)
            else:
                out[b.index] = parse_row(b, years)
    return out


def _parse_cells(text: str, columns: list[str]) -> TableRow:
    """A row whose cells are known (tab-separated, from a Word table), read by its header."""
    cells = [c.strip() for c in text.split("\t")]

    def cell(*names: str) -> str | None:
        for k, col in enumerate(columns):
            if any(col.startswith(n) for n in names) and k < len(cells) and cells[k]:
                return cells[k]
        return None

    number = cell("nr")
    responsible = cell("ansvar")
    when = cell("når", "tid", "frist", "år")
    return TableRow(
        number=(number or "").rstrip(".") or None,
        responsible=[responsible] if responsible else [],
        when=when,
    )


_ROW_NUMBER = re.compile(r"^\s*(\d{1,2}(?:\.\d{1,2})?)\.?\s*")


def _tokens_responsible(tokens: list[str], cues: _Cues) -> bool:
    """Do these tokens read as a responsible cell ("KS / HNT", "Fagråd 3/5", "Web redaksjon")?"""
    for k, tok in enumerate(tokens):
        if tok in ("/", "og", "&", ",", "i", "for", "red.", "-", "…") or re.match(
            r"^[\d/,\-]+$", tok
        ):
            continue
        if re.match(r"^/?[A-ZÆØÅ]", tok):
            continue
        if k > 0 and re.match(r"^[A-ZÆØÅ]", tokens[k - 1]) and tok.isalpha():
            continue  # one word after a head: "Web redaksjon"
        return False
    return True


# Between two actors of one responsible cell: a separator ("HNT / KS", "HF og FSU").
_ACTOR_GAP = re.compile(r"\s*(?:[/,&+]|og)\s*")


def _split_at_trailing_actors(text: str) -> tuple[str, str] | None:
    """Split off a responsible cell made of known actors ("… Helse Fonna HF og FSU")."""
    found = sorted(get_matcher().find(text), key=lambda m: m[0])
    end = len(text.rstrip(" .,;"))
    chain: list[tuple[int, int]] = []
    for start, stop, _ref, _surface in reversed(found):
        limit = chain[0][0] if chain else end
        gap = text[stop:limit]
        if stop <= limit and (_ACTOR_GAP.fullmatch(gap) if chain else not gap.strip()):
            chain.insert(0, (start, stop))
        elif chain:
            break
    if not chain:
        return None
    cut = chain[0][0]
    measure = text[:cut].rstrip(" ,")
    if len(measure.split()) < 3:
        return None
    return measure, text[cut:end].strip()


def split_responsible(text: str) -> tuple[str, str | None]:
    """Split a one-line row text into (measure text, responsible) at the responsible cell."""
    cues = _cues()
    by_actor = _split_at_trailing_actors(text)
    if by_actor:
        return by_actor
    tokens = text.split()
    for s in range(1, len(tokens)):
        head = tokens[s].rstrip(",.?")
        if not any(p.match(head) for p in cues.responsible_heads):
            continue
        if tokens[s - 1].lower().rstrip(",") in cues.connectors or tokens[s - 1] in ("/",):
            continue
        tail = tokens[s:]
        if _tokens_responsible(tail, cues):
            cut = text.rfind(" ".join(tail))
            return text[:cut].rstrip(), " ".join(tail)
    return text, None


def _split_when(text: str, years: list[str], cues: _Cues) -> tuple[str, str | None]:
    """Split the time cell (*Når*) off the end of a row text."""
    found = [
        m
        for p in cues.table_when
        if (m := re.search(rf"(?:^|\s)({p.pattern})\s*$", text, re.IGNORECASE))
    ]
    # the longest time phrase ("Høst 2024", not "2024")
    for m in sorted(found, key=lambda m: m.start(1))[:1]:
        when: str | None = m.group(1).strip()
        rest = text[: m.start(1)].rstrip()
        before = rest.split()[-1] if rest.split() else ""
        if re.fullmatch(
            r"(?:(?:fra|frå|før|innen|innan)\s+)?(?:19|20)\d{2}", when or "", re.I
        ) and (re.fullmatch(r"[a-zæøå]+", before)):
            return text, None  # "veiledningsplikt fra 2018": part of the measure
        if re.fullmatch(r"(?:[xX]\s*)+", when or ""):
            marks = len((when or "").split())
            when = f"{years[0]}–{years[-1]}" if years and marks == len(years) else None
        return rest, when
    return text, None


# A line of the responsible column is narrow; a longer line still belongs to the measure.
_NARROW = 36


def _row_pieces(block: Block) -> list[str]:
    """The row's text per source line, each with the separator that follows it in the block
    (" " or "" where a word was broken), so joining pieces rebuilds the block text."""
    text = block.text
    frags = block.fragments
    out = []
    for k, f in enumerate(frags):
        end = frags[k + 1].block_start if k + 1 < len(frags) else len(text)
        out.append(text[f.block_start : end])
    return out


def parse_row(block: Block, years: list[str] | None = None) -> TableRow:
    """Number, responsible and when of an action-plan table row block."""
    cues = _cues()
    years = years or []
    m = _ROW_NUMBER.match(block.text)
    number = m.group(1) if m else None
    pieces = _row_pieces(block)
    if m and pieces:
        pieces[0] = _ROW_NUMBER.sub("", pieces[0], count=1)
    pieces = [p for p in pieces if p.strip()]
    if not pieces:
        return TableRow(number=number)
    measure: list[str] = [pieces[0]]
    k = 1
    while k < len(pieces):
        prev, p = measure[-1].strip(), pieces[k].strip()
        words = prev.split()
        first = p.split()[0] if p else ""
        cont = (
            re.match(r"^[a-zæøå\-–(]", p)
            or (words and words[-1].lower() in cues.connectors)
            or prev.endswith((",", "/", "-", ":"))
            or not measure[-1].endswith(" ")  # a word broken over the line
            # too wide for the responsible column
            or (len(p) > _NARROW and not _tokens_responsible(p.split(), cues))
            or (
                # a name broken over the line ("Ytre" + "Namdal")
                words
                and re.fullmatch(r"[A-ZÆØÅ][a-zæøå]+", words[-1])
                and re.fullmatch(r"[A-ZÆØÅ][a-zæøå]+", first)
                and len(p.split()) <= 2
                and not any(h.match(first) for h in cues.responsible_heads)
                and resolve(f"{words[-1]} {first}") is not None
            )
        )
        if not cont:
            break
        measure.append(pieces[k])
        k += 1
    rest = pieces[k:]
    responsible: list[str] = []
    when: str | None = None
    measure_end = _end_of_pieces(block, len(measure)) if rest else None
    if rest:
        # a time cell cut over lines ("Innen" / "1.1.2025", "2. kvartal" / "2024")
        joined = " ".join(" ".join(p.split()) for p in rest)
        _, whole_when = _split_when(joined, years, cues)
        if whole_when:
            for k in range(len(rest) - 1, 0, -1):
                tail = " ".join(" ".join(p.split()) for p in rest[k:])
                if tail == whole_when and k < len(rest) - 1:
                    rest, when = rest[:k], whole_when
                    break
                if len(tail) > len(whole_when):
                    break
        cells: list[str] = []
        for p in rest:
            prev = cells[-1] if cells else ""
            if cells and (
                prev.rstrip().endswith(("/", ",", "-", " og", " i", " for"))
                or not prev.endswith(" ")
                or re.match(r"^[a-zæøå…]", p.strip())
            ):
                cells[-1] = prev + p
            else:
                cells.append(p)
        for cell in cells:
            cell, w = _split_when(" ".join(cell.split()), years, cues)
            when = when or w
            if cell.strip():
                responsible.append(cell.strip())
    else:
        last, when = _split_when(" ".join(measure[-1].split()), years, cues)
        _, resp = split_responsible(last)
        if resp:
            responsible.append(resp)
    return TableRow(number=number, responsible=responsible, when=when, measure_end=measure_end)


def _end_of_pieces(block: Block, n: int) -> int:
    """Where the first ``n`` non-blank source-line pieces of a row block (its number left
    out, as ``parse_row`` reads them) end in its text."""
    pos, seen = 0, 0
    for k, piece in enumerate(_row_pieces(block)):
        pos += len(piece)
        if k == 0:
            piece = _ROW_NUMBER.sub("", piece, count=1)
        if piece.strip():
            seen += 1
            if seen == n:
                return len(block.text[:pos].rstrip())
    return len(block.text)

"""Classify statements as challenges (utfordringer) and measures (tiltak) of codebook concepts.

Rule-based and transparent:

1. Statement candidates are the sentences of the non-heading blocks of each voice.
2. The kind comes first from the document's own structure (a section that asks for
   challenges or measures, a lead-in line such as "Tiltak som kan være aktuelle:", an
   action-plan table row), then from cue words (``ontology/cues.yaml``).
3. Concepts are scored by weighted lemma overlap with the codebook's labels and phrasings
   (complete phrase > partial phrase > single word; compounds count through prefix/suffix
   matching of long lemmas), with IDF weights computed over the codebook so that words that
   many concepts share weigh little; a section's theme is a prior.
4. A statement that the structure marks as a challenge/measure but that fits no concept is
   kept as ``utfordring/annet`` / ``tiltak/annet`` with a short label.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from helsegraf.ingest.lexicon import (
    ConceptInfo,
    content_lemmas,
    is_textual,
    load_concepts,
    load_cues,
    per_document,
    quote_span,
    split_sentences,
    tokens,
    word_sets,
)
from helsegraf.ingest.models import (
    Block,
    Coding,
    Recognised,
    Section,
    SegmentedDocument,
    TableRow,
)

Kind = str  # "challenge" | "measure"

# Scores below this are not evidence enough for a concept.
THRESHOLD = 4.0
# ... and for sentences whose kind the document's structure gives.
STRUCTURAL_THRESHOLD = 3.5
# A sentence with no cue word and no guiding structure is a challenge only above this.
TOPICAL_THRESHOLD = 12.0
# A second concept for the same sentence must reach this share of the best score.
SECOND_SHARE = 0.8
# Lead-in blocks (a line that says what the following list is) are at most this long.
LEAD_IN_MAX = 110
# A line of at most this many words that ends with a colon is a label, not a statement.
LABEL_MAX_WORDS = 6
# Lemmas with an IDF below this are shared by many concepts (samhandling, kommune, pasient).
GENERIC_IDF = 2.5
# Compound matching only for codebook lemmas at least this long.
COMPOUND_MIN = 6


# --------------------------------------------------------------------------- concept index


@dataclass
class _Phrase:
    lemmas: list[str]
    weight: float


@dataclass
class _ConceptIndex:
    concept: ConceptInfo
    phrases: list[_Phrase] = field(default_factory=list)
    bag: set[str] = field(default_factory=set)


@dataclass
class Index:
    """Concept phrases as lemma lists, with IDF weights over the codebook."""

    challenges: list[_ConceptIndex]
    measures: list[_ConceptIndex]
    themes: list[_ConceptIndex]
    patient_groups: list[_ConceptIndex]
    idf: dict[str, float]
    long_lemmas: list[str]
    # every proper prefix (of compound length) of a long codebook lemma -> those lemmas
    prefixed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # sentence lemma -> the codebook lemmas it holds and how strongly (``_strengths``),
    # remembered: the same words recur in every document
    present: dict[str, tuple[tuple[str, float], ...]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def of_kind(self, kind: Kind) -> list[_ConceptIndex]:
        return self.challenges if kind == "challenge" else self.measures


@lru_cache
def concept_index() -> Index:
    """The lemma index of the codebook (built once)."""
    return build_index()


def build_index(*, use_phrasings: bool = True) -> Index:
    """Build the lemma index of the codebook: labels, phrasings and the extra concept
    terms of ``cues.yaml``. ``use_phrasings=False`` leaves the codebook's phrasings out,
    which estimates how extraction fares on documents the phrasings were not drawn from."""
    concepts = load_concepts()
    per: dict[str, _ConceptIndex] = {}
    df: Counter[str] = Counter()
    terms = load_cues().get("concept_terms") or {}
    for c in concepts.values():
        ci = _ConceptIndex(concept=c)
        texts = [c.label, *(c.phrasings if use_phrasings else []), *terms.get(c.id, [])]
        for text in texts:
            text_lemmas = content_lemmas(text)
            if text_lemmas:
                ci.phrases.append(_Phrase(lemmas=text_lemmas, weight=1.0))
                ci.bag.update(text_lemmas)
        per[c.id] = ci
        df.update(ci.bag)
    n = max(1, len(per))
    idf = {lem: math.log(1 + n / d) for lem, d in df.items()}

    def scheme(s: str) -> list[_ConceptIndex]:
        return [
            ci
            for ci in per.values()
            if ci.concept.scheme == s and not ci.concept.id.endswith("/annet")
        ]

    long_lemmas = sorted(
        {lem for lem in idf if len(lem) >= COMPOUND_MIN}, key=lambda w: (-len(w), w)
    )
    prefixed: dict[str, list[str]] = {}
    for lem in long_lemmas:
        for k in range(COMPOUND_MIN, len(lem)):
            prefixed.setdefault(lem[:k], []).append(lem)
    return Index(
        challenges=scheme("utfordring"),
        measures=scheme("tiltak"),
        themes=scheme("tema"),
        patient_groups=scheme("pasientgruppe"),
        idf=idf,
        long_lemmas=long_lemmas,
        prefixed={k: tuple(sorted(v)) for k, v in prefixed.items()},
    )


# --------------------------------------------------------------------------- scoring


def _match_strength(lem: str, sent: set[str]) -> float:
    """How well a codebook lemma is present among a sentence's lemmas (1, 0.8 compound, 0)."""
    if lem in sent:
        return 1.0
    if len(lem) >= COMPOUND_MIN:
        for t in sent:
            if len(t) > len(lem) and (t.startswith(lem) or t.endswith(lem)):
                return 0.8
            if len(t) >= COMPOUND_MIN and len(lem) > len(t) and lem.startswith(t):
                return 0.5
    return 0.0


def _strengths(idx: Index, sent: set[str]) -> dict[str, float]:
    """How well each codebook lemma is present among a sentence's lemmas (as
    ``_match_strength``, the strongest way it is there), for the lemmas that are there at
    all: looked up from the sentence's side, so the cost does not grow with the codebook."""
    out: dict[str, float] = {}
    present = idx.present
    for t in sent:
        found = present.get(t)
        if found is None:
            found = _present(idx, t)
        for lem, m in found:
            if out.get(lem, 0.0) < m:
                out[lem] = m
    return out


_PRESENT_MAX = 200_000  # distinct sentence lemmas remembered (a bound on memory)


def _present(idx: Index, t: str) -> tuple[tuple[str, float], ...]:
    """The codebook lemmas that one sentence lemma holds, with their strength, in the order
    ``_strengths`` takes them (so its result, order included, does not change)."""
    idf = idx.idf
    found: list[tuple[str, float]] = []
    if t in idf:
        found.append((t, 1.0))
    n = len(t)
    for k in range(COMPOUND_MIN, n):  # a codebook lemma inside a compound of the sentence
        for part in (t[:k], t[n - k :]):
            if part in idf:
                found.append((part, 0.8))
    if n >= COMPOUND_MIN:  # a sentence word that starts a longer codebook lemma
        found.extend((lem, 0.5) for lem in idx.prefixed.get(t, ()))
    if len(idx.present) >= _PRESENT_MAX:
        idx.present.clear()
    got = idx.present[t] = tuple(found)
    return got


@dataclass(frozen=True)
class _Prepared:
    """A candidate list made ready for scoring: each phrase's lemmas with their IDF
    weights and total, and which phrases of which candidate hold each lemma."""

    candidates: list[_ConceptIndex]
    idf: dict[str, float]
    # per candidate: per phrase ((lemma, idf weight) pairs, sum of the weights, whether it
    # has two lemmas or more)
    phrases: tuple[tuple[tuple[tuple[tuple[str, float], ...], float, bool], ...], ...]
    # lemma -> (candidate position, phrase position) pairs, in candidate and phrase order
    by_lemma: dict[str, tuple[tuple[int, int], ...]]


_PREPARED: dict[tuple[int, int], _Prepared] = {}
_PREPARED_MAX = 32  # candidate lists are few (the index's groups); a bound all the same


def _prepared(candidates: list[_ConceptIndex], idf: dict[str, float]) -> _Prepared:
    """The scoring tables of a candidate list under IDF weights (built once per pair)."""
    key = (id(candidates), id(idf))
    got = _PREPARED.get(key)
    if got is not None and got.candidates is candidates and got.idf is idf:
        return got
    if len(_PREPARED) >= _PREPARED_MAX:
        _PREPARED.clear()
    phrases = []
    by_lemma: dict[str, list[tuple[int, int]]] = {}
    for c_i, ci in enumerate(candidates):
        rows = []
        for p_i, ph in enumerate(ci.phrases):
            weights = tuple(idf.get(lem, 1.0) for lem in ph.lemmas)
            rows.append(
                (tuple(zip(ph.lemmas, weights, strict=True)), sum(weights), len(ph.lemmas) >= 2)
            )
            for lem in dict.fromkeys(ph.lemmas):
                by_lemma.setdefault(lem, []).append((c_i, p_i))
        phrases.append(tuple(rows))
    got = _Prepared(
        candidates=candidates,
        idf=idf,
        phrases=tuple(phrases),
        by_lemma={k: tuple(v) for k, v in by_lemma.items()},
    )
    _PREPARED[key] = got
    return got


def score_concepts(
    lemmas: list[str], candidates: list[_ConceptIndex], theme: str | None = None
) -> list[tuple[float, ConceptInfo]]:
    """Score each candidate concept for a sentence's content lemmas, best first."""
    idx = concept_index()
    sent = set(lemmas)
    strength = _strengths(idx, sent)
    prep = _prepared(candidates, idx.idf)
    # only the phrases that hold a lemma of the sentence can score: found from the
    # sentence's side, so the cost does not grow with the codebook
    hit: dict[int, set[int]] = {}
    by_lemma = prep.by_lemma
    for lem in strength:
        for c_i, p_i in by_lemma.get(lem, ()):
            hit.setdefault(c_i, set()).add(p_i)
    out = []
    strength_of = strength.get
    for c_i in sorted(hit):
        ci = candidates[c_i]
        rows = prep.phrases[c_i]
        best = 0.0
        matched_all: dict[str, float] = {}
        for p_i in sorted(hit[c_i]):
            pairs, total, several = rows[p_i]
            got = 0.0
            peak = 0.0
            for lem, wt in pairs:
                m = strength_of(lem)
                if m:
                    w = wt * m
                    got += w
                    if wt > peak:
                        peak = wt
                    if w > matched_all.get(lem, 0.0):
                        matched_all[lem] = w
            if not got:
                continue
            coverage = got / total if total else 0.0
            s = got * (0.3 + 0.7 * coverage)
            if peak < GENERIC_IDF:
                s *= 0.5  # only words that many concepts share: weak evidence
            if several and coverage >= 0.99:
                s *= 1.5
            if s > best:
                best = s
        if not best:
            continue
        # other words of the concept that the sentence also has add a little
        extra = sum(matched_all.values()) - best / 1.5
        score = best + 0.3 * max(0.0, extra)
        if theme:
            score *= 1.25 if theme in ci.concept.themes else 0.9
        out.append((score, ci.concept))
    out.sort(key=lambda x: (-x[0], x[1].id))
    return out


def theme_of(text: str) -> str | None:
    """The codebook theme that a heading names, if any."""
    lem = content_lemmas(text)
    if not lem:
        return None
    scored = score_concepts(lem, concept_index().themes)
    return scored[0][1].id if scored and scored[0][0] >= 2.0 else None


def patient_groups_in(text: str) -> list[str]:
    """Codebook patient groups whose phrasings occur in ``text``."""
    lem = content_lemmas(text)
    found = []
    for score, c in score_concepts(lem, concept_index().patient_groups):
        if score >= THRESHOLD:
            found.append(c.id)
    return found


# --------------------------------------------------------------------------- cues


@dataclass(frozen=True)
class _Cues:
    ch_lemmas: frozenset[str]
    ch_phrases: tuple[str, ...]
    ch_negators: frozenset[str]
    me_modal: frozenset[str]
    me_phrases: tuple[str, ...]
    me_opening: frozenset[str]
    me_intent: re.Pattern[str] | None
    me_nominal: frozenset[str]
    me_finite: frozenset[str]
    # per context, one pattern: any of its phrases at a word start
    ctx: dict[str, re.Pattern[str]]
    list_lead: re.Pattern[str]


@lru_cache
def _cues() -> _Cues:
    c = load_cues()
    ch, me = c["challenge"], c["measure"]
    ctx = {
        k: re.compile("|".join(r"(?<![\wæøå])" + re.escape(p.lower()) for p in v) if v else "(?!)")
        for k, v in (c.get("section_context") or {}).items()
    }
    return _Cues(
        ch_lemmas=frozenset(str(w).lower() for w in ch.get("strong_lemmas") or []),
        ch_phrases=tuple(str(p).lower() for p in ch.get("strong_phrases") or []),
        ch_negators=frozenset(str(w).lower() for w in ch.get("negators") or []),
        me_modal=frozenset(str(w).lower() for w in me.get("modal_lemmas") or []),
        me_phrases=tuple(str(p).lower() for p in me.get("strong_phrases") or []),
        me_opening=frozenset(str(w).lower() for w in me.get("opening_lemmas") or []),
        me_intent=_intent_rx(me),
        me_nominal=frozenset(str(w).lower() for w in me.get("nominal_openings") or []),
        me_finite=frozenset(str(w).lower() for w in me.get("finite_verbs") or []),
        ctx=ctx,
        list_lead=re.compile(
            r"(?:" + "|".join(str(p) for p in me.get("list_lead_ends") or ["(?!)"]) + r")\s*:?$"
        ),
    )


def _intent_rx(me: dict) -> re.Pattern[str] | None:
    """ "<subject> vil [adverb] <verb>" with a verb that does more than introduce a point."""
    subjects = [str(w).lower() for w in me.get("intent_subjects") or []]
    if not subjects:
        return None
    adverbs = [str(w).lower() for w in me.get("intent_adverbs") or []]
    rhetorical = [str(w).lower() for w in me.get("rhetorical_verbs") or []]
    alt = lambda words: "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))  # noqa: E731
    adv = rf"(?:(?:{alt(adverbs)})\s+)?" if adverbs else ""
    not_rhet = rf"(?!(?:{alt(rhetorical)})(?![\wæøå]))" if rhetorical else ""
    return re.compile(
        rf"(?<![\wæøå])(?:{alt(subjects)})\s+vil\s+{adv}{not_rhet}[a-zæøå]{{2,}}(?![\wæøå])"
    )


def _has_phrase(lower: str, phrases: tuple[str, ...]) -> bool:
    """Whether a cue phrase starts at a word start in ``lower`` ("tiltak" is not found in
    "folkehelsetiltak"); a phrase written with a final space must also end at a word end."""
    return bool(phrases) and _phrases_rx(phrases).search(lower) is not None


@lru_cache(maxsize=64)
def _phrases_rx(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """One pattern for all the phrases, factored as a character trie (one scan of the text
    instead of one per phrase); the phrases that must end at a word end are a second trie."""
    from helsegraf.ingest.actors import trie_regex

    if any(not p.strip() for p in phrases):  # an empty phrase (the trie drops it)
        return re.compile("|".join(_phrase_rx(p).pattern for p in phrases))
    open_ = {p.strip() for p in phrases if not p.endswith(" ")}
    closed = {p.strip() for p in phrases if p.endswith(" ")}
    alts = []
    if open_:
        alts.append(trie_regex(open_))
    if closed:
        alts.append(trie_regex(closed) + r"(?![\wæøå])")
    return re.compile(r"(?<![\wæøå])(?:" + "|".join(alts) + ")")


@lru_cache(maxsize=4096)
def _phrase_rx(phrase: str) -> re.Pattern[str]:
    end = r"(?![\wæøå])" if phrase.endswith(" ") else ""
    return re.compile(r"(?<![\wæøå])" + re.escape(phrase.strip()) + end)


@per_document
@lru_cache(maxsize=4096)
def challenge_cue(text: str) -> bool:
    """Whether a sentence words a problem (cue words of ``cues.yaml``)."""
    # asked by the rules and again by the statement model's features: once is enough
    cues = _cues()
    lowers, lemmas = word_sets(text)
    if not (cues.ch_lemmas.isdisjoint(lowers) and cues.ch_lemmas.isdisjoint(lemmas)):
        return True
    lower = _plain(text)
    if not cues.ch_phrases:
        return False
    for m in _phrases_rx(cues.ch_phrases).finditer(lower):
        before = lower[max(0, m.start() - 30) : m.start()].split()[-2:]
        if cues.ch_negators.isdisjoint(before):
            return True  # "slipper lang reisevei": the problem is avoided, not raised
    return False


_PLAN_MODALS = frozenset({"skal", "skulle"})
_PASSIVE_DEMAND = re.compile(
    r"(?<![\wæøå])(?:må|bør)\s+(?:[a-zæøå]+\s+){0,2}?[a-zæøå]{3,}(?:es|ast)(?![\wæøå])"
)
_WEAK_MODALS = frozenset({"må", "måtte", "skal", "skulle", "trenge", "trengs"})


@per_document
@lru_cache(maxsize=8192)
def measure_cue(text: str, *, plan: bool = False, strong_only: bool = False) -> bool:
    """Whether a sentence proposes, demands or plans something.

    "skal" counts only in plans (``plan=True``); in a consultation response it mostly
    describes how things are meant to work."""
    cues = _cues()
    toks = tokens(text)
    if not toks:
        return False
    if toks[0].lower in cues.me_opening or toks[0].lemma in cues.me_opening:
        nominal = toks[0].lower in cues.me_nominal or toks[0].lemma in cues.me_nominal
        if not (nominal and any(t.lower in cues.me_finite for t in toks[1:])):
            return True
    plain = _plain(text)
    if cues.me_intent is not None and cues.me_intent.search(plain):
        return True  # "Vi vil flytte mer av oppfølgingen ut": what the voice means to do
    modals = cues.me_modal if plan else cues.me_modal - _PLAN_MODALS
    if strong_only:  # "må" and "skal" also describe how things are; "bør" proposes
        modals = modals - _WEAK_MODALS
        if _PASSIVE_DEMAND.search(text.lower()):
            return True  # "må konkretiseres", "må styrkast": a demand
    lowers, lemmas = word_sets(text)
    if not (modals.isdisjoint(lowers) and modals.isdisjoint(lemmas)):
        return True
    phrases = cues.me_phrases
    if strong_only:
        phrases = tuple(p for p in phrases if p.strip() not in _WEAK_MODALS)
    return _has_phrase(plain, phrases)


def is_list_lead(text: str) -> bool:
    """Whether a line ends in what the voice will or shall do ("DMS-et skal:", "… at
    helsefellesskapet vil"), so that the list after it names measures."""
    return bool(_cues().list_lead.search(_plain(text).rstrip()))


def context_of(text: str) -> str | None:
    """'challenge', 'measure' or 'example' when a heading or lead-in line asks for that."""
    lower = _plain(text)
    hits = {k for k, rx in _cues().ctx.items() if rx.search(lower)}
    if "example" in hits:
        return "example"
    if "measure" in hits and "challenge" in hits:
        # "hva er de viktigste utfordringene" (the word "tiltak" is not there): challenge;
        # a heading that asks for both ("utfordringer og tiltak") decides nothing
        return None if re.search(r"tiltak|forslag", lower) else "challenge"
    for k in ("measure", "challenge"):
        if k in hits:
            return k
    return None


@lru_cache
def _proceedings_rx() -> re.Pattern[str]:
    parts = [str(p) for p in load_cues().get("proceedings") or []]
    return re.compile("|".join(f"(?:{p})" for p in parts) if parts else r"(?!)", re.IGNORECASE)


def _proceedings(text: str) -> bool:
    """Whether a sentence records how a case was handled (``proceedings`` in cues.yaml)."""
    return _proceedings_rx().search(text) is not None


def _plain(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower().replace("–", "-"))


_URL = re.compile(r"(?:https?://|www\.)\S+")
_SUBHEAD = re.compile(r"^(?:[a-zæøå]\)|\d+(?:\.\d+)*\.?\)?|[IVX]+\.)\s+\S")


def _is_subheading(text: str) -> bool:
    """A numbered or lettered short title inside a section ("b) Ulik samhandlingskultur")."""
    t = text.strip()
    return len(t) <= 90 and not t.endswith((".", ":", ";", ",", "?")) and bool(_SUBHEAD.match(t))


def _is_label(text: str) -> bool:
    """A short line that ends with a colon: the title of what follows."""
    t = text.strip()
    return t.endswith(":") and len(t.split()) <= LABEL_MAX_WORDS


def _is_lead_in(text: str, kind: str) -> bool:
    t = text.strip()
    # a line that ends with a colon introduces what follows even when it is long
    limit = 2 * LEAD_IN_MAX if t.endswith(":") else LEAD_IN_MAX
    if len(t) > limit or context_of(t) is None:
        return False
    return kind == "heading" or t.endswith((":", "?")) or bool(re.search(r"\s[-–]\s|\S-\s", t))


# --------------------------------------------------------------------------- classify


def _label(text: str) -> str:
    words = re.sub(r"^[\s•▪\-–*\d.)]+", "", text).split()
    head = " ".join(words[:12])
    return head.rstrip(".,;:") + ("…" if len(words) > 12 else "")


def sections_of(doc: SegmentedDocument, voice_index: int) -> list[Section]:
    """The sections of a voice (from segment, or one per heading when segment gave none)."""
    voice = doc.voices[voice_index]
    if voice.sections:
        return voice.sections
    # no sections from segment: one section per heading within the voice's lines
    secs: list[Section] = []
    cur = Section()
    for b in doc.doc.blocks:
        if not voice.lines[0] <= b.first_line <= voice.lines[1]:
            continue
        if b.kind == "heading":
            if cur.blocks or cur.heading:
                secs.append(cur)
            cur = Section(heading=b.text, heading_block=b.index)
        else:
            cur.blocks.append(b.index)
    secs.append(cur)
    return secs


def classify_sentence(
    text: str,
    context: str | None,
    *,
    table_row: bool = False,
    theme: str | None = None,
    plan: bool = False,
) -> list[tuple[Kind, float, ConceptInfo | None]]:
    """Kinds and concepts of one sentence; concept None means ``.../annet``.

    ``context`` is what the surrounding structure asks for ('challenge', 'measure',
    'example' or None).
    """
    ch = challenge_cue(text)
    me = measure_cue(text, plan=plan)
    strong = me and measure_cue(text, plan=plan, strong_only=True)
    if me and ch and not strong:
        me = False  # "Vi må huske at noen brukere ikke er digitale": a problem, not a proposal
    kinds: list[tuple[Kind, bool]] = []  # (kind, structure says so)
    if table_row:
        # a row of an action-plan table is a measure; a row of a data table is not
        kinds = [("measure", me or len(content_lemmas(text)) >= 5)]
    elif context == "measure":
        kinds = [("measure", True)]
        if ch and not me:
            kinds = [("challenge", False), ("measure", False)]
    elif context == "challenge":
        # under a challenge question a sentence without problem wording needs a clear topic
        # ("må" alone may describe the problem: "pasientane må reise langt")
        kinds = [("challenge", ch)] if ch or not strong else []
        if me:
            kinds.append(("measure", strong and not ch))
    else:
        if ch:
            kinds.append(("challenge", False))
        if me:
            kinds.append(("measure", False))
    lemmas = content_lemmas(text)
    idx = concept_index()
    if not kinds and context is None and not table_row:
        # prose that names a problem without a cue word ("Innsatsstyrt finansiering belønner
        # aktivitet i sykehuset, mens kommunene er rammefinansiert"): only a close topical
        # match counts
        # a concept's score is at most 2.25 times the weight of the sentence's codebook words
        # (phrase coverage bonus 1.5, other words 0.3, theme 1.25): most prose is far below
        weight = sum(idx.idf.get(lem, 1.0) * m for lem, m in _strengths(idx, set(lemmas)).items())
        if 2.25 * weight >= TOPICAL_THRESHOLD:
            scored = score_concepts(lemmas, idx.of_kind("challenge"), theme)
            if scored and scored[0][0] >= TOPICAL_THRESHOLD:
                return [("challenge", scored[0][0], scored[0][1])]
    if not kinds:
        return []
    out: list[tuple[Kind, float, ConceptInfo | None]] = []
    for kind, structural in kinds:
        scored = score_concepts(lemmas, idx.of_kind(kind), theme)
        # where the structure says what the sentence is, a weaker topical match will do
        bar = STRUCTURAL_THRESHOLD if structural else THRESHOLD
        if scored and scored[0][0] >= bar:
            top = scored[0][0]
            out.append((kind, top, scored[0][1]))
            for s, c in scored[1:2]:
                if s >= max(THRESHOLD, SECOND_SHARE * top):
                    out.append((kind, s, c))
        elif (
            structural and len(lemmas) >= 3 and (kind == "measure" or ch) and not _proceedings(text)
        ):
            # an unmatched challenge needs problem wording too; list items under a
            # measure question are measures as they stand
            out.append((kind, 0.0, None))
    return out


@dataclass(frozen=True)
class Candidate:
    """One sentence that may be a statement, with the structure around it."""

    voice: str
    block: int
    start: int  # offsets in the block text
    end: int
    text: str  # the sentence, URLs blanked
    context: str | None  # what the section or lead-in asks for ('challenge', 'measure')
    table_row: bool
    row: TableRow | None
    theme: str | None
    plan: bool
    block_kind: str


def candidates(doc: SegmentedDocument, recognised: Recognised | None = None) -> list[Candidate]:
    """Every sentence of every voice that may be a statement, in document order, with the
    section's question, lead-in, table row and theme that govern it."""
    out: list[Candidate] = []
    nd = doc.doc
    plan = doc.kind == "handlingsplan"
    actors_by_block: dict[int, list] = {}
    for a in recognised.actors if recognised else []:
        actors_by_block.setdefault(a.block, []).append(a)
    for vi, voice in enumerate(doc.voices):
        for section in sections_of(doc, vi):
            sec_ctx: str | None = section.context if section.context != "none" else None
            if sec_ctx is None and section.heading:
                sec_ctx = context_of(section.heading)
            theme = section.theme or (theme_of(section.heading) if section.heading else None)
            lead_ctx: str | None = None
            # a list whose lead line ends in "skal:" / "vil": the context before that list
            list_lead: list[str | None] = []
            if (
                section.heading
                and section.blocks
                and nd.blocks[section.blocks[0]].kind == "bullet"
                and is_list_lead(section.heading)
            ):
                # "DMS-et skal:" on a line of its own reads as a heading but leads its list
                list_lead.append(None)
                lead_ctx = "measure"
            for k, bi in enumerate(section.blocks):
                block = nd.blocks[bi]
                if list_lead and block.kind != "bullet":
                    lead_ctx = list_lead.pop()  # the list is over
                if len(block.text) < 12 or not is_textual(block.text):
                    continue  # no words, or not language: no statement (and no cost)
                row = doc.table_rows.get(bi)
                if row is None and block.kind == "table_row":
                    row = TableRow()
                if block.kind == "heading":
                    c = context_of(block.text)
                    lead_ctx = c
                    continue
                opens_list = (
                    row is None
                    and block.kind != "bullet"
                    and k + 1 < len(section.blocks)
                    and nd.blocks[section.blocks[k + 1]].kind == "bullet"
                    and is_list_lead(block.text)
                )
                if opens_list:
                    # the items of the list finish this line's sentence: measures
                    list_lead.append(lead_ctx)
                    if _is_label(block.text):
                        lead_ctx = "measure"
                        continue
                if row is None and _is_lead_in(block.text, block.kind):
                    lead_ctx = context_of(block.text)
                    continue
                if row is None and _is_label(block.text):
                    continue  # "Tverrfaglig samarbeid om unge:": names what follows, says nothing
                if row is None and _is_subheading(block.text):
                    # "b) Ulik samhandlingskultur": a new topic; an earlier lead-in is over
                    lead_ctx = context_of(block.text)
                    continue
                ctx = lead_ctx or sec_ctx
                if ctx == "example":
                    ctx = None
                names = [(a.start, a.end) for a in actors_by_block.get(bi, [])]
                limit = row.measure_end if row is not None and row.measure_end else len(block.text)
                for s, e in split_sentences(block.text[:limit]):
                    sent = _URL.sub(" ", block.text[s:e])
                    if len(sent.strip()) < 12:
                        continue
                    named = sum(max(0, min(e, a_e) - max(s, a_s)) for a_s, a_e in names)
                    if named >= 0.6 * (e - s):
                        continue  # the name of a body ("Faglig samarbeidsutvalg for ..."), no statement
                    out.append(
                        Candidate(
                            voice=voice.id,
                            block=bi,
                            start=s,
                            end=e,
                            text=sent,
                            context=ctx,
                            table_row=row is not None,
                            row=row,
                            theme=theme,
                            plan=plan,
                            block_kind=block.kind,
                        )
                    )
                if opens_list:
                    lead_ctx = "measure"
    return out


def rules_of(cand: Candidate) -> list[tuple[Kind, float, ConceptInfo | None]]:
    """The rules' kinds and concepts of one candidate sentence."""
    return classify_sentence(
        cand.text, cand.context, table_row=cand.table_row, theme=cand.theme, plan=cand.plan
    )


Decision = tuple[Kind, float, "ConceptInfo | str | None", str, "float | None"]
"""(kind, rule score, concept (info, id, or None for annet), assigned_by, confidence)."""


def run(
    doc: SegmentedDocument,
    recognised: Recognised | None = None,
    *,
    model: object | None = None,
) -> list[Coding]:
    """Find the challenges and measures of each voice, coded to codebook concepts.

    With the statement model (``ontology/statement_model.npz``, or ``model``) the rules and
    the model decide together (:mod:`helsegraf.ingest.learned`); without it, the rules alone.
    """
    from helsegraf.ingest import learned

    m = learned.get_model() if model is None else model
    cands = candidates(doc, recognised)
    return code(doc, cands, [rules_of(c) for c in cands], m)


def code(
    doc: SegmentedDocument,
    cands: list[Candidate],
    rules_per_candidate: list[list[tuple[Kind, float, ConceptInfo | None]]],
    model: object | None,
) -> list[Coding]:
    """The codings of candidate sentences, given what the rules made of each, by the rules
    and ``model`` together (a :class:`~helsegraf.ingest.learned.StatementModel`), or by the
    rules alone (anything else)."""
    from helsegraf.ingest import learned

    m = model
    codings: list[Coding] = []
    nd = doc.doc
    for cand, rules in zip(cands, rules_per_candidate, strict=True):
        decisions: list[Decision]
        if isinstance(m, learned.StatementModel):
            decisions = learned.combine(m, cand, rules)
        else:
            decisions = [(k, s, c, "rules", None) for k, s, c in rules]
        block = nd.blocks[cand.block]
        row = cand.row
        for kind, score, concept_ref, by, conf in decisions:
            concept = _concept_info(concept_ref)
            q_s, q_e = _evidence_span(block, cand.start, cand.end, concept)
            quote = quote_span(nd, cand.block, q_s, q_e)
            if quote is None:
                continue
            if not quote.cut and block.text[q_e : cand.end].strip(" .,;:!?"):
                # the sentence goes on past its evidence line: the quote is cut
                quote = quote.model_copy(update={"cut": True})
            codings.append(
                Coding(
                    kind=kind,  # type: ignore[arg-type]
                    voice=cand.voice,
                    concept=concept.id
                    if concept
                    else ("utfordring/annet" if kind == "challenge" else "tiltak/annet"),
                    label=None if concept else _label(cand.text),
                    theme=cand.theme or (concept.themes[0] if concept and concept.themes else None),
                    block=cand.block,
                    quote=quote,
                    score=round(score, 3),
                    responsible=list(row.responsible) if row and kind == "measure" else [],
                    when=row.when if row and kind == "measure" else None,
                    assigned_by=by,  # type: ignore[arg-type]
                    confidence=None if conf is None else round(conf, 3),
                )
            )
    return codings


def _concept_info(ref: ConceptInfo | str | None) -> ConceptInfo | None:
    if ref is None or isinstance(ref, ConceptInfo):
        return ref
    if ref.endswith("/annet"):
        return None
    return load_concepts().get(ref)


def _evidence_span(
    block: Block, start: int, end: int, concept: ConceptInfo | None
) -> tuple[int, int]:
    """The part of a sentence on the source line that holds the most words of the concept
    (so the quote shows the evidence); the whole sentence when it is on one line."""
    if concept is None or len(block.fragments) < 2:
        return start, end
    ci = next(
        (c for c in concept_index().of_kind(_kind_of(concept)) if c.concept.id == concept.id), None
    )
    if ci is None:
        return start, end
    best, best_key = (start, end), (-1, -1, -1)
    for i, f in enumerate(block.fragments):
        f_end = (
            block.fragments[i + 1].block_start if i + 1 < len(block.fragments) else len(block.text)
        )
        lo, hi = max(start, f.block_start), min(end, f_end)
        if hi <= lo:
            continue
        lemmas = [t.lemma for t in tokens(block.text[lo:hi])]
        # the line that names the concept itself ("… knyttet til rekruttering,") carries the
        # evidence, before a line with more of its neighbouring words ("kompetanse")
        named = sum(1 for lem in lemmas if _names_concept(ci.concept.id, lem))
        hits = sum(1 for lem in lemmas if _in_concept(ci.concept.id, lem))
        key = (named, hits, hi - lo)
        if key > best_key:
            best, best_key = (lo, hi), key
    return best


@lru_cache(maxsize=100_000)
def _in_concept(concept_id: str, lem: str) -> bool:
    """Whether a lemma is one of a concept's words, or part of or built on one (the same
    lemmas recur across sentences: remembered)."""
    bag = _bags()[concept_id]
    return bool(_match_strength(lem, bag)) or lem in bag


@lru_cache(maxsize=100_000)
def _names_concept(concept_id: str, lem: str) -> bool:
    """Whether a lemma is a word of the concept's own label, built on one, or of its stem
    ("rekruttering" for "rekruttere")."""
    label = _label_lemmas().get(concept_id, frozenset())
    if lem in label or _match_strength(lem, set(label)):
        return True
    return any(_common_stem(lem, word) for word in label)


def _common_stem(a: str, b: str) -> bool:
    """Two words of one stem: a shared beginning of six letters or more that is most of the
    shorter word."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n >= max(6, 0.75 * min(len(a), len(b)))


@lru_cache
def _label_lemmas() -> dict[str, frozenset[str]]:
    idx = concept_index()
    return {
        ci.concept.id: frozenset(content_lemmas(ci.concept.label))
        for ci in (*idx.challenges, *idx.measures)
    }


@lru_cache
def _bags() -> dict[str, set[str]]:
    idx = concept_index()
    return {ci.concept.id: ci.bag for ci in (*idx.challenges, *idx.measures)}


def _kind_of(concept: ConceptInfo) -> Kind:
    return "challenge" if concept.scheme == "utfordring" else "measure"

"""Find examples: named initiatives, projects, services, programmes and models a voice points to.

Two sources, both data-driven:

* the known initiatives of ``ontology/initiatives.yaml`` (names and aliases), and
* patterns that find new names (``ontology/cues.yaml``, section ``initiatives``): a name after
  an introducing noun ("programmet Barneblikk", "kampanjen Kle deg & Beveg deg!"), a name
  with a hyphenated suffix ("Sjustjerne-nettverket"), CamelCase names ("ParkinsonNet"),
  "X er et eksempel på ...", "erfaringer fra X", and in a section that asks for good examples
  the head of each list item and what "Se til ..." points at.

Organisations and places (actor mentions, registry names) and generic words are not examples.
Stance is ``good-practice`` where the text holds the initiative up, else ``mentioned``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import simplemma
import typer
import yaml

from helsegraf.core.errors import HelsegrafError
from helsegraf.ingest.lexicon import (
    is_textual,
    load_cues,
    load_yaml,
    quote_at,
    split_sentences,
    stopwords,
)
from helsegraf.ingest.models import (
    ActorMention,
    ExampleMention,
    ExampleOut,
    Recognised,
    SegmentedDocument,
)
from helsegraf.ontology import ONTOLOGY_DIR


@dataclass
class KnownInitiative:
    """An initiative of ``ontology/initiatives.yaml``."""

    name: str
    aliases: list[str] = field(default_factory=list)
    description: str | None = None
    patient_groups: list[str] = field(default_factory=list)
    theme: str | None = None
    generic: bool = False


@lru_cache
def load_initiatives() -> list[KnownInitiative]:
    """The known initiatives."""
    path = ONTOLOGY_DIR / "initiatives.yaml"
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError) as exc:
        raise HelsegrafError(f"cannot read known initiatives: {exc}", path=str(path)) from exc
    return [
        KnownInitiative(
            name=str(d["name"]),
            aliases=[str(a) for a in d.get("aliases") or []],
            description=d.get("description"),
            patient_groups=list(d.get("patient_groups") or []),
            theme=d.get("theme"),
            generic=bool(d.get("generic", False)),
        )
        for d in data
    ]


@lru_cache
def _names_data() -> dict:
    """``ontology/initiative_names.yaml``: how names of initiatives are built."""
    path = ONTOLOGY_DIR / "initiative_names.yaml"
    try:
        return load_yaml(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise HelsegrafError(f"cannot read initiative name cues: {exc}", path=str(path)) from exc


def _alias_pattern(alias: str) -> re.Pattern[str]:
    body = re.escape(alias).replace(r"\ ", r"\s+").replace(r"\-", r"\s*[-–]\s*")
    # an inflected ending ("FACT-teamet", "frisklivssentralene") is allowed, not any letters
    # ("Tidlig inn" is not "tidlig innsats")
    endings = "|".join(
        sorted((re.escape(str(e)) for e in _names_data().get("inflections") or []), key=len)[::-1]
    )
    tail = rf"(?:[-–][a-zæøå]{{1,14}}|{endings})?" if alias[-1].isalnum() else ""
    flags = 0 if alias.isupper() or (len(alias) <= 4 and alias[:2].isupper()) else re.IGNORECASE
    if flags and _plain_words(alias):
        # "Tidleg inn", "Menn i helse": ordinary words are the name only as the name is
        # written, with its capital ("å kome tidleg inn" is no programme)
        body = f"(?-i:{re.escape(alias[0])})" + body[len(re.escape(alias[0])) :]
    return re.compile(rf"(?<![\w-]){body}{tail}(?![\w])", flags)


def _plain_words(alias: str) -> bool:
    """A name written with a capital and otherwise made of ordinary dictionary words in
    lower case ("Tidlig inn", "Leve hele livet"): no other capital, digit, sign or quote."""
    if not alias[:1].isupper() or re.search(r"[^\w\s]|[A-ZÆØÅ0-9]", alias[1:]):
        return False
    words = re.findall(r"[^\W\d_]+", alias.lower())
    return bool(words) and all(simplemma.is_known(w, lang=("nb", "nn")) for w in words)


@lru_cache
def _known_aliases() -> list[tuple[KnownInitiative, str]]:
    pairs = [(k, alias) for k in load_initiatives() for alias in {k.name, *k.aliases}]
    # longest names first, so "FACT Ung" wins over "FACT"
    pairs.sort(key=lambda p: (-len(p[1]), p[1]))
    return pairs


@lru_cache
def _known_patterns() -> list[tuple[KnownInitiative, re.Pattern[str]]]:
    return [(k, _alias_pattern(alias)) for k, alias in _known_aliases()]


# Characters that match other letters case-insensitively ("ſ" is "s", "ı" is "i") in ways
# that lower-casing does not show: a text with one is searched with every pattern.
_ODD_CASE = re.compile("[\u0131\u017f\u0130\u1e9b]")


def _key(alias: str) -> str:
    """The letters an alias starts with, up to its first space or sign, lower-cased: every
    match of the alias's pattern starts with them."""
    key = ""
    for ch in alias:
        if not ch.isalnum():
            break
        key += ch
    return key.lower()


@lru_cache
def _keyed_patterns() -> list[tuple[KnownInitiative, re.Pattern[str], str]]:
    """``_known_patterns`` in the same order, each with its ``_key``."""
    known = _known_patterns()
    return [
        (k, rx, _key(alias)) for (k, alias), (_, rx) in zip(_known_aliases(), known, strict=True)
    ]


@lru_cache
def _keys_rx() -> re.Pattern[str]:
    """All keys as one case-insensitive trie pattern at a word start (as the known-name
    patterns require: after neither a word character nor a hyphen)."""
    from helsegraf.ingest.actors import trie_regex

    keys = {key for _, _, key in _keyed_patterns() if key}
    return re.compile(r"(?<![\w-])" + trie_regex(keys), re.IGNORECASE)


def _word_starts(text: str) -> set[str] | None:
    """The keys (and their prefixes) that start a word of ``text``; None when the text has
    letters that case-folding matches unpredictably (then every pattern is tried)."""
    if _ODD_CASE.search(text):
        return None
    out = {""}
    for m in _keys_rx().finditer(text):
        # the trie takes the longest key at a place; the shorter keys there are its prefixes
        w = m.group(0).lower()
        out.update(w[:n] for n in range(1, len(w) + 1))
    return out


@lru_cache
def _positions_by_key() -> dict[str, tuple[int, ...]]:
    out: dict[str, list[int]] = {}
    for i, (_, _, key) in enumerate(_keyed_patterns()):
        out.setdefault(key, []).append(i)
    return {k: tuple(v) for k, v in out.items()}


def _candidate_patterns(text: str) -> list[tuple[KnownInitiative, re.Pattern[str]]]:
    """The known-name patterns that can match in ``text``, in ``_known_patterns`` order."""
    known = _known_patterns()
    starts = _word_starts(text)
    if starts is None:
        return known
    by_key = _positions_by_key()
    return [known[i] for i in sorted(i for key in starts for i in by_key.get(key, ()))]


# --------------------------------------------------------------------------- patterns

_NAME_STOP = {
    "som",
    "er",
    "i",
    "og",
    "for",
    "med",
    "til",
    "på",
    "ble",
    "blir",
    "vart",
    "vert",
    "skal",
    "har",
    "hadde",
    "der",
    "hvor",
    "kor",
    "fra",
    "frå",
    "ved",
    "mellom",
    "om",
    "at",
    "kan",
    "vil",
    "samt",
    "sammen",
    "saman",
    "av",
    "etter",
    "under",
    "mot",
    "men",
    "eller",
    "the",
    "a",
    "gjennom",
    "innen",
    "innenfor",
    "da",
    "då",
    "seg",
    "sitt",
    "sin",
    "sine",
}
_PRONOUN_START = {
    "det",
    "den",
    "dette",
    "denne",
    "disse",
    "desse",
    "de",
    "dei",
    "vi",
    "me",
    "en",
    "et",
    "ei",
    "ein",
    "eit",
    "i",
    "på",
    "og",
    "som",
    "man",
    "når",
    "her",
    "der",
    "for",
    "med",
    "til",
    "etter",
    "under",
    "gjennom",
    "dersom",
    "om",
    "hvis",
    "viss",
    "kommunene",
    "kommunane",
    "helseforetaket",
    "tjenesten",
    "pasienter",
    "pasientar",
    "alle",
    "flere",
    "fleire",
    "mange",
}
_TOKEN = re.compile(r"«[^»]{2,80}»|\"[^\"]{2,80}\"|[\wÆØÅæøå][\w&\-/’']*!?|&")
_URL = re.compile(r"(?:https?://|www\.)\S+|\S+\.(?:no|com|org|aspx|pdf)\S*")


@lru_cache
def _definite_compound() -> re.Pattern[str]:
    heads = "|".join(
        sorted(
            {re.escape(str(w)) for w in _names_data().get("compound_intro_heads") or []},
            key=len,
            reverse=True,
        )
    )
    return re.compile(rf"(?<![\w-])[a-zæøå]{{5,}}(?P<head>{heads})(?![\w-])")


@lru_cache
def _intro_words() -> frozenset[str]:
    c = load_cues().get("initiatives") or {}
    return frozenset(str(w).lower() for w in c.get("intro_nouns") or [])


# intro words that name rather than introduce a kind of thing ("det såkalte X", "kalt X")
_NAMING_WORDS = frozenset({"såkalte", "såkalla", "kalt", "kalla", "kjent som"})
_CAMEL = re.compile(r"(?<![\w-])[A-ZÆØÅ][a-zæøå]+(?:[A-ZÆØÅ]+[a-zæøå]*)+(?![\w-])")


# a lower-case name after an indefinite noun ("med prosjekt heltidskultur."), not a definite noun
_LOWER_PROJECT = re.compile(
    r"(?<![\w-])(?:prosjekt|program|kampanje)\s+([a-zæøå][\wæøå-]{3,}(?<!en)(?<!et)(?<!ene))(?=\s*[.;]|\s*$)"
)
_PILOT = re.compile(
    r"(?<![\w-])(?:[Pp]ilotprosjekt|[Ff]orprosjekt|[Pp]ilot)\s+(?:på|om|med|for)\s+(?P<obj>[a-zæøåA-ZÆØÅ][^.;:()]{3,90})"
)
_ADJ_ENDINGS = ("alt", "ale", "elt", "ig", "isk", "iske", "sk", "ske", "lt", "les", "ende")
_NAMED_FORUM = re.compile(
    r"(?<=[a-zæøå,] )([A-ZÆØÅ][a-zæøå][\wæøå-]+\s+(?:[a-zæøå]+e\s+)?[a-zæøå]*(?:forum|nettverk|nettverket))(?![\w-])"
)
_QUOTED = re.compile(r"[«\"“]([A-ZÆØÅ][^»\"”]{1,60}?)[»\"”]")
_TITLE_BEFORE = re.compile(
    r"rapport|plan|strategi|melding|visjon|motto|mottoet|overskrift|tittel|utredning|heter"
)
_SERVICE_CONTEXT = re.compile(r"prosjekt|etabler|samarbeid|satsing|utvikl|pilot|modell|erfaring")
_AND_PLACE = re.compile(
    r"\s*(?:\([^)]{0,40}\))?\s*(?:,|og)\s+(?:i|på)\s+(?P<place>[A-ZÆØÅ][\wæøå-]+)"
)
# a capitalised word after a lower-case word (so not at a sentence start)
_MID_CAPITAL = re.compile(r"(?<=[a-zæøå,] )([A-ZÆØÅ][a-zæøå]{3,})(?=[ ,.])")
# the rest of a name: lower-case words, at most one "for/til/om/i" phrase, up to punctuation
_NAME_TAIL = re.compile(
    r"(?:\s+(?!(?:og|som|er|har|skal|vil|kan|var|ble|blir|vert|vart|med|der|ved|sidan|siden|gjennom|fra|frå)\b)[a-zæøåA-ZÆØÅ][\wæøå]*){1,5}"
)
_THEIR_PROJECT = re.compile(
    r"(?:deres|sitt|sine|sin)\s+(?:felles\s+)?(?:prosjekt|satsing|program|arbeid)\w*\s+(?:sammen\s+)?"
    r"(?:for|om|med|på)\s+(?P<obj>[^,.;()]{4,80})"
)
_HOLDS_UP = re.compile(
    r"\s(?:er|var|blir)\s+(?:eit|et|ein|en|ei)\s+(?:godt\s+|stort\s+|[\wæøå]+rik\s+|viktig\s+)?"
    r"(?:eksempel|døme|suksesshistorie|satsing|foregangsprosjekt)"
)
_NOMINAL_LEAD = re.compile(
    r"^(?:Etablering|Etableringa|Etableringen|Innføring|Innføringen|Utviklingen|Utvikling)\s+av\s+"
)
_DASH_INTRO = re.compile(
    r"\s[-–]\s+(?:eit|et|ein|en)\s+(?:\w+\s+)?(?:forbedringsarbeid|prosjekt|tiltak|tilbud|tilbod|program|samarbeid)\b"
)
_EXPERIENCE_FROM = re.compile(r"erfaring(?:er|ane|ene)?\s+(?:fra|frå|med)\s+", re.IGNORECASE)
_SUCH_AS = re.compile(
    r"(?:prosjekt|prosjekter|tiltak|tilbud|tilbod|satsingar|satsinger)\s+som\s+(?:til\s+dømes|for\s+eksempel|f\.\s?eks\.)\s+"
)


@lru_cache
def _service_patterns() -> list[tuple[re.Pattern[str], str]]:
    """(pattern, name template) pairs; the template names the service from its ``place``."""
    items = (load_cues().get("initiatives") or {}).get("named_services") or []
    return [(re.compile(str(d["pattern"])), str(d["name"])) for d in items]


@dataclass(frozen=True)
class _Pat:
    intro: re.Pattern[str]
    hyphen: re.Pattern[str]
    good: tuple[str, ...]
    pointer: tuple[str, ...]
    generic: frozenset[str]
    kind_suffix: re.Pattern[str]  # a kind glued on at the end ("-teamet", "-modellen")
    document_words: re.Pattern[str]


@lru_cache
def _patterns() -> _Pat:
    c = load_cues().get("initiatives") or {}
    intro = "|".join(
        sorted({re.escape(str(w)) for w in c.get("intro_nouns") or []}, key=lambda w: (-len(w), w))
    )
    suffix = "|".join(
        sorted(
            {re.escape(str(w)) for w in c.get("hyphen_suffixes") or []}, key=lambda w: (-len(w), w)
        )
    )
    compound = "|".join(
        sorted(
            {re.escape(str(w)) for w in _names_data().get("compound_intro_heads") or []},
            key=len,
            reverse=True,
        )
    )
    return _Pat(
        # "prosjektet X", and a compound ending in a definite head: "læringsnettverket X"
        intro=re.compile(
            rf"(?<![\w-])(?:(?i:{intro})|[a-zæøå]{{3,}}(?:{compound}))\s+(?=[«\"A-ZÆØÅ0-9])"
        ),
        hyphen=re.compile(rf"(?<![\w-])([A-ZÆØÅ][\wÆØÅæøå]{{2,}})-(?:{suffix})(?![\w-])"),
        good=tuple(str(p).lower() for p in c.get("good_practice") or []),
        pointer=tuple(str(p).lower() for p in c.get("pointer_phrases") or []),
        generic=frozenset(str(w).lower() for w in c.get("generic") or []),
        kind_suffix=re.compile(rf"\s*[-‐–]\s*(?:{suffix})$" if suffix else r"(?!)"),
        document_words=re.compile(
            r"\b(?:" + "|".join(str(w) for w in c.get("document_words") or []) + r")\b"
            if c.get("document_words")
            else r"(?!)",
            re.IGNORECASE,
        ),
    )


def _name_at(
    text: str, pos: int, max_tokens: int = 6, allow_lower_start: bool = False, join_og: bool = False
) -> tuple[int, int] | None:
    """The span of a name starting at ``pos``: a quoted string, or words up to a stop word
    or punctuation (first word capitalised unless ``allow_lower_start``)."""
    m = _TOKEN.match(text, pos)
    if not m:
        return None
    first = m.group(0)
    if first[0] in '«"':
        return m.start(), m.end()
    if not (first[0].isupper() or first[0].isdigit() or allow_lower_start):
        return None
    if first.lower() in _PRONOUN_START or first.lower() in _NAME_STOP:
        return None
    end = m.end()
    count = 1
    p = end
    while count < max_tokens:
        gap = re.match(r"[ \t]+", text[p:])
        if not gap:
            break
        m2 = _TOKEN.match(text, p + gap.end())
        if not m2:
            break
        w = m2.group(0)
        if join_og and w.lower() in ("og", "&"):  # "Opp og Gå!": joins two capitalised words
            nxt = re.match(r"[ \t]+([\wÆØÅæøå][\w&\-/’']*!?)", text[m2.end() :])
            if nxt and nxt.group(1)[0].isupper() and count + 1 < max_tokens:
                end = m2.end() + nxt.end()
                p = end
                count += 2
                if nxt.group(1).endswith("!"):
                    break
                continue
        if w.lower() in _joiners() and text[pos].isupper():
            # "Aktiv i Hverdagen", "Helsehuset i Vestby": a joiner between capitalised parts
            nxt = re.match(r"[ \t]+([A-ZÆØÅ][\wæøå\-]+)", text[m2.end() :])
            prev_word = text[pos:end].split()[-1]
            if nxt and prev_word[:1].isupper() and count + 1 < max_tokens:
                end = m2.end() + nxt.end()
                p = end
                count += 2
                continue
        if w.lower() in _NAME_STOP or w[0] in '«"':
            break
        end = m2.end()
        p = end
        count += 1
        if w.endswith("!"):
            break
    return pos, end


@lru_cache
def _new_building() -> re.Pattern[str]:
    words = "|".join(re.escape(str(w)) for w in _names_data().get("new_building_words") or [])
    return re.compile(rf"(?<![\w-])({words})\s+$" if words else r"(?!)")


@lru_cache
def _adoption_rx() -> re.Pattern[str]:
    parts = [str(p) for p in _names_data().get("adoption_before") or []]
    return re.compile(rf"(?:{'|'.join(parts)})\s+$" if parts else r"(?!)", re.IGNORECASE)


def _adopted(before: str) -> bool:
    """Whether the words before an example's name speak of taking it into use."""
    return _adoption_rx().search(before) is not None


@lru_cache
def _intro_plurals() -> frozenset[str]:
    return frozenset(str(w).lower() for w in _names_data().get("intro_plurals") or [])


@lru_cache
def _clause_verbs() -> frozenset[str]:
    return frozenset(str(w).lower() for w in _names_data().get("clause_verbs") or [])


def _listed_names(text: str, pos: int, blocked: list[tuple[int, int]], bi: int, add: Any) -> None:
    """The names of a list after a plural noun ("prosjektene Jobbvinner og Menn i helse"):
    up to four, separated by commas and "og"/"eller"."""
    for _ in range(4):
        span = _name_at(text, pos, max_tokens=5, join_og=True)
        if not span:
            return
        name = _clean(text[span[0] : span[1]])
        words = name.split()
        verb = next((k for k, w in enumerate(words) if k and w.lower() in _clause_verbs()), None)
        if verb is not None:  # "… Aktiv hverdag må få midler": the name ends at the verb
            name = " ".join(words[:verb])
            span = (span[0], span[0] + len(name))
        # the list's "og" ends a name: "Jobbvinner og Menn i helse" are two
        cut = re.search(r"\s+(?:og|eller)\s+", name)
        if cut and not re.match(r"\S+!", name[cut.end() :]):  # "Opp og Gå!" is one name
            name = name[: cut.start()]
            span = (span[0], span[0] + len(name))
        if _acceptable(name, span, blocked):
            add(bi, span[0], span[0] + len(name), name, text)
        nxt = re.match(r"\s*(?:,|og|eller)\s+", text[span[0] + len(name) :])
        if not nxt:
            return
        pos = span[0] + len(name) + nxt.end()


@lru_cache
def _joiners() -> frozenset[str]:
    return frozenset(str(w).lower() for w in _names_data().get("name_joiners") or [])


@lru_cache
def _name_heads() -> tuple[str, ...]:
    return tuple(sorted({str(w).lower() for w in _names_data().get("name_heads") or []}))


@lru_cache
def _concept_vocabulary() -> frozenset[str]:
    """Lemmas of the codebook's concepts (labels, phrasings, concept terms)."""
    from helsegraf.ingest.classify import concept_index

    idx = concept_index()
    bag: set[str] = set()
    for group in (idx.challenges, idx.measures, idx.themes, idx.patient_groups):
        for ci in group:
            bag.update(ci.bag)
    return frozenset(bag)


def _name_signal(name: str) -> bool:
    """Whether a candidate looks like the name of something: a capital after its first letter,
    a digit, quotes, an acronym, or a word built on an initiative head ("Trygghetsteamet")."""
    if re.search(r"[«\"“0-9]", name) or re.search(r"[A-ZÆØÅ]", name[1:]):
        return True
    words = re.findall(r"[\wæøå]+", name.lower())
    return any(w.endswith(_name_heads()) for w in words)


def generic_phrase(name: str) -> bool:
    """A short common noun phrase rather than a name ("Kompetanseheving", "Førebygging",
    "Tverrfaglig samarbeid"): no sign of a name, at most two content words, each a word of
    the codebook's concepts or a common dictionary word."""
    if _name_signal(name):
        return False
    from helsegraf.ingest.lexicon import lemma

    stop = stopwords()
    words = [w for w in re.findall(r"[^\W\d_]+", name.lower()) if w not in stop and len(w) > 1]
    if len(words) > 2:
        return False
    vocab = _concept_vocabulary()

    def common(w: str) -> bool:
        lem = lemma(w)
        return (
            lem in vocab
            or w in vocab
            or simplemma.is_known(w, lang=("nb", "nn"))
            or any(len(v) >= 6 and (lem.endswith(v) or lem.startswith(v)) for v in vocab)
        )

    return all(common(w) for w in words)


def _sentence_of(text: str, sentences: list[tuple[int, int]], pos: int) -> str:
    for s, e in sentences:
        if s <= pos < e:
            return text[s:e]
    return text


def _clean(name: str) -> str:
    name = name.strip().strip('«»"“”').strip()
    return re.sub(r"[\s,.;:]+$", "", name)


@lru_cache
def _good_rx() -> re.Pattern[str]:
    alts = "|".join(re.escape(p) for p in sorted(_patterns().good, key=len, reverse=True))
    return re.compile(rf"(?<![\wæøå])(?:{alts})")


def _is_good(text: str) -> bool:
    """Whether the text holds something up ("godt eksempel", "gode erfaringer" ...)."""
    return bool(_good_rx().search(text.lower()))


def _registry_names() -> set[str] | None:
    """Lower-cased names of places and registry actors (kommuner, fylker, trusts, hospitals,
    named districts)."""
    try:
        from helsegraf.ontology.registry import load_registry
    except ImportError:
        return None
    try:
        reg = load_registry()
    except Exception:  # the registry is optional for finding examples
        return None
    names: set[str] = set()
    for attr in ("kommuner", "fylker", "helseforetak", "sykehus", "helsefellesskap"):
        for rec in getattr(reg, attr, []) or []:
            for key in ("name", "name_base", "klass_name", "aliases", "other_names"):
                v = getattr(rec, key, None)
                for item in v if isinstance(v, list) else [v]:
                    if isinstance(item, str) and item:
                        names.add(item.lower())
                        names.add(item.lower().removesuffix(" kommune"))
    for org in getattr(reg, "organisations", []) or []:
        if org.type == "Region":  # named districts ("Vesterålen", "Sunnhordland")
            names.update(n.lower() for n in [org.name, *org.aliases])
    return names


@lru_cache
def _place_names() -> frozenset[str]:
    return frozenset(_registry_names() or set())


def _acceptable(name: str, span: tuple[int, int], actor_spans: list[tuple[int, int]]) -> bool:
    pat = _patterns()
    lower = name.lower()
    if len(name) < 3 or lower in pat.generic or lower in _place_names():
        return False
    # a period ("Ishavserklæringen 2021-2023") is one part of a name, not a row of years
    words = re.findall(r"[\wæøå]+", _YEAR_SPAN.sub(" 2000 ", lower))
    digits = sum(w.isdigit() for w in words)
    if digits == len(words) or (
        digits > 1 and digits * 3 > len(words)
    ):  # "Tiltak Ansvarlig 2018 2019 2020"
        return False
    if not words or (name.islower() and all(w in stopwords() or w in pat.generic for w in words)):
        return False
    # an organisation or a place is not an example
    s, e = span
    return all(
        not (a_s <= s and e <= a_e) and not (s <= a_s and a_e <= e and (a_e - a_s) >= (e - s) * 0.6)
        for a_s, a_e in actor_spans
    )


_YEAR_SPAN = re.compile(r"\b(?:19|20)\d{2}\s*[-–]\s*(?:(?:19|20)?\d{2})\b")

_FUZZY_MIN = 12  # only long names are matched with spelling slips
_FUZZY_SCORE = 90


@lru_cache
def _fuzzy_names() -> list[tuple[KnownInitiative, str, int]]:
    out = []
    for k in load_initiatives():
        for alias in {k.name, *k.aliases}:
            if len(alias) >= _FUZZY_MIN and " " in alias:
                out.append((k, alias.lower(), len(alias.split())))
    return out


@lru_cache
def _fuzzy_heads() -> dict[str, tuple[int, ...]]:
    heads: dict[str, list[int]] = {}
    for j, (_, alias, _) in enumerate(_fuzzy_names()):
        heads.setdefault(alias[:3], []).append(j)
    return {h: tuple(js) for h, js in heads.items()}


def _fuzzy_known(bi, text, sentences, example_blocks, add) -> None:
    """Known names written with a slip ("Pasientsentrert heletjenesteteam")."""
    from rapidfuzz import fuzz

    words = list(re.finditer(r"[\wæøå&-]+", text))
    lowered = [w.group(0).lower() for w in words]
    names = _fuzzy_names()
    by_head = _fuzzy_heads()
    # candidates by the first three letters (one look-up per word, not one per name and word),
    # tried in the order of the names list
    tries = sorted((j, i) for i, w in enumerate(lowered) for j in by_head.get(w[:3], ()))
    for j, i in tries:
        k, alias, n = names[j]
        if i + n > len(words):
            continue
        s, e = words[i].start(), words[i + n - 1].end()
        if fuzz.ratio(text[s:e].lower(), alias) >= _FUZZY_SCORE:
            if (
                k.generic
                and bi not in example_blocks
                and not _is_good(_sentence_of(text, sentences, s))
            ):
                continue
            add(bi, s, e, k.name, text)


def _example_context(doc: SegmentedDocument) -> set[int]:
    """Blocks in sections that ask for good examples."""
    from helsegraf.ingest.classify import context_of, sections_of

    blocks: set[int] = set()
    for vi in range(len(doc.voices)):
        for sec in sections_of(doc, vi):
            ctx = (
                sec.context
                if sec.context != "none"
                else (context_of(sec.heading) if sec.heading else None)
            )
            if ctx == "example":
                blocks.update(sec.blocks)
                if sec.heading_block is not None and sec.context == "example":
                    blocks.add(sec.heading_block)  # a sub-title under the question
    return blocks


_PLACE_AFTER = re.compile(r"\s([A-ZÆØÅ][a-zæøå]+(?:-[A-ZÆØÅ][a-zæøå]+)?)(?![\wæøå-])")
_GLUED_NOTE = re.compile(r"(?<=[a-zæøå])\d{1,2}(?![\w])")


def find_mentions(
    doc: SegmentedDocument, actors: list[ActorMention] | None = None
) -> list[ExampleMention]:
    """Places in the text that name an initiative (known or found by pattern)."""
    actors = actors or []
    pat = _patterns()
    example_blocks = _example_context(doc)
    by_block: dict[int, list[tuple[int, int]]] = {}
    for a in actors:
        by_block.setdefault(a.block, []).append((a.start, a.end))
    found: list[ExampleMention] = []
    # the mentions found so far in each block (a new one may not overlap them): per block,
    # so the test does not grow with the mentions of the whole document
    found_in: dict[int, list[ExampleMention]] = {}
    actors_in: dict[int, list[ActorMention]] = {}
    for a in actors:
        actors_in.setdefault(a.block, []).append(a)

    def add(bi: int, s: int, e: int, name: str, text: str, alias: bool = False) -> bool:
        glued = _GLUED_NOTE.search(text, s, e)
        if glued and glued.end() == e and name.endswith(glued.group(0)):
            # "Kompetansebroen2": a footnote number glued to the name is not part of it
            e, name = glued.start(), name[: -len(glued.group(0))]
        elif glued and name == text[s:e]:
            # "Gode pasientforløp2 FSU": the name ends at the footnote number
            e = glued.start()
            name = text[s:e]
        in_block = found_in.setdefault(bi, [])
        if not alias and any(m.start < e and s < m.end for m in in_block):
            return False
        n_before = len(found)
        found.append(ExampleMention(name=name, surface=text[s:e], block=bi, start=s, end=e))
        if not alias:
            # "Helsehuset i Vestby": the name without its place is another way to write it
            dated = re.match(rf"^(.{{4,}}?)\s+{_YEAR_SPAN.pattern}$", name)
            if dated:
                # "Ishavserklæringen 2021-2023": the name without its period is the same one
                found.append(
                    ExampleMention(name=name, surface=dated.group(1), block=bi, start=s, end=e)
                )
            m = re.match(r"^(.{4,}?)\s+(?:i|på)\s+[A-ZÆØÅ][\wæøå-]+$", text[s:e])
            if m and m.group(1)[:1].isupper() and not generic_phrase(m.group(1)):
                found.append(
                    ExampleMention(name=name, surface=m.group(1), block=bi, start=s, end=e)
                )
        in_block.extend(found[n_before:])
        return True

    for block in doc.doc.blocks:
        bi, text = block.index, block.text
        if not is_textual(text):
            continue  # no words of a name: nothing to find (and degenerate input stays cheap)
        actor_spans = by_block.get(bi, [])
        sentences = split_sentences(text) or [(0, len(text))]
        urls = [(m.start(), m.end()) for m in _URL.finditer(text)]
        spans_blocked = actor_spans + urls

        # known initiatives: only the patterns whose first letters start a word of the text
        for k, rx in _candidate_patterns(text):
            for m in rx.finditer(text):
                # a kind of service counts where the text holds it up or a section asks for examples
                if (
                    k.generic
                    and bi not in example_blocks
                    and not _is_good(_sentence_of(text, sentences, m.start()))
                ):
                    continue
                place = _PLACE_AFTER.match(text, m.end())
                if place and not k.generic and place.group(1).lower() in _place_names():
                    # "FACT Vesterålen": the local team of a known model, named by its place
                    name = f"{k.name} {place.group(1)}"
                    if add(bi, m.start(), place.end(1), name, text):
                        add(bi, m.start(), m.end(), name, text, alias=True)
                    continue
                add(bi, m.start(), m.end(), k.name, text)
        _fuzzy_known(bi, text, sentences, example_blocks, add)
        if block.kind == "heading":
            continue
        # "programmet X", "kampanjen X", "prosjekt X"
        for m in pat.intro.finditer(text):
            if m.group(0).strip().lower() in _intro_plurals():
                _listed_names(text, m.end(), spans_blocked, bi, add)
                continue
            span = _name_at(text, m.end(), join_og=True)
            if span:
                name = _clean(text[span[0] : span[1]])
                if _acceptable(name, span, spans_blocked):
                    end = span[0] + len(text[span[0] : span[1]].rstrip(" ,.;:"))
                    if add(bi, span[0], end, name, text) and m.group(0).strip().lower() not in (
                        _NAMING_WORDS
                    ):
                        # "programmet Barneblikk", "prosjektet «Trygg heim»": as it is written
                        add(bi, m.start(), end, name, text, alias=True)
        # "med prosjekt heltidskultur."
        for m in _LOWER_PROJECT.finditer(text):
            if _acceptable(m.group(1), (m.start(1), m.end(1)), spans_blocked):
                add(bi, m.start(1), m.end(1), m.group(1)[0].upper() + m.group(1)[1:], text)
        # "Sjustjerne-nettverket"
        for m in pat.hyphen.finditer(text):
            if m.group(1).isupper() and len(m.group(1)) <= 4:
                continue  # "DMS-prosjektet", "KS-nettverket": an abbreviation, not a name
            # a name built as an initiative ("X-nettverket") counts even if it is also an actor
            if _acceptable(m.group(0), (m.start(), m.end()), urls):
                add(bi, m.start(), m.end(), m.group(0), text)
        # "Nye Helgelandssykehuset", "Nytt sykehus i Drammen": a new hospital is the project
        for a in actors_in.get(bi, ()):
            if a.actor.type in ("Helseforetak", "Sykehus"):
                new = _new_building().search(text, 0, a.start)
                if new and new.end() == a.start:
                    add(bi, new.start(), a.end, f"{new.group(1)} {a.surface}", text)
        # "ParkinsonNet", "HelseIArbeid"
        for m in _CAMEL.finditer(text):
            if len(m.group(0)) >= 6 and _acceptable(
                m.group(0), (m.start(), m.end()), spans_blocked
            ):
                add(bi, m.start(), m.end(), m.group(0), text)
        for s, e in sentences:
            sent = text[s:e]
            low = sent.lower()
            good = _good_rx().search(low) is not None  # whether it holds something up
            # "X er et (godt) eksempel på", "X er eit døme på", "X er en løfterik satsing"
            held = _HOLDS_UP.search(sent)
            if held and held.start() > 0:
                head = re.sub(_NOMINAL_LEAD, "", sent[: held.start()])
                head = re.split(r"\s+i regi av\s|\s+som\s|,", head)[0].strip()
                h_s = s + sent.find(head) if head else -1
                if (
                    head
                    and h_s >= s
                    and 1 <= len(head.split()) <= 6
                    and head.split()[0].lower() not in _PRONOUN_START
                    and not generic_phrase(head)
                    and _acceptable(head, (h_s, h_s + len(head)), spans_blocked)
                    # "Plasseringen av Sykehuset X": about an organisation, not an initiative
                    and not (
                        re.search(r"\bav\b", head)
                        and any(h_s <= a_s < h_s + len(head) for a_s, _ in actor_spans)
                    )
                ):
                    add(bi, h_s, h_s + len(head), _clean(head[0].upper() + head[1:]), text)
            # "Rett pasient på rett sted – et forbedringsarbeid", "X - et prosjekt"
            dash = _DASH_INTRO.search(sent)
            if dash:
                head = re.sub(r"^[\s\d.)•▪\-–]+", "", sent[: dash.start()])
                h_s = s + sent.find(head) if head else -1
                if (
                    head
                    and 1 <= len(head.split()) <= 7
                    and _acceptable(head, (h_s, h_s + len(head)), spans_blocked)
                ):
                    add(bi, h_s, h_s + len(head), _clean(head), text)
            # "prosjekt som til dømes X og Y"
            for m in _SUCH_AS.finditer(sent):
                pos = s + m.end()
                for _ in range(3):
                    span = _name_at(text, pos, max_tokens=4)
                    if not span:
                        break
                    name = _clean(text[span[0] : span[1]])
                    if _acceptable(name, span, spans_blocked):
                        add(bi, span[0], span[1], name, text)
                    nxt = re.match(r"\s*(?:,|og|eller)\s+", text[span[1] :])
                    if not nxt:
                        break
                    pos = span[1] + nxt.end()
            # a quoted name in a sentence about an initiative: «Trygg heim», "Sammen om mestring"
            if _SERVICE_CONTEXT.search(low) or good or bi in example_blocks:
                for m in _QUOTED.finditer(sent):
                    before = low[max(0, m.start() - 40) : m.start()]
                    if _TITLE_BEFORE.search(before) or len(m.group(1).split()) > 6:
                        continue  # the title of a report, plan or motto, or a quoted sentence
                    if any(w in _clause_verbs() for w in m.group(1).lower().split()[1:]):
                        continue  # «Medarbeideren er vår viktigste ressurs»: a sentence
                    q_s, q_e = s + m.start(1), s + m.end(1)
                    if _acceptable(m.group(1), (q_s, q_e), spans_blocked):
                        add(bi, q_s - 1, q_e + 1, _clean(m.group(1)), text)
            # in a sentence that holds something up, a capitalised common noun inside the
            # sentence starts a name ("... til dømes Retningslinjer for følgeperson til sjukehus")
            if good:
                for m in _MID_CAPITAL.finditer(sent):
                    word = m.group(1)
                    low_w = word.lower()
                    if (
                        not (
                            simplemma.is_known(low_w, lang=("nb", "nn"))
                            or low_w.endswith(_name_heads())  # "Læringsnettverket for ..."
                        )
                        or low_w in _place_names()
                        or low_w.endswith((*_ADJ_ENDINGS, "al"))
                    ):
                        continue  # a place, a person or an adjective: not the head of a name
                    c_s = s + m.start(1)
                    tail = _NAME_TAIL.match(text, c_s + len(word))
                    c_e = c_s + len(word) + (len(tail.group(0)) if tail else 0)
                    name = _clean(text[c_s:c_e])
                    if len(name.split()) >= 2 and _acceptable(name, (c_s, c_e), spans_blocked):
                        add(bi, c_s, c_s + len(name), name, text)
            # "pilotprosjekt på traineeordning for nyutdannede", "forprosjekt om X"
            for m in _PILOT.finditer(sent):
                obj = re.split(r"\s+(?:og|i regi|der|som|for å)\s|[,.;:()]", m.group("obj"))[
                    0
                ].strip()
                if 2 <= len(obj.split()) <= 7:
                    ms = s + m.start()
                    me = s + m.start("obj") + len(obj)
                    name = text[ms:me]
                    name = name[0].upper() + name[1:]
                    add(bi, ms, me, name, text)
                    # the object alone is an alias ("traineeordning for nyutdannede")
                    os_ = s + m.start("obj")
                    add(bi, os_, os_ + len(obj), name, text, alias=True)
            # "Namdal legeforum", "Innherred medisinske forum": a named forum or network
            for m in _NAMED_FORUM.finditer(sent):
                if m.start() == 0:
                    continue  # a capital at the start of a sentence is no sign of a name
                ms, me = s + m.start(1), s + m.end(1)
                first = m.group(1).split()[0]
                low = first.lower()
                if first.endswith("-") or (
                    low.endswith(_ADJ_ENDINGS) and low not in _place_names()
                ):
                    continue  # "Nasjonalt nettverk", "Faglig forum": an adjective, not a name
                if _acceptable(m.group(1), (ms, me), spans_blocked):
                    add(bi, ms, me, m.group(1), text)
            # named services: "lokalmedisinsk senter i Valdres", "Valdres lokalmedisinske senter"
            # elsewhere only a service the sentence is about: its subject ("DMS X skal …")
            described = bool(bi in example_blocks or _SERVICE_CONTEXT.search(low) or good)
            services = sorted(
                (
                    (m.start(), -m.end(), m, template)
                    for rx, template in _service_patterns()
                    for m in rx.finditer(sent)
                ),
                key=lambda x: (x[0], x[1]),
            )
            taken_to = -1
            for _st, _neg_end, m, template in services:
                # "Sogn lokalmedisinske senter i Lærdal": the name that starts first wins
                if m.start() < taken_to:
                    continue
                if not described and (
                    sent[: m.start()].strip(" •▪-–*·") or not m.group(0)[0].isupper()
                ):
                    continue
                taken_to = m.end()
                ms, me = s + m.start(), s + m.end()
                add(bi, ms, me, template.format(**m.groupdict()), text)
                # "... senter i Valdres (på Fagernes) og i Nord-Gudbrandsdal"
                more = _AND_PLACE.match(sent, m.end())
                if more and "place" in m.groupdict():
                    p_s = s + more.start("place")
                    add(
                        bi,
                        p_s,
                        p_s + len(more.group("place")),
                        template.format(place=more.group("place")),
                        text,
                    )
            # "gode erfaringer med hospiteringsordningen": a definite compound built on an
            # initiative head, in a sentence that holds it up or under an example question
            if bi in example_blocks or good:
                for m in _definite_compound().finditer(sent):
                    word = m.group(0)
                    if word.lower() in _intro_words():
                        continue  # "samhandlingsprosjektet X": it introduces a name
                    ms, me = s + m.start(), s + m.end()
                    if _acceptable(word, (ms, me), spans_blocked):
                        add(bi, ms, me, word[0].upper() + word[1:], text)
            # "erfaringer fra X" (a named thing, not a place)
            for m2 in _EXPERIENCE_FROM.finditer(sent):
                span = _name_at(text, s + m2.end(), max_tokens=3)
                if span:
                    name = _clean(text[span[0] : span[1]])
                    if not generic_phrase(name) and _acceptable(name, span, spans_blocked):
                        add(bi, span[0], span[1], name, text)
            if bi in example_blocks:
                # "Se til X." in a section that asks for good examples
                for p in pat.pointer:
                    if low.startswith(p + " "):
                        rest_s = s + len(p) + 1
                        rest = text[rest_s:e].rstrip(" .")
                        own = _THEIR_PROJECT.search(rest)
                        if own:  # "... og deres prosjekt for fremtidens helsetjenester"
                            o_s = rest_s + own.start("obj")
                            obj = own.group("obj").strip()
                            name = f"Prosjekt for {obj}"
                            add(bi, rest_s + own.start(), o_s + len(obj), name, text)
                            add(bi, o_s, o_s + len(obj), name, text, alias=True)
                            break
                        rest = re.split(r",\s+og\s+|\s+og\s+deres\s", rest)[0]
                        if rest.split()[0].lower() in _PRONOUN_START:
                            break
                        if (
                            3 <= len(rest) <= 80
                            and not generic_phrase(rest)
                            and _acceptable(rest, (rest_s, rest_s + len(rest)), [])
                        ):
                            name = rest[0].upper() + rest[1:]
                            add(bi, rest_s, rest_s + len(rest), _clean(name), text)
                        break
        if bi in example_blocks and block.kind == "paragraph":
            # "Trygg heim: eit prosjekt der ...", "Helsehuset i Vestby – ...": a paragraph under
            # an example question that opens with a name as its label
            lab = re.match(r"^([^:–\n]{3,60}?)\s*(?::|\s[–-]\s)\s*\S", text)
            if lab and len(lab.group(1).split()) <= 6:
                name = _clean(lab.group(1))
                span = (0, len(lab.group(1)))
                if (
                    _name_signal(name)
                    and not generic_phrase(name)
                    and name.split()[0].lower() not in _PRONOUN_START
                    and _acceptable(name, span, spans_blocked)
                ):
                    add(bi, 0, len(name), name, text)
        if bi in example_blocks and block.kind == "bullet":
            # the head of a list item in a section of good examples
            start = len(text) - len(text.lstrip(" •▪-–*·"))
            span = _name_at(text, start, max_tokens=5)
            if span and span[1] - span[0] >= 3:
                name = _clean(text[span[0] : span[1]])
                label = text[span[1] :].lstrip().startswith(":")
                one_word = " " not in name
                namelike = bool(re.search(r"[A-ZÆØÅ0-9-]", name[1:]))
                if (
                    (label and not _name_signal(name))
                    or (one_word and not namelike)
                    or generic_phrase(name)
                ):
                    continue  # "Kompetanseheving:", "Førebygging": a topic, not a name
                if _acceptable(name, span, spans_blocked):
                    add(bi, span[0], span[1], name, text)
    _titled_examples(doc, add)
    found.sort(key=lambda m: (m.block, m.start))
    return found


_TITLE_NUMBER = re.compile(r"^\s*(?:\d{1,2}(?:\.\d{1,2})*\.?|[a-zæøå]\))\s+")


def _titled_examples(doc: SegmentedDocument, add: Any) -> None:
    """Under a question for good examples, a short title over a paragraph names an example
    ("3. Gode døme …" / "Trygg heime med skjerm" / "Bømlo kommune har sidan 2020 …")."""
    from helsegraf.ingest.classify import context_of, sections_of

    blocks = doc.doc.blocks
    for vi in range(len(doc.voices)):
        for sec in sections_of(doc, vi):
            if sec.context != "example" or sec.heading_block is None or not sec.blocks:
                continue
            head = blocks[sec.heading_block]
            text = head.text
            title = _TITLE_NUMBER.sub("", text).strip()
            words = title.split()
            if not (2 <= len(words) <= 8 and title[:1].isupper()):
                continue
            if title.endswith(("?", ":", ".")) or context_of(title) or generic_phrase(title):
                continue  # the question itself, or a topic ("Digitalisering")
            if _patterns().document_words.search(title):
                continue  # "4. Innspel til Nasjonal helse- og sjukehusplan": a part of the text
            start = text.index(title)
            # "Heimtur – tverrfaglig overgangsteam": the name is what comes before the dash
            cut = re.search(r"\s[–—-]\s|:\s", title)
            name_end = start + (cut.start() if cut else len(title))
            name = text[start:name_end]
            # "Geriatrisk mobilt team (GMT) ved X": the abbreviation is an alias
            abbr = re.search(r"\s*\((?P<abbr>[^()]{2,20})\)", name)
            if abbr:
                name = " ".join((name[: abbr.start()] + name[abbr.end() :]).split())
            if add(head.index, start, name_end, name, text):
                if abbr:
                    a_s = start + abbr.start("abbr")
                    add(head.index, a_s, a_s + len(abbr.group("abbr")), name, text, alias=True)
                if cut:
                    add(head.index, start, start + len(title), name, text, alias=True)


# --------------------------------------------------------------------------- run

_ORG_WORD = re.compile(
    r"(?:Sykehus|Sjukehus|Helse|Klinikk|Avdeling|Universitet|Høgskole|Høgskule|Fagråd|Senter)"
)
_PLACE = re.compile(r"\b(?:i|på)\s+((?:[A-ZÆØÅ][\wæøå\-]+)(?:\s+og\s+[A-ZÆØÅ][\wæøå\-]+)?)")


def _runners(
    doc: SegmentedDocument,
    recognised: Recognised,
    m: ExampleMention,
    s: int,
    e: int,
    skip: tuple[str, ...] = ("Region",),
    others: frozenset[str] = frozenset(),
    by_block: dict[int, list[ActorMention]] | None = None,
) -> list[str]:
    """The organisations that ``s``..``e`` of a mention's block names beside the example;
    not those of a table row's responsible cell (they answer for the row's measure), and
    none of the types in ``skip`` (a region is a place, not an organisation).
    ``by_block``: the actor mentions by block, when the caller has them."""
    row = doc.table_rows.get(m.block)
    cell_end = row.measure_end if row is not None and row.measure_end else None
    mentions = recognised.actors if by_block is None else by_block.get(m.block, [])
    return sorted(
        {
            a.actor.name
            for a in mentions
            if a.block == m.block
            and s <= a.start < e
            and (cell_end is None or a.start < cell_end)
            and a.actor.type not in skip
            # another example known as an actor ("Valdres … og Nord-Gudbrandsdal
            # lokalmedisinske senter") does not run this one
            and (a.actor.name == m.name or a.actor.name not in others)
        }
    )


def _base_key(name: str) -> str:
    """The name without a kind glued on ("SamUng-teamet", "Heimtur-modellen" -> samung,
    heimtur) and without quotes: mentions of one initiative share it."""
    low = name.lower().strip(' «»"“”')
    return _patterns().kind_suffix.sub("", low) or low


def run(doc: SegmentedDocument, recognised: Recognised) -> list[ExampleOut]:
    """One example per (voice, initiative), with stance, actors, place, patient groups, quote."""
    from helsegraf.ingest.classify import patient_groups_in

    if not doc.voices:
        return []
    known = {k.name: k for k in load_initiatives()}
    example_blocks = _example_context(doc)
    nd = doc.doc
    out: dict[tuple[str, str], ExampleOut] = {}
    order: list[tuple[str, str]] = []
    example_names = frozenset(m.name for m in recognised.examples)
    # the actor and example mentions of each block (looked up per mention, not scanned)
    actors_in: dict[int, list[ActorMention]] = {}
    for a in recognised.actors:
        actors_in.setdefault(a.block, []).append(a)
    examples_in: dict[int, list[ExampleMention]] = {}
    for o in recognised.examples:
        examples_in.setdefault(o.block, []).append(o)
    for m in recognised.examples:
        block = nd.blocks[m.block]
        voice = doc.voice_of_block(m.block)
        sentences = split_sentences(block.text) or [(0, len(block.text))]
        si = next((i for i, (s, e) in enumerate(sentences) if s <= m.start < e), 0)
        s, e = sentences[si]
        sent = block.text[s:e]
        near_lo = sentences[max(0, si - 1)][0]
        near_hi = sentences[min(len(sentences) - 1, si + 1)][1]
        near = block.text[near_lo:near_hi]
        good = _is_good(sent) or m.block in example_blocks
        key = (voice.id, _base_key(m.name))
        quote = quote_at(nd, m.block, m.start, m.end, s, e)
        if quote is None:
            continue
        # the organisations of the mention's own sentence; when it names none, those of the
        # sentences around it, except state bodies there: they fund, order or supervise
        # ("HOD og Helsedirektoratet bør …"), they do not run a local initiative
        if _adopted(block.text[max(0, m.start - 60) : m.start]):
            actors = []  # "… til innføringen av X": those named take X into use
        else:
            actors = _runners(
                doc, recognised, m, s, e, others=example_names, by_block=actors_in
            ) or _runners(
                doc,
                recognised,
                m,
                near_lo,
                near_hi,
                ("Region", "StatligEtat"),
                example_names,
                actors_in,
            )
        k = known.get(m.name)
        place = None
        # the place is said before the next example of the sentence ("senter i Valdres (på
        # Fagernes) og i Nord-Gudbrandsdal (på Otta)": Otta is the other one's place)
        stop = min(
            [e] + [o.start for o in examples_in[m.block] if o.start >= m.end and o.name != m.name]
        )
        for pm in _PLACE.finditer(block.text, m.end, min(len(block.text), m.end + 80)):
            if pm.start() >= stop:
                break
            p_s = pm.start(1)
            named = any(
                a.block == m.block
                and a.start <= p_s < a.end
                and a.actor.type not in ("Kommune", "Fylke", "Region")
                and a.actor.name not in example_names  # an example known as an actor
                for a in actors_in.get(m.block, ())
            )
            if not named and not _ORG_WORD.match(pm.group(1)):
                place = pm.group(1)  # a place, not an organisation ("i Sykehuset Innlandet")
                break
        groups = sorted(set(k.patient_groups if k else []) | set(patient_groups_in(near)))
        if key not in out:
            aliases = sorted(
                {*(k.aliases if k else []), m.surface} - {m.name}, key=lambda a: (a.lower(), a)
            )
            out[key] = ExampleOut(
                name=m.name,
                aliases=aliases,
                voice=voice.id,
                stance="good-practice" if good else "mentioned",
                actors=actors,
                place=place,
                patient_groups=groups,
                quote=quote.text,
                description=k.description if k else None,
                line=quote.line,
                start=quote.start,
                end=quote.end,
                page=quote.page,
                quote_cut=quote.cut,
            )
            order.append(key)
        else:
            ex = out[key]
            if m.name != ex.name and _base_key(m.name) == m.name.lower():
                # "SamUng" after "SamUng-teamet": the bare name is the example's name
                ex.aliases = [a for a in ex.aliases if a != m.name]
                if ex.name not in ex.aliases:
                    ex.aliases.append(ex.name)
                ex.name = m.name
            for alias in (m.name, m.surface):
                if alias != ex.name and alias not in ex.aliases:
                    ex.aliases.append(alias)
            ex.actors = sorted(set(ex.actors) | set(actors))
            ex.patient_groups = sorted(set(ex.patient_groups) | set(groups))
            ex.place = ex.place or place
            if good and ex.stance != "good-practice":
                ex.stance = "good-practice"
                ex.quote, ex.line, ex.start, ex.end, ex.page, ex.quote_cut = (
                    quote.text,
                    quote.line,
                    quote.start,
                    quote.end,
                    quote.page,
                    quote.cut,
                )
    return _merge_local_teams([out[k] for k in order])


def _merge_local_teams(examples: list[ExampleOut]) -> list[ExampleOut]:
    """A voice that names "FACT Vesterålen" and also "FACT-teamet" speaks of one team: the
    plain mentions join the local one when it is the only local one of that model."""
    keep: list[ExampleOut] = []
    for ex in examples:
        local = [
            o
            for o in examples
            if o is not ex
            and o.voice == ex.voice
            and o.name.startswith(ex.name + " ")
            and ex.name in o.aliases
        ]
        if len(local) != 1:
            keep.append(ex)
            continue
        team = local[0]
        for alias in [ex.name, *ex.aliases]:
            if alias != team.name and alias not in team.aliases:
                team.aliases.append(alias)
        team.actors = sorted(set(team.actors) | set(ex.actors))
        team.patient_groups = sorted(set(team.patient_groups) | set(ex.patient_groups))
        if ex.stance == "good-practice" and team.stance != "good-practice":
            team.stance = "good-practice"
            team.quote, team.line, team.start, team.end, team.page = (
                ex.quote,
                ex.line,
                ex.start,
                ex.end,
                ex.page,
            )
        team.description = team.description or ex.description
    return keep


# --------------------------------------------------------------------------- survey (CLI)


@dataclass
class Found:
    """An initiative found in a corpus, with where and how often."""

    name: str
    known: bool
    aliases: set[str] = field(default_factory=set)
    documents: set[str] = field(default_factory=set)
    good_practice: int = 0
    patient_groups: set[str] = field(default_factory=set)
    quote: str = ""


def survey(paths: list[Path], *, progress: bool = False) -> list[Found]:
    """Extract the documents under ``paths`` and list the initiatives they name, most
    documents first; ``known`` says whether ``ontology/initiatives.yaml`` has it already."""
    from helsegraf.ingest.pipeline import extract_file, iter_documents

    known = {k.name for k in load_initiatives()}
    found: dict[str, Found] = {}
    docs: Iterable[Path] = list(iter_documents(paths))
    if progress:
        from rich.console import Console
        from rich.progress import track

        docs = track(docs, description="extracting", console=Console(stderr=True))
    for path in docs:
        x = extract_file(path)
        for ex in x.examples:
            f = found.setdefault(ex.name.lower(), Found(name=ex.name, known=ex.name in known))
            f.aliases.update(a for a in ex.aliases if a != ex.name)
            f.documents.add(x.document)
            f.good_practice += ex.stance == "good-practice"
            f.patient_groups.update(ex.patient_groups)
            f.quote = f.quote or ex.quote
    return sorted(found.values(), key=lambda f: (-len(f.documents), f.name.lower()))


def _survey_yaml(items: list[Found]) -> str:
    entries = [
        {
            "name": f.name,
            "aliases": sorted(f.aliases),
            "description": None,
            "patient_groups": sorted(f.patient_groups),
            "theme": None,
            "seen_in": sorted(f.documents),
        }
        for f in items
    ]
    return yaml.safe_dump(entries, allow_unicode=True, sort_keys=False)


def register(app: typer.Typer) -> None:
    """Add the ``initiatives`` command to the CLI app."""

    @app.command("initiatives")
    def _initiatives(
        paths: Annotated[list[Path], typer.Argument(help="Documents or folders to survey.")],
        new_only: Annotated[
            bool, typer.Option("--new", help="Only initiatives not in ontology/initiatives.yaml.")
        ] = False,
        as_yaml: Annotated[
            bool,
            typer.Option("--yaml", help="Print entries for ontology/initiatives.yaml to review."),
        ] = False,
        as_csv: Annotated[bool, typer.Option("--csv", help="Print the table as CSV.")] = False,
    ) -> None:
        """List the initiatives (examples) a corpus names, known and newly found."""
        import csv
        import sys

        items = [f for f in survey(paths, progress=True) if not (new_only and f.known)]
        if as_yaml:
            sys.stdout.write(_survey_yaml(items))
            return
        header = ["name", "known", "documents", "good-practice", "aliases", "quote"]
        rows = [
            [
                f.name,
                "yes" if f.known else "new",
                str(len(f.documents)),
                str(f.good_practice),
                "; ".join(sorted(f.aliases)),
                f.quote,
            ]
            for f in items
        ]
        if as_csv:
            csv.writer(sys.stdout).writerows([header, *rows])
            return
        from rich.console import Console
        from rich.table import Table

        table = Table(*header, title="initiatives named in the corpus")
        for r in rows:
            table.add_row(*r)
        Console().print(table)

"""Text helpers shared by classification and initiative finding.

Sentence splitting that knows Norwegian abbreviations, lemmatisation with simplemma
(bokmål and nynorsk, nynorsk forms mapped onto bokmål), the cue words of
``ontology/cues.yaml``, the codebook (through ``helsegraf.ontology.codebook`` when it is
there, else the YAML), and quotes that are exact substrings of one source line.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import simplemma
import yaml

from helsegraf.core.errors import HelsegrafError
from helsegraf.ingest.models import NormalisedDocument, Quote
from helsegraf.ontology import ONTOLOGY_DIR

MAX_QUOTE = 200

# --------------------------------------------------------------------------- cues

# libyaml's loader reads the same documents into the same objects, ten times faster
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """Parse YAML text as ``yaml.safe_load`` does (with libyaml when it is installed)."""
    return yaml.load(text, Loader=_YAML_LOADER)


@lru_cache
def load_cues() -> dict[str, Any]:
    """The cue words of ``ontology/cues.yaml``."""
    path = ONTOLOGY_DIR / "cues.yaml"
    try:
        return load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise HelsegrafError(f"cannot read cue words: {exc}", path=str(path)) from exc


# --------------------------------------------------------------------------- per document

# What the text helpers computed for the document being extracted (None: outside one).
_DOCUMENT_MEMO: ContextVar[dict[Callable[..., Any], dict[Any, Any]] | None] = ContextVar(
    "helsegraf_document_memo", default=None
)
# Results remembered per helper and document, at most (a bound on memory for huge files).
DOCUMENT_MEMO_MAX = 250_000


@contextmanager
def document_scope() -> Iterator[None]:
    """While extracting one document, each text helper marked :func:`per_document` computes
    a result once for the whole document, however many stages ask for it and however large
    the document (their LRU caches alone would be outgrown by a large document and evicted
    between stages, which made extraction superlinear in document size)."""
    token = _DOCUMENT_MEMO.set({})
    try:
        yield
    finally:
        _DOCUMENT_MEMO.reset(token)


def per_document[**P, R](fn: Callable[P, R]) -> Callable[P, R]:
    """Remember ``fn``'s results (its arguments must be hashable) for the rest of the document
    being extracted (:func:`document_scope`); outside a document, call it as it is."""

    @functools.wraps(fn)
    def remembered(*args: P.args, **kwargs: P.kwargs) -> R:
        memo = _DOCUMENT_MEMO.get()
        if memo is None:
            return fn(*args, **kwargs)
        mine = memo.get(remembered)
        if mine is None:
            mine = memo[remembered] = {}
        key = (args, tuple(kwargs.items())) if kwargs else args
        try:
            return mine[key]  # type: ignore[no-any-return]
        except KeyError:
            pass
        if len(mine) >= DOCUMENT_MEMO_MAX:
            mine.clear()
        got = mine[key] = fn(*args, **kwargs)
        return got

    return remembered


# --------------------------------------------------------------------------- sentences

# Abbreviations after which a full stop does not end a sentence (lower-case, no final dot).
_ABBREV = {
    "bl.a",
    "f.eks",
    "jf",
    "jfr",
    "ca",
    "nr",
    "pr",
    "mht",
    "ift",
    "ifht",
    "m.fl",
    "dvs",
    "osv",
    "evt",
    "ev",
    "inkl",
    "tlf",
    "st",
    "d.d",
    "mv",
    "mm",
    "t.d",
    "td",
    "eks",
    "pkt",
    "kap",
    "ref",
    "bl",
    "a",
    "f",
    "m",
    "fl",
    "ant",
    "avd",
    "mtp",
    "sml",
    "vedr",
    "iht",
    "mao",
    "m.a.o",
    "kr",
    "mill",
    "mrd",
    "stk",
    "dr",
    "prof",
    "o.l",
    "m.m",
    "etc",
    "red",
    "sak",
}
_SENT_END = re.compile(r"[.!?]+[»\"”)]?(?=\s+[\"«(]?[A-ZÆØÅ0-9•\-–])")
_WORD = re.compile(r"[0-9A-Za-zÆØÅæøåÉéÈèÜüÖöÄäÓó][\w\-/&]*", re.UNICODE)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return (start, end) spans of the sentences of ``text``.

    A sentence ends at ``.``, ``!`` or ``?`` followed by a space and a capital, digit or
    bullet, unless the word before the dot is a known abbreviation (bl.a., f.eks., jf.,
    ca., nr. ...) or a single letter/number (list numbering, initials).
    """
    return list(_split_sentences(text))


@per_document
@lru_cache(maxsize=2048)
def _split_sentences(text: str) -> tuple[tuple[int, int], ...]:
    # a block is split by several stages (recognise, classify, initiatives): once is enough
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENT_END.finditer(text):
        end = m.end()
        before = text[start : m.start() + 1]
        word = re.search(r"(\S+)$", before[:-1] if before.endswith(".") else before)
        token = word.group(1).lower().rstrip(".") if word else ""
        token = token.lstrip('(«"')
        if m.group(0).startswith(".") and (
            token in _ABBREV or (len(token) <= 2 and token.isdigit()) or len(token) == 1
        ):
            continue
        if text[start:end].strip():
            spans.append((start, end))
        start = end
    if text[start:].strip():
        spans.append((start, len(text)))
    # trim whitespace
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return tuple(out)


# --------------------------------------------------------------------------- text or not

_LETTER_WORD = re.compile(r"[^\W\d_]{3,}")
# shorter texts are judged only by having a word at all
_JUDGE_FROM = 200


@per_document
@lru_cache(maxsize=2048)
def is_textual(text: str) -> bool:
    """Whether a block reads as language at all: it has a word of three or more letters and,
    when it is long, such words make up a fair share of it and are not one word repeated.
    Degenerate input (numbers, single letters, one word over and over) is skipped before the
    costly steps (sentence splitting, lemmas, matching)."""
    words = _LETTER_WORD.findall(text, 0, 6000)
    if not words:
        return False
    if len(text) < _JUDGE_FROM:
        return True
    tokens_ = len(text[:6000].split())
    distinct = len({w.lower() for w in words})
    return len(words) * 4 >= tokens_ and distinct * 5 >= len(words)


# --------------------------------------------------------------------------- lemmas


class Token(NamedTuple):
    """A word of a text: its span, lower-cased surface and normalised lemma (a named tuple:
    immutable, and cheap to make for every word)."""

    start: int
    end: int
    lower: str
    lemma: str


@lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """Lemma of a lower-cased word (bokmål or nynorsk), nynorsk mapped onto bokmål."""
    cues = load_cues()
    nn = cues.get("nn_to_nb") or {}
    if word in nn:
        return str(nn[word])
    if "-" in word:  # "FACT-team", "øhjelps-plasser": lemmatise the last part
        head, _, tail = word.rpartition("-")
        return f"{head}-{lemma(tail)}" if tail else head
    if len(word) <= 2 or word.isdigit():
        return word
    lem = simplemma.lemmatize(word, lang=("nb", "nn")).lower()
    lem = str(nn.get(lem, lem))
    for old, new in _nn_stems():
        if old in lem:
            lem = lem.replace(old, new)
    return lem


@lru_cache
def _nn_stems() -> tuple[tuple[str, str], ...]:
    return tuple((str(a), str(b)) for a, b in load_cues().get("nn_stems") or [] if a != b)


def tokens(text: str) -> list[Token]:
    """Words of ``text`` with their lemmas."""
    return list(_tokens(text))


@per_document
@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple[Token, ...]:
    # a sentence is tokenised by several steps (cues, lemmas, evidence): once is enough
    out = []
    new, lem = tuple.__new__, lemma
    for m in _WORD.finditer(text):
        low = m.group(0).lower()
        s, e = m.span()
        out.append(new(Token, (s, e, low, lem(low))))
    return tuple(out)


@per_document
@lru_cache(maxsize=4096)
def word_sets(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The lower-cased words and the lemmas of ``text`` as sets (for cue-word tests)."""
    toks = _tokens(text)
    return frozenset(t.lower for t in toks), frozenset(t.lemma for t in toks)


@lru_cache
def stopwords() -> frozenset[str]:
    words = {str(w).lower() for w in load_cues().get("stopwords") or []}
    return frozenset(words | {lemma(w) for w in words if " " not in w})


def content_lemmas(text: str) -> list[str]:
    """Lemmas of the words of ``text`` that carry meaning (no stopwords, no numbers)."""
    return list(_content_lemmas(text))


@per_document
def _content_lemmas(text: str) -> tuple[str, ...]:
    # asked by the rules, the statement model's features and classification's labels
    stop = stopwords()
    return tuple(
        t.lemma
        for t in _tokens(text)
        if t.lower not in stop
        and t.lemma not in stop
        and not t.lower.isdigit()
        and len(t.lemma) > 1
    )


# --------------------------------------------------------------------------- codebook


@dataclass
class ConceptInfo:
    """The parts of a codebook concept that extraction uses."""

    id: str
    scheme: str
    label: str
    phrasings: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)


def _codebook_yaml_paths() -> list[Path]:
    root = ONTOLOGY_DIR.parent
    return [
        ONTOLOGY_DIR / "codebook.yaml",
        root.parent / "shared" / "codebook" / "codebook.yaml",
        Path("/work/shared/codebook/codebook.yaml"),
    ]


@lru_cache
def load_concepts() -> dict[str, ConceptInfo]:
    """All codebook concepts by id (themes, patient groups, challenges, measures)."""
    try:
        from helsegraf.ontology.codebook import load_codebook  # type: ignore[attr-defined]

        cb = load_codebook()
        return {
            cid: ConceptInfo(
                id=c.id,
                scheme=c.scheme,
                label=c.label,
                phrasings=list(c.phrasings or []),
                themes=list(getattr(c, "themes", None) or []),
                addresses=list(getattr(c, "addresses", None) or []),
            )
            for cid, c in cb.concepts.items()
        }
    except ImportError:
        pass
    for path in _codebook_yaml_paths():
        if path.is_file():
            data = load_yaml(path.read_text(encoding="utf-8"))
            out: dict[str, ConceptInfo] = {}
            for scheme, items in data.items():
                for c in items or []:
                    out[c["id"]] = ConceptInfo(
                        id=c["id"],
                        scheme=scheme,
                        label=c.get("label", ""),
                        phrasings=list(c.get("phrasings") or []),
                        themes=list(c.get("themes") or []),
                        addresses=list(c.get("addresses") or []),
                    )
            return out
    raise HelsegrafError("no codebook found (ontology/codebook.ttl or codebook.yaml)")


# --------------------------------------------------------------------------- quotes


def quote_span(doc: NormalisedDocument, block_index: int, start: int, end: int) -> Quote | None:
    """A quote for the span [start, end) of a block's text: an exact substring of the one
    source line that holds most of the span, at most 200 characters, cut at a word
    (``helsegraf.ingest.normalise.quote_for``), without a leading list bullet."""
    from helsegraf.ingest.normalise import quote_for

    block = doc.blocks[block_index]
    if not block.fragments:
        return None
    try:
        q = quote_for(doc, block, start, end)
    except (ValueError, IndexError):
        return None
    lead = len(q.text) - len(q.text.lstrip(" \t•▪-–*·"))
    if lead:
        text = q.text[lead:]
        q = Quote(text=text, line=q.line, start=q.start + lead, end=q.end, page=q.page, cut=q.cut)
    return q if q.text else None


def quote_at(
    doc: NormalisedDocument, block_index: int, start: int, end: int, lo: int, hi: int
) -> Quote | None:
    """A quote that holds the span [start, end) of a block's text, widened towards
    [lo, hi) (e.g. its sentence) as far as the source line allows, at most 200 characters;
    ``cut`` where [lo, hi) goes on past it."""
    block = doc.blocks[block_index]
    frag_i = 0
    for i, f in enumerate(block.fragments):
        if f.block_start <= start:
            frag_i = i
    f = block.fragments[frag_i]
    f_len = f.line_end - f.line_start
    f_lo, f_hi = f.block_start, f.block_start + f_len
    a, b = max(lo, f_lo), min(hi, f_hi)
    b = max(b, min(end, f_hi))
    if b - a > MAX_QUOTE:  # centre on the mention
        a = max(a, min(start - 60, b - MAX_QUOTE))
        b = min(b, a + MAX_QUOTE)
    q = quote_span(doc, block_index, a, b)
    if q is not None and not q.cut and block.text[b:hi].strip(" .,;:!?"):
        q = q.model_copy(update={"cut": True})  # the sentence goes on past the quote
    return q

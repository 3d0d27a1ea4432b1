"""The normalise stage: undo the damage PDF-to-text conversion does to a document.

Repairs: blank lines between every line, sentences broken over lines (joined into
paragraphs), hyphenation at line ends ("spesialist-/helsetjenesten"; real hyphens as in
"helse- og omsorg" and "Nord-Trøndelag" are kept), page headers/footers and page numbers,
footnote markers with their text and URL lines, bullet markers, flattened action-plan tables
(one ``table_row`` block per row), and headings (numbered, "Tabell N", question headings,
short title lines).

Every :class:`Block` keeps ``fragments`` that map its text back onto source lines, so
:func:`quote_for` can turn any span of block text into an exact substring of one line.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import yaml

from helsegraf.core.errors import HelsegrafError
from helsegraf.ingest.models import (
    Block,
    BlockKind,
    Fragment,
    Language,
    LoadedDocument,
    NormalisedDocument,
    Quote,
    SourceLine,
)
from helsegraf.ontology import ONTOLOGY_DIR

# Sender lines without "Innspill" ("Fra kommunene A, B og C") are looked for this far down.
_HEAD_LINES = 8
# Longest quote (characters); the output contract says at most 200.
MAX_QUOTE = 200
# A block is closed at a line break once it is this long, so one huge "paragraph"
# (a file without punctuation) cannot slow the later stages down.
MAX_BLOCK_CHARS = 3000
# A footnote marker: digits glued to a word or a closing quote ("læringsportal16",
# "2012»1"), or after sentence punctuation and a space ("interesser. 8"); only numbers that
# are footnotes of the document are taken out.
_NOTE_MARKER = re.compile(
    r"(?:(?<=[^\W\d_])|(?<=[»”)]))(?P<n>\d{1,2})(?=[\s,.;:]|$)|(?<=[.:;»”)])\s(?P<m>\d{1,2})(?=\s|$)"
)
_TERMINAL = re.compile(r"[.!?:;]['\"»”’)\]]*$")
_QUESTION_END = re.compile(r"\?['\"»”’)\]]*$")
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_LONE_NUMBER = re.compile(r"^\d{1,3}$")
_ROW_START = re.compile(r"^(\d{1,2}(?:\.\d{1,2})?)(\.?)(?:\s+(.*\S))?\s*$")
_UPPER_START = re.compile(r"^[\W_]*[A-ZÆØÅÄÖÜÉ0-9«\"“]")
_LOWER_START = re.compile(r"^[\W_]*[a-zæøåäöüé]")
_WORD_HYPHEN_END = re.compile(r"[^\W\d_]-$")
_HYPHEN_ENDS = frozenset({"-", "\u00ad", "\u2010"})
# a lone year: a time cell of an action-plan table ("2022"), not a page number
_LONE_YEAR = re.compile(r"^(?:19|20)\d{2}$")
# a row (cell) that ends with a time: a year, a span of years or a standing time word
_ENDS_WHEN = re.compile(
    r"(?:(?:19|20)\d{2}(?:\s*[-–/]\s*(?:19|20)?\d{2,4})?|fortløpende|løpende|årlig|årleg|x)\s*$",
    re.IGNORECASE,
)
# a line of a table cell is narrower than this; running text after a table is wider
_CELL_NARROW = 36
_PROSE_MIN_WORDS = 8


@lru_cache
def structure() -> dict[str, Any]:
    """The structure cues (``ontology/structure.yaml``), parsed once."""
    path = ONTOLOGY_DIR / "structure.yaml"
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise HelsegrafError(f"cannot read structure cues: {exc}", path=str(path)) from exc


@dataclass(frozen=True)
class _Cues:
    furniture: re.Pattern[str]
    running_footer: re.Pattern[str]
    bullets: re.Pattern[str]
    connectors: frozenset[str]
    hyphen_keep: frozenset[str]
    numbered_heading: re.Pattern[str]
    heading_patterns: re.Pattern[str]
    table_header: re.Pattern[str]
    header_cells: dict[str, re.Pattern[str]]
    time_unit: re.Pattern[str]
    contexts: re.Pattern[str]
    openers: list[re.Pattern[str]]  # named groups: cannot be joined into one regex
    head_openers: list[re.Pattern[str]]
    nn: frozenset[str]
    nb: frozenset[str]


def _any(patterns: list[str], flags: int) -> re.Pattern[str]:
    """One regex matching any of ``patterns`` (tried in order, like a loop over them)."""
    return re.compile("|".join(f"(?:{p})" for p in patterns), flags)


@lru_cache
def _cues() -> _Cues:
    s = structure()
    i = re.IGNORECASE
    return _Cues(
        furniture=_any([rf"^(?:{p})$" for p in s["furniture"]], i),
        running_footer=re.compile(s["running_footer"], i),
        # bullet patterns are case-sensitive ("o" bullet vs "O" word)
        bullets=_any([rf"^(?:{p})" for p in s["bullets"]], 0),
        connectors=frozenset(w.lower() for w in s["connectors"]),
        hyphen_keep=frozenset(w.lower() for w in s["hyphen_keep_before"]),
        numbered_heading=re.compile(s["numbered_heading"]),
        heading_patterns=_any(s["heading_patterns"], i),
        table_header=re.compile(s["table_header"], i),
        header_cells={k: re.compile(v, i) for k, v in (s.get("table_header_cells") or {}).items()},
        time_unit=re.compile(
            "(?:" + "|".join(re.escape(str(w)) for w in s.get("table_time_units") or []) + r")\b"
            if s.get("table_time_units")
            else r"(?!)",
            i,
        ),
        contexts=_any([p for ps in s["contexts"].values() for p in ps], i),
        openers=[re.compile(p, i) for p in s["voice_openers"]],
        head_openers=[re.compile(p, i) for p in s["head_openers"]],
        nn=frozenset(s["language"]["nn"]),
        nb=frozenset(s["language"]["nb"]),
    )


# --------------------------------------------------------------------------- public


def run(doc: LoadedDocument) -> NormalisedDocument:
    """Repair a loaded document into logical blocks mapped back onto its source lines."""
    cues = _cues()
    lines = doc.lines
    split = _split_headers(lines, cues)
    drop, furniture, notes = _furniture(doc, cues, split)
    drop |= set(range(1, doc.header_lines + 1))  # '# key: value' metadata lines are not text
    builder = _Builder(lines, cues, _typical_length(lines, drop))
    builder.notes = notes
    builder.split_headers = split
    hard = _hard_breaks(lines, drop)
    for line in lines:
        if line.number in drop:
            continue
        if line.number in hard:
            builder.hard_break()
        builder.add(line)
    blocks = builder.finish()
    return NormalisedDocument(
        source=doc, blocks=blocks, language=detect_language(blocks), furniture=furniture
    )


def quote_for(doc: NormalisedDocument, block: Block, start: int, end: int) -> Quote:
    """Return the evidence for ``block.text[start:end]``: the longest piece of that span
    lying within one source line, stripped, at most 200 characters, with file offsets.

    Pieces of one line that the block keeps apart (a footnote marker left out between them)
    count as one piece; the quote then holds the line's own text, marker included.
    ``Quote.cut`` says the span goes on past the quote (on a later line, or past the limit)."""
    if not block.fragments:
        raise ValueError("block has no fragments")
    start, end = max(0, start), min(len(block.text), max(start, end))
    per_line: dict[int, list[int]] = {}  # line -> [overlap, first column, last column]
    for frag in block.fragments:
        f_end = frag.block_start + (frag.line_end - frag.line_start)
        lo, hi = max(start, frag.block_start), min(end, f_end)
        if hi <= lo:
            continue
        col_lo = frag.line_start + (lo - frag.block_start)
        col_hi = frag.line_start + (hi - frag.block_start)
        got = per_line.get(frag.line)
        if got is None:
            per_line[frag.line] = [hi - lo, col_lo, col_hi]
        else:
            got[0] += hi - lo
            got[1], got[2] = min(got[1], col_lo), max(got[2], col_hi)
    if per_line:
        number, (_, col_lo, col_hi) = max(per_line.items(), key=lambda kv: (kv[1][0], -kv[0]))
    else:  # the span falls between fragments: take the nearest one
        frag = min(block.fragments, key=lambda f: abs(f.block_start - start))
        number, col_lo, col_hi = frag.line, frag.line_start, frag.line_end
    # the span goes on after the chosen line: words of it on a later line of the block
    cut = any(
        f.line > number and f.block_start < end and block.text[f.block_start : end].strip()
        for f in block.fragments
    )
    line = doc.source.lines[number - 1]
    piece = line.text[col_lo:col_hi]
    stripped = piece.lstrip()
    col_lo += len(piece) - len(stripped)
    stripped = stripped.rstrip()
    if len(stripped) > MAX_QUOTE:
        at = stripped.rfind(" ", 0, MAX_QUOTE)
        stripped = stripped[: at if at > MAX_QUOTE // 2 else MAX_QUOTE].rstrip()
        cut = True
    col_hi = col_lo + len(stripped)
    return Quote(
        text=stripped,
        line=line.number,
        start=line.start + col_lo,
        end=line.start + col_hi,
        page=line.page,
        cut=cut,
    )


def detect_language(blocks: list[Block]) -> Language:
    """'nn' when nynorsk cue words outnumber bokmål ones, else 'nb'."""
    cues = _cues()
    nn = nb = 0
    seen = 0
    for b in blocks:
        for w in _WORD.findall(b.text.lower()):
            if w in cues.nn:
                nn += 1
            elif w in cues.nb:
                nb += 1
        seen += len(b.text)
        if seen > 300_000:
            break
    return "nn" if nn > nb else "nb"


def split_marker(text: str) -> tuple[str, int]:
    """Return the bullet marker at the start of ``text`` ('' if none) and its length."""
    m = _cues().bullets.match(text)
    if m and 0 < m.end() < len(text):
        return m.group(0), m.end()
    return "", 0


_FRAGMENT_FIELDS = frozenset(Fragment.model_fields)
_BLOCK_FIELDS = frozenset(Block.model_fields)


def _fragment(line: int, lo: int, hi: int, pos: int) -> Fragment:
    """A Fragment built without validation (blocks of huge files hold many of them)."""
    obj = Fragment.__new__(Fragment)
    object.__setattr__(
        obj, "__dict__", {"line": line, "line_start": lo, "line_end": hi, "block_start": pos}
    )
    object.__setattr__(obj, "__pydantic_fields_set__", _FRAGMENT_FIELDS)
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


# --------------------------------------------------------------------------- furniture


def _key(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.split())).lower()


def _split_headers(lines: list[SourceLine], cues: _Cues) -> dict[int, bool]:
    """The lines of table headers flattened one cell per line ("Nr." / "Tiltak" /
    "Ansvarlig" / "Når"): line number -> True for the header's first line."""
    cells = cues.header_cells
    if "tiltak" not in cells or "ansvar" not in cells:
        return {}
    filled = [ln for ln in lines if ln.text.strip()]
    out: dict[int, bool] = {}

    def is_(k: int, cell: str) -> bool:
        return (
            0 <= k < len(filled)
            and cell in cells
            and bool(cells[cell].match(filled[k].text.strip()))
        )

    for k in range(len(filled) - 1):
        if not (is_(k, "tiltak") and is_(k + 1, "ansvar")):
            continue
        first = k - 1 if is_(k - 1, "nr") else k
        last = k + 2 if is_(k + 2, "when") else k + 1
        for j in range(first, last + 1):
            out[filled[j].number] = j == first
    return out


def _furniture(
    doc: LoadedDocument, cues: _Cues, split: dict[int, bool] | None = None
) -> tuple[set[int], list[str], set[str]]:
    """Line numbers to drop (page numbers, running headers/footers, footnotes, URLs)."""
    lines = doc.lines
    split = split or {}
    drop: set[int] = set()
    running: dict[str, str] = {}
    seen_table = False
    for line in lines:
        t = line.text.strip()
        if not seen_table and t and (cues.table_header.match(t) or split.get(line.number)):
            seen_table = True
        if not t or (
            cues.furniture.match(t)
            and not _LONE_NUMBER.match(t)
            and not (seen_table and _LONE_YEAR.match(t))
        ):
            drop.add(line.number)
        elif cues.running_footer.search(t) and len(t) < 160:
            drop.add(line.number)
            running.setdefault(_key(t), cues.running_footer.sub("", t).strip())
    _repeated_by_page_marks(lines, drop, running, cues)
    # running headers/footers on paged documents: the same first/last line on many pages
    if doc.page_count and doc.page_count >= 3:
        edge: Counter[str] = Counter()
        by_page: dict[int, list[SourceLine]] = {}
        for line in lines:
            if line.text.strip() and line.page is not None:
                by_page.setdefault(line.page, []).append(line)
        for page_lines in by_page.values():
            for line in {
                page_lines[0].number: page_lines[0],
                page_lines[-1].number: page_lines[-1],
            }.values():
                edge[_key(line.text)] += 1
        need = max(3, doc.page_count // 2)
        for page_lines in by_page.values():
            for line in (page_lines[0], page_lines[-1]):
                k = _key(line.text)
                if edge[k] >= need and not cues.table_header.search(line.text):
                    drop.add(line.number)
                    if not _LONE_NUMBER.match(line.text.strip()):
                        running.setdefault(k, line.text.strip())
    notes = _footnotes(lines, drop, cues)
    _page_numbers(lines, drop, cues, split)
    return drop, list(running.values()), notes


def _repeated_by_page_marks(
    lines: list[SourceLine], drop: set[int], running: dict[str, str], cues: _Cues
) -> None:
    """Text without page breaks: a short line that recurs (three times or more) right next
    to a dropped page mark ("Side 3 av 7") is a running header or footer."""
    filled = [ln for ln in lines if ln.text.strip()]
    keys = [_key(ln.text) for ln in filled]
    near: dict[str, list[SourceLine]] = {}
    for k, line in enumerate(filled):
        t = line.text.strip()
        if line.number in drop or len(t) > 120 or _TERMINAL.search(t) or cues.table_header.match(t):
            continue  # a sentence or a repeated table header is content, not furniture
        neighbours = filled[max(0, k - 1) : k] + filled[k + 1 : k + 2]
        if any(n.number in drop for n in neighbours):
            near.setdefault(keys[k], []).append(line)
    # the lines of each key, found once (not one pass over the lines per repeated key)
    by_key: dict[str, list[SourceLine]] = {}
    for key, line in zip(keys, filled, strict=True):
        by_key.setdefault(key, []).append(line)
    for key, found in near.items():
        if len(found) >= 3 and len(by_key[key]) >= 3:
            drop.update(line.number for line in by_key[key])
            running.setdefault(key, found[0].text.strip())


def _page_numbers(
    lines: list[SourceLine], drop: set[int], cues: _Cues, split: dict[int, bool] | None = None
) -> None:
    """A lone number is a page number unless it can number a table row: it must follow a
    table header and must not stand next to dropped furniture."""
    split = split or {}
    seen_table = False
    prev_dropped = False
    for k, line in enumerate(lines):
        t = line.text.strip()
        if not t:
            continue
        if cues.table_header.match(t) or split.get(line.number):
            seen_table = True
        if line.number in drop:
            prev_dropped = True
            continue
        if _LONE_NUMBER.match(t):
            nxt = next((lines[j] for j in range(k + 1, len(lines)) if lines[j].text.strip()), None)
            next_dropped = nxt is not None and nxt.number in drop
            if not seen_table or prev_dropped or next_dropped:
                drop.add(line.number)
                continue
        prev_dropped = False


def _footnotes(lines: list[SourceLine], drop: set[int], cues: _Cues) -> set[str]:
    """Drop footnote zones: a lone number N, its (short) text, then URLs or footnote N+1.

    A lone number that is not part of such a zone stays (it may number a table row) unless
    it is followed by nothing but furniture (a page number).
    """
    content = [ln for ln in lines if ln.number not in drop or _is_url(ln.text)]
    n = len(content)
    notes: set[str] = set()

    def text(k: int) -> str:
        return content[k].text.strip() if k < n else ""

    i = 0
    while i < n:
        if not _LONE_NUMBER.match(text(i)) or content[i].number in drop:
            i += 1
            continue
        num = int(text(i))
        j = i
        zone: list[int] = []
        while j < n:
            t = text(j)
            if _is_url(t) and zone:
                zone.append(j)
                j += 1
                continue
            body = text(j + 1)
            if t == str(num) and body and len(body) <= 120 and not _LONE_NUMBER.match(body):
                after = text(j + 2)
                if zone or _is_url(after) or _is_url(body) or after == str(num + 1):
                    zone += [j, j + 1]
                    num += 1
                    j += 2
                    continue
            break
        if zone:
            drop.update(content[k].number for k in zone)
            notes.update(text(k) for k in zone if _LONE_NUMBER.match(text(k)))
            i = j
        else:
            i += 1
    # a lone number right before a page break (a page number or a footnote marker whose text
    # was furniture): drop when the next content line is far away in the file
    for a, b in itertools.pairwise(content):
        if (
            a.number not in drop
            and _LONE_NUMBER.match(a.text.strip())
            and b.number - a.number > 4
            and a.page is not None
            and b.page is not None
            and b.page != a.page
        ):
            drop.add(a.number)
    return notes


def _hard_breaks(lines: list[SourceLine], drop: set[int]) -> set[int]:
    """Content lines that must start a new block: after a white-space-only line, or after a
    blank line where the text around is single-spaced (there, blank lines separate
    paragraphs; in double-spaced PDF text they separate every line)."""
    out: set[int] = set()
    gaps: list[int] = []
    prev: SourceLine | None = None
    spaces = False
    blanks = 0
    for line in lines:
        if not line.text.strip():
            blanks += 1
            spaces = spaces or bool(line.text)
            continue
        if line.number in drop:
            continue
        if prev is not None:
            if spaces:
                out.add(line.number)
            elif blanks >= 1:
                recent = gaps[-8:]
                if len(recent) >= 3 and recent.count(0) * 2 > len(recent):
                    out.add(line.number)
            gaps.append(blanks)
        prev, spaces, blanks = line, False, 0
    return out


def _is_url(text: str) -> bool:
    t = text.strip()
    return bool(t) and " " not in t and bool(re.match(r"(https?://|www\.|mailto:)", t, re.I))


def _typical_length(lines: list[SourceLine], drop: set[int]) -> int:
    lengths = sorted(len(ln.text.strip()) for ln in lines if ln.number not in drop)
    if not lengths:
        return 80
    # short documents say little about the page width: assume at least a narrow column
    return max(70, lengths[int(len(lengths) * 0.9) - 1 if len(lengths) > 1 else 0])


# --------------------------------------------------------------------------- blocks


@dataclass
class _Open:
    kind: BlockKind
    parts: list[tuple[SourceLine, int, int, str]] = field(default_factory=list)  # line, lo, hi, sep
    length: int = 0
    table: bool = False
    titled: bool = False  # opened by a lettered/numbered marker on a line without end punctuation

    def last_text(self) -> str:
        line, lo, hi, _ = self.parts[-1]
        return line.text[lo:hi]


class _Builder:
    """Folds content lines into blocks (one pass, state: open block and table mode)."""

    def __init__(self, lines: list[SourceLine], cues: _Cues, typical: int) -> None:
        self.lines = lines
        self.cues = cues
        self.long = int(typical * 0.72)
        self.blocks: list[Block] = []
        self.cur: _Open | None = None
        self.in_table = False
        self.row_style: str | None = None  # "int" or "dotted"
        self.last_row: int = 0
        # Some PDF converters end every word-final line with a space; only then does a line
        # without one mark a word broken inside a narrow table cell.
        content = [ln.text for ln in lines[:5000] if ln.text.strip()]
        ending = sum(1 for t in content if t != t.rstrip())
        self.trailing_spaces = bool(content) and ending * 2 > len(content)

    # -- helpers
    def _close(self) -> None:
        cur = self.cur
        self.cur = None
        if cur is None or not cur.parts:
            return
        text_parts: list[str] = []
        frags: list[Fragment] = []
        pos = 0
        parts = self._without_note_markers(cur.parts) if self.notes else cur.parts
        # (the fragment construction of _fragment, inlined: this runs once per source line)
        new, setattr_, fields = Fragment.__new__, object.__setattr__, _FRAGMENT_FIELDS
        for line, lo, hi, sep in parts:
            if text_parts:
                text_parts.append(sep)
                pos += len(sep)
            frag = new(Fragment)
            setattr_(
                frag,
                "__dict__",
                {"line": line.number, "line_start": lo, "line_end": hi, "block_start": pos},
            )
            setattr_(frag, "__pydantic_fields_set__", fields)
            setattr_(frag, "__pydantic_extra__", None)
            setattr_(frag, "__pydantic_private__", None)
            frags.append(frag)
            text_parts.append(line.text[lo:hi])
            pos += hi - lo
        text = "".join(text_parts)
        kind = cur.kind
        if kind in ("paragraph", "bullet") and self._is_heading_block(text, cur):
            kind = "heading"
        # built without validation, like the fragments (huge files make many blocks)
        block = Block.__new__(Block)
        setattr_(
            block,
            "__dict__",
            {
                "index": len(self.blocks),
                "kind": kind,
                "text": text,
                "fragments": frags,
                "page": cur.parts[0][0].page,
            },
        )
        setattr_(block, "__pydantic_fields_set__", set(_BLOCK_FIELDS))
        setattr_(block, "__pydantic_extra__", None)
        setattr_(block, "__pydantic_private__", None)
        self.blocks.append(block)

    notes: set[str] = frozenset()  # type: ignore[assignment]

    def _without_note_markers(
        self, parts: list[tuple[SourceLine, int, int, str]]
    ) -> list[tuple[SourceLine, int, int, str]]:
        """Leave footnote markers out of the block text ("læringsportal16 som" ->
        "læringsportal som", "interesser. 8" -> "interesser."): the piece of the line is
        split around the marker; quotes still come out as exact line substrings."""
        out = []
        for line, lo, hi, sep in parts:
            cuts = [
                (m.start(), m.end())
                for m in _NOTE_MARKER.finditer(line.text, lo, hi)
                if (m.group("n") or m.group("m")) in self.notes
            ]
            if not cuts:
                out.append((line, lo, hi, sep))
                continue
            start, first = lo, True
            for a, b in cuts:
                if a > start:
                    out.append((line, start, a, sep if first else ""))
                    first = False
                start = b
            if hi > start and line.text[start:hi].strip():
                out.append((line, start, hi, sep if first else ""))
        return out or parts

    def _is_heading_block(self, text: str, cur: _Open) -> bool:
        t = text.strip()
        if len(t) < 2 or cur.table:
            return False
        # the cue words are searched last, only where the answer depends on them
        if _QUESTION_END.search(t):
            # a question (up to four lines); a long paragraph that merely ends with "?" is not
            return len(cur.parts) <= 4 and len(t) < 420 and self._has_cue(t)
        if t.endswith((":", ".")):
            return len(cur.parts) <= 2 and len(t) < 140 and self._has_cue(t)  # a lead-in line
        return False

    def _has_cue(self, t: str) -> bool:
        return self.cues.contexts.search(t) is not None

    def _start(
        self, kind: BlockKind, line: SourceLine, lo: int, hi: int, table: bool = False
    ) -> None:
        self._close()
        self.cur = _Open(kind=kind, table=table)
        self.cur.parts.append((line, lo, hi, ""))
        self.cur.length = hi - lo

    def _append(self, line: SourceLine, lo: int, hi: int) -> None:
        cur = self.cur
        assert cur is not None
        prev_line, plo, phi, psep = cur.parts[-1]
        prev = prev_line.text[plo:phi]
        nxt = line.text[lo:hi]
        sep = " "
        if (prev.endswith("-") and _WORD_HYPHEN_END.search(prev)) or prev.endswith(
            ("\u00ad", "\u2010")
        ):
            first = nxt.split(" ", 1)[0].lower().strip(",.")
            if first in self.cues.hyphen_keep:
                sep = " "
            elif _UPPER_START.match(nxt) and not prev.endswith("\u00ad"):
                sep = ""
            else:
                # "spesialist-" + "helsetjenesten": drop the hyphen from the fragment
                cur.parts[-1] = (prev_line, plo, phi - 1, psep)
                sep = ""
        elif (
            cur.table
            and self.trailing_spaces
            and _LOWER_START.match(nxt)
            and prev_line.text == prev_line.text.rstrip()
            and prev
            and prev[-1].isalpha()
        ):
            # a narrow table cell wrapped mid-word ("forhandlingsut" + "valg"): the PDF text
            # marks word ends with a trailing space, and this line has none
            sep = ""
        cur.parts.append((line, lo, hi, sep))
        cur.length += len(sep) + hi - lo

    def _bounds(self, line: SourceLine) -> tuple[int, int]:
        t = line.text
        lo = len(t) - len(t.lstrip())
        hi = len(t.rstrip())
        return lo, hi

    def _is_section_heading(self, t: str) -> bool:
        m = self.cues.numbered_heading.match(t)
        if m and len(t) <= 100 and not _TERMINAL.search(t) and not t.rstrip().endswith(","):
            number = m.group(1)
            # "1." with a dot and no sub-number is a list item, not a heading, unless it asks
            # for challenges, measures or examples ("3. Gode døme som andre kan lære av")
            if "." in number or not re.match(r"^\d{1,2}\.\s", t):
                return not self._ends_with_connector(t)
            if self.cues.contexts.search(t):
                return True
        return bool(self.cues.heading_patterns.match(t))

    def _is_opener(self, cur: _Open) -> bool:
        """A one-line sender phrase ("Innspill fra LSU Volda") stands on its own."""
        t = cur.last_text().strip()
        if len(t) < 200 and any(p.match(t) for p in self.cues.openers):
            return True
        # "Fra X" stands alone only at the top of a document (a sentence may start with "Fra")
        return self.seen <= _HEAD_LINES and any(p.match(t) for p in self.cues.head_openers)

    def _ends_with_connector(self, t: str) -> bool:
        words = t.rstrip().split()
        return bool(words) and words[-1].lower() in self.cues.connectors

    def _joins(self, prev: str, nxt: str) -> bool:
        """Does line ``nxt`` continue the sentence of line ``prev``?"""
        p = prev.rstrip()
        if not p:
            return False
        if self._ends_with_connector(p):
            return True
        if _TERMINAL.search(p):
            return bool(_LOWER_START.match(nxt)) and not p.endswith(("?", "!", ":"))
        if _LOWER_START.match(nxt):
            return True
        if p.endswith((",", "-", "–", "/", "(", "&", "+")):
            return True
        return len(p) >= self.long

    def _long_line(self, line: SourceLine, lo: int, hi: int) -> None:
        """A line longer than a block may be (text without line breaks) becomes several
        paragraph blocks, cut at spaces."""
        self._close()
        text = line.text
        start = lo
        while start < hi:
            end = min(hi, start + MAX_BLOCK_CHARS)
            if end < hi:
                cut = text.rfind(" ", start + MAX_BLOCK_CHARS // 2, end)
                end = cut if cut > start else end
            piece_lo = start + len(text[start:end]) - len(text[start:end].lstrip())
            piece_hi = start + len(text[start:end].rstrip())
            if piece_hi > piece_lo:
                self._start("paragraph", line, piece_lo, piece_hi)
                self._close()
            start = end

    def hard_break(self) -> None:
        """The next line starts a new block unless it plainly continues a sentence."""
        self.pending_break = True

    pending_break = False
    seen = 0  # content lines so far

    # -- the fold
    def add(self, line: SourceLine) -> None:
        self.seen += 1
        raw = line.text  # (bounds inlined: this runs once per line of huge files)
        lo = len(raw) - len(raw.lstrip())
        hi = len(raw.rstrip())
        if hi - lo > MAX_BLOCK_CHARS:
            self._long_line(line, lo, hi)
            return
        t = line.text[lo:hi]
        cues = self.cues
        if self.pending_break:
            self.pending_break = False
            cur = self.cur
            if cur is not None and not cur.table:
                prev = cur.last_text().rstrip()
                if not (_LOWER_START.match(t) and not _TERMINAL.search(prev)):
                    self._close()
        cur = self.cur
        if (
            # fast path: a lower-case word continuing an open paragraph outside a table
            cur is not None
            and not self.in_table
            and cur.kind == "paragraph"
            and len(cur.parts) > 1
            and cur.length < MAX_BLOCK_CHARS
            and t[:1].islower()
            and t[:2].isalpha()
            and not _TERMINAL.search(cur.last_text())
        ):
            prev_line, _, phi, _ = cur.parts[-1]
            if not cur.table and prev_line.text[phi - 1 : phi] not in _HYPHEN_ENDS:
                cur.parts.append((line, lo, hi, " "))  # the common case of _append, inlined
                cur.length += 1 + hi - lo
                return
            self._append(line, lo, hi)
            return
        split = self.split_headers.get(line.number)
        if split is False and self.cur is not None and self.cur.kind == "heading":
            self._append(line, lo, hi)  # "Ansvarlig" after "Nr." / "Tiltak": the same header
            return
        if split or cues.table_header.match(t):
            self._start("heading", line, lo, hi)
            if not split:  # a header cut into lines stays open for its other cells
                self._close()
            if not self.in_table:  # a header repeated on the next page continues the table
                self.row_style = None
                self.last_row = 0
                self.number_alone = False
            self.in_table = True
            # a Word table: one line per row, cells separated by tabs
            cols = [c.strip().lower() for c in t.split("\t")] if "\t" in t else []
            self.measure_column = next(
                (k for k, c in enumerate(cols) if c.startswith("tiltak")), 1 if cols else None
            )
            return
        if self.in_table and self._table_line(line, lo, hi, t):
            return
        if self._is_section_heading(t):
            self._start("heading", line, lo, hi)
            return
        marker, mlen = split_marker(t)
        if marker:
            kind: BlockKind = "bullet"
            # a lettered or numbered short title ("a) Ulik samhandlingskultur") keeps its marker
            titled = bool(re.match(r"^[a-zæøå\d]", marker))
            self._start(kind, line, lo + (0 if titled else mlen), hi)
            assert self.cur is not None
            self.cur.titled = titled and not _TERMINAL.search(t)
            return
        cur = self.cur
        if cur is not None and cur.length < MAX_BLOCK_CHARS and cur.kind != "heading":
            if (
                len(cur.parts) == 1
                and (cur.titled or self._is_opener(cur))
                and not (
                    _LOWER_START.match(t)
                    or re.search(r"[,\-–/]$", cur.last_text().rstrip())
                    or self._ends_with_connector(cur.last_text())
                )
            ):
                pass  # "c) To styringslinjer ..." is a sub-title; the next line starts anew
            elif self._joins(cur.last_text(), t):
                self._append(line, lo, hi)
                return
        elif (
            cur is not None
            and cur.kind == "heading"
            and self._joins(cur.last_text(), t)
            and (
                _LOWER_START.match(t)
                or (
                    self._ends_with_connector(cur.last_text())
                    # "3. Gode døme som andre kan lære av" + "FACT Sunnhordland": a new title
                    and not self.cues.contexts.search(cur.last_text())
                )
            )
        ):
            self._append(line, lo, hi)
            return
        # a short title line ("Trygge foreldre") becomes a heading later (_mark_titles)
        self._start("paragraph", line, lo, hi)

    measure_column: int | None = None
    number_alone = False  # the table's rows have their number on a line of its own
    split_headers: dict[int, bool] = {}  # noqa: RUF012 (replaced per document, never mutated)

    def _cell_row(self, line: SourceLine, lo: int, t: str) -> bool:
        """A row of a Word table: the block is its measure cell (the rest is read by segment)."""
        if "\t" not in t:
            self.in_table = False
            return False
        cells = t.split("\t")
        k = self.measure_column if self.measure_column is not None else 1
        if k >= len(cells) or not cells[k].strip():
            k = max(range(len(cells)), key=lambda j: len(cells[j]))
        start = lo + sum(len(c) + 1 for c in cells[:k])
        cell = cells[k]
        c_lo = start + len(cell) - len(cell.lstrip())
        c_hi = start + len(cell.rstrip())
        self._start("table_row", line, c_lo, c_hi, table=True)
        self._close()
        return True

    def _table_line(self, line: SourceLine, lo: int, hi: int, t: str) -> bool:
        """Handle a line while inside an action-plan table; False ends the table."""
        if self.measure_column is not None:
            return self._cell_row(line, lo, t)
        m = _ROW_START.match(t)
        if (
            m
            and m.group(3)
            and self.cues.time_unit.match(m.group(3))
            and self.cur is not None
            and self.cur.kind == "table_row"
        ):
            self._append(line, lo, hi)  # "2. kvartal" of a row's time cell, not a new row
            return True
        if m:
            number, dot, rest = m.group(1), m.group(2), m.group(3)
            if rest and self.number_alone:
                # rows so far had their number on a line of its own: "3.5 Tverrgående
                # tiltak" is the next section's title, and the table is over
                self.in_table = False
                return False
            if self.row_style is None:
                self.number_alone = not rest
            style = "dotted" if "." in number else "int"
            if self._is_section_heading(t) and (number.count(".") >= 2):
                self.in_table = False
                return False
            if self.row_style is None:
                self.row_style = style
                self.last_row = int(number.split(".")[-1]) - 1 if style == "int" else 0
            if (
                style == "dotted"
                and self.row_style == "int"
                and number.split(".")[0] == str(self.last_row)
                and self.cur is not None
                and self.cur.kind == "table_row"
                and len(self.cur.parts) == 1
            ):
                # the first "row" ("1. Brukermedvirkning") was a group heading of a dotted table
                self.cur.kind = "heading"
                self.cur.table = False
                self.row_style = "dotted"
            if style == self.row_style:
                n = int(number.split(".")[-1]) if style == "int" else 0
                if style == "dotted" or n == self.last_row + 1 or n == 1:
                    self.last_row = n
                    self._start("table_row", line, lo, hi, table=True)
                    return True
            elif self.row_style == "dotted" and style == "int" and dot and rest:
                # a group heading inside a dotted table ("2. Standardiserte pasientforløp")
                self._start("heading", line, lo, hi)
                self._close()
                return True
            self.in_table = False
            return False
        if self.cues.heading_patterns.match(t) or self._is_section_heading(t):
            self.in_table = False
            return False
        if self.cur is not None and self.cur.kind == "table_row":
            if self._prose_after_row(t):
                self.in_table = False  # running text after the last row: the table is over
                self._close()
                return False
            self._append(line, lo, hi)
            return True
        # text between the header and the first row (or after a group heading)
        self._start("paragraph", line, lo, hi, table=True)
        return True

    def _prose_after_row(self, t: str) -> bool:
        """A line of running text (wide, a sentence of many words) after a row whose cells are
        filled (its last cell ends a sentence, is a narrow cell or a time): the table has ended
        and this line is a paragraph of its own, not more of the last row."""
        cur = self.cur
        if (
            cur is None
            or len(t) < self.long
            or len(t.split()) < _PROSE_MIN_WORDS
            or not re.match(r"[A-ZÆØÅ][a-zæøå]", t)  # a list item or a number: still the row
            or re.search(r"\s{3,}|\t", t)  # cells laid out side by side: still a row
        ):
            return False
        last = cur.last_text().strip()
        if len(cur.parts) == 1:
            m = _ROW_START.match(last)
            last = (m.group(3) or "") if m else last
        if not re.search(r"[^\W\d_]|\d{4}", last):
            return False  # only the row number so far: this line is its measure cell
        return bool(
            re.search(r"[.!?]['\"»”’)\]]*$", last)
            or _ENDS_WHEN.search(last)
            or (len(cur.parts) > 1 and len(last) <= _CELL_NARROW)
        )

    def finish(self) -> list[Block]:
        self._close()
        return _mark_titles(self.blocks, self.long)


_TITLED = re.compile(r"^(?:[a-zæøå]|\d{1,2})\s?[.)]\s+\S")


def _mark_titles(blocks: list[Block], long: int) -> list[Block]:
    """Short one-line paragraphs followed by a new sentence are headings ("Trygge foreldre"),
    and so are lettered one-line items followed by prose ("b) Ulik samhandlingskultur")."""
    for i, b in enumerate(blocks):
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        if (
            b.kind == "bullet"
            and len(b.fragments) == 1
            and _TITLED.match(b.text)
            and len(b.text) <= 110
            and not _TERMINAL.search(b.text.rstrip())
            and nxt is not None
            and nxt.kind == "paragraph"
            and not _LOWER_START.match(nxt.text)
        ):
            blocks[i] = b.model_copy(update={"kind": "heading"})
            continue
        if b.kind != "paragraph" or len(b.fragments) != 1:
            continue
        t = b.text.strip()
        if not t or len(t) > min(90, long) or (_TERMINAL.search(t) and not t.endswith(":")):
            continue
        if not _UPPER_START.match(t) or t[0].isdigit() or t.endswith((",", "-")):
            continue
        if len(_WORD.findall(t)) > 12:
            continue
        nxt = blocks[i + 1] if i + 1 < len(blocks) else None
        if nxt is None or _LOWER_START.match(nxt.text):
            continue
        blocks[i] = b.model_copy(update={"kind": "heading"})
    return blocks

"""Typed data passed between the ingest stages, and the extraction contract.

Pipeline: load -> normalise -> segment -> recognise -> classify -> link.

* ``load``       path            -> :class:`LoadedDocument`   (text + original lines, pages)
* ``normalise``  LoadedDocument  -> :class:`NormalisedDocument` (logical blocks mapped to source lines)
* ``segment``    NormalisedDocument -> :class:`SegmentedDocument` (sections, question context, voices)
* ``recognise``  SegmentedDocument -> :class:`Recognised` (actor and example mentions)
* ``classify``   SegmentedDocument + Recognised -> list[:class:`Coding`] (challenges, measures)
* ``link``       all of the above -> :class:`Extraction` (the JSON that ``helsegraf extract`` prints)

:class:`Extraction` follows ``samples/gold/GUIDELINES.md``: the gold fields are kept as they are,
and extra fields (ids, offsets, pages, line numbers) are added beside them.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left, bisect_right
from itertools import pairwise
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

DocumentKind = Literal["innspill", "handlingsplan", "annet"]
Language = Literal["nb", "nn"]
ActorType = Literal[
    "Kommune",
    "Fylke",
    "Helseforetak",
    "RegionaltHelseforetak",
    "Helsefellesskap",
    "Samarbeidsorgan",
    "Sykehus",
    "StatligEtat",
    "Organisasjon",
    "Utdanningsinstitusjon",
    "Region",
    "Selskap",
]
Stance = Literal["good-practice", "mentioned"]
AssignedBy = Literal["rules", "model", "reviewer"]
SectionContext = Literal["challenge", "measure", "example", "none"]
BlockKind = Literal["heading", "paragraph", "bullet", "table_row"]


def content_id(*parts: str, length: int = 16) -> str:
    """Return a stable id derived from the given strings (sha256, hex, truncated)."""
    h = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return h[:length]


# --------------------------------------------------------------------------- load


class SourceLine(BaseModel):
    """One line of the input file as it was, before any repair."""

    model_config = ConfigDict(frozen=True)

    number: int = Field(description="1-based line number in the file")
    text: str = Field(description="the line without its line break")
    start: int = Field(
        description="character offset of the line's first character in the file text"
    )
    page: int | None = Field(None, description="1-based page number, for PDFs")


class SourceInfo(BaseModel):
    """Where a document came from, as its manifest or its ``# key: value`` header says."""

    url: str | None = Field(None, description="where the document was published")
    sender: str | None = Field(None, description="who sent it, when the text does not say")
    date: str | None = Field(None, description="ISO date, YYYY-MM-DD")
    title: str | None = None
    kind: DocumentKind | None = None


class LoadedDocument(BaseModel):
    """Output of ``load``: a document's text as read, with its line and page map."""

    path: str
    name: str = Field(description="file name, used as the document key in output and gold")
    format: Literal["txt", "pdf", "docx"]
    text: str
    lines: list[SourceLine]
    sha256: str = Field(description="hash of the raw file bytes")
    encoding: str | None = None
    page_count: int | None = None
    metadata: SourceInfo = Field(
        default_factory=SourceInfo, description="source metadata (manifest, header lines)"
    )
    header_lines: int = Field(
        0, description="leading '# key: value' lines that are metadata, not text"
    )


# --------------------------------------------------------------------------- normalise


class Fragment(BaseModel):
    """The part of one source line that a block's text is made of."""

    model_config = ConfigDict(frozen=True)

    line: int = Field(description="1-based source line number")
    line_start: int = Field(description="offset in the source line where the fragment starts")
    line_end: int = Field(
        description="offset in the source line where the fragment ends (exclusive)"
    )
    block_start: int = Field(description="offset in the block text where the fragment starts")


class Block(BaseModel):
    """A logical unit of text (heading, paragraph, bullet item, table row) after repair.

    ``text`` is the repaired text (broken lines joined, hyphenation undone).
    ``fragments`` map it back onto the source lines, so any span of ``text`` has a
    quote that is an exact substring of one source line.
    """

    index: int
    kind: BlockKind
    text: str
    fragments: list[Fragment]
    page: int | None = None

    @property
    def first_line(self) -> int:
        return self.fragments[0].line if self.fragments else 0

    @property
    def last_line(self) -> int:
        return self.fragments[-1].line if self.fragments else 0


class BlocksByLine:
    """The blocks of a document ordered by first line, so the blocks of a line range are
    found by bisection instead of a scan over every block (once per voice, a document of many
    voices would cost blocks × voices)."""

    def __init__(self, blocks: list[Block]) -> None:
        order = sorted(range(len(blocks)), key=lambda i: blocks[i].first_line)
        self._blocks = blocks
        self._lines = [blocks[i].first_line for i in order]
        self._order = order

    def within(self, lo: int, hi: int) -> list[Block]:
        """The blocks whose first line is in [lo, hi], in document order."""
        a = bisect_left(self._lines, lo)
        b = bisect_right(self._lines, hi)
        return [self._blocks[i] for i in sorted(self._order[a:b])]


class NormalisedDocument(BaseModel):
    """Output of ``normalise``."""

    source: LoadedDocument
    blocks: list[Block]
    language: Language = "nb"
    furniture: list[str] = Field(
        default_factory=list,
        description="running headers/footers removed as page furniture (distinct texts)",
    )


# --------------------------------------------------------------------------- segment


class TableRow(BaseModel):
    """Fields of an action-plan table row (Nr. / Tiltak / Ansvarlig / Når)."""

    number: str | None = None
    responsible: list[str] = Field(default_factory=list)
    when: str | None = None
    measure_end: int | None = Field(
        None, description="where the measure cell ends in the block text (None: the whole row)"
    )


class Section(BaseModel):
    """A heading and the blocks under it, with the question the heading asks."""

    heading: str | None = None
    heading_block: int | None = None
    context: SectionContext = "none"
    theme: str | None = Field(None, description="codebook theme id the heading names, if any")
    blocks: list[int] = Field(
        default_factory=list, description="indexes into NormalisedDocument.blocks"
    )


class VoiceSegment(BaseModel):
    """A part of the document written by one set of authors."""

    id: str
    authors: list[str] = Field(default_factory=list, description="canonical actor names")
    lines: tuple[int, int]
    note: str | None = None
    sections: list[Section] = Field(default_factory=list)


class SegmentedDocument(BaseModel):
    """Output of ``segment``."""

    doc: NormalisedDocument
    kind: DocumentKind = "annet"
    title: str | None = None
    date: str | None = Field(None, description="ISO date, YYYY-MM-DD")
    voices: list[VoiceSegment]
    table_rows: dict[int, TableRow] = Field(
        default_factory=dict, description="block index -> table fields"
    )
    authors: dict[str, ActorRef] = Field(
        default_factory=dict, description="author name (as in voices) -> resolved actor"
    )

    # the voices' first lines when their ranges are ordered and disjoint (as segment makes
    # them), for bisection; () when they are not (then a scan), None before the first use
    _voice_firsts: tuple[int, ...] | None = PrivateAttr(default=None)

    def voice_of_block(self, block_index: int) -> VoiceSegment:
        """Return the voice whose line range holds the block (the first voice when none)."""
        line = self.doc.blocks[block_index].first_line
        firsts = self._voice_firsts
        if firsts is None:
            ranges = [v.lines for v in self.voices]
            ordered = all(a[1] < b[0] for a, b in pairwise(ranges))
            firsts = tuple(r[0] for r in ranges) if ordered else ()
            self._voice_firsts = firsts
        if firsts:
            k = bisect_right(firsts, line) - 1
            if k >= 0 and self.voices[k].lines[0] <= line <= self.voices[k].lines[1]:
                return self.voices[k]
            return self.voices[0]
        for v in self.voices:
            if v.lines[0] <= line <= v.lines[1]:
                return v
        return self.voices[0]


# --------------------------------------------------------------------------- recognise


class Quote(BaseModel):
    """Evidence: an exact substring of one source line, with where it is."""

    text: str
    line: int
    start: int = Field(description="character offset in the file text")
    end: int = Field(description="character offset in the file text (exclusive)")
    page: int | None = None
    cut: bool = Field(
        False, description="the statement goes on past the end of the quote (on the next line)"
    )


class ActorRef(BaseModel):
    """A resolved actor: its canonical name and registry identity."""

    model_config = ConfigDict(frozen=True)

    name: str
    type: ActorType
    kommunenummer: str | None = None
    orgnr: str | None = None
    registry_id: str | None = Field(None, description="id in the registry it came from, if any")


class ActorMention(BaseModel):
    """One place in the text that names an actor."""

    actor: ActorRef
    surface: str
    block: int
    start: int = Field(description="offset in the block text")
    end: int


class ExampleMention(BaseModel):
    """One place in the text that names an initiative."""

    name: str = Field(description="canonical name of the initiative")
    surface: str
    block: int
    start: int
    end: int


class Recognised(BaseModel):
    """Output of ``recognise``."""

    actors: list[ActorMention] = Field(default_factory=list)
    examples: list[ExampleMention] = Field(default_factory=list)


# --------------------------------------------------------------------------- classify


class Coding(BaseModel):
    """A statement coded to one codebook concept (output of ``classify``)."""

    kind: Literal["challenge", "measure"]
    voice: str
    concept: str
    label: str | None = Field(None, description="for .../annet: what the statement is about")
    theme: str | None = None
    block: int
    quote: Quote
    score: float = 0.0
    responsible: list[str] = Field(default_factory=list)
    when: str | None = None
    assigned_by: AssignedBy = Field(
        "rules", description="what made the coding: the rules, the statement model, a reviewer"
    )
    confidence: float | None = Field(
        None, description="the statement model's probability of the coding (None: rules alone)"
    )


# --------------------------------------------------------------------------- link (the contract)


class VoiceOut(BaseModel):
    id: str
    authors: list[str]
    lines: tuple[int, int]
    note: str | None = None
    # extra: the language of this voice's own text (a nynorsk appendix of a bokmål document)
    language: Language | None = None


class ActorOut(BaseModel):
    name: str
    type: ActorType
    kommunenummer: str | None = None
    id: str | None = None


class StatementOut(BaseModel):
    """A challenge or a measure in the output (gold fields first, extras after)."""

    voice: str
    concept: str
    quote: str
    label: str | None = None
    responsible: list[str] | None = None
    when: str | None = None
    id: str | None = None
    theme: str | None = None
    line: int | None = None
    start: int | None = None
    end: int | None = None
    page: int | None = None
    assigned_by: AssignedBy | None = None
    confidence: float | None = None
    quote_cut: bool | None = Field(
        None, description="the statement goes on past the quote, which ends at its line's end"
    )


class ExampleOut(BaseModel):
    name: str
    aliases: list[str] = Field(default_factory=list)
    voice: str
    stance: Stance = "mentioned"
    actors: list[str] = Field(default_factory=list)
    place: str | None = None
    patient_groups: list[str] = Field(default_factory=list)
    quote: str
    id: str | None = None
    description: str | None = None
    line: int | None = None
    start: int | None = None
    end: int | None = None
    page: int | None = None
    quote_cut: bool | None = Field(
        None, description="the sentence goes on past the quote, which ends at its line's end"
    )


class Extraction(BaseModel):
    """What ``helsegraf extract FILE`` prints: one document in the gold format, plus extras."""

    document: str
    title: str | None = None
    date: str | None = None
    kind: DocumentKind = "annet"
    language: Language = "nb"
    voices: list[VoiceOut]
    actors: list[ActorOut] = Field(default_factory=list)
    challenges: list[StatementOut] = Field(default_factory=list)
    measures: list[StatementOut] = Field(default_factory=list)
    examples: list[ExampleOut] = Field(default_factory=list)
    # extras
    id: str | None = Field(
        None, description="content-derived document id (sha256 of the file bytes)"
    )
    sha256: str | None = None
    format: str | None = None
    pages: int | None = None
    extractor: str | None = Field(None, description="'helsegraf <version>'")
    source: str | None = Field(None, description="where the document was published (its URL)")

"""Response and request models of the API, in one family per resource.

``*Base`` holds what identifies a thing, ``*Public`` what a list shows, ``*Detail`` what the
single-item route adds. Every list route answers a :class:`Page`.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class ApiModel(BaseModel):
    """Base of every API model: unknown keys from query rows are ignored."""

    model_config = ConfigDict(extra="ignore")


class Page[T](ApiModel):
    """One page of a list: ``items`` from ``offset``, at most ``limit``, of ``total``."""

    items: list[T]
    total: int = Field(description="number of items in the whole list")
    limit: int
    offset: int


class ErrorOut(ApiModel):
    """Every error answer: one line that says what went wrong."""

    detail: str


# --------------------------------------------------------------------------- evidence


class Evidence(ApiModel):
    """The sentence a fact comes from, and where it is."""

    statement: str | None = Field(None, description="statement id")
    quote: str
    quote_cut: bool = Field(
        False, description="the statement goes on past the quote (shown with '…')"
    )
    document: str | None = Field(None, description="document id")
    document_name: str | None = None
    document_title: str | None = None
    voice: str | None = Field(None, description="voice id inside the document")
    line: int | None = None
    start: int | None = Field(None, description="character offset in the file text")
    end: int | None = None
    page: int | None = None


# --------------------------------------------------------------------------- concepts


class ConceptBase(ApiModel):
    """A codebook concept (challenge, measure, theme, patient group)."""

    id: str = Field(description='codebook id, e.g. "utfordring/rekruttering"')
    label: str | None = None


class ConceptCount(ConceptBase):
    """A concept and how often an actor or document raises it."""

    count: int = 0


class ChallengePublic(ConceptBase):
    """A challenge (utfordring) with how many actors raise it."""

    themes: list[str] = Field(default_factory=list)
    actor_count: int = 0
    document_count: int = Field(0, description="documents (letters) whose voices raise it")
    statement_count: int = 0


class MeasurePublic(ConceptBase):
    """A measure (tiltak) with the challenges it answers and how many actors propose it."""

    themes: list[str] = Field(default_factory=list)
    addresses: list[str] = Field(default_factory=list, description="challenge ids")
    in_codebook: bool | None = Field(
        None, description="for `?challenge=`: the codebook says this measure addresses it"
    )
    actor_count: int = 0
    document_count: int = Field(0, description="documents (letters) whose voices propose it")
    statement_count: int = 0
    responsible: list[str] = Field(
        default_factory=list, description="for `?challenge=`: who the statements make responsible"
    )
    when: list[str] = Field(default_factory=list, description="for `?challenge=`: when, as written")


class MeasureStatement(Evidence):
    """A statement that proposes a measure: who, where, who is responsible and when."""

    label: str | None = Field(None, description="for tiltak/annet: what it is about")
    document_date: str | None = None
    authors: list[ActorBase] = Field(default_factory=list)
    responsible: list[str] = Field(default_factory=list)
    when: str | None = None
    voice_challenges: list[ConceptBase] = Field(
        default_factory=list, description="challenges the same voice raises (the same letter)"
    )


class MeasureDetail(ConceptBase):
    """One measure: the challenges the codebook says it answers, and the statements proposing it
    (a page at a time)."""

    in_codebook: bool = Field(description="false for a measure only the documents name")
    is_other: bool = Field(description='the catch-all "Annet" measure')
    themes: list[ConceptBase] = Field(default_factory=list)
    addresses: list[ConceptBase] = Field(
        default_factory=list, description="challenges the codebook says it answers"
    )
    same_letter: list[ConceptBase] = Field(
        default_factory=list,
        description="challenges raised by the voices that propose it, the codebook not saying "
        "it answers them",
    )
    actor_count: int = Field(0, description="actors whose voices propose it")
    document_count: int = Field(0, description="documents (letters) whose voices propose it")
    statement_count: int = Field(0, description="statements of those voices that propose it")
    statements: list[MeasureStatement] = Field(
        default_factory=list,
        description="one page of the statements coded as this measure, by document date, "
        "document and line: `statements_limit` from `statements_offset` of `statements_total`",
    )
    statements_total: int = 0
    statements_limit: int = 0
    statements_offset: int = 0


# --------------------------------------------------------------------------- matrix


class MatrixCell(ApiModel):
    """One cell of the actor (or actor type) × challenge matrix."""

    row: str = Field(description="actor id, or actor type")
    row_label: str
    challenge: str
    challenge_label: str | None = None
    actors: int
    documents: int
    statements: int


class MatrixQuote(Evidence):
    """A statement behind a matrix cell, with the actor who wrote it."""

    actor_id: str
    name: str
    type: str | None = None
    document_date: str | None = None


class MatrixFilter(ApiModel):
    """A fylke or helsefellesskap the matrix can be filtered by."""

    kind: Literal["fylke", "helsefellesskap"]
    id: str
    name: str


# --------------------------------------------------------------------------- actors


class ActorBase(ApiModel):
    """An actor: organisation, public body or collaboration body."""

    id: str = Field(description='stable graph id, e.g. "kommune/5029"')
    name: str
    type: str | None = Field(None, description="Kommune, Helseforetak, ...")


class ActorPublic(ActorBase):
    """An actor in a list."""

    kommunenummer: str | None = None
    orgnr: str | None = None
    fylke: str | None = None
    document_count: int = 0
    statement_count: int = 0


class ActorDetail(ActorPublic):
    """One actor with what it says and runs."""

    valid_from: str | None = None
    valid_to: str | None = None
    part_of: list[ActorBase] = Field(default_factory=list, description="e.g. HF -> RHF")
    member_of: list[ActorBase] = Field(default_factory=list, description="e.g. helsefellesskap")
    predecessors: list[ActorBase] = Field(
        default_factory=list, description="merged municipalities whose statements count here"
    )
    successors: list[ActorBase] = Field(default_factory=list)
    challenges: list[ConceptCount] = Field(default_factory=list)
    measures: list[ConceptCount] = Field(default_factory=list)
    examples: list[ExampleBase] = Field(default_factory=list)
    documents: list[DocumentBase] = Field(default_factory=list)


class SimilarActor(ActorBase):
    """An actor that raises many of the same challenges and measures."""

    score: float = Field(description="similarity, 0..1 (Jaccard over concepts)")
    shared: list[str] = Field(default_factory=list, description="concept ids both raise")


class ChallengeActor(ActorBase):
    """An actor that raises a challenge, with the quotes and documents behind it."""

    current: ActorBase | None = Field(
        None, description="today's municipality, where this one was merged into another"
    )
    quotes: list[Evidence] = Field(default_factory=list)


# --------------------------------------------------------------------------- examples


class ExampleBase(ApiModel):
    """A named good-practice example or initiative (Eksempel)."""

    id: str
    name: str


class ExamplePublic(ExampleBase):
    """An example in a list."""

    aliases: list[str] = Field(default_factory=list)
    description: str | None = None
    place: str | None = None
    stance: str | None = Field(None, description='"good-practice" if any voice holds it up')
    patient_groups: list[str] = Field(default_factory=list)
    themes: list[str] = Field(default_factory=list)
    run_by: list[ActorBase] = Field(default_factory=list, description="actors that run it")
    mentioned_by: list[ActorBase] = Field(
        default_factory=list, description="authors of the voices that point to it"
    )
    mention_count: int = 0


class ExampleMention(ApiModel):
    """A voice that points to an example."""

    stance: str | None = None
    authors: list[ActorBase] = Field(default_factory=list)
    evidence: Evidence


class ExampleDetail(ExamplePublic):
    """One example: what it is, who runs it, who points to it."""

    mentions: list[ExampleMention] = Field(
        default_factory=list,
        description="one page of the mentions, by document and line: `mentions_limit` from "
        "`mentions_offset` of `mention_count`",
    )
    mentions_limit: int = 0
    mentions_offset: int = 0


# --------------------------------------------------------------------------- documents


class DocumentBase(ApiModel):
    """A document (innspill, handlingsplan)."""

    id: str
    name: str | None = Field(None, description="file name")
    title: str | None = None


class DocumentPublic(DocumentBase):
    """A document in a list."""

    date: str | None = None
    kind: str | None = None
    language: str | None = None
    pages: int | None = None
    format: str | None = None
    source: str | None = Field(None, description="where the document was published (its URL)")
    authors: list[str] = Field(default_factory=list, description="names of the voices' authors")
    voice_count: int = 0
    statement_count: int = 0


class StatementPublic(ApiModel):
    """A challenge or measure as a voice states it."""

    id: str | None = None
    kind: Literal["challenge", "measure"] | str
    concept: str
    concept_label: str | None = None
    label: str | None = Field(None, description="for .../annet: what it is about")
    quote: str
    quote_cut: bool = Field(
        False, description="the statement goes on past the quote (shown with '…')"
    )
    line: int | None = None
    start: int | None = None
    end: int | None = None
    page: int | None = None
    responsible: list[str] = Field(default_factory=list)
    when: str | None = None


class VoicePublic(ApiModel):
    """A part of a document written by one set of authors, with its statements in order."""

    id: str
    authors: list[ActorBase] = Field(default_factory=list)
    lines: list[int] = Field(default_factory=list, description="[first, last] line")
    note: str | None = None
    statements: list[StatementPublic] = Field(default_factory=list)


class DocumentDetail(DocumentPublic):
    """One document: its voices and their statements in reading order."""

    voices: list[VoicePublic] = Field(default_factory=list)
    actors: list[ActorBase] = Field(default_factory=list, description="actors the document names")
    examples: list[ExampleBase] = Field(default_factory=list)


class UploadResult(ApiModel):
    """What an upload added to the graph."""

    document: DocumentBase
    challenges: int
    measures: int
    examples: int
    actors: int


# --------------------------------------------------------------------------- queries


class NamedQueryPublic(ApiModel):
    """A query from the catalog (``queries/``)."""

    name: str
    language: str
    description: str | None = None
    description_nb: str | None = Field(None, description="the description in bokmål")
    params: list[str] = Field(default_factory=list)
    defaults: dict[str, Any] = Field(default_factory=dict, description="declared default values")
    required: list[str] = Field(
        default_factory=list, description="parameters without a default: they must be given"
    )
    param_docs: dict[str, str] = Field(default_factory=dict, description="what each one means")
    text: str


class NamedRunRequest(ApiModel):
    """Run a catalog query: its language and parameter values."""

    language: Literal["cypher", "sparql"] = "cypher"
    params: dict[str, Any] = Field(default_factory=dict)

    @field_validator("params")
    @classmethod
    def _params(cls, value: dict[str, Any]) -> dict[str, Any]:
        _check_value(value, depth=0)
        return value


class CypherRequest(ApiModel):
    """A read-only Cypher query and its parameters."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "query": "MATCH (n) RETURN labels(n)[0] AS label, count(*) AS n",
                    "params": {},
                }
            ]
        }
    )

    query: str = Field(min_length=1, max_length=20_000)
    params: dict[str, Any] = Field(
        default_factory=dict,
        description="parameter values; names (and keys of maps) are Cypher identifiers",
    )

    @field_validator("query")
    @classmethod
    def _encodable(cls, value: str) -> str:
        _check_text(value)
        return value

    @field_validator("params")
    @classmethod
    def _params(cls, value: dict[str, Any]) -> dict[str, Any]:
        _check_value(value, depth=0)
        return value


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _check_text(value: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text is not valid Unicode (lone surrogate)") from None


def _check_value(value: Any, depth: int) -> None:
    """Parameter values: scalars, lists and maps with identifier keys, at most 8 levels deep."""
    if depth > 8:
        raise ValueError("parameters nest more than 8 levels")
    if isinstance(value, str):
        _check_text(value)
    elif isinstance(value, list):
        for v in value:
            _check_value(v, depth + 1)
    elif isinstance(value, dict):
        for k, v in value.items():
            if not _IDENTIFIER.fullmatch(k):
                raise ValueError(f"{k!r} is not a parameter or map key name (letters, digits, _)")
            _check_value(v, depth + 1)


class TableResult(ApiModel):
    """Rows of a free query, with their column names."""

    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool = Field(False, description="true if the row cap cut the answer")


class GraphNode(ApiModel):
    """A node of a neighbourhood drawing."""

    id: str
    label: str
    kind: str


class GraphEdge(ApiModel):
    """An edge of a neighbourhood drawing."""

    source: str
    target: str
    label: str


class Neighbourhood(ApiModel):
    """Nodes and edges around one actor or example, for drawing."""

    nodes: list[GraphNode]
    edges: list[GraphEdge]


class Health(ApiModel):
    """Whether the store answers, and how much it holds."""

    status: str
    backend: str
    counts: dict[str, int] = Field(default_factory=dict)


ActorDetail.model_rebuild()
MeasureStatement.model_rebuild()
MeasureDetail.model_rebuild()

"""Rows of the named queries shaped into the API's models (no query text here)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from helsegraf.api.models import (
    ActorBase,
    ActorDetail,
    ActorPublic,
    ChallengeActor,
    ChallengePublic,
    ConceptBase,
    ConceptCount,
    DocumentBase,
    DocumentDetail,
    DocumentPublic,
    Evidence,
    ExampleBase,
    ExampleDetail,
    ExampleMention,
    ExamplePublic,
    GraphEdge,
    GraphNode,
    MeasureDetail,
    MeasurePublic,
    MeasureStatement,
    Neighbourhood,
    SimilarActor,
    StatementPublic,
    TableResult,
    VoicePublic,
)

# Graph labels -> the kind the web page colours nodes by.
NODE_KINDS = {
    "Aktør": "actor",
    "Utfordring": "challenge",
    "Tiltak": "measure",
    "Eksempel": "example",
    "Dokument": "document",
    "Stemme": "voice",
    "Tema": "theme",
    "Pasientgruppe": "group",
    "Sted": "place",
    "Utsagn": "statement",
}


def pick(row: dict[str, Any], *keys: str, default: Any = None) -> Any:
    """The first of ``keys`` that the row has with a value."""
    for key in keys:
        value = row.get(key)
        if value is not None:
            return value
    return default


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [v for v in value if v is not None]
    return [value]


def _maps(value: Any) -> list[dict[str, Any]]:
    """A list of maps, without the empty ones a collect() over an OPTIONAL MATCH yields."""
    return [
        v for v in _list(value) if isinstance(v, dict) and any(x is not None for x in v.values())
    ]


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _actors(value: Any) -> list[ActorBase]:
    # Duplicates are dropped before models are made: a statement lists each actor once per
    # row it came in, and making the models cost more than the query on large answers.
    return [actor_base(a) for a in _first_by_id(_maps(value))]


def _first_by_id(maps: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The maps with an ``id``, the first of each id."""
    seen: set[str] = set()
    out = []
    for m in maps:
        key = m.get("id")
        if key and str(key) not in seen:
            seen.add(str(key))
            out.append(m)
    return out


def _dedupe[M: Any](items: Iterable[M], key: str = "id") -> list[M]:
    seen: set[Any] = set()
    out = []
    for item in items:
        k = getattr(item, key)
        if k not in seen:
            seen.add(k)
            out.append(item)
    return out


# --------------------------------------------------------------------------- pieces


def actor_base(row: dict[str, Any]) -> ActorBase:
    return ActorBase(
        id=pick(row, "id", "actor_id"),
        name=pick(row, "name", "actor_name", "actor", default=""),
        type=pick(row, "type", "actor_type"),
    )


def evidence(row: dict[str, Any]) -> Evidence:
    return Evidence(
        statement=pick(row, "statement", "statement_id"),
        quote=pick(row, "quote", default=""),
        quote_cut=bool(pick(row, "quote_cut")),
        document=pick(row, "document", "document_id", "doc_id"),
        document_name=pick(row, "document_name"),
        document_title=pick(row, "document_title", "title"),
        voice=pick(row, "voice", "voice_id"),
        line=pick(row, "line"),
        start=pick(row, "start"),
        end=pick(row, "end"),
        page=pick(row, "page"),
    )


def concept_count(row: dict[str, Any]) -> ConceptCount:
    return ConceptCount(
        id=pick(row, "id", "concept"),
        label=pick(row, "label", "concept_label"),
        count=_int(pick(row, "count", "statements", "n")),
    )


def document_base(row: dict[str, Any]) -> DocumentBase:
    return DocumentBase(
        id=pick(row, "id", "document_id", "doc_id"),
        name=pick(row, "name", "document_name"),
        title=pick(row, "title", "document_title"),
    )


def example_base(row: dict[str, Any]) -> ExampleBase:
    return ExampleBase(id=pick(row, "id", "example_id"), name=pick(row, "name", default=""))


# --------------------------------------------------------------------------- actors


def actor_public(row: dict[str, Any]) -> ActorPublic:
    return ActorPublic(
        **actor_base(row).model_dump(),
        kommunenummer=pick(row, "kommunenummer"),
        orgnr=pick(row, "orgnr"),
        fylke=pick(row, "fylke", "fylke_name"),
        document_count=_int(pick(row, "document_count", "documents")),
        statement_count=_int(pick(row, "statement_count", "statements")),
    )


def actor_detail(row: dict[str, Any]) -> ActorDetail:
    challenges = [concept_count(c) for c in _maps(row.get("challenges"))]
    measures = [concept_count(c) for c in _maps(row.get("measures"))]
    documents = _dedupe(document_base(d) for d in _maps(row.get("documents")))
    counts = {
        "document_count": pick(row, "document_count", default=len(documents)),
        "statement_count": pick(
            row, "statement_count", default=sum(c.count for c in challenges + measures)
        ),
    }
    public = actor_public(row | counts)
    return ActorDetail(
        **public.model_dump(),
        valid_from=_str(row.get("valid_from")),
        valid_to=_str(row.get("valid_to")),
        part_of=_actors(row.get("part_of")),
        member_of=_actors(row.get("member_of")),
        predecessors=_actors(row.get("predecessors")),
        successors=_actors(row.get("successors")),
        challenges=challenges,
        measures=measures,
        examples=_dedupe(example_base(e) for e in _maps(row.get("examples"))),
        documents=documents,
    )


def similar_actor(row: dict[str, Any]) -> SimilarActor:
    score = pick(row, "score", "jaccard", default=0.0)
    return SimilarActor(
        **actor_base(row).model_dump(),
        score=float(score) if score is not None and math.isfinite(float(score)) else 0.0,
        shared=[str(s) for s in _list(pick(row, "shared", "shared_concepts"))],
    )


# --------------------------------------------------------------------------- concepts


def challenge(row: dict[str, Any]) -> ChallengePublic:
    return ChallengePublic(
        id=pick(row, "id", "challenge"),
        label=pick(row, "label"),
        themes=[str(t) for t in _list(row.get("themes"))],
        actor_count=_int(pick(row, "actor_count", "actors")),
        document_count=_int(pick(row, "document_count", "documents")),
        statement_count=_int(pick(row, "statement_count", "statements")),
    )


def _flat_strings(value: Any) -> list[str]:
    """Strings of a value that may be a string, a list, or a list of lists; sorted, unique."""
    out: set[str] = set()
    for v in _list(value):
        out.update(_flat_strings(v) if isinstance(v, list) else [str(v)] if v else [])
    return sorted(out)


def measure(row: dict[str, Any]) -> MeasurePublic:
    return MeasurePublic(
        id=pick(row, "id", "measure"),
        label=pick(row, "label"),
        themes=[str(t) for t in _list(row.get("themes"))],
        addresses=[str(t) for t in _list(row.get("addresses"))],
        in_codebook=row.get("in_codebook"),
        actor_count=_int(pick(row, "actor_count", "actors")),
        document_count=_int(pick(row, "document_count", "documents")),
        statement_count=_int(pick(row, "statement_count", "statements")),
        responsible=_flat_strings(row.get("responsible")),
        when=_flat_strings(row.get("when")),
    )


def _concepts(value: Any) -> list[ConceptBase]:
    return [ConceptBase(id=str(c["id"]), label=c.get("label")) for c in _first_by_id(_maps(value))]


def measure_detail(
    row: dict[str, Any], statements: list[dict[str, Any]], total: int, limit: int, offset: int
) -> MeasureDetail:
    """A measure with one page of its statements; challenges raised with it kept apart from
    those the codebook says it answers. The counts are those kept on the measure (every
    statement, not the page)."""
    addresses = _concepts(row.get("addresses"))
    items = [
        MeasureStatement(
            **evidence(s).model_dump(),
            label=s.get("label"),
            document_date=s.get("document_date"),
            authors=_actors(s.get("authors")),
            responsible=_flat_strings(s.get("responsible")),
            when=s.get("when") if isinstance(s.get("when"), str) else None,
            voice_challenges=_dedupe(_concepts(s.get("voice_challenges"))),
        )
        for s in statements
    ]
    answered = {c.id for c in addresses}
    same_letter = _dedupe(c for c in _concepts(row.get("raised_with")) if c.id not in answered)
    mid = str(row["id"])
    return MeasureDetail(
        id=mid,
        label=row.get("label"),
        in_codebook=row.get("source") != "document",
        is_other=mid.rsplit("/", 1)[-1] == "annet",
        themes=_concepts(row.get("themes")),
        addresses=addresses,
        same_letter=sorted(same_letter, key=lambda c: c.label or c.id),
        actor_count=_int(row.get("actor_count")),
        document_count=_int(row.get("document_count")),
        statement_count=_int(row.get("statement_count")),
        statements=items,
        statements_total=total,
        statements_limit=limit,
        statements_offset=offset,
    )


def challenge_actors(rows: list[dict[str, Any]]) -> list[ChallengeActor]:
    """Group quote rows by actor (one row per actor and statement, or one per actor)."""
    by_actor: dict[str, ChallengeActor] = {}
    for row in rows:
        base = actor_base(row)
        current = None
        if row.get("current_id"):
            current = ActorBase(id=row["current_id"], name=row.get("current_name") or "")
        actor = by_actor.setdefault(base.id, ChallengeActor(**base.model_dump(), current=current))
        quotes = _maps(row.get("quotes")) or ([row] if row.get("quote") else [])
        for q in quotes:
            ev = evidence(q)
            if ev.quote and all(
                ev.statement != e.statement or not ev.statement for e in actor.quotes
            ):
                actor.quotes.append(ev)
    return list(by_actor.values())


# --------------------------------------------------------------------------- examples


def example_public(row: dict[str, Any]) -> ExamplePublic:
    stances = [str(s) for s in _list(pick(row, "stances", "stance"))]
    return ExamplePublic(
        **example_base(row).model_dump(),
        aliases=[str(a) for a in _list(row.get("aliases"))],
        description=pick(row, "description"),
        place=pick(row, "place") or "; ".join(str(p) for p in _list(row.get("places"))) or None,
        stance="good-practice" if "good-practice" in stances else (stances[0] if stances else None),
        patient_groups=[str(g) for g in _list(row.get("patient_groups"))],
        themes=[str(t) for t in _list(row.get("themes"))],
        run_by=_actors(pick(row, "run_by", "actors")),
        mentioned_by=_actors(row.get("mentioned_by")),
        mention_count=_int(pick(row, "mention_count", "mentions_count", "mentions")),
    )


def example_detail(row: dict[str, Any], limit: int = 0, offset: int = 0) -> ExampleDetail:
    """An example with one page of its mentions; ``mention_count`` and ``mentioned_by`` are
    those of every mention."""
    mentions = []
    for m in _maps(row.get("mentions")):
        mentions.append(
            ExampleMention(
                stance=m.get("stance"),
                authors=_actors(m.get("authors")),
                evidence=evidence(m),
            )
        )
    public = example_public(row)
    return ExampleDetail(
        **public.model_dump(), mentions=mentions, mentions_limit=limit, mentions_offset=offset
    )


# --------------------------------------------------------------------------- documents


def document_public(row: dict[str, Any]) -> DocumentPublic:
    return DocumentPublic(
        **document_base(row).model_dump(),
        date=pick(row, "date"),
        kind=pick(row, "kind"),
        language=pick(row, "language"),
        pages=pick(row, "pages"),
        format=pick(row, "format"),
        source=pick(row, "source"),
        authors=sorted({str(a) for a in _list(row.get("authors"))}),
        voice_count=_int(pick(row, "voice_count", "voices")),
        statement_count=_int(pick(row, "statement_count", "statements")),
    )


def statement(row: dict[str, Any]) -> StatementPublic:
    return StatementPublic(
        id=pick(row, "id", "statement"),
        kind=pick(row, "kind", default=""),
        concept=pick(row, "concept", default=""),
        concept_label=pick(row, "concept_label"),
        label=pick(row, "label"),
        quote=pick(row, "quote", default=""),
        quote_cut=bool(pick(row, "quote_cut")),
        line=pick(row, "line"),
        start=pick(row, "start"),
        end=pick(row, "end"),
        page=pick(row, "page"),
        responsible=[str(r) for r in _list(row.get("responsible"))],
        when=pick(row, "when"),
    )


def document_detail(row: dict[str, Any], statements: list[dict[str, Any]]) -> DocumentDetail:
    voices: dict[str, VoicePublic] = {}
    for v in _maps(row.get("voices")):
        vid = pick(v, "voice", "id")
        voices[vid] = VoicePublic(
            id=vid,
            authors=_actors(v.get("authors")),
            lines=[x for x in (v.get("line_from"), v.get("line_to")) if x is not None],
            note=v.get("note"),
        )
    for s in statements:
        vid = pick(s, "voice", "voice_id", default="")
        if vid not in voices:
            vid = vid.rsplit("/", 1)[-1]
        voice = voices.setdefault(vid, VoicePublic(id=vid))
        voice.statements.append(statement(s))
    authors = [a.name for v in voices.values() for a in v.authors]
    public = document_public(row if row.get("authors") else row | {"authors": authors})
    return DocumentDetail(
        **public.model_dump(),
        voices=list(voices.values()),
        actors=_actors(row.get("actors")),
        examples=_dedupe(example_base(e) for e in _maps(row.get("examples"))),
    )


# --------------------------------------------------------------------------- export

EXPORT_COLUMNS = [
    "document_id",
    "document_name",
    "document_title",
    "voice",
    "authors",
    "kind",
    "concept",
    "concept_label",
    "label",
    "quote",
    "line",
    "start",
    "end",
    "page",
    "statement_id",
]


def export_row(row: dict[str, Any]) -> dict[str, Any]:
    """One statement as a flat CSV row (authors joined with "; ")."""
    authors = _list(row.get("authors"))
    return {
        "document_id": pick(row, "document_id", "doc_id"),
        "document_name": pick(row, "document_name"),
        "document_title": pick(row, "document_title"),
        "voice": pick(row, "voice"),
        "authors": "; ".join(str(a.get("name") if isinstance(a, dict) else a) for a in authors),
        "kind": row.get("kind"),
        "concept": row.get("concept"),
        "concept_label": row.get("concept_label"),
        "label": row.get("label"),
        "quote": row.get("quote"),
        "line": row.get("line"),
        "start": row.get("start"),
        "end": row.get("end"),
        "page": row.get("page"),
        "statement_id": pick(row, "statement_id", "id"),
    }


# --------------------------------------------------------------------------- graph view


def _node_kind(labels: Iterable[str], fallback: str = "") -> str:
    for label in labels:
        if label in NODE_KINDS:
            return NODE_KINDS[label]
    return fallback or "other"


def neighbourhood(rows: list[dict[str, Any]]) -> Neighbourhood:
    """Nodes and edges from ``graph_neighbourhood`` rows."""
    nodes: dict[str, GraphNode] = {}
    edges: dict[tuple[str, str, str], GraphEdge] = {}

    def add_node(n: dict[str, Any]) -> None:
        nid = n.get("id")
        if nid is None or nid in nodes:
            return
        labels = _list(n.get("labels")) or _list(n.get("label_list"))
        kind = n.get("kind") or _node_kind(labels)
        nodes[nid] = GraphNode(id=nid, label=str(n.get("name") or n.get("label") or nid), kind=kind)

    for row in rows:
        for n in _maps(row.get("nodes")):
            add_node(n)
        for e in _maps(row.get("edges")) + _maps(row.get("rels")):
            source, target = e.get("source"), e.get("target")
            if source is None or target is None:
                continue
            key = (str(source), str(target), str(e.get("type") or e.get("label") or ""))
            edges.setdefault(key, GraphEdge(source=key[0], target=key[1], label=key[2]))
    return Neighbourhood(nodes=list(nodes.values()), edges=list(edges.values()))


# --------------------------------------------------------------------------- free queries


def jsonable(value: Any) -> Any:
    """A query value as plain JSON (nodes and relationships become maps of their properties)."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [jsonable(v) for v in value]
    props = getattr(value, "properties", None)
    if isinstance(props, dict):
        out: dict[str, Any] = {k: jsonable(v) for k, v in props.items()}
        labels = getattr(value, "labels", None)
        if labels is not None:
            out["_labels"] = sorted(str(x) for x in labels)
        rel = getattr(value, "relation", None) or getattr(value, "type", None)
        if isinstance(rel, str):
            out["_type"] = rel
        return out
    return str(value)


def table_result(rows: list[dict[str, Any]], row_cap: int) -> TableResult:
    """Free-query rows as a table, cut at ``row_cap``.

    Column order comes from the store's ``Rows.columns`` when it has them.
    """
    columns: dict[str, None] = {str(c): None for c in getattr(rows, "columns", [])}
    for r in rows[:row_cap]:
        for k in r:
            columns.setdefault(str(k), None)
    return TableResult(
        columns=list(columns),
        rows=[{str(k): jsonable(v) for k, v in r.items()} for r in rows[:row_cap]],
        truncated=bool(getattr(rows, "truncated", False)) or len(rows) > row_cap,
    )

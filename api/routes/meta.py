"""Health and the named query catalog."""

from __future__ import annotations

from typing import Literal, get_args

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from helsegraf.api import shape
from helsegraf.api.deps import SettingsDep, StoreDep
from helsegraf.api.models import (
    ConceptBase,
    ErrorOut,
    Health,
    NamedQueryPublic,
    NamedRunRequest,
    Page,
    TableResult,
)
from helsegraf.api.tables import (
    CSV_RESPONSE,
    Format,
    Limit,
    Offset,
    csv_response,
    table,
    wants_csv,
)
from helsegraf.graph.store import Rows
from helsegraf.ingest.models import ActorType
from helsegraf.ontology.codebook import load_codebook
from helsegraf.queries import catalog

router = APIRouter(prefix="/api", tags=["meta"])


@router.get("/health", response_model=Health, summary="Whether the store answers")
def health(store: StoreDep, settings: SettingsDep) -> Health:
    """The backend in use, and how many documents and statements the store holds.

    One cheap query: load balancers and monitors call this often (full counts: `helsegraf stats`).
    It reads the statement counts kept on the documents, so its cost follows the number of
    documents, not of statements.
    """
    rows = store.query(
        "MATCH (d:Dokument) "
        "RETURN count(d) AS documents, sum(coalesce(d.statement_count, 0)) AS statements"
    )
    counts = {k: int(v) for k, v in (rows[0] if rows else {}).items()}
    return Health(status="ok", backend=settings.backend, counts=counts)


@router.get(
    "/queries",
    response_model=Page[NamedQueryPublic],
    responses=CSV_RESPONSE,
    summary="The named query catalog",
)
def list_queries(
    request: Request,
    store: StoreDep,
    language: Literal["cypher", "sparql"] | None = Query(None, description="only this language"),
    limit: Limit = 50,
    offset: Offset = 0,
    format: Format = None,
) -> Page[NamedQueryPublic] | Response:
    """Every query in `queries/` (Cypher and SPARQL), with its text, for the query editors.

    A Cypher query's text is the one for the engine in use (some have per-engine variants).
    """
    dialect = getattr(store, "dialect", "")
    items = [
        NamedQueryPublic(
            name=q.name,
            language=q.language,
            description=q.description,
            description_nb=catalog.norwegian_descriptions().get(q.name),
            params=list(q.params),
            defaults={p.name: p.default for p in q.param_specs if p.default not in (None, "")},
            required=q.required,
            param_docs={p.name: p.description for p in q.param_specs if p.description},
            text=q.text_for(dialect) if q.language == "cypher" else q.text,
        )
        for q in catalog.all()
        if language is None or q.language == language
    ]
    return table(
        request,
        format,
        items,
        limit=limit,
        offset=offset,
        filename="queries",
        model=NamedQueryPublic,
    )


@router.post(
    "/queries/{name}/run",
    response_model=TableResult,
    responses={
        **CSV_RESPONSE,
        404: {"model": ErrorOut, "description": "no such query in the catalog"},
        422: {"model": ErrorOut, "description": "a required parameter is missing, or time limit"},
    },
    summary="Run a catalog query with parameters",
)
def run_named_query(
    name: str,
    body: NamedRunRequest,
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    format: Format = None,
) -> TableResult | Response:
    """Run the catalog query `name` (Cypher or SPARQL) read-only with the given parameters;
    undeclared ones are refused, missing optional ones take their defaults, and a missing
    required one answers 422 naming it. Concept parameters take the short form (`rekruttering`).
    """
    try:
        query = catalog.get(name, body.language)
    except KeyError:
        raise HTTPException(404, f"no {body.language} query named {name!r}") from None
    values = catalog.expand_concept_ids(body.params)
    missing = query.missing(values)
    if missing:
        raise HTTPException(422, f"missing required parameter(s): {', '.join(missing)}")
    bound = query.bind(values)
    if body.language == "sparql":
        from helsegraf.api.deps import get_sparql

        result = get_sparql(request).query_named(name, bound, settings.query_timeout_ms / 1000)
        rows = Rows(result.rows(), result.variables, result.truncated)
    else:
        rows = store.query(
            query.text_for(getattr(store, "dialect", "")),
            bound,
            read_only=True,
            timeout_ms=settings.query_timeout_ms,
            row_cap=settings.row_cap,
        )
    out = shape.table_result(rows, settings.row_cap)
    if wants_csv(request, format):
        return csv_response(out.rows, name, out.columns)
    return out


@router.get(
    "/concepts",
    response_model=Page[ConceptBase],
    responses=CSV_RESPONSE,
    summary="Codebook concepts",
)
def list_concepts(
    request: Request,
    scheme: Literal["tema", "pasientgruppe", "utfordring", "tiltak"] | None = Query(
        None, description="only this scheme"
    ),
    limit: Limit = 50,
    offset: Offset = 0,
    format: Format = None,
) -> Page[ConceptBase] | Response:
    """The codebook: themes, patient groups, challenges and measures, with bokmål labels."""
    items = [
        ConceptBase(id=c.id, label=c.label)
        for c in load_codebook().concepts.values()
        if scheme is None or c.scheme == scheme
    ]
    return table(
        request, format, items, limit=limit, offset=offset, filename="begreper", model=ConceptBase
    )


@router.get(
    "/actor-types",
    response_model=Page[ConceptBase],
    responses=CSV_RESPONSE,
    summary="Actor types",
)
def list_actor_types(
    request: Request, limit: Limit = 50, offset: Offset = 0, format: Format = None
) -> Page[ConceptBase] | Response:
    """The actor types the graph uses (the `type` filter of `/api/actors`)."""
    items = [ConceptBase(id=t, label=t) for t in get_args(ActorType)]
    return table(
        request, format, items, limit=limit, offset=offset, filename="aktortyper", model=ConceptBase
    )

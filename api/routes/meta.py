"""Health and the named query catalog."""

from __future__ import annotations

from typing import Literal, get_args

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from helsegraf.api.deps import SettingsDep, StoreDep
from helsegraf.api.models import ConceptBase, Health, NamedQueryPublic, Page
from helsegraf.api.tables import CSV_RESPONSE, Format, Limit, Offset, table
from helsegraf.ingest.models import ActorType
from helsegraf.ontology.codebook import load_codebook
from helsegraf.queries import catalog

router = APIRouter(prefix="/api", tags=["meta"])


@router.get("/health", response_model=Health, summary="Whether the store answers")
def health(store: StoreDep, settings: SettingsDep) -> Health:
    """The backend in use, and how many documents and statements the store holds.

    One cheap query: load balancers and monitors call this often (full counts: `helsegraf stats`).
    """
    rows = store.query(
        "MATCH (d:Dokument) WITH count(d) AS documents "
        "OPTIONAL MATCH (u:Utsagn) RETURN documents, count(u) AS statements"
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
            params=list(q.params),
            defaults={p.name: p.default for p in q.param_specs if p.default not in (None, "")},
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

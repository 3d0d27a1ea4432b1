"""Whole-graph downloads: RDF (Turtle, JSON-LD) and every statement as CSV."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from helsegraf.api import shape
from helsegraf.api.deps import SettingsDep, StoreDep
from helsegraf.api.tables import CSV_MEDIA_TYPE, csv_text
from helsegraf.core.config import Settings

if TYPE_CHECKING:
    from helsegraf.graph.store import GraphStore

#: Documents per page of the statement export (about 75 statements each).
EXPORT_PAGE_DOCUMENTS = 10

router = APIRouter(prefix="/api", tags=["export"])


def _rdf(request: Request, store: GraphStore, fmt: str) -> bytes:
    """The graph serialised as ``fmt``; kept until the graph changes (its fingerprint)."""
    from helsegraf.graph.rdf import export_rdf
    from helsegraf.graph.sparql import graph_fingerprint

    cache: dict[str, tuple[str, bytes]] = request.app.state.export_cache
    key = graph_fingerprint(store)
    hit = cache.get(fmt)
    if hit is not None and hit[0] == key:
        return hit[1]
    data = export_rdf(store).serialize(format=fmt, encoding="utf-8")
    cache[fmt] = (key, data)
    return data


@router.get(
    "/export.ttl",
    response_class=Response,
    summary="The graph as RDF Turtle",
    responses={200: {"content": {"text/turtle": {"schema": {"type": "string"}}}}},
)
def export_turtle(request: Request, store: StoreDep) -> Response:
    """The whole graph as RDF (Turtle), in the helsegraf ontology."""
    return Response(
        _rdf(request, store, "turtle"),
        media_type="text/turtle; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="helsegraf.ttl"'},
    )


@router.get(
    "/export.jsonld",
    response_class=Response,
    summary="The graph as JSON-LD",
    responses={200: {"content": {"application/ld+json": {"schema": {}}}}},
)
def export_jsonld(request: Request, store: StoreDep) -> Response:
    """The whole graph as RDF (JSON-LD)."""
    return Response(
        _rdf(request, store, "json-ld"),
        media_type="application/ld+json",
        headers={"Content-Disposition": 'attachment; filename="helsegraf.jsonld"'},
    )


@router.get(
    "/export.csv",
    response_class=Response,
    summary="Every statement as CSV",
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def export_csv(store: StoreDep, settings: SettingsDep) -> Response:
    """One row per challenge or measure: document, voice, authors, concept, quote, line,
    character offsets and page.

    Streamed: the rows are read a page of documents at a time (``statements_export`` pages by
    document name), so the first row goes out at once and memory does not grow with the
    corpus."""
    return StreamingResponse(
        _export_lines(store, settings),
        media_type=CSV_MEDIA_TYPE,
        headers={"Content-Disposition": 'attachment; filename="helsegraf-utsagn.csv"'},
    )


def statement_pages(
    store: GraphStore, settings: Settings, documents: int = EXPORT_PAGE_DOCUMENTS
) -> Iterator[list[dict[str, Any]]]:
    """The rows of ``statements_export``, page after page (``documents`` documents each)."""
    after = ""
    while True:
        rows = store.run_named(
            "statements_export",
            {"after": after, "documents": documents},
            timeout_ms=settings.query_timeout_ms,
            row_cap=0,
        )
        if not rows:
            return
        yield rows
        after = str(rows[-1]["document_name"])


def _export_lines(store: GraphStore, settings: Settings) -> Iterator[str]:
    yield csv_text([], shape.EXPORT_COLUMNS)  # the header
    for rows in statement_pages(store, settings):
        statements = [shape.export_row(r) for r in rows if r.get("statement_id")]
        text = csv_text(statements, shape.EXPORT_COLUMNS)
        yield text.partition("\n")[2]

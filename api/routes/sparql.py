"""The SPARQL 1.1 Protocol endpoint (queries only) over the RDF view of the graph."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, Response

from helsegraf.api import sparql_results
from helsegraf.api.models import ErrorOut

router = APIRouter(tags=["query"])

_RESULT_TYPES = {
    "application/sparql-results+json": {"schema": {"type": "object"}},
    "application/sparql-results+xml": {"schema": {"type": "string"}},
    "text/csv": {"schema": {"type": "string"}},
    "text/tab-separated-values": {"schema": {"type": "string"}},
    "text/turtle": {"schema": {"type": "string"}},
    "application/n-triples": {"schema": {"type": "string"}},
    "application/ld+json": {"schema": {"type": "object"}},
}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "SELECT/ASK results (JSON, XML, CSV, TSV) or a CONSTRUCT/DESCRIBE graph "
        "(Turtle, N-Triples, JSON-LD), chosen by the Accept header",
        "content": _RESULT_TYPES,
    },
    400: {"model": ErrorOut, "description": "no query, an update, SERVICE, or a syntax error"},
    415: {"model": ErrorOut, "description": "unsupported request body type"},
    422: {"model": ErrorOut, "description": "the query hit the time limit"},
}
_FORM_BODY = {
    "requestBody": {
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "properties": {"query": {"type": "string"}},
                    "required": ["query"],
                }
            },
            "application/sparql-query": {"schema": {"type": "string"}},
        }
    }
}

UPDATE_REFUSED = "SPARQL updates are not accepted: this endpoint is read-only"


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


async def _answer(request: Request, query: str | None) -> Response:
    if not query or not query.strip():
        if request.method == "GET" and _wants_html(request):
            return FileResponse(sparql_results.YASGUI_PAGE)
        raise HTTPException(400, "missing `query` parameter")
    # The engine is built from the store on first use (an RDF export), so fetch it off the loop.
    from helsegraf.api.deps import get_sparql

    settings = request.app.state.settings
    engine = await run_in_threadpool(get_sparql, request)
    result = await run_in_threadpool(engine.query, query, settings.query_timeout_ms / 1000)
    body, media_type = await run_in_threadpool(
        sparql_results.negotiate, result, request.headers.get("accept", "")
    )
    headers = {"Vary": "Accept"}
    if result.truncated:
        headers["X-Truncated"] = f"row cap of {settings.row_cap} reached"
    return Response(body, media_type=media_type, headers=headers)


@router.get(
    "/sparql",
    summary="SPARQL query (GET)",
    responses=_RESPONSES,
    response_class=Response,
)
async def sparql_get(request: Request, query: str | None = None) -> Response:
    """SPARQL 1.1 Protocol query via GET. An `update` parameter is refused (400)."""
    if "update" in request.query_params:
        raise HTTPException(400, UPDATE_REFUSED)
    return await _answer(request, query)


@router.post(
    "/sparql",
    summary="SPARQL query (POST)",
    responses=_RESPONSES,
    response_class=Response,
    openapi_extra=_FORM_BODY,
)
async def sparql_post(request: Request) -> Response:
    """SPARQL 1.1 Protocol query via POST: a form with `query=`, or an
    `application/sparql-query` body. Updates (`update=`, `application/sparql-update`) are refused.
    """
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/sparql-update":
        raise HTTPException(400, UPDATE_REFUSED)
    raw = await request.body()
    if ctype == "application/sparql-query":
        return await _answer(request, raw.decode("utf-8", "replace"))
    if ctype in ("application/x-www-form-urlencoded", ""):
        form = parse_qs(raw.decode("utf-8", "replace"))
        if "update" in form:
            raise HTTPException(400, UPDATE_REFUSED)
        query = (form.get("query") or [""])[0] or request.query_params.get("query")
        return await _answer(request, query)
    raise HTTPException(
        415,
        "send the query as application/x-www-form-urlencoded (query=...) "
        "or application/sparql-query",
    )

"""Free read-only Cypher for researchers."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from helsegraf.api import shape
from helsegraf.api.deps import SettingsDep, StoreDep
from helsegraf.api.models import CypherRequest, ErrorOut, TableResult
from helsegraf.api.tables import CSV_RESPONSE, Format, csv_response, wants_csv

router = APIRouter(prefix="/api", tags=["query"])


@router.post(
    "/cypher",
    response_model=TableResult,
    summary="Run a read-only Cypher query",
    responses={
        **CSV_RESPONSE,
        400: {"model": ErrorOut, "description": "the query writes, or does not parse"},
        422: {"model": ErrorOut, "description": "invalid body, or the query hit the time limit"},
    },
)
def run_cypher(
    body: CypherRequest,
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    format: Format = None,
) -> TableResult | Response:
    """Run Cypher read-only, enforced by the engine (FalkorDB `GRAPH.RO_QUERY`, Neo4j READ access).

    A query that writes answers 400 and changes nothing. The time limit is
    `HELSEGRAF_QUERY_TIMEOUT_MS`; a query that hits it answers **422**. At most
    `HELSEGRAF_ROW_CAP` rows come back (`truncated` says if more were cut).
    """
    rows = store.query(
        body.query,
        body.params,
        read_only=True,
        timeout_ms=settings.query_timeout_ms,
        row_cap=settings.row_cap,
    )
    result = shape.table_result(rows, settings.row_cap)
    if wants_csv(request, format):
        return csv_response(result.rows, "cypher", result.columns)
    return result

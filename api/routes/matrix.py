"""The actor × challenge matrix (NVivo's matrix coding query, from the graph)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from helsegraf.api import named
from helsegraf.api.deps import SettingsDep, StoreDep
from helsegraf.api.ids import concept_id
from helsegraf.api.models import MatrixCell, MatrixFilter, MatrixQuote, Page
from helsegraf.api.tables import CSV_RESPONSE, MAX_LIMIT, Format, Limit, Offset, table

router = APIRouter(prefix="/api/matrix", tags=["challenges"])

By = Literal["actor", "type"]
ByParam = Annotated[By, Query(description="rows: each `actor`, or each actor `type`")]
FylkeParam = Annotated[str, Query(description="fylke id or name (its kommuner)")]
HfParam = Annotated[str, Query(description="helsefellesskap id or name (its members)")]
TypeParam = Annotated[str, Query(description="actor type, e.g. Kommune")]
KindParam = Annotated[str, Query(description="innspill, handlingsplan or annet")]


@dataclass
class MatrixFilters:
    """The filters the matrix and its cells share, as query parameters."""

    by: ByParam = "actor"
    fylke: FylkeParam = ""
    helsefellesskap: HfParam = ""
    actor_type: TypeParam = ""
    document_kind: KindParam = ""


FiltersDep = Annotated[MatrixFilters, Depends()]


@router.get(
    "", response_model=Page[MatrixCell], responses=CSV_RESPONSE, summary="Actor × challenge"
)
def matrix(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    filters: FiltersDep,
    limit: Limit = MAX_LIMIT,
    offset: Offset = 0,
    format: Format = None,
) -> Page[MatrixCell] | Response:
    """The non-empty cells of the matrix: for each row (actor or actor type) and challenge,
    how many actors, documents (letters) and statements. Co-signers of one letter count as
    several actors but one document and one statement."""
    params: dict[str, str] = asdict(filters)
    # The query pages itself (by row label, then challenge) and says how many cells in all.
    rows, total = named.run_page(store, settings, "challenge_matrix", params, limit, offset)
    items = [MatrixCell.model_validate(r) for r in rows]
    return table(
        request,
        format,
        items,
        limit=limit,
        offset=offset,
        filename="matrise",
        model=MatrixCell,
        total=total,
    )


@router.get(
    "/quotes",
    response_model=Page[MatrixQuote],
    responses=CSV_RESPONSE,
    summary="The quotes behind one matrix cell",
)
def matrix_quotes(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    filters: FiltersDep,
    challenge: str = Query(
        description="challenge id (`utfordring/rekruttering` or `rekruttering`)"
    ),
    row: str = Query(description="actor id, or actor type when `by=type`"),
    limit: Limit = MAX_LIMIT,
    offset: Offset = 0,
    format: Format = None,
) -> Page[MatrixQuote] | Response:
    """One row per actor and statement of the cell, under the same filters as the matrix."""
    params: dict[str, str] = asdict(filters)
    params |= {"challenge": concept_id(challenge, "utfordring"), "row": row}
    rows = named.run(store, settings, "challenge_matrix_quotes", params)
    items = [MatrixQuote.model_validate(r | {"quote_cut": bool(r.get("quote_cut"))}) for r in rows]
    return table(
        request, format, items, limit=limit, offset=offset, filename="sitater", model=MatrixQuote
    )


@router.get(
    "/filters",
    response_model=Page[MatrixFilter],
    responses=CSV_RESPONSE,
    summary="Fylker and helsefellesskap to filter by",
)
def matrix_filters(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    limit: Limit = MAX_LIMIT,
    offset: Offset = 0,
    format: Format = None,
) -> Page[MatrixFilter] | Response:
    """The fylker and helsefellesskap that have members who wrote in the documents."""
    rows = named.run(store, settings, "matrix_filters")
    items = sorted((MatrixFilter.model_validate(r) for r in rows), key=lambda f: (f.kind, f.name))
    return table(
        request, format, items, limit=limit, offset=offset, filename="filtre", model=MatrixFilter
    )

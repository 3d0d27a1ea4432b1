"""Measures (tiltak), all or those that answer one challenge."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from helsegraf.api import named, shape
from helsegraf.api.deps import SettingsDep, StoreDep
from helsegraf.api.ids import concept_id
from helsegraf.api.models import MeasurePublic, Page
from helsegraf.api.tables import CSV_RESPONSE, Format, Limit, Offset, table

router = APIRouter(prefix="/api/measures", tags=["measures"])


@router.get("", response_model=Page[MeasurePublic], responses=CSV_RESPONSE, summary="Measures")
def list_measures(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    challenge: str | None = Query(
        None,
        description="challenge id (`utfordring/rekruttering` or `rekruttering`): measures "
        "proposed by actors raising it, and codebook measures that address it",
    ),
    limit: Limit = 50,
    offset: Offset = 0,
    format: Format = None,
) -> Page[MeasurePublic] | Response:
    """Measures with how many actors propose them."""
    if challenge:
        rows = named.run(
            store,
            settings,
            "measures_for_challenge",
            {"challenge": concept_id(challenge, "utfordring")},
        )
    else:
        rows = named.run(store, settings, "measures_list")
    items = [shape.measure(r) for r in rows]
    return table(
        request, format, items, limit=limit, offset=offset, filename="tiltak", model=MeasurePublic
    )

"""Measures (tiltak): all, those that answer one challenge, and one measure with its statements."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from helsegraf.api import named, shape
from helsegraf.api.deps import SettingsDep, StoreDep
from helsegraf.api.ids import concept_id
from helsegraf.api.models import MeasureDetail, MeasurePublic, Page
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


@router.get("/{measure:path}", response_model=MeasureDetail, summary="One measure")
def get_measure(
    measure: str,
    store: StoreDep,
    settings: SettingsDep,
    limit: Limit = 100,
    offset: Offset = 0,
) -> MeasureDetail:
    """A measure with the statements that propose it, a page at a time (`limit` statements
    from `offset`, of `statements_total`): the actors, quote and document, who is responsible
    and when; how many actors, documents and statements propose it; and the challenges it
    answers according to the codebook, kept apart from those its letters merely raise too
    (`same_letter`).

    `measure` is a codebook id (`tiltak/bedre-utskrivning`) or the part after the slash.
    """
    mid = concept_id(measure, "tiltak")
    rows = named.run(store, settings, "measure_detail", {"measure": mid})
    if not rows:
        raise HTTPException(404, f"no measure with id {mid!r}")
    statements, total = named.run_page(
        store, settings, "measure_statements", {"measure": mid}, limit, offset
    )
    return shape.measure_detail(rows[0], statements, total, limit, offset)

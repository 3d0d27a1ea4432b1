"""Good-practice examples (eksempler): search and one example."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from helsegraf.api import named, shape
from helsegraf.api.deps import SettingsDep, StoreDep
from helsegraf.api.ids import concept_id, prefixed_id
from helsegraf.api.models import ExampleDetail, ExamplePublic, Neighbourhood, Page
from helsegraf.api.tables import CSV_RESPONSE, MAX_LIMIT, Format, Limit, Offset, table

router = APIRouter(prefix="/api/examples", tags=["examples"])


@router.get("", response_model=Page[ExamplePublic], responses=CSV_RESPONSE, summary="Examples")
def list_examples(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    q: str | None = Query(None, description="text in the name, aliases or description"),
    theme: str | None = Query(
        None, description="theme id (`tema/psykisk-helse-rus` or the part after /)"
    ),
    patient_group: str | None = Query(
        None, description="patient group id (`pasientgruppe/psykisk-rus` or the part after /)"
    ),
    stance: str | None = Query(None, description="`good-practice` or `mentioned`"),
    limit: Limit = 50,
    offset: Offset = 0,
    format: Format = None,
) -> Page[ExamplePublic] | Response:
    """Examples with who runs them and who points to them."""
    # The query pages itself (most mentioned first) and says how many examples match.
    rows, total = named.run_page(
        store,
        settings,
        "examples_search",
        {
            "text": q or "",
            "theme": concept_id(theme, "tema") if theme else "",
            "patient_group": concept_id(patient_group, "pasientgruppe") if patient_group else "",
            "actor": "",
            "stance": stance or "",
        },
        limit,
        offset,
    )
    items = [shape.example_public(r) for r in rows]
    return table(
        request,
        format,
        items,
        limit=limit,
        offset=offset,
        filename="eksempler",
        model=ExamplePublic,
        total=total,
    )


@router.get(
    "/{example_id:path}/graph",
    response_model=Neighbourhood,
    summary="Nodes and edges around an example",
)
def example_graph(
    example_id: str,
    store: StoreDep,
    settings: SettingsDep,
    limit: int = Query(60, ge=1, le=MAX_LIMIT, description="most neighbours"),
) -> Neighbourhood:
    """The neighbourhood of an example, for drawing."""
    detail = _require_example(store, settings, example_id, 1, 0)
    rows = named.run(store, settings, "graph_neighbourhood", {"id": detail.id, "limit": limit})
    return shape.neighbourhood(rows)


@router.get("/{example_id:path}", response_model=ExampleDetail, summary="One example")
def get_example(
    example_id: str,
    store: StoreDep,
    settings: SettingsDep,
    limit: Limit = 100,
    offset: Offset = 0,
) -> ExampleDetail:
    """What the example is, who runs it, who points to it, and the voices that point to it
    (with the quote), a page at a time: `limit` mentions from `offset`, of `mention_count`.

    `example_id` is `eksempel/fact` or `fact`.
    """
    return _require_example(store, settings, example_id, limit, offset)


def _require_example(
    store: object, settings: SettingsDep, example_id: str, limit: int, offset: int
) -> ExampleDetail:
    eid = prefixed_id(example_id, "eksempel")
    params = {"example": eid, "limit": limit, "offset": offset}
    rows = named.run(store, settings, "example_detail", params)
    if not rows:
        raise HTTPException(404, f"no example with id {eid!r}")
    return shape.example_detail(rows[0], limit, offset)

"""Actors: list, one actor, similar actors, neighbourhood."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from helsegraf.api import named, shape
from helsegraf.api.deps import SettingsDep, StoreDep
from helsegraf.api.models import ActorDetail, ActorPublic, Neighbourhood, Page, SimilarActor
from helsegraf.api.tables import CSV_RESPONSE, MAX_LIMIT, Format, Limit, Offset, table

router = APIRouter(prefix="/api/actors", tags=["actors"])


@router.get("", response_model=Page[ActorPublic], responses=CSV_RESPONSE, summary="Actors")
def list_actors(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    type: str | None = Query(None, description="actor type, e.g. Kommune, Helseforetak"),
    q: str | None = Query(None, description="part of the name"),
    fylke: str | None = Query(None, description="fylke name or id (kommuner in that fylke)"),
    limit: Limit = 50,
    offset: Offset = 0,
    format: Format = None,
) -> Page[ActorPublic] | Response:
    """Actors that the documents name or that write them, with how much they say."""
    rows, total = named.run_page(
        store,
        settings,
        "actors_list",
        {"type": type or "", "text": q or "", "fylke": fylke or ""},
        limit,
        offset,
    )
    items = [shape.actor_public(r) for r in rows]
    return table(
        request,
        format,
        items,
        limit=limit,
        offset=offset,
        filename="aktorer",
        model=ActorPublic,
        total=total,
    )


@router.get(
    "/{actor_id:path}/similar",
    response_model=Page[SimilarActor],
    responses=CSV_RESPONSE,
    summary="Actors most like this one",
)
def similar_actors(
    actor_id: str,
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    without_cosigners: bool = Query(
        False, description="leave out actors that signed a letter together with this one"
    ),
    limit: Limit = 50,
    offset: Offset = 0,
    format: Format = None,
) -> Page[SimilarActor] | Response:
    """Actors that raise the same challenges, most similar first (Jaccard over challenges:
    challenges both raise, divided by the challenges at least one of them raises)."""
    _require_actor(store, settings, actor_id)
    rows = named.run(
        store,
        settings,
        "similar_actors",
        {"actor": actor_id, "limit": MAX_LIMIT, "without_cosigners": without_cosigners},
    )
    items = [shape.similar_actor(r) for r in rows]
    return table(
        request,
        format,
        items,
        limit=limit,
        offset=offset,
        filename="like-aktorer",
        model=SimilarActor,
    )


@router.get(
    "/{actor_id:path}/graph",
    response_model=Neighbourhood,
    summary="Nodes and edges around an actor",
)
def actor_graph(
    actor_id: str,
    store: StoreDep,
    settings: SettingsDep,
    limit: int = Query(60, ge=1, le=MAX_LIMIT, description="most neighbours"),
) -> Neighbourhood:
    """The neighbourhood of an actor, for drawing."""
    _require_actor(store, settings, actor_id)
    rows = named.run(store, settings, "graph_neighbourhood", {"id": actor_id, "limit": limit})
    return shape.neighbourhood(rows)


@router.get("/{actor_id:path}", response_model=ActorDetail, summary="One actor")
def get_actor(actor_id: str, store: StoreDep, settings: SettingsDep) -> ActorDetail:
    """One actor: its challenges, measures, examples and documents."""
    return _require_actor(store, settings, actor_id)


def _require_actor(store: object, settings: SettingsDep, actor_id: str) -> ActorDetail:
    rows = named.run(store, settings, "actor_detail", {"actor": actor_id})
    if not rows:
        raise HTTPException(404, f"no actor with id {actor_id!r}")
    return shape.actor_detail(rows[0])

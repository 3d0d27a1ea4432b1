"""Challenges (utfordringer): the list with actor counts, and the actors raising one."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from helsegraf.api import named, shape
from helsegraf.api.deps import SettingsDep, StoreDep
from helsegraf.api.ids import concept_id
from helsegraf.api.models import ChallengeActor, ChallengePublic, Page
from helsegraf.api.tables import CSV_RESPONSE, Format, Limit, Offset, table

router = APIRouter(prefix="/api/challenges", tags=["challenges"])


@router.get("", response_model=Page[ChallengePublic], responses=CSV_RESPONSE, summary="Challenges")
def list_challenges(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    limit: Limit = 50,
    offset: Offset = 0,
    format: Format = None,
) -> Page[ChallengePublic] | Response:
    """Every challenge in the codebook (and those documents added), with how many actors raise it."""
    rows = named.run(store, settings, "challenges_list")
    items = [shape.challenge(r) for r in rows]
    return table(
        request,
        format,
        items,
        limit=limit,
        offset=offset,
        filename="utfordringer",
        model=ChallengePublic,
    )


def _explode_quotes(actor: dict[str, Any]) -> list[dict[str, Any]]:
    """One CSV row per quote."""
    base = {k: v for k, v in actor.items() if k != "quotes"}
    return [base | {"quote": q} for q in actor["quotes"]] or [base]


@router.get(
    "/{challenge:path}/actors",
    response_model=Page[ChallengeActor],
    responses=CSV_RESPONSE,
    summary="Actors that raise a challenge",
)
def challenge_actors(
    challenge: str,
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    limit: Limit = 50,
    offset: Offset = 0,
    format: Format = None,
) -> Page[ChallengeActor] | Response:
    """Actors raising the challenge, each with the quotes and documents behind it.

    `challenge` is a codebook id (`utfordring/rekruttering`, also URL-encoded) or the part after
    the slash (`rekruttering`). Municipalities include what their predecessors said.
    """
    cid = concept_id(challenge, "utfordring")
    known = {
        c.id for c in (shape.challenge(r) for r in named.run(store, settings, "challenges_list"))
    }
    if cid not in known:
        raise HTTPException(404, f"no challenge with id {cid!r}")
    rows, total = named.run_page(
        store, settings, "actors_raising_challenge", {"challenge": cid}, limit, offset
    )
    items = shape.challenge_actors(rows)
    return table(
        request,
        format,
        items,
        limit=limit,
        offset=offset,
        filename=cid.replace("/", "-"),
        model=ChallengeActor,
        explode=_explode_quotes,
        total=total,
    )

"""Review routes: correct the machine's coding, the review queue, and the review page.

Included by ``api/app.py`` (``app.include_router(review_api.router)``). Writing routes need
``Authorization: Bearer <HELSEGRAF_API_TOKEN>`` (compared in constant time); the reviewer is
named by ``reviewer`` in the body or an ``X-Reviewer`` header.
"""

from __future__ import annotations

import hmac
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from helsegraf.api.deps import SettingsDep, StoreDep
from helsegraf.api.guard import TokenFirstRoute, before_body
from helsegraf.api.models import ErrorOut, Page
from helsegraf.api.tables import CSV_RESPONSE, Format, Limit, Offset, table
from helsegraf.core.config import Settings
from helsegraf.review import overlay, service

STATIC_DIR = Path(__file__).resolve().parent / "static"

# Writing routes check the token before they read the body.
router = APIRouter(tags=["review"], route_class=TokenFirstRoute)


@before_body
def require_token(request: Request) -> None:
    """Refuse unless the request carries the configured bearer token (constant-time compare)."""
    settings: Settings = request.app.state.settings
    token = settings.api_token.get_secret_value() if settings.api_token else ""
    if not token:
        raise HTTPException(403, "review is off: the server has no HELSEGRAF_API_TOKEN set")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), token.encode()
    ):
        raise HTTPException(
            401, "missing or wrong bearer token", headers={"WWW-Authenticate": "Bearer"}
        )


AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "missing or wrong bearer token"},
    403: {"model": ErrorOut, "description": "review is off (no token configured)"},
}

Reviewer = Annotated[str | None, Header(alias="X-Reviewer", description="reviewer's name")]


class CodingOut(BaseModel):
    """A coding (statement -> concept) with who asserted it and its review status."""

    model_config = ConfigDict(extra="ignore")

    id: str
    kind: str
    concept: str
    quote: str
    document: str | None = Field(None, description="document id")
    document_name: str | None = None
    voice: str | None = None
    line: int | None = None
    start: int | None = None
    end: int | None = None
    page: int | None = None
    status: str = "machine"
    assigned_by: str | None = None
    coded_by: str | None = Field(None, description="rules, model or reviewer")
    confidence: float | None = Field(
        None, description="the statement model's probability of the coding (0–1)"
    )
    previous_concept: str | None = None
    example: str | None = None


def _coding(row: dict[str, Any]) -> CodingOut:
    return CodingOut(
        **{
            **row,
            "document": row.get("doc_id"),
            "document_name": row.get("document"),
            "status": row.get("status") or "machine",
        }
    )


class PatchStatement(BaseModel):
    """Confirm, reject or change a coding."""

    action: Literal["confirm", "reject", "edit"] | None = Field(
        None, description="default: edit if concepts/voice/example are given, else confirm"
    )
    concepts: list[str] | None = Field(
        None, description="new concept(s); the first replaces, further ones are added"
    )
    concept: str | None = Field(None, description="shorthand for concepts=[concept]")
    voice: str | None = Field(None, description="voice id inside the document (v1 …)")
    example: str | None = Field(None, description="name of the example the passage is about")
    reviewer: str | None = None
    note: str | None = None


class NewCoding(BaseModel):
    """A coding the machine missed, anchored on a quote of the document."""

    document: str = Field(description="document id or file name")
    concept: str
    quote: str = Field(description="must occur in the document's text")
    start: int | None = Field(None, ge=0, description="offset of the quote (default: first match)")
    end: int | None = Field(None, ge=0)
    voice: str | None = None
    example: str | None = None
    reviewer: str | None = None
    note: str | None = None


@router.patch(
    "/api/statements/{statement_id:path}",
    response_model=CodingOut,
    summary="Confirm, reject or edit a coding",
    dependencies=[Depends(require_token)],
    responses=AUTH_RESPONSES,
)
def patch_statement(
    statement_id: str,
    body: PatchStatement,
    store: StoreDep,
    settings: SettingsDep,
    request: Request,
    x_reviewer: Reviewer = None,
) -> CodingOut:
    """Record a review decision (kept across re-ingests) and apply it to the graph."""
    concepts = list(body.concepts or []) + ([body.concept] if body.concept else [])
    action = body.action or ("edit" if (concepts or body.voice or body.example) else "confirm")
    row = service.review_statement(
        store,
        settings,
        statement_id,
        action,
        body.reviewer or x_reviewer,
        concepts=concepts,
        voice=body.voice,
        example=body.example,
        note=body.note,
    )
    request.app.state.sparql.invalidate()
    return _coding(row)


@router.post(
    "/api/statements",
    response_model=CodingOut,
    status_code=201,
    summary="Add a coding the machine missed",
    dependencies=[Depends(require_token)],
    responses=AUTH_RESPONSES,
)
def post_statement(
    body: NewCoding,
    store: StoreDep,
    settings: SettingsDep,
    request: Request,
    x_reviewer: Reviewer = None,
) -> CodingOut:
    """Add a reviewer's coding; 400 if the quote does not occur in the document."""
    row = service.add_coding(
        store,
        settings,
        body.document,
        body.concept,
        body.quote,
        reviewer=body.reviewer or x_reviewer,
        start=body.start,
        end=body.end,
        voice=body.voice,
        example=body.example,
        note=body.note,
    )
    request.app.state.sparql.invalidate()
    return _coding(row)


QUEUE_QUERY = (
    "MATCH (v:Stemme)-[:STATES]->(u:Utsagn) MATCH (d:Dokument {id: u.doc_id}) "
    "WHERE ($status = '' OR coalesce(u.status, 'machine') = $status) "
    "AND ($concept = '' OR u.concept = $concept) "
    "AND ($document = '' OR d.id = $document OR d.name = $document) "
    "RETURN u.id AS id, u.kind AS kind, u.concept AS concept, u.quote AS quote, "
    "u.line AS line, u.start AS start, u.`end` AS `end`, u.page AS page, "
    "coalesce(u.status, 'machine') AS status, u.assigned_by AS assigned_by, "
    "u.coded_by AS coded_by, u.confidence AS confidence, "
    "d.id AS doc_id, d.name AS document, v.voice AS voice "
    "ORDER BY "
)
# the queue's orders: reading order, or the model's least sure codings first (codings
# without a confidence, the rules' alone, after those that have one)
QUEUE_ORDER = {
    "document": "d.name, coalesce(u.start, 0), u.concept",
    "confidence": "coalesce(u.confidence, 2.0), d.name, coalesce(u.start, 0), u.concept",
}


@router.get(
    "/api/review",
    response_model=Page[CodingOut],
    responses=CSV_RESPONSE,
    summary="The review queue",
)
def review_queue(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    status: Annotated[
        Literal["machine", "confirmed", "rejected", "edited"] | None,
        Query(description="only codings with this status (default: all)"),
    ] = None,
    concept: Annotated[
        str | None, Query(description="codebook id, e.g. utfordring/rekruttering")
    ] = None,
    document: Annotated[str | None, Query(description="document id or file name")] = None,
    sort: Annotated[
        Literal["document", "confidence"],
        Query(description="document: reading order; confidence: the least sure codings first"),
    ] = "document",
    limit: Limit = 50,
    offset: Offset = 0,
    format: Format = None,
) -> Page[CodingOut] | Response:
    """Codings to review, in document order or least sure first; filter by status, concept
    and document."""
    doc = document or ""
    if doc and not doc.startswith("dokument/") and "." not in doc:
        doc = f"dokument/{doc}"
    if concept and "/" not in concept:  # the part after the slash, as elsewhere in the API
        from helsegraf.ontology.codebook import load_codebook

        found = load_codebook().get(concept)
        concept = found.id if found else concept
    rows = store.query(
        QUEUE_QUERY + QUEUE_ORDER[sort],
        {"status": status or "", "concept": concept or "", "document": doc},
        row_cap=0,
    )
    items = [_coding(r) for r in service.decorate([dict(r) for r in rows], settings)]
    return table(
        request, format, items, limit=limit, offset=offset, filename="kodinger", model=CodingOut
    )


@router.get(
    "/api/review/documents/{document_id:path}",
    summary="A document for review: text, voices, codings, concepts",
)
def review_document(document_id: str, store: StoreDep, settings: SettingsDep) -> dict[str, Any]:
    """Everything the review page shows for one document (`text` is null if not kept)."""
    return service.review_document(store, settings, document_id)


@router.get("/api/review/counts", summary="Codings per review status")
def review_counts(store: StoreDep) -> dict[str, int]:
    """How many codings are machine, confirmed, rejected and edited."""
    return overlay.status_counts(store)


@router.get("/review", include_in_schema=False)
def review_page() -> FileResponse:
    """The review page (Norwegian)."""
    return FileResponse(STATIC_DIR / "review.html", headers={"Cache-Control": "no-cache"})


@router.get("/review/{asset}", include_in_schema=False)
def review_asset(asset: str) -> FileResponse:
    """The review page's script and style sheet."""
    if asset not in ("review.js", "review.css"):
        raise HTTPException(404, "not found")
    return FileResponse(STATIC_DIR / asset, headers={"Cache-Control": "no-cache"})

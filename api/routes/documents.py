"""Documents: list, one document in reading order, and upload."""

from __future__ import annotations

import shutil

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from helsegraf.api import named, shape, upload
from helsegraf.api.deps import SettingsDep, StoreDep
from helsegraf.api.ids import prefixed_id
from helsegraf.api.models import DocumentDetail, DocumentPublic, ErrorOut, Page, UploadResult
from helsegraf.api.tables import CSV_RESPONSE, Format, Limit, Offset, table

router = APIRouter(prefix="/api/documents", tags=["documents"])


@router.get("", response_model=Page[DocumentPublic], responses=CSV_RESPONSE, summary="Documents")
def list_documents(
    request: Request,
    store: StoreDep,
    settings: SettingsDep,
    limit: Limit = 50,
    offset: Offset = 0,
    format: Format = None,
) -> Page[DocumentPublic] | Response:
    """Every document in the graph, with its voice and statement counts."""
    rows, total = named.run_page(store, settings, "documents_list", {}, limit, offset)
    items = [shape.document_public(r) for r in rows]
    return table(
        request,
        format,
        items,
        limit=limit,
        offset=offset,
        filename="dokumenter",
        model=DocumentPublic,
        total=total,
    )


@router.get("/{document_id:path}", response_model=DocumentDetail, summary="One document")
def get_document(document_id: str, store: StoreDep, settings: SettingsDep) -> DocumentDetail:
    """A document with its voices (authors) and their statements in reading order.

    `document_id` is the id (`dokument/3f2a…`, or the part after the slash) or the file name.
    """
    key = document_id if "." in document_id else prefixed_id(document_id, "dokument")
    rows = named.run(store, settings, "document_detail", {"document": key})
    if not rows:
        raise HTTPException(404, f"no document {document_id!r}")
    statements = named.run(store, settings, "document_statements", {"document": key})
    return shape.document_detail(rows[0], statements)


#: Above any upload limit one would set; the route enforces the setting itself.
UPLOAD_BODY_CEILING = 1 << 40

UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "the document: .txt, .pdf or .docx",
                        }
                    },
                }
            }
        },
    }
}


@router.post(
    "",
    response_model=UploadResult,
    status_code=201,
    summary="Upload and ingest a document",
    openapi_extra=UPLOAD_BODY,
    # The file is streamed to disk and stopped at HELSEGRAF_MAX_UPLOAD_BYTES (api/upload.py);
    # this only lifts the app's limit for ordinary request bodies.
    max_body_size=UPLOAD_BODY_CEILING,
    responses={
        401: {"model": ErrorOut, "description": "missing or wrong bearer token"},
        403: {"model": ErrorOut, "description": "uploads are off (no token configured)"},
        413: {"model": ErrorOut, "description": "file larger than the upload limit"},
        415: {"model": ErrorOut, "description": "not .txt, .pdf or .docx"},
    },
)
async def upload_document(request: Request, store: StoreDep, settings: SettingsDep) -> UploadResult:
    """Extract a document and load it into the graph (replacing a document of the same name).

    Needs `Authorization: Bearer <HELSEGRAF_API_TOKEN>`; off when no token is configured.
    The body is `multipart/form-data` with the file in the `file` field.
    """
    upload.check_token(request, settings)
    path = await upload.receive_file(request, settings, settings.data_dir / "uploads")
    try:
        # In a worker process, stopped at the document time limit (an alarm cannot fire in
        # a server thread, and lxml or pypdf may hold the interpreter).
        extraction = await run_in_threadpool(request.app.state.extractor.extract, path)
        from helsegraf.review.texts import remember_ingested  # text for the review page

        await run_in_threadpool(remember_ingested, path, extraction.sha256, settings)
        await run_in_threadpool(store.load_extraction, extraction)
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)
    request.app.state.sparql.invalidate()
    rows = await run_in_threadpool(
        named.run, store, settings, "document_detail", {"document": extraction.document}
    )
    doc = shape.document_public(rows[0]) if rows else None
    return UploadResult(
        document={
            "id": doc.id if doc else (extraction.id or extraction.document),
            "name": extraction.document,
            "title": extraction.title,
        },
        challenges=len(extraction.challenges),
        measures=len(extraction.measures),
        examples=len(extraction.examples),
        actors=len(extraction.actors),
    )

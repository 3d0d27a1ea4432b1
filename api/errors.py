"""Errors as JSON ``{"detail": "<message>"}`` with the right status, never a stack trace."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from helsegraf.api.models import ErrorOut
from helsegraf.core.errors import HelsegrafError

log = logging.getLogger("helsegraf.api")

TIMEOUT_STATUS = 422


def _status_table() -> list[tuple[type[BaseException], int]]:
    """Status per typed error of the store and the SPARQL engine, most specific first."""
    from helsegraf.graph import errors as graph
    from helsegraf.graph import sparql

    return [
        (graph.QueryTimeout, TIMEOUT_STATUS),
        (sparql.QueryTimeout, TIMEOUT_STATUS),
        (graph.QueryRejected, 400),
        (graph.QueryError, 400),
        (sparql.QueryRefused, 400),
        (sparql.SparqlSyntaxError, 400),
        (graph.StoreUnavailable, 503),
    ]


def status_for(exc: BaseException) -> int:
    """HTTP status for an expected error: by its type (timeouts 422, refusals 400), else 400."""
    explicit = getattr(exc, "status_code", None)
    if isinstance(explicit, int) and 400 <= explicit < 600:
        return explicit
    for cls, status in _status_table():
        if isinstance(exc, cls):
            return status
    if isinstance(exc, TimeoutError):
        return TIMEOUT_STATUS
    return 400


def error_response(
    status: int, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """A JSON error answer."""
    return JSONResponse({"detail": message}, status_code=status, headers=headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "request"
        parts.append(f"{loc}: {err.get('msg', 'invalid')}")
    return "invalid request: " + "; ".join(parts)


def public_message(exc: HelsegrafError, request: Request | None = None) -> str:
    """The error's one line without the server's own paths: a file is named by its name
    (an upload's temporary folder means nothing to the client), also inside the message,
    and any other mention of the data directory reads ``<data>``."""
    if exc.path and Path(exc.path).is_absolute():
        message = f"{Path(exc.path).name}: {exc.reason}"
    else:
        message = str(exc)
    settings = getattr(getattr(request, "app", None), "state", None)
    data_dir = getattr(getattr(settings, "settings", None), "data_dir", None)
    if data_dir:
        for form in {str(data_dir), str(Path(data_dir).expanduser().resolve())}:
            # a file inside it (an upload's temporary copy) by its name, the rest as <data>
            message = re.sub(re.escape(form) + r"/(?:[^/\n]*/)*([^/\n:]+)", r"\1", message)
            message = message.replace(form, "<data>")
    return message


def install(app: FastAPI) -> None:
    """Register the exception handlers on ``app``."""

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        return error_response(exc.status_code, detail, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, _validation_message(exc))

    @app.exception_handler(HelsegrafError)
    async def _expected(request: Request, exc: HelsegrafError) -> JSONResponse:
        status = status_for(exc)
        if status >= 500:
            log.warning("%s %s: %s", request.method, request.url.path, exc)
        return error_response(status, public_message(exc, request))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error in %s %s", request.method, request.url.path)
        return error_response(500, "internal error: the server could not answer this request")


# Documented on every route: the JSON error body.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "bad request"},
    404: {"model": ErrorOut, "description": "not found"},
    422: {"model": ErrorOut, "description": "invalid parameters, or the query hit its time limit"},
    500: {"model": ErrorOut, "description": "internal error"},
    503: {"model": ErrorOut, "description": "the graph store cannot be reached"},
}

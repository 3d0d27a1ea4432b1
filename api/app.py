"""The FastAPI application: JSON API under ``/api``, SPARQL at ``/sparql``, the web page at ``/``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.staticfiles import StaticFiles

from helsegraf import __version__
from helsegraf.api import errors
from helsegraf.api.deps import SparqlHolder
from helsegraf.api.response_cache import ResponseCache
from helsegraf.api.routes import (
    actors,
    challenges,
    cypher,
    documents,
    examples,
    export,
    matrix,
    measures,
    meta,
    sparql,
    ui,
)
from helsegraf.core.config import Settings, get_settings
from helsegraf.core.workers import BACKGROUND_NICE
from helsegraf.ingest.isolated import Extractor

log = logging.getLogger("helsegraf.api")

STATIC_DIR = Path(__file__).parent / "static"

DESCRIPTION = """\
Query the helsegraf knowledge graph: actors, the challenges (utfordringer) they raise, the
measures (tiltak) they propose and the good-practice examples (eksempler) they point to —
each with the quote, line, offsets and page it comes from.

* Every list route takes `limit` and `offset` and answers `{items, total, limit, offset}`;
  add `?format=csv` (or send `Accept: text/csv`) for a CSV download.
* Codebook ids contain a slash: `/api/challenges/rekruttering/actors`,
  `/api/challenges/utfordring%2Frekruttering/actors` and
  `/api/challenges/utfordring/rekruttering/actors` are the same.
* `POST /api/cypher` runs read-only Cypher (enforced by the graph engine) with a time limit and a
  row cap; a query that hits the time limit answers **422**.
* `/sparql` is a SPARQL 1.1 Protocol endpoint (query only).
* Errors are `{"detail": "<message>"}`.
"""


def create_app(settings: Settings | None = None, *, store: Any = None) -> FastAPI:
    """Build the app. The store is opened at start-up and closed at shutdown.

    Pass ``store`` to serve an already open store (the app then leaves closing it to the caller).
    """
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = store is None
        if own:
            from helsegraf.graph.store import open_store

            app.state.store = open_store(settings)
            # Codebook and registries, so the page works on an empty store too; a no-op
            # (one hash check) when they are loaded and unchanged.
            try:
                await run_in_threadpool(app.state.store.ensure_reference)
            except BaseException:
                app.state.store.close()
                raise
        else:
            app.state.store = store
        try:
            yield
        finally:
            app.state.sparql.close()
            app.state.extractor.close()
            if own:
                app.state.store.close()
            app.state.store = None

    app = FastAPI(
        title="helsegraf",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        responses=errors.ERROR_RESPONSES,
        # Served by ui.py from the vendored Swagger UI, so the docs work offline.
        docs_url=None,
        redoc_url=None,
        # Every body is limited (413 before it is read when Content-Length says so, else as
        # soon as it runs over); the upload route streams its file under its own limit.
        max_body_size=settings.max_request_bytes,
    )
    app.state.settings = settings
    app.state.store = None
    app.state.sparql = SparqlHolder()
    # Uploads are extracted below the request threads' CPU priority (see core/workers.py).
    app.state.extractor = Extractor(nice=BACKGROUND_NICE)
    app.state.export_cache = {}
    errors.install(app)
    # Whole answers of the read-only GET routes, for the store's current write counter.
    app.add_middleware(ResponseCache)

    for module in (
        meta,
        actors,
        challenges,
        measures,
        matrix,
        examples,
        documents,
        export,
        cypher,
        sparql,
        ui,
    ):
        app.include_router(module.router)
    from helsegraf.review import api as review_api

    app.include_router(review_api.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app

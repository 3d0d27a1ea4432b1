"""Dependencies of the routes: settings, the graph store, the SPARQL engine, the catalog."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request

from helsegraf.core.config import Settings
from helsegraf.core.errors import HelsegrafError

if TYPE_CHECKING:
    from helsegraf.graph.store import GraphStore


def get_app_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    return request.app.state.settings


def get_store(request: Request) -> GraphStore:
    """The graph store opened at start-up (one per app)."""
    store = getattr(request.app.state, "store", None)
    if store is None:
        raise HelsegrafError("the graph store is not open")
    return store


class SparqlHolder:
    """The SPARQL engine over the RDF export of the store, rebuilt when the graph changes.

    The RDF view is an export of the property graph (kept on disk by the engine). Each use
    checks whether the graph changed since the engine was built: by the store's write counter
    where it keeps one (one read), else by its fingerprint (counts and document signatures).
    Only a SPARQL request rebuilds the view, and only when the graph changed since the last
    build (writes in between cost nothing). The view is built by a worker process of its own
    (:func:`helsegraf.graph.sparql.view_builder`, at a lower CPU priority), not by the server's
    request threads: the export is seconds of Python for a large graph. The request that
    finds the view out of date waits for the rebuild; requests that come meanwhile are
    answered from the previous view (when there is one), so SPARQL may lag a write by the time
    of one rebuild. The engine's query workers stay across rebuilds and move to the new view
    with their next query.
    """

    def __init__(self) -> None:
        self._engine: Any = None
        self._key: Any = None
        self._lock = threading.Lock()
        self._building = threading.Lock()
        self._builder: Any = None

    def invalidate(self) -> None:
        """Mark the engine out of date; the next :meth:`get` rebuilds it."""
        with self._lock:
            self._key = None

    def close(self) -> None:
        """Stop the engine's worker processes and the view builder."""
        with self._lock:
            engine, self._engine, self._key = self._engine, None, None
            builder, self._builder = self._builder, None
        if engine is not None:
            engine.close()
        if builder is not None:
            builder.stop()

    @staticmethod
    def _freshness(store: GraphStore) -> Any:
        from helsegraf.graph.sparql import graph_fingerprint

        generation = store.generation()
        return ("generation", generation) if generation is not None else graph_fingerprint(store)

    def get(self, store: GraphStore, settings: Settings) -> Any:
        """Return the engine, building it from ``store`` if the graph changed."""
        from helsegraf.core.workers import BACKGROUND_NICE
        from helsegraf.graph.sparql import SparqlEngine, engine_options

        key = self._freshness(store)
        with self._lock:
            engine, current = self._engine, self._key
        if engine is not None and current == key:
            return engine
        if engine is not None:
            if not self._building.acquire(blocking=False):
                return engine  # being rebuilt: answer from the previous view meanwhile
        else:
            self._building.acquire()
        try:
            with self._lock:
                if self._engine is not None and self._key == key:
                    return self._engine
            path, prefixes = self._build(settings)
            with self._lock:
                if self._engine is None:
                    self._engine = SparqlEngine(
                        store_path=path,
                        prefixes=prefixes,
                        worker_nice=BACKGROUND_NICE,
                        **engine_options(settings),
                    )
                else:  # the same worker processes answer from the new view
                    self._engine.retarget(path, prefixes)
                self._key = key
                return self._engine
        finally:
            self._building.release()

    def _build(self, settings: Settings) -> tuple[str, dict[str, str]]:
        """Path and prefixes of a view built by the builder process (called holding
        ``_building``)."""
        from helsegraf.core.workers import BACKGROUND_NICE, WorkerDied, WorkerProcess

        builder = self._builder
        if builder is None or not builder.alive():
            builder = self._builder = WorkerProcess(
                "helsegraf.graph.sparql:view_builder", nice=BACKGROUND_NICE
            )
        try:
            # No time limit: exporting a large graph takes minutes, and only this request
            # waits for it (the others are answered from the previous view).
            answer = builder.call(settings, None)
        except WorkerDied:
            self._builder = None
            raise HelsegrafError("the RDF view for SPARQL could not be built") from None
        if not (isinstance(answer, tuple) and answer[0] == "view"):
            reason = answer[2] if isinstance(answer, tuple) and len(answer) > 2 else answer
            raise HelsegrafError(f"the RDF view for SPARQL could not be built: {reason}")
        return answer[1], answer[2]


def get_sparql(request: Request) -> Any:
    """The SPARQL engine over the RDF export of the store."""
    holder: SparqlHolder = request.app.state.sparql
    return holder.get(get_store(request), request.app.state.settings)


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
StoreDep = Annotated[Any, Depends(get_store)]
SparqlDep = Annotated[Any, Depends(get_sparql)]

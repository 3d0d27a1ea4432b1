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
    One request rebuilds the view; requests that come meanwhile are answered from the previous
    view instead of waiting (when there is one), so a write holds up no reader: SPARQL may lag
    a write by the time of one rebuild. Engines that are replaced stop their workers once
    their queries are done.
    """

    def __init__(self) -> None:
        self._engine: Any = None
        self._key: Any = None
        self._lock = threading.Lock()
        self._building = threading.Lock()

    def invalidate(self) -> None:
        """Mark the engine out of date; the next :meth:`get` rebuilds it."""
        with self._lock:
            self._key = None

    def close(self) -> None:
        """Stop the engine's worker processes."""
        with self._lock:
            engine, self._engine, self._key = self._engine, None, None
        if engine is not None:
            engine.close()

    @staticmethod
    def _freshness(store: GraphStore) -> Any:
        from helsegraf.graph.sparql import graph_fingerprint

        generation = store.generation()
        return ("generation", generation) if generation is not None else graph_fingerprint(store)

    def get(self, store: GraphStore, settings: Settings) -> Any:
        """Return the engine, building it from ``store`` if the graph changed."""
        from helsegraf.graph.sparql import SparqlEngine

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
            fresh = SparqlEngine.for_store(store, settings)
            with self._lock:
                old, self._engine, self._key = self._engine, fresh, key
            if old is not None and old is not fresh:
                old.close()
            return fresh
        finally:
            self._building.release()


def get_sparql(request: Request) -> Any:
    """The SPARQL engine over the RDF export of the store."""
    holder: SparqlHolder = request.app.state.sparql
    return holder.get(get_store(request), request.app.state.settings)


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
StoreDep = Annotated[Any, Depends(get_store)]
SparqlDep = Annotated[Any, Depends(get_sparql)]

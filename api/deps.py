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
    compares the graph's fingerprint (counts and document signatures, a few cheap queries)
    with the one the engine was built from, so uploads and review edits show up in SPARQL.
    """

    def __init__(self) -> None:
        self._engine: Any = None
        self._key: str | None = None
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        """Forget the engine; the next :meth:`get` builds it again."""
        with self._lock:
            engine, self._engine, self._key = self._engine, None, None
        if engine is not None:
            engine.close()

    def close(self) -> None:
        """Stop the engine's worker process."""
        self.invalidate()

    def get(self, store: GraphStore, settings: Settings) -> Any:
        """Return the engine, building it from ``store`` if the graph changed."""
        from helsegraf.graph.sparql import SparqlEngine, graph_fingerprint

        key = graph_fingerprint(store)
        with self._lock:
            if self._engine is None or self._key != key:
                if self._engine is not None:
                    self._engine.close()
                self._engine = SparqlEngine.for_store(store, settings)
                self._key = key
            return self._engine


def get_sparql(request: Request) -> Any:
    """The SPARQL engine over the RDF export of the store."""
    holder: SparqlHolder = request.app.state.sparql
    return holder.get(get_store(request), request.app.state.settings)


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
StoreDep = Annotated[Any, Depends(get_store)]
SparqlDep = Annotated[Any, Depends(get_sparql)]

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
    """Builds the SPARQL engine from the store on first use, and again after the graph changes.

    The RDF view is an export of the property graph (cached on disk by the engine), so it is
    built lazily: a document upload marks it stale and the next SPARQL query pays for the rebuild.
    """

    def __init__(self) -> None:
        self._engine: Any = None
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        """Forget the engine; the next :meth:`get` builds it again."""
        with self._lock:
            engine, self._engine = self._engine, None
        if engine is not None:
            engine.close()

    def close(self) -> None:
        """Stop the engine's worker process."""
        self.invalidate()

    def get(self, store: GraphStore, settings: Settings) -> Any:
        """Return the engine, building it from ``store`` if needed."""
        with self._lock:
            if self._engine is None:
                from helsegraf.graph.sparql import SparqlEngine

                self._engine = SparqlEngine.for_store(store, settings)
            return self._engine


def get_sparql(request: Request) -> Any:
    """The SPARQL engine over the RDF export of the store."""
    holder: SparqlHolder = request.app.state.sparql
    return holder.get(get_store(request), request.app.state.settings)


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
StoreDep = Annotated[Any, Depends(get_store)]
SparqlDep = Annotated[Any, Depends(get_sparql)]

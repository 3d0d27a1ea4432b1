"""Run a named query from the catalog (``queries/``) against the store."""

from __future__ import annotations

from typing import Any

from helsegraf.core.config import Settings
from helsegraf.queries import catalog


def run(
    store: Any, settings: Settings, name: str, params: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Run the catalog's Cypher query ``name`` read-only, within the settings' time limit."""
    query = catalog.get(name)
    return store.query(
        query.text, params or {}, read_only=True, timeout_ms=settings.query_timeout_ms
    )

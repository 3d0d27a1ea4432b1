"""Run a named query from the catalog (``queries/``) against the store."""

from __future__ import annotations

from typing import Any

from helsegraf.core.config import Settings


def run(
    store: Any, settings: Settings, name: str, params: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Run the catalog's Cypher query ``name`` read-only, within the settings' time limit.

    All rows come back (no row cap): the routes page through them and report the total.
    """
    return store.run_named(name, params or {}, timeout_ms=settings.query_timeout_ms, row_cap=0)

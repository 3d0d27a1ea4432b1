"""Run a named query from the catalog (``queries/``) against the store.

Answers are kept in a small cache per store, keyed by the store's write counter
(:meth:`GraphStore.generation`): any write to the store — ingest (from any process), upload,
review, a codebook edit — changes the counter, and the next request runs the query again.
Stores that keep no counter (Neo4j) are not cached.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from typing import Any

from helsegraf.core.config import Settings

#: Most answers kept per store, most rows of one answer worth keeping, and most rows kept in
#: all (the memory bound: a row is a dict of a few values).
CACHE_ENTRIES = 256
CACHE_MAX_ROWS = 5000
CACHE_TOTAL_ROWS = 50_000


class AnswerCache:
    """Least-recently-used answers of named queries, valid for one write counter value."""

    def __init__(
        self,
        entries: int = CACHE_ENTRIES,
        max_rows: int = CACHE_MAX_ROWS,
        total_rows: int = CACHE_TOTAL_ROWS,
    ) -> None:
        self.entries = entries
        self.max_rows = max_rows
        self.total_rows = total_rows
        self._rows = 0
        self._generation: int | None = None
        self._items: OrderedDict[tuple[str, tuple], Any] = OrderedDict()
        self._lock = threading.Lock()
        # One lock per answer being computed: concurrent requests for the same missing answer
        # wait for the first instead of all running the query (a cold cache under load).
        self._computing: dict[tuple[str, tuple], threading.Lock] = {}
        self.hits = self.misses = 0

    def computing(self, key: tuple[str, tuple]) -> threading.Lock:
        """The lock held while the answer for ``key`` is being computed."""
        with self._lock:
            return self._computing.setdefault(key, threading.Lock())

    def done(self, key: tuple[str, tuple]) -> None:
        with self._lock:
            self._computing.pop(key, None)

    @staticmethod
    def key(name: str, params: dict[str, Any]) -> tuple[str, tuple]:
        return name, tuple(sorted((k, repr(v)) for k, v in params.items()))

    def get(self, generation: int, key: tuple[str, tuple]) -> Any | None:
        with self._lock:
            if generation != self._generation:
                self._items.clear()
                self._rows = 0
                self._generation = generation
            rows = self._items.get(key)
            if rows is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
        return _copy(rows)

    def peek(self, generation: int, key: tuple[str, tuple]) -> Any | None:
        """Like :meth:`get`, without counting a hit or a miss."""
        with self._lock:
            if generation != self._generation:
                return None
            rows = self._items.get(key)
        return None if rows is None else _copy(rows)

    def put(self, generation: int, key: tuple[str, tuple], rows: Any) -> None:
        if len(rows) > self.max_rows:
            return
        with self._lock:
            if generation != self._generation:
                return  # the store changed while the query ran
            old = self._items.pop(key, None)
            self._rows -= len(old) if old is not None else 0
            self._items[key] = _copy(rows)
            self._rows += len(rows)
            while len(self._items) > self.entries or self._rows > self.total_rows:
                _, dropped = self._items.popitem(last=False)
                self._rows -= len(dropped)


def _copy(rows: Any) -> Any:
    """A copy the caller may change (the routes shape rows in place)."""
    from helsegraf.graph.store import Rows

    return Rows(copy.deepcopy(list(rows)), rows.columns, rows.truncated)


def cache_of(store: Any) -> AnswerCache:
    """The answer cache of ``store`` (made on first use)."""
    cache = getattr(store, "_answer_cache", None)
    if cache is None:
        cache = AnswerCache()
        store._answer_cache = cache
    return cache


def run(
    store: Any, settings: Settings, name: str, params: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Run the catalog's Cypher query ``name`` read-only, within the settings' time limit.

    All rows come back (no row cap): the routes page through them and report the total.
    """
    params = params or {}
    generation = store.generation() if hasattr(store, "generation") else None
    if generation is None:
        return store.run_named(name, params, timeout_ms=settings.query_timeout_ms, row_cap=0)
    cache = cache_of(store)
    key = cache.key(name, params)
    rows = cache.get(generation, key)
    if rows is not None:
        return rows
    with cache.computing(key):
        # Another request may have computed it while this one waited.
        rows = cache.peek(generation, key)
        if rows is None:
            rows = store.run_named(name, params, timeout_ms=settings.query_timeout_ms, row_cap=0)
            cache.put(generation, key, rows)
    cache.done(key)
    return rows


def run_page(
    store: Any,
    settings: Settings,
    name: str,
    params: dict[str, Any],
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    """Run a catalog query that pages itself (``limit``, ``offset`` and a ``total`` column);
    return the page's rows and the total."""
    rows = run(store, settings, name, {**params, "limit": limit, "offset": offset})
    if rows:
        return rows, int(rows[0]["total"])
    if offset == 0:
        return rows, 0
    # Past the end: the page is empty, the total is that of the first page.
    first = run(store, settings, name, {**params, "limit": 1, "offset": 0})
    return rows, int(first[0]["total"]) if first else 0

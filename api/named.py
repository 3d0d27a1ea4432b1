"""Run a named query from the catalog (``queries/``) against the store.

Answers are kept in a small cache per store, keyed by the store's write counter
(:meth:`GraphStore.generation`): any write to the store — ingest (from any process), upload,
review, a codebook edit — changes the counter, and the next request runs the query again.
Stores that keep no counter (Neo4j) are not cached.
"""

from __future__ import annotations

import copy
import pickle
import threading
from collections import OrderedDict
from typing import Any

from helsegraf.core.config import Settings

#: Most answers kept per store, most rows of one answer worth keeping, and most rows kept in
#: all (the memory bound: a row is a dict of a few values).
CACHE_ENTRIES = 256
CACHE_MAX_ROWS = 5000
CACHE_TOTAL_ROWS = 50_000


class _Pending:
    """An answer being computed: the requests that wait for it take it when it is done."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.answer: _Frozen | None = None
        self.error: BaseException | None = None


#: An answer as kept: its rows pickled (a fresh copy is one ``pickle.loads``, several times
#: cheaper than a deep copy), its columns, whether it was cut, its number of rows.
_Frozen = tuple[bytes, list[str], bool, int]


def _freeze(rows: Any) -> _Frozen:
    return (
        pickle.dumps(list(rows), protocol=pickle.HIGHEST_PROTOCOL),
        list(getattr(rows, "columns", [])),
        bool(getattr(rows, "truncated", False)),
        len(rows),
    )


def _thaw(frozen: _Frozen) -> Any:
    """A copy the caller may change (the routes shape rows in place)."""
    from helsegraf.graph.store import Rows

    data, columns, truncated, _ = frozen
    return Rows(pickle.loads(data), columns, truncated)


class AnswerCache:
    """Least-recently-used answers of named queries, valid for one write counter value.

    An answer missing for a write counter value is computed once however many requests ask
    for it meanwhile: they wait for the first and take its answer, even when the store was
    written while it ran (the answer is that of the value they read; a request that reads the
    new value computes its own).
    """

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
        self._items: OrderedDict[tuple[str, tuple], _Frozen] = OrderedDict()
        self._lock = threading.Lock()
        self._pending: dict[tuple[int, tuple[str, tuple]], _Pending] = {}
        self.hits = self.misses = 0

    @staticmethod
    def key(name: str, params: dict[str, Any]) -> tuple[str, tuple]:
        return name, tuple(sorted((k, repr(v)) for k, v in params.items()))

    def get(self, generation: int, key: tuple[str, tuple]) -> Any | None:
        with self._lock:
            if generation != self._generation:
                self._items.clear()
                self._rows = 0
                self._generation = generation
            frozen = self._items.get(key)
            if frozen is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
        return _thaw(frozen)

    def peek(self, generation: int, key: tuple[str, tuple]) -> Any | None:
        """Like :meth:`get`, without counting a hit or a miss."""
        with self._lock:
            if generation != self._generation:
                return None
            frozen = self._items.get(key)
        return None if frozen is None else _thaw(frozen)

    def put(self, generation: int, key: tuple[str, tuple], rows: Any) -> None:
        if len(rows) <= self.max_rows:
            self._keep(generation, key, _freeze(rows))

    def _keep(self, generation: int, key: tuple[str, tuple], frozen: _Frozen) -> None:
        if frozen[3] > self.max_rows:
            return
        with self._lock:
            if generation != self._generation:
                return  # the store changed while the query ran
            old = self._items.pop(key, None)
            self._rows -= old[3] if old is not None else 0
            self._items[key] = frozen
            self._rows += frozen[3]
            while len(self._items) > self.entries or self._rows > self.total_rows:
                _, dropped = self._items.popitem(last=False)
                self._rows -= dropped[3]

    def compute(self, generation: int, key: tuple[str, tuple], query: Any) -> Any:
        """The answer for ``key`` at ``generation``: from the cache, from the request already
        computing it (waiting for that), or from ``query()`` (then kept)."""
        rows = self.get(generation, key)
        if rows is not None:
            return rows
        with self._lock:
            pending = self._pending.get((generation, key))
            mine = pending is None
            if pending is None:
                pending = self._pending[(generation, key)] = _Pending()
        if not mine:
            pending.done.wait()
            if pending.error is not None:
                raise copy.copy(pending.error)
            assert pending.answer is not None
            return _thaw(pending.answer)
        try:
            rows = self.peek(generation, key)  # computed between the miss and now
            if rows is None:
                rows = query()
            pending.answer = _freeze(rows)
            self._keep(generation, key, pending.answer)
            return rows
        except BaseException as exc:
            pending.error = exc
            raise
        finally:
            with self._lock:
                self._pending.pop((generation, key), None)
            pending.done.set()


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
    return cache.compute(
        generation,
        cache.key(name, params),
        lambda: store.run_named(name, params, timeout_ms=settings.query_timeout_ms, row_cap=0),
    )


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

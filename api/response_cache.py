"""Whole answers of the read-only GET routes, kept for one value of the store's write counter.

The named-query cache (:mod:`helsegraf.api.named`) saves the store's work; shaping the rows
into response models and serialising them is left, and for a route with thousands of nested
rows (a measure with its statements) that costs more than the query. This middleware keeps
the response itself (status 200, the body and its headers), keyed by the path, the query
string and the ``Accept`` header, and valid while the store's write counter
(:meth:`GraphStore.generation`) keeps the value it had when the request came: any write — an
upload, a review edit, an ingest by another process — makes the next request run the route
again, as for the named queries. Requests for an answer being made wait for it rather than
run the route too. Stores without a counter (Neo4j) are not cached.

Routes whose answer depends on anything but the store and the request are left out: the
health check (it must ask the store), review (behind the token) and exports (streamed, and
kept by their own cache). The codebook's concepts are read once per process, so they keep.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Most answers kept, largest answer kept, most bytes kept in all.
MAX_ENTRIES = 512
MAX_BODY_BYTES = 2_000_000
MAX_TOTAL_BYTES = 32_000_000

_LEFT_OUT = ("/api/health", "/api/review", "/api/export")

_Key = tuple[str, bytes, bytes]
_Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


class _Flight:
    """An answer being made: requests for the same one wait for it instead of running the
    route too (all of them in the server's one event loop)."""

    def __init__(self) -> None:
        self.done = asyncio.Event()
        self.answer: _Answer | None = None


class ResponseCache:
    """ASGI middleware: answers of ``GET /api/...`` routes for the current write counter."""

    def __init__(
        self,
        app: ASGIApp,
        max_entries: int = MAX_ENTRIES,
        max_body_bytes: int = MAX_BODY_BYTES,
        max_total_bytes: int = MAX_TOTAL_BYTES,
    ) -> None:
        self.app = app
        self.max_entries = max_entries
        self.max_body_bytes = max_body_bytes
        self.max_total_bytes = max_total_bytes
        self._items: OrderedDict[_Key, _Answer] = OrderedDict()
        self._bytes = 0
        self._generation: int | None = None
        self._lock = threading.Lock()
        self._flights: dict[tuple[int, _Key], _Flight] = {}
        self.hits = self.misses = 0

    @staticmethod
    def _cacheable(scope: Scope) -> bool:
        path: str = scope.get("path", "")
        return (
            scope["type"] == "http"
            and scope.get("method") == "GET"
            and path.startswith("/api/")
            and not path.startswith(_LEFT_OUT)
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._cacheable(scope):
            await self.app(scope, receive, send)
            return
        store = getattr(scope["app"].state, "store", None)
        generation = store.generation() if store is not None else None
        if generation is None:
            await self.app(scope, receive, send)
            return
        accept = b"".join(v for k, v in scope.get("headers", []) if k == b"accept")
        key: _Key = (scope["path"], scope.get("query_string", b""), accept)
        answer = self._get(generation, key)
        flight = self._flights.get((generation, key))
        if answer is None and flight is not None:
            # The same answer is being made for another request: wait for it.
            await flight.done.wait()
            answer = flight.answer
        if answer is not None:
            status, headers, body = answer
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        if flight is not None:  # it could not be kept (not 200, too large): run the route
            await self.app(scope, receive, send)
            return
        flight = self._flights[(generation, key)] = _Flight()
        try:
            await self._fill(scope, receive, send, generation, key, flight)
        finally:
            del self._flights[(generation, key)]
            flight.done.set()

    async def _fill(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        generation: int,
        key: _Key,
        flight: _Flight,
    ) -> None:
        """Run the route, keep its answer when it can be kept."""
        start: dict[str, Any] = {}
        chunks: list[bytes] = []
        size = 0
        keep = True

        async def capture(message: Message) -> None:
            nonlocal size, keep
            if message["type"] == "http.response.start":
                start.update(message)
                keep = message["status"] == 200
            elif message["type"] == "http.response.body" and keep:
                body = message.get("body", b"")
                size += len(body)
                if size > self.max_body_bytes:
                    keep = False
                    chunks.clear()
                else:
                    chunks.append(body)
                if not message.get("more_body", False) and keep:
                    headers = [(k, v) for k, v in start.get("headers", []) if k != b"set-cookie"]
                    flight.answer = (start["status"], headers, b"".join(chunks))
                    self._put(generation, key, flight.answer)
            await send(message)

        await self.app(scope, receive, capture)

    def _get(self, generation: int, key: _Key) -> _Answer | None:
        with self._lock:
            if generation != self._generation:
                self._items.clear()
                self._bytes = 0
                self._generation = generation
            answer = self._items.get(key)
            if answer is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return answer

    def _put(self, generation: int, key: _Key, answer: _Answer) -> None:
        with self._lock:
            if generation != self._generation:
                return  # the store changed while the route ran
            old = self._items.pop(key, None)
            self._bytes -= len(old[2]) if old is not None else 0
            self._items[key] = answer
            self._bytes += len(answer[2])
            while len(self._items) > self.max_entries or self._bytes > self.max_total_bytes:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= len(dropped[2])

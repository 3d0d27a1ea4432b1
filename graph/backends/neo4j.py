"""Neo4j 5 through the official ``neo4j`` driver (shared, multi-user use).

Read-only queries run in sessions opened with ``default_access_mode=READ_ACCESS``; Neo4j
refuses a write there (``Neo.ClientError.Statement.AccessMode``). Time limits are transaction
timeouts (``neo4j.Query(text, timeout=...)``), enforced by the server.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from helsegraf.core.config import Settings
from helsegraf.graph.errors import QueryError, QueryRejected, QueryTimeout, StoreUnavailable
from helsegraf.graph.store import FULLTEXT, ID_LABELS, INDEXES, GraphStore, Rows, label


def _plain(value: Any) -> Any:
    """Turn driver values into plain Python (dicts, lists, scalars, ISO strings)."""
    from neo4j.graph import Node, Path, Relationship

    if isinstance(value, Node):
        out = {k: _plain(v) for k, v in value.items()}
        out["_labels"] = sorted(value.labels)
        return out
    if isinstance(value, Relationship):
        out = {k: _plain(v) for k, v in value.items()}
        out["_type"] = value.type
        return out
    if isinstance(value, Path):
        return {
            "nodes": [_plain(n) for n in value.nodes],
            "relationships": [_plain(r) for r in value.relationships],
        }
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "iso_format"):  # neo4j.time types
        return value.iso_format()
    return value


def _index_name(*parts: str) -> str:
    return "_".join(p.lower().replace("ø", "o") for p in parts)


class Neo4jStore(GraphStore):
    """A Neo4j 5 database (``HELSEGRAF_NEO4J_URI``, user, password, database)."""

    dialect: ClassVar[str] = "neo4j"

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        from neo4j import GraphDatabase
        from neo4j.exceptions import AuthError, ServiceUnavailable

        if not settings.neo4j_uri:
            raise StoreUnavailable("HELSEGRAF_NEO4J_URI is not set (needed for backend neo4j)")
        self._database = settings.neo4j_database
        try:
            self._driver = GraphDatabase.driver(
                settings.neo4j_uri,
                auth=(settings.neo4j_user, settings.neo4j_password.get_secret_value()),
                # Nothing reads the server's notices (deprecations, null-in-aggregate): the
                # driver would log each one as a warning with the whole query text.
                notifications_min_severity="OFF",
            )
            self._driver.verify_connectivity()
        except (ServiceUnavailable, AuthError, OSError, ValueError) as exc:
            raise StoreUnavailable(f"cannot reach Neo4j at {settings.neo4j_uri}: {exc}") from None
        self._closed = False

    # ------------------------------------------------------------------ queries

    @staticmethod
    def _translate(exc: Exception) -> Exception:
        from neo4j.exceptions import ServiceUnavailable, SessionExpired

        if isinstance(exc, ServiceUnavailable | SessionExpired):
            return StoreUnavailable(f"Neo4j is not reachable: {exc}")
        code = getattr(exc, "code", "") or ""
        message = getattr(exc, "message", None) or str(exc)
        if "AccessMode" in code or "read access mode" in message.lower():
            return QueryRejected(f"refused in read-only mode: {message}")
        if "TransactionTimedOut" in code or "Terminated" in code or "timed out" in message.lower():
            return QueryTimeout(f"query stopped at its time limit: {message}")
        return QueryError(message.splitlines()[0] if message else repr(exc))

    def _run(
        self,
        cypher: str,
        params: dict[str, Any],
        *,
        read_only: bool,
        timeout_ms: int | None,
        limit: int | None,
    ) -> Rows:
        from neo4j import READ_ACCESS, WRITE_ACCESS, Query
        from neo4j.exceptions import DriverError, Neo4jError

        self._check_open()
        query = Query(cypher, timeout=timeout_ms / 1000 if timeout_ms else None)
        try:
            with self._driver.session(
                database=self._database,
                default_access_mode=READ_ACCESS if read_only else WRITE_ACCESS,
            ) as session:
                result = session.run(query, params)
                columns = list(result.keys())
                rows: list[dict[str, Any]] = []
                truncated = False
                for record in result:
                    if limit is not None and len(rows) >= limit:
                        truncated = True
                        break
                    rows.append({k: _plain(record[k]) for k in columns})
                # Leaving the rest unread: the session discards it on close.
                return Rows(rows, columns, truncated)
        except (Neo4jError, DriverError) as exc:
            raise self._translate(exc) from None

    def _write_unit(self, statements: Sequence[tuple[str, dict[str, Any]]]) -> None:
        from neo4j.exceptions import DriverError, Neo4jError

        self._check_open()

        def work(tx: Any) -> None:
            for cypher, params in statements:
                tx.run(cypher, params).consume()

        try:
            with self._driver.session(database=self._database) as session:
                session.execute_write(work)
        except (Neo4jError, DriverError) as exc:
            raise self._translate(exc) from None

    def _ensure_schema(self) -> None:
        ddl = [
            f"CREATE CONSTRAINT {_index_name(lab, 'id')} IF NOT EXISTS "
            f"FOR (n:{label(lab)}) REQUIRE n.id IS UNIQUE"
            for lab in ID_LABELS
        ]
        ddl += [
            f"CREATE INDEX {_index_name(lab, prop)} IF NOT EXISTS FOR (n:{label(lab)}) ON (n.{prop})"
            for lab, prop in INDEXES
        ]
        ddl += [
            f"CREATE FULLTEXT INDEX {_index_name(lab, 'text')} IF NOT EXISTS "
            f"FOR (n:{label(lab)}) ON EACH [{', '.join(f'n.{p}' for p in props)}]"
            for lab, props in FULLTEXT.items()
        ]
        # Schema commands cannot share a transaction with data writes: one each.
        for statement in ddl:
            self._run(statement, {}, read_only=False, timeout_ms=None, limit=None)
        self._run("CALL db.awaitIndexes(60)", {}, read_only=True, timeout_ms=None, limit=None)

    # ------------------------------------------------------------------ engine-specific reads

    def shortest_path(self, from_id: str, to_id: str, max_hops: int = 8) -> dict[str, Any] | None:
        hops = max(1, int(max_hops))
        rows = self.query(
            # a <> b: Neo4j refuses a shortest path from a node to itself; of several
            # shortest paths the first by node ids, the same one as on FalkorDB
            "MATCH (a {id: $source}), (b {id: $target}) WHERE a <> b "
            f"MATCH p = allShortestPaths((a)-[*..{hops}]-(b)) WITH p "
            "ORDER BY reduce(k = '', n IN nodes(p) | k + coalesce(n.id, '') + ' ') LIMIT 1 "
            "RETURN [n IN nodes(p) | {id: n.id, name: coalesce(n.name, n.label, n.title, n.id), "
            "labels: labels(n)}] AS nodes, "
            "[r IN relationships(p) | {type: type(r), start: startNode(r).id, `end`: endNode(r).id}] "
            "AS relationships",
            {"source": from_id, "target": to_id},
            row_cap=1,
        )
        return rows[0] if rows else None

    def fulltext(self, label_name: str, text: str, limit: int = 20) -> Rows:
        if label_name not in FULLTEXT:
            raise QueryError(f"no full-text index on {label_name}")
        return self.query(
            "CALL db.index.fulltext.queryNodes($index, $text) YIELD node, score "
            "RETURN node.id AS id, coalesce(node.name, node.quote) AS name, score "
            "ORDER BY score DESC LIMIT $limit",
            {"index": _index_name(label_name, "text"), "text": text, "limit": limit},
        )

    # ------------------------------------------------------------------ lifecycle

    def _check_open(self) -> None:
        if self._closed:
            raise StoreUnavailable("the graph store is closed")

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._driver.close()

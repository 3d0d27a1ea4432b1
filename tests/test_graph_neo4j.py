"""Neo4j backend: what only Neo4j has (constraints, full-text index, access modes).

The shared contract tests in tests/test_graph_store.py run on Neo4j too. Tests marked
``neo4j`` need HELSEGRAF_NEO4J_URI (and _USER/_PASSWORD); they are skipped, with the reason,
when it is not set. The database is emptied: point them at a test database.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from helsegraf.core.config import Settings
from helsegraf.graph.errors import QueryRejected, QueryTimeout, StoreUnavailable
from helsegraf.graph.store import ID_LABELS, GraphStore, open_store
from helsegraf.ingest.models import Extraction


def test_neo4j_backend_without_uri_is_a_clear_error() -> None:
    with pytest.raises(StoreUnavailable, match="HELSEGRAF_NEO4J_URI"):
        open_store(Settings(backend="neo4j", neo4j_uri=None))


def test_neo4j_backend_with_nothing_listening_is_a_clear_error() -> None:
    with pytest.raises(StoreUnavailable, match="cannot reach Neo4j"):
        open_store(Settings(backend="neo4j", neo4j_uri="bolt://127.0.0.1:9"))


@pytest.fixture(scope="module")
def neo(neo4j_settings: Settings, gold_extractions: list[Extraction]) -> Iterator[GraphStore]:
    with open_store(neo4j_settings) as s:
        s.query("MATCH (n) DETACH DELETE n", read_only=False, timeout_ms=0)
        s.ensure_reference()
        s.load_extraction(gold_extractions[0])
        yield s


@pytest.mark.neo4j
def test_uniqueness_constraints_exist_for_every_id_label(neo: GraphStore) -> None:
    rows = neo.query("SHOW CONSTRAINTS YIELD labelsOrTypes, properties, type", row_cap=0)
    unique = {
        r["labelsOrTypes"][0]
        for r in rows
        if r["type"] == "UNIQUENESS" and r["properties"] == ["id"]
    }
    assert set(ID_LABELS) <= unique


@pytest.mark.neo4j
def test_duplicate_ids_are_refused_by_the_engine(neo: GraphStore) -> None:
    from helsegraf.graph.errors import QueryError

    doc_id = neo.query("MATCH (d:Dokument) RETURN d.id AS id LIMIT 1")[0]["id"]
    with pytest.raises(QueryError):
        neo.query("CREATE (:Dokument {id: $id})", {"id": doc_id}, read_only=False)


@pytest.mark.neo4j
def test_read_access_mode_refuses_writes_and_procedures_that_write(neo: GraphStore) -> None:
    before = neo.counts()["nodes"]
    with pytest.raises(QueryRejected):
        neo.query("MERGE (n:Meta {id: 'intruder'}) RETURN n")
    assert neo.counts()["nodes"] == before


@pytest.mark.neo4j
def test_transaction_timeout_stops_a_long_query(neo: GraphStore) -> None:
    with pytest.raises(QueryTimeout):
        neo.query(
            "MATCH (a), (b), (c) WHERE a.id < b.id AND b.id < c.id RETURN count(*) AS n",
            timeout_ms=100,
        )


@pytest.mark.neo4j
def test_fulltext_index_finds_examples(neo: GraphStore, gold_extractions: list[Extraction]) -> None:
    name = gold_extractions[0].examples[0].name
    word = max(name.split(), key=len)
    neo.query("CALL db.awaitIndexes(60)", timeout_ms=0)
    hits = neo.fulltext("Eksempel", word)
    assert any(h["name"] == name for h in hits)

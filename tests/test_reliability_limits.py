"""The limits hold under attack, with default settings: query time limit and row cap inside the
engine, SPARQL size, depth and parse time, request bodies, zip bombs, the document time limit
(loading included, uploads too), and worker processes that die with their parent.

Each test was written against an attack that broke the limit before its fix (docs/guarantees.md).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from helsegraf.api.app import create_app
from helsegraf.core.config import Settings
from helsegraf.graph.store import GraphStore, open_store
from helsegraf.ingest.models import Extraction

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ROOT = Path(__file__).resolve().parent.parent
RUNAWAY = "MATCH p = (a)-[*]-(b) RETURN length(p) AS n ORDER BY n DESC"
CARTESIAN = "MATCH (a), (b) RETURN a.id, b.id"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Default settings, in a data directory of their own."""
    return Settings(data_dir=tmp_path_factory.mktemp("limits"))  # type: ignore[call-arg]


@pytest.fixture(scope="module")
def store(settings: Settings, gold_extractions: list[Extraction]) -> Iterator[GraphStore]:
    with open_store(settings) as s:
        s.ensure_reference()
        for x in gold_extractions:
            s.load_extraction(x)
        yield s


@pytest.fixture(scope="module")
def client(store: GraphStore, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store=store), raise_server_exceptions=False) as c:
        yield c


# --------------------------------------------------------------------------- Cypher


def test_runaway_query_answers_the_documented_4xx_at_its_own_limit(
    client: TestClient, settings: Settings
) -> None:
    """With the default limit the engine stops the query and the API answers 422; the client
    does not give up earlier (redis-py's 5 s socket timeout answered 503 before)."""
    limit_s = settings.query_timeout_ms / 1000
    started = time.monotonic()
    r = client.post("/api/cypher", json={"query": RUNAWAY})
    elapsed = time.monotonic() - started
    assert r.status_code == 422, r.text[:300]
    assert "time limit" in r.json()["detail"], r.text[:300]
    assert limit_s * 0.9 <= elapsed < limit_s + 10, elapsed


def test_the_client_waits_as_long_as_the_query_may_run(store: GraphStore) -> None:
    """A limit over redis-py's 5 s socket timeout is the query's, not the socket's."""
    from helsegraf.graph.errors import QueryTimeout

    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        store.query(RUNAWAY, timeout_ms=7000, row_cap=10)
    assert 6.5 <= time.monotonic() - started < 15


def test_rows_are_capped_inside_the_engine(
    client: TestClient, store: GraphStore, settings: Settings
) -> None:
    """Every pair of nodes: millions of rows. The cap stops the engine at the row cap, so the
    answer comes well inside the time limit (it took 11 s and gigabytes before)."""
    nodes = store.counts()["nodes"]
    assert nodes * nodes > 1000 * settings.row_cap
    started = time.monotonic()
    r = client.post("/api/cypher", json={"query": CARTESIAN})
    elapsed = time.monotonic() - started
    assert r.status_code == 200, r.text[:300]
    body = r.json()
    assert len(body["rows"]) == settings.row_cap and body["truncated"] is True
    assert elapsed < settings.query_timeout_ms / 1000, elapsed


def test_capped_queries_keep_their_order_limit_and_procedures(store: GraphStore) -> None:
    names = store.query("MATCH (d:Dokument) RETURN d.name AS n ORDER BY n DESC", row_cap=0)
    capped = store.query("MATCH (d:Dokument) RETURN d.name AS n ORDER BY n DESC // x;", row_cap=2)
    assert [r["n"] for r in capped] == [r["n"] for r in names][:2] and capped.truncated
    one = store.query("MATCH (d:Dokument) RETURN d.name AS n LIMIT 1", row_cap=2)
    assert len(one) == 1 and not one.truncated
    labels = store.query("CALL db.labels()", row_cap=3)
    assert len(labels) == 3 and labels.truncated and labels.columns == ["label"]

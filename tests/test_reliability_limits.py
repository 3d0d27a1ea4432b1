"""The limits hold under attack, with default settings: query time limit and row cap inside the
engine, SPARQL size, depth and parse time, request bodies, zip bombs, the document time limit
(loading included, uploads too), and worker processes that die with their parent.

Each test was written against an attack that broke the limit before its fix (docs/guarantees.md).
"""

from __future__ import annotations

import os
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from helsegraf.api.app import create_app
from helsegraf.core.config import Settings
from helsegraf.graph.store import GraphStore, open_store
from helsegraf.ingest.models import Extraction

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ROOT = Path(__file__).resolve().parent.parent
HELSEGRAF = Path(sys.executable).parent / "helsegraf"
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


# --------------------------------------------------------------------------- a real server

TOKEN = "grense-token-5678"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(store: GraphStore, settings: Settings) -> Iterator[tuple[str, int]]:
    """``helsegraf serve`` with default settings (and a token, so the writing routes are on)."""
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("HELSEGRAF_")},
        "HELSEGRAF_DATA_DIR": str(settings.data_dir),
        "HELSEGRAF_API_TOKEN": TOKEN,
    }
    proc = subprocess.Popen(
        [str(HELSEGRAF), "serve", "--port", str(port), "--log-level", "warning"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, "the server did not start"
            assert time.monotonic() < deadline, "the server did not answer in time"
            time.sleep(0.3)
        yield url, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _status(sock: socket.socket, wait_s: float) -> int:
    """The status code of the answer on ``sock``, waiting at most ``wait_s``."""
    sock.settimeout(wait_s)
    try:
        head = sock.recv(65536)
    except TimeoutError:
        pytest.fail(f"no answer within {wait_s} s: the server waits for the body")
    return int(head.split(b" ", 2)[1])


def _declared_body(url: str, method: str, path: str, headers: dict[str, str], size: int) -> int:
    """Declare a ``size``-byte body, send 64 KB of it, and return the answer's status: a server
    that reads the body before refusing it never answers."""
    port = int(url.rsplit(":", 1)[1])
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {size}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + b"x" * 65536)
        return _status(sock, 10)


def _chunked_body(url: str, path: str, headers: dict[str, str], limit: int) -> tuple[int, int]:
    """Send a body in chunks, without a declared length, until the server answers; return
    the status and how many bytes had been sent by then."""
    port = int(url.rsplit(":", 1)[1])
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Transfer-Encoding: chunked"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    chunk = b"10000\r\n" + b"a" * 0x10000 + b"\r\n"
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        try:
            while sent < 40 * limit:
                if select.select([sock], [], [], 0)[0]:
                    break
                sock.sendall(chunk)
                sent += 0x10000
        except (BrokenPipeError, ConnectionResetError):
            pass
        return _status(sock, 10), sent


def test_every_route_limits_its_body_before_reading_it(
    server: tuple[str, int], settings: Settings
) -> None:
    """A body over the limit is refused from its declared length, before it is read; a body
    sent without a length is stopped once it runs over (the API took 200 MB bodies before)."""
    url, _ = server
    huge = 200_000_000
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    json_type = {"Content-Type": "application/json"}
    assert _declared_body(url, "POST", "/sparql", form, huge) == 413
    sparql_query = {"Content-Type": "application/sparql-query"}
    assert _declared_body(url, "POST", "/sparql", sparql_query, huge) == 413
    assert _declared_body(url, "POST", "/api/cypher", json_type, huge) == 413
    bearer = {**json_type, "Authorization": f"Bearer {TOKEN}"}
    assert _declared_body(url, "POST", "/api/statements", bearer, huge) == 413
    status, sent = _chunked_body(url, "/api/cypher", json_type, settings.max_request_bytes)
    assert status == 413 and sent < 40 * settings.max_request_bytes, (status, sent)
    status, sent = _chunked_body(url, "/sparql", form, settings.max_request_bytes)
    assert status == 413 and sent < 40 * settings.max_request_bytes, (status, sent)


def test_writing_routes_check_the_token_before_the_body(
    server: tuple[str, int], settings: Settings
) -> None:
    """A body under the size limit, declared but not sent: a wrong or missing token is
    answered at once (the body was read first before, whatever the token)."""
    url, _ = server
    json_type = {"Content-Type": "application/json"}
    wrong = {**json_type, "Authorization": "Bearer not-the-token"}
    size = settings.max_request_bytes - 1
    assert _declared_body(url, "POST", "/api/statements", wrong, size) == 401
    assert _declared_body(url, "POST", "/api/statements", json_type, size) == 401
    assert _declared_body(url, "PATCH", "/api/statements/utsagn/x", wrong, size) == 401
    assert _declared_body(url, "POST", "/api/documents", wrong, size) == 401
    # the right token and a small body still work
    r = httpx.post(
        f"{url}/api/statements",
        json={"document": "nope.txt", "concept": "x", "quote": "y"},
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=30,
    )
    assert 400 <= r.status_code < 500 and r.status_code not in (401, 403, 413), r.text

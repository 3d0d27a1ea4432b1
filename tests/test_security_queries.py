"""Hostile queries and hostile parameters change nothing and never break the server; person
names in the documents never reach the graph or its exports.

The store holds the sample corpus as the extractor reads it (not the gold files), so names in
signature blocks really pass through extraction. Writes are tried through ``POST /api/cypher``,
``helsegraf query cypher`` and ``/sparql``; injection strings go through every parameter of
every route in the OpenAPI document; a real uvicorn server keeps answering while a runaway
query runs into its time limit.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient

from helsegraf.api.app import create_app
from helsegraf.core.config import Settings
from helsegraf.graph.store import GraphStore, open_store

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ROOT = Path(__file__).resolve().parent.parent
HELSEGRAF = Path(sys.executable).parent / "helsegraf"
CORPUS = ROOT / "samples" / "corpus"
TIMEOUT_MS = 1500
ROW_CAP = 40

CYPHER_WRITES = [
    "CREATE (:Hack {id: 'x'})",
    "MERGE (h:Hack {id: 'x'}) RETURN h",
    "MATCH (n:Dokument) SET n.name = 'hacked'",
    "MATCH (n:Dokument) REMOVE n.name",
    "MATCH (n:Utsagn) DELETE n",
    "MATCH (n) DETACH DELETE n",
    "MATCH (n) WITH n LIMIT 1 CALL { WITH n SET n.x = 1 } RETURN 1",
    "FOREACH (i IN [1, 2] | CREATE (:Hack))",
    "UNWIND range(1, 3) AS i CREATE (:Hack {i: i})",
    "CALL db.idx.fulltext.createNodeIndex('Hack', 'name')",
    "CALL db.idx.fulltext.drop('Utsagn')",
    "CREATE INDEX FOR (n:Hack) ON (n.id)",
    "DROP INDEX ON :Dokument(id)",
    # writes hidden behind comments and strings
    "MATCH (n) RETURN n // harmless\nCREATE (:Hack)",
    "/* MATCH (n) RETURN n */ CREATE (:Hack)",
    "WITH 1 AS x CREATE (:Hack) RETURN x",
    "LOAD CSV FROM 'file:///etc/passwd' AS row CREATE (:Hack {r: row[0]})",
]

# Read-only queries that only look like writes: they may answer, but must change nothing.
TRICKY_READS = [
    "RETURN '*/ CREATE (:Hack) /*' AS s",
    "RETURN 'x' AS s // CREATE (:Hack)",
    "MATCH (n:Dokument) RETURN n.name AS `CREATE (:Hack)`",
    # \' escapes the quote: the "CREATE" is inside the string
    "MATCH (n {name: '\\' }) CREATE (:Hack) //'}) RETURN n",
]

# Parameters that try to break out of a string, a map or a query.
INJECTIONS = [
    "' OR 1=1 //",
    '"}) MATCH (n) DETACH DELETE n //',
    "x' }) DETACH DELETE n RETURN ('",
    "\u0027) CREATE (:Hack) //",
    "`) CREATE (:Hack) //",
    "`Aktør`",
    "$param",
    "{id: 1}",
    '" } ; DROP ALL ; #',
    "> } INSERT DATA { <urn:a> <urn:b> <urn:c> } #",
    "<urn:x> } ; CLEAR ALL",
    "%00\x00",
    "../../etc/passwd",
    "Ω≈ç√∫˜µ≤≥÷ æøå ÆØÅ 𝔄𝔅 \u202e\u200b",
    "x" * 5000,
    "-1",
    "0x7fffffffffffffff",
]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("security-store")


@pytest.fixture(scope="module")
def settings(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, query_timeout_ms=TIMEOUT_MS, row_cap=ROW_CAP, api_token=None)  # type: ignore[call-arg]


@pytest.fixture(scope="module")
def store(settings: Settings) -> Iterator[GraphStore]:
    """The sample corpus, extracted by the pipeline and loaded."""
    from helsegraf.ingest.pipeline import extract_file

    with open_store(settings) as s:
        s.ensure_reference()
        for path in sorted(CORPUS.glob("*.txt")):
            s.load_extraction(extract_file(path))
        yield s


@pytest.fixture(scope="module")
def client(store: GraphStore, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, store=store), raise_server_exceptions=False) as c:
        yield c


def fingerprint(store: GraphStore) -> dict[str, Any]:
    """Counts of everything, and the documents' names: any write changes one of them."""
    counts = store.counts()
    names = sorted(r["n"] for r in store.query("MATCH (d:Dokument) RETURN d.name AS n", row_cap=0))
    hack = store.query("MATCH (n:Hack) RETURN count(n) AS n")[0]["n"]
    return {**counts, "names": names, "hack": hack}


# --------------------------------------------------------------------------- Cypher


def test_cypher_writes_are_refused_by_the_api(client: TestClient, store: GraphStore) -> None:
    before = fingerprint(store)
    assert before["Dokument"] == 4 and before["Utsagn"] > 0
    for q in CYPHER_WRITES:
        r = client.post("/api/cypher", json={"query": q})
        assert 400 <= r.status_code < 500, f"{q!r} answered {r.status_code}: {r.text[:200]}"
        assert r.json().get("detail"), r.text
        assert fingerprint(store) == before, f"{q!r} changed the graph"
    for q in TRICKY_READS:
        r = client.post("/api/cypher", json={"query": q})
        assert r.status_code < 500, r.text
        assert fingerprint(store) == before, f"{q!r} changed the graph"


def test_cypher_writes_are_refused_by_the_cli(settings: Settings, store: GraphStore) -> None:
    before = fingerprint(store)
    env = {**os.environ, "HELSEGRAF_DATA_DIR": str(settings.data_dir)}
    for q in (
        CYPHER_WRITES[0],
        CYPHER_WRITES[5],
        CYPHER_WRITES[10],
        CYPHER_WRITES[13],
        CYPHER_WRITES[-1],
    ):
        proc = subprocess.run(
            [str(HELSEGRAF), "query", "cypher", q],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode != 0, f"{q!r} was accepted: {proc.stdout[:200]}"
        assert "Traceback" not in proc.stderr, proc.stderr
        assert len([ln for ln in proc.stderr.splitlines() if ln.strip()]) == 1, proc.stderr
        assert fingerprint(store) == before, f"{q!r} changed the graph"


def test_cli_query_limits_and_sparql_refusal(settings: Settings, store: GraphStore) -> None:
    """`helsegraf query cypher` stops a runaway query at the time limit and caps rows;
    `helsegraf query sparql` refuses an update; all in one line, exit 1, nothing changed."""
    before = fingerprint(store)
    env = {
        **os.environ,
        "HELSEGRAF_DATA_DIR": str(settings.data_dir),
        "HELSEGRAF_QUERY_TIMEOUT_MS": "1000",
        "HELSEGRAF_ROW_CAP": "7",
    }

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(HELSEGRAF), "query", *args], env=env, capture_output=True, text=True, timeout=120
        )

    slow = cli("cypher", "MATCH p = (a)-[*]-(b) RETURN length(p) AS n ORDER BY n DESC")
    assert slow.returncode != 0 and "time limit" in slow.stderr, slow.stderr
    assert "Traceback" not in slow.stderr
    capped = cli("cypher", "MATCH (n) RETURN n.id AS id", "--csv")
    assert capped.returncode == 0, capped.stderr
    assert len(capped.stdout.strip().splitlines()) == 1 + 7, capped.stdout[:300]
    update = cli("sparql", "INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    assert update.returncode != 0 and "Traceback" not in update.stderr, update.stderr
    assert len([ln for ln in update.stderr.splitlines() if ln.strip()]) == 1, update.stderr
    assert fingerprint(store) == before


def test_load_csv_reads_no_server_files(client: TestClient) -> None:
    for url in ("file:///etc/passwd", "file:///proc/self/environ", "https://127.0.0.1:1/x.csv"):
        r = client.post(
            "/api/cypher", json={"query": f"LOAD CSV FROM '{url}' AS row RETURN row LIMIT 5"}
        )
        assert r.status_code < 500, r.text
        assert "root:" not in r.text and "HELSEGRAF" not in r.text, r.text[:300]
        if r.status_code == 200:
            assert r.json()["rows"] == [], r.text[:300]


def test_runaway_path_query_is_cut_off_with_a_4xx(client: TestClient) -> None:
    started = time.monotonic()
    r = client.post(
        "/api/cypher",
        json={"query": "MATCH p = (a)-[*]-(b) RETURN length(p) AS n ORDER BY n DESC"},
    )
    elapsed = time.monotonic() - started
    assert 400 <= r.status_code < 500, r.text[:300]
    assert "time" in r.json()["detail"].lower()
    assert elapsed < 30


def test_rows_are_capped(client: TestClient, store: GraphStore) -> None:
    assert store.counts()["nodes"] > ROW_CAP
    r = client.post("/api/cypher", json={"query": "MATCH (n) RETURN n.id AS id"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["rows"]) == ROW_CAP and body["truncated"] is True


# --------------------------------------------------------------------------- SPARQL

SPARQL_UPDATES = [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "DROP ALL",
    "CLEAR DEFAULT",
    "LOAD <http://127.0.0.1:1/x.ttl>",
    "PREFIX x: <urn:x#> INSERT { ?s x:p 1 } WHERE { ?s ?p ?o }",
    "SELECT * WHERE { ?s ?p ?o } ; DROP ALL",
    "# SELECT\nDROP ALL",
]
SPARQL_SERVICE = [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:1/sparql> { ?s ?p ?o } }",
    "select * where { service <https://dbpedia.org/sparql> { ?s ?p ?o } } limit 1",
]
TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _triples(client: TestClient) -> int:
    r = client.get(
        "/sparql", params={"query": TRIPLES}, headers={"Accept": "application/sparql-results+json"}
    )
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_sparql_refuses_updates_and_service(client: TestClient, store: GraphStore) -> None:
    before, triples = fingerprint(store), _triples(client)
    assert triples > 0
    for q in SPARQL_UPDATES + SPARQL_SERVICE:
        for call in (
            lambda q=q: client.get("/sparql", params={"query": q}),
            lambda q=q: client.post("/sparql", data={"query": q}),
            lambda q=q: client.post("/sparql", data={"update": q}),
            lambda q=q: client.post(
                "/sparql", content=q, headers={"Content-Type": "application/sparql-update"}
            ),
            lambda q=q: client.post(
                "/sparql", content=q, headers={"Content-Type": "application/sparql-query"}
            ),
        ):
            r = call()
            assert 400 <= r.status_code < 500, f"{q!r}: {r.status_code} {r.text[:200]}"
    assert _triples(client) == triples
    assert fingerprint(store) == before


def test_sparql_has_a_time_limit(client: TestClient) -> None:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    started = time.monotonic()
    r = client.get("/sparql", params={"query": slow})
    assert 400 <= r.status_code < 500, r.text[:300]
    assert time.monotonic() - started < 30


# --------------------------------------------------------------------------- every parameter


def _routes(spec: dict[str, Any]) -> Iterator[tuple[str, str, list[dict[str, Any]]]]:
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            params = [p for p in op.get("parameters", []) if p["in"] in ("path", "query")]
            yield path, method, params


def _fill(path: str, params: list[dict[str, Any]], target: str | None, value: str) -> str:
    for p in params:
        if p["in"] == "path":
            v = value if p["name"] == target else "x"
            path = path.replace("{" + p["name"] + "}", quote(v, safe=""))
    return path


def test_injection_through_every_parameter_of_every_route(
    client: TestClient, store: GraphStore
) -> None:
    spec = client.get("/openapi.json").json()
    routes = list(_routes(spec))
    assert len(routes) > 10, "the OpenAPI document lists too few routes"
    before = fingerprint(store)
    tried = 0
    for value in INJECTIONS:
        for path, method, params in routes:
            for p in params:
                url = _fill(path, params, p["name"], value)
                query = {p["name"]: value} if p["in"] == "query" else {}
                r = client.request(method.upper(), url, params=query)
                tried += 1
                assert r.status_code < 500, f"{method} {url} {p['name']}={value!r}: {r.text[:200]}"
        # parameters of free Cypher are bound, never spliced into the query
        r = client.post(
            "/api/cypher",
            json={
                "query": "MATCH (a:`Aktør`) WHERE a.name = $name RETURN a.id AS id",
                "params": {"name": value},
            },
        )
        # (FalkorDB cannot bind a NUL character: a 400, never a 5xx)
        assert r.status_code < 500, r.text[:200]
        if r.status_code == 200:
            assert r.json()["rows"] == [], r.text[:200]
        else:
            assert "\x00" in value, r.text[:200]
        assert fingerprint(store) == before, f"{value!r} changed the graph"
    assert tried > 50


def test_route_queries_use_parameters_not_string_building() -> None:
    """No route splices a request value into query text: query text built with an f-string
    (in api/ and review/) interpolates only module constants (UPPER_CASE names)."""
    import ast

    constant = re.compile(r"^_?[A-Z][A-Z0-9_]*$")
    offenders, checked = [], 0
    for path in sorted([*(ROOT / "api").rglob("*.py"), *(ROOT / "review").rglob("*.py")]):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("query", "run_named")
                and node.args
            ):
                continue
            checked += 1
            for part in ast.walk(node.args[0]):
                if isinstance(part, ast.FormattedValue) and not (
                    isinstance(part.value, ast.Name) and constant.match(part.value.id)
                ):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert checked > 3, "found no query calls to check"
    assert not offenders, f"query text built from non-constant values: {offenders}"


# --------------------------------------------------------------------------- a real server


@pytest.fixture(scope="module")
def server(store: GraphStore, settings: Settings, serve_helsegraf) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """``helsegraf serve`` on a free port, over the same data directory."""
    with serve_helsegraf(
        settings.data_dir,
        clean_env=False,
        HELSEGRAF_QUERY_TIMEOUT_MS="3000",
        HELSEGRAF_ROW_CAP=str(ROW_CAP),
    ) as (url, _):
        yield url


def test_server_answers_others_while_a_runaway_query_runs(server: str, store: GraphStore) -> None:
    before = fingerprint(store)
    slow: dict[str, Any] = {}

    def run_slow() -> None:
        started = time.monotonic()
        r = httpx.post(
            f"{server}/api/cypher",
            json={"query": "MATCH p = (a)-[*]-(b) RETURN length(p) AS n ORDER BY n DESC"},
            timeout=60,
        )
        slow["status"], slow["seconds"] = r.status_code, time.monotonic() - started

    thread = threading.Thread(target=run_slow)
    thread.start()
    try:
        time.sleep(0.5)  # the runaway query is running now
        fast = []
        with httpx.Client(base_url=server, timeout=10) as c:
            while thread.is_alive() and len(fast) < 20:
                started = time.monotonic()
                r = c.get("/api/challenges", params={"limit": 5})
                fast.append((r.status_code, time.monotonic() - started, thread.is_alive()))
    finally:
        thread.join(timeout=60)
    assert 400 <= slow["status"] < 500, slow
    during = [f for f in fast if f[2]]
    assert during, "no request was made while the runaway query ran"
    assert all(status == 200 for status, _, _ in during), fast
    assert max(seconds for _, seconds, _ in during) < slow["seconds"], (fast, slow)
    assert fingerprint(store) == before


def test_server_refuses_writes_over_http(server: str, store: GraphStore) -> None:
    before = fingerprint(store)
    with httpx.Client(base_url=server, timeout=30) as c:
        for q in CYPHER_WRITES[:6]:
            assert 400 <= c.post("/api/cypher", json={"query": q}).status_code < 500
        for q in SPARQL_UPDATES[:3]:
            assert 400 <= c.post("/sparql", data={"update": q}).status_code < 500
    assert fingerprint(store) == before


# --------------------------------------------------------------------------- person names

_GREETING = re.compile(
    r"^\s*(?:med\s+)?(?:vennlig|vennleg|beste)?\s*(?:hilsen|helsing)\b|bestått av|består av",
    re.IGNORECASE,
)
_WORD = r"[A-ZÆØÅ][a-zæøåäöüéèáóô]+(?:-[A-ZÆØÅ][a-zæøåäöüéèáóô]+)?"
_NAME = re.compile(rf"^{_WORD}(?: {_WORD}){{1,5}}$")


def person_names(text: str) -> set[str]:
    """Names in signature blocks and member lists: the lines after a greeting ('Med vennlig
    hilsen', 'Vennleg helsing') or 'bestått av', split at commas, 'og' and wide gaps, whose
    every part is 2-6 capitalised words. Each pair of neighbouring words is returned, so a
    line of several names gives every name (and some harmless cross pairs)."""
    lines = text.split("\n")
    names: set[str] = set()
    for i, line in enumerate(lines):
        if not _GREETING.search(line):
            continue
        following = [ln for ln in lines[i + 1 : i + 20] if ln.strip()][:8]
        for ln in following:
            for chunk in re.split(r",|\s+og\s+|\s{2,}|\t", ln.strip()):
                chunk = chunk.strip()
                if _NAME.match(chunk):
                    words = chunk.split()
                    names.update(" ".join(words[j : j + 2]) for j in range(len(words) - 1))
    return names


@pytest.fixture(scope="module")
def names() -> set[str]:
    found: set[str] = set()
    for path in CORPUS.glob("*.txt"):
        found |= person_names(path.read_text(encoding="utf-8"))
    # the pattern works: the samples sign with several people's names
    assert len(found) >= 5, found
    return found


def _graph_strings(store: GraphStore) -> str:
    values: list[str] = []
    for q in (
        "MATCH (n) RETURN [k IN keys(n) | n[k]] AS v",
        "MATCH ()-[r]->() RETURN [k IN keys(r) | r[k]] AS v",
    ):
        for row in store.query(q, timeout_ms=0, row_cap=0):
            for v in row["v"]:
                values.extend(str(x) for x in v) if isinstance(v, list) else values.append(str(v))
    return "\n".join(values)


def test_person_names_are_not_in_the_graph(store: GraphStore, names: set[str]) -> None:
    strings = _graph_strings(store)
    assert "kommune" in strings  # the graph does hold the documents' text
    leaked = sorted(n for n in names if n in strings)
    assert not leaked, f"person names in the graph: {leaked}"


def test_person_names_are_not_in_the_exports(client: TestClient, names: set[str]) -> None:
    for route in ("/api/export.ttl", "/api/export.jsonld", "/api/export.csv"):
        r = client.get(route)
        assert r.status_code == 200, (route, r.text[:200])
        assert len(r.text) > 1000
        leaked = sorted(n for n in names if n in r.text)
        assert not leaked, f"person names in {route}: {leaked}"


def test_the_name_pattern_finds_signatures() -> None:
    text = "Takk for muligheten.\n\nMed vennlig hilsen\n\nKari Nordmann\nRådmann\nBodø kommune\n"
    assert person_names(text) == {"Kari Nordmann"}
    text = "Vennleg helsing\nOla Nils Dalen    Per Li\nLeiar LSU Volda"
    assert person_names(text) == {"Ola Nils", "Nils Dalen", "Per Li"}

"""Shared fixtures: the sample documents, their gold extractions, and small real graph stores.

Keep fixtures here generic; tests of one area define their own in their own file.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from helsegraf.core.config import Settings
from helsegraf.ingest.models import Extraction

HELSEGRAF = Path(sys.executable).parent / "helsegraf"

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
GOLD_DIR = SAMPLES / "gold"
CORPUS_DIR = SAMPLES / "corpus"


def graph_settings(data_dir: Path, graph_name: str = "helsegraf", **extra: object) -> Settings:
    """Settings for a store of its own: embedded FalkorDB in ``data_dir`` unless told otherwise."""
    return Settings(data_dir=data_dir, graph_name=graph_name, **extra)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def gold_extractions() -> list[Extraction]:
    """The hand-annotated sample documents as extractions (the loader's input format)."""
    return [
        Extraction.model_validate(json.loads(p.read_text(encoding="utf-8")))
        for p in sorted(GOLD_DIR.glob("*.gold.json"))
    ]


@pytest.fixture(scope="session")
def corpus_extractions() -> list[Extraction]:
    """The sample corpus as the pipeline extracts it (once per session)."""
    from helsegraf.ingest.pipeline import extract_file

    return [extract_file(p) for p in sorted(CORPUS_DIR.glob("*.txt"))]


@pytest.fixture(scope="session")
def corpus_text() -> dict[str, str]:
    """File name -> text of the sample corpus."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(CORPUS_DIR.glob("*.txt"))}


@pytest.fixture(scope="session")
def store(tmp_path_factory: pytest.TempPathFactory, gold_extractions: list[Extraction]) -> Iterator:
    """An embedded FalkorDB store in a temporary directory, loaded with the gold samples.

    Session-wide and shared: tests that change it must put it back as it was.
    """
    from helsegraf.graph.store import open_store

    settings = graph_settings(tmp_path_factory.mktemp("graph-store"), "samples")
    with open_store(settings) as s:
        s.ensure_reference()
        for x in gold_extractions:
            s.load_extraction(x)
        yield s


@pytest.fixture(scope="session")
def make_graph_settings():  # type: ignore[no-untyped-def]
    """A function (data_dir, graph_name="helsegraf", **settings) -> Settings for a store of its own."""
    return graph_settings


@contextlib.contextmanager
def _serve_helsegraf(
    data_dir: Path, *, clean_env: bool = True, cwd: Path | None = None, **extra: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``helsegraf serve`` on a free loopback port over ``data_dir``, with the ``HELSEGRAF_*``
    settings in ``extra`` (and none from the calling environment when ``clean_env``), run in
    ``cwd`` (default: this process's): yields ``(url, process)`` once ``/api/health``
    answers, and stops the server afterwards."""
    import httpx

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not (clean_env and k.startswith("HELSEGRAF_"))}
    env |= {"HELSEGRAF_DATA_DIR": str(data_dir), **extra}
    proc = subprocess.Popen(
        [str(HELSEGRAF), "serve", "--port", str(port), "--log-level", "warning"],
        env=env,
        cwd=cwd,
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
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def serve_helsegraf():  # type: ignore[no-untyped-def]
    """A context manager (data_dir, clean_env=True, cwd=None, **HELSEGRAF_settings) ->
    (url, process) that runs ``helsegraf serve`` for real on a free port."""
    return _serve_helsegraf


def _graph_snapshot(store) -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
    nodes = store.query(
        "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props", timeout_ms=0, row_cap=0
    )
    rels = store.query(
        "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, properties(r) AS props, b.id AS b",
        timeout_ms=0,
        row_cap=0,
    )
    return (
        sorted(json.dumps([sorted(r["labels"]), r["props"]], sort_keys=True) for r in nodes),
        sorted(json.dumps([r["a"], r["t"], r["props"], r["b"]], sort_keys=True) for r in rels),
    )


@pytest.fixture(scope="session")
def graph_snapshot():  # type: ignore[no-untyped-def]
    """A function (store) -> every node (labels, properties) and relationship (ends, type,
    properties) of the store, sorted: two snapshots are equal when the stores hold the same."""
    return _graph_snapshot


# --------------------------------------------------------------------------- Neo4j
# A real Neo4j 5.26 Community server (tools/neo4j-server), started once for the session when
# java, javac and mvn are on PATH, unless HELSEGRAF_NEO4J_URI names a server to use instead.
# With HELSEGRAF_REQUIRE_NEO4J=1 (set by .ci/run where Java and Maven exist) a Neo4j test that
# skips fails the run, so the Neo4j suite cannot silently stop running.

REQUIRE_NEO4J = os.environ.get("HELSEGRAF_REQUIRE_NEO4J") == "1"
BACKENDS = ["falkordb", pytest.param("neo4j", marks=pytest.mark.neo4j)]
_neo4j_report: dict[str, float] = {}
_neo4j_skipped: list[str] = []


def _bench_module():  # type: ignore[no-untyped-def]
    import sys

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from bench import neo4j_server

    return neo4j_server


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object | None]:
    """The Neo4j test server (``bench.neo4j_server.Neo4jServer``), or ``None`` when
    HELSEGRAF_NEO4J_URI names an existing one. Skips (fails under HELSEGRAF_REQUIRE_NEO4J=1)
    where neither is possible."""
    if os.environ.get("HELSEGRAF_NEO4J_URI"):
        yield None
        return
    ns = _bench_module()
    reason = ns.missing_tools()
    if reason:
        message = f"Neo4j tests need java, javac and mvn to start a server ({reason}), or HELSEGRAF_NEO4J_URI"
        if REQUIRE_NEO4J:
            pytest.fail(message)
        pytest.skip(message)
    try:
        server = ns.launch(tmp_path_factory.mktemp("neo4j"))
    except ns.Neo4jServerError as exc:
        pytest.fail(f"the Neo4j test server did not start: {exc}")
    _neo4j_report.update(build_s=server.build_s, start_s=server.start_s)
    try:
        yield server
    finally:
        server.stop()
        if server.stop_s is not None:
            _neo4j_report["stop_s"] = server.stop_s


@pytest.fixture(scope="session")
def neo4j_settings(neo4j_server: object | None) -> Settings:
    """Settings for the Neo4j test server (or the one HELSEGRAF_NEO4J_URI names)."""
    if neo4j_server is None:
        return Settings(backend="neo4j")  # type: ignore[call-arg]
    env = neo4j_server.env()  # type: ignore[attr-defined]
    return Settings(
        backend="neo4j",
        neo4j_uri=env["HELSEGRAF_NEO4J_URI"],
        neo4j_user=env["HELSEGRAF_NEO4J_USER"],
        neo4j_password=env["HELSEGRAF_NEO4J_PASSWORD"],
        neo4j_database=env["HELSEGRAF_NEO4J_DATABASE"],
        _env_file=None,
    )  # type: ignore[call-arg]


def empty_neo4j(settings: Settings) -> None:
    """Delete everything in the Neo4j database ``settings`` name (the tests share one)."""
    from helsegraf.graph.store import open_store

    with open_store(settings) as s:
        s.query("MATCH (n) DETACH DELETE n", read_only=False, timeout_ms=0)


def settings_on(
    backend: str, request: pytest.FixtureRequest, data_dir: Path, **extra: object
) -> Settings:
    """Settings for a fresh store on ``backend`` with its files in ``data_dir``.

    On Neo4j the one test database is emptied first: whoever asks owns it from then on.
    """
    if backend == "falkordb":
        return Settings(data_dir=data_dir, **extra)  # type: ignore[arg-type]
    neo: Settings = request.getfixturevalue("neo4j_settings")
    extra.pop("graph_name", None)
    extra.pop("_env_file", None)
    settings = neo.model_copy(update={"data_dir": data_dir, **extra})
    empty_neo4j(settings)
    return settings


@pytest.fixture(scope="session")
def store_settings():  # type: ignore[no-untyped-def]
    """The function ``settings_on(backend, request, data_dir, **settings)``."""
    return settings_on


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.skipped and item.get_closest_marker("neo4j") is not None:
        _neo4j_skipped.append(item.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if REQUIRE_NEO4J and _neo4j_skipped and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: object) -> None:
    tr = terminalreporter
    if _neo4j_report:
        parts = [f"{k.removesuffix('_s')} {v:.1f} s" for k, v in _neo4j_report.items()]
        tr.write_line(f"Neo4j test server: {', '.join(parts)}")  # type: ignore[attr-defined]
    if REQUIRE_NEO4J and _neo4j_skipped:
        tr.write_line(  # type: ignore[attr-defined]
            f"FAILED: {len(_neo4j_skipped)} Neo4j tests skipped although "
            f"HELSEGRAF_REQUIRE_NEO4J=1: {', '.join(_neo4j_skipped[:5])}",
            red=True,
        )


@pytest.fixture(scope="session", params=BACKENDS)
def api_server(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    corpus_extractions: list[Extraction],
) -> Iterator:
    """``helsegraf serve`` in a subprocess on a free loopback port, over a store holding the
    sample corpus as the pipeline extracts it: once on each backend (the Neo4j test server's
    database for ``neo4j``).

    Yields an object with ``url``, ``documents`` (how many were loaded), ``backend`` and ``log``.
    """
    import socket
    import subprocess
    import sys
    import time
    from types import SimpleNamespace

    import httpx

    from helsegraf.graph.store import open_store

    data = tmp_path_factory.mktemp("server-data")
    samples = corpus_extractions
    assert samples, f"no sample documents in {CORPUS_DIR}"
    from helsegraf.review.texts import remember_ingested

    settings = settings_on(request.param, request, data, graph_name="helsegraf")
    for x in samples:  # the texts, as ingest keeps them: the reader and /review show them
        remember_ingested(CORPUS_DIR / x.document, x.sha256, settings)
    with open_store(settings) as s:
        s.ensure_reference()
        s.load_extractions(samples)
        if request.param == "neo4j":
            # Neo4j plans a query text the first time it sees it (its plan cache is the
            # server's): plan every named query now, so that a cold server on a busy machine
            # does not spend the API's time limit on planning.
            from helsegraf.queries import catalog

            for q in catalog.all():
                if q.language == "cypher":
                    s.run_named(q.name, {}, timeout_ms=0)

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELSEGRAF_")}
    env |= {"HELSEGRAF_DATA_DIR": str(data), "HELSEGRAF_QUERY_TIMEOUT_MS": "4000"}
    if request.param == "neo4j":
        env |= {
            "HELSEGRAF_BACKEND": "neo4j",
            "HELSEGRAF_NEO4J_URI": str(settings.neo4j_uri),
            "HELSEGRAF_NEO4J_USER": settings.neo4j_user,
            "HELSEGRAF_NEO4J_PASSWORD": settings.neo4j_password.get_secret_value(),
            "HELSEGRAF_NEO4J_DATABASE": settings.neo4j_database,
        }
    # Not the data dir as working directory: ``python -m`` puts it on sys.path, and the store's
    # ``falkordb/`` folder there would shadow the falkordb package.
    workdir = tmp_path_factory.mktemp("server-cwd")
    log_path = workdir / "server.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "helsegraf",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=env,
            cwd=workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"server exited: {log_path.read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"server did not start within 90 s: {log_path.read_text()[-2000:]}")
            time.sleep(0.3)
        # The first SPARQL query builds the RDF export of the store; build it now, not inside
        # a page test's wait (reading a whole Neo4j store takes a while on a busy machine).
        for _ in range(3):
            try:
                ask = httpx.get(f"{url}/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=300)
            except httpx.HTTPError:
                continue
            if ask.status_code == 200:
                break
        try:
            yield SimpleNamespace(
                url=url, documents=len(samples), backend=request.param, log=log_path
            )
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)

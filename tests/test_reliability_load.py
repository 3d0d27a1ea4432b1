"""Reads go on beside a writer: the RDF view for SPARQL is rebuilt in a process of its own,
below the API's CPU priority, and no read waits for it (docs/guarantees.md, "Under load").

The server runs for real (``helsegraf serve``), started from its data directory as
``python -m bench soak`` starts it.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import psutil
import pytest

from helsegraf.core.config import Settings
from helsegraf.graph.store import GraphStore, open_store
from helsegraf.ingest.models import Extraction

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

# 15 KB that rdflib takes 10 s or more to parse (pyparsing backtracks over the list).
SLOW_PARSE = (
    "SELECT * WHERE { ?s ?p ?o FILTER(?o IN (" + ",".join(f'"v{i}"' for i in range(2000)) + ")) }"
)
TITLE = "SELECT ?t WHERE { ?d <http://purl.org/dc/terms/title> ?t FILTER(STR(?t) = 'Ny tittel') }"


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Default settings, in a data directory of their own."""
    return Settings(data_dir=tmp_path_factory.mktemp("load"))  # type: ignore[call-arg]


@pytest.fixture(scope="module")
def store(settings: Settings, gold_extractions: list[Extraction]) -> Iterator[GraphStore]:
    with open_store(settings) as s:
        s.ensure_reference()
        for x in gold_extractions:
            s.load_extraction(x)
        yield s


@pytest.fixture(scope="module")
def server(
    store: GraphStore, settings: Settings, serve_helsegraf: Any
) -> Iterator[tuple[str, int]]:
    """``helsegraf serve`` with default settings, its working directory the data directory."""
    with serve_helsegraf(settings.data_dir, cwd=settings.data_dir) as (url, proc):
        yield url, proc.pid


def _workers(server_pid: int, factory: str) -> list[psutil.Process]:
    out = []
    for p in psutil.Process(server_pid).children(recursive=True):
        try:
            if any(factory in arg for arg in p.cmdline()):
                out.append(p)
        except psutil.Error:
            continue
    return out


def _rows(r: httpx.Response) -> list[dict[str, Any]]:
    assert r.status_code == 200, r.text
    return r.json()["results"]["bindings"]


def test_reads_are_answered_while_the_sparql_view_is_rebuilt(
    server: tuple[str, int], store: GraphStore
) -> None:
    """After a write, the first SPARQL request rebuilds the RDF view (an export of the whole
    graph) in the view builder's process and waits for it; meanwhile the API's other routes
    and SPARQL (from the previous view) answer, and the query workers stay for the new view.
    The rebuild ran in the server's own process before, and took the readers' CPU for seconds
    after every write; each rebuild started new query workers (1-2 s of CPU each)."""
    url, pid = server
    with httpx.Client(base_url=url, timeout=60) as c:
        assert _rows(c.get("/sparql", params={"query": TITLE})) == []  # the first view
        builders = _workers(pid, "view_builder")
        assert len(builders) == 1, "the RDF view is not built by a process of its own"
        builder = builders[0]
        # Below the request threads' CPU priority; quick SPARQL queries are not.
        server_nice = psutil.Process(pid).nice()
        assert builder.nice() > server_nice
        assert all(w.nice() == server_nice for w in _workers(pid, "sparql_worker"))

        answering = {w.pid for w in _workers(pid, "sparql_worker")}
        assert answering
        builder.send_signal(signal.SIGSTOP)  # a rebuild that takes as long as the test likes
        try:
            store.write([("MATCH (d:Dokument) SET d.title = 'Ny tittel'", {})])
            time.sleep(0.5)  # the server trusts its copy of the write counter for 250 ms
            rebuilt: dict[str, Any] = {}

            def rebuild() -> None:
                with httpx.Client(base_url=url, timeout=120) as own:
                    rebuilt["rows"] = _rows(own.get("/sparql", params={"query": TITLE}))

            thread = threading.Thread(target=rebuild)
            thread.start()
            time.sleep(1.0)
            assert thread.is_alive()  # waiting for the rebuild
            for _ in range(3):
                for path, params in (
                    ("/api/documents", {"limit": 5}),
                    ("/api/challenges", {"limit": 5}),
                    ("/sparql", {"query": TITLE}),
                ):
                    r = c.get(path, params=params, timeout=20)
                    assert r.status_code == 200, (path, r.text)
                    if path == "/sparql":
                        assert _rows(r) == []  # the previous view, while the new one is built
                    else:
                        titles = {d.get("title") for d in r.json()["items"] if "title" in d}
                        assert path != "/api/documents" or titles == {"Ny tittel"}
            assert thread.is_alive()
        finally:
            builder.send_signal(signal.SIGCONT)
        thread.join(timeout=120)
        assert rebuilt["rows"], "the request that found the view out of date waited for it"
        assert _rows(c.get("/sparql", params={"query": TITLE}))
        # The query workers stay and move to the new view (each rebuild started new ones).
        assert answering & {w.pid for w in _workers(pid, "sparql_worker")}


def test_a_long_sparql_parse_runs_below_the_readers_priority(server: tuple[str, int]) -> None:
    """A query still parsing or running after 1 s gets its worker process's CPU priority
    lowered, so it takes the CPU the readers leave; quick queries beside it keep the server's
    priority (every SPARQL worker ran at the server's priority, a slow parse took a core)."""
    url, pid = server
    server_nice = psutil.Process(pid).nice()
    with httpx.Client(base_url=url, timeout=60) as c:
        assert c.get("/sparql", params={"query": "ASK {}"}).status_code == 200
        slow: dict[str, Any] = {}

        def parse() -> None:
            with httpx.Client(base_url=url, timeout=60) as own:
                slow["status"] = own.post("/sparql", data={"query": SLOW_PARSE}).status_code

        thread = threading.Thread(target=parse)
        thread.start()
        try:
            time.sleep(2.5)
            assert thread.is_alive()
            lowered = [w for w in _workers(pid, "sparql_worker") if w.nice() > server_nice]
            assert len(lowered) == 1, "the worker parsing the slow query keeps its priority"
            r = c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
            assert r.status_code == 200 and r.json()["boolean"]
        finally:
            thread.join(timeout=60)
        assert slow["status"] == 422  # stopped at the time limit, as before
        time.sleep(0.5)
        assert all(w.nice() == server_nice for w in _workers(pid, "sparql_worker"))

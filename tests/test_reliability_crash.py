"""Crashes lose nothing: ``kill -9`` of a running ``helsegraf ingest`` or of the embedded
engine's server, then a second full ingest, gives the same graph as one clean run, with no
half-written document, and leaves no redis-server behind.

(tests/test_graph_store.py already shows that one acknowledged write survives ``kill -9`` of
the server; these tests do it to whole documents, in the middle of a real ingest.)
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from helsegraf.core.config import Settings
from helsegraf.graph.store import GraphStore, open_store

ROOT = Path(__file__).resolve().parent.parent
HELSEGRAF = Path(sys.executable).parent / "helsegraf"
CORPUS = ROOT / "samples" / "corpus"
N_DOCS = 30


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """30 distinct documents: windows of the samples, each with its own first line."""
    folder = tmp_path_factory.mktemp("crash-corpus")
    samples = [p.read_text(encoding="utf-8").split("\n") for p in sorted(CORPUS.glob("*.txt"))]
    for i in range(N_DOCS):
        lines = samples[i % len(samples)]
        start = (i * 37) % max(1, len(lines) - 70)
        body = "\n".join(lines[start : start + 70])
        (folder / f"dok-{i:02d}.txt").write_text(
            f"Innspill nr. {i} til helse- og samhandlingsplanen\n\n{body}\n", encoding="utf-8"
        )
    return folder


def _env(data_dir: Path) -> dict[str, str]:
    return {**os.environ, "HELSEGRAF_DATA_DIR": str(data_dir), "HELSEGRAF_WORKERS": "1"}


def ingest(folder: Path, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(HELSEGRAF), "ingest", str(folder)],
        env=_env(data_dir),
        capture_output=True,
        text=True,
        timeout=600,
    )


def servers_for(data_dir: Path) -> list[psutil.Process]:
    """Live redis-server processes serving a store under ``data_dir`` (by working directory)."""
    found = []
    root = str(data_dir.resolve())
    for proc in psutil.process_iter(["name", "status"]):
        try:
            if "redis" not in (proc.info["name"] or ""):
                continue
            if proc.info["status"] == psutil.STATUS_ZOMBIE:
                continue
            if proc.cwd().startswith(root):
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def kill_servers(data_dir: Path) -> None:
    for proc in servers_for(data_dir):
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.kill()


def wait_gone(pid: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return
        except psutil.NoSuchProcess:
            return
        time.sleep(0.05)
    raise AssertionError(f"process {pid} did not stop")


def snapshot(data_dir: Path) -> tuple[dict[str, int], dict[str, tuple[int, int]]]:
    """Counts, and per document name (voices, statements); checks nothing is half-written."""
    with open_store(Settings(data_dir=data_dir)) as store:
        check_whole(store)
        counts = store.counts()
        rows = store.query(
            "MATCH (d:Dokument) OPTIONAL MATCH (d)-[:HAS_VOICE]->(v:Stemme) "
            "OPTIONAL MATCH (v)-[:STATES]->(u:Utsagn) "
            "RETURN d.name AS name, count(DISTINCT v) AS voices, count(DISTINCT u) AS statements",
            timeout_ms=0,
            row_cap=0,
        )
    return counts, {r["name"]: (r["voices"], r["statements"]) for r in rows}


def check_whole(store: GraphStore) -> None:
    """Every document has its voices; every voice and statement has its document."""

    def n(cypher: str) -> int:
        return int(store.query(cypher, timeout_ms=0, row_cap=0)[0]["n"])

    assert n("MATCH (d:Dokument) WHERE NOT (d)-[:HAS_VOICE]->(:Stemme) RETURN count(d) AS n") == 0
    assert n("MATCH (v:Stemme) WHERE NOT (:Dokument)-[:HAS_VOICE]->(v) RETURN count(v) AS n") == 0
    assert n("MATCH (u:Utsagn) WHERE NOT (:Stemme)-[:STATES]->(u) RETURN count(u) AS n") == 0
    assert (
        n(
            "MATCH (u:Utsagn) OPTIONAL MATCH (d:Dokument {id: u.doc_id}) "
            "WITH u, d WHERE d IS NULL RETURN count(u) AS n"
        )
        == 0
    )
    assert (
        n("MATCH (v:Stemme)-[:STATES]->(u:Utsagn) WHERE u.doc_id <> v.doc_id RETURN count(u) AS n")
        == 0
    )


@pytest.fixture(scope="module")
def clean(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict]:
    """One clean run into a fresh store."""
    data = tmp_path_factory.mktemp("clean-store")
    try:
        proc = ingest(corpus, data)
        assert proc.returncode == 0, proc.stderr
        result = snapshot(data)
        assert result[0]["Dokument"] == N_DOCS
        return result
    finally:
        kill_servers(data)


def _documents_loaded(data_dir: Path) -> int:
    """Documents in the store now (0 while the store is not there yet)."""
    if not (data_dir / "falkordb" / "graph.rdb.settings").exists():
        return 0
    try:
        with open_store(Settings(data_dir=data_dir)) as store:
            rows = store.query("MATCH (d:Dokument) RETURN count(d) AS n", timeout_ms=0)
            return int(rows[0]["n"])
    except Exception:
        return 0


def _start_and_wait(corpus: Path, data: Path, at_least: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [str(HELSEGRAF), "ingest", str(corpus)],
        env=_env(data),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 180
    while _documents_loaded(data) < at_least:
        assert proc.poll() is None, "ingest ended before it could be killed"
        assert time.monotonic() < deadline, "no documents were loaded in time"
        time.sleep(0.2)
    return proc


@pytest.fixture
def crash_dir(tmp_path: Path) -> Iterator[Path]:
    data = tmp_path / "data"
    try:
        yield data
    finally:
        kill_servers(data)


def test_kill_9_of_ingest_then_rerun_equals_a_clean_run(
    corpus: Path, clean: tuple[dict, dict], crash_dir: Path
) -> None:
    proc = _start_and_wait(corpus, crash_dir, at_least=3)
    try:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        if proc.stderr:
            proc.stderr.close()
    # the store as the crash left it: whole documents only, and fewer than all of them
    counts, docs = snapshot(crash_dir)
    assert 3 <= counts["Dokument"] < N_DOCS, counts
    clean_counts, clean_docs = clean
    for name, shape in docs.items():
        assert shape == clean_docs[name], f"{name} is half-written: {shape} != {clean_docs[name]}"

    again = ingest(corpus, crash_dir)
    assert again.returncode == 0, again.stderr
    counts, docs = snapshot(crash_dir)
    assert counts == clean_counts
    assert docs == clean_docs
    assert not servers_for(crash_dir), "a redis-server was left running"


def test_kill_9_of_the_server_during_ingest_then_rerun_equals_a_clean_run(
    corpus: Path, clean: tuple[dict, dict], crash_dir: Path
) -> None:
    proc = _start_and_wait(corpus, crash_dir, at_least=3)
    try:
        servers = servers_for(crash_dir)
        assert len(servers) == 1, servers
        servers[0].kill()
        wait_gone(servers[0].pid)
        # ingest notices: it fails (clearly, without hanging) or its remaining documents fail
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode != 0
    assert b"Traceback" not in err, err.decode(errors="replace")[-2000:]

    counts, docs = snapshot(crash_dir)
    clean_counts, clean_docs = clean
    assert counts["Dokument"] >= 3, "acknowledged documents were lost with the server"
    for name, shape in docs.items():
        assert shape == clean_docs[name], f"{name} is half-written"

    again = ingest(corpus, crash_dir)
    assert again.returncode == 0, again.stderr
    assert snapshot(crash_dir) == (clean_counts, clean_docs)
    assert not servers_for(crash_dir), "a redis-server was left running"


def test_acknowledged_document_survives_kill_9_of_the_server(corpus: Path, tmp_path: Path) -> None:
    """A document ``load_extraction`` returned from is whole after the server is killed."""
    from helsegraf.ingest.pipeline import extract_file

    x = extract_file(corpus / "dok-01.txt")
    settings = Settings(data_dir=tmp_path / "data")
    store = open_store(settings)
    try:
        store.load_extraction(x)
        pid = store.server_pid
        os.kill(pid, signal.SIGKILL)
        wait_gone(pid)
    finally:
        store.close()
    try:
        _counts, docs = snapshot(tmp_path / "data")
        voices = len(x.voices)
        assert docs == {x.document: (voices, len(x.challenges) + len(x.measures))}
    finally:
        kill_servers(tmp_path / "data")
    assert not servers_for(tmp_path / "data")

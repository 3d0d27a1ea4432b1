"""Shared fixtures: the sample documents, their gold extractions, and small real graph stores.

Keep fixtures here generic; tests of one area define their own in their own file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from helsegraf.core.config import Settings
from helsegraf.ingest.models import Extraction

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


@pytest.fixture(scope="session")
def neo4j_settings() -> Settings:
    """Settings for the Neo4j named by HELSEGRAF_NEO4J_URI; skips (with the reason) if unset."""
    if not os.environ.get("HELSEGRAF_NEO4J_URI"):
        pytest.skip("Neo4j tests need a server: set HELSEGRAF_NEO4J_URI (and _USER, _PASSWORD)")
    return Settings(backend="neo4j")  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """``helsegraf serve`` in a subprocess on a free loopback port, over a store holding the
    sample corpus as the pipeline extracts it.

    Yields an object with ``url``, ``documents`` (how many were loaded) and ``log``.
    """
    import socket
    import subprocess
    import sys
    import time
    from types import SimpleNamespace

    import httpx

    from helsegraf.graph.store import open_store
    from helsegraf.ingest.pipeline import extract_file

    data = tmp_path_factory.mktemp("server-data")
    samples = sorted(CORPUS_DIR.glob("*.txt"))
    assert samples, f"no sample documents in {CORPUS_DIR}"
    from helsegraf.review.texts import remember_ingested

    settings = graph_settings(data)
    with open_store(settings) as s:
        s.ensure_reference()
        for path in samples:
            x = extract_file(path)
            remember_ingested(path, x.sha256, settings)  # as ingest does: the reader shows it
            s.load_extraction(x)

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELSEGRAF_")}
    env |= {"HELSEGRAF_DATA_DIR": str(data), "HELSEGRAF_QUERY_TIMEOUT_MS": "1500"}
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
        try:
            yield SimpleNamespace(url=url, documents=len(samples), log=log_path)
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)

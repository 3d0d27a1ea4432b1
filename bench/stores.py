"""Measurement: the two stores side by side on the same documents.

The same extractions are loaded into the embedded FalkorDB and into a Neo4j 5.26 Community
server that the run starts itself (``bench/neo4j_server.py``); for each store the run measures
the load time, p50/p95 of every named Cypher query (each in its engine's own form, with the
same parameters picked from the data) and the store's size on disk after the load.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import Progress

from bench.querying import _time, params_for, pick_params

log = logging.getLogger(__name__)
console = Console(stderr=True)

# Documents per call of load_extractions: the progress bar moves between calls; the loader
# makes its own units (transactions) inside each call.
CHUNK = 50


def _disk_bytes(*folders: Path) -> int:
    return sum(p.stat().st_size for f in folders if f.exists() for p in f.rglob("*") if p.is_file())


@contextlib.contextmanager
def _open(backend: str, root: Path) -> Iterator[tuple[Any, Any, dict[str, Any]]]:
    """(store, a function giving its size on disk, facts about the engine) for ``backend``."""
    from helsegraf.core.config import Settings
    from helsegraf.graph.store import open_store

    if backend == "falkordb":
        settings = Settings(backend="falkordb", data_dir=root / "falkordb-data", graph_name="bench")
        with open_store(settings) as store:
            yield store, lambda: _disk_bytes(settings.data_dir), {"engine": "FalkorDB embedded"}
        return
    from bench.neo4j_server import launch

    server = launch(root / "neo4j")
    try:
        env = server.env()
        settings = Settings(
            backend="neo4j",
            data_dir=root / "neo4j-data",
            neo4j_uri=env["HELSEGRAF_NEO4J_URI"],
            neo4j_user=env["HELSEGRAF_NEO4J_USER"],
            neo4j_password=env["HELSEGRAF_NEO4J_PASSWORD"],
            _env_file=None,
        )  # type: ignore[call-arg]
        data = server.store_dir / "store" / "data"
        with open_store(settings) as store:
            yield (
                store,
                lambda: _disk_bytes(data / "databases" / "neo4j", data / "transactions" / "neo4j"),
                {
                    "engine": "Neo4j 5.26 Community (tools/neo4j-server, heap 1 GB, page cache 256 MB)",
                    "server_start_s": round(server.start_s, 2),
                    "server_build_s": round(server.build_s, 2),
                },
            )
    finally:
        server.stop()


def _measure_one(
    backend: str, extractions: list[Any], reps: int, budget_s: float, root: Path
) -> dict[str, Any]:
    from helsegraf.queries import catalog

    out: dict[str, Any] = {}
    with _open(backend, root) as (store, size, facts):
        out.update(facts)
        t0 = time.perf_counter()
        store.ensure_reference()
        out["reference_s"] = round(time.perf_counter() - t0, 2)
        out["empty_bytes"] = size()
        t0 = time.perf_counter()
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task(f"loading into {backend}", total=len(extractions))
            for i in range(0, len(extractions), CHUNK):
                chunk = extractions[i : i + CHUNK]
                store.load_extractions(chunk)
                progress.advance(task, len(chunk))
        out["load_s"] = round(time.perf_counter() - t0, 2)
        out["docs_per_s"] = round(len(extractions) / out["load_s"], 1) if out["load_s"] else None
        counts = store.counts()
        out["nodes"], out["relationships"] = counts["nodes"], counts["relationships"]
        out["bytes"] = size()
        picked = pick_params(store)
        out["params"] = picked
        queries: dict[str, Any] = {}
        for q in catalog.all():
            if q.language != "cypher":
                continue
            params = params_for(q, picked)
            res = _time(
                lambda q=q, params=params: store.run_named(
                    q.name, params, timeout_ms=60_000, row_cap=0
                ),
                reps,
                budget_s,
            )
            res["form"] = (
                f"{q.name}.{backend}.cypher" if backend in q.variants else f"{q.name}.cypher"
            )
            queries[q.name] = res
            brief = f"{res['median_ms']:.1f}/{res['p95_ms']:.1f} ms" if "median_ms" in res else res
            console.print(f"  {backend:8} {q.name:28} {brief}")
        out["queries"] = queries
    return out


def measure_stores(files: list[Path], reps: int = 20, budget_s: float = 2.0) -> dict[str, Any]:
    """Load ``files`` (their cached extractions) into both stores and time every named query."""
    from bench.extract_cache import extractions_for

    stale: dict[str, int] = {}
    extractions = extractions_for(files, stale=stale)
    out: dict[str, Any] = {
        "documents": len(files),
        "reps": reps,
        "budget_s": budget_s,
        "stale_extractions": stale.get("count", 0),
    }
    with tempfile.TemporaryDirectory(prefix="hg-bench-stores-") as d:
        for backend in ("falkordb", "neo4j"):
            console.print(f"[bold]{backend}[/]: {len(extractions)} documents")
            out[backend] = _measure_one(backend, extractions, reps, budget_s, Path(d) / backend)
    same = {
        name
        for name, res in out["falkordb"]["queries"].items()
        if res.get("rows") is not None
        and res.get("rows") == out["neo4j"]["queries"].get(name, {}).get("rows")
    }
    out["same_row_counts"] = sorted(same)
    return out


def stores_markdown(results: dict[str, Any], source: str) -> list[str]:
    """The side-by-side table: load, size, and p50/p95 of each query on both stores."""
    s = results.get("stores") or {}
    f, n = s.get("falkordb") or {}, s.get("neo4j") or {}
    if not f or not n:
        return [f"Both stores: not measured ({s.get('error', 'no results')})."]

    def mb(x: Any) -> str:
        return f"{x / 1e6:.1f} MB" if isinstance(x, int | float) else "–"

    def lat(res: dict[str, Any]) -> str:
        if "median_ms" in res:
            return f"{res['median_ms']:.1f} / {res['p95_ms']:.1f}"
        error = str(res.get("error") or "–")
        return "stopped at the time limit" if "QueryTimeout" in error else error[:40]

    lines = [
        f"{s.get('documents')} scaled documents, the same extractions in both stores "
        f"(`{source}`); query times in ms, p50 / p95 of up to {s.get('reps')} runs.",
        "",
        "| | FalkorDB (embedded) | Neo4j 5.26 (server) |",
        "|---|---|---|",
        f"| load ({s.get('documents')} documents) | {f.get('load_s')} s | {n.get('load_s')} s |",
        f"| reference data (codebook, registries) | {f.get('reference_s')} s | {n.get('reference_s')} s |",
        f"| nodes / relationships | {f.get('nodes')} / {f.get('relationships')} | {n.get('nodes')} / {n.get('relationships')} |",
        f"| size on disk after the load | {mb(f.get('bytes'))} | {mb(n.get('bytes'))} |",
    ]
    for name in sorted(f.get("queries") or {}):
        lines.append(
            f"| `{name}` | {lat(f['queries'][name])} | {lat((n.get('queries') or {}).get(name, {}))} |"
        )
    return lines

"""Profiles (pyinstrument) of what limits a missed target, run in-process."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from bench.scaler import REPO

log = logging.getLogger(__name__)


def _report(profiler: Any, out: Path, top: int) -> list[str]:
    text = profiler.output_text(unicode=True, color=False, show_all=False)
    out.write_text(text, encoding="utf-8")
    return text.splitlines()[:top]


def profile_api(out: Path, requests: int = 300, top: int = 30) -> list[str]:
    """Serve the sample corpus in-process and profile ``requests`` GET requests to the routes.

    Shows the server-side cost of one request (routing, query, shaping, JSON), without the
    network and the load generator.
    """
    from fastapi.testclient import TestClient
    from pyinstrument import Profiler

    from bench.api_load import discover_routes
    from bench.extract_cache import extractions_for
    from bench.loading import fresh_store_and_settings
    from helsegraf.api.app import create_app

    files = sorted((REPO / "samples" / "corpus").glob("*.txt"))
    with fresh_store_and_settings(name="profile-api") as (store, settings):
        store.ensure_reference()
        for x in extractions_for(files):
            store.load_extraction(x)
        with TestClient(create_app(settings, store=store)) as client:
            routes = discover_routes(client)["routes"]
            profiler = Profiler(interval=0.0005)
            profiler.start()
            for i in range(requests):
                client.get(routes[i % len(routes)])
            profiler.stop()
    return _report(profiler, out, top)


def profile_queries(
    files: list[Path], results: dict[str, Any], out: Path, reps: int = 20, top: int = 30
) -> list[str]:
    """Profile the slowest Cypher catalog query of ``results`` on a store of ``files``."""
    from pyinstrument import Profiler

    from bench.extract_cache import extractions_for
    from bench.loading import fresh_store
    from bench.querying import params_for, pick_params
    from bench.report import largest_query_size
    from helsegraf.queries import catalog

    size = largest_query_size(results)
    cy = results["queries"]["sizes"][size]["cypher"]
    slowest = max((k for k in cy if "p95_ms" in cy[k]), key=lambda k: cy[k]["p95_ms"])
    named = catalog.get(slowest)
    with fresh_store(name="profile-queries") as store:
        store.ensure_reference()
        for x in extractions_for(files, stale={}):
            store.load_extraction(x)
        params = params_for(named, pick_params(store))
        store.run_named(named.name, params)
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(reps):
            store.run_named(named.name, params)
        profiler.stop()
    return [f"query: {slowest}", *_report(profiler, out, top)]


PY_SPY = Path(sys.executable).with_name("py-spy")


def py_spy_available() -> bool:
    """Whether py-spy is installed beside this interpreter."""
    return PY_SPY.exists()


def py_spy_attach(pid: int, out: Path, duration_s: float) -> subprocess.Popen[bytes] | None:
    """Sample a running process (and its children) for ``duration_s`` into a raw stack file."""
    if not py_spy_available():
        return None
    cmd = [
        str(PY_SPY),
        "record",
        "--pid",
        str(pid),
        "--duration",
        str(int(duration_s)),
        "--format",
        "raw",
        "--output",
        str(out),
        "--nonblocking",
        "--subprocesses",
        "--rate",
        "50",
    ]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def py_spy_finish(spy: subprocess.Popen[bytes], out: Path, tool: str) -> dict[str, Any]:
    """Wait for a py-spy run started by ``py_spy_attach`` (killed after 30 s) and summarise
    its samples for the results file."""
    try:
        spy.wait(timeout=30)
    except subprocess.TimeoutExpired:
        spy.kill()
        spy.wait()
    return {"tool": tool, "file": f"bench/results/{out.name}", "top": summarise_raw(out)}


_FRAME = re.compile(r"^(?P<func>.+?) \((?P<file>[^()]*?)(?::\d+)?\)$")
_OWN = re.compile(r"^main/(ingest|graph|api|queries|core|ontology)/")
_IDLE = ("select (selectors.py", "Condition.wait", "_worker (concurrent", "wait (threading")


def summarise_raw(path: Path, top: int = 20) -> list[str]:
    """Top functions by share of samples from a py-spy raw (collapsed) file.

    Lines are merged into functions; the project's own functions are listed by inclusive
    share (time in them and what they call), then the hottest functions by own time.
    """
    if not path.exists():
        return ["no profile written (py-spy could not attach)"]
    inclusive: Counter[str] = Counter()
    self_time: Counter[str] = Counter()
    total = 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        funcs = []
        for frame in stack.split(";"):
            m = _FRAME.match(frame)
            if m:
                funcs.append(f"{m['func']} ({m['file']})")
        if not funcs:
            continue
        total += n
        for f in set(funcs):
            if _OWN.search(f.rsplit("(", 1)[-1]):
                inclusive[f] += n
        self_time[funcs[-1]] += n
    if not total:
        return ["no samples"]
    idle = sum(c for f, c in self_time.items() if any(k in f for k in _IDLE))
    lines = [
        f"{total} samples ({100 * idle / total:.0f}% waiting: event loop, idle threads)",
        "project functions by inclusive share:",
    ]
    lines += [f"  {100 * c / total:5.1f}%  {f}" for f, c in inclusive.most_common(top)]
    lines.append("hottest functions by own time:")
    lines += [f"  {100 * c / total:5.1f}%  {f}" for f, c in self_time.most_common(10)]
    return lines

"""Measurements 4 and 7: the API under load, and the soak run.

``helsegraf serve`` runs as a second process on a free loopback port; this process drives it
with ``clients`` concurrent clients (asyncio, one keep-alive HTTP/1.1 connection each), each
cycling through the routes for ``duration_s`` seconds. The server's memory (RSS of it and its children) is sampled meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import statistics
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import httpx
import psutil

from bench.processes import RssSampler, tree_processes
from bench.profiling import py_spy_attach, py_spy_finish
from bench.stats import latency_summary

log = logging.getLogger(__name__)

_SKIP = ("export", "download", "upload", "review", "/ui", "static", "docs", "redoc", "openapi")
SPARQL_QUERIES = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 25",
)


def _first_id(client: httpx.Client, path: str) -> str | None:
    try:
        r = client.get(path, params={"limit": 5})
        data = r.json()
    except (httpx.HTTPError, ValueError):
        return None
    items = data.get("items") if isinstance(data, dict) else data
    if isinstance(items, list):
        for item in items:
            if isinstance(item, dict):
                for key in ("id", "document_id", "actor_id", "concept", "name"):
                    if item.get(key):
                        return str(item[key])
    return None


def discover_routes(base: str | httpx.Client, max_param_routes: int = 8) -> dict[str, Any]:
    """The API's GET routes under /api from its OpenAPI document, with ids filled in.

    Routes without path parameters are all taken; a route with one path parameter is filled
    with the first id its parent list route returns. Routes that do not answer 200 are left out
    and listed under ``skipped``.
    """
    ctx = (
        httpx.Client(base_url=base, timeout=30)
        if isinstance(base, str)
        else contextlib.nullcontext(base)
    )
    with ctx as client:
        spec = client.get("/openapi.json").json()
        plain, param = [], []
        for path, ops in spec.get("paths", {}).items():
            if "get" not in ops or not path.startswith("/api") or any(s in path for s in _SKIP):
                continue
            (param if "{" in path else plain).append(path)
        routes = list(plain)
        for path in sorted(param, key=len)[: max_param_routes * 3]:
            if len([r for r in routes if r not in plain]) >= max_param_routes:
                break
            if path.count("{") != 1:
                continue
            parent = path.split("/{", 1)[0]
            ident = _first_id(client, parent)
            if ident:
                routes.append(
                    path.split("{", 1)[0] + quote(ident, safe="/") + path.split("}", 1)[1]
                )
        good, skipped = [], {}
        for r in routes:
            try:
                status = client.get(r).status_code
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            if status == 200:
                good.append(r)
            else:
                skipped[r] = status
    return {"routes": good, "skipped": skipped}


class _Connection:
    """One keep-alive HTTP/1.1 connection that sends GETs and reads whole answers.

    The load generator shares two cores with the server: httpx's ``AsyncClient`` with 50
    connections in one event loop spent more CPU per request than the server and capped the
    rate (109 requests/s with the server 35 % busy); this costs a small part of that.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, target: str) -> int:
        if self.writer is None or self.reader is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(
            f"GET {target} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            "Accept: application/json\r\n\r\n".encode()
        )
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        if "content-length" in headers:
            await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


async def _drive(
    base: str,
    routes: list[tuple[str, str, dict[str, str] | None]],
    clients: int,
    duration_s: float,
) -> list[tuple[str, float, int | str, float]]:
    """Run the load; returns (route label, latency s, HTTP status or exception name, finish).

    ``clients`` workers, each with its own keep-alive connection, send one request after
    another (closed loop) for ``duration_s`` seconds.
    """
    url = httpx.URL(base)
    host, port = url.host, url.port or 80
    targets = [
        (label, path + ("?" + urlencode(params) if params else ""))
        for label, path, params in routes
    ]
    results: list[tuple[str, float, int | str, float]] = []
    t_start = time.perf_counter()
    deadline = t_start + duration_s

    async def worker(k: int) -> None:
        conn = _Connection(host, port)
        i = k
        try:
            while time.perf_counter() < deadline:
                label, target = targets[i % len(targets)]
                i += 1
                t0 = time.perf_counter()
                try:
                    status: int | str = await asyncio.wait_for(conn.get(target), 30)
                except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    status = type(exc).__name__
                    await conn.close()
                t1 = time.perf_counter()
                results.append((label, t1 - t0, status, t1 - t_start))
        finally:
            await conn.close()

    await asyncio.gather(*(worker(k) for k in range(clients)))
    return results


def _summarise(
    results: list[tuple[str, float, int | str, float]], duration_s: float
) -> dict[str, Any]:
    by_route: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    statuses: dict[str, dict[str, int]] = {}
    for label, lat, status, _ in results:
        by_route.setdefault(label, []).append(lat)
        if not (isinstance(status, int) and 200 <= status < 300):
            errors[label] = errors.get(label, 0) + 1
            by = statuses.setdefault(label, {})
            key = str(status)
            by[key] = by.get(key, 0) + 1
    elapsed = max((t for *_, t in results), default=duration_s)
    overall = latency_summary([lat for _, lat, _, _ in results])
    return {
        "requests": len(results),
        "errors": sum(errors.values()),
        "errors_by_route": errors,
        "error_statuses": statuses,
        "requests_per_s": round(len(results) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": overall.get("median_ms"),
        "p99_ms": overall.get("p99_ms"),
        "overall": overall,
        "routes": {
            label: {
                **latency_summary(lats),
                "requests_per_s": round(len(lats) / elapsed, 1),
            }
            for label, lats in sorted(by_route.items())
        },
    }


def cpu_by_process(pid: int, data_dir: Path | None = None) -> dict[str, float]:
    """CPU seconds (user + system) so far of a process, its children and its graph engine."""
    out: dict[str, float] = {}
    try:
        procs = tree_processes(psutil.Process(pid), data_dir)
    except psutil.Error:
        return out
    for p in procs:
        with contextlib.suppress(psutil.Error):
            t = p.cpu_times()
            out[f"{_role(p)}[{p.pid}]"] = t.user + t.system
    return out


def _role(p: psutil.Process) -> str:
    """A process's name, or the factory a worker process runs (``sparql_worker`` ...)."""
    with contextlib.suppress(psutil.Error):
        cmd = p.cmdline()
        for arg in cmd:
            if ":" in arg and arg.startswith("helsegraf."):
                return arg.rsplit(":", 1)[1]
        if "serve" in cmd:
            return "helsegraf serve"
    return p.name()


def _cpu_split(
    before: dict[str, float], after: dict[str, float], client: float
) -> dict[str, float]:
    split = {k: round(v - before.get(k, 0.0), 2) for k, v in after.items()}
    split["load generator (this process)"] = round(client, 2)
    return split


def measure_api(
    base: str,
    server_pid: int,
    clients: int = 50,
    duration_s: float = 20.0,
    profile_out: Path | None = None,
    data_dir: Path | None = None,
    warmup_s: float = 0.0,
) -> dict[str, Any]:
    """p50/p99 and requests/s of the main GET routes under ``clients`` concurrent clients,
    after ``warmup_s`` seconds of the same load that are not counted (every server process
    fills its answer cache)."""
    found = discover_routes(base)
    routes = [(r, r, None) for r in found["routes"]]
    if not routes:
        return {"error": "no GET routes answered 200", "skipped": found["skipped"]}
    if warmup_s > 0:
        asyncio.run(_drive(base, routes, clients, warmup_s))
    sampler = RssSampler(server_pid, interval=1.0, data_dir=data_dir).start()
    spy = py_spy_attach(server_pid, profile_out, duration_s) if profile_out else None
    cpu0, own0 = cpu_by_process(server_pid, data_dir), time.process_time()
    results = asyncio.run(_drive(base, routes, clients, duration_s))
    cpu1, own1 = cpu_by_process(server_pid, data_dir), time.process_time()
    sampler.stop()
    out = _summarise(results, duration_s)
    out.update(
        clients=clients,
        duration_s=duration_s,
        warmup_s=warmup_s,
        skipped_routes=found["skipped"],
        server_peak_rss_bytes=sampler.peak,
        cpu_s_by_process=_cpu_split(cpu0, cpu1, own1 - own0),
    )
    if spy is not None and profile_out is not None:
        out["profile"] = py_spy_finish(spy, profile_out, "py-spy (server process, during the load)")
    return out


# A query rdflib takes 10 s or more to parse: stopped at the time limit, in a worker process.
SLOW_PARSE = (
    "SELECT * WHERE { ?s ?p ?o FILTER(?o IN (" + ",".join(f'"v{i}"' for i in range(2000)) + ")) }"
)
CORPUS = Path(__file__).resolve().parent.parent / "samples" / "corpus"
_RESETS = ("ConnectionResetError", "IncompleteReadError", "BrokenPipeError", "OSError")


def _writer(base: str, token: str, stop: threading.Event, pause_s: float) -> list[dict[str, Any]]:
    """Upload a sample text with a line of its own added (a document of its own: ids follow
    the content), under one of three names, so documents are replaced; then confirm or reject
    three of its codings; again until ``stop``. Returns one record per call."""
    files = sorted(p for p in CORPUS.iterdir() if p.suffix == ".txt")
    calls: list[dict[str, Any]] = []
    headers = {"Authorization": f"Bearer {token}", "X-Reviewer": "soak"}

    def timed(what: str, call: Any) -> httpx.Response | None:
        t0 = time.perf_counter()
        try:
            r = call()
            status: int | str = r.status_code
        except httpx.HTTPError as exc:
            r, status = None, type(exc).__name__
        calls.append({"what": what, "status": status, "seconds": time.perf_counter() - t0})
        return r

    with httpx.Client(base_url=base, timeout=120, headers=headers) as client:
        i = 0
        while not stop.is_set():
            source = files[i % len(files)]
            name = f"soak-{i % 3}{source.suffix}"
            timed(
                "upload",
                lambda name=name, source=source, i=i: client.post(
                    "/api/documents",
                    files={"file": (name, source.read_bytes() + f"\nSkriv {i}.\n".encode())},
                ),
            )
            queue = timed(
                "review queue",
                lambda name=name: client.get("/api/review", params={"document": name, "limit": 3}),
            )
            items = queue.json().get("items", []) if queue is not None and queue.is_success else []
            for k, item in enumerate(items):
                action = "confirm" if (i + k) % 2 else "reject"
                timed(
                    "review edit",
                    lambda item=item, action=action: client.patch(
                        f"/api/statements/{item['id']}", json={"action": action}
                    ),
                )
            i += 1
            stop.wait(pause_s)
    return calls


def _slow_parser(base: str, stop: threading.Event, pause_s: float) -> list[dict[str, Any]]:
    """Send :data:`SLOW_PARSE` again and again: every read must go on beside it."""
    calls: list[dict[str, Any]] = []
    with httpx.Client(base_url=base, timeout=120) as client:
        while not stop.is_set():
            t0 = time.perf_counter()
            try:
                status: int | str = client.post("/sparql", data={"query": SLOW_PARSE}).status_code
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            calls.append({"status": status, "seconds": time.perf_counter() - t0})
            stop.wait(pause_s)
    return calls


def _calls_summary(calls: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for what in sorted({c.get("what", "query") for c in calls}):
        mine = [c for c in calls if c.get("what", "query") == what]
        statuses: dict[str, int] = {}
        for c in mine:
            statuses[str(c["status"])] = statuses.get(str(c["status"]), 0) + 1
        out[what] = {
            "calls": len(mine),
            "statuses": statuses,
            **latency_summary([c["seconds"] for c in mine]),
        }
    return out


def measure_soak(
    base: str,
    server_pid: int,
    clients: int = 50,
    duration_s: float = 300.0,
    window_s: float = 30.0,
    data_dir: Path | None = None,
    *,
    token: str | None = None,
    warmup_s: float = 60.0,
) -> dict[str, Any]:
    """Soak: ``clients`` readers (GET routes and /sparql) for ``duration_s``, beside a writer
    (uploads and review edits, when ``token`` is given) and a client sending a query that takes
    the SPARQL parser 10 s. Reports errors and connection resets of the reads, their latency,
    what the writer and the slow query got, and the server's memory (RSS of it and its
    children): the first window after ``warmup_s`` against the last window."""
    found = discover_routes(base)
    routes: list[tuple[str, str, dict[str, str] | None]] = [(r, r, None) for r in found["routes"]]
    for i, q in enumerate(SPARQL_QUERIES):
        routes.append((f"/sparql#{i + 1}", "/sparql", {"query": q}))
    # Cold start: concurrent first requests to /sparql, before anything has warmed up.
    sparql_routes = [r for r in routes if r[1] == "/sparql"]
    cold = asyncio.run(_drive(base, sparql_routes * 10, 20, 2.0))
    cold_errors = sum(1 for _, _, st, _ in cold if not (isinstance(st, int) and st < 300))
    # Warm-up outside the measured run: the first /sparql request builds the Oxigraph
    # store and starts its worker processes, which is start-up, not growth.
    with httpx.Client(base_url=base, timeout=60) as client:
        for _, path, params in routes:
            with contextlib.suppress(httpx.HTTPError):
                client.get(path, params=params)
    stop = threading.Event()
    side: dict[str, list[dict[str, Any]]] = {}
    threads = [
        threading.Thread(
            target=lambda: side.__setitem__("slow_parse", _slow_parser(base, stop, 1.0)),
            name="soak-slow-parse",
        )
    ]
    if token:
        threads.append(
            threading.Thread(
                target=lambda: side.__setitem__("writer", _writer(base, token, stop, 2.0)),
                name="soak-writer",
            )
        )
    sampler = RssSampler(server_pid, interval=1.0, data_dir=data_dir).start()
    cpu0, own0 = cpu_by_process(server_pid, data_dir), time.process_time()
    for t in threads:
        t.start()
    try:
        results = asyncio.run(_drive(base, routes, clients, duration_s))
    finally:
        stop.set()
        cpu1, own1 = cpu_by_process(server_pid, data_dir), time.process_time()
        for t in threads:
            t.join(timeout=180)
        sampler.stop()
    out = _summarise(results, duration_s)
    # CPU seconds of the server tree's processes alive at the end (workers that were
    # replaced meanwhile are not counted) and of this process (readers, writer, slow query).
    out["cpu_s_by_process"] = _cpu_split(cpu0, cpu1, own1 - own0)
    resets = sum(1 for _, _, st, _ in results if isinstance(st, str) and st in _RESETS)
    window = min(window_s, max(1.0, (duration_s - warmup_s) / 3))
    start = min(warmup_s, duration_s / 3)
    first = [r for t, r in sampler.samples if start <= t <= start + window]
    last = [r for t, r in sampler.samples if t >= duration_s - window]
    first_mb = statistics.fmean(first) / 2**20 if first else float("nan")
    last_mb = statistics.fmean(last) / 2**20 if last else float("nan")
    growth = (last_mb - first_mb) / first_mb if first_mb else float("nan")
    writer = side.get("writer", [])
    writer_errors = sum(
        1 for c in writer if not (isinstance(c["status"], int) and 200 <= c["status"] < 300)
    )
    slow = side.get("slow_parse", [])
    out.update(
        clients=clients,
        duration_s=duration_s,
        window_s=window,
        warmup_s=start,
        skipped_routes=found["skipped"],
        resets=resets,
        rss_first_window_mb=round(first_mb, 1),
        rss_last_window_mb=round(last_mb, 1),
        rss_peak_mb=round(sampler.peak / 2**20, 1),
        rss_growth=round(growth, 4),
        rss_samples_mb=[(round(t, 1), round(r / 2**20, 1)) for t, r in sampler.samples],
        # Flat: the last window holds no more than 20 % over the first window after warm-up
        # (allocator warm-up and caches fill early; a leak keeps climbing).
        rss_steady=bool(growth <= 0.20),
        zero_errors=out["errors"] == 0 and resets == 0 and writer_errors == 0,
        read_p99_under_500ms=bool((out.get("p99_ms") or 1e9) < 500),
        writer={"errors": writer_errors, **_calls_summary(writer)},
        slow_parse={
            "query_bytes": len(SLOW_PARSE),
            "stopped_at_limit": sum(1 for c in slow if c["status"] == 422),
            **_calls_summary(slow),
        },
        cold_start_sparql={
            "clients": 20,
            "seconds": 2.0,
            "requests": len(cold),
            "errors": cold_errors,
            "error_statuses": _summarise(cold, 2.0)["error_statuses"],
        },
    )
    return out

"""Running helsegraf as a second process: ``helsegraf ingest`` and ``helsegraf serve``.

Peak memory is the sum of the resident set sizes of the process, all its descendants (ingest
workers, the SPARQL worker) and the embedded graph engine (a daemonised ``redis-server`` found
by its working directory), sampled every ``interval`` seconds; the largest single process's peak from ``getrusage`` is reported beside it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

from bench.scaler import REPO

log = logging.getLogger(__name__)

HELSEGRAF = str(Path(sys.executable).with_name("helsegraf"))
LOOPBACK = "127.0.0.1"

# Runs a command and prints the children's peak RSS (ru_maxrss, KiB on Linux) as JSON.
_RUSAGE_WRAPPER = (
    "import json, resource, subprocess, sys\n"
    "rc = subprocess.run(sys.argv[1:]).returncode\n"
    "ru = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "sys.stderr.write('\\nBENCH-RUSAGE ' + json.dumps({'rc': rc, 'maxrss_kib': ru.ru_maxrss,"
    " 'user_s': ru.ru_utime, 'sys_s': ru.ru_stime}) + '\\n')\n"
    "sys.exit(rc)\n"
)


def free_port() -> int:
    """A free TCP port on the loopback address."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


def engine_processes(data_dir: Path | None) -> list[psutil.Process]:
    """The embedded graph engine's server processes working in ``data_dir``.

    The embedded FalkorDB runs as a daemonised ``redis-server`` (its parent is init, not the
    helsegraf process), so it is found by its working directory instead of by parentage.
    """
    if data_dir is None:
        return []
    root = str(Path(data_dir).resolve())
    found = []
    for p in psutil.process_iter(["name"]):
        if "redis" not in (p.info.get("name") or ""):
            continue
        with contextlib.suppress(psutil.Error):
            if p.cwd().startswith(root):
                found.append(p)
    return found


def tree_processes(proc: psutil.Process, data_dir: Path | None = None) -> list[psutil.Process]:
    """``proc``, its descendants and the graph engine serving ``data_dir``."""
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return []
    seen = {p.pid for p in procs}
    return procs + [p for p in engine_processes(data_dir) if p.pid not in seen]


def tree_rss(proc: psutil.Process, data_dir: Path | None = None) -> int:
    """Resident bytes of ``proc``, its descendants and its graph engine (0 for vanished ones)."""
    total = 0
    procs = tree_processes(proc, data_dir)
    for p in procs:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


@dataclass
class RssSampler:
    """Samples the tree RSS of a process in a background thread."""

    pid: int
    interval: float = 0.2
    data_dir: Path | None = None
    samples: list[tuple[float, int]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> RssSampler:
        proc = psutil.Process(self.pid)
        t0 = time.perf_counter()

        def loop() -> None:
            while not self._stop.is_set():
                self.samples.append((time.perf_counter() - t0, tree_rss(proc, self.data_dir)))
                self._stop.wait(self.interval)

        self._thread = threading.Thread(target=loop, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)

    @property
    def peak(self) -> int:
        return max((r for _, r in self.samples), default=0)


def bench_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """Environment for a helsegraf subprocess with its own data directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELSEGRAF_")}
    env.update({"HELSEGRAF_DATA_DIR": str(data_dir), "HELSEGRAF_BACKEND": "falkordb"})
    env.update({f"HELSEGRAF_{k.upper()}": v for k, v in extra.items()})
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def run_ingest(
    corpus_dir: Path,
    data_dir: Path,
    workers: int | None = None,
    timeout_s: float = 1800,
    profile_out: Path | None = None,
) -> dict[str, Any]:
    """Run ``helsegraf ingest corpus_dir`` in a fresh data dir; wall time and peak memory."""
    extra = {"workers": str(workers)} if workers is not None else {}
    cmd = [sys.executable, "-c", _RUSAGE_WRAPPER, HELSEGRAF, "ingest", str(corpus_dir)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=data_dir,
        env=bench_env(data_dir, **extra),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    sampler = RssSampler(proc.pid, data_dir=data_dir).start()
    spy = None
    if profile_out is not None:
        from bench.profiling import py_spy_attach

        spy = py_spy_attach(proc.pid, profile_out, timeout_s)
    try:
        _, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
        err = (err or "") + f"\ntimed out after {timeout_s} s"
    wall = time.perf_counter() - t0
    sampler.stop()
    usage: dict[str, Any] = {}
    for line in (err or "").splitlines():
        if line.startswith("BENCH-RUSAGE "):
            usage = json.loads(line.removeprefix("BENCH-RUSAGE "))
    # The wrapper's own interpreter is in the tree; its RSS is small and counted (conservative).
    out: dict[str, Any] = {
        "exit_code": proc.returncode,
        "wall_s": round(wall, 3),
        "peak_rss_tree_bytes": sampler.peak,
        "peak_rss_largest_process_bytes": int(usage.get("maxrss_kib", 0)) * 1024,
        "cpu_user_s": round(usage.get("user_s", 0.0), 3),
        "cpu_sys_s": round(usage.get("sys_s", 0.0), 3),
        "workers": workers,
    }
    if proc.returncode != 0:
        out["stderr_tail"] = (err or "").strip().splitlines()[-8:]
    if spy is not None and profile_out is not None:
        from bench.profiling import py_spy_finish

        out["profile"] = py_spy_finish(spy, profile_out, "py-spy (ingest and its worker processes)")
    return out


@contextlib.contextmanager
def serve(
    data_dir: Path, startup_timeout_s: float = 90, workers: int = 1, **settings: str
) -> Iterator[tuple[str, psutil.Process]]:
    """Start ``helsegraf serve`` (``--workers``) on a free loopback port, with extra
    ``settings`` (names of ``Settings`` fields); yield (base URL, process: the one server, or
    the parent of the worker processes)."""
    port = free_port()
    log_path = data_dir / "serve.log"
    with log_path.open("w") as log_file:
        proc = subprocess.Popen(
            [HELSEGRAF, "serve", *(["--workers", str(workers)] if workers > 1 else [])],
            cwd=data_dir,
            env=bench_env(data_dir, host=LOOPBACK, port=str(port), **settings),
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        base = f"http://{LOOPBACK}:{port}"
        try:
            deadline = time.monotonic() + startup_timeout_s
            while True:
                if proc.poll() is not None:
                    tail = log_path.read_text(errors="replace").strip().splitlines()[-8:]
                    raise RuntimeError(f"helsegraf serve exited: {' | '.join(tail)}")
                try:
                    if httpx.get(f"{base}/openapi.json", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("helsegraf serve did not answer in time")
                time.sleep(0.3)
            yield base, psutil.Process(proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def load_generated(data_dir: Path, documents: int, seed: int = 1) -> dict[str, Any]:
    """Load the first ``documents`` generated documents (cached extractions) into the store of
    ``data_dir``, as ``helsegraf ingest`` would write them (for the API measurements)."""
    from bench.extract_cache import extractions_for
    from bench.scaler import scale_corpus
    from helsegraf.core.config import Settings
    from helsegraf.graph.store import open_store

    xs = extractions_for(scale_corpus(documents, seed).files, stale={"count": 0})
    t0 = time.perf_counter()
    settings = Settings(data_dir=data_dir, backend="falkordb", _env_file=None)  # type: ignore[call-arg]
    with open_store(settings) as store:
        store.ensure_reference()
        store.load_extractions(xs)
    return {"exit_code": 0, "documents": documents, "load_s": round(time.perf_counter() - t0, 2)}


def ingest_samples(data_dir: Path) -> dict[str, Any]:
    """Ingest the sample corpus into ``data_dir`` (for the API measurements)."""
    return run_ingest(REPO / "samples" / "corpus", data_dir)

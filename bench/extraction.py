"""Measurement 1: extraction throughput on one core, beside the spaCy floor and peer.

The three pipelines run in the same process, interleaved round by round over the same texts,
so their ratios hold even when the machine is busy. Throughput is reported on process CPU time
(what one core delivers) and on wall-clock time.
"""

from __future__ import annotations

import logging
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.stats import latency_summary

log = logging.getLogger(__name__)


def _pipelines() -> tuple[dict[str, Callable[[str, str], Any]], dict[str, Any]]:
    from bench.baselines import make_floor, make_peer

    floor = make_floor()
    t0 = time.perf_counter()
    peer, n_patterns = make_peer()
    build_s = time.perf_counter() - t0
    pipes: dict[str, Callable[[str, str], Any]] = {
        "floor_spacy_blank_nb": lambda text, name: floor(text),
        "peer_spacy_entityruler": lambda text, name: peer(text),
    }
    info: dict[str, Any] = {"peer_patterns": n_patterns, "peer_build_s": round(build_s, 3)}
    try:
        from helsegraf.ingest.pipeline import extract_text
    except ImportError as exc:  # the baselines are still worth having
        info["helsegraf_error"] = f"{type(exc).__name__}: {exc}"
    else:
        pipes["helsegraf_extract_text"] = lambda text, name: extract_text(text, name)
    return pipes, info


def measure_extraction(files: list[Path], rounds: int = 3) -> dict[str, Any]:
    """Throughput (MB/s) of floor, peer and helsegraf over ``files``; ratios per round."""
    texts = [(p.read_text(encoding="utf-8"), p.name) for p in files]
    nbytes = sum(len(t.encode("utf-8")) for t, _ in texts)
    pipes, info = _pipelines()
    for fn in pipes.values():  # warm-up: lazy loading (codebook, registries, lexemes)
        for text, name in texts:
            fn(text, name)
    names = list(pipes)
    cpu: dict[str, list[float]] = {n: [] for n in names}
    wall: dict[str, list[float]] = {n: [] for n in names}
    per_doc: dict[str, list[float]] = {n: [] for n in names}
    for r in range(rounds):
        order = names[r % len(names) :] + names[: r % len(names)]  # rotate who goes first
        for n in order:
            fn = pipes[n]
            c0, w0 = time.process_time(), time.perf_counter()
            for text, name in texts:
                d0 = time.perf_counter()
                fn(text, name)
                per_doc[n].append(time.perf_counter() - d0)
            cpu[n].append(time.process_time() - c0)
            wall[n].append(time.perf_counter() - w0)
    mb = nbytes / 1e6
    out: dict[str, Any] = {
        "documents": len(texts),
        "bytes": nbytes,
        "rounds": rounds,
        **info,
        "pipelines": {},
    }
    for n in names:
        out["pipelines"][n] = {
            "mb_per_s_cpu": round(mb / statistics.median(cpu[n]), 4),
            "mb_per_s_wall": round(mb / statistics.median(wall[n]), 4),
            "cpu_s_per_round": [round(x, 4) for x in cpu[n]],
            "per_document": latency_summary(per_doc[n]),
        }
    if len(names) < 3:
        return out
    fl, pe, hg = names
    out["time_ratio_vs_floor"] = round(
        statistics.median(a / b for a, b in zip(cpu[hg], cpu[fl], strict=True)), 3
    )
    out["time_ratio_vs_peer"] = round(
        statistics.median(a / b for a, b in zip(cpu[hg], cpu[pe], strict=True)), 3
    )
    out["mb_per_s_cpu"] = out["pipelines"][hg]["mb_per_s_cpu"]
    return out


def profile_extraction(files: list[Path], out_path: Path, top: int = 25) -> list[str]:
    """Profile extract_text over ``files`` with pyinstrument; write the text report.

    Returns the first ``top`` lines of the report (the hottest call paths).
    """
    from pyinstrument import Profiler

    from helsegraf.ingest.pipeline import extract_text

    texts = [(p.read_text(encoding="utf-8"), p.name) for p in files]
    extract_text(*texts[0])  # warm-up outside the profile
    profiler = Profiler(interval=0.001)
    profiler.start()
    for text, name in texts:
        extract_text(text, name)
    profiler.stop()
    report = profiler.output_text(unicode=True, color=False, show_all=False)
    out_path.write_text(report, encoding="utf-8")
    return report.splitlines()[:top]


def _concatenated(files: list[Path], size: int, start: int = 0) -> tuple[str, int]:
    """One document of about ``size`` bytes: distinct generated documents from ``files[start]``
    on, joined by blank lines (several senders, so several voices, as a bundle of consultation
    answers in one file). Returns the text and the index of the next unused file."""
    parts: list[str] = []
    n = 0
    i = start
    while n < size and i < len(files):
        text = files[i].read_text(encoding="utf-8")
        parts.append(text)
        n += len(text.encode("utf-8")) + 2
        i += 1
    return "\n\n".join(parts), i


def measure_linearity(
    files: list[Path], small: int = 100_000, large: int = 5_000_000
) -> dict[str, Any]:
    """CPU seconds per MB of ``extract_text`` on documents of about ``small`` bytes and on one
    of about ``large`` bytes, made of the same text (the large one is the small ones joined),
    so only the document size differs. Linear extraction has a ratio near 1 (target <= 1.2).

    The small documents run before and after the large one (the median of the two rounds),
    after a warm-up over the first of them."""
    from helsegraf.ingest.pipeline import extract_text

    big, used = _concatenated(files, large)
    smalls: list[str] = []
    i = 0
    while i < used:
        text, i = _concatenated(files[:used], small, i)
        smalls.append(text)
    big_mb = len(big.encode("utf-8")) / 1e6
    small_mb = sum(len(t.encode("utf-8")) for t in smalls) / 1e6
    no_limit = 1e9  # the large document may run past the per-document time limit here

    def small_round(texts: list[str]) -> float:
        c0 = time.process_time()
        for k, text in enumerate(texts):
            extract_text(text, f"small-{k}.txt", timeout_s=no_limit)
        return time.process_time() - c0

    small_round(smalls[:10])  # warm-up: lazy loading (codebook, registries, lexemes)
    small_cpu = [small_round(smalls)]
    c0 = time.process_time()
    extract_text(big, "large.txt", timeout_s=no_limit)
    big_cpu = time.process_time() - c0
    small_cpu.append(small_round(smalls))
    per_mb_small = statistics.median(small_cpu) / small_mb
    per_mb_large = big_cpu / big_mb
    return {
        "small": {
            "documents": len(smalls),
            "mean_bytes": round(small_mb * 1e6 / max(1, len(smalls))),
            "cpu_s_per_mb": round(per_mb_small, 3),
            "cpu_s_per_round": [round(x, 3) for x in small_cpu],
        },
        "large": {
            "bytes": round(big_mb * 1e6),
            "source_documents": used,
            "cpu_s": round(big_cpu, 3),
            "cpu_s_per_mb": round(per_mb_large, 3),
        },
        "ratio_large_vs_small": round(per_mb_large / per_mb_small, 3),
    }

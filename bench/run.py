"""The benchmark run: every measurement side by side, one results file."""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console

from bench import report
from bench.scaler import CACHE, scale_corpus
from bench.stats import machine_info

log = logging.getLogger(__name__)
console = Console(stderr=True)

SECTIONS = ("extraction", "load", "queries", "stores", "memory", "parallel", "api", "soak")


@dataclass
class Config:
    """What a run measures and how much of it."""

    mode: str
    seed: int = 1
    sizes: list[int] = field(default_factory=lambda: [100, 1000, 5000, 20000])
    query_sizes: list[int] = field(default_factory=lambda: [100, 1000, 5000, 20000])
    extract_docs: int = 40
    extract_rounds: int = 3
    #: Linearity: CPU per MB on documents of about the first size vs one of the second.
    linearity_bytes: list[int] = field(default_factory=lambda: [100_000, 5_000_000])
    load_docs: int = 200
    query_reps: int = 30
    query_budget_s: float = 6.0
    baseline_limit_s: float = 60.0
    #: Largest corpus the SPARQL engines are measured on (their RDF copies live in memory).
    sparql_max_docs: int = 1000
    memory_docs: int = 1000
    #: Further ingest runs, to show whether peak memory stays flat with corpus size.
    memory_docs_more: list[int] = field(default_factory=lambda: [5000])
    parallel_docs: int = 200
    api_clients: int = 50
    api_s: float = 20.0
    #: Server processes (``helsegraf serve --workers``) and the corpus behind the API: 0 is
    #: the sample corpus, N the first N generated documents.
    api_workers: int = 2
    api_docs: int = 5000
    api_warmup_s: float = 20.0
    stores_docs: int = 5000
    stores_reps: int = 20
    stores_budget_s: float = 2.0
    soak_s: float = 300.0
    soak_window_s: float = 30.0
    soak_warmup_s: float = 60.0
    # Two server processes: one process's request threads share one interpreter lock, and
    # on a busy machine two get twice its CPU share (caches stay right across processes:
    # docs/api.md, "Caching").
    soak_workers: int = 2
    stem: str = ""

    def profile_path(self, what: str) -> Path:
        """Where a raw profile goes (git-ignored cache; the summary goes in the results)."""
        d = CACHE / "profiles"
        d.mkdir(parents=True, exist_ok=True)
        return d / f"{self.stem or 'run'}-{what}.txt"

    @classmethod
    def quick(cls, seed: int = 1) -> Config:
        """Under five minutes on two busy cores: smaller corpora and shorter load runs."""
        return cls(
            mode="quick",
            seed=seed,
            sizes=[10, 100],
            query_sizes=[10, 100],
            extract_docs=8,
            extract_rounds=3,
            linearity_bytes=[100_000, 2_000_000],
            load_docs=20,
            query_reps=5,
            query_budget_s=0.6,
            baseline_limit_s=2.0,
            memory_docs=40,
            memory_docs_more=[],
            parallel_docs=16,
            stores_docs=1000,
            api_s=10.0,
            api_docs=100,
            api_warmup_s=5.0,
            soak_s=20.0,
            soak_window_s=5.0,
            soak_warmup_s=5.0,
        )

    @classmethod
    def full(cls, seed: int = 1, sizes: list[int] | None = None) -> Config:
        cfg = cls(mode="full", seed=seed)
        if sizes:
            cfg.sizes = sorted(sizes)
            cfg.query_sizes = [s for s in cfg.sizes if s >= 100] or cfg.sizes
            cfg.memory_docs = 1000 if 1000 in cfg.sizes else max(cfg.sizes)
        return cfg


def _section(results: dict[str, Any], name: str, fn: Callable[[], dict[str, Any]]) -> None:
    console.rule(f"[bold]{name}")
    t0 = time.perf_counter()
    try:
        results[name] = fn()
    except Exception as exc:
        log.debug("section %s failed", name, exc_info=True)
        results[name] = {
            "error": f"{type(exc).__name__}: {exc}"[:500],
            "traceback": traceback.format_exc().splitlines()[-6:],
        }
        console.print(f"[red]{name} failed:[/] {results[name]['error']}")
    results[name]["section_s"] = round(time.perf_counter() - t0, 2)
    console.print(f"{name}: {results[name]['section_s']} s")


def _ingest_memory(cfg: Config) -> dict[str, Any]:
    from bench.processes import run_ingest

    corpus = scale_corpus(cfg.memory_docs, cfg.seed)
    with tempfile.TemporaryDirectory(prefix="hg-bench-ingest-") as d:
        out = run_ingest(corpus.dir, Path(d))
    out.update(documents=cfg.memory_docs, mb=round(corpus.nbytes / 1e6, 3))
    for n in cfg.memory_docs_more:
        more = scale_corpus(n, cfg.seed)
        with tempfile.TemporaryDirectory(prefix=f"hg-bench-ingest{n}-") as d:
            out[f"at_{n}"] = {**run_ingest(more.dir, Path(d)), "documents": n}
    if out["exit_code"] == 0 and out["wall_s"]:
        out["mb_per_s_end_to_end"] = round(corpus.nbytes / 1e6 / out["wall_s"], 3)
    if cfg.memory_docs < 1000 and out["exit_code"] == 0:
        # Project to 1,000 documents from the per-document cost above a one-document ingest
        # (start-up: interpreter, vocabulary, reference data, store).
        one = scale_corpus(1, cfg.seed)
        with tempfile.TemporaryDirectory(prefix="hg-bench-ingest1-") as d:
            single = run_ingest(one.dir, Path(d))
        out["one_document"] = single
        if single["exit_code"] == 0:
            per_doc = max(0.0, out["wall_s"] - single["wall_s"]) / (cfg.memory_docs - 1)
            out["startup_s"] = single["wall_s"]
            out["per_document_s"] = round(per_doc, 4)
            out["projected_1000_s"] = round(single["wall_s"] + per_doc * 999, 1)
    return out


def _ingest_parallel(cfg: Config) -> dict[str, Any]:
    from bench.processes import run_ingest

    corpus = scale_corpus(cfg.parallel_docs, cfg.seed)
    out: dict[str, Any] = {"documents": cfg.parallel_docs, "mb": round(corpus.nbytes / 1e6, 3)}
    for workers in (1, 2):
        with tempfile.TemporaryDirectory(prefix=f"hg-bench-par{workers}-") as d:
            # Both runs are sampled by py-spy (--nonblocking), so the speed-up stays fair.
            out[f"workers_{workers}"] = run_ingest(
                corpus.dir,
                Path(d),
                workers=workers,
                profile_out=cfg.profile_path(f"ingest-w{workers}"),
            )
    w1, w2 = out["workers_1"], out["workers_2"]
    if w1["exit_code"] == 0 and w2["exit_code"] == 0:
        out["speedup"] = round(w1["wall_s"] / w2["wall_s"], 3)
    return out


def _api_and_soak(cfg: Config, results: dict[str, Any], sections: set[str]) -> None:
    """The API under load on ``cfg.api_docs`` generated documents (or the samples), and the
    soak on the sample corpus (its SPARQL requests export the whole graph)."""
    from bench.api_load import measure_api, measure_soak
    from bench.processes import ingest_samples, load_generated, serve

    for section in ("api", "soak"):
        if section not in sections:
            continue
        with tempfile.TemporaryDirectory(prefix=f"hg-bench-{section}-") as d:
            data = Path(d)
            t0 = time.perf_counter()
            if section == "api" and cfg.api_docs:
                ingested = load_generated(data, cfg.api_docs, cfg.seed)
                corpus = f"{cfg.api_docs} generated documents"
            else:
                ingested = ingest_samples(data)
                corpus = "samples/corpus"
            if ingested["exit_code"] != 0:
                raise RuntimeError(f"loading the corpus failed: {ingested}")
            workers = cfg.api_workers if section == "api" else cfg.soak_workers
            # A token turns the writing routes on: the soak's writer uploads and reviews.
            token = {"api_token": SOAK_TOKEN} if section == "soak" else {}
            with serve(data, workers=workers, **token) as (base, proc):
                startup = time.perf_counter() - t0
                if section == "api":
                    _section(
                        results,
                        "api",
                        lambda base=base, proc=proc, data=data, corpus=corpus, startup=startup: {
                            **measure_api(
                                base,
                                proc.pid,
                                cfg.api_clients,
                                cfg.api_s,
                                profile_out=cfg.profile_path("api-server"),
                                data_dir=data,
                                warmup_s=cfg.api_warmup_s,
                            ),
                            "corpus": corpus,
                            "server_workers": cfg.api_workers,
                            "setup_s": round(startup, 2),
                        },
                    )
                else:
                    _section(
                        results,
                        "soak",
                        lambda base=base, proc=proc, data=data: {
                            **measure_soak(
                                base,
                                proc.pid,
                                cfg.api_clients,
                                cfg.soak_s,
                                cfg.soak_window_s,
                                data,
                                token=SOAK_TOKEN,
                                warmup_s=cfg.soak_warmup_s,
                            ),
                            "server_workers": cfg.soak_workers,
                        },
                    )


def _profiles(cfg: Config, results: dict[str, Any], stem: str, files: list[Path]) -> None:
    """Profile what limits a missed target (pyinstrument), next to the results file."""
    profiles: dict[str, Any] = {}
    missed = {t["name"] for t in results["targets"] if t["met"] is False}
    if any(n.startswith(("extraction", "ingest of")) for n in missed):
        from bench.extraction import profile_extraction

        out = report.RESULTS / f"{stem}-profile-extraction.txt"
        try:
            profiles["extraction"] = {
                "file": f"bench/results/{out.name}",
                "tool": "pyinstrument (extract_text, in-process)",
                "top": profile_extraction(files[: min(3, len(files))], out),
            }
        except Exception as exc:
            profiles["extraction"] = {"error": f"{type(exc).__name__}: {exc}"}
    if any(n.startswith("catalog Cypher") for n in missed):
        from bench.profiling import profile_queries

        out = report.RESULTS / f"{stem}-profile-queries.txt"
        try:
            size = report.largest_query_size(results)
            profiles["queries"] = {
                "file": f"bench/results/{out.name}",
                "tool": "pyinstrument (slowest Cypher query, in-process)",
                "top": profile_queries(files[: min(100, int(size or 100))], results, out),
            }
        except Exception as exc:
            profiles["queries"] = {"error": f"{type(exc).__name__}: {exc}"}
    if profiles:
        results["profiles"] = profiles


def run(cfg: Config, name: str | None = None, only: set[str] | None = None) -> Path:
    """Run the benchmark; write ``bench/results/<name>.json`` and the README table."""
    from bench.extract_cache import extractions_for

    sections = set(only or SECTIONS)
    started = time.perf_counter()
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H%MZ")
    stem = name or (
        f"stores-{stamp}-{cfg.mode}" if sections == {"stores"} else f"{stamp}-{cfg.mode}"
    )
    cfg.stem = stem
    results: dict[str, Any] = {
        "name": stem,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": cfg.mode,
        "config": asdict(cfg),
        "machine": machine_info(),
    }
    sizes = cfg.sizes + cfg.query_sizes + [cfg.memory_docs, cfg.parallel_docs]
    if "stores" in sections:
        sizes.append(cfg.stores_docs)
    biggest = max(sizes)
    console.print(f"generating corpora up to {biggest} documents (seed {cfg.seed})")
    t0 = time.perf_counter()
    corpus = scale_corpus(biggest, cfg.seed)
    files = corpus.files
    results["corpus"] = {
        "seed": cfg.seed,
        "generated": biggest,
        "generate_s": round(time.perf_counter() - t0, 2),
        "sizes": {
            str(n): {"bytes": sum(p.stat().st_size for p in files[:n])}
            for n in sorted(set(cfg.sizes + cfg.query_sizes + [cfg.memory_docs]))
        },
    }
    if "extraction" in sections:
        from bench.extraction import measure_extraction

        _section(
            results,
            "extraction",
            lambda: measure_extraction(files[: cfg.extract_docs], cfg.extract_rounds),
        )
        if cfg.linearity_bytes:
            from bench.extraction import measure_linearity

            small, large = cfg.linearity_bytes
            # enough distinct generated documents (about 31 kB each) for the large one
            pool = scale_corpus(max(biggest, large // 20_000), cfg.seed).files
            _section(results, "extraction_linearity", lambda: measure_linearity(pool, small, large))
    if "load" in sections:
        from bench.loading import measure_load

        _section(results, "load", lambda: measure_load(extractions_for(files[: cfg.load_docs])))
    if "queries" in sections:
        from bench.querying import measure_queries

        _section(
            results,
            "queries",
            lambda: measure_queries(
                {s: files[:s] for s in cfg.query_sizes},
                cfg.query_reps,
                cfg.query_budget_s,
                baseline_limit_s=cfg.baseline_limit_s,
                sparql_max_docs=cfg.sparql_max_docs,
            ),
        )
    if "stores" in sections:
        from bench.stores import measure_stores

        _section(
            results,
            "stores",
            lambda: measure_stores(files[: cfg.stores_docs], cfg.stores_reps, cfg.stores_budget_s),
        )
    if "memory" in sections:
        _section(results, "memory", lambda: _ingest_memory(cfg))
    if "parallel" in sections:
        _section(results, "parallel", lambda: _ingest_parallel(cfg))
    if sections & {"api", "soak"}:
        try:
            _api_and_soak(cfg, results, sections)
        except Exception as exc:
            for s in sections & {"api", "soak"}:
                results.setdefault(s, {"error": f"{type(exc).__name__}: {exc}"[:500]})
    results["targets"] = report.evaluate_targets(results)
    report.RESULTS.mkdir(parents=True, exist_ok=True)
    _profiles(cfg, results, stem, files)
    plot = report.plot_queries(results, report.RESULTS / f"{stem}-queries.svg")
    if plot:
        results["plot"] = f"results/{plot.name}"
    results["machine"]["load_average_end"] = list(os.getloadavg())
    results["duration_s"] = round(time.perf_counter() - started, 1)
    out = report.RESULTS / f"{stem}.json"
    out.write_text(
        json.dumps(results, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )
    # A run of the two stores alone (stores-*.json) adds its table beside the last full run's.
    report.write_readme_table(None if stem.startswith("stores-") else out)
    console.print(f"results: {out} ({results['duration_s']} s)")
    return out


SOAK_TOKEN = "bench-soak-token"


def run_soak(
    clients: int = 50, duration_s: float = 300.0, name: str | None = None, workers: int = 2
) -> Path:
    """``python -m bench soak``: the reliability run on its own, with ``workers`` server
    processes; writes soak-<stamp>.json."""
    cfg = Config(mode="soak", api_clients=clients, soak_s=duration_s, soak_workers=workers)
    started = time.perf_counter()
    stem = name or f"soak-{datetime.now(UTC).strftime('%Y-%m-%dT%H%MZ')}"
    results: dict[str, Any] = {
        "name": stem,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": "soak",
        "config": asdict(cfg),
        "machine": machine_info(),
    }
    _api_and_soak(cfg, results, {"soak"})
    results["machine"]["load_average_end"] = list(os.getloadavg())
    results["duration_s"] = round(time.perf_counter() - started, 1)
    report.RESULTS.mkdir(parents=True, exist_ok=True)
    out = report.RESULTS / f"{stem}.json"
    out.write_text(
        json.dumps(results, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )
    report.write_readme_table()
    console.print(f"results: {out}")
    return out

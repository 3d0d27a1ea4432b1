"""Targets, the results table in bench/README.md, and the latency-curve plot."""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
README = BENCH / "README.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"

MB = 1e6
GIB = 2**30


def _get(d: Any, *keys: str) -> Any:
    for k in keys:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


def _fmt(x: Any, digits: int = 1) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if isinstance(x, float):
        return f"{x:,.{digits}f}"
    return str(x)


def largest_query_size(results: dict[str, Any]) -> str | None:
    sizes = _get(results, "queries", "sizes") or {}
    return max(sizes, key=int) if sizes else None


def evaluate_targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target with its figure and met / missed / not measured."""
    out: list[dict[str, Any]] = []

    def add(name: str, target: str, figure: Any, met: bool | str | None, note: str = "") -> None:
        out.append({"name": name, "target": target, "figure": figure, "met": met, "note": note})

    ex = results.get("extraction") or {}
    mbps = ex.get("mb_per_s_cpu")
    add(
        "extraction throughput (one core)",
        ">= 2 MB/s",
        f"{_fmt(mbps, 2)} MB/s" if mbps else None,
        None if mbps is None else mbps >= 2.0,
        f"{ex.get('documents')} documents, {_fmt((ex.get('bytes') or 0) / MB, 2)} MB",
    )
    ratio = ex.get("time_ratio_vs_peer")
    add(
        "extraction vs spaCy EntityRuler peer",
        "time ratio <= 1.0",
        f"{_fmt(ratio, 2)}x the peer's time" if ratio else None,
        None if ratio is None else ratio <= 1.0,
    )

    lin = results.get("extraction_linearity") or {}
    lr = lin.get("ratio_large_vs_small")
    add(
        "extraction linear in document size",
        "CPU per MB at the large size <= 1.2x the small",
        f"{_fmt(lr, 2)}x" if lr else None,
        None if lr is None else lr <= 1.2,
        (
            f"{_fmt((lin.get('large') or {}).get('cpu_s_per_mb'), 2)} s/MB at "
            f"{_fmt(((lin.get('large') or {}).get('bytes') or 0) / MB, 1)} MB, "
            f"{_fmt((lin.get('small') or {}).get('cpu_s_per_mb'), 2)} s/MB at "
            f"{_fmt(((lin.get('small') or {}).get('mean_bytes') or 0) / 1000, 0)} kB"
        )
        if lr
        else "",
    )

    ld = results.get("load") or {}
    r = ld.get("ratio_loader_vs_row_by_row")
    add(
        "batched load vs row-by-row MERGE",
        ">= 10x",
        f"{_fmt(r, 1)}x" if r else None,
        None if r is None else r >= 10.0,
        f"{ld.get('rows')} rows",
    )

    size = largest_query_size(results)
    if size:
        cy = _get(results, "queries", "sizes", size, "cypher") or {}
        p95s = {k: v.get("p95_ms") for k, v in cy.items() if v.get("p95_ms") is not None}
        errors = sorted(k for k, v in cy.items() if "error" in v)
        worst = max(p95s.items(), key=lambda kv: kv[1]) if p95s else None
        slow = sorted(k for k, v in p95s.items() if v >= 50.0)
        note = f"at {size} documents; worst: {worst[0]}" if worst else f"at {size} documents"
        if slow:
            note += f"; over 50 ms: {', '.join(slow)}"
        if errors:
            note += f"; failed: {', '.join(errors)}"
        add(
            "catalog Cypher queries p95 (embedded store)",
            "< 50 ms at 5,000 documents",
            f"max p95 {_fmt(worst[1], 1)} ms" if worst else None,
            _size_status(bool(worst), bool(slow or errors), int(size)),
            note,
        )
        base = _get(results, "queries", "sizes", "1000", "cypher") or {}
        if base and str(size) != "1000":
            grown = {
                k: p95s[k] / base[k]["p95_ms"] for k in p95s if (base.get(k) or {}).get("p95_ms")
            }
            over = sorted(k for k, g in grown.items() if g > 2.0)
            most = max(grown.items(), key=lambda kv: kv[1]) if grown else None
            add(
                "catalog Cypher queries: growth from 1,000 documents",
                f"p95 at {size} documents <= 2x that at 1,000",
                f"at most {_fmt(most[1], 2)}x ({most[0]})" if most else None,
                None if most is None else not over,
                f"over 2x: {', '.join(over)}" if over else "",
            )
        sp = _get(results, "queries", "sizes", size, "sparql", "queries") or {}
        sp95 = {k: _get(v, "engine", "p95_ms") for k, v in sp.items()}
        sp95 = {k: v for k, v in sp95.items() if v is not None}
        if sp95:
            w = max(sp95.items(), key=lambda kv: kv[1])
            slow_sp = sorted(k for k, v in sp95.items() if v >= 50.0)
            add(
                "catalog SPARQL queries p95 (SparqlEngine)",
                "< 50 ms at 5,000 documents",
                f"max p95 {_fmt(w[1], 1)} ms",
                _size_status(True, bool(slow_sp), int(size)),
                f"at {size} documents; worst: {w[0]}",
            )

    api = results.get("api") or {}
    p99 = api.get("p99_ms")
    add(
        "API GET routes p99, 50 clients",
        "< 100 ms",
        f"{_fmt(p99, 1)} ms" if p99 else None,
        None if p99 is None else p99 < 100.0,
        f"{_fmt(api.get('requests_per_s'), 0)} req/s, {api.get('errors')} errors, "
        f"{api.get('duration_s')} s, {api.get('corpus', 'samples/corpus')}, "
        f"{api.get('server_workers', 1)} server process(es)"
        if p99
        else "",
    )

    mem = results.get("memory") or {}
    n = mem.get("documents")
    wall = mem.get("wall_s")
    if wall is not None and n:
        projected = mem.get("projected_1000_s") or wall * 1000 / n
        add(
            "ingest of 1,000 documents, wall",
            "< 120 s",
            f"{_fmt(wall, 1)} s for {n}"
            + ("" if n == 1000 else f" (≈{_fmt(projected, 0)} s for 1,000, projected)"),
            projected < 120.0 if mem.get("exit_code") == 0 else False,
            "measured" if n == 1000 else "projected: start-up + per-document cost × 1,000",
        )
        peak = mem.get("peak_rss_tree_bytes")
        add(
            "ingest peak RSS (process tree)",
            "< 1 GB",
            f"{_fmt(peak / GIB, 2)} GiB for {n}",
            peak < GIB if mem.get("exit_code") == 0 else False,
            "" if n == 1000 else "smaller corpus in quick mode",
        )
        for key, more in sorted(mem.items()):
            if not key.startswith("at_") or not isinstance(more, dict):
                continue
            m_peak, m_n = more.get("peak_rss_tree_bytes"), more.get("documents")
            if more.get("exit_code") == 0 and m_peak and peak:
                add(
                    f"ingest peak RSS flat with corpus size ({m_n} documents)",
                    f"< 1 GB and <= 1.2x that at {n}",
                    f"{_fmt(m_peak / GIB, 2)} GiB ({_fmt(m_peak / peak, 2)}x)",
                    m_peak < GIB and m_peak <= 1.2 * peak,
                    f"wall {_fmt(more.get('wall_s'), 0)} s",
                )
    else:
        add("ingest of 1,000 documents, wall", "< 120 s", None, None)
        add("ingest peak RSS (process tree)", "< 1 GB", None, None)

    soak = results.get("soak") or {}
    if "errors" in soak:
        add(
            "soak: zero errors",
            "0 errors",
            f"{soak['errors']} of {soak['requests']}",
            soak["errors"] == 0,
            f"{soak.get('duration_s')} s, {soak.get('clients')} clients",
        )
        add(
            "soak: server RSS steady",
            "last window <= first + 10 %",
            f"{soak.get('rss_first_window_mb')} → {soak.get('rss_last_window_mb')} MB",
            soak.get("rss_steady"),
        )
        cold = soak.get("cold_start_sparql") or {}
        if cold.get("requests"):
            add(
                "SPARQL cold start: 20 concurrent first requests",
                "0 errors",
                f"{cold['errors']} of {cold['requests']}",
                cold["errors"] == 0,
                ", ".join(
                    f"{k}: {v}"
                    for r in (cold.get("error_statuses") or {}).values()
                    for k, v in r.items()
                ),
            )
    else:
        add("soak: zero errors", "0 errors", None, None)
    return out


def _size_status(measured: bool, failed: bool, size: int) -> bool | str | None:
    """Met/missed at 5,000 documents; below that only "met at <size>" (a quick run)."""
    if not measured:
        return None
    if failed:
        return False
    return True if size >= 5000 else f"met at {size} documents (target is at 5,000)"


def _mark(met: bool | str | None) -> str:
    if isinstance(met, str):
        return met
    return {True: "met", False: "**missed**", None: "not measured"}[met]


def queries_markdown(results: dict[str, Any]) -> list[str]:
    """The query-latency tables (Cypher, then SPARQL) of a results dict."""
    lines: list[str] = []
    sizes = _get(results, "queries", "sizes") or {}
    if sizes:
        ordered = sorted(sizes, key=int)
        names = sorted({q for s in ordered for q in (sizes[s].get("cypher") or {})})
        lines += [
            "",
            "### Cypher catalog queries, embedded store: median / p95 ms",
            "",
            "| query | " + " | ".join(f"{s} docs" for s in ordered) + " |",
            "|---|" + "---|" * len(ordered),
        ]
        for q in names:
            cells = []
            for s in ordered:
                v = _get(sizes, s, "cypher", q) or {}
                cells.append(
                    "error"
                    if "error" in v
                    else f"{_fmt(v.get('median_ms'))} / {_fmt(v.get('p95_ms'))}"
                )
            lines.append(f"| {q} | " + " | ".join(cells) + " |")
        floors = [_get(sizes, s, "floor_return_1") or {} for s in ordered]
        if any("median_ms" in f for f in floors):
            lines.append(
                "| *(floor: `RETURN 1`)* | "
                + " | ".join(
                    f"{_fmt(f.get('median_ms'))} / {_fmt(f.get('p95_ms'))}" for f in floors
                )
                + " |"
            )
        sp_names = sorted({q for s in ordered for q in (_get(sizes, s, "sparql", "queries") or {})})
        if sp_names:
            lines += [
                "",
                "### SPARQL catalog queries: median ms — SparqlEngine / oxrdflib / rdflib memory",
                "",
                "| query | " + " | ".join(f"{s} docs" for s in ordered) + " |",
                "|---|" + "---|" * len(ordered),
            ]
            for q in sp_names:
                cells = []
                for s in ordered:
                    v = _get(sizes, s, "sparql", "queries", q) or {}
                    parts = []
                    for k in ("engine", "oxrdflib", "rdflib_memory"):
                        w = v.get(k) or {}
                        parts.append("err" if "error" in w else _fmt(w.get("median_ms")))
                    cells.append(" / ".join(parts))
                lines.append(f"| {q} | " + " | ".join(cells) + " |")
            lines.append(
                "\nerr: failed or over the time limit; –: not run again after a time-out at a "
                "smaller size."
            )
            triples = [str(_get(sizes, s, "sparql", "triples")) for s in ordered]
            lines.append(f"\nTriples in the export: {', '.join(triples)}.")
    return lines


def table_markdown(results: dict[str, Any], source: str) -> str:
    """The results section of bench/README.md."""
    m = results.get("machine") or {}
    lines = [
        f"Results file: `{source}` — mode **{results.get('mode')}**, "
        f"{m.get('cores')} cores ({m.get('cpu_model')}), Python {m.get('python')}, "
        f"load average at start {', '.join(_fmt(x, 2) for x in m.get('load_average_start', []))}, "
        f"run took {_fmt(results.get('duration_s'), 0)} s.",
        "",
        "### Targets",
        "",
        "| target | goal | figure | status | note |",
        "|---|---|---|---|---|",
    ]
    for t in results.get("targets") or evaluate_targets(results):
        lines.append(
            f"| {t['name']} | {t['target']} | {_fmt(t['figure'])} | {_mark(t['met'])} | "
            f"{t.get('note', '')} |"
        )
    ex = results.get("extraction") or {}
    if ex.get("pipelines"):
        lines += [
            "",
            "### Extraction throughput (one core, CPU time)",
            "",
            "| pipeline | MB/s (CPU) | MB/s (wall) | per document median / p95 (ms) |",
            "|---|---|---|---|",
        ]
        for name, p in ex["pipelines"].items():
            d = p.get("per_document", {})
            lines.append(
                f"| {name} | {_fmt(p['mb_per_s_cpu'], 2)} | "
                f"{_fmt(p['mb_per_s_wall'], 2)} | {_fmt(d.get('median_ms'))} / "
                f"{_fmt(d.get('p95_ms'))} |"
            )
        lines.append(
            f"\nhelsegraf takes {_fmt(ex.get('time_ratio_vs_floor'), 2)}× the floor's "
            f"time and {_fmt(ex.get('time_ratio_vs_peer'), 2)}× the peer's "
            f"({ex.get('peer_patterns')} patterns)."
        )
    ld = results.get("load") or {}
    if ld.get("rows_per_s"):
        lines += [
            "",
            f"### Load ({ld.get('rows')} rows, {ld.get('documents')} documents)",
            "",
            "| loader | rows/s | seconds |",
            "|---|---|---|",
        ]
        for k, v in ld["rows_per_s"].items():
            lines.append(f"| {k} | {_fmt(v, 0)} | {_fmt(ld['seconds'][k], 2)} |")
    lines += queries_markdown(results)
    api = results.get("api") or {}
    if api.get("routes"):
        lines += [
            "",
            f"### API, {api.get('clients')} clients, {api.get('duration_s')} s: "
            f"{_fmt(api.get('requests_per_s'), 0)} req/s, {api.get('errors')} errors",
            "",
            "| route | p50 ms | p99 ms | req/s |",
            "|---|---|---|---|",
        ]
        for route, v in api["routes"].items():
            lines.append(
                f"| `{route}` | {_fmt(v.get('median_ms'))} | {_fmt(v.get('p99_ms'))} "
                f"| {_fmt(v.get('requests_per_s'), 0)} |"
            )
        if api.get("cpu_s_by_process"):
            lines.append(
                "\nCPU seconds during the run: "
                + ", ".join(f"{k} {v}" for k, v in api["cpu_s_by_process"].items())
                + "."
            )
        top = (api.get("profile") or {}).get("top") or []
        if top:
            lines += ["", "Server profile under load (py-spy):", "", "```", *top[:16], "```"]
    mem, par = results.get("memory") or {}, results.get("parallel") or {}
    if mem or par:
        lines += ["", "### Ingest", ""]
        if mem.get("wall_s") is not None:
            lines.append(
                f"- {mem.get('documents')} documents ({_fmt(mem.get('mb'), 1)} MB): "
                f"{_fmt(mem.get('wall_s'), 1)} s wall, peak RSS "
                f"{_fmt(mem['peak_rss_tree_bytes'] / 2**20, 0)} MiB (process tree), "
                f"largest process {_fmt(mem['peak_rss_largest_process_bytes'] / 2**20, 0)}"
                " MiB."
            )
        if par.get("speedup") is not None:
            lines.append(
                f"- {par.get('documents')} documents: 1 worker "
                f"{_fmt(par['workers_1']['wall_s'], 1)} s, 2 workers "
                f"{_fmt(par['workers_2']['wall_s'], 1)} s: speed-up "
                f"{_fmt(par['speedup'], 2)}×."
            )
    soak = results.get("soak") or {}
    if soak.get("requests"):
        lines += [
            "",
            f"### Soak, {soak.get('clients')} clients, {soak.get('duration_s')} s",
            "",
            f"{soak['requests']} requests ({_fmt(soak.get('requests_per_s'), 0)} req/s), "
            f"{soak['errors']} errors, p99 {_fmt(soak.get('p99_ms'))} ms; server RSS "
            f"{soak.get('rss_first_window_mb')} MB (first {soak.get('window_s')} s) → "
            f"{soak.get('rss_last_window_mb')} MB (last {soak.get('window_s')} s).",
        ]
    if results.get("plot"):
        lines += ["", f"![query latency by corpus size]({results['plot']})"]
    return "\n".join(lines) + "\n"


def latest_results() -> Path | None:
    """The newest results file (by name: timestamps sort)."""
    # runs of the whole benchmark are named by their time stamp; other files by what they hold
    files = sorted(p for p in RESULTS.glob("*.json") if p.name[:1].isdigit())
    return files[-1] if files else None


def write_readme_table(path: Path | None = None) -> Path | None:
    """Regenerate the results section of bench/README.md from a results file."""
    path = path or latest_results()
    if path is None or not README.exists():
        return None
    results = json.loads(path.read_text(encoding="utf-8"))
    soak_files = sorted(RESULTS.glob("soak-*.json"))
    text = README.read_text(encoding="utf-8")
    if START not in text or END not in text:
        return None
    body = table_markdown(results, f"bench/results/{path.name}")
    if soak_files:
        soak = json.loads(soak_files[-1].read_text(encoding="utf-8"))
        s = soak.get("soak") or {}
        if s.get("requests"):
            m = soak.get("machine") or {}
            writer = s.get("writer") or {}
            slow = s.get("slow_parse") or {}
            p99 = s.get("p99_ms")
            body += (
                f"\n### Full soak (`python -m bench soak`, `bench/results/"
                f"{soak_files[-1].name}`)\n\n{s.get('clients')} clients, "
                f"{s.get('duration_s')} s, {s.get('server_workers', 1)} server process(es), "
                "load average "
                f"{_fmt((m.get('load_average_start') or [None])[0], 1)} at the start and "
                f"{_fmt((m.get('load_average_end') or [None])[0], 1)} at the end: GET routes "
                f"and `/sparql` beside a writer ({sum(v.get('calls', 0) for v in writer.values() if isinstance(v, dict))} "
                f"calls, {writer.get('errors', '–')} errors) and a slow SPARQL parse (stopped at "
                f"the limit {slow.get('stopped_at_limit', '–')} times): {s['requests']} "
                f"requests ({_fmt(s.get('requests_per_s'), 0)} req/s), {s['errors']} errors, "
                f"{s.get('resets', '–')} resets, "
                f"p50 {_fmt(s.get('p50_ms'))} ms, p99 {_fmt(p99)} ms "
                f"({'under' if p99 is not None and p99 < 500 else '**over**'} 500 ms); server RSS "
                f"{s.get('rss_first_window_mb')} MB (the {s.get('window_s')} s after a "
                f"{s.get('warmup_s', 0)} s warm-up) → "
                f"{s.get('rss_last_window_mb')} MB (last {s.get('window_s')} s): "
                f"{'steady' if s.get('rss_steady') else '**growing**'}."
                + (
                    " Errors by route: "
                    + "; ".join(
                        f"`{r}` " + ", ".join(f"{k} ×{v}" for k, v in st.items())
                        for r, st in (s.get("error_statuses") or {}).items()
                    )
                    + "."
                    if s.get("error_statuses")
                    else ""
                )
                + "\n"
            )
    for extra in sorted(RESULTS.glob("queries-*.json")):
        more = json.loads(extra.read_text(encoding="utf-8"))
        m = more.get("machine") or {}
        top = max((int(k) for k in (_get(more, "queries", "sizes") or {})), default=0)
        body += (
            f"\n### Query curve to {top:,} documents (`bench/results/{extra.name}`)\n\n"
            "Queries only, on extractions cached from an earlier version of the extractor "
            "(the store needs realistic graphs, not the newest coding); load average at start "
            f"{', '.join(_fmt(x, 2) for x in m.get('load_average_start', []))}. "
            "SPARQL baselines stopped after "
            f"{_get(more, 'queries', 'baseline_limit_s')} s.\n"
        )
        body += "\n".join(queries_markdown(more)) + "\n"
    from bench.stores import stores_markdown

    own = results.get("stores")
    stores_files = sorted(RESULTS.glob("stores-*.json"))
    if own and "error" not in own:
        stores, source = results, path.name
    elif stores_files:
        stores, source = (
            json.loads(stores_files[-1].read_text(encoding="utf-8")),
            stores_files[-1].name,
        )
    else:
        stores = None
    if stores is not None:
        load = (stores.get("machine") or {}).get("load_average_start") or []
        body += (
            "\n### FalkorDB and Neo4j side by side\n\nLoad average at start "
            f"{', '.join(_fmt(x, 2) for x in load)} (a shared machine: compare the two "
            "columns, not runs).\n\n"
            + "\n".join(stores_markdown(stores, f"bench/results/{source}"))
            + "\n"
        )
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{START}\n{body}{END}{tail}", encoding="utf-8")
    return path


def plot_queries(results: dict[str, Any], out: Path) -> Path | None:
    """An SVG of median latency by corpus size, one line per Cypher query (log-log)."""
    sizes = _get(results, "queries", "sizes") or {}
    if len(sizes) < 2:
        return None
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    ordered = sorted(sizes, key=int)
    names = sorted({q for s in ordered for q in (sizes[s].get("cypher") or {})})
    fig, ax = plt.subplots(figsize=(8, 5))
    for q in names:
        xs, ys = [], []
        for s in ordered:
            v = _get(sizes, s, "cypher", q) or {}
            if v.get("p95_ms") is not None:
                xs.append(int(s))
                ys.append(v["p95_ms"])
        if xs:
            ax.plot(xs, ys, marker="o", label=q)
    ax.axhline(50, color="red", linestyle="--", linewidth=1, label="target 50 ms")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("documents in the store")
    ax.set_ylabel("p95 latency (ms)")
    ax.set_title("Catalog Cypher queries, embedded store")
    ax.legend(fontsize=6, ncol=2)
    fig.tight_layout()
    fig.savefig(out, format="svg")
    plt.close(fig)
    return out

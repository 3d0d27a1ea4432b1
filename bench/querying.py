"""Measurement 3: latency of every catalog query as the corpus grows.

One embedded store grows through the sizes (the scaler's corpora nest). At each size every
Cypher query of the catalog runs ``reps`` times on the store, and every SPARQL query runs on the
RDF export three ways: the product's :class:`SparqlEngine` (Oxigraph in a worker process),
rdflib with the ``oxrdflib`` store, and rdflib's plain in-memory store (the baseline).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import time
from collections.abc import Callable
from itertools import islice
from typing import Any

from rich.console import Console

from bench.loading import count_rows, fresh_store
from bench.stats import latency_summary

log = logging.getLogger(__name__)
console = Console(stderr=True)

# Values for parameters that name something in the graph, found in the loaded data.
_PICKERS: dict[str, str] = {
    "challenge": (
        "MATCH (:Stemme)-[:RAISES]->(u:Utfordring) "
        "RETURN u.id AS id, count(*) AS n ORDER BY n DESC, id LIMIT 1"
    ),
    "measure": (
        "MATCH (:Stemme)-[:PROPOSES]->(t:Tiltak) "
        "RETURN t.id AS id, count(*) AS n ORDER BY n DESC, id LIMIT 1"
    ),
    "actor": (
        "MATCH (a:`Aktør`)-[:AUTHORED]->(:Stemme) "
        "RETURN a.id AS id, count(*) AS n ORDER BY n DESC, id LIMIT 2"
    ),
    "document": "MATCH (d:Dokument) RETURN d.id AS id ORDER BY id LIMIT 1",
    "example": (
        "MATCH (:Stemme)-[:MENTIONS]->(e:Eksempel) "
        "RETURN e.id AS id, count(*) AS n ORDER BY n DESC, id LIMIT 1"
    ),
}
_ALIASES = {"from": "actor", "to": "actor2", "id": "actor", "concept": "challenge"}


def pick_params(store: Any) -> dict[str, Any]:
    """Parameter values that make the catalog queries return real rows at this size."""
    found: dict[str, Any] = {}
    for key, cypher in _PICKERS.items():
        try:
            rows = store.query(cypher)
        except Exception as exc:  # a picker the graph model does not support
            log.debug("picker %s failed: %s", key, exc)
            rows = []
        if rows:
            found[key] = rows[0]["id"]
            if key == "actor":
                found["actor2"] = rows[-1]["id"]
    return found


def _param_names(named: Any) -> list[tuple[str, Any]]:
    """(name, default) pairs of a NamedQuery's params, whatever shape they are given in."""
    specs = getattr(named, "param_specs", None)
    if specs:
        return [(p.name, p.default) for p in specs]
    params = getattr(named, "params", None) or []
    if isinstance(params, dict):
        items = list(params.items())
    else:
        items = []
        for p in params:
            if isinstance(p, str):
                items.append((p, None))
            else:
                items.append((getattr(p, "name", str(p)), getattr(p, "default", None)))
    out = []
    for name, default in items:
        if not isinstance(default, str | int | float | bool | type(None)):
            default = getattr(default, "default", None)
        out.append((name, default))
    return out


def params_for(named: Any, picked: dict[str, Any]) -> dict[str, Any]:
    """Fill every parameter: a graph value where one fits, else the default, else ``""``."""
    out: dict[str, Any] = {}
    for name, default in _param_names(named):
        key = _ALIASES.get(name, name)
        if key in picked:
            out[name] = picked[key]
        elif name == "limit":
            out[name] = default if isinstance(default, int) else 20
        elif name == "offset":
            out[name] = 0
        elif default is not None:
            out[name] = default
        else:
            out[name] = ""
    return out


def _time(fn: Callable[[], Any], reps: int, budget_s: float) -> dict[str, Any]:
    """Run ``fn`` once to warm up, then up to ``reps`` times within ``budget_s``."""
    try:
        t0 = time.perf_counter()
        first = fn()
        warm = time.perf_counter() - t0
    except Exception as exc:
        return {"error": f"{type(exc).__name__}: {exc}"[:300]}
    samples: list[float] = []
    started = time.perf_counter()
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
        # Stop at the time budget; a slow query still gets three samples when they fit.
        if time.perf_counter() - started > budget_s and (len(samples) >= 3 or warm > budget_s / 3):
            break
    out: dict[str, Any] = {**latency_summary(samples), "first_ms": round(warm * 1000, 3)}
    with contextlib.suppress(TypeError):
        out["rows"] = len(first)
    return out


def _brief(res: dict[str, Any]) -> str:
    if "median_ms" in res:
        return f"{res['median_ms']:.1f}/{res['p95_ms']:.1f} ms"
    return str(res.get("error") or res.get("skipped"))[:60]


def _forked_child(conn: Any, fn: Callable[[], Any], reps: int, budget_s: float) -> None:
    conn.send(_time(fn, reps, budget_s))
    conn.close()


def _time_forked(
    fn: Callable[[], Any], reps: int, budget_s: float, limit_s: float
) -> dict[str, Any]:
    """:func:`_time` in a forked child that is stopped after ``limit_s`` seconds.

    rdflib evaluates SPARQL in Python and some catalog queries take minutes on it at larger
    sizes; a thread cannot be stopped, a process can. The child inherits the graph by fork.
    """
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_forked_child, args=(child, fn, reps, budget_s), daemon=True)
    proc.start()
    child.close()
    try:
        if parent.poll(limit_s):
            return parent.recv()
        return {"error": f"timeout: no answer within {limit_s:g} s", "timeout_s": limit_s}
    except EOFError:
        return {"error": "the measuring process died"}
    finally:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
        parent.close()


def _sparql_at_size(
    store: Any,
    queries: list[Any],
    picked: dict[str, Any],
    reps: int,
    budget_s: float,
    limit_s: float,
    gave_up: dict[tuple[str, str], str],
    size: int,
) -> dict[str, Any]:
    from rdflib import Graph

    from helsegraf.graph.rdf import export_rdf
    from helsegraf.graph.sparql import SparqlEngine, bind_params

    out: dict[str, Any] = {}
    t0 = time.perf_counter()
    graph = export_rdf(store)
    out["export_s"] = round(time.perf_counter() - t0, 3)
    out["triples"] = len(graph)
    t0 = time.perf_counter()
    ox_graph = Graph(store="Oxigraph")
    for prefix, ns in graph.namespaces():
        ox_graph.bind(prefix, ns)
    ox_graph.addN((s, p, o, ox_graph) for s, p, o in graph)
    out["oxrdflib_build_s"] = round(time.perf_counter() - t0, 3)
    engine = SparqlEngine(graph, timeout_s=limit_s)
    out["queries"] = {}
    try:
        for named in queries:
            params = params_for(named, picked)
            # As SparqlEngine.query_named does: declared defaults, limit as a row cap.
            values = named.bind(params) if hasattr(named, "bind") else dict(params)
            cap = int(values.pop("limit", 0) or engine.row_cap)
            bindings = bind_params(values)
            res: dict[str, Any] = {"params": {k: str(v) for k, v in params.items()}}
            res["engine"] = _time(
                lambda n=named, p=params: engine.query_named(n.name, p), reps, budget_s
            )
            for label, g in (("oxrdflib", ox_graph), ("rdflib_memory", graph)):
                if (named.name, label) in gave_up:
                    res[label] = {"skipped": gave_up[(named.name, label)]}
                    continue
                res[label] = _time_forked(
                    lambda n=named, b=bindings, g=g, c=cap: list(
                        islice(g.query(n.text, initBindings=b), c)
                    ),
                    reps,
                    budget_s,
                    limit_s,
                )
                if "timeout_s" in res[label]:
                    gave_up[(named.name, label)] = f"timed out (> {limit_s:g} s) at {size} docs"
            out["queries"][named.name] = res
            console.print(
                f"  {size} docs sparql {named.name}: "
                + ", ".join(
                    f"{k} {_brief(res[k])}" for k in ("engine", "oxrdflib", "rdflib_memory")
                )
            )
    finally:
        engine.close()
    return out


def measure_queries(
    files_by_size: dict[int, list[Any]],
    reps: int = 20,
    budget_s: float = 4.0,
    extractions_for: Callable[..., list[Any]] | None = None,
    baseline_limit_s: float = 30.0,
    sparql_max_docs: int | None = None,
) -> dict[str, Any]:
    """Latency of each catalog query at each size (sizes ascending, nested corpora).

    SPARQL runs on an in-memory RDF export; above ``sparql_max_docs`` documents it is left out
    (the export of 1,000 documents is already 1.8 million triples held in memory three times).
    """
    from helsegraf.queries import catalog

    if extractions_for is None:
        from bench.extract_cache import extractions_for as _default

        extractions_for = _default
    all_queries = catalog.all()
    cypher = [q for q in all_queries if q.language == "cypher"]
    sparql = [q for q in all_queries if q.language == "sparql"]
    out: dict[str, Any] = {"reps": reps, "sizes": {}}
    stale: dict[str, int] = {"count": 0}
    gave_up: dict[tuple[str, str], str] = {}
    out["baseline_limit_s"] = baseline_limit_s
    loaded = 0
    with fresh_store(name="queries") as store:
        store.ensure_reference()
        for size in sorted(files_by_size):
            files = files_by_size[size]
            new = extractions_for(files[loaded:], stale=stale)
            t0 = time.perf_counter()
            store.load_extractions(new)  # as `helsegraf ingest` writes them
            load_s = time.perf_counter() - t0
            loaded = len(files)
            picked = pick_params(store)
            rows_added = count_rows(new)
            # The extractions are not needed any more; held, their millions of objects make
            # every garbage collection of this process slow, and the timings below with it.
            del new
            gc.collect()
            gc.freeze()
            at: dict[str, Any] = {
                "documents": loaded,
                "load_s_added": round(load_s, 3),
                "rows_added": rows_added,
                "counts": store.counts(),
                "params": picked,
                "cypher": {},
            }
            # The floor: a query that reads nothing, timed the same way. On a busy machine it
            # shows how much of every figure below is waiting for a core, not work.
            at["floor_return_1"] = _time(lambda: store.query("RETURN 1 AS x"), reps, budget_s)
            for named in cypher:
                params = params_for(named, picked)
                res = _time(lambda n=named, p=params: store.run_named(n.name, p), reps, budget_s)
                res["params"] = {k: str(v) for k, v in params.items()}
                at["cypher"][named.name] = res
                console.print(f"  {size} docs cypher {named.name}: {_brief(res)}")
            if sparql and sparql_max_docs is not None and loaded > sparql_max_docs:
                at["sparql"] = {"skipped": f"SPARQL measured up to {sparql_max_docs} documents"}
            elif sparql:
                try:
                    at["sparql"] = _sparql_at_size(
                        store, sparql, picked, reps, budget_s, baseline_limit_s, gave_up, size
                    )
                except Exception as exc:
                    at["sparql"] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
            out["sizes"][str(size)] = at
    gc.unfreeze()
    out["extractions_from_earlier_extractor"] = stale["count"]
    return out

"""Check that catalog query results stay the same while the queries or the loader change.

``python -m bench.catalog_check save --docs 100``
    build (or reuse) a store of the first N generated documents, run every Cypher catalog query
    with several realistic parameter sets, and save the rows to
    ``bench/.cache/catalog-check/<N>-reference.json``;
``python -m bench.catalog_check compare --docs 100 [--rebuild]``
    run them again and compare with the saved rows: the same multiset of rows (lists inside a
    row compared as multisets), and an order that still follows each query's ORDER BY (rows
    that tie on the sort key may come in any order); prints the median / p95 of every query;
``python -m bench.catalog_check time --docs 1000``
    only the timings.

The store lives in ``bench/.cache/catalog-check/store-<N>`` and is rebuilt with ``--rebuild``
(needed after a change to the loader). The extractions are read from one fixed directory of the
extraction cache (the most complete one), so the input does not move while the extractor does.
"""

from __future__ import annotations

import argparse
import itertools
import json
import shutil
import sys
import time
from collections import Counter
from typing import Any

from rich.console import Console

from bench.scaler import CACHE, scale_corpus
from bench.stats import latency_summary

HERE = CACHE / "catalog-check"
out = Console(highlight=False)

# The ORDER BY of each query as (column, descending) pairs; None: order carries no meaning
# beyond what the comparison checks (a single row, or a list read as a set).
SORT_KEYS: dict[str, list[tuple[str, bool]] | None] = {
    "actor_detail": None,
    "actors_list": [("statement_count", True), ("document_count", True), ("name", False)],
    "actors_raising_challenge": [("name", False), ("document", False), ("line", False)],
    "challenges_by_actor_type": [("id", False), ("actors", True), ("actor_type", False)],
    "challenges_by_fylke": [("id", False), ("actors", True), ("fylke", False)],
    "challenges_list": [("actor_count", True), ("id", False)],
    "challenges_ranked": [("actors", True), ("statements", True), ("id", False)],
    "document_detail": None,
    "document_statements": [("start", False), ("line", False), ("kind", False), ("concept", False)],
    "documents_list": [("name", False)],
    "example_detail": None,
    "examples_search": [("mention_count", True), ("name", False)],
    "graph_neighbourhood": None,
    "measures_for_challenge": [("actor_count", True), ("in_codebook", True), ("id", False)],
    "measures_list": [("actor_count", True), ("id", False)],
    "path_between_actors": None,
    "similar_actors": [("jaccard", True), ("shared_count", True), ("name", False)],
    "statements_export": [
        ("document_name", False),
        ("start", False),
        ("line", False),
        ("kind", False),
        ("concept", False),
    ],
}


def _extractions(n: int) -> tuple[list[Any], str]:
    """The extractions of the first ``n`` generated documents, from one cache directory."""
    import hashlib

    from helsegraf.ingest.models import Extraction

    files = scale_corpus(n, 1).files[:n]
    names = [hashlib.sha256(p.read_bytes()).hexdigest() + ".json" for p in files]
    dirs = sorted(
        (d for d in (CACHE / "extractions").iterdir() if d.is_dir()),
        key=lambda d: (-len(list(d.iterdir())), d.name),
    )
    for d in dirs:
        if all((d / name).exists() for name in names):
            return [
                Extraction.model_validate_json((d / name).read_text(encoding="utf-8"))
                for name in names
            ], d.name
    from bench.extract_cache import extractions_for

    return extractions_for(files), "current"


def open_check_store(n: int, rebuild: bool = False) -> Any:
    """The store of the first ``n`` documents (loaded once, reused until ``rebuild``)."""
    from helsegraf.core.config import Settings
    from helsegraf.graph.store import open_store

    data = HERE / f"store-{n}"
    marker = data / "loaded.json"
    if rebuild and data.exists():
        shutil.rmtree(data)
    data.mkdir(parents=True, exist_ok=True)
    store = open_store(Settings(backend="falkordb", data_dir=data, graph_name="check"))
    if not marker.exists():
        xs, source = _extractions(n)
        store.ensure_reference()
        t0 = time.perf_counter()
        load_many = getattr(store, "load_extractions", None)
        if load_many is not None:
            load_many(xs)
        else:
            for x in xs:
                store.load_extraction(x)
        took = time.perf_counter() - t0
        marker.write_text(json.dumps({"documents": n, "extractions": source, "load_s": took}))
        out.print(f"loaded {n} documents in {took:.1f} s (extractions {source})", markup=False)
    return store


def param_sets(store: Any) -> dict[str, list[dict[str, Any]]]:
    """Several parameter sets per query, found in the loaded graph."""

    def ids(cypher: str, k: int = 1) -> list[str]:
        return [r["id"] for r in store.query(cypher, row_cap=0)][:k]

    challenges = ids(
        "MATCH (:Stemme)-[:RAISES]->(u:Utfordring) "
        "RETURN u.id AS id, count(*) AS n ORDER BY n DESC, id",
        200,
    )
    challenges = [challenges[0], challenges[len(challenges) // 2], challenges[-1]]
    actors = ids(
        "MATCH (a:`Aktør`)-[:AUTHORED]->(:Stemme) RETURN a.id AS id, count(*) AS n "
        "ORDER BY n DESC, id",
        1000,
    )
    merged = ids(
        "MATCH (p:`Aktør`)-[:SUCCEEDED_BY]->(a:`Aktør`)-[:AUTHORED]->(:Stemme) "
        "RETURN DISTINCT a.id AS id ORDER BY id"
    )
    merged_old = ids(
        "MATCH (p:`Aktør`)-[:SUCCEEDED_BY]->(:`Aktør`) MATCH (p)-[:AUTHORED]->(:Stemme) "
        "RETURN DISTINCT p.id AS id ORDER BY id"
    )
    kommune = ids("MATCH (a:Kommune)-[:AUTHORED]->() RETURN DISTINCT a.id AS id ORDER BY id")
    actor_set = list(
        dict.fromkeys([actors[0], actors[len(actors) // 2], actors[-1], *merged, *merged_old])
    )
    fylke = store.query(
        "MATCH (a:Kommune)-[:IN_FYLKE]->(f:Fylke) WHERE (a)-[:AUTHORED]->() "
        "RETURN f.id AS id, f.fylkesnummer AS nr, f.name AS name, count(*) AS n "
        "ORDER BY n DESC, id LIMIT 1"
    )[0]
    docs = store.query("MATCH (d:Dokument) RETURN d.id AS id, d.name AS name ORDER BY id LIMIT 2")
    examples = ids(
        "MATCH (:Stemme)-[:MENTIONS]->(e:Eksempel) RETURN e.id AS id, count(*) AS n "
        "ORDER BY n DESC, id",
        1000,
    )
    example_set = [examples[0], examples[-1]]
    theme = ids(
        "MATCH (:Stemme)-[:STATES]->(:Utsagn)-[:CODED_AS]->()-[:IN_THEME]->(t:Tema) "
        "RETURN t.id AS id, count(*) AS n ORDER BY n DESC, id"
    )
    group = ids(
        "MATCH (:Eksempel)-[:FOR_GROUP]->(g:Pasientgruppe) RETURN g.id AS id, count(*) AS n "
        "ORDER BY n DESC, id"
    )
    runner = ids(
        "MATCH (:Eksempel)-[:INVOLVES]->(a:`Aktør`) RETURN a.id AS id, count(*) AS n "
        "ORDER BY n DESC, id"
    )
    word = store.query(
        "MATCH (e:Eksempel) WHERE e.description IS NOT NULL RETURN e.name AS name "
        "ORDER BY e.id LIMIT 1"
    )
    text = (word[0]["name"] if word else "fact")[:4]
    one_c = [{"challenge": c} for c in challenges]
    return {
        "actor_detail": [{"actor": a} for a in actor_set],
        "actors_list": [
            {},
            {"type": "Kommune"},
            {"type": "Helseforetak"},
            {"text": "helse"},
            {"text": "os"},
            {"fylke": fylke["id"]},
            {"fylke": fylke["nr"] or ""},
            {"fylke": fylke["name"]},
            {"type": "Kommune", "fylke": fylke["id"]},
        ],
        "actors_raising_challenge": one_c,
        "challenges_by_actor_type": [{}, *one_c],
        "challenges_by_fylke": [{}, *one_c],
        "challenges_list": [{}],
        "challenges_ranked": [{}, {"limit": 1000}],
        "document_detail": [{"document": docs[0]["id"]}, {"document": docs[1]["name"]}],
        "document_statements": [{"document": docs[0]["id"]}, {"document": docs[1]["name"]}],
        "documents_list": [{}],
        "example_detail": [{"example": e} for e in example_set],
        "examples_search": [
            {},
            {"text": text},
            {"text": "helse"},
            *([{"theme": theme[0]}] if theme else []),
            *([{"patient_group": group[0]}] if group else []),
            *([{"actor": runner[0]}] if runner else []),
            {"actor": actors[0]},
            *([{"theme": theme[0], "text": "e"}] if theme else []),
        ],
        "graph_neighbourhood": [
            {"id": actors[0]},
            {"id": kommune[0] if kommune else actors[-1]},
            {"id": examples[0]},
            {"id": challenges[0]},
        ],
        "measures_for_challenge": one_c,
        "measures_list": [{}],
        "path_between_actors": [{"source": actors[0], "target": actors[1]}],
        "similar_actors": [{"actor": a} for a in actor_set[:3]],
        "statements_export": [{}],
    }


def _canon(value: Any) -> Any:
    """A hashable form; lists become sorted tuples (compared as multisets)."""
    if isinstance(value, dict):
        return tuple(sorted((k, _canon(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return ("__list__", tuple(sorted((_canon(v) for v in value), key=repr)))
    if isinstance(value, float):
        return round(value, 9)
    return value


def _sort_value(v: Any) -> Any:
    return (0, v) if v is not None else (1, 0)


def _ordered(rows: list[dict[str, Any]], key: list[tuple[str, bool]]) -> bool:
    """True if ``rows`` follow the sort key (ties in any order)."""

    def k(r: dict[str, Any]) -> tuple:
        out = []
        for col, desc in key:
            v = r.get(col)
            if v is None:
                v = 0 if col in ("start", "line") else None
            out.append((v, desc))
        return tuple(out)

    def le(a: tuple, b: tuple) -> bool:
        for (va, desc), (vb, _) in zip(a, b, strict=True):
            if va == vb:
                continue
            if va is None or vb is None:
                return va is None if desc else vb is None
            return va > vb if desc else va < vb
        return True

    return all(le(k(a), k(b)) for a, b in itertools.pairwise(rows))


def run_all(store: Any, sets: dict[str, list[dict[str, Any]]], reps: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, plist in sets.items():
        runs = []
        times: list[float] = []
        for params in plist:
            rows = store.run_named(name, params, row_cap=0, timeout_ms=0)
            for _ in range(reps):
                t0 = time.perf_counter()
                store.run_named(name, params, row_cap=0, timeout_ms=0)
                times.append(time.perf_counter() - t0)
            runs.append({"params": params, "columns": rows.columns, "rows": list(rows)})
        out[name] = {"runs": runs, "timing": latency_summary(times) if times else {}}
    return out


def compare(reference: dict[str, Any], now: dict[str, Any]) -> list[str]:
    problems = []
    for name, ref in reference.items():
        if name not in now:
            problems.append(f"{name}: not run")
            continue
        for r_run, n_run in zip(ref["runs"], now[name]["runs"], strict=True):
            p = r_run["params"]
            if r_run["columns"] != n_run["columns"]:
                problems.append(f"{name} {p}: columns {r_run['columns']} -> {n_run['columns']}")
            r_rows, n_rows = r_run["rows"], n_run["rows"]
            if name == "path_between_actors":
                # Another shortest path of the same length is as right.
                r_h = [r.get("hops") for r in r_rows]
                n_h = [r.get("hops") for r in n_rows]
                if r_h != n_h:
                    problems.append(f"{name} {p}: hops {r_h} -> {n_h}")
                continue
            a = Counter(_canon(r) for r in r_rows)
            b = Counter(_canon(r) for r in n_rows)
            if a != b:
                missing = list((a - b).elements())[:2]
                extra = list((b - a).elements())[:2]
                problems.append(
                    f"{name} {p}: {len(r_rows)} -> {len(n_rows)} rows; "
                    f"missing {missing!r:.600} extra {extra!r:.600}"
                )
                continue
            key = SORT_KEYS.get(name)
            if key and not _ordered(n_rows, key):
                problems.append(f"{name} {p}: rows no longer in ORDER BY order")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.catalog_check")
    ap.add_argument("command", choices=["save", "compare", "time"])
    ap.add_argument("--docs", type=int, default=100)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--only", default="", help="comma-separated query names")
    args = ap.parse_args(argv)
    HERE.mkdir(parents=True, exist_ok=True)
    ref_file = HERE / f"{args.docs}-reference.json"
    store = open_check_store(args.docs, args.rebuild)
    try:
        sets = param_sets(store) if args.command == "save" or not ref_file.exists() else None
        reference = json.loads(ref_file.read_text()) if ref_file.exists() else None
        if sets is None:
            sets = {k: [r["params"] for r in v["runs"]] for k, v in reference.items()}
        if args.only:
            wanted = set(args.only.split(","))
            sets = {k: v for k, v in sets.items() if k in wanted}
        now = run_all(store, sets, args.reps)
    finally:
        store.close()
    for name, res in now.items():
        t = res["timing"]
        rows = sum(len(r["rows"]) for r in res["runs"])
        out.print(
            f"{name:28s} {t.get('median_ms', 0):9.1f} {t.get('p95_ms', 0):9.1f} ms  rows {rows}",
            markup=False,
        )
    if args.command == "save":
        ref_file.write_text(json.dumps(now, ensure_ascii=False, default=str))
        out.print(f"saved {ref_file}", markup=False)
        return 0
    if args.command == "compare":
        if reference is None:
            out.print("no reference saved; run save first")
            return 2
        if args.only:
            reference = {k: v for k, v in reference.items() if k in now}
        problems = compare(reference, json.loads(json.dumps(now, default=str)))
        for p in problems:
            out.print("DIFF", p, markup=False)
        out.print("same results" if not problems else f"{len(problems)} differences")
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())

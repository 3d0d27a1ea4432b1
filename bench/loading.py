"""Measurement 2: load rows/s into the embedded store, batched vs row by row.

Three ways of writing the same extractions, each into a fresh embedded store:

* ``store_loader``: ``GraphStore.load_extractions`` (the product's loader as ``helsegraf
  ingest`` uses it: ``UNWIND $rows`` batches holding the rows of several documents, one unit of
  writes per 16 documents; it also replaces earlier versions and links to the codebook and
  registries);
* ``generic_batched``: the rows below written with ``UNWIND $rows AS r ... MERGE`` in batches;
* ``row_by_row``: the same statements run once per row (``WITH $r AS r ... MERGE``): the naive
  baseline.

Rows are counted the same way for all three: one per document, voice, named actor, statement
(challenge or measure) and example mention.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from helsegraf.ingest.models import Extraction, content_id

log = logging.getLogger(__name__)

# Statement bodies; ``r`` is one row. Batched: prefixed with UNWIND, naive: with WITH $r AS r.
BODIES: dict[str, str] = {
    "documents": "MERGE (d:Dokument {id: r.id}) SET d.name = r.name, d.kind = r.kind",
    "voices": (
        "MATCH (d:Dokument {id: r.doc}) MERGE (v:Stemme {id: r.id}) "
        "SET v.voice = r.voice, v.doc_id = r.doc MERGE (d)-[:HAS_VOICE]->(v)"
    ),
    "actors": (
        "MERGE (a:`Aktør` {id: r.id}) SET a.name = r.name, a.type = r.type "
        "WITH a, r MATCH (d:Dokument {id: r.doc}) MERGE (d)-[:MENTIONS {doc_id: r.doc}]->(a)"
    ),
    "statements": (
        "MATCH (v:Stemme {id: r.voice}) MERGE (s:Utsagn {id: r.id}) "
        "SET s.kind = r.kind, s.concept = r.concept, s.quote = r.quote, s.line = r.line, "
        "s.doc_id = r.doc MERGE (v)-[:STATES]->(s) "
        "MERGE (c:Konsept {id: r.concept}) MERGE (s)-[:CODED_AS]->(c)"
    ),
    "examples": (
        "MERGE (e:Eksempel {id: r.id}) SET e.name = r.name WITH e, r "
        "MATCH (v:Stemme {id: r.voice}) MERGE (v)-[m:MENTIONS]->(e) "
        "SET m.stance = r.stance, m.quote = r.quote, m.doc_id = r.doc"
    ),
}
INDEXED = ("Dokument", "Stemme", "Aktør", "Utsagn", "Konsept", "Eksempel")


def rows_of(x: Extraction) -> dict[str, list[dict[str, Any]]]:
    """The rows one extraction contributes, by kind (documents first: later rows MATCH them)."""
    doc = "bench-dokument/" + (x.id or content_id(x.document))[:16]
    rows: dict[str, list[dict[str, Any]]] = {k: [] for k in BODIES}
    rows["documents"].append({"id": doc, "name": x.document, "kind": x.kind})
    for v in x.voices:
        rows["voices"].append({"id": f"{doc}/{v.id}", "doc": doc, "voice": v.id})
    for a in x.actors:
        rows["actors"].append(
            {"id": a.id or f"aktor/{a.name}", "name": a.name, "type": a.type, "doc": doc}
        )
    for kind, items in (("challenge", x.challenges), ("measure", x.measures)):
        for s in items:
            sid = s.id or content_id(doc, kind, s.voice, s.concept, s.quote, str(s.start))
            rows["statements"].append(
                {
                    "id": sid,
                    "kind": kind,
                    "concept": s.concept,
                    "quote": s.quote,
                    "line": s.line,
                    "voice": f"{doc}/{s.voice}",
                    "doc": doc,
                }
            )
    for e in x.examples:
        rows["examples"].append(
            {
                "id": f"eksempel/{e.name.lower()}",
                "name": e.name,
                "voice": f"{doc}/{e.voice}",
                "stance": e.stance,
                "quote": e.quote,
                "doc": doc,
            }
        )
    return rows


def count_rows(extractions: list[Extraction]) -> int:
    """Rows of all extractions (the unit of rows/s for all three loaders)."""
    return sum(len(v) for x in extractions for v in rows_of(x).values())


@contextlib.contextmanager
def fresh_store_and_settings(
    tmp_root: Path | None = None, name: str = "bench"
) -> Iterator[tuple[Any, Any]]:
    """Open an embedded store in a new temporary data directory; yield (store, settings)."""
    from helsegraf.core.config import Settings
    from helsegraf.graph.store import open_store

    with tempfile.TemporaryDirectory(prefix=f"hg-bench-{name}-", dir=tmp_root) as d:
        settings = Settings(backend="falkordb", data_dir=Path(d), graph_name=name)
        store = open_store(settings)
        try:
            yield store, settings
        finally:
            store.close()


@contextlib.contextmanager
def fresh_store(tmp_root: Path | None = None, name: str = "bench") -> Iterator[Any]:
    """Open an embedded store in a new temporary data directory."""
    with fresh_store_and_settings(tmp_root, name) as (store, _):
        yield store


def _create_indexes(store: Any) -> None:
    for label in INDEXED:
        with contextlib.suppress(Exception):  # already there
            store.query(f"CREATE INDEX FOR (n:`{label}`) ON (n.id)", read_only=False)


def _load_generic(store: Any, extractions: list[Extraction], batch: int | None) -> float:
    """Write all rows; batch=None means one query per row. Returns seconds spent."""
    _create_indexes(store)
    t0 = time.perf_counter()
    for x in extractions:
        rows = rows_of(x)
        for kind, body in BODIES.items():
            items = rows[kind]
            if not items:
                continue
            if batch is None:
                for r in items:
                    store.query(f"WITH $r AS r {body}", {"r": r}, read_only=False)
            else:
                for i in range(0, len(items), batch):
                    store.query(
                        f"UNWIND $rows AS r {body}", {"rows": items[i : i + batch]}, read_only=False
                    )
    return time.perf_counter() - t0


def measure_load(extractions: list[Extraction], batch_size: int = 500) -> dict[str, Any]:
    """Rows/s of the store's loader, generic batched and row-by-row loading; their ratios."""
    n_rows = count_rows(extractions)
    out: dict[str, Any] = {"documents": len(extractions), "rows": n_rows, "batch_size": batch_size}
    if extractions:
        # The registry's name matcher is compiled on first use (once per process, about half a
        # second): not a cost of loading rows, and the baselines do not resolve names at all.
        from helsegraf.graph.loader import ActorResolver

        ActorResolver(extractions[0])
    with fresh_store(name="loader") as store:
        store.ensure_reference()
        t0 = time.perf_counter()
        # As ``helsegraf ingest`` loads: several documents per unit of writes.
        store.load_extractions(extractions)
        loader_s = time.perf_counter() - t0
        out["store_counts"] = store.counts()
    with fresh_store(name="batched") as store:
        batched_s = _load_generic(store, extractions, batch_size)
    with fresh_store(name="naive") as store:
        naive_s = _load_generic(store, extractions, None)
    out["seconds"] = {
        "store_loader": round(loader_s, 4),
        "generic_batched": round(batched_s, 4),
        "row_by_row": round(naive_s, 4),
    }
    out["rows_per_s"] = {k: round(n_rows / v, 1) for k, v in out["seconds"].items()}
    out["ratio_loader_vs_row_by_row"] = round(naive_s / loader_s, 2)
    out["ratio_batched_vs_row_by_row"] = round(naive_s / batched_s, 2)
    return out

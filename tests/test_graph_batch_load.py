"""Loading several documents per unit of writes gives the graph that loading them one by one
gives: fresh, re-ingested, replaced by a changed version, and the same document twice in one
call; and it writes fewer units than documents."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from helsegraf.graph import counts
from helsegraf.graph.store import GraphStore, open_store
from helsegraf.ingest.models import Extraction


def _props(p: dict) -> dict:
    """Properties, with kept counts of 0 left out (an absent count reads as 0)."""
    kept = {name for names in counts.KEPT.values() for name in names}
    return {k: v for k, v in p.items() if not (k in kept and v == 0)}


def _dump(store: GraphStore) -> tuple[Counter[str], Counter[str]]:
    nodes = Counter(
        json.dumps([sorted(r["l"]), _props(r["p"])], sort_keys=True, ensure_ascii=False)
        for r in store.query(
            "MATCH (a) RETURN labels(a) AS l, properties(a) AS p", row_cap=0, timeout_ms=0
        )
    )
    edges = Counter(
        json.dumps([r["t"], r["a"], r["b"], r["p"]], sort_keys=True, ensure_ascii=False)
        for r in store.query(
            "MATCH (a)-[e]->(b) RETURN type(e) AS t, a.id AS a, b.id AS b, properties(e) AS p",
            row_cap=0,
            timeout_ms=0,
        )
    )
    return nodes, edges


def _changed(x: Extraction, k: int) -> Extraction:
    """Another version of the same file: other content hash, no examples (so some become
    orphans) or half the challenges."""
    y = x.model_copy(deep=True)
    y.sha256 = (x.sha256 or "0" * 64)[:-4] + f"{k:04d}"
    y.id = None
    if k % 2:
        y.examples = []
    else:
        y.challenges = y.challenges[: len(y.challenges) // 2]
    return y


@pytest.fixture(scope="module")
def extractions(gold_extractions: list[Extraction]) -> list[Extraction]:
    return list(gold_extractions)


def _one_by_one(store: GraphStore, x: Extraction) -> None:
    """The reference: one document per unit, as the loader wrote before it batched."""
    from helsegraf.graph import loader
    from helsegraf.review.overlay import apply_document

    doc_id, merges = loader.document_statements(x, store.settings.batch_size)
    touched = loader._previous(store, x.document, doc_id)
    store.write([*loader._delete_statements(touched), *merges, *loader._orphan_statements(touched)])
    apply_document(store, doc_id, x.document)


def _load(tmp_path: Path, make_graph_settings, steps, batched: bool) -> tuple:  # type: ignore[no-untyped-def]
    with open_store(make_graph_settings(tmp_path, "batch")) as store:
        store.ensure_reference()
        for xs in steps:
            if batched:
                store.load_extractions(xs)
            else:
                for x in xs:
                    _one_by_one(store, x)
        if not batched:
            # The reference keeps no counts as it goes: a full count gives what the batched
            # loader must have kept (graph/counts.py).
            counts.recount(store)
        return _dump(store)


def test_batched_load_equals_one_by_one(tmp_path: Path, make_graph_settings, extractions) -> None:  # type: ignore[no-untyped-def]
    changed = [_changed(x, i) for i, x in enumerate(extractions)]
    steps = [
        extractions,  # fresh
        extractions[:2],  # re-ingest, nothing changes
        [*changed[:3], extractions[0], changed[1]],  # replaced, and the same file twice
    ]
    one = _load(tmp_path / "one", make_graph_settings, steps, batched=False)
    many = _load(tmp_path / "many", make_graph_settings, steps, batched=True)
    assert sum(one[0].values()) > 100 and sum(one[1].values()) > 100
    assert many == one


def test_several_documents_go_in_one_unit(
    tmp_path: Path, make_graph_settings, extractions, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    with open_store(make_graph_settings(tmp_path, "units")) as store:
        store.ensure_reference()
        units: list[int] = []
        original = store.write
        monkeypatch.setattr(store, "write", lambda st: (units.append(len(st)), original(st)))
        ids = store.load_extractions(extractions)
        assert len(ids) == len(extractions) == len(set(ids))
        # One unit for the documents, one for their share of the kept counts (graph/counts.py).
        assert len(units) == 2
        n = store.query("MATCH (d:Dokument) RETURN count(d) AS n")[0]["n"]
        assert n == len(extractions)

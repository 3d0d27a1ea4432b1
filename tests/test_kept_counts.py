"""The counts kept on concept, actor and document nodes (graph/counts.py) equal a full recount
after any sequence of writes: load, re-ingest (changed and unchanged), delete, review (reject,
edit, add), recode, and RDF import. Also: the list queries read them, and a store written
before counts were kept is recounted when it opens."""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helsegraf.graph import counts
from helsegraf.graph.store import GraphStore, open_store
from helsegraf.ingest.models import Extraction
from helsegraf.review import service, texts

CORPUS = Path(__file__).resolve().parent.parent / "samples" / "corpus"
_runs = itertools.count()


def _changed(x: Extraction, k: int) -> Extraction:
    """Another version of the same file: other content hash, fewer statements or examples, and
    (k even) its first voice written by other authors."""
    y = x.model_copy(deep=True)
    y.sha256 = (x.sha256 or "0" * 64)[:-4] + f"{k:04d}"
    y.id = None
    if k % 2:
        y.examples = []
        y.measures = y.measures[::2]
    else:
        y.challenges = y.challenges[: len(y.challenges) // 2]
        if y.voices:
            y.voices[0].authors = ["Helse Nord RHF", "Bodø kommune"]
    return y


def _assert_counts(store: GraphStore) -> None:
    kept = counts.kept(store)
    expected = counts.expected(store)
    wrong = {
        node: (kept.get(node), want)
        for node, want in expected.items()
        if {k: v for k, v in (kept.get(node) or {}).items() if k in want} != want
    }
    # A count must stay an integer (FalkorDB's sum() gives a float, which JSON shows as 8.0).
    wrong |= {
        key: (got, "an integer")
        for key, got in kept.items()
        if any(isinstance(v, float) for v in got.values())
    }
    # A kept relationship that a full count does not find (a cell left behind) is wrong too.
    wrong |= {key: (got, None) for key, got in kept.items() if key not in expected}
    assert not wrong, f"{len(wrong)} nodes with wrong kept counts, e.g. {list(wrong.items())[:3]}"


def _machine_statement(store: GraphStore, pick: int) -> dict | None:
    rows = store.query(
        "MATCH (v:Stemme)-[:STATES]->(u:Utsagn) WHERE coalesce(u.status, 'machine') = 'machine' "
        "RETURN u.id AS id, u.concept AS concept, u.doc_id AS doc ORDER BY id",
        row_cap=0,
    )
    return rows[pick % len(rows)] if rows else None


def _other_concept(concept: str, pick: int) -> str:
    from helsegraf.ontology.codebook import load_codebook

    scheme = concept.partition("/")[0]
    options = [c.id for c in load_codebook().scheme(scheme) if c.id != concept]
    return options[pick % len(options)]


OPS = st.lists(
    st.tuples(
        st.sampled_from(
            ["load", "load_many", "reload", "change", "delete", "reject", "edit", "add", "recode"]
        ),
        st.integers(0, 10_000),
    ),
    min_size=3,
    max_size=7,
)


@pytest.fixture(scope="module")
def sources(gold_extractions: list[Extraction]) -> list[tuple[Extraction, str]]:
    """Gold extractions with the text of their file (for review additions and recode)."""
    out = []
    for x in gold_extractions:
        path = CORPUS / x.document
        if path.exists():
            # With the file's hash, as ingest gives it (review additions find the text by it).
            sha = hashlib.sha256(path.read_bytes()).hexdigest()
            out.append((x.model_copy(update={"sha256": sha}), path.read_text(encoding="utf-8")))
    assert len(out) >= 3
    return out


def _step(store: GraphStore, op: str, n: int, sources: list[tuple[Extraction, str]]) -> None:
    x, text = sources[n % len(sources)]
    cfg = store.settings
    if op == "load":
        store.load_extraction(x)
    elif op == "load_many":
        store.load_extractions([s for s, _ in sources[: 2 + n % (len(sources) - 1)]])
    elif op == "reload":
        store.load_extractions([x, _changed(x, n % 7 + 1)])
    elif op == "change":
        store.load_extraction(_changed(x, n % 7))
    elif op == "delete":
        store.delete_document(x.document)
    elif op in ("reject", "edit"):
        row = _machine_statement(store, n)
        if row is None:
            return
        concepts = [_other_concept(row["concept"], n)] if op == "edit" else None
        service.review_statement(store, cfg, row["id"], op, "Kari", concepts=concepts)  # type: ignore[arg-type]
    elif op == "add":
        docs = store.query(
            "MATCH (d:Dokument {name: $n}) RETURN d.id AS id, d.sha256 AS sha", {"n": x.document}
        )
        if not docs:
            return
        texts.remember(x.document, docs[0]["sha"], text, cfg)
        line = next(ln for ln in text.splitlines()[n % 40 :] + text.splitlines() if len(ln) > 30)
        service.add_coding(
            store, cfg, docs[0]["id"], "utfordring/rekruttering", line[:30], reviewer="Kari"
        )
    elif op == "recode":
        from helsegraf.review.recode import recode

        loaded = store.query("MATCH (d:Dokument) RETURN d.name AS n, d.sha256 AS s", row_cap=0)
        for r in loaded:
            src = next((t for s, t in sources if s.document == r["n"]), None)
            if src is not None:
                texts.remember(r["n"], r["s"], src, cfg)
        if loaded:
            recode(store, cfg, None, documents=[loaded[n % len(loaded)]["n"]], apply=True)


@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS)
def test_kept_counts_equal_a_full_recount(
    tmp_path: Path, make_graph_settings, sources, ops
) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / f"run{next(_runs)}"  # a data directory of its own: its own review log
    with open_store(make_graph_settings(data, "kept")) as store:
        store.ensure_reference()
        for op, n in ops:
            _step(store, op, n, sources)
            _assert_counts(store)
        # RDF import writes the graph wholesale and counts afresh.
        from helsegraf.graph.rdf import export_rdf, import_rdf

        with open_store(make_graph_settings(data, "imported")) as other:
            import_rdf(export_rdf(store), other)
            _assert_counts(other)
            assert counts.kept(other) == {k: v for k, v in counts.kept(store).items()}


def test_the_check_bites(tmp_path: Path, make_graph_settings, sources) -> None:  # type: ignore[no-untyped-def]
    """A count the writers did not keep (here: changed behind their back) is caught."""
    with open_store(make_graph_settings(tmp_path, "bites")) as store:
        store.load_extraction(sources[0][0])
        _assert_counts(store)
        store.query(
            "MATCH (c:Utfordring) WHERE c.actor_count > 0 WITH c LIMIT 1 "
            "SET c.actor_count = c.actor_count + 1",
            read_only=False,
        )
        with pytest.raises(AssertionError, match="wrong kept counts"):
            _assert_counts(store)


def test_old_store_is_recounted_on_open(tmp_path: Path, make_graph_settings, sources) -> None:  # type: ignore[no-untyped-def]
    cfg = make_graph_settings(tmp_path, "old")
    with open_store(cfg) as store:
        store.load_extraction(sources[0][0])
        # As a store written before counts were kept: no counts, no marker.
        props = ", ".join(f"n.{p} = null" for p in {p for ps in counts.KEPT.values() for p in ps})
        store.query(f"MATCH (n) SET {props}", read_only=False)
        for rel in counts.KEPT_RELS:
            store.query(f"MATCH ()-[t:{rel}]->() DELETE t", read_only=False)
        store.query("MATCH (m:Meta {id: 'counts'}) DELETE m", read_only=False)
        assert not any(any(v for v in c.values()) for c in counts.kept(store).values())
    with open_store(cfg) as store:
        store.ensure_reference()
        _assert_counts(store)
        assert any(c.get("actor_count") for c in counts.kept(store).values())
        assert any(key.startswith("CO_TALLY ") for key in counts.kept(store))


def test_list_queries_read_the_kept_counts(store: GraphStore) -> None:
    """challenges_list's counts are the kept ones (a wrong kept count shows in the answer)."""
    rows = store.run_named("challenges_list")
    top = rows[0]
    assert top["actor_count"] > 0
    store.query(
        "MATCH (c:Utfordring {id: $id}) SET c.actor_count = c.actor_count + 1000",
        {"id": top["id"]},
        read_only=False,
    )
    try:
        again = {r["id"]: r for r in store.run_named("challenges_list")}
        assert again[top["id"]]["actor_count"] == top["actor_count"] + 1000
    finally:
        store.query(
            "MATCH (c:Utfordring {id: $id}) SET c.actor_count = c.actor_count - 1000",
            {"id": top["id"]},
            read_only=False,
        )


def test_a_count_update_cut_off_is_recounted_on_open(
    tmp_path: Path, make_graph_settings, sources
) -> None:  # type: ignore[no-untyped-def]
    """A writer killed between its write and its count update leaves the marker pending; the
    next open recounts."""
    cfg = make_graph_settings(tmp_path, "pending")
    with open_store(cfg) as store:
        store.load_extraction(sources[0][0])
        store.query(
            "MATCH (c:Utfordring) WHERE c.actor_count > 0 SET c.actor_count = 0",
            read_only=False,
        )
        store.query("MATCH (m:Meta {id: 'counts'}) SET m.pending = 1", read_only=False)
    with open_store(cfg) as store:
        store.ensure_reference()
        _assert_counts(store)
        assert store.query("MATCH (m:Meta {id: 'counts'}) RETURN m.pending AS p")[0]["p"] == 0

"""Both stores give the same answers: every named query of ``queries/`` on the sample corpus.

The sample corpus (``samples/corpus``, extracted by the pipeline) is loaded into the embedded
FalkorDB and into the Neo4j test server. Every Cypher query of the catalog runs on both, in
each engine's own form where it has one (``*.falkordb.cypher``, ``*.neo4j.cypher``), with
parameters taken from the data; every SPARQL query runs over each store's RDF export. The
rows must be the same on both engines (as a multiset; lists inside a row compare as
multisets too, since ``collect`` has no order), and the same again after a second ingest of
the same documents.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from helsegraf.core.config import Settings
from helsegraf.graph.sparql import SparqlEngine
from helsegraf.graph.store import GraphStore, open_store
from helsegraf.ingest.models import Extraction
from helsegraf.queries import catalog

pytestmark = pytest.mark.neo4j


def canonical(value: Any) -> Any:
    """A hashable form of a result value in which the order of list items does not count."""
    if isinstance(value, dict):
        return tuple(sorted((k, canonical(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return ("list", tuple(sorted((canonical(v) for v in value), key=repr)))
    if isinstance(value, float):
        return round(value, 9)
    return value


def multiset(rows: list[dict[str, Any]]) -> Counter[Any]:
    return Counter(canonical(r) for r in rows)


@pytest.fixture(scope="module")
def corpus(corpus_extractions: list[Extraction]) -> list[Extraction]:
    return corpus_extractions


@pytest.fixture(scope="module")
def stores(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    corpus: list[Extraction],
    store_settings: Any,
) -> Iterator[dict[str, tuple[GraphStore, Settings]]]:
    """The sample corpus in both stores: {"falkordb": (store, settings), "neo4j": (...)}."""
    out: dict[str, tuple[GraphStore, Settings]] = {}
    try:
        for backend in ("falkordb", "neo4j"):
            settings = store_settings(
                backend, request, tmp_path_factory.mktemp(f"parity-{backend}"), graph_name="parity"
            )
            store = open_store(settings)
            out[backend] = (store, settings)
            store.ensure_reference()
            store.load_extractions(corpus)
        yield out
    finally:
        for store, _ in out.values():
            store.close()


def _parameter_values(store: GraphStore) -> dict[str, list[Any]]:
    """Representative values of every parameter the catalog declares, read from the data."""

    def ids(cypher: str) -> list[Any]:
        return [r["v"] for r in store.query(cypher, timeout_ms=0, row_cap=0)]

    authors = ids(
        "MATCH (a:`Aktør`)-[:AUTHORED]->(v:Stemme)-[:STATES]->(u) "
        "WITH a, count(u) AS n RETURN a.id AS v ORDER BY n DESC, v LIMIT 4"
    )
    mentioned = ids(
        "MATCH (:Dokument)-[:MENTIONS]->(a:`Aktør`) RETURN DISTINCT a.id AS v ORDER BY v LIMIT 2"
    )
    challenges = ids(
        "MATCH (:Stemme)-[:RAISES]->(c:Utfordring) RETURN DISTINCT c.id AS v ORDER BY v"
    )
    documents = ids("MATCH (d:Dokument) RETURN d.name AS v ORDER BY v")
    doc_ids = ids("MATCH (d:Dokument) RETURN d.id AS v ORDER BY v LIMIT 1")
    examples = ids("MATCH (:Stemme)-[:MENTIONS]->(e:Eksempel) RETURN DISTINCT e.id AS v ORDER BY v")
    themes = ids(
        "MATCH (:Utsagn)-[:CODED_AS]->()-[:IN_THEME]->(t:Tema) RETURN DISTINCT t.id AS v ORDER BY v LIMIT 3"
    )
    groups = ids("MATCH (:Eksempel)-[:FOR_GROUP]->(g) RETURN DISTINCT g.id AS v ORDER BY v LIMIT 2")
    fylker = ids(
        "MATCH (:Stemme)<-[:AUTHORED]-(:`Aktør`)-[:IN_FYLKE]->(f:Fylke) "
        "RETURN DISTINCT f.id AS v ORDER BY v LIMIT 1"
    )
    fylke_names = ids(f"MATCH (f:Fylke) WHERE f.id IN {json.dumps(fylker)} RETURN f.name AS v")
    example_words = [
        w
        for w in ids(
            "MATCH (:Stemme)-[:MENTIONS]->(e:Eksempel) RETURN DISTINCT e.name AS v ORDER BY v LIMIT 2"
        )
        for w in [max(w.split(), key=len).lower()]
    ]
    measures = ids(
        "MATCH (:Stemme)-[:PROPOSES]->(m:Tiltak) RETURN DISTINCT m.id AS v ORDER BY v LIMIT 4"
    )
    communities = ids(
        "MATCH (:Stemme)<-[:AUTHORED]-(:`Aktør`)-[:MEMBER_OF]->(h:Helsefellesskap) "
        "RETURN DISTINCT h.id AS v ORDER BY v LIMIT 2"
    )
    assert authors and challenges and documents and examples and measures, (
        "the corpus gave too little data"
    )
    return {
        "actor": [*authors, *mentioned, ""],
        "challenge": [*challenges, ""],
        "document": [*documents, *doc_ids, "no-such-document"],
        "example": examples,
        "id": [*authors[:2], *examples[:2]],
        "source": authors[:2],
        "target": authors[1:3] + examples[:1],
        "text": ["", *example_words, "kommune"],
        "theme": ["", *themes],
        "patient_group": ["", *groups],
        "type": ["", "Kommune", "Helseforetak"],
        "fylke": ["", *fylker, *fylke_names],
        "limit": [None, 3],
        "measure": measures,
        "by": ["actor", "type"],
        "row": [authors[0], "Kommune", "Helseforetak"],
        "helsefellesskap": ["", *communities],
        "actor_type": ["", "Kommune", "Helseforetak"],
        "document_kind": ["", "innspill", "handlingsplan"],
        "without_cosigners": [None, True],
    }


def _cases(values: dict[str, list[Any]], params: list[str]) -> list[dict[str, Any]]:
    """The first value of every parameter, then each other value of one parameter at a time."""
    if not params:
        return [{}]
    missing = [p for p in params if p not in values]
    assert not missing, f"no representative values for parameter(s) {missing}: add them here"
    base = {p: values[p][0] for p in params}
    cases = [base]
    for p in params:
        cases += [{**base, p: v} for v in values[p][1:]]
    # None means "leave it to the declared default"
    return [{k: v for k, v in c.items() if v is not None} for c in cases]


def _answers(
    stores: dict[str, tuple[GraphStore, Settings]], *, rebuild: bool = False
) -> dict[str, dict[str, Any]]:
    """backend -> {"<query> <params>": multiset of rows} for every named query
    (``rebuild``: export the store to RDF anew for the SPARQL queries)."""
    values = _parameter_values(stores["falkordb"][0])
    out: dict[str, dict[str, Any]] = {}
    for backend, (store, settings) in stores.items():
        answers: dict[str, Any] = {}
        engine = SparqlEngine.for_store(
            store, settings.model_copy(update={"query_timeout_ms": 60_000}), rebuild=rebuild
        )
        try:
            for q in catalog.all():
                for case in _cases(values, q.params):
                    key = f"{q.name}.{q.language} {json.dumps(case, sort_keys=True)}"
                    if q.language == "cypher":
                        rows = store.run_named(q.name, case, timeout_ms=0, row_cap=0)
                    else:
                        rows = engine.query_named(q.name, case).rows()
                    answers[key] = multiset(rows)
        finally:
            engine.close()
        out[backend] = answers
    return out


def _differences(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    diffs = []
    for key in sorted(a):
        if a[key] != b[key]:
            only_a = list((a[key] - b[key]).elements())[:2]
            only_b = list((b[key] - a[key]).elements())[:2]
            diffs.append(f"{key}: {len(only_a)}+ rows only in one, e.g. {only_a} vs {only_b}")
    return diffs


@pytest.fixture(scope="module")
def first(stores: dict[str, tuple[GraphStore, Settings]]) -> dict[str, dict[str, Any]]:
    return _answers(stores)


def test_every_named_query_is_covered(first: dict[str, dict[str, Any]]) -> None:
    names = {key.split(" ", 1)[0] for key in first["neo4j"]}
    assert names == {f"{q.name}.{q.language}" for q in catalog.all()}
    variants = {q.name for q in catalog.all() if q.variants}
    assert variants, "no engine-specific query forms found"


def test_both_stores_give_the_same_rows(first: dict[str, dict[str, Any]]) -> None:
    assert first["falkordb"].keys() == first["neo4j"].keys()
    # the data give answers: most queries return rows on this corpus
    non_empty = sum(1 for rows in first["neo4j"].values() if rows)
    assert non_empty > len(first["neo4j"]) // 2
    diffs = _differences(first["falkordb"], first["neo4j"])
    assert not diffs, "\n".join(diffs)


def test_a_second_ingest_changes_no_answer(
    stores: dict[str, tuple[GraphStore, Settings]],
    corpus: list[Extraction],
    first: dict[str, dict[str, Any]],
) -> None:
    for store, _ in stores.values():
        for x in corpus:
            store.load_extraction(x)
    again = _answers(stores, rebuild=True)
    for backend in stores:
        diffs = _differences(first[backend], again[backend])
        assert not diffs, f"{backend}: " + "\n".join(diffs)

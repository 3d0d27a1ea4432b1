"""SPARQL over the RDF export: query forms, serialisations, refusals, time limit, and agreement
with the Cypher version of a named query."""

from __future__ import annotations

import csv
import io
import json
import time

import pytest
from rdflib import Graph, Literal
from rdflib.query import Result

from helsegraf.graph.rdf import export_rdf
from helsegraf.graph.sparql import (
    QueryTimeout,
    ServiceRefused,
    SparqlEngine,
    SparqlSyntaxError,
    UpdateRefused,
    serialize,
)

PREFIXES = """PREFIX hg: <https://w3id.org/helsegraf/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""


@pytest.fixture(scope="module")
def engine(store):
    """An engine over the export of the shared store of the gold samples (tests/conftest.py)."""
    with SparqlEngine(export_rdf(store), timeout_s=10) as e:
        yield e


SELECT_ACTORS = (
    PREFIXES
    + """SELECT ?actor ?name WHERE { ?v hg:authoredBy ?actor . ?actor rdfs:label ?name }
ORDER BY ?name"""
)


def test_select(engine: SparqlEngine, store) -> None:
    result = engine.query(SELECT_ACTORS)
    assert result.kind == "select"
    assert result.variables == ["actor", "name"]
    names = {r["name"] for r in result.rows()}
    cypher = store.query("MATCH (a)-[:AUTHORED]->(:Stemme) RETURN DISTINCT a.name AS name")
    assert names == {r["name"] for r in cypher}


def test_ask(engine: SparqlEngine) -> None:
    assert engine.query(PREFIXES + "ASK { ?s a hg:Utsagn }").boolean is True
    assert engine.query(PREFIXES + "ASK { ?s a hg:NoSuchClass }").boolean is False


def test_construct_and_describe(engine: SparqlEngine) -> None:
    result = engine.query(
        PREFIXES + "CONSTRUCT { ?v hg:authoredBy ?a } WHERE { ?v hg:authoredBy ?a }"
    )
    assert result.kind == "graph"
    g = Graph().parse(data=serialize(result, "text/turtle"), format="turtle")
    assert len(g) == len(result) > 0
    described = engine.query(PREFIXES + "DESCRIBE ?d WHERE { ?d a hg:Dokument } LIMIT 1")
    assert described.kind == "graph" and len(described) > 0


@pytest.mark.parametrize(
    ("media_type", "fmt"),
    [
        ("application/sparql-results+json", "json"),
        ("application/sparql-results+xml", "xml"),
        ("text/csv", "csv"),
        ("text/tab-separated-values", "tsv"),
    ],
)
def test_select_serialisations_parse_back(engine: SparqlEngine, media_type: str, fmt: str) -> None:
    result = engine.query(SELECT_ACTORS)
    body = serialize(result, media_type)
    parsed = Result.parse(io.BytesIO(body), format=fmt)
    rows = [{str(k): str(v) for k, v in row.asdict().items()} for row in parsed]
    assert len(rows) == len(result)
    assert {r["name"] for r in rows} == {r["name"] for r in result.rows()}


@pytest.mark.parametrize(
    "media_type", ["application/sparql-results+json", "application/sparql-results+xml"]
)
def test_ask_serialisations_parse_back(engine: SparqlEngine, media_type: str) -> None:
    body = serialize(engine.query(PREFIXES + "ASK { ?s a hg:Dokument }"), media_type)
    fmt = "json" if "json" in media_type else "xml"
    assert Result.parse(io.BytesIO(body), format=fmt).askAnswer is True


@pytest.mark.parametrize(
    ("media_type", "fmt"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
    ],
)
def test_graph_serialisations_parse_back(engine: SparqlEngine, media_type: str, fmt: str) -> None:
    result = engine.query(
        PREFIXES + "CONSTRUCT { ?d dcterms:title ?t } WHERE { ?d a hg:Dokument ; dcterms:title ?t }"
    )
    g = Graph().parse(data=serialize(result, media_type), format=fmt)
    assert len(g) == len(result) > 0
    assert all(isinstance(o, Literal) and o.language for o in g.objects())


@pytest.mark.parametrize(
    "text",
    [
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://example.org/data.ttl>",
        "CLEAR ALL",
        "DROP GRAPH <urn:g>",
        "CREATE GRAPH <urn:g>",
        "PREFIX hg: <https://w3id.org/helsegraf/ontology#>\n"
        "DELETE { ?s ?p ?o } INSERT { ?s hg:x 1 } WHERE { ?s ?p ?o }",
    ],
)
def test_updates_are_refused(engine: SparqlEngine, text: str) -> None:
    before = engine.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows()[0]["n"]
    with pytest.raises(UpdateRefused):
        engine.query(text)
    after = engine.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows()[0]["n"]
    assert before == after


@pytest.mark.parametrize(
    "text",
    [
        "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE SILENT <http://example.org/sparql> { ?s ?q ?r } } }",
        "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } } } }",
        "ASK { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    ],
)
def test_service_is_refused(engine: SparqlEngine, text: str) -> None:
    with pytest.raises(ServiceRefused):
        engine.query(text)


def test_a_word_service_in_a_literal_is_not_refused(engine: SparqlEngine) -> None:
    result = engine.query('SELECT ?x WHERE { BIND("SERVICE <http://x/> { }" AS ?x) }')
    assert result.rows() == [{"x": "SERVICE <http://x/> { }"}]


def test_malformed_query_is_a_syntax_error(engine: SparqlEngine) -> None:
    with pytest.raises(SparqlSyntaxError):
        engine.query("SELECT WHERE {")


def test_slow_query_is_stopped_at_the_time_limit(engine: SparqlEngine) -> None:
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    started = time.perf_counter()
    with pytest.raises(QueryTimeout):
        engine.query(slow, timeout_s=1)
    assert time.perf_counter() - started < 5
    # the engine answers again afterwards (a fresh worker)
    assert engine.query(PREFIXES + "ASK { ?s a hg:Dokument }").boolean is True


def test_parameters_are_bound_as_terms_not_text(engine: SparqlEngine) -> None:
    hostile = '" } ?s ?p ?o { "'
    result = engine.query_named(
        "examples_search", {"text": hostile, "theme": "", "patient_group": "", "actor": ""}
    )
    assert result.rows() == []


def test_sparql_and_cypher_agree_on_actors_raising_a_challenge(engine: SparqlEngine, store) -> None:
    from helsegraf.queries import catalog

    challenge = "utfordring/rekruttering"
    sparql_rows = engine.query_named("actors_raising_challenge", {"challenge": challenge}).rows()
    cypher = catalog.get("actors_raising_challenge")
    assert cypher.language == "cypher"
    cypher_rows = store.query(cypher.text, cypher.bind({"challenge": challenge, "limit": 500}))
    assert sparql_rows and cypher_rows
    cypher_ids = {r.get("actor_id") or r.get("id") or r.get("actor") for r in cypher_rows}
    assert {r["actor_id"] for r in sparql_rows} == cypher_ids


def test_challenges_ranked_limit_is_the_row_cap(engine: SparqlEngine) -> None:
    result = engine.query_named("challenges_ranked", {"limit": 3})
    assert len(result) == 3
    counts = [int(r["actors"]) for r in result.rows()]
    assert counts == sorted(counts, reverse=True)


def test_results_as_json_name_their_variables(engine: SparqlEngine) -> None:
    body = json.loads(serialize(engine.query(SELECT_ACTORS), "application/json"))
    assert body["head"]["vars"] == ["actor", "name"]


def _first_author(store) -> str:
    rows = store.query("MATCH (a)-[:AUTHORED]->(:Stemme) RETURN a.id AS id ORDER BY id LIMIT 1")
    return rows[0]["id"]


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("challenges_ranked", {"limit": 10}),
        ("measures_for_challenge", {"challenge": "utfordring/rekruttering"}),
        ("similar_actors", {"limit": 10}),
        ("examples_search", {}),
        ("examples_search", {"text": "fact"}),
        ("examples_search", {"theme": "tema/psykisk-helse-rus"}),
    ],
)
def test_named_sparql_and_cypher_return_the_same_ids(
    engine: SparqlEngine, store, name: str, params: dict
) -> None:
    if name == "similar_actors":
        params = {**params, "actor": _first_author(store)}
    cypher_ids = [r["id"] for r in store.run_named(name, params)]
    sparql_ids = [r["id"] for r in engine.query_named(name, params).rows()]
    assert cypher_ids
    assert set(sparql_ids) == set(cypher_ids)


def test_query_sparql_command_prints_csv(store, monkeypatch) -> None:
    from typer.testing import CliRunner

    from helsegraf.cli import app
    from helsegraf.core.config import get_settings

    monkeypatch.setenv("HELSEGRAF_DATA_DIR", str(store.settings.data_dir))
    monkeypatch.setenv("HELSEGRAF_GRAPH_NAME", store.settings.graph_name)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(
            app,
            [
                "query",
                "sparql",
                "--name",
                "actors_raising_challenge",
                "-p",
                "challenge=utfordring/rekruttering",
                "--format",
                "csv",
            ],
        )
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    expected = store.run_named("actors_raising_challenge", {"challenge": "utfordring/rekruttering"})
    assert {r["actor_id"] for r in rows} == {r["actor_id"] for r in expected}


def test_cached_store_is_rebuilt_when_the_graph_changes(
    tmp_path, make_graph_settings, gold_extractions
) -> None:
    from helsegraf.graph.store import open_store

    settings = make_graph_settings(tmp_path, "sparqlcache")
    count_docs = PREFIXES + "SELECT (COUNT(?d) AS ?n) WHERE { ?d a hg:Dokument }"
    with open_store(settings) as store:
        store.load_extraction(gold_extractions[0])
        with SparqlEngine.for_store(store, settings) as first:
            assert first.query(count_docs).rows() == [{"n": "1"}]
        with SparqlEngine.for_store(store, settings) as again:
            assert again.store_path == first.store_path  # unchanged graph: the cache is reused
        store.load_extraction(gold_extractions[1])
        with SparqlEngine.for_store(store, settings) as changed:
            assert changed.store_path != first.store_path
            assert changed.query(count_docs).rows() == [{"n": "2"}]
        # the store just replaced stays (an engine may still answer from it), older ones go
        assert first.store_path.exists()
        store.load_extraction(gold_extractions[2])
        with SparqlEngine.for_store(store, settings) as third:
            assert third.query(count_docs).rows() == [{"n": "3"}]
        assert not first.store_path.exists() and changed.store_path.exists()


def test_a_repeated_query_is_answered_from_the_engine_until_its_store_moves(tmp_path) -> None:
    """The same query over the same store is the same answer: asked of a worker once. A
    rebuilt view (``retarget``) is asked again, by the same worker processes."""
    from rdflib import URIRef

    from helsegraf.graph.sparql import build_oxigraph_store

    first = Graph()
    first.add((URIRef("urn:a"), URIRef("urn:p"), Literal(1)))
    second = Graph()
    second += first
    second.add((URIRef("urn:b"), URIRef("urn:p"), Literal(2)))
    build_oxigraph_store(second, tmp_path / "second")
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    with SparqlEngine(first, timeout_s=30) as e:
        asked = []
        real = e._ask
        e._ask = lambda request, limit: asked.append(request) or real(request, limit)  # type: ignore[method-assign]
        assert e.query(count).rows() == e.query(count).rows() == [{"n": "1"}]
        assert len(asked) == 1
        workers = {w.pid for w in e._idle}
        e.retarget(tmp_path / "second", e.prefixes)
        assert e.query(count).rows() == [{"n": "2"}]
        assert len(asked) == 2
        assert workers & {w.pid for w in e._idle}


def test_concurrent_builds_of_the_same_view_export_once(store, tmp_path, monkeypatch) -> None:
    """Two builders after the same write (one per server process) build the view once: the
    second waits for the first and finds it built (each exported the whole graph)."""
    from concurrent.futures import ThreadPoolExecutor

    from helsegraf.core.config import Settings
    from helsegraf.graph import rdf
    from helsegraf.graph.sparql import build_view

    settings = Settings(data_dir=tmp_path)  # type: ignore[call-arg]
    exports = []
    real = rdf.export_rdf

    def slow_export(s):  # type: ignore[no-untyped-def]
        exports.append(1)
        time.sleep(0.5)
        return real(s)

    monkeypatch.setattr(rdf, "export_rdf", slow_export)
    with ThreadPoolExecutor(2) as pool:
        paths = list(pool.map(lambda _: build_view(store, settings)[0], range(2)))
    assert paths[0] == paths[1] and (paths[0] / ".complete").exists()
    assert len(exports) == 1

"""The HTTP API through FastAPI's TestClient, against a real small store.

The store holds two hand-written extractions (``api_extractions`` in conftest.py), so the
expected answers follow from that input, not from a run.
"""

from __future__ import annotations

import csv
import io
from urllib.parse import quote

import pytest
from pydantic import SecretStr

from helsegraf.api.app import create_app

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

# 8e9 rows: never finishes within a time limit, and the engine checks the limit as it goes.
HEAVY = (
    "UNWIND range(1, 2000) AS x UNWIND range(1, 2000) AS y UNWIND range(1, 2000) AS z "
    "RETURN count(*) AS n"
)


# --------------------------------------------------------------------------- fixtures
# Two small hand-written extractions, loaded into a real store.

API_DOC_A = (
    "Innspill fra Orkland og Skaun\n"
    "Hva er de viktigste utfordringene?\n"
    "Det er krevende å rekruttere sykepleiere.\n"
    "Utskrivning av pasienter fra sykehus skjer for sent.\n"
    "Bedre kommunikasjon ved utskriving av pasienter fra sykehus.\n"
    "FACT-teamet ved Sykehuset Innlandet er et godt eksempel.\n"
)
API_DOC_B = (
    "Handlingsplan for Helse Nord-Trøndelag\n"
    "Utfordringer\n"
    "Vi sliter med å rekruttere spesialister.\n"
    "Vi vil bedre utskrivningen av pasienter.\n"
    "Vi har hørt om FACT.\n"
)


def _api_extraction(
    name: str, text: str, title: str, kind: str, authors: list[dict], items: list[tuple]
):
    """An Extraction of ``text`` whose statements point at the exact quotes in it."""
    from helsegraf.ingest.models import (
        ActorOut,
        ExampleOut,
        Extraction,
        StatementOut,
        VoiceOut,
        content_id,
    )

    lines = text.splitlines()

    def where(quote: str) -> dict:
        offset = 0
        for number, line in enumerate(lines, start=1):
            col = line.find(quote)
            if col >= 0:
                return {"line": number, "start": offset + col, "end": offset + col + len(quote)}
            offset += len(line) + 1
        raise AssertionError(quote)

    challenges, measures, examples = [], [], []
    for kind_, concept, text_, *extra in items:
        if kind_ == "example":
            stance, actors, groups = extra
            examples.append(
                ExampleOut(
                    name=concept,
                    voice="v1",
                    stance=stance,
                    actors=actors,
                    patient_groups=groups,
                    quote=text_,
                    **where(text_),
                )
            )
        else:
            target = challenges if kind_ == "challenge" else measures
            target.append(StatementOut(voice="v1", concept=concept, quote=text_, **where(text_)))
    return Extraction(
        document=name,
        title=title,
        date="2023-01-15",
        kind=kind,
        language="nb",
        voices=[VoiceOut(id="v1", authors=[a["name"] for a in authors], lines=(1, len(lines)))],
        actors=[ActorOut(**a) for a in authors],
        challenges=challenges,
        measures=measures,
        examples=examples,
        id=content_id(text),
        sha256=content_id(text, length=64),
        format="txt",
    )


@pytest.fixture(scope="session")
def api_extractions():
    """Document A: Orkland and Skaun raise recruitment and discharge, hold up FACT.
    Document B: Helse Nord-Trøndelag HF raises recruitment and mentions FACT."""
    orkland = {"name": "Orkland kommune", "type": "Kommune", "kommunenummer": "5059"}
    skaun = {"name": "Skaun kommune", "type": "Kommune", "kommunenummer": "5029"}
    hnt = {"name": "Helse Nord-Trøndelag HF", "type": "Helseforetak"}
    a = _api_extraction(
        "a_innspill.txt",
        API_DOC_A,
        "Innspill fra Orkland og Skaun",
        "innspill",
        [orkland, skaun],
        [
            ("challenge", "utfordring/rekruttering", "Det er krevende å rekruttere sykepleiere."),
            (
                "challenge",
                "utfordring/utskrivning",
                "Utskrivning av pasienter fra sykehus skjer for sent.",
            ),
            (
                "measure",
                "tiltak/bedre-utskrivning",
                "Bedre kommunikasjon ved utskriving av pasienter fra sykehus.",
            ),
            (
                "example",
                "FACT",
                "FACT-teamet ved Sykehuset Innlandet er et godt eksempel.",
                "good-practice",
                ["Sykehuset Innlandet HF"],
                ["pasientgruppe/psykisk-rus"],
            ),
        ],
    ).model_copy(update={"source": "https://www.orkland.kommune.no/innspill/helseplan"})
    b = _api_extraction(
        "b_plan.txt",
        API_DOC_B,
        "Handlingsplan for Helse Nord-Trøndelag",
        "handlingsplan",
        [hnt],
        [
            ("challenge", "utfordring/rekruttering", "Vi sliter med å rekruttere spesialister."),
            ("measure", "tiltak/bedre-utskrivning", "Vi vil bedre utskrivningen av pasienter."),
            ("example", "FACT", "Vi har hørt om FACT.", "mentioned", [], []),
        ],
    )
    return [a, b]


BACKENDS = ["falkordb", pytest.param("neo4j", marks=pytest.mark.neo4j)]


@pytest.fixture(scope="module", params=BACKENDS)
def api_settings(request, tmp_path_factory, store_settings):
    """Settings with a fresh data dir and no API token, once on each backend (every test of
    this file runs on FalkorDB and on the Neo4j test server)."""
    data = tmp_path_factory.mktemp("api-data")
    return store_settings(request.param, request, data, api_token=None, _env_file=None)


@pytest.fixture(scope="module")
def api_store(api_settings, api_extractions):
    """A real store (the configured backend) holding the two API extractions."""
    from helsegraf.graph.store import open_store

    store = open_store(api_settings)
    store.ensure_reference()
    for x in api_extractions:
        store.load_extraction(x)
    yield store
    store.close()


@pytest.fixture(scope="module")
def api_client(api_settings, api_store):
    """TestClient over the app serving ``api_store``; server errors come back as responses."""
    from fastapi.testclient import TestClient

    from helsegraf.api.app import create_app

    with TestClient(create_app(api_settings, store=api_store), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def orkland_id(api_client) -> str:
    """Graph id of Orkland kommune."""
    items = api_client.get("/api/actors", params={"q": "Orkland"}).json()["items"]
    return next(a["id"] for a in items if a["name"] == "Orkland kommune")


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _node_count(client) -> int:
    r = client.post("/api/cypher", json={"query": "MATCH (n) RETURN count(n) AS n"})
    assert r.status_code == 200, r.text
    return r.json()["rows"][0]["n"]


# --------------------------------------------------------------------------- basics


def test_health_reports_backend_and_counts(api_client, api_store) -> None:
    r = api_client.get("/api/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    counted = api_store.query(
        "MATCH (d:Dokument) WITH count(d) AS documents "
        "OPTIONAL MATCH (u:Utsagn) RETURN documents, count(u) AS statements"
    )[0]
    assert counted["documents"] > 0 and counted["statements"] > 0
    assert body["counts"] == {k: int(v) for k, v in counted.items()}


def test_index_page_is_served_in_norwegian(api_client) -> None:
    r = api_client.get("/")
    assert r.status_code == 200
    assert 'lang="nb"' in r.text
    assert "/static/vendor/cytoscape.min.js" in r.text
    assert api_client.get("/static/vendor/cytoscape.min.js").status_code == 200
    assert api_client.get("/static/app.js").status_code == 200
    assert api_client.get("/yasgui").status_code == 200


def test_openapi_lists_every_route_with_a_response_model(api_client) -> None:
    spec = api_client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in (
        "/api/actors",
        "/api/actors/{actor_id}",
        "/api/actors/{actor_id}/similar",
        "/api/challenges",
        "/api/challenges/{challenge}/actors",
        "/api/measures",
        "/api/examples",
        "/api/examples/{example_id}",
        "/api/documents",
        "/api/documents/{document_id}",
        "/api/export.ttl",
        "/api/export.jsonld",
        "/api/export.csv",
        "/api/cypher",
        "/api/queries",
        "/sparql",
    ):
        assert path in paths, path
    for path in ("/api/actors", "/api/challenges/{challenge}/actors", "/api/examples/{example_id}"):
        schema = paths[path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert "$ref" in schema
    assert "multipart/form-data" in paths["/api/documents"]["post"]["requestBody"]["content"]


# --------------------------------------------------------------------------- actors


def test_actors_list_filters_by_type_and_name(api_client) -> None:
    all_ = api_client.get("/api/actors", params={"limit": 500}).json()
    names = {a["name"] for a in all_["items"]}
    assert {"Orkland kommune", "Skaun kommune", "Helse Nord-Trøndelag HF"} <= names
    kommuner = api_client.get("/api/actors", params={"type": "Kommune", "limit": 500}).json()
    assert kommuner["items"] and all(a["type"] == "Kommune" for a in kommuner["items"])
    assert kommuner["total"] < all_["total"]
    found = api_client.get("/api/actors", params={"q": "orkland"}).json()
    assert [a["name"] for a in found["items"]] == ["Orkland kommune"]


def test_actors_list_filters_by_fylke(api_client) -> None:
    items = api_client.get("/api/actors", params={"fylke": "Trøndelag", "limit": 500}).json()[
        "items"
    ]
    assert "Orkland kommune" in {a["name"] for a in items}
    assert "Helse Nord-Trøndelag HF" not in {a["name"] for a in items}


def test_pagination_pages_through_the_whole_list(api_client) -> None:
    full = api_client.get("/api/actors", params={"limit": 500}).json()
    assert full["total"] == len(full["items"]) >= 3
    seen = []
    offset = 0
    while offset < full["total"]:
        page = api_client.get("/api/actors", params={"limit": 2, "offset": offset}).json()
        assert page["limit"] == 2 and page["offset"] == offset and page["total"] == full["total"]
        assert len(page["items"]) <= 2
        seen.extend(a["id"] for a in page["items"])
        offset += 2
    assert seen == [a["id"] for a in full["items"]]
    past = api_client.get("/api/actors", params={"offset": full["total"] + 5}).json()
    assert past["items"] == [] and past["total"] == full["total"]


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 501}, {"offset": -1}, {"limit": "x"}])
def test_bad_pagination_is_a_json_422(api_client, params) -> None:
    r = api_client.get("/api/actors", params=params)
    assert r.status_code == 422
    assert isinstance(r.json()["detail"], str)


def test_actor_detail_has_challenges_measures_examples(api_client, orkland_id) -> None:
    r = api_client.get(f"/api/actors/{orkland_id}")
    assert r.status_code == 200, r.text
    a = r.json()
    assert a["name"] == "Orkland kommune"
    assert "utfordring/rekruttering" in {c["id"] for c in a["challenges"]}
    assert "tiltak/bedre-utskrivning" in {m["id"] for m in a["measures"]}
    assert a["documents"]
    # URL-encoded slash works the same
    r2 = api_client.get(f"/api/actors/{quote(orkland_id, safe='')}")
    assert r2.status_code == 200 and r2.json()["id"] == a["id"]


def test_similar_actors_share_challenges(api_client, orkland_id) -> None:
    r = api_client.get(f"/api/actors/{orkland_id}/similar")
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    names = [s["name"] for s in items]
    assert "Orkland kommune" not in names
    assert "Helse Nord-Trøndelag HF" in names
    assert all(0 <= s["score"] <= 1 for s in items)


def test_actor_graph_has_nodes_and_edges(api_client, orkland_id) -> None:
    r = api_client.get(f"/api/actors/{orkland_id}/graph")
    assert r.status_code == 200, r.text
    g = r.json()
    ids = {n["id"] for n in g["nodes"]}
    assert orkland_id in ids and len(ids) > 1
    assert g["edges"] and all(e["source"] in ids and e["target"] in ids for e in g["edges"])


def test_unknown_actor_is_a_json_404(api_client) -> None:
    for path in ("/api/actors/kommune/0000", "/api/actors/kommune/0000/similar"):
        r = api_client.get(path)
        assert r.status_code == 404
        assert "kommune/0000" in r.json()["detail"]


# --------------------------------------------------------------------------- challenges, measures


def test_challenges_have_actor_counts(api_client) -> None:
    items = api_client.get("/api/challenges", params={"limit": 500}).json()["items"]
    by_id = {c["id"]: c for c in items}
    # rekruttering: Orkland + Skaun (doc A) and Helse Nord-Trøndelag HF (doc B)
    assert by_id["utfordring/rekruttering"]["actor_count"] == 3
    assert by_id["utfordring/rekruttering"]["label"]
    assert by_id["utfordring/utskrivning"]["actor_count"] == 2


@pytest.mark.parametrize(
    "key", ["rekruttering", "utfordring%2Frekruttering", "utfordring/rekruttering"]
)
def test_challenge_id_works_in_the_url_every_way(api_client, key) -> None:
    r = api_client.get(f"/api/challenges/{key}/actors")
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["total"] == 3
    by_name = {a["name"]: a for a in page["items"]}
    hnt = by_name["Helse Nord-Trøndelag HF"]
    assert [q["quote"] for q in hnt["quotes"]] == ["Vi sliter med å rekruttere spesialister."]
    q = hnt["quotes"][0]
    assert q["line"] == 3 and q["document"]
    orkland = by_name["Orkland kommune"]
    assert orkland["quotes"][0]["quote"] == "Det er krevende å rekruttere sykepleiere."


def test_unknown_challenge_is_404(api_client) -> None:
    r = api_client.get("/api/challenges/finnes-ikke/actors")
    assert r.status_code == 404
    assert "utfordring/finnes-ikke" in r.json()["detail"]


def test_challenge_actors_csv_has_one_row_per_quote(api_client) -> None:
    r = api_client.get("/api/challenges/rekruttering/actors", params={"format": "csv"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    rows = _csv(r.text)
    assert len(rows) == 3
    assert {row["name"] for row in rows} == {
        "Orkland kommune",
        "Skaun kommune",
        "Helse Nord-Trøndelag HF",
    }
    assert "Vi sliter med å rekruttere spesialister." in {row["quote.quote"] for row in rows}


def test_measures_all_and_for_a_challenge(api_client) -> None:
    all_ = api_client.get("/api/measures", params={"limit": 500}).json()["items"]
    assert "tiltak/bedre-utskrivning" in {m["id"] for m in all_}
    for key in ("utskrivning", "utfordring/utskrivning"):
        items = api_client.get("/api/measures", params={"challenge": key}).json()["items"]
        ids = {m["id"] for m in items}
        assert "tiltak/bedre-utskrivning" in ids


# --------------------------------------------------------------------------- examples


def test_examples_search_finds_fact_with_who_runs_it(api_client) -> None:
    page = api_client.get("/api/examples", params={"q": "FACT"}).json()
    assert page["total"] >= 1
    fact = next(e for e in page["items"] if e["name"] == "FACT")
    assert "Sykehuset Innlandet HF" in {a["name"] for a in fact["run_by"]}
    assert fact["stance"] == "good-practice"
    none = api_client.get("/api/examples", params={"q": "finnes-ikke-xyz"}).json()
    assert none["total"] == 0


def test_examples_filters(api_client) -> None:
    by_group = api_client.get("/api/examples", params={"patient_group": "psykisk-rus"}).json()[
        "items"
    ]
    assert "FACT" in {e["name"] for e in by_group}
    other = api_client.get("/api/examples", params={"patient_group": "barn-unge"}).json()["items"]
    assert "FACT" not in {e["name"] for e in other}
    good = api_client.get("/api/examples", params={"stance": "good-practice"}).json()["items"]
    assert "FACT" in {e["name"] for e in good}


def test_example_detail_lists_every_voice_pointing_to_it(api_client) -> None:
    fact_id = next(
        e["id"]
        for e in api_client.get("/api/examples", params={"q": "FACT"}).json()["items"]
        if e["name"] == "FACT"
    )
    for key in (fact_id, quote(fact_id, safe=""), fact_id.split("/", 1)[1]):
        r = api_client.get(f"/api/examples/{key}")
        assert r.status_code == 200, r.text
    x = r.json()
    assert x["name"] == "FACT"
    assert len(x["mentions"]) == 2
    authors = {a["name"] for m in x["mentions"] for a in m["authors"]}
    assert {"Orkland kommune", "Helse Nord-Trøndelag HF"} <= authors
    assert all(m["evidence"]["quote"] for m in x["mentions"])
    g = api_client.get(f"/api/examples/{fact_id}/graph").json()
    assert fact_id in {n["id"] for n in g["nodes"]}
    assert api_client.get("/api/examples/eksempel/finnes-ikke").status_code == 404


# --------------------------------------------------------------------------- documents


def test_documents_list_and_detail_in_reading_order(api_client) -> None:
    page = api_client.get("/api/documents").json()
    assert page["total"] == 2
    doc = next(d for d in page["items"] if d["name"] == "a_innspill.txt")
    assert doc["statement_count"] == 3
    for key in (doc["id"], quote(doc["id"], safe=""), "a_innspill.txt"):
        r = api_client.get(f"/api/documents/{key}")
        assert r.status_code == 200, (key, r.text)
    d = r.json()
    assert d["title"] == "Innspill fra Orkland og Skaun"
    assert d["source"] == doc["source"] == "https://www.orkland.kommune.no/innspill/helseplan"
    assert d["authors"] == ["Orkland kommune", "Skaun kommune"]
    (voice,) = d["voices"]
    assert {a["name"] for a in voice["authors"]} == {"Orkland kommune", "Skaun kommune"}
    lines = [s["line"] for s in voice["statements"]]
    assert lines == sorted(lines) and len(lines) == 3
    assert {s["kind"] for s in voice["statements"]} == {"challenge", "measure"}
    assert api_client.get("/api/documents/dokument/0000000000000000").status_code == 404


def test_lists_paged_in_the_query_report_the_total(api_client) -> None:
    """/api/documents, /api/actors and the actors of a challenge read one page from the store;
    the pages put together are the whole list, and a page past the end is empty with the right
    total."""
    for path in ("/api/documents", "/api/actors", "/api/challenges/rekruttering/actors"):
        full = api_client.get(path, params={"limit": 500}).json()
        pages = [
            api_client.get(path, params={"limit": 1, "offset": i}).json()
            for i in range(full["total"])
        ]
        assert all(p["total"] == full["total"] and len(p["items"]) == 1 for p in pages)
        assert [p["items"][0] for p in pages] == full["items"]
        past = api_client.get(path, params={"limit": 5, "offset": full["total"] + 3}).json()
        assert past["items"] == [] and past["total"] == full["total"]


# --------------------------------------------------------------------------- CSV everywhere


@pytest.mark.parametrize(
    "path",
    [
        "/api/actors",
        "/api/challenges",
        "/api/measures",
        "/api/examples",
        "/api/documents",
        "/api/queries",
        "/api/concepts",
    ],
)
def test_every_table_route_gives_csv_by_param_and_by_accept(api_client, path) -> None:
    as_json = api_client.get(path, params={"limit": 500}).json()
    by_param = api_client.get(path, params={"limit": 500, "format": "csv"})
    by_accept = api_client.get(path, params={"limit": 500}, headers={"Accept": "text/csv"})
    for r in (by_param, by_accept):
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/csv")
        assert "attachment" in r.headers["content-disposition"]
        assert len(_csv(r.text)) == len(as_json["items"])
    assert by_param.text == by_accept.text


def test_empty_table_csv_still_has_a_header(api_client) -> None:
    r = api_client.get("/api/examples", params={"q": "finnes-ikke-xyz", "format": "csv"})
    assert r.status_code == 200
    assert r.text.splitlines()[0].startswith("id,name")


# --------------------------------------------------------------------------- export


def test_export_csv_has_every_statement_with_evidence(api_client) -> None:
    r = api_client.get("/api/export.csv")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    rows = _csv(r.text)
    assert len(rows) == 5  # 3 statements in document A, 2 in B
    row = next(x for x in rows if x["quote"] == "Vi sliter med å rekruttere spesialister.")
    assert row["concept"] == "utfordring/rekruttering"
    assert row["authors"] == "Helse Nord-Trøndelag HF"
    assert row["document_name"] == "b_plan.txt"
    assert row["line"] == "3" and row["start"] and row["end"]
    assert int(row["end"]) - int(row["start"]) == len(row["quote"])


def test_export_csv_is_streamed(api_client) -> None:
    with api_client.stream("GET", "/api/export.csv") as r:
        assert r.status_code == 200
        assert "content-length" not in r.headers  # sent as it is read, not built first
        text = "".join(r.iter_text())
    assert text.splitlines()[0].startswith("document_id,")
    assert len(text.splitlines()) > 1


def test_export_rdf(api_client) -> None:
    from rdflib import Graph

    ttl = api_client.get("/api/export.ttl")
    assert ttl.status_code == 200 and ttl.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=ttl.text, format="turtle")
    assert len(g) > 10
    jl = api_client.get("/api/export.jsonld")
    assert jl.status_code == 200 and jl.headers["content-type"].startswith("application/ld+json")
    assert len(Graph().parse(data=jl.text, format="json-ld")) == len(g)


# --------------------------------------------------------------------------- free queries


def test_cypher_runs_read_only_queries(api_client) -> None:
    r = api_client.post(
        "/api/cypher",
        json={
            "query": "MATCH (u:Utfordring {id: $id}) RETURN u.id AS id, u.label AS label",
            "params": {"id": "utfordring/rekruttering"},
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["columns"] == ["id", "label"]
    assert body["rows"][0]["id"] == "utfordring/rekruttering"
    r = api_client.post(
        "/api/cypher?format=csv", json={"query": "MATCH (u:Utfordring) RETURN u.id AS id"}
    )
    assert r.headers["content-type"].startswith("text/csv")
    assert "utfordring/rekruttering" in {row["id"] for row in _csv(r.text)}


@pytest.mark.parametrize(
    "query",
    [
        "CREATE (n) RETURN n",
        "MATCH (a:`Aktør`) SET a.name = 'x' RETURN a",
        "MATCH (n) DETACH DELETE n",
        "MERGE (n:Fake {id: 'x'}) RETURN n",
    ],
)
def test_cypher_that_writes_is_400_and_changes_nothing(api_client, query) -> None:
    before = _node_count(api_client)
    r = api_client.post("/api/cypher", json={"query": query})
    assert r.status_code == 400, r.text
    assert isinstance(r.json()["detail"], str)
    assert _node_count(api_client) == before
    names = api_client.post(
        "/api/cypher", json={"query": "MATCH (a:`Aktør`) WHERE a.name = 'x' RETURN count(a) AS n"}
    ).json()
    assert names["rows"][0]["n"] == 0


def test_cypher_errors_are_json(api_client) -> None:
    r = api_client.post("/api/cypher", json={"query": "THIS IS NOT CYPHER"})
    assert r.status_code == 400 and isinstance(r.json()["detail"], str)
    r = api_client.post("/api/cypher", json={"params": {}})
    assert r.status_code == 422 and isinstance(r.json()["detail"], str)
    r = api_client.post(
        "/api/cypher", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 422 and isinstance(r.json()["detail"], str)


def test_cypher_row_cap(api_store, api_settings) -> None:
    from fastapi.testclient import TestClient

    capped = api_settings.model_copy(update={"row_cap": 2})
    with TestClient(create_app(capped, store=api_store)) as client:
        body = client.post("/api/cypher", json={"query": "MATCH (n) RETURN n.id AS id"}).json()
    assert len(body["rows"]) == 2 and body["truncated"] is True


def test_cypher_timeout_is_422_and_server_answers_others(api_store, api_settings) -> None:
    import threading

    from fastapi.testclient import TestClient

    slow = api_settings.model_copy(update={"query_timeout_ms": 1})
    heavy = HEAVY
    with TestClient(create_app(slow, store=api_store)) as client:
        results: dict[str, int] = {}

        def run() -> None:
            results["heavy"] = client.post("/api/cypher", json={"query": heavy}).status_code

        t = threading.Thread(target=run)
        t.start()
        results["health"] = client.get("/api/health").status_code
        t.join(30)
    assert results["health"] == 200
    assert results["heavy"] == 422


def test_queries_catalog_lists_cypher_and_sparql(api_client) -> None:
    items = api_client.get("/api/queries", params={"limit": 500}).json()["items"]
    names = {q["name"] for q in items}
    assert "actors_raising_challenge" in names
    assert {q["language"] for q in items} == {"cypher", "sparql"}
    only = api_client.get("/api/queries", params={"language": "sparql", "limit": 500}).json()
    assert only["items"] and all(q["language"] == "sparql" for q in only["items"])


# --------------------------------------------------------------------------- SPARQL

SELECT_LABELS = (
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    "SELECT ?c ?label WHERE { ?c skos:prefLabel ?label . FILTER(CONTAINS(STR(?c), 'rekruttering')) }"
)


def test_sparql_get_post_form_and_body(api_client) -> None:
    accept = {"Accept": "application/sparql-results+json"}
    answers = [
        api_client.get("/sparql", params={"query": SELECT_LABELS}, headers=accept),
        api_client.post("/sparql", data={"query": SELECT_LABELS}, headers=accept),
        api_client.post(
            "/sparql",
            content=SELECT_LABELS.encode(),
            headers=accept | {"Content-Type": "application/sparql-query"},
        ),
    ]
    for r in answers:
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("application/sparql-results+json")
        bindings = r.json()["results"]["bindings"]
        assert any(b["label"]["value"] for b in bindings)
    assert answers[0].json() == answers[1].json() == answers[2].json()


@pytest.mark.parametrize(
    ("accept", "media", "marker"),
    [
        ("application/sparql-results+xml", "application/sparql-results+xml", "<sparql"),
        ("text/csv", "text/csv", "c,label"),
        ("text/tab-separated-values", "text/tab-separated-values", "?c\t?label"),
    ],
)
def test_sparql_select_formats(api_client, accept, media, marker) -> None:
    r = api_client.get("/sparql", params={"query": SELECT_LABELS}, headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(media)
    assert marker in r.text


def test_sparql_ask_and_construct(api_client) -> None:
    r = api_client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert r.status_code == 200 and r.json()["boolean"] is True
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5"
    ttl = api_client.get("/sparql", params={"query": construct}, headers={"Accept": "text/turtle"})
    assert ttl.status_code == 200 and ttl.headers["content-type"].startswith("text/turtle")
    nt = api_client.get(
        "/sparql", params={"query": construct}, headers={"Accept": "application/n-triples"}
    )
    assert nt.headers["content-type"].startswith("application/n-triples")
    assert len([line for line in nt.text.splitlines() if line.strip()]) == 5


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.get("/sparql", params={"update": "CLEAR ALL"}),
        lambda c: c.post("/sparql", data={"update": "CLEAR ALL"}),
        lambda c: c.post(
            "/sparql",
            content=b"CLEAR ALL",
            headers={"Content-Type": "application/sparql-update"},
        ),
        lambda c: c.get("/sparql", params={"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}),
        lambda c: c.get(
            "/sparql",
            params={"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"},
        ),
        lambda c: c.get("/sparql", params={"query": "SELEKT nothing"}),
        lambda c: c.get("/sparql"),
    ],
)
def test_sparql_refusals_are_json_400(api_client, call) -> None:
    r = call(api_client)
    assert r.status_code == 400, r.text
    assert isinstance(r.json()["detail"], str)


def test_sparql_browser_without_query_gets_yasgui(api_client) -> None:
    r = api_client.get("/sparql", headers={"Accept": "text/html"})
    assert r.status_code == 200 and "Yasgui" in r.text


# --------------------------------------------------------------------------- upload


def test_upload_is_off_without_a_token(api_client) -> None:
    r = api_client.post("/api/documents", files={"file": ("x.txt", b"Innspill\n")})
    assert r.status_code == 403
    assert "HELSEGRAF_API_TOKEN" in r.json()["detail"]


@pytest.fixture
def upload_client(request, tmp_path, api_settings, api_extractions):
    """A client over a fresh store with an API token and a small upload cap.

    On Neo4j the fresh store is the one test database emptied; afterwards it holds the API
    extractions again, for the module's other tests.
    """
    from fastapi.testclient import TestClient

    from helsegraf.graph.store import open_store

    settings = api_settings.model_copy(
        update={
            "data_dir": tmp_path / "data",
            "api_token": SecretStr("s3cret-token"),
            "max_upload_bytes": 4000,
        }
    )
    settings.data_dir.mkdir()
    neo4j = settings.backend == "neo4j"
    if neo4j:
        api_store = request.getfixturevalue("api_store")
        api_store.query("MATCH (n) DETACH DELETE n", read_only=False, timeout_ms=0)
    try:
        with open_store(settings) as store:
            store.ensure_reference()
            with TestClient(create_app(settings, store=store), raise_server_exceptions=False) as c:
                yield c, settings
    finally:
        if neo4j:
            api_store.query("MATCH (n) DETACH DELETE n", read_only=False, timeout_ms=0)
            api_store.ensure_reference(force=True)
            for x in api_extractions:
                api_store.load_extraction(x)


UPLOAD_TEXT = (
    "Innspill til nasjonal helse- og samhandlingsplan fra Orkland kommune\n"
    "\n"
    "Hva er de viktigste utfordringene?\n"
    "Det er krevende å rekruttere sykepleiere og leger til kommunen.\n"
)


def test_upload_needs_the_right_token(upload_client) -> None:
    client, _ = upload_client
    files = {"file": ("innspill.txt", UPLOAD_TEXT.encode())}
    assert client.post("/api/documents", files=files).status_code == 401
    r = client.post("/api/documents", files=files, headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert client.get("/api/documents").json()["total"] == 0


def test_upload_ingests_the_document(upload_client) -> None:
    client, settings = upload_client
    r = client.post(
        "/api/documents",
        files={"file": ("../../etc/Innspill Orkland.txt", UPLOAD_TEXT.encode())},
        headers={"Authorization": "Bearer s3cret-token"},
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["document"]["name"] == "Innspill_Orkland.txt"
    docs = client.get("/api/documents").json()
    assert docs["total"] == 1 and docs["items"][0]["name"] == "Innspill_Orkland.txt"
    # the temporary copy is gone, and nothing was written outside the data dir
    uploads = settings.data_dir / "uploads"
    assert not any(p.is_file() for p in uploads.rglob("*"))


def test_upload_too_large_is_413(upload_client) -> None:
    client, settings = upload_client
    big = b"a" * (settings.max_upload_bytes + 1)
    r = client.post(
        "/api/documents",
        files={"file": ("big.txt", big)},
        headers={"Authorization": "Bearer s3cret-token"},
    )
    assert r.status_code == 413
    assert client.get("/api/documents").json()["total"] == 0


def test_upload_wrong_type_is_415(upload_client) -> None:
    client, _ = upload_client
    r = client.post(
        "/api/documents",
        files={"file": ("run.sh", b"echo hi")},
        headers={"Authorization": "Bearer s3cret-token"},
    )
    assert r.status_code == 415


# --------------------------------------------------------------------------- errors


def test_unexpected_errors_are_a_generic_json_500(api_settings) -> None:
    from fastapi.testclient import TestClient

    class Broken:
        def query(self, *a, **k):
            raise RuntimeError("secret internal detail")

        def counts(self):
            raise RuntimeError("secret internal detail")

        def close(self) -> None:
            pass

    with TestClient(create_app(api_settings, store=Broken()), raise_server_exceptions=False) as c:
        r = c.get("/api/actors")
    assert r.status_code == 500
    assert r.json() == {"detail": "internal error: the server could not answer this request"}
    assert "secret" not in r.text and "Traceback" not in r.text


def test_unknown_route_is_json_404(api_client) -> None:
    r = api_client.get("/api/finnes-ikke")
    assert r.status_code == 404 and r.json() == {"detail": "Not Found"}


def test_sparql_time_limit_is_422(api_store, api_settings) -> None:
    from fastapi.testclient import TestClient

    slow = api_settings.model_copy(update={"query_timeout_ms": 300})
    cross = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    with TestClient(create_app(slow, store=api_store), raise_server_exceptions=False) as client:
        r = client.get("/sparql", params={"query": cross})
        assert r.status_code == 422, r.text
        assert "time limit" in r.json()["detail"]
        # the endpoint answers the next query
        assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"]


def test_actor_detail_counts_match_the_list(api_client, orkland_id) -> None:
    listed = next(
        a
        for a in api_client.get("/api/actors", params={"q": "Orkland"}).json()["items"]
        if a["id"] == orkland_id
    )
    detail = api_client.get(f"/api/actors/{orkland_id}").json()
    assert detail["statement_count"] == listed["statement_count"] == 3
    assert detail["document_count"] == listed["document_count"] == 1


def test_sparql_and_rdf_export_follow_an_upload(upload_client) -> None:
    client, _ = upload_client
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    before = int(
        client.get("/sparql", params={"query": count}).json()["results"]["bindings"][0]["n"][
            "value"
        ]
    )
    ttl_before = client.get("/api/export.ttl").text
    r = client.post(
        "/api/documents",
        files={"file": ("innspill.txt", UPLOAD_TEXT.encode())},
        headers={"Authorization": "Bearer s3cret-token"},
    )
    assert r.status_code == 201, r.text
    after = int(
        client.get("/sparql", params={"query": count}).json()["results"]["bindings"][0]["n"][
            "value"
        ]
    )
    assert after > before
    ttl_after = client.get("/api/export.ttl").text
    assert len(ttl_after) > len(ttl_before)
    assert "innspill.txt" in ttl_after


# --------------------------------------------------------------------------- researcher page v2


def test_similar_actors_can_leave_out_cosigners(api_client, orkland_id) -> None:
    url = f"/api/actors/{orkland_id}/similar"
    names = [s["name"] for s in api_client.get(url).json()["items"]]
    assert "Skaun kommune" in names  # signed the same letter
    alone = api_client.get(url, params={"without_cosigners": "true"}).json()["items"]
    assert [s["name"] for s in alone] == ["Helse Nord-Trøndelag HF"]


def test_challenge_counts_actors_documents_and_statements_apart(api_client) -> None:
    items = api_client.get("/api/challenges", params={"limit": 500}).json()["items"]
    rec = next(c for c in items if c["id"] == "utfordring/rekruttering")
    # Orkland and Skaun co-sign one letter: three actors, two letters, two statements.
    assert (rec["actor_count"], rec["document_count"], rec["statement_count"]) == (3, 2, 2)
    measures = api_client.get("/api/measures", params={"challenge": "rekruttering"}).json()
    m = next(x for x in measures["items"] if x["id"] == "tiltak/bedre-utskrivning")
    assert (m["actor_count"], m["document_count"], m["statement_count"]) == (3, 2, 2)
    assert m["in_codebook"] is False  # the codebook does not say it answers recruitment


def test_measure_detail_keeps_codebook_challenges_apart_from_same_letter(api_client) -> None:
    r = api_client.get("/api/measures/bedre-utskrivning")
    assert r.status_code == 200, r.text
    m = r.json()
    assert m["in_codebook"] is True and m["is_other"] is False
    answered = {c["id"] for c in m["addresses"]}
    assert "utfordring/utskrivning" in answered
    assert [c["id"] for c in m["same_letter"]] == ["utfordring/rekruttering"]
    assert (m["actor_count"], m["document_count"], len(m["statements"])) == (3, 2, 2)
    first = m["statements"][0]
    assert first["quote"] in API_DOC_A + API_DOC_B and first["line"] and first["document"]
    assert {a["name"] for s in m["statements"] for a in s["authors"]} == {
        "Orkland kommune",
        "Skaun kommune",
        "Helse Nord-Trøndelag HF",
    }
    other = api_client.get("/api/measures/tiltak/annet").json()
    assert other["is_other"] is True and other["statements"] == []
    assert api_client.get("/api/measures/no-such-measure").status_code == 404


def test_matrix_counts_and_filters(api_client) -> None:
    def cells(**params):
        r = api_client.get("/api/matrix", params=params)
        assert r.status_code == 200, r.text
        return {(c["row_label"], c["challenge"]): c for c in r.json()["items"]}

    by_actor = cells()
    assert by_actor[("Orkland kommune", "utfordring/rekruttering")]["statements"] == 1
    by_type = cells(by="type")
    k = by_type[("Kommune", "utfordring/rekruttering")]
    assert (k["actors"], k["documents"], k["statements"]) == (2, 1, 1)
    plans = cells(document_kind="handlingsplan")
    assert {row for row, _ in plans} == {"Helse Nord-Trøndelag HF"}
    trondelag = cells(fylke="Trøndelag")
    assert {row for row, _ in trondelag} == {"Orkland kommune", "Skaun kommune"}
    assert cells(fylke="fylke/50").keys() == trondelag.keys()
    quotes = api_client.get(
        "/api/matrix/quotes", params={"challenge": "rekruttering", "row": "Kommune", "by": "type"}
    ).json()["items"]
    assert {q["name"] for q in quotes} == {"Orkland kommune", "Skaun kommune"}
    assert {q["quote"] for q in quotes} == {"Det er krevende å rekruttere sykepleiere."}
    csv_rows = _csv(api_client.get("/api/matrix", params={"format": "csv"}).text)
    assert len(csv_rows) == len(by_actor)
    filters = api_client.get("/api/matrix/filters").json()["items"]
    assert {"kind": "fylke", "id": "fylke/50", "name": "Trøndelag"} in filters


def test_catalog_query_runs_by_name_and_requires_its_parameters(api_client) -> None:
    url = "/api/queries/actors_raising_challenge/run"
    missing = api_client.post(url, json={"params": {}})
    assert missing.status_code == 422 and "challenge" in missing.json()["detail"]
    ok = api_client.post(url, json={"params": {"challenge": "rekruttering"}})
    assert ok.status_code == 200, ok.text
    assert {r["name"] for r in ok.json()["rows"]} == {
        "Orkland kommune",
        "Skaun kommune",
        "Helse Nord-Trøndelag HF",
    }
    listed = api_client.get("/api/queries", params={"limit": 500}).json()["items"]
    q = next(x for x in listed if x["name"] == "similar_actors" and x["language"] == "cypher")
    assert q["required"] == ["actor"] and "limit" in q["param_docs"]
    assert api_client.post("/api/queries/nope/run", json={}).status_code == 404


def test_docs_and_favicon_are_served_without_the_network(api_client) -> None:
    page = api_client.get("/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower() and "https://" not in page
    js = api_client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js")
    assert js.status_code == 200 and "SwaggerUIBundle" in js.text
    icon = api_client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg")

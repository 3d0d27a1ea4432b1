"""A real uvicorn server in a subprocess (``helsegraf serve``), over a store with the samples.

Hit with httpx, with SPARQLWrapper (the SPARQL 1.1 Protocol as a client library speaks it) and
with schemathesis (every route: no 5xx, answers match the OpenAPI schema).
"""

from __future__ import annotations

import threading
import time

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

# 8e9 rows: never finishes within a time limit, and the engine checks the limit as it goes.
HEAVY = (
    "UNWIND range(1, 2000) AS x UNWIND range(1, 2000) AS y UNWIND range(1, 2000) AS z "
    "RETURN count(*) AS n"
)


def test_server_answers_pages_and_static_files(api_server) -> None:
    base = api_server.url
    r = httpx.get(f"{base}/", timeout=10)
    assert r.status_code == 200 and 'lang="nb"' in r.text
    docs = httpx.get(f"{base}/api/documents", params={"limit": 500}, timeout=30).json()
    assert docs["total"] == api_server.documents
    assert httpx.get(f"{base}/docs", timeout=10).status_code == 200


def test_server_challenge_actors_lead_back_to_quotes(api_server) -> None:
    base = api_server.url
    challenges = httpx.get(f"{base}/api/challenges", params={"limit": 500}, timeout=30).json()
    raised = [c for c in challenges["items"] if c["actor_count"] > 0]
    assert raised, "the samples raise at least one challenge"
    top = max(raised, key=lambda c: c["actor_count"])
    slug = top["id"].split("/", 1)[1]
    page = httpx.get(f"{base}/api/challenges/{slug}/actors", timeout=30).json()
    assert page["total"] == top["actor_count"]
    quotes = [q for a in page["items"] for q in a["quotes"]]
    assert quotes and all(q["quote"] and q["document"] for q in quotes)


def test_server_refuses_writing_cypher(api_server) -> None:
    base = api_server.url
    count = {"query": "MATCH (n) RETURN count(n) AS n"}
    before = httpx.post(f"{base}/api/cypher", json=count, timeout=30).json()["rows"][0]["n"]
    r = httpx.post(f"{base}/api/cypher", json={"query": "CREATE (n:X) RETURN n"}, timeout=30)
    assert r.status_code == 400
    after = httpx.post(f"{base}/api/cypher", json=count, timeout=30).json()["rows"][0]["n"]
    assert after == before


def test_server_keeps_answering_while_a_query_runs_into_its_time_limit(api_server) -> None:
    base = api_server.url
    heavy = {"query": HEAVY}
    result: dict[str, httpx.Response] = {}
    done: dict[str, float] = {}

    def run() -> None:
        result["heavy"] = httpx.post(f"{base}/api/cypher", json=heavy, timeout=60)
        done["heavy"] = time.monotonic()

    t = threading.Thread(target=run)
    t.start()
    time.sleep(0.3)  # the heavy query is running now (its limit is 4 s)
    small = {"query": "MATCH (u:Utfordring) RETURN count(u) AS n"}
    answers = [httpx.post(f"{base}/api/cypher", json=small, timeout=10) for _ in range(3)]
    answers.append(httpx.get(f"{base}/api/challenges", timeout=10))
    done["others"] = time.monotonic()
    t.join(60)
    assert all(r.status_code == 200 for r in answers)
    # the other requests were answered while the heavy one was still running
    assert done["others"] < done["heavy"]
    assert result["heavy"].status_code == 422
    assert "time" in result["heavy"].json()["detail"]


def test_sparqlwrapper_select_json(api_server) -> None:
    from SPARQLWrapper import JSON, POST, SPARQLWrapper

    for method in (None, POST):
        sparql = SPARQLWrapper(f"{api_server.url}/sparql")
        if method:
            sparql.setMethod(method)
        sparql.setQuery(
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
            "SELECT ?c ?label WHERE { ?c skos:prefLabel ?label } LIMIT 7"
        )
        sparql.setReturnFormat(JSON)
        result = sparql.queryAndConvert()
        bindings = result["results"]["bindings"]
        assert len(bindings) == 7
        assert all(b["label"]["value"] for b in bindings)


def test_sparqlwrapper_ask_and_construct(api_server) -> None:
    from rdflib import Graph
    from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

    sparql = SPARQLWrapper(f"{api_server.url}/sparql")
    sparql.setQuery("ASK { ?s ?p ?o }")
    sparql.setReturnFormat(JSON)
    assert sparql.queryAndConvert()["boolean"] is True
    sparql.setQuery("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 4")
    sparql.setReturnFormat(TURTLE)
    data = sparql.queryAndConvert()
    g = Graph().parse(data=data, format="turtle")
    assert len(g) == 4


def test_sparqlwrapper_update_is_refused(api_server) -> None:
    from SPARQLWrapper import POST, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    sparql = SPARQLWrapper(f"{api_server.url}/sparql")
    sparql.setMethod(POST)
    sparql.setQuery("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    with pytest.raises(QueryBadFormed):
        sparql.query()


# --------------------------------------------------------------------------- schemathesis


def _operations() -> list[tuple[str, str]]:
    """(method, path) of every documented operation, read from the app's OpenAPI document."""
    from helsegraf.api.app import create_app
    from helsegraf.core.config import Settings

    spec = create_app(Settings(_env_file=None)).openapi()
    return [
        (method, path)
        for path, ops in spec["paths"].items()
        for method in ops
        if method in ("get", "post")
    ]


@pytest.fixture(scope="module")
def api_schema(api_server):
    """The served OpenAPI document, loaded by schemathesis."""
    return schemathesis.openapi.from_url(f"{api_server.url}/openapi.json")


@pytest.mark.parametrize(("method", "path"), _operations())
def test_openapi_contract(api_schema, method: str, path: str) -> None:
    """No route answers 5xx, and every answer matches its documented status, type and schema."""
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    operation = api_schema[path][method.upper()]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=10,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case) -> None:
        case.call_and_validate(
            timeout=30,
            checks=[
                not_a_server_error,
                status_code_conformance,
                content_type_conformance,
                response_schema_conformance,
            ],
        )

    check()

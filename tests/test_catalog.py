"""The named query catalog: every file parses, is described, and declares what it uses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from helsegraf.core.errors import HelsegrafError
from helsegraf.queries import catalog

QUERY_FILES = sorted(p for p in catalog.QUERIES_DIR.iterdir() if p.suffix in (".cypher", ".rq"))
CYPHER_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")

# The names the API and the docs promise (docs/graph-model.md).
STABLE_NAMES = {
    "actors_raising_challenge",
    "similar_actors",
    "challenges_ranked",
    "challenges_by_actor_type",
    "challenges_by_fylke",
    "examples_search",
    "measures_for_challenge",
    "measures_list",
    "path_between_actors",
    "document_statements",
    "actors_list",
    "actor_detail",
    "challenges_list",
    "documents_list",
    "document_detail",
    "example_detail",
    "graph_neighbourhood",
    "statements_export",
}


def _body(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))


@pytest.mark.parametrize("path", QUERY_FILES, ids=lambda p: p.name)
def test_every_query_file_parses_with_a_description(path: Path) -> None:
    dialect, q = catalog.parse_file(path)
    assert q.name == path.name.split(".")[0]
    assert len(q.description) > 15
    assert dialect in (None, *catalog.DIALECTS)
    assert q.language == ("cypher" if path.suffix == ".cypher" else "sparql")


@pytest.mark.parametrize(
    "path", [p for p in QUERY_FILES if p.suffix == ".cypher"], ids=lambda p: p.name
)
def test_cypher_queries_use_exactly_their_declared_params(path: Path) -> None:
    _, q = catalog.parse_file(path)
    used = set(CYPHER_PARAM.findall(_body(q.text)))
    assert used == set(q.params), f"uses {sorted(used)}, declares {sorted(q.params)}"
    for spec in q.param_specs:
        assert spec.type in ("str", "int", "float", "bool")


def test_catalog_lists_the_stable_names_once_each() -> None:
    cypher = [q.name for q in catalog.all() if q.language == "cypher"]
    assert len(cypher) == len(set(cypher))
    assert set(cypher) >= STABLE_NAMES
    assert {q.language for q in catalog.all()} >= {"cypher"}


def test_get_prefers_cypher_and_can_ask_for_sparql() -> None:
    assert catalog.get("actors_list").language == "cypher"
    rq = [q for q in catalog.all() if q.language == "sparql"]
    if rq:
        assert catalog.get(rq[0].name, "sparql").language == "sparql"
    with pytest.raises(KeyError):
        catalog.get("no_such_query")


def test_engine_variants_attach_to_their_query() -> None:
    q = catalog.get("path_between_actors")
    assert set(q.variants) == {"falkordb", "neo4j"}
    assert "allShortestPaths" in q.text_for("falkordb")
    assert "WHERE a <> b" in q.text_for("neo4j") and q.text_for("neo4j") != q.text_for("falkordb")
    assert q.text_for("other") == q.text


def test_params_parse_types_defaults_and_plain_lists() -> None:
    specs = catalog.parse_params(
        "actor (str) graph id, e.g. kommune/5029; limit (int = 20) most rows"
    )
    assert [(s.name, s.type, s.default) for s in specs] == [
        ("actor", "str", None),
        ("limit", "int", 20),
    ]
    assert specs[0].description == "graph id, e.g. kommune/5029"
    assert [s.name for s in catalog.parse_params("actor, limit")] == ["actor", "limit"]
    assert catalog.parse_params("none") == []
    assert catalog.parse_params('text (str = "") words')[0].default == ""


def test_bind_fills_defaults_coerces_and_refuses_unknown_params() -> None:
    q = catalog.get("similar_actors")
    assert q.bind({"actor": "kommune/1", "limit": "7"}) == {
        "actor": "kommune/1",
        "limit": 7,
        "without_cosigners": False,
    }
    assert q.bind({"actor": "kommune/1"})["limit"] == 20
    with pytest.raises(HelsegrafError):
        q.bind({"actor": "kommune/1", "nope": 1})
    with pytest.raises(HelsegrafError):
        q.bind({"actor": "kommune/1", "limit": "many"})


def test_required_params_are_those_without_a_default() -> None:
    q = catalog.get("similar_actors")
    assert q.required == ["actor"]
    assert q.missing({}) == ["actor"] and q.missing({"actor": ""}) == ["actor"]
    assert q.missing({"actor": "kommune/1"}) == []
    assert catalog.get("actors_list").required == []


def test_short_concept_ids_are_expanded_as_the_api_does() -> None:
    assert catalog.expand_concept_ids({"challenge": "rekruttering", "limit": 3}) == {
        "challenge": "utfordring/rekruttering",
        "limit": 3,
    }
    assert catalog.expand_concept_ids({"measure": "tiltak/annet", "theme": ""}) == {
        "measure": "tiltak/annet",
        "theme": "",
    }
    assert catalog.expand_concept_ids({"actor": "kommune"}) == {"actor": "kommune"}


def test_a_file_without_description_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "nameless.cypher"
    bad.write_text("// name: nameless\nMATCH (n) RETURN n\n")
    with pytest.raises(HelsegrafError):
        catalog.parse_file(bad)
    wrong = tmp_path / "file_name.cypher"
    wrong.write_text("// name: other\n// description: a query whose name differs\nRETURN 1\n")
    with pytest.raises(HelsegrafError):
        catalog.parse_file(wrong)

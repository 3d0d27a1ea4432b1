"""Contract tests of the GraphStore, run against every backend.

FalkorDB (embedded) always runs; Neo4j runs when HELSEGRAF_NEO4J_URI names a server (its
database is emptied first: point it at a test database) and is skipped otherwise.
"""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Iterator
from typing import Any

import psutil
import pytest

from helsegraf.graph.errors import QueryError, QueryRejected, QueryTimeout
from helsegraf.graph.store import GraphStore, open_store
from helsegraf.ingest.models import Extraction, StatementOut, VoiceOut
from helsegraf.queries import catalog

BACKENDS = ["falkordb", pytest.param("neo4j", marks=pytest.mark.neo4j)]


@pytest.fixture(scope="session", params=BACKENDS)
def gstore(
    request: pytest.FixtureRequest, gold_extractions: list[Extraction]
) -> Iterator[GraphStore]:
    """The gold samples loaded into each backend."""
    if request.param == "falkordb":
        yield request.getfixturevalue("store")
        return
    settings = request.getfixturevalue("neo4j_settings")
    with open_store(settings) as s:
        s.query("MATCH (n) DETACH DELETE n", read_only=False, timeout_ms=0)
        s.ensure_reference()
        for x in gold_extractions:
            s.load_extraction(x)
        yield s


def _statement_keys(xs: list[Extraction]) -> set[tuple[Any, ...]]:
    keys = set()
    for x in xs:
        for kind, items in (("challenge", x.challenges), ("measure", x.measures)):
            for s in items:
                keys.add((x.document, kind, s.voice, s.concept, s.quote, s.start))
    return keys


def _count(store: GraphStore, cypher: str, params: dict | None = None) -> int:
    return int(store.query(cypher, params, timeout_ms=0)[0]["n"])


# --------------------------------------------------------------------------- loading


def test_loaded_store_holds_every_document_voice_and_statement(
    gstore: GraphStore, gold_extractions: list[Extraction]
) -> None:
    counts = gstore.counts()
    assert counts["Dokument"] == len(gold_extractions)
    assert counts["Stemme"] == sum(len(x.voices) for x in gold_extractions)
    assert counts["Utsagn"] == len(_statement_keys(gold_extractions))
    assert counts["STATES"] == counts["CODED_AS"] == counts["Utsagn"]
    assert counts["RAISES"] + counts["PROPOSES"] == counts["Utsagn"]
    # every RAISES edge carries the statement it rests on, with its quote
    bad = _count(
        gstore,
        "MATCH (v:Stemme)-[r:RAISES]->(c:Utfordring) "
        "MATCH (v)-[:STATES]->(u:Utsagn {id: r.statement})-[:CODED_AS]->(c) "
        "WHERE u.quote = r.quote RETURN count(r) AS n",
    )
    assert bad == counts["RAISES"]


def test_reference_data_is_loaded_once(gstore: GraphStore) -> None:
    counts = gstore.counts()
    assert counts["Kommune"] > 300 and counts["Fylke"] > 10 and counts["Utfordring"] > 10
    assert counts["IN_FYLKE"] > 300 and counts["SUCCEEDED_BY"] > 0 and counts["IN_THEME"] > 0
    version = gstore.query("MATCH (m:Meta {id: 'reference'}) RETURN m.version AS v")[0]["v"]
    gstore._reference_checked = False  # as a fresh process would
    gstore.ensure_reference()
    assert gstore.counts() == counts
    assert gstore.query("MATCH (m:Meta {id: 'reference'}) RETURN m.version AS v")[0]["v"] == version


def test_reingesting_the_same_documents_changes_nothing(
    gstore: GraphStore, gold_extractions: list[Extraction]
) -> None:
    before = gstore.counts()
    for x in gold_extractions:
        gstore.load_extraction(x)
    assert gstore.counts() == before


def test_a_changed_document_replaces_only_its_own_statements(
    gstore: GraphStore, gold_extractions: list[Extraction]
) -> None:
    original = gold_extractions[0]
    others = {x.document for x in gold_extractions[1:]}

    def statement_ids(doc_names: set[str]) -> set[str]:
        rows = gstore.query(
            "MATCH (d:Dokument)-[:HAS_VOICE]->(:Stemme)-[:STATES]->(u:Utsagn) "
            "WHERE d.name IN $names RETURN u.id AS id",
            {"names": sorted(doc_names)},
            timeout_ms=0,
        )
        return {r["id"] for r in rows}

    before_counts = gstore.counts()
    others_before = statement_ids(others)
    changed = original.model_copy(deep=True)
    changed.challenges = changed.challenges[: len(changed.challenges) // 2]
    changed.measures = changed.measures[:1]
    changed.examples = []
    changed.sha256 = "f" * 64  # new content: a new document id under the same name
    try:
        gstore.load_extraction(changed)
        assert (
            _count(
                gstore,
                "MATCH (d:Dokument) WHERE d.name = $n RETURN count(d) AS n",
                {"n": original.document},
            )
            == 1
        )
        mine = statement_ids({original.document})
        assert len(mine) == len(_statement_keys([changed]))
        assert statement_ids(others) == others_before
        quotes = {
            r["q"]
            for r in gstore.query(
                "MATCH (d:Dokument {name: $n})-[:HAS_VOICE]->()-[:STATES]->(u) RETURN u.quote AS q",
                {"n": original.document},
            )
        }
        assert quotes == {s.quote for s in (*changed.challenges, *changed.measures)}
    finally:
        gstore.load_extraction(original)
    assert gstore.counts() == before_counts


def test_predecessor_municipalities_count_for_their_successor(
    gstore: GraphStore,
) -> None:
    from helsegraf.ontology.registry import load_registry

    reg = load_registry()
    merged = next(k for k in reg.kommuner if len(k.successor_ids) == 1 and k.valid_to)
    quote = "Det er vanskelig å rekruttere sykepleiere."
    x = Extraction(
        document="test_predecessor.txt",
        date=f"{int(merged.valid_to[:4]) - 1}-06-01",
        voices=[VoiceOut(id="v1", authors=[merged.name], lines=(1, 1))],
        challenges=[
            StatementOut(
                voice="v1",
                concept="utfordring/rekruttering",
                quote=quote,
                line=1,
                start=0,
                end=len(quote),
            )
        ],
    )
    gstore.load_extraction(x)
    try:
        rows = gstore.run_named(
            "actors_raising_challenge", {"challenge": "utfordring/rekruttering"}
        )
        row = next(r for r in rows if r["document_name"] == x.document)
        assert row["actor_id"] == merged.id
        assert row["current_id"] is not None
        # today's municipality: following SUCCEEDED_BY from the author ends there
        assert (
            _count(
                gstore,
                "MATCH (a:`Aktør` {id: $a})-[:SUCCEEDED_BY*1..]->(b:`Aktør` {id: $b}) RETURN count(*) AS n",
                {"a": merged.id, "b": row["current_id"]},
            )
            >= 1
        )
        detail = gstore.run_named("actor_detail", {"actor": row["current_id"]})[0]
        assert "utfordring/rekruttering" in {c["id"] for c in detail["challenges"]}
        assert x.document in {d["name"] for d in detail["documents"]}
    finally:
        assert gstore.delete_document(x.document) == 1
    assert not gstore.query("MATCH (d:Dokument {name: $n}) RETURN d.id AS id", {"n": x.document})


# --------------------------------------------------------------------------- query limits


def test_read_only_queries_cannot_write(gstore: GraphStore) -> None:
    before = gstore.counts()["nodes"]
    with pytest.raises(QueryRejected):
        gstore.query("CREATE (n:Eksempel {id: 'eksempel/should-not-exist'}) RETURN n")
    with pytest.raises(QueryRejected):
        gstore.query("MATCH (d:Dokument) SET d.title = 'x' RETURN d")
    assert gstore.counts()["nodes"] == before
    assert not gstore.query("MATCH (n {id: 'eksempel/should-not-exist'}) RETURN n")


def test_a_query_that_runs_too_long_is_stopped(gstore: GraphStore) -> None:
    # a cartesian product of all nodes three times, filtered (so no engine can answer it from
    # its count store): billions of rows to look at
    with pytest.raises(QueryTimeout):
        gstore.query(
            "MATCH (a), (b), (c) WHERE a.id < b.id AND b.id < c.id RETURN count(*) AS n",
            timeout_ms=200,
        )
    # the store still answers afterwards
    assert gstore.query("RETURN 1 AS one")[0]["one"] == 1


def test_row_cap_cuts_rows_and_says_so(gstore: GraphStore) -> None:
    rows = gstore.query("UNWIND range(1, 50) AS i RETURN i", row_cap=10)
    assert [r["i"] for r in rows] == list(range(1, 11))
    assert rows.truncated and rows.columns == ["i"]
    whole = gstore.query("UNWIND range(1, 50) AS i RETURN i")
    assert len(whole) == 50 and not whole.truncated


def test_syntax_errors_are_query_errors(gstore: GraphStore) -> None:
    with pytest.raises(QueryError):
        gstore.query("MATCH (n RETURN n")


# --------------------------------------------------------------------------- named queries


def test_actors_raising_recruitment_quote_their_documents(
    gstore: GraphStore, corpus_text: dict[str, str], gold_extractions: list[Extraction]
) -> None:
    rows = gstore.run_named("actors_raising_challenge", {"challenge": "utfordring/rekruttering"})
    expected_docs = {
        x.document
        for x in gold_extractions
        if any(c.concept == "utfordring/rekruttering" for c in x.challenges)
    }
    assert rows and {r["document_name"] for r in rows} == expected_docs
    for r in rows:
        assert r["actor_id"] and r["name"]
        assert r["quote"] and r["quote"] in corpus_text[r["document_name"]]


def test_every_named_cypher_query_runs(gstore: GraphStore) -> None:
    some = gstore.query(
        "MATCH (a:`Aktør`)-[:AUTHORED]->(:Stemme)-[:RAISES]->(c:Utfordring) "
        "MATCH (e:Eksempel) MATCH (d:Dokument) "
        "RETURN a.id AS actor, c.id AS challenge, e.id AS example, d.id AS document LIMIT 1"
    )[0]
    values = {
        **some,
        "id": some["actor"],
        "source": some["actor"],
        "target": some["challenge"],
        "limit": 5,
    }
    for q in catalog.all():
        if q.language != "cypher":
            continue
        params = {p: values[p] for p in q.params if p in values}
        rows = gstore.run_named(q.name, params)
        if q.name in {
            "actors_raising_challenge",
            "actor_detail",
            "document_detail",
            "example_detail",
            "path_between_actors",
            "similar_actors",
            "graph_neighbourhood",
            "document_statements",
        }:
            assert rows, q.name


def test_path_between_two_actors(gstore: GraphStore) -> None:
    pair = gstore.query(
        "MATCH (a:`Aktør`)-[:AUTHORED]->(:Stemme)-[:RAISES]->(:Utfordring)<-[:RAISES]-(:Stemme)<-[:AUTHORED]-(b:`Aktør`) "
        "WHERE a.id < b.id RETURN a.id AS a, b.id AS b LIMIT 1"
    )[0]
    path = gstore.shortest_path(pair["a"], pair["b"])
    assert path is not None
    ids = [n["id"] for n in path["nodes"]]
    assert ids[0] == pair["a"] and ids[-1] == pair["b"]
    assert len(path["relationships"]) == len(ids) - 1 <= 4
    named = gstore.run_named("path_between_actors", {"source": pair["a"], "target": pair["b"]})
    assert len(named[0]["nodes"]) == len(ids)


def test_similar_actors_jaccard_is_consistent(gstore: GraphStore) -> None:
    actor = gstore.query(
        "MATCH (a:`Aktør`)-[:AUTHORED]->(:Stemme)-[:RAISES]->(c) "
        "RETURN a.id AS id, count(DISTINCT c) AS n ORDER BY n DESC, id LIMIT 1"
    )[0]["id"]
    rows = gstore.run_named("similar_actors", {"actor": actor, "limit": 50})
    assert rows
    for r in rows:
        assert r["id"] != actor
        assert 0 < r["jaccard"] <= 1
        assert r["shared_count"] == len(r["shared"])
    assert [r["jaccard"] for r in rows] == sorted((r["jaccard"] for r in rows), reverse=True)


def test_examples_search_finds_by_alias_and_by_actor(
    gstore: GraphStore, gold_extractions: list[Extraction]
) -> None:
    ex = next(e for x in gold_extractions for e in x.examples if e.aliases and e.actors)
    alias = ex.aliases[0]
    rows = gstore.run_named("examples_search", {"text": alias.upper()})
    assert ex.name in {r["name"] for r in rows}
    hit = next(r for r in rows if r["name"] == ex.name)
    assert ex.stance in hit["stances"]
    runner = hit["run_by"][0]["id"]
    by_actor = gstore.run_named("examples_search", {"actor": runner})
    assert ex.name in {r["name"] for r in by_actor}


def test_document_statements_come_in_reading_order(
    gstore: GraphStore, gold_extractions: list[Extraction]
) -> None:
    x = gold_extractions[0]
    rows = gstore.run_named("document_statements", {"document": x.document}, row_cap=0)
    assert len(rows) == len(_statement_keys([x]))
    keys = [(r["start"] or 0, r["line"] or 0) for r in rows]
    assert keys == sorted(keys)


def test_fulltext_search_finds_examples_and_quotes(
    gstore: GraphStore, gold_extractions: list[Extraction]
) -> None:
    ex = next(e for x in gold_extractions for e in x.examples if len(e.name) > 6)
    word = max(ex.name.replace("(", " ").replace(")", " ").split(), key=len)
    assert ex.name in {h["name"] for h in gstore.fulltext("Eksempel", word, limit=50)}
    quote = gold_extractions[0].challenges[0].quote
    qword = max(quote.split(), key=len).strip(".,:;()")
    hits = gstore.fulltext("Utsagn", qword, limit=100)
    assert any(qword in h["name"] for h in hits)
    with pytest.raises(QueryError):
        gstore.fulltext("Dokument", "x")


# --------------------------------------------------------------------------- embedded engine only


def test_falkordb_data_survive_kill_9_of_the_server(tmp_path, make_graph_settings) -> None:
    settings = make_graph_settings(tmp_path, "durability")
    s = open_store(settings)
    try:
        s.write([("CREATE (:Meta {id: 'written-before-kill', n: 42})", {})])
        pid = s.server_pid
        assert pid
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                    break
            except psutil.NoSuchProcess:
                break
            time.sleep(0.05)
    finally:
        s.close()
    with open_store(settings) as again:
        assert again.server_pid != pid
        rows = again.query("MATCH (m:Meta {id: 'written-before-kill'}) RETURN m.n AS n")
        assert [r["n"] for r in rows] == [42]


def test_falkordb_store_lives_in_one_directory_and_stops_on_close(
    tmp_path, make_graph_settings
) -> None:
    settings = make_graph_settings(tmp_path, "lifecycle")
    with open_store(settings) as s:
        pid = s.server_pid
        s.write([("CREATE (:Meta {id: 'x'})", {})])
    files = {p.relative_to(tmp_path).parts[0] for p in tmp_path.rglob("*")}
    assert files == {"falkordb"}
    assert (tmp_path / "falkordb" / "appendonlydir").is_dir()
    try:
        alive = psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        alive = False
    assert not alive
    assert not re.search(
        r"\.settings$", " ".join(p.name for p in (tmp_path / "falkordb").iterdir())
    )


def test_falkordb_server_is_shared_by_processes_on_one_directory(
    tmp_path, make_graph_settings
) -> None:
    import subprocess
    import sys

    settings = make_graph_settings(tmp_path, "shared")
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from helsegraf.core.config import Settings\n"
        "from helsegraf.graph.store import open_store\n"
        "with open_store(Settings(data_dir=Path(sys.argv[1]), graph_name='shared')) as b:\n"
        "    b.write([(\"CREATE (:Meta {id: 'from-other-process'})\", {})])\n"
        "    print(b.server_pid)\n"
    )
    with open_store(settings) as a:
        done = subprocess.run(
            [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        assert int(done.stdout.strip()) == a.server_pid
        # the other process closed without stopping the server we still use
        ids = {r["id"] for r in a.query("MATCH (m:Meta) RETURN m.id AS id")}
        assert "from-other-process" in ids


def test_measures_for_challenge_says_who_is_responsible_and_when(store) -> None:
    """Each statement's responsible and when reach the measure's row (FalkorDB once dropped
    the second of two pattern comprehensions that reused a variable name)."""
    found = store.query(
        "MATCH (c:Utfordring)<-[:RAISES]-(v:Stemme)-[:STATES]->(u:Utsagn {kind: 'measure'}) "
        "WHERE u.`when` IS NOT NULL AND u.responsible IS NOT NULL "
        "RETURN c.id AS challenge, u.concept AS measure, u.`when` AS w, u.responsible AS r "
        "ORDER BY challenge, measure LIMIT 1"
    )
    assert found, "the samples have action-plan measures with responsible and when"
    want = found[0]
    rows = store.run_named("measures_for_challenge", {"challenge": want["challenge"]})
    row = next(r for r in rows if r["id"] == want["measure"])
    assert want["w"] in row["when"]
    # Kept on the CO_TALLY relationship as one flat list of names (graph/counts.py).
    assert set(want["r"]) <= set(row["responsible"])

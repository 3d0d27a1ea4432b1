"""The queries that read the kept cells (graph/counts.py: ``TALLY`` per actor and concept,
``CO_TALLY`` per challenge and measure) answer what counting the statements answers.

Each reference below is the query's earlier form, which counted the voices and statements on
every request; on the sample corpus it is quick, so both run for every challenge, measure and
actor. The kept values themselves are checked against a full recount after random writes in
tests/test_kept_counts.py; this file checks that the queries read them right."""

from __future__ import annotations

from collections import Counter
from typing import Any

from helsegraf.graph.store import GraphStore

MEASURES_FOR_CHALLENGE = """
OPTIONAL MATCH (:Utfordring {id: $challenge})<-[:RAISES]-(rv:Stemme)
WITH collect(DISTINCT rv) AS raising
UNWIND raising AS v
MATCH (a:`Aktør`)-[:AUTHORED]->(v)-[p:PROPOSES]->(pm:Tiltak)
WITH pm.id AS mid, count(DISTINCT a) AS actors, count(DISTINCT p.doc_id) AS documents,
     collect(DISTINCT p.statement) AS sids
WITH collect({id: mid, actors: actors, documents: documents, sids: sids}) AS proposed
OPTIONAL MATCH (cm:Tiltak)-[:ADDRESSES]->(:Utfordring {id: $challenge})
WITH proposed, collect(DISTINCT cm.id) AS codebook
WITH proposed, codebook, [x IN proposed | x.id] AS proposed_ids
UNWIND proposed + [x IN codebook WHERE NOT x IN proposed_ids | {id: x, actors: 0, documents: 0, sids: []}] AS row
MATCH (m:Tiltak {id: row.id})
OPTIONAL MATCH (u:Utsagn) WHERE u.id IN row.sids
WITH m, row, codebook, collect(u.responsible) AS responsible, collect(u.`when`) AS whens
RETURN m.id AS id, m.id IN codebook AS in_codebook, row.actors AS actor_count,
       row.documents AS document_count, size(row.sids) AS statement_count,
       responsible, whens AS `when`
"""

MATRIX = """
MATCH (a:`Aktør`)-[:AUTHORED]->(v:Stemme)-[r:RAISES]->(c:Utfordring)
MATCH (d:Dokument)-[:HAS_VOICE]->(v)
RETURN a.id AS row, a.name AS row_label, c.id AS challenge, c.label AS challenge_label,
       count(DISTINCT a) AS actors, count(DISTINCT d) AS documents,
       count(DISTINCT r.statement) AS statements
"""

SIMILAR = """
MATCH (a:`Aktør` {id: $actor})-[:AUTHORED]->(:Stemme)-[:RAISES]->(c:Utfordring)
WITH a, collect(DISTINCT c) AS mine
WITH a, mine, size(mine) AS n_a
UNWIND mine AS c
MATCH (c)<-[:RAISES]-(:Stemme)<-[:AUTHORED]-(b:`Aktør`)
WHERE b.id <> a.id
WITH n_a, b, collect(DISTINCT c.id) AS shared
MATCH (b)-[:AUTHORED]->(:Stemme)-[:RAISES]->(cb:Utfordring)
WITH n_a, b, shared, count(DISTINCT cb) AS n_b
RETURN b.id AS id, size(shared) AS shared_count,
       toFloat(size(shared)) / toFloat(n_a + n_b - size(shared)) AS jaccard
"""

EXAMPLES = """
MATCH (e:Eksempel)
OPTIONAL MATCH (e)<-[m:MENTIONS]-(v:Stemme)
OPTIONAL MATCH (v)<-[:AUTHORED]-(who:`Aktør`)
WITH e, collect(DISTINCT m.stance) AS stances, count(DISTINCT v) AS mentions,
     collect(DISTINCT who.id) AS mentioned_by
RETURN e.id AS id, stances, mentions AS mention_count, mentioned_by
ORDER BY mention_count DESC, e.name, id
"""

MATRIX_FILTERS = """
MATCH (f:Fylke)<-[:IN_FYLKE]-(a:`Aktør`) WHERE (a)-[:AUTHORED]->(:Stemme)
RETURN DISTINCT 'fylke' AS kind, f.id AS id
UNION
MATCH (h:Helsefellesskap)<-[:MEMBER_OF]-(a:`Aktør`) WHERE (a)-[:AUTHORED]->(:Stemme)
RETURN DISTINCT 'helsefellesskap' AS kind, h.id AS id
"""


def _flat(value: Any) -> set[str]:
    out: set[str] = set()
    for v in value or []:
        out |= _flat(v) if isinstance(v, list) else {str(v)}
    return out


def _ids(store: GraphStore, label: str) -> list[str]:
    return [r["id"] for r in store.query(f"MATCH (n:`{label}`) RETURN n.id AS id ORDER BY id")]


def test_measures_for_challenge_equals_counting_the_statements(store: GraphStore) -> None:
    checked = 0
    for challenge in _ids(store, "Utfordring"):
        kept = store.run_named("measures_for_challenge", {"challenge": challenge})
        counted = store.query(MEASURES_FOR_CHALLENGE, {"challenge": challenge}, row_cap=0)
        assert len(kept) == len(counted), challenge
        by_id = {r["id"]: r for r in counted}
        for row in kept:
            want = by_id[row["id"]]
            for key in ("in_codebook", "actor_count", "document_count", "statement_count"):
                assert row[key] == want[key], (challenge, row["id"], key)
            assert _flat(row["responsible"]) == _flat(want["responsible"]), (challenge, row["id"])
            assert _flat(row["when"]) == _flat(want["when"]), (challenge, row["id"])
            checked += row["statement_count"] > 0
    assert checked >= 3, "the samples have measures proposed with a challenge"


def test_matrix_cells_equal_counting_the_statements(store: GraphStore) -> None:
    cells = store.run_named("challenge_matrix", {"limit": 10_000})
    counted = store.query(MATRIX, row_cap=0)
    assert cells and all(r["total"] == len(counted) for r in cells)

    def key(r: dict[str, Any]) -> tuple:
        return tuple(r[k] for k in ("row", "challenge", "actors", "documents", "statements"))

    assert Counter(map(key, cells)) == Counter(map(key, counted))
    order = [(r["row_label"], r["challenge"]) for r in cells]
    assert order == sorted(order)


def test_matrix_pages_in_the_query(store: GraphStore) -> None:
    everything = store.run_named("challenge_matrix", {"limit": 10_000})
    assert len(everything) > 4
    page = store.run_named("challenge_matrix", {"limit": 3, "offset": 2})
    assert [(r["row"], r["challenge"]) for r in page] == [
        (r["row"], r["challenge"]) for r in everything[2:5]
    ]
    assert {r["total"] for r in page} == {len(everything)}


def test_matrix_by_document_kind_counts_the_statements(store: GraphStore) -> None:
    """Filtered by document kind, the cells are counted from the statements (the kept cells
    do not know the kind), and the kept and counted parts never both answer."""
    kinds = [r["k"] for r in store.query("MATCH (d:Dokument) RETURN DISTINCT d.kind AS k")]
    assert kinds
    for kind in kinds:
        rows = store.run_named("challenge_matrix", {"document_kind": kind, "limit": 10_000})
        counted = store.query(
            MATRIX.replace(
                "MATCH (d:Dokument)-[:HAS_VOICE]->(v)",
                "MATCH (d:Dokument {kind: $k})-[:HAS_VOICE]->(v)",
            ),
            {"k": kind},
            row_cap=0,
        )
        assert sorted(
            (r["row"], r["challenge"], r["documents"], r["statements"]) for r in rows
        ) == sorted((r["row"], r["challenge"], r["documents"], r["statements"]) for r in counted), (
            kind
        )


def test_similar_actors_equal_counting_the_statements(store: GraphStore) -> None:
    actors = [
        r["id"]
        for r in store.query(
            "MATCH (a:`Aktør`)-[:AUTHORED]->(:Stemme)-[:RAISES]->() RETURN DISTINCT a.id AS id"
        )
    ]
    assert actors
    for actor in actors:
        kept = store.run_named("similar_actors", {"actor": actor, "limit": 1000})
        counted = store.query(SIMILAR, {"actor": actor}, row_cap=0)
        assert {(r["id"], r["shared_count"], round(r["jaccard"], 9)) for r in kept} == {
            (r["id"], r["shared_count"], round(r["jaccard"], 9)) for r in counted
        }, actor


def test_matrix_filters_equal_looking_for_authored_voices(store: GraphStore) -> None:
    kept = {(r["kind"], r["id"]) for r in store.run_named("matrix_filters")}
    assert kept == {(r["kind"], r["id"]) for r in store.query(MATRIX_FILTERS)}
    assert kept


def test_measure_detail_counts_are_those_of_the_list(store: GraphStore) -> None:
    """The measure page's counts are the kept ones the measure list shows, and its challenges
    raised in the same voices are those the CO_TALLY relationships name."""
    listed = {r["id"]: r for r in store.run_named("measures_list")}
    for mid in _ids(store, "Tiltak"):
        row = store.run_named("measure_detail", {"measure": mid})[0]
        for key in ("actor_count", "document_count", "statement_count"):
            assert row[key] == listed[mid][key], (mid, key)
        raised = {
            r["c"]
            for r in store.query(
                "MATCH (:`Aktør`)-[:AUTHORED]->(v:Stemme)-[:PROPOSES]->(:Tiltak {id: $m}) "
                "MATCH (v)-[:RAISES]->(c:Utfordring) RETURN DISTINCT c.id AS c",
                {"m": mid},
            )
        }
        assert {c["id"] for c in row["raised_with"]} == raised, mid


def test_measure_statements_page_in_the_query(store: GraphStore) -> None:
    top = store.query(
        "MATCH (m:Tiltak)<-[:CODED_AS]-(u:Utsagn) "
        "RETURN m.id AS id, count(u) AS n ORDER BY n DESC, id LIMIT 1"
    )[0]
    assert top["n"] >= 3
    everything = store.run_named("measure_statements", {"measure": top["id"], "limit": 10_000})
    assert len(everything) == top["n"] and {r["total"] for r in everything} == {top["n"]}
    page = store.run_named("measure_statements", {"measure": top["id"], "limit": 2, "offset": 1})
    assert [r["statement"] for r in page] == [r["statement"] for r in everything[1:3]]


def test_examples_search_equals_counting_the_mentions(store: GraphStore) -> None:
    rows = store.run_named("examples_search", {"limit": 100_000})
    counted = store.query(EXAMPLES, row_cap=0)
    assert len(rows) == len(counted) > 3 and {r["total"] for r in rows} == {len(counted)}
    assert [r["id"] for r in rows] == [r["id"] for r in counted]
    for row, want in zip(rows, counted, strict=True):
        assert row["mention_count"] == want["mention_count"], row["id"]
        assert set(row["stances"]) == set(want["stances"]), row["id"]
        assert {a["id"] for a in row["mentioned_by"]} == set(want["mentioned_by"]), row["id"]
    page = store.run_named("examples_search", {"limit": 2, "offset": 1})
    assert [r["id"] for r in page] == [r["id"] for r in rows[1:3]]


def test_examples_search_filters_by_stance(store: GraphStore) -> None:
    everything = store.run_named("examples_search", {"limit": 100_000})
    for stance in ("good-practice", "mentioned"):
        want = [
            r["id"]
            for r in everything
            if ("good-practice" if "good-practice" in r["stances"] else (r["stances"] or [None])[0])
            == stance
        ]
        got = store.run_named("examples_search", {"stance": stance, "limit": 100_000})
        assert [r["id"] for r in got] == want, stance
        assert want, f"the samples have examples with stance {stance}"


def test_example_detail_pages_its_mentions(store: GraphStore) -> None:
    counted = {r["id"]: r for r in store.query(EXAMPLES, row_cap=0)}
    top = max(counted.values(), key=lambda r: r["mention_count"])
    assert top["mention_count"] >= 2
    for eid, want in counted.items():
        row = store.run_named("example_detail", {"example": eid, "limit": 1000})[0]
        assert row["mention_count"] == want["mention_count"] == len(row["mentions"]), eid
        assert set(row["stances"]) == set(want["stances"]), eid
        assert {a["id"] for a in row["mentioned_by"]} == set(want["mentioned_by"]), eid
    everything = store.run_named("example_detail", {"example": top["id"], "limit": 1000})[0]
    page = store.run_named("example_detail", {"example": top["id"], "limit": 1, "offset": 1})[0]
    assert page["mentions"] == everything["mentions"][1:2]
    assert page["mention_count"] == everything["mention_count"]
    past = store.run_named("example_detail", {"example": top["id"], "offset": 10_000})
    assert past and past[0]["mentions"] == [], "past the last mention the example still answers"


def test_example_lists_name_each_runner_group_and_place_once(store: GraphStore) -> None:
    """An example has one INVOLVES / FOR_GROUP / LOCATED_IN edge per document that says so;
    the example queries list each actor, group and place once."""
    repeated = store.query(
        "MATCH (e:Eksempel)-[r:INVOLVES|FOR_GROUP|LOCATED_IN]->(x) "
        "WITH e, x, count(r) AS n WHERE n > 1 RETURN DISTINCT e.id AS id"
    )
    assert repeated, "the samples have an example that two documents tie to the same node"
    listed = {r["id"]: r for r in store.run_named("examples_search", {"limit": 100_000})}
    for eid in [r["id"] for r in repeated]:
        want = store.query(
            "MATCH (e:Eksempel {id: $id}) "
            "OPTIONAL MATCH (e)-[:INVOLVES]->(a:`Aktør`) WITH e, collect(DISTINCT a.id) AS runners "
            "OPTIONAL MATCH (e)-[:FOR_GROUP]->(g:Pasientgruppe) "
            "WITH e, runners, collect(DISTINCT g.id) AS groups "
            "OPTIONAL MATCH (e)-[:LOCATED_IN]->(s:Sted) "
            "RETURN runners, groups, collect(DISTINCT s.name) AS places",
            {"id": eid},
        )[0]
        detail = store.run_named("example_detail", {"example": eid})[0]
        for row in (listed[eid], detail):
            runners = [a["id"] for a in row["run_by"]]
            assert sorted(runners) == sorted(want["runners"]), eid
            assert sorted(row["patient_groups"]) == sorted(want["groups"]), eid
            assert sorted(row["places"]) == sorted(want["places"]), eid

"""Counts over the whole corpus, kept on the concept, actor and document nodes.

The list queries (``challenges_list``, ``challenges_ranked``, ``measures_list``,
``actors_list``, ``documents_list``) read these properties instead of counting every voice of
the corpus on each request. Every writer keeps them exact:

* a writer that replaces or changes the documents ``docs`` writes through :func:`write`:
  ``before(docs)`` takes the documents' share out of the counts, ``after(docs)`` puts the new
  share in. The loader, re-ingest, document deletion and the review overlay do this;
* a writer that rewrites the graph wholesale (RDF import) calls :func:`recount` at the end.

What is counted (the definitions the list queries used before the counts were kept):

* on ``:Utfordring`` / ``:Tiltak``: ``actor_count`` — distinct actors that author a voice that
  ``RAISES`` / ``PROPOSES`` it; ``statement_count`` and ``document_count`` — distinct
  statements and documents of such edges from voices with an author;
* on ``:Aktør``: ``authored_documents`` — distinct documents with a voice it authors;
  ``statement_count`` — statements of the voices it authors; ``named_in`` — documents that
  name it (``MENTIONS`` from ``:Dokument``);
* on ``:Dokument``: ``voice_count`` and ``statement_count``;
* on ``:Eksempel``: ``mention_count`` — distinct voices that mention it — and
  ``good_practice_count`` — those of them that hold it up as good practice;
* on a ``TALLY`` relationship from an ``:Aktør`` to each challenge it raises and measure it
  proposes (one cell of the actor × concept matrix): ``statements`` and ``documents`` —
  distinct statements and documents of the ``RAISES`` / ``PROPOSES`` edges from the voices it
  authors. Per document these only add up, so the relationship is removed when its
  ``statements`` fall to 0;
* on a ``CO_TALLY`` relationship from an ``:Utfordring`` to each ``:Tiltak`` proposed by a
  voice (with an author) that raises it: ``statements`` and ``documents`` of those
  ``PROPOSES`` edges, ``actors`` — distinct authors of such voices — and ``responsible``
  and ``whens``: who those statements make responsible and when, each value as
  ``"<document id>|<value>"`` once per statement (a document's share is taken out by its id).

A distinct actor count cannot be kept by adding and subtracting per document alone: an actor
raising a concept in two documents counts once. ``before`` therefore subtracts an
(actor, concept) pair only where no voice outside ``docs`` makes the actor raise the concept,
and ``after`` adds it back on the same condition; pairs that hold outside ``docs`` are
untouched by the write and keep their one count.
The ``actors`` of a ``CO_TALLY`` follow the same rule for (actor, challenge, measure):
an actor counts for the pair only where no voice of its own outside ``docs`` raises the
challenge and proposes the measure.

All statements are portable Cypher (FalkorDB and Neo4j); absent counts read as 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from helsegraf.graph.store import GraphStore

Statement = tuple[str, dict[str, Any]]

#: Concept label -> the voice-to-concept shortcut edge that is counted.
CONCEPT_EDGES: dict[str, str] = {"Utfordring": "RAISES", "Tiltak": "PROPOSES"}
#: Kept properties, by label (the RDF export leaves them out: they are derived).
KEPT: dict[str, tuple[str, ...]] = {
    "Utfordring": ("actor_count", "document_count", "statement_count"),
    "Tiltak": ("actor_count", "document_count", "statement_count"),
    "Aktør": ("authored_documents", "statement_count", "named_in"),
    "Dokument": ("voice_count", "statement_count"),
    "Eksempel": ("mention_count", "good_practice_count"),
}
#: Kept relationships (the RDF export leaves them out: they are derived) and their properties.
KEPT_RELS: dict[str, tuple[str, ...]] = {
    "TALLY": ("statements", "documents"),
    "CO_TALLY": ("actors", "statements", "documents", "responsible", "whens"),
}
#: Kept properties that are lists (of "<document id>|<value>"), not counts.
_LISTS = frozenset({"responsible", "whens"})
_MARKER = "counts"
#: Version of the definitions above; a store with another version is recounted on open.
VERSION = 4


def _concept_share(label: str, edge: str, sign: str) -> list[Statement]:
    """Statements adding (``+``) or subtracting (``-``) the share of the voices of ``$docs``
    in the counts of the ``label`` concepts."""
    return [
        (
            f"MATCH (v:Stemme)-[r:{edge}]->(c:{label}) WHERE v.doc_id IN $docs "
            "AND (v)<-[:AUTHORED]-() "
            "WITH c, count(DISTINCT r.statement) AS k, count(DISTINCT r.doc_id) AS kd "
            f"SET c.statement_count = coalesce(c.statement_count, 0) {sign} k, "
            f"c.document_count = coalesce(c.document_count, 0) {sign} kd",
            {},
        ),
        (
            f"MATCH (v:Stemme)-[:{edge}]->(c:{label}) WHERE v.doc_id IN $docs "
            "MATCH (a)-[:AUTHORED]->(v) "
            "WITH DISTINCT a, c "
            f"OPTIONAL MATCH (a)-[:AUTHORED]->(w:Stemme)-[:{edge}]->(c) "
            "WHERE NOT w.doc_id IN $docs "
            "WITH a, c, count(w) AS outside WHERE outside = 0 "
            "WITH c, count(a) AS k "
            f"SET c.actor_count = coalesce(c.actor_count, 0) {sign} k",
            {},
        ),
    ]


def _actor_share(sign: str) -> list[Statement]:
    return [
        (
            "MATCH (a)-[:AUTHORED]->(v:Stemme) WHERE v.doc_id IN $docs "
            "OPTIONAL MATCH (v)-[:STATES]->(u:Utsagn) "
            "WITH a, v, count(u) AS n "
            "WITH a, count(DISTINCT v.doc_id) AS docs, toInteger(sum(n)) AS statements "
            f"SET a.authored_documents = coalesce(a.authored_documents, 0) {sign} docs, "
            f"a.statement_count = coalesce(a.statement_count, 0) {sign} statements",
            {},
        ),
        (
            "MATCH (d:Dokument)-[:MENTIONS]->(a:`Aktør`) WHERE d.id IN $docs "
            "WITH a, count(DISTINCT d) AS k "
            f"SET a.named_in = coalesce(a.named_in, 0) {sign} k",
            {},
        ),
    ]


def _tally_share(label: str, edge: str, sign: str) -> Statement:
    """The statement adding or subtracting the voices of ``$docs`` in the ``TALLY`` cells."""
    head = (
        f"MATCH (a)-[:AUTHORED]->(v:Stemme)-[r:{edge}]->(c:{label}) WHERE v.doc_id IN $docs "
        "WITH a, c, count(DISTINCT r.statement) AS k, count(DISTINCT r.doc_id) AS kd "
    )
    if sign == "+":
        return (
            head + "MERGE (a)-[t:TALLY]->(c) "
            "SET t.statements = coalesce(t.statements, 0) + k, "
            "t.documents = coalesce(t.documents, 0) + kd",
            {},
        )
    # A cell whose last statement goes is removed (after() adds it back if it holds again).
    return (
        head + "MATCH (a)-[t:TALLY]->(c) "
        "SET t.statements = t.statements - k, t.documents = t.documents - kd "
        "WITH t WHERE t.statements <= 0 DELETE t",
        {},
    )


# The (actor, challenge) pairs of the voices of $docs, each with the measures the actor's
# voices outside $docs propose together with the challenge; then the measures proposed with
# the challenge in $docs: per (challenge, measure), its statements, documents, the actors that
# propose it with the challenge only inside $docs, and who the statements make responsible and
# when (as "<document id>|<value>", so that a document's share can be taken out again). One
# statement, because FalkorDB reads a relationship MERGEd earlier in the same query as null.
_CO_SHARE_HEAD = (
    "MATCH (a:`Aktør`)-[:AUTHORED]->(v:Stemme)-[:RAISES]->(c:Utfordring) "
    "WHERE v.doc_id IN $docs "
    "WITH DISTINCT a, c "
    # A voice has one RAISES edge per statement: each voice once, before its proposals.
    "OPTIONAL MATCH (a)-[:AUTHORED]->(w:Stemme)-[:RAISES]->(c) WHERE NOT w.doc_id IN $docs "
    "WITH DISTINCT a, c, w "
    "OPTIONAL MATCH (w)-[:PROPOSES]->(wm:Tiltak) "
    "WITH a, c, collect(DISTINCT wm.id) AS outside "
    "MATCH (a)-[:AUTHORED]->(v:Stemme)-[:RAISES]->(c) WHERE v.doc_id IN $docs "
    "WITH DISTINCT a, c, outside, v "
    "MATCH (v)-[p:PROPOSES]->(m:Tiltak) "
    "WITH c, m, a, outside, collect([p.statement, p.doc_id]) AS ps "
    "WITH c, m, collect(ps) AS pss, "
    "toInteger(sum(CASE WHEN m.id IN outside THEN 0 ELSE 1 END)) AS ka "
    "UNWIND pss AS ps UNWIND ps AS pr "
    "WITH DISTINCT c, m, ka, pr[0] AS sid, pr[1] AS doc "
    "MATCH (u:Utsagn {id: sid}) "
    "WITH c, m, ka, count(u) AS k, count(DISTINCT doc) AS kd, "
    "collect(CASE WHEN u.`when` IS NULL THEN NULL ELSE doc + '|' + u.`when` END) AS ws, "
    "collect(CASE WHEN size(coalesce(u.responsible, [])) = 0 THEN NULL "
    "ELSE [r IN u.responsible | doc + '|' + r] END) AS rss "
    "WITH c, m, ka, k, kd, ws, reduce(acc = [], rs IN rss | acc + rs) AS rs "
)


def _co_share(sign: str) -> Statement:
    """The statement adding or subtracting the voices of ``$docs`` in the ``CO_TALLY``s."""
    if sign == "+":
        return (
            _CO_SHARE_HEAD + "MERGE (c)-[t:CO_TALLY]->(m) "
            "SET t.statements = coalesce(t.statements, 0) + k, "
            "t.documents = coalesce(t.documents, 0) + kd, t.actors = coalesce(t.actors, 0) + ka, "
            "t.responsible = coalesce(t.responsible, []) + rs, t.whens = coalesce(t.whens, []) + ws",
            {},
        )
    return (
        _CO_SHARE_HEAD + "MATCH (c)-[t:CO_TALLY]->(m) "
        "SET t.statements = t.statements - k, t.documents = t.documents - kd, "
        "t.actors = t.actors - ka, "
        "t.responsible = [x IN t.responsible WHERE NOT split(x, '|')[0] IN $docs], "
        "t.whens = [x IN t.whens WHERE NOT split(x, '|')[0] IN $docs] "
        "WITH t WHERE t.statements <= 0 DELETE t",
        {},
    )


def _example_share(sign: str) -> Statement:
    return (
        "MATCH (v:Stemme)-[m:MENTIONS]->(e:Eksempel) WHERE v.doc_id IN $docs "
        "WITH e, count(DISTINCT v) AS k, "
        "count(DISTINCT CASE WHEN m.stance = 'good-practice' THEN v END) AS kg "
        f"SET e.mention_count = coalesce(e.mention_count, 0) {sign} k, "
        f"e.good_practice_count = coalesce(e.good_practice_count, 0) {sign} kg",
        {},
    )


def _share(sign: str) -> list[Statement]:
    out: list[Statement] = [_example_share(sign)]
    for label, edge in CONCEPT_EDGES.items():
        out += _concept_share(label, edge, sign)
        out.append(_tally_share(label, edge, sign))
    out.append(_co_share(sign))
    return out + _actor_share(sign)


_DOCUMENTS = (
    "MATCH (d:Dokument) WHERE d.id IN $docs "
    "OPTIONAL MATCH (d)-[:HAS_VOICE]->(v:Stemme) "
    "OPTIONAL MATCH (v)-[:STATES]->(u:Utsagn) "
    "WITH d, count(DISTINCT v) AS voices, count(DISTINCT u) AS statements "
    "SET d.voice_count = voices, d.statement_count = statements"
)


def _bind(statements: Iterable[Statement], docs: Sequence[str]) -> list[Statement]:
    return [(cypher, {**params, "docs": list(docs)}) for cypher, params in statements]


def before(docs: Sequence[str]) -> list[Statement]:
    """Statements, first in a unit of writes that changes the documents ``docs`` (their ids,
    old and new), that take those documents' share out of the kept counts."""
    return _bind(_share("-"), sorted(set(docs))) if docs else []


def after(docs: Sequence[str]) -> list[Statement]:
    """Statements, last in the same unit, that put the documents' new share into the counts."""
    if not docs:
        return []
    docs = sorted(set(docs))
    return _bind([*_share("+"), (_DOCUMENTS, {})], docs)


#: Marks (``step`` 1) or unmarks (-1) a count update as pending: a store opened with one
#: pending is recounted.
PENDING = f"MERGE (m:Meta {{id: '{_MARKER}'}}) SET m.pending = coalesce(m.pending, 0) + $step"
_PENDING = PENDING


def write(store: GraphStore, docs: Sequence[str], statements: Sequence[Statement]) -> None:
    """Write ``statements`` (which change only what belongs to the documents ``docs``, by id,
    old and new) as one unit, keeping the counts.

    Two units: the first takes the documents' share out of the counts and writes, the second
    puts the new share in. (FalkorDB cannot be asked, within the query that MERGEd them, what
    the new edges hold: it reads them as null.) Between the two the counts marker says an
    update is pending; a store opened with one pending (a crash in between) is recounted.
    """
    if not docs:
        store.write(statements)
        return
    store.write([*before(docs), *statements, (_PENDING, {"step": 1})])
    store.write([*after(docs), (_PENDING, {"step": -1})])


_EXAMPLES_COUNT = (
    "MATCH (e:Eksempel) OPTIONAL MATCH (v:Stemme)-[m:MENTIONS]->(e) "
    "WITH e, count(DISTINCT v) AS mentions, "
    "count(DISTINCT CASE WHEN m.stance = 'good-practice' THEN v END) AS good "
)
_EXAMPLES_ALL = _EXAMPLES_COUNT + "SET e.mention_count = mentions, e.good_practice_count = good"
_TALLY_COUNT = (
    "MATCH (a:`Aktør`)-[:AUTHORED]->(:Stemme)-[r:{edge}]->(c:{label}) "
    "WITH a, c, count(DISTINCT r.statement) AS statements, count(DISTINCT r.doc_id) AS documents "
)
_TALLY_ALL = _TALLY_COUNT + (
    "CREATE (a)-[t:TALLY]->(c) SET t.statements = statements, t.documents = documents"
)
_CO_TALLY_COUNT = (
    "MATCH (a:`Aktør`)-[:AUTHORED]->(v:Stemme)-[:RAISES]->(c:Utfordring) "
    "WITH DISTINCT a, v, c "
    "MATCH (v)-[p:PROPOSES]->(m:Tiltak) "
    "WITH c, m, count(DISTINCT a) AS actors, collect(DISTINCT [p.statement, p.doc_id]) AS prs "
    "UNWIND prs AS pr "
    "WITH c, m, actors, pr[0] AS sid, pr[1] AS doc "
    "MATCH (u:Utsagn {id: sid}) "
    "WITH c, m, actors, count(u) AS statements, count(DISTINCT doc) AS documents, "
    "collect(CASE WHEN u.`when` IS NULL THEN NULL ELSE doc + '|' + u.`when` END) AS whens, "
    "collect(CASE WHEN size(coalesce(u.responsible, [])) = 0 THEN NULL "
    "ELSE [r IN u.responsible | doc + '|' + r] END) AS rss "
    "WITH c, m, actors, statements, documents, whens, "
    "reduce(acc = [], rs IN rss | acc + rs) AS responsible "
)
_CO_TALLY_ALL = _CO_TALLY_COUNT + (
    "CREATE (c)-[t:CO_TALLY]->(m) "
    "SET t.actors = actors, t.statements = statements, t.documents = documents, "
    "t.responsible = responsible, t.whens = whens"
)


def recount_statements() -> list[Statement]:
    """Statements that set every kept count from a full count of the graph."""
    out: list[Statement] = []
    for label, edge in CONCEPT_EDGES.items():
        out.append(
            (
                f"MATCH (c:{label}) "
                f"OPTIONAL MATCH (a)-[:AUTHORED]->(:Stemme)-[r:{edge}]->(c) "
                "WITH c, count(DISTINCT a) AS actors, count(DISTINCT r.statement) AS statements, "
                "count(DISTINCT r.doc_id) AS documents "
                "SET c.actor_count = actors, c.statement_count = statements, "
                "c.document_count = documents",
                {},
            )
        )
    out.append(
        (
            "MATCH (a:`Aktør`) "
            "OPTIONAL MATCH (a)-[:AUTHORED]->(v:Stemme) "
            "OPTIONAL MATCH (v)-[:STATES]->(u:Utsagn) "
            "WITH a, count(DISTINCT v.doc_id) AS docs, count(u) AS statements "
            "OPTIONAL MATCH (d:Dokument)-[:MENTIONS]->(a) "
            "WITH a, docs, statements, count(DISTINCT d) AS named "
            "SET a.authored_documents = docs, a.statement_count = statements, a.named_in = named",
            {},
        )
    )
    out.append((_DOCUMENTS.replace("WHERE d.id IN $docs ", ""), {}))
    out.append((_EXAMPLES_ALL, {}))
    out.append(("MATCH ()-[t:TALLY]->() DELETE t", {}))
    out.append(("MATCH ()-[t:CO_TALLY]->() DELETE t", {}))
    for label, edge in CONCEPT_EDGES.items():
        out.append((_TALLY_ALL.format(label=label, edge=edge), {}))
    out.append((_CO_TALLY_ALL, {}))
    out.append(
        (
            f"MERGE (m:Meta {{id: '{_MARKER}'}}) SET m.version = $version, m.pending = 0",
            {"version": VERSION},
        )
    )
    return out


def recount(store: GraphStore) -> None:
    """Set every kept count from a full count (one unit of writes)."""
    store.write(recount_statements())


def ensure(store: GraphStore) -> bool:
    """Recount a store whose counts were kept by another version (or never), or whose last
    count update was cut off; True if done."""
    rows = store.query(
        f"MATCH (m:Meta {{id: '{_MARKER}'}}) RETURN m.version AS version, m.pending AS pending",
        timeout_ms=0,
    )
    if rows and rows[0].get("version") == VERSION and not rows[0].get("pending"):
        return False
    recount(store)
    return True


def expected(store: GraphStore) -> dict[str, dict[str, Any]]:
    """What the kept counts should be, counted afresh from the graph (read-only):
    ``{node id: {property: value}}`` for every node that has kept counts."""
    out: dict[str, dict[str, Any]] = {}
    for label, edge in CONCEPT_EDGES.items():
        for r in store.query(
            f"MATCH (c:{label}) OPTIONAL MATCH (a)-[:AUTHORED]->(:Stemme)-[r:{edge}]->(c) "
            "RETURN c.id AS id, count(DISTINCT a) AS actors, "
            "count(DISTINCT r.statement) AS statements, count(DISTINCT r.doc_id) AS documents",
            timeout_ms=0,
            row_cap=0,
        ):
            out[r["id"]] = {
                "actor_count": r["actors"],
                "statement_count": r["statements"],
                "document_count": r["documents"],
            }
    for r in store.query(
        "MATCH (a:`Aktør`) OPTIONAL MATCH (a)-[:AUTHORED]->(v:Stemme) "
        "OPTIONAL MATCH (v)-[:STATES]->(u:Utsagn) "
        "WITH a, count(DISTINCT v.doc_id) AS docs, count(u) AS statements "
        "OPTIONAL MATCH (d:Dokument)-[:MENTIONS]->(a) "
        "RETURN a.id AS id, docs, statements, count(DISTINCT d) AS named",
        timeout_ms=0,
        row_cap=0,
    ):
        out[r["id"]] = {
            "authored_documents": r["docs"],
            "statement_count": r["statements"],
            "named_in": r["named"],
        }
    for r in store.query(
        "MATCH (d:Dokument) OPTIONAL MATCH (d)-[:HAS_VOICE]->(v:Stemme) "
        "OPTIONAL MATCH (v)-[:STATES]->(u:Utsagn) "
        "RETURN d.id AS id, count(DISTINCT v) AS voices, count(DISTINCT u) AS statements",
        timeout_ms=0,
        row_cap=0,
    ):
        out[r["id"]] = {"voice_count": r["voices"], "statement_count": r["statements"]}
    for r in store.query(
        _EXAMPLES_COUNT + "RETURN e.id AS id, mentions, good", timeout_ms=0, row_cap=0
    ):
        out[r["id"]] = {"mention_count": r["mentions"], "good_practice_count": r["good"]}
    for label, edge in CONCEPT_EDGES.items():
        for r in store.query(
            _TALLY_COUNT.format(label=label, edge=edge)
            + "RETURN a.id AS a, c.id AS c, statements, documents",
            timeout_ms=0,
            row_cap=0,
        ):
            out[f"TALLY {r['a']} {r['c']}"] = {
                "statements": r["statements"],
                "documents": r["documents"],
            }
    for r in store.query(
        _CO_TALLY_COUNT
        + "RETURN c.id AS c, m.id AS m, actors, statements, documents, responsible, whens",
        timeout_ms=0,
        row_cap=0,
    ):
        out[f"CO_TALLY {r['c']} {r['m']}"] = {
            "actors": r["actors"],
            "statements": r["statements"],
            "documents": r["documents"],
            "responsible": sorted(r["responsible"]),
            "whens": sorted(r["whens"]),
        }
    return out


def kept(store: GraphStore) -> dict[str, dict[str, Any]]:
    """The kept counts as stored (absent = 0), in the shape of :func:`expected`."""
    out: dict[str, dict[str, Any]] = {}
    for label, props in KEPT.items():
        cols = ", ".join(f"coalesce(n.{p}, 0) AS {p}" for p in props)
        for r in store.query(
            f"MATCH (n:`{label}`) RETURN n.id AS id, {cols}", timeout_ms=0, row_cap=0
        ):
            out[r["id"]] = {p: r[p] for p in props}
    for rel, props in KEPT_RELS.items():
        cols = ", ".join(f"coalesce(t.{p}, {'[]' if p in _LISTS else 0}) AS {p}" for p in props)
        for r in store.query(
            f"MATCH (x)-[t:{rel}]->(y) RETURN x.id AS x, y.id AS y, {cols}",
            timeout_ms=0,
            row_cap=0,
        ):
            out[f"{rel} {r['x']} {r['y']}"] = {
                # As stored: a count kept as a float (FalkorDB's sum) shows as one.
                p: sorted(r[p]) if p in _LISTS else r[p]
                for p in props
            }
    return out

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
* on ``:Dokument``: ``voice_count`` and ``statement_count``.

A distinct actor count cannot be kept by adding and subtracting per document alone: an actor
raising a concept in two documents counts once. ``before`` therefore subtracts an
(actor, concept) pair only where no voice outside ``docs`` makes the actor raise the concept,
and ``after`` adds it back on the same condition; pairs that hold outside ``docs`` are
untouched by the write and keep their one count.

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
}
_MARKER = "counts"
#: Version of the definitions above; a store with another version is recounted on open.
VERSION = 3


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


def _share(sign: str) -> list[Statement]:
    out: list[Statement] = []
    for label, edge in CONCEPT_EDGES.items():
        out += _concept_share(label, edge, sign)
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


def expected(store: GraphStore) -> dict[str, dict[str, int]]:
    """What the kept counts should be, counted afresh from the graph (read-only):
    ``{node id: {property: value}}`` for every node that has kept counts."""
    out: dict[str, dict[str, int]] = {}
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
    return out


def kept(store: GraphStore) -> dict[str, dict[str, int]]:
    """The kept counts as stored (absent = 0), in the shape of :func:`expected`."""
    out: dict[str, dict[str, int]] = {}
    for label, props in KEPT.items():
        cols = ", ".join(f"coalesce(n.{p}, 0) AS {p}" for p in props)
        for r in store.query(
            f"MATCH (n:`{label}`) RETURN n.id AS id, {cols}", timeout_ms=0, row_cap=0
        ):
            out[r["id"]] = {p: int(r[p]) for p in props}
    return out

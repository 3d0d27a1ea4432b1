"""Write one extraction (one document) into the graph, replacing what it wrote before.

The work for one document is a list of statements run as one unit (one transaction in Neo4j,
one query in FalkorDB): first everything the document contributed earlier is deleted
(its voices, statements, relationships marked with its ``doc_id``, and nodes only it needed),
then everything is MERGEd by id in ``UNWIND $rows`` batches. Running it twice gives the
same graph.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from helsegraf import __version__
from helsegraf.graph import counts, ids
from helsegraf.graph.reference import _clean, unwind
from helsegraf.graph.store import ACTOR_LABELS, label
from helsegraf.graph.values import UnwritableValue

if TYPE_CHECKING:
    from helsegraf.graph.store import GraphStore
    from helsegraf.ingest.models import Extraction

log = logging.getLogger(__name__)

AKTOR = label("Aktør")
Statement = tuple[str, dict[str, Any]]


@lru_cache(maxsize=1)
def _registry() -> Any:
    try:
        from helsegraf.ontology.registry import load_registry

        return load_registry()
    except ImportError:  # pragma: no cover - the registry is part of the package
        return None


class ActorResolver:
    """Give actor names of one document their graph ids (registry first, then the document)."""

    def __init__(self, x: Extraction) -> None:
        self.year = int(x.date[:4]) if x.date and x.date[:4].isdigit() else None
        self.rows: dict[str, dict[str, Any]] = {}
        self.by_name: dict[str, str] = {}
        for a in x.actors:
            aid = self.resolve(a.name, a.type, a.kommunenummer, given=a.id)
            if aid:
                self.by_name[a.name.casefold()] = aid

    def resolve(
        self,
        name: str,
        actor_type: str | None = None,
        kommunenummer: str | None = None,
        given: str | None = None,
    ) -> str | None:
        """Return the actor id for ``name``; registers a document-only actor if needed."""
        key = name.casefold()
        if not given and key in self.by_name:
            return self.by_name[key]
        reg = _registry()
        ref = None
        if reg is not None and not given:
            try:
                ref = reg.resolve(name, self.year)
            except Exception:  # a registry bug must not stop loading a document
                log.exception("registry could not resolve %r", name)
        if given:
            aid = given
        elif ref is not None:
            aid = reg.actor_id(ref)
            actor_type = ref.type
            kommunenummer = ref.kommunenummer or kommunenummer
            name = ref.name
        elif actor_type:
            aid = ids.fallback_actor_id(name, actor_type, kommunenummer)
        else:
            return None
        if actor_type in ACTOR_LABELS and aid not in self.rows:
            # ON CREATE semantics: registry actors keep their registry properties (see below).
            self.rows[aid] = {
                "id": aid,
                "type": actor_type,
                "props": _clean({"name": name, "type": actor_type, "kommunenummer": kommunenummer}),
            }
        self.by_name[key] = aid
        return aid


def _ranked_rows(x: Extraction) -> tuple[str, list[tuple[int, str, list[dict[str, Any]]]]]:
    """The document id and the writes of extraction ``x``: (rank, ``UNWIND $rows AS row`` body,
    rows), in the order they must run (by rank; the actor bodies, one per type, share a rank and
    run in the order of their text). A body with no rows is left out.
    """
    doc_id = ids.document_id(x.document, x.sha256, x.id)
    actors = ActorResolver(x)
    assigned_by = x.extractor or f"helsegraf {__version__}"

    voices = []
    authored = []
    for v in x.voices:
        vid = ids.voice_id(doc_id, v.id)
        voices.append(
            {
                "id": vid,
                "props": _clean(
                    {
                        "voice": v.id,
                        "note": v.note,
                        "line_from": v.lines[0],
                        "line_to": v.lines[1],
                        "doc_id": doc_id,
                    }
                ),
            }
        )
        for author in v.authors:
            aid = actors.resolve(author)
            if aid is None:
                # An author that is neither in the registry nor in the actor list.
                aid = actors.resolve(author, "Organisasjon")
            authored.append({"actor": aid, "voice": vid, "doc": doc_id})
    voice_ids = {v.id: ids.voice_id(doc_id, v.id) for v in x.voices}

    def statements_of(kind: str, items: list[Any]) -> list[dict[str, Any]]:
        rows = []
        for s in items:
            vid = voice_ids.get(s.voice) or ids.voice_id(doc_id, s.voice)
            sid = s.id or ids.statement_id(doc_id, kind, s.voice, s.concept, s.quote, s.start)
            if not sid.startswith("utsagn/"):
                sid = f"utsagn/{sid}"
            rows.append(
                {
                    "id": sid,
                    "voice": vid,
                    "concept": s.concept,
                    "props": _clean(
                        {
                            "kind": kind,
                            "concept": s.concept,
                            "quote": s.quote,
                            "quote_cut": s.quote_cut or None,  # kept only where true
                            "line": s.line,
                            "start": s.start,
                            "end": s.end,
                            "page": s.page,
                            "doc_id": doc_id,
                            "voice_id": vid,
                            "label": s.label,
                            "responsible": list(s.responsible or []),
                            "when": s.when,
                            "theme": s.theme,
                            "assigned_by": assigned_by,
                            "coded_by": s.assigned_by or "rules",
                            "confidence": s.confidence,
                            "status": "machine",
                        }
                    ),
                }
            )
        return rows

    challenges = statements_of("challenge", x.challenges)
    measures = statements_of("measure", x.measures)

    examples = []
    mentions = []
    involves = []
    for_group = []
    located = []
    for e in x.examples:
        eid = e.id if e.id and e.id.startswith("eksempel/") else ids.example_id(e.name)
        examples.append(
            {
                "id": eid,
                "name": e.name,
                "aliases": sorted(set(e.aliases)),
                "props": _clean({"description": e.description}),
            }
        )
        mentions.append(
            {
                "voice": voice_ids.get(e.voice) or ids.voice_id(doc_id, e.voice),
                "example": eid,
                "props": _clean(
                    {
                        "stance": e.stance,
                        "quote": e.quote,
                        "quote_cut": e.quote_cut or None,
                        "line": e.line,
                        "start": e.start,
                        "end": e.end,
                        "page": e.page,
                        "doc_id": doc_id,
                    }
                ),
            }
        )
        for name in e.actors:
            aid = actors.resolve(name)
            if aid:
                involves.append({"src": eid, "dst": aid, "doc": doc_id})
        for group in e.patient_groups:
            for_group.append({"src": eid, "dst": group, "doc": doc_id})
        if e.place:
            located.append(
                {"src": eid, "dst": ids.place_id(e.place), "name": e.place, "doc": doc_id}
            )
    mentioned_actors = sorted({aid for aid in actors.by_name.values()})

    doc_props = _clean(
        {
            "name": x.document,
            "title": x.title,
            "date": x.date,
            "kind": x.kind,
            "language": x.language,
            "format": x.format,
            "pages": x.pages,
            "sha256": x.sha256,
            "extractor": x.extractor,
            "fingerprint": fingerprint(x),
            "source": x.source,
        }
    )

    st: list[tuple[int, str, list[dict[str, Any]]]] = [
        (
            0,
            "MERGE (d:Dokument {id: row.id}) SET d += row.props",
            [{"id": doc_id, "props": doc_props}],
        ),
    ]
    st.append(
        (
            1,
            "MATCH (d:Dokument {id: row.doc}) MERGE (v:Stemme {id: row.id}) SET v += row.props "
            "MERGE (d)-[:HAS_VOICE]->(v)",
            [{**v, "doc": doc_id} for v in voices],
        )
    )
    # Actors the registry load did not create: ON CREATE only, so registry names stay.
    by_type: dict[str, list[dict[str, Any]]] = {}
    for row in actors.rows.values():
        by_type.setdefault(row["type"], []).append(row)
    for actor_type, rows in sorted(by_type.items()):
        st.append(
            (
                2,
                f"MERGE (a:{AKTOR} {{id: row.id}}) "
                f"ON CREATE SET a += row.props, a.source = 'document' SET a:{actor_type}",
                rows,
            )
        )
    st.append(
        (
            3,
            f"MATCH (a:{AKTOR} {{id: row.actor}}) MATCH (v:Stemme {{id: row.voice}}) "
            "MERGE (a)-[r:AUTHORED]->(v) SET r.doc_id = row.doc",
            authored,
        )
    )
    st.append(
        (
            4,
            f"MATCH (d:Dokument {{id: row.doc}}) MATCH (a:{AKTOR} {{id: row.actor}}) "
            "MERGE (d)-[r:MENTIONS]->(a) SET r.doc_id = row.doc",
            [{"doc": doc_id, "actor": a} for a in mentioned_actors],
        )
    )
    for concept_label, edge, rows in (
        ("Utfordring", "RAISES", challenges),
        ("Tiltak", "PROPOSES", measures),
    ):
        st.append(
            (
                5 if edge == "RAISES" else 6,
                f"MATCH (v:Stemme {{id: row.voice}}) "
                f"MERGE (c:{concept_label} {{id: row.concept}}) "
                f"ON CREATE SET c.source = 'document', c.scheme = '{concept_label.lower()}' "
                "MERGE (u:Utsagn {id: row.id}) SET u += row.props "
                "MERGE (v)-[:STATES]->(u) MERGE (u)-[:CODED_AS]->(c) "
                f"MERGE (v)-[r:{edge} {{statement: row.id}}]->(c) "
                "SET r.quote = row.props.quote, r.doc_id = row.props.doc_id",
                rows,
            )
        )
    st.append(
        (
            7,
            "MERGE (e:Eksempel {id: row.id}) "
            "ON CREATE SET e.name = row.name, e.aliases = row.aliases "
            "SET e += row.props "
            "SET e.aliases = e.aliases + [x IN row.aliases WHERE NOT x IN e.aliases]",
            examples,
        )
    )
    st.append(
        (
            8,
            "MATCH (v:Stemme {id: row.voice}) MATCH (e:Eksempel {id: row.example}) "
            "MERGE (v)-[r:MENTIONS]->(e) SET r += row.props",
            mentions,
        )
    )
    st.append(
        (
            9,
            f"MATCH (e:Eksempel {{id: row.src}}) MATCH (a:{AKTOR} {{id: row.dst}}) "
            "MERGE (e)-[r:INVOLVES {doc_id: row.doc}]->(a)",
            involves,
        )
    )
    st.append(
        (
            10,
            "MATCH (e:Eksempel {id: row.src}) "
            "MERGE (g:Pasientgruppe {id: row.dst}) ON CREATE SET g.source = 'document' "
            "MERGE (e)-[r:FOR_GROUP {doc_id: row.doc}]->(g)",
            for_group,
        )
    )
    st.append(
        (
            11,
            "MATCH (e:Eksempel {id: row.src}) "
            "MERGE (s:Sted {id: row.dst}) ON CREATE SET s.name = row.name "
            "MERGE (e)-[r:LOCATED_IN {doc_id: row.doc}]->(s)",
            located,
        )
    )
    return doc_id, [(rank, body, rows) for rank, body, rows in st if rows]


def document_rows(x: Extraction) -> tuple[str, list[tuple[str, list[dict[str, Any]]]]]:
    """The document id and the writes of extraction ``x``: (``UNWIND $rows AS row`` body, rows),
    in the order they must run."""
    doc_id, writes = _ranked_rows(x)
    return doc_id, [(body, rows) for _, body, rows in writes]


def document_statements(x: Extraction, batch_size: int) -> tuple[str, list[Statement]]:
    """The document id and the MERGE statements that write extraction ``x``."""
    doc_id, writes = document_rows(x)
    return doc_id, [s for body, rows in writes for s in unwind(body, rows, batch_size)]


def _previous(store: GraphStore, name: str, doc_id: str) -> dict[str, list[str]]:
    """Ids of earlier versions of a document and of the shared nodes they touched."""
    rows = store.query(
        "MATCH (d:Dokument) WHERE d.name = $name OR d.id = $id RETURN d.id AS id",
        {"name": name, "id": doc_id},
        timeout_ms=0,
    )
    old = [r["id"] for r in rows]
    touched: dict[str, list[str]] = {"docs": old, "examples": [], "places": [], "actors": []}
    if not old:
        return touched
    rows = store.query(
        "MATCH (v:Stemme)-[:MENTIONS]->(e:Eksempel) WHERE v.doc_id IN $old "
        "OPTIONAL MATCH (e)-[:LOCATED_IN]->(s:Sted) "
        "RETURN collect(DISTINCT e.id) AS examples, collect(DISTINCT s.id) AS places",
        {"old": old},
        timeout_ms=0,
    )
    if rows:
        touched["examples"] = list(rows[0]["examples"] or [])
        touched["places"] = list(rows[0]["places"] or [])
    rows = store.query(
        f"MATCH (d:Dokument)-[:MENTIONS]->(a:{AKTOR}) WHERE d.id IN $old AND a.source = 'document' "
        "RETURN collect(DISTINCT a.id) AS actors",
        {"old": old},
        timeout_ms=0,
    )
    if rows:
        touched["actors"] = list(rows[0]["actors"] or [])
    return touched


def _delete_statements(touched: dict[str, list[str]]) -> list[Statement]:
    """Statements that remove what earlier versions of a document wrote."""
    old = touched["docs"]
    if not old:
        return []
    p = {"old": old}
    return [
        (
            "MATCH (v:Stemme)-[:MENTIONS]->(e:Eksempel)-[r]->() "
            "WHERE v.doc_id IN $old AND r.doc_id IN $old DELETE r",
            p,
        ),
        ("MATCH (u:Utsagn) WHERE u.doc_id IN $old DETACH DELETE u", p),
        ("MATCH (v:Stemme) WHERE v.doc_id IN $old DETACH DELETE v", p),
        ("MATCH (d:Dokument) WHERE d.id IN $old DETACH DELETE d", p),
    ]


def _orphan_statements(touched: dict[str, list[str]]) -> list[Statement]:
    """Statements that remove shared nodes no document needs any more (run after the MERGEs)."""
    out: list[Statement] = []
    if touched["examples"]:
        out.append(
            (
                "MATCH (e:Eksempel) WHERE e.id IN $ids AND NOT (e)<-[:MENTIONS]-() DETACH DELETE e",
                {"ids": touched["examples"]},
            )
        )
    if touched["places"]:
        out.append(
            (
                "MATCH (s:Sted) WHERE s.id IN $ids AND NOT (s)<-[:LOCATED_IN]-() DETACH DELETE s",
                {"ids": touched["places"]},
            )
        )
    if touched["actors"]:
        out.append(
            (
                f"MATCH (a:{AKTOR}) WHERE a.id IN $ids AND a.source = 'document' "
                "AND NOT (a)--() DETACH DELETE a",
                {"ids": touched["actors"]},
            )
        )
    return out


def fingerprint(x: Extraction) -> str:
    """A hash of everything extraction ``x`` says: the same file extracted the same way gives
    the same fingerprint, so a re-ingest can tell an unchanged document (kept on its node)."""
    return hashlib.sha256(x.model_dump_json().encode("utf-8")).hexdigest()[:32]


def unchanged(store: GraphStore, xs: Sequence[Extraction]) -> set[str]:
    """Names of the documents in ``xs`` the store already holds exactly as extracted."""
    if not xs:
        return set()
    rows = store.query(
        "MATCH (d:Dokument) WHERE d.name IN $names RETURN d.name AS name, d.fingerprint AS f",
        {"names": [x.document for x in xs]},
        timeout_ms=0,
        row_cap=0,
    )
    stored = {r["name"]: r["f"] for r in rows}
    return {x.document for x in xs if stored.get(x.document) == fingerprint(x)}


def load_extraction(store: GraphStore, x: Extraction) -> str:
    """Write ``x`` into ``store`` as one unit, replacing that document's earlier version.

    Returns the document id.
    """
    return load_extractions(store, [x], 1)[0]


Writes = list[tuple[int, str, list[dict[str, Any]]]]
_ACTOR_BODY = f"MERGE (a:{AKTOR} "
#: Documents written per unit by :func:`load_extractions` (and so per fsync of the embedded
#: store's append-only file).
DOCUMENTS_PER_UNIT = 16


def load_extractions(
    store: GraphStore, xs: list[Extraction], per_unit: int | None = None
) -> list[str]:
    """Write several extractions, up to ``per_unit`` documents per unit (one transaction in
    Neo4j, one query in FalkorDB); return their document ids in order.

    The graph is the one :func:`load_extraction` gives document by document: the documents of
    a unit are distinct (a name or id seen again starts a new unit), each statement runs the
    rows of all of them in document order, and a unit ends before a document that writes to a
    shared node (example, place, actor) an earlier document of the unit may delete as no longer
    needed, or that has review corrections (such a document is loaded in a unit of its own and
    its corrections laid over it). A unit is written whole or not at all.
    """
    per_unit = max(1, per_unit or DOCUMENTS_PER_UNIT)
    prepared = [(x, *_prepared(x)) for x in xs]
    if not prepared:
        return []
    corrected_ids, corrected_names = _corrected(store)
    found = store.query(
        "MATCH (d:Dokument) WHERE d.name IN $names OR d.id IN $ids "
        "RETURN d.id AS id, d.name AS name",
        {"names": [x.document for x, _, _ in prepared], "ids": [d for _, d, _ in prepared]},
        timeout_ms=0,
        row_cap=0,
    )
    existing = {r["id"] for r in found} | {r["name"] for r in found}
    out: list[str] = []
    unit: list[tuple[Extraction, str, Writes, dict[str, list[str]]]] = []
    keys: set[str] = set()  # names and ids of the unit's documents
    replaced: set[str] = set()  # shared nodes the unit may delete as orphans
    written: set[str] = set()  # shared nodes the unit writes to

    def flush() -> None:
        if unit:
            _write_unit(store, unit, corrected_ids | corrected_names)
            out.extend(doc_id for _, doc_id, _, _ in unit)
            unit.clear()
            keys.clear()
            replaced.clear()
            written.clear()

    for x, doc_id, writes in prepared:
        again = x.document in keys or doc_id in keys
        alone = doc_id in corrected_ids or x.document in corrected_names
        nodes = _node_ids(writes)
        if again or alone or len(unit) >= per_unit or (replaced & nodes):
            flush()
        if again or x.document in existing or doc_id in existing:
            touched = _previous(store, x.document, doc_id)
        else:
            touched = {"docs": [], "examples": [], "places": [], "actors": []}
        deletable = {*touched["examples"], *touched["places"], *touched["actors"]}
        if deletable & written:
            flush()  # kept as one by one would: its orphan check after the others' writes
        unit.append((x, doc_id, writes, touched))
        keys.update((x.document, doc_id))
        replaced.update(deletable)
        written.update(nodes)
        if alone:
            flush()
    flush()
    return out


def _prepared(x: Extraction) -> tuple[str, Writes]:
    """``_ranked_rows`` of ``x``; a text that is not valid Unicode (a lone surrogate, which
    neither the ids nor the engines can encode) refuses the document before anything is written."""
    try:
        return _ranked_rows(x)
    except UnicodeEncodeError as exc:
        raise UnwritableValue(
            f"document {x.document!r} holds a lone surrogate (not valid Unicode): {exc.reason}"
        ) from None


def _corrected(store: GraphStore) -> tuple[set[str], set[str]]:
    """Ids and names of the documents that have review corrections."""
    from helsegraf.review.records import CorrectionLog

    log_ = CorrectionLog.for_settings(store.settings)
    if not log_.path.exists():
        return set(), set()
    ids_: set[str] = set()
    names: set[str] = set()
    for c in log_:
        if c.doc_id:
            ids_.add(c.doc_id)
        if c.document:
            names.add(c.document)
    return ids_, names


def _node_ids(writes: Writes) -> set[str]:
    """Ids of the shared nodes (examples, places, actors) a document's rows write to."""
    found: set[str] = set()
    for _, _, rows in writes:
        for row in rows:
            for key in ("id", "actor", "example", "src", "dst"):
                value = row.get(key)
                if isinstance(value, str):
                    found.add(value)
    return found


def _write_unit(
    store: GraphStore,
    unit: list[tuple[Extraction, str, Writes, dict[str, list[str]]]],
    corrected: set[str] | frozenset[str] = frozenset(),
) -> None:
    """Write the documents of one unit: removal of their earlier versions, every body with the
    rows of all of them in document order, removal of orphans; then their review corrections.

    A document with corrections (its id or name in ``corrected``) is written without its
    fingerprint, which it gets once its corrections are laid over it: a crash in between
    leaves it looking changed, so the next ingest writes it again with its corrections
    instead of keeping it bare as unchanged."""
    touched: dict[str, list[str]] = {"docs": [], "examples": [], "places": [], "actors": []}
    bodies: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for _, _, writes, t in unit:
        for key, values in t.items():
            touched[key] += [v for v in values if v not in touched[key]]
        for rank, body, rows in writes:
            bodies.setdefault((rank, body), []).extend(rows)
    if len(unit) > 1:
        # A new actor takes the properties of the first document that names it (ON CREATE),
        # whichever type's statement runs first.
        first: dict[str, dict[str, Any]] = {}
        for _, _, writes, _ in unit:
            for _, body, rows in writes:
                if body.startswith(_ACTOR_BODY):
                    for row in rows:
                        first.setdefault(row["id"], row["props"])
        for (rank, body), rows in bodies.items():
            if body.startswith(_ACTOR_BODY):
                bodies[(rank, body)] = [{**row, "props": first[row["id"]]} for row in rows]
    size = store.settings.batch_size
    merges = [s for key in sorted(bodies) for s in unwind(key[1], bodies[key], size)]
    scope = [*touched["docs"], *(doc_id for _, doc_id, _, _ in unit)]
    pending = [(x, doc_id) for x, doc_id, _, _ in unit if {x.document, doc_id} & corrected]
    unmarked = [
        ("MATCH (d:Dokument {id: $id}) SET d.fingerprint = null", {"id": doc_id})
        for _, doc_id in pending
    ]
    counts.write(
        store,
        scope,
        [*_delete_statements(touched), *merges, *_orphan_statements(touched), *unmarked],
    )
    # Reviewers' corrections (kept outside the graph) are laid over the new machine output.
    from helsegraf.review import overlay

    for x, doc_id, _, _ in unit:
        overlay.apply_document(store, doc_id, x.document)
    if pending:
        store.write(
            [
                (
                    "MATCH (d:Dokument {id: $id}) SET d.fingerprint = $f",
                    {"id": doc_id, "f": fingerprint(x)},
                )
                for x, doc_id in pending
            ]
        )


def delete_document(store: GraphStore, name_or_id: str) -> int:
    """Remove a document (by file name or id) and what only it contributed; return how many."""
    touched = _previous(store, name_or_id, name_or_id)
    counts.write(
        store, touched["docs"], [*_delete_statements(touched), *_orphan_statements(touched)]
    )
    return len(touched["docs"])

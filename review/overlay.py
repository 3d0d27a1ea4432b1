"""Apply corrections to the graph: after review, and again after every (re-)ingest.

The machine's output is loaded first (``GraphStore.load_extraction``, which replaces the
document's statements); :func:`apply_document` then lays the document's corrections on top:

* confirm / reject / edit find their statement by id, else by kind + offsets (+ concept),
  else by quote + concept; a re-extraction that no longer finds a confirmed or edited coding
  gets it back as a reviewer coding (the reviewer said it is there).
* add creates the reviewer's coding anchored by document + quote + offsets.

A rejected statement keeps its ``:Utsagn`` (status ``rejected``, for the audit) but loses its
``RAISES``/``PROPOSES`` shortcut, so actor-level queries no longer count it.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from helsegraf.core.config import Settings
from helsegraf.core.errors import HelsegrafError
from helsegraf.graph import counts, ids
from helsegraf.graph.errors import StoreUnavailable
from helsegraf.review.records import (
    Correction,
    CorrectionLog,
    added_statement_id,
    current,
)

_log = logging.getLogger(__name__)

_EDGE = {"challenge": "RAISES", "measure": "PROPOSES"}
_LABEL = {"utfordring": "Utfordring", "tiltak": "Tiltak"}


class ReviewError(HelsegrafError):
    """A review request that cannot be carried out (bad concept, unknown statement ...)."""

    status_code = 400


class NotFoundError(ReviewError):
    status_code = 404


def kind_of_concept(concept: str) -> str:
    """``challenge`` for ``utfordring/…``, ``measure`` for ``tiltak/…``."""
    scheme = concept.partition("/")[0]
    if scheme == "utfordring":
        return "challenge"
    if scheme == "tiltak":
        return "measure"
    raise ReviewError(f"'{concept}' is not a challenge (utfordring/…) or measure (tiltak/…)")


# --------------------------------------------------------------------------- reading


def document(store: Any, key: str) -> dict[str, Any]:
    """The ``:Dokument`` by id (with or without ``dokument/``) or file name."""
    full = key if key.startswith("dokument/") or "." in key else f"dokument/{key}"
    rows = store.query(
        "MATCH (d:Dokument) WHERE d.id = $k OR d.name = $raw "
        "RETURN d.id AS id, d.name AS name, d.sha256 AS sha256, d.title AS title, "
        "d.kind AS kind, d.date AS date",
        {"k": full, "raw": key},
        timeout_ms=0,
    )
    if not rows:
        raise NotFoundError(f"no document {key!r}")
    return dict(rows[0])


def voices(store: Any, doc_id: str) -> list[dict[str, Any]]:
    """The document's voices with their authors, in order."""
    rows = store.query(
        "MATCH (v:Stemme) WHERE v.doc_id = $doc "
        "OPTIONAL MATCH (a)-[:AUTHORED]->(v) "
        "RETURN v.id AS id, v.voice AS voice, v.line_from AS line_from, v.line_to AS line_to, "
        "collect(a.name) AS authors ORDER BY v.line_from",
        {"doc": doc_id},
        timeout_ms=0,
        row_cap=0,
    )
    return [dict(r) for r in rows]


_STATEMENT_COLUMNS = (
    "u.id AS id, u.kind AS kind, u.concept AS concept, u.quote AS quote, u.line AS line, "
    "u.start AS start, u.`end` AS `end`, u.page AS page, u.status AS status, "
    "u.assigned_by AS assigned_by, u.coded_by AS coded_by, u.confidence AS confidence, "
    "u.label AS label, u.doc_id AS doc_id, v.voice AS voice, v.id AS voice_id"
)


def statements(store: Any, doc_id: str) -> list[dict[str, Any]]:
    """Every statement of a document (all statuses), in reading order."""
    rows = store.query(
        f"MATCH (v:Stemme)-[:STATES]->(u:Utsagn) WHERE u.doc_id = $doc RETURN {_STATEMENT_COLUMNS} "
        "ORDER BY coalesce(u.start, 0), u.kind, u.concept",
        {"doc": doc_id},
        timeout_ms=0,
        row_cap=0,
    )
    return [dict(r) for r in rows]


def statement(store: Any, statement_id: str) -> dict[str, Any]:
    """One statement by id (``utsagn/…`` or the part after the slash)."""
    sid = statement_id if statement_id.startswith("utsagn/") else f"utsagn/{statement_id}"
    rows = store.query(
        f"MATCH (v:Stemme)-[:STATES]->(u:Utsagn {{id: $id}}) "
        f"MATCH (d:Dokument {{id: u.doc_id}}) RETURN {_STATEMENT_COLUMNS}, d.name AS document",
        {"id": sid},
        timeout_ms=0,
    )
    if not rows:
        raise NotFoundError(f"no statement {statement_id!r}")
    return dict(rows[0])


# --------------------------------------------------------------------------- writing


def _concept_statement(concept: str) -> tuple[str, dict[str, Any]]:
    label = _LABEL.get(concept.partition("/")[0])
    if label is None:
        raise ReviewError(f"'{concept}' is not a challenge or measure concept")
    return (
        f"MERGE (c:{label} {{id: $concept}}) "
        f"ON CREATE SET c.source = 'review', c.scheme = '{concept.partition('/')[0]}'",
        {"concept": concept},
    )


def _wire(sid: str, kind: str, concept: str, voice_id: str, doc_id: str, quote: str) -> list:
    """Statements that (re)connect a statement to its voice and concept."""
    label = _LABEL[concept.partition("/")[0]]
    edge = _EDGE[kind]
    p = {"id": sid, "concept": concept, "voice": voice_id, "doc": doc_id, "quote": quote}
    return [
        ("MATCH (u:Utsagn {id: $id})-[r:CODED_AS]->() DELETE r", p),
        ("MATCH ()-[r:RAISES {statement: $id}]->() DELETE r", p),
        ("MATCH ()-[r:PROPOSES {statement: $id}]->() DELETE r", p),
        ("MATCH ()-[r:STATES]->(u:Utsagn {id: $id}) DELETE r", p),
        _concept_statement(concept),
        (
            f"MATCH (u:Utsagn {{id: $id}}), (v:Stemme {{id: $voice}}), (c:{label} {{id: $concept}}) "
            "MERGE (v)-[:STATES]->(u) MERGE (u)-[:CODED_AS]->(c) "
            f"MERGE (v)-[r:{edge} {{statement: $id}}]->(c) SET r.quote = $quote, r.doc_id = $doc",
            p,
        ),
    ]


def _example(sid: str, voice_id: str, doc_id: str, name: str, c: Correction) -> list:
    p = {
        "id": sid,
        "eid": ids.example_id(name),
        "name": name,
        "voice": voice_id,
        "doc": doc_id,
        "quote": c.quote,
        "by": c.reviewer,
    }
    return [
        ("MERGE (e:Eksempel {id: $eid}) ON CREATE SET e.name = $name, e.source = 'review'", p),
        (
            "MATCH (v:Stemme {id: $voice}), (e:Eksempel {id: $eid}) MERGE (v)-[r:MENTIONS]->(e) "
            "SET r.doc_id = $doc, r.quote = coalesce(r.quote, $quote), "
            "r.stance = coalesce(r.stance, 'mentioned'), r.statement = $id, r.assigned_by = $by",
            p,
        ),
    ]


def _stamp(sid: str, c: Correction, extra: dict[str, Any]) -> tuple:
    # Only what the RDF export maps: status (hg:reviewStatus), assigned_by
    # (prov:wasAttributedTo), coded_by (hg:codedBy), reviewed_at (dcterms:modified). The rest
    # stays in the record.
    props = {
        "status": c.status,
        "assigned_by": c.reviewer,
        "coded_by": "reviewer",
        "reviewed_at": c.time,
        **extra,
    }
    props = {k: v for k, v in props.items() if v is not None}
    return ("MATCH (u:Utsagn {id: $id}) SET u += $props", {"id": sid, "props": props})


def _find(c: Correction, rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The statement a correction is about, among the document's current statements."""
    by_id = {r["id"]: r for r in rows}
    if c.statement and c.statement in by_id:
        return by_id[c.statement]
    machine_concept = c.previous_concept if c.action == "edit" else c.concept
    same_span = [
        r for r in rows if r["kind"] == c.kind and r["start"] == c.start and r["end"] == c.end
    ]
    for r in same_span:
        if r["concept"] == machine_concept:
            return r
    if c.action == "add":
        return None
    same_quote = [r for r in rows if r["quote"] == c.quote and r["concept"] == machine_concept]
    if len(same_quote) == 1:
        return same_quote[0]
    return None


def _voice_for(c: Correction, doc_id: str, vs: list[dict[str, Any]]) -> str:
    if c.voice and any(v["voice"] == c.voice for v in vs):
        return ids.voice_id(doc_id, c.voice)
    for v in vs:
        if c.line is not None and (v["line_from"] or 0) <= c.line <= (v["line_to"] or 0):
            return str(v["id"])
    if not vs:
        raise ReviewError("the document has no voices")
    return str(vs[0]["id"])


def apply_one(
    store: Any,
    c: Correction,
    doc_id: str,
    rows: list[dict[str, Any]] | None = None,
    vs: list[dict[str, Any]] | None = None,
) -> str | None:
    """Apply one correction to a loaded document; return the statement id it now applies to
    (None for a reject whose statement the machine no longer outputs)."""
    ops, sid = plan_one(store, c, doc_id, rows, vs)
    write_planned(store, doc_id, ops)
    return sid


def write_planned(store: Any, doc_id: str, ops: list[tuple[str, dict[str, Any]]]) -> None:
    """Write what :func:`plan_one` planned for a document, keeping the counts the list
    queries read (graph/counts.py)."""
    if ops:
        counts.write(store, [doc_id], ops)


def plan_one(
    store: Any,
    c: Correction,
    doc_id: str,
    rows: list[dict[str, Any]] | None = None,
    vs: list[dict[str, Any]] | None = None,
) -> tuple[list[tuple[str, dict[str, Any]]], str | None]:
    """The writes that apply one correction (one unit), and the statement id it then applies
    to; nothing is written. Raises :class:`ReviewError` if it cannot be applied, including a
    value the graph cannot take."""
    from helsegraf.graph.values import UnwritableValue, check_params

    ops, sid = _plan(store, c, doc_id, rows, vs)
    try:
        for _, params in ops:
            check_params(params)
    except UnwritableValue as exc:
        raise ReviewError(f"cannot apply the correction: {exc}") from None
    return ops, sid


def _plan(
    store: Any,
    c: Correction,
    doc_id: str,
    rows: list[dict[str, Any]] | None,
    vs: list[dict[str, Any]] | None,
) -> tuple[list[tuple[str, dict[str, Any]]], str | None]:
    rows = statements(store, doc_id) if rows is None else rows
    vs = voices(store, doc_id) if vs is None else vs
    target = _find(c, rows)
    ops: list = []
    if target is None:
        if c.action == "reject":
            return [], None
        # The reviewer asserted this coding: it stays even if the machine no longer finds it.
        if c.concept is None or c.start is None or c.end is None:
            return [], None
        kind = kind_of_concept(c.concept)
        voice_id = _voice_for(c, doc_id, vs)
        sid = (
            c.statement
            if c.action == "add" and c.statement
            else added_statement_id(doc_id, kind, voice_id, c.concept, c.start, c.end)
        )
        props = {
            "kind": kind,
            "concept": c.concept,
            "quote": c.quote,
            "line": c.line,
            "start": c.start,
            "end": c.end,
            "page": c.page,
            "doc_id": doc_id,
            "voice_id": voice_id,
        }
        ops.append(
            (
                "MERGE (u:Utsagn {id: $id}) SET u += $props",
                {"id": sid, "props": {k: v for k, v in props.items() if v is not None}},
            )
        )
        ops += _wire(sid, kind, c.concept, voice_id, doc_id, c.quote)
        ops.append(_stamp(sid, c, {}))
        if c.example:
            ops += _example(sid, voice_id, doc_id, c.example, c)
        return ops, sid

    sid = str(target["id"])
    voice_id = str(target["voice_id"])
    if c.action == "reject":
        ops += [
            ("MATCH ()-[r:RAISES {statement: $id}]->() DELETE r", {"id": sid}),
            ("MATCH ()-[r:PROPOSES {statement: $id}]->() DELETE r", {"id": sid}),
            _stamp(sid, c, {}),
        ]
    elif c.action in ("edit", "add"):
        concept = c.concept or str(target["concept"])
        kind = kind_of_concept(concept)
        if c.voice:
            voice_id = _voice_for(c, doc_id, vs)
        extra = {"concept": concept, "kind": kind, "voice_id": voice_id}
        ops += _wire(sid, kind, concept, voice_id, doc_id, str(target["quote"]))
        ops.append(_stamp(sid, c, extra))
    else:  # confirm
        ops.append(_stamp(sid, c, {}))
    if c.example:
        ops += _example(sid, voice_id, doc_id, c.example, c)
    return ops, sid


def apply_document(
    store: Any, doc_id: str, name: str | None = None, settings: Settings | None = None
) -> Counter[str]:
    """Lay every current correction of one document over its freshly loaded statements.

    Returns how many corrections of each action were applied (``missing`` counts rejects
    whose statement the machine no longer outputs; ``skipped`` those that cannot be applied,
    each reported as a warning in the log).
    """
    settings = settings or getattr(store, "settings", None)
    log = CorrectionLog.for_settings(settings)
    records = current(log.for_document(doc_id, name))
    done: Counter[str] = Counter()
    if not records:
        return done
    vs = voices(store, doc_id)
    text: str | None = None
    if any(c.doc_id != doc_id for c in records):
        from helsegraf.review import texts

        rows = store.query("MATCH (d:Dokument {id: $id}) RETURN d.sha256 AS sha", {"id": doc_id})
        text = texts.text_of(rows[0]["sha"] if rows else None, settings)
    for c in records:
        rows = statements(store, doc_id)
        if c.doc_id != doc_id:
            # The file changed: the same passage may now be somewhere else.
            c = _reanchor(c.model_copy(update={"doc_id": doc_id}), text)
        try:
            sid = apply_one(store, c, doc_id, rows, vs)
        except StoreUnavailable:
            raise
        except (HelsegrafError, KeyError, ValueError, TypeError) as exc:
            # One correction that cannot be applied must not keep the document out of the
            # graph: it is reported, the others are applied.
            _log.warning("%s: correction %s skipped: %s", name or doc_id, c.id, exc)
            done["skipped"] += 1
            continue
        done[c.action if sid else "missing"] += 1
    return done


def _reanchor(c: Correction, text: str | None) -> Correction:
    """Move a correction's offsets to the occurrence of its quote nearest the old place."""
    if not text or not c.quote or c.start is None:
        return c
    if text[c.start : c.start + len(c.quote)] == c.quote:
        return c
    hits, i = [], text.find(c.quote)
    while i >= 0:
        hits.append(i)
        i = text.find(c.quote, i + 1)
    if not hits:
        return c
    start = min(hits, key=lambda h: abs(h - (c.start or 0)))
    return c.model_copy(
        update={
            "start": start,
            "end": start + len(c.quote),
            "line": text.count("\n", 0, start) + 1,
            "statement": None if c.action != "add" else c.statement,
        }
    )


def after_load(store: Any, x: Any) -> None:
    """Hook for the graph loader: re-apply the document's corrections after it is (re)loaded."""
    doc_id = ids.document_id(x.document, x.sha256, x.id)
    apply_document(store, doc_id, x.document)


def status_counts(store: Any) -> dict[str, int]:
    """Statements per review status in the whole graph."""
    rows = store.query(
        "MATCH (u:Utsagn) RETURN coalesce(u.status, 'machine') AS status, count(u) AS n",
        timeout_ms=0,
        row_cap=0,
    )
    out = {"machine": 0, "confirmed": 0, "rejected": 0, "edited": 0}
    for r in rows:
        out[str(r["status"])] = int(r["n"])
    return out

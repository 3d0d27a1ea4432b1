"""Reference data in the graph: the codebook and the actor registries.

Loaded once: a marker node ``(:Meta {id: "reference"})`` stores a hash of what was loaded, and
:func:`load_reference` does nothing while the hash is unchanged.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from helsegraf import __version__
from helsegraf.graph.store import ACTOR_LABELS, label

if TYPE_CHECKING:
    from helsegraf.graph.store import GraphStore

log = logging.getLogger(__name__)

#: Bump when the way reference data is written changes (forces a reload).
REFERENCE_FORMAT = "2"

SCHEME_LABELS = {
    "tema": "Tema",
    "pasientgruppe": "Pasientgruppe",
    "utfordring": "Utfordring",
    "tiltak": "Tiltak",
}


def _clean(props: dict[str, Any]) -> dict[str, Any]:
    """Drop ``None`` and empty values (neither engine stores null properties)."""
    return {k: v for k, v in props.items() if v is not None and v != [] and v != ""}


def batches(rows: list[Any], size: int) -> Iterator[list[Any]]:
    """Split ``rows`` into lists of at most ``size``."""
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def unwind(cypher: str, rows: list[dict[str, Any]], size: int) -> list[tuple[str, dict[str, Any]]]:
    """``UNWIND $rows AS row <cypher>`` statements, one per batch of ``size`` rows."""
    return [(f"UNWIND $rows AS row {cypher}", {"rows": b}) for b in batches(rows, size)]


def merge_actors(rows: Iterable[dict[str, Any]], size: int) -> list[tuple[str, dict[str, Any]]]:
    """Statements that MERGE ``:Aktør`` nodes (rows: ``id``, ``type``, ``props``).

    The type label cannot be a parameter, so rows are grouped per type and the label
    (one of :data:`ACTOR_LABELS`) is written into the text.
    """
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["type"] not in ACTOR_LABELS:
            raise ValueError(f"unknown actor type {row['type']!r}")
        by_type[row["type"]].append(row)
    out: list[tuple[str, dict[str, Any]]] = []
    for actor_type, group in sorted(by_type.items()):
        out += unwind(
            f"MERGE (a:{label('Aktør')} {{id: row.id}}) SET a:{actor_type} SET a += row.props",
            group,
            size,
        )
    return out


def merge_edges(
    rel: str, src_label: str, dst_label: str, pairs: Iterable[tuple[str, str]], size: int
) -> list[tuple[str, dict[str, Any]]]:
    """Statements that MERGE ``(src)-[:rel]->(dst)`` for (src id, dst id) pairs."""
    rows = [{"src": s, "dst": d} for s, d in sorted(set(pairs))]
    return unwind(
        f"MATCH (s:{label(src_label)} {{id: row.src}}) MATCH (d:{label(dst_label)} {{id: row.dst}}) "
        f"MERGE (s)-[:{rel}]->(d)",
        rows,
        size,
    )


# --------------------------------------------------------------------------- codebook


def codebook_statements(size: int) -> tuple[list[tuple[str, dict[str, Any]]], Any]:
    """Statements that write the codebook, and a JSON-able summary of it (for the hash)."""
    from helsegraf.ontology.codebook import load_codebook

    cb = load_codebook()
    nodes: dict[str, list[dict[str, Any]]] = defaultdict(list)
    in_theme: list[tuple[str, str, str]] = []
    addresses: list[tuple[str, str]] = []
    summary = []
    for c in sorted(cb.concepts.values(), key=lambda c: c.id):
        lab = SCHEME_LABELS.get(c.scheme)
        if lab is None:
            continue
        props = _clean({"label": c.label, "scheme": c.scheme, "note": c.note, "source": "codebook"})
        nodes[lab].append({"id": c.id, "props": props})
        in_theme += [(lab, c.id, t) for t in c.themes]
        addresses += [(c.id, a) for a in c.addresses]
        summary.append([c.id, c.label, c.scheme, sorted(c.themes), sorted(c.addresses), c.note])
    stmts: list[tuple[str, dict[str, Any]]] = []
    for lab, rows in sorted(nodes.items()):
        stmts += unwind(f"MERGE (c:{lab} {{id: row.id}}) SET c += row.props", rows, size)
    for lab in ("Utfordring", "Tiltak"):
        stmts += merge_edges(
            "IN_THEME", lab, "Tema", [(s, t) for lb, s, t in in_theme if lb == lab], size
        )
    stmts += merge_edges("ADDRESSES", "Tiltak", "Utfordring", addresses, size)
    return stmts, summary


# --------------------------------------------------------------------------- registries


def registry_statements(size: int) -> tuple[list[tuple[str, dict[str, Any]]], Any]:
    """Statements that write the registries' actors and their links, and a summary."""
    from helsegraf.ontology.registry import load_registry

    reg = load_registry()
    actors: list[dict[str, Any]] = []
    summary: list[Any] = []

    def add(rec: Any, actor_type: str, **props: Any) -> None:
        row = {
            "id": rec.id,
            "type": actor_type,
            "props": _clean({"name": rec.name, "type": actor_type, "source": "registry", **props}),
        }
        actors.append(row)
        summary.append(rec.model_dump(mode="json"))

    for f in reg.fylker:
        add(f, "Fylke", fylkesnummer=f.fylkesnummer, valid_from=f.valid_from, valid_to=f.valid_to)
    for k in reg.kommuner:
        add(
            k,
            "Kommune",
            kommunenummer=k.kommunenummer,
            fylkesnummer=k.fylkesnummer,
            valid_from=k.valid_from,
            valid_to=k.valid_to,
        )
    for h in reg.helseforetak:
        add(h, h.type, orgnr=h.orgnr, kind=h.kind, key=h.key)
    for s in reg.sykehus:
        add(s, "Sykehus")
    for hf in reg.helsefellesskap:
        add(hf, "Helsefellesskap", key=hf.key)
    for o in reg.organisations:
        add(o, o.type)

    known = {a["id"] for a in actors}
    kommune_by_nr = {k.kommunenummer: k.id for k in reg.kommuner}
    in_fylke = [(k.id, k.fylke_id) for k in reg.kommuner if k.fylke_id in known]
    succeeded = [
        (k.id, s) for k in reg.kommuner for s in k.successor_ids if s in known and s != k.id
    ]
    succeeded += [
        (f.id, s) for f in reg.fylker for s in f.successor_ids if s in known and s != f.id
    ]
    member_of = [(k.id, h) for k in reg.kommuner for h in k.helsefellesskap if h in known]
    for hf in reg.helsefellesskap:
        member_of += [(m, hf.id) for m in (*hf.kommuner, *hf.helseforetak) if m in known]
    for o in reg.organisations:
        for nr in o.kommuner:
            kid = kommune_by_nr.get(nr, nr)
            if kid in known:
                member_of.append((kid, o.id))
    part_of = [
        (h.id, h.rhf_id)
        for h in reg.helseforetak
        if h.rhf_id is not None and h.rhf_id in known and h.rhf_id != h.id
    ]
    part_of += [(s.id, s.hf_id) for s in reg.sykehus if s.hf_id is not None and s.hf_id in known]

    stmts = merge_actors(actors, size)
    aktor = "Aktør"
    stmts += merge_edges("IN_FYLKE", aktor, aktor, in_fylke, size)
    stmts += merge_edges("SUCCEEDED_BY", aktor, aktor, succeeded, size)
    stmts += merge_edges("MEMBER_OF", aktor, aktor, member_of, size)
    stmts += merge_edges("PART_OF", aktor, aktor, part_of, size)
    return stmts, summary


# --------------------------------------------------------------------------- entry point


def load_reference(store: GraphStore, *, force: bool = False) -> bool:
    """Write codebook and registries unless the stored version is current; True if written."""
    size = store.settings.batch_size
    parts: list[tuple[str, dict[str, Any]]] = []
    summaries: dict[str, Any] = {"format": REFERENCE_FORMAT}
    try:
        stmts, summaries["codebook"] = codebook_statements(size)
        parts += stmts
    except ImportError as exc:  # pragma: no cover - the codebook module is part of the package
        log.warning("codebook not available: %s", exc)
    try:
        stmts, summaries["registry"] = registry_statements(size)
        parts += stmts
    except ImportError as exc:  # pragma: no cover
        log.warning("registry not available: %s", exc)
    version = hashlib.sha256(
        json.dumps(summaries, sort_keys=True, default=str).encode("utf-8")
    ).hexdigest()[:16]
    if not force:
        rows = store.query(
            "MATCH (m:Meta {id: 'reference'}) RETURN m.version AS version", timeout_ms=0
        )
        if rows and rows[0].get("version") == version:
            return False
    parts.append(
        (
            "MERGE (m:Meta {id: 'reference'}) SET m.version = $version, m.loaded_by = $by",
            {"version": version, "by": f"helsegraf {__version__}"},
        )
    )
    store.write(parts)
    return True

"""The reviewed coding of each document as extraction JSON (the gold format).

What the graph holds after review (machine codings not rejected, edited and added ones), so
``helsegraf agreement`` can compare it with the machine's output or another reviewer's.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from helsegraf.core.errors import HelsegrafError
from helsegraf.review import overlay


def reviewed_document(store: Any, doc: dict[str, Any], *, reviewed_only: bool = False) -> dict:
    """One document's coding after review, in the gold format (with ids and offsets)."""
    vs = overlay.voices(store, doc["id"])
    actors = store.query(
        "MATCH (d:Dokument {id: $id})-[:MENTIONS]->(a) RETURN a.name AS name, a.type AS type, "
        "a.kommunenummer AS kommunenummer ORDER BY a.name",
        {"id": doc["id"]},
        timeout_ms=0,
        row_cap=0,
    )
    examples = store.query(
        "MATCH (v:Stemme)-[r:MENTIONS]->(e:Eksempel) WHERE v.doc_id = $id "
        "RETURN e.name AS name, e.aliases AS aliases, v.voice AS voice, r.stance AS stance, "
        "r.quote AS quote ORDER BY e.name",
        {"id": doc["id"]},
        timeout_ms=0,
        row_cap=0,
    )
    out: dict[str, Any] = {
        "document": doc["name"],
        "title": doc.get("title"),
        "date": doc.get("date"),
        "kind": doc.get("kind") or "annet",
        "voices": [
            {
                "id": v["voice"],
                "authors": sorted(a for a in v["authors"] or [] if a),
                "lines": [v["line_from"] or 0, v["line_to"] or 0],
            }
            for v in vs
        ],
        "actors": [{k: v for k, v in dict(a).items() if v is not None} for a in actors],
        "challenges": [],
        "measures": [],
        "examples": [
            {
                "name": e["name"],
                "aliases": list(e["aliases"] or []),
                "voice": e["voice"],
                "stance": e["stance"] or "mentioned",
                "quote": e["quote"] or "",
            }
            for e in examples
        ],
        "id": doc["id"],
        "sha256": doc.get("sha256"),
    }
    for r in overlay.statements(store, doc["id"]):
        status = r.get("status") or "machine"
        if status == "rejected" or (reviewed_only and status == "machine"):
            continue
        key = "challenges" if r["kind"] == "challenge" else "measures"
        out[key].append(
            {
                "voice": r["voice"],
                "concept": r["concept"],
                "quote": r["quote"],
                "id": r["id"],
                "line": r["line"],
                "start": r["start"],
                "end": r["end"],
                "page": r["page"],
                "assigned_by": r["assigned_by"],
                "status": status,
            }
        )
    return out


def write_reviewed(store: Any, folder: Path) -> int:
    """Write ``<folder>/<document name>.json`` for every document; return how many."""
    rows = store.query(
        "MATCH (d:Dokument) RETURN d.id AS id, d.name AS name, d.title AS title, d.date AS date, "
        "d.kind AS kind, d.sha256 AS sha256 ORDER BY d.name",
        timeout_ms=0,
        row_cap=0,
    )
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for r in rows:
            data = reviewed_document(store, dict(r))
            (folder / f"{r['name']}.json").write_text(
                json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
    except OSError as exc:
        raise HelsegrafError(f"cannot write: {exc.strerror or exc}", str(folder)) from exc
    return len(rows)

"""Review operations shared by the API and the command line: record, then apply."""

from __future__ import annotations

from typing import Any, Literal

from helsegraf.core.config import Settings
from helsegraf.graph import ids
from helsegraf.ontology.codebook import load_codebook
from helsegraf.review import overlay, texts
from helsegraf.review.overlay import NotFoundError, ReviewError
from helsegraf.review.records import (
    Correction,
    CorrectionLog,
    added_statement_id,
)


def check_concept(concept: str) -> str:
    """The full codebook id of a challenge or measure concept (400 if unknown)."""
    cb = load_codebook()
    c = cb.get(concept)
    if c is None or c.scheme not in ("utfordring", "tiltak"):
        raise ReviewError(f"'{concept}' is not a challenge or measure in the codebook")
    return c.id


def check_text(field: str, value: str | None) -> None:
    """Refuse text no reviewer types and the graph cannot hold: control characters (NUL
    included; tab and line breaks are fine) and lone surrogates (not valid Unicode)."""
    if not value:
        return
    for ch in value:
        if ch in "\t\n\r":
            continue
        code = ord(ch)
        if code < 0x20 or 0x7F <= code < 0xA0:
            raise ReviewError(f"'{field}' holds a control character (U+{code:04X})")
        if 0xD800 <= code < 0xE000:
            raise ReviewError(f"'{field}' is not valid Unicode (a lone surrogate)")


def check_reviewer(reviewer: str | None) -> str:
    check_text("reviewer", reviewer)
    name = (reviewer or "").strip()
    if not name:
        raise ReviewError("say who reviews: 'reviewer' in the body or an X-Reviewer header")
    if name.lower().startswith("helsegraf"):
        raise ReviewError("'helsegraf …' names the machine, not a reviewer")
    return name[:200]


def review_statement(
    store: Any,
    settings: Settings,
    statement_id: str,
    action: Literal["confirm", "reject", "edit"],
    reviewer: str | None,
    *,
    concepts: list[str] | None = None,
    voice: str | None = None,
    example: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """Confirm, reject or edit one statement; return it as it now is.

    ``concepts``: for edit, the new concept first; any further concepts are added as extra
    reviewer codings of the same passage.
    """
    who = check_reviewer(reviewer)
    for field, value in (("voice", voice), ("example", example), ("note", note)):
        check_text(field, value)
    row = overlay.statement(store, statement_id)
    doc = overlay.document(store, row["doc_id"])
    new = [check_concept(c) for c in concepts or []]
    if action == "edit" and not (new or voice or example):
        raise ReviewError("an edit changes 'concepts', 'voice' or 'example'")
    if voice and voice not in {v["voice"] for v in overlay.voices(store, doc["id"])}:
        raise ReviewError(f"the document has no voice {voice!r}")
    log = CorrectionLog.for_settings(settings)
    base = {
        "reviewer": who,
        "statement": row["id"],
        "doc_id": doc["id"],
        "document": doc["name"],
        "kind": row["kind"],
        "quote": row["quote"],
        "start": row["start"],
        "end": row["end"],
        "line": row["line"],
        "page": row["page"],
        "note": note,
    }
    if action == "edit":
        c = Correction(
            **base,
            action="edit",
            concept=new[0] if new else row["concept"],
            previous_concept=row.get("previous_concept") or row["concept"],
            voice=voice or row["voice"],
            example=example,
        )
    else:
        c = Correction(**base, action=action, concept=row["concept"], voice=row["voice"])
    # Validate first (the whole unit of writes is planned and checked), then record, then apply.
    ops, sid = overlay.plan_one(store, log.stamp(c), doc["id"])
    log.append(c)
    overlay.write_planned(store, doc["id"], ops)
    sid = sid or row["id"]
    for extra in new[1:]:
        add_coding(
            store,
            settings,
            doc["id"],
            extra,
            row["quote"],
            reviewer=who,
            start=row["start"],
            end=row["end"],
            voice=voice or row["voice"],
        )
    return decorate([overlay.statement(store, sid)], settings)[0]


def add_coding(
    store: Any,
    settings: Settings,
    document: str,
    concept: str,
    quote: str,
    *,
    reviewer: str | None,
    start: int | None = None,
    end: int | None = None,
    voice: str | None = None,
    example: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """Add a coding the machine missed, anchored on a quote that must occur in the document."""
    who = check_reviewer(reviewer)
    for field, value in (("quote", quote), ("voice", voice), ("example", example), ("note", note)):
        check_text(field, value)
    concept = check_concept(concept)
    doc = overlay.document(store, document)
    if not quote or not quote.strip():
        raise ReviewError("the quote is empty")
    text = texts.text_of(doc.get("sha256"), settings)
    if text is None:
        raise NotFoundError(
            f"the text of {doc['name']} is not kept for review; run `helsegraf review texts <file>`"
        )
    if start is not None:
        end = start + len(quote) if end is None else end
        if text[start:end] != quote:
            raise ReviewError("the quote is not at these offsets in the document")
    else:
        start = text.find(quote)
        if start < 0:
            raise ReviewError("the quote does not occur in the document")
        end = start + len(quote)
    line = text.count("\n", 0, start) + 1
    vs = overlay.voices(store, doc["id"])
    if voice and voice not in {v["voice"] for v in vs}:
        raise ReviewError(f"the document has no voice {voice!r}")
    kind = overlay.kind_of_concept(concept)
    probe = Correction(
        reviewer=who,
        action="add",
        doc_id=doc["id"],
        document=doc["name"],
        kind=kind,  # type: ignore[arg-type]
        concept=concept,
        voice=voice,
        quote=quote,
        start=start,
        end=end,
        line=line,
        example=example,
        note=note,
    )
    voice_id = overlay._voice_for(probe, doc["id"], vs)
    probe.voice = voice_id.rsplit("/", 1)[-1]
    probe.statement = added_statement_id(doc["id"], kind, voice_id, concept, start, end)
    log = CorrectionLog.for_settings(settings)
    ops, sid = overlay.plan_one(store, log.stamp(probe), doc["id"], vs=vs)
    log.append(probe)
    overlay.write_planned(store, doc["id"], ops)
    return decorate([overlay.statement(store, sid or probe.statement)], settings)[0]


def review_document(store: Any, settings: Settings, key: str) -> dict[str, Any]:
    """A document for the review page: text, voices, codings, and the concepts to pick from."""
    doc = overlay.document(store, key)
    text = texts.text_of(doc.get("sha256"), settings)
    cb = load_codebook()
    concepts = [
        {"id": c.id, "label": c.label, "scheme": c.scheme, "colour": concept_colour(c.id)}
        for c in (*cb.challenges(), *cb.measures())
    ]
    rows = decorate(overlay.statements(store, doc["id"]), settings)
    for r in rows:
        r["colour"] = concept_colour(str(r["concept"]))
        concept = cb.get(str(r["concept"]))
        r["concept_label"] = concept.label if concept else r["concept"]
    return {
        "document": doc,
        "text": text,
        "voices": overlay.voices(store, doc["id"]),
        "codings": rows,
        "concepts": concepts,
    }


def concept_colour(concept_id: str) -> str:
    """A stable colour per concept (#rrggbb): challenges warm, measures cool."""
    import colorsys

    h = int(ids.content_id(concept_id, length=8), 16)
    base = 0.0 if concept_id.startswith("utfordring/") else 0.45
    hue = (base + (h % 1000) / 1000 * 0.4) % 1.0
    r, g, b = colorsys.hls_to_rgb(hue, 0.78, 0.75)
    return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"


def decorate(rows: list[dict[str, Any]], settings: Settings) -> list[dict[str, Any]]:
    """Add ``previous_concept`` and ``example`` from the correction record to statement rows."""
    from helsegraf.review.records import current

    latest = {c.statement: c for c in current(CorrectionLog.for_settings(settings)) if c.statement}
    for r in rows:
        c = latest.get(str(r.get("id")))
        r["previous_concept"] = c.previous_concept if c else None
        r["example"] = c.example if c else None
    return rows

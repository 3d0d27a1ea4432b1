"""Export the codebook and the codings for qualitative-analysis tools.

* ``.qdc``: the codebook in the REFI-QDA Codebook Exchange format (namespace
  ``urn:QDA-XML:codebook:1.0``): challenges and measures as codes under two parent codes, themes
  as sets.
* ``.qdpx``: a REFI-QDA project (a zip with ``project.qde``, namespace
  ``urn:QDA-XML:project:1.0``, and the documents' plain text under ``sources/``): users (the
  extractor and each reviewer), the codebook, one text source per document with a selection
  and a coding per reviewed coding (confirmed and edited; machine codings too on request).
* CSV: every coding with document, voice, authors, concept, quote, offsets, page,
  ``assigned_by`` and ``status``.

Both XML files validate against the REFI-QDA schemas in ``review/schemas/``. GUIDs are
derived from helsegraf's ids (UUID v5), so exporting twice gives the same GUIDs.
"""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lxml import etree

from helsegraf import __version__
from helsegraf.core.config import Settings
from helsegraf.core.errors import HelsegrafError
from helsegraf.ontology.codebook import Codebook, load_codebook
from helsegraf.review import texts
from helsegraf.review.service import concept_colour

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
ORIGIN = f"helsegraf {__version__}"
REVIEWED = ("confirmed", "edited")

CSV_COLUMNS = (
    "document",
    "document_id",
    "title",
    "voice",
    "authors",
    "statement",
    "kind",
    "concept",
    "concept_label",
    "quote",
    "start",
    "end",
    "line",
    "page",
    "assigned_by",
    "status",
    "previous_concept",
)

_PARENTS = {"utfordring": "Utfordringer", "tiltak": "Tiltak"}


def guid(key: str) -> str:
    """A stable GUID for a helsegraf id."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "https://w3id.org/helsegraf/id/" + key))


# --------------------------------------------------------------------------- reading the store

CODINGS_QUERY = (
    "MATCH (d:Dokument)-[:HAS_VOICE]->(v:Stemme)-[:STATES]->(u:Utsagn) "
    "OPTIONAL MATCH (a)-[:AUTHORED]->(v) "
    "WITH d, v, u, collect(a.name) AS authors "
    "RETURN d.name AS document, d.id AS document_id, d.title AS title, d.sha256 AS sha256, "
    "v.voice AS voice, authors, u.id AS statement, u.kind AS kind, u.concept AS concept, "
    "u.quote AS quote, u.start AS start, u.`end` AS `end`, u.line AS line, u.page AS page, "
    "u.assigned_by AS assigned_by, coalesce(u.status, 'machine') AS status, "
    "u.previous_concept AS previous_concept "
    "ORDER BY document, coalesce(u.start, 0), concept"
)


def codings(store: Any, *, statuses: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Every coding in the store (optionally only some statuses), in document order."""
    cb = load_codebook()
    rows = [dict(r) for r in store.query(CODINGS_QUERY, timeout_ms=0, row_cap=0)]
    wanted = set(statuses) if statuses else None
    out = []
    for r in rows:
        if wanted is not None and r["status"] not in wanted:
            continue
        c = cb.get(str(r["concept"]))
        r["concept_label"] = c.label if c else r["concept"]
        r["authors"] = sorted(a for a in r["authors"] or [] if a)
        out.append(r)
    return out


def codings_csv(rows: list[dict[str, Any]]) -> str:
    """The codings as CSV text (header first; authors joined with '; ')."""
    buf = io.StringIO()
    w = csv.DictWriter(
        buf, fieldnames=list(CSV_COLUMNS), extrasaction="ignore", lineterminator="\n"
    )
    w.writeheader()
    for r in rows:
        w.writerow({**r, "authors": "; ".join(r.get("authors") or [])})
    return buf.getvalue()


# --------------------------------------------------------------------------- codebook


def _code(parent: etree._Element, ns: str, c: Any) -> etree._Element:
    code = etree.SubElement(
        parent,
        f"{{{ns}}}Code",
        guid=guid(c.id),
        name=c.label,
        isCodable="true",
        color=concept_colour(c.id).upper(),
    )
    desc = [f"{c.id}"]
    if c.note:
        desc.append(c.note)
    if c.phrasings:
        desc.append("Formuleringer: " + "; ".join(c.phrasings))
    etree.SubElement(code, f"{{{ns}}}Description").text = "\n".join(desc)
    return code


def _codes(parent: etree._Element, ns: str, cb: Codebook, extra: Iterable[str] = ()) -> None:
    codes = etree.SubElement(parent, f"{{{ns}}}Codes")
    known = set(cb.concepts)
    for scheme, title in _PARENTS.items():
        top = etree.SubElement(
            codes,
            f"{{{ns}}}Code",
            guid=guid(f"kodebok/{scheme}"),
            name=title,
            isCodable="false",
        )
        for c in cb.scheme(scheme):
            _code(top, ns, c)
        # Concepts that documents or reviewers used but the codebook lacks.
        for cid in sorted(x for x in extra if x not in known and x.startswith(scheme + "/")):
            code = etree.SubElement(
                top, f"{{{ns}}}Code", guid=guid(cid), name=cid, isCodable="true"
            )
            etree.SubElement(code, f"{{{ns}}}Description").text = f"{cid} (ikke i kodeboken)"


def codebook_qdc(cb: Codebook | None = None) -> bytes:
    """The codebook as a REFI-QDA ``.qdc`` document."""
    cb = cb or load_codebook()
    ns = CODEBOOK_NS
    root = etree.Element(f"{{{ns}}}CodeBook", nsmap={None: ns}, origin=ORIGIN)
    _codes(root, ns, cb)
    sets = etree.SubElement(root, f"{{{ns}}}Sets")
    for theme in cb.themes():
        members = [c for c in cb.by_theme(theme.id) if c.scheme in _PARENTS]
        if not members:
            continue
        s = etree.SubElement(sets, f"{{{ns}}}Set", guid=guid(theme.id), name=theme.label)
        etree.SubElement(s, f"{{{ns}}}Description").text = theme.id
        for c in members:
            etree.SubElement(s, f"{{{ns}}}MemberCode", guid=guid(c.id))
    if not len(sets):
        root.remove(sets)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


# --------------------------------------------------------------------------- project


def project_qdpx(
    store: Any,
    out: Path,
    settings: Settings | None = None,
    *,
    include_machine: bool = False,
) -> dict[str, int]:
    """Write a REFI-QDA ``.qdpx`` project of the store's reviewed codings to ``out``.

    Returns counts: ``sources``, ``codings``, ``skipped_documents`` (no kept text).
    """
    cb = load_codebook()
    statuses = (*REVIEWED, "machine") if include_machine else REVIEWED
    rows = codings(store, statuses=statuses)
    docs = [
        dict(r)
        for r in store.query(
            "MATCH (d:Dokument) RETURN d.id AS id, d.name AS name, d.title AS title, "
            "d.sha256 AS sha256 ORDER BY d.name",
            timeout_ms=0,
            row_cap=0,
        )
    ]
    ns = PROJECT_NS
    now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    root = etree.Element(
        f"{{{ns}}}Project",
        nsmap={None: ns},
        name="helsegraf",
        origin=ORIGIN,
        creationDateTime=now,
    )
    users = sorted({str(r["assigned_by"] or ORIGIN) for r in rows} | {ORIGIN})
    users_el = etree.SubElement(root, f"{{{ns}}}Users")
    for u in users:
        etree.SubElement(users_el, f"{{{ns}}}User", guid=guid("bruker/" + u), name=u)
    codebook_el = etree.SubElement(root, f"{{{ns}}}CodeBook")
    _codes(codebook_el, ns, cb, extra={str(r["concept"]) for r in rows})
    sources = etree.SubElement(root, f"{{{ns}}}Sources")
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_doc.setdefault(str(r["document_id"]), []).append(r)
    counts = {"sources": 0, "codings": 0, "skipped_documents": 0}
    files: dict[str, str] = {}
    for d in docs:
        text = texts.text_of(d.get("sha256"), settings)
        if text is None:
            counts["skipped_documents"] += 1
            continue
        sguid = guid(str(d["id"]))
        files[f"sources/{sguid}.txt"] = text
        src = etree.SubElement(
            sources,
            f"{{{ns}}}TextSource",
            guid=sguid,
            name=str(d["name"]),
            plainTextPath=f"internal://{sguid}.txt",
            creatingUser=guid("bruker/" + ORIGIN),
        )
        if d.get("title"):
            etree.SubElement(src, f"{{{ns}}}Description").text = str(d["title"])
        counts["sources"] += 1
        for r in by_doc.get(str(d["id"]), []):
            if r["start"] is None or r["end"] is None:
                continue
            user = guid("bruker/" + str(r["assigned_by"] or ORIGIN))
            sel = etree.SubElement(
                src,
                f"{{{ns}}}PlainTextSelection",
                guid=guid(str(r["statement"])),
                name=str(r["quote"])[:80],
                startPosition=str(r["start"]),
                endPosition=str(r["end"]),
                creatingUser=user,
            )
            etree.SubElement(sel, f"{{{ns}}}Description").text = (
                f"{r['statement']} · {r['status']} · {r['assigned_by']} · stemme {r['voice']}"
                + (f" ({'; '.join(r['authors'])})" if r["authors"] else "")
            )
            coding = etree.SubElement(
                sel,
                f"{{{ns}}}Coding",
                guid=guid(f"{r['statement']}#{r['concept']}"),
                creatingUser=user,
            )
            etree.SubElement(coding, f"{{{ns}}}CodeRef", targetGUID=guid(str(r["concept"])))
            counts["codings"] += 1
    if not len(sources):
        root.remove(sources)
    sets = etree.SubElement(root, f"{{{ns}}}Sets")
    for theme in cb.themes():
        members = [c for c in cb.by_theme(theme.id) if c.scheme in _PARENTS]
        if members:
            s = etree.SubElement(sets, f"{{{ns}}}Set", guid=guid(theme.id), name=theme.label)
            for c in members:
                etree.SubElement(s, f"{{{ns}}}MemberCode", targetGUID=guid(c.id))
    if not len(sets):
        root.remove(sets)
    qde = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    out = Path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("project.qde", qde)
            for name, text in files.items():
                z.writestr(name, text.encode("utf-8"))
    except OSError as exc:
        raise HelsegrafError(f"cannot write: {exc.strerror or exc}", str(out)) from exc
    return counts


# --------------------------------------------------------------------------- validation


def validate(xml: bytes, kind: str) -> list[str]:
    """Validate ``.qde`` (``kind="project"``) or ``.qdc`` (``"codebook"``) XML against the
    REFI-QDA schema; return the errors (empty when valid)."""
    xsd = SCHEMA_DIR / ("Project.xsd" if kind == "project" else "Codebook.xsd")
    schema = etree.XMLSchema(etree.parse(str(xsd)))
    doc = etree.fromstring(xml)
    if schema.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]

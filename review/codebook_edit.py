"""Researchers' edits to the codebook Turtle: add a phrasing or a concept.

Edits are appended to the file as Turtle statements (the generated part above stays as it is,
so the diff shows exactly what a researcher added), then the whole file is parsed with
:func:`helsegraf.ontology.codebook.parse_codebook`; an edit that breaks it is undone.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from helsegraf.core.errors import HelsegrafError
from helsegraf.ontology.codebook import HGID, parse_codebook

SKOS = "http://www.w3.org/2004/02/skos/core#"
HG = "https://w3id.org/helsegraf/ontology#"
_SLUG = re.compile(r"^[a-z0-9æøå]+(?:-[a-z0-9æøå]+)*$")


def _literal(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        raise HelsegrafError("empty text")
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"@nb'


def _append(path: Path, turtle: str, who: str | None) -> None:
    path = Path(path)
    before = path.read_text(encoding="utf-8")
    stamp = datetime.now(UTC).date().isoformat()
    note = f"\n# added {stamp}" + (f" by {who}" if who else "") + "\n"
    path.write_text(before.rstrip("\n") + "\n" + note + turtle + "\n", encoding="utf-8")
    try:
        parse_codebook(path)
    except HelsegrafError:
        path.write_text(before, encoding="utf-8")
        raise


def add_phrasing(path: Path, concept: str, phrasing: str, who: str | None = None) -> str:
    """Add a phrasing (``skos:altLabel``) to a concept; return the concept id."""
    cb = parse_codebook(Path(path))
    c = cb.get(concept)
    if c is None:
        raise HelsegrafError(f"'{concept}' is not a codebook concept", str(path))
    if " ".join(phrasing.split()).casefold() in {p.casefold() for p in c.phrasings}:
        raise HelsegrafError(f"{c.id} already has the phrasing {phrasing!r}", str(path))
    _append(path, f"<{c.iri}> <{SKOS}altLabel> {_literal(phrasing)} .", who)
    return c.id


def add_concept(
    path: Path,
    concept_id: str,
    label: str,
    *,
    themes: list[str] | None = None,
    phrasings: list[str] | None = None,
    addresses: list[str] | None = None,
    who: str | None = None,
) -> str:
    """Add a challenge or measure concept (``utfordring/<slug>`` / ``tiltak/<slug>``)."""
    scheme, _, slug = concept_id.partition("/")
    if scheme not in ("utfordring", "tiltak") or not _SLUG.match(slug):
        raise HelsegrafError(
            "a new concept id is utfordring/<slug> or tiltak/<slug> (lower case, digits, '-')"
        )
    cb = parse_codebook(Path(path))
    if concept_id in cb.concepts:
        raise HelsegrafError(f"{concept_id} is already in the codebook", str(path))
    iri = str(HGID[concept_id])
    lines = [
        f"<{iri}> a <{SKOS}Concept>, <{HG}{'Utfordring' if scheme == 'utfordring' else 'Tiltak'}> ;",
        f"    <{SKOS}inScheme> <{HGID}kodebok/{scheme}> ;",
        f'    <{SKOS}notation> "{concept_id}" ;',
        f"    <{SKOS}prefLabel> {_literal(label)}",
    ]
    for t in themes or []:
        lines[-1] += " ;"
        lines.append(f"    <{HG}inTheme> <{cb[t].iri}>")
    for a in addresses or []:
        lines[-1] += " ;"
        lines.append(f"    <{HG}addresses> <{cb[a].iri}>")
    for p in phrasings or []:
        lines[-1] += " ;"
        lines.append(f"    <{SKOS}altLabel> {_literal(p)}")
    lines[-1] += " ."
    _append(path, "\n".join(lines), who)
    return concept_id

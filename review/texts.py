"""The text of each ingested document, kept for review, anchoring and REFI-QDA export.

The graph holds quotes and offsets but not the full text; the review page, the quote check of
an added coding and the ``.qdpx`` sources need it. Texts are kept as
``<data_dir>/review/texts/<sha256 of the file>.txt`` (the offsets of statements refer to this
text: :attr:`LoadedDocument.text`), with a small JSON beside it naming the document.
"""

from __future__ import annotations

import json
from pathlib import Path

from helsegraf.core.config import Settings
from helsegraf.core.errors import HelsegrafError
from helsegraf.review.records import review_dir


def _dir(settings: Settings | None) -> Path:
    return review_dir(settings) / "texts"


def remember(name: str, sha256: str, text: str, settings: Settings | None = None) -> Path:
    """Keep a document's text (idempotent); return where it is."""
    d = _dir(settings)
    d.mkdir(parents=True, exist_ok=True)
    path = d / f"{sha256}.txt"
    if not path.is_file():
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8", newline="")
        tmp.replace(path)
    (d / f"{sha256}.json").write_text(
        json.dumps({"name": name, "sha256": sha256}, ensure_ascii=False), encoding="utf-8"
    )
    return path


def remember_file(path: Path | str, settings: Settings | None = None) -> str:
    """Load a document file (as extraction reads it) and keep its text; return its sha256."""
    from helsegraf.ingest.load import load

    doc = load(path)
    remember(doc.name, doc.sha256, doc.text, settings)
    return doc.sha256


def text_of(sha256: str | None, settings: Settings | None = None) -> str | None:
    """The kept text of the document with this file hash, or None."""
    if not sha256:
        return None
    path = _dir(settings) / f"{sha256}.txt"
    if not path.is_file():
        return None
    return path.read_text(encoding="utf-8")


def require_text(sha256: str | None, name: str, settings: Settings | None = None) -> str:
    """Like :func:`text_of`, but a missing text is a one-line error naming the fix."""
    text = text_of(sha256, settings)
    if text is None:
        raise HelsegrafError(
            "the document's text is not kept for review; run `helsegraf review texts <file>`",
            path=name,
        )
    return text


def remember_ingested(
    path: Path | str, sha256: str | None, settings: Settings | None = None
) -> None:
    """Hook for ingest and upload: keep a just-loaded document's text unless already kept.

    Reads the file again (cheap for .txt; a second parse for .pdf/.docx on first ingest only).
    A file that cannot be read again is skipped: review then asks for ``review texts``.
    """
    if sha256 and text_of(sha256, settings) is not None:
        return
    try:
        remember_file(path, settings)
    except (HelsegrafError, OSError):
        return

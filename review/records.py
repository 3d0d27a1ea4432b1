"""Corrections: a researcher's confirm / reject / edit / add of the machine's coding.

Corrections are stored as their own records in an append-only JSONL file,
``<data_dir>/review/corrections.jsonl`` (one JSON object a line, never rewritten), keyed to
the content-derived ids of the statement and the document, and anchored by document name,
quote and offsets so that they still find their statement after the document is extracted
again. The graph shows their effect (``status``, ``assigned_by`` on ``:Utsagn``), but the file
is the record: a re-ingest that replaces the document's statements re-applies it
(:mod:`helsegraf.review.overlay`). See docs/review.md.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from helsegraf import __version__
from helsegraf.core.config import Settings, get_settings
from helsegraf.core.errors import HelsegrafError
from helsegraf.ingest.models import content_id

Action = Literal["confirm", "reject", "edit", "add"]
Status = Literal["machine", "confirmed", "rejected", "edited"]
Kind = Literal["challenge", "measure"]

MACHINE = f"helsegraf {__version__}"
"""``assigned_by`` of codings the extractor made."""

# What a statement's status becomes after each action.
STATUS_OF: dict[str, Status] = {
    "confirm": "confirmed",
    "reject": "rejected",
    "edit": "edited",
    "add": "confirmed",
}

_lock = threading.Lock()
log = logging.getLogger(__name__)


class Correction(BaseModel):
    """One review decision, as stored (one line of ``corrections.jsonl``)."""

    id: str = Field("", description="content-derived id of this record")
    time: str = Field("", description="UTC time, ISO 8601")
    reviewer: str
    action: Action
    statement: str | None = Field(
        None, description="id of the reviewed :Utsagn (confirm/reject/edit); for add, its new id"
    )
    doc_id: str = Field(description="document id (dokument/<hex>)")
    document: str = Field(description="document file name (anchor if the id changes)")
    kind: Kind | None = None
    concept: str | None = Field(
        None,
        description="the coding's concept after the decision (the machine's for confirm/reject)",
    )
    previous_concept: str | None = None
    voice: str | None = Field(None, description="voice id inside the document (v1 ...)")
    example: str | None = Field(None, description="name of an example the passage is about")
    quote: str = ""
    start: int | None = None
    end: int | None = None
    line: int | None = None
    page: int | None = None
    note: str | None = None

    def key(self) -> str:
        """What later records about the same coding replace: the statement id, else the anchor."""
        if self.statement:
            return self.statement
        return f"{self.doc_id}|{self.kind}|{self.start}|{self.end}|{self.concept}"

    @property
    def status(self) -> Status:
        return STATUS_OF[self.action]


def added_statement_id(
    doc_id: str, kind: str, voice: str, concept: str, start: int, end: int
) -> str:
    """Id of a coding a reviewer added (content-derived, distinct from machine ids)."""
    return "utsagn/" + content_id("review", doc_id, kind, voice, concept, str(start), str(end))


def review_dir(settings: Settings | None = None) -> Path:
    """``<data_dir>/review`` (created on demand)."""
    settings = settings or get_settings()
    return Path(settings.data_dir) / "review"


class CorrectionLog:
    """The append-only JSONL file of corrections."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @classmethod
    def for_settings(cls, settings: Settings | None = None) -> CorrectionLog:
        return cls(review_dir(settings) / "corrections.jsonl")

    @staticmethod
    def stamp(c: Correction) -> Correction:
        """Give a record its time and id (if it has none yet), as :meth:`append` would."""
        if not c.time:
            c.time = datetime.now(UTC).isoformat(timespec="milliseconds")
        if not c.id:
            c.id = "korreksjon/" + content_id(c.model_dump_json(exclude={"id"}))
        return c

    def append(self, c: Correction) -> Correction:
        """Stamp (time, id) and append one record; fsync so a crash does not lose it."""
        self.stamp(c)
        line = c.model_dump_json(exclude_none=True) + "\n"
        with _lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                with self.path.open("a", encoding="utf-8") as f:
                    f.write(line)
                    f.flush()
                    os.fsync(f.fileno())
            except OSError as exc:
                raise HelsegrafError(f"cannot write corrections: {exc}", str(self.path)) from exc
        return c

    def __iter__(self) -> Iterator[Correction]:
        if not self.path.is_file():
            return
        with self.path.open(encoding="utf-8") as f:
            for n, raw in enumerate(f, 1):
                if not raw.strip():
                    continue
                try:
                    record = Correction.model_validate(json.loads(raw))
                except ValueError as exc:
                    # A damaged line must not block every document: reported and left out.
                    reason = str(exc).splitlines()[0]
                    log.warning("%s: line %d: not a correction, skipped: %s", self.path, n, reason)
                    continue
                yield record

    def all(self) -> list[Correction]:
        return list(self)

    def for_document(self, doc_id: str, name: str | None = None) -> list[Correction]:
        """Records about one document, matched by id or (if the file changed) by name."""
        return [c for c in self if c.doc_id == doc_id or (name and c.document == name)]


def current(records: Iterable[Correction]) -> list[Correction]:
    """The latest record per coding (later records replace earlier ones), in file order."""
    latest: dict[str, Correction] = {}
    for c in records:
        latest.pop(c.key(), None)
        latest[c.key()] = c
    return list(latest.values())

"""Re-map stored documents to a changed codebook and report what moved.

Researchers add a concept or a phrasing to ``ontology/codebook.ttl`` (or a copy of it);
``helsegraf recode --codebook FILE`` runs extraction again on the stored documents' kept texts
with that codebook and compares the new machine coding with the stored one, passage by
passage (kind + offsets):

* ``moved``: the same passage now has another concept;
* ``new``: a passage the machine did not code before;
* ``dropped``: a passage the machine no longer codes.

Reviewed codings (confirmed, edited, added, and rejected ones) are never changed: they are
left out of the moves and, with ``--apply``, the reloaded documents get their corrections
laid on top again (:mod:`helsegraf.review.overlay`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from helsegraf.core.config import Settings
from helsegraf.core.errors import HelsegrafError
from helsegraf.review import overlay, texts

COLUMNS = ("document", "kind", "change", "old_concept", "new_concept", "quote", "start", "end")


class Move(BaseModel):
    document: str
    kind: str
    change: str
    old_concept: str | None = None
    new_concept: str | None = None
    quote: str
    start: int | None = None
    end: int | None = None


class RecodeReport(BaseModel):
    codebook: str
    documents: int = 0
    skipped: list[str] = []
    moves: list[Move] = []
    reviewed_kept: int = 0
    applied: bool = False

    def counts(self) -> dict[str, int]:
        out = {"moved": 0, "new": 0, "dropped": 0}
        for m in self.moves:
            out[m.change] += 1
        return out


def _clear_caches() -> None:
    from helsegraf.ingest import classify, lexicon, segment
    from helsegraf.ontology import codebook

    for fn in (
        getattr(codebook, "_default_codebook", None),
        getattr(lexicon, "load_concepts", None),
        getattr(classify, "concept_index", None),
        getattr(segment, "_themes", None),
    ):
        if fn is not None and hasattr(fn, "cache_clear"):
            fn.cache_clear()


@contextmanager
def use_codebook(path: Path | None) -> Iterator[None]:
    """Make extraction (and ``load_codebook()``) read ``path`` as the codebook for a while."""
    if path is None:
        yield
        return
    from helsegraf.ontology import codebook

    codebook.parse_codebook(Path(path))  # fail early, with the codebook's own message
    old = codebook.DEFAULT_PATH
    codebook.DEFAULT_PATH = Path(path)
    _clear_caches()
    try:
        yield
    finally:
        codebook.DEFAULT_PATH = old
        _clear_caches()


def _spans(rows: list[dict[str, Any]]) -> dict[tuple[str, int, int], dict[str, str]]:
    out: dict[tuple[str, int, int], dict[str, str]] = {}
    for r in rows:
        if r.get("start") is None or r.get("end") is None:
            continue
        out.setdefault((str(r["kind"]), int(r["start"]), int(r["end"])), {})[str(r["concept"])] = (
            str(r["quote"])
        )
    return out


def recode(
    store: Any,
    settings: Settings,
    codebook_path: Path | None,
    *,
    documents: list[str] | None = None,
    apply: bool = False,
    progress: bool = False,
) -> RecodeReport:
    """Re-extract the stored documents with ``codebook_path`` and report the moves."""
    from helsegraf.ingest.pipeline import extract_text

    rows = store.query(
        "MATCH (d:Dokument) RETURN d.id AS id, d.name AS name, d.sha256 AS sha256 ORDER BY d.name",
        timeout_ms=0,
        row_cap=0,
    )
    docs = [dict(r) for r in rows]
    if documents:
        wanted = set(documents)
        docs = [d for d in docs if d["id"] in wanted or d["name"] in wanted]
        if not docs:
            raise HelsegrafError("none of the named documents is in the graph")
    report = RecodeReport(codebook=str(codebook_path or "ontology/codebook.ttl"))
    todo: Any = docs
    if progress:
        from rich.console import Console
        from rich.progress import track

        todo = track(docs, description="recoding", console=Console(stderr=True))
    with use_codebook(codebook_path):
        for d in todo:
            text = texts.text_of(d.get("sha256"), settings)
            if text is None:
                report.skipped.append(str(d["name"]))
                continue
            x = extract_text(text, str(d["name"]))
            x = x.model_copy(update={"id": d["id"], "sha256": d["sha256"]})
            stored = overlay.statements(store, str(d["id"]))
            reviewed = [r for r in stored if (r.get("status") or "machine") != "machine"]
            report.reviewed_kept += len(reviewed)
            reviewed_spans = {(r["kind"], r["start"], r["end"]) for r in reviewed}
            old = _spans([r for r in stored if (r.get("status") or "machine") == "machine"])
            new_rows = [
                {**s.model_dump(), "kind": kind}
                for kind, items in (("challenge", x.challenges), ("measure", x.measures))
                for s in items
            ]
            new = _spans(new_rows)
            for key in sorted(set(old) | set(new)):
                if key in reviewed_spans:
                    continue
                kind, start, end = key
                before, after = old.get(key, {}), new.get(key, {})
                quote = next(iter({**before, **after}.values()))
                gone = sorted(set(before) - set(after))
                came = sorted(set(after) - set(before))
                if before and after:
                    for i in range(max(len(gone), len(came))):
                        was = gone[i] if i < len(gone) else None
                        now = came[i] if i < len(came) else None
                        report.moves.append(
                            Move(
                                document=str(d["name"]),
                                kind=kind,
                                change="moved" if was and now else ("new" if now else "dropped"),
                                old_concept=was,
                                new_concept=now,
                                quote=quote,
                                start=start,
                                end=end,
                            )
                        )
                else:
                    for c in gone:
                        report.moves.append(
                            Move(
                                document=str(d["name"]),
                                kind=kind,
                                change="dropped",
                                old_concept=c,
                                quote=quote,
                                start=start,
                                end=end,
                            )
                        )
                    for c in came:
                        report.moves.append(
                            Move(
                                document=str(d["name"]),
                                kind=kind,
                                change="new",
                                new_concept=c,
                                quote=quote,
                                start=start,
                                end=end,
                            )
                        )
            report.documents += 1
            if apply:
                store.load_extraction(x)
    report.applied = apply
    return report

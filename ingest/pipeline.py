"""The extraction pipeline: load -> normalise -> segment -> recognise -> classify ->
initiatives -> link, for one file or for text in memory.

``extract_file`` refuses files over ``Settings.max_document_bytes`` before reading them and
stops a document that takes longer than ``Settings.document_timeout_s`` (an alarm in the main
thread; elsewhere checked between stages). ``iter_documents`` walks folders recursively, sorted, and survives symlink loops.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from helsegraf.core.config import get_settings
from helsegraf.core.errors import HelsegrafError
from helsegraf.ingest import link, load, normalise, segment, sources
from helsegraf.ingest.lexicon import document_scope
from helsegraf.ingest.models import Extraction, LoadedDocument, SourceInfo

log = logging.getLogger(__name__)

SUFFIXES = load.SUFFIXES


def extract_file(
    path: Path | str, *, timeout_s: float | None = None, use_sources: bool = True
) -> Extraction:
    """Extract one document file (.txt, .pdf, .docx) into the gold format.

    With ``use_sources`` (the default) the file's source metadata is read: its
    ``# key: value`` header lines and its record in the manifest of its folder
    (``sources.csv``/``sources.yaml``); without it, neither is used.

    The time limit covers loading too. It is an alarm: to be sure it holds, C code and threads
    included, extract in a worker process (``ingest/isolated.py``)."""
    settings = get_settings()
    limit = timeout_s if timeout_s is not None else settings.document_timeout_s
    started = time.monotonic()
    try:
        with _alarm(limit):
            doc = load.load(Path(path), max_bytes=settings.max_document_bytes)
            if use_sources:
                doc.metadata = sources.merged(doc.metadata, sources.manifest_for(Path(path)))
            else:
                doc.metadata = SourceInfo()
    except _Overtime:
        raise _over(limit, "load", str(path)) from None
    return _extract(doc, limit, started)


def extract_text(text: str, name: str, *, timeout_s: float | None = None) -> Extraction:
    """Extract a document given as text; ``name`` is its document key in the output."""
    settings = get_settings()
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError as exc:  # lone surrogates: not text any file could hold
        raise HelsegrafError(f"not valid Unicode text: {exc.reason}", path=name) from None
    if size > settings.max_document_bytes:
        raise HelsegrafError(
            f"text is over the limit of {settings.max_document_bytes:,} bytes", path=name
        )
    doc = load.load_text(text, name)
    return _extract(doc, timeout_s if timeout_s is not None else settings.document_timeout_s)


def extract_loaded(doc: LoadedDocument, *, timeout_s: float | None = None) -> Extraction:
    """Run the stages after ``load`` on an already loaded document."""
    return _extract(doc, timeout_s if timeout_s is not None else get_settings().document_timeout_s)


class _Overtime(BaseException):
    """Raised by the alarm when a document runs over its time limit.

    A BaseException, like KeyboardInterrupt: a catch-all ``except Exception`` in the code the
    alarm interrupts (the codebook's parser reported it as a Turtle error) lets it through."""


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    """Interrupt the work after ``seconds`` (SIGALRM; only in the main thread, and only when
    no other timer is running — e.g. a test timeout — so nothing else is disturbed)."""
    usable = (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL)[0] == 0
    )
    if not usable:
        yield
        return

    def on_alarm(signum: int, frame: object) -> None:
        raise _Overtime

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _over(timeout_s: float, stage: str, path: str) -> HelsegrafError:
    return HelsegrafError(
        f"extraction took longer than {timeout_s:g} s (at {stage}); "
        "HELSEGRAF_DOCUMENT_TIMEOUT_S sets the limit",
        path=path,
    )


def _extract(doc: LoadedDocument, timeout_s: float, started: float | None = None) -> Extraction:
    """The stages after load, within ``timeout_s`` counted from ``started`` (default: now)."""
    from helsegraf.ingest import classify, initiatives, recognise

    started = time.monotonic() if started is None else started
    stage = "normalise"

    def over() -> HelsegrafError:
        return _over(timeout_s, stage, doc.path)

    def check(next_stage: str) -> None:
        nonlocal stage
        if time.monotonic() - started > timeout_s:
            raise over()
        stage = next_stage

    remaining = timeout_s - (time.monotonic() - started)
    if remaining <= 0:
        raise over()
    try:
        with _alarm(remaining), document_scope():
            normalised = normalise.run(doc)
            check("segment")
            segmented = segment.run(normalised)
            check("recognise")
            recognised = recognise.run(segmented)
            check("classify")
            codings = classify.run(segmented, recognised)
            check("initiatives")
            examples = initiatives.run(segmented, recognised)
            check("link")
            return link.run(segmented, recognised, codings, examples)
    except _Overtime:
        raise over() from None


def iter_documents(paths: Iterable[Path | str]) -> Iterator[Path]:
    """Yield the documents (.txt .pdf .docx) of files and folders, folders walked
    recursively in sorted order; each directory is visited once even through symlink loops.
    A named file is yielded whatever its suffix; a missing path raises HelsegrafError."""
    seen_dirs: set[Path] = set()
    seen_files: set[Path] = set()
    for p in paths:
        path = Path(p)
        if path.is_dir():
            yield from _walk(path, seen_dirs, seen_files)
        elif path.is_file():
            real = path.resolve()
            if real not in seen_files:
                seen_files.add(real)
                yield path
        else:
            raise HelsegrafError("no such file or folder", path=str(path))


def _walk(root: Path, seen_dirs: set[Path], seen_files: set[Path]) -> Iterator[Path]:
    real = root.resolve()
    if real in seen_dirs:
        return
    seen_dirs.add(real)
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError as exc:
        log.warning("cannot list %s: %s", root, exc)
        return
    for entry in entries:
        path = Path(entry.path)
        if entry.name.startswith("."):
            continue
        try:
            if entry.is_dir():
                yield from _walk(path, seen_dirs, seen_files)
            elif entry.is_file() and path.suffix.lower() in SUFFIXES:
                rp = path.resolve()
                if rp not in seen_files:
                    seen_files.add(rp)
                    yield path
        except OSError:
            continue

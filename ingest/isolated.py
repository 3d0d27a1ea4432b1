"""Extraction in worker processes that are stopped at the document time limit.

The pipeline's own limit (an alarm, see ``pipeline.py``) fires only in a process's main thread
and only between Python bytecodes: a huge .docx parsed by lxml, or an upload extracted in a
server thread, ran far past it. Here each document is extracted by a
:class:`~helsegraf.core.workers.WorkerProcess`, and a worker that has not answered by the
limit (plus one second, so the alarm's message naming the stage usually comes first) is
killed. Workers die with their parent, ``kill -9`` included.

* :func:`extract_many` extracts files with up to N workers (``helsegraf ingest``, ``extract``);
* :class:`Extractor` keeps one warm worker for a long-running process (the API's uploads).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any

from helsegraf.core.config import get_settings
from helsegraf.core.errors import HelsegrafError
from helsegraf.core.workers import WorkerDied, WorkerProcess, WorkerTimeout
from helsegraf.ingest.models import Extraction

#: Time a worker gets past the document limit before it is killed.
GRACE_S = 1.0
_FACTORY = "helsegraf.ingest.isolated:extraction_worker"

Outcome = tuple[str, Extraction | None, str | None]

_WARM_UP_LIMIT_S = 600.0  # not a document's limit: the start of the worker has its own
# Any short text in the genre: extracting it once loads what the stages load on first use.
_WARM_UP = (
    "Innspill fra Skaun kommune\n\n"
    "Rekruttering av sykepleiere er en utfordring. Vi foreslår flere utdanningsplasser.\n"
)


def extraction_worker() -> Callable[[tuple[str, float, bool]], Any]:
    """Worker process factory: extract ``(path, timeout_s, use_sources)`` requests."""
    from helsegraf.ingest import pipeline

    # Load the vocabularies now, not within the first document's time limit.
    pipeline.extract_text(_WARM_UP, "warm-up.txt", timeout_s=_WARM_UP_LIMIT_S)

    def handle(request: tuple[str, float, bool]) -> tuple[Any, ...]:
        path, timeout_s, use_sources = request
        try:
            extraction = pipeline.extract_file(path, timeout_s=timeout_s, use_sources=use_sources)
            return ("ok", extraction)
        except HelsegrafError as exc:
            # The line, then its reason and file apart, so the API can name the file alone.
            return ("failed", str(exc), exc.reason, exc.path)
        except Exception as exc:  # an extractor bug must not stop the other documents
            return ("failed", f"{path}: unexpected {type(exc).__name__}: {exc}")

    return handle


def _overtime_error(path: str, timeout_s: float) -> HelsegrafError:
    return HelsegrafError(
        f"extraction took longer than {timeout_s:g} s and was stopped; "
        "HELSEGRAF_DOCUMENT_TIMEOUT_S sets the limit",
        path=path,
    )


def _overtime(path: str, timeout_s: float) -> str:
    return str(_overtime_error(path, timeout_s))


def _outcome(path: str, answer: Any) -> Outcome:
    if isinstance(answer, tuple) and answer and answer[0] == "ok":
        return path, answer[1], None
    if isinstance(answer, tuple) and answer and answer[0] == "failed":
        return path, None, answer[1]
    detail = answer[2] if isinstance(answer, tuple) and len(answer) > 2 else repr(answer)
    return path, None, f"{path}: extraction failed: {detail}"


def extract_many(
    paths: Iterable[Path | str],
    workers: int = 1,
    timeout_s: float | None = None,
    *,
    use_sources: bool = True,
) -> Generator[Outcome]:
    """Extract each file in a worker process, up to ``workers`` at once; yield
    ``(path, extraction or None, error or None)`` as documents finish (in order with one worker).
    A document over ``timeout_s`` (default ``Settings.document_timeout_s``) is stopped and
    reported; its worker is replaced. ``use_sources``: see ``pipeline.extract_file``."""
    limit = get_settings().document_timeout_s if timeout_s is None else timeout_s
    queue = deque(str(p) for p in paths)
    idle: list[WorkerProcess] = []
    running: dict[WorkerProcess, tuple[str, float]] = {}
    try:
        while queue or running:
            while queue and (idle or len(running) < max(1, workers)):
                path = queue.popleft()
                try:
                    worker = idle.pop() if idle else WorkerProcess(_FACTORY)
                    worker.send((path, limit, use_sources))
                except WorkerDied as exc:
                    yield path, None, f"{path}: {exc}"
                    continue
                running[worker] = (path, time.monotonic() + limit + GRACE_S)
            first_deadline = min(deadline for _, deadline in running.values())
            by_fd = {worker.fileno(): worker for worker in running}
            ready = wait(list(by_fd), timeout=max(0.0, first_deadline - time.monotonic()))
            for fd in ready:
                worker = by_fd[int(fd)]  # type: ignore[arg-type]
                path, _ = running.pop(worker)
                try:
                    answer = worker.receive(0)
                except (WorkerDied, WorkerTimeout) as exc:
                    yield path, None, f"{path}: {exc}"
                    continue
                idle.append(worker)
                yield _outcome(path, answer)
            now = time.monotonic()
            for worker, (path, deadline) in list(running.items()):
                if now >= deadline:
                    worker.kill()
                    del running[worker]
                    yield path, None, _overtime(path, limit)
    finally:
        for worker in idle:
            worker.stop()
        for worker in running:
            worker.kill()


def extract_isolated(
    path: Path | str, timeout_s: float | None = None, *, use_sources: bool = True
) -> Extraction:
    """Extract one file in a worker process, stopped at the time limit; raise
    :class:`HelsegrafError` for a document that fails."""
    for _, extraction, error in extract_many([path], 1, timeout_s, use_sources=use_sources):
        if extraction is not None:
            return extraction
        raise HelsegrafError(error or "extraction failed")
    raise HelsegrafError("extraction failed", path=str(path))  # pragma: no cover


class Extractor:
    """One warm extraction worker for a long-running process, used by one caller at a time
    (others wait); a worker stopped at the limit is replaced on the next call. ``nice``
    lowers the worker's CPU priority (the API: below its request threads)."""

    def __init__(self, nice: int = 0) -> None:
        self._lock = threading.Lock()
        self._worker: WorkerProcess | None = None
        self._nice = nice

    def extract(self, path: Path | str, timeout_s: float | None = None) -> Extraction:
        """Extract ``path`` within ``timeout_s`` (default ``Settings.document_timeout_s``)."""
        limit = get_settings().document_timeout_s if timeout_s is None else timeout_s
        with self._lock:
            if self._worker is None or not self._worker.alive():
                try:
                    self._worker = WorkerProcess(_FACTORY, nice=self._nice)
                except WorkerDied as exc:
                    raise HelsegrafError(str(exc), path=Path(path).name) from None
            worker = self._worker
            try:
                answer = worker.call((str(path), limit, True), limit + GRACE_S)
            except WorkerTimeout:
                self._worker = None
                raise _overtime_error(str(path), limit) from None
            except WorkerDied as exc:
                self._worker = None
                raise HelsegrafError(str(exc), path=str(path)) from None
        if isinstance(answer, tuple) and len(answer) == 4 and answer[0] == "failed":
            raise HelsegrafError(answer[2], path=answer[3])
        _, extraction, error = _outcome(str(path), answer)
        if extraction is None:
            raise HelsegrafError(error or "extraction failed")
        return extraction

    def close(self) -> None:
        """Stop the worker."""
        with self._lock:
            worker, self._worker = self._worker, None
        if worker is not None:
            worker.stop()

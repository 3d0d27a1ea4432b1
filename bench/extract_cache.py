"""Extractions of generated corpora, cached on disk so stores of any size build quickly.

The cache key is the text's sha256 plus a fingerprint of the extractor (the code in ``ingest/``
and the vocabulary in ``ontology/``), so a change to either re-extracts.
"""

from __future__ import annotations

import hashlib
import logging
import os
from concurrent.futures import ProcessPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import Any

from rich.progress import Progress

from bench.scaler import CACHE, REPO

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def extractor_fingerprint() -> str:
    """A hash of every file the extractor's output can depend on."""
    h = hashlib.sha256()
    for folder in ("ingest", "ontology", "core"):
        for path in sorted((REPO / folder).rglob("*")):
            if path.is_file() and path.suffix in {".py", ".yaml", ".yml", ".ttl", ".csv", ".json"}:
                h.update(str(path.relative_to(REPO)).encode())
                h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _cache_dir() -> Path:
    d = CACHE / "extractions" / extractor_fingerprint()
    d.mkdir(parents=True, exist_ok=True)
    return d


def _extract_to_cache(path_str: str, out_str: str) -> str:
    from helsegraf.ingest.pipeline import extract_file

    x = extract_file(Path(path_str))
    tmp = Path(out_str + ".tmp")
    tmp.write_text(x.model_dump_json(), encoding="utf-8")
    tmp.replace(out_str)
    return out_str


def _stale_copy(name: str, current: Path) -> Path | None:
    """The newest cached extraction of the same text by an earlier extractor version."""
    found = [
        d / name
        for d in (CACHE / "extractions").iterdir()
        if d.is_dir() and d != current and (d / name).exists()
    ]
    return max(found, key=lambda p: p.stat().st_mtime) if found else None


def extractions_for(
    files: list[Path], workers: int | None = None, stale: dict[str, int] | None = None
) -> list[Any]:
    """Return the Extraction of every file (in order), extracting what the cache lacks.

    With ``stale`` (a dict), an extraction made by an earlier version of the extractor is
    used where the current version has none, and ``stale["count"]`` says how many were:
    good enough for measuring the store, which needs realistic graphs, not the newest coding.
    """
    from helsegraf.ingest.models import Extraction

    cache = _cache_dir()
    targets = []
    for p in files:
        digest = hashlib.sha256(p.read_bytes()).hexdigest()
        target = cache / f"{digest}.json"
        if stale is not None and not target.exists():
            old = _stale_copy(target.name, cache)
            if old is not None:
                stale["count"] = stale.get("count", 0) + 1
                target = old
        targets.append(target)
    missing = [(str(p), str(t)) for p, t in zip(files, targets, strict=True) if not t.exists()]
    if missing:
        workers = workers or max(1, min(len(missing), os.cpu_count() or 1))
        with Progress(transient=True) as progress:
            task = progress.add_task(f"extracting {len(missing)} documents", total=len(missing))
            if workers == 1:
                for src, dst in missing:
                    _extract_to_cache(src, dst)
                    progress.advance(task)
            else:
                with ProcessPoolExecutor(workers) as pool:
                    futures = [pool.submit(_extract_to_cache, s, d) for s, d in missing]
                    for f in futures:
                        f.result()
                        progress.advance(task)
    return [Extraction.model_validate_json(t.read_text(encoding="utf-8")) for t in targets]

"""Where a document came from: its source metadata.

Two places may say it, and both are read by ``extract``, ``ingest`` and ``eval``:

* a manifest beside the files, ``sources.csv`` or ``sources.yaml`` (``sources.yml``), one
  record per file with ``file`` and any of ``url``, ``sender``, ``date``, ``title``, ``kind``;
* comment lines ``# key: value`` at the very top of a text file (the same keys). They are
  metadata, not text: the extractor does not read them as part of the document.

Unknown keys are ignored. A file's own header wins over the manifest. What the metadata
means for the extraction (author, date, title, kind) is decided in ``segment``.
"""

from __future__ import annotations

import csv
import logging
import re
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from helsegraf.core.errors import HelsegrafError
from helsegraf.ingest.models import SourceInfo

log = logging.getLogger(__name__)

KEYS: tuple[str, ...] = ("url", "sender", "date", "title", "kind")
MANIFESTS: tuple[str, ...] = ("sources.csv", "sources.yaml", "sources.yml")
_KINDS = frozenset({"innspill", "handlingsplan", "annet"})
# "# key: value" (key: letters, digits, '_' and '-'); the header ends at the first other line
_HEADER = re.compile(r"^\s*#\s*(?P<key>[A-Za-z][\w-]*)\s*:\s*(?P<value>.*?)\s*$")
_COMMENT = re.compile(r"^\s*#")


def clean(record: dict[str, Any]) -> SourceInfo:
    """A metadata record with its known keys only, values stripped, empty values dropped;
    a date that is not ISO (YYYY-MM-DD, or DD.MM.YYYY) and a kind outside the three are
    left out (with a warning) rather than trusted."""
    out: dict[str, str] = {}
    for key, value in record.items():
        k = str(key).strip().lower()
        if k not in KEYS or value is None:
            continue
        v = str(value).strip()
        if not v:
            continue
        if k == "date":
            iso = _iso_date(v)
            if iso is None:
                log.warning("source metadata: date %r is not a date; ignored", v)
                continue
            v = iso
        if k == "kind" and v.lower() not in _KINDS:
            log.warning("source metadata: kind %r is not one of %s; ignored", v, sorted(_KINDS))
            continue
        out[k] = v.lower() if k == "kind" else v
    return SourceInfo(**out)


def _iso_date(text: str) -> str | None:
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text) or None
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text)
        if not m:
            return None
        d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
    try:
        return date(y, mo, d).isoformat()
    except ValueError:
        return None


def read_header(lines: list[str]) -> tuple[SourceInfo, int]:
    """The metadata of a text's leading ``# key: value`` lines and how many lines they take
    (blank lines between them included). Other ``#`` lines inside the header are skipped;
    the header ends at the first line that is neither."""
    found: dict[str, str] = {}
    count = 0
    seen = False
    for n, line in enumerate(lines, start=1):
        m = _HEADER.match(line)
        if m:
            seen = True
            found.setdefault(m.group("key").lower(), m.group("value"))
            count = n
        elif seen and (not line.strip() or _COMMENT.match(line)):
            if _COMMENT.match(line):
                count = n
            continue
        else:
            break
    if not seen:
        return SourceInfo(), 0
    return clean(found), count


def manifest_for(path: Path) -> SourceInfo | None:
    """The record of ``path`` in a manifest of its folder or of the folder above (a corpus
    folder with its manifest beside it), or None. A record's ``file`` is the file's name or
    its path relative to the manifest."""
    path = Path(path)
    for folder in (path.parent, path.parent.parent):
        for name in MANIFESTS:
            manifest = folder / name
            try:
                stat = manifest.stat()
            except OSError:
                continue
            records = _read_manifest(str(manifest), stat.st_mtime_ns, stat.st_size)
            try:
                relative = path.relative_to(folder).as_posix()
            except ValueError:
                relative = path.name
            found = records.get(relative) or records.get(path.name)
            if found is not None:
                return found
    return None


@lru_cache(maxsize=64)
def _read_manifest(path: str, mtime_ns: int, size: int) -> dict[str, SourceInfo]:
    """file name -> metadata (cached per manifest version: a changed file is read again)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise HelsegrafError(f"cannot read the source manifest: {exc}", path=path) from exc
    rows: list[dict[str, Any]]
    if p.suffix == ".csv":
        rows = list(csv.DictReader(text.splitlines()))
    else:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise HelsegrafError(f"not a valid source manifest: {exc}", path=path) from exc
        if isinstance(data, dict) and isinstance(data.get("sources"), list):
            data = data["sources"]
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise HelsegrafError(
                "a source manifest is a list of records with 'file' (or 'sources:' and the list)",
                path=path,
            )
        rows = data
    out: dict[str, SourceInfo] = {}
    for row in rows:
        name = str(row.get("file") or "").strip().removeprefix("./")
        if name:
            info = clean(row)
            out[name] = info
            out.setdefault(Path(name).name, info)
    return out


def merged(header: SourceInfo, manifest: SourceInfo | None) -> SourceInfo:
    """The file's own header, completed by the manifest."""
    if manifest is None:
        return header
    data = manifest.model_dump(exclude_none=True)
    data.update(header.model_dump(exclude_none=True))
    return SourceInfo(**data)

"""Document upload: bearer-token check, streamed multipart parsing with a size cap, safe names."""

from __future__ import annotations

import hmac
import re
import shutil
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import HTTPException, Request
from python_multipart.multipart import MultipartParser, parse_options_header

from helsegraf.core.config import Settings

ALLOWED_SUFFIXES = {".txt", ".pdf", ".docx"}
# Room for the multipart framing and small form fields on top of the file itself.
FRAMING_SLACK = 64 * 1024


def check_token(request: Request, settings: Settings) -> None:
    """Refuse the request unless it carries ``Authorization: Bearer <api_token>``.

    Uploads are off (403) when no token is configured. The comparison takes constant time.
    """
    if settings.api_token is None or not settings.api_token.get_secret_value():
        raise HTTPException(403, "uploads are off: the server has no HELSEGRAF_API_TOKEN set")
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    expected = settings.api_token.get_secret_value().encode()
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected):
        raise HTTPException(
            401, "missing or wrong bearer token", headers={"WWW-Authenticate": "Bearer"}
        )


def safe_filename(name: str) -> str:
    """Return a file name safe to create in a directory of ours.

    Keeps only the last path component, letters (incl. æøå), digits, ``.``, ``-`` and ``_``;
    refuses names without an allowed suffix (.txt, .pdf, .docx).
    """
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", name))[-1]
    base = re.sub(r"[^\w.\-]+", "_", base).strip("._")
    base = re.sub(r"\.{2,}", ".", base)[-120:]
    suffix = Path(base).suffix.lower()
    if not base or suffix not in ALLOWED_SUFFIXES:
        raise HTTPException(
            415, f"unsupported file type {suffix or '(none)'!r}: send .txt, .pdf or .docx"
        )
    return base


@dataclass
class _PartState:
    headers: dict[bytes, bytes] = field(default_factory=dict)
    header_field: bytes = b""
    header_value: bytes = b""
    is_file: bool = False
    size: int = 0


async def receive_file(request: Request, settings: Settings, upload_root: Path) -> Path:
    """Stream the multipart body's ``file`` part into a new directory under ``upload_root``.

    Stops reading and answers 413 as soon as the file exceeds ``max_upload_bytes``. Returns the
    path of the written file; the caller removes its directory.
    """
    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if ctype != b"multipart/form-data" or not boundary:
        raise HTTPException(415, "send the document as multipart/form-data with a `file` field")
    cap = settings.max_upload_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > cap + FRAMING_SLACK:
        raise HTTPException(413, f"upload larger than the limit of {cap} bytes")

    upload_root.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="upload-", dir=upload_root))
    state = _PartState()
    target: list[Path] = []
    handle: list = []
    too_big: list[bool] = []

    def on_part_begin() -> None:
        state.headers.clear()
        state.is_file = False
        state.size = 0

    def on_header_field(data: bytes, start: int, end: int) -> None:
        state.header_field += data[start:end]

    def on_header_value(data: bytes, start: int, end: int) -> None:
        state.header_value += data[start:end]

    def on_header_end() -> None:
        state.headers[state.header_field.lower()] = state.header_value
        state.header_field = b""
        state.header_value = b""

    def on_headers_finished() -> None:
        _, disp = parse_options_header(state.headers.get(b"content-disposition", b""))
        if disp.get(b"name") == b"file" and b"filename" in disp and not target:
            name = safe_filename(disp[b"filename"].decode("utf-8", "replace"))
            path = (workdir / name).resolve()
            if path.parent != workdir.resolve():  # never outside our directory
                raise HTTPException(400, "bad file name")
            target.append(path)
            handle.append(path.open("wb"))
            state.is_file = True

    def on_part_data(data: bytes, start: int, end: int) -> None:
        if not state.is_file:
            return
        state.size += end - start
        if state.size > cap:
            too_big.append(True)
            return
        handle[0].write(data[start:end])

    def on_part_end() -> None:
        if state.is_file and handle:
            handle[0].close()
            state.is_file = False

    parser = MultipartParser(
        boundary,
        {
            "on_part_begin": on_part_begin,
            "on_header_field": on_header_field,
            "on_header_value": on_header_value,
            "on_header_end": on_header_end,
            "on_headers_finished": on_headers_finished,
            "on_part_data": on_part_data,
            "on_part_end": on_part_end,
        },
    )
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > cap + FRAMING_SLACK:
                too_big.append(True)
            if too_big:
                raise HTTPException(413, f"upload larger than the limit of {cap} bytes")
            parser.write(chunk)
        parser.finalize()
        if too_big:
            raise HTTPException(413, f"upload larger than the limit of {cap} bytes")
        if not target:
            raise HTTPException(422, "no `file` part with a file name in the upload")
    except HTTPException:
        for h in handle:
            h.close()
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    except Exception as exc:  # malformed multipart framing
        for h in handle:
            h.close()
        shutil.rmtree(workdir, ignore_errors=True)
        raise HTTPException(400, f"could not read the multipart body: {exc}") from None
    return target[0]

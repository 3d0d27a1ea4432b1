"""The load stage: read a .txt, .pdf or .docx file into text with a line (and page) map.

Every expected failure (missing, empty, too large, binary, undecodable, encrypted, corrupt,
scanned) raises :class:`HelsegrafError` with a one-line reason naming the file.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import logging
import re
import unicodedata
import zipfile
from pathlib import Path

from helsegraf.core.config import get_settings
from helsegraf.core.errors import HelsegrafError
from helsegraf.ingest.models import LoadedDocument, SourceInfo, SourceLine
from helsegraf.ingest.sources import read_header

log = logging.getLogger(__name__)

SUFFIXES = (".txt", ".pdf", ".docx")

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# Largest share of control characters (other than tab, line and page breaks) that text may hold.
_MAX_CONTROL_SHARE = 0.01
# Control characters kept out of a document's text (all but tab and line break; page breaks
# are split off before): a graph engine cannot store NUL, and none of them is text.
# Read as spaces, one for one, so offsets and the line map stay those of the text.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def load(path: Path | str, *, max_bytes: int | None = None) -> LoadedDocument:
    """Read ``path`` (.txt, .pdf or .docx) and return its text with line and page numbers.

    ``max_bytes`` (default: ``Settings.max_document_bytes``) is checked before the file is
    read. Raises :class:`HelsegrafError` for anything that is not a readable document.
    """
    path = Path(path)
    where = str(path)
    limit = max_bytes if max_bytes is not None else get_settings().max_document_bytes
    try:
        if not path.is_file():
            raise HelsegrafError("no such file", path=where)
        size = path.stat().st_size
    except OSError as exc:
        raise HelsegrafError(f"cannot read file: {exc.strerror or exc}", path=where) from exc
    if size == 0:
        raise HelsegrafError("empty file", path=where)
    if size > limit:
        raise HelsegrafError(
            f"file is {size:,} bytes, over the limit of {limit:,} bytes "
            "(HELSEGRAF_MAX_DOCUMENT_BYTES)",
            path=where,
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise HelsegrafError(f"cannot read file: {exc.strerror or exc}", path=where) from exc
    return load_bytes(data, path.name, path=where, max_bytes=limit)


def load_bytes(
    data: bytes, name: str, *, path: str | None = None, max_bytes: int | None = None
) -> LoadedDocument:
    """Read a document from its raw bytes; the format comes from ``name`` and the content.

    A .docx (a zip archive) may unpack to at most ``max_bytes`` (default
    ``Settings.max_document_bytes``), checked from the archive's directory before anything is
    unpacked.
    """
    where = path or name
    if not data:
        raise HelsegrafError("empty file", path=where)
    suffix = Path(name).suffix.lower()
    sha = hashlib.sha256(data).hexdigest()
    if suffix == ".pdf" or data.startswith(b"%PDF"):
        pages, page_count = _pdf_pages(data, where), None
        page_count = len(pages)
        return _build(pages, name, where, "pdf", sha, None, page_count)
    if suffix == ".docx":
        limit = max_bytes if max_bytes is not None else get_settings().max_document_bytes
        _check_archive(data, where, limit)
        return _build([_docx_text(data, where)], name, where, "docx", sha, None, None, paged=False)
    if data.startswith(b"PK\x03\x04"):
        raise HelsegrafError("a zip archive, not a text document", path=where)
    text, encoding = _decode(data, where)
    pages = text.split("\f")
    return _build(pages, name, where, "txt", sha, encoding, None, paged=len(pages) > 1)


def load_text(text: str, name: str) -> LoadedDocument:
    """Wrap text already in memory as a loaded document (format ``txt``, encoding ``utf-8``)."""
    if not text.strip():
        raise HelsegrafError("empty document", path=name)
    data = text.encode("utf-8")
    sha = hashlib.sha256(data).hexdigest()
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    pages = text.split("\f")
    return _build(pages, name, name, "txt", sha, "utf-8", None, paged=len(pages) > 1)


# --------------------------------------------------------------------------- text


def _decode(data: bytes, where: str) -> tuple[str, str]:
    encoding = None
    for bom, enc in _BOMS:
        if data.startswith(bom):
            encoding = enc
            break
    if encoding is None:
        if b"\x00" in data[:65536]:
            raise HelsegrafError("binary data, not a text document", path=where)
        try:
            text = data.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            text, encoding = _detect(data, where)
    else:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise HelsegrafError(f"not valid {encoding} text: {exc.reason}", path=where) from exc
    if encoding == "utf-8-sig":
        encoding = "utf-8"
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    _check_textual(text, where)
    return text, encoding


# Letters of Norwegian text (and its usual punctuation) outside ASCII: a decoding that yields
# these is more plausible than one that yields other non-ASCII characters.
_NORWEGIAN = frozenset("æøåÆØÅéèêóòôüöäÄÖÜ«»–—“”‘’…§°½€•·\xa0")
# Single-byte encodings Norwegian documents almost always come in, in order of preference.
# They are the prior: another encoding is used only when it reads strictly more Norwegian.
_WESTERN = ("cp1252", "latin_1", "iso8859_15")
# Other single-byte encodings of Nordic text, tried beside charset-normalizer's guesses
# (cp865 is the Nordic DOS code page).
_OTHER = ("cp865", "mac_roman")


def _plausibility(text: str) -> int:
    good = bad = 0
    for ch in text:
        if ord(ch) < 128:
            continue
        if ch in _NORWEGIAN:
            good += 1
        elif ch.isalpha() and ord(ch) < 0x250:
            continue  # another Latin letter (ß, ç, ñ, í ...): neither for nor against
        else:
            bad += 1
    return good - 3 * bad


def _detect(data: bytes, where: str) -> tuple[str, str]:
    """Decode non-UTF-8 bytes. The western single-byte encodings (cp1252 first, then Latin-1,
    ISO-8859-15) are read first; charset-normalizer's candidates and the Nordic DOS and Mac
    code pages replace them only when they read strictly more Norwegian. Short texts, where
    statistical detection is least sure, therefore read as cp1252/Latin-1. A tie between
    different non-western readings that beat them, or a garbled best reading, is an error
    rather than a silent guess."""
    from charset_normalizer import from_bytes

    sample = data[:1_000_000]
    # (plausibility, western preference, -chaos, encoding, text)
    scored: list[tuple[int, int, float, str, str]] = []
    tried: set[str] = set()

    def consider(enc: str, preference: int, chaos: float) -> None:
        try:
            key = codecs.lookup(enc).name
        except LookupError:
            return
        if key in tried:
            return
        tried.add(key)
        try:
            text = sample.decode(enc)
        except UnicodeDecodeError:
            return
        if any(0x80 <= ord(ch) < 0xA0 for ch in text):
            return  # C1 control characters: not this encoding
        scored.append((_plausibility(text), preference, -chaos, enc, text))

    for rank, enc in enumerate(_WESTERN):
        consider(enc, len(_WESTERN) - rank, 0.0)
    for result in from_bytes(sample):
        consider(result.encoding, 0, result.chaos)
    for enc in _OTHER:
        consider(enc, 0, 1.0)
    if not scored:
        raise HelsegrafError(
            "cannot tell the text encoding (not UTF-8, and detection found none); "
            "convert the file to UTF-8",
            path=where,
        )
    scored.sort(key=lambda t: (t[0], t[1], t[2]), reverse=True)
    best = scored[0]
    rivals = [t for t in scored[1:] if t[0] == best[0] and t[1] == 0 and t[4] != best[4]]
    if best[0] < 0 or (best[1] == 0 and rivals):
        names = ", ".join([best[3], *(t[3] for t in rivals[:2])])
        raise HelsegrafError(
            f"unsure of the text encoding (candidates: {names}); convert the file to UTF-8",
            path=where,
        )
    enc = best[3]
    try:
        text = data.decode(enc)
    except (UnicodeDecodeError, LookupError) as exc:
        raise HelsegrafError(f"cannot decode as {enc}: {exc}", path=where) from exc
    log.info("%s: decoded as %s", where, enc)
    return text, enc


def _check_textual(text: str, where: str) -> None:
    sample = text[:200_000]
    if not sample.strip():
        raise HelsegrafError("no text (only white space)", path=where)
    control = sum(
        1
        for ch in sample
        if ch not in "\n\t\f"
        and unicodedata.category(ch) in ("Cc", "Cs", "Co")
        and ch not in _PRIVATE_BULLETS
    )
    if control > max(2, len(sample) * _MAX_CONTROL_SHARE):
        raise HelsegrafError("binary data, not a text document", path=where)


# Private-use characters that PDF converters emit for Symbol-font bullets.
_PRIVATE_BULLETS = frozenset("\uf0b7\uf0a7\uf076\uf0d8\uf0fc\uf0a8\uf0e0")


# --------------------------------------------------------------------------- PDF


def _pdf_pages(data: bytes, where: str) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception as exc:  # pypdf raises several kinds here (missing AES, ...)
                raise HelsegrafError(f"encrypted PDF; cannot open it ({exc})", path=where) from exc
            if not ok:
                raise HelsegrafError("encrypted PDF (a password is needed)", path=where)
            # Only an owner password (limits on printing or copying): every PDF viewer opens
            # it without asking, so it is read too, and said so.
            log.warning(
                "%s: encrypted PDF with an empty user password; read as a PDF viewer would",
                where,
            )
        pages = []
        for page in reader.pages:
            pages.append((page.extract_text() or "").replace("\r\n", "\n").replace("\r", "\n"))
    except HelsegrafError:
        raise
    except FileNotDecryptedError as exc:
        raise HelsegrafError("encrypted PDF (a password is needed)", path=where) from exc
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        raise HelsegrafError(
            f"not a readable PDF (truncated or corrupt): {exc}", path=where
        ) from exc
    except Exception as exc:  # pypdf can fail in many ways on damaged files
        raise HelsegrafError(
            f"not a readable PDF (truncated or corrupt): {type(exc).__name__}", path=where
        ) from exc
    if not pages:
        raise HelsegrafError("PDF has no pages", path=where)
    if not any(p.strip() for p in pages):
        raise HelsegrafError("no text layer (scanned PDF?); OCR is not supported", path=where)
    return [p.replace("\f", "") for p in pages]


# --------------------------------------------------------------------------- DOCX


#: Most members a .docx archive may hold (a real one has a few dozen, with images a few hundred).
MAX_ARCHIVE_MEMBERS = 10_000


def _check_archive(data: bytes, where: str, limit: int) -> None:
    """Refuse a zip archive that unpacks to more than ``limit`` bytes or holds too many members,
    from its central directory, before anything is unpacked (a zip bomb of 2 MB unpacks to
    gigabytes). Python's zipfile never unpacks a member past its declared size."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return  # not a zip: python-docx says so in its own words
    if len(members) > MAX_ARCHIVE_MEMBERS:
        raise HelsegrafError(
            f"Word document holds {len(members):,} files, over the limit of "
            f"{MAX_ARCHIVE_MEMBERS:,}",
            path=where,
        )
    unpacked = sum(m.file_size for m in members)
    if unpacked > limit:
        raise HelsegrafError(
            f"Word document unpacks to {unpacked:,} bytes, over the limit of {limit:,} bytes "
            "(HELSEGRAF_MAX_DOCUMENT_BYTES)",
            path=where,
        )


def _docx_text(data: bytes, where: str) -> str:
    try:
        import docx
        from docx.opc.exceptions import PackageNotFoundError
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError as exc:  # pragma: no cover - a dependency
        raise HelsegrafError(f"python-docx is not installed: {exc}", path=where) from exc
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError) as exc:
        raise HelsegrafError(
            "not a Word document (.docx): not a valid package", path=where
        ) from exc
    except (KeyError, ValueError) as exc:
        raise HelsegrafError(
            "not a Word document (.docx): a zip of something else", path=where
        ) from exc
    except Exception as exc:  # lxml and zip errors of damaged files
        raise HelsegrafError(
            f"not a readable Word document: {type(exc).__name__}", path=where
        ) from exc
    lines: list[str] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(Paragraph(child, document).text)
        elif tag == "tbl":
            # one line per table row, cells separated by a tab (segment reads the columns)
            for row in Table(child, document).rows:
                seen: set[int] = set()
                cells = []
                for cell in row.cells:
                    if id(cell._tc) in seen:  # merged cells repeat
                        continue
                    seen.add(id(cell._tc))
                    cells.append(
                        " ".join(p.text.strip() for p in cell.paragraphs if p.text.strip())
                    )
                if any(cells):
                    lines.append("\t".join(c.replace("\t", " ") for c in cells))
            lines.append("")
    text = "\n".join(line.replace("\r", " ").replace("\n", " ") for line in lines)
    if not text.strip():
        raise HelsegrafError("Word document has no text", path=where)
    return text


# --------------------------------------------------------------------------- line map

_LINE_FIELDS = frozenset(SourceLine.model_fields)
_new = SourceLine.__new__
_set = object.__setattr__


def _source_line(number: int, text: str, start: int, page: int | None) -> SourceLine:
    """Build a SourceLine without validation (the values are known to be right); twice as
    fast as ``model_construct``, which matters for files of a million lines."""
    obj = _new(SourceLine)
    _set(obj, "__dict__", {"number": number, "text": text, "start": start, "page": page})
    _set(obj, "__pydantic_fields_set__", _LINE_FIELDS)
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj


def _build(
    pages: list[str],
    name: str,
    where: str,
    fmt: str,
    sha: str,
    encoding: str | None,
    page_count: int | None,
    *,
    paged: bool = True,
) -> LoadedDocument:
    lines: list[SourceLine] = []
    offset = 0
    number = 0
    texts: list[str] = []
    construct = _source_line  # a million lines must stay fast
    replaced = 0
    for p, page_text in enumerate(pages, start=1):
        if CONTROL_CHARACTERS.search(page_text):
            # A space keeps every offset and the line map as they were.
            page_text, n = CONTROL_CHARACTERS.subn(" ", page_text)
            replaced += n
        if page_text.endswith("\n"):
            page_text = page_text[:-1]
        page_lines = page_text.split("\n")
        for t in page_lines:
            number += 1
            lines.append(construct(number, t, offset, p if paged else None))
            offset += len(t) + 1
        texts.append(page_text)
    text = "\n".join(texts)
    if replaced:
        log.info("%s: %d control characters read as spaces", where, replaced)
    metadata, header_lines = (
        read_header([ln.text for ln in lines[:64]]) if fmt == "txt" else (SourceInfo(), 0)
    )
    return LoadedDocument(
        path=where,
        name=name,
        format=fmt,  # type: ignore[arg-type]
        text=text,
        lines=lines,
        sha256=sha,
        encoding=encoding,
        page_count=page_count if page_count is not None else (len(pages) if paged else None),
        metadata=metadata,
        header_lines=header_lines,
    )

"""Loading .txt (several encodings), .pdf and .docx, and refusing what is not a document."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from helsegraf.core.errors import HelsegrafError
from helsegraf.ingest.load import load, load_text

TEXT = "Innspill fra Skaun kommune\nKommunene ønsker økt samhandling med sykehuset.\n"


def _pdf(path: Path, pages: list[list[str]], **kw) -> Path:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), **kw)
    for lines in pages:
        y = 750
        for line in lines:
            c.drawString(72, y, line)
            y -= 16
        c.showPage()
    c.save()
    return path


def test_utf8_text_lines_and_offsets(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text(TEXT, encoding="utf-8")
    doc = load(f)
    assert doc.encoding == "utf-8" and doc.format == "txt"
    assert [ln.text for ln in doc.lines] == TEXT.rstrip("\n").split("\n")
    second = doc.lines[1]
    assert doc.text[second.start : second.start + len(second.text)] == second.text
    assert doc.lines[0].page is None
    assert len(doc.sha256) == 64


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_single_byte_encoding_is_detected_and_recorded(tmp_path: Path, encoding: str) -> None:
    f = tmp_path / "l.txt"
    f.write_bytes(TEXT.encode(encoding))
    doc = load(f)
    assert doc.lines[1].text.startswith("Kommunene ønsker økt")
    assert doc.encoding in {"cp1252", "latin_1", "iso8859_15"}


def test_utf16_with_bom(tmp_path: Path) -> None:
    f = tmp_path / "u.txt"
    f.write_bytes(TEXT.encode("utf-16"))
    doc = load(f)
    assert doc.encoding == "utf-16"
    assert doc.lines[0].text == "Innspill fra Skaun kommune"


def test_crlf_and_form_feed_pages(tmp_path: Path) -> None:
    f = tmp_path / "p.txt"
    f.write_bytes(b"side en\r\nmer\r\n\x0cside to\r\n")
    doc = load(f)
    assert [(ln.text, ln.page) for ln in doc.lines] == [("side en", 1), ("mer", 1), ("side to", 2)]


def test_pdf_text_per_page(tmp_path: Path) -> None:
    f = _pdf(tmp_path / "d.pdf", [["Innspill fra Skaun kommune", "Første side"], ["Andre side"]])
    doc = load(f)
    assert doc.format == "pdf" and doc.page_count == 2
    pages = {ln.text.strip(): ln.page for ln in doc.lines if ln.text.strip()}
    assert pages["Innspill fra Skaun kommune"] == 1
    assert pages["Andre side"] == 2


def test_docx_paragraphs_and_table_cells_in_order(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("Handlingsplan")
    table = d.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Evaluering av KØHD"
    table.cell(0, 1).text = "ASU"
    d.add_paragraph("Slutt")
    f = tmp_path / "d.docx"
    d.save(str(f))
    doc = load(f)
    texts = [ln.text for ln in doc.lines if ln.text]
    # a table row is one line, its cells separated by tabs
    assert texts == ["Handlingsplan", "Evaluering av KØHD\tASU", "Slutt"]


def _error(path: Path, **kw) -> str:
    with pytest.raises(HelsegrafError) as info:
        load(path, **kw)
    msg = str(info.value)
    assert path.name in msg and "\n" not in msg
    return msg


def test_empty_file(tmp_path: Path) -> None:
    f = tmp_path / "empty.txt"
    f.write_bytes(b"")
    assert "empty" in _error(f)


def test_binary_junk(tmp_path: Path) -> None:
    f = tmp_path / "junk.txt"
    f.write_bytes(bytes(range(256)) * 8)
    assert "binary" in _error(f)


def test_size_limit_before_reading(tmp_path: Path) -> None:
    f = tmp_path / "big.txt"
    f.write_text("x" * 2000, encoding="utf-8")
    assert "limit" in _error(f, max_bytes=1000)


def test_missing_file(tmp_path: Path) -> None:
    assert "no such file" in _error(tmp_path / "nope.txt")


def test_encrypted_pdf(tmp_path: Path) -> None:
    from reportlab.lib import pdfencrypt

    f = _pdf(tmp_path / "enc.pdf", [["Hemmelig"]], encrypt=pdfencrypt.StandardEncryption("pw"))
    assert "encrypted" in _error(f)


def test_pdf_with_only_an_owner_password_is_read_and_said_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # An empty user password with an owner password (no printing, no copying) is how many
    # public PDFs come: every viewer opens them without asking. Read it, and say so.
    from reportlab.lib import pdfencrypt

    enc = pdfencrypt.StandardEncryption("", ownerPassword="eier", canPrint=0, canCopy=0)
    f = _pdf(tmp_path / "laast.pdf", [["Innspill fra Skaun kommune"]], encrypt=enc)
    with caplog.at_level("WARNING", logger="helsegraf.ingest.load"):
        doc = load(f)
    assert doc.lines[0].text.strip() == "Innspill fra Skaun kommune"
    warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("laast.pdf" in m and "empty user password" in m for m in warned), warned


def test_truncated_pdf(tmp_path: Path) -> None:
    good = _pdf(tmp_path / "good.pdf", [["Tekst"]])
    f = tmp_path / "cut.pdf"
    f.write_bytes(good.read_bytes()[:300])
    assert "truncated or corrupt" in _error(f)


def test_scanned_pdf_without_text_layer(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    f = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(f))
    c.rect(50, 50, 200, 200, fill=1)
    c.save()
    assert "no text layer" in _error(f)


def test_docx_that_is_a_zip_of_something_else(tmp_path: Path) -> None:
    f = tmp_path / "fake.docx"
    with zipfile.ZipFile(f, "w") as z:
        z.writestr("notes.txt", "hei")
    assert "not a Word document" in _error(f)


def test_many_short_lines_load(tmp_path: Path) -> None:
    # (the million-line timing is measured outside the test suite; see docs/extraction.md)
    f = tmp_path / "many.txt"
    f.write_bytes(b"a\n" * 200_000)
    doc = load(f)
    assert len(doc.lines) == 200_000
    assert doc.lines[-1].start == 2 * 199_999
    assert doc.lines[-1].model_dump() == {
        "number": 200_000,
        "text": "a",
        "start": 399_998,
        "page": None,
    }


def test_load_text_in_memory() -> None:
    doc = load_text("Linje en\nLinje to", "mem.txt")
    assert doc.name == "mem.txt" and [ln.number for ln in doc.lines] == [1, 2]
    with pytest.raises(HelsegrafError):
        load_text("   ", "blank.txt")


def _short_corpus_lines() -> list[str]:
    """Every line of the sample corpus that holds a letter outside ASCII: real Norwegian text,
    short enough that statistical detection of its encoding is least sure."""
    corpus = Path(__file__).resolve().parents[1] / "samples" / "corpus"
    lines = {
        line.strip()
        for f in sorted(corpus.glob("*.txt"))
        for line in f.read_text(encoding="utf-8").splitlines()
        if any(ord(ch) > 127 for ch in line) and line.strip()
    }
    return sorted(lines)


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_short_single_byte_texts_read_as_written(encoding: str) -> None:
    from helsegraf.ingest.load import load_bytes

    lines = _short_corpus_lines()
    assert len(lines) > 500
    misread: list[str] = []
    checked = 0
    for line in lines:
        try:
            data = (line + "\n").encode(encoding)
        except UnicodeEncodeError:
            continue
        checked += 1
        try:
            doc = load_bytes(data, "kort.txt")
        except HelsegrafError as exc:
            misread.append(f"{line!r}: {exc}")
            continue
        if doc.text != line or doc.encoding not in {"cp1252", "latin_1"}:
            misread.append(f"{line!r} read as {doc.text!r} ({doc.encoding})")
    assert checked > 400
    assert not misread, f"{len(misread)} of {checked} misread, e.g. {misread[:3]}"


def test_nordic_dos_text_is_still_told_from_cp1252(tmp_path: Path) -> None:
    # In cp865 (Nordic DOS) ø and å are bytes that cp1252 reads as '›' and '†': the western
    # preference must not override a reading that is clearly more Norwegian.
    text = "Innspill fra Bodø kommune\nKommunene ønsker økt samhandling på tvers av nivåene.\n"
    f = tmp_path / "dos.txt"
    f.write_bytes(text.encode("cp865"))
    doc = load(f)
    assert doc.text == text.rstrip("\n")
    assert doc.encoding not in {"cp1252", "latin_1", "iso8859_15"}

"""Bad input through the real command line: one clear line naming the file and the reason,
a non-zero exit, no traceback (unless ``--debug``); good but unusual input (Latin-1, UTF-16,
odd file names, symlink loops) succeeds with the right text.

Every command runs as a subprocess with ``HELSEGRAF_DATA_DIR`` in a temporary directory, the
way a user runs it. The ``ingest`` tests check the graph afterwards: a refused document leaves
no trace in it.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HELSEGRAF = Path(sys.executable).parent / "helsegraf"
CORPUS = ROOT / "samples" / "corpus"

# A short consultation response with Norwegian letters in the sentences the extractor quotes.
INNSPILL = (
    "Innspill til nasjonal helse- og samhandlingsplan fra Bodø kommune\n"
    "\n"
    "Personell og kompetanse - hva er de viktigste utfordringene?\n"
    "\n"
    "Rekruttering av sykepleiere og fastleger er en stor utfordring for små kommuner i nord.\n"
    "Det er mangel på kompetanse i sjukeheimene, og ventetida for pasientene blir lengre.\n"
    "\n"
    "Hvilke tiltak er aktuelle?\n"
    "\n"
    "Vi ønsker flere utdanningsplasser for sykepleiere og økt bruk av desentralisert utdanning.\n"
)


def run(
    args: list[str], data_dir: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run ``helsegraf ARGS`` as a user would, against the store in ``data_dir``."""
    full_env = {
        **os.environ,
        "HELSEGRAF_DATA_DIR": str(data_dir),
        "HELSEGRAF_WORKERS": "1",
        **(env or {}),
    }
    return subprocess.run(
        [str(HELSEGRAF), *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        cwd=data_dir.parent,
    )


def assert_one_line_error(proc: subprocess.CompletedProcess[str], path: Path, *reasons: str) -> str:
    """The run failed with exactly one line on stderr naming ``path`` and one of ``reasons``."""
    assert proc.returncode != 0, f"accepted bad input {path.name}: {proc.stdout[:300]}"
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, f"expected one error line, got {len(lines)}:\n{proc.stderr}"
    line = lines[0]
    assert path.name in line, line
    assert any(r in line.lower() for r in reasons), f"no reason among {reasons}: {line}"
    return line


# --------------------------------------------------------------------------- bad files


def _text_pdf(path: Path, lines: list[str]) -> Path:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path))
    y = 800
    for ln in lines:
        c.drawString(40, y, ln)
        y -= 16
    c.showPage()
    c.save()
    return path


def _encrypted_pdf(path: Path) -> Path:
    from pypdf import PdfReader, PdfWriter

    plain = _text_pdf(path.with_name("plain-" + path.name), INNSPILL.splitlines())
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt(user_password="hemmelig", owner_password="eier", algorithm="RC4-128")
    with path.open("wb") as fh:
        writer.write(fh)
    plain.unlink()
    return path


def _scanned_pdf(path: Path) -> Path:
    """A PDF with only drawings and an image: what a scanner without OCR produces."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    png = path.with_suffix(".png")
    # a tiny grey 2x2 PNG, written by hand so no imaging library is needed
    import struct
    import zlib

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    raw = b"\x00\x80\x80\x00\x80\x80"
    png.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    c = canvas.Canvas(str(path))
    c.drawImage(ImageReader(str(png)), 50, 400, width=400, height=300)
    c.rect(50, 50, 300, 200, fill=1)
    c.showPage()
    c.save()
    png.unlink()
    return path


def _bad_files(tmp: Path) -> Iterator[tuple[str, Path, tuple[str, ...]]]:
    """(case, file, words one of which the reason must contain)."""
    empty = tmp / "tom fil.txt"
    empty.write_bytes(b"")
    yield "empty", empty, ("empty",)

    junk = tmp / "søppel.pdf"
    junk.write_bytes(bytes((i * 7919 + 13) % 256 for i in range(20_000)))
    yield "binary junk named .pdf", junk, ("pdf", "corrupt", "binary")

    good = _text_pdf(tmp / "whole.pdf", INNSPILL.splitlines())
    cut = tmp / "avkortet.pdf"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    yield "truncated pdf", cut, ("truncated", "corrupt")

    yield "encrypted pdf", _encrypted_pdf(tmp / "kryptert.pdf"), ("encrypted", "password")
    yield "scanned pdf", _scanned_pdf(tmp / "skannet.pdf"), ("no text", "scanned", "ocr")

    fake = tmp / "ikke word.docx"
    with zipfile.ZipFile(fake, "w") as z:
        z.writestr("bilder/notat.txt", "dette er ikke et Word-dokument")
    yield "docx that is another zip", fake, ("word", "docx")

    binary_txt = tmp / "binær.txt"
    binary_txt.write_bytes(bytes(range(256)) * 40)
    yield "binary named .txt", binary_txt, ("binary", "encoding", "text")


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, Path, tuple[str, ...]]]:
    return list(_bad_files(tmp_path_factory.mktemp("bad")))


def test_extract_bad_files_one_line_each(bad_files, tmp_path: Path) -> None:
    for case, path, reasons in bad_files:
        proc = run(["extract", str(path)], tmp_path / "data")
        try:
            assert_one_line_error(proc, path, *reasons)
        except AssertionError as exc:
            raise AssertionError(f"{case}: {exc}") from None


def test_debug_shows_the_traceback(bad_files, tmp_path: Path) -> None:
    _, path, _ = bad_files[0]
    proc = run(["--debug", "extract", str(path)], tmp_path / "data")
    assert proc.returncode != 0
    assert "Traceback" in proc.stderr and "HelsegrafError" in proc.stderr


def test_error_line_does_not_wrap_at_terminal_width(tmp_path: Path) -> None:
    """A long reason under a long path stays one line even in a narrow terminal."""
    deep = tmp_path / ("en-veldig-lang-mappe-" * 4) / "avkortet dokument med langt navn.pdf"
    deep.parent.mkdir(parents=True)
    good = _text_pdf(tmp_path / "g.pdf", INNSPILL.splitlines())
    deep.write_bytes(good.read_bytes()[:400])
    proc = run(["extract", str(deep)], tmp_path / "data", env={"COLUMNS": "40"})
    assert_one_line_error(proc, deep, "truncated", "corrupt")


# --------------------------------------------------------------------------- good but unusual


def _extracted_strings(data: dict) -> list[str]:
    out = [data.get("title") or ""]
    for key in ("challenges", "measures", "examples"):
        out.extend(s["quote"] for s in data.get(key, []))
    out.extend(a for v in data.get("voices", []) for a in v["authors"])
    return out


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16"])
def test_latin1_and_utf16_text_is_read_right(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / f"innspill-{encoding}.txt"
    path.write_bytes(INNSPILL.encode(encoding))
    proc = run(["extract", str(path)], tmp_path / "data")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    strings = _extracted_strings(data)
    quotes = [*data["challenges"], *data["measures"]]
    assert quotes, "nothing extracted from an obvious text"
    for s in quotes:
        # mis-decoded text would not be a substring of the text as written
        assert s["quote"] in INNSPILL, s["quote"]
    assert any(ch in "".join(strings) for ch in "æøå"), strings
    assert "Ã" not in json.dumps(data, ensure_ascii=False)  # no mojibake anywhere


def test_names_with_spaces_and_non_ascii(tmp_path: Path) -> None:
    folder = tmp_path / "innspill høring 2022"
    folder.mkdir()
    good = folder / "Innspill fra Bodø kommune (høring) – endelig.txt"
    good.write_text(INNSPILL, encoding="utf-8")
    proc = run(["extract", str(good)], tmp_path / "data")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["document"] == good.name

    bad = folder / "Tromsø – tom fil.txt"
    bad.write_bytes(b"")
    assert_one_line_error(run(["extract", str(bad)], tmp_path / "data"), bad, "empty")

    # brackets look like console markup; the name must come out as written
    # ("[" / "x] utkast" makes the path read ".../[/x] utkast/...", a closing tag)
    for odd in (folder / "[utkast] innspill.txt", folder / "[" / "x] utkast" / "tom.txt"):
        odd.parent.mkdir(parents=True, exist_ok=True)
        odd.write_bytes(b"")
        line = assert_one_line_error(run(["extract", str(odd)], tmp_path / "data"), odd, "empty")
        assert str(odd) in line, line


def test_size_limit_is_a_setting(tmp_path: Path) -> None:
    path = tmp_path / "stor.txt"
    path.write_text(INNSPILL * 5, encoding="utf-8")
    proc = run(["extract", str(path)], tmp_path / "data", {"HELSEGRAF_MAX_DOCUMENT_BYTES": "200"})
    line = assert_one_line_error(proc, path, "limit")
    assert "HELSEGRAF_MAX_DOCUMENT_BYTES" in line
    ok = run(["extract", str(path)], tmp_path / "data")
    assert ok.returncode == 0, ok.stderr


def _limit_memory(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def test_large_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    """A sparse 8 GB file under a 1.5 GB address-space limit: reading it whole would die of
    MemoryError; refusing it by its size answers at once."""
    path = tmp_path / "enorm.txt"
    with path.open("wb") as fh:
        fh.truncate(8 * 1024**3)
    env = {**os.environ, "HELSEGRAF_DATA_DIR": str(tmp_path / "data")}
    proc = subprocess.run(
        [str(HELSEGRAF), "extract", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        preexec_fn=lambda: _limit_memory(1536 * 1024**2),
    )
    assert_one_line_error(proc, path, "limit")


def test_a_million_lines_of_one_character(tmp_path: Path) -> None:
    """Finishes without a crash: either nothing is extracted or it is refused clearly
    (here by the time limit, set low so the test stays short)."""
    path = tmp_path / "million.txt"
    path.write_bytes(b"a\n" * 1_000_000)
    started = time.monotonic()
    proc = run(
        ["extract", str(path)], tmp_path / "data", {"HELSEGRAF_DOCUMENT_TIMEOUT_S": "2"}, 180
    )
    elapsed = time.monotonic() - started
    assert "Traceback" not in proc.stderr, proc.stderr
    if proc.returncode == 0:
        data = json.loads(proc.stdout)
        assert not data["challenges"] and not data["measures"] and not data["examples"]
    else:
        assert_one_line_error(proc, path, "time", "limit", "too many")
    assert elapsed < 150, f"took {elapsed:.0f} s"


def test_time_limit_stops_a_document_inside_a_stage(tmp_path: Path) -> None:
    """The per-document time limit is a real limit: a document whose single stages each take
    many seconds is stopped close to the limit, not at the end of the stage it is in."""
    from helsegraf.core.errors import HelsegrafError
    from helsegraf.ingest import load
    from helsegraf.ingest.pipeline import extract_loaded

    path = tmp_path / "million.txt"
    path.write_bytes(b"a\n" * 1_000_000)
    doc = load.load(path)
    started = time.monotonic()
    with pytest.raises(HelsegrafError) as info:
        extract_loaded(doc, timeout_s=1.0)
    elapsed = time.monotonic() - started
    assert "HELSEGRAF_DOCUMENT_TIMEOUT_S" in str(info.value) and path.name in str(info.value)
    assert elapsed < 6, f"stopped after {elapsed:.1f} s with a limit of 1 s"


def test_symlink_loop_in_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "mappe"
    (folder / "under").mkdir(parents=True)
    (folder / "under" / "innspill.txt").write_text(INNSPILL, encoding="utf-8")
    (folder / "under" / "løkke").symlink_to(folder, target_is_directory=True)
    (folder / "selv").symlink_to(folder / "selv")  # a link to itself
    proc = run(["extract", str(folder), "--keep-going"], tmp_path / "data", timeout=60)
    assert proc.returncode == 0, proc.stderr
    docs = json.loads(proc.stdout)
    assert [d["document"] for d in docs] == ["innspill.txt"]


def test_extract_folder_keep_going_reports_the_bad_and_extracts_the_rest(
    bad_files, tmp_path: Path
) -> None:
    folder = tmp_path / "mappe"
    folder.mkdir()
    (folder / "a-god.txt").write_text(INNSPILL, encoding="utf-8")
    (folder / "z-god.txt").write_text(INNSPILL.replace("Bodø", "Tromsø"), encoding="utf-8")
    for _, path, _ in bad_files:
        (folder / path.name).write_bytes(path.read_bytes())
    proc = run(["extract", str(folder), "--keep-going"], tmp_path / "data")
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    docs = json.loads(proc.stdout)
    assert sorted(d["document"] for d in docs) == ["a-god.txt", "z-god.txt"]
    for _, path, _ in bad_files:
        assert path.name in proc.stderr, path.name


# --------------------------------------------------------------------------- ingest


def _graph_strings(data_dir: Path) -> tuple[dict[str, int], str]:
    """Node counts and every string property of the graph in ``data_dir``, joined."""
    from helsegraf.core.config import Settings
    from helsegraf.graph.store import open_store

    with open_store(Settings(data_dir=data_dir)) as store:
        counts = store.counts()
        rows = store.query("MATCH (n) RETURN [k IN keys(n) | n[k]] AS v", timeout_ms=0, row_cap=0)
    strings = [str(v) for r in rows for v in r["v"]]
    return counts, "\n".join(strings)


def test_ingest_folder_keeps_going_and_summarises_failures(bad_files, tmp_path: Path) -> None:
    folder = tmp_path / "mappe"
    folder.mkdir()
    (folder / "a-god.txt").write_text(INNSPILL, encoding="utf-8")
    (folder / "z-god.txt").write_text(INNSPILL.replace("Bodø", "Tromsø"), encoding="utf-8")
    for _, path, _ in bad_files:
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "løkke").symlink_to(folder, target_is_directory=True)
    data = tmp_path / "data"
    proc = run(["ingest", str(folder)], data, timeout=300)
    assert proc.returncode != 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    out = proc.stdout + proc.stderr
    for _, path, _ in bad_files:
        assert path.name in out, f"{path.name} not named in the summary"
    # the run ends with a summary: the count, then every failing file
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    summary = "\n".join(lines[-(len(bad_files) + 1) :])
    assert str(len(bad_files)) in summary.splitlines()[0], f"no summary at the end:\n{summary}"
    for _, path, _ in bad_files:
        assert path.name in summary, f"{path.name} missing from the summary:\n{summary}"
    counts, strings = _graph_strings(data)
    assert counts["Dokument"] == 2, counts
    assert "a-god.txt" in strings and "z-god.txt" in strings
    for _, path, _ in bad_files:
        assert path.name not in strings, f"a trace of {path.name} is in the graph"


def test_ingest_single_bad_file_is_one_line(bad_files, tmp_path: Path) -> None:
    _, path, reasons = bad_files[3]  # the encrypted PDF
    proc = run(["ingest", str(path)], tmp_path / "data", timeout=120)
    assert_one_line_error(proc, path, *reasons)


@pytest.mark.parametrize(
    "setting", ["HELSEGRAF_MAX_DOCUMENT_BYTES", "HELSEGRAF_DOCUMENT_TIMEOUT_S"]
)
def test_ingest_limit_leaves_no_trace(tmp_path: Path, setting: str) -> None:
    """A document over a limit is reported and not half-loaded; a small one beside it loads."""
    folder = tmp_path / "mappe"
    folder.mkdir()
    small = folder / "liten.txt"
    small.write_text(INNSPILL, encoding="utf-8")
    big = folder / "stor.txt"
    big.write_text((CORPUS / "003_703938f9d97872b5.txt").read_text(encoding="utf-8"), "utf-8")
    data = tmp_path / "data"
    if setting == "HELSEGRAF_DOCUMENT_TIMEOUT_S":
        proc = run(["ingest", str(big)], data, {setting: "0.0001"}, timeout=300)
        assert_one_line_error(proc, big, "time", "limit")
    else:
        proc = run(["ingest", str(folder)], data, {setting: str(len(INNSPILL.encode()) + 10)}, 300)
        assert proc.returncode != 0
        assert "stor.txt" in proc.stdout + proc.stderr
        assert "Traceback" not in proc.stderr
    counts, strings = _graph_strings(data)
    assert "stor.txt" not in strings, "a trace of the refused document is in the graph"
    assert_no_orphans(data)
    expected_docs = 0 if setting == "HELSEGRAF_DOCUMENT_TIMEOUT_S" else 1
    assert counts["Dokument"] == expected_docs, counts
    if expected_docs == 0:
        assert counts["Stemme"] == counts["Utsagn"] == 0, counts


def assert_no_orphans(data_dir: Path) -> None:
    """Every voice and statement belongs to a document that is in the graph."""
    from helsegraf.core.config import Settings
    from helsegraf.graph.store import open_store

    with open_store(Settings(data_dir=data_dir)) as store:
        docs = {r["id"] for r in store.query("MATCH (d:Dokument) RETURN d.id AS id", row_cap=0)}
        for lab in ("Stemme", "Utsagn"):
            rows = store.query(f"MATCH (n:{lab}) RETURN DISTINCT n.doc_id AS d", row_cap=0)
            stray = {r["d"] for r in rows} - docs
            assert not stray, f"{lab} nodes of documents not in the graph: {stray}"


def test_an_error_keeps_its_file_and_reason_across_processes() -> None:
    """Extraction runs in worker processes: an error pickled back to the parent still names
    its file and reason apart (the API names the file without the server's path)."""
    import pickle

    from helsegraf.core.errors import HelsegrafError
    from helsegraf.graph.errors import GraphError

    for cls in (HelsegrafError, GraphError):
        err = pickle.loads(pickle.dumps(cls("binary data", "/srv/data/uploads/x/a.txt")))
        assert type(err) is cls
        assert (err.reason, err.path) == ("binary data", "/srv/data/uploads/x/a.txt")
        assert str(err) == "/srv/data/uploads/x/a.txt: binary data"

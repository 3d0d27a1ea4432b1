"""The pipeline end to end: text, PDF, folders, determinism, the extract command."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helsegraf.core.errors import HelsegrafError
from helsegraf.ingest.pipeline import extract_file, extract_text, iter_documents

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "corpus"

INNSPILL = (
    "Skaun 30.09.22 \n\n"
    "Innspill til nasjonal helse- og samhandlingsplan. \n\n"
    "Fra kommunene Skaun, Orkland og Rindal \n\n \n\n"
    "Personell og kompetanse- hva er de viktigste utfordringene å adressere? \n\n"
    "Rekruttering av nødvendig kompetanse er en utfordring, både i de mer sentrale strøk, men også \n\n"
    "spesielt i distriktene. Fastlegeordningen er ikke bærekraftig slik det er nå. \n\n"
    "Personell og kompetanse - hvilke tiltak er aktuelle? \n\n"
    "Antall studieplasser innenfor helsefagene må økes, og vi ønsker økt bruk av videokonsultasjon. \n"
)


def test_extract_text_end_to_end() -> None:
    x = extract_text(INNSPILL, "innspill.txt")
    assert x.document == "innspill.txt" and x.kind == "innspill" and x.date == "2022-09-30"
    assert x.extractor and x.extractor.startswith("helsegraf ")
    assert [v.authors for v in x.voices] == [["Skaun kommune", "Orkland kommune", "Rindal kommune"]]
    names = {a.name for a in x.actors}
    assert {"Skaun kommune", "Orkland kommune", "Rindal kommune"} <= names
    assert len(names) == len(x.actors)  # each actor once
    lines = INNSPILL.split("\n")
    statements = [*x.challenges, *x.measures]
    assert statements, "the classifier found nothing in an obvious text"
    for s in statements:
        assert s.quote in lines[s.line - 1]
        assert s.id and s.voice == "v1"
    pairs = [(s.voice, s.concept) for s in x.challenges]
    assert len(pairs) == len(set(pairs))


def test_same_input_same_json() -> None:
    a = extract_text(INNSPILL, "a.txt").model_dump_json()
    b = extract_text(INNSPILL, "a.txt").model_dump_json()
    assert a == b
    c = extract_text(INNSPILL + "\nEkstra linje.\n", "a.txt")
    assert json.loads(a)["id"] != c.id  # ids follow the content


def _pdf_from_text(text: str, path: Path, per_page: int = 45) -> Path:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font = "Helvetica"
    for candidate in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",):
        if os.path.exists(candidate):
            pdfmetrics.registerFont(TTFont("DejaVu", candidate))
            font = "DejaVu"
    c = canvas.Canvas(str(path))
    lines = [ln for ln in text.split("\n") if ln.strip()]
    for start in range(0, len(lines), per_page):
        c.setFont(font, 9)
        y = 800
        for ln in lines[start : start + per_page]:
            c.drawString(40, y, ln.replace("\uf0b7", "-"))
            y -= 16
        c.showPage()
    c.save()
    return path


def test_pdf_of_a_sample_gives_the_same_voices_as_its_text(tmp_path: Path) -> None:
    src = SAMPLES / "000_b211a8940c2d5fc4.txt"
    from_text = extract_file(src)
    pdf = _pdf_from_text(src.read_text(encoding="utf-8"), tmp_path / "000.pdf")
    from_pdf = extract_file(pdf)
    assert from_pdf.format == "pdf" and (from_pdf.pages or 0) > 1
    assert [v.authors for v in from_pdf.voices] == [v.authors for v in from_text.voices]
    assert from_pdf.kind == from_text.kind and from_pdf.date == from_text.date
    for s in [*from_pdf.challenges, *from_pdf.measures]:
        assert s.page is not None


def test_iter_documents_recursive_sorted_and_loop_safe(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "a").mkdir()
    (tmp_path / "b" / "2.txt").write_text("x", encoding="utf-8")
    (tmp_path / "a" / "1.pdf").write_bytes(b"%PDF")
    (tmp_path / "a" / "notes.md").write_text("x", encoding="utf-8")
    (tmp_path / "c.docx").write_bytes(b"PK")
    (tmp_path / "a" / "loop").symlink_to(tmp_path, target_is_directory=True)
    found = [p.relative_to(tmp_path).as_posix() for p in iter_documents([tmp_path])]
    assert found == ["a/1.pdf", "b/2.txt", "c.docx"]
    with pytest.raises(HelsegrafError):
        list(iter_documents([tmp_path / "missing"]))


def test_extract_command_prints_json_and_fails_in_one_line(tmp_path: Path) -> None:
    from helsegraf.cli import app

    doc = tmp_path / "innspill.txt"
    doc.write_text(INNSPILL, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["extract", str(doc)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["document"] == "innspill.txt"

    out = tmp_path / "out"
    result = runner.invoke(app, ["extract", str(tmp_path), "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "innspill.txt.json").is_file()

    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = runner.invoke(app, ["extract", str(empty)])
    assert result.exit_code != 0
    assert isinstance(result.exception, HelsegrafError) and "empty.txt" in str(result.exception)


def test_word_action_plan_table_rows(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("Handlingsplan for samhandling 2023–2026")
    table = d.add_table(rows=3, cols=4)
    rows = [
        ["Nr.", "Tiltak", "Ansvarlig", "Når"],
        ["1", "Evaluere bruken av KØHD-sengene", "ASU", "2024"],
        ["2", "Etablere felles fagråd for rehabilitering", "Kommunene og HF", "Fortløpende"],
    ]
    for r, values in enumerate(rows):
        for c, v in enumerate(values):
            table.cell(r, c).text = v
    d.add_paragraph("Planen rulleres årlig.")
    path = tmp_path / "plan.docx"
    d.save(str(path))

    from helsegraf.ingest import normalise, segment
    from helsegraf.ingest.load import load

    doc = segment.run(normalise.run(load(path)))
    assert doc.kind == "handlingsplan"
    row_blocks = [b for b in doc.doc.blocks if b.kind == "table_row"]
    assert [b.text for b in row_blocks] == [
        "Evaluere bruken av KØHD-sengene",
        "Etablere felles fagråd for rehabilitering",
    ]
    fields = [doc.table_rows[b.index] for b in row_blocks]
    assert [(f.number, f.responsible, f.when) for f in fields] == [
        ("1", ["ASU"], "2024"),
        ("2", ["Kommunene og HF"], "Fortløpende"),
    ]
    assert doc.doc.blocks[-1].text == "Planen rulleres årlig."


def test_time_limit_stops_a_document() -> None:
    with pytest.raises(HelsegrafError) as info:
        extract_text(INNSPILL * 20, "slow.txt", timeout_s=1e-4)
    assert "slow.txt" in str(info.value) and "longer than" in str(info.value)
    # the next document runs normally again (the alarm is cleared)
    assert extract_text(INNSPILL, "ok.txt").voices


def test_annet_measures_with_different_labels_stay_apart() -> None:
    text = (
        "Innspill fra Skaun kommune\n\n"
        "Hvilke tiltak er aktuelle?\n\n"
        "• Kommunen bør male gjerdet rundt rådhuset i en lysere farge til våren.\n"
        "• Vi ønsker at kantina på rådhuset serverer varm lunsj hver fredag.\n"
    )
    x = extract_text(text, "annet.txt")
    annet = [m for m in x.measures if m.concept == "tiltak/annet"]
    assert len(annet) == 2, [m.quote for m in x.measures]
    assert len({m.label for m in annet}) == 2 and len({m.id for m in annet}) == 2


def test_a_nynorsk_appendix_voice_has_its_own_language() -> None:
    text = (
        "Innspill til nasjonal helse- og samhandlingsplan\n\n"
        "Innspill fra Skaun kommune\n\n"
        "Hva er de viktigste utfordringene? Det er vanskelig å rekruttere sykepleiere, og "
        "kommunene har ikke nok fastleger. Hvordan kan vi løse dette?\n\n"
        "Vedlegg 1\n\n"
        "Innspel frå Sunndal kommune\n\n"
        "Kva er dei viktigaste utfordringane? Det er vanskeleg å rekruttere sjukepleiarar, og "
        "kommunane har ikkje nok fastlegar. Korleis kan vi løyse dette frå no av?\n"
    )
    x = extract_text(text, "vedlegg.txt")
    assert x.language == "nb"
    assert [v.language for v in x.voices] == ["nb", "nn"], [v.authors for v in x.voices]


def test_text_helpers_compute_once_per_document_and_not_across_documents() -> None:
    """Inside one document a helper marked per_document computes each result once, whatever
    its LRU cache holds; outside a document it computes every time; documents share nothing."""
    from helsegraf.ingest.lexicon import document_scope, per_document

    calls: list[tuple[int, int]] = []

    @per_document
    def plus(x: int, *, y: int = 0) -> int:
        calls.append((x, y))
        return x + y

    assert plus(1) == 1 and plus(1) == 1
    assert len(calls) == 2  # no document: no memory
    with document_scope():
        assert [plus(1), plus(1), plus(1, y=1), plus(1, y=1)] == [1, 1, 2, 2]
        with document_scope():  # a document extracted inside another keeps its own memory
            assert plus(1) == 1
    assert calls[2:] == [(1, 0), (1, 1), (1, 0)]
    with document_scope():
        plus(1)
    assert len(calls) == 6


def test_a_document_larger_than_the_text_caches_tokenises_each_sentence_once() -> None:
    """More distinct sentences than the tokeniser's LRU cache holds: every stage after the
    first finds a sentence's tokens remembered (the LRU alone evicted them between stages,
    so extraction was superlinear in document size)."""
    from helsegraf.ingest import lexicon

    n = 5000
    text = "Innspill fra Testvik kommune\n\n" + "\n\n".join(
        f"Kommune {i} må styrke rekrutteringen av fastleger innen {i + 1} år." for i in range(n)
    )
    counted: list[str] = []
    inner = lexicon._tokens.__wrapped__  # the LRU-cached function under the document memory

    def counting(t: str) -> tuple[lexicon.Token, ...]:
        counted.append(t)
        return inner(t)

    remembered = lexicon.per_document(counting)
    import unittest.mock as mock

    inner.cache_clear()
    with mock.patch.object(lexicon, "_tokens", remembered):
        extract_text(text, "many.txt", timeout_s=600)
    assert len(counted) >= n
    assert len(counted) == len(set(counted))

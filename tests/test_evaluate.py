"""Evaluation: precision/recall/F1 on tiny hand-made gold/prediction pairs."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from helsegraf.cli import app
from helsegraf.core.errors import HelsegrafError
from helsegraf.ingest.evaluate import compare, evaluate, normalise_name
from helsegraf.ingest.models import Extraction

GOLD = {
    "document": "a.txt",
    "kind": "innspill",
    "voices": [
        {"id": "v1", "authors": ["Skaun kommune", "Orkland kommune"], "lines": [1, 10]},
        {"id": "v2", "authors": ["NAV Trøndelag"], "lines": [11, 20]},
    ],
    "actors": [
        {"name": "Skaun kommune", "type": "Kommune"},
        {"name": "Orkland kommune", "type": "Kommune"},
        {"name": "NAV Trøndelag", "type": "StatligEtat"},
        {"name": "KS", "type": "Organisasjon"},
    ],
    "challenges": [
        {"voice": "v1", "concept": "utfordring/rekruttering", "quote": "q1"},
        {"voice": "v2", "concept": "utfordring/avstand", "quote": "q2"},
    ],
    "measures": [
        {"voice": "v1", "concept": "tiltak/annet", "quote": "q3", "label": "x"},
    ],
    "examples": [
        {"name": "FACT", "aliases": ["FACT-team"], "voice": "v1", "quote": "q4"},
        {"name": "Barneblikk", "voice": "v2", "quote": "q5"},
    ],
}

PRED = {
    "document": "a.txt",
    "voices": [
        # one author found, one missed; voice ids differ from gold on purpose
        {"id": "x1", "authors": ["skaun  KOMMUNE"], "lines": [1, 10]},
        {"id": "x2", "authors": ["NAV Trøndelag"], "lines": [11, 20]},
    ],
    "actors": [
        {"name": "Skaun kommune", "type": "Kommune"},
        {"name": "NAV Trøndelag", "type": "StatligEtat"},
        {"name": "Helse Møre og Romsdal HF", "type": "Helseforetak"},
    ],
    "challenges": [
        {"voice": "x1", "concept": "utfordring/rekruttering", "quote": "p1"},
        {"voice": "x1", "concept": "utfordring/rekruttering", "quote": "p1b"},
        {"voice": "x2", "concept": "utfordring/stram-okonomi", "quote": "p2"},
    ],
    "measures": [],
    "examples": [
        {"name": "FACT – team", "voice": "x1", "quote": "p4"},
        {"name": "Hospital at home", "voice": "x2", "quote": "p5"},
    ],
}


def test_normalise_name_folds_case_dashes_spaces() -> None:
    assert normalise_name(" FACT – Team ") == normalise_name("fact-team")
    assert normalise_name("«Kle deg & Beveg deg!»") == "kle deg & beveg deg"
    assert normalise_name("Helse  Nord-Trøndelag\tHF") == "helse nord-trøndelag hf"


def test_compare_counts_each_category() -> None:
    d = compare(GOLD, PRED)
    s = d.scores
    # actors: gold 4, pred 3, common 2
    assert (s["actors"].tp, s["actors"].fp, s["actors"].fn) == (2, 1, 2)
    assert s["actors"].precision == pytest.approx(2 / 3)
    assert s["actors"].recall == pytest.approx(0.5)
    assert s["actors"].f1 == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))
    # authors: gold {skaun, orkland, nav}, pred {skaun, nav}
    assert (s["authors"].tp, s["authors"].fp, s["authors"].fn) == (2, 0, 1)
    # challenge pairs: gold {(skaun,rekr),(orkland,rekr),(nav,avstand)};
    # pred {(skaun,rekr),(nav,okonomi)} (duplicates collapse)
    assert (s["challenge_pairs"].tp, s["challenge_pairs"].fp, s["challenge_pairs"].fn) == (1, 1, 2)
    assert (s["challenge_concepts"].tp, s["challenge_concepts"].fp) == (1, 1)
    # measures: nothing predicted
    assert (s["measure_pairs"].tp, s["measure_pairs"].fn) == (0, 2)
    assert s["measure_pairs"].f1 == 0.0
    # examples: FACT matches through the alias, Barneblikk missed, Hospital at home extra
    assert (s["examples"].tp, s["examples"].fp, s["examples"].fn) == (1, 1, 1)
    fn_items = {(e.category, e.item) for e in d.errors if e.kind == "fn"}
    assert ("examples", "Barneblikk") in fn_items
    assert ("challenge_pairs", "orkland kommune | utfordring/rekruttering") in fn_items


def test_perfect_prediction_scores_one() -> None:
    d = compare(GOLD, GOLD)
    assert all(s.f1 == 1.0 for s in d.scores.values())


def test_examples_with_shared_alias_count_once() -> None:
    gold = {"document": "b", "voices": [], "examples": [{"name": "SAMAKS", "quote": ""}]}
    pred = {
        "document": "b",
        "voices": [],
        "examples": [
            {"name": "SAM-AKS", "aliases": ["SAMAKS"], "quote": ""},
            {"name": "SAMAKS", "quote": ""},
        ],
    }
    s = compare(gold, pred).scores["examples"]
    assert (s.tp, s.fp, s.fn) == (1, 0, 0)


def _write_gold(tmp: Path) -> Path:
    gold_dir = tmp / "gold"
    gold_dir.mkdir()
    (gold_dir / "a.gold.json").write_text(json.dumps(GOLD), encoding="utf-8")
    second = {**GOLD, "document": "b.txt"}
    (gold_dir / "b.gold.json").write_text(json.dumps(second), encoding="utf-8")
    return gold_dir


def test_evaluate_micro_averages_over_documents(tmp_path: Path) -> None:
    gold_dir = _write_gold(tmp_path)
    preds = {"a.txt": Extraction.model_validate(PRED)}  # b.txt has no prediction
    report = evaluate(gold_dir, preds)
    assert [d.document for d in report.documents] == ["a.txt", "b.txt"]
    act = report.totals["actors"]
    assert (act.tp, act.fp, act.fn) == (2, 1, 6)
    assert report.f1("actors") == pytest.approx(2 * 2 / (2 * 2 + 1 + 6))
    assert report.documents[1].scores["examples"].recall == 0.0


def test_eval_cli_reads_prediction_folder(tmp_path: Path) -> None:
    gold_dir = _write_gold(tmp_path)
    pred_dir = tmp_path / "pred"
    pred_dir.mkdir()
    (pred_dir / "a.json").write_text(json.dumps(PRED), encoding="utf-8")
    result = CliRunner().invoke(
        app, ["eval", str(gold_dir), "--predictions", str(pred_dir), "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["totals"]["authors"]["tp"] == 2
    assert data["totals"]["authors"]["fn"] == 4
    csv_out = CliRunner().invoke(
        app, ["eval", str(gold_dir), "--predictions", str(pred_dir), "--csv"]
    )
    assert csv_out.exit_code == 0
    assert "ALL,examples,1,1,3" in csv_out.output
    table = CliRunner().invoke(
        app, ["eval", str(gold_dir), "--predictions", str(pred_dir), "--show-errors"]
    )
    assert "Barneblikk" in table.output


def test_missing_gold_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(HelsegrafError):
        evaluate(tmp_path / "nope", {})


def test_eval_extracts_documents_from_the_corpus_beside_gold(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "d.txt").write_text(
        "Innspill fra Skaun kommune\n\n"
        "Hva er de viktigste utfordringene?\n\n"
        "Det er vanskelig å rekruttere og beholde sykepleiere.\n",
        encoding="utf-8",
    )
    gold_dir = tmp_path / "gold"
    gold_dir.mkdir()
    gold = {
        "document": "d.txt",
        "voices": [{"id": "v1", "authors": ["Skaun kommune"], "lines": [1, 5]}],
        "actors": [{"name": "Skaun kommune", "type": "Kommune"}],
        "challenges": [{"voice": "v1", "concept": "utfordring/rekruttering", "quote": "x"}],
        "measures": [],
        "examples": [],
    }
    (gold_dir / "d.gold.json").write_text(json.dumps(gold), encoding="utf-8")
    report = evaluate(gold_dir)
    assert report.documents[0].document == "d.txt"
    assert report.totals["challenge_concepts"].tp == 1
    missing = tmp_path / "other"
    missing.mkdir()
    with pytest.raises(HelsegrafError):
        evaluate(gold_dir, corpus_dir=missing)

"""Extraction quality on the sample corpus against its hand annotations.

These are the product's quality targets (micro-averaged F1 over documents). The test
fails until the whole pipeline (segment, actors, classify, examples) reaches them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from helsegraf.ingest.evaluate import EvalReport, evaluate

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "samples" / "gold"
CORPUS = ROOT / "samples" / "corpus"

TARGETS = {
    "actors": 0.85,
    "authors": 0.95,
    "challenge_pairs": 0.70,
    "measure_pairs": 0.60,
    "examples": 0.80,
}


@pytest.fixture(scope="module")
def report() -> EvalReport:
    if not GOLD.is_dir():
        pytest.skip(f"no sample gold annotations at {GOLD}")
    return evaluate(GOLD, corpus_dir=CORPUS)


@pytest.mark.slow
@pytest.mark.parametrize("category", sorted(TARGETS))
def test_micro_f1_reaches_target(report: EvalReport, category: str) -> None:
    score = report.totals[category]
    assert score.f1 >= TARGETS[category], (
        f"{category}: F1 {score.f1:.3f} < {TARGETS[category]} "
        f"(P {score.precision:.3f}, R {score.recall:.3f}, tp {score.tp}, fp {score.fp}, fn {score.fn})"
    )

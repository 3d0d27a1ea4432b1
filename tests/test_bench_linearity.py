"""The benchmark's linearity measure: small and large documents of the same text."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# bench/ is a top-level folder beside the package, run as `python -m bench` from the root.
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench import extraction, report  # noqa: E402

SAMPLES = sorted((REPO / "samples" / "corpus").glob("*.txt"))


def test_the_large_document_is_the_small_ones_joined() -> None:
    """Only the size differs: the large document holds the same documents, in order, as the
    small ones together, and each small one is at least the size asked for (but the last)."""
    big, used = extraction._concatenated(SAMPLES, 10**9)
    assert used == len(SAMPLES)
    smalls, i = [], 0
    while i < used:
        text, i = extraction._concatenated(SAMPLES[:used], 50_000, i)
        smalls.append(text)
    assert "\n\n".join(smalls) == big
    assert all(len(t.encode()) >= 50_000 for t in smalls[:-1])
    assert len(smalls) > 1


def test_linearity_is_measured_and_judged() -> None:
    got = extraction.measure_linearity(SAMPLES[:2], small=10_000, large=60_000)
    assert got["large"]["source_documents"] == 2
    assert got["small"]["documents"] == 2  # each sample is over 10 kB
    assert got["small"]["cpu_s_per_mb"] > 0 and got["large"]["cpu_s_per_mb"] > 0
    ratio = got["large"]["cpu_s_per_mb"] / got["small"]["cpu_s_per_mb"]
    assert abs(got["ratio_large_vs_small"] - ratio) < 0.01
    target = next(
        t
        for t in report.evaluate_targets({"extraction_linearity": got})
        if t["name"] == "extraction linear in document size"
    )
    assert target["met"] == (got["ratio_large_vs_small"] <= 1.2)

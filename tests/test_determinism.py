"""The same input gives the same output, whatever Python's hash seed (set and dict order)."""

import os
import subprocess
import sys
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "corpus" / "003_703938f9d97872b5.txt"


def _extract(seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    out = subprocess.run(
        [sys.executable, "-m", "helsegraf", "extract", str(SAMPLE)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return out.stdout


def test_output_does_not_depend_on_the_hash_seed() -> None:
    first = _extract("1")
    assert '"examples"' in first
    assert _extract("2") == first
    assert _extract("3") == first

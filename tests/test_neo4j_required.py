"""The Neo4j suite cannot silently stop running: under HELSEGRAF_REQUIRE_NEO4J=1 (set by
.ci/run where Java and Maven exist) a skipped Neo4j test fails the run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent

SKIPPING = """
import pytest

def test_plain():
    assert True

@pytest.mark.neo4j
def test_needs_neo4j():
    pytest.skip("no Neo4j here")
"""


def _run(tmp_path: Path, require: bool) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_skipping.py").write_text(SKIPPING, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELSEGRAF_")}
    env["PYTHONPATH"] = str(TESTS)
    if require:
        env["HELSEGRAF_REQUIRE_NEO4J"] = "1"
    # The project's conftest as a plugin: its hooks, over a test file of our own.
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "conftest", "-p", "no:cacheprovider", "."],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize("require", [False, True])
def test_a_skipped_neo4j_test_fails_the_run_only_when_required(
    tmp_path: Path, require: bool
) -> None:
    done = _run(tmp_path, require)
    assert "1 passed, 1 skipped" in done.stdout, done.stdout + done.stderr
    if require:
        assert done.returncode == 1
        assert "Neo4j tests skipped although HELSEGRAF_REQUIRE_NEO4J=1" in done.stdout
    else:
        assert done.returncode == 0, done.stdout + done.stderr

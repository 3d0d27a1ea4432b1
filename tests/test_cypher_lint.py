"""The named Cypher queries pass Neo4j's own parser (the Neo4j dialect check of the CI).

Runs ``.ci/cypher-lint/lint.mjs`` with node; installs its pinned npm package into
``.ci/cypher-lint/node_modules`` first if it is missing. Skipped (with the reason) only when
node or npm is not installed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_DIR = ROOT / ".ci" / "cypher-lint"
QUERIES = ROOT / "queries"


@pytest.fixture(scope="module")
def node() -> str:
    node_bin, npm_bin = shutil.which("node"), shutil.which("npm")
    if not node_bin or not npm_bin:
        pytest.skip("node and npm are needed for the Neo4j Cypher lint (apt install nodejs npm)")
    if not (LINT_DIR / "node_modules" / "@neo4j-cypher" / "language-support").is_dir():
        cmd = "ci" if (LINT_DIR / "package-lock.json").exists() else "install"
        done = subprocess.run(
            [npm_bin, cmd, "--no-audit", "--no-fund"],
            cwd=LINT_DIR,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, f"npm {cmd} failed:\n{done.stderr[-2000:]}"
    return node_bin


def _lint(node: str, directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [node, str(LINT_DIR / "lint.mjs"), str(directory)],
        cwd=LINT_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_named_queries_are_valid_neo4j_cypher(node: str) -> None:
    done = _lint(node, QUERIES)
    assert done.returncode == 0, done.stdout + done.stderr
    checked = len([p for p in QUERIES.glob("*.cypher") if not p.name.endswith(".falkordb.cypher")])
    assert f"{checked} files checked: 0 errors" in done.stdout


def test_the_lint_finds_errors_and_undeclared_parameters(node: str, tmp_path: Path) -> None:
    (tmp_path / "broken.cypher").write_text(
        "// name: broken\n// description: x\n// params: none\nMATCH (n RETURN n\n"
    )
    (tmp_path / "undeclared.cypher").write_text(
        "// name: undeclared\n// description: x\n// params: a (str) x\n"
        "MATCH (n {id: $a}) WHERE n.name = $b RETURN n\n"
    )
    (tmp_path / "only.falkordb.cypher").write_text("this is not cypher at all\n")
    done = _lint(node, tmp_path)
    assert done.returncode == 1
    assert "broken.cypher:4" in done.stdout
    assert "undeclared.cypher" in done.stdout and "$b" in done.stdout
    assert "$a" not in done.stdout
    assert "only.falkordb" not in done.stdout

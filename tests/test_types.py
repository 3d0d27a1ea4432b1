"""The package type-checks with mypy (pydantic plugin), as the CI runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_the_package_type_checks(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    # the repository root is the package: give mypy a parent folder that holds it by name
    root = tmp_path / "root"
    root.mkdir()
    (root / "helsegraf").symlink_to(REPO, target_is_directory=True)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--config-file",
            str(REPO / "pyproject.toml"),
            "-p",
            "helsegraf",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]

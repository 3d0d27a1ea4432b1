"""The built wheel holds every sub-package and data file the program reads at run time."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel_names(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = out.glob("helsegraf-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        return set(zf.namelist())


def _expected(pattern: str) -> list[str]:
    return sorted(
        "helsegraf/" + p.relative_to(ROOT).as_posix()
        for p in ROOT.glob(pattern)
        if "__pycache__" not in p.parts
    )


@pytest.mark.parametrize(
    "pattern",
    [
        "*.py",
        "core/*.py",
        "ingest/*.py",
        "graph/**/*.py",
        "api/**/*.py",
        "ontology/*.py",
        "ontology/*.ttl",
        "ontology/*.yaml",
        "ontology/registries/*.csv",
        "queries/*.cypher",
        "queries/*.rq",
        "queries/*.yaml",
        "api/static/**/*.*",
    ],
)
def test_wheel_contains(wheel_names: set[str], pattern: str) -> None:
    expected = _expected(pattern)
    if not expected:
        pytest.skip(f"no files match {pattern}")
    missing = [name for name in expected if name not in wheel_names]
    assert not missing, f"missing from the wheel: {missing}"


def test_wheel_has_no_tests_or_samples(wheel_names: set[str]) -> None:
    assert not [
        n
        for n in wheel_names
        if n.startswith(("helsegraf/tests/", "helsegraf/samples/", "helsegraf/bench/"))
    ]

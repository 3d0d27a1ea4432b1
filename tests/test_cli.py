"""The CLI's top level: help, version, settings."""

import subprocess
import sys

from typer.testing import CliRunner

from helsegraf import __version__
from helsegraf.cli import app

runner = CliRunner()


def test_help_lists_subcommands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("version", "settings"):
        assert command in result.output


def test_version_prints_package_version() -> None:
    result = runner.invoke(app, ["version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"helsegraf {__version__}"


def test_module_entry_point_runs() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "helsegraf", "version"], capture_output=True, text=True, check=True
    )
    assert __version__ in out.stdout

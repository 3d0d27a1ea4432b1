"""Settings are defined once; the docs and the CLI list every one of them."""

from pathlib import Path

from typer.testing import CliRunner

from helsegraf.cli import app
from helsegraf.core.config import Settings, settings_markdown

DOCS = Path(__file__).resolve().parents[1] / "docs" / "settings.md"


def test_docs_list_every_setting() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`HELSEGRAF_{name.upper()}`" in text, f"docs/settings.md misses {name}"


def test_docs_are_up_to_date() -> None:
    assert DOCS.read_text(encoding="utf-8") == settings_markdown()


def test_cli_lists_every_setting() -> None:
    result = CliRunner().invoke(app, ["settings"], env={"COLUMNS": "300"})
    assert result.exit_code == 0
    for name in Settings.model_fields:
        assert f"HELSEGRAF_{name.upper()}" in result.output


def test_environment_overrides(monkeypatch) -> None:
    monkeypatch.setenv("HELSEGRAF_ROW_CAP", "7")
    assert Settings().row_cap == 7

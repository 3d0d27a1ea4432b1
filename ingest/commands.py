"""CLI subcommands of this area."""

from __future__ import annotations

import typer

from helsegraf.ingest import evaluate


def register(app: typer.Typer) -> None:
    """Add this area's subcommands to the ``helsegraf`` app."""
    evaluate.register(app)

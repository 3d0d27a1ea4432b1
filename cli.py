"""The ``helsegraf`` command line.

Each area registers its own subcommands (``ingest/commands.py``, ``graph/commands.py``,
``api/commands.py``), so a command's code lives in the folder of what it does.
"""

from __future__ import annotations

import sys

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from helsegraf import __version__
from helsegraf.api import commands as api_commands
from helsegraf.core.config import settings_markdown, settings_table
from helsegraf.core.errors import HelsegrafError
from helsegraf.graph import commands as graph_commands
from helsegraf.ingest import commands as ingest_commands
from helsegraf.review import commands as review_commands

# Process-wide CLI state, set by the root callback (e.g. whether to show tracebacks).
state: dict[str, bool] = {"debug": False}

app = typer.Typer(
    name="helsegraf",
    help="Turn Norwegian health-policy documents into a knowledge graph researchers can query.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)


@app.callback()
def _root(
    debug: bool = typer.Option(False, "--debug", help="Show full tracebacks on errors."),
) -> None:
    """Turn Norwegian health-policy documents into a knowledge graph researchers can query."""
    state["debug"] = debug


@app.command()
def version() -> None:
    """Print helsegraf's version."""
    console.print(f"helsegraf {__version__}")


@app.command()
def settings(
    markdown: bool = typer.Option(False, "--markdown", help="Print the reference as Markdown."),
) -> None:
    """List every setting, its environment variable, default and meaning."""
    if markdown:
        sys.stdout.write(settings_markdown())
        return
    table = Table("setting", "environment variable", "default", "meaning")
    for row in settings_table():
        table.add_row(*row)
    console.print(table)


ingest_commands.register(app)
graph_commands.register(app)
api_commands.register(app)
review_commands.register(app)


def main() -> None:
    """Entry point of the ``helsegraf`` command: expected errors print one line, exit 1."""
    try:
        app()
    except HelsegrafError as exc:
        if state["debug"] or "--debug" in sys.argv:
            raise
        # escape: file names may hold [brackets]; soft_wrap: the error stays one line
        err_console.print(
            f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True
        )
        raise SystemExit(1) from None

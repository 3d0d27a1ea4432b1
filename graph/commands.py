"""CLI subcommands of the graph area: ``ingest``, ``stats``, ``query cypher``, ``query named``.

``export`` and ``query sparql`` live in ``graph/rdf_commands.py`` and are registered from here.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table

from helsegraf.core.config import get_settings
from helsegraf.core.errors import HelsegrafError

if TYPE_CHECKING:
    from helsegraf.graph.store import Rows
    from helsegraf.ingest.models import Extraction

console = Console()
err_console = Console(stderr=True)


# --------------------------------------------------------------------------- ingest


def _extractions(
    paths: list[Path], workers: int
) -> Iterable[tuple[str, Extraction | None, str | None]]:
    """Yield (path, extraction or None, error or None) as documents finish: each document in
    a worker process that is stopped at the time limit and dies with this one."""
    from helsegraf.ingest.isolated import extract_many

    yield from extract_many(paths, min(max(1, workers), len(paths)))


def ingest(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Document files (.txt .pdf .docx) or folders (searched recursively)."),
    ],
    workers: Annotated[
        int | None,
        typer.Option(help="Extraction processes (default HELSEGRAF_WORKERS; 0 = one per core)."),
    ] = None,
) -> None:
    """Extract documents and load them into the graph store (re-ingesting replaces a document).

    Extraction runs in a process pool; one writer loads the results. A document that fails is
    reported in one line and the others still load; the exit code is 1 if any failed.
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from helsegraf.graph.loader import DOCUMENTS_PER_UNIT, unchanged
    from helsegraf.graph.store import open_store
    from helsegraf.ingest.pipeline import iter_documents
    from helsegraf.review import texts as review_texts

    settings = get_settings()
    docs = list(iter_documents(paths))
    if not docs:
        raise HelsegrafError("no .txt, .pdf or .docx documents found", path=str(paths[0]))
    n_workers = settings.workers if workers is None else workers
    n_workers = n_workers or os.cpu_count() or 1
    loaded = statements = examples = same = 0
    failures: list[str] = []
    started = time.monotonic()
    with open_store(settings) as store:
        store.ensure_reference()
        progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
        )
        with progress:
            task = progress.add_task("ingesting", total=len(docs))
            # Several documents per unit of writes (one transaction, one fsync); a document
            # counts as loaded once its unit is written. A unit is written when it is full or
            # its first document has waited a second for the others.
            pending: list[tuple[str, Extraction]] = []
            first_at = 0.0

            def report(error: str) -> None:
                failures.append(error)
                # one line, whatever the width; file names may hold [brackets]
                progress.console.print(
                    f"[bold red]failed:[/] {escape(error)}", highlight=False, soft_wrap=True
                )

            def flush() -> None:
                nonlocal loaded, statements, examples, same
                if not pending:
                    return
                # A document the store holds exactly as extracted is not written again.
                kept = unchanged(store, [x for _, x in pending])
                if kept:
                    same += len(kept)
                    progress.advance(task, len(kept))
                    pending[:] = [(p, x) for p, x in pending if x.document not in kept]
                    if not pending:
                        return
                try:
                    store.load_extractions([x for _, x in pending], DOCUMENTS_PER_UNIT)
                    written = list(pending)
                except HelsegrafError:
                    # Find the document that fails: load them one by one.
                    written = []
                    for path, x in pending:
                        try:
                            store.load_extraction(x)
                        except HelsegrafError as exc:
                            report(f"{path}: {exc}")
                            progress.advance(task)
                        else:
                            written.append((path, x))
                for _, x in written:
                    loaded += 1
                    statements += len(x.challenges) + len(x.measures)
                    examples += len(x.examples)
                    progress.advance(task)
                pending.clear()

            for path, extraction, error in _extractions(docs, n_workers):
                if extraction is not None:
                    try:
                        # kept first: review corrections re-anchor on it while loading
                        review_texts.remember_ingested(path, extraction.sha256, settings)
                    except HelsegrafError as exc:
                        error = f"{path}: {exc}"
                    else:
                        if not pending:
                            first_at = time.monotonic()
                        pending.append((path, extraction))
                if error is not None:
                    report(error)
                    progress.advance(task)
                if len(pending) >= DOCUMENTS_PER_UNIT or (
                    pending and time.monotonic() - first_at > 1.0
                ):
                    flush()
            flush()
    seconds = time.monotonic() - started
    kept = f", {same} unchanged" if same else ""
    typer.echo(
        f"ingested {loaded} of {len(docs)} documents{kept}: {statements} statements, "
        f"{examples} example mentions, {len(failures)} failed ({seconds:.1f} s, "
        f"{n_workers} workers, store {settings.backend})"
    )
    if failures:
        if len(docs) > 1:  # the run ends with the list of what failed
            typer.echo(f"{len(failures)} failed:", err=True)
            for error in failures:
                typer.echo(f"  {error}", err=True)
        raise typer.Exit(1)


# --------------------------------------------------------------------------- output


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _fitting(columns: list[str], rows: Rows, width: int) -> list[str]:
    """The leading columns that fit ``width`` with a readable share each (at least the first)."""
    shown: list[str] = []
    used = 4
    for c in columns:
        longest = max([len(c)] + [len(_cell(r.get(c))) for r in rows[:100]])
        need = min(longest, 16) + 3
        if shown and used + need > width:
            break
        shown.append(c)
        used += need
    return shown


def print_rows(
    rows: Rows, *, as_csv: bool = False, as_json: bool = False, title: str | None = None
) -> None:
    """Print query rows as a table that fits the terminal, as CSV, or as JSON, on standard
    output. A table too wide for the terminal shows its first columns and says so."""
    columns = rows.columns or (list(rows[0]) if rows else [])
    if as_json:
        out = [{c: row.get(c) for c in columns} for row in rows]
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=1, default=str) + "\n")
    elif as_csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])
    else:
        shown = _fitting(columns, rows, console.width)
        table = Table(title=title)
        for c in shown:
            table.add_column(c, overflow="fold")
        for row in rows:
            table.add_row(*(escape(_cell(row.get(c))) for c in shown))
        console.print(table)
        if len(shown) < len(columns):
            err_console.print(
                f"{len(shown)} of {len(columns)} columns fit in {console.width} characters; "
                "use --csv or --json for all of them",
                highlight=False,
            )
    if rows.truncated:
        err_console.print(f"[yellow]only the first {len(rows)} rows (HELSEGRAF_ROW_CAP)[/]")


def _params(pairs: list[str] | None) -> dict[str, Any]:
    """``k=v`` pairs; a value that reads as JSON (number, list, true) is taken as such."""
    out: dict[str, Any] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise HelsegrafError(f"--param wants key=value, got {pair!r}")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


ParamOpt = Annotated[
    list[str] | None, typer.Option("--param", "-p", help="Query parameter key=value (repeatable).")
]
CsvOpt = Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (a list of rows).")]


def cypher(
    query: Annotated[str, typer.Argument(help="A read-only Cypher query.")],
    param: ParamOpt = None,
    as_csv: CsvOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Run read-only Cypher against the configured store (writes are refused by the engine)."""
    from helsegraf.graph.store import open_store

    settings = get_settings()
    with open_store(settings) as store:
        rows = store.query(query, _params(param), read_only=True, row_cap=settings.row_cap)
    print_rows(rows, as_csv=as_csv, as_json=as_json)


def named(
    name: Annotated[str, typer.Argument(help="Name of a catalog query (see `query list`).")],
    param: ParamOpt = None,
    as_csv: CsvOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Run a named Cypher query of the catalog (queries/*.cypher).

    Concept parameters take the short id as the API does (`-p challenge=rekruttering`). A
    required parameter left out is an error (exit code 2).
    """
    from helsegraf.graph.store import open_store
    from helsegraf.queries import catalog

    try:
        query = catalog.get(name, "cypher")
    except KeyError:
        raise HelsegrafError(f"no named query {name!r}") from None
    values = catalog.expand_concept_ids(_params(param))
    missing = query.missing(values)
    if missing:
        wanted = ", ".join(f"-p {m}=…" for m in missing)
        err_console.print(
            f"[bold red]error:[/] query {name} needs {wanted}", highlight=False, soft_wrap=True
        )
        raise typer.Exit(2)
    with open_store() as store:
        rows = store.run_named(name, values)
    print_rows(rows, as_csv=as_csv, as_json=as_json, title=None if as_csv or as_json else name)


def list_queries(as_csv: CsvOpt = False) -> None:
    """List the named queries of the catalog with their parameters (full names, never cut)."""
    from helsegraf.queries import catalog

    queries = catalog.all()
    if as_csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(["name", "language", "params", "description"])
        for q in queries:
            writer.writerow([q.name, q.language, ", ".join(q.params), q.description])
        return
    # One entry per query: the name on a line of its own, whole, then what it takes and does.
    for q in queries:
        console.print(f"[bold]{escape(q.name)}[/] ({q.language})", highlight=False, soft_wrap=True)
        if q.params:
            params = ", ".join(
                p.name if p.default is None else f"{p.name}={json.dumps(p.default)}"
                for p in q.param_specs
            )
            console.print(Padding(f"params: {escape(params)}", (0, 0, 0, 2), expand=False))
        console.print(Padding(escape(q.description), (0, 0, 0, 2), expand=False))


def stats(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Count nodes per label and relationships per type in the store."""
    from helsegraf.graph.store import open_store

    with open_store() as store:
        counts = store.counts()
    if as_json:
        sys.stdout.write(json.dumps(counts, indent=2) + "\n")
        return
    table = Table("label / relationship", "count")
    for key, value in counts.items():
        table.add_row(key, str(value))
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add this area's subcommands to the ``helsegraf`` app."""
    app.command("ingest")(ingest)
    app.command("stats")(stats)
    query_app = typer.Typer(help="Run read-only queries against the graph.", no_args_is_help=True)
    query_app.command("cypher")(cypher)
    query_app.command("named")(named)
    query_app.command("list")(list_queries)
    app.add_typer(query_app, name="query")
    try:
        from helsegraf.graph import rdf_commands
    except ImportError:
        return
    rdf_commands.register(app)

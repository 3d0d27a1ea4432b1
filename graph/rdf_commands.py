"""CLI: ``helsegraf export`` (the graph as RDF) and ``helsegraf query sparql``.

``graph/commands.py`` calls :func:`register` with the root app; ``query sparql`` is added to the
``query`` group if it exists already (the one that holds ``query cypher``), else the group is
created here.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from helsegraf.core.errors import HelsegrafError

console = Console()
err_console = Console(stderr=True)

EXPORT_FORMATS = ("ttl", "nt", "jsonld")
OUTPUT_FORMATS = ("table", "csv", "json")


def export(
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="ttl (Turtle), nt (N-Triples) or jsonld.")
    ] = "ttl",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file instead of standard output."),
    ] = None,
    validate: Annotated[
        bool,
        typer.Option("--validate", help="Check the export against ontology/shapes.ttl (SHACL)."),
    ] = False,
) -> None:
    """Export the whole graph as RDF in the helsegraf ontology (codebook included)."""
    from helsegraf.graph.rdf import export_rdf, serialize_export, validate_export
    from helsegraf.graph.store import open_store

    if fmt not in EXPORT_FORMATS:
        raise HelsegrafError(f"unknown format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    with open_store() as store:
        graph = export_rdf(store)
    if validate:
        conforms, report = validate_export(graph)
        if not conforms:
            err_console.print(report, highlight=False, markup=False)
            raise HelsegrafError("the export does not conform to ontology/shapes.ttl (see above)")
        err_console.print(f"SHACL: conforms ({len(graph)} triples)")
    data = serialize_export(graph, fmt)
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        output.write_bytes(data)
        err_console.print(f"wrote {len(graph)} triples to {output}")


IMPORT_FORMATS = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".json": "json-ld"}


def import_(
    path: Annotated[Path, typer.Argument(help="An export: .ttl, .nt or .jsonld.")],
) -> None:
    """Load an export (`helsegraf export`) into an empty store: export -> import -> export
    gives the same graph, review state and reference version included."""
    from rdflib import Graph

    from helsegraf.graph.rdf import import_rdf
    from helsegraf.graph.store import open_store

    fmt = IMPORT_FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise HelsegrafError(
            f"unknown export format {path.suffix!r}; use .ttl, .nt or .jsonld", path=str(path)
        )
    if not path.is_file():
        raise HelsegrafError("no such file", path=str(path))
    graph = Graph()
    try:
        graph.parse(str(path), format=fmt)
    except Exception as exc:  # rdflib raises many kinds of parse errors
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise HelsegrafError(f"not a readable {fmt} export: {reason}", path=str(path)) from None
    with open_store() as store:
        counts = import_rdf(graph, store)
    err_console.print(
        f"imported {counts['nodes']:,} nodes and {counts['relationships']:,} relationships "
        f"from {path}",
        highlight=False,
        markup=False,
    )


def sparql(
    query: Annotated[
        str | None, typer.Argument(help="The SPARQL query; '-' reads it from standard input.")
    ] = None,
    name: Annotated[
        str | None,
        typer.Option("--name", "-n", help="Run a named query of the catalog (queries/<name>.rq)."),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="Parameter of a named query as key=value (repeatable)."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
    timeout: Annotated[
        float | None,
        typer.Option(
            "--timeout", help="Time limit in seconds (default: HELSEGRAF_QUERY_TIMEOUT_MS)."
        ),
    ] = None,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Rebuild the cached RDF store from the graph first.")
    ] = False,
) -> None:
    """Run a read-only SPARQL query (SELECT, ASK, CONSTRUCT, DESCRIBE) over the graph's RDF export.

    Updates and SERVICE calls are refused. CONSTRUCT/DESCRIBE print Turtle (``--format json``
    gives JSON-LD).
    """
    from helsegraf.core.config import get_settings
    from helsegraf.graph.sparql import SparqlEngine, serialize
    from helsegraf.graph.store import open_store

    if fmt not in OUTPUT_FORMATS:
        raise HelsegrafError(f"unknown format {fmt!r}; use one of {', '.join(OUTPUT_FORMATS)}")
    if (query is None) == (name is None):
        raise HelsegrafError("give either a query or --name")
    if query == "-":
        query = sys.stdin.read()
    params = _parse_params(param or [])
    settings = get_settings()
    with open_store(settings) as store:
        engine = SparqlEngine.for_store(store, settings, rebuild=rebuild)
    with engine:
        if name is not None:
            result = engine.query_named(name, params, timeout)
        else:
            assert query is not None
            result = engine.query(query, timeout)
    if result.kind == "graph":
        media = "application/ld+json" if fmt == "json" else "text/turtle"
        sys.stdout.buffer.write(serialize(result, media))
    elif fmt == "json":
        sys.stdout.buffer.write(serialize(result, "application/sparql-results+json"))
        sys.stdout.write("\n")
    elif result.kind == "ask":
        typer.echo("true" if result.boolean else "false")
    elif fmt == "csv":
        typer.echo(_csv(result.variables, result.rows()), nl=False)
    else:
        table = Table(*result.variables)
        for row in result.rows():
            table.add_row(*("" if row[v] is None else row[v] for v in result.variables))
        console.print(table)
        err_console.print(f"{len(result)} rows in {result.elapsed_s:.3f} s")
    if result.truncated:
        err_console.print(f"[yellow]truncated at the row cap ({settings.row_cap})[/]")


def _csv(variables: list[str], rows: list[dict[str, str | None]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(variables)
    for row in rows:
        writer.writerow(["" if row[v] is None else row[v] for v in variables])
    return buf.getvalue()


def _parse_params(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise HelsegrafError(f"parameter {item!r} is not key=value")
        out[key.strip()] = value
    return out


def register(app: typer.Typer) -> None:
    """Add ``export``, ``import`` and ``query sparql`` to the ``helsegraf`` app."""
    app.command("export")(export)
    app.command("import")(import_)
    query_app = None
    for group in app.registered_groups:
        if group.name == "query" and group.typer_instance is not None:
            query_app = group.typer_instance
            break
    if query_app is None:
        query_app = typer.Typer(
            help="Run read-only queries against the graph.", no_args_is_help=True
        )
        app.add_typer(query_app, name="query")
    query_app.command("sparql")(sparql)

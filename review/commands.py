"""CLI subcommands of review: ``review texts|counts|corrections``, ``recode``, ``agreement``,
``export-codings``."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console
from rich.table import Table

from helsegraf.core.config import get_settings
from helsegraf.core.errors import HelsegrafError

review_app = typer.Typer(help="Review the machine's coding: kept texts, corrections, counts.")
console = Console()


@review_app.command("texts")
def texts_command(
    paths: Annotated[list[Path], typer.Argument(help="Document files or folders.")],
) -> None:
    """Keep the text of documents for the review page, added codings and .qdpx export."""
    from helsegraf.ingest.pipeline import iter_documents
    from helsegraf.review import texts

    settings = get_settings()
    n = 0
    for path in iter_documents(paths):
        texts.remember_file(path, settings)
        n += 1
    typer.echo(f"kept the text of {n} document(s)")


@review_app.command("counts")
def counts_command() -> None:
    """Codings per review status in the graph, and corrections per action in the record."""
    from helsegraf.graph.store import open_store
    from helsegraf.review import overlay
    from helsegraf.review.records import CorrectionLog, current

    settings = get_settings()
    with open_store(settings) as store:
        status = overlay.status_counts(store)
    records = current(CorrectionLog.for_settings(settings))
    table = Table("what", "count")
    for k, v in status.items():
        table.add_row(f"codings {k}", str(v))
    for action in ("confirm", "reject", "edit", "add"):
        table.add_row(f"corrections {action}", str(sum(1 for r in records if r.action == action)))
    console.print(table)


@review_app.command("corrections")
def corrections_command(
    as_csv: Annotated[bool, typer.Option("--csv", help="Print as CSV.")] = False,
) -> None:
    """List the current corrections (the latest per coding)."""
    from helsegraf.review.records import CorrectionLog, current

    records = current(CorrectionLog.for_settings(get_settings()))
    cols = [
        "time",
        "reviewer",
        "action",
        "document",
        "statement",
        "kind",
        "concept",
        "previous_concept",
        "quote",
        "start",
        "end",
    ]
    if as_csv:
        w = csv.writer(sys.stdout)
        w.writerow(cols)
        for r in records:
            d = r.model_dump()
            w.writerow(["" if d[c] is None else d[c] for c in cols])
        return
    table = Table(*cols[:8])
    for r in records:
        d = r.model_dump()
        table.add_row(*("" if d[c] is None else str(d[c]) for c in cols[:8]))
    console.print(table)


def _codebook_path(path: Path | None) -> Path:
    from helsegraf.ontology.codebook import DEFAULT_PATH

    return path or DEFAULT_PATH


@review_app.command("add-phrasing")
def add_phrasing_command(
    concept: Annotated[str, typer.Argument(help="Concept id, e.g. utfordring/rekruttering.")],
    phrasing: Annotated[str, typer.Argument(help="The new phrasing (bokmål or nynorsk).")],
    codebook: Annotated[
        Path | None, typer.Option(help="Codebook Turtle file (default: ontology/codebook.ttl).")
    ] = None,
    who: Annotated[str | None, typer.Option(help="Your name, noted in the file.")] = None,
) -> None:
    """Add a phrasing to a codebook concept (then `helsegraf recode` shows what moves)."""
    from helsegraf.review.codebook_edit import add_phrasing

    path = _codebook_path(codebook)
    cid = add_phrasing(path, concept, phrasing, who)
    typer.echo(f"{cid}: added phrasing {phrasing!r} to {path}")


@review_app.command("add-concept")
def add_concept_command(
    concept: Annotated[str, typer.Argument(help="New id: utfordring/<slug> or tiltak/<slug>.")],
    label: Annotated[str, typer.Argument(help="Preferred label (bokmål).")],
    theme: Annotated[list[str] | None, typer.Option(help="Theme id; repeatable.")] = None,
    phrasing: Annotated[list[str] | None, typer.Option(help="Phrasing; repeatable.")] = None,
    addresses: Annotated[
        list[str] | None, typer.Option(help="Measures: challenge id it answers; repeatable.")
    ] = None,
    codebook: Annotated[
        Path | None, typer.Option(help="Codebook Turtle file (default: ontology/codebook.ttl).")
    ] = None,
    who: Annotated[str | None, typer.Option(help="Your name, noted in the file.")] = None,
) -> None:
    """Add a challenge or measure concept to the codebook."""
    from helsegraf.review.codebook_edit import add_concept

    path = _codebook_path(codebook)
    add_concept(
        path, concept, label, themes=theme, phrasings=phrasing, addresses=addresses, who=who
    )
    typer.echo(f"{concept}: added to {path}")


def recode(
    codebook: Annotated[
        Path | None,
        typer.Option(help="Codebook Turtle file to recode with (default: ontology/codebook.ttl)."),
    ] = None,
    document: Annotated[
        list[str] | None, typer.Option(help="Only this document (id or file name); repeatable.")
    ] = None,
    apply: Annotated[
        bool, typer.Option(help="Load the recoded documents into the graph (corrections kept).")
    ] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print the moves as CSV.")] = False,
) -> None:
    """Re-map stored statements to a changed codebook and report what moved."""
    from helsegraf.graph.store import open_store
    from helsegraf.review.recode import COLUMNS
    from helsegraf.review.recode import recode as run

    settings = get_settings()
    with open_store(settings) as store:
        report = run(store, settings, codebook, documents=document, apply=apply, progress=True)
    if as_csv:
        w = csv.writer(sys.stdout)
        w.writerow(COLUMNS)
        for m in report.moves:
            d = m.model_dump()
            w.writerow(["" if d[c] is None else d[c] for c in COLUMNS])
        return
    table = Table(
        "document",
        "kind",
        "change",
        "old concept",
        "new concept",
        "quote",
        title=f"recode with {report.codebook}",
    )
    for m in report.moves:
        table.add_row(
            m.document, m.kind, m.change, m.old_concept or "", m.new_concept or "", m.quote[:70]
        )
    console.print(table)
    c = report.counts()
    typer.echo(
        f"{report.documents} document(s): {c['moved']} moved, {c['new']} new, "
        f"{c['dropped']} dropped; {report.reviewed_kept} reviewed coding(s) left as they are"
        + (f"; {len(report.skipped)} without kept text" if report.skipped else "")
        + ("; applied to the graph" if report.applied else "")
    )


def agreement(
    a: Annotated[
        Path, typer.Argument(help="Coding A: extraction JSON file/folder or gold folder.")
    ],
    b: Annotated[Path, typer.Argument(help="Coding B (reference): the same kinds of input.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="Print as CSV.")] = False,
) -> None:
    """Agreement of two codings of the same documents: per-category F1 and Krippendorff's α."""
    from helsegraf.review.agreement import agreement as run

    report = run(a, b)
    if as_json:
        sys.stdout.write(json.dumps(report.model_dump(), ensure_ascii=False, indent=2) + "\n")
        return
    if as_csv:
        csv.writer(sys.stdout).writerows(report.csv_rows())
        return
    table = Table(title=f"agreement of {a} with {b} ({report.documents} documents)")
    for col in ("category", "tp", "fp", "fn", "precision", "recall", "F1", "α", "units"):
        table.add_column(col, justify="left" if col == "category" else "right", no_wrap=True)
    for c in report.categories:
        table.add_row(
            c.category,
            str(c.tp),
            str(c.fp),
            str(c.fn),
            f"{c.precision:.3f}",
            f"{c.recall:.3f}",
            f"{c.f1:.3f}",
            "—" if c.alpha is None else f"{c.alpha:.3f}",
            "" if c.units is None else str(c.units),
        )
    console.print(table)


def export_codings(
    format: Annotated[
        Literal["csv", "qdc", "qdpx", "extraction"],
        typer.Option(
            "--format", "-f", help="csv, qdc (codebook), qdpx (project) or extraction JSON."
        ),
    ] = "csv",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="File (folder for 'extraction'); csv/qdc default to stdout."
        ),
    ] = None,
    include_machine: Annotated[
        bool, typer.Option("--all", help="qdpx: include machine codings not yet reviewed.")
    ] = False,
) -> None:
    """Export the codebook and codings for qualitative-analysis tools (REFI-QDA) or as CSV."""
    from helsegraf.review import refi

    settings = get_settings()
    if format == "qdc":
        data = refi.codebook_qdc()
        if output:
            output.write_bytes(data)
        else:
            sys.stdout.write(data.decode("utf-8"))
        return
    from helsegraf.graph.store import open_store

    with open_store(settings) as store:
        if format == "qdpx":
            if output is None:
                raise HelsegrafError("--output FILE.qdpx is needed for a .qdpx project")
            counts = refi.project_qdpx(store, output, settings, include_machine=include_machine)
            typer.echo(
                f"wrote {output}: {counts['sources']} source(s), {counts['codings']} coding(s)"
                + (
                    f"; {counts['skipped_documents']} document(s) without kept text left out"
                    if counts["skipped_documents"]
                    else ""
                )
            )
            return
        if format == "extraction":
            from helsegraf.review.extraction import write_reviewed

            if output is None:
                raise HelsegrafError("--output FOLDER is needed for extraction JSON")
            n = write_reviewed(store, output)
            typer.echo(f"wrote {n} reviewed extraction(s) to {output}")
            return
        text = refi.codings_csv(refi.codings(store))
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def register(app: typer.Typer) -> None:
    """Add this area's subcommands to the ``helsegraf`` app."""
    app.add_typer(review_app, name="review")
    app.command("recode")(recode)
    app.command("agreement")(agreement)
    app.command("export-codings")(export_codings)

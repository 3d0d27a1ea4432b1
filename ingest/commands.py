"""CLI subcommands of this area: ``extract`` (and ``eval``, registered by ``evaluate``).

Each command is a module-level function; :func:`register` adds them all to the app, so a
new command is one function and one line in ``register``.
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from helsegraf.core.errors import HelsegrafError
from helsegraf.ingest import evaluate, initiatives


def _dump(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def extract(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Document files (.txt .pdf .docx) or folders (searched recursively)."),
    ],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write here instead of printing. One FILE: the JSON document goes to this "
            "file. Several files or a folder: this is a folder, and each document is written "
            "to <folder>/<document name>.json.",
        ),
    ] = None,
    keep_going: Annotated[
        bool,
        typer.Option(help="With several documents, report a failing one and go on."),
    ] = False,
    sources: Annotated[
        bool,
        typer.Option(
            help="Read the source metadata (sources.csv/.yaml beside the files, "
            "'# key: value' header lines)."
        ),
    ] = True,
) -> None:
    """Extract voices, actors, challenges, measures and examples as JSON (the gold format).

    One FILE prints one JSON object; several files or a folder print a JSON list (or, with
    --output DIR, write one JSON file per document). Errors name the file and exit non-zero.
    """
    from helsegraf.ingest.isolated import extract_isolated, extract_many
    from helsegraf.ingest.pipeline import iter_documents

    single = len(paths) == 1 and paths[0].is_file()
    if single:
        data = extract_isolated(paths[0], use_sources=sources).model_dump(mode="json")
        if output is not None:
            _write(output, _dump(data))
        else:
            sys.stdout.write(_dump(data))
        return
    docs = list(iter_documents(paths))
    if not docs:
        raise HelsegrafError("no .txt, .pdf or .docx documents found", path=str(paths[0]))
    results: list[dict] = []
    failed = 0
    if output is not None:
        if output.exists() and not output.is_dir():
            raise HelsegrafError(
                "--output must be a folder when extracting several documents", path=str(output)
            )
        output.mkdir(parents=True, exist_ok=True)
    progress = _progress()
    # One worker process, stopped at each document's time limit: documents come back in order.
    outcomes = extract_many(docs, 1, use_sources=sources)
    with progress, contextlib.closing(outcomes):
        task = progress.add_task("extracting", total=len(docs))
        for name, extraction, error in outcomes:
            if extraction is None:
                if not keep_going:
                    raise HelsegrafError(error or "extraction failed")
                failed += 1
                typer.echo(f"error: {error}", err=True)
                progress.advance(task)
                continue
            data = extraction.model_dump(mode="json")
            if output is not None:
                _write(output / f"{Path(name).name}.json", _dump(data))
            else:
                results.append(data)
            progress.advance(task)
    if output is None:
        sys.stdout.write(_dump(results))
    if failed:
        raise typer.Exit(1)


def _progress():  # type: ignore[no-untyped-def]
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
        transient=True,
    )


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise HelsegrafError(f"cannot write: {exc.strerror or exc}", path=str(path)) from exc


def train(
    from_review: Annotated[
        bool,
        typer.Option(
            "--from-review",
            help="Also learn from the researchers' decisions in /review (confirm, edit, add, "
            "reject), and report F1 on held-back reviewed documents before and after.",
        ),
    ] = False,
    cv: Annotated[
        bool,
        typer.Option(
            "--cv",
            help="First evaluate by leaving one document out (rules, model, combined), score "
            "the real set with a model trained without it, and keep the combination that wins.",
        ),
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the model here (default: ontology/)."),
    ] = None,
    report: Annotated[
        Path | None, typer.Option("--report", help="Write the figures as JSON here.")
    ] = None,
    without: Annotated[
        list[str] | None,
        typer.Option(
            "--without",
            help="Leave an annotation set out of training (samples, heldout, real); repeatable.",
        ),
    ] = None,
) -> None:
    """Build the statement model from the annotation folders (samples, held-out, the real
    texts) and the codebook's phrasings: ontology/statement_model.npz.

    Extraction uses it with the rules; without it, the rules alone."""
    from helsegraf.ingest.train import train_command

    train_command(from_review=from_review, cv=cv, output=output, report=report, without=without)


def register(app: typer.Typer) -> None:
    """Add this area's subcommands to the ``helsegraf`` app."""
    app.command("extract")(extract)
    app.command("train")(train)
    evaluate.register(app)
    initiatives.register(app)

"""Score extractions against hand annotations (``*.gold.json``).

Categories (each a set per document; counts are summed over documents, i.e. micro-averaged):

* ``actors``             canonical actor names
* ``authors``            the authors of all voices
* ``challenge_pairs``    (author, concept) for every challenge, each voice expanded to its authors
* ``measure_pairs``      (author, concept) for every measure, likewise
* ``challenge_concepts`` the challenge concepts of the document
* ``measure_concepts``   the measure concepts of the document
* ``examples``           initiatives; a predicted and a gold example match when one of their
  names or aliases is the same after normalisation (one-to-one)

Names are compared after normalisation: Unicode NFKC, case-folded, dashes unified, spaces
around dashes removed, whitespace collapsed, surrounding quotes and punctuation stripped.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import BaseModel, Field

from helsegraf.core.errors import HelsegrafError
from helsegraf.ingest.models import Extraction

_SHORT = {
    "actors": "act",
    "authors": "auth",
    "challenge_pairs": "ch.pair",
    "measure_pairs": "me.pair",
    "challenge_concepts": "ch.conc",
    "measure_concepts": "me.conc",
    "examples": "ex",
}

CATEGORIES: tuple[str, ...] = (
    "actors",
    "authors",
    "challenge_pairs",
    "measure_pairs",
    "challenge_concepts",
    "measure_concepts",
    "examples",
)

_DASHES = re.compile(r"[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u00ad]")
_SPACED_DASH = re.compile(r"\s*-\s*")
_SPACE = re.compile(r"\s+")
_EDGE = re.compile(r"^[\s\"'«»“”‘’.,:;!?]+|[\s\"'«»“”‘’.,:;!?]+$")


def normalise_name(name: str) -> str:
    """Return ``name`` in the form used for comparison (case, dashes, spaces, edge quotes)."""
    s = unicodedata.normalize("NFKC", name).casefold()
    s = _DASHES.sub("-", s)
    s = _SPACED_DASH.sub("-", s)
    s = _SPACE.sub(" ", s).strip()
    return _EDGE.sub("", s)


# --------------------------------------------------------------------------- report model


class Score(BaseModel):
    """True/false positives and false negatives, with precision, recall and F1."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else (1.0 if not self.fn else 0.0)

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    def as_dict(self) -> dict[str, float | int]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


class ErrorItem(BaseModel):
    """One miss (``fn``: in gold, not found) or one false find (``fp``)."""

    category: str
    kind: str = Field(description="'fn' or 'fp'")
    item: str
    quote: str | None = None


class DocumentEval(BaseModel):
    """Scores and errors for one document."""

    document: str
    scores: dict[str, Score]
    errors: list[ErrorItem] = Field(default_factory=list)


class EvalReport(BaseModel):
    """Scores per category summed over documents (micro-average), and per document."""

    totals: dict[str, Score]
    documents: list[DocumentEval]

    def f1(self, category: str) -> float:
        """Micro F1 of a category."""
        return self.totals[category].f1

    def as_dict(self) -> dict[str, Any]:
        return {
            "totals": {c: s.as_dict() for c, s in self.totals.items()},
            "documents": [
                {
                    "document": d.document,
                    "scores": {c: s.as_dict() for c, s in d.scores.items()},
                    "errors": [e.model_dump() for e in d.errors],
                }
                for d in self.documents
            ],
        }

    def csv_rows(self) -> list[list[str]]:
        """Rows ``document, category, tp, fp, fn, precision, recall, f1`` (document ``ALL`` = totals)."""
        rows = [["document", "category", "tp", "fp", "fn", "precision", "recall", "f1"]]

        def row(doc: str, cat: str, s: Score) -> list[str]:
            return [
                doc,
                cat,
                str(s.tp),
                str(s.fp),
                str(s.fn),
                f"{s.precision:.4f}",
                f"{s.recall:.4f}",
                f"{s.f1:.4f}",
            ]

        for d in self.documents:
            rows.extend(row(d.document, c, s) for c, s in d.scores.items())
        rows.extend(row("ALL", c, s) for c, s in self.totals.items())
        return rows


# --------------------------------------------------------------------------- set extraction


def _get(obj: Any, key: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(key, default)
    return getattr(obj, key, default)


def _as_dict(x: Extraction | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(x, BaseModel):
        return x.model_dump()
    return dict(x)


def _voice_authors(doc: Mapping[str, Any]) -> dict[str, list[str]]:
    return {
        str(v.get("id")): [normalise_name(a) for a in v.get("authors") or []]
        for v in doc.get("voices") or []
    }


def _pairs(doc: Mapping[str, Any], key: str) -> dict[tuple[str, str], str | None]:
    """(author, concept) -> one quote, for the statements under ``key``."""
    authors = _voice_authors(doc)
    out: dict[tuple[str, str], str | None] = {}
    for st in doc.get(key) or []:
        concept = str(st.get("concept") or "").strip()
        for a in authors.get(str(st.get("voice")), []):
            out.setdefault((a, concept), st.get("quote"))
    return out


def _concepts(doc: Mapping[str, Any], key: str) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for st in doc.get(key) or []:
        out.setdefault(str(st.get("concept") or "").strip(), st.get("quote"))
    return out


def _example_groups(doc: Mapping[str, Any]) -> list[tuple[set[str], str, str | None]]:
    """Examples of a document merged into groups that share a normalised name or alias.

    Returns (names, display name, quote) per group.
    """
    groups: list[tuple[set[str], str, str | None]] = []
    for ex in doc.get("examples") or []:
        names = {normalise_name(n) for n in [ex.get("name") or "", *(ex.get("aliases") or [])]}
        names.discard("")
        if not names:
            continue
        merged = [g for g in groups if g[0] & names]
        for g in merged:
            names |= g[0]
            groups.remove(g)
        display = merged[0][1] if merged else str(ex.get("name"))
        quote = merged[0][2] if merged else ex.get("quote")
        groups.append((names, display, quote))
    return groups


def _score_sets(
    category: str,
    gold: Mapping[Any, str | None],
    pred: Mapping[Any, str | None],
    errors: list[ErrorItem],
) -> Score:
    def show(k: Any) -> str:
        return " | ".join(k) if isinstance(k, tuple) else str(k)

    tp = len(gold.keys() & pred.keys())
    for k in sorted(gold.keys() - pred.keys(), key=show):
        errors.append(ErrorItem(category=category, kind="fn", item=show(k), quote=gold[k]))
    for k in sorted(pred.keys() - gold.keys(), key=show):
        errors.append(ErrorItem(category=category, kind="fp", item=show(k), quote=pred[k]))
    return Score(tp=tp, fp=len(pred.keys() - gold.keys()), fn=len(gold.keys() - pred.keys()))


def _score_examples(
    gold: Mapping[str, Any], pred: Mapping[str, Any], errors: list[ErrorItem]
) -> Score:
    g_groups = _example_groups(gold)
    p_groups = _example_groups(pred)
    used: set[int] = set()
    tp = 0
    unmatched_gold = []
    for names, display, quote in g_groups:
        hit = next((i for i, p in enumerate(p_groups) if i not in used and p[0] & names), None)
        if hit is None:
            unmatched_gold.append((display, quote))
        else:
            used.add(hit)
            tp += 1
    for display, quote in unmatched_gold:
        errors.append(ErrorItem(category="examples", kind="fn", item=display, quote=quote))
    for i, (_, display, quote) in enumerate(p_groups):
        if i not in used:
            errors.append(ErrorItem(category="examples", kind="fp", item=display, quote=quote))
    return Score(tp=tp, fp=len(p_groups) - len(used), fn=len(unmatched_gold))


def compare(
    gold: Mapping[str, Any] | Extraction, pred: Mapping[str, Any] | Extraction
) -> DocumentEval:
    """Score one predicted extraction against one gold annotation."""
    g, p = _as_dict(gold), _as_dict(pred)
    errors: list[ErrorItem] = []
    scores: dict[str, Score] = {}
    scores["actors"] = _score_sets(
        "actors",
        {normalise_name(a["name"]): None for a in g.get("actors") or []},
        {normalise_name(a["name"]): None for a in p.get("actors") or []},
        errors,
    )
    scores["authors"] = _score_sets(
        "authors",
        {a: None for v in _voice_authors(g).values() for a in v},
        {a: None for v in _voice_authors(p).values() for a in v},
        errors,
    )
    scores["challenge_pairs"] = _score_sets(
        "challenge_pairs", _pairs(g, "challenges"), _pairs(p, "challenges"), errors
    )
    scores["measure_pairs"] = _score_sets(
        "measure_pairs", _pairs(g, "measures"), _pairs(p, "measures"), errors
    )
    scores["challenge_concepts"] = _score_sets(
        "challenge_concepts", _concepts(g, "challenges"), _concepts(p, "challenges"), errors
    )
    scores["measure_concepts"] = _score_sets(
        "measure_concepts", _concepts(g, "measures"), _concepts(p, "measures"), errors
    )
    scores["examples"] = _score_examples(g, p, errors)
    return DocumentEval(document=str(g.get("document")), scores=scores, errors=errors)


# --------------------------------------------------------------------------- driver


def default_corpus_dir(gold_dir: Path) -> Path:
    """The ``corpus`` folder beside the gold folder, else the bundled ``samples/corpus``."""
    beside = gold_dir.parent / "corpus"
    if beside.is_dir():
        return beside
    return Path(__file__).resolve().parent.parent / "samples" / "corpus"


def load_gold(gold_dir: Path) -> list[dict[str, Any]]:
    """Read every ``*.gold.json`` of a folder (sorted by file name)."""
    if not gold_dir.is_dir():
        raise HelsegrafError("not a folder of *.gold.json files", path=str(gold_dir))
    files = sorted(gold_dir.glob("*.gold.json"))
    if not files:
        raise HelsegrafError("no *.gold.json files in this folder", path=str(gold_dir))
    out = []
    for f in files:
        try:
            data = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise HelsegrafError(f"cannot read gold file: {exc}", path=str(f)) from exc
        if not isinstance(data, dict) or "document" not in data:
            raise HelsegrafError("gold file has no 'document' field", path=str(f))
        out.append(data)
    return out


def load_predictions(pred_dir: Path) -> dict[str, Extraction]:
    """Read a folder of extraction JSON files (``helsegraf extract`` output), keyed by document."""
    if not pred_dir.is_dir():
        raise HelsegrafError("not a folder of extraction JSON files", path=str(pred_dir))
    out: dict[str, Extraction] = {}
    for f in sorted(pred_dir.glob("*.json")):
        try:
            data = json.loads(f.read_text(encoding="utf-8"))
            items = data if isinstance(data, list) else [data]
            for item in items:
                x = Extraction.model_validate(item)
                out[x.document] = x
        except (OSError, ValueError) as exc:
            raise HelsegrafError(f"not an extraction: {exc}", path=str(f)) from exc
    return out


def extract_documents(
    names: Iterable[str], corpus_dir: Path, *, progress: bool = False, use_sources: bool = True
) -> dict[str, Extraction]:
    """Run the extraction pipeline on the named documents of ``corpus_dir``
    (with a progress bar on stderr when ``progress``); ``use_sources``: read the source
    metadata (the corpus manifest, header lines)."""
    try:
        from helsegraf.ingest.pipeline import extract_file
    except ImportError as exc:  # the pipeline is not installed in this tree
        raise HelsegrafError(f"extraction pipeline unavailable ({exc}); use --predictions") from exc

    out: dict[str, Extraction] = {}
    todo: Iterable[str] = list(names)
    if progress:
        from rich.console import Console
        from rich.progress import track

        todo = track(todo, description="extracting", console=Console(stderr=True))
    for name in todo:
        path = corpus_dir / name
        if not path.is_file():
            raise HelsegrafError(
                "document of a gold file is missing from the corpus", path=str(path)
            )
        out[name] = extract_file(path, use_sources=use_sources)
    return out


def evaluate(
    gold_dir: Path,
    extractions: Mapping[str, Extraction] | None = None,
    *,
    corpus_dir: Path | None = None,
    progress: bool = False,
    use_sources: bool = True,
) -> EvalReport:
    """Score extractions against every ``*.gold.json`` in ``gold_dir``.

    ``extractions`` maps document file names to extractions; when it is None, each gold
    file's document is extracted from ``corpus_dir`` (default: :func:`default_corpus_dir`).
    A gold document without an extraction counts as an empty prediction. ``use_sources``
    (default) reads the documents' source metadata (``sources.csv``/``.yaml`` beside them,
    ``# key: value`` header lines), as ``extract`` does.
    """
    gold_dir = Path(gold_dir)
    golds = load_gold(gold_dir)
    if extractions is None:
        corpus = Path(corpus_dir) if corpus_dir else default_corpus_dir(gold_dir)
        extractions = extract_documents(
            [g["document"] for g in golds], corpus, progress=progress, use_sources=use_sources
        )
    totals = {c: Score() for c in CATEGORIES}
    docs = []
    for g in golds:
        pred = extractions.get(g["document"])
        p = _as_dict(pred) if pred is not None else {"document": g["document"], "voices": []}
        d = compare(g, p)
        for c in CATEGORIES:
            totals[c].add(d.scores[c])
        docs.append(d)
    return EvalReport(totals=totals, documents=docs)


# --------------------------------------------------------------------------- CLI


def _print_report(report: EvalReport, show_errors: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title="extraction quality (micro-averaged over documents)")
    for col in ("category", "tp", "fp", "fn", "precision", "recall", "F1"):
        table.add_column(col, justify="left" if col == "category" else "right")
    for c, s in report.totals.items():
        table.add_row(
            c,
            str(s.tp),
            str(s.fp),
            str(s.fn),
            f"{s.precision:.3f}",
            f"{s.recall:.3f}",
            f"{s.f1:.3f}",
        )
    console.print(table)
    per_doc = Table(title="F1 per document")
    per_doc.add_column("document")
    for c in CATEGORIES:
        per_doc.add_column(_SHORT[c], justify="right")
    for d in report.documents:
        per_doc.add_row(d.document, *(f"{d.scores[c].f1:.2f}" for c in CATEGORIES))
    console.print(per_doc)
    if show_errors:
        for d in report.documents:
            console.rule(d.document)
            for e in d.errors:
                colour = "red" if e.kind == "fn" else "yellow"
                quote = f"  [dim]«{e.quote}»[/]" if e.quote else ""
                console.print(
                    f"[{colour}]{e.kind}[/] {e.category}: {e.item}{quote}", highlight=False
                )


def eval_command(
    gold_dir: Path,
    corpus: Path | None = None,
    predictions: Path | None = None,
    as_json: bool = False,
    as_csv: bool = False,
    show_errors: bool = False,
    use_sources: bool = True,
) -> EvalReport:
    """Run the evaluation and print it (table, JSON or CSV)."""
    import csv
    import sys

    extractions = load_predictions(predictions) if predictions else None
    report = evaluate(
        gold_dir, extractions, corpus_dir=corpus, progress=True, use_sources=use_sources
    )
    if as_json:
        sys.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n")
    elif as_csv:
        csv.writer(sys.stdout).writerows(report.csv_rows())
    else:
        _print_report(report, show_errors)
    return report


def register(app: typer.Typer) -> None:
    """Add the ``eval`` command to the CLI app."""

    @app.command("eval")
    def _eval(
        gold_dir: Annotated[Path, typer.Argument(help="Folder of *.gold.json hand annotations.")],
        corpus: Annotated[
            Path | None,
            typer.Option(help="Folder of the documents (default: 'corpus' beside GOLD_DIR)."),
        ] = None,
        predictions: Annotated[
            Path | None,
            typer.Option(help="Score this folder of extraction JSON files instead."),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
        as_csv: Annotated[bool, typer.Option("--csv", help="Print the report as CSV.")] = False,
        show_errors: Annotated[
            bool, typer.Option(help="List the misses (fn) and false finds (fp) per document.")
        ] = False,
        sources: Annotated[
            bool,
            typer.Option(
                help="Read the documents' source metadata (sources.csv/.yaml beside them, "
                "'# key: value' header lines)."
            ),
        ] = True,
    ) -> None:
        """Score extraction against hand annotations: precision, recall and F1 per category."""
        eval_command(gold_dir, corpus, predictions, as_json, as_csv, show_errors, sources)

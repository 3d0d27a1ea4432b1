"""Agreement between two codings of the same documents: per-category F1 and Krippendorff's α.

A and B are extraction JSON files or folders (``helsegraf extract -o``, ``helsegraf
export-codings --format extraction``) or folders of ``*.gold.json`` hand annotations. B is the
reference: precision is measured on A, recall on B (F1 is symmetric). The F1 scores come from
the evaluation's own scoring (:mod:`helsegraf.ingest.evaluate`): for a gold folder B it is
``evaluate(B, A)``, so ``helsegraf agreement <machine output> samples/gold`` prints exactly the
F1 that ``helsegraf eval`` prints.

Krippendorff's α (nominal, two coders) is computed per coding category over a universe of
units in which "not coded" is a real answer:

* ``challenge_concepts`` / ``measure_concepts``: every (document, concept) of the codebook's
  challenges / measures (plus concepts either coder used);
* ``challenge_pairs`` / ``measure_pairs``: every (document, author, concept), over the
  authors either coder names.

Each unit is 1 if the coder coded it, else 0; agreement on 1 is the evaluation's true
positives, on 0 the rest of the universe. For actors, authors and examples there is no such
closed universe (α over only the items someone named is negative whenever they differ), so α
is not reported for them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from helsegraf.core.errors import HelsegrafError
from helsegraf.ingest import evaluate as ev
from helsegraf.ontology.codebook import load_codebook

ALPHA_CATEGORIES = {
    "challenge_pairs": ("utfordring", "challenges", True),
    "measure_pairs": ("tiltak", "measures", True),
    "challenge_concepts": ("utfordring", "challenges", False),
    "measure_concepts": ("tiltak", "measures", False),
}


class CategoryAgreement(BaseModel):
    category: str
    tp: int
    fp: int
    fn: int
    precision: float
    recall: float
    f1: float
    alpha: float | None = None
    units: int | None = None


class AgreementReport(BaseModel):
    a: str
    b: str
    documents: int
    categories: list[CategoryAgreement]

    def csv_rows(self) -> list[list[str]]:
        rows = [["category", "tp", "fp", "fn", "precision", "recall", "f1", "alpha", "units"]]
        for c in self.categories:
            rows.append(
                [
                    c.category,
                    str(c.tp),
                    str(c.fp),
                    str(c.fn),
                    f"{c.precision:.4f}",
                    f"{c.recall:.4f}",
                    f"{c.f1:.4f}",
                    "" if c.alpha is None else f"{c.alpha:.4f}",
                    "" if c.units is None else str(c.units),
                ]
            )
        return rows


# --------------------------------------------------------------------------- reading


def _items(data: Any, where: Path) -> list[dict[str, Any]]:
    items = data if isinstance(data, list) else [data]
    for it in items:
        if not isinstance(it, dict) or "document" not in it:
            raise HelsegrafError("not an extraction or gold annotation (no 'document')", str(where))
    return items


def load_codings(path: Path) -> dict[str, dict[str, Any]]:
    """Documents -> coding (gold format) from a JSON file, or a folder of ``*.json``."""
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.json"))
    elif path.is_file():
        files = [path]
    else:
        raise HelsegrafError("no such file or folder", str(path))
    out: dict[str, dict[str, Any]] = {}
    for f in files:
        try:
            data = json.loads(f.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise HelsegrafError(f"cannot read JSON: {exc}", str(f)) from exc
        for it in _items(data, f):
            out[str(it["document"])] = it
    if not out:
        raise HelsegrafError("no codings (*.json) found", str(path))
    return out


def _is_gold_folder(path: Path) -> bool:
    return path.is_dir() and any(path.glob("*.gold.json"))


# --------------------------------------------------------------------------- α


def alpha_binary(tp: int, fp: int, fn: int, tn: int) -> float:
    """Krippendorff's α (nominal, two coders, no missing values) for binary units.

    ``tp`` units both coded, ``tn`` neither, ``fp`` only A, ``fn`` only B.
    """
    import krippendorff
    import numpy as np

    a = [1] * tp + [1] * fp + [0] * fn + [0] * tn
    b = [1] * tp + [0] * fp + [1] * fn + [0] * tn
    if len(set(a) | set(b)) < 2:
        return 1.0  # every unit has the same value for both: no disagreement possible
    value = krippendorff.alpha(
        reliability_data=np.array([a, b], dtype=float), level_of_measurement="nominal"
    )
    return float(value) if not math.isnan(value) else 1.0


def _universe(
    category: str, gold: Mapping[str, Any], pred: Mapping[str, Any], concepts: set[str]
) -> int:
    _scheme, key, pairs = ALPHA_CATEGORIES[category]
    used = {
        str(st.get("concept") or "").strip() for doc in (gold, pred) for st in doc.get(key) or []
    }
    used.discard("")
    n_concepts = len(concepts | used)
    if not pairs:
        return n_concepts
    authors = {
        a
        for doc in (gold, pred)
        for names in ev._voice_authors(doc).values()  # the evaluation's own author normalising
        for a in names
    }
    return n_concepts * len(authors)


# --------------------------------------------------------------------------- driver


def agreement(a_path: Path, b_path: Path) -> AgreementReport:
    """Compare coding A with reference coding B over B's documents."""
    a = load_codings(a_path)
    b_path = Path(b_path)
    if _is_gold_folder(b_path):
        report = ev.evaluate(b_path, a)  # type: ignore[arg-type]
        golds = {g["document"]: g for g in ev.load_gold(b_path)}
    else:
        golds = load_codings(b_path)
        docs = [
            ev.compare(g, a.get(name) or {"document": name, "voices": []})
            for name, g in golds.items()
        ]
        totals = {c: ev.Score() for c in ev.CATEGORIES}
        for d in docs:
            for c in ev.CATEGORIES:
                totals[c].add(d.scores[c])
        report = ev.EvalReport(totals=totals, documents=docs)
    cb = load_codebook()
    scheme_concepts = {s: {c.id for c in cb.scheme(s)} for s in ("utfordring", "tiltak")}
    per_doc = {d.document: d for d in report.documents}
    out = []
    for cat in ev.CATEGORIES:
        s = report.totals[cat]
        row = CategoryAgreement(
            category=cat,
            tp=s.tp,
            fp=s.fp,
            fn=s.fn,
            precision=s.precision,
            recall=s.recall,
            f1=s.f1,
        )
        if cat in ALPHA_CATEGORIES:
            units = 0
            for name, g in golds.items():
                p = a.get(name) or {"document": name, "voices": []}
                doc_eval = per_doc.get(str(g.get("document")))
                if doc_eval is None:
                    continue
                doc_scores = doc_eval.scores[cat]
                units += max(
                    _universe(cat, g, p, scheme_concepts[ALPHA_CATEGORIES[cat][0]]),
                    doc_scores.tp + doc_scores.fp + doc_scores.fn,
                )
            tn = units - s.tp - s.fp - s.fn
            row.alpha = alpha_binary(s.tp, s.fp, s.fn, max(0, tn))
            row.units = units
        out.append(row)
    return AgreementReport(a=str(a_path), b=str(b_path), documents=len(golds), categories=out)

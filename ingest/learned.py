"""The statement model: a linear model, trained on the annotations, that decides what a
sentence states (challenge, measure or neither) and which codebook concept it states.

The features can be read and explained (:func:`features`): the sentence's lemmas (simplemma,
bokmål and nynorsk) and lemma pairs, letter 4-grams of its long content words (parts of
compounds), its first word, the cue words of ``ontology/cues.yaml`` that the rules test, the
structure around it (the section's question, a lead-in list, an action-plan table row, the
kind of document, the section's theme) and what the rules made of it (their kinds and
concepts). A decision is a weighted sum of the features present, so the weights behind any
decision can be listed (:meth:`StatementModel.explain`).

The model is data: ``ontology/statement_model.npz`` (weights, the feature names and the
classes), built by ``helsegraf train`` (:mod:`helsegraf.ingest.train`). Loading it needs
numpy only; scikit-learn is used to fit it. Without the file, extraction runs on the rules
alone.

How the model and the rules are combined (:func:`combine`): the document's structure still
decides the kind where it speaks (a row of an action-plan table, a list under "Tiltak som kan
være aktuelle:" or a section that asks for measures); elsewhere the model decides whether a
sentence is a challenge or a measure: a kind the rules gave stands unless the model's
probability of it is below ``veto_threshold``, and the model adds a kind at
``kind_threshold``. The concept is the model's where it is at least ``concept_threshold``
sure of another or where the rules found none, else the rules'; a rules' concept whose
phrasing the sentence holds in full (score ``rules_stand``) always stands. The thresholds are chosen by
leave-one-document-out cross-validation (``helsegraf train --cv``). Each coding says who made it (``assigned_by``:
``rules`` or ``model``) and the model's probability of it (``confidence``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from helsegraf.core.errors import HelsegrafError
from helsegraf.ingest.lexicon import ConceptInfo, content_lemmas, tokens

if TYPE_CHECKING:
    from helsegraf.ingest.classify import Candidate, Decision

MODEL_PATH = Path(__file__).resolve().parent.parent / "ontology" / "statement_model.npz"
"""Where ``helsegraf train`` writes the model and extraction reads it."""

KINDS = ("challenge", "measure")
FORMAT = 1


@dataclass
class Linear:
    """A linear classifier over named sparse features: ``coef`` is (features, classes).
    ``softmax`` picks one class; otherwise each class is its own yes/no (sigmoid)."""

    classes: list[str]
    coef: np.ndarray
    intercept: np.ndarray
    softmax: bool

    def proba(self, rows: list[int], values: list[float]) -> np.ndarray:
        if rows:
            picked = self.coef[rows]
            if values.count(1.0) != len(values):  # (features are mostly present: 1.0)
                picked = picked * np.asarray(values, dtype=np.float32)[:, None]
            z = picked.sum(axis=0) + self.intercept
        else:
            z = self.intercept.copy()
        if self.softmax:
            z = np.exp(z - z.max())
            return np.asarray(z / z.sum())
        return np.asarray(1.0 / (1.0 + np.exp(-z)))


@dataclass
class Combination:
    """How the model's decisions meet the rules' (chosen by cross-validation, kept in the
    model file). ``mode``: ``combined`` or ``model`` (the model alone, for comparison)."""

    mode: str = "combined"
    # the model adds a kind the rules did not give at this probability
    kind_threshold: float = 0.5
    # the model's concept replaces the rules' at this probability
    concept_threshold: float = 0.5
    second_share: float = 0.8
    # a kind the rules gave stands unless the model's probability of it is below this
    veto_threshold: float = 0.5
    # the rules' concept stands, whatever the model says, where its score reaches this (the
    # sentence holds a phrasing of the codebook in full: a codebook edit still moves codings)
    rules_stand: float = 12.0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class StatementModel:
    """The loaded model: the feature names, the kind classifier, one concept classifier per
    kind, how to combine, and what it was trained on (``meta``)."""

    vocabulary: dict[str, int]
    kind: Linear
    concepts: dict[str, Linear]
    combination: Combination = field(default_factory=Combination)
    meta: dict[str, Any] = field(default_factory=dict)

    def _rows(self, feats: dict[str, float]) -> tuple[list[int], list[float]]:
        get = self.vocabulary.get
        known = [(i, v) for f, v in feats.items() if (i := get(f)) is not None]
        return [i for i, _v in known], [v for _i, v in known]

    def kind_proba(self, feats: dict[str, float]) -> dict[str, float]:
        """The probability that the sentence states a challenge, and a measure."""
        return self._kind_proba(self._rows(feats))

    def _kind_proba(self, rows_values: tuple[list[int], list[float]]) -> dict[str, float]:
        p = self.kind.proba(*rows_values)
        return {k: float(p[i]) for i, k in enumerate(self.kind.classes)}

    def concept_proba(self, kind: str, feats: dict[str, float]) -> list[tuple[str, float]]:
        """The concepts of ``kind`` by probability, best first."""
        return self._concept_proba(kind, self._rows(feats))

    def _concept_proba(
        self, kind: str, rows_values: tuple[list[int], list[float]]
    ) -> list[tuple[str, float]]:
        rows, values = rows_values
        lin = self.concepts[kind]
        p = lin.proba(rows, values)
        order = np.argsort(-p, kind="stable")
        return [(lin.classes[i], float(p[i])) for i in order]

    def explain(self, feats: dict[str, float], kind: str, concept: str | None = None) -> list:
        """The features that weigh most for a kind (or a concept of it), heaviest first."""
        lin = self.kind if concept is None else self.concepts[kind]
        col = lin.classes.index(concept if concept is not None else kind)
        rows, values = self._rows(feats)
        wanted = set(rows)
        names = {i: f for f, i in self.vocabulary.items() if i in wanted}
        got = [(names[r], float(lin.coef[r, col] * v)) for r, v in zip(rows, values, strict=True)]
        return sorted(got, key=lambda x: -abs(x[1]))[:12]

    # ------------------------------------------------------------------ file

    def save(self, path: Path) -> None:
        """Write the model as one compressed .npz (arrays and JSON, no pickled code)."""
        names = [""] * len(self.vocabulary)
        for f, i in self.vocabulary.items():
            names[i] = f
        head = {
            "format": FORMAT,
            "kind_classes": self.kind.classes,
            "concept_classes": {k: lin.classes for k, lin in self.concepts.items()},
            "combination": self.combination.as_dict(),
            "meta": self.meta,
        }
        arrays: dict[str, np.ndarray] = {
            "head": np.frombuffer(json.dumps(head, ensure_ascii=False).encode(), dtype=np.uint8),
            "vocabulary": np.frombuffer("\n".join(names).encode(), dtype=np.uint8),
            "kind_coef": self.kind.coef.astype(np.float16),
            "kind_intercept": self.kind.intercept.astype(np.float32),
        }
        for k, lin in self.concepts.items():
            arrays[f"{k}_coef"] = lin.coef.astype(np.float16)
            arrays[f"{k}_intercept"] = lin.intercept.astype(np.float32)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as out:
            np.savez_compressed(out, **arrays)  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: Path) -> StatementModel:
        """Read a model written by :meth:`save`."""
        try:
            with np.load(path, allow_pickle=False) as z:
                head = json.loads(bytes(z["head"]).decode())
                if head.get("format") != FORMAT:
                    raise HelsegrafError(
                        f"statement model format {head.get('format')} is not {FORMAT}; "
                        "run 'helsegraf train'",
                        path=str(path),
                    )
                names = bytes(z["vocabulary"]).decode().split("\n")
                kind = Linear(
                    head["kind_classes"],
                    z["kind_coef"].astype(np.float32),
                    z["kind_intercept"],
                    softmax=False,
                )
                concepts = {
                    k: Linear(
                        classes,
                        z[f"{k}_coef"].astype(np.float32),
                        z[f"{k}_intercept"],
                        softmax=True,
                    )
                    for k, classes in head["concept_classes"].items()
                }
        except (OSError, ValueError, KeyError) as exc:
            raise HelsegrafError(f"cannot read the statement model: {exc}", path=str(path)) from exc
        return cls(
            vocabulary={f: i for i, f in enumerate(names)},
            kind=kind,
            concepts=concepts,
            combination=Combination(**head.get("combination", {})),
            meta=head.get("meta", {}),
        )


# --------------------------------------------------------------------------- which model

_override: list[StatementModel | None] = []


@lru_cache(maxsize=1)
def _from_file(path: str, mtime: float) -> StatementModel | None:
    return StatementModel.load(Path(path))


def model_path() -> Path | None:
    """The model file extraction reads (``HELSEGRAF_STATEMENT_MODEL``, else the one under
    ``ontology/``); None when that setting is ``off``."""
    from helsegraf.core.config import get_settings

    given = get_settings().statement_model.strip()
    if given.lower() == "off":
        return None
    return Path(given) if given else MODEL_PATH


def get_model() -> StatementModel | None:
    """The model extraction uses: the one set by :func:`use_model`, else the model file
    (:func:`model_path`, read once while it is unchanged), else None (the rules alone)."""
    if _override:
        return _override[-1]
    path = model_path()
    if path is None:
        return None
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    return _from_file(str(path), mtime)


@contextmanager
def use_model(model: StatementModel | None) -> Iterator[None]:
    """Extract with ``model`` (None: the rules alone) inside the ``with`` block."""
    _override.append(model)
    try:
        yield
    finally:
        _override.pop()


# --------------------------------------------------------------------------- features

_CHAR_N = 4
_CHAR_MIN_WORD = 7


def features(
    cand: Candidate,
    rules: list[tuple[str, float, ConceptInfo | None]] | None,
    *,
    structure: bool = True,
) -> dict[str, float]:
    """The named features of a candidate sentence (see the module's docstring).
    ``rules`` None leaves out what the rules made of it (codebook phrasings in training);
    ``structure`` False leaves out the structure (a phrasing has none)."""
    from helsegraf.ingest.classify import challenge_cue, measure_cue

    text = cand.text
    f: dict[str, float] = {}
    toks = tokens(text)
    lemmas = [t.lemma for t in toks if not t.lower.isdigit()]
    for lem in lemmas:
        f["w=" + lem] = 1.0
    for a, b in pairwise(lemmas):
        f[f"b={a}_{b}"] = 1.0
    for lem in content_lemmas(text):
        if len(lem) >= _CHAR_MIN_WORD:
            w = f"^{lem}$"
            for i in range(len(w) - _CHAR_N + 1):
                f["c=" + w[i : i + _CHAR_N]] = 1.0
    if lemmas:
        f["first=" + lemmas[0]] = 1.0
    n = len(lemmas)
    f["len=" + ("short" if n < 8 else "mid" if n < 25 else "long")] = 1.0
    if challenge_cue(text):
        f["cue=challenge"] = 1.0
    if measure_cue(text, plan=cand.plan):
        f["cue=measure"] = 1.0
        if measure_cue(text, plan=cand.plan, strong_only=True):
            f["cue=measure-strong"] = 1.0
    if structure:
        # not the kind of block (paragraph or bullet): the annotated plans state measures as
        # bullets and real letters as paragraphs, so the block's kind says which genre a
        # sentence comes from rather than what it states
        f["ctx=" + (cand.context or "none")] = 1.0
        if cand.table_row:
            f["table-row"] = 1.0
        if cand.plan:
            f["plan"] = 1.0
        if cand.theme:
            f["theme=" + cand.theme] = 1.0
    if rules is not None:
        if not rules:
            f["rules=none"] = 1.0
        for kind, _score, concept in rules:
            f["rules=" + kind] = 1.0
            f[f"rules-concept={concept.id if concept else kind + '/annet'}"] = 1.0
    return f


# --------------------------------------------------------------------------- combine


def _structural_kind(cand: Candidate) -> str | None:
    """The kind that the document's structure gives a sentence, if it gives one: a table
    row, or a list or section that asks for measures."""
    if cand.table_row or cand.context == "measure":
        return "measure"
    return None


def _annet(kind: str) -> str:
    return "utfordring/annet" if kind == "challenge" else "tiltak/annet"


def combine(
    model: StatementModel,
    cand: Candidate,
    rules: list[tuple[str, float, ConceptInfo | None]],
) -> list[Decision]:
    """The codings of a candidate sentence by the rules and the model together (see the
    module's docstring); ``model.combination.mode == "model"`` lets the model decide alone."""
    comb = model.combination
    rows = model._rows(features(cand, rules))  # looked up once for every classifier
    pk = model._kind_proba(rows)
    out: list[Decision] = []
    by_rules: dict[str, list[tuple[float, ConceptInfo | None]]] = {}
    for kind, score, concept in rules:
        by_rules.setdefault(kind, []).append((score, concept))
    structural = _structural_kind(cand)
    for kind in KINDS:
        p = pk.get(kind, 0.0)
        if comb.mode == "model":
            take = p >= comb.kind_threshold
        elif structural is not None:
            # the structure decides: what the rules did under it stands
            take = kind in by_rules
        elif kind in by_rules:
            take = p >= comb.veto_threshold
        else:
            take = p >= comb.kind_threshold
        if not take:
            continue
        ranked = model._concept_proba(kind, rows)
        best, best_p = ranked[0]
        rule_concepts = by_rules.get(kind, [])
        if comb.mode == "model" or not rule_concepts:
            out.append((kind, 0.0, best, "model", p * best_p))
            for c, cp in ranked[1:2]:
                if cp >= comb.second_share * best_p and cp >= comb.concept_threshold:
                    out.append((kind, 0.0, c, "model", p * cp))
            continue
        # the rules found a concept: it stands unless the model is confident of another
        confident = best_p >= comb.concept_threshold
        rule_ids = {c.id if c else _annet(kind) for _s, c in rule_concepts}
        strong = max(score for score, _c in rule_concepts) >= comb.rules_stand
        if confident and best not in rule_ids and not strong:
            out.append((kind, 0.0, best, "model", p * best_p))
        else:
            probs = dict(ranked)
            for score, concept in rule_concepts:
                cid = concept.id if concept else _annet(kind)
                out.append((kind, score, concept, "rules", p * probs.get(cid, 0.0)))
    return out

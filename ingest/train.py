"""Training and honest evaluation of the statement model (:mod:`helsegraf.ingest.learned`).

Training data (:func:`annotated_documents`, :func:`examples_of`):

* every annotated document: the gold files of ``samples/gold``, ``tests/data/heldout/gold``
  and the real public texts of ``../shared/real/gold`` (where that folder exists). The blind
  set (``tests/data/blind``) is left out: it is kept for scoring only, and a model trained on
  it would be an extractor changed because of it.
* each sentence that extraction considers (:func:`helsegraf.ingest.classify.candidates`) is one
  example: a sentence that a gold quote of a challenge or a measure falls in has that kind and
  concept; the other sentences of the same documents are negatives (neither), except those the
  rules code to a concept that the gold gives the same voice elsewhere (the gold quotes one
  sentence per concept and voice, so such a sentence is left out rather than called wrong);
* the codebook's labels, phrasings and extra wordings (``concept_terms``) teach the concepts;
* ``--from-review``: the researchers' corrections in the review store (confirm, edit, add are
  codings of the sentence; reject says the sentence is not that), weighted above the gold.

Evaluation (:func:`cross_validate`): leave one document out over all annotated documents,
rules only, the model alone and combined, each scored by ``helsegraf eval``'s measures; and
the real set scored by a model trained without it.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from helsegraf.core.errors import HelsegrafError
from helsegraf.ingest import classify, learned
from helsegraf.ingest.learned import KINDS, Combination, Linear, StatementModel
from helsegraf.ingest.models import (
    ExampleOut,
    Extraction,
    LoadedDocument,
    Recognised,
    SegmentedDocument,
)

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
SEED = 0
# a reviewer's decision counts as this many annotated sentences
REVIEW_WEIGHT = 5.0
# features seen in fewer training sentences than this are left out of the model
MIN_COUNT = 2


@dataclass(frozen=True)
class AnnotatedDocument:
    """A document with its hand annotation: the set it belongs to, its gold and its file."""

    group: str
    gold: dict[str, Any]
    path: Path

    @property
    def name(self) -> str:
        return str(self.gold["document"])


def default_sets() -> dict[str, Path]:
    """The annotation folders (each with ``gold/`` and ``corpus/``) that training reads."""
    sets = {"samples": ROOT / "samples", "heldout": ROOT / "tests" / "data" / "heldout"}
    real = ROOT.parent / "shared" / "real"
    if (real / "gold").is_dir():
        sets["real"] = real
    return sets


def annotated_documents(sets: dict[str, Path] | None = None) -> list[AnnotatedDocument]:
    """Every annotated document of the given sets (default :func:`default_sets`)."""
    from helsegraf.ingest.evaluate import load_gold

    out = []
    for group, folder in (sets or default_sets()).items():
        gold_dir = folder / "gold" if (folder / "gold").is_dir() else folder
        corpus = gold_dir.parent / "corpus"
        for g in load_gold(gold_dir):
            path = corpus / g["document"]
            if not path.is_file():
                raise HelsegrafError("document of a gold file is missing", path=str(path))
            out.append(AnnotatedDocument(group, g, path))
    return out


# --------------------------------------------------------------------------- examples


@dataclass
class Example:
    """One training sentence: its features, per kind whether it states it (None: unknown),
    the concept it states per kind, the document it comes from, and its weight."""

    features: dict[str, float]
    kinds: dict[str, bool | None]
    concepts: dict[str, str]
    document: str
    weight: float = 1.0
    text: str = ""


@dataclass
class Prepared:
    """A document made ready for training: its candidate sentences with the rules' codings
    and where each sentence lies in the file text."""

    name: str
    segmented: SegmentedDocument
    recognised: Recognised
    examples: list[ExampleOut]
    candidates: list[classify.Candidate]
    rules: list[list[tuple[str, float, Any]]]
    spans: list[list[tuple[int, int]]] = field(default_factory=list)

    def extract(self, model: StatementModel | None) -> Extraction:
        """The document's extraction with ``model`` (None: the rules alone); the stages
        before classification are not run again."""
        from helsegraf.ingest import link

        codings = classify.code(self.segmented, self.candidates, self.rules, model)
        return link.run(self.segmented, self.recognised, codings, self.examples)


def prepare(doc: LoadedDocument) -> Prepared:
    """Run the stages before classification (as the pipeline does) and list the candidate
    sentences with the rules' codings."""
    from helsegraf.ingest import initiatives, normalise, recognise, segment

    seg = segment.run(normalise.run(doc))
    rec = recognise.run(seg)
    cands = classify.candidates(seg, rec)
    return Prepared(
        name=doc.name,
        segmented=seg,
        recognised=rec,
        examples=initiatives.run(seg, rec),
        candidates=cands,
        rules=[classify.rules_of(c) for c in cands],
        spans=[_file_spans(seg, c) for c in cands],
    )


def _file_spans(seg: SegmentedDocument, cand: classify.Candidate) -> list[tuple[int, int]]:
    """Where a candidate sentence lies in the file text (one span per source line)."""
    block = seg.doc.blocks[cand.block]
    lines = seg.doc.source.lines
    out = []
    frags = block.fragments
    for i, f in enumerate(frags):
        f_end = frags[i + 1].block_start if i + 1 < len(frags) else len(block.text)
        f_end = min(f_end, f.block_start + (f.line_end - f.line_start))
        lo, hi = max(cand.start, f.block_start), min(cand.end, f_end)
        if hi <= lo:
            continue
        base = lines[f.line - 1].start + f.line_start - f.block_start
        out.append((base + lo, base + hi))
    return out


def _overlap(spans: list[tuple[int, int]], s: int, e: int) -> int:
    return sum(max(0, min(e, b) - max(s, a)) for a, b in spans)


def _find_all(text: str, quote: str) -> list[tuple[int, int]]:
    out, i = [], text.find(quote)
    while i >= 0 and quote:
        out.append((i, i + len(quote)))
        i = text.find(quote, i + 1)
    return out


def label_sentences(
    prep: Prepared, text: str, statements: Iterable[tuple[str, str, int, int]]
) -> list[tuple[set[tuple[str, str]], int]]:
    """Per candidate: the (kind, concept) that the given statements (kind, concept, start,
    end in the file text) put on it. A statement falls in the sentence that holds most of it."""
    labels: list[set[tuple[str, str]]] = [set() for _ in prep.candidates]
    for kind, concept, s, e in statements:
        best, best_i = 0, -1
        for i, spans in enumerate(prep.spans):
            o = _overlap(spans, s, e)
            if o > best:
                best, best_i = o, i
        if best_i >= 0 and best >= 0.3 * (e - s):
            labels[best_i].add((kind, concept))
    return [(lab, i) for i, lab in enumerate(labels)]


def _gold_statements(gold: dict[str, Any], text: str) -> list[tuple[str, str, int, int]]:
    out = []
    for key, kind in (("challenges", "challenge"), ("measures", "measure")):
        for st in gold.get(key) or []:
            for s, e in _find_all(text, st.get("quote") or ""):
                out.append((kind, st["concept"], s, e))
    return out


def examples_of(
    prep: Prepared,
    text: str,
    statements: list[tuple[str, str, int, int]],
    *,
    voice_concepts: set[tuple[str, str]] | None = None,
    rejected: list[tuple[str, str, int, int]] | None = None,
    weight: float = 1.0,
    only_labelled: bool = False,
) -> list[Example]:
    """Training examples of one prepared document (see the module's docstring).
    ``voice_concepts``: (voice, concept) pairs the annotation has; a sentence the rules code
    to one of them without a gold quote in it is unknown for that kind.
    ``only_labelled``: keep only the sentences the statements or rejections touch."""
    labels = label_sentences(prep, text, statements)
    rej = label_sentences(prep, text, rejected or [])
    out = []
    for (lab, i), (rlab, _) in zip(labels, rej, strict=True):
        if only_labelled and not lab and not rlab:
            continue
        cand, rules = prep.candidates[i], prep.rules[i]
        kinds: dict[str, bool | None] = {}
        concepts: dict[str, str] = {}
        for kind in KINDS:
            got = sorted(c for k, c in lab if k == kind)
            if got:
                kinds[kind] = True
                concepts[kind] = got[0]
            elif only_labelled and not any(k == kind for k, _c in rlab):
                kinds[kind] = None  # a review decision about the other kind says nothing here
            elif voice_concepts and any(
                k == kind and (cand.voice, _cid(k, c)) in voice_concepts for k, _s, c in rules
            ):
                kinds[kind] = None
            else:
                kinds[kind] = False
        out.append(
            Example(
                features=learned.features(cand, rules),
                kinds=kinds,
                concepts=concepts,
                document=prep.name,
                weight=weight,
                text=cand.text,
            )
        )
        extra = sorted(lab)[1:]  # a sentence coded to two concepts teaches both
        for kind, concept in extra:
            if concepts.get(kind) != concept:
                out.append(
                    Example(
                        features=out[-1].features,
                        kinds={k: None for k in KINDS},
                        concepts={kind: concept},
                        document=prep.name,
                        weight=weight,
                        text=cand.text,
                    )
                )
    return out


def _cid(kind: str, concept: Any) -> str:
    if concept is None:
        return "utfordring/annet" if kind == "challenge" else "tiltak/annet"
    return str(concept.id)


def gold_examples(doc: AnnotatedDocument, prep: Prepared) -> list[Example]:
    """The training examples of an annotated document."""
    text = prep.segmented.doc.source.text
    statements = _gold_statements(doc.gold, text)
    voice_concepts = {
        (st["voice"], st["concept"])
        for key in ("challenges", "measures")
        for st in doc.gold.get(key) or []
    }
    return examples_of(prep, text, statements, voice_concepts=voice_concepts)


def codebook_examples() -> list[Example]:
    """The codebook's labels, phrasings and extra wordings as sentences of their concept."""
    from helsegraf.ingest.lexicon import load_concepts, load_cues

    terms = load_cues().get("concept_terms") or {}
    out = []
    for c in load_concepts().values():
        if c.scheme not in ("utfordring", "tiltak") or c.id.endswith("/annet"):
            continue
        kind = "challenge" if c.scheme == "utfordring" else "measure"
        for text in [c.label, *c.phrasings, *terms.get(c.id, [])]:
            cand = classify.Candidate(
                voice="",
                block=0,
                start=0,
                end=len(text),
                text=text,
                context=None,
                table_row=False,
                row=None,
                theme=None,
                plan=False,
                block_kind="paragraph",
            )
            out.append(
                Example(
                    features=learned.features(cand, None, structure=False),
                    kinds={k: None for k in KINDS},
                    concepts={kind: c.id},
                    document="codebook",
                    text=text,
                )
            )
    return out


# --------------------------------------------------------------------------- fit


def fit(examples: list[Example], *, combination: Combination | None = None) -> StatementModel:
    """Fit the kind and concept classifiers (scikit-learn logistic regression) on the
    examples; the same examples give the same model."""
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    counts: dict[str, float] = {}
    for ex in examples:
        for f in ex.features:
            counts[f] = counts.get(f, 0.0) + ex.weight
            # a review decision's words count as often as it weighs
    names = sorted(f for f, n in counts.items() if n >= MIN_COUNT)
    vocab = {f: i for i, f in enumerate(names)}

    def matrix(rows: list[Example]) -> csr_matrix:
        data, ind, ptr = [], [], [0]
        for ex in rows:
            for f, v in ex.features.items():
                j = vocab.get(f)
                if j is not None:
                    ind.append(j)
                    data.append(v)
            ptr.append(len(ind))
        return csr_matrix(
            (np.asarray(data, dtype=np.float64), np.asarray(ind), np.asarray(ptr)),
            shape=(len(rows), len(vocab)),
        )

    kind_coef = np.zeros((len(vocab), len(KINDS)), dtype=np.float32)
    kind_icpt = np.zeros(len(KINDS), dtype=np.float32)
    for j, kind in enumerate(KINDS):
        rows = [ex for ex in examples if ex.kinds.get(kind) is not None]
        y = np.asarray([1 if ex.kinds[kind] else 0 for ex in rows])
        if len(set(y.tolist())) < 2:
            kind_icpt[j] = -5.0
            continue
        clf = LogisticRegression(C=0.5, class_weight="balanced", solver="liblinear", max_iter=2000)
        clf.fit(matrix(rows), y, sample_weight=np.asarray([ex.weight for ex in rows]))
        kind_coef[:, j] = clf.coef_[0]
        kind_icpt[j] = clf.intercept_[0]
    concepts: dict[str, Linear] = {}
    for kind in KINDS:
        rows = [ex for ex in examples if kind in ex.concepts]
        labels = [ex.concepts[kind] for ex in rows]
        classes = sorted(set(labels))
        if len(classes) < 2:
            classes = [*classes, "utfordring/annet" if kind == "challenge" else "tiltak/annet"]
            classes = sorted(set(classes))
            coef = np.zeros((len(vocab), len(classes)), dtype=np.float32)
            concepts[kind] = Linear(classes, coef, np.zeros(len(classes), np.float32), True)
            continue
        clf = LogisticRegression(C=2.0, tol=1e-2, max_iter=3000)
        clf.fit(matrix(rows), labels, sample_weight=np.asarray([ex.weight for ex in rows]))
        coef, icpt = clf.coef_, clf.intercept_
        if coef.shape[0] == 1:  # two classes: one weight vector, for the second class
            coef = np.vstack([np.zeros_like(coef), coef])
            icpt = np.asarray([0.0, icpt[0]])
        concepts[kind] = Linear(
            [str(c) for c in clf.classes_],
            coef.T.astype(np.float32),
            icpt.astype(np.float32),
            True,
        )
    return StatementModel(
        vocabulary=vocab,
        kind=Linear(list(KINDS), kind_coef, kind_icpt, False),
        concepts=concepts,
        combination=combination or Combination(),
    )


# --------------------------------------------------------------------------- evaluation

VARIANTS = ("rules", "model", "combined")


def extract_with(path: Path, model: StatementModel | None) -> Any:
    """Extract one file with ``model`` (None: the rules alone)."""
    from helsegraf.ingest.pipeline import extract_file

    with learned.use_model(model):
        return extract_file(path)


def _variant(model: StatementModel, mode: str, comb: Combination | None = None) -> StatementModel:
    base = comb or model.combination
    return StatementModel(
        vocabulary=model.vocabulary,
        kind=model.kind,
        concepts=model.concepts,
        combination=Combination(**{**base.as_dict(), "mode": mode}),
        meta=model.meta,
    )


@dataclass
class Scores:
    """Summed precision/recall counts per category, for one variant."""

    totals: dict[str, Any] = field(default_factory=dict)

    def add(self, doc_eval: Any) -> None:
        from helsegraf.ingest.evaluate import Score

        for cat, sc in doc_eval.scores.items():
            self.totals.setdefault(cat, Score()).add(sc)

    def f1(self, cat: str) -> float:
        sc = self.totals.get(cat)
        return round(sc.f1, 3) if sc is not None else 0.0

    def as_dict(self) -> dict[str, float]:
        return {cat: self.f1(cat) for cat in sorted(self.totals)}


PAIRS = ("challenge_pairs", "measure_pairs")

# the combinations tried: when the model adds a kind, when a kind of the rules stands, and
# when the model's concept replaces the rules' (0: always)
# (a rules' concept from a codebook phrasing the sentence holds in full always stands at some
# level, so that an edit of the codebook still moves codings: `helsegraf recode`)
COMBINATIONS = [
    Combination("combined", add, concept, veto_threshold=0.35, rules_stand=stand)
    for stand in (10.0, 15.0)
    for add in (0.4, 0.5)
    for concept in (0.0, 0.7)
]


def _pair_f1(s: Scores) -> float:
    return sum(s.f1(c) for c in PAIRS) / len(PAIRS)


def cross_validate(
    docs: list[AnnotatedDocument],
    prepared: dict[str, Prepared],
    examples: dict[str, list[Example]],
    codebook: list[Example],
    *,
    combinations: list[Combination] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Any]:
    """Leave one document out: for each document, fit on all the others (and the codebook)
    and score its extraction by the rules alone, the model alone and each combination.
    Returns the scores per variant, overall and per annotation set."""
    from helsegraf.ingest.evaluate import compare

    combos = combinations or COMBINATIONS
    by_group: dict[str, dict[str, Scores]] = {}
    overall: dict[str, Scores] = {}
    for n, doc in enumerate(docs, 1):
        if progress:
            progress("leave one out", n, len(docs))
        train_ex = [ex for d, exs in examples.items() if d != doc.name for ex in exs]
        model = fit(train_ex + codebook)
        runs: dict[str, StatementModel | None] = {"rules": None}
        runs["model"] = _variant(model, "model", Combination("model", 0.5, 0.5))
        for comb in combos:
            runs[_combo_key(comb)] = _variant(model, comb.mode, comb)
        prep = prepared[doc.name]
        for key, m in runs.items():
            d_eval = compare(doc.gold, prep.extract(m))
            overall.setdefault(key, Scores()).add(d_eval)
            by_group.setdefault(doc.group, {}).setdefault(key, Scores()).add(d_eval)
    return {"overall": overall, "groups": by_group}


def _combo_key(c: Combination) -> str:
    stand = "" if c.rules_stand >= 1e9 else f" rules-stand≥{c.rules_stand:g}"
    return (
        f"{c.mode} add≥{c.kind_threshold:g} keep≥{c.veto_threshold:g} "
        f"concept≥{c.concept_threshold:g}{stand}"
    )


# The codebook's phrasings were drawn from the sample documents, so the rules have seen them:
# the combination is chosen on the other documents, which neither the rules nor (in their
# fold) the model have seen.
SELECT_WITHOUT = ("samples",)


def selection_scores(groups: dict[str, dict[str, Scores]]) -> dict[str, Scores]:
    """Per variant, the counts summed over the sets that choose the combination."""
    out: dict[str, Scores] = {}
    for group, per in groups.items():
        if group in SELECT_WITHOUT:
            continue
        for key, sc in per.items():
            acc = out.setdefault(key, Scores())
            for cat, score in sc.totals.items():
                acc.totals.setdefault(cat, type(score)()).add(score)
    return out


def best_combination(scores: dict[str, Scores]) -> Combination:
    """The combination with the best mean of challenge and measure pair F1 (ties: the first
    in :data:`COMBINATIONS`)."""
    best, best_f = COMBINATIONS[0], -1.0
    for c in COMBINATIONS:
        s = scores.get(_combo_key(c))
        if s is not None and _pair_f1(s) > best_f:
            best, best_f = c, _pair_f1(s)
    return best


# --------------------------------------------------------------------------- review


@dataclass
class ReviewedDocument:
    """A document with review decisions: its text prepared, and the decided codings as
    (kind, concept, start, end) in the file text, kept or rejected."""

    doc_id: str
    prep: Prepared
    kept: list[tuple[str, str, int, int]]
    rejected: list[tuple[str, str, int, int]]


def reviewed_documents(settings: Any = None) -> list[ReviewedDocument]:
    """The documents of the review store (``<data_dir>/review``) with the researchers'
    latest decisions: confirm, edit and add keep a coding; reject says it is wrong."""
    from helsegraf.ingest.load import load_text
    from helsegraf.review import texts
    from helsegraf.review.records import CorrectionLog, current, review_dir

    records = [
        c
        for c in current(CorrectionLog.for_settings(settings))
        if c.kind and c.concept and c.start is not None and c.end is not None
    ]
    by_doc: dict[str, list[Any]] = {}
    for c in records:
        by_doc.setdefault(c.doc_id, []).append(c)
    kept_texts: dict[str, Path] = {}
    tdir = review_dir(settings) / "texts"
    for meta in sorted(tdir.glob("*.json")) if tdir.is_dir() else []:
        sha = meta.stem
        kept_texts["dokument/" + sha[:16]] = meta.with_suffix(".txt")
    out = []
    for doc_id, recs in sorted(by_doc.items()):
        path = kept_texts.get(doc_id)
        text = texts.text_of(path.stem, settings) if path else None
        if text is None:
            log.warning("the text of %s is not kept for review; its decisions are skipped", doc_id)
            continue
        prep = prepare(load_text(text, recs[0].document))
        kept = [
            (c.kind, c.concept, c.start, c.end)
            for c in recs
            if c.action in ("confirm", "edit", "add")
        ]
        rejected = [(c.kind, c.concept, c.start, c.end) for c in recs if c.action == "reject"]
        out.append(ReviewedDocument(doc_id, prep, kept, rejected))
    return out


def review_examples(doc: ReviewedDocument) -> list[Example]:
    """Training examples from one document's review decisions (only the sentences decided)."""
    return examples_of(
        doc.prep,
        doc.prep.segmented.doc.source.text,
        doc.kept,
        rejected=doc.rejected,
        weight=REVIEW_WEIGHT,
        only_labelled=True,
    )


def score_on_review(model: StatementModel | None, doc: ReviewedDocument) -> tuple[int, int, int]:
    """(true, false, missed) codings of ``model`` (None: the rules alone) on the sentences a
    reviewer decided in ``doc``: a kept coding the model makes is true, one it does not make
    is missed; a coding it makes on a decided sentence that the reviewer did not keep is
    false."""
    text = doc.prep.segmented.doc.source.text
    kept = label_sentences(doc.prep, text, doc.kept)
    rej = label_sentences(doc.prep, text, doc.rejected)
    tp = fp = fn = 0
    for (truth, i), (rlab, _) in zip(kept, rej, strict=True):
        if not truth and not rlab:
            continue
        cand, rules = doc.prep.candidates[i], doc.prep.rules[i]
        if model is None:
            got = {(k, _cid(k, c)) for k, _s, c in rules}
        else:
            got = {(k, _ref_id(k, c)) for k, _s, c, _by, _p in learned.combine(model, cand, rules)}
        tp += len(got & truth)
        fn += len(truth - got)
        fp += len(got - truth)
    return tp, fp, fn


def _ref_id(kind: str, ref: Any) -> str:
    """The concept id of a decision's concept (its info, its id, or None for annet)."""
    if ref is None or isinstance(ref, str):
        return ref or _cid(kind, None)
    return str(ref.id)


def _f1(tp: int, fp: int, fn: int) -> float:
    return round(2 * tp / (2 * tp + fp + fn), 3) if tp else 0.0


# --------------------------------------------------------------------------- building


def combination_file() -> Path:
    """``ontology/statement_model.yaml``: how the model and the rules are combined, chosen by
    ``helsegraf train --cv`` on documents the model was not trained on."""
    return ROOT / "ontology" / "statement_model.yaml"


def load_combination() -> Combination | None:
    """The combination ``train --cv`` chose (None: the rules won, so no model is built)."""
    import yaml

    path = combination_file()
    if not path.is_file():
        return Combination()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    chosen = data.get("combination") or {}
    if chosen.get("mode") == "rules":
        return None
    return Combination(
        **{k: chosen[k] for k in Combination().as_dict() if k in chosen},
    )


@dataclass
class TrainingData:
    """What training reads: the annotated documents prepared, their examples, the codebook's."""

    docs: list[AnnotatedDocument]
    prepared: dict[str, Prepared]
    examples: dict[str, list[Example]]
    codebook: list[Example]


def training_data(
    sets: dict[str, Path] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> TrainingData:
    """Prepare every annotated document and turn it and the codebook into examples."""
    from helsegraf.ingest import sources
    from helsegraf.ingest.load import load

    docs = annotated_documents(sets)
    prepared: dict[str, Prepared] = {}
    examples: dict[str, list[Example]] = {}
    for n, d in enumerate(docs, 1):
        if progress:
            progress("reading", n, len(docs))
        if d.name in prepared:
            raise HelsegrafError("two annotated documents have the same name", path=d.name)
        doc = load(d.path)
        # the source metadata (manifest, header lines), as extraction reads it
        doc.metadata = sources.merged(doc.metadata, sources.manifest_for(d.path))
        prep = prepare(doc)
        prepared[d.name] = prep
        examples[d.name] = gold_examples(d, prep)
    return TrainingData(docs, prepared, examples, codebook_examples())


def build(
    data: TrainingData,
    *,
    review: list[ReviewedDocument] | None = None,
    combination: Combination | None = None,
) -> StatementModel:
    """Fit the model on all the annotations (and review decisions) and describe it."""
    train_ex = [ex for exs in data.examples.values() for ex in exs] + data.codebook
    for r in review or []:
        train_ex += review_examples(r)
    model = fit(train_ex, combination=combination)
    groups = Counter(d.group for d in data.docs)
    model.meta = {
        "documents": dict(sorted(groups.items())),
        "sentences": sum(len(v) for v in data.examples.values()),
        "codebook_phrasings": len(data.codebook),
        "reviewed_documents": len(review or []),
        "review_decisions": sum(len(r.kept) + len(r.rejected) for r in review or []),
        "features": len(model.vocabulary),
    }
    return model


def review_report(
    data: TrainingData, review: list[ReviewedDocument], folds: int = 5
) -> dict[str, Any]:
    """F1 on the reviewed codings of documents held back from training, before (the
    annotations alone) and after (with the other documents' review decisions)."""
    if not review:
        return {"documents": 0}
    base = build(data, combination=load_combination() or Combination())
    k = min(folds, len(review))
    before = [0, 0, 0]
    after = [0, 0, 0]
    rules = [0, 0, 0]
    for fold in range(k):
        held = [r for i, r in enumerate(review) if i % k == fold]
        rest = [r for i, r in enumerate(review) if i % k != fold]
        model = build(data, review=rest, combination=base.combination) if rest else base
        for r in held:
            for acc, m in ((before, base), (after, model), (rules, None)):
                for j, v in enumerate(score_on_review(m, r)):
                    acc[j] += v
    return {
        "documents": len(review),
        "folds": k,
        "decisions": sum(len(r.kept) + len(r.rejected) for r in review),
        "rules": {"f1": _f1(*rules), "true": rules[0], "false": rules[1], "missed": rules[2]},
        "before": {"f1": _f1(*before), "true": before[0], "false": before[1], "missed": before[2]},
        "after": {"f1": _f1(*after), "true": after[0], "false": after[1], "missed": after[2]},
    }


# --------------------------------------------------------------------------- CLI


def _cv_table(res: dict[str, Any], real: dict[str, Scores] | None) -> str:
    cats = ("challenge_pairs", "measure_pairs", "challenge_concepts", "measure_concepts")
    lines = ["| run | variant | " + " | ".join(cats) + " |", "|---" * (len(cats) + 2) + "|"]
    rows: list[tuple[str, dict[str, Scores]]] = [("all, leave one document out", res["overall"])]
    rows += [(f"{g}, leave one document out", s) for g, s in sorted(res["groups"].items())]
    if real:
        rows.append(("real, trained without real", real))
    for name, scores in rows:
        for key, s in scores.items():
            lines.append(f"| {name} | {key} | " + " | ".join(f"{s.f1(c):.3f}" for c in cats) + " |")
    return "\n".join(lines) + "\n"


def train_command(
    from_review: bool = False,
    cv: bool = False,
    output: Path | None = None,
    report: Path | None = None,
    without: list[str] | None = None,
) -> None:
    """Build the statement model from the annotation folders (and, with ``from_review``, the
    review store); with ``cv``, evaluate first and keep the combination that wins."""
    import sys

    import yaml
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskID,
        TextColumn,
        TimeElapsedColumn,
    )

    err = Console(stderr=True)
    started = time.monotonic()

    def say(msg: str) -> None:
        err.print(f"[dim]{time.monotonic() - started:6.1f} s[/] {msg}", highlight=False)

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    tasks: dict[str, TaskID] = {}

    def step(what: str, n: int, total: int) -> None:
        if what not in tasks:
            tasks[what] = bar.add_task(what, total=total)
        bar.update(tasks[what], completed=n)

    sets = default_sets()
    for name in without or []:
        if name not in sets:
            raise HelsegrafError(f"no annotation set '{name}' (there are: {', '.join(sets)})")
        del sets[name]
    with bar:
        data = training_data(sets, progress=step)
    say(f"{len(data.docs)} annotated documents read")
    out_report: dict[str, Any] = {}
    combination = load_combination()
    if cv:
        with bar:
            res = cross_validate(
                data.docs, data.prepared, data.examples, data.codebook, progress=step
            )
        real_docs = [d for d in data.docs if d.group == "real"]
        real_scores: dict[str, Scores] | None = None
        if real_docs:
            say("the real set, with a model trained without it")
            rest = {n: e for n, e in data.examples.items() if n not in {d.name for d in real_docs}}
            model = fit([ex for exs in rest.values() for ex in exs] + data.codebook)
            real_scores = {}
            best = best_combination(selection_scores(res["groups"]))
            runs: dict[str, StatementModel | None] = {
                "rules": None,
                "model": _variant(model, "model", Combination("model", 0.5, 0.5)),
                "combined": _variant(model, "combined", best),
            }
            from helsegraf.ingest.evaluate import compare

            for key, m in runs.items():
                for d in real_docs:
                    real_scores.setdefault(key, Scores()).add(
                        compare(d.gold, data.prepared[d.name].extract(m))
                    )
        chosen_on = selection_scores(res["groups"])
        best = best_combination(chosen_on)
        rules_f, best_f = _pair_f1(chosen_on["rules"]), _pair_f1(chosen_on[_combo_key(best)])
        chosen = best.as_dict() if best_f > rules_f else {"mode": "rules"}
        combination = best if best_f > rules_f else None
        combination_file().write_text(
            "# How the statement model and the rules are combined: written by\n"
            "# `helsegraf train --cv`: the combination with the best mean pair F1 over\n"
            "# leave-one-document-out runs on the held-out and real documents (the samples\n"
            "# are left out: the codebook's phrasings come from them). Mode rules: the model\n"
            "# did not win, and none is built.\n"
            + yaml.safe_dump({"combination": chosen}, sort_keys=True),
            encoding="utf-8",
        )
        out_report["cross_validation"] = {
            "overall": {k: v.as_dict() for k, v in res["overall"].items()},
            "selection": {k: v.as_dict() for k, v in chosen_on.items()},
            "groups": {g: {k: v.as_dict() for k, v in s.items()} for g, s in res["groups"].items()},
            "real_trained_without_real": {k: v.as_dict() for k, v in (real_scores or {}).items()},
            "chosen": chosen,
        }
        sys.stdout.write(_cv_table(res, real_scores))
    review = reviewed_documents() if from_review else []
    if from_review:
        say(f"review decisions of {len(review)} documents; held-back F1 before and after")
        rep = review_report(data, review)
        out_report["review"] = rep
        if rep.get("documents"):
            sys.stdout.write(
                f"review: {rep['decisions']} decisions in {rep['documents']} documents; "
                f"F1 on the decisions of held-back documents: rules {rep['rules']['f1']:.3f}, "
                f"before {rep['before']['f1']:.3f}, after {rep['after']['f1']:.3f}\n"
            )
        else:
            sys.stdout.write("review: no decisions in the review store\n")
    target = output or learned.MODEL_PATH
    if combination is None:
        say("the rules won on held-out documents: no model is written")
        if target.exists() and output is None:
            target.unlink()
    else:
        model = build(data, review=review, combination=combination)
        model.save(target)
        out_report["model"] = {"path": str(target), "bytes": target.stat().st_size, **model.meta}
        say(f"model written to {target} ({target.stat().st_size / 1e6:.1f} MB)")
    if report is not None:
        report.write_text(json.dumps(out_report, ensure_ascii=False, indent=2) + "\n", "utf-8")
    say("done")

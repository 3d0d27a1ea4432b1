"""Baselines for extraction throughput, built with spaCy.

* floor: reading and tokenising the text with ``spacy.blank("nb")`` (no pipeline components):
  nothing that looks at every token can be faster than this.
* peer: the same tokenizer plus an ``EntityRuler`` whose phrase patterns are the registry names
  and aliases, the codebook labels and phrasings, and the known initiatives: the usual
  off-the-shelf way to find the same vocabulary in text.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from bench.scaler import REGISTRY_DIRS, REPO

log = logging.getLogger(__name__)

ONTOLOGY = REPO / "ontology"
SHARED_CODEBOOK = Path("/work/shared/codebook/codebook.yaml")
_NAME_COLUMNS = ("name", "alias", "variant", "former")


def registry_phrases() -> list[tuple[str, str]]:
    """(label, phrase) for every name-like cell of every registry CSV."""
    folder = next((d for d in REGISTRY_DIRS if (d / "kommuner.csv").exists()), None)
    if folder is None:
        return []
    out: list[tuple[str, str]] = []
    for path in sorted(folder.glob("*.csv")):
        label = path.stem.upper()
        with path.open(encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                for col, cell in row.items():
                    if not col or not cell or not any(k in col for k in _NAME_COLUMNS):
                        continue
                    if "note" in col or "provenance" in col or "verified" in col:
                        continue
                    for part in cell.split(";"):
                        part = part.strip()
                        if part and not part[0].isdigit():
                            out.append((label, part))
    return out


def codebook_phrases() -> list[tuple[str, str]]:
    """(scheme, phrase) for every codebook label and phrasing."""
    try:
        from helsegraf.ontology.codebook import load_codebook

        return [
            (c.scheme.upper(), p)
            for c in load_codebook().concepts.values()
            for p in (c.label, *c.phrasings)
            if p
        ]
    except ImportError:  # before the codebook loader exists: read the YAML directly
        path = ONTOLOGY / "codebook.yaml"
        data = yaml.safe_load((path if path.exists() else SHARED_CODEBOOK).read_text("utf-8"))
        return [
            (scheme.upper(), p)
            for scheme, concepts in data.items()
            for c in concepts or []
            for p in (c.get("label"), *(c.get("phrasings") or []))
            if p
        ]


def initiative_phrases() -> list[tuple[str, str]]:
    """(EKSEMPEL, phrase) for every known initiative name and alias."""
    path = ONTOLOGY / "initiatives.yaml"
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text("utf-8")) or []
    return [
        ("EKSEMPEL", p)
        for item in data
        if isinstance(item, dict)
        for p in (item.get("name"), *(item.get("aliases") or []))
        if p
    ]


def all_phrases() -> list[tuple[str, str]]:
    """Every phrase the peer pipeline looks for, de-duplicated (first label wins)."""
    seen: set[str] = set()
    out = []
    for label, phrase in registry_phrases() + codebook_phrases() + initiative_phrases():
        key = phrase.lower()
        if key not in seen:
            seen.add(key)
            out.append((label, phrase))
    return out


def make_floor() -> Callable[[str], Any]:
    """The floor: ``spacy.blank("nb")`` tokenising a text (returns the Doc).

    The tokenizer first reads the peer's phrases once, so that its vocabulary is in the same
    state as the peer's: a fresh blank tokenizer measured about 30 % slower than the peer's
    own tokenizer, which would make the floor slower than the peer.
    """
    import spacy

    nlp = spacy.blank("nb")
    nlp.max_length = 10_000_000
    for _ in nlp.tokenizer.pipe([phrase for _, phrase in all_phrases()]):
        pass
    return nlp


def make_peer() -> tuple[Callable[[str], Any], int]:
    """The peer: blank ``nb`` + EntityRuler over all phrases, case-insensitive. (nlp, #patterns)"""
    import spacy

    nlp = spacy.blank("nb")
    nlp.max_length = 10_000_000
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    patterns = [{"label": label, "pattern": phrase} for label, phrase in all_phrases()]
    ruler.add_patterns(patterns)  # type: ignore[attr-defined]
    return nlp, len(patterns)

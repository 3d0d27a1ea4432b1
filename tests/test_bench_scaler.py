"""The benchmark's corpus scaler: deterministic, distinct documents, real registry actors."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# bench/ is a top-level folder beside the package, run as `python -m bench` from the root.
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench import scaler  # noqa: E402


@pytest.fixture(scope="module")
def docs() -> list[scaler.GeneratedDoc]:
    return scaler.generate(40, seed=7)


def test_same_seed_gives_same_corpus(docs: list[scaler.GeneratedDoc]) -> None:
    again = scaler.generate(40, seed=7)
    assert [d.text for d in again] == [d.text for d in docs]
    assert [d.name for d in again] == [d.name for d in docs]


def test_other_seed_gives_other_corpus(docs: list[scaler.GeneratedDoc]) -> None:
    other = scaler.generate(40, seed=8)
    assert {d.sha256 for d in other} != {d.sha256 for d in docs}


def test_documents_are_distinct_and_nest(docs: list[scaler.GeneratedDoc]) -> None:
    assert len(docs) == 40
    assert len({d.text for d in docs}) == 40
    assert len({d.name for d in docs}) == 40
    # The corpus of size N is the first N documents of a larger one.
    assert [d.text for d in scaler.generate(15, seed=7)] == [d.text for d in docs[:15]]


def test_substituted_actors_are_registry_names(docs: list[scaler.GeneratedDoc]) -> None:
    names = scaler.load_actor_names()
    known = names.all_names()
    substituted = [(old, new) for d in docs for old, new in d.substitutions.items()]
    assert len(substituted) > 40  # the sample documents name many actors
    for old, new in substituted:
        assert old in known
        assert new in known
        # Same kind of actor: a kommune becomes a kommune, a trust a trust.
        assert names.surfaces[old].kind == names.surfaces[new].kind
    assert any(old != new for old, new in substituted)
    for d in docs:
        for new in d.substitutions.values():
            assert new in d.text


def test_generated_text_keeps_sample_sentences(docs: list[scaler.GeneratedDoc]) -> None:
    samples = {s.name: s for s in scaler.load_samples()}
    for d in docs[:10]:
        assert d.sources and all(s in samples for s in d.sources)
        assert d.text.count("\n") > 20


def test_scale_corpus_writes_a_folder(tmp_path: Path) -> None:
    small = scaler.scale_corpus(5, seed=3, cache_dir=tmp_path)
    assert len(small.files) == 5 and all(p.is_file() for p in small.files)
    bigger = scaler.scale_corpus(8, seed=3, cache_dir=tmp_path)
    assert [p.name for p in bigger.files[:5]] == [p.name for p in small.files]
    texts = [p.read_text(encoding="utf-8") for p in bigger.files]
    assert texts == [d.text for d in scaler.generate(8, seed=3)]

"""The statement model: trained from the annotations, combined with the rules, recorded on
every coding, and retrained from the researchers' review decisions."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from typer.testing import CliRunner

from helsegraf.api.app import create_app
from helsegraf.cli import app as cli_app
from helsegraf.core.config import Settings
from helsegraf.graph.store import open_store
from helsegraf.ingest import learned, train
from helsegraf.ingest.learned import Combination, StatementModel
from helsegraf.ingest.pipeline import extract_file, extract_text
from helsegraf.review import texts

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
TOKEN = "learned-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def sample_data() -> train.TrainingData:
    return train.training_data({"samples": SAMPLES})


@pytest.fixture(scope="module")
def sample_model(sample_data) -> StatementModel:
    return train.build(sample_data, combination=Combination())


def _saying_no(model: StatementModel) -> StatementModel:
    """The same model, but its kind classifier says 'neither' to every sentence."""
    kind = learned.Linear(
        model.kind.classes,
        np.zeros_like(model.kind.coef),
        np.full(len(model.kind.classes), -20.0, dtype=np.float32),
        softmax=False,
    )
    return StatementModel(model.vocabulary, kind, model.concepts, Combination(), model.meta)


def test_training_reads_every_annotation_set_but_the_blind_one() -> None:
    docs = train.annotated_documents()
    groups = {d.group for d in docs}
    assert {"samples", "heldout"} <= groups
    blind = {p.name for p in (ROOT / "tests" / "data" / "blind" / "corpus").iterdir()}
    assert blind and not blind & {d.name for d in docs}
    # the real texts train the model wherever the shared folder is there
    if (ROOT.parent / "shared" / "real" / "gold").is_dir():
        assert "real" in groups


def test_gold_quotes_label_their_sentences(sample_data) -> None:
    exs = [ex for v in sample_data.examples.values() for ex in v]
    golds = sum(
        len(d.gold.get("challenges") or []) + len(d.gold.get("measures") or [])
        for d in sample_data.docs
    )
    labelled = [ex for ex in exs if any(ex.concepts.values())]
    assert len(labelled) >= 0.9 * golds
    assert any(ex.kinds["challenge"] is False and ex.kinds["measure"] is False for ex in exs)
    assert all(ex.document != "codebook" for ex in exs)
    assert any(ex.document == "codebook" for ex in sample_data.codebook)


def test_model_file_round_trips_and_decides_the_same(sample_model, tmp_path) -> None:
    path = tmp_path / "m.npz"
    sample_model.save(path)
    again = StatementModel.load(path)
    doc = SAMPLES / "corpus" / "001_f494832f89df498b.txt"
    with learned.use_model(sample_model):
        a = extract_file(doc)
    with learned.use_model(again):
        b = extract_file(doc)
    pairs = [(s.concept, s.quote, s.assigned_by) for s in a.challenges + a.measures]
    assert pairs == [(s.concept, s.quote, s.assigned_by) for s in b.challenges + b.measures]
    assert path.stat().st_size < 20_000_000


def test_the_same_annotations_give_the_same_model_file(sample_data, sample_model, tmp_path) -> None:
    again = train.build(sample_data, combination=Combination())
    a, b = tmp_path / "a.npz", tmp_path / "b.npz"
    sample_model.save(a)
    again.save(b)
    assert a.read_bytes() == b.read_bytes()


def test_without_a_model_the_rules_decide_alone(tmp_path, monkeypatch) -> None:
    doc = SAMPLES / "corpus" / "000_b211a8940c2d5fc4.txt"
    with learned.use_model(None):
        x = extract_file(doc)
    assert x.challenges and x.measures
    for s in x.challenges + x.measures:
        assert s.assigned_by == "rules" and s.confidence is None
    # a model file that is not there: the rules alone, no error
    monkeypatch.setenv("HELSEGRAF_STATEMENT_MODEL", str(tmp_path / "missing.npz"))
    from helsegraf.core.config import get_settings

    get_settings.cache_clear()
    try:
        assert learned.get_model() is None
        y = extract_file(doc)
    finally:
        get_settings.cache_clear()
    assert [s.quote for s in y.measures] == [s.quote for s in x.measures]


def test_codings_say_who_made_them_and_how_sure(sample_model) -> None:
    with learned.use_model(sample_model):
        x = extract_file(SAMPLES / "corpus" / "003_703938f9d97872b5.txt")
    found = x.challenges + x.measures
    assert found
    assert {s.assigned_by for s in found} <= {"rules", "model"}
    assert all(s.confidence is not None and 0.0 <= s.confidence <= 1.0 for s in found)


def test_structure_still_decides_where_the_model_says_neither(sample_model) -> None:
    text = (
        "Innspill fra Skaun kommune\n\n"
        "Tiltak som kan være aktuelle:\n"
        "• Fastlegeordningen må stabiliseres med høyere basistilskudd.\n"
        "• Flere hospiteringsordninger på tvers av kommune og sykehus.\n"
    )
    no = _saying_no(sample_model)
    with learned.use_model(no):
        x = extract_text(text, "t.txt")
    got = {s.concept for s in x.measures}
    assert "tiltak/hospitering-kombinasjon" in got
    # outside structure the model's 'neither' stands: a cue-word challenge is dropped
    prose = "Det er krevende å rekruttere nok sykepleiere, og bemanningsmangelen øker.\n"
    with learned.use_model(None):
        assert extract_text(prose, "p.txt").challenges
    with learned.use_model(no):
        assert not extract_text(prose, "p.txt").challenges


def test_model_codings_reach_the_graph_and_the_queue_sorts_by_confidence(
    sample_model, tmp_path
) -> None:
    settings = Settings(data_dir=tmp_path, graph_name="learned_test", api_token=SecretStr(TOKEN))
    store = open_store(settings)
    try:
        with learned.use_model(sample_model):
            for p in sorted((SAMPLES / "corpus").glob("*.txt"))[:2]:
                store.load_extraction(extract_file(p))
        rows = store.query(
            "MATCH (u:Utsagn) RETURN u.coded_by AS by, u.confidence AS conf", {}, row_cap=0
        )
        assert rows and {r["by"] for r in rows} <= {"rules", "model"}
        assert all(r["conf"] is not None for r in rows)
        app = create_app(settings, store=store)
        with TestClient(app) as client:
            items = client.get("/api/review?sort=confidence&limit=500").json()["items"]
            confs = [i["confidence"] for i in items]
            assert confs == sorted(confs) and len(confs) == len(rows)
            assert all(i["coded_by"] in ("rules", "model") for i in items)
            r = client.patch(
                f"/api/statements/{items[0]['id']}",
                json={"action": "confirm", "reviewer": "Kari Nordmann"},
                headers=AUTH,
            )
            assert r.status_code == 200, r.text
            assert r.json()["coded_by"] == "reviewer"
    finally:
        store.close()


# --------------------------------------------------------------------------- from review

REVIEWED = (
    "Innspill fra Skaun kommune\n\n"
    "Vi foreslår et felles droneprogram der droner frakter blodprøver og medisiner mellom "
    "legekontor og sykehus.\n"
)
UNSEEN = (
    "Innspill fra Orkland kommune\n\n"
    "Vi foreslår at droner frakter blodprøver og medisiner fra sykehuset til legekontorene "
    "i distriktet.\n"
)
TAUGHT = "tiltak/desentralisert-utdanning"  # a concept no codebook word ties to drones


def _coding(model_path: Path, text: str) -> set[str]:
    with learned.use_model(StatementModel.load(model_path)):
        x = extract_text(text, "unseen.txt")
    return {s.concept for s in x.measures}


@pytest.mark.slow
def test_a_review_correction_teaches_the_model_a_similar_unseen_sentence(
    tmp_path, monkeypatch
) -> None:
    data = tmp_path / "data"
    settings = Settings(data_dir=data, graph_name="learned_review", api_token=SecretStr(TOKEN))
    doc = tmp_path / "drone.txt"
    doc.write_text(REVIEWED, encoding="utf-8")
    store = open_store(settings)
    try:
        store.load_extraction(extract_file(doc))
        texts.remember_file(doc, settings)
        with TestClient(create_app(settings, store=store)) as client:
            quote = "Vi foreslår et felles droneprogram der droner frakter blodprøver og medisiner"
            r = client.post(
                "/api/statements",
                json={
                    "document": "drone.txt",
                    "concept": TAUGHT,
                    "quote": quote,
                    "reviewer": "Kari Nordmann",
                },
                headers=AUTH,
            )
            assert r.status_code == 201, r.text
    finally:
        store.close()

    monkeypatch.setenv("HELSEGRAF_DATA_DIR", str(data))
    from helsegraf.core.config import get_settings

    get_settings.cache_clear()
    runner = CliRunner()
    before, after = tmp_path / "before.npz", tmp_path / "after.npz"
    try:
        res = runner.invoke(cli_app, ["train", "-o", str(before)])
        assert res.exit_code == 0, res.output
        report = tmp_path / "report.json"
        res = runner.invoke(
            cli_app, ["train", "--from-review", "-o", str(after), "--report", str(report)]
        )
        assert res.exit_code == 0, res.output
    finally:
        get_settings.cache_clear()
    assert TAUGHT not in _coding(before, UNSEEN)
    assert TAUGHT in _coding(after, UNSEEN)
    rep = json.loads(report.read_text(encoding="utf-8"))
    assert rep["review"]["documents"] == 1 and rep["model"]["review_decisions"] == 1


# --------------------------------------------------------------------------- real texts

REAL = ROOT.parent / "shared" / "real"


@pytest.mark.slow
@pytest.mark.skipif(
    not (REAL / "gold").is_dir(), reason=f"the real development set is not at {REAL}"
)
def test_the_model_lifts_real_texts_it_was_not_trained_on() -> None:
    """Trained on the samples and the held-out set only, the combined extractor finds many
    more of the real texts' (author, challenge) pairs than the rules alone, and no fewer
    (author, measure) pairs."""
    from helsegraf.ingest.evaluate import compare

    data = train.training_data(
        {"samples": SAMPLES, "heldout": ROOT / "tests" / "data" / "heldout", "real": REAL}
    )
    seen = [ex for d in data.docs if d.group != "real" for ex in data.examples[d.name]]
    model = train.fit(seen + data.codebook, combination=train.load_combination())
    rules, combined = train.Scores(), train.Scores()
    for d in data.docs:
        if d.group == "real":
            prep = data.prepared[d.name]
            rules.add(compare(d.gold, prep.extract(None)))
            combined.add(compare(d.gold, prep.extract(model)))
    got = {c: (combined.f1(c), rules.f1(c)) for c in ("challenge_pairs", "measure_pairs")}
    # measured: challenge pairs 0.389 -> 0.541, measure pairs 0.457 -> 0.535
    assert got["challenge_pairs"][0] >= got["challenge_pairs"][1] + 0.15, got
    assert got["measure_pairs"][0] >= got["measure_pairs"][1] - 0.02, got


def test_a_statement_weighs_the_same_as_a_paragraph_and_as_a_bullet() -> None:
    from helsegraf.ingest import classify

    def cand(kind: str) -> classify.Candidate:
        text = "Handlingsplanen må ta høyde for kommunenes samlede behov for legeressurser."
        return classify.Candidate(
            voice="v1",
            block=0,
            start=0,
            end=len(text),
            text=text,
            context=None,
            table_row=False,
            row=None,
            theme=None,
            plan=False,
            block_kind=kind,
        )

    rules = classify.rules_of(cand("paragraph"))
    assert learned.features(cand("paragraph"), rules) == learned.features(cand("bullet"), rules)

"""Review requests are validated before they are recorded; a correction that cannot be applied
never blocks a document; a failed re-ingest leaves the old version (and its review state)."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from helsegraf.api.app import create_app
from helsegraf.core.config import Settings
from helsegraf.graph.errors import QueryError
from helsegraf.graph.store import open_store
from helsegraf.ingest.pipeline import extract_file
from helsegraf.review import overlay, texts
from helsegraf.review.records import CorrectionLog

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

CORPUS = Path(__file__).resolve().parent.parent / "samples" / "corpus"
NAME = "001_f494832f89df498b.txt"
TOKEN = "review-reliability-token"
AUTH = {"Authorization": f"Bearer {TOKEN}", "X-Reviewer": "Kari"}
# What an engine or the record cannot hold, and what no reviewer types.
BAD_TEXT = ["\u0000", "før\u0000etter", "\ud800", "a\u0007b"]
# Fails at run time, after the statements before it in the unit have run.
POISON = ("UNWIND $zero AS z CREATE (:Meta {id: 'poison', n: 1 / z})", {"zero": [0]})


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Any:
    data = tmp_path_factory.mktemp("review-reliability")
    settings = Settings(data_dir=data, graph_name="review_rel", api_token=SecretStr(TOKEN))
    x = extract_file(CORPUS / NAME)
    store = open_store(settings)
    store.load_extraction(x)
    texts.remember_file(CORPUS / NAME, settings)
    app = create_app(settings, store=store)
    with TestClient(app) as client:
        yield {"settings": settings, "store": store, "client": client, "x": x}
    store.close()


def _log(env: Any) -> Path:
    return CorrectionLog.for_settings(env["settings"]).path


def _log_bytes(env: Any) -> bytes:
    path = _log(env)
    return path.read_bytes() if path.exists() else b""


def _statements(env: Any) -> list[dict[str, Any]]:
    doc = overlay.document(env["store"], NAME)
    return overlay.statements(env["store"], doc["id"])


def _no_internals(detail: str) -> None:
    for word in ("MATCH", "MERGE", "CYPHER", "GRAPH.QUERY", "pipeline", "/tmp/", "Traceback"):
        assert word not in detail, detail


@pytest.mark.parametrize("bad", BAD_TEXT, ids=["nul", "nul-inside", "lone-surrogate", "bell"])
@pytest.mark.parametrize("field", ["example", "note", "reviewer"])
def test_a_bad_review_edit_is_refused_before_it_is_recorded(env: Any, field: str, bad: str) -> None:
    target = _statements(env)[0]
    log_before = _log_bytes(env)
    body: dict[str, Any] = {"action": "edit", "example": "FACT", field: bad}
    # the JSON text itself: a lone surrogate cannot be encoded by a client library
    raw = json.dumps(body)
    r = env["client"].patch(
        f"/api/statements/{target['id']}",
        content=raw,
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert r.status_code == 400, r.text
    _no_internals(r.json()["detail"])
    assert _log_bytes(env) == log_before
    assert overlay.statement(env["store"], target["id"])["status"] == target["status"]
    # the document can still be ingested again
    env["store"].load_extraction(env["x"])


@pytest.mark.parametrize("field", ["example", "note", "quote"])
def test_a_bad_added_coding_is_refused_before_it_is_recorded(env: Any, field: str) -> None:
    target = _statements(env)[0]
    log_before = _log_bytes(env)
    body = {
        "document": NAME,
        "concept": target["concept"],
        "quote": target["quote"],
        "example": "FACT",
        field: "før\u0000etter",
    }
    r = env["client"].post("/api/statements", json=body, headers=AUTH)
    assert r.status_code == 400, r.text
    _no_internals(r.json()["detail"])
    assert _log_bytes(env) == log_before


def test_a_correction_that_cannot_be_applied_is_reported_and_skipped_at_reingest(
    env: Any, caplog: pytest.LogCaptureFixture
) -> None:
    rows = _statements(env)
    good, bad = rows[1], rows[2]
    r = env["client"].patch(
        f"/api/statements/{good['id']}", json={"action": "reject"}, headers=AUTH
    )
    assert r.status_code == 200, r.text
    # Records an older version wrote, or a hand-edited file holds: a NUL in the example,
    # a line that is not a correction at all.
    record = {
        "id": "korreksjon/old",
        "time": "2026-01-01T00:00:00.000+00:00",
        "reviewer": "Ola",
        "action": "edit",
        "statement": bad["id"],
        "doc_id": bad["doc_id"],
        "document": NAME,
        "kind": bad["kind"],
        "concept": bad["concept"],
        "previous_concept": bad["concept"],
        "quote": bad["quote"],
        "start": bad["start"],
        "end": bad["end"],
        "example": "\u0000",
    }
    with _log(env).open("a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")
        f.write("{not json\n")
    with caplog.at_level(logging.WARNING):
        env["store"].load_extraction(env["x"])
    assert overlay.statement(env["store"], good["id"])["status"] == "rejected"
    assert overlay.statement(env["store"], bad["id"])["status"] == "machine"
    warned = " ".join(r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING)
    assert "korreksjon/old" in warned and "skipped" in warned
    assert "not a correction" in warned


def test_a_failed_reingest_leaves_the_old_version_and_its_review_state(
    env: Any, monkeypatch: pytest.MonkeyPatch, graph_snapshot: Any
) -> None:
    snapshot = graph_snapshot
    store = env["store"]
    target = _statements(env)[3]
    r = env["client"].patch(
        f"/api/statements/{target['id']}", json={"action": "reject"}, headers=AUTH
    )
    assert r.status_code == 200, r.text
    before = snapshot(store)
    changed = env["x"].model_copy(update={"sha256": "d" * 64, "title": "Ny versjon"})
    write = store.write

    def poisoned(statements: list[tuple[str, dict[str, Any]]]) -> None:
        middle = len(statements) // 2
        write([*statements[:middle], POISON, *statements[middle:]])

    monkeypatch.setattr(store, "write", poisoned)
    with pytest.raises(QueryError):
        store.load_extraction(changed)
    monkeypatch.undo()
    assert snapshot(store) == before
    assert overlay.statement(store, target["id"])["status"] == "rejected"


def test_a_crash_before_the_corrections_are_laid_over_loses_none(
    env: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A document with corrections is written in one unit and its corrections laid over it
    after: a crash in between (here: the overlay fails) must not leave it looking unchanged,
    or the next ingest keeps it without its review state for good."""
    from helsegraf.graph.loader import unchanged

    store = env["store"]
    target = _statements(env)[5]
    r = env["client"].patch(
        f"/api/statements/{target['id']}", json={"action": "reject"}, headers=AUTH
    )
    assert r.status_code == 200, r.text
    rejected = overlay.status_counts(store)["rejected"]
    changed = env["x"].model_copy(update={"sha256": "e" * 64, "title": "Tredje versjon"})

    def crash(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("stopped before the corrections were laid over")

    monkeypatch.setattr(overlay, "apply_document", crash)
    with pytest.raises(RuntimeError):
        store.load_extraction(changed)
    monkeypatch.undo()
    assert overlay.status_counts(store)["rejected"] < rejected  # the new version, bare
    assert changed.document not in unchanged(store, [changed])  # so the next ingest loads it
    store.load_extraction(changed)
    assert changed.document in unchanged(store, [changed])
    assert overlay.status_counts(store)["rejected"] == rejected

"""Review: corrections through the API survive re-ingest; agreement; REFI-QDA export; recode.

Everything runs on a real embedded store in a temporary data folder, built from the sample
corpus (extracted once per module).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import etree
from pydantic import SecretStr
from typer.testing import CliRunner

from helsegraf.api.app import create_app
from helsegraf.cli import app as cli_app
from helsegraf.core.errors import HelsegrafError
from helsegraf.graph.store import open_store
from helsegraf.ingest.evaluate import CATEGORIES, evaluate
from helsegraf.ingest.load import load
from helsegraf.ingest.pipeline import extract_file
from helsegraf.ontology import codebook as codebook_module
from helsegraf.review import overlay, refi, service, texts
from helsegraf.review.agreement import agreement, alpha_binary
from helsegraf.review.codebook_edit import add_concept, add_phrasing
from helsegraf.review.recode import recode
from helsegraf.review.records import CorrectionLog, current

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "samples" / "corpus"
GOLD = ROOT / "samples" / "gold"
TOKEN = "test-token-123"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def extractions():
    return {p.name: extract_file(p) for p in sorted(CORPUS.glob("*.txt"))}


@pytest.fixture(scope="module", params=["falkordb", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def env(request, tmp_path_factory, extractions, store_settings):
    """The review API over the sample corpus, once on each backend (reviews write to the
    store, so on Neo4j they write to the Neo4j test server)."""
    data = tmp_path_factory.mktemp("review-data")
    settings = store_settings(
        request.param, request, data, graph_name="review_test", api_token=SecretStr(TOKEN)
    )
    store = open_store(settings)
    for name, x in extractions.items():
        store.load_extraction(x)
        texts.remember_file(CORPUS / name, settings)
    app = create_app(settings, store=store)
    with TestClient(app) as client:
        yield {"settings": settings, "store": store, "client": client, "data": data}
    store.close()


def _machine_statements(store, name: str) -> list[dict]:
    doc = overlay.document(store, name)
    return [r for r in overlay.statements(store, doc["id"]) if r["status"] == "machine"]


def _other_concept(concept: str, taken: set[str] = frozenset()) -> str:
    """A concept of the same scheme, other than ``concept`` and those in ``taken``."""
    scheme = concept.partition("/")[0]
    cb = codebook_module.load_codebook()
    return next(
        c.id for c in cb.scheme(scheme) if c.id != concept and c.id not in taken and not c.is_other
    )


# --------------------------------------------------------------------------- corrections


def test_writing_routes_need_the_token(env) -> None:
    client = env["client"]
    sid = _machine_statements(env["store"], "001_f494832f89df498b.txt")[0]["id"]
    r = client.patch(f"/api/statements/{sid}", json={"action": "confirm", "reviewer": "Kari"})
    assert r.status_code == 401
    r = client.patch(
        f"/api/statements/{sid}",
        json={"action": "confirm", "reviewer": "Kari"},
        headers={"Authorization": "Bearer wrong"},
    )
    assert r.status_code == 401
    r = client.patch(f"/api/statements/{sid}", json={"action": "confirm"}, headers=AUTH)
    assert r.status_code == 400  # no reviewer named
    assert overlay.statement(env["store"], sid)["status"] == "machine"


def test_added_quote_must_occur_in_the_document(env) -> None:
    r = env["client"].post(
        "/api/statements",
        json={
            "document": "000_b211a8940c2d5fc4.txt",
            "concept": "utfordring/rekruttering",
            "quote": "Denne setningen står ikke i dokumentet.",
            "reviewer": "Kari",
        },
        headers=AUTH,
    )
    assert r.status_code == 400, r.text
    assert "does not occur" in r.json()["detail"]


def test_reject_edit_add_survive_reingest(env, extractions) -> None:
    client, store, settings = env["client"], env["store"], env["settings"]
    name = "000_b211a8940c2d5fc4.txt"
    before = client.get("/api/review/counts").json()
    machine = _machine_statements(store, name)
    rejected, edited = machine[0], machine[1]
    new_concept = _other_concept(edited["concept"])

    r = client.patch(
        f"/api/statements/{rejected['id']}",
        json={"action": "reject"},
        headers={**AUTH, "X-Reviewer": "Kari Nordmann"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "rejected" and r.json()["assigned_by"] == "Kari Nordmann"

    r = client.patch(
        f"/api/statements/{edited['id']}",
        json={"concepts": [new_concept], "reviewer": "Ola"},
        headers=AUTH,
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "edited" and r.json()["concept"] == new_concept
    assert r.json()["previous_concept"] == edited["concept"]

    text = load(CORPUS / name).text
    coded = {(m["start"], m["end"]) for m in machine}
    line = next(
        ln.strip()
        for ln in text.splitlines()
        if len(ln.strip()) > 40 and not any(s <= text.find(ln.strip()) < e for s, e in coded)
    )
    r = client.post(
        "/api/statements",
        json={"document": name, "concept": "tiltak/annet", "quote": line, "reviewer": "Ola"},
        headers=AUTH,
    )
    assert r.status_code == 201, r.text
    added = r.json()
    assert added["status"] == "confirmed" and added["start"] == text.find(line)

    after = client.get("/api/review/counts").json()
    assert after["rejected"] == before["rejected"] + 1
    assert after["edited"] == before["edited"] + 1
    assert after["confirmed"] == before["confirmed"] + 1
    # the rejected statement no longer counts for its voice
    rows = store.query(
        "MATCH ()-[r:RAISES|PROPOSES {statement: $id}]->() RETURN count(r) AS n",
        {"id": rejected["id"]},
    )
    assert rows[0]["n"] == 0

    # Re-ingest the same document: its statements are replaced, the corrections come back.
    store.load_extraction(extractions[name])
    assert client.get("/api/review/counts").json() == after
    assert overlay.statement(store, rejected["id"])["status"] == "rejected"
    assert overlay.statement(store, edited["id"])["concept"] == new_concept
    assert overlay.statement(store, added["id"])["quote"] == line

    # Re-extracted with other statement ids: the corrections find their passages by anchor.
    x = extractions[name]
    reextracted = x.model_copy(
        update={
            "challenges": [s.model_copy(update={"id": None}) for s in x.challenges],
            "measures": [s.model_copy(update={"id": None}) for s in x.measures],
        }
    )
    store.load_extraction(reextracted)
    assert client.get("/api/review/counts").json() == after
    doc = overlay.document(store, name)
    rows = overlay.statements(store, doc["id"])
    span = {(r["start"], r["end"], r["status"], r["concept"]) for r in rows}
    assert (rejected["start"], rejected["end"], "rejected", rejected["concept"]) in span
    assert (edited["start"], edited["end"], "edited", new_concept) in span
    assert (added["start"], added["end"], "confirmed", "tiltak/annet") in span

    records = current(CorrectionLog.for_settings(settings))
    assert {r.action for r in records if r.document == name} >= {"reject", "edit", "add"}


def test_review_queue_filters_and_csv(env) -> None:
    client = env["client"]
    r = client.get("/api/review", params={"status": "machine", "limit": 5})
    assert r.status_code == 200
    page = r.json()
    assert page["total"] > 5 and len(page["items"]) == 5
    assert all(i["status"] == "machine" for i in page["items"])
    r = client.get("/api/review", params={"status": "machine", "limit": 500})
    concept = next(i["concept"] for i in r.json()["items"] if not i["concept"].endswith("/annet"))
    r = client.get("/api/review", params={"concept": concept, "format": "csv", "limit": 500})
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert rows and {row["concept"] for row in rows} == {concept}
    assert {"quote", "status", "assigned_by", "start", "end"} <= set(rows[0])
    short = client.get("/api/review", params={"concept": concept.partition("/")[2], "limit": 500})
    assert short.json()["total"] == len(rows)


def test_review_page_and_document_payload(env) -> None:
    client = env["client"]
    page = client.get("/review")
    assert page.status_code == 200 and 'lang="nb"' in page.text
    assert client.get("/review/review.js").status_code == 200
    body = client.get("/api/review/documents/001_f494832f89df498b.txt").json()
    assert body["text"] == load(CORPUS / "001_f494832f89df498b.txt").text
    for c in body["codings"]:
        assert body["text"][c["start"] : c["end"]] == c["quote"]
        assert c["colour"].startswith("#")


# --------------------------------------------------------------------------- exports


def test_qdpx_validates_and_contains_every_confirmed_coding(env, tmp_path) -> None:
    client, store = env["client"], env["store"]
    sid = _machine_statements(store, "003_703938f9d97872b5.txt")[0]["id"]
    r = client.patch(f"/api/statements/{sid}", json={"reviewer": "Kari"}, headers=AUTH)
    assert r.status_code == 200 and r.json()["status"] == "confirmed"

    out = tmp_path / "prosjekt.qdpx"
    counts = refi.project_qdpx(store, out, env["settings"])
    with zipfile.ZipFile(out) as z:
        qde = z.read("project.qde")
        names = z.namelist()
    assert refi.validate(qde, "project") == []
    root = etree.fromstring(qde)
    ns = {"q": refi.PROJECT_NS}
    selections = {s.get("guid"): s for s in root.iterfind(".//q:PlainTextSelection", ns)}
    reviewed = refi.codings(store, statuses=("confirmed", "edited"))
    assert reviewed and counts["codings"] == len(reviewed)
    code_guids = {c.get("guid") for c in root.iterfind(".//q:Code", ns)}
    for row in reviewed:
        sel = selections[refi.guid(row["statement"])]
        assert int(sel.get("startPosition")) == row["start"]
        ref = sel.find("q:Coding/q:CodeRef", ns).get("targetGUID")
        assert ref == refi.guid(row["concept"]) and ref in code_guids
    # every source's text is in the zip, and offsets point at the quotes
    for src in root.iterfind(".//q:TextSource", ns):
        path = src.get("plainTextPath").replace("internal://", "sources/")
        assert path in names

    qdc = refi.codebook_qdc()
    assert refi.validate(qdc, "codebook") == []
    # the validation can fail: a Code without its required name is refused
    broken = qdc.replace(b' name="', b' nome="', 1)
    assert refi.validate(broken, "codebook")


def test_codings_csv_has_provenance_columns(env) -> None:
    rows = list(csv.DictReader(io.StringIO(refi.codings_csv(refi.codings(env["store"])))))
    assert rows
    for col in (
        "document",
        "voice",
        "authors",
        "concept",
        "quote",
        "start",
        "end",
        "page",
        "assigned_by",
        "status",
    ):
        assert col in rows[0]
    assert {r["status"] for r in rows} >= {"machine"}
    assert any(r["assigned_by"].startswith("helsegraf") for r in rows)


# --------------------------------------------------------------------------- agreement


def test_agreement_f1_equals_eval(extractions, tmp_path) -> None:
    out = tmp_path / "maskin"
    out.mkdir()
    for name, x in extractions.items():
        (out / f"{name}.json").write_text(x.model_dump_json(), encoding="utf-8")
    report = agreement(out, GOLD)
    reference = evaluate(GOLD, extractions)
    assert [c.category for c in report.categories] == list(CATEGORIES)
    for c in report.categories:
        assert c.f1 == reference.f1(c.category)
        if c.alpha is not None:
            assert -1.0 <= c.alpha <= 1.0 and c.units >= c.tp + c.fp + c.fn

    # the printed tables agree too (CSV of both commands)
    runner = CliRunner()
    ev = runner.invoke(cli_app, ["eval", str(GOLD), "--predictions", str(out), "--csv"])
    ag = runner.invoke(cli_app, ["agreement", str(out), str(GOLD), "--csv"])
    assert ev.exit_code == 0 and ag.exit_code == 0, ev.output + ag.output
    ev_f1 = {
        r["category"]: r["f1"]
        for r in csv.DictReader(io.StringIO(ev.stdout))
        if r["document"] == "ALL"
    }
    ag_f1 = {r["category"]: r["f1"] for r in csv.DictReader(io.StringIO(ag.stdout))}
    assert ev_f1 == ag_f1


def test_agreement_of_a_coding_with_itself_is_perfect(tmp_path) -> None:
    report = agreement(GOLD, GOLD)
    for c in report.categories:
        assert c.f1 == 1.0
        assert c.alpha in (None, 1.0)


def test_alpha_binary_matches_hand_computation() -> None:
    # 10 units: 3 both, 5 neither, 1 only A, 1 only B. n=20, n1=8, n0=12, o01=2 (both orders).
    # alpha = 1 - (n-1) * o01 / (n1 * n0) = 1 - 19 * 2 / 96
    assert alpha_binary(3, 1, 1, 5) == pytest.approx(1 - 19 * 2 / 96)
    assert alpha_binary(4, 0, 0, 6) == 1.0


# --------------------------------------------------------------------------- recode


def test_recode_reports_moves_after_adding_a_phrasing(env, tmp_path) -> None:
    store, settings = env["store"], env["settings"]
    name = "004_fa6abfb1be789bfb.txt"
    machine = _machine_statements(store, name)
    other = [m for m in machine if m["concept"].endswith("/annet")] or machine
    target = other[0]
    # A concept the target's voice has not coded yet: one coding per (voice, concept) is kept,
    # so moving into a concept the voice already has would merge rather than move.
    in_voice = {
        m["concept"]
        for m in overlay.statements(store, target["doc_id"])
        if m["voice_id"] == target["voice_id"]
    }
    moved_to = _other_concept(target["concept"], in_voice)
    reviewed_before = [
        r
        for r in overlay.statements(store, overlay.document(store, name)["id"])
        if r["status"] != "machine"
    ]
    cb = tmp_path / "codebook.ttl"
    shutil.copy(codebook_module.DEFAULT_PATH, cb)
    assert add_phrasing(cb, moved_to, target["quote"], who="Kari") == moved_to
    assert target["quote"] in codebook_module.parse_codebook(cb)[moved_to].phrasings
    # A reviewed coding whose passage the new phrasing would also move: recode leaves it alone.
    kept = next(
        m
        for m in machine
        if m["id"] != target["id"]
        and m["concept"] != moved_to
        and m["kind"] == target["kind"]
        and m["quote"] != target["quote"]
        and m["voice_id"] != target["voice_id"]  # else the two would merge into one coding
    )
    add_phrasing(cb, moved_to, kept["quote"])
    confirmed = service.review_statement(store, settings, kept["id"], "confirm", "Kari")
    assert confirmed["status"] == "confirmed"
    reviewed_before.append(confirmed)
    real = codebook_module.DEFAULT_PATH.read_bytes()

    report = recode(store, settings, cb, documents=[name], apply=True)
    assert report.documents == 1 and report.applied
    moves = [(m.start, m.end, m.new_concept) for m in report.moves]
    assert (target["start"], target["end"], moved_to) in moves, report.moves[:10]
    reviewed_spans = {(r["start"], r["end"]) for r in reviewed_before}
    assert not any((m.start, m.end) in reviewed_spans for m in report.moves)
    after = overlay.statements(store, overlay.document(store, name)["id"])
    assert any(
        r["start"] == kept["start"]
        and r["concept"] == kept["concept"]
        and r["status"] == "confirmed"
        for r in after
    )
    assert any(
        r["start"] == target["start"] and r["concept"] == moved_to and r["status"] == "machine"
        for r in after
    )
    # the real codebook is untouched and extraction reads it again afterwards
    assert codebook_module.DEFAULT_PATH.read_bytes() == real
    assert moved_to in codebook_module.load_codebook()
    assert target["quote"] not in codebook_module.load_codebook()[moved_to].phrasings


def test_reviewer_codings_are_exported_as_reviewed_extractions(env, tmp_path) -> None:
    from helsegraf.review.extraction import write_reviewed

    n = write_reviewed(env["store"], tmp_path)
    assert n == 4
    data = json.loads((tmp_path / "000_b211a8940c2d5fc4.txt.json").read_text(encoding="utf-8"))
    statuses = {s["status"] for s in data["challenges"] + data["measures"]}
    assert "rejected" not in statuses and "machine" in statuses


def test_codebook_edits_parse_and_bad_ones_leave_the_file_as_it_was(tmp_path) -> None:
    cb = tmp_path / "codebook.ttl"
    shutil.copy(codebook_module.DEFAULT_PATH, cb)
    add_concept(
        cb,
        "tiltak/felles-journal",
        "Felles journal",
        themes=["tema/digitalisering"],
        phrasings=["felles pasientjournal"],
    )
    parsed = codebook_module.parse_codebook(cb)
    assert parsed["tiltak/felles-journal"].themes == ["tema/digitalisering"]
    assert parsed["tiltak/felles-journal"].phrasings == ["felles pasientjournal"]
    before = cb.read_bytes()
    with pytest.raises(HelsegrafError):
        add_concept(cb, "tiltak/noe", "Noe", themes=["tema/finnes-ikke"])
    with pytest.raises(HelsegrafError):
        add_concept(cb, "tiltak/felles-journal", "Igjen")
    with pytest.raises(HelsegrafError):
        add_phrasing(cb, "utfordring/finnes-ikke", "x")
    assert cb.read_bytes() == before


def test_corrections_follow_their_passage_into_a_changed_file(env, tmp_path) -> None:
    client, store, settings = env["client"], env["store"], env["settings"]
    name = "003_703938f9d97872b5.txt"
    machine = _machine_statements(store, name)
    rejected = machine[-1]
    text = load(CORPUS / name).text
    line = next(ln.strip() for ln in reversed(text.splitlines()) if len(ln.strip()) > 40)
    r = client.patch(
        f"/api/statements/{rejected['id']}",
        json={"action": "reject"},
        headers={**AUTH, "X-Reviewer": "Kari"},
    )
    assert r.status_code == 200
    r = client.post(
        "/api/statements",
        headers=AUTH,
        json={
            "document": name,
            "concept": "utfordring/rekruttering",
            "quote": line,
            "start": text.rfind(line),
            "reviewer": "Kari",
        },
    )
    assert r.status_code == 201, r.text
    old_doc = overlay.document(store, name)["id"]

    # The same document, edited: a line added at the top moves every offset.
    changed = tmp_path / name
    prefix = "Revidert utgave, med et nytt forord.\n"
    changed.write_text(prefix + (CORPUS / name).read_text(encoding="utf-8"), encoding="utf-8")
    texts.remember_file(changed, settings)
    store.load_extraction(extract_file(changed))
    doc = overlay.document(store, name)
    assert doc["id"] != old_doc
    rows = overlay.statements(store, doc["id"])
    shift = len(prefix)
    by_span = {(r["start"], r["end"]): r for r in rows}
    was = by_span[(rejected["start"] + shift, rejected["end"] + shift)]
    assert was["status"] == "rejected" and was["quote"] == rejected["quote"]
    new_text = load(changed).text
    added = [r for r in rows if r["quote"] == line and r["concept"] == "utfordring/rekruttering"]
    assert len(added) == 1 and added[0]["status"] == "confirmed"
    assert new_text[added[0]["start"] : added[0]["end"]] == line
    assert added[0]["start"] == text.rfind(line) + shift

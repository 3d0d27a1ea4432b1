"""The graph commands end to end: ``helsegraf ingest``, ``stats``, ``query cypher|named|list``."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

DOC_A = (
    "Innspill fra Orkland kommune\n"
    "Vi har store utfordringer med å rekruttere sykepleiere og leger.\n"
    "Kommunen foreslår mer bruk av digital hjemmeoppfølging.\n"
)
DOC_B = (
    "Handlingsplan for Helse Nord-Trøndelag HF\n"
    "Det er vanskelig å rekruttere spesialister.\n"
    "Vi vil bedre utskrivningen av pasienter fra sykehus.\n"
)


def _run(data: Path, *args: str, columns: int | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELSEGRAF_")}
    env["HELSEGRAF_DATA_DIR"] = str(data)
    if columns is not None:
        env["COLUMNS"] = str(columns)
    return subprocess.run(
        [sys.executable, "-m", "helsegraf", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=data.parent,
    )


@pytest.fixture(scope="module")
def ingested(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    corpus = tmp_path_factory.mktemp("corpus")
    (corpus / "a.txt").write_text(DOC_A, encoding="utf-8")
    (corpus / "b.txt").write_text(DOC_B, encoding="utf-8")
    (corpus / "broken.pdf").write_bytes(b"this is not a pdf")
    data = tmp_path_factory.mktemp("cli-store")
    return data, _run(data, "ingest", str(corpus), "--workers", "2")


def test_ingest_loads_good_documents_and_reports_the_bad_one(ingested) -> None:
    data, done = ingested
    assert done.returncode == 1
    assert "ingested 2 of 3 documents" in done.stdout and "1 failed" in done.stdout
    failed = [line for line in done.stderr.splitlines() if line.startswith("failed:")]
    assert len(failed) == 1 and "broken.pdf" in failed[0]
    stats = json.loads(_run(data, "stats", "--json").stdout)
    assert stats["Dokument"] == 2 and stats["Stemme"] >= 2


def test_ingest_again_changes_nothing(ingested, tmp_path: Path) -> None:
    data, _ = ingested
    before = json.loads(_run(data, "stats", "--json").stdout)
    corpus = tmp_path / "again"
    corpus.mkdir()
    (corpus / "a.txt").write_text(DOC_A, encoding="utf-8")
    done = _run(data, "ingest", str(corpus), "--workers", "1")
    assert done.returncode == 0, done.stderr
    assert json.loads(_run(data, "stats", "--json").stdout) == before
    # it says so, rather than "ingested 1 of 1" as if something changed
    assert "ingested 0 of 1 documents, 1 unchanged" in done.stdout


def test_ingest_of_a_changed_file_is_not_unchanged(ingested, tmp_path: Path) -> None:
    data, _ = ingested
    corpus = tmp_path / "changed"
    corpus.mkdir()
    (corpus / "b.txt").write_text(DOC_B + "Vi trenger flere jordmødre.\n", encoding="utf-8")
    done = _run(data, "ingest", str(corpus), "--workers", "1")
    assert done.returncode == 0, done.stderr
    assert "ingested 1 of 1 documents:" in done.stdout and "unchanged" not in done.stdout
    (corpus / "b.txt").write_text(DOC_B, encoding="utf-8")  # as the other tests expect it
    again = _run(data, "ingest", str(corpus), "--workers", "1")
    assert "ingested 1 of 1 documents:" in again.stdout


def test_query_list_shows_every_full_name_at_80_columns(ingested) -> None:
    from helsegraf.queries import catalog

    data, _ = ingested
    listed = _run(data, "query", "list", columns=80)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines)
    for q in catalog.all():
        assert any(line.split(" ")[0] == q.name for line in lines), q.name


def test_query_named_fits_the_terminal_or_says_how_to_see_all(ingested) -> None:
    data, _ = ingested
    args = ("query", "named", "actors_raising_challenge", "-p", "challenge=rekruttering")
    done = _run(data, *args, columns=80)
    assert done.returncode == 0, done.stderr
    assert all(len(line) <= 80 for line in done.stdout.splitlines())
    assert "…" not in done.stdout  # values wrap, they are not cut
    assert "use --csv or --json" in done.stderr
    full = json.loads(_run(data, *args, "--json").stdout)
    assert full and {"quote", "document_name", "challenge"} <= set(full[0])
    wide = _run(data, "query", "named", "documents_list", columns=200)
    assert "--csv or --json" not in wide.stderr


def test_query_named_takes_short_concept_ids(ingested) -> None:
    data, _ = ingested
    short = _run(
        data, "query", "named", "actors_raising_challenge", "-p", "challenge=rekruttering", "--csv"
    )
    full = _run(
        data,
        "query",
        "named",
        "actors_raising_challenge",
        "-p",
        "challenge=utfordring/rekruttering",
        "--csv",
    )
    assert short.returncode == 0, short.stderr
    rows = list(csv.DictReader(io.StringIO(short.stdout)))
    assert rows and {r["challenge"] for r in rows} == {"utfordring/rekruttering"}
    assert short.stdout == full.stdout


def test_query_named_without_a_required_parameter_is_an_error(ingested) -> None:
    data, _ = ingested
    done = _run(data, "query", "named", "actors_raising_challenge", "--csv")
    assert done.returncode == 2
    assert "challenge" in done.stderr and done.stdout == ""
    optional = _run(data, "query", "named", "actors_list", "--csv")  # all have defaults
    assert optional.returncode == 0, optional.stderr


def test_query_cypher_prints_csv_and_refuses_writes(ingested) -> None:
    data, _ = ingested
    done = _run(
        data,
        "query",
        "cypher",
        "MATCH (d:Dokument) WHERE d.name <> $x RETURN d.name AS name ORDER BY name",
        "--param",
        "x=none",
        "--csv",
    )
    assert done.returncode == 0, done.stderr
    assert list(csv.reader(io.StringIO(done.stdout))) == [["name"], ["a.txt"], ["b.txt"]]
    refused = _run(data, "query", "cypher", "CREATE (n:Dokument {id: 'x'}) RETURN n")
    assert refused.returncode == 1
    assert "read-only" in refused.stderr and "Traceback" not in refused.stderr
    assert json.loads(_run(data, "stats", "--json").stdout)["Dokument"] == 2


def test_query_named_and_list(ingested) -> None:
    data, _ = ingested
    listed = _run(data, "query", "list", "--csv")
    assert listed.returncode == 0 and "actors_raising_challenge" in listed.stdout
    done = _run(data, "query", "named", "documents_list", "--csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert sorted(r["name"] for r in rows) == ["a.txt", "b.txt"]
    unknown = _run(data, "query", "named", "no_such_query")
    assert unknown.returncode == 1 and "no named query" in unknown.stderr

"""Sources as metadata: the corpus manifest, '# key: value' header lines, authors from the
sender or from the publishing site's web domain, the addressee never the author."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from helsegraf.ingest.evaluate import evaluate
from helsegraf.ingest.models import SourceInfo
from helsegraf.ingest.pipeline import extract_file, extract_text
from helsegraf.ingest.sources import clean, read_header
from helsegraf.ontology.registry import load_registry
from helsegraf.ontology.web_domains import WEB_DOMAINS_YAML, kommune_domains, publisher

# A page of the genre without a sender line: who wrote it is known only from where it was.
PAGE = (
    "Landsstyret i KS mener at kommunene må ha tilstrekkelig handlingsrom.\n"
    "\n"
    "Kommunene trenger flere fastleger, og rekrutteringen av fastleger må styrkes.\n"
)
LETTER = (
    "Høringssvar fra Lunner kommune\n\nLunner kommune ser store utfordringer med rekruttering.\n"
)


def _authors(x: object) -> list[str]:
    return [a for v in x.voices for a in v.authors]  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- header lines


def test_header_lines_are_metadata_not_text() -> None:
    text = (
        "# url: https://www.ks.no/uttalelser/fastlegeordningen/\n"
        "# date: 2019-06-20\n"
        "# owner-note: kept by the researcher\n"
        "\n" + PAGE
    )
    x = extract_text(text, "page.txt")
    assert x.source == "https://www.ks.no/uttalelser/fastlegeordningen/"
    assert x.date == "2019-06-20"
    assert _authors(x) == ["KS"]
    lines = {s.line for s in [*x.challenges, *x.measures]}
    assert lines and min(lines) > 4  # nothing was read from the header
    assert all("#" not in s.quote for s in [*x.challenges, *x.measures])


def test_read_header_ignores_unknown_keys_and_stops_at_text() -> None:
    info, n = read_header(["# Sender: Lunner kommune", "# colour: blue", "", "Tekst", "# url: x"])
    assert info == SourceInfo(sender="Lunner kommune")
    assert n == 2
    assert read_header(["Tekst", "# url: https://ks.no"]) == (SourceInfo(), 0)


def test_bad_metadata_values_are_left_out() -> None:
    assert clean({"date": "i fjor", "kind": "brev", "title": " T "}) == SourceInfo(title="T")
    assert clean({"date": "27.04.2023"}).date == "2023-04-27"


# --------------------------------------------------------------------------- manifests


def test_csv_manifest_beside_the_files(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(PAGE, encoding="utf-8")
    (tmp_path / "sources.csv").write_text(
        "file,url,sender,kind,extra\na.txt,https://ks.no/x,,innspill,ignored\n", encoding="utf-8"
    )
    x = extract_file(tmp_path / "a.txt")
    assert (x.source, x.kind, _authors(x)) == ("https://ks.no/x", "innspill", ["KS"])
    bare = extract_file(tmp_path / "a.txt", use_sources=False)
    assert bare.source is None and _authors(bare) == []


def test_yaml_manifest_above_a_corpus_folder(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(PAGE, encoding="utf-8")
    (tmp_path / "sources.yaml").write_text(
        yaml.safe_dump([{"file": "corpus/a.txt", "sender": "Lunner kommune"}]), encoding="utf-8"
    )
    assert _authors(extract_file(corpus / "a.txt")) == ["Lunner kommune"]


def test_header_wins_over_manifest(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("# sender: Lunner kommune\n" + PAGE, encoding="utf-8")
    (tmp_path / "sources.csv").write_text("file,sender\na.txt,Trondheim kommune\n", "utf-8")
    assert _authors(extract_file(tmp_path / "a.txt")) == ["Lunner kommune"]


def test_eval_reads_the_manifest_unless_told_not_to(tmp_path: Path) -> None:
    (tmp_path / "corpus").mkdir()
    (tmp_path / "gold").mkdir()
    (tmp_path / "corpus" / "a.txt").write_text(PAGE, encoding="utf-8")
    (tmp_path / "corpus" / "sources.csv").write_text("file,url\na.txt,https://ks.no/a\n", "utf-8")
    gold = {"document": "a.txt", "voices": [{"id": "v1", "authors": ["KS"], "lines": [1, 3]}]}
    (tmp_path / "gold" / "a.gold.json").write_text(json.dumps(gold), encoding="utf-8")
    assert evaluate(tmp_path / "gold").f1("authors") == 1.0
    assert evaluate(tmp_path / "gold", use_sources=False).f1("authors") == 0.0


# --------------------------------------------------------------------------- who is the author


def test_sender_line_in_the_text_wins(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(LETTER, encoding="utf-8")
    (tmp_path / "sources.csv").write_text("file,url,sender\na.txt,https://ks.no/a,KS\n", "utf-8")
    assert _authors(extract_file(tmp_path / "a.txt")) == ["Lunner kommune"]


@pytest.mark.parametrize(
    "url",
    [
        "https://www.regjeringen.no/no/dokumenter/horing/id2961754/?uid=06207e84",
        "https://www.stortinget.no/no/Hva-skjer-pa-Stortinget/Horing/horingsinnspill/?dnid=1",
        "https://innsyn.lunner.kommune.no/journal/123",
    ],
)
def test_a_site_hosting_others_letters_names_no_author(url: str) -> None:
    x = extract_text(f"# url: {url}\n" + PAGE, "page.txt")
    assert _authors(x) == []


def test_the_addressee_is_never_the_author() -> None:
    x = extract_text("Gav innspill på Stortinget\n\n" + PAGE, "page.txt")
    assert "Stortinget" not in _authors(x)
    y = extract_text("Innspill til Helse Nord RHF\n\n" + PAGE, "page.txt")
    assert "Helse Nord RHF" not in _authors(y)


# --------------------------------------------------------------------------- the domain registry


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://www.lunner.kommune.no/tjenester/helse", "Lunner kommune"),
        ("tromso.kommune.no/innspill", "Tromsø kommune"),
        ("https://www.helse-mr.no/fag/barneblikk", "Helse Møre og Romsdal HF"),
        ("https://unn.no/fag-og-forskning/samhandling/x", "Universitetssykehuset Nord-Norge HF"),
        ("https://www.saman.no/aktuelt/x/", "Helsefellesskapet i bergensområdet"),
        ("https://www.ks.no/horingssvar/x/", "KS"),
    ],
)
def test_publisher_of_an_organisations_own_site(url: str, name: str) -> None:
    site = publisher(url)
    assert site is not None and site.name == name and not site.hosted


def test_unknown_and_shared_names_give_no_publisher() -> None:
    assert publisher("https://example.org/x") is None
    domains = kommune_domains(["{name}.kommune.no"])
    assert "heroy.kommune.no" not in domains  # two municipalities are called Herøy


def test_every_domain_names_a_known_actor() -> None:
    data = yaml.safe_load(WEB_DOMAINS_YAML.read_text(encoding="utf-8"))
    registry = load_registry()
    unknown = [n for n in data["organisations"].values() if registry.resolve(n) is None]
    assert unknown == []
    assert len(kommune_domains(data["kommune_domains"])) > 300


def test_ingest_reads_the_manifest_into_the_graph(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "page.txt").write_text(PAGE, encoding="utf-8")
    (corpus / "sources.csv").write_text(
        "file,url\npage.txt,https://www.ks.no/uttalelser/fastlege/\n", encoding="utf-8"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELSEGRAF_")}
    env["HELSEGRAF_DATA_DIR"] = str(tmp_path / "data")

    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "helsegraf", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            cwd=tmp_path,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    run("ingest", str(corpus))
    out = run(
        "query",
        "cypher",
        "MATCH (d:Dokument)-[:HAS_VOICE]->(v)<-[:AUTHORED]-(a) RETURN d.source AS source, a.name AS author",
        "--csv",
    )
    import csv

    rows = list(csv.DictReader(out.splitlines()))
    assert rows == [{"source": "https://www.ks.no/uttalelser/fastlege/", "author": "KS"}]

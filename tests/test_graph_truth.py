"""What the graph says must be true: defects seen on the samples as a new user meets them.

Each test failed before its fix: historical municipalities outside their validity, quotes
that point at the wrong line or hide that they are cut, a registry note inside a name,
organisations credited with running an example they only stand beside, a region as an
organisation, and records of proceedings taken for measures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from helsegraf.ingest.models import Extraction
from helsegraf.ingest.pipeline import extract_file
from helsegraf.ontology.registry import load_registry

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "corpus"


@pytest.fixture(scope="module")
def extracted() -> dict[str, Extraction]:
    return {p.name[:3]: extract_file(p) for p in sorted(SAMPLES.glob("*.txt"))}


# --------------------------------------------------------------------------- municipalities


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory, extracted) -> Iterator:
    from helsegraf.core.config import Settings
    from helsegraf.graph.store import open_store

    settings = Settings(data_dir=tmp_path_factory.mktemp("truth"), graph_name="truth")  # type: ignore[call-arg]
    with open_store(settings) as store:
        store.ensure_reference()
        for x in extracted.values():
            store.load_extraction(x)
        yield store


def test_searching_a_municipality_finds_it_once(sample_store) -> None:
    """Skaun (5029 since 2018) is named in a 2022 text; Skaun 1657 (Sør-Trøndelag, until
    2017) is in the registry but named by no document, so a search finds one Skaun."""
    rows = sample_store.run_named("actors_list", {"type": "", "text": "Skaun", "fylke": ""})
    assert [(r["id"], r["name"]) for r in rows] == [("kommune/5029", "Skaun kommune")]


def test_a_historical_municipality_is_found_where_a_document_names_it(sample_store) -> None:
    from helsegraf.ingest.pipeline import extract_text

    x = extract_text(
        "Innspill fra Skaun kommune\n\nDato: 12.03.2017\n\n"
        "Skaun kommune ser store utfordringer med rekruttering av fastleger.\n",
        "skaun-2017.txt",
    )
    assert [a.kommunenummer for a in x.actors if a.name == "Skaun kommune"] == ["1657"]
    sample_store.load_extraction(x)
    try:
        rows = sample_store.run_named("actors_list", {"type": "", "text": "Skaun", "fylke": ""})
        assert sorted(r["id"] for r in rows) == ["kommune/1657", "kommune/5029"]
    finally:
        sample_store.delete_document(x.document)


# --------------------------------------------------------------------------- quotes


def test_the_quote_is_the_line_that_carries_the_evidence(extracted) -> None:
    """Inderøy's recruitment challenge runs over three lines; the quote is the one with the
    word "rekruttering", not the line after it."""
    x = extracted["003"]
    inderoy = [v.id for v in x.voices if v.authors == ["Inderøy kommune"]]
    quotes = [
        c.quote
        for c in x.challenges
        if c.voice in inderoy and c.concept == "utfordring/rekruttering"
    ]
    assert quotes and all("rekrutter" in q.lower() for q in quotes), quotes


def test_a_quote_cut_at_the_end_of_its_line_says_so(extracted) -> None:
    x = extracted["003"]
    cut = [s for s in [*x.challenges, *x.measures] if s.quote_cut]
    assert cut, "sentences that run over several lines give quotes cut at the line end"
    whole = [s for s in [*x.challenges, *x.measures] if s.quote_cut is False]
    assert whole
    lines = (SAMPLES / x.document).read_text(encoding="utf-8").split("\n")
    for s in cut:
        assert s.line is not None
        assert lines[s.line - 1].rstrip().endswith(s.quote) or len(s.quote) >= 190


def test_the_api_says_which_quotes_are_cut(sample_store, extracted) -> None:
    from helsegraf.api.shape import evidence, statement

    x = extracted["003"]
    rows = sample_store.run_named("document_statements", {"document": x.document})
    shown = [statement(r) for r in rows]
    assert {s.quote_cut for s in shown} == {True, False}
    cut = {s.quote for s in [*x.challenges, *x.measures] if s.quote_cut}
    assert {s.quote for s in shown if s.quote_cut} == cut
    examples = [e for e in x.examples if e.quote_cut]
    assert examples  # an example's sentence may run on too
    ex_id = sample_store.query(
        "MATCH (e:Eksempel {name: $name}) RETURN e.id AS id", {"name": examples[0].name}
    )[0]["id"]
    (detail,) = sample_store.run_named("example_detail", {"example": ex_id})
    assert any(evidence(m).quote_cut for m in detail["mentions"])


# --------------------------------------------------------------------------- names


def test_no_name_carries_the_registry_note() -> None:
    registry = load_registry()
    assert not [h.name for h in registry.helsefellesskap if "verified" in h.name]
    unverified = [h for h in registry.helsefellesskap if not h.name_verified]
    assert unverified  # the registry still knows which names are descriptive


def test_no_actor_in_the_graph_carries_the_registry_note(sample_store) -> None:
    rows = sample_store.query(
        "MATCH (a:`Aktør`) WHERE a.name CONTAINS 'verified' RETURN a.name AS name", row_cap=10
    )
    assert list(rows) == []


# --------------------------------------------------------------------------- who runs an example


def test_only_organisations_tied_to_an_example_run_it(extracted) -> None:
    for key in ("003", "004"):
        for e in extracted[key].examples:
            if e.name == "Helseplattformen":
                assert not {"Fagråd 2", "Statsforvalteren i Møre og Romsdal"} & set(e.actors)
                assert not any(a.startswith("Statsforvalteren") for a in e.actors)


def test_an_example_is_where_the_text_puts_it(extracted) -> None:
    (valdres,) = [e for e in extracted["001"].examples if e.name.startswith("Valdres lokalmed")]
    assert valdres.place != "Otta"
    assert "Nord-Gudbrandsdal lokalmedisinske senter" not in valdres.actors


def test_a_region_is_not_an_organisation_running_an_example(extracted) -> None:
    regions = {a.name for x in extracted.values() for a in x.actors if a.type == "Region"}
    assert regions  # "Nordmøre" is named, as a place
    for x in extracted.values():
        for e in x.examples:
            assert not regions & set(e.actors), (e.name, e.actors)


# --------------------------------------------------------------------------- annet


def test_a_record_of_proceedings_is_not_a_measure(extracted) -> None:
    for x in extracted.values():
        for m in x.measures:
            assert "behandlet saken" not in m.quote, m
    annet = [m for x in extracted.values() for m in x.measures if m.concept == "tiltak/annet"]
    assert annet  # unmatched statements of measures are still kept as annet

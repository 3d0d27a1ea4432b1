"""Examples the way real pages write them: names in a list after a plural noun, a name
introduced by «kalt …» with its period, a service the sentence is about, a new hospital as a
project; and what is not one (a motto in quotes, ordinary words that happen to be a
programme's name). Who runs an example and where it is: only what the text ties to it."""

from __future__ import annotations

from helsegraf.ingest.models import Extraction
from helsegraf.ingest.pipeline import extract_text

HEAD = "Innspill fra Vefsn kommune\n\n"


def _x(body: str) -> Extraction:
    return extract_text(HEAD + body + "\n", "doc.txt")


def _names(body: str) -> dict[str, list[str]]:
    return {e.name: e.aliases for e in _x(body).examples}


def test_a_list_after_a_plural_noun_is_several_names() -> None:
    names = _names("Satsingane Ungdomsløftet og Aktiv hverdag må få midler i mange år.")
    assert "Ungdomsløftet" in names and "Aktiv hverdag" in names
    assert not any(" og " in n for n in names)


def test_a_slogan_with_og_and_an_exclamation_stays_one_name() -> None:
    names = _names("Vi har gode erfaringer med programmene Heimtur og Opp og Gå!")
    assert {"Heimtur", "Opp og Gå!"} <= set(names)


def test_a_name_introduced_by_kalt_keeps_its_period_as_an_alias() -> None:
    names = _names("Partene har laget en avtale kalt «Fjordløftet 2024-2027» for samarbeidet.")
    assert "Fjordløftet 2024-2027" in names
    assert "Fjordløftet" in names["Fjordløftet 2024-2027"]


def test_a_quoted_sentence_is_a_motto_not_an_example() -> None:
    assert _names("Vår satsing bygger på «Pasienten er alltid viktigst» i alt vi gjør.") == {}


def test_ordinary_words_are_a_programme_only_when_written_as_its_name() -> None:
    assert _names("Målet er å kome tidleg inn i familiane med hjelp.") == {}
    assert "Tidlig inn" in _names("Kommunen har gode erfaringer med Tidlig inn.")


def test_a_service_the_sentence_is_about_is_an_example() -> None:
    assert "DMS Nord-Troms" in _names("DMS Nord-Troms skal gi folk tenester nær der dei bur.")


def test_a_new_hospital_is_a_building_project() -> None:
    x = _x("Arbeidet med Nye Nordlandssykehuset skal skje i tett samarbeid med kommunene.")
    (ex,) = [e for e in x.examples if e.name == "Nye Nordlandssykehuset"]
    assert ex.actors == ["Nordlandssykehuset HF"]

"""Example (initiative) recognition on short bokmål and nynorsk texts."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from helsegraf.ingest import initiatives, recognise
from helsegraf.ingest.models import ActorMention, ActorRef, Recognised

_spec = importlib.util.spec_from_file_location(
    "_classify_tests", Path(__file__).with_name("test_classify.py")
)
assert _spec and _spec.loader
_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_mod)
make_doc = _mod.make_doc


def examples(text: str, actors: list[ActorMention] | None = None):
    doc = make_doc(text)
    rec = Recognised(actors=actors or [], examples=initiatives.find_mentions(doc, actors or []))
    return initiatives.run(doc, rec)


def test_known_initiative_with_inflected_alias() -> None:
    out = examples("Kommunen har gode erfaringer med FACT-teamet i regionen.\n")
    assert [e.name for e in out] == ["FACT"]
    ex = out[0]
    assert ex.stance == "good-practice"
    assert "pasientgruppe/psykisk-rus" in ex.patient_groups
    assert "FACT-teamet" in ex.aliases
    assert ex.quote in "Kommunen har gode erfaringer med FACT-teamet i regionen."


def test_aliases_of_one_initiative_merge_per_voice() -> None:
    out = examples(
        "Det er etablert to FACT-team i fylket.\nFACT-modellen bør spres til flere kommuner.\n"
    )
    assert [e.name for e in out] == ["FACT"]
    assert {"FACT-team", "FACT-modellen"} <= set(out[0].aliases)


def test_mentioned_without_praise() -> None:
    out = examples("Sykehuset tar i bruk Helseplattformen neste år.\n")
    assert [(e.name, e.stance) for e in out] == [("Helseplattformen", "mentioned")]


def test_new_names_found_by_pattern() -> None:
    out = examples(
        "Sykehuset har i samarbeid med kommunene utviklet programmet Trygg Start for nybakte foreldre.\n"
        "Forbedringsarbeidet har resultert i kampanjen Opp og Gå! på sengepostene.\n"
        "Vi samarbeider godt i det såkalte Fjordstjerne-nettverket.\n"
    )
    names = {e.name for e in out}
    assert {"Trygg Start", "Opp og Gå!", "Fjordstjerne-nettverket"} <= names


def test_nynorsk_example_is_held_up() -> None:
    out = examples("Heimebesøksteamet Saman Heim er eit godt døme på god samhandling.\n")
    assert any(
        e.name == "Heimebesøksteamet Saman Heim" and e.stance == "good-practice" for e in out
    )


def test_generic_measures_and_organisations_are_not_examples() -> None:
    ref = ActorRef(name="Helse Fonna HF", type="Helseforetak")
    text = (
        "Vi ønsker økt bruk av videokonsultasjon og et godt samarbeid med prosjektet Helse Fonna.\n"
    )
    start = text.index("Helse Fonna")
    actor = ActorMention(actor=ref, surface="Helse Fonna", block=0, start=start, end=start + 11)
    out = examples(text, [actor])
    assert out == []


def test_generic_service_type_only_where_held_up() -> None:
    assert examples("Kurset ble sendt til frisklivssentralene i kommunene.\n") == []
    out = examples("Frisklivssentralene er et godt eksempel på forebyggende arbeid.\n")
    assert [e.name for e in out] == ["Frisklivssentral"]


def test_generic_service_type_counts_under_a_heading_that_shares_experience() -> None:
    out = examples(
        "# Erfaringer vi vil dele\n"
        "Flere av kommunene har etablert Rask psykisk helsehjelp for lettere angst.\n"
    )
    assert [e.name for e in out] == ["Rask psykisk helsehjelp"]
    # the same sentence elsewhere, without praise, is a mention of a kind of service only
    assert examples("Flere av kommunene har etablert Rask psykisk helsehjelp.\n") == []


def test_recognise_runs_both_finders() -> None:
    doc = make_doc("Vi viser til Barneblikk, som er en suksesshistorie.\n")
    rec = recognise.run(doc)
    assert [m.name for m in rec.examples] == ["Barneblikk"]
    assert all(m.block == 0 for m in rec.examples)


def test_pilot_project_gets_its_object_as_alias() -> None:
    out = examples("Vi vil gjennomføre pilotprosjekt på mentorordning for nye helsefagarbeidere.\n")
    assert [e.name for e in out] == ["Pilotprosjekt på mentorordning for nye helsefagarbeidere"]
    assert "mentorordning for nye helsefagarbeidere" in out[0].aliases


def test_named_forum_but_not_an_ordinary_adjective() -> None:
    out = examples(
        "Vi vil videreutvikle Fosen legeforum i året som kommer.\n"
        "Rapporten kom fra et nasjonalt nettverk for kvalitet.\n"
    )
    assert [e.name for e in out] == ["Fosen legeforum"]


def test_pointers_in_a_section_of_good_examples() -> None:
    out = examples(
        "# Er dere kjent med pågående arbeid eller gode eksempler?\n"
        "Se til legevakten i Fjordby – Nordvik.\n"
        "Se også til kommunene Fjordby og Dalby, og deres prosjekt om trygg utskrivning.\n"
    )
    by_name = {e.name: e for e in out}
    assert "Legevakten i Fjordby – Nordvik" in by_name
    assert "trygg utskrivning" in by_name["Prosjekt for trygg utskrivning"].aliases
    assert all(e.stance == "good-practice" for e in out)


def test_named_services_need_an_initiative_context() -> None:
    out = examples(
        "Sammen med sykehuset er det etablert lokalmedisinsk senter i Elvdal (på Sentrum) og i Fjellvik.\n"
    )
    assert {e.name for e in out} == {
        "Elvdal lokalmedisinske senter",
        "Fjellvik lokalmedisinske senter",
    }
    assert examples("2015 Elvdal DMS Elvdal 2\n") == []


def test_quoted_name_in_an_initiative_sentence_but_not_a_report_title() -> None:
    out = examples(
        "Vi har gode erfaringar med «Saman om meistring», som er eit tilbod til eldre.\n"
        "I rapporten «Betre samhandling i fylket» står det mykje om prosjekt.\n"
    )
    assert [(e.name, e.stance) for e in out] == [("Saman om meistring", "good-practice")]


def test_capitalised_common_noun_inside_a_praising_sentence_starts_a_name() -> None:
    out = examples(
        "Vi har gode erfaringar med til dømes Retningslinjer for heimebesøk etter fødsel.\n"
        "Det var en tur til Bergen i fjor.\n"
    )
    assert [e.name for e in out] == ["Retningslinjer for heimebesøk etter fødsel"]


def test_initiatives_command_lists_new_and_known(tmp_path: Path) -> None:
    import yaml
    from typer.testing import CliRunner

    from helsegraf.cli import app

    (tmp_path / "a.txt").write_text(
        "Innspill fra Skaun kommune\n\n"
        "Vi har gode erfaringer med FACT-teamet og med prosjektet «Trygg heim».\n",
        encoding="utf-8",
    )
    found = {f.name: f for f in initiatives.survey([tmp_path])}
    assert found["FACT"].known and not found["Trygg heim"].known
    out = CliRunner().invoke(app, ["initiatives", str(tmp_path), "--new", "--yaml"])
    assert out.exit_code == 0, out.output
    entries = yaml.safe_load(out.stdout)
    assert [e["name"] for e in entries] == ["Trygg heim"]
    assert entries[0]["seen_in"] == ["a.txt"]


def test_generic_list_items_under_an_example_question_are_not_examples() -> None:
    out = examples(
        "# Har dere gode eksempler på samhandling?\n"
        "• Kompetanseheving\n• Førebygging og tidleg innsats\n• Tverrfaglig samarbeid\n"
        "• Helsehuset i Vestby\n• Samhandlingsteamet Follo\n"
    )
    names = [e.name for e in out]
    assert names == ["Helsehuset i Vestby", "Samhandlingsteamet Follo"], names


def test_a_common_word_held_up_is_not_an_example() -> None:
    assert examples("Kompetanseheving er et godt eksempel på hva vi trenger.\n") == []
    out = examples("Trygghetsteamet er et godt eksempel på samarbeid om eldre.\n")
    assert [e.name for e in out] == ["Trygghetsteamet"]


def test_known_names_take_inflections_not_any_letters() -> None:
    assert examples("Tidlig innsats er viktig i hele forløpet, og det bør prioriteres.\n") == []
    out = examples("Kommunen deltar i Tidlig inn-programmet og har gode erfaringer.\n")
    assert [e.name for e in out] == ["Tidlig inn"]


def test_names_after_compound_intro_nouns_and_with_joiners() -> None:
    out = examples(
        "Kommunen deltar i læringsnettverket Trygge overganger, som gir gode resultat.\n"
        "Vi har utviklet modellen Aktiv i Hverdagen sammen med nabokommunen.\n"
    )
    assert [e.name for e in out] == ["Trygge overganger", "Aktiv i Hverdagen"]


def test_a_network_named_mid_sentence_in_a_sentence_that_holds_it_up() -> None:
    out = examples(
        "Kommunen er med i Læringsnettverket for trygge overganger og har god erfaring.\n"
    )
    assert [e.name for e in out] == ["Læringsnettverket for trygge overganger"]


def test_definite_compound_on_an_initiative_head_in_a_sentence_that_holds_it_up() -> None:
    out = examples("Vi har svært gode erfaringer med hospiteringsordningen mellom nivåene.\n")
    assert [e.name for e in out] == ["Hospiteringsordningen"]
    # the same word in a plain sentence, and an intro word before a name, are not examples
    assert examples("Hospiteringsordningen ble diskutert i møtet i fjor.\n") == []


def test_intro_word_and_place_give_aliases() -> None:
    out = examples("Eit godt døme er prosjektet «Heime lengst», som har gitt gode resultat.\n")
    assert [e.name for e in out] == ["Heime lengst"]
    assert "prosjektet «Heime lengst»" in out[0].aliases
    out = examples("Vi har gode erfaringer med Trygghetsteamet i Ås, som følger opp eldre.\n")
    assert [(e.name, e.aliases) for e in out] == [("Trygghetsteamet i Ås", ["Trygghetsteamet"])]


def test_a_named_label_under_an_example_question_is_an_example_a_topic_label_is_not() -> None:
    out = examples(
        "# Har dere gode eksempler?\n"
        "Helsehuset i Vestby: et lavterskeltilbud der kommunen og sykehuset samarbeider.\n"
        "Digitalisering: vi har tatt i bruk nye løsninger i hjemmetjenesten.\n"
        "Vi har også prøvd «Trygg hjemme» for eldre som bor alene.\n"
    )
    assert [e.name for e in out] == ["Helsehuset i Vestby", "Trygg hjemme"]


def test_a_named_service_with_its_own_place_keeps_its_name() -> None:
    out = examples(
        "Sogn lokalmedisinske senter i Lærdal er eit godt døme på godt samarbeid.\n"
        "Vi har også gode erfaringar med lokalmedisinsk senter i Valdres.\n"
    )
    names = [{e.name, *e.aliases} for e in out]
    assert len(names) == 2
    assert any("Sogn lokalmedisinske senter" in n for n in names)
    assert any("Valdres lokalmedisinske senter" in n for n in names)
    assert not any("Lærdal lokalmedisinske senter" in n for n in names)


def test_a_course_named_in_quotes_after_its_intro_noun() -> None:
    out = examples("Kurset «Eallit buriin» om å leve med diabetes er et godt eksempel.\n")
    assert [e.name for e in out] == ["Eallit buriin"]


def test_a_name_with_its_kind_glued_on_is_the_same_initiative() -> None:
    out = examples(
        "Vi har gode erfaringer med prosjektet Heimtur.\n"
        "Heimtur-teamet har gitt færre reinnleggelser, og vi vil spre Heimtur-modellen.\n"
    )
    assert len(out) == 1
    assert out[0].name == "Heimtur"
    assert {"Heimtur-teamet", "Heimtur-modellen"} <= set(out[0].aliases)


def test_a_short_title_under_a_question_for_examples_names_an_example() -> None:
    from helsegraf.ingest.pipeline import extract_text

    x = extract_text(
        "Innspel frå Stryn kommune\n\n"
        "3. Gode døme som andre kan lære av\n"
        "Felles akuttrening Nordfjord (FAN)\n"
        "Legevakt og ambulanse øver saman kvar månad, og det har gitt tryggare utrykkingar.\n"
        "Heimtur – tverrfagleg overgangsteam\n"
        "Teamet følgjer opp eldre i dagane etter utskriving frå sjukehuset.\n",
        "t.txt",
    )
    by_name = {e.name: e for e in x.examples}
    assert set(by_name) == {"Felles akuttrening Nordfjord", "Heimtur"}
    assert "FAN" in by_name["Felles akuttrening Nordfjord"].aliases
    assert all(e.stance == "good-practice" for e in x.examples)


def test_a_glued_footnote_number_is_not_part_of_a_name_and_a_log_in_service_is_no_example() -> None:
    out = examples(
        "Vi har gode erfaringer med Kompetansebroen2, en åpen plattform for deling av kunnskap.\n"
        "Mange eldre har ikke BankID, og det er et godt eksempel på digitalt utenforskap.\n"
    )
    assert [e.name for e in out] == ["Kompetansebroen"]


def test_the_local_team_of_a_known_model_is_named_by_its_place() -> None:
    out = examples(
        "FACT Vesterålen er et godt eksempel. Det tverrfaglige FACT-teamet følger opp mange.\n"
    )
    assert [e.name for e in out] == ["FACT Vesterålen"]
    assert {"FACT", "FACT-teamet"} <= set(out[0].aliases)
    # a model named without a place stays the model
    assert [e.name for e in examples("FACT-team er et godt eksempel på samarbeid.\n")] == ["FACT"]

"""Actor recognition on short strings."""

from __future__ import annotations

import pytest

from helsegraf.ingest.actors import ActorMatcher, find_actor_mentions, get_matcher
from helsegraf.ingest.models import (
    Block,
    Fragment,
    LoadedDocument,
    NormalisedDocument,
    SourceLine,
)


@pytest.fixture(scope="module")
def matcher() -> ActorMatcher:
    return get_matcher()


def names(matcher: ActorMatcher, text: str) -> list[tuple[str, str]]:
    return [(ref.name, ref.type) for _s, _e, ref, _surface in matcher.find(text)]


def test_kommune_list_after_kommunene(matcher):
    text = "Fra kommunene Skaun, Orkland, Heim, Hitra, Frøya, Rennebu, Rindal og Surnadal"
    got = names(matcher, text)
    assert [n for n, _ in got] == [
        "Skaun kommune",
        "Orkland kommune",
        "Heim kommune",
        "Hitra kommune",
        "Frøya kommune",
        "Rennebu kommune",
        "Rindal kommune",
        "Surnadal kommune",
    ]
    assert {t for _, t in got} == {"Kommune"}


def test_list_before_plural_kommuner(matcher):
    assert names(matcher, "Skaun og Orkland kommuner samarbeider.") == [
        ("Skaun kommune", "Kommune"),
        ("Orkland kommune", "Kommune"),
    ]


def test_common_word_names_need_a_kommune_cue(matcher):
    assert names(matcher, "Vi bor i et heim ved Nes og Os.") == []
    assert names(matcher, "Pasienten kom hjem til Heim.") == []
    assert ("Heim kommune", "Kommune") in names(matcher, "Heim kommune har svart.")
    assert ("Sel kommune", "Kommune") in names(matcher, "Sel kommune har svart.")


def test_place_phrase_is_not_a_kommune(matcher):
    assert names(matcher, "Medisinerutdanning i Ålesund fra høsten 2023.") == []
    assert names(matcher, "Det er møte på Ørsta rådhus.") == []


def test_municipalities_named_with_kommune_after_a_place_preposition(matcher):
    text = "For innbyggere i Vinje kommune og Tokke kommune er det langt til Skien."
    got = [n for n, _ in names(matcher, text)]
    assert got == ["Vinje kommune", "Tokke kommune"]
    # bare names after "i" stay places
    assert names(matcher, "For innbyggere i Vinje og Tokke er det langt.") == []


def test_sites_named_by_place_and_names_without_glued_footnote_numbers(matcher):
    got = names(matcher, "Klinikk Alta og BUP Kongsberg deltar i Helsefellesskapet Finnmark1.")
    assert ("Klinikk Alta", "Sykehus") in got
    assert ("BUP Kongsberg", "Sykehus") in got
    assert ("Helsefellesskapet Finnmark", "Helsefellesskap") in got
    assert names(matcher, "Statsforvalteren i Oslo og Viken") == [
        ("Statsforvalteren i Oslo og Viken", "StatligEtat")
    ]


def test_molde_kommune_versus_molde_sjukehus(matcher):
    got = names(matcher, "Molde kommune og Molde sjukehus samarbeider.")
    assert got == [("Molde kommune", "Kommune"), ("Molde sjukehus", "Sykehus")]


def test_historical_kommune_keeps_its_name(matcher):
    got = matcher.find("Leksvik kommune slås sammen med Rissa fra 01.01.2018.")
    assert [(r.name, r.kommunenummer) for _, _, r, _ in got] == [
        ("Leksvik kommune", "1718"),
        ("Rissa kommune", "1624"),
    ]


def test_abbreviations_and_inflections(matcher):
    text = (
        "HNT og HMR har avtale med SI, OUS, UNN og Ahus. Helseføretaket Helse Møre og "
        "Romsdal og Helse-Nord-Trøndelag HF deltek, saman med St. Olavs og NAV."
    )
    got = {n for n, _ in names(matcher, text)}
    assert {
        "Helse Nord-Trøndelag HF",
        "Helse Møre og Romsdal HF",
        "Sykehuset Innlandet HF",
        "Oslo universitetssykehus HF",
        "Universitetssykehuset Nord-Norge HF",
        "Akershus universitetssykehus HF",
        "St. Olavs hospital HF",
        "NAV",
    } <= got


def test_nynorsk_forms(matcher):
    text = (
        "Kommunane og helseføretaket har eit lokalt samarbeidsutval. Innspel frå Lokalt "
        "Samarbeidsutval Ålesund til Statsforvaltaren i Møre og Romsdal og Forskingsrådet. "
        "Sjukehuset i Volda er viktig."
    )
    got = names(matcher, text)
    assert ("Lokalt samarbeidsutvalg Ålesund", "Samarbeidsorgan") in got
    assert ("Statsforvalteren i Møre og Romsdal", "StatligEtat") in got
    assert ("Norges forskningsråd", "StatligEtat") in got
    assert ("Volda sjukehus", "Sykehus") in got


def test_persons_are_not_actors(matcher):
    assert names(matcher, "Med hilsen\nPeter Ardon\nRådmann / leder i ASU") == [
        ("Administrativt samarbeidsutvalg (ASU)", "Samarbeidsorgan")
    ]
    assert names(matcher, "Kontaktperson: Marit Moe og Olav Bremnes") == []


def test_bare_agency_name_takes_the_documents_office(matcher):
    text = "Innspill fra NAV Nord-Trøndelag. NAV er avhengig av god samhandling."
    got = names(matcher, text)
    assert got == [("NAV Nord-Trøndelag", "StatligEtat"), ("NAV Nord-Trøndelag", "StatligEtat")]


def test_statsforvalteren_takes_the_documents_county(matcher):
    text = (
        "Kommunane i Møre og Romsdal og Helse Møre og Romsdal HF. Statsforvalteren har "
        "bidrege i Møre og Romsdal."
    )
    assert ("Statsforvalteren i Møre og Romsdal", "StatligEtat") in names(matcher, text)


def test_collaboration_bodies(matcher):
    text = (
        "Fagråd 3/5 og Fagråd  6/7 har ansvar. Romsdal IPR og Innherred Samkommune "
        "(Verdal og Levanger) deltar, også Faglig samarbeidsutvalg for rehabilitering."
    )
    got = names(matcher, text)
    assert ("Fagråd 3/5", "Samarbeidsorgan") in got
    assert ("Fagråd 6/7", "Samarbeidsorgan") in got
    assert ("Romsdal interkommunale politiske råd (Romsdal IPR)", "Samarbeidsorgan") in got
    assert ("Innherred samkommune", "Samarbeidsorgan") in got
    assert ("Faglig samarbeidsutvalg for rehabilitering", "Samarbeidsorgan") in got
    assert ("Verdal kommune", "Kommune") in got and ("Levanger kommune", "Kommune") in got


def test_regions(matcher):
    text = "Kommunene i Trøndelag Sørvest og kommuneregionene på Nordmøre og i Romsdalsregionen."
    got = names(matcher, text)
    assert ("Trøndelag Sørvest", "Region") in got
    assert ("Nordmøre", "Region") in got
    assert ("Romsdalsregionen", "Region") in got
    # a county is a place, not an actor
    assert ("Trøndelag", "Fylke") not in got


def test_offsets_point_at_the_surface(matcher):
    text = "Samarbeid mellom Helse Nord-Trøndelag og Overhalla kommune."
    for start, end, _ref, surface in matcher.find(text):
        assert text[start:end] == surface


def _doc(*paragraphs: str) -> NormalisedDocument:
    text = "\n".join(paragraphs)
    lines, blocks, off = [], [], 0
    for i, p in enumerate(paragraphs):
        lines.append(SourceLine(number=i + 1, text=p, start=off))
        blocks.append(
            Block(
                index=i,
                kind="paragraph",
                text=p,
                fragments=[Fragment(line=i + 1, line_start=0, line_end=len(p), block_start=0)],
            )
        )
        off += len(p) + 1
    src = LoadedDocument(
        path="x.txt", name="x.txt", format="txt", text=text, lines=lines, sha256="0"
    )
    return NormalisedDocument(source=src, blocks=blocks)


def test_find_actor_mentions_over_blocks():
    doc = _doc(
        "Innspill fra Nord-Aurdal kommune til Helse- og omsorgsdepartementet.",
        "Vi samarbeider med Sykehuset Innlandet og Helsefellesskap Innlandet.",
        "BUP har lange ventetider.",
    )
    ms = find_actor_mentions(doc)
    got = {(m.block, m.actor.name) for m in ms}
    assert (0, "Nord-Aurdal kommune") in got
    assert (0, "Helse- og omsorgsdepartementet") in got
    assert (1, "Sykehuset Innlandet HF") in got
    assert (1, "Helsefellesskap Innlandet") in got
    # a trust unit is named with the document's trust
    assert (2, "Barne- og ungdomspsykiatrien (BUP), Sykehuset Innlandet HF") in got
    for m in ms:
        assert doc.blocks[m.block].text[m.start : m.end] == m.surface


def test_nynorsk_lists(matcher):
    got = names(matcher, "Frå kommunane Volda og Ørsta, og Sande og Herøy kommunar.")
    assert ("Volda kommune", "Kommune") in got and ("Ørsta kommune", "Kommune") in got
    assert {n for n, _ in got} >= {"Volda kommune", "Ørsta kommune"}
    assert any(n.startswith("Sande kommune") for n, _ in got)
    assert any(n.startswith("Herøy kommune") for n, _ in got)


def test_namesake_kommune_follows_the_documents_county(matcher):
    text = "Herøy kommune i Nordland og Helgelandssykehuset. Nordland har lange avstander."
    herøy = [r for _, _, r, _ in matcher.find(text) if r.type == "Kommune"]
    assert [r.kommunenummer for r in herøy] == ["1818"]


def test_document_year_picks_the_code_valid_then():
    doc = _doc("Namsos kommune og Steinkjer kommune.")
    by_default = {m.actor.kommunenummer for m in find_actor_mentions(doc)}
    in_2017 = {m.actor.kommunenummer for m in find_actor_mentions(doc, year=2017)}
    assert by_default == {"5007", "5006"}
    assert in_2017 == {"1703", "1702"}


def test_new_matchers_share_the_compiled_vocabulary(matcher):
    other = ActorMatcher()
    assert other.trie is matcher.trie
    assert other.find("HNT") == matcher.find("HNT")


def test_web_addresses_are_not_mentions(matcher):
    text = "Se https://ekstranett.helse-midt.no/samarbeidsutvalg%20HNT/plan.pdf for planen."
    assert names(matcher, text) == []


def test_genitive_forms(matcher):
    got = names(matcher, "Helse Midt-Norges strategi og Riksrevisjonens rapport.")
    assert got == [
        ("Helse Midt-Norge RHF", "RegionaltHelseforetak"),
        ("Riksrevisjonen", "StatligEtat"),
    ]


def test_actor_quality_on_the_sample_gold():
    """Regression guard: actor F1 over the annotated samples stays above the project target."""
    import json
    from pathlib import Path

    from helsegraf.ingest import load, normalise
    from helsegraf.ingest.evaluate import normalise_name

    root = Path(__file__).resolve().parents[1] / "samples"
    golds = sorted((root / "gold").glob("*.gold.json"))
    if not golds:
        pytest.skip("no sample gold files")
    tp = fp = fn = 0
    for g in golds:
        gold = json.loads(g.read_text(encoding="utf-8"))
        doc = normalise.run(load.load(root / "corpus" / gold["document"]))
        pred = {normalise_name(m.actor.name) for m in find_actor_mentions(doc)}
        want = {normalise_name(a["name"]) for a in gold["actors"]}
        tp, fp, fn = tp + len(pred & want), fp + len(pred - want), fn + len(want - pred)
    f1 = 2 * tp / (2 * tp + fp + fn)
    assert f1 >= 0.85, (tp, fp, fn)


def test_regional_bodies_and_centres(matcher):
    text = (
        "Overordnet samarbeidsorgan (OSO) i Finnmark og Finnmarkssykehuset samarbeider med "
        "RVTS Nord, KORUS Nord og Pasient- og brukerombudet i Finnmark."
    )
    got = names(matcher, text)
    assert ("Overordnet samarbeidsorgan (OSO) Finnmark", "Samarbeidsorgan") in got
    assert ("RVTS Nord", "Organisasjon") in got
    assert ("KoRus Nord", "Organisasjon") in got
    assert ("Pasient- og brukerombudet i Finnmark", "StatligEtat") in got
    assert ("Finnmarkssykehuset HF", "Helseforetak") in got


def test_near_misses_of_organisation_names(matcher):
    got = names(matcher, "Riksrevisjonenens rapport og Folkehelseinstitutet sine tall.")
    assert got == [("Riksrevisjonen", "StatligEtat"), ("Folkehelseinstituttet", "StatligEtat")]
    # a job title is not the agency, and municipality names are never guessed
    assert names(matcher, "Helsedirektør Bjørn Guldvog besøkte Trondhjem.") == []


def test_places_after_a_preposition_are_not_kommuner() -> None:
    found = {
        r.name
        for _s, _e, r, _t in ActorMatcher().find(
            "lang reiseveg til Kristiansund og Molde er ei belastning"
        )
    }
    assert "Molde kommune" not in found and "Kristiansund kommune" not in found


def test_postal_address_is_not_a_kommune() -> None:
    found = {r.name for _s, _e, r, _t in ActorMatcher().find("Postboks 8011 Dep\n0030 Oslo\n")}
    assert "Oslo kommune" not in found


@pytest.mark.parametrize(
    "line", ["Bodø, 12.10.2022", "Bodø 3. august 2022", "Bodø, den 5. mai 2023"]
)
def test_letter_date_line_place_is_not_a_kommune(line: str) -> None:
    found = {r.name for _s, _e, r, _t in ActorMatcher().find(f"{line}\n\nInnspill til planen\n")}
    assert "Bodø kommune" not in found


def test_kommune_named_at_line_start_is_still_found() -> None:
    found = {r.name for _s, _e, r, _t in ActorMatcher().find("Bodø kommune viser til brevet.\n")}
    assert "Bodø kommune" in found


@pytest.mark.parametrize(
    ("text", "trust"),
    [
        ("Helsefellesskapet Helse Fonna", "Helse Fonna"),
        ("Helsefellesskap Sykehuset Innlandet", "Innlandet"),
        ("Helsefellesskapet for Helse Førde", "Helse Førde"),
    ],
)
def test_helsefellesskap_named_after_its_trust_keeps_the_whole_name(text: str, trust: str) -> None:
    found = [
        (r.name, r.type, r.registry_id)
        for _s, _e, r, _t in ActorMatcher().find(f"{text} har vedtatt planen.")
    ]
    assert found and found[0][1] == "Helsefellesskap"
    # the registry's record of the trust's helsefellesskap, not a name cut at the trust's name
    assert trust in found[0][0]
    assert found[0][2] is not None


def test_a_regional_council_named_in_one_word_but_not_a_council_of_a_group(matcher):
    assert ("Nordfjordrådet", "Samarbeidsorgan") in names(matcher, "Nordfjordrådet sender innspel.")
    assert names(matcher, "Eldrerådet og Ungdomsrådet har uttalt seg.") == []


def test_regional_councils_named_for_their_region(matcher):
    got = names(
        matcher,
        "Saka er handsama i Samarbeidsrådet for Sunnmøre og Regionrådet for Nord-Gudbrandsdal.",
    )
    assert ("Samarbeidsrådet for Sunnmøre", "Samarbeidsorgan") in got
    assert ("Regionrådet for Nord-Gudbrandsdal", "Samarbeidsorgan") in got


def test_a_place_named_alone_beside_its_hospital_is_the_hospital(matcher):
    text = (
        "Det er etablert lokale team i kvart sjukehusområde. Unntaket er Volda. Det er eit mål "
        "å etablere lokalt team også mellom Volda sjukehus og kommunane."
    )
    got = [[ref.name for _s, _e, ref, _t in block] for block in matcher.find_blocks([text])]
    assert got == [["Volda sjukehus"]]
    # without the hospital beside it, the bare name is still the municipality
    apart = [text[: text.index(" Det er eit")], "Volda sjukehus har fødeavdeling."]
    got = [[ref.name for _s, _e, ref, _t in block] for block in matcher.find_blocks(apart)]
    assert got == [["Volda kommune"], ["Volda sjukehus"]]
    # named as a municipality, it stays one
    named = matcher.find_blocks(["Volda kommune og Volda sjukehus samarbeider."])
    assert [ref.name for _s, _e, ref, _t in named[0]] == ["Volda kommune", "Volda sjukehus"]

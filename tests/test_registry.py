"""Registry: records built from the CSVs and name resolution on short strings."""

from __future__ import annotations

import pytest

from helsegraf.ontology.registry import load_registry


@pytest.fixture(scope="module")
def reg():
    return load_registry()


def test_leksvik_is_historical_kommune_with_successor(reg):
    ref = reg.resolve("Leksvik kommune")
    assert ref is not None
    assert (ref.name, ref.type, ref.kommunenummer) == ("Leksvik kommune", "Kommune", "1718")
    rec = reg.kommune("1718")
    # valid_to is stored as in SSB KLASS: the first day the code is no longer valid
    assert rec.valid_to == "2018-01-01"
    assert rec.last_year == 2017
    assert [reg.kommune(n).name for n in rec.successors] == ["Indre Fosen kommune"]


def test_predecessors_of_todays_kommune(reg):
    # Indre Fosen (2018) was made of Rissa and Leksvik
    assert set(reg.predecessors("5054")) == {"1624", "1718"}
    assert reg.lineage("5054")[0] == "5054"
    # Namsos 5007 goes back through 5005 to 1703, and took in Namdalseid and Fosnes
    lineage = set(reg.lineage("5007"))
    assert {"5005", "1703", "5040", "5048"} <= lineage


@pytest.mark.parametrize("name", ["HNT", "Helse Nord-Trøndelag", "Helse-Nord-Trøndelag HF"])
def test_hnt_forms(reg, name):
    ref = reg.resolve(name)
    assert ref is not None and ref.name == "Helse Nord-Trøndelag HF"
    assert ref.type == "Helseforetak"
    assert ref.orgnr == "983974791"


def test_sjukehuset_i_volda_is_a_hospital_of_hmr(reg):
    ref = reg.resolve("Sjukehuset i Volda")
    assert ref is not None and ref.type == "Sykehus"
    hf = reg.hf_of_sykehus(ref.name)
    assert hf is not None and hf.name == "Helse Møre og Romsdal HF"


def test_molde_kommune_versus_molde_sjukehus(reg):
    assert reg.resolve("Molde kommune").type == "Kommune"
    assert reg.resolve("Molde sjukehus").type == "Sykehus"
    assert reg.resolve("Molde sykehus").name == "Molde sjukehus"


@pytest.mark.parametrize(
    ("name", "canonical", "actor_type"),
    [
        ("HMR", "Helse Møre og Romsdal HF", "Helseforetak"),
        ("helseføretaket Helse Møre og Romsdal", "Helse Møre og Romsdal HF", "Helseforetak"),
        ("SI", "Sykehuset Innlandet HF", "Helseforetak"),
        ("St. Olavs", "St. Olavs hospital HF", "Helseforetak"),
        ("Ahus", "Akershus universitetssykehus HF", "Helseforetak"),
        ("UNN", "Universitetssykehuset Nord-Norge HF", "Helseforetak"),
        ("OUS", "Oslo universitetssykehus HF", "Helseforetak"),
        ("Helse Midt-Norge", "Helse Midt-Norge RHF", "RegionaltHelseforetak"),
        ("KS", "KS", "Organisasjon"),
        ("HOD", "Helse- og omsorgsdepartementet", "StatligEtat"),
        ("Forskingsrådet", "Norges forskningsråd", "StatligEtat"),
        ("Helsetilsynet", "Statens helsetilsyn", "StatligEtat"),
        ("Statsforvaltaren i Møre og Romsdal", "Statsforvalteren i Møre og Romsdal", "StatligEtat"),
        ("Fylkesmannen i Nord-Trøndelag", "Fylkesmannen i Nord-Trøndelag", "StatligEtat"),
        ("LSU Volda", "Lokalt samarbeidsutvalg Volda", "Samarbeidsorgan"),
        ("Lokalt samarbeidsutval Ålesund", "Lokalt samarbeidsutvalg Ålesund", "Samarbeidsorgan"),
        ("Helsefellesskap Innlandet", "Helsefellesskap Innlandet", "Helsefellesskap"),
        ("Høgskulen i Volda", "Høgskulen i Volda", "Utdanningsinstitusjon"),
        ("Orkland kommunes", "Orkland kommune", "Kommune"),
        ("Oslo", "Oslo kommune", "Kommune"),
        ("Trøndelag", "Trøndelag", "Fylke"),
        ("Helse Møre og Romsdal HF (HMR)", "Helse Møre og Romsdal HF", "Helseforetak"),
        ("Snåase", "Snåsa kommune", "Kommune"),
    ],
)
def test_resolve_names(reg, name, canonical, actor_type):
    ref = reg.resolve(name)
    assert ref is not None, name
    assert (ref.name, ref.type) == (canonical, actor_type)


def test_year_picks_the_code_valid_then(reg):
    assert reg.resolve("Namsos kommune", year=2017).kommunenummer == "1703"
    assert reg.resolve("Namsos kommune", year=2019).kommunenummer == "5005"
    assert reg.resolve("Namsos kommune").kommunenummer == "5007"


def test_fuzzy_only_for_near_misses(reg):
    assert reg.resolve("Helsedirektorate").name == "Helsedirektoratet"
    assert reg.resolve("Peter Ardon") is None
    assert reg.resolve("Kari Nordmann") is None


def test_actor_ids_are_stable(reg):
    assert reg.actor_id(reg.resolve("Leksvik kommune")) == "kommune/1718"
    assert reg.actor_id(reg.resolve("UNN")) == "helseforetak/983974899"
    assert reg.actor_id(reg.resolve("KS")) == "org/ks"
    assert reg.actor_id(reg.resolve("Volda sjukehus")) == "sykehus/behsh-74"


def test_record_lists_link_up(reg):
    assert len({k.kommunenummer for k in reg.kommuner}) == len(reg.kommuner)
    hnt = reg.helseforetak_by_name("Helse Nord-Trøndelag HF")
    assert hnt.rhf == "Helse Midt-Norge RHF" and hnt.rhf_id == "helseforetak/983658776"
    innlandet = next(h for h in reg.helsefellesskap if h.name == "Helsefellesskap Innlandet")
    assert "kommune/3451" in innlandet.kommuner  # Nord-Aurdal
    assert all(s.hf_id for s in reg.sykehus if s.hf.endswith(" HF"))
    assert {f.fylkesnummer for f in reg.fylker} >= {"16", "17", "50"}


def test_build_script_reproduces_the_committed_csvs(tmp_path):
    import importlib.util

    from helsegraf.ontology.registry import REGISTRY_DIR

    spec = importlib.util.spec_from_file_location("registries_build", REGISTRY_DIR / "build.py")
    build_mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_mod)
    ref = build_mod.DEFAULT_REFERENCE
    if not (ref / "kommuner.csv").exists():
        pytest.skip(f"shared reference data not available at {ref}")
    build_mod.build(ref, tmp_path)
    written = sorted(tmp_path.glob("*.csv"))
    assert len(written) == 6
    for f in written:
        committed = (REGISTRY_DIR / f.name).read_text(encoding="utf-8")
        assert f.read_text(encoding="utf-8") == committed, f.name


def test_a_county_name_in_a_year_it_was_merged_gives_the_county_of_that_year(reg):
    assert reg.fylke_by_name("Finnmark", 2022).name == "Troms og Finnmark"
    assert reg.fylke_by_name("Finnmark", 2024).fylkesnummer == "56"
    assert reg.fylke_by_name("Finnmark", 2018).fylkesnummer == "20"


def test_a_helsefellesskap_named_after_its_trust(reg):
    ref = reg.resolve("Helsefellesskapet Vestre Viken", 2024)
    assert (ref.name, reg.actor_id(ref)) == ("Helsefellesskapet Vest-Viken", "helsefellesskap/HF05")
    # a name the registry has not verified is given without the note
    ref = reg.resolve("Helsefellesskapet Helse Fonna", 2024)
    assert (ref.name, reg.actor_id(ref)) == (
        "Helsefellesskapet for Helse Fonnas opptaksområde",
        "helsefellesskap/HF10",
    )

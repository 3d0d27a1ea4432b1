"""General concept vocabulary (``concept_terms`` in cues.yaml) and known initiatives:
typical bokmål and nynorsk wordings map to the right concept, look-alike sentences do not."""

from __future__ import annotations

import re

import pytest

from helsegraf.ingest import classify
from helsegraf.ingest.initiatives import _known_patterns, load_initiatives
from helsegraf.ingest.lexicon import content_lemmas, load_concepts, load_cues


def concepts_of(text: str, kind: str) -> list[str]:
    """Concepts a sentence gets under a section that asks for ``kind``."""
    return [c.id for k, _, c in classify.classify_sentence(text, kind) if k == kind and c]


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        # bokmål
        ("Mange innbyggere har over tre timer med bil til sykehuset.", "utfordring/avstand"),
        ("Om lag 2000 innbyggere står uten fast lege i regionen.", "utfordring/fastlegekrise"),
        (
            "Epikrisen kommer ofte for sent, og legemiddellisten er ikke oppdatert.",
            "utfordring/overganger-informasjon",
        ),
        (
            "Mengden veiledere og rundskriv er uoversiktlig, og rapporteringskravene øker.",
            "utfordring/nasjonale-foringer",
        ),
        (
            "Kommunen har et stort underskudd og må gjennomføre innsparinger.",
            "utfordring/stram-okonomi",
        ),
        (
            "Ventetiden i BUP er lang, og mange får avslag på henvisning.",
            "utfordring/kapasitet-psykisk-helse",
        ),
        (
            "Mange eldre har ikke smarttelefon og står i fare for digitalt utenforskap.",
            "utfordring/digital-kompetanse",
        ),
        # nynorsk
        (
            "Pasientane har lang reisetid, og ferjesambandet er ofte innstilt.",
            "utfordring/avstand",
        ),
        (
            "Arbeidet er basert på tidsavgrensa tilskot, og det er uklart kva som skjer "
            "når prosjektet vert avslutta.",
            "utfordring/prosjektfinansiering",
        ),
        (
            "Journalsystema snakkar ikkje saman, og vi brukar faks.",
            "utfordring/systemer-snakker-ikke-sammen",
        ),
        ("Høgt sjukefråvær og stor turnover gjer tenestene sårbare.", "utfordring/rekruttering"),
        (
            "Statleg detaljstyring gjer det vanskeleg å prioritere lokalt.",
            "utfordring/nasjonale-foringer",
        ),
    ],
)
def test_challenge_paraphrases_map_to_their_concept(text: str, concept: str) -> None:
    assert concept in concepts_of(text, "challenge")


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        (
            "Alle pasienter med sammensatte behov bør få en fast kontaktperson i kommunen.",
            "tiltak/koordinator",
        ),
        (
            "Det må etableres en felles journalløsning og bedre meldingsutveksling.",
            "tiltak/digital-infrastruktur",
        ),
        (
            "Kommunen bør satse på heltidskultur og redusere ufrivillig deltid.",
            "tiltak/beholde-personell",
        ),
        ("Det bør etableres mestringskurs og pårørendeskole.", "tiltak/laering-mestring"),
        (
            "Kommunene og helseforetaket bør ha felles beredskapsøvelser og en pandemiplan.",
            "tiltak/krisesamarbeid",
        ),
        # nynorsk
        (
            "Basistilskotet må aukast og fastlegelistene bør bli kortare.",
            "tiltak/styrke-fastlegeordningen",
        ),
        (
            "Spesialisthelsetenesta bør gi ambulante tenester og etablere oppsøkjande team.",
            "tiltak/utadvendte-sykehus",
        ),
        (
            "Koordinerande eining må styrkjast, og fleire må få individuell plan.",
            "tiltak/koordinator",
        ),
    ],
)
def test_measure_paraphrases_map_to_their_concept(text: str, concept: str) -> None:
    assert concept in concepts_of(text, "measure")


@pytest.mark.parametrize(
    ("text", "kind", "not_concept"),
    [
        # a road, a meeting room or a bus timetable is not distance to hospital
        (
            "Det er en utfordring at veien til skolen er smal og dårlig opplyst.",
            "challenge",
            "utfordring/avstand",
        ),
        (
            "Bussen går bare to timer om dagen i helgene, og det er et problem.",
            "challenge",
            "utfordring/avstand",
        ),
        (
            "Møtet ble holdt i kommunestyresalen, og det var et problem med lyden.",
            "challenge",
            "utfordring/byrakrati-samarbeidsstruktur",
        ),
        # a hospital bed shortage is not unused municipal acute beds
        (
            "Overbelegg og korridorpasienter er et stort problem på sykehuset.",
            "challenge",
            "utfordring/kohd-lite-brukt",
        ),
        # the weekly hours of a project worker are not project funding
        (
            "Prosjektlederen har kontor i rådhuset, og det er krevende å finne møterom.",
            "challenge",
            "utfordring/prosjektfinansiering",
        ),
        # a road project in a measure list is not a service brought to the patient
        (
            "Kommunen bygger ny vei mellom sentrum og industriområdet.",
            "measure",
            "tiltak/utadvendte-sykehus",
        ),
        ("Fastlegene deltok på møtet om ny vei.", "measure", "tiltak/styrke-fastlegeordningen"),
    ],
)
def test_look_alike_sentences_do_not_get_the_concept(
    text: str, kind: str, not_concept: str
) -> None:
    assert not_concept not in concepts_of(text, kind)


def test_every_challenge_and_measure_has_general_wordings() -> None:
    terms = load_cues()["concept_terms"]
    for c in load_concepts().values():
        if c.scheme in ("utfordring", "tiltak") and not c.id.endswith("/annet"):
            assert len(terms.get(c.id) or []) >= 6, c.id


def test_wordings_carry_content_words() -> None:
    """A wording made only of stopwords never matches; such an entry is a mistake."""
    for cid, items in load_cues()["concept_terms"].items():
        for item in items:
            assert content_lemmas(str(item)), (cid, item)


def test_wordings_are_unique_per_concept() -> None:
    for cid, items in load_cues()["concept_terms"].items():
        lowered = [str(i).lower() for i in items]
        assert len(lowered) == len(set(lowered)), cid


def _names_in(text: str) -> set[str]:
    return {k.name for k, rx in _known_patterns() if rx.search(text)}


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Vi deltar i Nasjonalt velferdsteknologiprogram.", "Nasjonalt velferdsteknologiprogram"),
        ("Velferdsteknologiprogrammet har gitt oss mye.", "Nasjonalt velferdsteknologiprogram"),
        (
            "Pakkeforløp hjem for pasienter med kreft fungerer godt.",
            "Pakkeforløp hjem for pasienter med kreft",
        ),
        (
            "Vi har innført pakkeforløp for psykisk helse og rus.",
            "Pakkeforløp for psykisk helse og rus",
        ),
        ("Kommunen var med i Saman om ein betre kommune.", "Saman om ein betre kommune"),
        ("Ungdata-undersøkelsen viser økende plager.", "Ungdata"),
        ("Vi bruker Project ECHO i veiledningen.", "Project ECHO"),
        ("Helsestasjon for ungdom er et godt tilbud.", "Helsestasjon for ungdom"),
        ("Kvardagsrehabilitering har gitt gode resultat.", "Hverdagsrehabilitering"),
    ],
)
def test_known_initiatives_are_recognised(text: str, name: str) -> None:
    assert name in _names_in(text)


@pytest.mark.parametrize(
    "text",
    [
        "Vi har innført nye metoder for pasientforløp.",  # ordinary words, no name
        "Barnehagen har trygge rammer og gode voksne.",
        "Kommunen har et godt tilbud til ungdom.",
        "Det er viktig med tidlig innsats og et aldersvennlig lokalmiljø.",
        "Pasienten fikk en KID-nummer på fakturaen.",
    ],
)
def test_ordinary_sentences_name_no_new_initiative(text: str) -> None:
    assert _names_in(text) == set()


def test_initiative_entries_are_complete_and_names_unique() -> None:
    seen: dict[str, str] = {}
    for k in load_initiatives():
        assert k.description, k.name
        for alias in {k.name, *k.aliases}:
            key = re.sub(r"\s+", " ", alias.lower())
            assert seen.setdefault(key, k.name) == k.name, alias

"""Voice authors: the many ways innspill and handlingsplaner name their senders.

Each test extracts a short document through the whole pipeline and checks the authors of
its voices (bokmål and nynorsk)."""

from __future__ import annotations

import pytest

from helsegraf.ingest.models import Extraction
from helsegraf.ingest.pipeline import extract_text

BODY_NB = "\n\nVi ser store utfordringer med rekruttering av fastleger.\n"
BODY_NN = "\n\nVi ser store utfordringar med rekruttering av fastlegar.\n"
TITLE_NB = "Innspill til nasjonal helse- og samhandlingsplan"
TITLE_NN = "Innspel til nasjonal helse- og samhandlingsplan"


def _extract(text: str) -> Extraction:
    return extract_text(text, "doc.txt")


def _authors(text: str) -> list[list[str]]:
    return [v.authors for v in _extract(text).voices]


def _type_of(extraction: Extraction, name: str) -> str:
    return next(a.type for a in extraction.actors if a.name == name)


# --------------------------------------------------------------------------- letterheads


@pytest.mark.parametrize("sep", [" – ", " - ", " — ", " / ", " • ", " | "])
def test_letterhead_of_several_organisations_on_one_line(sep: str) -> None:
    head = sep.join(["Evje og Hornnes kommune", "Bygland kommune", "Valle kommune"])
    extraction = _extract(f"{head}\n\n{TITLE_NB}{BODY_NB}")
    assert [v.authors for v in extraction.voices] == [
        ["Evje og Hornnes kommune", "Bygland kommune", "Valle kommune"]
    ]
    assert all(_type_of(extraction, n) == "Kommune" for n in extraction.voices[0].authors)


def test_letterhead_of_two_lines_each_an_organisation() -> None:
    text = f"Bygland kommune\nValle kommune\n\n{TITLE_NN}{BODY_NN}"
    assert _authors(text) == [["Bygland kommune", "Valle kommune"]]


def test_letterhead_skips_the_addressee() -> None:
    text = f"Helse- og omsorgsdepartementet\n\nValle kommune\n\n{TITLE_NB}{BODY_NB}"
    assert _authors(text) == [["Valle kommune"]]


# --------------------------------------------------------------------------- opening sentences


def test_opening_sentence_lists_municipalities_with_one_suffix() -> None:
    text = (
        f"{TITLE_NB}\n\nEvje og Hornnes, Bygland og Valle kommune gir med dette et felles "
        f"innspill til planen.{BODY_NB}"
    )
    assert _authors(text) == [["Evje og Hornnes kommune", "Bygland kommune", "Valle kommune"]]


def test_opening_sentence_kommunane_nynorsk() -> None:
    text = (
        f"{TITLE_NN}\n\nKommunane Bygland, Valle og Bykle sender med dette eit felles "
        f"innspel til planen.{BODY_NN}"
    )
    assert _authors(text) == [["Bygland kommune", "Valle kommune", "Bykle kommune"]]


def test_opening_sentence_two_municipalities_har_folgjande_innspel() -> None:
    text = (
        f"{TITLE_NN}\n\nBygland kommune og Valle kommune har følgjande innspel til planen:{BODY_NN}"
    )
    assert _authors(text) == [["Bygland kommune", "Valle kommune"]]


def test_fra_line_naming_two_municipalities_nynorsk() -> None:
    text = f"{TITLE_NN}\n\nFrå Bygland kommune og Valle kommune{BODY_NN}"
    assert _authors(text) == [["Bygland kommune", "Valle kommune"]]


def test_fra_kommunene_in_a_region_with_a_colon() -> None:
    text = (
        f"{TITLE_NB}\n\nFra kommunene i Setesdal: Bygland, Valle, Bykle og Evje og Hornnes{BODY_NB}"
    )
    assert _authors(text) == [
        ["Bygland kommune", "Valle kommune", "Bykle kommune", "Evje og Hornnes kommune"]
    ]


def test_council_that_sends_is_the_author_not_its_members() -> None:
    text = (
        f"{TITLE_NN}\n\nRegionrådet for Setesdal (kommunane Bygland, Valle og Bykle) sender "
        f"med dette eit felles innspel til planen.{BODY_NN}"
    )
    extraction = _extract(text)
    assert [v.authors for v in extraction.voices] == [["Regionrådet for Setesdal"]]
    assert _type_of(extraction, "Regionrådet for Setesdal") == "Samarbeidsorgan"


def test_we_is_not_a_sender() -> None:
    text = f"{TITLE_NB}\n\nVi sender med dette våre innspill til planen.{BODY_NB}"
    assert _authors(text) == [[]]


# --------------------------------------------------------------------------- signatures


def test_signatories_name_role_and_organisation_on_one_line() -> None:
    text = (
        f"{TITLE_NB}{BODY_NB}\nMed vennlig hilsen\n\n"
        "Ola Nordmann, kommunalsjef, Valle kommune\nKari Nordmann, rådmann, Bygland kommune\n"
    )
    assert _authors(text) == [["Valle kommune", "Bygland kommune"]]


def test_signatories_on_three_lines_each_nynorsk() -> None:
    text = (
        f"{TITLE_NN}{BODY_NN}\nMed venleg helsing\n\nOla Nordmann\nrådmann\nValle kommune\n\n"
        "Kari Nordmann\nkommunalsjef\nBygland kommune\n"
    )
    assert _authors(text) == [["Valle kommune", "Bygland kommune"]]


@pytest.mark.parametrize(
    "signature",
    [
        "Vennleg helsing\nfor Valle kommune\nOla Nordmann\n",
        "Med vennlig hilsen\npå vegne av Valle kommune\nOla Nordmann, rådmann\n",
        "På vegne av Valle kommune\nOla Nordmann\n",
    ],
)
def test_signing_for_an_organisation(signature: str) -> None:
    assert _authors(f"{TITLE_NB}{BODY_NB}\n{signature}") == [["Valle kommune"]]


def test_body_signing_first_keeps_its_members_out() -> None:
    text = (
        f"{TITLE_NB}{BODY_NB}\nMed vennlig hilsen\nBygland kommune\n\n"
        "Ola Nordmann, rådmann\nKari Hansen, kommunalsjef, Valle kommune\n"
    )
    assert _authors(text) == [["Bygland kommune"]]


def test_copy_lines_end_the_signature_block() -> None:
    text = (
        f"{TITLE_NB}{BODY_NB}\nMed vennlig hilsen\n\nOla Nordmann, rådmann, Valle kommune\n\n"
        "Kopi til: Helse Fonna HF\n"
    )
    assert _authors(text) == [["Valle kommune"]]


def test_opening_senders_win_over_signatories() -> None:
    text = (
        f"Innspill fra Bygland kommune til nasjonal helse- og samhandlingsplan{BODY_NB}\n"
        "Med vennlig hilsen\n\nOla Nordmann, kommunalsjef, Valle kommune\n"
    )
    assert _authors(text) == [["Bygland kommune"]]


# --------------------------------------------------------------------------- appendix voices


@pytest.mark.parametrize(
    "heading",
    [
        "Vedlegg: Innspill fra Bygland kommune",
        "Vedlegg 2 – Innspel frå Bygland kommune",
        "Innspill fra Bygland kommune",
    ],
)
def test_appendix_voice_after_a_signature(heading: str) -> None:
    text = (
        f"Innspill fra Valle kommune til nasjonal helse- og samhandlingsplan{BODY_NB}\n"
        f"Med vennlig hilsen\nValle kommune\n\n{heading}\n\nBygland ser også utfordringer.\n"
    )
    voices = _extract(text).voices
    assert [v.authors for v in voices] == [["Valle kommune"], ["Bygland kommune"]]
    heading_line = text.splitlines().index(heading) + 1
    assert voices[1].lines[0] == heading_line
    assert voices[0].lines[1] == heading_line - 1


# --------------------------------------------------------------------------- one trust or fellesskap


def test_innspill_fra_a_trust() -> None:
    text = f"Innspill fra Helgelandssykehuset HF til Nasjonal helse- og samhandlingsplan{BODY_NB}"
    extraction = _extract(text)
    assert [v.authors for v in extraction.voices] == [["Helgelandssykehuset HF"]]
    assert _type_of(extraction, "Helgelandssykehuset HF") == "Helseforetak"


@pytest.mark.parametrize(
    ("sentence", "author", "kind"),
    [
        (
            "Helsefellesskapet i Agder oversender herved sine innspill til planen.",
            "Helsefellesskapet i Agder",
            "Helsefellesskap",
        ),
        (
            "Helse Fonna HF sender med dette sine innspill til planen.",
            "Helse Fonna HF",
            "Helseforetak",
        ),
        (
            "Helse Førde HF gjev med dette sine innspel til planen.",
            "Helse Førde HF",
            "Helseforetak",
        ),
    ],
)
def test_opening_sentence_of_one_trust_or_fellesskap(sentence: str, author: str, kind: str) -> None:
    extraction = _extract(f"{TITLE_NB}\n\n{sentence}{BODY_NB}")
    assert [v.authors for v in extraction.voices] == [[author]]
    assert _type_of(extraction, author) == kind


# --------------------------------------------------------------------------- more sender shapes


@pytest.mark.parametrize(
    "text",
    [
        "Felles innspill fra Bygland, Valle og Bykle kommune til nasjonal helse- og "
        f"samhandlingsplan{BODY_NB}",
        f"Innspill fra Bygland, Valle og Bykle kommuner{BODY_NB}",
        f"Innspel frå kommunane Bygland, Valle og Bykle{BODY_NN}",
        f"{TITLE_NB}\n\nKommunene Bygland, Valle og Bykle har gått sammen om et felles "
        f"innspill til planen.{BODY_NB}",
        f"{TITLE_NB}\n\nDette er et felles innspill fra kommunene Bygland, Valle og Bykle.{BODY_NB}",
    ],
)
def test_joint_submission_shapes(text: str) -> None:
    assert _authors(text) == [["Bygland kommune", "Valle kommune", "Bykle kommune"]]


@pytest.mark.parametrize(
    "text",
    [
        f"Innspill fra Valle kommune v/ rådmann Ola Nordmann{BODY_NB}",
        f"Høringsinnspill fra Valle kommune{BODY_NB}",
        f"{TITLE_NB}\n\nAvsender: Valle kommune{BODY_NB}",
        f"{TITLE_NB}{BODY_NB}\nBeste hilsen\nOla Nordmann\nValle kommune\n",
        f"{TITLE_NB}{BODY_NB}\nMed vennlig hilsen\n\nOla Nordmann (sign.)\nKommunedirektør\n\n"
        "Valle kommune\n",
    ],
)
def test_one_sender_shapes(text: str) -> None:
    assert _authors(text) == [["Valle kommune"]]


def test_signatures_side_by_side() -> None:
    text = (
        f"{TITLE_NB}{BODY_NB}\nMed vennlig hilsen\n\nOla Nordmann\t\tKari Nordmann\n"
        "rådmann\t\trådmann\nBygland kommune\t\tValle kommune\n"
    )
    assert _authors(text) == [["Bygland kommune", "Valle kommune"]]


def test_composite_clinic_sender_stays_one_author() -> None:
    text = (
        f"{TITLE_NB}{BODY_NB}\n1. Innspill fra Klinikk for psykisk helsevern og rus, "
        "Sykehuset Levanger og DPS Stjørdal\n\nVi ønsker flere ambulante team.\n"
    )
    assert _authors(text)[-1] == [
        "Klinikk for psykisk helsevern og rus, Sykehuset Levanger og DPS Stjørdal"
    ]


# --------------------------------------------------------------------------- opening sentences later on


def test_opening_sentence_completes_a_shorter_opener() -> None:
    text = (
        "Innspill fra Bygland kommune\n\nBygland, Valle og Bykle kommune gir med dette et "
        f"felles innspill til planen.{BODY_NB}"
    )
    assert _authors(text) == [["Bygland kommune", "Valle kommune", "Bykle kommune"]]


def test_opening_sentence_after_a_letter_head_of_many_blocks() -> None:
    text = (
        "Valle 12.10.2022\n\nTil\nHelse- og omsorgsdepartementet\nPostboks 8011 Dep\n0030 Oslo"
        "\n\nVår ref: 22/123\n\nDeres ref: 22/999\n\nSaksbehandler: Ola Nordmann\n\n"
        f"{TITLE_NB}\n\nVi viser til brev.\n\nInnspillet er utarbeidet av kommunene Bygland, "
        f"Valle og Bykle.{BODY_NB}"
    )
    assert _authors(text) == [["Bygland kommune", "Valle kommune", "Bykle kommune"]]


def test_we_in_a_municipality_is_the_municipality() -> None:
    text = f"{TITLE_NN}\n\nVi i Valle kommune gjev med dette våre innspel til planen.{BODY_NN}"
    assert _authors(text) == [["Valle kommune"]]


def test_a_working_group_with_members_is_no_list_of_senders() -> None:
    text = (
        f"{TITLE_NB}\n\nInnspillet er utarbeidet av en arbeidsgruppe med representanter fra "
        f"Valle kommune og Sørlandet sykehus HF.{BODY_NB}"
    )
    assert _authors(text) == [[]]


def test_signature_cue_and_organisation_on_one_line() -> None:
    assert _authors(f"{TITLE_NB}{BODY_NB}\nMed hilsen Valle kommune\n") == [["Valle kommune"]]


@pytest.mark.parametrize(
    "sentence",
    [
        "Bygland, Valle og Bykle kommune takker for muligheten til å gi innspill.",
        "Bygland, Valle og Bykle kommune ønsker å gi følgende innspill til planen.",
        "Kommunane Bygland, Valle og Bykle viser til brev frå departementet.",
    ],
)
def test_opening_sentence_verbs(sentence: str) -> None:
    assert _authors(f"{TITLE_NB}\n\n{sentence}{BODY_NB}") == [
        ["Bygland kommune", "Valle kommune", "Bykle kommune"]
    ]


def test_appendix_heading_naming_only_its_sender() -> None:
    text = (
        f"Innspill fra Valle kommune{BODY_NB}\nMed vennlig hilsen\nValle kommune\n\n"
        "Vedlegg 2: Bykle kommune og Bygland kommune\n\nBykle ser også utfordringer.\n"
    )
    assert _authors(text) == [["Valle kommune"], ["Bykle kommune", "Bygland kommune"]]


def test_appendix_heading_without_a_sender_is_no_voice() -> None:
    text = f"Innspill fra Valle kommune{BODY_NB}\nVedlegg 1 Oppsummering av tiltak\n\nTiltak A.\n"
    assert _authors(text) == [["Valle kommune"]]


SIGNED_BY_THREE = (
    "\nMed vennlig hilsen\n\nOla Nordmann, rådmann, Bygland kommune\n"
    "Kari Nordmann, rådmann, Valle kommune\nPer Hansen, rådmann, Bykle kommune\n"
)


@pytest.mark.parametrize(
    "opener", ["Innspill fra kommunene i Setesdal", "Innspel frå Setesdalskommunane"]
)
def test_a_group_of_municipalities_gives_way_to_those_who_sign(opener: str) -> None:
    text = f"{opener}{BODY_NB}{SIGNED_BY_THREE}"
    assert _authors(text) == [["Bygland kommune", "Valle kommune", "Bykle kommune"]]


def test_a_group_of_municipalities_without_signatures_is_a_region() -> None:
    extraction = _extract(f"Innspill fra kommunene i Setesdal{BODY_NB}")
    assert [v.authors for v in extraction.voices] == [["Kommunene i Setesdal"]]
    assert _type_of(extraction, "Kommunene i Setesdal") == "Region"


@pytest.mark.parametrize(
    "signature",
    [
        "Med beste hilsen\n\nOla Nordmann\nOrdfører i Valle kommune\n\nKari Nordmann\n"
        "ordførar i Bygland kommune\n",
        "Helsing\nOla Nordmann\nKommunalsjef helse og omsorg i Valle kommune\n\nKari Nordmann, "
        "leder for helse i Bygland kommune\n",
    ],
)
def test_role_and_organisation_on_one_signature_line(signature: str) -> None:
    assert _authors(f"{TITLE_NB}{BODY_NB}\n{signature}") == [["Valle kommune", "Bygland kommune"]]


def test_appendix_whose_first_sentence_names_its_sender() -> None:
    text = (
        f"Innspill fra Valle kommune{BODY_NB}\nMed vennlig hilsen\nValle kommune\n\nVEDLEGG 3\n\n"
        "Bykle kommune gir med dette følgende innspill til planen.\n\nBykle ser også utfordringer.\n"
    )
    voices = _extract(text).voices
    assert [v.authors for v in voices] == [["Valle kommune"], ["Bykle kommune"]]
    assert voices[1].lines[0] == text.splitlines().index("VEDLEGG 3") + 1


@pytest.mark.parametrize(
    "text",
    [
        f"Innspill fra Setesdal: Bygland, Valle og Bykle kommune{BODY_NB}",
        f"{TITLE_NN}\n\nFrå Setesdal: Bygland, Valle og Bykle kommune{BODY_NN}",
    ],
)
def test_group_label_before_a_list_is_not_an_author(text: str) -> None:
    assert _authors(text) == [["Bygland kommune", "Valle kommune", "Bykle kommune"]]


def test_recipients_after_a_signature_are_not_authors() -> None:
    text = (
        f"{TITLE_NB}{BODY_NB}\nMed vennlig hilsen\nOla Nordmann, rådmann, Valle kommune\n\n"
        "Mottakere:\nHelse- og omsorgsdepartementet\nHelse Fonna HF\n"
    )
    assert _authors(text) == [["Valle kommune"]]


@pytest.mark.parametrize(
    "sentence",
    [
        "Kommunane gjev med dette sine innspel til planen.",
        "Regionrådet gir med dette innspill til planen.",
        "Helsefellesskapet i regionen gir med dette innspill til planen.",
    ],
)
def test_a_sentence_without_a_proper_name_names_no_sender(sentence: str) -> None:
    assert _authors(f"{TITLE_NB}\n\n{sentence}{BODY_NB}") == [[]]


@pytest.mark.parametrize(
    ("opener", "expected"),
    [
        (
            "Innspel frå Setesdal regionråd på vegne av Bygland, Valle og Bykle kommune",
            ["Bygland kommune", "Valle kommune", "Bykle kommune"],
        ),
        ("Innspill fra Bygland kommune på vegne av kommunene i Setesdal", ["Bygland kommune"]),
    ],
)
def test_on_behalf_of(opener: str, expected: list[str]) -> None:
    assert _authors(f"{opener}{BODY_NB}") == [expected]


def test_a_municipality_and_its_department_is_the_municipality() -> None:
    assert _authors(f"Innspel frå Valle kommune, helse og omsorg{BODY_NN}") == [["Valle kommune"]]


def test_a_trust_and_the_municipalities_of_its_area() -> None:
    extraction = _extract(f"Innspill fra Helse Fonna HF og kommunene i Fonna-området{BODY_NB}")
    assert [v.authors for v in extraction.voices] == [
        ["Helse Fonna HF", "Kommunene i Fonna-området"]
    ]
    assert _type_of(extraction, "Kommunene i Fonna-området") == "Region"

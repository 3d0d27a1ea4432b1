"""Segmenting: question context, voices and their authors, table rows, nynorsk."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from helsegraf.ingest import normalise, segment
from helsegraf.ingest.load import load_text
from helsegraf.ingest.models import (
    Block,
    BlocksByLine,
    Fragment,
    LoadedDocument,
    NormalisedDocument,
    SegmentedDocument,
    VoiceSegment,
)


def seg(text: str) -> SegmentedDocument:
    return segment.run(normalise.run(load_text(text, "t.txt")))


def section_of(doc: SegmentedDocument, needle: str):  # type: ignore[no-untyped-def]
    for v in doc.voices:
        for s in v.sections:
            for bi in s.blocks:
                if needle in doc.doc.blocks[bi].text:
                    return s
    raise AssertionError(f"no section holds {needle!r}")


INNSPILL = (
    " Skaun 30.09.22 \n\n"
    "Innspill til nasjonal helse- og samhandlingsplan. \n\n"
    "Fra kommunene Skaun, Orkland og Rindal \n\n \n\n"
    "Digitalisering- hva er de viktigste utfordringene å adressere? \n\n"
    "Kommunene bruker mye tid og ressurser på fagsystem. \n\n"
    "Digitalisering- hvilke tiltak er aktuelle? \n\n"
    "Kartlegge og øke den digitale kompetansen i befolkningen. \n\n"
    "Personell og kompetanse - er dere kjent med pågående arbeid eller gode eksempler som \n\n"
    "departementet bør være kjent med? \n\n"
    "Se til hjemmetjenesten i Orkland. \n"
)


def test_letter_date_title_kind() -> None:
    doc = seg(INNSPILL)
    assert doc.date == "2022-09-30"
    assert doc.title == "Innspill til nasjonal helse- og samhandlingsplan"
    assert doc.kind == "innspill"


def test_question_headings_set_context() -> None:
    doc = seg(INNSPILL)
    assert section_of(doc, "fagsystem").context == "challenge"
    assert section_of(doc, "digitale kompetansen").context == "measure"
    assert section_of(doc, "hjemmetjenesten").context == "example"


def test_joint_submission_lists_each_kommune() -> None:
    doc = seg(INNSPILL)
    assert len(doc.voices) == 1
    assert doc.voices[0].authors == ["Skaun kommune", "Orkland kommune", "Rindal kommune"]
    assert doc.voices[0].lines == (1, len(doc.doc.source.lines))
    assert doc.authors["Skaun kommune"].type == "Kommune"


def test_lead_in_label_switches_to_measure_and_back() -> None:
    doc = seg(
        "Innspill fra Nord-Aurdal kommune til nasjonal helse- og samhandlingsplan \n\n"
        "Pkt1. Hva er de viktigste utfordringene å adressere? og pkt 2. hvilke tiltak er aktuelle? \n\n"
        "a) Ulik samhandlingskultur \n\n"
        "Det er ikke likeverd mellom partene i dag. \n\n"
        "Tiltak som kan være aktuelle: \n\n"
        "• Felles tjenesteutvikling mellom kommuner og sykehus. \n\n"
        "b) Mangel av personell \n\n"
        "Det blir stadig vanskeligere å rekruttere. \n"
    )
    assert doc.voices[0].authors == ["Nord-Aurdal kommune"]
    assert section_of(doc, "likeverd").context == "challenge"
    assert section_of(doc, "Felles tjenesteutvikling").context == "measure"
    assert section_of(doc, "rekruttere").context == "challenge"


def test_appendix_with_its_own_sender_is_its_own_voice() -> None:
    text = (
        "Innspill til Nasjonal helse- og samhandlingsplan fra Helsefellesskapet i Møre og Romsdal \n\n"
        "Helsefellesskapet oversender herved sine innspill. \n\n"
        "Samarbeidet fungerer godt. \n\n"
        "VEDLEGG 1 \n\n"
        "Innspill fra LSU Volda \n\n"
        "Kommunane har ikkje nok tilsette, og sjukehuset veit ikkje kva dei skal gjere. \n\n"
        "Med helsing \n\n"
        "LSU Volda \n"
    )
    doc = seg(text)
    assert len(doc.voices) == 2
    v1, v2 = doc.voices
    assert v1.authors == ["Helsefellesskapet i Møre og Romsdal"]
    assert v2.authors == ["Lokalt samarbeidsutvalg Volda"]
    appendix_line = text.split("\n").index("VEDLEGG 1 ") + 1
    assert v2.lines[0] == appendix_line and v1.lines[1] == appendix_line - 1
    assert v2.lines[1] == len(doc.doc.source.lines)
    assert doc.voice_of_block(len(doc.doc.blocks) - 1).id == "v2"


def test_sender_without_person_and_role() -> None:
    doc = seg(
        "Innspill til handlingsplanen \n\n"
        "Mange innspill kom inn i oktober, og de er samlet her. \n\n"
        "3. Innspill fra Tove Hansen, avdelingsleder, Avd. for fysio- og ergoterapi, Sykehuset Levanger \n\n"
        "Foreslår å få på plass generiske pasientforløp. \n"
    )
    assert doc.voices[-1].authors == ["Avdeling for fysio- og ergoterapi, Sykehuset Levanger"]
    assert all("Tove" not in a for v in doc.voices for a in v.authors)


def test_table_rows_responsible_and_when() -> None:
    doc = seg(
        "Handlingsplan for samhandling \n\n"
        "Tabell 4 Kommunale øhjelps døgntilbud \n"
        "Nr. Tiltak Ansvarlig Når \n\n"
        "1 Evaluering av bruk av KØHD tilbud ASU 2018 \n\n"
        "2 Avklare oppgavedelingen mellom kommunene og HNT Fagråd 3/5 \n\n"
        "3 \n"
        "Delta i planlegging i årlig Folkehelsekonferanse i regi av \n"
        "Folkehelsealliansen \n\n"
        "KS / HNT/ \n"
        "Fylkesmann \n"
    )
    assert doc.kind == "handlingsplan"
    rows = sorted(doc.table_rows.items())
    assert len(rows) == 3
    (_, r1), (_, r2), (_, r3) = rows
    assert (r1.number, r1.responsible, r1.when) == ("1", ["ASU"], "2018")
    assert (r2.responsible, r2.when) == (["Fagråd 3/5"], None)
    assert r3.responsible == ["KS / HNT/ Fylkesmann"]
    assert section_of(doc, "Evaluering av bruk").context == "measure"


def test_nynorsk_question_and_language() -> None:
    doc = seg(
        "Innspel frå Lokalt Samarbeidsutval Ålesund \n\n"
        "Kva er dei viktigaste utfordringane? \n\n"
        "Kommunane har ikkje nok tilsette, og det er krevjande å samhandle med sjukehuset. \n"
    )
    assert doc.doc.language == "nn"
    assert doc.voices[0].authors == ["Lokalt samarbeidsutvalg Ålesund"]
    assert section_of(doc, "ikkje nok tilsette").context == "challenge"


def test_persons_are_never_authors() -> None:
    doc = seg("Innspill fra Kari Nordmann \n\nVi trenger flere fastleger. \n")
    assert doc.voices[0].authors == []


def test_action_plan_authors_from_title_and_adopting_body() -> None:
    doc = seg(
        "1 Innledning \n\n"
        "Utkastet sendes ut på høring før vedtak i ASU 13. februar 2018. \n\n"
        "Handlingsplan for samhandling mellom kommunene og Helse Nord-Trøndelag Side 3 \n\n"
        "Tabell 2 Brukermedvirkning \n"
        "Nr. Tiltak Ansvarlig Når \n\n"
        "1 Sikre brukerrepresentasjon fra kommunene Brukerorganisasjonene Fortløpende \n"
    )
    assert doc.kind == "handlingsplan"
    assert doc.title == "Handlingsplan for samhandling mellom kommunene og Helse Nord-Trøndelag"
    assert doc.voices[0].authors == [
        "Helse Nord-Trøndelag HF",
        "Administrativt samarbeidsutvalg (ASU)",
    ]


def test_sender_line_at_the_top_and_appendix_on_one_line() -> None:
    doc = seg(
        "Innspel til nasjonal helse- og samhandlingsplan \n\n"
        "Frå Aukra kommune og Hustadvika kommune \n\n"
        "Kommunane har ikkje nok fastlegar. \n\n"
        "Fra ord til handling \n\n"
        "Vi har sett i gang fire prosjekt. \n\n"
        "Vedlegg: Innspill fra Brukerutvalget i Helse Møre og Romsdal \n\n"
        "Brukerne ønsker bedre informasjon. \n"
    )
    assert [v.authors for v in doc.voices] == [
        ["Aukra kommune", "Hustadvika kommune"],
        ["Brukerutvalget i Helse Møre og Romsdal HF"],
    ]
    assert doc.voices[1].lines[0] == 11


def test_letterhead_names_the_sender_not_the_addressee() -> None:
    doc = seg(
        "Helse- og omsorgsdepartementet \n\n"
        "Molde kommune \n\n"
        "Dato: 3. oktober 2022 \n\n"
        "Høringssvar om samhandling \n\n"
        "Vi mener at samarbeidet med sykehuset må bli bedre. \n"
    )
    assert doc.voices[0].authors == ["Molde kommune"]
    assert doc.date == "2022-10-03"


def test_appendix_heading_and_sender_on_one_line_without_a_colon() -> None:
    filler = "".join(
        f"Avsnitt {i} om samarbeid mellom kommunene og sykehuset. \n\n" for i in range(10)
    )
    doc = seg(
        "Handlingsplan 2024 for Helsefellesskapet Vestre Viken \n\n"
        + filler
        + "Vedlegg 1 Innspill fra Brukerutvalget i Vestre Viken HF \n\n"
        "Brukerne ønsker bedre informasjon. \n"
    )
    assert [v.authors for v in doc.voices][1:] == [["Brukerutvalget i Vestre Viken HF"]]


def test_a_group_named_in_the_opener_gives_way_to_the_members_the_first_sentence_lists() -> None:
    doc = seg(
        "Felles innspill fra kommunene i Gjøvikregionen til Nasjonal helse- og samhandlingsplan \n\n"
        "Kommunene Gjøvik, Østre Toten og Vestre Toten viser til departementets invitasjon til "
        "å gi innspill. \n\n"
        "Kommunene mangler sykepleiere. \n"
    )
    assert doc.voices[0].authors == [
        "Gjøvik kommune",
        "Østre Toten kommune",
        "Vestre Toten kommune",
    ]


def test_a_council_sending_on_behalf_of_municipalities_in_nynorsk() -> None:
    doc = seg(
        "Innspel til Nasjonal helse- og samhandlingsplan – felles innspel frå kommunane i "
        "Nordfjord \n\n"
        "Nordfjordrådet sender med dette eit felles innspel på vegner av Stad kommune, Stryn "
        "kommune og Gloppen kommune. \n\n"
        "Kommunane manglar sjukepleiarar. \n"
    )
    assert doc.voices[0].authors == ["Stad kommune", "Stryn kommune", "Gloppen kommune"]


def test_a_plan_owned_by_the_body_named_under_its_title() -> None:
    doc = seg(
        "HANDLINGSPLAN 2024–2026 \n\n"
        "Helsefellesskapet for Helse Førde og kommunane i Sogn og Fjordane \n\n"
        "Utarbeidd av Strategisk samarbeidsutval (SSU) \n\n"
        "1 Innleiing \n\n"
        "Planen skal styrkje samarbeidet. \n"
    )
    assert doc.voices[0].authors[0] == "Helsefellesskapet for Helse Førdes opptaksområde"
    assert any(a.startswith("Strategisk samarbeidsutvalg") for a in doc.voices[0].authors)


def test_a_group_sender_gives_way_to_a_letterhead_that_names_the_members() -> None:
    doc = seg(
        " Vesterålen regionråd \n"
        "Andøy – Bø – Hadsel \n\n"
        "INNSPILL TIL NASJONAL HELSE- OG SAMHANDLINGSPLAN – FELLES UTTALELSE FRA \n"
        "KOMMUNENE I VESTERÅLEN \n\n"
        "Vi viser til departementets brev. \n\n"
        "Kommunene mangler sykepleiere. \n"
    )
    assert doc.voices[0].authors == [
        "Vesterålen regionråd",
        "Andøy kommune",
        "Bø kommune",
        "Hadsel kommune",
    ]


def test_a_group_sender_gives_way_to_the_members_it_speaks_for() -> None:
    doc = seg(
        "INNSPILL TIL NASJONAL HELSE- OG SAMHANDLINGSPLAN – FELLES UTTALELSE FRA \n"
        "KOMMUNENE I VESTERÅLEN \n\n"
        "Vi viser til departementets brev. Regionrådet behandlet saken i møte, og uttalelsen er "
        "gitt på vegne av Andøy, Bø og Hadsel kommune. \n\n"
        "Kommunene mangler sykepleiere. \n"
    )
    assert doc.voices[0].authors == ["Andøy kommune", "Bø kommune", "Hadsel kommune"]


def test_the_council_whose_letterhead_a_joint_submission_is_on_is_an_author_too() -> None:
    doc = seg(
        " SALTEN REGIONRÅD \n\n"
        "Postboks 1423, 8002 Bodø \n\n"
        "Felles innspill til Nasjonal helse- og samhandlingsplan fra kommunene Fauske, Saltdal og "
        "Beiarn \n\n"
        "Kommunene mangler sykepleiere. \n"
    )
    assert doc.voices[0].authors == [
        "Salten regionråd",
        "Fauske kommune",
        "Saltdal kommune",
        "Beiarn kommune",
    ]


def test_a_running_header_with_side_n_av_m_opens_no_voice() -> None:
    page = "Felles innspill fra kommunene i Hallingdal                    Side {n} av 3 \n"
    body = "".join(
        page.format(n=n) + f"Kommunene mangler sykepleiere og leger i del {n} av året. \n\n"
        for n in (1, 2, 3)
    )
    doc = seg("Innspill fra Gol kommune og Hol kommune \n\n" + body)
    assert [v.authors for v in doc.voices] == [["Gol kommune", "Hol kommune"]]


def test_the_first_sender_line_under_a_long_letterhead_is_the_first_voice() -> None:
    doc = seg(
        "Helse Vest RHF \n\nPostboks 303 Forus \n\n4066 Stavanger \n\n"
        "Helse- og omsorgsdepartementet \n\nPostboks 8011 Dep \n\n0030 Oslo \n\n"
        "Deres ref.: 21/123 \n\nVår ref.: 2022/1 \n\nSaksbehandler: \n\nDato: \n\n04.03.2022 \n\n"
        "Innspill fra Helse Vest RHF til Nasjonal helse- og samhandlingsplan \n\n"
        "Vi viser til departementets brev og gir her våre innspill til planen. \n"
    )
    assert [v.authors for v in doc.voices] == [["Helse Vest RHF"]]


def test_a_footnote_after_the_signatures_is_not_a_signer() -> None:
    doc = seg(
        "FELLES INNSPEL FRÅ KOMMUNANE I SUNNHORDLAND \n\n"
        "Kommunane manglar sjukepleiarar og legar i store delar av året. \n\n"
        "Med helsing \n\n"
        "Kari Nordmann kommunedirektør, Stord kommune \n\n"
        "Ola Nordmann kommunedirektør, Fitjar kommune \n\n"
        "_____________________ \n\n"
        "1 Helsedirektoratet, Fastlegestatistikk 2. kvartal 2022. \n"
    )
    assert doc.voices[0].authors == ["Stord kommune", "Fitjar kommune"]


def _block(index: int, line: int | None) -> Block:
    frags = [] if line is None else [Fragment(line=line, line_start=0, line_end=1, block_start=0)]
    return Block(index=index, kind="paragraph", text="x", fragments=frags)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.integers(1, 40)), max_size=30),
    st.integers(0, 45),
    st.integers(0, 45),
)
def test_blocks_by_line_finds_what_a_scan_finds(lines: list[int | None], lo: int, hi: int) -> None:
    """The bisection over first lines gives the blocks a scan gives, in document order, also
    when blocks are out of line order or have no fragments (first line 0)."""
    blocks = [_block(i, line) for i, line in enumerate(lines)]
    scan = [b for b in blocks if lo <= b.first_line <= hi]
    assert BlocksByLine(blocks).within(lo, hi) == scan


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 40), st.integers(0, 10)), min_size=1, max_size=6),
    st.lists(st.one_of(st.none(), st.integers(1, 60)), min_size=1, max_size=20),
)
def test_voice_of_block_is_the_first_voice_holding_the_line(
    ranges: list[tuple[int, int]], lines: list[int | None]
) -> None:
    """The voice of a block is the first voice whose line range holds its first line (the
    first voice when none does), whether the ranges are ordered and disjoint or not."""
    blocks = [_block(i, line) for i, line in enumerate(lines)]
    source = LoadedDocument(path="t.txt", name="t.txt", format="txt", text="", lines=[], sha256="0")
    voices = [VoiceSegment(id=f"v{k}", lines=(a, a + n)) for k, (a, n) in enumerate(sorted(ranges))]
    for vs in (voices, voices[::-1]):
        doc = SegmentedDocument(doc=NormalisedDocument(source=source, blocks=blocks), voices=vs)
        for b in blocks:
            want = next((v for v in vs if v.lines[0] <= b.first_line <= v.lines[1]), vs[0])
            assert doc.voice_of_block(b.index) is want


def _theme_by_scan(heading: str) -> str | None:
    """``_theme_of`` as first written: one search per label and phrasing of every theme."""
    import re

    from helsegraf.ontology.codebook import load_codebook

    best: tuple[int, str] | None = None
    for c in load_codebook().themes():
        for f in (c.label, *c.phrasings):
            if f:
                m = re.compile(rf"(?<!\w){re.escape(f)}", re.IGNORECASE).search(heading)
                if m and (best is None or m.start() < best[0]):
                    best = (m.start(), c.id)
    return best[1] if best else None


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_theme_of_a_heading_is_found_as_by_one_search_per_form(data: st.DataObject) -> None:
    """One alternation over every theme's forms names the theme whose form starts first (the
    first theme in the codebook where forms start at the same place), as a search per form."""
    from helsegraf.ontology.codebook import load_codebook

    forms = [f for c in load_codebook().themes() for f in (c.label, *c.phrasings) if f]
    words = st.one_of(
        st.sampled_from(forms), st.sampled_from(["og", "Tiltak:", "1.", "x", "samhandlingen"])
    )
    parts = data.draw(st.lists(words, max_size=4))
    # words glued together too ("xDigitalisering"): a form counts only at a word start
    heading = "".join(p + data.draw(st.sampled_from([" ", "", "-"])) for p in parts)
    if data.draw(st.booleans()):
        heading = heading.upper()
    assert segment._theme_of(heading) == _theme_by_scan(heading)

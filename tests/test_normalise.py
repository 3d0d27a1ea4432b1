"""Repairing PDF text: joined lines, hyphenation, bullets, furniture, tables, quotes."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from helsegraf.ingest import normalise
from helsegraf.ingest.load import load_text
from helsegraf.ingest.models import NormalisedDocument


def norm(text: str) -> NormalisedDocument:
    return normalise.run(load_text(text, "t.txt"))


def texts(doc: NormalisedDocument) -> list[str]:
    return [b.text for b in doc.blocks]


def test_double_spaced_broken_sentence_is_one_paragraph() -> None:
    doc = norm(
        "Kommunene ser spesielt utfordring når det gjelder utskrivning av pasienter fra \n\n"
        "spesialisthelsetjenesten til hjemkommune. \n\n"
        "Stram økonomi er ei utfordring. \n"
    )
    assert texts(doc) == [
        "Kommunene ser spesielt utfordring når det gjelder utskrivning av pasienter fra "
        "spesialisthelsetjenesten til hjemkommune.",
        "Stram økonomi er ei utfordring.",
    ]
    assert [b.first_line for b in doc.blocks] == [1, 5]


def test_hyphenation_undone_but_real_hyphens_kept() -> None:
    doc = norm(
        "Pasienter skrives ut fra spesialist-\n"
        "helsetjenesten til kommunale helse- \n"
        "og omsorgstjenester i Helse Nord-\n"
        "Trøndelag.\n"
    )
    assert texts(doc) == [
        "Pasienter skrives ut fra spesialisthelsetjenesten til kommunale helse- og "
        "omsorgstjenester i Helse Nord-Trøndelag."
    ]


def test_bullets_lose_their_markers() -> None:
    doc = norm(
        "Vi ønsker tiltak, som for eksempel:\n\n"
        "• Økt bruk av videokonsultasjon \n\n"
        "\uf0b7 Fastlegenes rolle og plass i samhandlingen \n\n"
        "- Erfaringer fra prosjekter i Namsos\n"
    )
    bullets = [b for b in doc.blocks if b.kind == "bullet"]
    assert [b.text for b in bullets] == [
        "Økt bruk av videokonsultasjon",
        "Fastlegenes rolle og plass i samhandlingen",
        "Erfaringer fra prosjekter i Namsos",
    ]


def test_page_furniture_footnotes_and_urls_removed() -> None:
    doc = norm(
        "Det er utviklet felles samhandlingssider mellom kommunene og HNT. \n"
        "Handlingsplan for samhandling mellom kommunene og HNT Side 10 \n"
        "12\n"
        "1\n"
        " Strategiplan for samhandling 2010 – 2012  \n"
        "https://ekstranett.helse-midt.no/plan.pdf\n"
        "Dette brukes også som en felles informasjonskanal. \n"
    )
    assert texts(doc) == [
        "Det er utviklet felles samhandlingssider mellom kommunene og HNT.",
        "Dette brukes også som en felles informasjonskanal.",
    ]
    assert doc.furniture == ["Handlingsplan for samhandling mellom kommunene og HNT"]


def test_headings_numbered_and_question() -> None:
    doc = norm(
        "3 Evaluering av samhandlingsreformen \n\n"
        "Det er gjort mange evalueringer. \n\n"
        "Digitalisering- hva er de viktigste utfordringene å adressere? \n\n"
        "Kommunene bruker mye tid på fagsystem. \n"
    )
    kinds = [(b.kind, b.text) for b in doc.blocks]
    assert kinds[0] == ("heading", "3 Evaluering av samhandlingsreformen")
    assert kinds[2] == ("heading", "Digitalisering- hva er de viktigste utfordringene å adressere?")
    assert kinds[1][0] == kinds[3][0] == "paragraph"


def test_action_plan_table_rows() -> None:
    doc = norm(
        "Tabell 4 Kommunale øhjelps døgntilbud \n"
        "Nr. Tiltak Ansvarlig Når \n\n"
        "1 Evaluering av bruk av KØHD tilbud ASU 2018 \n\n"
        "2 \n"
        "Informasjon om KØHD tilbudene til ansatte i kommuner og \n"
        "HNT \n\n"
        "KS / HNT \n\n"
        "5.1.4 Helsefremmende strategier \n"
    )
    rows = [b for b in doc.blocks if b.kind == "table_row"]
    assert [b.text for b in rows] == [
        "1 Evaluering av bruk av KØHD tilbud ASU 2018",
        "2 Informasjon om KØHD tilbudene til ansatte i kommuner og HNT KS / HNT",
    ]
    assert doc.blocks[-1].kind == "heading"


def test_language_nynorsk() -> None:
    nn = norm(
        "Kommunane har ikkje nok tilsette, og sjukehuset veit ikkje kva dei skal gjere frå no.\n"
    )
    nb = norm("Kommunene har ikke nok ansatte, og sykehuset vet ikke hva de skal gjøre fra nå.\n")
    assert nn.language == "nn" and nb.language == "nb"


def test_quote_for_spans_give_one_source_line() -> None:
    doc = norm(
        "Kommunene ser spesielt utfordring når det gjelder utskrivning av pasienter fra \n\n"
        "spesialist-\nhelsetjenesten til hjemkommune. \n"
    )
    block = doc.blocks[0]
    start = block.text.index("utskrivning")
    end = block.text.index("hjemkommune")
    q = normalise.quote_for(doc, block, start, end)
    assert q.line == 1
    assert q.text == "utskrivning av pasienter fra"
    assert doc.source.text[q.start : q.end] == q.text


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_quote_for_is_always_an_exact_substring_of_one_line(data: st.DataObject) -> None:
    doc = _QUOTE_DOC
    block = data.draw(st.sampled_from(doc.blocks))
    start = data.draw(st.integers(0, len(block.text)))
    end = data.draw(st.integers(start, len(block.text)))
    q = normalise.quote_for(doc, block, start, end)
    line = doc.source.lines[q.line - 1]
    assert q.text in line.text
    assert doc.source.text[q.start : q.end] == q.text
    assert len(q.text) <= normalise.MAX_QUOTE
    assert q.text == q.text.strip()


_QUOTE_DOC = norm(
    "Pasienter skrives ut fra spesialist-\n\nhelsetjenesten til kommunale helse- \n"
    "og omsorgstjenester i Helse Nord-\nTrøndelag, og det er krevende for alle. \n\n"
    "• Økt bruk av videokonsultasjon og digitale \n  oppfølginger \n"
)


def test_huge_unpunctuated_text_is_cut_into_bounded_blocks() -> None:
    doc = norm("a\n" * 20_000)
    assert len(doc.blocks) > 1
    assert max(len(b.text) for b in doc.blocks) <= normalise.MAX_BLOCK_CHARS + 10


def test_table_continues_after_a_repeated_header_and_glues_split_words() -> None:
    doc = norm(
        "Vedlegg 1 Oppsummering av tiltak \n"
        "Tiltak Ansvarlig 2018 2019 2020 2021 \n"
        "4. Helsefremmende arbeid \n"
        "4.1 Spre erfaringer med pasientopplæring  HNT \n"
        "Tiltak Ansvarlig 2018 2019 2020 2021 \n"
        "5. Samhandlingsarenaer \n"
        "5.1 \n"
        "Revidering av samarbeidsavtalen i samarbeid med St. Olav. \n"
        "ASU / \n"
        "forhandlingsut\n"
        "valg \n"
    )
    rows = [b.text for b in doc.blocks if b.kind == "table_row"]
    assert rows == [
        "4.1 Spre erfaringer med pasientopplæring  HNT",
        "5.1 Revidering av samarbeidsavtalen i samarbeid med St. Olav. ASU / forhandlingsutvalg",
    ]
    groups = [b.text for b in doc.blocks if b.kind == "heading"]
    assert "5. Samhandlingsarenaer" in groups


def test_footnote_markers_left_out_but_quotes_stay_exact() -> None:
    doc = norm(
        "Det skal utvikles en felles læringsportal8 som ansatte i kommunene har tilgang til. \n"
        "Brukerne involveres i utredningsoppgaver. 9 \n"
        "Fagråd 12 har ansvaret. \n"
        "8\n"
        " Rutiner for brukerrepresentanter \n"
        "9\n"
        " https://kurs.helse-midt.no/nyheter \n"
    )
    text = " ".join(texts(doc))
    assert "felles læringsportal som ansatte" in text
    assert "utredningsoppgaver." in text and "utredningsoppgaver. 9" not in text
    assert "Fagråd 12" in text  # a number that is not glued to a word stays
    assert "Rutiner" not in text
    block = doc.blocks[0]
    q = normalise.quote_for(doc, block, 0, len(block.text))
    assert q.text == doc.source.lines[0].text.strip()
    assert doc.source.text[q.start : q.end] == q.text


def test_soft_hyphen_at_line_end_is_dropped() -> None:
    doc = norm("Samarbeidet med spesialist\u00ad\nhelsetjenesten er godt.\n")
    assert texts(doc) == ["Samarbeidet med spesialisthelsetjenesten er godt."]


def test_a_very_long_line_is_cut_into_bounded_blocks() -> None:
    doc = norm("Samhandling er viktig for alle " * 800 + "\n")
    assert len(doc.blocks) > 1
    assert max(len(b.text) for b in doc.blocks) <= normalise.MAX_BLOCK_CHARS
    line = doc.source.lines[0].text
    for b in doc.blocks:
        f = b.fragments[0]
        assert line[f.line_start : f.line_end] == b.text


def test_running_text_after_the_last_table_row_is_a_paragraph() -> None:
    doc = norm(
        "Tiltak Ansvarlig Når\n"
        "1 Etablere felles fagnettverk for jordmødre i regionen ASU 2023\n"
        "2 Utarbeide felles prosedyre for utskrivning av eldre pasienter Kommunene / SI 2024\n"
        "Handlingsplanen evalueres årlig av det strategiske samarbeidsutvalget, og tiltakene "
        "rulleres ved behov.\n"
    )
    rows = [b.text for b in doc.blocks if b.kind == "table_row"]
    assert rows[-1].endswith("Kommunene / SI 2024")
    assert doc.blocks[-1].kind == "paragraph" and doc.blocks[-1].text.startswith("Handlingsplanen")


def test_lone_years_in_a_table_are_time_cells_not_page_numbers() -> None:
    doc = norm(
        "Nr. Tiltak Ansvarlig Når\n1\nLage felles opplæringsplan for\nansatte i heimetenesta\n"
        "Fagrådet\n2022\n2\nEtablere faste dialogmøte mellom\nfastlegar og sjukehuset\nASU\n"
        "2023\n\nPartane vil i 2023 gjere ei samla vurdering av korleis samarbeidet har fungert, "
        "og leggje fram forslag til nye tiltak.\n"
    )
    rows = [b.text for b in doc.blocks if b.kind == "table_row"]
    assert len(rows) == 2 and rows[0].endswith("Fagrådet 2022") and rows[1].endswith("ASU 2023")
    assert doc.blocks[-1].kind == "paragraph" and doc.blocks[-1].text.startswith("Partane")


def test_a_list_inside_a_table_cell_stays_in_its_row() -> None:
    doc = norm(
        "Tiltak Ansvarlig Når\n"
        "3 Følge opp aktuelle utviklingsprosjekt og spre erfaringer:\n"
        "- Kommunalt lærings- og mestringstilbud i samarbeid med helseforetak og frivillige\n"
        "4 Spre erfaringer med opplæringen Kommunene\n"
    )
    rows = [b.text for b in doc.blocks if b.kind == "table_row"]
    assert len(rows) == 2 and "Kommunalt lærings- og mestringstilbud" in rows[0]


def _repeated_by_page_marks_by_scan(lines, drop, running, cues):  # type: ignore[no-untyped-def]
    """``_repeated_by_page_marks`` as first written: one pass over the lines per key."""
    from collections import Counter

    filled = [ln for ln in lines if ln.text.strip()]
    near: dict = {}
    for k, line in enumerate(filled):
        t = line.text.strip()
        if (
            line.number in drop
            or len(t) > 120
            or normalise._TERMINAL.search(t)
            or cues.table_header.match(t)
        ):
            continue
        neighbours = filled[max(0, k - 1) : k] + filled[k + 1 : k + 2]
        if any(n.number in drop for n in neighbours):
            near.setdefault(normalise._key(line.text), []).append(line)
    counts = Counter(normalise._key(ln.text) for ln in filled)
    for key, found in near.items():
        if len(found) >= 3 and counts[key] >= 3:
            for line in filled:
                if normalise._key(line.text) == key:
                    drop.add(line.number)
            running.setdefault(key, found[0].text.strip())


@settings(max_examples=300, deadline=None)
@example(  # a running header beside three page marks, and a line that recurs elsewhere
    [
        *("Side 1 av 3", "Helse Testvik", "Tekst her.", "Side 2 av 3", "Helse Testvik"),
        *("Rapport 2024", "Side 3 av 3", "Helse Testvik", "", "Rapport 2024", "Rapport 2024"),
    ],
    {1, 4, 7},
)
@given(
    st.lists(
        st.sampled_from(
            ["Side 1 av 3", "Side 2 av 3", "", "Rapport 2024", "Helse Testvik", "Tekst her."]
        ),
        max_size=40,
    ),
    st.sets(st.integers(1, 40)),
)
def test_running_lines_next_to_page_marks_found_as_by_a_scan(
    texts_: list[str], dropped: set[int]
) -> None:
    """Grouping the lines by key once drops the same running lines as a pass per key."""
    from helsegraf.ingest.models import SourceLine

    lines = [SourceLine(number=i, text=t, start=0) for i, t in enumerate(texts_, start=1)]
    cues = normalise._cues()
    drop_a, drop_b = set(dropped), set(dropped)
    run_a: dict[str, str] = {}
    run_b: dict[str, str] = {}
    normalise._repeated_by_page_marks(lines, drop_a, run_a, cues)
    _repeated_by_page_marks_by_scan(lines, drop_b, run_b, cues)
    assert drop_a == drop_b and list(run_a.items()) == list(run_b.items())

"""Action-plan tables: nynorsk headers, and responsible cells made of known actors."""

from helsegraf.ingest.pipeline import extract_text
from helsegraf.ingest.segment import split_responsible

TABLE = """Handlingsplan 2024

Nr. Tiltak {ansvar} {naar}
1 Utvikle felles rutinar for utskriving av pasientar Helse Fonna HF 2024
2 Etablere hospitering mellom kommunane og sjukehuset FSU 2025
"""


def _measures(text: str) -> dict[int, tuple[list[str], str | None]]:
    x = extract_text(text, "plan.txt")
    return {m.line: (m.responsible or [], m.when) for m in x.measures}


def test_nynorsk_table_header_is_a_table() -> None:
    rows = _measures(TABLE.format(ansvar="Ansvarleg", naar="Frist"))
    assert rows.get(5) == (["FSU"], "2025")
    assert rows.get(4) == (["Helse Fonna HF"], "2024")


def test_bokmal_table_header_is_a_table() -> None:
    rows = _measures(TABLE.format(ansvar="Ansvarlig", naar="Når"))
    assert set(rows) == {4, 5}


def test_responsible_cell_of_known_actors_is_split_whole() -> None:
    measure, responsible = split_responsible(
        "Utvikle felles rutiner for utskrivning Helse Fonna HF og KS"
    )
    assert measure == "Utvikle felles rutiner for utskrivning"
    assert responsible == "Helse Fonna HF og KS"


def test_row_without_responsible_keeps_its_text() -> None:
    text = "Utvikle felles rutiner for utskrivning av pasienter"
    assert split_responsible(text) == (text, None)


SPLIT = """Handlingsplan 2024–2025 for helsefellesskapet
Tabell 1 Skrøpelige eldre
Nr.
Tiltak
Ansvarlig
Når
1.1
Felles sjekkliste ved utskrivning av
skrøpelige eldre tas i bruk
FSU eldre
2. kvartal
2024
1.2
Tydeliggjøre ansvarsdelingen mellom DPS
og kommunene
FSU psykisk
helse og rus
Innen
1.1.2025
1.3
Faste veiledningsmøter for kommunale team
Kommunene
Høst 2024
"""


def test_header_cut_into_one_cell_per_line_opens_a_table() -> None:
    rows = _measures(SPLIT)
    assert rows.get(8) == (["FSU eldre"], "2. kvartal 2024")
    assert rows.get(14) == (["FSU psykisk helse og rus"], "Innen 1.1.2025")
    assert rows.get(21) == (["Kommunene"], "Høst 2024")


def test_the_responsible_cell_is_not_evidence_for_the_measure() -> None:
    x = extract_text(SPLIT, "plan.txt")
    by_line = {m.line: m.concept for m in x.measures}
    # "FSU psykisk helse og rus" names who is responsible, not what the measure is about
    assert by_line.get(14) == "tiltak/avklare-oppgavefordeling"
    assert all(m.line not in (16, 17) for m in x.measures)


def test_a_line_repeated_beside_page_marks_is_a_running_header() -> None:
    page = "Handlingsplan 2024–2025                 Helsefellesskapet Vestre Viken\n"
    topics = ["eldre", "barn og unge", "rus og psykisk helse", "legevakt"]
    body = "".join(
        f"Side {i} av 4\n{page}Kommunene må styrke samarbeidet om {topic}.\n"
        for i, topic in enumerate(topics, start=1)
    )
    x = extract_text("Handlingsplan for helsefellesskapet\n" + body, "plan.txt")
    assert all("Helsefellesskapet Vestre Viken" not in m.quote for m in x.measures)
    assert x.measures


def test_a_numbered_title_after_rows_with_their_number_alone_ends_the_table() -> None:
    text = SPLIT + (
        "1.4 Tverrgående tiltak\n"
        "I tillegg vil helsefellesskapet arbeide med disse tiltakene:\n"
        "• Prøve ut kombinasjonsstillinger for sykepleiere mellom sykehus og kommune\n"
    )
    x = extract_text(text, "plan.txt")
    by_line = {m.line: m for m in x.measures}
    assert by_line[26].concept == "tiltak/hospitering-kombinasjon"
    assert by_line[26].responsible == []
    assert by_line[21].when == "Høst 2024"

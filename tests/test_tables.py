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

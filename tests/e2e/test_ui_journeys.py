"""A researcher's journeys through the web page, in headless Chromium (Debian's
/usr/bin/chromium) driven by Playwright, on the sample corpus served by a real server.

Each journey saves screenshots to test-artifacts/ (journey-*.png).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = pytest.mark.e2e

#: Skaun kommune, which signed a joint letter with seven other kommuner in the sample corpus.
SKAUN = "kommune/5029"


@pytest.fixture(scope="module")
def page(api_server, open_page):
    ARTIFACTS.mkdir(exist_ok=True)
    with open_page(api_server.url + "/") as pg:
        pg.wait_for_selector("body[data-ready=true]", timeout=30_000)
        yield pg


@pytest.fixture(autouse=True)
def on_the_page(page, api_server):
    """Each journey starts on the page, whatever the one before did."""
    if urlparse(page.url).path != "/":
        page.goto(api_server.url + "/")
        page.wait_for_selector("body[data-ready=true]", timeout=30_000)


def _shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"journey-{name}.png"), full_page=False)


def _go(page, hash_: str) -> None:
    page.evaluate("h => { location.hash = h; }", hash_)


def _cells(page, selector: str, column: int) -> list[str]:
    return page.locator(f"{selector} tbody tr td:nth-child({column})").all_inner_texts()


def _measure_with_responsible_and_when(base: str) -> tuple[str, dict, dict]:
    """From the API: a challenge, one of its measures outside the codebook's (and not "Annet")
    whose statements say who is responsible and when, and one such statement."""
    import httpx

    challenges = httpx.get(f"{base}/api/challenges", params={"limit": 500}).json()["items"]
    for c in challenges:
        measures = httpx.get(
            f"{base}/api/measures", params={"challenge": c["id"], "limit": 500}
        ).json()["items"]
        codebook = [m for m in measures if m["in_codebook"] and m["responsible"]]
        for m in measures:
            if m["in_codebook"] or m["id"].endswith("/annet") or not m["when"] or not codebook:
                continue
            detail = httpx.get(f"{base}/api/measures/{m['id']}").json()
            for st in detail["statements"]:
                if st["when"] and st["responsible"]:
                    return c["id"], m, st
    raise AssertionError("the sample corpus has no measure with responsible and when")


def test_measures_from_a_challenge_to_the_reader_and_review(page, api_server) -> None:
    challenge, measure, statement = _measure_with_responsible_and_when(api_server.url)
    # A challenge, picked by its codebook label.
    page.locator('nav a[data-tab="utfordringer"]').click()
    page.locator("#challenge-select").select_option(challenge)
    page.wait_for_selector("#challenge-measures table", timeout=20_000)
    counts = page.locator("#challenge-counts").inner_text()
    assert re.search(r"\d+ aktører? · \d+ dokumenter? \(brev\) · \d+ utsagn", counts), counts

    # The codebook's measures, with who is responsible.
    assert page.locator("#challenge-measures tbody tr").count() >= 1
    responsible = _cells(page, "#challenge-measures", 5)
    assert any(responsible), responsible
    # Those that only share a letter are apart, "Annet" apart again.
    other = page.locator("#challenge-measures-other")
    label = measure["label"]
    assert label in other.inner_text()
    assert label not in page.locator("#challenge-measures").inner_text()
    assert "Annet" not in _cells(page, "#challenge-measures-other", 1)
    assert "Annet" not in _cells(page, "#challenge-measures", 1)
    row = other.locator("tbody tr", has_text=label).first
    assert statement["responsible"][0] in row.inner_text()  # responsible
    assert statement["when"] in row.inner_text()  # and when
    row.scroll_into_view_if_needed()
    _shot(page, "1-challenge-measures")

    # One measure: who proposes it, with quotes, responsible and when.
    row.locator("a").first.click()
    page.wait_for_selector(
        "#measure-detail:not([hidden]) #measure-statements table", timeout=20_000
    )
    assert page.locator("#measure-title").inner_text() == label
    assert page.locator("#measure-addresses li").count() >= 1
    statements = page.locator("#measure-statements tbody tr")
    assert statements.count() >= 1
    headers = page.locator("#measure-statements thead th").all_inner_texts()
    assert [h.strip(" ▲▼") for h in headers] == ["Foreslått av", "Sitat", "Ansvarlig", "Når"]
    with_when = page.locator("#measure-statements tbody tr", has_text=statement["quote"]).first
    assert statement["responsible"][0] in with_when.inner_text()
    assert statement["when"] in with_when.inner_text()
    _shot(page, "2-measure")

    # The quote opens the document reader at its line, with the coding marked.
    quote = with_when.locator("a.quote-link")
    quote_text = quote.locator("q").inner_text()
    quote.click()
    page.wait_for_selector(
        "#document-detail:not([hidden]) #document-text mark.aktiv", timeout=20_000
    )
    marked = page.locator("#document-text mark.aktiv").first
    assert marked.is_visible()
    assert marked.inner_text() in quote_text or quote_text.startswith(marked.inner_text())
    assert page.locator("#document-text .voice-note").count() >= 1  # voices in the margin
    assert page.locator("#document-source").inner_text().startswith("Kilde:")
    assert re.match(r"(Dato: \d{4}|Udatert)", page.locator("#document-meta").inner_text())
    _shot(page, "3-reader")

    # One click opens the coding in /review.
    link = page.locator("#document-focus a.review-link")
    assert link.is_visible()
    link.click()
    page.wait_for_selector("#kodinger li.aktiv", timeout=20_000)
    assert urlparse(page.url).path == "/review"
    assert statement["quote"][:25] in page.locator("#kodinger li.aktiv").inner_text()
    _shot(page, "4-review")
    page.goto(api_server.url + "/")
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)


def test_matrix_filtered_by_fylke_opens_a_cells_quotes(page) -> None:
    page.locator('nav a[data-tab="matrise"]').click()
    page.wait_for_selector("#matrix table.matrix", timeout=20_000)
    everyone = page.locator("#matrix table.matrix tbody th").all_inner_texts()
    assert "Surnadal kommune" in everyone and "Nord-Aurdal kommune" in everyone
    page.locator("#matrix-fylke").select_option(label="Trøndelag")
    page.wait_for_function(
        "!document.querySelector('#matrix').innerText.includes('Surnadal kommune')",
        timeout=20_000,
    )
    rows = page.locator("#matrix table.matrix tbody th").all_inner_texts()
    assert rows and "Skaun kommune" in rows
    assert "Nord-Aurdal kommune" not in rows and "Surnadal kommune" not in rows
    with page.expect_download() as download:
        page.locator("#matrix button.csv").click()
    csv_path = download.value.path()
    lines = Path(csv_path).read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(rows) + 1 and lines[0].startswith("Aktør,")
    _shot(page, "5-matrix")

    cell = page.locator("#matrix button.cell").first
    value = int(cell.inner_text())
    cell.click()
    page.wait_for_selector("#matrix-cell:not([hidden]) #matrix-quotes table", timeout=20_000)
    quotes = page.locator("#matrix-quotes tbody tr")
    assert quotes.count() == value  # the cell counts statements, one row each
    assert page.locator("#matrix-quotes tbody q").first.inner_text().strip()
    _shot(page, "6-matrix-quotes")


def _cosigners(base: str, actor: str) -> set[str]:
    """Names of the actors that signed a letter together with ``actor`` (from the API)."""
    import httpx

    detail = httpx.get(f"{base}/api/actors/{actor}").json()
    out: set[str] = set()
    for d in detail["documents"]:
        doc = httpx.get(f"{base}/api/documents/{d['id']}").json()
        for v in doc["voices"]:
            if any(a["id"] == actor for a in v["authors"]):
                out |= {a["name"] for a in v["authors"] if a["id"] != actor}
    return out


def test_similar_actors_without_cosigners_are_explained(page, api_server) -> None:
    cosigners = _cosigners(api_server.url, SKAUN)
    assert cosigners, "Skaun signed a joint letter in the sample corpus"
    _go(page, f"aktorer/{SKAUN}")
    page.wait_for_selector("#actor-detail:not([hidden]) #actor-similar table", timeout=20_000)
    assert page.locator("#actor-title").inner_text() == "Skaun kommune"
    assert page.locator("#similar-without-cosigners").is_checked()
    explanation = page.locator("#similar-explanation")
    assert explanation.is_visible() and "delt på" in explanation.inner_text()
    names = set(_cells(page, "#actor-similar", 1))
    assert names and not names & cosigners
    page.locator("#actor-similar").scroll_into_view_if_needed()
    _shot(page, "7-similar")

    page.locator("#similar-without-cosigners").uncheck()
    page.wait_for_function(
        "names => names.some((n) => document.querySelector('#actor-similar').innerText.includes(n))",
        arg=sorted(cosigners),
        timeout=20_000,
    )
    rows = page.locator("#actor-similar tbody tr").all_inner_texts()
    assert any(r.split("\t")[0] in cosigners for r in rows)


def test_a_failing_cypher_query_shows_a_norwegian_error_and_no_stale_result(page) -> None:
    page.locator('nav a[data-tab="sporringer"]').click()
    page.fill("#cypher-text", "MATCH (u:Utfordring) RETURN u.id AS id ORDER BY id LIMIT 3")
    page.locator("#cypher-form button[type=submit]").click()
    page.wait_for_selector("#query-result tbody tr", timeout=20_000)
    assert page.locator("#query-result tbody tr").count() == 3

    page.fill("#cypher-text", "MATCH (u:Utfordring RETURN u")
    page.locator("#cypher-form button[type=submit]").click()
    error = page.locator("#cypher-error")
    error.wait_for(state="visible", timeout=20_000)
    assert "Spørringen kunne ikke tolkes" in error.inner_text()
    assert page.locator("#query-result table").count() == 0  # the old rows are gone
    assert "feilet" in page.locator("#query-result").inner_text()
    # The error sits beside the editor, not only in the header.
    assert page.locator("#cypher-form #cypher-error").count() == 1
    _shot(page, "8-query-error")

    # A write is refused, in bokmål too.
    page.fill("#cypher-text", "CREATE (n:Utfordring {id: 'x'}) RETURN n")
    page.locator("#cypher-form button[type=submit]").click()
    page.wait_for_function(
        "document.querySelector('#cypher-error').innerText.includes('bare lese')", timeout=20_000
    )


def test_catalog_queries_take_their_parameters(page) -> None:
    page.locator('nav a[data-tab="sporringer"]').click()
    page.locator("#cypher-example").select_option(value="cypher:actors_raising_challenge")
    field = page.locator("#cypher-param-fields input[data-param=challenge]")
    assert field.get_attribute("required") is not None
    # Empty, the form does not run: the browser asks for the required field.
    field.fill("")
    assert page.evaluate("document.querySelector('#cypher-form').checkValidity()") is False
    field.fill("rekruttering")
    page.locator("#cypher-form button[type=submit]").click()
    page.wait_for_function(
        "document.querySelector('#query-result thead') && "
        "document.querySelector('#query-result thead').innerText.includes('quote')",
        timeout=20_000,
    )
    assert page.locator("#query-result tbody tr").count() >= 1

    page.locator("#sparql-example").select_option(value="sparql:examples_search")
    page.locator("#sparql-param-fields input[data-param=text]").fill("FACT")
    page.locator("#sparql-form button[type=submit]").click()
    page.wait_for_function(
        "document.querySelector('#query-result tbody') && "
        "document.querySelector('#query-result tbody').innerText.includes('FACT')",
        timeout=30_000,
    )
    _shot(page, "9-catalog-params")


def test_offline_docs_render_with_the_network_blocked(page, api_server) -> None:
    local = urlparse(api_server.url).hostname
    pg = page.context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    blocked: list[str] = []

    def only_local(route) -> None:
        if urlparse(route.request.url).hostname in (local, "localhost", "127.0.0.1"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    try:
        pg.route("**/*", only_local)
        pg.goto(api_server.url + "/docs")
        pg.wait_for_selector(".swagger-ui .info .title", timeout=30_000)
        assert "helsegraf" in pg.locator(".swagger-ui .info .title").inner_text()
        assert pg.locator(".opblock").count() > 10  # the routes are listed
        assert errors == [] and blocked == []
        assert pg.request.get(api_server.url + "/favicon.ico").status == 200
        pg.screenshot(path=str(ARTIFACTS / "journey-10-docs.png"), full_page=False)
    finally:
        pg.close()


ENGLISH = re.compile(
    r"\b(Challenges|Measures|Themes|Patient groups|Slag|Stemme v\d|Download|Search|Error|"
    r"rows|Voice|Actors|Documents|Loading|Not found|similar)\b"
)


def test_labels_are_norwegian_with_the_codebooks_letters(page) -> None:
    from helsegraf.ontology.codebook import load_codebook

    cb = load_codebook()
    page.locator('nav a[data-tab="utfordringer"]').click()
    options = page.locator("#challenge-select option").all_inner_texts()[1:]
    labels = {c.label for c in cb.challenges()}
    assert options and all(o.rsplit(" (", 1)[0] in labels for o in options)
    for wanted in ("Stram økonomi", "Små kommuner", "jordmødre", "KØHD"):
        assert any(wanted in o for o in options), wanted
    assert not any(
        re.search(r"okonomi|sma kommuner|folgetjeneste|Kohd", o, re.IGNORECASE) for o in options
    )

    # The codebook's schemes are shown by their Norwegian names, not the English ones.
    page.locator('nav a[data-tab="sporringer"]').click()
    page.locator("#sparql-example").select_option(value="")
    page.fill(
        "#sparql-text",
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "SELECT ?navn WHERE { ?s a skos:ConceptScheme ; skos:prefLabel ?navn "
        'FILTER(lang(?navn) = "nb") }',
    )
    page.locator("#sparql-form button[type=submit]").click()
    page.wait_for_function(
        "document.querySelector('#query-result tbody') && "
        "document.querySelector('#query-result tbody').innerText.includes('Pasientgrupper')",
        timeout=90_000,  # the first SPARQL query exports the store to RDF
    )
    assert set(_cells(page, "#query-result", 1)) == {
        "Tema",
        "Pasientgrupper",
        "Utfordringer",
        "Tiltak",
    }
    # and the page's own default query asks for the Norwegian labels
    assert 'lang(?navn) = "nb"' in page.locator("#sparql-text").evaluate("e => e.defaultValue")

    for tab in ("utfordringer", "tiltak", "aktorer", "matrise", "eksempler", "dokumenter"):
        page.locator(f'nav a[data-tab="{tab}"]').click()
        page.wait_for_timeout(300)
        text = page.locator(f"#tab-{tab}").inner_text() + page.locator("header").inner_text()
        found = ENGLISH.findall(text)
        assert not found, (tab, found)
    query_tab = page.locator("#tab-sporringer").inner_text()
    assert not re.search(r"\b(Challenges|Measures|Themes|Patient groups)\b", query_tab)

    # An unknown actor answers in bokmål and leaves no earlier actor on screen.
    _go(page, f"aktorer/{SKAUN}")
    page.wait_for_selector("#actor-detail:not([hidden])", timeout=20_000)
    _go(page, "aktorer/kommune/9999")
    page.wait_for_function(
        "document.querySelector('#status').innerText.includes('Fant ingen aktør')",
        timeout=20_000,
    )
    assert page.locator("#actor-detail").is_hidden()
    _shot(page, "11-unknown-actor")


def test_tables_sort_filter_and_page(page) -> None:
    page.locator('nav a[data-tab="utfordringer"]').click()
    table = "#challenge-list"
    page.wait_for_selector(f"{table} tbody tr")
    assert page.locator(f"{table} tbody tr").count() == 25  # a page
    assert "Side 1 av" in page.locator(f"{table} .pager").inner_text()
    page.locator(f"{table} th button", has_text="Utfordring").click()
    names = _cells(page, table, 1)
    assert names == sorted(names, key=str.lower)
    page.locator(f"{table} th button", has_text="Utsagn").click()
    page.locator(f"{table} th button", has_text="Utsagn").click()  # descending
    counts = [int(x) for x in _cells(page, table, 4)]
    assert counts == sorted(counts, reverse=True)
    page.fill(f"{table} input.table-filter", "økonomi")
    assert page.locator(f"{table} tbody tr").count() == 1
    with page.expect_download() as download:
        page.locator(f"{table} button.csv").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "Utfordring,Aktører,Dokumenter,Utsagn" and len(lines) == 2  # as shown
    page.fill(f"{table} input.table-filter", "")


def test_graph_expands_on_click_and_filters_by_kind(page) -> None:
    _go(page, f"aktorer/{SKAUN}")
    page.wait_for_selector("#actor-graph canvas", timeout=20_000)
    page.wait_for_timeout(500)
    before = page.evaluate("document.querySelector('#actor-graph').cy.nodes().length")
    # Click a challenge node: its actors join the graph.
    grown = page.evaluate(
        """async (before) => {
          const cy = document.querySelector('#actor-graph').cy;
          cy.nodes('[kind = "challenge"]')[0].emit('tap');
          for (let i = 0; i < 100 && cy.nodes().length === before; i++) {
            await new Promise((r) => setTimeout(r, 100));
          }
          return cy.nodes().length;
        }""",
        before,
    )
    assert grown > before
    page.locator('#actor-graph .legend input[data-kind="measure"]').uncheck()
    hidden = page.evaluate(
        "document.querySelector('#actor-graph').cy.nodes('[kind = \"measure\"]')"
        ".filter((n) => n.style('display') === 'none').length"
    )
    assert hidden >= 1
    page.locator("#actor-graph").scroll_into_view_if_needed()
    page.locator("#actor-graph").screenshot(path=str(ARTIFACTS / "journey-12-graph.png"))


def test_no_javascript_errors(page) -> None:
    assert page.js_errors == []

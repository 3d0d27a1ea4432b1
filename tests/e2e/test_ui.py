"""The web page in headless Chromium (Debian's /usr/bin/chromium) driven by Playwright.

Runs against the real server of ``api_server`` (the samples ingested) and saves a screenshot to
test-artifacts/ui.png.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def page(api_server, open_page):
    with open_page(api_server.url + "/") as pg:
        pg.wait_for_selector("body[data-ready=true]", timeout=30_000)
        yield pg


def _pick_rekruttering(page) -> None:
    """Pick the challenge option labelled as the codebook names recruitment, and wait for its
    actors."""
    page.locator('nav a[data-tab="utfordringer"]').click()
    select = page.locator("#challenge-select")
    texts = select.locator("option").all_inner_texts()
    (label,) = [t for t in texts if t.startswith("Vanskelig å rekruttere ")]
    select.select_option(label=label)
    assert select.input_value() == "utfordring/rekruttering"
    page.wait_for_selector("#challenge-actors table", timeout=20_000)


def test_pick_a_challenge_and_see_actors_with_quotes(page) -> None:
    # A researcher picks the option named "Rekruttering".
    _pick_rekruttering(page)
    rows = page.locator("#challenge-actors tbody tr")
    assert rows.count() >= 1
    assert page.locator("#challenge-actors tbody q").first.inner_text().strip()
    assert page.locator("#challenge-chart svg rect").count() >= 1
    assert page.locator("#challenge-actors button.csv", has_text="Last ned CSV").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui.png"), full_page=False)


def test_pick_an_actor_and_see_its_challenges_and_graph(page) -> None:
    _pick_rekruttering(page)  # the journey starts at a challenge, whatever ran before
    page.locator("#challenge-actors tbody a").first.click()
    page.wait_for_selector("#actor-detail:not([hidden]) #actor-challenges table", timeout=20_000)
    assert page.locator("#actor-title").inner_text().strip()
    assert page.locator("#actor-challenges tbody tr").count() >= 1
    page.wait_for_selector("#actor-graph canvas", timeout=20_000)
    page.wait_for_timeout(500)  # layout settles
    page.locator("#actor-graph").screenshot(path=str(ARTIFACTS / "ui-graph.png"))
    page.screenshot(path=str(ARTIFACTS / "ui-actor.png"), full_page=False)


def test_search_fact_and_read_the_example(page) -> None:
    page.locator('nav a[data-tab="eksempler"]').click()
    page.fill("#example-q", "FACT")
    page.locator("#example-search button[type=submit]").click()
    page.wait_for_function(
        "document.querySelector('#example-list tbody') && "
        "document.querySelector('#example-list tbody').innerText.includes('FACT')",
        timeout=20_000,
    )
    page.locator("#example-list tbody tr", has_text="FACT").first.click()
    page.wait_for_selector("#example-detail:not([hidden]) #example-mentions table", timeout=20_000)
    assert "FACT" in page.locator("#example-title").inner_text()
    assert page.locator("#example-mentions tbody q").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "ui-example.png"), full_page=False)


def test_run_cypher_and_sparql(page) -> None:
    page.locator('nav a[data-tab="sporringer"]').click()
    page.locator("#cypher-example").select_option(value="")
    page.fill(
        "#cypher-text",
        "MATCH (u:Utfordring) RETURN u.id AS id, u.label AS label ORDER BY id LIMIT 5",
    )
    page.locator("#cypher-form button[type=submit]").click()
    page.wait_for_function(
        "document.querySelector('#query-result tbody') && "
        "document.querySelector('#query-result tbody').innerText.includes('utfordring/')",
        timeout=20_000,
    )
    assert page.locator("#query-result tbody tr").count() == 5
    assert page.locator("#query-result thead th").all_inner_texts() == ["id", "label"]

    # an example from the catalog, with its parameters filled in
    page.locator("#cypher-example").select_option(value="cypher:actors_raising_challenge")
    assert "utfordring/" in page.input_value("#cypher-param-fields input[data-param=challenge]")
    page.locator("#cypher-form button[type=submit]").click()
    page.wait_for_function(
        "document.querySelector('#query-result thead') && "
        "document.querySelector('#query-result thead').innerText.includes('quote')",
        timeout=20_000,
    )
    assert page.locator("#query-result tbody tr").count() >= 1

    page.locator("#sparql-example").select_option(value="")
    page.fill(
        "#sparql-text",
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "SELECT ?begrep ?navn WHERE { ?begrep skos:prefLabel ?navn } LIMIT 3",
    )
    page.locator("#sparql-form button[type=submit]").click()
    page.wait_for_function(
        "document.querySelector('#query-result thead') && "
        "document.querySelector('#query-result thead').innerText.includes('navn')",
        timeout=30_000,
    )
    assert page.locator("#query-result tbody tr").count() == 3
    with page.expect_download() as download:
        page.locator("#query-result button.csv").click()
    assert download.value.suggested_filename == "sparql.csv"
    page.screenshot(path=str(ARTIFACTS / "ui-query.png"), full_page=False)


def test_no_javascript_errors(page) -> None:
    assert page.js_errors == []


def test_yasgui_page_runs_a_query(page, api_server) -> None:
    page.goto(api_server.url + "/yasgui")
    page.wait_for_selector(".yasqe .CodeMirror", timeout=30_000)
    page.locator(".yasqe_queryButton").first.click()
    page.wait_for_selector(".yasr table tbody tr", timeout=30_000)
    assert page.locator(".yasr table tbody tr").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "ui-yasgui.png"), full_page=False)
    page.goto(api_server.url + "/")
    page.wait_for_selector("body[data-ready=true]", timeout=30_000)

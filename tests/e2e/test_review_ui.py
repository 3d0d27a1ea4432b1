"""The review page in headless Chromium (Debian's /usr/bin/chromium) driven by Playwright.

A real server (uvicorn in a thread) over a real store with one sample document; the page
confirms a coding by click, changes one by the picker and adds one from selected text, and the
API shows each. Saves a screenshot to test-artifacts/review.png.
"""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CORPUS = Path(__file__).resolve().parents[2] / "samples" / "corpus"
DOCUMENT = "001_f494832f89df498b.txt"
TOKEN = "e2e-review-token"

pytestmark = [pytest.mark.e2e, pytest.mark.filterwarnings("ignore::DeprecationWarning")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module", params=["falkordb", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def server(request, tmp_path_factory, store_settings):
    """The review page's server, once on each backend (on Neo4j the page's writes go to the
    Neo4j test server)."""
    import uvicorn

    from helsegraf.api.app import create_app
    from helsegraf.graph.store import open_store
    from helsegraf.ingest.pipeline import extract_file
    from helsegraf.review import texts

    settings = store_settings(
        request.param,
        request,
        tmp_path_factory.mktemp("review-e2e"),
        graph_name="review_e2e",
        api_token=SecretStr(TOKEN),
    )
    store = open_store(settings)
    store.load_extraction(extract_file(CORPUS / DOCUMENT))
    texts.remember_file(CORPUS / DOCUMENT, settings)
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings, store=store), host="127.0.0.1", port=port, log_level="warning"
    )
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not srv.started and time.time() < deadline:
        time.sleep(0.05)
    assert srv.started, "server did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)
    store.close()


@pytest.fixture(scope="module")
def page(server, open_page):
    with open_page(server + "/review") as pg:
        assert pg.locator("#ny").is_hidden()
        pg.fill("#token", TOKEN)
        pg.fill("#reviewer", "Kari Nordmann")
        pg.click("#lagre")
        pg.wait_for_selector(f'#dokument option:has-text("{DOCUMENT}")', state="attached")
        value = pg.locator(f'#dokument option:has-text("{DOCUMENT}")').get_attribute("value")
        pg.select_option("#dokument", value=value)
        pg.wait_for_selector("#tekst mark", timeout=20_000)
        yield pg


def _coding(server: str, statement_id: str) -> dict:
    r = httpx.get(server + "/api/review", params={"document": DOCUMENT, "limit": 500})
    r.raise_for_status()
    return next(i for i in r.json()["items"] if i["id"] == statement_id)


def test_confirm_a_coding_by_click(page, server) -> None:
    first = page.locator("#kodinger li.machine").first
    statement_id = first.get_attribute("data-id")
    assert _coding(server, statement_id)["status"] == "machine"
    assert page.locator("#tekst mark").count() >= 1
    first.locator("button.bekreft").click()
    page.wait_for_selector(f'#kodinger li.confirmed[data-id="{statement_id}"]', timeout=10_000)
    coding = _coding(server, statement_id)
    assert coding["status"] == "confirmed"
    assert coding["assigned_by"] == "Kari Nordmann"
    assert page.locator("#status").inner_text() == "Kodingen er bekreftet."
    assert page.js_errors == []


def test_change_a_concept_with_the_picker(page, server) -> None:
    item = page.locator("#kodinger li.machine").first
    statement_id = item.get_attribute("data-id")
    old = _coding(server, statement_id)["concept"]
    picker = item.locator("select.begrep")
    new = next(
        v for v in picker.locator("option").evaluate_all("os => os.map(o => o.value)") if v != old
    )
    picker.select_option(value=new)
    page.wait_for_selector(f'#kodinger li.edited[data-id="{statement_id}"]', timeout=10_000)
    coding = _coding(server, statement_id)
    assert coding["status"] == "edited" and coding["concept"] == new


def test_select_text_and_add_a_coding(page, server) -> None:
    before = httpx.get(server + "/api/review/counts").json()["confirmed"]
    # Select the first 40 characters of the longest uncoded piece of text.
    quote = page.evaluate(
        """() => {
          const spans = [...document.querySelectorAll('#tekst > span')]
            .filter(s => s.textContent.trim().length > 60);
          spans.sort((a, b) => b.textContent.length - a.textContent.length);
          const node = spans[0].firstChild;
          const text = node.textContent;
          const from = text.search(/\\S/);
          const range = document.createRange();
          range.setStart(node, from);
          range.setEnd(node, from + 40);
          const sel = window.getSelection();
          sel.removeAllRanges();
          sel.addRange(range);
          document.querySelector('#tekst').dispatchEvent(new MouseEvent('mouseup', {bubbles: true}));
          return text.slice(from, from + 40);
        }"""
    )
    page.wait_for_selector("#ny", state="visible")
    page.select_option("#ny-begrep", value="utfordring/rekruttering")
    page.click("#ny-legg-til")
    page.wait_for_function(
        "() => document.querySelector('#status').textContent === 'Kodingen er lagt til.'"
    )
    assert page.locator("#ny").is_hidden()
    counts = httpx.get(server + "/api/review/counts").json()
    assert counts["confirmed"] == before + 1
    items = httpx.get(
        server + "/api/review", params={"concept": "utfordring/rekruttering", "limit": 500}
    ).json()["items"]
    assert any(i["quote"] == quote and i["assigned_by"] == "Kari Nordmann" for i in items)
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#tekst mark").first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "review.png"), full_page=False)
    assert (ARTIFACTS / "review.png").stat().st_size > 10_000

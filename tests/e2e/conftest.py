"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright, for the page tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def open_page() -> Callable[[str], AbstractContextManager[Any]]:
    """Open a URL in headless Chromium: a context manager that gives the page, with the
    JavaScript errors it raises collected in ``page.js_errors``. Skips without Chromium."""

    @contextmanager
    def opener(url: str) -> Iterator[Any]:
        if not CHROMIUM.exists():
            reason = f"{CHROMIUM} is missing (apt-get install -y chromium)"
            print(f"SKIPPED: {reason}")
            pytest.skip(reason)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="nb-NO")
            pg = context.new_page()
            errors: list[str] = []
            pg.on("pageerror", lambda exc: errors.append(str(exc)))
            pg.js_errors = errors
            pg.goto(url)
            try:
                yield pg
            finally:
                browser.close()

    return opener

"""Real-browser fixtures: `streamlit run` on a free loopback port, Chromium from Debian.

The server is started once per session against the project's own data (seed data) and
stopped at the end. Playwright drives /usr/bin/chromium (never `playwright install`).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.browser import ARTEFACTS, DATA_ROOT
from tests.support.browser_chromium import APP, CHROMIUM, launch_options, streamlit_server


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    with streamlit_server(APP, DATA_ROOT, ARTEFACTS / "streamlit-server.log") as url:
        yield url


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_options())  # type: ignore[arg-type]
        yield browser
        browser.close()


@pytest.fixture
def tab(chromium, server_url: str) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A fresh browser tab (wide, tall viewport for full-page screenshots)."""
    context = chromium.new_context(
        viewport={"width": 1400, "height": 1000}, accept_downloads=True, base_url=server_url
    )
    context.set_default_timeout(30_000)
    tab = context.new_page()
    yield tab
    context.close()

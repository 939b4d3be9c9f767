"""Helpers for the explorer's browser tests."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

REPO = Path(__file__).resolve().parents[2]
ARTEFACTS = REPO / "test-artefacts"
DATA_ROOT = Path(os.environ.get("COLLABKG_EXPLORER_TEST_ROOT", str(REPO)))
"""The project whose data the explorer serves in these tests (default: this repository)."""


def screenshot(tab, name: str, *, max_height: int = 6000) -> Path:  # type: ignore[no-untyped-def]
    """Save a whole-page screenshot under test-artefacts/ (git-ignored).

    Streamlit scrolls inside its main container, so the viewport is made as tall as the
    content for the shot and put back afterwards.
    """
    ARTEFACTS.mkdir(exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    size = tab.viewport_size or {"width": 1400, "height": 1000}
    height = tab.evaluate(
        """() => {
            const main = document.querySelector('[data-testid="stMain"]')
                || document.scrollingElement;
            return Math.max(main.scrollHeight, document.body.scrollHeight);
        }"""
    )
    tab.set_viewport_size({"width": size["width"], "height": min(max(height, 600), max_height)})
    tab.wait_for_timeout(400)
    tab.screenshot(path=str(path), full_page=True)
    tab.set_viewport_size(size)
    return path


def wait_idle(tab: Page, *, settle_ms: int = 600) -> None:
    """Wait until Streamlit shows no running indicator, spinner or skeleton (it has finished
    running the script and drawing), then ``settle_ms`` more."""
    tab.wait_for_function(
        """() => !document.querySelector(
            '[data-testid="stStatusWidget"], [data-testid="stSpinner"], [data-testid="stSkeleton"]'
        )""",
        timeout=60_000,
    )
    tab.wait_for_timeout(settle_ms)


def mark_tab(tab: Page) -> None:
    """A marker in the page's JavaScript: it survives only if the page is not reloaded."""
    tab.evaluate("window.__notReloaded = true")


def still_same_tab(tab: Page) -> None:
    assert len(tab.context.pages) == 1, "a link opened another tab"
    assert tab.evaluate("window.__notReloaded === true"), "the page was reloaded"


def address(tab: Page) -> dict[str, list[str]]:
    """The query parameters of the tab's address."""
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(tab.url).query)

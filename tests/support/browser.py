"""Helpers for the explorer's browser tests."""

from __future__ import annotations

import os
from pathlib import Path

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

"""The explorer's foundation: the shared cached loader (app/state.py) and the router's Home page,
run headless with Streamlit's AppTest."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.support.apptest import drawn_html

APP_DIR = Path(__file__).resolve().parents[1] / "app"
ROUTER = APP_DIR / "streamlit_app.py"


@pytest.fixture
def app_env(monkeypatch: pytest.MonkeyPatch, mini_root: Path) -> Path:
    """COLLABKG_HOME on the mini project (app/ is importable as ``app``: the repository's
    root is on pytest's path)."""
    monkeypatch.setenv("COLLABKG_HOME", str(mini_root))
    return mini_root


def test_state_overview_counts_come_from_the_facade(app_env: Path):
    from app import state

    assert state.project_root() == str(app_env)
    counts = state.overview(str(app_env))
    assert counts.triples == 41
    graph = state.load_graph(str(app_env))
    # the files the home page says the facts come from: every file loaded, each counted once
    assert counts.files == len(graph.files) == len(graph.triples_per_file())
    assert "data/cases/riverside.ttl" in graph.files
    assert graph.triples_per_file()["data/cases/riverside.ttl"] == 15
    assert state.load_graph(str(app_env)) is graph  # cached once


def _broken_page() -> None:
    import streamlit as st

    from app.state import graph_or_stop

    graph_or_stop()
    st.write("not reached")


def test_a_broken_graph_is_explained_on_screen(monkeypatch: pytest.MonkeyPatch, mini_copy: Path):
    (mini_copy / "data" / "x.ttl").write_text("ckd:a ckd:b ckd:c .\n", encoding="utf-8")
    monkeypatch.setenv("COLLABKG_HOME", str(mini_copy))
    app = AppTest.from_function(_broken_page, default_timeout=60)
    app.run()
    assert not app.exception
    assert "data/x.ttl:1:1" in app.error[0].value
    assert not [m for m in app.markdown if m.value == "not reached"]


def test_the_router_opens_on_a_home_page_with_counts(app_env: Path):
    app = AppTest.from_file(str(ROUTER), default_timeout=60)
    app.run()
    assert not app.exception, app.exception
    assert app.title, "the Home page has a title"
    counts = re.findall(r"<dt>([^<]*)</dt><dd>([^<]*)</dd>", drawn_html(app))
    assert counts, "the Home page shows counts"
    assert all(value.replace(",", "").isdigit() for _, value in counts), counts
    assert not any("https://" in label for label, _ in counts)

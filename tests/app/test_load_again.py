"""A running explorer never shows the data as it was without saying so: when a file changes,
is added or goes after the graph was loaded, every page names the changed files and offers
to load them; once loaded (checked first) the pages show the files as they are, and a file
with errors gets the banner over the last valid graph."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from collabkg import file_state
from tests.support.apptest import APP, visible_text
from tests.support.waiting import wait_until

PROFILE = "ckd:wigan-collaborative-council"
OLD = 'rdfs:label "Wigan collaborative council" .'
NEW = 'rdfs:label "Wigan collaborative council, as edited" .'


@pytest.fixture
def project(project_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COLLABKG_HOME", str(project_copy))
    monkeypatch.setattr(file_state, "WATCH_EVERY_S", 0.05)
    return project_copy


def _profile() -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=120)
    app.query_params["id"] = PROFILE
    app.switch_page("views/collaborations.py")
    return app


def _text(app: AppTest) -> str:
    assert not app.exception, [e.value for e in app.exception]
    return " ".join(visible_text(app))


def _offers(app: AppTest) -> list[str]:
    return [str(i.value) for i in app.info if "changed since the explorer loaded" in str(i.value)]


def _seen_changed(root: Path) -> bool:
    state = sys.modules["state"]  # the module the explorer's script imported
    return bool(state.changed_files(str(root)))


def test_an_edited_file_is_named_on_the_page_and_shown_once_loaded(project: Path) -> None:
    app = _profile()
    app.run()
    assert "Wigan collaborative council" in _text(app)
    assert not _offers(app)
    assert not [b for b in app.button if b.key == "collabkg-load-again"]

    case = project / "data" / "cases" / "wigan.ttl"
    text = case.read_text(encoding="utf-8")
    assert OLD in text
    case.write_text(text.replace(OLD, NEW), encoding="utf-8")
    assert wait_until(lambda: _seen_changed(project), timeout=30)

    app.run()
    shown = _text(app)
    [offer] = _offers(app)
    assert "data/cases/wigan.ttl" in offer
    assert "as edited" not in shown  # the data as it was, and the page says so

    app.button(key="collabkg-load-again").click().run()
    shown = _text(app)
    assert "Wigan collaborative council, as edited" in shown
    assert not _offers(app)


def test_an_added_file_with_errors_is_offered_and_loading_it_shows_the_banner(
    project: Path,
) -> None:
    app = _profile()
    app.run()
    assert not _offers(app)
    added = project / "data" / "cases" / "added.ttl"
    broken = (project / "data" / "cases" / "oldham.ttl").read_text(encoding="utf-8")
    added.write_text(broken.replace("a ck:Case ;", "a ck:Casee ;", 1), encoding="utf-8")
    assert wait_until(lambda: _seen_changed(project), timeout=30)

    app.run()
    [offer] = _offers(app)
    assert "data/cases/added.ttl" in offer
    app.button(key="collabkg-load-again").click().run()
    assert not app.exception, [e.value for e in app.exception]
    banner = " ".join(str(w.value) for w in app.warning)
    assert "data/cases/added.ttl" in banner  # the last valid graph, and why
    assert "Wigan collaborative council" in _text(app)

"""How the explorer fetches answers: once per question and choices, then read in place."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.apptest import Opener, answer_tables


def test_a_rerun_reads_the_answer_computed_first_not_a_copy(
    open_page: Opener, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: the answer was kept with ``st.cache_data``, which unpickles a copy on every
    rerun of the page (0.4 s of CPU for a 10,000-row answer at 1M triples, more than the rest
    of the page's server work). The answer is now kept and shared as it is: a rerun makes no
    copy of it."""
    from collabkg.results import QueryResult

    copies: list[int] = []

    def setstate(self: QueryResult, state: dict[str, object]) -> None:
        copies.append(1)
        self.__dict__.update(state)

    monkeypatch.setattr(QueryResult, "__setstate__", setstate, raising=False)
    app = open_page("views/questions.py", q="sources")
    app.run()  # a rerun, as any click makes
    assert not app.exception, [e.value for e in app.exception]
    assert answer_tables(app), "the answer is on screen"
    assert copies == []


def test_a_question_page_reads_the_answer_rows_for_its_views_once(
    open_page: Opener, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: the page asked which variables hold IRIs once per variable of the answer,
    each time reading every row (9 passes over 10,433 rows for funding-at-risk at 1M: 0.26 s
    of CPU on every rerun)."""
    from collabkg.results import QueryResult

    open_page("views/questions.py", q="funding-at-risk")  # the answer is computed and kept
    calls: list[int] = []
    original = QueryResult.iri_vars

    def counted(self: QueryResult) -> list[str]:
        calls.append(len(self.rows))
        return original(self)

    monkeypatch.setattr(QueryResult, "iri_vars", counted)
    app = open_page("views/questions.py", q="funding-at-risk")
    assert answer_tables(app), "the answer is shown"
    assert len(calls) <= 1, f"the answer's rows were read {len(calls)} times for its views"


def test_a_listing_opened_after_the_explorer_starts_is_read_as_kept_not_computed(
    open_page: Opener, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The explorer keeps the answers of the questions that take no choice on disk in a
    background thread once the graph is loaded; a listing opened after that is read from
    what was kept (by the files' content), not computed while the person waits."""
    import shutil
    import threading

    import streamlit as st

    from collabkg.catalogue import Catalogue
    from tests.support.paths import REPO

    for folder in ("ontology", "shapes", "data", "queries"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    st.cache_resource.clear()
    open_page(root=tmp_path)  # Home: loads the graph, starts keeping the listings
    for thread in threading.enumerate():
        if thread.name == "collabkg-keep-answers":
            thread.join(timeout=300)
    listings = [q for q in Catalogue.load(tmp_path) if not q.params]
    assert listings, "the project has questions that take no choice"
    kept = list((tmp_path / ".collabkg-cache" / "answers").glob("*.answer"))
    # Home asks none of them: what is on disk was kept by the background thread
    assert len(kept) >= len(listings), "every listing's answer was kept on disk"
    # ... which also saved the graph as the last valid one (after the first page)
    from collabkg.lastgood import snapshot_dir

    assert (snapshot_dir(tmp_path) / "graph.nq").stat().st_size > 0

    st.cache_resource.clear()  # a new explorer process: nothing kept in memory

    from collabkg.backends.embedded import EmbeddedBackend

    listing = Catalogue.load(tmp_path).get("funding-at-risk").text
    for method in ("select", "select_rows"):
        original = getattr(EmbeddedBackend, method)

        def guarded(self: object, query: str, *args: object, _o: object = original, **kw: object):
            assert query != listing, "the listing was computed again, not read as kept"
            return _o(self, query, *args, **kw)  # type: ignore[operator]

        monkeypatch.setattr(EmbeddedBackend, method, guarded)
    monkeypatch.setattr(
        "state.keep_listings_in_background", lambda root, graph, **kw: threading.Thread()
    )
    app = open_page("views/questions.py", root=tmp_path, q="funding-at-risk")
    assert answer_tables(app), "the kept answer is on screen"


def test_listings_are_kept_only_after_the_first_page_is_drawn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Regression: the background keeping of the listings' answers started as soon as the
    graph was loaded, beside the explorer's first page, and made the start after a changed
    file 7-11 s slower at 1M triples. It now waits until a page has been drawn."""
    import threading

    from tests.support.apptest import app_module
    from tests.support.paths import REPO

    state = app_module("state")
    monkeypatch.setattr(state, "first_page_served", threading.Event())
    asked = threading.Event()

    class Graph:
        def keep_answers(self, questions: object) -> int:
            asked.set()
            return 0

    worker = state.keep_listings_in_background(str(REPO), Graph())
    assert not asked.wait(0.5), "keeping began before any page was drawn"
    state.first_page_served.set()
    worker.join(timeout=30)
    assert asked.is_set(), "keeping began once a page was drawn"


def test_the_last_valid_graph_is_written_only_after_the_first_page_is_drawn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Regression: the explorer's start wrote the last valid graph (a million quads at 1M
    triples) before drawing its first page whenever a file had changed: seconds of the
    start. It is written by the background thread once a page has been drawn, before the
    listings are kept; a graph that is not to be saved (the last valid graph itself, a
    remote endpoint) is not."""
    import threading

    from tests.support.apptest import app_module
    from tests.support.paths import REPO

    state = app_module("state")
    monkeypatch.setattr(state, "first_page_served", threading.Event())
    order: list[str] = []

    class Graph:
        def keep_answers(self, questions: object) -> int:
            order.append("kept")
            return 0

    def saving(graph: object, root: object) -> None:
        order.append("saved")

    monkeypatch.setattr(state.lastgood, "save", saving)
    worker = state.keep_listings_in_background(str(REPO), Graph(), save=True)
    worker.join(timeout=0.5)
    assert order == [], "the graph was written before any page was drawn"
    state.first_page_served.set()
    worker.join(timeout=30)
    assert order == ["saved", "kept"]

    order.clear()
    unsaved = state.keep_listings_in_background(str(REPO), Graph(), save=False)
    unsaved.join(timeout=30)
    assert order == ["kept"]

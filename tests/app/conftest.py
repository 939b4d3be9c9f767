"""AppTest fixtures: the explorer run headless against the project's own (seed) data."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import collabkg.explorer as ex
from collabkg.graph import KnowledgeGraph
from collabkg.project import open_graph
from tests.support.apptest import APP, DATA_ROOT, Opener


@pytest.fixture
def open_page(monkeypatch: pytest.MonkeyPatch) -> Opener:
    """Open a page (path under app/, e.g. "views/questions.py") with URL query parameters."""

    def opener(page: str | None = None, *, root: Path = DATA_ROOT, **params: str) -> AppTest:
        monkeypatch.setenv("COLLABKG_HOME", str(root))
        app = AppTest.from_file(str(APP), default_timeout=120)
        for name, value in params.items():
            app.query_params[name] = value
        if page:
            app.switch_page(page)
        app.run()
        assert not app.exception, [e.value for e in app.exception]
        return app

    return opener


@pytest.fixture(scope="session")
def long_lists(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated project whose lists are longer than a page (about 280 collaborations and
    140 organisations), and whose network keeps more than the drawing and its list of
    profiles show."""
    from tests.support.synthetic import generate

    root = tmp_path_factory.mktemp("long-lists") / "project"
    generate.generate(root, 40_000)
    return root


@pytest.fixture(scope="module")
def graph() -> KnowledgeGraph:
    """The project's own (seed) graph, as the explorer opens it."""
    return open_graph(DATA_ROOT)


@pytest.fixture(scope="module")
def index(graph: KnowledgeGraph) -> ex.ExplorerIndex:
    """The explorer's index of the seed graph."""
    return ex.ExplorerIndex(graph)

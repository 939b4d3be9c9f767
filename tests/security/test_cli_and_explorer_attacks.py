"""The two other doors to the engine: ``collabkg query --sparql`` (the real command, in
its own process) and the explorer's SPARQL page (run headless with Streamlit's AppTest).
Every differential attempt that reaches bare Oxigraph is tried; the listener sees nothing.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.apptest import drawn_html
from tests.support.attacks import CORPUS, Attack
from tests.support.listener import CountingListener

REPO = Path(__file__).resolve().parents[2]
MINI = REPO / "tests" / "fixtures" / "mini"
REACHING = [a for a in CORPUS if a.bare]


@pytest.mark.slow
@pytest.mark.parametrize("attack", REACHING, ids=lambda a: a.name)
def test_collabkg_query_sparql_makes_no_request(attack: Attack, listener: CountingListener):
    before = listener.count()
    done = subprocess.run(
        [sys.executable, "-m", "collabkg", "--root", str(MINI), "query", "--sparql",
         attack.text(listener.url)],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert "REMOTE" not in done.stdout
    assert listener.stays_at(before), done.stderr


@pytest.mark.slow
def test_the_explorer_sparql_page_makes_no_request(
    listener: CountingListener, monkeypatch: pytest.MonkeyPatch
):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("COLLABKG_HOME", str(REPO))

    def run(text: str) -> AppTest:
        # the page's form submits to the address: the query and run=1 are its state
        app = AppTest.from_file(str(REPO / "app" / "streamlit_app.py"), default_timeout=120)
        app.query_params["query"] = text
        app.query_params["run"] = "1"
        app.switch_page("views/sparql.py").run()
        assert not app.exception, [e.value for e in app.exception]
        return app

    control = run("SELECT ?o WHERE { ?o a ck:LocalAuthority } LIMIT 1")
    assert '<table class="ck-answer">' in drawn_html(control), "the page runs what it is given"
    before = listener.count()
    for attack in REACHING:
        app = run(attack.text(listener.url))
        shown = drawn_html(app) + " ".join(str(e.value) for e in app.error)
        assert "REMOTE" not in shown, attack.name
    assert listener.stays_at(before)

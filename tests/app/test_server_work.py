"""Server work per run that the explorer need not do (issue 18, speed): Streamlit's "magic"
is off, so a page compiled again is not rewritten first; it is safe because no page has a
bare expression for magic to display. Streamlit's collection of the whole heap after every
run is off too."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import collabkg.cli
from tests.support.apptest import REPO

APP_DIR = REPO / "app"


def _bare_expressions(path: Path) -> list[int]:
    """Lines of expression statements magic would display (not calls, not docstrings: a
    string that is the first statement of a module or function, or any statement of a
    class's own body; a string after a module-level assignment, as a constant's
    "docstring", is displayed)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0])
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef) and node.body
    }
    # magic leaves a class's own statements alone (it rewrites its methods only)
    docstrings |= {
        id(statement)
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef)
        for statement in node.body
    }
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Expr):
            continue
        value = node.value
        if isinstance(value, ast.Call | ast.Await | ast.Yield | ast.YieldFrom):
            continue
        if (
            isinstance(value, ast.Constant)
            and isinstance(value.value, str)
            and id(node) in docstrings
        ):
            continue  # a docstring (magic does not display those)
        found.append(node.lineno)
    return found


def test_no_page_relies_on_streamlit_magic():
    # the scripts Streamlit runs (magic rewrites those only; app/ui.py and the others are
    # imported as usual)
    pages = [APP_DIR / "streamlit_app.py", *sorted((APP_DIR / "views").glob("*.py"))]
    assert pages
    found = {str(p.relative_to(REPO)): _bare_expressions(p) for p in pages}
    assert {page: lines for page, lines in found.items() if lines} == {}


def test_the_explorer_runs_without_magic(cli, monkeypatch, tmp_path):
    """`collabkg explore` starts Streamlit with magic off (the browser tests and benches
    start it with the same flags)."""
    seen: list[list[str]] = []

    def fake_run(command: list[str], env: dict[str, str]) -> int:
        seen.append(command)
        return 0

    monkeypatch.setattr("collabkg.supervise.run_until_stopped", fake_run)
    code, _out, _err = cli("--root", str(REPO), "explore", "--port", "8599")
    assert code == 0
    [command] = seen
    assert command[command.index("run") + 1] == str(APP_DIR / "serve.py")
    at = command.index("--runner.magicEnabled")
    assert command[at + 1] == "false"
    assert tuple(collabkg.cli.EXPLORER_STREAMLIT_FLAGS) == ("--runner.magicEnabled", "false")


@pytest.mark.parametrize("script", ["serve.py", "streamlit_app.py"])
def test_a_script_run_does_not_collect_the_whole_heap(tmp_path, script):
    """Regression: Streamlit runs ``gc.collect(2)`` after every script run unless told not
    to; over the explorer's caches that was about 80% of the server's CPU for 20 sessions
    opened at once (1.5-1.9 s a round, 0.2-0.5 s without it; bench/sessions.py). The app's
    own config file turns it off, however the app is started: read here as ``streamlit
    run app/serve.py`` (``collabkg explore``) and ``streamlit run app/streamlit_app.py`` read
    it, from a folder with no config of its own."""
    read = (
        "import sys\n"
        "from streamlit import config\n"
        "config._main_script_path = sys.argv[1]\n"
        "config.get_config_options(force_reparse=True)\n"
        "print(config.get_option('runner.postScriptGC'))\n"
    )
    app = APP_DIR / script
    done = subprocess.run(
        [sys.executable, "-c", read, str(app)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "False"


def test_a_question_page_reads_its_answer_row_by_row_once_not_on_every_run(open_page, monkeypatch):
    """Regression: the count, the gaps and whether the answer can be drawn as a graph were
    read from every row on every run of the page (70 ms a run for funding-at-risk's 10,433
    rows at a million triples). They are made once per question and choices."""
    from collabkg.results import QueryResult

    reads: list[int] = []
    every_row = QueryResult.iri_vars

    def counted(self):  # type: ignore[no-untyped-def]
        reads.append(len(self))
        return every_row(self)

    monkeypatch.setattr(QueryResult, "iri_vars", counted)
    app = open_page("views/questions.py", q="funding-at-risk")
    first = len(reads)
    for _ in range(3):
        app.run()
        assert not app.exception
    assert len(reads) == first, f"every row read {len(reads) - first} more times in 3 runs"

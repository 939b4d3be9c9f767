"""One broken file does not take the explorer down: the last graph that validated is served,
with a banner naming the invalid files; invalid data is never loaded; with no valid graph ever
built the explorer refuses, as before. Stopping `collabkg explore` stops its Streamlit child."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from collabkg.errors import LoadError, ValidationFailed
from collabkg.lastgood import open_serving_graph, serving_notice, snapshot_dir

REPO = Path(__file__).resolve().parents[1]
CASE = "https://w3id.org/collabkg/id/case-oldham"
ASK_BROKEN = "ASK { ?s a <https://w3id.org/collabkg/ontology#Casee> }"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    for folder in ("ontology", "shapes", "queries", "data", "app"):
        shutil.copytree(REPO / folder, root / folder)
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    monkeypatch.setenv("COLLABKG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("COLLABKG_ENDPOINT", raising=False)
    return root


def _break(root: Path) -> None:
    path = root / "data" / "cases" / "oldham.ttl"
    text = path.read_text(encoding="utf-8")
    assert "a ck:Case ;" in text
    path.write_text(text.replace("a ck:Case ;", "a ck:Casee ;", 1), encoding="utf-8")


def test_with_no_valid_graph_ever_built_an_error_is_still_refused(project: Path) -> None:
    _break(project)
    with pytest.raises(ValidationFailed):
        open_serving_graph(project)


def test_errors_serve_the_last_valid_graph_with_a_notice_naming_the_file(project: Path) -> None:
    graph, notice = open_serving_graph(project)
    assert notice is None
    graph.close()
    assert (snapshot_dir(project) / "graph.nq").is_file()

    _break(project)
    graph, notice = open_serving_graph(project)
    try:
        assert notice is not None
        assert [p.file for p in notice.problems] == ["data/cases/oldham.ttl"]
        banner = notice.banner()
        assert (
            "data/cases/oldham.ttl" in banner
            and "last version the explorer loaded without errors" in banner
        )
        # the invalid file as it is now is not loaded: its typo is nowhere in the graph
        assert graph.ask(ASK_BROKEN) is False
        assert graph.ask(f"ASK {{ <{CASE}> a <https://w3id.org/collabkg/ontology#Case> }}")
    finally:
        graph.close()


def test_an_explorer_start_with_nothing_changed_does_not_rewrite_the_last_valid_graph(
    project: Path,
) -> None:
    """Regression: every explorer start rewrote the last valid graph (a million quads at 1M
    triples, seconds of an explorer start) even when no file had changed. It is written
    again only when the files' content changed, and then it holds the new content."""
    open_serving_graph(project)[0].close()
    saved = snapshot_dir(project) / "graph.nq"
    first = saved.stat()
    open_serving_graph(project)[0].close()
    again = saved.stat()
    assert (again.st_ino, again.st_mtime_ns) == (first.st_ino, first.st_mtime_ns)

    path = project / "data" / "cases" / "oldham.ttl"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "\n# an edit that changes the content, not the facts\n", "utf-8")
    open_serving_graph(project)[0].close()
    edited = saved.stat()
    assert (edited.st_ino, edited.st_mtime_ns) != (first.st_ino, first.st_mtime_ns)
    # a damaged manifest is not trusted: the graph is written again
    (snapshot_dir(project) / "manifest.json").write_text("{", encoding="utf-8")
    open_serving_graph(project)[0].close()
    assert saved.stat().st_mtime_ns != edited.st_mtime_ns
    assert '"content"' in (snapshot_dir(project) / "manifest.json").read_text(encoding="utf-8")


def test_collabkg_explore_checks_the_files_without_loading_the_graph_the_explorer_loads(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: ``collabkg explore`` loaded the whole graph to check it, closed it, then
    started the explorer, which loaded it again (seconds at 1M triples). It validates the
    files only; the graph is loaded to tell the notice only when they have errors."""
    from collabkg.graph import KnowledgeGraph

    loads: list[object] = []
    real = KnowledgeGraph.from_files.__func__  # type: ignore[attr-defined]

    def counting(cls: type[KnowledgeGraph], *args: object, **kwargs: object) -> KnowledgeGraph:
        loads.append(args)
        return real(cls, *args, **kwargs)  # type: ignore[no-any-return]

    monkeypatch.setattr(KnowledgeGraph, "from_files", classmethod(counting))
    assert serving_notice(project) is None
    assert loads == [], "the files validate: nothing needed loading"
    with pytest.raises(ValidationFailed):
        _break(project)
        serving_notice(project)  # no valid graph ever saved: refused, as the explorer is
    shutil.copy(REPO / "data" / "cases" / "oldham.ttl", project / "data" / "cases" / "oldham.ttl")
    open_serving_graph(project)[0].close()  # saves the last valid graph
    _break(project)
    notice = serving_notice(project)
    assert notice is not None and any("oldham.ttl" in p.file for p in notice.problems)


@pytest.mark.slow
def test_a_syntax_error_also_serves_the_last_valid_graph(project: Path) -> None:
    open_serving_graph(project)[0].close()
    (project / "data" / "cases" / "oldham.ttl").write_text(
        '@prefix ckd: <https://w3id.org/collabkg/id/> .\nckd:a ckd:b "open\n', encoding="utf-8"
    )
    graph, notice = open_serving_graph(project)
    graph.close()
    assert notice is not None and notice.problems[0].file == "data/cases/oldham.ttl"
    with pytest.raises((LoadError, ValidationFailed)):
        shutil.rmtree(snapshot_dir(project))
        open_serving_graph(project)


@pytest.mark.slow
def test_the_explorer_shows_the_banner_over_the_last_valid_graph(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    open_serving_graph(project)[0].close()
    _break(project)
    monkeypatch.setenv("COLLABKG_HOME", str(project))
    app = AppTest.from_file(str(project / "app" / "streamlit_app.py"), default_timeout=120)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    warnings = " ".join(str(w.value) for w in app.warning)
    assert "data/cases/oldham.ttl" in warnings
    assert "last version the explorer loaded without errors" in warnings
    assert not app.error


@pytest.mark.slow
def test_the_banner_over_the_last_valid_graph_is_drawn_once_on_every_page(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from streamlit.testing.v1 import AppTest

    open_serving_graph(project)[0].close()
    _break(project)
    monkeypatch.setenv("COLLABKG_HOME", str(project))
    pages = sorted(
        p.relative_to(project / "app").as_posix() for p in (project / "app" / "views").glob("*.py")
    )
    assert pages
    for page in pages:
        app = AppTest.from_file(str(project / "app" / "streamlit_app.py"), default_timeout=120)
        app.switch_page(page)
        app.run()
        assert not app.exception, (page, [e.value for e in app.exception])
        banners = [w for w in app.warning if "data/cases/oldham.ttl" in str(w.value)]
        assert len(banners) == 1, (page, len(banners))  # the lists drew it twice


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find the child process")
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_stopping_collabkg_explore_stops_its_streamlit_child(project: Path, stop: int) -> None:
    port = _free_port()
    env = dict(
        os.environ,
        COLLABKG_HOME=str(project),
        PYTHONPATH=str(REPO / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""),
    )
    parent = subprocess.Popen(
        [sys.executable, "-m", "collabkg", "explore", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    children: list[int] = []
    try:
        deadline = time.monotonic() + 90
        healthy = False
        while time.monotonic() < deadline and parent.poll() is None:
            children = children or _children(parent.pid)
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1):
                    healthy = True
                    break
            except OSError:
                time.sleep(0.5)
        assert healthy, "the explorer did not start"
        children = _children(parent.pid)
        assert children, "no Streamlit child process"
        parent.send_signal(stop)  # to collabkg alone, as a process manager would
        parent.wait(timeout=30)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(_alive(c) for c in children):
            time.sleep(0.2)
        assert not any(_alive(c) for c in children), "Streamlit kept running"
    finally:
        for child in children:
            if _alive(child):
                os.kill(child, signal.SIGKILL)
        if parent.poll() is None:
            parent.kill()
            parent.wait()


def test_a_deleted_file_was_never_named_in_the_banner(project: Path) -> None:
    """After a case file was deleted, the banner named the files that still used what it
    described (as files to fix) and never the deleted file, and told people to restart the
    explorer (it offers to load the fixed files itself)."""
    open_serving_graph(project)[0].close()
    deleted = next(
        p for p in sorted((project / "data" / "cases").glob("*.ttl"))
        if p.name != "oldham.ttl"
    )
    _break(project)  # an error the banner names too
    deleted.unlink()
    graph, notice = open_serving_graph(project)
    graph.close()
    assert notice is not None
    name = f"data/cases/{deleted.name}"
    assert notice.gone == (name,)
    banner = notice.banner()
    assert f"- {name}: deleted (or moved) since that version" in banner
    assert "restart" not in banner and "the explorer then offers to load them" in banner

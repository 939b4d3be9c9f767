"""bench/sessions.py's protocol-level client: it opens a real Streamlit session over the
websocket, as a browser tab does, and says when the page's run has finished; a page that
does not exist is not counted as served."""

from __future__ import annotations

import asyncio
import concurrent.futures
from pathlib import Path

import pytest

from tests.support.browser_chromium import APP, streamlit_server
from tests.support.synthetic import bench_module

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _run(coroutine):  # type: ignore[no-untyped-def]
    """Run ``coroutine`` on its own event loop in a thread of its own: in the whole suite
    this thread may already run a loop, where ``asyncio.run`` refuses (regression)."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _sessions_module():  # type: ignore[no-untyped-def]
    return bench_module("sessions", "machine")  # the script imports bench/machine.py


def test_a_session_opened_over_the_websocket_is_served_and_timed(tmp_path: Path):
    bench = _sessions_module()
    script = tmp_path / "bare_app.py"
    script.write_text(bench.BARE_APP, encoding="utf-8")
    with streamlit_server(script, REPO, tmp_path / "bare.log") as base:
        one = _run(bench.open_session(base, bench.BARE, timeout_s=60))
        many = _run(bench.at_once(base, bench.BARE, 3))
    assert one.status == "ok"
    assert one.finished_s is not None and one.first_delta_s is not None
    assert 0 < one.first_delta_s <= one.finished_s
    assert one.bytes > len("A bare page") and one.messages >= 3
    assert [s.status for s in many] == ["ok"] * 3


def test_the_explorer_pages_are_served_and_a_missing_page_is_not(tmp_path: Path):
    bench = _sessions_module()
    with streamlit_server(APP, REPO, tmp_path / "explorer.log") as base:
        question = bench.Page("Question", "questions", "q=accountable-for-transferred-assets")
        served = _run(bench.open_session(base, question, timeout_s=120))
        missing = _run(
            bench.open_session(base, bench.Page("Missing", "no-such-page"), timeout_s=120)
        )
    assert served.status == "ok" and served.finished_s is not None
    assert served.bytes > 5_000, "the answer's table came over the websocket"
    assert missing.status != "ok"


def test_the_client_runs_where_an_event_loop_is_already_running():
    """Regression: in the whole suite the sessions tests failed with "asyncio.run() cannot be
    called from a running event loop"; the coroutine now gets a thread and loop of its own.
    (The outer loop runs in a thread too, since this very thread may be running one.)"""

    async def seven() -> int:
        return 7

    async def inside_a_running_loop() -> int:
        asyncio.get_running_loop()  # there is one here
        return _run(seven())

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(asyncio.run, inside_a_running_loop()).result() == 7

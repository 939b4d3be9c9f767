"""How fast does the explorer's server serve N sessions opened at once? (the server's share,
without N browsers fighting for the same cores)

    .venv/bin/python bench/sessions.py [--sessions 20] [--rounds 5]
                                       [--pages home,questions,...] [--out FILE]

Twenty Chromium tabs on two cores cannot show a bare Streamlit page within 3 s: each tab's
renderer needs about 0.8 s of a core before any of our work starts (docs/explorer.md).
This script measures what the server does, as a browser would ask for it, without the
browsers: each session is a **protocol-level client** that speaks Streamlit's own
websocket protocol (``/_stcore/stream``, protobuf ``BackMsg``/``ForwardMsg`` from
``streamlit.proto``), exactly what the browser sends on opening a page:

1. open the websocket (subprotocol ``streamlit``), a new session;
2. send a ``rerun_script`` ``BackMsg`` whose ``ClientState`` names the page
   (``page_name``) and its address (``query_string``);
3. read ``ForwardMsg``s (the page's elements) until ``script_finished``.

Each session's time runs from the connect to the ``script_finished`` message (the server
has sent everything the browser will draw); the bytes of the page's messages are counted.
The explorer (``app/streamlit_app.py``) and a bare Streamlit page (a title and a line of
text) are served side by side by two servers started the same way
(``tests/support/browser_chromium.streamlit_server``) and measured by the same client in
interleaved rounds, so that both see the same load. Every page is opened once first (warm
caches, as for the browser bench).

``--baseline DIR`` adds another checkout's explorer (e.g. the code before a change, from
``git archive``), each of its pages measured in the same rounds just before this one's.

Reported per page: one session alone (median over rounds); N sessions at once: the median
session and the slowest session of each round (median and max over rounds); bytes sent per
page; the server process's CPU seconds for the N sessions of a round (user + system, from
``/proc``): what the sessions cost the server, which the machine's load does not stretch.
Target (issue 18): N = 20 sessions all served within 3 s.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from machine import describe, one_line

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.browser_chromium import APP, streamlit_server  # noqa: E402

SESSIONS_TARGET_S = 3.0
SESSION_TIMEOUT_S = 120.0
BARE_APP = """import streamlit as st

st.title("A bare page")
st.write("Nothing but a title and this line.")
"""


@dataclass(frozen=True)
class Page:
    name: str
    page: str
    """The page's url path ("" for the main page), as the browser's ClientState names it."""
    query: str = ""
    """The address's query string, without "?"."""


PAGES = [
    Page("Home", ""),
    Page("Questions", "questions"),
    Page("Question: accountable-for-transferred-assets", "questions",
         "q=accountable-for-transferred-assets"),
    Page("Question: rationales (chart)", "questions", "q=rationales"),
    Page("Collaborations", "collaborations"),
    Page("Organisation profile", "organisations", "id=ckd:wigan-council"),
    Page("Network", "network"),
    Page("Source page", "sources", "id=ckd:src-golab-blog-2019"),
    Page("Search", "search", "text=wigan"),
    Page("Check a case file", "check"),
    Page("SPARQL", "sparql"),
]
BARE = Page("Bare Streamlit page", "")


@dataclass
class Session:
    """What one session saw: seconds to the first element and to the end of the run."""

    first_delta_s: float | None
    finished_s: float | None
    bytes: int
    messages: int
    status: str


async def open_session(base: str, page: Page, timeout_s: float = SESSION_TIMEOUT_S) -> Session:
    """One new session, as a browser tab opens a page; timed from the connect."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.asyncio.client import connect

    url = base.replace("http://", "ws://", 1) + "/_stcore/stream"
    start = time.perf_counter()
    first: float | None = None
    size = count = 0
    status = "timed out"
    try:
        async with asyncio.timeout(timeout_s):
            async with connect(url, subprotocols=["streamlit"], max_size=None) as ws:  # type: ignore[list-item]
                back = BackMsg()
                state = back.rerun_script
                state.query_string = page.query
                state.page_name = page.page
                state.context_info.timezone = "Europe/London"
                state.context_info.locale = "en-GB"
                path = f"/{page.page}" + (f"?{page.query}" if page.query else "")
                state.context_info.url = base + path
                await ws.send(back.SerializeToString())
                async for frame in ws:
                    data = frame if isinstance(frame, bytes) else frame.encode()
                    size += len(data)
                    count += 1
                    msg = ForwardMsg()
                    msg.ParseFromString(data)
                    kind = msg.WhichOneof("type")
                    if kind == "delta" and first is None:
                        first = time.perf_counter() - start
                    if kind == "page_not_found":
                        status = "page not found"
                    if kind == "script_finished":
                        finished = time.perf_counter() - start
                        name = ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
                        ok = name == "FINISHED_SUCCESSFULLY" and status != "page not found"
                        return Session(first, finished, size, count, "ok" if ok else name)
    except TimeoutError:
        pass
    except OSError as exc:
        status = f"connection failed: {exc}"
    return Session(first, None, size, count, status)


def server_pid(base: str) -> int | None:
    """The process serving ``base`` (a ``streamlit run ... --server.port PORT`` started by
    ``streamlit_server``), found by its port in ``/proc``; None where there is no /proc."""
    port = base.rsplit(":", 1)[-1]
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            words = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"streamlit" in words and port.encode() in words and b"--server.port" in words:
            return int(entry.name)
    return None


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU seconds the process has used so far (all its threads)."""
    if pid is None:
        return None
    try:
        fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


async def at_once(base: str, page: Page, sessions: int) -> list[Session]:
    return list(await asyncio.gather(*(open_session(base, page) for _ in range(sessions))))


def _stats(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    return {
        "median_s": round(statistics.median(values), 3),
        "min_s": round(min(values), 3),
        "max_s": round(max(values), 3),
    }


def load_average() -> list[float]:
    import os

    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


async def measure(
    servers: dict[str, str], pages: list[tuple[str, Page]], sessions: int, rounds: int
) -> dict[str, dict[str, object]]:
    """Interleaved rounds: in each, every page alone, then every page with N at once."""
    for server, page in pages:  # warm: caches filled, the page's modules imported
        warm = await open_session(servers[server], page)
        if warm.status != "ok":
            raise RuntimeError(f"{page.name}: {warm.status}")
    alone: dict[str, list[float]] = {p.name: [] for _, p in pages}
    together: dict[str, list[list[Session]]] = {p.name: [] for _, p in pages}
    server_cpu: dict[str, list[float]] = {p.name: [] for _, p in pages}
    pids = {server: server_pid(base) for server, base in servers.items()}
    sizes: dict[str, int] = {}
    loads: list[float] = []
    for number in range(rounds):
        print(f"round {number + 1} of {rounds}", file=sys.stderr)
        for server, page in pages:
            one = await open_session(servers[server], page)
            if one.finished_s is not None:
                alone[page.name].append(one.finished_s)
            sizes[page.name] = one.bytes
            await asyncio.sleep(0.2)
            used = cpu_seconds(pids[server])
            together[page.name].append(await at_once(servers[server], page, sessions))
            after = cpu_seconds(pids[server])
            if used is not None and after is not None:
                server_cpu[page.name].append(after - used)
            loads.append(load_average()[0] if load_average() else 0.0)
            await asyncio.sleep(0.5)
    report: dict[str, dict[str, object]] = {}
    for _, page in pages:
        runs = together[page.name]
        finished = [[s.finished_s for s in run if s.finished_s is not None] for run in runs]
        failed = sum(1 for run in runs for s in run if s.status != "ok")
        slowest = [max(f) for f, run in zip(finished, runs, strict=True) if len(f) == len(run)]
        every = [t for f in finished for t in f]
        first = [s.first_delta_s for run in runs for s in run if s.first_delta_s is not None]
        report[page.name] = {
            "alone": _stats(alone[page.name]),
            "sessions": sessions,
            "median_session": _stats(every),
            "slowest_session": _stats(slowest),
            "first_element": _stats(first),
            "bytes": sizes.get(page.name, 0),
            "failed_sessions": failed,
            # the server process's CPU seconds for the N sessions of a round (median, min,
            # max over rounds): what they cost it, whatever the machine's load
            "server_cpu": _stats(server_cpu[page.name]),
        }
    report["_load"] = {"during": _stats(loads)}
    return report


async def run(args: argparse.Namespace) -> dict[str, object]:
    home = Path(args.root).resolve()
    pages = PAGES
    if args.pages:
        wanted = {p.strip().lower() for p in args.pages.split(",")}
        pages = [p for p in PAGES if p.name.lower() in wanted]
    logs = Path(tempfile.mkdtemp(prefix="collabkg-bench-sessions-"))
    bare_script = logs / "bare_app.py"
    bare_script.write_text(BARE_APP, encoding="utf-8")
    report: dict[str, object] = {"machine": describe(), "load_before": load_average()}
    with contextlib.ExitStack() as stack:
        servers = {
            "explorer": stack.enter_context(streamlit_server(APP, home, logs / "explorer.log")),
            "bare": stack.enter_context(streamlit_server(bare_script, home, logs / "bare.log")),
        }
        cases = [("bare", BARE)]
        if args.baseline:
            # another checkout (the code before a change), run as it ran: its own app and
            # package, Streamlit's default options; measured in the same rounds
            other = Path(args.baseline).resolve()
            servers["baseline"] = stack.enter_context(
                streamlit_server(
                    other / "app" / "streamlit_app.py",
                    home,
                    logs / "baseline.log",
                    src=other / "src",
                    flags=(),
                )
            )
            report["baseline"] = str(other)
        for page in pages:
            if args.baseline:
                cases.append(("baseline", Page(f"{page.name} (baseline)", page.page, page.query)))
            cases.append(("explorer", page))
        report["pages"] = await measure(servers, cases, args.sessions, args.rounds)
    report["load_after"] = load_average()
    report["sessions"] = args.sessions
    report["rounds"] = args.rounds
    return report


def print_report(report: dict[str, object]) -> None:
    pages = dict(report["pages"])  # type: ignore[call-overload]
    load = pages.pop("_load")
    n = report["sessions"]
    print(f"Machine: {one_line(report['machine'])}")  # type: ignore[arg-type]
    print(
        f"Load average before {report['load_before']}, after {report['load_after']}, "
        f"during the rounds (1-min) {load['during']}"
    )
    print(
        f"{report['rounds']} interleaved rounds after one warm-up; seconds from the websocket "
        "connect to script_finished; server CPU: the server process's CPU seconds for the "
        f"{n} sessions of a round (median).\n"
    )
    print(
        f"{'page':48s} {'alone':>6s} | {n} at once: {'median':>6s} {'slowest':>8s} "
        f"{'(max)':>6s} | {'KB':>6s} | {'server CPU':>10s}"
    )
    nan = float("nan")
    for name, row in pages.items():
        alone = row["alone"].get("median_s", nan)
        median = row["median_session"].get("median_s", nan)
        slowest = row["slowest_session"]
        mark = "" if slowest.get("median_s", 1e9) <= SESSIONS_TARGET_S else "  over 3 s"
        failed = f"  {row['failed_sessions']} failed" if row["failed_sessions"] else ""
        typical, worst = slowest.get("median_s", nan), slowest.get("max_s", nan)
        cpu = row.get("server_cpu", {}).get("median_s", nan)
        print(
            f"{name[:48]:48s} {alone:6.2f} | {'':>11s}{median:6.2f} {typical:8.2f} {worst:6.2f}"
            f" | {row['bytes'] / 1024:6.1f} | {cpu:10.2f}{mark}{failed}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pages", default="", help="comma-separated page names (default all)")
    parser.add_argument("--root", default=str(ROOT), help="the project whose data is served")
    parser.add_argument("--out", default="", help="save the figures as JSON here")
    parser.add_argument(
        "--baseline",
        default="",
        help="another checkout (e.g. 'git archive' of the code before a change) measured "
        "in the same rounds, page by page",
    )
    args = parser.parse_args()
    report = asyncio.run(run(args))
    print_report(report)
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=2), encoding="utf-8")
        print(f"\nSaved: {args.out}")


if __name__ == "__main__":
    main()

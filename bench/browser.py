"""How long does each explorer page take in a real browser, warm, and with 20 people at once?

    .venv/bin/python bench/browser.py [--runs 5] [--sessions 20] [--pages home,questions,...]
                                      [--questions all|none|ID,...] [--out FILE]

Two servers are started on free loopback ports: the explorer (``app/streamlit_app.py`` on
the project's data) and, side by side, a bare Streamlit page (a title and a line of text)
as the floor this machine and Streamlit set. Chromium from Debian (``/usr/bin/chromium``)
is driven by Playwright (never ``playwright install``).

**Time to content visible** is measured in the browser: from the navigation start of a
new tab (``performance.now()``; a new tab is a new Streamlit session, in a browser whose
cache already holds Streamlit's scripts, as for anyone who has opened the explorer
before) until the page's heading and its ready text are visible
and Streamlit shows no spinner, skeleton or running indicator. Every page is opened once
to warm the server's caches, then ``--runs`` times; the figure is the median (min and max
beside it). Every canned question is measured the same way (``--questions all``). Each
load is preceded by a load of the bare page, so every row also shows the bare page's
median at the same moments and the median difference (the page's cost over the floor):
on a shared machine the load changes from one page to the next.

**Sessions at once**: ``--sessions`` browser contexts (separate sessions, as separate
people) open the same page at the same moment; the figure is the slowest session's time to
content visible, median over ``--runs`` rounds, for the explorer's home page, a question
and the bare page.

**Two kinds of browser** (``--browser profile|private|both``, both by default), every figure
given for each: a **profile** kept on disk, as a person's own browser is (Chromium keeps
what it has fetched and the scripts it has compiled between tabs), and a **private**
context (Playwright's default, like a private window: nothing is kept on disk, so each new
tab compiles Streamlit's sixty-odd script modules again from their text). The bare page
is measured in the same browser, so its floor moves with it.

Targets (issue 18): every page and question within 1.0 s warm; 20 sessions all served
within 3 s. The machine and its load average are printed and saved with the figures.
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
from dataclasses import dataclass
from pathlib import Path

from machine import describe, one_line

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # Chromium and the server are started as the browser tests do

from tests.support.browser_chromium import (  # noqa: E402
    APP,
    CHROMIUM,
    launch_options,
    streamlit_server,
)

PAGE_TARGET_S = 1.0
SESSIONS_TARGET_S = 3.0
BARE_APP = """import streamlit as st

st.title("A bare page")
st.write("Nothing but a title and this line.")
"""


@dataclass(frozen=True)
class Case:
    name: str
    path: str
    heading: str
    ready: str
    """Text that appears once the page has its content."""


def explorer_cases(root: Path) -> list[Case]:
    sys.path.insert(0, str(ROOT / "src"))
    from collabkg.catalogue import Catalogue

    return [
        Case("Home", "", "Collaborations in public services", "Where the data comes from"),
        Case("Questions", "questions", "Questions", "Who is accountable for transferred assets?"),
        Case("Collaborations", "collaborations", "Collaborations", " collaborations."),
        Case("Organisations", "organisations", "Organisations", " organisations."),
        Case(
            "Collaboration profile",
            "collaborations?id=ckd:wigan-collaborative-council",
            "Wigan collaborative council",
            "recorded facts",
        ),
        Case(
            "Organisation profile",
            "organisations?id=ckd:wigan-council",
            "Wigan council",
            "recorded facts",
        ),
        Case("Network", "network", "Network", "Open the profile of"),
        Case("Sources", "sources", "Sources", "Open a source"),
        Case(
            "Source page",
            "sources?id=ckd:src-golab-blog-2019",
            "Findings from Are We Rallying Together?",
            "facts",
        ),
        Case("Search", "search?text=wigan", "Search", "Found:"),
        Case("Check a case file", "check", "Check a case file", "Start from data/TEMPLATE.ttl"),
        Case("SPARQL", "sparql", "SPARQL", "Show names instead of identifiers"),
    ] + [
        Case(f"Question: {q.id}", f"questions?q={q.id}", q.summary, "Download CSV")
        for q in Catalogue.load(root)
        if not q.internal
    ]


BARE = Case("Bare Streamlit page", "", "A bare page", "Nothing but a title")

READY_JS = """([heading, ready]) => {
    if (document.querySelector(
        '[data-testid="stStatusWidget"], [data-testid="stSpinner"], [data-testid="stSkeleton"]'
    )) return false;
    const main = document.querySelector('[data-testid="stMain"]');
    if (!main) return false;
    const headings = [...main.querySelectorAll('h1')].map(h => h.innerText.trim());
    if (!headings.includes(heading)) return false;
    return main.innerText.includes(ready);
}"""


# --------------------------------------------------------------------------- servers


def server_work(log: Path) -> dict[str, dict[str, float]]:
    """Server work per script run, by page (the explorer prints it with
    COLLABKG_EXPLORER_TIMING): median and max of the runs after each page's first."""
    runs: dict[str, list[float]] = {}
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "collabkg-timing":
            runs.setdefault(parts[1], []).append(float(parts[2]))
    return {
        page: {
            "median_s": round(statistics.median(times[1:] or times), 4),
            "max_s": round(max(times[1:] or times), 4),
            "runs": len(times),
        }
        for page, times in runs.items()
    }


# --------------------------------------------------------------------------- measuring


async def time_to_content(context, base: str, case: Case, timeout_s: float = 60) -> float:  # type: ignore[no-untyped-def]
    """Seconds from navigation start until the case's content is visible.

    Each call opens a new tab, so a new Streamlit session (a new websocket, the script run
    from the start); the browser context, and so its HTTP cache, is the caller's.
    """
    return (await load_page(context, base, case, timeout_s))[0]


async def load_page(  # type: ignore[no-untyped-def]
    context, base: str, case: Case, timeout_s: float = 60
) -> tuple[float, float | None]:
    """``time_to_content``, and the CPU seconds the tab's renderer spent until then (Chrome's
    ``Performance`` metrics, ``ProcessTime``): what the page costs the browser, which a
    loaded machine inflates far less than the wall time."""
    page = await context.new_page()
    cpu_before: float | None = None
    cdp = None
    try:
        with contextlib.suppress(Exception):  # a browser without the metrics: wall time only
            cdp = await context.new_cdp_session(page)
            await cdp.send("Performance.enable", {"timeDomain": "threadTicks"})
            cpu_before = await _process_time(cdp)
        await page.goto(f"{base}/{case.path}", wait_until="commit")
        await page.wait_for_function(
            READY_JS, arg=[case.heading, case.ready], timeout=timeout_s * 1000, polling=25
        )
        seconds = float(await page.evaluate("() => performance.now()")) / 1000
        cpu = None
        if cdp is not None and cpu_before is not None:
            with contextlib.suppress(Exception):
                cpu = await _process_time(cdp) - cpu_before
        return seconds, cpu
    finally:
        await page.close()


async def _process_time(cdp) -> float:  # type: ignore[no-untyped-def]
    metrics = (await cdp.send("Performance.getMetrics"))["metrics"]
    return float(next(m["value"] for m in metrics if m["name"] == "ProcessTime"))


VIEWPORT = {"width": 1400, "height": 1000}
BROWSERS = ("profile", "private")


async def new_context(browser):  # type: ignore[no-untyped-def]
    return await browser.new_context(viewport=VIEWPORT)


@dataclass
class Tabs:
    """Where the tabs are opened: one browser profile kept on disk (``profile``, a
    persistent context: every tab in it, as in a person's own browser) or a private
    context per person (``browser``)."""

    kind: str
    browser: object = None
    profile: object = None

    async def contexts(self, people: int) -> list:  # type: ignore[type-arg]
        if self.profile is not None:  # one person's browser: a new tab is a new session
            return [self.profile] * people
        return [await new_context(self.browser) for _ in range(people)]

    async def release(self, contexts: list) -> None:  # type: ignore[type-arg]
        if self.profile is None:
            for context in contexts:
                await context.close()


@contextlib.asynccontextmanager
async def tabs_in(playwright, kind: str, folder: Path):  # type: ignore[no-untyped-def]
    """A browser of the kind asked for (``BROWSERS``), closed on leaving."""
    if kind == "profile":
        profile = await playwright.chromium.launch_persistent_context(
            str(folder / "profile"), viewport=VIEWPORT, **launch_options()
        )
        try:
            yield Tabs(kind, profile=profile)
        finally:
            await profile.close()
    else:
        browser = await playwright.chromium.launch(**launch_options())
        try:
            yield Tabs(kind, browser=browser)
        finally:
            await browser.close()


def _keep(values: list[float], cpu: float | None) -> None:
    if cpu is not None:
        values.append(cpu)


def _stats(values: list[float]) -> dict[str, float]:
    return {
        "median_s": round(statistics.median(values), 3),
        "min_s": round(min(values), 3),
        "max_s": round(max(values), 3),
    }


async def measure_pages(  # type: ignore[no-untyped-def]
    tabs: Tabs,
    base: str,
    cases: list[Case],
    runs: int,
    bare: tuple[str, Case] | None = None,
    baseline: str | None = None,
) -> dict[str, dict]:
    """Warm: one browser context (its cache holds Streamlit's scripts after the first
    load, as for anyone who has opened the explorer before), a new tab per load.

    With ``bare`` (its server and case), each load of a page follows a load of the bare
    page in the same context, so that the two are measured at the same moments and under
    the same load: each page's row carries the bare page's median beside its own and the
    median of the pairwise differences (the page's cost over the floor). With ``baseline``
    (the server of another checkout, e.g. the code before a change), the same page is
    loaded there too, between the bare page and this one."""
    results: dict[str, dict] = {}
    [context] = await tabs.contexts(1)
    for number, case in enumerate(cases, start=1):
        print(f"  [{number}/{len(cases)}] {case.name}", file=sys.stderr, flush=True)
        try:
            await time_to_content(context, base, case)  # warm the server's caches
            times: list[float] = []
            floors: list[float] = []
            before: list[float] = []
            cpu: dict[str, list[float]] = {"page": [], "bare": [], "baseline": []}
            if baseline is not None:
                await time_to_content(context, baseline, case)
            for _ in range(runs):
                if bare is not None:
                    floor, used = await load_page(context, bare[0], bare[1])
                    floors.append(floor)
                    _keep(cpu["bare"], used)
                if baseline is not None:
                    old, used = await load_page(context, baseline, case)
                    before.append(old)
                    _keep(cpu["baseline"], used)
                seconds, used = await load_page(context, base, case)
                times.append(seconds)
                _keep(cpu["page"], used)
        except Exception as exc:  # a page that never shows its content is a finding
            results[case.name] = {"path": case.path, "error": str(exc).splitlines()[0]}
            continue
        results[case.name] = {"path": case.path, **_stats(times)}
        if floors:
            over = [t - f for t, f in zip(times, floors, strict=True)]
            results[case.name]["bare_median_s"] = round(statistics.median(floors), 3)
            results[case.name]["over_bare_s"] = round(statistics.median(over), 3)
        if before:
            results[case.name]["baseline"] = _stats(before)
            if floors:
                gap = [t - f for t, f in zip(before, floors, strict=True)]
                results[case.name]["baseline_over_bare_s"] = round(statistics.median(gap), 3)
        # the renderer's CPU seconds per load (median): the page's, the bare page's, the
        # baseline's, measured in the same loads as the times
        for who, values in cpu.items():
            if values:
                results[case.name][f"cpu_{who}_s"] = round(statistics.median(values), 3)
    await tabs.release([context])
    return results


async def measure_sessions(tabs: Tabs, base: str, case: Case, sessions: int, runs: int) -> dict:  # type: ignore[no-untyped-def]
    """The slowest of ``sessions`` simultaneous fresh sessions, per round.

    A session that shows nothing within two minutes counts as not served (and the round's
    slowest time is then "over two minutes").
    """
    # one context per person (a private one each, or tabs of one profile), each having
    # opened the page once before (a warm cache)
    contexts = await tabs.contexts(sessions)
    for context in contexts:
        await time_to_content(context, base, case, timeout_s=120)
    slowest: list[float] = []
    medians: list[float] = []
    failed = 0
    for _ in range(runs):
        outcomes = await asyncio.gather(
            *(time_to_content(context, base, case, timeout_s=120) for context in contexts),
            return_exceptions=True,
        )
        times = [o for o in outcomes if isinstance(o, float)]
        failed += len(outcomes) - len(times)
        slowest.append(max(times) if len(times) == len(outcomes) else float("inf"))
        medians.append(statistics.median(times) if times else float("inf"))
    await tabs.release(contexts)
    return {
        "path": case.path,
        "sessions": sessions,
        "slowest": _stats(slowest),
        "median_session_s": round(statistics.median(medians), 3),
        "not_served": failed,
    }


async def measure_browser(  # type: ignore[no-untyped-def]
    tabs: Tabs, args, cases: list[Case], question: Case | None, explorer: str, bare: str, baseline
) -> dict:  # type: ignore[type-arg]
    """Every figure in one kind of browser: the bare page alone, every page beside it, and
    ``--sessions`` people at once."""
    found: dict = {}  # type: ignore[type-arg]
    print(f"In a browser with a {tabs.kind} context: the bare Streamlit page", file=sys.stderr)
    found["bare"] = (await measure_pages(tabs, bare, [BARE], args.runs))[BARE.name]
    print("Explorer pages (warm)", file=sys.stderr)
    found["pages"] = await measure_pages(
        tabs, explorer, cases, args.runs, bare=(bare, BARE), baseline=baseline
    )
    if args.sessions:
        print(f"{args.sessions} sessions at once", file=sys.stderr)
        together = {
            "Bare Streamlit page": await measure_sessions(
                tabs, bare, BARE, args.sessions, args.runs
            ),
            "Home": await measure_sessions(tabs, explorer, cases[0], args.sessions, args.runs),
        }
        if question is not None:
            together[question.name] = await measure_sessions(
                tabs, explorer, question, args.sessions, args.runs
            )
        found["sessions"] = together
    return found


def load_average() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


async def run(args: argparse.Namespace) -> dict:  # type: ignore[no-untyped-def]
    from playwright.async_api import async_playwright

    home = Path(args.root).resolve()
    cases = explorer_cases(home)
    if args.pages:
        wanted = {p.strip().lower() for p in args.pages.split(",")}
        cases = [c for c in cases if c.name.lower() in wanted or c.name.startswith("Question:")]
    if args.questions == "none":
        cases = [c for c in cases if not c.name.startswith("Question:")]
    elif args.questions != "all":
        ids = {q.strip() for q in args.questions.split(",")}
        cases = [c for c in cases if not c.name.startswith("Question:") or c.name[10:] in ids]
    question = next((c for c in cases if c.name.startswith("Question:")), None)

    logs = Path(tempfile.mkdtemp(prefix="collabkg-bench-browser-"))
    bare_script = logs / "bare_app.py"
    bare_script.write_text(BARE_APP, encoding="utf-8")
    report: dict = {
        "machine": describe(),
        "load_before": load_average(),
        "runs": args.runs,
        "targets": {"page_s": PAGE_TARGET_S, "sessions_s": SESSIONS_TARGET_S},
        "browsers": {},
    }
    timing = {"COLLABKG_EXPLORER_TIMING": "1"}  # the explorer logs its work per run
    with contextlib.ExitStack() as servers:
        explorer = servers.enter_context(
            streamlit_server(APP, home, logs / "explorer.log", env=timing)
        )
        bare = servers.enter_context(streamlit_server(bare_script, home, logs / "bare.log"))
        baseline = None
        if args.baseline:
            # another checkout (the code before a change), run as it ran: its own app and
            # package, Streamlit's default options
            other = Path(args.baseline).resolve()
            baseline = servers.enter_context(
                streamlit_server(
                    other / "app" / "streamlit_app.py",
                    home,
                    logs / "baseline.log",
                    src=other / "src",
                    flags=(),
                )
            )
            report["baseline"] = str(other)
        kinds = BROWSERS if args.browser == "both" else (args.browser,)
        async with async_playwright() as playwright:
            for kind in kinds:
                async with tabs_in(playwright, kind, logs / kind) as tabs:
                    report["browsers"][kind] = await measure_browser(
                        tabs, args, cases, question, explorer, bare, baseline
                    )
    report["load_after"] = load_average()
    report["server_work"] = server_work(logs / "explorer.log")
    return report


def _cpu(row: dict, key: str) -> str:  # type: ignore[type-arg]
    return f"{row[key]:.2f}" if key in row else "-"


def print_report(report: dict) -> None:  # type: ignore[type-arg]
    print(f"Machine: {one_line(report['machine'])}")
    print(f"Load average before {report['load_before']}, after {report['load_after']}")
    print(
        f"Median of {report['runs']} runs after one warm-up; time to content visible; CPU: the "
        "tab's renderer CPU seconds until then (Chrome's ProcessTime), the page's and the bare "
        "page's."
    )
    for kind, found in report["browsers"].items():
        print(f"\n=== In a browser with a {kind} context ({BROWSER_WORDS[kind]})\n")
        print_browser(found)
    work = report.get("server_work", {})
    if work:
        print("\nServer work per script run (median, max), by page:")
        for page, row in sorted(work.items()):
            median, most = row["median_s"], row["max_s"]
            print(f"  {page:20s} {median:.3f} s  {most:.3f} s  ({row['runs']} runs)")


BROWSER_WORDS = {
    "profile": "kept on disk, as a person's own browser",
    "private": "nothing kept on disk, as a private window",
}


def print_browser(found: dict) -> None:  # type: ignore[type-arg]
    """One kind of browser's figures: every page beside the bare page, and the sessions."""
    bare = found["bare"]
    print(
        f"{'page':52s} {'median':>7s} {'min':>6s} {'max':>6s} | {'bare, same moments':>18s} "
        f"{'page - bare':>11s} {'CPU page/bare':>14s}  target {PAGE_TARGET_S:.1f} s"
    )
    print(
        f"{'Bare Streamlit page (the floor), alone':52s} {bare['median_s']:7.2f} "
        f"{bare['min_s']:6.2f} {bare['max_s']:6.2f} |"
    )
    over = 0
    for name, row in found["pages"].items():
        if "error" in row:
            print(f"{name[:60]:60s} failed: {row['error']}")
            over += 1
            continue
        mark = "" if row["median_s"] <= PAGE_TARGET_S else "  over"
        over += bool(mark)
        floor = row.get("bare_median_s")
        beside = f"{floor:18.2f} {row['over_bare_s']:+11.2f}" if floor is not None else " " * 30
        beside += f" {_cpu(row, 'cpu_page_s')}/{_cpu(row, 'cpu_bare_s')}"
        print(
            f"{name[:52]:52s} {row['median_s']:7.2f} {row['min_s']:6.2f} {row['max_s']:6.2f} |"
            f" {beside}{mark}"
        )
        if "baseline" in row:
            old = row["baseline"]
            gap = row.get("baseline_over_bare_s")
            print(
                f"{'  the baseline, same moments':52s} {old['median_s']:7.2f} "
                f"{old['min_s']:6.2f} {old['max_s']:6.2f} | {'':18s} "
                + (f"{gap:+11.2f}" if gap is not None else " " * 11)
                + f" {_cpu(row, 'cpu_baseline_s')}"
            )
    print(
        f"\n{len(found['pages']) - over} of {len(found['pages'])} pages within "
        f"{PAGE_TARGET_S:.1f} s."
    )
    for name, row in found.get("sessions", {}).items():
        slowest = row["slowest"]
        mark = "" if slowest["median_s"] <= SESSIONS_TARGET_S else "  over"
        print(
            f"{row['sessions']} sessions at once, {name}: slowest served in "
            f"{slowest['median_s']:.2f} s (min {slowest['min_s']:.2f}, "
            f"max {slowest['max_s']:.2f}); median session {row['median_session_s']:.2f} s; "
            f"not served within 2 minutes: {row.get('not_served', 0)}{mark}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--pages", default="", help="comma-separated page names (default all)")
    parser.add_argument("--questions", default="all", help="all, none, or comma-separated ids")
    parser.add_argument("--root", default=str(ROOT), help="the project whose data is served")
    parser.add_argument("--out", default="", help="save the figures as JSON here")
    parser.add_argument(
        "--browser",
        choices=(*BROWSERS, "both"),
        default="both",
        help="a profile kept on disk (as a person's browser), a private context, or both",
    )
    parser.add_argument(
        "--baseline",
        default="",
        help="another checkout (e.g. 'git archive' of the code before a change) whose "
        "explorer is measured beside this one, load by load",
    )
    args = parser.parse_args()
    if not CHROMIUM.exists():
        sys.exit(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    report = asyncio.run(run(args))
    print_report(report)
    if args.out:
        Path(args.out).write_text(json.dumps(report, indent=2), encoding="utf-8")
        print(f"\nSaved: {args.out}")


if __name__ == "__main__":
    main()

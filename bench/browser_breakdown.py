"""Where a page's time goes in the browser: what a new tab of each explorer page loads
beside a bare Streamlit page.

    .venv/bin/python bench/browser_breakdown.py [--pages Network,SPARQL] [--questions none]
                                                [--baseline DIR] [--out FILE]

For each page (the cases of ``bench/browser.py``), in a browser whose cache already holds
Streamlit's scripts (the page is opened once first), a new tab is opened and, until the
page's content is visible, these are recorded:

- **script modules** the tab loads (``performance`` resource entries of scripts): how many,
  their decoded size, and which of them the bare page does not load (Streamlit loads each
  kind of element's code on first use: every one is fetched, parsed and run in every new
  tab, from the cache or not);
- **frames**: iframes on the page (each a document of its own, with its own scripts);
- **websocket messages** from the server (count and bytes: the page's elements);
- **elements** drawn, by kind (``data-testid`` of each element in the main area);
- the **time to content visible** of that load (one load: for the figures use
  ``bench/browser.py``, which takes medians).

``--baseline DIR`` (another checkout) does the same for its explorer, page by page, so a
change's effect on what is loaded is seen side by side.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

from browser import BARE, BARE_APP, READY_JS, Case, explorer_cases, new_context

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.browser_chromium import (  # noqa: E402
    APP,
    CHROMIUM,
    launch_options,
    streamlit_server,
)

# every websocket message's arrival (performance.now()), recorded from the tab's start
TIMELINE_INIT = """(() => {
  window.__ckFrames = [];
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', () => window.__ckFrames.push(performance.now()));
    }
  };
})();"""

ELEMENTS_JS = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const kinds = {};
  if (main) main.querySelectorAll('[data-testid="stElementContainer"]').forEach(box => {
    const inner = box.querySelector('[data-testid]');
    const kind = inner ? inner.getAttribute('data-testid') : 'empty';
    kinds[kind] = (kinds[kind] || 0) + 1;
  });
  const scripts = performance.getEntriesByType('resource')
    .filter(e => e.initiatorType === 'script' || /\\.js(\\?|$)/.test(e.name))
    .map(e => [e.name.split('/').pop(), e.decodedBodySize]);
  const nav = performance.getEntriesByType('navigation')[0];
  return {kinds, scripts, frames: document.querySelectorAll('iframe').length,
          now: performance.now(), dom: nav ? nav.domContentLoadedEventEnd : null,
          ws: window.__ckFrames || []};
}"""


async def one_load(context, base: str, case: Case) -> dict:  # type: ignore[no-untyped-def]
    page = await context.new_page()
    frames = {"count": 0, "bytes": 0}

    def on_socket(socket) -> None:  # type: ignore[no-untyped-def]
        def received(payload) -> None:  # type: ignore[no-untyped-def]
            frames["count"] += 1
            frames["bytes"] += len(payload)

        socket.on("framereceived", received)

    page.on("websocket", on_socket)
    await page.add_init_script(TIMELINE_INIT)
    try:
        await page.goto(f"{base}/{case.path}", wait_until="commit")
        await page.wait_for_function(
            READY_JS, arg=[case.heading, case.ready], timeout=60_000, polling=25
        )
        seen = await page.evaluate(ELEMENTS_JS)
    finally:
        await page.close()
    scripts = {name: size for name, size in seen["scripts"]}
    return {
        "seconds": round(seen["now"] / 1000, 3),
        "scripts": scripts,
        "frames": seen["frames"],
        "ws_messages": frames["count"],
        "ws_bytes": frames["bytes"],
        "elements": dict(Counter(seen["kinds"]).most_common()),
        # the tab's timeline: DOMContentLoaded, first and last websocket message (seconds)
        "dom_loaded": round((seen["dom"] or 0) / 1000, 3),
        "first_message": round(seen["ws"][0] / 1000, 3) if seen["ws"] else None,
        "last_message": round(seen["ws"][-1] / 1000, 3) if seen["ws"] else None,
    }


async def breakdown(browser, base: str, cases: list[Case]) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    context = await new_context(browser)
    out: dict[str, dict] = {}
    for number, case in enumerate(cases, start=1):
        print(f"  [{number}/{len(cases)}] {case.name}", file=sys.stderr, flush=True)
        try:
            await one_load(context, base, case)  # warm the cache and the server
            out[case.name] = await one_load(context, base, case)
        except Exception as exc:  # a page that never shows its content is a finding
            out[case.name] = {"error": str(exc).splitlines()[0]}
    await context.close()
    return out


def summarise(row: dict, floor: set[str]) -> dict:  # type: ignore[type-arg]
    extra = {name: size for name, size in row["scripts"].items() if name not in floor}
    return {
        "seconds": row["seconds"],
        "script_modules": len(row["scripts"]),
        "extra_modules": len(extra),
        "extra_kb": round(sum(extra.values()) / 1024, 1),
        "frames": row["frames"],
        "ws_messages": row["ws_messages"],
        "ws_kb": round(row["ws_bytes"] / 1024, 1),
        "elements": row["elements"],
        "dom_loaded": row.get("dom_loaded"),
        "first_message": row.get("first_message"),
        "last_message": row.get("last_message"),
        "extra_module_names": sorted(extra),
    }


async def run(args: argparse.Namespace) -> dict:  # type: ignore[type-arg]
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
    logs = Path(tempfile.mkdtemp(prefix="collabkg-bench-breakdown-"))
    (logs / "bare_app.py").write_text(BARE_APP, encoding="utf-8")
    report: dict = {"load_before": list(os.getloadavg())}
    with contextlib.ExitStack() as servers:
        explorer = servers.enter_context(streamlit_server(APP, home, logs / "explorer.log"))
        bare = servers.enter_context(streamlit_server(logs / "bare_app.py", home, logs / "b.log"))
        baseline = None
        if args.baseline:
            other = Path(args.baseline).resolve()
            baseline = servers.enter_context(
                streamlit_server(
                    other / "app" / "streamlit_app.py",
                    home,
                    logs / "baseline.log",
                    src=other / "src",
                )
            )
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(**launch_options())
            try:
                floor_row = (await breakdown(browser, bare, [BARE]))[BARE.name]
                floor = set(floor_row["scripts"])
                report["bare"] = summarise(floor_row, floor)
                report["pages"] = {
                    name: summarise(row, floor) if "error" not in row else row
                    for name, row in (await breakdown(browser, explorer, cases)).items()
                }
                if baseline is not None:
                    report["baseline"] = {
                        name: summarise(row, floor) if "error" not in row else row
                        for name, row in (await breakdown(browser, baseline, cases)).items()
                    }
            finally:
                await browser.close()
    report["load_after"] = list(os.getloadavg())
    return report


def _s(seconds: float | None) -> str:
    return f"{seconds:5.2f}" if seconds is not None else "    -"


def print_report(report: dict) -> None:  # type: ignore[type-arg]
    print(f"Load average before {report['load_before']}, after {report['load_after']}")
    bare = report["bare"]
    print(
        f"Bare page: {bare['script_modules']} script modules, {bare['ws_messages']} websocket "
        f"messages ({bare['ws_kb']} KB), {bare['seconds']:.2f} s (DOMContentLoaded "
        f"{_s(bare.get('dom_loaded')).strip()} s, websocket messages "
        f"{_s(bare.get('first_message')).strip()}-{_s(bare.get('last_message')).strip()} s)\n"
    )
    print("s: content visible; dom: DOMContentLoaded; ws1, wsN: first and last websocket message")
    print(
        f"{'page':44s} {'s':>5s} {'dom':>5s} {'ws1':>5s} {'wsN':>5s} {'+mod':>5s} {'+KB':>7s} "
        f"{'ifr':>4s} {'msgs':>5s} {'ws KB':>6s}  elements"
    )
    for label, rows in (("", report["pages"]), ("  before: ", report.get("baseline", {}))):
        if not rows:
            continue
        if label:
            print("\nThe baseline:")
        for name, row in rows.items():
            if "error" in row:
                print(f"{name[:44]:44s} failed: {row['error']}")
                continue
            kinds = ", ".join(f"{k.removeprefix('st')} {v}" for k, v in row["elements"].items())
            print(
                f"{name[:44]:44s} {row['seconds']:5.2f} {_s(row.get('dom_loaded'))} "
                f"{_s(row.get('first_message'))} {_s(row.get('last_message'))} "
                f"{row['extra_modules']:5d} "
                f"{row['extra_kb']:7.1f} {row['frames']:4d} {row['ws_messages']:5d} "
                f"{row['ws_kb']:6.1f}  {kinds}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", default="")
    parser.add_argument("--questions", default="all")
    parser.add_argument("--root", default=str(ROOT))
    parser.add_argument("--baseline", default="")
    parser.add_argument("--out", default="")
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

"""How long does the server take to render each explorer page on the seed data?

    .venv/bin/python bench/explorer_render.py [--runs 5] [--json]

For every page (and a few typical addresses: a question, a profile, a permalink) the
figure is the median of ``--runs`` AppTest runs after one warm-up run: the graph is
loaded and cached (``st.cache_resource``) and the page's queries warm, as on a running
server. It measures the Python side only (script run, queries, view models), not the
browser drawing. Target: under 1 s per page.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

from machine import describe, one_line

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app" / "streamlit_app.py"
TARGET_S = 1.0

CASES: list[tuple[str, str | None, dict[str, str]]] = [
    ("Home", None, {}),
    ("Questions (catalogue)", "views/questions.py", {}),
    (
        "Question: who is accountable for transferred assets?",
        "views/questions.py",
        {"q": "accountable-for-transferred-assets"},
    ),
    (
        "Question with a parameter (permalink)",
        "views/questions.py",
        {"q": "collaboration-profile", "collaboration": "ckd:wigan-collaborative-council"},
    ),
    ("Collaborations (list)", "views/collaborations.py", {}),
    (
        "Collaboration profile (Wigan)",
        "views/collaborations.py",
        {"id": "ckd:wigan-collaborative-council"},
    ),
    ("Organisations (list)", "views/organisations.py", {}),
    ("Organisation profile (Wigan council)", "views/organisations.py", {"id": "ckd:wigan-council"}),
    ("Network", "views/network.py", {}),
    ("Check a case file", "views/check.py", {}),
    ("SPARQL", "views/sparql.py", {}),
]



def render_once(page: str | None, params: dict[str, str]) -> float:
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(APP), default_timeout=300)
    for name, value in params.items():
        app.query_params[name] = value
    if page:
        app.switch_page(page)
    started = time.perf_counter()
    app.run()
    seconds = time.perf_counter() - started
    if app.exception:
        raise RuntimeError(f"{page or 'home'}: {app.exception[0].value}")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    os.environ.setdefault("COLLABKG_HOME", str(ROOT))
    sys.path.insert(0, str(APP.parent))
    import logging

    import streamlit.runtime.scriptrunner_utils.script_run_context  # noqa: F401

    # AppTest itself warns about a missing ScriptRunContext on every run: not our concern
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        lambda record: "ScriptRunContext" not in record.getMessage()
    )

    cold_started = time.perf_counter()
    render_once(None, {})  # loads and caches the graph
    cold = time.perf_counter() - cold_started

    results = []
    for name, page, params in CASES:
        render_once(page, params)  # warm-up
        runs = [render_once(page, params) for _ in range(args.runs)]
        results.append(
            {
                "page": name,
                "median_s": round(statistics.median(runs), 3),
                "max_s": round(max(runs), 3),
                "runs": args.runs,
            }
        )
    report = {
        "machine": describe(),
        "data": os.environ["COLLABKG_HOME"],
        "first_render_with_graph_load_s": round(cold, 2),
        "target_s": TARGET_S,
        "pages": results,
        "all_under_target": all(r["median_s"] < TARGET_S for r in results),
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        info = report["machine"]
        print(f"Machine: {one_line(info)}")
        print(f"First render, including loading and validating the graph: {cold:.2f} s")
        print(f"Server-side render per page, median of {args.runs} after a warm-up:")
        width = max(len(r["page"]) for r in results)
        for r in results:
            mark = "ok" if r["median_s"] < TARGET_S else "SLOW"
            print(f"  {r['page']:<{width}}  {r['median_s']:.3f} s  (max {r['max_s']:.3f})  {mark}")
        verdict = "all under" if report["all_under_target"] else "NOT all under"
        print(f"Target: {verdict} {TARGET_S:g} s")
    return 0 if report["all_under_target"] else 1


if __name__ == "__main__":
    raise SystemExit(main())

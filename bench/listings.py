"""Listings at scale: every canned query's full answer and its first page, per project size.

    .venv/bin/python bench/listings.py --root 1M=/work/gen1M --root 3M=/work/data19l/3M
    .venv/bin/python bench/listings.py --root 1M=/work/gen1M --only funding-at-risk --runs 5

For each project (``--root NAME=DIR``, made by bench/generate.py) the graph is loaded once
(``KnowledgeGraph.from_files``: the files parsed into the embedded store, no validation), then
for every canned query (parameters chosen as bench/run.py chooses them), in CPU seconds of
this process (the wall time of the full answer is kept beside it):

- ``full``: the whole answer through the facade (``KnowledgeGraph.select``: what the CLI's
  ``query`` and a download run), median of ``--runs`` after one warm-up;
- ``raw``: the same text on the same store with pyoxigraph alone (``Store.query``, the
  parameters as ``substitutions`` and, as the embedded backend does, also as a ``VALUES``
  block first; every solution read, nothing converted): the engine's share, so that a time
  growing faster than the data can be told apart from our layer;
- ``first page``: ``KnowledgeGraph.select_page(..., offset=0, size=--page-size)`` on a graph
  that has not answered the query before (its answer cache is emptied before every run): what
  the explorer and ``collabkg query --page 1`` wait for; ``next page``: the second page, right
  after (what "show more" waits for);
- the explorer's server work per interaction: the package calls a listing page makes (one
  page of the answer, and the labels of its rows);
- ``download``: the whole answer written as CSV the way ``collabkg query ID --format csv``
  writes it (``KnowledgeGraph.select_rows``: the engine's terms kept, each chunk of rows
  converted, labelled and written in turn), with ``first chunk`` the CPU time until its
  first 1,000 rows were written (flushed); ``download before``: the same CSV written the
  earlier way (the whole answer converted by ``select`` first, then labelled and written a
  chunk at a time), timed in the same run, interleaved.

With two or more sizes the growth exponent k (time ∝ triples^k) is printed between
consecutive sizes for ``full`` and ``raw``. ``uptime``'s load average is recorded before and
after each size: the machine is shared, so read the figures beside it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import itertools
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


class _Sink(io.StringIO):
    """Where a timed download is written: keeps the text, and the CPU time of this process
    from its creation to the first flush (the first chunk of rows written)."""

    def __init__(self) -> None:
        super().__init__()
        self._started = time.process_time()
        self.first_chunk_cpu: float | None = None

    def flush(self) -> None:
        if self.first_chunk_cpu is None:
            self.first_chunk_cpu = time.process_time() - self._started

    def text(self) -> str:
        return self.getvalue()


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def _timed(call, runs: int) -> tuple[list[float], list[float], object]:
    """One warm-up call, then ``runs`` timed calls: (CPU times, wall times, last answer).

    The CPU time of this process (``time.process_time``: the engine runs in it, on one
    thread) is the figure compared across sizes: on a shared machine the wall time also
    holds the time spent waiting for a core, which depends on the other users' load."""
    answer = call()
    cpu, wall = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        answer = call()
        cpu.append(time.process_time() - started_cpu)
        wall.append(time.perf_counter() - started)
    return cpu, wall, answer


def measure(
    root: Path,
    runs: int,
    page_size: int,
    only: set[str] | None,
    catalogue: Path | None,
    full_and_raw_only: bool = False,
    kept_only: bool = False,
) -> dict:
    import pyoxigraph as ox
    from run import _catalogue_queries  # bench/run.py: parameters chosen the same way

    from collabkg.answers import answer_key, answer_path, content_identity, write_answer
    from collabkg.backends.embedded import _substitutions, _with_values_first
    from collabkg.cli import _write_result, _write_rows
    from collabkg.graph import KnowledgeGraph
    from collabkg.paths import ProjectPaths
    from collabkg.results import iri_variables
    from collabkg.sparql_safety import check_query
    from collabkg.terms import PREFIXES

    load_before = load_average()
    started = time.perf_counter()
    graph = KnowledgeGraph.from_files(root)
    load_s = time.perf_counter() - started
    store = graph.backend.store  # type: ignore[attr-defined]
    triples = len(store)
    out: dict = {"root": str(root), "triples": triples, "load_seconds": round(load_s, 2),
                 "load_before": load_before, "queries": {}}
    # the content identity the kept answers are keyed by: told twice per load
    project = ProjectPaths.discover(root)
    project_files = project.graph_files()
    identity_cpu = []
    for _ in range(3):
        started_cpu = time.process_time()
        content_identity(project, project_files)
        identity_cpu.append(time.process_time() - started_cpu)
    out["content_identity"] = _median(identity_cpu)
    content = graph.content
    out["kept"] = content is not None
    for query_id, text, bindings in _catalogue_queries(root, graph, catalogue_root=catalogue):
        if only and query_id not in only:
            continue
        terms = {k: v for k, v in bindings.items() if v is not None}

        def full(text=text, terms=terms):
            return graph.select(text, terms)

        # the text the embedded backend runs (parameters also as a VALUES block first)
        planned = (_with_values_first(text, terms) if terms else None) or text

        def raw(text=planned, terms=terms):
            solutions = store.query(
                text,
                use_default_graph_as_union=True,
                prefixes=dict(PREFIXES),
                substitutions=_substitutions(terms) if terms else None,
            )
            assert isinstance(solutions, ox.QuerySolutions)
            width = len(solutions.variables)
            count = 0
            for solution in solutions:
                for index in range(width):
                    solution[index]
                count += 1
            return count

        def first_page(text=text, terms=terms):
            graph._answers.clear()  # a graph that has not answered this query before
            return graph.select_page(text, terms, offset=0, size=page_size)

        def keep(text=text, terms=terms):
            """What keeping the answer costs at load: computed, then written to disk."""
            graph._answers.clear()
            names, rows = graph.select_rows(text, terms, keep=False)
            key = answer_key(check_query(text).text, terms, content)  # as the facade keys it
            return write_answer(answer_path(graph._kept_folder, key, content), key, names,
                                rows.values, rows.iri_variables())

        def kept_first_page(text=text, terms=terms):
            graph._answers.clear()  # as a new process: the answer read from disk
            return graph.select_page(text, terms, offset=0, size=page_size)

        def kept_next_page(text=text, terms=terms):
            graph._answers.clear()  # opened from disk again: the block read, not remembered
            return graph.select_page(text, terms, offset=page_size, size=page_size)

        def kept_download(text=text, terms=terms):
            graph._answers.clear()
            graph._looked_up.clear()
            sink = _Sink()
            names, rows = graph.select_rows(text, terms)
            _write_rows(names, rows, iri_variables(names, rows), graph, "csv", sink)
            return sink

        def next_page(text=text, terms=terms):
            return graph.select_page(text, terms, offset=page_size, size=page_size)

        def download(text=text, terms=terms):
            graph._looked_up.clear()
            sink = _Sink()
            names, rows = graph.select_rows(text, terms)
            _write_rows(names, rows, iri_variables(names, rows), graph, "csv", sink)
            return sink

        def download_before(text=text, terms=terms):
            graph._looked_up.clear()
            sink = _Sink()
            _write_result(graph.select(text, terms), graph, "csv", sink)
            return sink

        def interaction(text=text, terms=terms):
            graph._answers.clear()
            graph._looked_up.clear()
            page = graph.select_page(text, terms, offset=0, size=page_size)
            page.result.to_labelled(graph, with_iris=False)
            return page

        figures: dict[str, object] = {}
        answers: dict[str, object] = {}
        calls = (("full", full), ("raw", raw), ("first_page", first_page),
                 ("next_page", next_page), ("interaction", interaction),
                 ("download", download), ("download_before", download_before))
        if kept_only:
            calls = (("full", full),)
        graph.content = None  # computed per ask, as before answers were kept
        for name, call in calls[:2] if full_and_raw_only else calls:
            cpu, wall, answers[name] = _timed(call, runs)
            figures[name] = _median(cpu)
            figures[f"{name}_wall"] = _median(wall)
        graph.content = content
        if content is not None and not full_and_raw_only:
            kept_calls = (("keep", keep), ("kept_first_page", kept_first_page),
                          ("kept_next_page", kept_next_page), ("kept_interaction", interaction),
                          ("kept_download", kept_download))
            for name, call in kept_calls:
                cpu, wall, answers[name] = _timed(call, runs)
                figures[name] = _median(cpu)
                figures[f"{name}_wall"] = _median(wall)
            page = answers["kept_first_page"]
            assert [dict(r) for r in page.result.rows] == [  # type: ignore[attr-defined]
                dict(r) for r in answers["full"].rows[:page_size]  # type: ignore[attr-defined]
            ], f"{query_id}: the kept first page differs from the answer computed afresh"
            figures["kept_download_first_chunk"] = answers["kept_download"].first_chunk_cpu  # type: ignore[attr-defined]
            if not kept_only:
                assert answers["kept_download"].text() == answers["download"].text(), (  # type: ignore[attr-defined]
                    f"{query_id}: the kept download differs from the one computed afresh")
        rows = len(answers["full"])  # type: ignore[arg-type]
        out["queries"][query_id] = {"rows": rows, "raw_rows": answers.get("raw"), **figures}
        if kept_only:
            q = out["queries"][query_id]
            print(
                f"{query_id:40s} rows {rows:>7,}  full {q['full'] * 1000:8.1f} ms  keep "
                f"{q.get('keep', 0) * 1000:8.1f} ms  kept page "
                f"{q.get('kept_first_page', 0) * 1000:6.2f} ms  next "
                f"{q.get('kept_next_page', 0) * 1000:6.2f} ms  interaction "
                f"{q.get('kept_interaction', 0) * 1000:6.2f} ms  download first chunk "
                f"{(q.get('kept_download_first_chunk') or 0) * 1000:6.1f} ms "
                f"(CPU; load {os.getloadavg()[0]:.1f})",
                file=sys.stderr, flush=True,
            )
            continue
        if full_and_raw_only:
            for name in ("first_page", "next_page", "interaction", "download", "download_before"):
                figures[name] = out["queries"][query_id][name] = 0.0
            out["queries"][query_id]["download_first_chunk"] = 0.0
        else:
            out["queries"][query_id]["has_more"] = answers["first_page"].has_more  # type: ignore[attr-defined]
            sinks = (answers["download"], answers["download_before"])
            assert sinks[0].text() == sinks[1].text(), f"{query_id}: the two downloads differ"  # type: ignore[attr-defined]
            out["queries"][query_id]["download_first_chunk"] = sinks[0].first_chunk_cpu  # type: ignore[attr-defined]
            out["queries"][query_id]["download_bytes"] = len(sinks[0].text())  # type: ignore[attr-defined]
        q = out["queries"][query_id]
        print(
            f"{query_id:40s} rows {rows:>7,}  full {q['full'] * 1000:8.1f} ms  raw "
            f"{q['raw'] * 1000:8.1f} ms  page {q['first_page'] * 1000:8.1f} ms  next "
            f"{q['next_page'] * 1000:6.1f} ms  interaction {q['interaction'] * 1000:8.1f} ms "
            f"download {q['download'] * 1000:8.1f} ms (first chunk "
            f"{q['download_first_chunk'] * 1000:.1f}; before {q['download_before'] * 1000:.1f}) "
            f"(CPU; full wall {q['full_wall'] * 1000:.0f} ms, load {os.getloadavg()[0]:.1f})",
            file=sys.stderr,
            flush=True,
        )
    out["load_after"] = load_average()
    graph.close()
    return out


def exponents(results: dict[str, dict], key: str) -> dict[str, list[float | None]]:
    """Growth exponent of ``key`` per query between consecutive sizes."""
    names = list(results)
    table: dict[str, list[float | None]] = {}
    for a, b in itertools.pairwise(names):
        ra, rb = results[a], results[b]
        for qid, qa in ra["queries"].items():
            qb = rb["queries"].get(qid)
            k = None
            if qb and qa.get(key) and qb.get(key):
                k = math.log(qb[key] / qa[key]) / math.log(rb["triples"] / ra["triples"])
            table.setdefault(qid, []).append(k)
    return table


def kept_markdown(results: dict[str, dict], page_size: int) -> str:
    """The answers kept on disk: what keeping costs, and what a person then waits for."""
    lines = []
    for name, size in results.items():
        queries = {k: q for k, q in size["queries"].items() if "kept_first_page" in q}
        if not queries:
            continue
        keep_total = sum(q["keep"] for q in queries.values())
        lines += [
            f"### {name}, answers kept ({size['triples']:,} quads; load average "
            f"{size['load_before']} before, {size['load_after']} after; content identity "
            f"{size['content_identity'] * 1000:.0f} ms CPU, told twice per load; keeping all "
            f"{len(queries)} listings {keep_total:.2f} s CPU)",
            "",
            f"| canned query | rows | computed afresh (before) | keep (compute + write) "
            f"| first page ({page_size}), kept | next page | server work per listing "
            "interaction | CSV download first chunk, kept | whole CSV download, kept |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for qid, q in sorted(queries.items(), key=lambda kv: -kv[1]["rows"]):
            lines.append(
                f"| {qid} | {q['rows']:,} | {q['full'] * 1000:.1f} ms | {q['keep'] * 1000:.1f} ms "
                f"| {q['kept_first_page'] * 1000:.2f} ms | {q['kept_next_page'] * 1000:.2f} ms "
                f"| {q['kept_interaction'] * 1000:.2f} ms "
                f"| {(q.get('kept_download_first_chunk') or 0) * 1000:.1f} ms "
                f"| {q['kept_download'] * 1000:.1f} ms |"
            )
        lines.append("")
    if len(results) > 1:
        names = list(results)
        lines += ["Growth exponent k (time ∝ triples^k), answers kept:", "",
                  "| canned query | " + " | ".join(
                      f"first page kept {a} → {b} | interaction kept {a} → {b} "
                      f"| download first chunk kept {a} → {b}"
                      for a, b in itertools.pairwise(names)) + " |",
                  "|---|" + "---:|---:|---:|" * (len(names) - 1)]
        page = exponents(results, "kept_first_page")
        act = exponents(results, "kept_interaction")
        chunk = exponents(results, "kept_download_first_chunk")
        for qid in page:
            cells = []
            for i in range(len(names) - 1):
                cells += ["—" if v is None else f"{v:.2f}"
                          for v in (page[qid][i], act[qid][i], chunk[qid][i])]
            lines.append(f"| {qid} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def markdown(results: dict[str, dict], page_size: int) -> str:
    lines = []
    for name, size in results.items():
        if any("raw" not in q for q in size["queries"].values()):
            continue  # --kept-only: see kept_markdown
        lines += [
            f"### {name} ({size['triples']:,} quads; load average {size['load_before']} before, "
            f"{size['load_after']} after)",
            "",
            f"| canned query | rows | full answer | raw pyoxigraph | first page ({page_size}) "
            "| next page | server work per listing interaction | CSV download (first chunk) "
            "| CSV download before | full answer, wall |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for qid, q in sorted(size["queries"].items(), key=lambda kv: -kv[1]["rows"]):
            lines.append(
                f"| {qid} | {q['rows']:,} | {q['full'] * 1000:.1f} ms | {q['raw'] * 1000:.1f} ms "
                f"| {q['first_page'] * 1000:.1f} ms | {q['next_page'] * 1000:.1f} ms "
                f"| {q['interaction'] * 1000:.1f} ms | {q['download'] * 1000:.1f} ms "
                f"({(q.get('download_first_chunk') or 0) * 1000:.1f} ms) "
                f"| {q['download_before'] * 1000:.1f} ms | {q['full_wall'] * 1000:.1f} ms |"
            )
        lines.append("")
    if len(results) > 1 and all("raw" in q and q["raw"] for s in results.values()
                                for q in s["queries"].values()):
        names = list(results)
        pairs = [f"{a} → {b}" for a, b in itertools.pairwise(names)]
        full, raw = exponents(results, "full"), exponents(results, "raw")
        page = exponents(results, "first_page")
        download = exponents(results, "download")
        lines += [
            "Growth exponent k (time ∝ triples^k):",
            "",
            "| canned query | " + " | ".join(
                f"full {p} | raw {p} | first page {p} | download {p}" for p in pairs
            ) + " |",
            "|---|" + "---:|---:|---:|---:|" * len(pairs),
        ]

        def cell(k: float | None) -> str:
            return "—" if k is None else f"{k:.2f}"

        for qid in full:
            cells = []
            for i in range(len(pairs)):
                cells += [cell(full[qid][i]), cell(raw[qid][i]), cell(page[qid][i]),
                          cell(download[qid][i])]
            lines.append(f"| {qid} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", action="append", required=True, metavar="NAME=DIR",
                        help="a generated project, smallest first (repeat for several sizes)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per figure (default 3)")
    parser.add_argument("--page-size", type=int, default=100,
                        help="rows per page (default 100, as the explorer shows)")
    parser.add_argument("--only", nargs="*", help="these canned queries only")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    parser.add_argument("--full-and-raw-only", action="store_true",
                        help="time the full answer and raw pyoxigraph only (growth checks)")
    parser.add_argument("--kept-only", action="store_true",
                        help="time the full answer computed afresh and the answers kept on "
                        "disk only (keeping, first and next page, interaction, download)")
    parser.add_argument("--catalogue", type=Path, default=ROOT, metavar="DIR",
                        help="the project whose queries/ are run (default: this checkout; "
                        "give a project's folder to run the queries it holds)")
    args = parser.parse_args(argv)
    results: dict[str, dict] = {}
    for item in args.root:
        name, _, folder = item.partition("=")
        print(f"== {name}: {folder}", file=sys.stderr, flush=True)
        results[name] = measure(Path(folder), args.runs, args.page_size,
                                set(args.only) if args.only else None, args.catalogue,
                                args.full_and_raw_only, args.kept_only)
        if args.out:  # saved after every size: a run stopped half-way keeps what it measured
            args.out.write_text(json.dumps({
                "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "command": " ".join(sys.argv),
                "page_size": args.page_size,
                "catalogue": str(args.catalogue),
                "sizes": results,
            }, indent=1))
    print(markdown(results, args.page_size))
    print(kept_markdown(results, args.page_size))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

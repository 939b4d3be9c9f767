"""How soon does a question's whole answer start to arrive from the explorer, and how long does
the whole file take? (issue 19, item 3: "the full download streamed")

    .venv/bin/python bench/downloads.py --root DIR [--runs 3] [--only ID,ID] [--out FILE]

The explorer's server is started as ``collabkg explore`` starts it (``app/serve.py``, by
``tests/support/browser_chromium.streamlit_server``) on the project at ``--root``; one
download loads its graph first (timed apart). Then, for every canned question answered
without a choice, ``download/<id>.csv`` is read over HTTP as a browser reads it, ``--runs``
times: seconds to the first bytes of the body (the header), to the first 1,000 rows, and to
the end of the file, and the file's size and rows (checked against the answer's own rows).
With ``--lists``, the Collaborations and Organisations lists too (``download/list/…``, no
search or filter: every row), against their download button's ``to_csv()`` of the same
table.

*Before* is the way the explorer downloaded until this route: Streamlit's download button
ran ``download_frame(index, result).to_csv()`` on the click, over the answer the page had
already converted, and sent nothing until the whole file was made (and then from memory).
That making is timed here in this process, on the same answer, median of ``--runs``: the
least a person waited before the first byte, the send itself not counted.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from machine import describe, one_line

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.browser_chromium import APP, streamlit_server  # noqa: E402

ROWS_FIRST = 1000


def read_download(base: str, query_id: str) -> dict[str, float | int]:
    """One download of ``query_id``'s CSV (``list/<name>`` for a whole list): seconds to the
    first body bytes, to the first 1,000 rows and to the end; bytes and rows (the header not
    counted)."""
    where = urlsplit(base)
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=3600)
    started = time.perf_counter()
    connection.request("GET", f"/download/{query_id}.csv")
    response = connection.getresponse()
    if response.status != 200:
        raise RuntimeError(f"{query_id}: {response.status} {response.read()[:300]!r}")
    first = rows_at = None
    size = lines = 0
    body: list[bytes] = []
    while True:
        chunk = response.read1(65536)
        if not chunk:
            break
        now = time.perf_counter()
        if first is None:
            first = now
        size += len(chunk)
        body.append(chunk)
        lines += chunk.count(b"\n")  # a row may hold a newline in a quoted cell: rows checked below
        if rows_at is None and lines > ROWS_FIRST:
            rows_at = now
    ended = time.perf_counter()
    connection.close()
    assert first is not None
    return {
        "first_bytes_s": first - started,
        "first_1000_rows_s": (rows_at if rows_at is not None else ended) - started,
        "whole_s": ended - started,
        "bytes": size,
        "rows": len(list(csv.reader(io.StringIO(b"".join(body).decode("utf-8"))))) - 1,
    }


def before(root: Path, runs: int, only: set[str] | None) -> dict[str, dict[str, float | int]]:
    """The whole CSV made as the download button made it, per question (median seconds)."""
    from collabkg.catalogue import Catalogue
    from collabkg.graph import KnowledgeGraph
    from collabkg.results import QueryResult

    graph = KnowledgeGraph.from_files(root)
    out: dict[str, dict[str, float | int]] = {}
    for query in Catalogue.load(root):
        if query.params and any(s.required or s.picks_an_item for s in query.params):
            continue
        if only and query.id not in only:
            continue
        names, rows = graph.select_rows(query.text, query.bind({}))
        result = query.ordered(QueryResult(names, list(rows)))
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            made = result.to_dataframe(graph, with_iris=True).to_csv(index=False).encode("utf-8")
            times.append(time.perf_counter() - started)
        out[query.id] = {
            "made_s": statistics.median(times),
            "rows": len(result),
            "bytes": len(made),
        }
    return out


def lists_before(root: Path, runs: int) -> dict[str, dict[str, float | int]]:
    """The Collaborations and Organisations lists' whole CSV made as their download button
    made it (``entity_table(...).to_csv()``), median seconds."""
    from collabkg.explorer import entity_table, index_for
    from collabkg.graph import KnowledgeGraph

    index, _keep = index_for(KnowledgeGraph.from_files(root))
    out: dict[str, dict[str, float | int]] = {}
    for name, kind in (("collaborations", "collaboration"), ("organisations", "organisation")):
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            table = entity_table(index, kind)  # type: ignore[arg-type]
            made = table.drop(columns=["iri", "link"]).to_csv(index=False).encode("utf-8")
            times.append(time.perf_counter() - started)
        out[f"list/{name}"] = {
            "made_s": statistics.median(times),
            "rows": len(table),
            "bytes": len(made),
        }
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, required=True, help="the project to serve")
    parser.add_argument("--runs", type=int, default=3, help="downloads per question (median)")
    parser.add_argument("--only", help="these questions only (ids, comma-separated)")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    parser.add_argument(
        "--lists", action="store_true", help="also the Collaborations and Organisations lists"
    )
    args = parser.parse_args(argv)
    only = set(args.only.split(",")) if args.only else None

    print(one_line(describe()), file=sys.stderr, flush=True)
    made = before(args.root, args.runs, only)
    if args.lists:
        made.update(lists_before(args.root, args.runs))
    results: dict[str, object] = {}
    with (
        tempfile.TemporaryDirectory() as logs,
        streamlit_server(APP, args.root, Path(logs) / "explorer.log") as base,
    ):
        started = time.perf_counter()
        read_download(base, "sources")
        load_s = time.perf_counter() - started
        print(f"graph loaded by the first download: {load_s:.1f} s", file=sys.stderr, flush=True)
        for query_id, was in made.items():
            runs = [read_download(base, query_id) for _ in range(args.runs)]
            figures = {
                key: statistics.median(float(r[key]) for r in runs)
                for key in ("first_bytes_s", "first_1000_rows_s", "whole_s")
            }
            if any(r["rows"] != was["rows"] for r in runs):
                raise SystemExit(f"{query_id}: the file's rows differ from the answer's")
            results[query_id] = {**figures, "bytes": runs[-1]["bytes"], "before": was}
            print(
                f"{query_id}: {was['rows']} rows; first bytes {figures['first_bytes_s']:.3f} s, "
                f"first 1,000 rows {figures['first_1000_rows_s']:.3f} s, whole "
                f"{figures['whole_s']:.3f} s; before: {was['made_s']:.3f} s made before sending",
                file=sys.stderr,
                flush=True,
            )
    report = {
        "machine": describe(),
        "root": str(args.root),
        "runs": args.runs,
        "graph_load_s": load_s,
        "questions": results,
    }
    if args.out:
        args.out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(markdown(report))


def markdown(report: dict[str, object]) -> str:
    lines = [
        "| canned query | rows | first bytes | first 1,000 rows | whole file | MB | before: "
        "whole file made before the first byte |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    questions = report["questions"]
    assert isinstance(questions, dict)
    for query_id, got in sorted(questions.items(), key=lambda kv: -kv[1]["before"]["rows"]):
        was = got["before"]
        lines.append(
            f"| {query_id} | {was['rows']:,} | {got['first_bytes_s'] * 1000:.0f} ms | "
            f"{got['first_1000_rows_s'] * 1000:.0f} ms | {got['whole_s'] * 1000:.0f} ms | "
            f"{got['bytes'] / 1e6:.2f} | {was['made_s'] * 1000:.0f} ms |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()

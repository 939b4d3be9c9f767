"""How much of a listing's engine time is its ORDER BY, and does the rest grow with the data?

    .venv/bin/python bench/order_share.py --root 1M=DIR --root 3M=DIR [--only ID,ID] [--out FILE]

For each canned listing whose ORDER BY Python can reproduce (``collabkg.answer_order``), raw
pyoxigraph on the project's files (``KnowledgeGraph.from_files``), CPU seconds of the
process, median of 3 after a warm-up: the query as written; the same text without its ORDER
BY (the joins alone); and that answer sorted in Python by the query's own order (the rows
checked equal to the engine's ordered answer). With two sizes, the growth exponent k (time
∝ triples^k) of each. The question it answers: would sorting outside the engine bring a
listing's growth from 1M to 3M within 1.1 (issue 19, item 3)?
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from machine import describe, one_line

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LISTINGS = (
    "funding-at-risk,funding-by-mechanism,collaborations-by-structure-type,"
    "cross-sector-collaborations,accountability-gaps,recommendations,"
    "organisations-in-many-collaborations"
)


def cpu(run: Callable[[], object]) -> tuple[float, object]:
    """Median CPU seconds of 3 runs after a warm-up, and the last run's result."""
    times: list[float] = []
    result: object = None
    for _ in range(4):
        started = time.process_time()
        result = run()
        times.append(time.process_time() - started)
    return statistics.median(times[1:]), result


def measure(root: Path, only: set[str]) -> dict[str, dict[str, object]]:
    from run import _catalogue_queries  # bench/run.py: parameters chosen the same way

    from collabkg.answer_order import key_of, order_spec
    from collabkg.answers import encode_rows
    from collabkg.graph import KnowledgeGraph
    from collabkg.terms import PREFIXES

    graph = KnowledgeGraph.from_files(root)
    store = graph.backend.store  # type: ignore[attr-defined]
    out: dict[str, dict[str, object]] = {"_triples": {"count": len(store)}}
    for query_id, text, _bindings in _catalogue_queries(root, graph, catalogue_root=ROOT):
        if query_id not in only:
            continue
        ending = re.search(r"\nORDER BY[^{}]*$", text)
        if ending is None:
            continue
        joins_only = text[: ending.start()] + "\n"
        names: list[str] = []

        def rows(query: str, names: list[str] = names) -> list[tuple[object, ...]]:
            solutions = store.query(query, use_default_graph_as_union=True, prefixes=dict(PREFIXES))
            names[:] = [v.value for v in solutions.variables]
            return [tuple(solution) for solution in solutions]

        ordered_s, ordered = cpu(lambda text=text: rows(text))
        joins_s, _ = cpu(lambda query=joins_only: rows(query))
        spec = order_spec(text, names)
        if spec is None:
            print(f"{query_id}: its order is not one Python reproduces", file=sys.stderr)
            continue

        def sorted_here(query: str = joins_only, spec: object = spec) -> object:
            encoded = encode_rows(rows(query))
            assert encoded is not None
            encoded.sort(key=key_of(spec))  # type: ignore[arg-type]
            return encoded

        python_s, by_python = cpu(sorted_here)
        if by_python != encode_rows(ordered):  # type: ignore[arg-type]
            raise SystemExit(f"{query_id}: sorted here, the rows differ from the engine's order")
        out[query_id] = {
            "rows": len(ordered),  # type: ignore[arg-type]
            "ordered_s": ordered_s,
            "joins_only_s": joins_s,
            "sorted_in_python_s": python_s,
        }
        print(
            f"{query_id}: {len(ordered)} rows; ordered {ordered_s * 1000:.0f} ms, joins only "  # type: ignore[arg-type]
            f"{joins_s * 1000:.0f} ms, sorted in Python {python_s * 1000:.0f} ms",
            file=sys.stderr,
            flush=True,
        )
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", action="append", required=True, metavar="NAME=DIR")
    parser.add_argument("--only", default=LISTINGS, help="canned listings (ids, comma-separated)")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    args = parser.parse_args(argv)
    print(one_line(describe()), file=sys.stderr, flush=True)
    sizes: dict[str, dict[str, dict[str, object]]] = {}
    for spec in args.root:
        name, folder = spec.split("=", 1)
        sizes[name] = measure(Path(folder), set(args.only.split(",")))
    lines = [
        "| canned query | k ordered | k joins only | k sorted in Python |",
        "|---|---:|---:|---:|",
    ]
    names = list(sizes)
    for first, second in itertools.pairwise(names):
        a, b = sizes[first], sizes[second]
        ratio = math.log(float(b["_triples"]["count"]) / float(a["_triples"]["count"]))  # type: ignore[arg-type]
        for query_id in b:
            if query_id.startswith("_") or query_id not in a:
                continue
            cells = [
                f"{math.log(float(b[query_id][key]) / float(a[query_id][key])) / ratio:.2f}"  # type: ignore[arg-type]
                for key in ("ordered_s", "joins_only_s", "sorted_in_python_s")
            ]
            lines.append(f"| {query_id} ({first} → {second}) | " + " | ".join(cells) + " |")
    if args.out:
        args.out.write_text(json.dumps({"machine": describe(), "sizes": sizes}, indent=1))
    print("\n".join(lines))


if __name__ == "__main__":
    main()

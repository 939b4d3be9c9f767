"""Listings after one changed case file: what a person waits for when answers are kept.

    .venv/bin/python bench/listings_change.py --root /work/data19l/1M --out RESULT.json

The project is validated (``collabkg validate``: what each file names is kept by content, as
after any ``collabkg query`` or explorer start), its graph is loaded
(``KnowledgeGraph.from_files``), every canned listing without parameters is computed afresh
(the answers kept before are removed) and kept on disk, then asked again by a new graph (read
from disk), then ONE case file is changed and the graph is loaded again, as the next
``collabkg query`` or explorer start would. ``--change``:
``comment`` (a comment line put on top: the content identity changes, the triples do not),
``label`` (a collaboration renamed), ``source`` (the case's statements moved from the
source it cites to another: statements removed and added, each of a source many cases cite),
``added`` (a copy of a case under new IDs) or ``deleted``. Timed, in CPU seconds of this
process (the load average beside them):

- ``identity``: telling the content identity of the files (twice per load);
- ``after change, first page``: the first page of each listing right after the change: the
  answer kept for the old content is brought up to date for the items the change reaches
  (:mod:`collabkg.answer_update`) or, where that cannot be followed, computed afresh; the
  answer is kept for the new content either way (``updated`` says which, per listing);
- ``after change, next ask``: the same page asked again by a new process (the answer now
  read from disk);
- ``reverted, first page``: the file put back as it was; the answers kept for that content
  are read again (nothing recomputed);
- with ``--again``, ``second change, first page``: before the revert, another case file's
  collaboration renamed, as when an academic goes on editing: the answers the first change
  made are brought up to date in turn (an answer an update made need not have its every
  row keyed again to check its order).

The file is restored at the end (also on an error).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def _cpu(call) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    started = time.process_time()
    answer = call()
    return time.process_time() - started, answer


def main(argv: list[str] | None = None) -> int:
    from collabkg.answers import content_identity
    from collabkg.catalogue import Catalogue
    from collabkg.graph import KnowledgeGraph
    from collabkg.paths import ProjectPaths

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--change", choices=["comment", "label", "source", "added", "deleted"], default="comment"
    )
    parser.add_argument(
        "--again", action="store_true", help="a second change (a label) before the revert"
    )
    parser.add_argument(
        "--pick", type=int, help="which case file to change, by its place (default: the middle)"
    )
    args = parser.parse_args(argv)
    import collabkg.answer_update as answer_update
    from collabkg.validate.cached import validate

    real_update = answer_update.updated_answer
    made: list[bool] = []

    def counted(**kwargs: object) -> object:
        answer = real_update(**kwargs)  # type: ignore[arg-type]
        made.append(answer is not None)
        return answer

    answer_update.updated_answer = counted  # type: ignore[assignment]
    root: Path = args.root
    listings = [(q.id, q.text) for q in Catalogue.load(ROOT) if not q.params and not q.internal]
    project = ProjectPaths.discover(root)
    files = project.graph_files()
    cases = sorted((root / "data").rglob("*.ttl"))
    victim = cases[args.pick if args.pick is not None else len(files) // 2]
    original = victim.read_bytes()
    second = cases[(cases.index(victim) + 1) % len(cases)]
    second_original = second.read_bytes()
    out: dict = {
        "root": str(root),
        "changed": str(victim.relative_to(root)),
        "change": args.change,
        "queries": {},
    }
    added = victim.with_name(f"added-by-bench-{time.time_ns()}.ttl")

    def change() -> None:
        text = original.decode("utf-8")
        if args.change == "comment":
            victim.write_bytes(b"# changed by bench/listings_change.py\n" + original)
        elif args.change == "label":
            victim.write_text(
                re.sub(
                    r'"Synthetic partnership (\d+)"',
                    rf'"Synthetic partnership \1, renamed {time.time_ns()}"',
                    text,
                ),
                encoding="utf-8",
            )
        elif args.change == "source":
            cited = re.search(r"ckd:syn-src-(\d+)\b", text)
            assert cited is not None, victim
            number = int(cited.group(1))  # sources are numbered from 0: another one
            other = f"ckd:syn-src-{number - 1 if number else 1}"
            victim.write_text(
                re.sub(re.escape(cited.group(0)) + r"\b", other, text), encoding="utf-8"
            )
        elif args.change == "added":
            stem = added.stem
            text = re.sub(r"ckd:case-syn-case-\d+", f"ckd:case-{stem}", text)
            text = re.sub(r"ckd:syn-(\w+)-(\d+)", rf"ckd:syn-\1-\2-{stem}", text)
            text = re.sub(
                r"ckd:syn-(org|place|src)-(\d+)-" + re.escape(stem), r"ckd:syn-\1-\2", text
            )
            added.write_text(text, encoding="utf-8")
        else:
            victim.unlink()

    def pages(graph: KnowledgeGraph, label: str) -> None:
        for qid, text in listings:
            graph._answers.clear()
            made.clear()
            cpu, page = _cpu(lambda text=text: graph.select_page(text, size=args.page_size))
            out["queries"].setdefault(qid, {})[label] = cpu
            out["queries"][qid]["rows"] = page.total  # type: ignore[attr-defined]
            if label in ("after_change_first_page", "second_change_first_page"):
                out["queries"][qid]["updated" if label.startswith("after") else "updated_again"] = (
                    any(made)
                )

    try:
        out["load_before"] = [round(x, 2) for x in os.getloadavg()]
        validate(root=root)
        # every answer computed afresh by this version of the code, as in use (answers kept
        # by an earlier version carry no plan or order state of this one: each would be
        # read again at the first change, 0.1-0.3 s a listing, once)
        shutil.rmtree(root / ".collabkg-cache" / "answers", ignore_errors=True)
        with KnowledgeGraph.from_files(root) as graph:
            pages(graph, "computed_before_change")
        with KnowledgeGraph.from_files(root) as graph:
            pages(graph, "kept_before_change")
        change()
        out["identity"], _ = _cpu(lambda: content_identity(project, files))
        validate(root=root)  # as the next ``collabkg query`` or explorer start does
        started = time.perf_counter()
        with KnowledgeGraph.from_files(root) as graph:
            out["load_seconds_wall"] = time.perf_counter() - started
            pages(graph, "after_change_first_page")
        with KnowledgeGraph.from_files(root) as graph:
            pages(graph, "after_change_next_ask")
        if args.again:
            second.write_text(
                re.sub(
                    r'"Synthetic partnership (\d+)"',
                    rf'"Synthetic partnership \1, renamed {time.time_ns()}"',
                    second_original.decode("utf-8"),
                ),
                encoding="utf-8",
            )
            validate(root=root)
            with KnowledgeGraph.from_files(root) as graph:
                pages(graph, "second_change_first_page")
    finally:
        victim.write_bytes(original)
        second.write_bytes(second_original)
        added.unlink(missing_ok=True)
    with KnowledgeGraph.from_files(root) as graph:
        pages(graph, "reverted_first_page")
    out["load_after"] = [round(x, 2) for x in os.getloadavg()]
    labels: tuple[str, ...] = (
        "computed_before_change",
        "kept_before_change",
        "after_change_first_page",
        "after_change_next_ask",
        "reverted_first_page",
    )
    if args.again:
        labels += ("second_change_first_page",)
    lines = [
        f"Changed ({args.change}) {out['changed']}; load average {out['load_before']} before, "
        f"{out['load_after']} after; content identity {out['identity'] * 1000:.0f} ms CPU.",
        "",
        "| canned query | rows | first page, computed afresh | first page, kept "
        "| after one change: first page "
        "| after one change: next ask | reverted: first page"
        + (" | second change: first page" if args.again else "")
        + " | brought up to date |",
        "|---|---:|---:|---:|---:|---:|---:|" + ("---:|" if args.again else "") + "---|",
    ]
    total = dict.fromkeys(labels, 0.0)
    for qid, q in sorted(out["queries"].items(), key=lambda kv: -kv[1]["rows"]):
        for label in labels:
            total[label] += q[label]
        lines.append(
            f"| {qid} | {q['rows']:,} | "
            + " | ".join(f"{q[label] * 1000:.1f} ms" for label in labels)
            + f" | {'yes' if q.get('updated') else 'no'}"
            + (f", {'yes' if q.get('updated_again') else 'no'}" if args.again else "")
            + " |"
        )
    lines.append(
        "| all listings | | "
        + " | ".join(f"{total[label]:.2f} s" for label in labels)
        + f" | {sum(1 for q in out['queries'].values() if q.get('updated'))} |"
    )
    print("\n".join(lines))
    if args.out:
        args.out.write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

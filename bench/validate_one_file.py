"""How long does `collabkg validate data/cases/ONE.ttl` take against the full seed graph?

    .venv/bin/python bench/validate_one_file.py [CASE_FILE] [--runs 5] [--json]

Two figures, each the median of ``--runs`` runs (target: under 2 s):

- **in-process**: ``collabkg.validate.validate([file])`` after one warm-up run (imports and
  the shapes graph already loaded) — what the pre-commit hook and the explorer pay per check;
- **command**: the whole ``collabkg validate FILE`` command in a fresh process (Python start,
  imports, parse, vocabulary, SHACL, report) — what an academic waits for.

The machine (CPU, cores, memory, Python) is printed with the figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from machine import describe, one_line

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 2.0



def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=None, help="case file (default: the largest)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    from collabkg.paths import ProjectPaths
    from collabkg.validate import validate

    project = ProjectPaths.discover(ROOT)
    cases = sorted((project.data / "cases").glob("*.ttl"))
    if not cases:
        print("no case files under data/cases/", file=sys.stderr)
        return 2
    target = Path(args.file) if args.file else max(cases, key=lambda p: p.stat().st_size)

    report = validate([target], root=project.root)  # warm-up: imports, shapes graph
    in_process = []
    for _ in range(args.runs):
        started = time.perf_counter()
        report = validate([target], root=project.root)
        in_process.append(time.perf_counter() - started)

    command = [
        str(Path(sys.executable).parent / "collabkg"),
        "--root",
        str(project.root),
        "validate",
        str(target),
    ]
    if not Path(command[0]).exists():
        command = [sys.executable, "-m", "collabkg", *command[1:]]
    whole = []
    for _ in range(args.runs):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=False)
        whole.append(time.perf_counter() - started)

    figures = {
        "file": project.relative(target),
        "file_bytes": target.stat().st_size,
        "graph_files": report.context_files,
        "runs": args.runs,
        "in_process_median_s": round(statistics.median(in_process), 3),
        "command_median_s": round(statistics.median(whole), 3),
        "target_s": TARGET_S,
        "issues": report.counts(),
        "machine": describe(),
    }
    if args.json:
        print(json.dumps(figures, indent=2))
    else:
        m = figures["machine"]
        print(
            f"validate one file: {figures['file']} ({figures['file_bytes']} bytes) against "
            f"{figures['graph_files']} graph files"
        )
        print(f"  in-process  median of {args.runs}: {figures['in_process_median_s']:.2f} s")
        print(
            f"  command     median of {args.runs}: {figures['command_median_s']:.2f} s "
            f"(target < {TARGET_S:.0f} s)"
        )
        print(f"  machine: {one_line(m)}")
    return 0 if figures["command_median_s"] < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())

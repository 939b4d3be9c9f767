"""What one edited, added or deleted file costs the next command, in a generated project.

    python bench/generate.py --size 1M --out /work/gen1M
    collabkg validate                   # once, in that project: the whole-project report
    python bench/incremental.py --root /work/gen1M --runs 3 [--command validate|query|explorer]

For each of ``collabkg validate``, ``collabkg query sources`` and the explorer's start (a
whole command, in a fresh process, as a person waits for it: start-up, validation, and for
the query the load and the answer; for the explorer Streamlit's run of the home page, the
graph validated, loaded and counted, as ``AppTest`` serves it) the wall time and the CPU
time are measured

- with nothing changed (the report is found in .collabkg-cache/ by the files' content);
- after one case file was edited (a label changed), a case file added (a copy of a case under
  new IDs) or a case file deleted, a source renamed in data/sources.ttl (a source many cases
  quote) or a source added there: a different change each run, so that no report is cached.

Every change is undone after its run. Prints the median, minimum and maximum of ``--runs``
runs and the largest peak memory (resident set of the command's process), with the machine's
load average beside each (the machine may be shared); ``--out FILE`` saves them (JSON, with
the machine) under e.g. ``bench/results/``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app" / "streamlit_app.py"
EXPLORER_START = f"""
import os, sys, time
from streamlit.testing.v1 import AppTest
app = AppTest.from_file({str(APP)!r}, default_timeout=1800)
app.run()
drawn = time.monotonic()
if app.exception or app.error:
    print([e.value for e in app.exception] + [e.value for e in app.error], file=sys.stderr)
    sys.exit(3)
print(f"drawn {{drawn!r}}", flush=True)
import threading
for thread in threading.enumerate():
    if thread.name.startswith("collabkg-keep"):
        thread.join()
"""
"""The explorer's start as a person waits for it, in a fresh process: Streamlit's script
run of the first page (the home page: the graph validated and loaded, its counts), served
(AppTest, no browser); fails when the page shows an error. It prints when the page was
drawn: after that, the explorer saves the last valid graph, keeps the listings' answers and
keeps its index (``app/state.py``, ``app/ui.py``) in background threads, which a person does
not wait for but which the process's end (and its CPU time) includes: the process waits for
them, as a server that goes on serving would finish them (before the sixteenth session it
did not, and the threads were cut short at its exit)."""

COMMANDS = {
    "validate": ["-m", "collabkg", "validate", "--format", "json"],
    "query": ["-m", "collabkg", "query", "sources", "--format", "csv"],
    "explorer": ["-c", EXPLORER_START],
}


PEAKS: list[int] = []
"""Peak resident memory (KB) of each command timed, in order."""
DRAWN: list[float | None] = []
"""Seconds from the command's start until its page was drawn (the explorer; else None)."""
CPU: list[float] = []
"""CPU time (user + system, seconds) of each command timed, in order: on a shared machine
a steadier figure than the wall time."""


def _timed(root: Path, command: list[str]) -> float:
    env = dict(os.environ, COLLABKG_HOME=str(root))
    # as installed: modules compiled once, not on every run (a shell with this set made
    # each command compile ~50 modules again, 0.17 s, more on the incremental path)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    started = time.monotonic()  # the clock the explorer's "drawn" is read on
    with (
        tempfile.TemporaryFile() as said,
        subprocess.Popen(
            [sys.executable, *command],
            env=env,
            cwd=root,
            stdout=said,
            stderr=subprocess.PIPE,
        ) as process,
    ):
        assert process.stderr is not None
        errors = process.stderr.read()
        _pid, status, usage = os.wait4(process.pid, 0)  # reaped here: its resource usage
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - started
        said.seek(0)
        out = said.read()
    marks = re.findall(rb"^drawn ([0-9.]+)$", out, flags=re.MULTILINE)
    DRAWN.append(float(marks[-1]) - started if marks else None)
    PEAKS.append(usage.ru_maxrss)
    CPU.append(usage.ru_utime + usage.ru_stime)
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)[:200]} failed: {errors.decode()[-2000:]}")
    return seconds


def _cases(root: Path) -> list[Path]:
    return sorted((root / "data" / "cases").rglob("syn-case-*.ttl"))


OFFSET = time.time_ns() % 1000
"""Where this invocation's files to edit and delete start: another invocation edits and
deletes other files, so that no state was validated (and its report cached) before."""


def _edit(root: Path, run: int) -> Callable[[], None]:
    """Change the label of one case's collaboration; returns how to undo it."""
    path = _cases(root)[100 + OFFSET + run]
    before = path.read_bytes()
    text = before.decode("utf-8")
    mark = f"{run}-{time.time_ns()}"
    path.write_text(
        re.sub(r'"Synthetic partnership (\d+)"', rf'"Synthetic partnership \1, {mark}"', text),
        encoding="utf-8",
    )
    return lambda: path.write_bytes(before)


def _add(root: Path, run: int) -> Callable[[], None]:
    """A new case file: a copy of a case under new IDs."""
    source = _cases(root)[200 + run]
    text = source.read_text(encoding="utf-8")
    stem = f"added-case-{run}-{time.time_ns()}"
    text = re.sub(r"ckd:case-syn-case-\d+", f"ckd:case-{stem}", text)
    text = re.sub(r"ckd:syn-(\w+)-(\d+)", rf"ckd:syn-\1-\2-{stem}", text)
    text = re.sub(r"ckd:syn-(org|place|src)-(\d+)-" + re.escape(stem), r"ckd:syn-\1-\2", text)
    path = source.parent / f"{stem}.ttl"
    path.write_text(text, encoding="utf-8")
    return path.unlink


def _delete(root: Path, run: int) -> Callable[[], None]:
    """Delete one case file (put back afterwards)."""
    path = _cases(root)[1300 + OFFSET + run]
    before = path.read_bytes()
    path.unlink()
    return lambda: path.write_bytes(before)


def _rename_source(root: Path, run: int) -> Callable[[], None]:
    """Change the name of one source in data/sources.ttl (a source that many cases quote:
    every source of the generated data is); returns how to undo it."""
    path = root / "data" / "sources.ttl"
    before = path.read_bytes()
    text = before.decode("utf-8")
    names = list(re.finditer(r'rdfs:label "([^"]+)"', text))
    name = names[(OFFSET + run) % len(names)]
    mark = f"{run}-{time.time_ns()}"
    path.write_text(text[: name.end(1)] + f", {mark}" + text[name.end(1) :], encoding="utf-8")
    return lambda: path.write_bytes(before)


def _add_source(root: Path, run: int) -> Callable[[], None]:
    """A new source at the end of data/sources.ttl (as an academic adds one before the case
    that cites it); returns how to undo it."""
    path = root / "data" / "sources.ttl"
    before = path.read_bytes()
    stem = f"added-src-{run}-{time.time_ns()}"
    path.write_text(
        before.decode("utf-8")
        + f'\nckd:{stem} a ck:Report ;\n    rdfs:label "An added report {run}" ;\n'
        + f'    dcterms:title "An added report {run}" .\n',
        encoding="utf-8",
    )
    return lambda: path.write_bytes(before)


SHIFT = {"validate": 0, "query": 50, "explorer": 25}
"""Each command edits and deletes other files than the others (no state validated before)."""

CHANGES: dict[str, Callable[[Path, int], Callable[[], None]]] = {
    "one case file edited": _edit,
    "one case file added": _add,
    "one case file deleted": _delete,
    "a source renamed": _rename_source,
    "a source added": _add_source,
}
"""Each a change to one file; the last two to data/sources.ttl, which every case cites."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, help="save the figures here (JSON)")
    parser.add_argument(
        "--command", choices=sorted(COMMANDS), action="append", help="only this one (repeatable)"
    )
    args = parser.parse_args(argv)
    root = args.root.resolve()
    saved: dict[str, object] = {"root": str(root), "runs": args.runs, "figures": []}
    try:
        from machine import describe  # bench/machine.py, beside this script

        saved["machine"] = describe()
    except ImportError:
        pass
    for name, command in COMMANDS.items():
        if args.command and name not in args.command:
            continue
        _timed(root, command)  # the report for this command's file set, cached
        rows: list[tuple[str, list[float], list[float], list[int], list[float], list]] = []
        times, loads, peaks, cpus, drawn = [], [], [], [], []
        for _ in range(args.runs):
            loads.append(os.getloadavg()[0])
            times.append(_timed(root, command))
            peaks.append(PEAKS[-1])
            cpus.append(CPU[-1])
            drawn.append(DRAWN[-1])
        rows.append(("nothing changed", times, loads, peaks, cpus, drawn))
        for change, apply in CHANGES.items():
            times, loads, peaks, cpus, drawn = [], [], [], [], []
            for run in range(args.runs):
                undo = apply(root, run + SHIFT[name])
                try:
                    loads.append(os.getloadavg()[0])
                    times.append(_timed(root, command))
                    peaks.append(PEAKS[-1])
                    cpus.append(CPU[-1])
                    drawn.append(DRAWN[-1])
                    print(f"  {name} after {change}: {times[-1]:.2f} s", flush=True)
                finally:
                    undo()
                _timed(root, command)  # the files as they were: the next change is the only one
            rows.append((change, times, loads, peaks, cpus, drawn))
        for what, times, loads, peaks, cpus, drawn in rows:
            shown = [d for d in drawn if d is not None]
            print(
                f"{name:9} {what:26} median {statistics.median(times):6.2f} s "
                f"(min {min(times):.2f}, max {max(times):.2f}; CPU median "
                f"{statistics.median(cpus):.2f} s; peak {max(peaks) / 1024:.0f} MB; "
                f"load {min(loads):.1f}-{max(loads):.1f})"
                + (
                    f"; page drawn after {statistics.median(shown):.2f} s "
                    f"(min {min(shown):.2f}, max {max(shown):.2f})"
                    if shown
                    else ""
                ),
                flush=True,
            )
            saved["figures"].append(  # type: ignore[union-attr]
                {
                    "command": name,
                    "case": what,
                    "seconds": times,
                    "median": statistics.median(times),
                    "cpu_seconds": cpus,
                    "cpu_median": statistics.median(cpus),
                    "peak_mb": round(max(peaks) / 1024),
                    "load": loads,
                    **(
                        {"drawn_seconds": shown, "drawn_median": statistics.median(shown)}
                        if shown
                        else {}
                    ),
                }
            )
        if args.out:
            args.out.write_text(json.dumps(saved, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

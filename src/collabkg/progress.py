"""Progress on a terminal for long-running commands (validate, export, publish, bench).

One line on stderr, rewritten in place, only when stderr is a terminal (never in pipes, CI
logs or tests)::

    with Progress.start("Checking files") as progress:
        progress.stage("parsing", total=len(files))
        for path in files:
            ...
            progress.advance()
        progress.stage("SHACL shapes")

A command makes its Progress the *current* one (``with use(progress):``) so that code deep
below (the validation engine, the graph loader) reports into it without being passed it.

``COLLABKG_PROGRESS=0`` turns it off; ``=1`` forces it on (e.g. to see it through ``tee``).
A disabled Progress accepts every call and prints nothing. ``COLLABKG_TIMINGS=1`` prints the
time each stage took when the work is done (for benchmarks), terminal or not.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import sys
import time
from collections.abc import Iterator
from types import TracebackType
from typing import TextIO

ENV_PROGRESS = "COLLABKG_PROGRESS"
ENV_TIMINGS = "COLLABKG_TIMINGS"
_MIN_INTERVAL_S = 0.1


def progress_enabled(stream: TextIO | None = None) -> bool:
    setting = os.environ.get(ENV_PROGRESS, "").strip()
    if setting == "0":
        return False
    if setting == "1":
        return True
    stream = stream if stream is not None else sys.stderr
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Progress:
    """A one-line progress display: a label, a stage, a count and the time spent."""

    def __init__(self, label: str, *, stream: TextIO | None = None, enabled: bool | None = None):
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = progress_enabled(self.stream) if enabled is None else enabled
        self.label = label
        self.started = time.monotonic()
        self._stage = ""
        self._done = 0
        self._total: int | None = None
        self._shown = 0.0
        self._width = 0
        self._stage_started = self.started
        self.timings: list[tuple[str, float]] = []
        """(stage, seconds) of every finished stage."""
        self._report = os.environ.get(ENV_TIMINGS, "").strip() not in ("", "0")

    @classmethod
    def start(cls, label: str, *, stream: TextIO | None = None) -> Progress:
        return cls(label, stream=stream)

    @classmethod
    def disabled(cls) -> Progress:
        """Prints nothing (but still reports timings when ``COLLABKG_TIMINGS`` is set)."""
        return cls("", enabled=False)

    # ------------------------------------------------------------------ updates

    def stage(self, name: str, total: int | None = None) -> None:
        """Start a new stage (``total``: how many steps it has, if known)."""
        self._end_stage()
        self._stage = name
        self._done = 0
        self._total = total
        self._draw(force=True)

    def advance(self, steps: int = 1) -> None:
        self._done += steps
        self._draw()

    def set_total(self, total: int | None) -> None:
        self._total = total
        self._draw()

    def close(self) -> None:
        """Clear the line (what was printed is a display, not a log)."""
        self._end_stage()
        if self.enabled and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0
        if self._report and self.timings:
            parts = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in self.timings)
            self.stream.write(f"{self.label or 'timings'}: {parts}\n")
            self.stream.flush()
            self.timings = []

    def _end_stage(self) -> None:
        now = time.monotonic()
        if self._stage:
            self.timings.append((self._stage, now - self._stage_started))
        self._stage = ""
        self._stage_started = now

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ drawing

    def text(self) -> str:
        elapsed = time.monotonic() - self.started
        parts = [self.label]
        if self._stage:
            parts.append(f"— {self._stage}")
        if self._total:
            percent = min(100, int(100 * self._done / self._total))
            parts.append(f"{self._done:,}/{self._total:,} ({percent}%)")
        elif self._done:
            parts.append(f"{self._done:,}")
        parts.append(f"{elapsed:.0f} s")
        return " ".join(parts)

    def _draw(self, *, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._shown < _MIN_INTERVAL_S:
            return
        self._shown = now
        line = self.text()
        try:
            columns = os.get_terminal_size(self.stream.fileno()).columns
        except (OSError, AttributeError, ValueError):
            columns = 100
        line = line[: max(10, columns - 1)]
        pad = max(0, self._width - len(line))
        self.stream.write("\r" + line + " " * pad)
        self.stream.flush()
        self._width = len(line)


_CURRENT: contextvars.ContextVar[Progress | None] = contextvars.ContextVar(
    "collabkg_progress", default=None
)


def current() -> Progress | None:
    """The Progress of the command running, if it set one (see :func:`use`)."""
    return _CURRENT.get()


def forget_current() -> None:
    """No progress is current from now on in this context (a forked worker: its parent
    owns the terminal's progress line)."""
    _CURRENT.set(None)


@contextlib.contextmanager
def use(progress: Progress) -> Iterator[Progress]:
    """Make ``progress`` the current one while the block runs."""
    token = _CURRENT.set(progress)
    try:
        yield progress
    finally:
        _CURRENT.reset(token)


__all__ = [
    "ENV_PROGRESS",
    "ENV_TIMINGS",
    "Progress",
    "current",
    "forget_current",
    "progress_enabled",
    "use",
]

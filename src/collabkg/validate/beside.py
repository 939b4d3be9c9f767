"""The project's validation, run by a forked worker beside the load of its graph.

Opening the graph used to validate the files, then parse them into the engine: at 1M
triples on a 2-core machine the load costs about 6 s and the validation 0.6 s when nothing
changed (the report is remembered) or 2–3 s after one file changed (the files the change
can affect are checked). Neither needs the other until the end: the graph is handed out
only once the report has no violations. :func:`start` forks a worker that validates
(:func:`~collabkg.validate.cached.validate_graph_files`) while the caller loads;
:meth:`Beside.report` waits for its report. The store loaded beside is never handed out
before the report says the files are valid (:func:`collabkg.project.load_graph`).

**Memory.** Just before a run that checks every file (nothing remembered, no incremental
base, or too many files changed) the worker tells the caller, which stops loading and
frees its partial store (:meth:`Beside.full_run_started`, the ``stop`` test of the load):
a full validation and a full store at once would not fit at 10M triples (6.5 GB + about
4 GB), so those two run one after the other, as without a worker.

**Only where it is safe:** Linux (``os.fork``), a process with one thread (a fork of a
process with several may leave the child waiting on a lock another thread held: the
explorer validates in its own process), and :data:`ENV` not ``0``. When anything goes
wrong with the worker (it dies, its answer cannot be read, it raised) the validation runs
again in this process, whose errors are raised from there, located as ever.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path

from collabkg.paths import ProjectPaths
from collabkg.validate.cached import remember_graph_report, validate_graph_files
from collabkg.validate.report import Report

ENV = "COLLABKG_VALIDATE_BESIDE"
"""``0`` turns the worker off: validation, then the load, one after the other."""
_FULL = b"F"


class Beside:
    """A validation worker running; :meth:`report` (or :meth:`cancel`) collects it."""

    def __init__(
        self, pid: int, answer_fd: int, signal_fd: int, files: Sequence[Path], project: ProjectPaths
    ) -> None:
        self._pid = pid
        self._answer_fd = answer_fd
        self._signal_fd: int | None = signal_fd
        self._files = list(files)
        self._project = project
        self._full = False
        self._done = False

    def full_run_started(self) -> bool:
        """True once the worker has begun checking every file (never blocks)."""
        if self._full or self._signal_fd is None:
            return self._full
        ready, _w, _x = select.select([self._signal_fd], [], [], 0)
        if ready:
            said = os.read(self._signal_fd, 1)
            if said == _FULL:
                self._full = True
            if not said or said == _FULL:  # the worker is done with this pipe
                os.close(self._signal_fd)
                self._signal_fd = None
        return self._full

    def report(self) -> Report:
        """The worker's report (waiting for it); when it has none, the validation run here."""
        received = bytearray()
        try:
            while chunk := os.read(self._answer_fd, 1 << 16):
                received += chunk
        except OSError:
            received.clear()
        finally:
            self.full_run_started()  # what the worker said before its report, kept
            self._collect()
        found: object = None
        with contextlib.suppress(Exception):
            kind, found = pickle.loads(bytes(received))
            if kind != "report":
                found = None
        if isinstance(found, Report):
            remember_graph_report(self._files, self._project, found)
            return found
        return validate_graph_files(self._files, self._project)  # says what went wrong

    def cancel(self) -> None:
        """Stop the worker and collect it (nothing it was doing is kept in this process)."""
        if not self._done:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, 9)
        self._collect()

    def _collect(self) -> None:
        if self._done:
            return
        self._done = True
        for fd in (self._answer_fd, self._signal_fd):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._signal_fd = None
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self._pid, 0)


def available() -> bool:
    """Whether a worker can be forked safely here (see the module docstring)."""
    return (
        hasattr(os, "fork")
        and os.environ.get(ENV, "").strip() != "0"
        and threading.active_count() == 1
    )


def start(files: Sequence[Path], project: ProjectPaths) -> Beside | None:
    """Fork a worker validating ``files`` (what the caller is about to load); None when
    that is not safe here (then validate in this process, before loading)."""
    if not available():
        return None
    answer_read, answer_write = os.pipe()
    signal_read, signal_write = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the worker never returns (its work is tested)
        os.close(answer_read)
        os.close(signal_read)
        _work(files, project, answer_write, signal_write)
    os.close(answer_write)
    os.close(signal_write)
    return Beside(pid, answer_read, signal_read, files, project)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _work(files: Sequence[Path], project: ProjectPaths, answer_fd: int, signal_fd: int) -> None:
    """The worker: validate, send the report (or that it failed), exit without clean-up."""
    status = 0
    try:
        from collabkg.progress import forget_current

        forget_current()  # the parent owns the progress line

        def told() -> None:
            _write_all(signal_fd, _FULL)

        try:
            outcome: tuple[str, object] = (
                "report",
                validate_graph_files(files, project, before_full=told),
            )
        except BaseException as exc:  # the parent validates again and raises it located
            outcome = ("failed", repr(exc))
        with contextlib.suppress(OSError):
            os.close(signal_fd)
        _write_all(answer_fd, pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
    except BaseException:
        status = 1
    finally:
        os._exit(status)


__all__ = ["ENV", "Beside", "available", "start"]

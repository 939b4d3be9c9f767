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

**How the worker starts.** A process with one thread (a command) forks it. A process
with several (the explorer under Streamlit) starts a new interpreter instead
(``python -m collabkg.validate.beside``): a fork of it may leave the child waiting on a
lock another thread held. So does a process that has opened the store on disk (RocksDB
runs threads of its own, which :mod:`threading` does not count): a child of one that
validated in-process, then loaded, waited for ever for a flush no thread of its would run.
:data:`ENV` set to ``0`` turns the worker off. When anything
goes wrong with the worker (it dies, its answer cannot be read, it raised) the validation
runs again in this process, whose errors are raised from there, located as ever.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import select
import signal
import subprocess
import sys
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path

from collabkg.paths import ProjectPaths
from collabkg.validate.cached import (
    graph_report_key,
    remember_graph_report,
    validate_graph_files,
)
from collabkg.validate.report import Report
from collabkg.validate.store import opened_in_this_process

ENV = "COLLABKG_VALIDATE_BESIDE"
"""``0`` turns the worker off: validation, then the load, one after the other."""
_FULL = b"F"


class Beside:
    """A validation worker running; :meth:`report` (or :meth:`cancel`) collects it."""

    def __init__(
        self,
        pid: int,
        answer_fd: int,
        signal_fd: int,
        files: Sequence[Path],
        project: ProjectPaths,
        key: tuple[object, ...],
        process: subprocess.Popen[bytes] | None = None,
    ) -> None:
        self._pid = pid
        self._process = process
        """The worker when it was started as a new interpreter (else a fork, ``_pid``)."""
        self._answer_fd = answer_fd
        self._signal_fd: int | None = signal_fd
        self._files = list(files)
        self._project = project
        self._key = key
        """The files' state before the worker started: what its report is remembered by."""
        self._full = False
        self._done = False
        self._found: object = None
        """The worker's report once received."""
        self._refused: bool | None = None
        """Whether the report that came has violations (counted once: the load asks after
        every file, and counting 1,440 issues each time cost 0.3 s of a query at 1M)."""

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

    def refuses(self) -> bool:
        """True once the worker's report has come and has violations (never blocks before
        it comes): loading on is wasted work, the graph will be refused."""
        if not self._done:
            ready, _w, _x = select.select([self._answer_fd], [], [], 0)
            if not ready:
                return False
            self._receive()
        if self._refused is None:
            self._refused = isinstance(self._found, Report) and bool(self._found.violations)
        return self._refused

    def stop_loading(self) -> bool:
        """The load's ``stop`` test: a full validation has begun (memory) or the report has
        come with violations (refused)."""
        return self.full_run_started() or self.refuses()

    def report(self) -> Report:
        """The worker's report (waiting for it); when it has none, the validation run here."""
        self._receive()
        if isinstance(self._found, Report):
            remember_graph_report(self._key, self._found)
            return self._found
        return validate_graph_files(self._files, self._project)  # says what went wrong

    def _receive(self) -> None:
        """Read the worker's answer to its end (it writes it whole, then exits) and collect it."""
        if self._done:
            return
        received = bytearray()
        try:
            while chunk := os.read(self._answer_fd, 1 << 16):
                received += chunk
        except OSError:
            received.clear()
        finally:
            self.full_run_started()  # what the worker said before its report, kept
            self._collect()
        with contextlib.suppress(Exception):
            kind, found = pickle.loads(bytes(received))
            if kind == "report":
                self._found = found

    def cancel(self) -> None:
        """Stop the worker and collect it (nothing it was doing is kept in this process)."""
        if not self._done:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)
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
        if self._process is not None:
            self._process.wait()
            return
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self._pid, 0)


def available() -> bool:
    """Whether a worker can be started here (see the module docstring)."""
    return os.name == "posix" and os.environ.get(ENV, "").strip() != "0"


def forkable() -> bool:
    """Whether the worker can be a fork of this process: one thread only, and no store on
    disk opened here (RocksDB's threads are threads too: see the module docstring and
    :func:`collabkg.validate.store.opened_in_this_process`); else it is a new interpreter."""
    return hasattr(os, "fork") and threading.active_count() == 1 and not opened_in_this_process()


def start(files: Sequence[Path], project: ProjectPaths) -> Beside | None:
    """Start a worker validating ``files`` (what the caller is about to load); None when
    that cannot be done here (then validate in this process, before loading)."""
    if not available():
        return None
    key = graph_report_key(files, project)  # before the worker reads any file
    if not forkable():
        return _spawn(files, project, key)
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
    return Beside(pid, answer_read, signal_read, files, project, key)


def _spawn(files: Sequence[Path], project: ProjectPaths, key: tuple[object, ...]) -> Beside | None:
    """The worker as a new interpreter (``python -m collabkg.validate.beside``): a process
    with several threads must not fork one that runs this much code. Its start-up (about
    0.7 s of imports) runs beside the load too. What to check goes to its standard input
    (from a thread: the worker reads it only once started), its answers come back on two
    pipes it inherits."""
    answer_read, answer_write = os.pipe()
    signal_read, signal_write = os.pipe()
    request = json.dumps(
        {
            "root": str(project.root),
            "files": [str(f) for f in files],
            "answer": answer_write,
            "signal": signal_write,
        }
    ).encode("utf-8")
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "collabkg.validate.beside"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            pass_fds=(answer_write, signal_write),
            close_fds=True,
        )
    except OSError:
        for fd in (answer_read, answer_write, signal_read, signal_write):
            os.close(fd)
        return None
    finally:
        with contextlib.suppress(OSError):
            os.close(answer_write)
        with contextlib.suppress(OSError):
            os.close(signal_write)
    pipe = process.stdin
    assert pipe is not None

    def feed() -> None:
        with contextlib.suppress(OSError), pipe:
            pipe.write(request)

    threading.Thread(target=feed, name="collabkg-validation-request", daemon=True).start()
    return Beside(process.pid, answer_read, signal_read, files, project, key, process)


def _main() -> int:
    """``python -m collabkg.validate.beside``: the worker of :func:`_spawn`."""
    request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    project = ProjectPaths.discover(request["root"])
    files = [Path(f) for f in request["files"]]
    _work(files, project, int(request["answer"]), int(request["signal"]))
    return 0  # pragma: no cover - _work exits


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


__all__ = ["ENV", "Beside", "available", "forkable", "start"]


if __name__ == "__main__":  # the worker started by _spawn
    sys.exit(_main())

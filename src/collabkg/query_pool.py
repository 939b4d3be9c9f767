"""A pool of isolated worker processes that answer queries, for a long-lived server.

Forking a child for every query (:func:`collabkg.sparql_safety.run_with_timeout`) costs
a fork, a network namespace and a seccomp filter each time: fine for one query from the
command line, too much for an endpoint. Here a few workers are forked once from the
process that holds the store (sharing it copy-on-write), each cut off the network
(:func:`collabkg.sandbox.isolate`) and given a memory ceiling once, and then they answer
one query after another over pipes.

- A query that runs past its time limit: its worker is killed (SIGKILL: the CPU and
  memory are freed at once) and replaced; :class:`QueryTimeout` is raised.
- A worker that dies (stack overflow, the memory ceiling): it is replaced, and
  :class:`EngineCrashed` says why in plain words.
- A worker that has answered :data:`MAX_USES` queries, or has grown by half its memory
  ceiling, is replaced between queries (memory a query kept is given back).
Workers keep no file descriptor but their own pipes, so a dead worker is seen at once.
"""

from __future__ import annotations

import contextlib
import faulthandler
import os
import pickle
import queue
import select
import struct
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from collabkg import sandbox
from collabkg.errors import QueryError, QueryTimeout

MAX_USES: Final[int] = 500
"""Queries a worker answers before it is replaced."""
_FRAME: Final[int] = 8
_START_WAIT_S: Final[float] = 30.0


def _read_exact(fd: int, size: int) -> bytes | None:  # pragma: no cover - in the child
    data = bytearray()
    while len(data) < size:
        chunk = os.read(fd, size - len(data))
        if not chunk:
            return None
        data += chunk
    return bytes(data)


def _write_frame(fd: int, data: bytes) -> None:
    view = memoryview(struct.pack("!Q", len(data)) + data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _serve(handler: Callable[[object], object], requests: int, answers: int,
           errors: int) -> None:  # pragma: no cover - the worker's life
    from collabkg.sparql_safety import _encode_error, _limit_memory

    status = 0
    try:
        os.dup2(errors, 2)
        faulthandler.disable()
        sandbox.close_inherited_fds({requests, answers, 2})
        try:
            sandbox.isolate()
            _limit_memory()
            ready: tuple[str, object] = ("value", "ready")
        except BaseException as exc:
            ready = ("error", _encode_error(exc))
        _write_frame(answers, pickle.dumps(ready))
        if ready[0] == "error":
            return
        while True:
            head = _read_exact(requests, _FRAME)
            if head is None:
                return
            (size,) = struct.unpack("!Q", head)
            body = _read_exact(requests, size)
            if body is None:
                return
            try:
                outcome: tuple[str, object] = ("value", handler(pickle.loads(body)))
            except BaseException as exc:
                outcome = ("error", _encode_error(exc))
            try:
                data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as exc:
                data = pickle.dumps(("error", ("other", ("PicklingError", str(exc)))))
            _write_frame(answers, data)
    except BaseException:
        status = 1
    finally:
        os._exit(status)


def _size(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGESIZE")
    except (OSError, ValueError, IndexError):
        return 0


class _Worker:
    def __init__(self, handler: Callable[[object], object]) -> None:
        req_read, self.req_write = os.pipe()
        self.ans_read, ans_write = os.pipe()
        self.err_read, err_write = os.pipe()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads
            pid = os.fork()
        if pid == 0:  # pragma: no cover - never returns
            _serve(handler, req_read, ans_write, err_write)
        self.pid = pid
        for fd in (req_read, ans_write, err_write):
            os.close(fd)
        self.uses = 0
        self.said = b""
        self.start_size = 0

    def _frame(self, deadline: float) -> bytes | None:
        """One answer frame; None if the worker died; QueryTimeout at the deadline."""
        received = bytearray()
        expected: int | None = None
        while expected is None or len(received) < expected + _FRAME:
            left = deadline - time.monotonic()
            if left <= 0:
                raise QueryTimeout("time is up")
            ready, _w, _x = select.select([self.ans_read, self.err_read], [], [], left)
            if self.err_read in ready:
                chunk = os.read(self.err_read, 4096)
                self.said = (self.said + chunk)[-4096:]
            if self.ans_read not in ready:
                continue
            chunk = os.read(self.ans_read, 1 << 16)
            if not chunk:
                return None
            received += chunk
            if expected is None and len(received) >= _FRAME:
                (expected,) = struct.unpack("!Q", received[:_FRAME])
        return bytes(received[_FRAME:])

    def ask(self, payload: object, deadline: float) -> bytes | None:
        self.uses += 1
        try:
            _write_frame(self.req_write, pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
        except BrokenPipeError:
            return None
        return self._frame(deadline)

    def stop(self) -> int | None:
        """Kill and collect; the wait status if known."""
        from collabkg.sparql_safety import _reap

        status = _reap(self.pid)
        with contextlib.suppress(OSError):
            while select.select([self.err_read], [], [], 0)[0]:
                chunk = os.read(self.err_read, 4096)
                if not chunk:
                    break
                self.said = (self.said + chunk)[-4096:]
        for fd in (self.req_write, self.ans_read, self.err_read):
            with contextlib.suppress(OSError):
                os.close(fd)
        return status


class IsolatedPool:
    """``size`` isolated workers running ``handler(payload)``; see the module docstring."""

    def __init__(self, handler: Callable[[object], object], size: int = 2) -> None:
        from collabkg.sparql_safety import memory_ceiling_mb

        self._handler = handler
        self._idle: queue.LifoQueue[_Worker] = queue.LifoQueue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._growth = memory_ceiling_mb() * 1024 * 1024 // 2
        self.size = size
        self.replaced = 0
        import resource  # noqa: F401  (for the workers)

        sandbox.prepare()
        for _ in range(size):
            self._idle.put(self._spawn())

    def _spawn(self) -> _Worker:
        worker = _Worker(self._handler)
        with self._lock:
            self._all.add(worker)
        try:
            answer = worker._frame(time.monotonic() + _START_WAIT_S)
        except QueryTimeout:
            answer = None  # hung at start (a lock held at the fork): killed below
        outcome: tuple[str, Any] = pickle.loads(answer) if answer else ("died", None)
        kind, detail = outcome
        if kind != "value":
            self._discard(worker)
            from collabkg.sparql_safety import _decode_error

            if kind == "error":
                raise _decode_error(detail)
            raise QueryError("a query worker could not start")
        worker.start_size = _size(worker.pid)
        return worker

    def _discard(self, worker: _Worker) -> int | None:
        with self._lock:
            self._all.discard(worker)
        return worker.stop()

    def _replace(self, worker: _Worker) -> int | None:
        status = self._discard(worker)
        self.replaced += 1
        if not self._closed:
            # if it fails, the pool has one fewer worker; run() starts one when none is left
            with contextlib.suppress(QueryError):
                self._idle.put(self._spawn())
        return status

    def run(self, payload: object, timeout_s: float, what: str = "query") -> object:
        """Answer ``payload`` in a worker within ``timeout_s`` (waiting for a free worker
        counts); QueryTimeout, EngineCrashed or the handler's own error otherwise."""
        started, answer = self.run_if_free(payload, timeout_s, timeout_s, what)
        if not started:
            raise QueryTimeout(
                f"the endpoint is busy with other queries ({self.size} at once) and "
                f"this one did not start within {timeout_s:g} s",
                hint="try again in a moment",
            )
        return answer

    def run_if_free(self, payload: object, timeout_s: float, wait_s: float,
                    what: str = "query") -> tuple[bool, object]:
        """(True, the answer) when a worker became free within ``wait_s`` and answered
        within ``timeout_s`` of this call (QueryTimeout, EngineCrashed or the handler's
        error otherwise); (False, None) when no worker became free within ``wait_s``."""
        from collabkg.sparql_safety import _death, _decode_error, _timeout_error

        deadline = time.monotonic() + timeout_s
        try:
            worker = self._idle.get(timeout=max(0.0, wait_s))
        except queue.Empty:
            if not self._all and not self._closed:
                worker = self._spawn()
            else:
                return False, None
        try:
            answer = worker.ask(payload, deadline)
        except QueryTimeout:
            self._replace(worker)
            raise _timeout_error(what, timeout_s) from None
        if answer is None:
            said = worker.said
            status = self._replace(worker)
            raise _death(what, status, (said + worker.said).decode("utf-8", "replace"))
        if worker.uses >= MAX_USES or (
            self._growth and _size(worker.pid) - worker.start_size > self._growth
        ):
            self._replace(worker)
        else:
            self._idle.put(worker)
        kind, result = pickle.loads(answer)
        if kind == "error":
            raise _decode_error(result)
        return True, result

    def pids(self) -> list[int]:
        with self._lock:
            return sorted(w.pid for w in self._all)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
        for worker in workers:
            self._discard(worker)


__all__ = ["MAX_USES", "IsolatedPool"]

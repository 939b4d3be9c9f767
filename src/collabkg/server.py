"""``collabkg serve``: a read-only SPARQL 1.1 endpoint over the validated graph.

One process, one port, on loopback. The graph is held in an in-memory Oxigraph store
(each file in its own named graph, the default graph the union of all, as everywhere in
collabkg). Each request:

1. is read with limits (request line and body up to :data:`MAX_BODY_BYTES`, else 413;
   connections idle for :data:`IDLE_TIMEOUT_S` are closed; they wait for their first
   bytes in one selector, without a thread, and at most :data:`MAX_CONNECTIONS` are then
   served at once by a fixed pool of threads, more get 503; from its first bytes a request
   must arrive whole within :data:`READ_TIMEOUT_S`, else 408), and decoded strictly
   (:mod:`collabkg.server_http`: bad percent-encoding or text not in its charset is 400);
2. has its query read ONCE by :func:`collabkg.sparql_safety.check_query`: SERVICE and
   updates are refused (403), unreadable text is refused (400), and what runs is the
   canonical text the check produced, never the text as sent;
3. is answered by one of :data:`MAX_RUNNING` isolated worker processes, cut off the
   network (:mod:`collabkg.sandbox`), with a memory ceiling, killed at the timeout (503)
   — so the memory of a runaway query is freed at once; a worker that dies (a query
   nested too deeply for the engine's stack, the memory ceiling) gives a 500 in plain
   words and the next request is served as usual. A query that finds every worker busy
   waits for one (within its time limit: then 503 "busy") and is tried once in a quick
   lane (one more worker) for :data:`QUICK_LANE_S`, so a cheap query is not kept
   waiting behind slow ones. The whole answer is serialised before the status line is
   sent, so an error never arrives as a 200 with a broken body; it stops at the row
   limit (``--max-rows``; triples for CONSTRUCT/DESCRIBE), and a cut answer carries the
   header :data:`ROWS_LIMITED_HEADER`.

There is no hidden engine port to find: relative IRIs resolve against this endpoint's
own URL. The collabkg prefixes (``ck: ckd: org: ...``) are predeclared, as in ``collabkg
query --sparql``. Accepted, as in the SPARQL 1.1 Protocol: ``GET /query?query=...``,
``POST /query`` with ``Content-Type: application/sparql-query`` or
``application/x-www-form-urlencoded`` (``default-graph-uri`` and ``named-graph-uri``
choose the dataset from the files' graphs; nothing is ever fetched); ``OPTIONS`` (CORS
preflight). SELECT and ASK answer JSON by default (XML, CSV, TSV on request); CONSTRUCT
and DESCRIBE answer Turtle by default (N-Triples, RDF/XML, JSON-LD on request); a
``format=`` word names the natural format of the form (:mod:`collabkg.server_formats`).
Every answer carries ``Access-Control-Allow-Origin: *``. ``/update`` and writes answer 403.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import selectors
import shutil
import signal
import socket
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Final, TextIO

from collabkg.errors import (
    CollabkgError,
    EngineCrashed,
    QueryError,
    QueryTimeout,
    ReadOnlyViolation,
    UsageError,
)
from collabkg.query_pool import IsolatedPool
from collabkg.server_formats import (
    DEFAULT_ROW_LIMIT,
    FORMAT_PARAMS,
    ROWS_LIMITED_HEADER,
    negotiate,
    serialize_limited,
)
from collabkg.server_http import (
    DeadlineReader,
    RefusedRequest,
    declared_charset,
    decode_text,
    parse_params,
)
from collabkg.sparql_safety import (
    DEFAULT_TIMEOUT_S,
    MAX_QUERY_BYTES,
    CheckedQuery,
    check_query,
    in_source,
)

if TYPE_CHECKING:
    import pyoxigraph as ox

    from collabkg.graph import KnowledgeGraph

DEFAULT_HOST: Final[str] = "127.0.0.1"
DEFAULT_PORT: Final[int] = 7878
QUERY_PATH: Final[str] = "/query"
MAX_BODY_BYTES: Final[int] = 4 * MAX_QUERY_BYTES
"""Largest request body or request line accepted (a URL-encoded query of the longest
length allowed fits); more gets 413 without being read."""
DRAIN_BYTES: Final[int] = 64 << 20
"""A body refused as too large is still read, up to this much, before the connection is
closed (a client still sending would otherwise get a broken pipe, not the 413)."""
MAX_ANSWER_BYTES: Final[int] = 256 << 20
"""Largest answer sent (it is serialised in full before it is sent)."""
IDLE_TIMEOUT_S: Final[float] = 10.0
"""A connection that sends nothing for this long is closed."""
READ_TIMEOUT_S: Final[float] = 2.0
"""From its first bytes, a request (request line, headers and body) must be read within
this long in all, however its bytes trickle in; else 408 (and the thread is free again)."""
MAX_CONNECTIONS: Final[int] = 32
"""Connections served at once (a fixed pool of threads); more are answered 503 at once."""
MAX_WAITING: Final[int] = 1000
"""Connections that may wait for their first bytes at once (no thread is used for them)."""
MAX_RUNNING: Final[int] = 4
"""Queries evaluated at once (isolated worker processes); others wait their turn."""
QUICK_LANE_S: Final[float] = 1.0
"""When every worker is busy, a waiting query is tried once in the quick lane (one more
worker) for this long: a cheap query is answered at once instead of waiting behind slow
ones; a query still running then is stopped there and waits for a worker as before (its
time limit counts from its arrival)."""
_WAIT_STEP_S: Final[float] = 0.05
_HEADER_LIMIT: Final[int] = 100

# --------------------------------------------------------------------------- helpers


def oxigraph_executable() -> str:
    """The ``oxigraph`` server executable: next to this Python (the venv), else on PATH.

    (Not used by ``collabkg serve`` itself; the tests compare with a bare Oxigraph.)"""
    here = Path(sys.executable).parent / "oxigraph"
    if here.is_file() and os.access(here, os.X_OK):
        return str(here)
    found = shutil.which("oxigraph")
    if found:
        return found
    raise UsageError(
        "the Oxigraph server (the 'oxigraph' command) is not installed",
        hint="pip install oxigraph (make venv installs it)",
    )


def free_port(host: str = DEFAULT_HOST) -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def wait_for_port(host: str, port: int, timeout_s: float,
                  alive: Callable[[], bool] | None = None) -> bool:
    """Poll until something accepts connections on host:port (False on timeout/death)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if alive is not None and not alive():
            return False
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
            return True
        time.sleep(0.05)
    return False


def screen_query(query: str) -> CheckedQuery:
    """Read the query once and refuse updates and SERVICE (403) or unreadable text (400)."""
    try:
        return check_query(query)
    except ReadOnlyViolation as exc:
        raise RefusedRequest(HTTPStatus.FORBIDDEN, exc.one_line()) from None
    except QueryError as exc:
        status = (
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE if "longer than" in exc.message
            else HTTPStatus.BAD_REQUEST
        )
        raise RefusedRequest(status, exc.one_line()) from None


def _graphs(values: list[str], name: str) -> list[ox.NamedNode]:
    import pyoxigraph as ox

    graphs = []
    for value in values:
        try:
            graphs.append(ox.NamedNode(value))
        except ValueError:
            raise RefusedRequest(HTTPStatus.BAD_REQUEST, f"{name} is not an IRI: {value}") from None
    return graphs


@dataclass(frozen=True)
class Request:
    """A screened query and how to answer it."""

    checked: CheckedQuery
    media: str
    format_name: str
    row_limit: int | None = DEFAULT_ROW_LIMIT
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)


def evaluate(
    store: ox.Store, request: Request, base_iri: str
) -> Callable[[object], tuple[bytes, bool]]:
    """The work run in the isolated child: evaluate and serialise in full, cut at the row
    limit: (bytes, whether the answer was cut)."""

    def work(cancel: object) -> tuple[bytes, bool]:
        from collabkg.terms import PREFIXES

        options: dict[str, object] = {"base_iri": base_iri, "prefixes": dict(PREFIXES)}
        if request.default_graphs:
            options["default_graph"] = _graphs(request.default_graphs, "default-graph-uri")
        elif not request.checked.names_default_graph:  # FROM <g> names it (else ignored)
            options["use_default_graph_as_union"] = True
        if request.named_graphs:
            options["named_graphs"] = _graphs(request.named_graphs, "named-graph-uri")
        try:
            result = store.query(request.checked.text, **options)  # type: ignore[arg-type]
            data, cut = serialize_limited(result, request.format_name, request.row_limit)
        except SyntaxError as exc:
            from collabkg.backends.embedded import query_error

            raise query_error(exc) from None
        except MemoryError:  # met while the rows were written: as when the engine meets it
            from collabkg.sparql_safety import memory_ceiling_mb

            raise EngineCrashed(
                "the query could not be answered: the query needed more than the "
                f"{memory_ceiling_mb()} MB of memory allowed; nothing else was affected",
                hint="make the query more selective, or add a LIMIT",
            ) from None
        except (OSError, RuntimeError, ValueError) as exc:
            raise QueryError(f"the query failed: {exc}") from None
        if len(data) > MAX_ANSWER_BYTES:
            raise QueryError(
                f"the answer is larger than {MAX_ANSWER_BYTES >> 20} MB", hint="add a LIMIT"
            )
        return data, cut

    return work


# --------------------------------------------------------------------------- the server


LISTEN_BACKLOG = 128
"""Connections the kernel completes before the server accepts them (socketserver's default
is 5: a burst of clients beyond that had their connection attempts dropped and retried a
second or more later by their TCP stack)."""


@dataclass
class FilterStats:
    forwarded: int = 0
    refused: int = 0
    crashed: int = 0
    timed_out: int = 0
    busy: int = 0
    quick: int = 0  # answered in the quick lane


class QueryFilter(HTTPServer):
    """The public, read-only SPARQL endpoint: screens queries, answers them in isolated,
    killable children; a fixed pool of threads serves at most MAX_CONNECTIONS at once."""

    allow_reuse_address = True
    daemon_threads = True
    request_queue_size = LISTEN_BACKLOG

    def __init__(
        self,
        address: tuple[str, int],
        store: ox.Store,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        log: TextIO | None = None,
        max_connections: int = MAX_CONNECTIONS,
        max_running: int = MAX_RUNNING,
        row_limit: int | None = DEFAULT_ROW_LIMIT,
    ) -> None:
        self.store = store
        self.timeout_s = timeout_s
        self.row_limit = row_limit
        self.log = log
        self.stats = FilterStats()
        self._log_lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max_connections)
        self._pool = ThreadPoolExecutor(max_connections, thread_name_prefix="collabkg-serve")
        self._selector = selectors.DefaultSelector()
        self._waiting: dict[int, tuple[socket.socket, object, float]] = {}
        self._waiting_lock = threading.Lock()
        self._stopping = threading.Event()
        self._max_waiting = _max_waiting()
        super().__init__(address, _FilterHandler)
        self._waiter = threading.Thread(
            target=self._wait_for_requests, name="collabkg-serve-waiter", daemon=True
        )
        self._waiter.start()
        handler = functools.partial(_answer, store, self.url)
        self.workers = IsolatedPool(handler, max_running)
        self.quick_lane = IsolatedPool(handler, 1)

    @property
    def url(self) -> str:
        host, port = self.socket.getsockname()[:2]
        return f"http://{host}:{port}{QUERY_PATH}"

    def note(self, line: str) -> None:
        if self.log is None:
            return
        with self._log_lock, contextlib.suppress(Exception):
            print(line, file=self.log, flush=True)

    # connections wait for their first bytes without a thread (one selector for all);
    # then a fixed pool of threads serves them
    def process_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        with self._waiting_lock:
            room = len(self._waiting) < self._max_waiting and not self._stopping.is_set()
            if room:
                self._waiting[request.fileno()] = (request, client_address, time.monotonic())
                self._selector.register(request, selectors.EVENT_READ)
        if not room:
            self.stats.busy += 1
            with contextlib.suppress(OSError):
                request.sendall(_busy_reply())
            self.shutdown_request(request)

    def _wait_for_requests(self) -> None:
        """The waiter thread: hand connections that sent something to the pool, close
        those idle for IDLE_TIMEOUT_S."""
        while not self._stopping.is_set():
            try:
                events = self._selector.select(timeout=0.25)
            except (OSError, ValueError):
                events = []
                time.sleep(0.05)
            now = time.monotonic()
            ready: list[tuple[socket.socket, object]] = []
            expired: list[socket.socket] = []
            with self._waiting_lock:
                for key, _mask in events:
                    entry = self._waiting.pop(key.fd, None)
                    if entry is not None:
                        with contextlib.suppress(KeyError, ValueError, OSError):
                            self._selector.unregister(entry[0])
                        ready.append((entry[0], entry[1]))
                for fd, (sock, _address, since) in list(self._waiting.items()):
                    if now - since > IDLE_TIMEOUT_S:
                        del self._waiting[fd]
                        with contextlib.suppress(KeyError, ValueError, OSError):
                            self._selector.unregister(sock)
                        expired.append(sock)
            for sock in expired:
                self.shutdown_request(sock)
            for sock, address in ready:
                if _hung_up(sock):  # closed while waiting: it takes no slot
                    self.shutdown_request(sock)
                else:
                    self._dispatch(sock, address)

    def _dispatch(self, request: socket.socket, client_address: object) -> None:
        if not self._slots.acquire(blocking=False):
            self.stats.busy += 1
            with contextlib.suppress(OSError):
                request.sendall(_busy_reply())
            self.shutdown_request(request)
            return
        try:
            self._pool.submit(self._serve_one, request, client_address)
        except RuntimeError:  # the pool is shut down
            self._slots.release()
            self.shutdown_request(request)

    def _serve_one(self, request: socket.socket, client_address: object) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception as exc:
            self.note(f"{_client(client_address)} connection ended: {type(exc).__name__}")
        finally:
            self.shutdown_request(request)
            self._slots.release()

    def handle_error(self, request: object, client_address: object) -> None:
        self.note(f"{_client(client_address)} connection error")

    def server_close(self) -> None:
        super().server_close()
        stopping = getattr(self, "_stopping", None)
        if stopping is not None:
            stopping.set()
            waiter = getattr(self, "_waiter", None)
            if waiter is not None:
                waiter.join(2)
            with self._waiting_lock:
                waiting = [sock for sock, _a, _t in self._waiting.values()]
                self._waiting.clear()
            for sock in waiting:
                self.shutdown_request(sock)
            with contextlib.suppress(Exception):
                self._selector.close()
        self._pool.shutdown(wait=False, cancel_futures=True)
        for name in ("workers", "quick_lane"):  # absent when the port could not be bound
            pool = getattr(self, name, None)
            if pool is not None:
                pool.close()

    def run(self, request: Request) -> tuple[bytes, bool]:
        """Evaluate in an isolated worker, waiting for a free one within the time limit:
        (the answer, whether it was cut at the row limit)."""
        try:
            answer = self._schedule(request)
        except QueryTimeout as exc:
            if "busy" in exc.message:
                raise
            raise QueryTimeout(
                f"the query took longer than {self.timeout_s:g} s and was stopped",
                hint="make the query more selective, or add a LIMIT",
            ) from None
        assert isinstance(answer, tuple)
        data, cut = answer
        return data, cut


    def _schedule(self, request: Request) -> object:
        """A free worker answers at once. When all are busy, the query waits for one and
        is tried ONCE in the quick lane as soon as that is free, for QUICK_LANE_S (an
        ``ASK {}`` used to wait behind slow queries until one ended: 9.5 s); stopped there,
        it waits for a worker. All within the query's time limit, counted from now."""
        deadline = time.monotonic() + self.timeout_s
        wait = 0.0
        while (left := deadline - time.monotonic()) > 0:
            started, answer = self.workers.run_if_free(request, left, min(wait, left))
            if started:
                return answer
            wait = _WAIT_STEP_S
            left = deadline - time.monotonic()
            try:
                started, answer = self.quick_lane.run_if_free(
                    request, min(QUICK_LANE_S, max(left, 0.0)), 0.0
                )
            except QueryTimeout:
                if deadline - time.monotonic() <= 0:
                    raise  # its whole time limit was spent there
                break  # not a quick one: it waits for a worker
            if started:
                self.stats.quick += 1
                return answer
        left = deadline - time.monotonic()
        if left > 0:
            started, answer = self.workers.run_if_free(request, left, left)
            if started:
                return answer
        raise QueryTimeout(
            f"the endpoint is busy with other queries ({self.workers.size} at once) and "
            f"this one did not start within {self.timeout_s:g} s",
            hint="try again in a moment",
        )


def _answer(store: ox.Store, base_iri: str, request: object) -> tuple[bytes, bool]:
    """What a worker does with a request (runs in the isolated worker process)."""
    assert isinstance(request, Request)
    return evaluate(store, request, base_iri)(None)


def _max_waiting() -> int:
    """Connections allowed to wait for their first bytes: MAX_WAITING, or half the open
    files this process may have (so accepting never runs out of descriptors)."""
    try:
        import resource

        soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    except (ImportError, OSError, ValueError):
        return 256
    if soft == resource.RLIM_INFINITY:
        return MAX_WAITING
    return max(16, min(MAX_WAITING, soft // 2))


def _hung_up(sock: socket.socket) -> bool:
    """Whether a connection that became readable was closed (or reset) by its client
    before sending anything. Such connections used to take a serving slot each: a client
    closing many idle connections at once filled every slot, and the next real request
    was answered 503."""
    try:
        # readable, so the peek does not wait (MSG_DONTWAIT, where there is one, makes sure)
        return sock.recv(1, socket.MSG_PEEK | getattr(socket, "MSG_DONTWAIT", 0)) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


def _busy_reply() -> bytes:
    body = b"the endpoint is busy: try again in a moment\n"
    return (
        b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Access-Control-Allow-Origin: *\r\nRetry-After: 1\r\n"
        b"Connection: close\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
    )


def _client(address: object) -> str:
    if isinstance(address, tuple) and address:
        return str(address[0])
    return "-"


def _single(params: dict[str, list[str]], name: str) -> str:
    values = params.get(name, [])
    if len(values) != 1:
        raise RefusedRequest(
            HTTPStatus.BAD_REQUEST,
            f"give exactly one '{name}' parameter (the SPARQL query text)"
            if not values else f"more than one '{name}' parameter",
        )
    return values[0]


ALLOWED_METHODS: Final[str] = "GET, HEAD, POST, OPTIONS"
# CORS: any web page may read this endpoint's answers (browser clients such as YASGUI
# need it). That is safe because the endpoint is read-only, serves public data (every fact
# comes from a published source), asks for no credentials and sets no cookies: a page
# can learn nothing through it that it could not fetch itself.
_CORS_HEADERS: Final[tuple[tuple[str, str], ...]] = (
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Expose-Headers", ROWS_LIMITED_HEADER),
)
_PREFLIGHT_HEADERS: Final[tuple[tuple[str, str], ...]] = (
    ("Allow", ALLOWED_METHODS),
    ("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
    ("Access-Control-Allow-Headers", "Content-Type, Accept"),
    ("Access-Control-Max-Age", "86400"),
)


class _FilterHandler(BaseHTTPRequestHandler):
    server: QueryFilter
    server_version = "collabkg-sparql"
    sys_version = ""
    timeout = IDLE_TIMEOUT_S  # the socket's timeout while the answer is written
    # an unreadable request line is answered with a status line and headers (as HTTP/0.9,
    # the default, the plain-text error came with no headers at all)
    default_request_version = "HTTP/1.0"

    def version_string(self) -> str:
        return self.server_version

    def setup(self) -> None:
        """As in socketserver, but the request is read against ONE deadline (a request
        that trickles in, a header line now and then, used to hold this thread for as long
        as it kept sending: now READ_TIMEOUT_S in all, then 408)."""
        super().setup()
        self._started = time.monotonic()
        self._reader = DeadlineReader(self.connection, self._started + READ_TIMEOUT_S)
        self.rfile = io.BufferedReader(self._reader, 1 << 16)

    def log_message(self, format: str, *args: object) -> None:
        self.server.note(f"{self.address_string()} {format % args}")

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass  # one line per request is written by _done instead

    def _done(self, status: int, what: str, started: float) -> None:
        took = (time.monotonic() - started) * 1000
        command = getattr(self, "command", None) or "-"
        path = getattr(self, "path", None) or "-"
        self.server.note(
            f"{self.address_string()} {command} {path[:60]!s} {int(status)} "
            f"{what} {took:.0f} ms"
        )

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        """Errors found by http.server itself (a malformed request line or header, an
        unknown method): plain text and one log line, as every other error."""
        self.close_connection = True
        text = message or HTTPStatus(code).phrase
        self._text(code, text)
        self._done(code, f"refused: {text[:120]}", getattr(self, "_started", time.monotonic()))

    def handle_one_request(self) -> None:
        """As in http.server, but a request line may be as long as the longest query, and
        the whole request must arrive within READ_TIMEOUT_S (else 408, logged)."""
        try:
            self.raw_requestline = self.rfile.readline(MAX_BODY_BYTES + 1)
            if len(self.raw_requestline) > MAX_BODY_BYTES:
                self.requestline = ""
                self.request_version = ""
                self.command = ""
                self.send_error(HTTPStatus.REQUEST_URI_TOO_LONG,
                                f"the request is longer than {MAX_BODY_BYTES // 1024} KB")
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():
                return
            method = getattr(self, "do_" + self.command, None)
            if method is None:
                self.send_error(
                    HTTPStatus.NOT_IMPLEMENTED,
                    f"unsupported method {self.command}: use {ALLOWED_METHODS}",
                )
                return
            method()
            self.wfile.flush()
        except TimeoutError:
            self.close_connection = True
            if not getattr(self, "_replied", False):  # (not a slow reader of the answer)
                with contextlib.suppress(OSError):
                    self._refuse(_too_slow(), self._started)

    # ------------------------------------------------------------------ answers

    def _reply(self, status: int, body: bytes, ctype: str | None,
               extra: tuple[tuple[str, str], ...] = ()) -> None:
        self.connection.settimeout(IDLE_TIMEOUT_S)  # writing: not the request's deadline
        self._replied = True
        self.send_response(status)
        if ctype is not None:
            self.send_header("Content-Type", ctype)
        if status != HTTPStatus.NO_CONTENT:
            self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        if status == HTTPStatus.OK:
            self.send_header("Vary", "Accept")
        for name, value in (*_CORS_HEADERS, *extra):
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD" and body:
            with contextlib.suppress(OSError):
                self.wfile.write(body)

    def _text(self, status: int, message: str) -> None:
        self._reply(status, (message.rstrip() + "\n").encode("utf-8"),
                    "text/plain; charset=utf-8")

    def _refuse(self, exc: RefusedRequest, started: float) -> None:
        self.server.stats.refused += 1
        self._text(exc.status, exc.message)
        self._done(exc.status, f"refused: {exc.message[:120]}", started)
        self._drain()

    def _drain(self) -> None:
        """Read (and drop) the rest of a body refused as too large, up to DRAIN_BYTES, so
        the client can finish sending and read the 413 instead of a broken pipe."""
        left = min(getattr(self, "_unread", 0), DRAIN_BYTES)
        self._unread = 0
        if left <= 0:
            return
        self._reader.deadline = time.monotonic() + IDLE_TIMEOUT_S
        with contextlib.suppress(OSError):
            while left > 0:
                chunk = self.rfile.read(min(left, 1 << 16))
                if not chunk:
                    break
                left -= len(chunk)

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            raise RefusedRequest(HTTPStatus.LENGTH_REQUIRED, "send the body with a Content-Length")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise RefusedRequest(HTTPStatus.BAD_REQUEST, "bad Content-Length") from None
        if length > MAX_BODY_BYTES:
            self.close_connection = True
            self._unread = length  # read and dropped after the answer: see _refuse
            raise RefusedRequest(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"the request is larger than {MAX_BODY_BYTES // 1024} KB (queries may be "
                f"{MAX_QUERY_BYTES // 1024} KB at most)",
            )
        if length <= 0:
            return b""
        try:
            data = self.rfile.read(length)
        except TimeoutError:
            raise _too_slow(length) from None
        if len(data) < length:
            raise RefusedRequest(
                HTTPStatus.BAD_REQUEST,
                f"the body ended after {len(data)} bytes, but its Content-Length says {length}",
            )
        return data

    # ------------------------------------------------------------------ routing

    def _route(self) -> tuple[str, bytes]:
        parts = urllib.parse.urlsplit(self.path)
        # http.server read the request line as Latin-1: these are its bytes again
        return parts.path.rstrip("/") or "/", parts.query.encode("latin-1", "replace")

    def do_GET(self) -> None:
        started = self._started
        try:
            path, query_string = self._route()
            if path == QUERY_PATH:
                params = parse_params(query_string, where="the address")
                if "update" in params:
                    raise RefusedRequest(HTTPStatus.FORBIDDEN, "this endpoint is read-only")
                self._answer(_single(params, "query"), params, started)
            elif path == "/":
                self._text(
                    HTTPStatus.OK,
                    f"collabkg read-only SPARQL endpoint: ask SPARQL queries at {QUERY_PATH}",
                )
            elif path in ("/update", "/store"):
                raise RefusedRequest(
                    HTTPStatus.FORBIDDEN,
                    f"this endpoint is read-only: ask SPARQL queries at {QUERY_PATH}",
                )
            else:
                raise RefusedRequest(
                    HTTPStatus.NOT_FOUND, f"no such page: the SPARQL endpoint is {QUERY_PATH}"
                )
        except RefusedRequest as exc:
            self._refuse(exc, started)

    do_HEAD = do_GET  # noqa: N815

    def do_OPTIONS(self) -> None:
        """A CORS preflight (or a client asking what is allowed): 204 and the headers."""
        self._reply(HTTPStatus.NO_CONTENT, b"", None, _PREFLIGHT_HEADERS)
        self._done(HTTPStatus.NO_CONTENT, "OPTIONS", self._started)

    def do_POST(self) -> None:
        started = self._started
        try:
            path, query_string = self._route()
            if path != QUERY_PATH:
                status = HTTPStatus.NOT_FOUND if path not in ("/update", "/store") else None
                raise RefusedRequest(
                    status or HTTPStatus.FORBIDDEN,
                    f"this endpoint is read-only: ask SPARQL queries at {QUERY_PATH}"
                    if status is None
                    else f"no such page: the SPARQL endpoint is {QUERY_PATH}",
                )
            content_type = self.headers.get("Content-Type")
            ctype = (content_type or "").split(";")[0].strip().lower()
            url_params = parse_params(query_string, where="the address")
            if "update" in url_params or ctype == "application/sparql-update":
                raise RefusedRequest(HTTPStatus.FORBIDDEN, "this endpoint is read-only")
            if ctype not in ("application/sparql-query", "application/x-www-form-urlencoded"):
                raise RefusedRequest(
                    HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                    "POST a query as application/sparql-query or "
                    "application/x-www-form-urlencoded (query=...)",
                )
            charset = declared_charset(content_type)
            body = self._read_body()
            if ctype == "application/sparql-query":
                if "query" in url_params:
                    raise RefusedRequest(
                        HTTPStatus.BAD_REQUEST, "the query is in the body: no 'query' parameter"
                    )
                self._answer(decode_text(body, charset), url_params, started)
            else:
                form = parse_params(body, where="the form body", charset=charset)
                if "update" in form:
                    raise RefusedRequest(HTTPStatus.FORBIDDEN, "this endpoint is read-only")
                for name, values in url_params.items():
                    form.setdefault(name, []).extend(values)
                self._answer(_single(form, "query"), form, started)
        except RefusedRequest as exc:
            self._refuse(exc, started)

    def _read_only(self) -> None:
        self._refuse(RefusedRequest(HTTPStatus.FORBIDDEN, "this endpoint is read-only"),
                     self._started)

    do_PUT = _read_only  # noqa: N815
    do_DELETE = _read_only  # noqa: N815
    do_PATCH = _read_only  # noqa: N815

    # ------------------------------------------------------------------ answering

    def _answer(self, query: str, params: dict[str, list[str]], started: float) -> None:
        if not query.strip():
            raise RefusedRequest(HTTPStatus.BAD_REQUEST,
                                 "the query is empty: send a SELECT, ASK, CONSTRUCT or "
                                 "DESCRIBE query")
        checked = screen_query(query)
        formats = [value for name in FORMAT_PARAMS for value in params.get(name, [])]
        media, format_name = negotiate(checked.form, self.headers.get("Accept"), formats)
        for name in ("default-graph-uri", "named-graph-uri"):
            _graphs(params.get(name, []), name)  # refused here (400) when not IRIs
        request = Request(
            checked, media, format_name,
            row_limit=self.server.row_limit,
            default_graphs=params.get("default-graph-uri", []),
            named_graphs=params.get("named-graph-uri", []),
        )
        try:
            body, cut = self.server.run(request)
        except QueryTimeout as exc:
            self.server.stats.timed_out += 1
            raise RefusedRequest(HTTPStatus.SERVICE_UNAVAILABLE, exc.one_line()) from None
        except EngineCrashed as exc:
            self.server.stats.crashed += 1
            raise RefusedRequest(HTTPStatus.INTERNAL_SERVER_ERROR, exc.one_line()) from None
        except QueryError as exc:
            # its place in the text as sent (no second reading: a process per bad request)
            exc = in_source(exc, checked, has_base=True, second_reading=False)
            status = (
                HTTPStatus.BAD_REQUEST if exc.message.startswith("SPARQL syntax error")
                or "IRI" in exc.message else HTTPStatus.INTERNAL_SERVER_ERROR
            )
            raise RefusedRequest(status, exc.one_line()) from None
        except CollabkgError as exc:
            raise RefusedRequest(HTTPStatus.INTERNAL_SERVER_ERROR, exc.one_line()) from None
        self.server.stats.forwarded += 1
        charset = "; charset=utf-8" if not media.endswith("xml") else ""
        extra: tuple[tuple[str, str], ...] = ()
        what = checked.form
        if cut:
            limit = str(self.server.row_limit)
            extra = ((ROWS_LIMITED_HEADER, limit),)
            unit = "rows" if checked.form == "SELECT" else "triples"
            what += f" cut at {self.server.row_limit:,} {unit} ({ROWS_LIMITED_HEADER}: {limit})"
        self._reply(HTTPStatus.OK, body, media + charset, extra)
        self._done(HTTPStatus.OK, what, started)


def _too_slow(length: int | None = None) -> RefusedRequest:
    what = f"the {length}-byte body its Content-Length announced" if length else "the request"
    return RefusedRequest(
        HTTPStatus.REQUEST_TIMEOUT,
        f"{what} did not arrive within {READ_TIMEOUT_S:g} s: send the request line, headers "
        "and body at once (and a Content-Length that is the body's length in bytes)",
    )


# --------------------------------------------------------------------------- serve


@dataclass
class RunningEndpoint:
    """A started endpoint (not yet serving until ``filter.serve_forever()``)."""

    filter: QueryFilter

    @property
    def url(self) -> str:
        return self.filter.url

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.filter.server_close()


def _store_of(graph: KnowledgeGraph) -> ox.Store:
    from collabkg.backends.embedded import EmbeddedBackend

    backend = graph.backend
    if not isinstance(backend, EmbeddedBackend):
        raise UsageError("collabkg serve serves local files, not a remote endpoint")
    return backend.store


@contextlib.contextmanager
def running_endpoint(
    graph: KnowledgeGraph,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    row_limit: int | None = DEFAULT_ROW_LIMIT,
    log: TextIO | None = None,
) -> Iterator[RunningEndpoint]:
    """Open the endpoint's port (not yet serving); close it on exit."""
    try:
        query_filter = QueryFilter(
            (host, port), _store_of(graph), timeout_s=timeout_s, log=log, row_limit=row_limit
        )
    except OSError as exc:
        raise UsageError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}",
            hint="choose another port with --port",
        ) from None
    endpoint = RunningEndpoint(query_filter)
    try:
        yield endpoint
    finally:
        endpoint.close()


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve(
    graph: KnowledgeGraph,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    row_limit: int | None = DEFAULT_ROW_LIMIT,
    out: TextIO,
    log: TextIO | None = None,
) -> None:
    """Serve until Ctrl+C or SIGTERM; everything is stopped before returning."""
    from collabkg.sparql_safety import require_isolation

    require_isolation()
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        # from the first line announcing the address, Ctrl+C stops the server cleanly (it
        # used to exit 130 when it came while the rest of the message was printed)
        with (
            running_endpoint(
                graph, host=host, port=port, timeout_s=timeout_s, row_limit=row_limit, log=log
            ) as ep,
            contextlib.suppress(KeyboardInterrupt),
        ):
            print(f"SPARQL endpoint (read-only): {ep.url}", file=out, flush=True)
            limit = (
                f"answers stop at {row_limit:,} rows (triples for CONSTRUCT/DESCRIBE; a cut "
                f"answer has the header {ROWS_LIMITED_HEADER})" if row_limit is not None
                else "answers are not cut"
            )
            print(
                f"  {len(graph.files)} files; queries time out after {timeout_s:g} s; {limit};\n"
                "  updates and SERVICE are refused; queries run cut off the network.",
                file=out,
            )
            print(
                f"  Try: curl -H 'Accept: text/csv' --data-urlencode "
                f"'query=SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }}' {ep.url}",
                file=out,
            )
            print("Press Ctrl+C to stop.", file=out, flush=True)
            ep.filter.serve_forever(poll_interval=0.2)
        print("Stopped.", file=out, flush=True)
    finally:
        signal.signal(signal.SIGTERM, previous)


__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "DEFAULT_ROW_LIMIT",
    "IDLE_TIMEOUT_S",
    "MAX_BODY_BYTES",
    "QUERY_PATH",
    "READ_TIMEOUT_S",
    "ROWS_LIMITED_HEADER",
    "QueryFilter",
    "RefusedRequest",
    "RunningEndpoint",
    "free_port",
    "negotiate",
    "oxigraph_executable",
    "running_endpoint",
    "screen_query",
    "serve",
    "wait_for_port",
]

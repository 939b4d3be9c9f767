"""``collabkg serve``: a read-only SPARQL 1.1 endpoint over the validated graph.

Two processes, both on loopback:

- a hidden **Oxigraph server** (the ``oxigraph`` executable from PyPI), started with
  ``serve-read-only --union-default-graph --timeout-s T`` on a store built in a temporary
  folder from the graph's N-Quads (each file in its own named graph, the default graph
  the union of all, as in the embedded store);
- in front of it, collabkg's **query filter** (this module; ``http.server``), the only
  port analysts see. Oxigraph has no option to switch federation off and executes
  ``SERVICE`` calls, so every query is parsed with
  :func:`collabkg.sparql_safety.check_read_only` first: ``SERVICE`` and updates are
  refused with HTTP 403, unparsable queries with 400, and nothing else reaches Oxigraph.
  ``/update`` and writes to ``/store`` answer 403.

The collabkg prefixes (``ck: ckd: org: ...``) are predeclared, as in ``collabkg query
--sparql``. Accepted, as in the SPARQL 1.1 Protocol: ``GET /query?query=...``, ``POST /query`` with
``Content-Type: application/sparql-query`` or ``application/x-www-form-urlencoded``
(``default-graph-uri`` and ``named-graph-uri`` are passed on). Ctrl+C or SIGTERM stops
both processes and removes the temporary folder.
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Final, TextIO

from collabkg.errors import CollabkgError, QueryError, ReadOnlyViolation, UsageError
from collabkg.sparql_safety import DEFAULT_TIMEOUT_S, check_read_only

if TYPE_CHECKING:
    from collabkg.graph import KnowledgeGraph

DEFAULT_HOST: Final[str] = "127.0.0.1"
DEFAULT_PORT: Final[int] = 7878
QUERY_PATH: Final[str] = "/query"
MAX_BODY_BYTES: Final[int] = 1 << 20
"""Largest request body accepted (a query of a megabyte is a mistake or an attack)."""
MAX_ANSWER_BYTES: Final[int] = 512 << 20
"""Largest answer relayed (the filter holds an answer in memory before sending it)."""
_OXIGRAPH_CANCELLED: Final[bytes] = b"The SPARQL operation has been cancelled"
TEMP_PREFIX: Final[str] = "collabkg-serve-"
_START_WAIT_S: Final[float] = 20.0
_STOP_WAIT_S: Final[float] = 5.0
_PASSED_PARAMS: Final[frozenset[str]] = frozenset(
    {"query", "default-graph-uri", "named-graph-uri", "format", "output", "results", "timeout"}
)
"""Query-string parameters passed on to Oxigraph (the rest are dropped)."""
_HOP_HEADERS: Final[frozenset[str]] = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "content-length", "server", "date"}
)


# --------------------------------------------------------------------------- oxigraph


def oxigraph_executable() -> str:
    """The ``oxigraph`` server executable: next to this Python (the venv), else on PATH."""
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


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux: the child gets SIGTERM if collabkg dies, so no Oxigraph is left behind."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)
    except Exception:
        pass


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


class OxigraphProcess:
    """An ``oxigraph serve-read-only`` process over a store built in a temporary folder."""

    def __init__(self, workdir: Path, *, timeout_s: float) -> None:
        self.workdir = workdir
        self.location = workdir / "store"
        self.timeout_s = timeout_s
        self.host = DEFAULT_HOST
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self._log = workdir / "oxigraph.log"

    def load(self, nquads: Path) -> None:
        command = [
            oxigraph_executable(), "load", "--location", str(self.location),
            "--file", str(nquads), "--format", "application/n-quads",
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            said = (done.stderr or done.stdout).strip().splitlines()
            raise CollabkgError(
                "the Oxigraph server could not load the graph: "
                + (said[-1] if said else f"exit code {done.returncode}")
            )

    def start(self) -> None:
        executable = oxigraph_executable()
        for _attempt in range(3):
            self.port = free_port(self.host)
            command = [
                executable, "serve-read-only", "--location", str(self.location),
                "--bind", f"{self.host}:{self.port}", "--union-default-graph",
                "--timeout-s", f"{max(1, round(self.timeout_s))}",
            ]
            with self._log.open("ab") as log:
                self.process = subprocess.Popen(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # Ctrl+C reaches collabkg, which stops it
                    preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
                )
            if wait_for_port(self.host, self.port, _START_WAIT_S, self.alive):
                return
            self.stop()
        tail = self._log.read_text(errors="replace").strip().splitlines()[-3:]
        raise CollabkgError(
            "the Oxigraph server did not start" + (f": {' '.join(tail)}" if tail else "")
        )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(_STOP_WAIT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(_STOP_WAIT_S)


# --------------------------------------------------------------------------- the filter


class RefusedRequest(Exception):
    """A request the filter answers itself (status, plain-text message)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _single(params: dict[str, list[str]], name: str) -> str:
    values = params.get(name, [])
    if len(values) != 1:
        raise RefusedRequest(
            HTTPStatus.BAD_REQUEST,
            f"give exactly one '{name}' parameter (the SPARQL query text)"
            if not values else f"more than one '{name}' parameter",
        )
    return values[0]


@functools.lru_cache(maxsize=512)
def _screen(query: str) -> tuple[str, int, str]:
    try:
        return check_read_only(query), 0, ""
    except ReadOnlyViolation as exc:
        return "", HTTPStatus.FORBIDDEN, exc.one_line()
    except QueryError as exc:
        return "", HTTPStatus.BAD_REQUEST, exc.one_line()


def screen_query(query: str) -> str:
    """Parse the query and refuse updates and SERVICE; returns its form (SELECT...).

    Parsing with rdflib takes 50-200 ms for a long query, so verdicts are remembered
    (the same query text always gets the same verdict).
    """
    form, status, message = _screen(query)
    if status:
        raise RefusedRequest(status, message)
    return form


def prepare_query(query: str) -> str:
    """The query as Oxigraph gets it: the collabkg prefixes it uses but does not declare
    are declared (as in ``collabkg query --sparql``), then it is screened."""
    from collabkg.backends.remote import with_prefixes

    text = with_prefixes(query)
    screen_query(text)
    return text


@dataclass
class FilterStats:
    forwarded: int = 0
    refused: int = 0


class QueryFilter(ThreadingHTTPServer):
    """The public, read-only SPARQL endpoint: screens queries, forwards them to Oxigraph."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        upstream: tuple[str, int],
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        log: TextIO | None = None,
    ) -> None:
        self.upstream = upstream
        self.timeout_s = timeout_s
        self.log = log
        self.stats = FilterStats()
        self._log_lock = threading.Lock()
        super().__init__(address, _FilterHandler)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}{QUERY_PATH}"

    def note(self, line: str) -> None:
        if self.log is None:
            return
        with self._log_lock, contextlib.suppress(Exception):
            print(line, file=self.log, flush=True)


class _FilterHandler(BaseHTTPRequestHandler):
    server: QueryFilter
    server_version = "collabkg-sparql"
    sys_version = ""

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: object) -> None:
        self.server.note(f"{self.address_string()} {format % args}")

    # ------------------------------------------------------------------ answers

    def _reply(self, status: int, message: str) -> None:
        body = (message.rstrip() + "\n").encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _refuse(self, exc: RefusedRequest) -> None:
        self.server.stats.refused += 1
        self.server.note(f"refused ({exc.status}): {exc.message}")
        self._reply(exc.status, exc.message)

    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            raise RefusedRequest(HTTPStatus.LENGTH_REQUIRED, "send the body with a Content-Length")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise RefusedRequest(HTTPStatus.BAD_REQUEST, "bad Content-Length") from None
        if length > MAX_BODY_BYTES:
            raise RefusedRequest(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"the request is larger than {MAX_BODY_BYTES // 1024} KB",
            )
        return self.rfile.read(length) if length > 0 else b""

    # ------------------------------------------------------------------ routing

    def _route(self) -> tuple[str, str]:
        parts = urllib.parse.urlsplit(self.path)
        return parts.path.rstrip("/") or "/", parts.query

    def do_GET(self) -> None:
        try:
            path, query_string = self._route()
            if path == QUERY_PATH:
                params = urllib.parse.parse_qs(query_string, keep_blank_values=True)
                if "update" in params:
                    raise RefusedRequest(HTTPStatus.FORBIDDEN, "this endpoint is read-only")
                params["query"] = [prepare_query(_single(params, "query"))]
                self._forward("GET", f"{QUERY_PATH}?{_clean_query_string(params)}", None, None)
            elif path == "/":
                self._forward("GET", "/", None, None)
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
            self._refuse(exc)

    do_HEAD = do_GET  # noqa: N815

    def do_POST(self) -> None:
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
            body = self._read_body()
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            url_params = urllib.parse.parse_qs(query_string, keep_blank_values=True)
            if "update" in url_params:
                raise RefusedRequest(HTTPStatus.FORBIDDEN, "this endpoint is read-only")
            if ctype == "application/sparql-query":
                if "query" in url_params:
                    raise RefusedRequest(
                        HTTPStatus.BAD_REQUEST, "the query is in the body: no 'query' parameter"
                    )
                try:
                    text = body.decode("utf-8")
                except UnicodeDecodeError:
                    raise RefusedRequest(HTTPStatus.BAD_REQUEST, "the query is not UTF-8") from None
                text = prepare_query(text)
                target = QUERY_PATH + (
                    f"?{_clean_query_string(url_params)}" if url_params else ""
                )
                self._forward("POST", target, text.encode("utf-8"), "application/sparql-query")
            elif ctype == "application/x-www-form-urlencoded":
                try:
                    form = urllib.parse.parse_qs(
                        body.decode("ascii"), keep_blank_values=True, strict_parsing=False
                    )
                except UnicodeDecodeError:
                    raise RefusedRequest(
                        HTTPStatus.BAD_REQUEST, "a form body must be URL-encoded ASCII"
                    ) from None
                if "update" in form:
                    raise RefusedRequest(HTTPStatus.FORBIDDEN, "this endpoint is read-only")
                for name, values in url_params.items():
                    form.setdefault(name, []).extend(values)
                form["query"] = [prepare_query(_single(form, "query"))]
                cleaned = _clean_query_string(form).encode("ascii")
                self._forward(
                    "POST", QUERY_PATH, cleaned, "application/x-www-form-urlencoded"
                )
            elif ctype == "application/sparql-update":
                raise RefusedRequest(HTTPStatus.FORBIDDEN, "this endpoint is read-only")
            else:
                raise RefusedRequest(
                    HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                    "POST a query as application/sparql-query or "
                    "application/x-www-form-urlencoded (query=...)",
                )
        except RefusedRequest as exc:
            self._refuse(exc)

    def _read_only(self) -> None:
        self._refuse(RefusedRequest(HTTPStatus.FORBIDDEN, "this endpoint is read-only"))

    do_PUT = _read_only  # noqa: N815
    do_DELETE = _read_only  # noqa: N815
    do_PATCH = _read_only  # noqa: N815

    # ------------------------------------------------------------------ forwarding

    def _forward(self, method: str, target: str, body: bytes | None, ctype: str | None) -> None:
        """Send the screened request to Oxigraph and relay the answer.

        The answer is read in full before anything is sent back, within the timeout:
        Oxigraph streams results with a 200 status and, when its own timeout strikes,
        ends the body with a cancellation notice — relayed as is, a client would get a
        "successful" but broken answer. Here it becomes a clean 503 instead.
        """
        host, port = self.server.upstream
        limit = self.server.timeout_s
        deadline = time.monotonic() + limit + 2.0  # Oxigraph stops the query at `limit`
        connection = http.client.HTTPConnection(host, port, timeout=limit + 2.0)
        headers = {"Accept": self.headers.get("Accept") or "application/sparql-results+json"}
        if ctype is not None:
            headers["Content-Type"] = ctype
        timed_out = (
            f"the query took longer than {limit:g} s and was stopped — make it more "
            "selective, or add a LIMIT"
        )
        try:
            connection.request(method, target, body=body, headers=headers)
            response = connection.getresponse()
            chunks: list[bytes] = []
            size = 0
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError
                if connection.sock is not None:
                    connection.sock.settimeout(left)
                chunk = response.read(1 << 16)
                if not chunk:
                    break
                size += len(chunk)
                if size > MAX_ANSWER_BYTES:
                    raise RefusedRequest(
                        HTTPStatus.INSUFFICIENT_STORAGE,
                        f"the answer is larger than {MAX_ANSWER_BYTES >> 20} MB — add a LIMIT",
                    )
                chunks.append(chunk)
            answer = b"".join(chunks)
            if answer.rstrip().endswith(_OXIGRAPH_CANCELLED):
                raise TimeoutError
            self.server.stats.forwarded += 1
            self.send_response(response.status)
            for name, value in response.getheaders():
                if name.lower() not in _HOP_HEADERS:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer)))
            self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(answer)
        except TimeoutError:
            self._refuse(RefusedRequest(HTTPStatus.SERVICE_UNAVAILABLE, timed_out))
        except RefusedRequest as exc:
            self._refuse(exc)
        except (ConnectionError, OSError, http.client.HTTPException) as exc:
            with contextlib.suppress(Exception):
                self._reply(HTTPStatus.BAD_GATEWAY, f"the SPARQL engine did not answer: {exc}")
        finally:
            connection.close()


def _clean_query_string(params: dict[str, list[str]]) -> str:
    """Only the protocol's parameters, re-encoded (nothing else reaches Oxigraph)."""
    pairs = [(k, v) for k, values in params.items() if k in _PASSED_PARAMS for v in values]
    return urllib.parse.urlencode(pairs)


# --------------------------------------------------------------------------- serve


@dataclass
class RunningEndpoint:
    """A started endpoint: the filter (public) and Oxigraph (hidden)."""

    filter: QueryFilter
    oxigraph: OxigraphProcess
    workdir: Path

    @property
    def url(self) -> str:
        return self.filter.url

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.filter.server_close()
        self.oxigraph.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


@contextlib.contextmanager
def running_endpoint(
    graph: KnowledgeGraph,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    log: TextIO | None = None,
) -> Iterator[RunningEndpoint]:
    """Start Oxigraph and the filter (not yet serving); stop both and clean up on exit."""
    workdir = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))
    oxigraph = OxigraphProcess(workdir, timeout_s=timeout_s)
    endpoint: RunningEndpoint | None = None
    try:
        nquads = workdir / "graph.nq"
        graph.write_dataset(nquads)
        oxigraph.load(nquads)
        nquads.unlink()
        oxigraph.start()
        try:
            query_filter = QueryFilter(
                (host, port), (oxigraph.host, oxigraph.port), timeout_s=timeout_s, log=log
            )
        except OSError as exc:
            raise UsageError(
                f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                hint="choose another port with --port",
            ) from None
        endpoint = RunningEndpoint(query_filter, oxigraph, workdir)
        yield endpoint
    finally:
        if endpoint is not None:
            endpoint.close()
        else:
            oxigraph.stop()
            shutil.rmtree(workdir, ignore_errors=True)


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve(
    graph: KnowledgeGraph,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    out: TextIO,
    log: TextIO | None = None,
) -> None:
    """Serve until Ctrl+C or SIGTERM; everything is stopped and removed before returning."""
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        with running_endpoint(graph, host=host, port=port, timeout_s=timeout_s, log=log) as ep:
            print(f"SPARQL endpoint (read-only): {ep.url}", file=out)
            print(
                f"  {len(graph.files)} files; queries time out after {timeout_s:g} s; "
                "updates and SERVICE are refused.",
                file=out,
            )
            print(
                f"  Try: curl -H 'Accept: text/csv' --data-urlencode "
                f"'query=SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }}' {ep.url}",
                file=out,
            )
            print("Press Ctrl+C to stop.", file=out, flush=True)
            with contextlib.suppress(KeyboardInterrupt):
                ep.filter.serve_forever(poll_interval=0.2)
        print("Stopped.", file=out, flush=True)
    finally:
        signal.signal(signal.SIGTERM, previous)


__all__ = [
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "QUERY_PATH",
    "OxigraphProcess",
    "QueryFilter",
    "RunningEndpoint",
    "free_port",
    "oxigraph_executable",
    "prepare_query",
    "running_endpoint",
    "screen_query",
    "serve",
    "wait_for_port",
]

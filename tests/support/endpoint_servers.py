"""Servers the endpoint tests start and stop themselves, all on free loopback ports.

- :class:`Virtuoso` — Virtuoso Open Source 7 (Debian's ``virtuoso-opensource-7``) with its
  own database in a temporary folder and a generated ``virtuoso.ini``;
- :class:`OxigraphWritable` — ``oxigraph serve`` (read-write, in memory) as a Graph Store
  Protocol target for ``publish``;
- :class:`Listener` — a logging HTTP server that records every request it gets (the
  SERVICE IRIs in the tests point at it: it must see nothing).
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from collabkg.server import free_port, oxigraph_executable, wait_for_port

HOST = "127.0.0.1"


# --------------------------------------------------------------------------- Virtuoso

VIRTUOSO_INI = """\
[Database]
DatabaseFile       = {db}/virtuoso.db
ErrorLogFile       = {db}/virtuoso.log
LockFile           = {db}/virtuoso.lck
TransactionFile    = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {db}/virtuoso-temp.db
TransactionFile    = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort           = {host}:{sql_port}
DisableUnixSocket    = 1
DisableTcpSocket     = 0
MaxClientConnections = 10
CheckpointInterval   = 0
CaseMode             = 2
DirsAllowed          = ., {db}
NumberOfBuffers      = 10000
MaxDirtyBuffers      = 6000
ThreadsPerQuery      = 2

[HTTPServer]
ServerPort           = {host}:{http_port}
ServerRoot           = {db}
MaxClientConnections = 10
ServerThreads        = 10
Charset              = UTF-8
EnabledDavVSP        = 0

[SPARQL]
ResultSetMaxRows           = 100000
MaxQueryExecutionTime      = 60
MaxQueryCostEstimationTime = 400
"""
"""The Debian defaults that matter, on loopback ports; the 10,000-row cap is kept on purpose."""


def virtuoso_available() -> bool:
    return shutil.which("virtuoso-t") is not None and shutil.which("isql-vt") is not None


@dataclass
class Virtuoso:
    """A Virtuoso 7 instance with its database in ``folder``."""

    folder: Path
    sql_port: int = 0
    http_port: int = 0
    process: subprocess.Popen[bytes] | None = None
    startup_s: float = 0.0

    @property
    def sparql_url(self) -> str:
        return f"http://{HOST}:{self.http_port}/sparql"

    @property
    def gsp_url(self) -> str:
        """The Graph Store Protocol endpoint that needs (Digest) authentication."""
        return f"http://{HOST}:{self.http_port}/sparql-graph-crud-auth"

    def start(self, timeout_s: float = 60.0) -> None:
        started = time.monotonic()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.sql_port, self.http_port = free_port(), free_port()
        ini = self.folder / "virtuoso.ini"
        ini.write_text(
            VIRTUOSO_INI.format(
                db=self.folder, host=HOST, sql_port=self.sql_port, http_port=self.http_port
            )
        )
        log = (self.folder / "stdout.log").open("wb")
        self.process = subprocess.Popen(
            ["virtuoso-t", "+foreground", "+configfile", str(ini)],
            cwd=self.folder,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Virtuoso exited at start: {self.log_tail()}")
            try:
                with urllib.request.urlopen(
                    f"{self.sparql_url}?query=ASK%7B%7D", timeout=2
                ) as response:
                    if response.status == 200:
                        self.startup_s = time.monotonic() - started
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"Virtuoso did not answer within {timeout_s:g} s: {self.log_tail()}")

    def log_tail(self) -> str:
        path = self.folder / "virtuoso.log"
        if not path.exists():
            return "(no log)"
        return " | ".join(path.read_text(errors="replace").strip().splitlines()[-5:])

    def isql(self, statements: str, timeout_s: float = 60.0) -> str:
        done = subprocess.run(
            ["isql-vt", f"{HOST}:{self.sql_port}", "dba", "dba", f"exec={statements}"],
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
        output = done.stdout + done.stderr
        if done.returncode != 0 or "*** Error" in output:
            raise RuntimeError(f"isql-vt failed: {output.strip()}")
        return output

    def load(self, ntriples: str, graph: str, name: str = "data.nt") -> None:
        """Bulk-load N-Triples text into ``graph`` (ld_dir + rdf_loader_run)."""
        (self.folder / name).write_text(ntriples, encoding="utf-8")
        self.isql(
            f"ld_dir('{self.folder}', '{name}', '{graph}'); rdf_loader_run(); checkpoint;"
        )

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            with contextlib.suppress(Exception):
                self.isql("shutdown;", timeout_s=20)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


# --------------------------------------------------------------------------- Oxigraph


@dataclass
class OxigraphWritable:
    """``oxigraph serve`` (read-write, in memory): /query and the Graph Store at /store."""

    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def query_url(self) -> str:
        return f"http://{HOST}:{self.port}/query"

    @property
    def store_url(self) -> str:
        return f"http://{HOST}:{self.port}/store"

    def start(self) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [oxigraph_executable(), "serve", "--bind", f"{HOST}:{self.port}"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if not wait_for_port(HOST, self.port, 20, lambda: self.process.poll() is None):
            self.stop()
            raise RuntimeError("oxigraph serve did not start")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


# --------------------------------------------------------------------------- listener


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Listener:
    """Records every request; answers SELECTs with one empty solution, PUTs with 201."""

    requests: list[Seen] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None
    thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://{HOST}:{self.server.server_address[1]}"

    def start(self) -> None:
        seen = self.requests

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def _record(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                seen.append(Seen(self.command, self.path, dict(self.headers.items()), body))

            def _answer(self, status: int, body: bytes, ctype: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                self._record()
                self._answer(
                    200,
                    b'{"head":{"vars":[]},"results":{"bindings":[{}]}}',
                    "application/sparql-results+json",
                )

            do_POST = do_GET  # noqa: N815

            def do_PUT(self) -> None:
                self._record()
                self._answer(201, b"", "text/plain")

            def do_HEAD(self) -> None:
                self._record()
                self.send_response(200)
                self.end_headers()

        self.server = ThreadingHTTPServer((HOST, 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

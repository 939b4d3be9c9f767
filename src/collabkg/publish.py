"""``collabkg publish``: put the validated graph on a shared triple store.

One HTTP ``PUT`` on ``<gsp-endpoint>?graph=<IRI>`` (SPARQL 1.1 Graph Store HTTP Protocol):
the store replaces the named graph with the body as a single operation, so a failed
upload leaves the previous graph in place. The body is sorted N-Triples, sent as
``text/turtle`` (N-Triples is Turtle, and every store reads Turtle).

Authentication comes from the environment only — ``COLLABKG_USER`` and
``COLLABKG_PASSWORD`` (HTTP Basic or Digest, whichever the server asks for: Virtuoso's
``/sparql-graph-crud-auth`` asks for Digest) or ``COLLABKG_TOKEN`` (sent as
``Authorization: Bearer TOKEN``, or as given when it already holds a scheme, e.g.
``GDB eyJ...`` for GraphDB).
"""

from __future__ import annotations

import base64
import math
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, TextIO

from collabkg.backends.remote import Credentials, endpoint_error
from collabkg.bindings import validate_iri
from collabkg.errors import EndpointError, ParameterError, UsageError
from collabkg.terms import BASE

if TYPE_CHECKING:
    from collabkg.graph import KnowledgeGraph

DEFAULT_GRAPH: Final[str] = BASE + "graph"
"""The named graph ``publish`` writes by default (and ``COLLABKG_GRAPH`` reads)."""
CONTENT_TYPE: Final[str] = "text/turtle; charset=utf-8"
DEFAULT_TIMEOUT_S: Final[float] = 300.0
CHUNK: Final[int] = 64 * 1024


@dataclass(frozen=True)
class Upload:
    """What ``publish`` sends: the body, where, and how it authenticates."""

    endpoint: str
    graph: str
    body: bytes = field(repr=False)
    triples: int = 0
    credentials: Credentials = field(default_factory=Credentials)

    @property
    def url(self) -> str:
        parts = urllib.parse.urlsplit(self.endpoint)
        query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        query = [(k, v) for k, v in query if k not in ("graph", "default")]
        query.append(("graph", self.graph))
        return urllib.parse.urlunsplit(
            (parts.scheme, parts.netloc, parts.path, urllib.parse.urlencode(query), "")
        )

    def describe(self) -> str:
        return (
            f"PUT {self.triples:,} triples ({_size(len(self.body))}, N-Triples as "
            f"text/turtle) into graph <{self.graph}> at {self.url} "
            f"(authentication: {self.credentials.describe()})"
        )


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / (1024 * 1024):.1f} MB"


def load_validated(root: str | os.PathLike[str] | None = None) -> KnowledgeGraph:
    """The project's files in the embedded store, validated: what serve and publish send.

    Never a remote endpoint. :func:`collabkg.project.load_graph` runs the package's validation
    pipeline and raises ValidationFailed (saying how to see every problem) for invalid data,
    so nothing invalid is served or published.
    """
    from collabkg.project import load_graph

    return load_graph(root)


def check_endpoint(url: str) -> str:
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(
            f"{url!r} is not an http(s) URL",
            hint="give the Graph Store Protocol URL, e.g. http://localhost:8890/"
            "sparql-graph-crud-auth or http://localhost:3030/ds/data",
        )
    if parts.username or parts.password:
        raise UsageError(
            "do not put credentials in the URL",
            hint="set COLLABKG_USER and COLLABKG_PASSWORD (or COLLABKG_TOKEN) instead",
        )
    return url.strip()


def prepare(
    graph: KnowledgeGraph,
    endpoint: str,
    graph_iri: str | None = None,
    credentials: Credentials | None = None,
) -> Upload:
    """The upload for ``graph`` (validated by the caller), nothing sent yet."""
    target = graph_iri or DEFAULT_GRAPH
    try:
        validate_iri(target)
    except ParameterError as exc:
        raise UsageError(f"--graph: {exc.message}", hint=exc.hint) from None
    text = graph.export("nt")
    triples = sum(1 for line in text.splitlines() if line.strip())
    return Upload(
        endpoint=check_endpoint(endpoint),
        graph=target,
        body=text.encode("utf-8"),
        triples=triples,
        credentials=credentials if credentials is not None else Credentials.from_env(),
    )


class _Body:
    """A re-readable request body that reports progress (urllib re-sends it after a 401)."""

    def __init__(self, data: bytes, progress: Callable[[int, int], None] | None) -> None:
        self.data = data
        self.progress = progress

    def __len__(self) -> int:
        return len(self.data)

    def __iter__(self) -> Iterator[bytes]:
        total = len(self.data)
        for start in range(0, total, CHUNK):
            chunk = self.data[start : start + CHUNK]
            yield chunk
            if self.progress is not None:
                self.progress(min(start + CHUNK, total), total)


def _opener(upload: Upload) -> urllib.request.OpenerDirector:
    handlers: list[urllib.request.BaseHandler] = []
    creds = upload.credentials
    if creds.user and not creds.token:
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        manager.add_password(None, upload.endpoint, creds.user, creds.password or "")
        handlers += [
            urllib.request.HTTPBasicAuthHandler(manager),
            urllib.request.HTTPDigestAuthHandler(manager),
        ]
    return urllib.request.build_opener(*handlers)


def _authorization(upload: Upload, put: urllib.request.Request, timeout_s: float) -> str | None:
    """The Authorization header for the PUT, worked out BEFORE the body is sent.

    A server that wants Digest (Virtuoso) answers the first, unauthenticated PUT with 401
    and drops the connection while a large body is still being sent. So a bodiless HEAD
    on the same URL fetches the challenge first; Basic credentials are sent at once.
    """
    creds = upload.credentials
    if creds.authorization:
        return creds.authorization
    if not creds.user:
        return None
    basic = base64.b64encode(f"{creds.user}:{creds.password or ''}".encode()).decode("ascii")
    probe = urllib.request.Request(upload.url, method="HEAD")
    challenge = ""
    try:
        with urllib.request.build_opener().open(probe, timeout=min(timeout_s, 30.0)):
            pass
    except urllib.error.HTTPError as exc:
        if exc.code == 401:
            challenge = exc.headers.get("WWW-Authenticate", "") or ""
    except Exception as exc:
        raise _store_error(exc, upload, timeout_s, sent=False) from None
    scheme, _, rest = challenge.partition(" ")
    if scheme.lower() == "digest":
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        manager.add_password(None, upload.endpoint, creds.user, creds.password or "")
        digest = urllib.request.HTTPDigestAuthHandler(manager)
        chal = urllib.request.parse_keqv_list(
            [part for part in urllib.request.parse_http_list(rest) if part]
        )
        check = urllib.request.Request(upload.url, method="HEAD")
        answer = digest.get_authorization(check, chal)
        if answer:
            check.add_unredirected_header("Authorization", f"Digest {answer}")
            _check_credentials(check, upload, timeout_s)
            answer = digest.get_authorization(put, chal)  # same nonce, next count
        if answer:
            return f"Digest {answer}"
    return f"Basic {basic}"


def _check_credentials(
    request: urllib.request.Request, upload: Upload, timeout_s: float
) -> None:
    """A bodiless authenticated request: refused credentials are reported before uploading."""
    try:
        with urllib.request.build_opener().open(request, timeout=min(timeout_s, 30.0)):
            pass
    except urllib.error.HTTPError as exc:
        if exc.code == 401:
            raise _store_error(exc, upload, timeout_s, sent=False) from None
    except Exception as exc:
        raise _store_error(exc, upload, timeout_s, sent=False) from None


def _store_error(
    exc: BaseException, upload: Upload, timeout_s: float, *, sent: bool
) -> EndpointError:
    error = endpoint_error(exc, upload.endpoint, timeout_s)
    message = error.message.replace("SPARQL endpoint", "graph store", 1)
    hint = error.hint
    if isinstance(exc, urllib.error.HTTPError):
        message += "; the previous graph is unchanged"
        if exc.code == 401:
            hint = "set COLLABKG_USER and COLLABKG_PASSWORD (or COLLABKG_TOKEN) for this store"
    elif sent:
        message += " (the store replaces the graph only if it received the whole upload)"
    if hint and "COLLABKG_ENDPOINT" in hint:
        hint = "check the URL and that the server is running"
    return EndpointError(message, hint=hint)


def send(
    upload: Upload,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """PUT the graph; returns the HTTP status. Raises EndpointError on any failure."""
    request = urllib.request.Request(
        upload.url, data=_Body(upload.body, progress), method="PUT"
    )
    request.add_header("Content-Type", CONTENT_TYPE)
    request.add_header("Content-Length", str(len(upload.body)))
    authorization = _authorization(upload, request, timeout_s)
    if authorization:
        request.add_unredirected_header("Authorization", authorization)
    try:
        with _opener(upload).open(request, timeout=timeout_s) as response:
            response.read()
            return int(response.status)
    except Exception as exc:
        raise _store_error(exc, upload, timeout_s, sent=True) from None


class TerminalProgress:
    """``Uploading: 45% (1.2 MB of 2.6 MB)`` on one line of a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._last = -1.0
        self._shown = False

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        percent = math.floor(100 * done / total) if total else 100
        self.stream.write(f"\rUploading: {percent:3d}% ({_size(done)} of {_size(total)})")
        self.stream.flush()
        self._shown = True

    def finish(self) -> None:
        if self._shown:
            self.stream.write("\n")
            self.stream.flush()


__all__ = [
    "CONTENT_TYPE",
    "DEFAULT_GRAPH",
    "TerminalProgress",
    "Upload",
    "check_endpoint",
    "load_validated",
    "prepare",
    "send",
]

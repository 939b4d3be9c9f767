"""Read-only guard for SPARQL written by people: no updates, no SERVICE, bounded cost.

The check is made by :mod:`collabkg.sparql_text`, which reads the text once and returns
the canonical text that is then run — never the text as typed — so the engine cannot read
anything the check did not see (see that module). :func:`check_query` gives both;
:func:`check_read_only` gives the form and also asks the engine (in an isolated child
process) whether the text is valid SPARQL, so syntax errors are reported with their
position before anything is loaded.

Running: :func:`run_with_timeout` runs timed work (every analyst's query is timed) in a
forked child process (Linux) that shares the parent's in-memory store copy-on-write, is
cut off the network first (:func:`collabkg.sandbox.isolate`: seccomp, network namespace),
gets a memory ceiling (``RLIMIT_AS``: its size at the fork plus
:data:`DEFAULT_MEMORY_MB`), and is killed (SIGKILL) when time is up, so a runaway query
stops using CPU and its memory is freed at once. A child that dies (stack overflow on a
deeply nested query, memory ceiling) is reported as :class:`EngineCrashed` in plain words;
the caller's process is unharmed. Where fork is not available the work runs in an
abandoned daemon thread — only for trusted (canned) queries: an analyst's query is refused
there unless ``COLLABKG_UNSANDBOXED_QUERIES=1``.
"""

from __future__ import annotations

import contextlib
import faulthandler
import functools
import os
import pickle
import re
import select
import signal
import struct
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal, TypeVar

from collabkg import sandbox as _sandbox
from collabkg.errors import CollabkgError, EngineCrashed, QueryError, QueryTimeout
from collabkg.sparql_text import MAX_QUERY_BYTES, CheckedQuery, canonical_query

if TYPE_CHECKING:
    from rdflib.term import Node

T = TypeVar("T")

DEFAULT_ROW_LIMIT: Final[int] = 1000
"""Rows returned at most for SPARQL written by users (canned queries are trusted)."""
DEFAULT_TIMEOUT_S: Final[float] = 10.0
"""Seconds a user query may run before it is stopped."""
DEFAULT_MEMORY_MB: Final[int] = 2048
"""Memory a query may add to its process (MB) before it is stopped."""
MEMORY_ENV: Final[str] = "COLLABKG_QUERY_MEMORY_MB"
"""Overrides :data:`DEFAULT_MEMORY_MB` (0: no ceiling)."""
_SYNTAX_PROBE_S: Final[float] = 5.0
_ENGINE_POSITION: Final[re.Pattern[str]] = re.compile(r"error at (\d+):(\d+)")

QUERY_FORMS: Final[dict[str, str]] = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}


@dataclass(frozen=True)
class Limits:
    """How much a query may return and for how long it may run."""

    rows: int | None = DEFAULT_ROW_LIMIT
    timeout_s: float | None = DEFAULT_TIMEOUT_S


USER_LIMITS: Final[Limits] = Limits()
"""Limits applied to SPARQL typed by a user (CLI ``--sparql``, the explorer's editor)."""


_CACHED_CHARS: Final[int] = 32 * 1024
"""Verdicts on texts up to this long are remembered (longer ones would fill memory)."""


def _checked(query_text: str) -> CheckedQuery:
    from collabkg.terms import PREFIXES

    return canonical_query(query_text, PREFIXES)


_remembered = functools.lru_cache(maxsize=512)(_checked)


def check_query(query_text: str) -> CheckedQuery:
    """Read the query once: its form and the canonical text to run (the collabkg prefixes
    are predeclared). Raises ReadOnlyViolation for SERVICE or an update, QueryError with
    line and column for a text that is not a readable query. Takes well under a
    millisecond for a typical query; verdicts on short texts are remembered."""
    if len(query_text) > _CACHED_CHARS:
        return _checked(query_text)
    return _remembered(query_text)


def _probe(text: str) -> Callable[[threading.Event], str | None]:
    def work(cancel: threading.Event) -> str | None:
        import pyoxigraph as ox

        try:
            ox.Store().query(text)  # parsed; an empty store: nothing to evaluate
        except SyntaxError as exc:
            message = str(exc.args[0]) if exc.args else str(exc)
            where = _ENGINE_POSITION.search(message)
            raise QueryError(
                "SPARQL syntax error: " + _ENGINE_POSITION.sub("", message).strip(" :"),
                line=int(where.group(1)) if where else None,
                column=int(where.group(2)) if where else None,
                hint="check the query near this point: matching braces, a '.' between "
                "triple patterns, PREFIX declarations, quotes",
            ) from None
        return None

    return work


SYNTAX_ERROR: Final[str] = "SPARQL syntax error"
"""How every error of the engine's reading of a query begins."""
_GRAMMAR: Final[re.Pattern[str]] = re.compile(r"\s*:?\s*\bexpected\b.*", re.DOTALL)
_SYNTAX_HINT: Final[str] = (
    "the query is incomplete or has a typo at this point (or just before it): check "
    "matching braces, a '.' between triple patterns, quotes and prefixed names"
)
_END_HINT: Final[str] = (
    "the engine read to the end of the query: it is incomplete, or has a typo before its "
    "end: check matching braces, a '.' between triple patterns, quotes and prefixed names"
)
_FROM_HERE_HINT: Final[str] = (
    "the query cannot be read from this point on: check what is written here and just "
    "after (a term too many or missing, a '.' between triple patterns, matching brackets)"
)
_SECOND_READING_CHARS: Final[int] = 4000
"""Texts up to this long are read again by a second parser when the engine gave up only at
their end (a longer one keeps the end)."""
_SECOND_READING_S: Final[float] = 2.0
"""The second reading is stopped after this long (pyparsing takes a second over a few
hundred ``1 + 1 + ...``): the place is then the end."""
_SENTENCE: Final[re.Pattern[str]] = re.compile(r"(?:^|, )([A-Z][a-z]+(?: [A-Za-z?]+){2,})(?=,|$)")
"""A sentence the engine put among the grammar it expected (its own plain message)."""
_RELATIVE_HINT: Final[str] = (
    "<…> must hold a full address such as <https://w3id.org/collabkg/id/…>, "
    "or use a prefixed name such as rdfs:label or ckd:wigan-council"
)


def in_source(
    exc: QueryError, checked: CheckedQuery, *, has_base: bool = False, second_reading: bool = True
) -> QueryError:
    """The engine's syntax error in ``checked.text`` said of the text the person wrote.

    The engine reads the canonical text (prefixed names written out in full...), so its
    line and column are not those of the text typed: they are mapped back to
    ``checked.source``, and the line there is given for a caret. Its list of the grammar
    it expected there ("expected one of DESCRIBE, FROM, [_]") is cut: it says nothing to
    a person. An IRI that is not a full address (with no BASE, and ``has_base`` False: the
    engine has no address to resolve it against) is what the engine stumbled on, and is
    pointed at. When the engine gave up only at the end of the text, a second reading
    (``second_reading``: rdflib's parser, in an isolated child process stopped after
    :data:`_SECOND_READING_S`) finds where reading stops. Any other error is returned as it
    is."""
    if not exc.message.startswith(SYNTAX_ERROR):
        return exc
    if exc.line is None and exc.column is None and exc.source_line is not None:
        return exc  # already said of the source
    source = checked.source or checked.text
    if checked.relative_iri is not None and not has_base:
        offset = checked.relative_iri
        end = source.find(">", offset)
        written = source[offset : end + 1] if end > 0 and source[offset] == "<" else (
            re.split(r"[\s{}()\[\];,]", source[offset:], maxsplit=1)[0]
        )
        message = f"{SYNTAX_ERROR}: {written} is not a full address"
        hint = _RELATIVE_HINT
    else:
        offset = None
        said = exc.message[len(SYNTAX_ERROR):]
        sentence = _SENTENCE.search(said[said.find("expected") :]) if "expected" in said else None
        detail = sentence.group(1) if sentence else _GRAMMAR.sub("", said).strip(" :")
        message = f"{SYNTAX_ERROR}: {detail[:1].lower()}{detail[1:]}" if detail else (
            SYNTAX_ERROR
        )
        hint = "check the query near this point" if sentence else _SYNTAX_HINT
        if exc.line is not None:
            canonical = checked.text.split("\n")
            line = min(max(exc.line, 1), len(canonical))
            offset = checked.source_offset(
                sum(len(t) + 1 for t in canonical[: line - 1]) + max(exc.column or 1, 1) - 1
            )
    if offset is None:
        return QueryError(message, hint=hint)
    if not source[offset:].strip() and source.strip():  # the engine reached the end
        # a text that ends as a whole query does ('… ?o ?extra }') has its fault inside,
        # where a second reading stops; one cut short ('?s ?p', '… ORDER BY') is incomplete
        # at its end, where the engine stopped (the second reading would point back to the
        # start of the last thing it began)
        closed = checked.text.rstrip().endswith("}")
        earlier = (
            _where_reading_stops(checked.text)
            if hint == _SYNTAX_HINT and second_reading and closed
            else None
        )
        if earlier is not None and checked.text[earlier:].strip():
            offset = checked.source_offset(earlier)
            hint = _FROM_HERE_HINT
        else:
            hint = _END_HINT if hint == _SYNTAX_HINT else hint
            offset = len(source.rstrip())
    line = source.count("\n", 0, offset) + 1
    column = offset - (source.rfind("\n", 0, offset) + 1) + 1
    return QueryError(
        message, line=line, column=column, hint=hint,
        source_line=source.split("\n")[line - 1],
    )


def _where_reading_stops(text: str) -> int | None:
    """Where rdflib's parser stops reading ``text`` (an offset), when the engine, which
    backtracks to the start of what it tried, gave up only at the end of the text: rdflib
    says where the last thing it could read ends (``?s :p ?o ?extra``: at ``?extra``).
    None when it reads the text, or the text is long."""
    if len(text) > _SECOND_READING_CHARS or isolation_mode() != "process":
        return None  # never in this process: a thread could not be stopped
    from pyparsing import ParseBaseException  # imported once, here, not in every child
    from rdflib.plugins.sparql.parser import parseQuery

    def work(cancel: threading.Event) -> int | None:
        try:
            parseQuery(text)  # a forked child: no other thread uses the parser here
        except ParseBaseException as exc:
            return int(exc.loc) if 0 <= exc.loc < len(text) else None
        except Exception:  # any other failure of the second reading: no better place
            return None
        return None

    try:
        return run_with_timeout(work, _SECOND_READING_S, "second reading of the query")
    except CollabkgError:
        return None


def check_read_only(query_text: str) -> str:
    """Parse the query; return its form (SELECT, ASK, CONSTRUCT or DESCRIBE).

    Raises ReadOnlyViolation for update operations (INSERT, DELETE, LOAD, CLEAR, DROP,
    CREATE, ADD, MOVE, COPY) and for SERVICE anywhere in the query, and QueryError with
    line and column for a syntax error (the engine's own parser decides, in an isolated
    child process: a text that crashes a parser cannot hurt the caller).
    """
    checked = check_query(query_text)
    try:
        _probed(checked.text)
    except QueryError as exc:
        raise in_source(exc, checked) from None
    return checked.form


SYNTAX_CHECK: Final[str] = "syntax check"
"""What the engine's own reading of a query is called where it times out."""


@functools.lru_cache(maxsize=128)
def _probed(text: str) -> None:
    run_with_timeout(_probe(text), _SYNTAX_PROBE_S, SYNTAX_CHECK)


# --------------------------------------------------------------------------- timeouts

ISOLATION_ENV: Final[str] = "COLLABKG_QUERY_ISOLATION"
"""``process`` (default where fork exists) or ``thread``: how timed queries are run."""

_KILL_GRACE_S: Final[float] = 2.0
_PREFIX: Final[int] = 8
_STDERR_KEPT: Final[int] = 4096


def isolation_mode() -> str:
    """``process`` when timed queries run in a killable forked child, else ``thread``."""
    wanted = os.environ.get(ISOLATION_ENV, "").strip().lower()
    forkable = hasattr(os, "fork") and sys.platform.startswith("linux")
    if wanted == "thread" or not forkable:
        return "thread"
    return "process"


def memory_ceiling_mb() -> int:
    """MB a query may add to its process (:data:`MEMORY_ENV`, default 2048; 0: none)."""
    try:
        return max(0, int(os.environ.get(MEMORY_ENV, DEFAULT_MEMORY_MB)))
    except ValueError:
        return DEFAULT_MEMORY_MB


def _timeout_error(what: str, timeout_s: float) -> QueryError:
    if what == SYNTAX_CHECK:  # the text itself, before any data is read: LIMIT cannot help
        return QueryTimeout(
            f"reading the query took the engine longer than {timeout_s:g} s, so it was "
            "stopped before it ran",
            hint="long property paths (a/b/c/… of many steps) and deeply nested expressions "
            "take the engine longest to read: split a long path into triple patterns joined "
            "by variables (?a a:p ?x . ?x a:q ?b), or write the query in smaller parts",
        )
    return QueryTimeout(
        f"the {what} took longer than {timeout_s:g} s and was stopped",
        hint="make the query more selective, or add a LIMIT",
    )


def _in_thread(work: Callable[[threading.Event], T], timeout_s: float, what: str) -> T:
    cancel = threading.Event()
    values: list[T] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            values.append(work(cancel))
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    thread = threading.Thread(target=target, name="collabkg-query", daemon=True)
    thread.start()
    thread.join(timeout_s)
    if thread.is_alive():
        cancel.set()  # the worker stops at its next solution; pyoxigraph itself cannot stop
        raise _timeout_error(what, timeout_s)
    if errors:
        raise errors[0]
    return values[0]


_EncodedError = (
    tuple[Literal["collabkg"], tuple[type[CollabkgError], str, dict[str, object]]]
    | tuple[Literal["other"], tuple[str, str]]
)


def _encode_error(exc: BaseException) -> _EncodedError:
    if isinstance(exc, CollabkgError):
        return ("collabkg", (type(exc), exc.message, dict(vars(exc))))
    return ("other", (type(exc).__name__, str(exc)))


def _decode_error(payload: _EncodedError) -> BaseException:
    if payload[0] == "collabkg":
        cls, message, attributes = payload[1]
        exc = cls.__new__(cls)
        Exception.__init__(exc, message)
        exc.__dict__.update(attributes)
        return exc
    name, text = payload[1]
    return QueryError(f"the query failed: {name}: {text}")


def _limit_memory() -> None:  # pragma: no cover - runs in the child
    import resource  # imported by the parent before the fork (Unix only)

    ceiling = memory_ceiling_mb()
    if not ceiling:
        return
    size = int(Path("/proc/self/statm").read_text().split()[0]) * resource.getpagesize()
    limit = size + ceiling * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _child(
    work: Callable[[threading.Event], T], write_fd: int, err_fd: int, sandbox: bool
) -> None:  # pragma: no cover - runs in the forked child
    """In the forked child: isolate, run, send the pickled outcome, and leave at once."""
    status = 0
    try:
        os.dup2(err_fd, 2)  # what the engine says as it dies (stack overflow...) is kept
        faulthandler.disable()  # a crash here is reported by the parent, in plain words
        _sandbox.close_inherited_fds({write_fd, 2})
        try:
            if sandbox:
                _sandbox.isolate()
                _limit_memory()
            outcome: tuple[str, object] = ("value", work(threading.Event()))
        except BaseException as exc:
            outcome = ("error", _encode_error(exc))
        try:
            data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as exc:
            data = pickle.dumps(("error", ("other", ("PicklingError", str(exc)))))
        # length-prefixed: the parent stops reading when it has it all, without waiting
        # for end-of-file (another child forked meanwhile may hold the pipe open)
        view = memoryview(struct.pack("!Q", len(data)) + data)
        while view:
            written = os.write(write_fd, view)
            view = view[written:]
    except BaseException:
        status = 1
    finally:
        os._exit(status)


def _reap(pid: int) -> int | None:
    """Kill the child (if still running) and collect it; its wait status, if known."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + _KILL_GRACE_S
    while True:
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return None
        if done:
            return status
        if time.monotonic() > deadline:
            return None
        time.sleep(0.002)


def _death(what: str, status: int | None, said: str) -> EngineCrashed:
    """What to tell a person when the child died without an answer."""
    lowered = said.lower()
    if "overflow" in lowered and "stack" in lowered:
        cause = "the query is nested too deeply for the engine (its stack ran out)"
        hint = "split long chains of operators or property-path steps into smaller parts"
    elif "memory allocation" in lowered or "out of memory" in lowered or "memoryerror" in lowered:
        cause = f"the query needed more than the {memory_ceiling_mb()} MB of memory allowed"
        hint = "make the query more selective, or add a LIMIT"
    else:
        sig = os.WTERMSIG(status) if status is not None and os.WIFSIGNALED(status) else None
        cause = "the engine stopped unexpectedly" + (
            f" (signal {signal.Signals(sig).name})" if sig else ""
        )
        hint = "the query may need more memory or stack than allowed; make it simpler"
    return EngineCrashed(
        f"the {what} could not be answered: {cause}; nothing else was affected", hint=hint
    )


def _in_process(
    work: Callable[[threading.Event], T], timeout_s: float, what: str, sandbox: bool
) -> T:
    if sandbox:
        import resource  # noqa: F401  (for the child: an import there costs every query)

        _sandbox.prepare()
    read_fd, write_fd = os.pipe()
    err_read, err_write = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads (3.12+)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child never returns
        os.close(read_fd)
        os.close(err_read)
        _child(work, write_fd, err_write, sandbox)
    os.close(write_fd)
    os.close(err_write)
    received = bytearray()
    expected: int | None = None
    deadline = time.monotonic() + timeout_s
    died = False
    status: int | None = None
    said = b""
    try:
        while expected is None or len(received) < expected + _PREFIX:
            left = deadline - time.monotonic()
            if left <= 0:
                raise _timeout_error(what, timeout_s)
            ready, _w, _x = select.select([read_fd, err_read], [], [], left)
            if err_read in ready:
                chunk = os.read(err_read, 1 << 12)
                said = (said + chunk)[-_STDERR_KEPT:]
            if read_fd not in ready:
                continue
            chunk = os.read(read_fd, 1 << 16)
            if not chunk:
                died = True
                break
            received += chunk
            if expected is None and len(received) >= _PREFIX:
                (expected,) = struct.unpack("!Q", received[:_PREFIX])
    finally:
        os.close(read_fd)
        status = _reap(pid)
        if died:
            with contextlib.suppress(OSError):
                while select.select([err_read], [], [], 0.05)[0]:
                    chunk = os.read(err_read, 1 << 12)
                    if not chunk:
                        break
                    said = (said + chunk)[-_STDERR_KEPT:]
        os.close(err_read)
    if died:
        raise _death(what, status, said.decode("utf-8", "replace"))
    kind, payload = pickle.loads(bytes(received[_PREFIX:]))
    if kind == "error":
        raise _decode_error(payload)
    return payload


def run_with_timeout(
    work: Callable[[threading.Event], T],
    timeout_s: float | None,
    what: str = "query",
    *,
    sandbox: bool = True,
) -> T:
    """Run ``work(cancel)`` and return its result, or raise QueryTimeout after ``timeout_s``.

    Without a timeout the work runs inline. With one it runs in a forked child process,
    cut off the network (``sandbox``) and with a memory ceiling, that is killed when time
    is up (see the module docstring), or in an abandoned thread where fork is unavailable
    or ``COLLABKG_QUERY_ISOLATION=thread``. ``work`` must return something picklable
    (rdflib terms are) and must not change the store.
    """
    if timeout_s is None:
        return work(threading.Event())
    if timeout_s <= 0:
        raise _timeout_error(what, timeout_s)
    if isolation_mode() == "process":
        return _in_process(work, timeout_s, what, sandbox)
    return _in_thread(work, timeout_s, what)


def require_isolation() -> None:
    """Refuse to run an analyst's query where it cannot run in an isolated process."""
    if isolation_mode() == "process" or (
        os.environ.get(_sandbox.UNSANDBOXED_ENV, "").strip() == "1"
    ):
        return
    raise QueryError(
        "analysts' SPARQL runs only in a separate process cut off the network, which "
        "needs Linux (fork) and COLLABKG_QUERY_ISOLATION unset",
        hint=f"set {_sandbox.UNSANDBOXED_ENV}=1 to run it in-process anyway (not recommended)",
    )


# --------------------------------------------------------------------------- inline VALUES

_IRI_TOKEN = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _scan(text: str, variables: bool = False) -> Iterator[tuple[int, str]]:
    """(position, token) for every brace, parenthesis and bare word of a SPARQL text,
    skipping comments, string literals and IRIs (so a '{' inside them is not seen); with
    ``variables``, also every variable (``?name``; ``*`` of ``SELECT *`` too)."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
        elif c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            i = j + len(quote)
        elif c == "<" and (match := _IRI_TOKEN.match(text, i)):
            i = match.end()
        elif c in "{}()":
            yield i, c
            i += 1
        elif c in "?$":
            match = _WORD.match(text, i + 1)
            if match and variables:
                yield i, "?" + match.group(0)
            i = match.end() if match else i + 1
        elif c == "*" and variables:
            yield i, c
            i += 1
        elif match := _WORD.match(text, i):
            if i == 0 or not (text[i - 1].isalnum() or text[i - 1] in ":_-."):
                yield i, match.group(0).upper()
            i = match.end()
        else:
            i += 1


def values_block(
    bindings: Mapping[str, Node], rows: Sequence[Mapping[str, Node]] | None = None
) -> str:
    """``VALUES (?a ?b) { (<iri> "text") }`` for validated terms (rdflib's n3(), escaped);
    with ``rows``, one row for each (of the names of ``bindings``; repeated rows once)."""
    names = list(bindings)
    heads = " ".join(f"?{name}" for name in names)
    lines = dict.fromkeys(
        " ".join(row[name].n3() for name in names) for row in (rows or [bindings])
    )
    return f"VALUES ({heads}) {{ " + " ".join(f"({line})" for line in lines) + " }"


def with_inline_values(
    query_text: str,
    bindings: Mapping[str, Node],
    rows: Sequence[Mapping[str, Node]] | None = None,
) -> str:
    """The query with its parameters bound by a VALUES block INSIDE the WHERE group.

    Equivalent to pre-binding for parameters used in the main group pattern (the canned
    queries' rule), and unlike a trailing VALUES clause it is joined correctly by Virtuoso
    7, which mishandles a trailing VALUES clause in any query that uses BIND. The block goes
    right after the brace that opens the outermost WHERE group (after a CONSTRUCT template);
    if that group is itself a sub-select, the sub-select is wrapped in a group first.
    With ``rows``, the block holds a row for each (several items asked at once).
    """
    if not bindings:
        return query_text
    tokens = list(_scan(query_text))
    form = next((tok for _pos, tok in tokens if tok in _FORM_WORDS), None)
    depth = 0
    skip_template = form == "CONSTRUCT"
    opening: int | None = None
    for index, (_pos, tok) in enumerate(tokens):
        if tok == "(":
            depth += 1
        elif tok == ")":
            depth -= 1
        elif tok == "{" and depth == 0:
            if skip_template and not _is_short_construct(tokens, index):
                skip_template = False
                opening = _matching(tokens, index)
                continue
            opening = index
            break
    if opening is None or tokens[opening][1] != "{":
        raise QueryError("cannot find the WHERE clause to bind the parameters in")
    start = tokens[opening][0]
    block = " " + values_block(bindings, rows) + " "
    following = tokens[opening + 1][1] if opening + 1 < len(tokens) else ""
    if following == "SELECT":  # WHERE { SELECT ... }: wrap the sub-select in its own group
        close = tokens[_matching(tokens, opening)][0]
        return (
            query_text[: start + 1]
            + block
            + "{"
            + query_text[start + 1 : close]
            + "}"
            + query_text[close:]
        )
    return query_text[: start + 1] + block + query_text[start + 1 :]


def with_values_in_subselects(
    query_text: str,
    bindings: Mapping[str, Node],
    rows: Sequence[Mapping[str, Node]] | None = None,
) -> str:
    """The query with its parameters' VALUES block also opening every sub-select that
    projects them (and whose enclosing sub-selects project them too).

    A sub-select is evaluated on its own, before the parameter's value is known, so one
    that groups over the whole graph (``SELECT ?organisation ... GROUP BY ?organisation``)
    did all that work for every value. Its rows with another value of a projected parameter
    can never join the query's rows, where the parameter has its one value, so restricting
    the sub-select to that value first gives the same answers. A sub-select that does not
    project the parameter has its own variable of that name, and is left alone.
    """
    if not bindings:
        return query_text
    tokens = list(_scan(query_text, variables=True))
    selects: list[tuple[int, int, int, set[str]]] = []  # (select, open, close, projected)
    for index, (_pos, tok) in enumerate(tokens):
        if tok != "SELECT":
            continue
        depth, projected, opening = 0, set(), None
        for j in range(index + 1, len(tokens)):
            word = tokens[j][1]
            if word == "(":
                depth += 1
            elif word == ")":
                depth -= 1
            elif word == "{" and depth == 0:
                opening = j
                break
            elif depth == 0 and (word.startswith("?") or word == "*"):
                projected.add(word)
        if opening is not None:
            selects.append((index, opening, _matching(tokens, opening), projected))
    form = next((tok for _pos, tok in tokens if tok in _FORM_WORDS), None)
    if form == "SELECT":
        selects = selects[1:]  # the query's own: its WHERE group is with_inline_values's
    insertions: list[tuple[int, str]] = []
    for index, opening, _close, projected in selects:
        enclosing = [p for i, o, c, p in selects if i < index and o < index < c]
        names = [
            name
            for name in bindings
            if all(f"?{name}" in p or "*" in p for p in [*enclosing, projected])
        ]
        if names:
            block = " " + values_block({name: bindings[name] for name in names}, rows) + " "
            insertions.append((tokens[opening][0] + 1, block))
    for position, block in sorted(insertions, reverse=True):
        query_text = query_text[:position] + block + query_text[position:]
    return query_text


_FORM_WORDS: Final[frozenset[str]] = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})


def variables_of(query_text: str) -> set[str]:
    """The names of the variables a query's text uses (``?x`` and ``$x`` both as ``x``;
    not in strings, IRIs or comments)."""
    return {token[1:] for _pos, token in _scan(query_text, variables=True) if token[:1] == "?"}


def _is_short_construct(tokens: list[tuple[int, str]], index: int) -> bool:
    """``CONSTRUCT WHERE { ... }``: the first group is the WHERE clause."""
    return index > 0 and tokens[index - 1][1] == "WHERE"


def _matching(tokens: list[tuple[int, str]], index: int) -> int:
    depth = 0
    for j in range(index, len(tokens)):
        if tokens[j][1] == "{":
            depth += 1
        elif tokens[j][1] == "}":
            depth -= 1
            if depth == 0:
                return j
    raise QueryError("unbalanced braces in the query")


__all__ = [
    "DEFAULT_MEMORY_MB",
    "DEFAULT_ROW_LIMIT",
    "DEFAULT_TIMEOUT_S",
    "ISOLATION_ENV",
    "MAX_QUERY_BYTES",
    "QUERY_FORMS",
    "USER_LIMITS",
    "CheckedQuery",
    "Limits",
    "check_query",
    "check_read_only",
    "in_source",
    "isolation_mode",
    "require_isolation",
    "run_with_timeout",
    "values_block",
    "variables_of",
    "with_inline_values",
]

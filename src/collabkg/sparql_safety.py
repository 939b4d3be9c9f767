"""Read-only guard for SPARQL written by people: no updates, no SERVICE, bounded cost.

The check works on the PARSED query (rdflib's SPARQL parser), not on the raw text, so a
string literal that happens to contain the word SERVICE is fine, while a SERVICE clause
hidden in a sub-query or an EXISTS filter is found.

Timeouts: pyoxigraph has no query timeout and cannot be interrupted. :func:`run_with_timeout`
runs the query in a forked child process (on Linux) that shares the parent's in-memory store
copy-on-write; the parent waits at most ``timeout_s`` seconds for the pickled answer and then
kills the child (SIGKILL), so a runaway query stops using CPU at once. Where fork is not
available it falls back to a daemon thread that is abandoned (the query runs on in the
background until it finishes, but the caller gets its error on time).
"""

from __future__ import annotations

import contextlib
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
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, TypeVar

from collabkg.errors import CollabkgError, QueryError, ReadOnlyViolation

if TYPE_CHECKING:
    from rdflib.term import Node

T = TypeVar("T")

DEFAULT_ROW_LIMIT: Final[int] = 1000
"""Rows returned at most for SPARQL written by users (canned queries are trusted)."""
DEFAULT_TIMEOUT_S: Final[float] = 10.0
"""Seconds a user query may run before it is stopped."""

QUERY_FORMS: Final[dict[str, str]] = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}

_UPDATE_NAMES: Final[dict[str, str]] = {
    "Load": "LOAD",
    "Clear": "CLEAR",
    "Drop": "DROP",
    "Create": "CREATE",
    "Add": "ADD",
    "Move": "MOVE",
    "Copy": "COPY",
    "InsertData": "INSERT DATA",
    "DeleteData": "DELETE DATA",
    "DeleteWhere": "DELETE WHERE",
    "Modify": "DELETE/INSERT",
}


@dataclass(frozen=True)
class Limits:
    """How much a query may return and for how long it may run."""

    rows: int | None = DEFAULT_ROW_LIMIT
    timeout_s: float | None = DEFAULT_TIMEOUT_S


USER_LIMITS: Final[Limits] = Limits()
"""Limits applied to SPARQL typed by a user (CLI ``--sparql``, the explorer's editor)."""


def _component_names(node: object) -> Iterator[str]:
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack: list[object] = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            yield item.name
            stack.extend(item.values())
        elif isinstance(item, ParseResults | list | tuple):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())


def _syntax_error(exc: Exception) -> QueryError:
    line = getattr(exc, "lineno", None)
    column = getattr(exc, "col", None)
    found = getattr(exc, "found", None)
    what = f"unexpected {found}" if found else "the query cannot be parsed"
    source_line = getattr(exc, "line", None)
    return QueryError(
        f"SPARQL syntax error: {what}",
        line=line if isinstance(line, int) else None,
        column=column if isinstance(column, int) else None,
        hint="check the query near this point: matching braces, a '.' between triple "
        "patterns, PREFIX declarations, quotes",
        source_line=source_line if isinstance(source_line, str) else None,
    )


def _update_operations(query_text: str) -> list[str] | None:
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parsed = parseUpdate(query_text)
    except Exception:
        return None
    names = [_UPDATE_NAMES.get(name, name) for name in _component_names(parsed)]
    return sorted({n for n in names if n in _UPDATE_NAMES.values()})


@functools.lru_cache(maxsize=256)
def check_read_only(query_text: str) -> str:
    """Parse the query; return its form (SELECT, ASK, CONSTRUCT or DESCRIBE).

    Raises ReadOnlyViolation for update operations (INSERT, DELETE, LOAD, CLEAR, DROP,
    CREATE, ADD, MOVE, COPY) and for SERVICE anywhere in the query, and QueryError with
    line and column for a syntax error.
    """
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        parsed = parseQuery(query_text)
    except Exception as exc:
        operations = _update_operations(query_text)
        if operations is not None:
            shown = ", ".join(operations) or "an update"
            raise ReadOnlyViolation(
                f"this is an update ({shown}): the graph is read-only",
                hint="write a SELECT, ASK, CONSTRUCT or DESCRIBE query",
            ) from None
        raise _syntax_error(exc) from None
    if "ServiceGraphPattern" in set(_component_names(parsed)):
        raise ReadOnlyViolation(
            "SERVICE is not allowed: queries may not call other endpoints",
            hint="query the collabkg graph only",
        )
    form = QUERY_FORMS.get(getattr(parsed[1], "name", ""))
    if form is None:  # pragma: no cover - the grammar allows nothing else
        raise QueryError("not a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    return form


# --------------------------------------------------------------------------- timeouts

ISOLATION_ENV: Final[str] = "COLLABKG_QUERY_ISOLATION"
"""``process`` (default where fork exists) or ``thread``: how timed queries are run."""

_KILL_GRACE_S: Final[float] = 2.0
_PREFIX: Final[int] = 8


def isolation_mode() -> str:
    """``process`` when timed queries run in a killable forked child, else ``thread``."""
    wanted = os.environ.get(ISOLATION_ENV, "").strip().lower()
    forkable = hasattr(os, "fork") and sys.platform.startswith("linux")
    if wanted == "thread" or not forkable:
        return "thread"
    return "process"


def _timeout_error(what: str, timeout_s: float) -> QueryError:
    return QueryError(
        f"the {what} took longer than {timeout_s:g} s and was stopped",
        hint="make the query more selective, or add a LIMIT",
    )


def _in_thread(work: Callable[[threading.Event], T], timeout_s: float, what: str) -> T:
    cancel = threading.Event()
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["value"] = work(cancel)
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target, name="collabkg-query", daemon=True)
    thread.start()
    thread.join(timeout_s)
    if thread.is_alive():
        cancel.set()  # the worker stops at its next solution; pyoxigraph itself cannot stop
        raise _timeout_error(what, timeout_s)
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


def _encode_error(exc: BaseException) -> tuple[str, object]:
    if isinstance(exc, CollabkgError):
        return ("collabkg", (type(exc), exc.message, dict(vars(exc))))
    return ("other", (type(exc).__name__, str(exc)))


def _decode_error(payload: object) -> BaseException:
    kind, data = payload  # type: ignore[misc]
    if kind == "collabkg":
        cls, message, attributes = data
        exc = cls.__new__(cls)
        Exception.__init__(exc, message)
        exc.__dict__.update(attributes)
        return exc
    name, text = data
    return QueryError(f"the query failed: {name}: {text}")


def _child(work: Callable[[threading.Event], T], write_fd: int) -> None:  # pragma: no cover
    """In the forked child: run, send the pickled outcome, and leave at once."""
    status = 0
    try:
        try:
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


def _reap(pid: int) -> None:
    """Kill the child (if still running) and collect it, so no zombie is left."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + _KILL_GRACE_S
    while True:
        try:
            done, _status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return
        if done or time.monotonic() > deadline:
            return
        time.sleep(0.005)


def _in_process(work: Callable[[threading.Event], T], timeout_s: float, what: str) -> T:
    read_fd, write_fd = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # fork with threads (3.12+)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child never returns
        os.close(read_fd)
        _child(work, write_fd)
    os.close(write_fd)
    received = bytearray()
    expected: int | None = None
    deadline = time.monotonic() + timeout_s
    try:
        while expected is None or len(received) < expected + _PREFIX:
            left = deadline - time.monotonic()
            if left <= 0:
                raise _timeout_error(what, timeout_s)
            ready, _w, _x = select.select([read_fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(read_fd, 1 << 16)
            if not chunk:
                raise QueryError(
                    f"the {what} stopped without an answer (its worker process died)",
                    hint="the query may need more memory than is available; make it more selective",
                )
            received += chunk
            if expected is None and len(received) >= _PREFIX:
                (expected,) = struct.unpack("!Q", received[:_PREFIX])
    finally:
        os.close(read_fd)
        _reap(pid)
    kind, payload = pickle.loads(bytes(received[_PREFIX:]))
    if kind == "error":
        raise _decode_error(payload)
    return payload  # type: ignore[no-any-return]


def run_with_timeout(
    work: Callable[[threading.Event], T], timeout_s: float | None, what: str = "query"
) -> T:
    """Run ``work(cancel)`` and return its result, or raise QueryError after ``timeout_s``.

    Without a timeout the work runs inline. With one it runs in a forked child process that
    is killed when time is up (see the module docstring), or in an abandoned thread where
    fork is unavailable or ``COLLABKG_QUERY_ISOLATION=thread``. ``work`` must return
    something picklable (rdflib terms are) and must not change the store.
    """
    if timeout_s is None:
        return work(threading.Event())
    if timeout_s <= 0:
        raise _timeout_error(what, timeout_s)
    if isolation_mode() == "process":
        return _in_process(work, timeout_s, what)
    return _in_thread(work, timeout_s, what)


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


def values_block(bindings: Mapping[str, Node]) -> str:
    """``VALUES (?a ?b) { (<iri> "text") }`` for validated terms (rdflib's n3(), escaped)."""
    names = list(bindings)
    row = " ".join(bindings[name].n3() for name in names)
    heads = " ".join(f"?{name}" for name in names)
    return f"VALUES ({heads}) {{ ({row}) }}"


def with_inline_values(query_text: str, bindings: Mapping[str, Node]) -> str:
    """The query with its parameters bound by a VALUES block INSIDE the WHERE group.

    Equivalent to pre-binding for parameters used in the main group pattern (the canned
    queries' rule), and unlike a trailing VALUES clause it is joined correctly by Virtuoso
    7, which mishandles a trailing VALUES clause in any query that uses BIND. The block goes
    right after the brace that opens the outermost WHERE group (after a CONSTRUCT template);
    if that group is itself a sub-select, the sub-select is wrapped in a group first.
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
    block = " " + values_block(bindings) + " "
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


def with_values_in_subselects(query_text: str, bindings: Mapping[str, Node]) -> str:
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
            block = " " + values_block({name: bindings[name] for name in names}) + " "
            insertions.append((tokens[opening][0] + 1, block))
    for position, block in sorted(insertions, reverse=True):
        query_text = query_text[:position] + block + query_text[position:]
    return query_text


_FORM_WORDS: Final[frozenset[str]] = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})


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
    "DEFAULT_ROW_LIMIT",
    "DEFAULT_TIMEOUT_S",
    "ISOLATION_ENV",
    "QUERY_FORMS",
    "USER_LIMITS",
    "Limits",
    "check_read_only",
    "isolation_mode",
    "run_with_timeout",
    "values_block",
    "with_inline_values",
]

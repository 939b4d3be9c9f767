"""The embedded backend: an in-memory pyoxigraph Store.

Each Turtle file is loaded into its own named graph; queries see the union of all graphs
as their default graph. Parameters reach the engine as pyoxigraph ``substitutions``
(SEP-0007 pre-binding), never as query text. Results are converted to rdflib terms.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox
from rdflib.term import Node

from collabkg import parse_once
from collabkg.backends.base import ConvertedOnRead, ItemCost, Row, Triple, convert_row
from collabkg.errors import LoadError, LoadStopped, ParameterError, QueryError
from collabkg.rdfterms import to_oxigraph, to_rdflib
from collabkg.sparql_text import names_default_graph
from collabkg.terms import PREFIXES

_PREFIX_ITEMS = tuple(PREFIXES.items())
"""The predeclared prefixes, hashable (the FROM test is cached by text and prefixes)."""
_QUERY_POSITION = re.compile(r"error at (\d+):(\d+)")

T = TypeVar("T")


# --------------------------------------------------------------------------- terms


def _substitutions(
    bindings: Mapping[str, Node] | None,
) -> dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] | None:
    if not bindings:
        return None
    try:
        return {ox.Variable(name): to_oxigraph(term) for name, term in bindings.items()}
    except (TypeError, ValueError) as exc:
        raise ParameterError(str(exc)) from None


# --------------------------------------------------------------------------- loading



@dataclass(frozen=True)
class SourceFile:
    """A Turtle file to load: where it is, how to name it, and which graph gets it."""

    path: Path
    display: str
    graph_iri: str


def _source_line(text: str, line: int | None) -> str | None:
    if line is None:
        return None
    lines = text.splitlines()
    if 1 <= line <= len(lines):
        return lines[line - 1]
    return None


def _previous_statement_line(text: str, line: int) -> int | None:
    lines = text.splitlines()
    for number in range(min(line - 1, len(lines)), 0, -1):
        stripped = lines[number - 1].strip()
        if stripped and not stripped.startswith("#"):
            return number
    return None


def turtle_hint(message: str, text: str, line: int | None) -> str:
    """Plain-English advice for a Turtle syntax error message from the parser."""
    lowered = message.lower()
    prefix = re.search(r"prefix ([A-Za-z0-9_\-]*):", message)
    if prefix and "not been declared" in lowered:
        name = prefix.group(1)
        if name in PREFIXES:
            return f"add '@prefix {name}: <{PREFIXES[name]}> .' at the top of the file"
        known = ", ".join(f"{p}:" for p in PREFIXES)
        return (
            f"'{name}:' is not a known prefix — check its spelling (ours are {known}) "
            "or declare it with @prefix at the top of the file"
        )
    if "dot is expected" in lowered or "unexpected end of file" in lowered:
        if line is not None:
            previous = _previous_statement_line(text, line)
            if previous is not None and previous != line:
                return (
                    f"the statement before this point is not finished: end it with ' .' "
                    f"(line {previous}), or check for an unclosed quote or bracket"
                )
        return "a statement is not finished: end it with ' .', and close every quote and bracket"
    if "iri" in lowered and ("scheme" in lowered or "code point" in lowered):
        return (
            "IRIs in <...> must be absolute and contain no spaces; "
            "use a prefixed name such as ckd:my-organisation instead"
        )
    if "should end with a ']'" in lowered:
        return "a '[' is not closed: add the matching ']' before the ';' or '.'"
    if "string" in lowered and ("end" in lowered or "unterminated" in lowered):
        return 'a quoted text is not closed: check the quotes (use """...""" for long text)'
    if "not a valid" in lowered:
        return (
            "check the punctuation just before this point: ';' separates properties, "
            "',' separates values, '.' ends a statement"
        )
    return "check the Turtle punctuation around this point (see data/TEMPLATE.ttl for the pattern)"


def _clean_parser_message(message: str) -> str:
    text = re.sub(r"^Parser error (at line \d+ )?(between|at) [^:]*: ", "", message)
    return text[:1].lower() + text[1:] if text else message


def load_error_from_syntax(exc: SyntaxError, source: SourceFile, text: str) -> LoadError:
    """A LoadError naming the file, line, column, offending line and a hint."""
    message = str(exc.args[0]) if exc.args else str(exc)
    line = exc.lineno
    column = exc.offset
    return LoadError(
        _clean_parser_message(message),
        file=source.display,
        line=line,
        column=column,
        hint=turtle_hint(message, text, line),
        source_line=_source_line(text, line),
    )


def _read(source: SourceFile) -> tuple[bytes, str]:
    try:
        data = source.path.read_bytes()
    except OSError as exc:
        raise LoadError(
            f"cannot read the file: {exc.strerror or exc}",
            file=source.display,
            hint="check that the file exists and is readable",
        ) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise LoadError(
            "the file is not valid UTF-8 text",
            file=source.display,
            line=line,
            column=column,
            hint="save the file with UTF-8 encoding",
        ) from None
    return data, text


def syntax_errors(sources: Iterable[SourceFile]) -> list[LoadError]:
    """Parse every file (without keeping anything) and return all problems found."""
    errors: list[LoadError] = []
    for source in sources:
        try:
            data, text = _read(source)
        except LoadError as exc:
            errors.append(exc)
            continue
        try:
            for _ in ox.parse(data, format=ox.RdfFormat.TURTLE, without_named_graphs=True):
                pass
        except SyntaxError as exc:
            errors.append(load_error_from_syntax(exc, source, text))
    return errors


STOP_EVERY = 8
"""A load given a ``stop`` test asks it before every this many files (a test is a
``select`` call: microseconds)."""


def load_store(
    sources: Sequence[SourceFile], *, stop: Callable[[], bool] | None = None
) -> ox.Store:
    """Parse every file into a fresh in-memory Store, each into its own named graph.

    All-or-nothing: if any file fails, a LoadError (listing every failure in ``errors``)
    is raised and the partly filled store is thrown away. ``stop`` is asked every
    :data:`STOP_EVERY` files: when it answers True the load stops, the partial store is
    thrown away and :class:`~collabkg.errors.LoadStopped` is raised.
    """
    store = ox.Store()
    errors: list[LoadError] = []
    for number, source in enumerate(sources):
        if stop is not None and number % STOP_EVERY == 0 and stop():
            del store
            raise LoadStopped(f"loading stopped after {number} of {len(sources)} files")
        try:
            data, text = _read(source)
        except LoadError as exc:
            errors.append(exc)
            continue
        try:
            # a file the validation parsed in this process is not parsed again
            parse_once.load(store, str(source.path), data, source.graph_iri)
        except SyntaxError as exc:
            errors.append(load_error_from_syntax(exc, source, text))
    if errors:
        first = errors[0]
        raise LoadError(
            first.message,
            file=first.file,
            line=first.line,
            column=first.column,
            hint=first.hint,
            source_line=first.source_line,
            errors=errors,
        )
    return store


# --------------------------------------------------------------------------- queries


def query_error(exc: SyntaxError) -> QueryError:
    """A QueryError with line and column from a pyoxigraph query syntax error."""
    message = str(exc.args[0]) if exc.args else str(exc)
    match = _QUERY_POSITION.search(message)
    line = int(match.group(1)) if match else None
    column = int(match.group(2)) if match else None
    text = _QUERY_POSITION.sub("", message).strip(" :") if match else message
    return QueryError(
        f"SPARQL syntax error: {text}",
        line=line,
        column=column,
        hint="check the query near this point (braces, dots, prefixes)",
    )


def _run_with_timeout(
    work: Callable[[threading.Event], T], timeout_s: float | None, what: str = "query"
) -> T:
    """Run ``work(cancel)``; after ``timeout_s`` seconds stop it and raise QueryError.

    pyoxigraph cannot be interrupted, so :func:`collabkg.sparql_safety.run_with_timeout`
    runs timed work in a forked child process that is killed on timeout (falling back to
    an abandoned daemon thread where fork is unavailable).
    """
    from collabkg.sparql_safety import run_with_timeout

    return run_with_timeout(work, timeout_s, what)


def _with_values_first(
    query: str, bindings: Mapping[str, Node], rows: Sequence[Mapping[str, Node]] | None = None
) -> str | None:
    """The query with its parameters ALSO given as a VALUES block opening its WHERE group
    and the sub-selects that project them.

    The parameters stay pre-bound (``substitutions``): the blocks only repeat their values,
    so the answers are the same, but Oxigraph then starts from them instead of evaluating
    the whole pattern first (a query about one item in a 1M-triple graph: 330 ms -> 1 ms).
    None when the block cannot be placed (the query runs as written). With ``rows``, the
    blocks hold a row for each (nothing is pre-bound then)."""
    from collabkg.sparql_safety import with_inline_values, with_values_in_subselects
    from collabkg.sparql_text import canonical_query

    try:
        planned = with_inline_values(
            with_values_in_subselects(query, bindings, rows), bindings, rows
        )
        # the blocks are text: the planned query is read again, and its canonical text
        # is what runs (it holds nothing the check did not see)
        return canonical_query(planned, PREFIXES).text
    except (QueryError, ValueError, TypeError):
        return None


def _convert(value: object) -> Node:
    return to_rdflib(value)


def _is_iri(value: object) -> bool:
    return isinstance(value, ox.NamedNode)


class EmbeddedBackend:
    """A read-only SPARQL engine over an in-memory pyoxigraph Store."""

    def __init__(self, store: ox.Store | None = None) -> None:
        self._store = store if store is not None else ox.Store()
        self._closed = False

    @classmethod
    def from_files(cls, sources: Sequence[SourceFile]) -> EmbeddedBackend:
        return cls(load_store(sources))

    @property
    def store(self) -> ox.Store:
        return self._store

    def __len__(self) -> int:
        return len(self._store)

    def _query(
        self, query: str, bindings: Mapping[str, Node] | None, *, values_first: bool = True
    ) -> object:
        if self._closed:
            raise QueryError("the graph has been closed")
        # the default graph is the union of the files' graphs, unless the query names its own
        # with FROM (the engine would ignore the FROM: a whole-graph answer, silently)
        union = not names_default_graph(query, _PREFIX_ITEMS)
        planned: str | None = None
        if bindings and values_first:
            planned = _with_values_first(query, bindings)
            if planned is not None:
                try:
                    return self._store.query(
                        planned,
                        use_default_graph_as_union=union,
                        prefixes=dict(PREFIXES),
                        substitutions=_substitutions(bindings),
                    )
                except (SyntaxError, RuntimeError):
                    pass  # said about the query as written, below
        try:
            return self._store.query(
                query,
                use_default_graph_as_union=union,
                prefixes=dict(PREFIXES),
                substitutions=_substitutions(bindings),
            )
        except SyntaxError as exc:
            raise query_error(exc) from None
        except RuntimeError as exc:
            message = str(exc)
            if "projection" in message and bindings:
                # the engine pre-binds only variables the SELECT shows: a parameter it
                # does not show is bound by the VALUES block alone (the same answers for a
                # variable of the WHERE group, as the remote backend binds every one)
                planned = planned or _with_values_first(query, bindings)
                if planned is not None:
                    with contextlib.suppress(SyntaxError, RuntimeError):
                        return self._store.query(
                            planned, use_default_graph_as_union=union, prefixes=dict(PREFIXES)
                        )
                raise ParameterError(
                    f"cannot bind parameters: {message}",
                    hint="a parameter of a SELECT query must appear in its SELECT clause "
                    "(and in GROUP BY when the query aggregates)",
                ) from None
            raise QueryError(message) from None
        except OSError as exc:  # pragma: no cover - storage failure
            raise QueryError(f"the store could not be read: {exc}") from None

    def select(
        self,
        query: str,
        bindings: Mapping[str, Node] | None = None,
        *,
        limit: int | None = None,
        timeout_s: float | None = None,
    ) -> tuple[list[str], list[Row]]:
        def work(cancel: threading.Event) -> tuple[list[str], list[Row]]:
            names, result = self._solutions(query, bindings)
            rows: list[Row] = []
            # the same term comes back in many rows (labels, concepts): converted once
            converted: dict[object, Node] = {}
            try:
                for solution in result:
                    if cancel.is_set() or (limit is not None and len(rows) >= limit):
                        break
                    values = [solution[index] for index in range(len(names))]
                    rows.append(convert_row(names, values, converted, to_rdflib))
            except (OSError, RuntimeError) as exc:
                raise QueryError(f"the query failed: {exc}") from None
            return names, rows

        return _run_with_timeout(work, timeout_s)

    def _solutions(
        self, query: str, bindings: Mapping[str, Node] | None, *, values_first: bool = True
    ) -> tuple[list[str], ox.QuerySolutions]:
        result = self._query(query, bindings, values_first=values_first)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("this is not a SELECT query", hint="use ask() or construct()")
        return [v.value for v in result.variables], result

    def select_rows(
        self,
        query: str,
        bindings: Mapping[str, Node] | None = None,
        *,
        timeout_s: float | None = None,
    ) -> tuple[list[str], ConvertedOnRead]:
        """The whole answer as the engine's own terms, converted to rdflib terms only when
        a row is read (a page of a long answer converts its own rows only)."""

        def work(cancel: threading.Event) -> tuple[list[str], ConvertedOnRead]:
            names, result = self._solutions(query, bindings)
            values: list[tuple[object, ...]] = []
            # the same term comes back in many rows (labels, concepts): kept once
            seen: dict[object, object] = {}
            keep = seen.setdefault
            try:
                for solution in result:
                    if cancel.is_set():
                        break
                    values.append(tuple([keep(v, v) for v in solution]))
            except (OSError, RuntimeError) as exc:
                raise QueryError(f"the query failed: {exc}") from None
            return names, ConvertedOnRead(names, values, _convert, _is_iri)

        return _run_with_timeout(work, timeout_s)

    def select_each(
        self,
        query: str,
        each: Sequence[Mapping[str, Node]],
        *,
        timeout_s: float | None = None,
        give_up_after: float | None = None,
        known: ItemCost | None = None,
        noted: Callable[[ItemCost], None] | None = None,
    ) -> list[tuple[list[str], list[tuple[object, ...]]]]:
        """The answer (the engine's terms) for each set of parameters in ``each``, all run
        as one timed piece of work: many small questions about one item each (a kept
        answer brought up to date) without the cost of timing each one apart.

        Unless ``known`` says which, the first is asked twice: with the parameters pre-bound
        only (Oxigraph substitutes them in the sub-selects too) and with the VALUES blocks of
        :func:`_with_values_first` as well; the faster way asks the others (either can be ten
        times the other, depending on the query). ``noted`` is told the way taken and what
        an item cost. Where the VALUES-first way is the faster, or one by one they would
        take longer than ``give_up_after`` (as measured on the first, or as ``known`` says),
        the items after the first are asked together (:meth:`_together`), in queries of n,
        2n, 4n... items (n: 2, or as many as one by one would take an eighth of the time
        given): a handful of queries, given up between two once the time is past or
        the next would take it past, were it to cost, item for item, what the last did. With
        ``give_up_after`` (seconds), nothing is returned (an empty list) as soon as the
        time is past (but every item answered is: a lone item of unknown cost, asked both
        ways to learn it), or at once for one item known to take longer."""
        if not each:
            return []

        def one(
            bindings: Mapping[str, Node], values_first: bool
        ) -> tuple[list[str], list[tuple[object, ...]]]:
            names, result = self._solutions(query, bindings, values_first=values_first)
            try:
                return names, [tuple(solution) for solution in result]
            except (OSError, RuntimeError) as exc:
                raise QueryError(f"the query failed: {exc}") from None

        costs: list[ItemCost] = []
        """What an item cost, as measured: told to ``noted`` by this process once the work
        is done (it may run in a child process, which must not write to the cache)."""

        def work(
            cancel: threading.Event,
        ) -> tuple[list[tuple[list[str], list[tuple[object, ...]]]], list[ItemCost]]:
            answers: list[tuple[list[str], list[tuple[object, ...]]]] = []
            started = time.perf_counter()

            def past() -> bool:
                return give_up_after is not None and time.perf_counter() - started > give_up_after

            rest = list(each)
            if known is None:  # the first item both ways
                answers.append(one(rest[0], False))
                pre_bound = time.perf_counter() - started
                one(rest[0], True)
                with_blocks = time.perf_counter() - started - pre_bound
                values_first = with_blocks < pre_bound
                single = min(pre_bound, with_blocks)
                costs.append(ItemCost(values_first, single))
                rest = rest[1:]
            else:
                values_first, single = known.values_first, known.seconds
            if not rest:  # the one item, asked both ways: answered, whatever it cost
                return answers, costs
            slow = give_up_after is not None and single * len(each) > give_up_after
            if slow and len(rest) < 2:  # one item, known to take longer: not asked
                if known is not None:  # measured under load, perhaps
                    costs.append(known.reconsidered())
                return [], costs
            rest_started, asked = time.perf_counter(), len(rest)

            def measured() -> tuple[
                list[tuple[list[str], list[tuple[object, ...]]]], list[ItemCost]
            ]:
                """Given up past the time: what the items asked so far cost is noted."""
                done = len(answers) - (1 if known is None else 0)
                if done > 0:
                    spent = time.perf_counter() - rest_started
                    costs.append(ItemCost(values_first, spent / done))
                return [], costs

            if len(rest) > 1 and (values_first or slow):
                # one by one, the VALUES-first way is the faster, or they would take too
                # long; together they may not: in queries of n, 2n, 4n... items (each query
                # runs to its end: its rows come once sorted), none started once past the
                # time or when, at the last one's cost per item, it would take it past; the
                # first of as many as one by one would take an eighth of the time
                size, last, last_items = 2, 0.0, 1
                if give_up_after is not None:
                    size = max(2, min(len(rest), int(give_up_after / 8 / max(single, 1e-4))))
                while rest and not cancel.is_set():
                    items = min(size, len(rest))
                    if give_up_after is not None and (
                        time.perf_counter() - started + last * items / last_items > give_up_after
                    ):
                        return measured()
                    asked_at = time.perf_counter()
                    together = self._together(query, rest[:size])
                    if together is None:
                        break  # cannot be asked together: one by one, below
                    last, last_items = time.perf_counter() - asked_at, items
                    values_first = True  # the way noted: together
                    answers += together
                    rest = rest[size:]
                    size *= 2
            for bindings in rest:
                if cancel.is_set():
                    break
                answers.append(one(bindings, values_first))
                if past():
                    return measured()
            if asked > 0 and len(answers) == len(each):
                costs.append(ItemCost(values_first, (time.perf_counter() - rest_started) / asked))
            return answers, costs

        answers, measured_costs = _run_with_timeout(work, timeout_s)
        if noted is not None:
            for cost in measured_costs:
                noted(cost)
        return answers

    def _together(
        self, query: str, each: Sequence[Mapping[str, Node]]
    ) -> list[tuple[list[str], list[tuple[object, ...]]]] | None:
        """The answers for several values of one parameter (an item each), asked at once:
        one query whose VALUES blocks hold them all, its rows split by that parameter's
        column (each keeps the query's order). None when they are not values of one
        parameter the answer shows, or the blocks cannot be placed."""
        names = {name for bindings in each for name in bindings}
        if len(names) != 1 or any(len(bindings) != 1 for bindings in each):
            return None
        (name,) = names
        planned = _with_values_first(query, each[0], list(each))
        if planned is None:
            return None
        try:
            result = self._store.query(
                planned,
                use_default_graph_as_union=not names_default_graph(query, _PREFIX_ITEMS),
                prefixes=dict(PREFIXES),
            )
        except (SyntaxError, RuntimeError):
            return None
        if not isinstance(result, ox.QuerySolutions):
            return None
        variables = [v.value for v in result.variables]
        if name not in variables:
            return None
        column = variables.index(name)
        rows: dict[object, list[tuple[object, ...]]] = {}
        try:
            for solution in result:
                row = tuple(solution)
                rows.setdefault(row[column], []).append(row)
        except (OSError, RuntimeError) as exc:
            raise QueryError(f"the query failed: {exc}") from None
        return [(variables, rows.get(to_oxigraph(bindings[name]), [])) for bindings in each]

    def ask(
        self,
        query: str,
        bindings: Mapping[str, Node] | None = None,
        *,
        timeout_s: float | None = None,
    ) -> bool:
        def work(cancel: threading.Event) -> bool:
            result = self._query(query, bindings)
            if not isinstance(result, ox.QueryBoolean):
                raise QueryError("this is not an ASK query", hint="use select() or construct()")
            return bool(result)

        return _run_with_timeout(work, timeout_s)

    def construct(
        self,
        query: str,
        bindings: Mapping[str, Node] | None = None,
        *,
        timeout_s: float | None = None,
    ) -> list[Triple]:
        def work(cancel: threading.Event) -> list[Triple]:
            result = self._query(query, bindings)
            if not isinstance(result, ox.QueryTriples):
                raise QueryError("this is not a CONSTRUCT or DESCRIBE query")
            triples: list[Triple] = []
            try:
                for triple in result:
                    if cancel.is_set():
                        break
                    triples.append(
                        (
                            to_rdflib(triple.subject),
                            to_rdflib(triple.predicate),
                            to_rdflib(triple.object),
                        )
                    )
            except (OSError, RuntimeError) as exc:
                raise QueryError(f"the query failed: {exc}") from None
            return triples

        return _run_with_timeout(work, timeout_s)

    @property
    def location(self) -> str | None:
        return None

    def write_nquads(self, path: str) -> int:
        self._store.dump(path, format=ox.RdfFormat.N_QUADS)
        return len(self._store)

    def all_triples(self) -> list[Triple]:
        """Every distinct triple of the union graph (fast path for exports)."""
        seen: set[Triple] = set()
        for quad in self._store.quads_for_pattern(None, None, None, None):
            seen.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
        return list(seen)

    def close(self) -> None:
        self._closed = True


__all__ = [
    "EmbeddedBackend",
    "SourceFile",
    "load_error_from_syntax",
    "load_store",
    "query_error",
    "syntax_errors",
    "to_oxigraph",
    "to_rdflib",
    "turtle_hint",
]

"""The ``collabkg`` command line: the only module that prints for users or exits.

Exit codes: 0 success, 1 invalid data or a failed query, 2 usage error.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from collabkg import __version__
from collabkg.errors import CollabkgError, LoadError, ParameterError, UsageError
from collabkg.progress import Progress

if TYPE_CHECKING:
    import rdflib
    from rdflib import URIRef

    from collabkg.backends.base import Row
    from collabkg.bindings import Bindings
    from collabkg.catalogue import CannedQuery, ParamSpec
    from collabkg.graph import KnowledgeGraph
    from collabkg.results import Labeller
    from collabkg.sparql_safety import Limits
    from collabkg.validate import Report

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
MAX_CELL = 60
PROG = "collabkg"


# --------------------------------------------------------------------------- output helpers


def _err(message: str) -> None:
    print(f"{PROG}: error: {message}", file=sys.stderr)


def _cell(value: object) -> str:
    if value is None:
        return ""
    text = " ".join(str(value).split())
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def format_table(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Aligned plain-text columns with a header and a rule."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [len(c) for c in columns]
    for row in cells:
        for index, text in enumerate(row):
            widths[index] = max(widths[index], len(text))
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        lines.append("  ".join(t.ljust(w) for t, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines)


def _show_error(exc: CollabkgError, *, also: int = 0) -> None:
    _err(exc.one_line())
    if exc.source_line is not None:
        print(f"    {exc.source_line}", file=sys.stderr)
        if exc.column:
            print("    " + " " * (exc.column - 1) + "^", file=sys.stderr)
    if also:
        print(
            f"{PROG}: ...and {also} more problem(s); run '{PROG} validate' to see them all",
            file=sys.stderr,
        )


_HELD_TO_EXIT: list[object] = []
"""What a one-shot command loaded, held until :func:`run` ends the process (not freed)."""
_LEAVING_AT_ONCE = False
"""Set by :func:`run`: the process ends right after the command (``main()`` called from
Python, as the tests do, holds nothing)."""


def _held_to_exit(graph: KnowledgeGraph) -> KnowledgeGraph:
    """``graph``, held until the process ends when it ends at once after this command
    (:func:`run`): freeing a graph's store statement by statement is the last thing the
    command would otherwise wait for. Not for a server's graphs, which are reloaded."""
    if _LEAVING_AT_ONCE:
        _HELD_TO_EXIT.append(graph)
    return graph


def _load_graph(args: argparse.Namespace) -> KnowledgeGraph:
    """The graph to query: the remote endpoint (--endpoint / COLLABKG_ENDPOINT) or the files."""
    from collabkg.project import open_graph

    graph = open_graph(
        args.root,
        endpoint=getattr(args, "endpoint", None),
        allow_invalid=bool(getattr(args, "allow_invalid", False)),
    )
    if graph.invalid and graph.validation is not None:
        from collabkg.validate import summary_line

        print(
            f"{PROG}: warning: the data has errors ({summary_line(graph.validation)}); "
            "loaded anyway because of --allow-invalid — run 'collabkg validate' to see them",
            file=sys.stderr,
        )
    return graph


def _validated_local_graph(args: argparse.Namespace) -> KnowledgeGraph:
    """The local files, validated (never a remote endpoint): what serve and publish share."""
    from collabkg.publish import load_validated

    if getattr(args, "allow_invalid", False):
        print(
            f"{PROG}: note: --allow-invalid does not apply here: only valid data is served "
            "or published",
            file=sys.stderr,
        )
    return load_validated(args.root)


# --------------------------------------------------------------------------- commands


def cmd_validate(args: argparse.Namespace, out: TextIO) -> int:
    """Run the validation pipeline (syntax, vocabulary, SHACL, optionally OWL consistency)."""
    from collabkg.progress import Progress, use
    from collabkg.validate import render, use_colour, validate

    with Progress.start("collabkg validate") as progress, use(progress):
        report = validate(
            args.paths or None, root=args.root, reason=args.reason, engine=args.engine
        )
    code = report.exit_code(strict=args.strict)
    if args.errors_only:
        report = _errors_only(report)
    colour = args.format == "human" and use_colour(out)
    print(render(report, args.format, colour=colour, strict=args.strict), end="", file=out)
    return code


def _errors_only(report: Report) -> Report:
    """The report with its errors only, and a note of how many warnings and notes were left out."""
    import dataclasses

    from collabkg.validate import Severity

    kept = [i for i in report.issues if i.severity is Severity.VIOLATION]
    left = len(report.issues) - len(kept)
    notes = list(report.notes)
    if left:
        notes.append(
            f"{report.warnings} warning(s) and {report.infos} note(s) are not shown "
            "(--errors-only); run without it to read them"
        )
    left_out = [i for i in report.issues if i.severity is not Severity.VIOLATION]
    return dataclasses.replace(report, issues=kept, notes=notes, not_shown=left_out)


def _raw_params(assignments: Sequence[str]) -> tuple[dict[str, str], dict[str, str | None]]:
    from collabkg.bindings import parse_assignment

    values: dict[str, str] = {}
    types: dict[str, str | None] = {}
    for text in assignments:
        name, type_, value = parse_assignment(text)
        if name in values:
            raise ParameterError(
                f"--param {name} is given twice ({name}={values[name]} and {name}={value})",
                hint="give each parameter once",
            )
        values[name] = value
        types[name] = type_
    return values, types


def _check_own_params(
    text: str, values: dict[str, str], types: dict[str, str | None]
) -> None:
    """Refuse, before anything is loaded, a parameter of your own SPARQL that could only be
    ignored: one naming no variable of the query, or a value written as a prefixed name
    whose prefix collabkg does not know (it would be bound as a text or an IRI of that
    scheme, and match nothing)."""
    from collabkg.bindings import known_prefixes, unknown_prefix
    from collabkg.sparql_safety import variables_of

    used = variables_of(text)
    for name, value in values.items():
        if name not in used:
            shown = ", ".join(f"?{v}" for v in sorted(used)) or "none"
            raise ParameterError(
                f"--param {name}={value}: the query has no variable ?{name} to bind",
                hint=f"its variables: {shown}",
            )
        prefix = unknown_prefix(value)
        if prefix is not None and types[name] in (None, "iri"):
            raise ParameterError(
                f"--param {name}={value}: '{prefix}:' is not a prefix collabkg knows "
                f"(it knows {known_prefixes()})",
                hint=f"use one of those prefixes or a full IRI; for a text, write "
                f"--param {name}:string={value}",
            )


def _names(graph: KnowledgeGraph) -> Labeller:
    """How the CLI names IRIs: by the labels the graph gives, else by their compact names
    (``org:Organization``), never by names made up from local names (the explorer's)."""
    from collabkg.results import CompactNames

    return CompactNames(graph)


def _write_result(result: object, graph: Labeller, fmt: str, out: TextIO) -> None:
    import rdflib

    from collabkg.graph import QueryResult
    from collabkg.turtle import canonical_turtle

    if isinstance(result, bool):
        if fmt == "json":
            print(json.dumps({"boolean": result}), file=out)
        elif fmt == "csv":  # machine-readable, as the endpoint's answer
            print("true" if result else "false", file=out)
        else:
            print("yes" if result else "no", file=out)
        return
    if isinstance(result, rdflib.Graph):
        if fmt == "json":
            from collabkg.terms import PREFIXES

            print(result.serialize(format="json-ld", context=dict(PREFIXES), indent=2),
                  file=out)
        else:
            print(canonical_turtle(result), end="", file=out)
        return
    assert isinstance(result, QueryResult)
    if fmt == "table":
        # a ?x column with a ?xLabel beside it is shown by its label only
        labelled = {v for v in result.vars if f"{v}Label" in result.vars}
        rows = result.to_labelled(graph, with_iris=False, unlabelled=labelled)
        shown = [v for v in result.vars if v not in labelled]
        print(format_table(shown, [[r[v] for v in shown] for r in rows]), file=out)
        noun = "row" if len(result) == 1 else "rows"
        print(f"({len(result)} {noun})", file=out)
        return
    _write_rows(result.vars, result.rows, result.iri_vars(), graph, fmt, out)


def _write_rows(
    names: Sequence[str],
    rows: Sequence[Row],
    iri_vars: Sequence[str],
    graph: Labeller,
    fmt: str,
    out: TextIO,
) -> None:
    """Write an answer as CSV or JSON (:func:`collabkg.results.answer_chunks`), each chunk
    written and flushed before the next is read: a long answer streams out."""
    from collabkg.results import answer_chunks

    for text in answer_chunks(names, rows, graph, fmt, iri_vars=iri_vars, chunk=STREAM_CHUNK):
        if text:
            out.write(text)
            out.flush()


STREAM_CHUNK = 1000
"""Rows labelled and written at a time by ``collabkg query --format csv|json``."""


GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")
"""The query forms whose answer is a graph (triples), not a table."""


def _refuse_graph_as_csv(form: str, fmt: str) -> None:
    if form in GRAPH_FORMS and fmt == "csv":
        raise UsageError(
            f"a {form} query answers with triples, not a table: --format csv does not apply",
            hint="use --format table (Turtle, the default) or --format json (JSON-LD); "
            "for a table, write a SELECT query",
        )


def _first_triples(result: rdflib.Graph, limit: int | None) -> tuple[rdflib.Graph, bool]:
    """At most ``limit`` triples of ``result`` (the first in N-Triples order, so the same
    ones each time), and whether some were left out."""
    import rdflib

    if limit is None or len(result) <= limit:
        return result, False
    kept = sorted(result, key=lambda triple: tuple(term.n3() for term in triple))[:limit]
    cut = rdflib.Graph()
    for prefix, namespace in result.namespaces():
        cut.bind(prefix, namespace, override=False)
    for triple in kept:
        cut.add(triple)
    return cut, True


def _is_query_file(ref: str) -> bool:
    return ref.endswith(".rq") or Path(ref).is_file()


def cmd_query(args: argparse.Namespace, out: TextIO) -> int:
    """Run a canned query (by id), an analyst's .rq file, or --sparql text.

    Canned queries are trusted (no row limit unless --limit, no timeout unless --timeout).
    An analyst's own SPARQL (a file or --sparql) is checked read-only before anything is
    loaded, and runs with a row limit (default 1000) and a timeout (default 10 s).
    """
    import rdflib

    from collabkg.bindings import infer_type, to_term
    from collabkg.catalogue import Catalogue, parse_query_file
    from collabkg.graph import QueryResult
    from collabkg.sparql_safety import USER_LIMITS, Limits, check_read_only

    if args.ref is None and args.sparql is None:
        raise UsageError(
            "say which query to run: a question's id (e.g. "
            f"'{PROG} query accountability-chain'), a .rq file, or --sparql 'SELECT ...'",
            hint=f"'{PROG} queries' lists the questions and their parameters",
        )
    if args.ref is not None and args.sparql is not None:
        raise UsageError(
            f"give a question's id or a .rq file ({args.ref!r}), or --sparql TEXT, not both",
            hint="leave one of them out",
        )
    if args.limit is not None and args.limit < 0:
        raise UsageError("--limit must be zero or more")
    if args.timeout is not None and args.timeout <= 0:
        raise UsageError("--timeout must be more than zero seconds")
    if args.page is not None and args.offset is not None:
        raise UsageError("give --page or --offset, not both")
    if args.page is not None and args.page < 1:
        raise UsageError("--page counts from 1", hint="--page 1 is the first page")
    if args.offset is not None and args.offset < 0:
        raise UsageError("--offset must be zero or more")
    if args.page_size < 1:
        raise UsageError("--page-size must be at least 1")
    values, types = _raw_params(args.param)
    user_limits = Limits(
        rows=args.limit if args.limit is not None else USER_LIMITS.rows,
        timeout_s=args.timeout if args.timeout is not None else USER_LIMITS.timeout_s,
    )
    canned: CannedQuery | None = None
    catalogue: Catalogue | None = None
    if args.sparql is not None:
        text = args.sparql
        limits = user_limits
    elif _is_query_file(args.ref):
        if not Path(args.ref).is_file():
            raise UsageError(
                f"no such query file: {args.ref}", hint="give a query id or a .rq path"
            )
        canned = parse_query_file(Path(args.ref), args.ref)
        text = canned.text
        limits = user_limits
    else:
        catalogue = Catalogue.load(args.root)
        canned = catalogue.get(args.ref)
        text = canned.text
        limits = Limits(rows=args.limit, timeout_s=args.timeout)
    form = check_read_only(text)  # refuse updates and SERVICE before anything is loaded
    _refuse_graph_as_csv(form, args.format)
    if canned is not None:
        for name in values:
            canned.param(name)  # an unknown parameter is refused before loading anything
    else:
        _check_own_params(text, values, types)
    graph = _held_to_exit(_load_graph(args))
    if canned is not None and canned.params:
        from collabkg.catalogue import choices, missing_parameter_error, missing_parameters

        missing = missing_parameters(canned, values)
        if missing:
            spec = missing[0]
            options = choices(graph, spec, catalogue) if spec.type == "iri" else None
            raise missing_parameter_error(canned, spec, options)
        bindings = canned.bind(values, graph=graph, catalogue=catalogue)
        from collabkg.catalogue import refused_choice

        for spec in canned.params:  # a name the graph or the question does not know
            if spec.name in values:
                refused = refused_choice(
                    graph, canned, spec, values[spec.name], bindings[spec.name], catalogue
                )
                if refused is not None:
                    raise refused
    else:
        bindings = {
            name: to_term(value, types[name] or infer_type(value)) for name, value in values.items()
        }
    if args.page is not None or args.offset is not None:
        return _write_page(
            graph, text, bindings, args, limits, out, trusted=catalogue is not None, canned=canned
        )
    if catalogue is not None and canned is not None and args.format in ("csv", "json") \
            and limits.rows is None:
        from collabkg.sparql_safety import check_query, require_isolation

        checked = check_query(text)
        if checked.form == "SELECT":
            # the whole answer of a canned question: streamed out, converted chunk by chunk
            if graph.endpoint is None:
                require_isolation()
            timeout_s = limits.timeout_s if limits.timeout_s is not None else (
                USER_LIMITS.timeout_s)  # as graph.user_query times it
            names, rows = graph.select_rows(checked.text, bindings, timeout_s=timeout_s)
            from collabkg.results import iri_variables

            iri_vars = iri_variables(names, rows)
            _write_rows(canned.column_order(names), rows, iri_vars, _names(graph), args.format,
                        out)
            return EXIT_OK
    result = graph.user_query(text, bindings, limits=limits)
    if canned is not None and isinstance(result, QueryResult):
        result = canned.ordered(result)  # the columns that answer the question first
    cut = False
    if isinstance(result, rdflib.Graph):  # the same cap as rows, in triples
        result, cut = _first_triples(result, limits.rows)
    _write_result(result, _names(graph), args.format, out)
    if isinstance(result, QueryResult) and result.truncated:
        print(
            f"{PROG}: note: only the first {result.limit} rows are shown; "
            "use --limit N to see more",
            file=sys.stderr,
        )
    if cut:
        print(
            f"{PROG}: note: only the first {limits.rows} triples are shown; "
            "use --limit N to see more",
            file=sys.stderr,
        )
    return EXIT_OK


QUERIES_CHOICES_SHOWN = 5


class _ChoiceLister:
    """Lists a parameter's choices from the graph, loaded on first use (None when it cannot
    load: :attr:`why` then says why)."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.loaded = False
        self.graph: KnowledgeGraph | None = None
        self.why: str | None = None

    def __call__(self, spec: ParamSpec) -> list[tuple[URIRef, str]] | None:
        from collabkg.catalogue import Catalogue, choices

        if not self.loaded:
            self.loaded = True
            try:
                self.graph = _load_graph(self.args)
            except CollabkgError as exc:
                self.why = exc.one_line()
        if self.graph is None:
            return None
        return choices(self.graph, spec, Catalogue.load(self.args.root))


def _print_params(query: CannedQuery, lister: _ChoiceLister, out: TextIO,
                  *, indent: str, shown: int | None) -> None:
    from collabkg.terms import compact

    for spec in query.params:
        needed = "required" if (spec.required or spec.picks_an_item) else (
            f"optional, default {spec.default}"
        )
        label = f" — {spec.label}" if spec.label else ""
        print(f"{indent}--param {spec.name}=VALUE  ({spec.type}, {needed}){label}", file=out)
        if spec.type != "iri":
            continue
        options = lister(spec)
        if options is None:
            print(f"{indent}    choices: {spec.describe_choices()}", file=out)
            continue
        items = list(options)
        listed = items if shown is None else items[:shown]
        for iri, text in listed:
            print(f"{indent}    {compact(str(iri))}  {text}", file=out)
        more = len(items) - len(listed)
        if more > 0:
            print(f"{indent}    ... and {more} more ('{PROG} queries {query.id}' lists them all)",
                  file=out)
        if not items:
            print(f"{indent}    (no choices in the graph yet: {spec.describe_choices()})",
                  file=out)


def _write_page(
    graph: KnowledgeGraph,
    text: str,
    bindings: Bindings,
    args: argparse.Namespace,
    limits: Limits,
    out: TextIO,
    *,
    trusted: bool,
    canned: CannedQuery | None = None,
) -> int:
    """``collabkg query ... --page N`` (or ``--offset N``): one page of a SELECT answer,
    labelled alone, and where it lies in the whole answer (on stderr for csv and json).

    A canned query (``trusted``) is paged by the facade (answer kept, pages sliced); an
    analyst's own SPARQL still goes through ``user_query`` (its checks, row limit and
    timeout), and its page is cut from that answer."""
    from collabkg.graph import Page, QueryResult
    from collabkg.sparql_safety import check_read_only

    if check_read_only(text) != "SELECT":
        raise UsageError("--page and --offset apply to SELECT queries only")
    offset = args.offset if args.offset is not None else (args.page - 1) * args.page_size
    if trusted:
        page = graph.select_page(
            text, bindings, offset=offset, size=args.page_size, timeout_s=limits.timeout_s
        )
    else:
        whole = graph.user_query(text, bindings, limits=limits)
        assert isinstance(whole, QueryResult)
        rows = whole.rows[offset : offset + args.page_size]
        page = Page(QueryResult(whole.vars, rows), offset, args.page_size, len(whole))
    shown = page.result if canned is None else canned.ordered(page.result)
    _write_result(shown, _names(graph), args.format, out)
    where = page.describe()
    if page.has_more:
        where += f"; next: --offset {offset + len(page.result)}" if args.offset is not None else (
            f"; next: --page {page.number + 1}"
        )
    print(f"({where})" if args.format == "table" else f"{PROG}: {where}",
          file=out if args.format == "table" else sys.stderr)
    return EXIT_OK


def cmd_queries(args: argparse.Namespace, out: TextIO) -> int:
    """List the canned queries by tag, each with its parameters and their choices."""
    from collabkg.catalogue import Catalogue

    catalogue = Catalogue.load(args.root)
    lister = _ChoiceLister(args)
    if getattr(args, "ids", None):
        for query_id in args.ids:
            query = catalogue.get(query_id)
            print(f"{query.id}: {query.summary}", file=out)
            if query.description:
                print(f"  {' '.join(query.description.split())}", file=out)
            if query.params:
                print("  parameters:", file=out)
                _print_params(query, lister, out, indent="    ", shown=None)
            else:
                print("  no parameters", file=out)
        return EXIT_OK
    if not len(catalogue):
        print("No canned queries yet: add .rq files under queries/.", file=out)
        return EXIT_OK
    width = max(len(q.id) for q in catalogue)
    for tag, queries in catalogue.by_tag().items():
        print(f"{tag}:", file=out)
        for query in queries:
            print(f"  {query.id.ljust(width)}  {query.summary}", file=out)
            _print_params(query, lister, out, indent="  " + " " * (width + 2),
                          shown=QUERIES_CHOICES_SHOWN)
    print(f"({len(catalogue)} queries; run one with '{PROG} query ID --param NAME=VALUE')",
          file=out)
    if lister.why:
        print(f"{PROG}: note: choices are not listed: the graph did not load ({lister.why})",
              file=sys.stderr)
    return EXIT_OK


def cmd_sources(args: argparse.Namespace, out: TextIO) -> int:
    """List the sources: kind, address, whether their text is available, verified quotations."""
    from collabkg.paths import ProjectPaths
    from collabkg.sources import TextStatus, read_triples, summarise, texts_folder

    project = ProjectPaths.discover(args.root)
    files = project.graph_files()
    folder = texts_folder(project.root)
    left_out: list[Path] = []
    rows = summarise(read_triples(files, left_out), folder)
    for path in left_out:
        print(f"{PROG}: warning: {project.relative(path)} was left out: it cannot be read as "
              f"Turtle (run '{PROG} validate' to see where)", file=sys.stderr)
    if not rows:
        print("No sources yet: describe them in data/sources.ttl.", file=out)
        return EXIT_OK
    table = []
    for row in rows:
        record = row.state.record
        kinds = sorted(t.rsplit("#", 1)[-1] for t in record.types if "#" in t)
        kind = ", ".join(k for k in kinds if k != "Source") or "Source"
        text = record.text_file or "-"
        table.append([
            record.label or record.iri,
            _words(kind),
            record.address or "-",
            f"{text}: {row.state.status.value}",
            f"{row.verified}/{row.quotations}",
        ])
    print(format_table(["source", "kind", "address", "text", "verified quotations"], table),
          file=out)
    print(f"\nSource texts are read from {folder} (set COLLABKG_SEEDS to use another folder).",
          file=out)
    for row in rows:
        state = row.state
        if state.status is TextStatus.CHANGED:
            print(f"{PROG}: warning: {state.record.label}: {state.path} has sha256 "
                  f"{state.actual_sha256}, not the recorded {state.record.sha256}", file=out)
        elif state.status is TextStatus.UNRECORDED:
            print(f"{PROG}: note: {state.record.label}: record its text's sha256 with "
                  f'ck:hasTextSha256 "{state.actual_sha256}" ;', file=out)
    # a quotation not found in a text that is there fails; a text not there is only noted
    unverified = sum(r.quotations - r.verified for r in rows if r.state.status.usable)
    return EXIT_OK if not unverified and not left_out else EXIT_INVALID


def _words(camel: str) -> str:
    """``JournalArticle`` -> ``journal article``."""
    import re

    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", camel).lower()


def cmd_stats(args: argparse.Namespace, out: TextIO) -> int:
    graph = _held_to_exit(_load_graph(args))
    per_file = graph.triples_per_file()
    print("Triples per file", file=out)
    if per_file or graph.endpoint is None:
        rows = [[f, str(n)] for f, n in per_file.items()]
        print(format_table(["file", "triples"], rows), file=out)
        total = graph.triple_count()
        print(f"\n{len(per_file)} file(s), {total} distinct triples in all.", file=out)
    else:
        print(f"  not available on a remote endpoint ({graph.endpoint})", file=out)
        print(f"\n{graph.triple_count()} distinct triples in all.", file=out)
    per_class = graph.counts_per_class()
    print("\nInstances per class", file=out)
    print(
        format_table(["class", "instances"], [[c, str(n)] for c, n in per_class.items()]),
        file=out,
    )
    return EXIT_OK


def cmd_serve(args: argparse.Namespace, out: TextIO) -> int:
    """Validate, then serve the graph read-only over the SPARQL 1.1 Protocol until Ctrl+C."""
    from collabkg.server import serve

    if not 0 <= args.port <= 65535:
        raise UsageError("--port must be between 0 and 65535")
    if args.timeout <= 0:
        raise UsageError("--timeout must be more than zero seconds")
    if args.max_rows <= 0:
        raise UsageError("--max-rows must be a whole number above zero")
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"{PROG}: warning: listening on {args.host}: anyone who can reach it can query "
            "the graph (there is no authentication)",
            file=sys.stderr,
        )
    graph = _validated_local_graph(args)
    serve(
        graph, host=args.host, port=args.port, timeout_s=args.timeout,
        row_limit=args.max_rows, out=out, log=None if args.quiet else sys.stderr,
    )
    return EXIT_OK


def cmd_publish(args: argparse.Namespace, out: TextIO) -> int:
    """Validate, then PUT the graph into a named graph of a Graph Store Protocol endpoint."""
    from collabkg.progress import Progress, use
    from collabkg.publish import TerminalProgress, check_endpoint, prepare, send

    check_endpoint(args.gsp_endpoint)  # a bad URL is reported before loading anything
    if args.timeout <= 0:
        raise UsageError("--timeout must be more than zero seconds")
    with Progress.start("collabkg publish") as loading, use(loading):
        graph = _held_to_exit(_validated_local_graph(args))
        loading.stage("preparing the upload")
        upload = prepare(graph, args.gsp_endpoint, args.graph)
    if args.dry_run:
        print(f"Dry run: would {upload.describe()}.", file=out)
        print("Nothing was sent.", file=out)
        return EXIT_OK
    progress = TerminalProgress(sys.stderr) if sys.stderr.isatty() else None
    try:
        status = send(upload, timeout_s=args.timeout, progress=progress)
    finally:
        if progress is not None:
            progress.finish()
    print(
        f"Published {upload.triples:,} triples into graph <{upload.graph}> at "
        f"{upload.endpoint} (HTTP {status}).",
        file=out,
    )
    return EXIT_OK


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    from collabkg.progress import Progress, use

    with Progress.start("collabkg export") as progress, use(progress):
        graph = _held_to_exit(_load_graph(args))
        progress.stage(f"writing {args.format}")
        text = graph.export(args.format)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"Wrote {args.output}.", file=sys.stderr)
    else:
        print(text, end="", file=out)
    return EXIT_OK


def cmd_fmt(args: argparse.Namespace, out: TextIO) -> int:
    import pyoxigraph as ox

    from collabkg.backends.embedded import SourceFile, load_error_from_syntax, to_rdflib
    from collabkg.turtle import format_file_text

    status = EXIT_OK
    unformatted: list[str] = []
    files = args.files or _project_turtle_files(args.root)
    for name in files:
        path = Path(name)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            _err(f"{name}: cannot read the file: {exc}")
            status = EXIT_INVALID
            continue
        # read as the graph reads it (a UTF-8 byte order mark ignored), written without it
        bom = text.startswith("\ufeff")
        text = text.removeprefix("\ufeff")
        why = " (removed the byte order mark)" if bom else ""
        try:
            triples = [
                (to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object))
                for t in ox.parse(text, format=ox.RdfFormat.TURTLE)
            ]
        except SyntaxError as exc:
            _show_error(load_error_from_syntax(exc, SourceFile(path, name, ""), text))
            status = EXIT_INVALID
            continue
        canonical = format_file_text(text, triples)
        if canonical == text and not bom:
            continue
        if args.check:
            unformatted.append(name + (" (it starts with a byte order mark)" if bom else ""))
            continue
        path.write_text(canonical, encoding="utf-8")
        print(f"formatted {name}{why}", file=out)
    if unformatted:
        for name in unformatted:
            print(f"not canonical: {name}", file=out)
        print(f"{len(unformatted)} file(s) would be rewritten; run '{PROG} fmt FILE...'", file=out)
        return EXIT_INVALID
    if args.check and status == EXIT_OK:
        print(f"{len(files)} file(s) checked: all in the canonical layout.", file=out)
    return status


def _project_turtle_files(root: str | None) -> list[str]:
    """What `fmt` (and `fmt --check`) work on when no file is named: every Turtle file of
    the project (data/, with the template, ontology/ and shapes/), relative to the
    current folder when inside it."""
    from collabkg.paths import ProjectPaths

    project = ProjectPaths.discover(root)
    files: list[str] = []
    for folder in (project.data, project.ontology, project.shapes):
        if folder.is_dir():
            for path in sorted(folder.rglob("*.ttl")):
                try:
                    files.append(str(path.relative_to(Path.cwd())))
                except ValueError:
                    files.append(str(path))
    return files


EXPLORER_STREAMLIT_FLAGS = ("--runner.magicEnabled", "false")
"""Streamlit options the explorer runs with. Magic off: the pages use none (no bare
expression is ever displayed), and with it on Streamlit rewrote each page's syntax tree
whenever it compiled the page again (it forgets compiled pages whenever no session is
connected): 15-90 ms of server work per page, the most on the Questions page."""


EXPLORER_SERVER = "serve.py"
"""The script ``collabkg explore`` serves (in the project's ``app/``): Streamlit's pages and,
beside them, the route that streams a question's whole answer (``app/downloads.py``)."""


def cmd_explore(args: argparse.Namespace, out: TextIO) -> int:
    from collabkg.paths import ENV_HOME, ProjectPaths

    paths = ProjectPaths.discover(args.root)
    app = paths.app / EXPLORER_SERVER
    if not app.is_file():
        raise UsageError(f"the explorer app is missing: {app}", hint="run from the project")
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.address",
        args.host,
        "--server.port",
        str(args.port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        *EXPLORER_STREAMLIT_FLAGS,
    ]
    env = dict(os.environ, **{ENV_HOME: str(paths.root)})
    if getattr(args, "endpoint", None):
        from collabkg.backends.remote import ENV_ENDPOINT

        env[ENV_ENDPOINT] = args.endpoint
    else:
        # the files, validated; when they have errors, the last graph that validated (with
        # a banner in the explorer); no valid graph ever built: refuse, as before
        # (validated here, loaded only by the explorer)
        from collabkg.lastgood import serving_notice

        notice = serving_notice(paths.root)
        if notice is not None:
            print(f"{PROG}: warning: {notice.banner()}", file=sys.stderr, flush=True)
    from collabkg.supervise import run_until_stopped

    print(f"Explorer at http://{args.host}:{args.port} (Ctrl+C to stop)", file=out, flush=True)
    code = run_until_stopped(command, env)
    return EXIT_OK if code in (130, 143, -2, -15) else code


TICK_TERMINAL_S = 15.0
"""Seconds between two updates of the time so far of a long step, on a terminal."""
TICK_LOG_S = 30.0
"""Seconds between two "still working" lines of a long step when stderr is not a terminal."""


def _minutes(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60} min {whole % 60:02d} s" if whole >= 60 else f"{whole} s"


def _still_working(label: str) -> Progress:
    """A progress for a command that works for minutes in a few long steps (see
    :class:`_StillWorking`)."""
    return _StillWorking(label)


class _StillWorking(Progress):
    """Each step said at once on a line of its own (on stderr), then, while it lasts, the
    time so far: rewritten in place every :data:`TICK_TERMINAL_S` on a terminal, a line
    every :data:`TICK_LOG_S` otherwise (a log or a pipe keeps every line).
    ``COLLABKG_PROGRESS=0`` leaves out the time so far (the steps are still said)."""

    def __init__(self, label: str, *, stream: TextIO | None = None,
                 terminal: bool | None = None) -> None:
        import threading

        super().__init__(label, stream=stream, enabled=True)
        try:
            tty = self.stream.isatty()
        except (AttributeError, ValueError):
            tty = False
        self.terminal = tty if terminal is None else terminal
        self.ticking = os.environ.get("COLLABKG_PROGRESS", "").strip() != "0"
        self.every = TICK_TERMINAL_S if self.terminal else TICK_LOG_S
        self._what = ""
        self._since = time.monotonic()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick, name="collabkg-ticker", daemon=True)
        self._ticker.start()

    def stage(self, name: str, total: int | None = None) -> None:
        with self._lock:
            self._end_stage()
            self._stage = name
            self._wipe()
            self._what = name
            self._since = time.monotonic()
            self.stream.write(f"{self.label}: {name}\n")
            self.stream.flush()

    def advance(self, steps: int = 1) -> None:
        return None

    def set_total(self, total: int | None) -> None:
        return None

    def _draw(self, *, force: bool = False) -> None:
        return None

    def _wipe(self) -> None:
        if self.terminal and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self._width = 0

    def _tick(self) -> None:
        while not self._stop.wait(self.every):
            if not self.ticking or not self._what:
                continue
            with self._lock:
                so_far = time.monotonic() - self._since
                if self.terminal:
                    line = f"  ... still working: {_minutes(so_far)} so far"
                    self.stream.write("\r" + line.ljust(self._width))
                    self._width = len(line)
                else:
                    self.stream.write(
                        f"{self.label}: still working ({_minutes(so_far)} so far)\n"
                    )
                with contextlib.suppress(OSError, ValueError):
                    self.stream.flush()

    def close(self) -> None:
        self._stop.set()
        if self._ticker.is_alive():
            self._ticker.join(timeout=5)
        with self._lock:
            self._wipe()
            self._end_stage()
            with contextlib.suppress(OSError, ValueError):
                self.stream.flush()


def cmd_reason(args: argparse.Namespace, out: TextIO) -> int:
    """OWL reasoning with HermiT: consistency (explained), unsatisfiable classes, inferences."""
    from collabkg.paths import ProjectPaths
    from collabkg.progress import use
    from collabkg.reasoning import check_consistency, load_project_graph
    from collabkg.vocabularies import file_origins

    with _still_working(f"{PROG} reason") as progress, use(progress):
        progress.stage("reading the data files")
        project = ProjectPaths.discover(args.root)
        files = project.expand(args.paths) if args.paths else project.graph_files()
        graph = load_project_graph(args.root, paths=args.paths or None)
        report = check_consistency(
            graph,
            root=args.root,
            explain=not args.no_explain,
            budget=args.budget,
            vocabularies=not args.without_vocabularies,
            origins=file_origins(files, args.root),
        )
    if args.format == "json":
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2), file=out)
    else:
        print(report.to_text(), file=out)
    if not report.consistent or (args.strict and (report.unsatisfiable or report.unexpected)):
        return EXIT_INVALID
    return EXIT_OK


# --------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Load, validate, query and explore the collabkg knowledge graph.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    parser.add_argument(
        "--endpoint", default=None, metavar="URL",
        help="query this SPARQL endpoint instead of the local files (default: COLLABKG_ENDPOINT)",
    )
    parser.add_argument(
        "--root", default=None, help="project folder (default: COLLABKG_HOME or discovered)"
    )
    parser.add_argument(
        "--allow-invalid",
        action="store_true",
        help="load the graph even if the data has validation errors (says so on stderr)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "validate",
        help="check data files: syntax, terms, the data model (SHACL); plain-English report",
        description="Check Turtle files against the whole graph (ontology + all of data/). "
        "Exit 0 when there is no error (warnings allowed unless --strict), 1 otherwise.",
    )
    p.add_argument(
        "paths", nargs="*", help="files or folders to report on (default: everything in data/)"
    )
    p.add_argument(
        "--format",
        choices=("human", "json", "github", "sarif"),
        default="human",
        help="human (default), json, github (Actions annotations) or sarif",
    )
    p.add_argument("--strict", action="store_true", help="fail on warnings too")
    p.add_argument(
        "--errors-only", action="store_true",
        help="list the errors only (a note says how many warnings and notes were left out)",
    )
    p.add_argument(
        "--reason", action="store_true", help="also check OWL consistency with HermiT (slower)"
    )
    p.add_argument(
        "--engine",
        choices=("auto", "sparql", "pyshacl"),
        default=None,
        help="how the SHACL shapes run (the other stages are the same): sparql, the shapes "
        "compiled to SPARQL on the store (fast at any size); pyshacl, pySHACL over the same "
        "data (the reference, slow); auto (default, or COLLABKG_ENGINE): sparql",
    )
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("query", help="run a canned query (by id or .rq file) or your own SPARQL")
    p.add_argument("ref", nargs="?", help="canned query id or path to a .rq file")
    p.add_argument(
        "--sparql",
        help="SPARQL text to run (read-only; 1000 rows or triples, 10 s at most unless "
        "--limit, --timeout)",
    )
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="parameter value (repeatable); NAME:TYPE=VALUE for --sparql (iri|string|integer|date)",
    )
    p.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help="table (default: a table of rows; Turtle for CONSTRUCT and DESCRIBE; yes/no "
        "for ASK); csv (SELECT rows; ASK: true/false); json (SELECT: one object per row; "
        "ASK: {\"boolean\": true|false}; CONSTRUCT and DESCRIBE: JSON-LD)",
    )
    p.add_argument(
        "--limit", type=int, default=None,
        help="return at most N rows (triples for CONSTRUCT and DESCRIBE)",
    )
    p.add_argument(
        "--page",
        type=int,
        default=None,
        metavar="N",
        help="show page N of the answer (from 1; --page-size rows), and how many rows in all",
    )
    p.add_argument(
        "--offset",
        type=int,
        default=None,
        metavar="N",
        help="show --page-size rows from row N (from 0), and how many rows in all",
    )
    p.add_argument(
        "--page-size", type=int, default=50, metavar="N", help="rows per page (default 50)"
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="stop the query after this many seconds (default for your own SPARQL: 10)",
    )
    p.set_defaults(func=cmd_query)

    p = sub.add_parser(
        "queries", help="list the canned queries by tag, with their parameters and choices"
    )
    p.add_argument("ids", nargs="*", help="show these queries in full, with every choice")
    p.set_defaults(func=cmd_queries)

    p = sub.add_parser(
        "sources",
        help="the sources: kind, address, text status, verified quotations",
        description="List every source in data/ with its kind, its address, whether its text "
        "is available in the folder of source texts (COLLABKG_SEEDS, default ../shared/seeds) "
        "with the recorded SHA-256, and how many of its quotations are found in it. "
        "Exit 1 when a quotation is not found in its source's text.",
    )
    p.set_defaults(func=cmd_sources)

    p = sub.add_parser("stats", help="triples per file and instances per class")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("serve", help="a read-only SPARQL endpoint (Oxigraph) on 127.0.0.1")
    p.add_argument("--port", type=int, default=7878, help="port to listen on (default 7878)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument(
        "--timeout", type=float, default=10.0, metavar="SECONDS",
        help="stop a query after this many seconds (default 10)",
    )
    p.add_argument(
        "--max-rows", type=int, default=100_000, metavar="N",
        help="send at most N rows of a SELECT answer (N triples of a CONSTRUCT or DESCRIBE "
        "answer); a cut answer has the header X-Collabkg-Rows-Limited: N (default 100000)",
    )
    p.add_argument("--quiet", action="store_true", help="do not log each request")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser(
        "publish", help="replace a named graph on a triple store (Graph Store Protocol PUT)"
    )
    p.add_argument(
        "--endpoint", dest="gsp_endpoint", required=True, metavar="URL",
        help="Graph Store Protocol URL, e.g. http://localhost:8890/sparql-graph-crud-auth",
    )
    p.add_argument("--graph", default=None, metavar="IRI", help="named graph to replace "
                   "(default https://w3id.org/collabkg/graph)")
    p.add_argument("--dry-run", action="store_true", help="say what would be sent; send nothing")
    p.add_argument(
        "--timeout", type=float, default=300.0, metavar="SECONDS",
        help="give up after this many seconds (default 300)",
    )
    p.set_defaults(func=cmd_publish)

    p = sub.add_parser("export", help="write the whole graph as Turtle, N-Triples or JSON-LD")
    p.add_argument("--format", choices=("ttl", "nt", "jsonld"), default="ttl")
    p.add_argument("-o", "--output", help="file to write (default: standard output)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("fmt", help="rewrite Turtle files in the canonical layout")
    p.add_argument(
        "files",
        nargs="*",
        help="Turtle files (default: every Turtle file of the project: data/, ontology/, "
        "shapes/)",
    )
    p.add_argument("--check", action="store_true", help="only list files that are not canonical")
    p.add_argument(
        "--force", action="store_true", help=argparse.SUPPRESS  # comments are always kept now
    )
    p.set_defaults(func=cmd_fmt)

    p = sub.add_parser("explore", help="start the Streamlit explorer")
    p.add_argument("--port", type=int, default=8501)
    p.add_argument("--host", default="127.0.0.1")
    p.set_defaults(func=cmd_explore)

    p = sub.add_parser(
        "reason",
        help="OWL reasoning (HermiT): consistency explained, unsatisfiable classes, inferences",
        description="Run HermiT over the ontology, the data and the real W3C ORG and PROV-O "
        "files. Exit 0 when consistent, 1 when inconsistent (the report says which items, "
        "in which files, and which axioms clash).",
    )
    p.add_argument("paths", nargs="*", help="data files or folders (default: the whole project)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument(
        "--strict",
        action="store_true",
        help="fail on unsatisfiable classes and on kinds the data did not give, too",
    )
    p.add_argument(
        "--without-vocabularies",
        action="store_true",
        help="do not load the W3C ORG and PROV-O files (../shared/vocabularies or "
        "COLLABKG_VOCABULARIES): only their bare declarations are used (weaker)",
    )
    p.add_argument(
        "--no-explain", action="store_true", help="do not spend time explaining an inconsistency"
    )
    p.add_argument(
        "--budget",
        type=int,
        default=40,
        metavar="N",
        help="HermiT runs allowed for explaining an inconsistency (default 40, about 1 s each)",
    )
    p.set_defaults(func=cmd_reason)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (the console script exits with it)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors (argparse prints them)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    command: Callable[[argparse.Namespace, TextIO], int] = args.func
    try:
        return command(args, sys.stdout)
    except LoadError as exc:
        _show_error(exc, also=len(exc.errors) - 1)
        return EXIT_INVALID
    except (UsageError, ParameterError) as exc:
        if args.debug:
            traceback.print_exc()
        _show_error(exc)
        return EXIT_USAGE
    except CollabkgError as exc:
        if args.debug:
            traceback.print_exc()
        _show_error(exc)
        return EXIT_INVALID
    except BrokenPipeError:  # e.g. piped into head
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if args.debug:
            traceback.print_exc()
        _err(f"unexpected {type(exc).__name__}: {exc} (run with --debug for details)")
        return EXIT_INVALID


def run() -> NoReturn:
    """The console script and ``python -m collabkg``: :func:`main`, then leave at once.

    Left to the interpreter, the end of a command frees everything it held one object at a
    time, a graph's store above all: 0.42 s of a 4.7 s ``collabkg query`` at 1M triples,
    6.1 s of 49 s at 10M, after the answer is out. Every file a command writes is closed by
    then (``with`` blocks) and the cache's writes are committed, so the output streams and
    the log are flushed and the process ends with the command's exit code, holding what it
    loaded (:func:`_held_to_exit`)."""
    global _LEAVING_AT_ONCE
    _LEAVING_AT_ONCE = True
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (| head)
            stream.flush()
    logging.shutdown()
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()

"""Canned queries: one question per ``queries/*.rq`` file, described in a YAML header.

The header is the leading block of lines that begin with ``#+`` (grlc style)::

    #+ summary: Who is accountable for transferred assets?
    #+ description: Every community asset transfer with the accountable organisation.
    #+ audience: [policy, analyst]
    #+ tags: [assets, accountability]
    #+ params:
    #+   - name: organisation
    #+     type: iri
    #+     label: Organisation
    #+     choices: {query: choices/accountable-parties}
    #+ defaultView: table
    #+ chart: {category: organisation, measure: lineCount, label: Reporting lines}
    #+ counts: {variable: line, noun: accountability lines}
    #+ answer: [asset, accountable, accountableTo, mechanismLabel]

``answer`` names the columns that answer the question, in the order a person should read
them: tables, row-by-row cards and downloads show them first (a variable ``x`` and its
``xLabel`` are one column and move together; naming either moves both), the other columns
follow in the SELECT clause's order. Every question of the user catalogue declares it.

``chart`` says how the answer is drawn as a bar chart, or ``none``: ``category`` names the
variable whose values (by label) are the bars, and either ``measure`` a numeric variable
giving each bar's length or ``count`` a variable whose distinct values are counted per bar;
``label`` titles the axis, an optional ``colour`` variable colours the bars. ``counts``
(optional) names the variable whose distinct values are the things the question is about,
so that "12 rows" can be told as "4 activities". Every question of the user catalogue
declares ``chart``. ``graph`` (optional) says that the answer can be drawn as a network:
``{from: VAR, to: VAR, relation: TEXT}`` links, for each row, the thing in ``from`` to the
thing in ``to`` ("funds", "is accountable to"); a question without it is not drawn as one.

A parameter ``name`` binds the SPARQL variable ``?name`` (as a term, never as text). Its
``choices`` say how to list the values a person may pick: ``{class: ck:Collaboration}``
(instances of a class or its subclasses) or ``{query: choices/collaborations}`` (a helper
query under ``queries/choices/`` that returns ``?value ?label``). Helper queries are tagged
``internal`` and kept out of the user catalogue.
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Protocol, TypeGuard

import yaml
from rdflib import URIRef
from rdflib.term import Node

from collabkg.bindings import PARAM_TYPES, Term, parse_iri, to_term, variable_name
from collabkg.errors import LoadError, ParameterError, QueryError, UsageError
from collabkg.paths import ProjectPaths
from collabkg.results import QueryResult
from collabkg.terms import compact


class QueryableGraph(Protocol):
    """What the catalogue asks of a graph (:class:`collabkg.graph.KnowledgeGraph` answers
    it; named here so that the catalogue does not import the facade)."""

    @property
    def root(self) -> Path | None: ...

    def select(self, query: str, bindings: Mapping[str, object] | None = None) -> QueryResult: ...

    def label(self, term: Node | str | None) -> str: ...

HEADER_MARK: Final[str] = "#+"
UNTAGGED: Final[str] = "other"
INTERNAL_TAG: Final[str] = "internal"
CHOICES_FOLDER: Final[str] = "choices"
VIEWS: Final[tuple[str, ...]] = ("table", "chart", "graph")
AUDIENCES: Final[tuple[str, ...]] = ("policy", "analyst", "academic")
REQUIRED_KEYS: Final[tuple[str, ...]] = (
    "summary",
    "description",
    "audience",
    "tags",
    "params",
    "defaultView",
)
PARAM_KEYS: Final[frozenset[str]] = frozenset(
    {"name", "type", "label", "default", "choices", "choices_query", "description"}
)
CHOICE_KINDS: Final[tuple[str, ...]] = ("class", "query")
GRLC_KEYS: Final[frozenset[str]] = frozenset(
    {
        "endpoint",
        "endpoint_in_url",
        "method",
        "pagination",
        "enumerate",
        "defaults",
        "transform",
        "title",
    }
)
"""Other grlc decorators a header may carry; accepted, not used."""
MAX_CANDIDATES_SHOWN: Final[int] = 8
MISSING_CHOICES_SHOWN: Final[int] = 12
CHART_KEYS: Final[frozenset[str]] = frozenset({"category", "measure", "count", "label", "colour"})
COUNTS_KEYS: Final[frozenset[str]] = frozenset({"variable", "noun"})
USER_REQUIRED_KEYS: Final[tuple[str, ...]] = ("chart", "answer")
"""Keys every question of the user catalogue declares (helper queries need not)."""
OPTIONAL_KEYS: Final[tuple[str, ...]] = ("chart", "counts", "answer", "graph")
GRAPH_KEYS: Final[frozenset[str]] = frozenset({"from", "to", "relation"})
_REQUIRED_HINTS: Final[Mapping[str, str]] = {
    "chart": "write 'chart: none' if the answer is not chartable",
    "answer": "write e.g. 'answer: [asset, accountable]': the columns that answer the question",
}
LABEL_SUFFIX: Final[str] = "Label"


@dataclass(frozen=True)
class ChartSpec:
    """How a question's answer is charted: bars per ``category``, length from a variable."""

    category: str
    label: str
    measure: str | None = None
    """A numeric variable: each row's value is its bar's length (rows of one bar add up)."""
    count: str | None = None
    """A variable whose distinct values are counted per bar."""
    colour: str | None = None

    @property
    def variables(self) -> tuple[str, ...]:
        return tuple(v for v in (self.category, self.measure, self.count, self.colour) if v)


@dataclass(frozen=True)
class CountSpec:
    """What the rows of an answer are about: distinct values of ``variable``, called ``noun``."""

    variable: str
    noun: str


@dataclass(frozen=True)
class GraphSpec:
    """How a question's answer is drawn as a network: each row links the thing named by
    ``source`` to the thing named by ``target``; ``relation`` says how, in words."""

    source: str
    target: str
    relation: str

    @property
    def variables(self) -> tuple[str, ...]:
        return (self.source, self.target)


def _graph_spec(raw: object) -> GraphSpec | None:
    """The ``graph`` header entry, or None when absent or malformed (problems say why)."""
    if not isinstance(raw, Mapping):
        return None
    source, target, relation = raw.get("from"), raw.get("to"), raw.get("relation")
    if not (_is_text(source) and _is_text(target) and _is_text(relation)):
        return None
    return GraphSpec(str(source), str(target), str(relation))


def _chart_spec(raw: object) -> ChartSpec | None:
    """The ``chart`` header entry, or None for ``none``/absent/malformed (problems say why)."""
    if not isinstance(raw, Mapping):
        return None
    category, label = raw.get("category"), raw.get("label")
    measure, count, colour = raw.get("measure"), raw.get("count"), raw.get("colour")
    if not (_is_text(category) and _is_text(label)) or (measure is None) == (count is None):
        return None
    return ChartSpec(
        category=str(category),
        label=str(label),
        measure=None if measure is None else str(measure),
        count=None if count is None else str(count),
        colour=None if colour is None else str(colour),
    )


def _count_spec(raw: object) -> CountSpec | None:
    if not isinstance(raw, Mapping):
        return None
    variable, noun = raw.get("variable"), raw.get("noun")
    if not (_is_text(variable) and _is_text(noun)):
        return None
    return CountSpec(variable=str(variable), noun=str(noun))


def _answer_columns(raw: object) -> tuple[str, ...]:
    """The ``answer`` header entry as variable names (empty when absent or malformed)."""
    if not isinstance(raw, list) or not all(_is_text(v) for v in raw):
        return ()
    return tuple(str(v).strip().lstrip("?$") for v in raw)


def _answer_problems(meta: Mapping[str, object]) -> list[str]:
    if "answer" not in meta:
        return []
    raw = meta["answer"]
    if not isinstance(raw, list) or not raw or not all(_is_text(v) for v in raw):
        return [
            "'answer' must be a non-empty list of the SELECT variables that answer the "
            "question, e.g. [asset, accountable]"
        ]
    names = _answer_columns(raw)
    problems = [
        f"'answer' names {name!r} twice" for name in sorted(set(names)) if names.count(name) > 1
    ]
    columns = [column_of(name, names) for name in names]
    problems += [
        f"'answer' names {a!r} and {b!r}, which are one column (a variable and its label)"
        for a, b in zip(names, columns, strict=True)
        if a != b and b in names
    ]
    return problems


def column_of(name: str, names: Sequence[str]) -> str:
    """The variable a column is named after: ``x`` for ``xLabel`` when ``x`` is among
    ``names`` (the two are one column), else ``name`` itself."""
    if name.endswith(LABEL_SUFFIX):
        base = name[: -len(LABEL_SUFFIX)]
        if base and base in names:
            return base
    return name


def column_order(variables: Sequence[str], answer: Sequence[str]) -> list[str]:
    """``variables`` reordered: the ``answer`` columns first, in their order, each variable
    beside its label (``x`` then ``xLabel``); the rest as they were."""
    ordered: list[str] = []
    for name in answer:
        base = column_of(name, variables)
        for var in (base, f"{base}{LABEL_SUFFIX}"):
            if var in variables and var not in ordered:
                ordered.append(var)
    return ordered + [v for v in variables if v not in ordered]


def _chart_problems(meta: Mapping[str, object]) -> list[str]:
    problems: list[str] = []
    if "chart" in meta:
        raw = meta["chart"]
        if isinstance(raw, str) and raw.strip() == "none":
            pass
        elif not isinstance(raw, Mapping):
            problems.append(
                "'chart' must be 'none' or {category: VAR, measure: VAR (or count: VAR), "
                "label: TEXT}"
            )
        else:
            problems += [f"'chart' has unknown key {k!r}" for k in raw if k not in CHART_KEYS]
            if not _is_text(raw.get("category")):
                problems.append("'chart' needs a 'category' (the variable naming each bar)")
            if not _is_text(raw.get("label")):
                problems.append("'chart' needs a 'label' (what the bars measure, in words)")
            if ("measure" in raw) == ("count" in raw):
                problems.append(
                    "'chart' needs exactly one of 'measure' (a numeric variable) and 'count' "
                    "(a variable whose distinct values are counted)"
                )
    if "graph" in meta:
        raw = meta["graph"]
        if not isinstance(raw, Mapping) or _graph_spec(raw) is None:
            problems.append(
                "'graph' must be {from: VAR, to: VAR, relation: TEXT}: each row links the "
                "thing in ?from to the thing in ?to, and the relation says how in words"
            )
        else:
            problems += [f"'graph' has unknown key {k!r}" for k in raw if k not in GRAPH_KEYS]
    if "counts" in meta and _count_spec(meta["counts"]) is None:
        problems.append("'counts' must be {variable: VAR, noun: TEXT} (e.g. noun: activities)")
    return problems


@dataclass(frozen=True)
class ParamSpec:
    """One declared parameter of a canned query."""

    name: str
    type: str = "string"
    label: str = ""
    default: str | None = None
    choices_query: str | None = None
    """Id of a helper query (``choices/...``) returning ``?value ?label``."""
    description: str = ""
    choices_class: str | None = None
    """A class (CURIE or IRI) whose instances, or its subclasses' instances, are the choices."""

    @property
    def required(self) -> bool:
        return self.default is None

    @property
    def picks_an_item(self) -> bool:
        """An IRI chosen from a list: a person must say which (a ``default`` only preselects
        it in the explorer; ``collabkg query`` never uses it silently)."""
        return self.type == "iri" and bool(self.choices)

    def describe_choices(self) -> str:
        """Where the choices come from, in words (for when the graph cannot be listed)."""
        if self.choices_class is not None:
            return f"an instance of {self.choices_class}"
        if self.choices_query is not None:
            return f"a value listed by queries/{self.choices_query}.rq"
        return f"a value of type {self.type}"

    @property
    def choices(self) -> dict[str, str]:
        """The ``choices`` header entry as written: ``{"query": id}`` or ``{"class": iri}``."""
        if self.choices_query is not None:
            return {"query": self.choices_query}
        if self.choices_class is not None:
            return {"class": self.choices_class}
        return {}


@dataclass(frozen=True)
class CannedQuery:
    """A query from the catalogue, with its metadata and full text."""

    id: str
    path: Path
    summary: str
    text: str
    description: str = ""
    audience: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    params: tuple[ParamSpec, ...] = ()
    default_view: str | None = None
    chart: ChartSpec | None = None
    """How the answer is charted; None when it is not chartable (``chart: none``)."""
    counts: CountSpec | None = None
    """What the rows are about (distinct values of a variable); None: rows count."""
    answer: tuple[str, ...] = ()
    """The variables that answer the question, shown first and in this order."""
    graph: GraphSpec | None = None
    """How the answer is drawn as a network; None: it is not (no ``graph`` declared)."""
    extra: Mapping[str, object] = field(default_factory=dict)
    meta: Mapping[str, object] = field(default_factory=dict)
    """The header exactly as parsed (for schema checks)."""
    display: str = ""
    """The file as shown in messages (relative to the project root)."""

    @property
    def internal(self) -> bool:
        """Helper queries (choices) are not part of the user catalogue."""
        return INTERNAL_TAG in self.tags or self.id.startswith(CHOICES_FOLDER + "/")

    def column_order(self, variables: Sequence[str]) -> list[str]:
        """The answer's variables as people read them: the ``answer`` columns first."""
        return column_order(variables, self.answer)

    def ordered(self, result: QueryResult) -> QueryResult:
        """The result with its columns in :meth:`column_order` (rows shared, not copied)."""
        return result.reordered(self.column_order(result.vars))

    def param(self, name: str) -> ParamSpec:
        for spec in self.params:
            if spec.name == name:
                return spec
        known = ", ".join(p.name for p in self.params) or "none"
        raise ParameterError(
            f"query {self.id!r} has no parameter {name!r}", hint=f"its parameters: {known}"
        )

    def bind(
        self,
        raw: Mapping[str, str],
        *,
        graph: QueryableGraph | None = None,
        catalogue: Catalogue | None = None,
    ) -> dict[str, Term]:
        """Typed RDF terms for the given raw values, defaults filled in.

        IRI values may be CURIEs (``ckd:wigan-council``) or full IRIs. With a ``graph``, an
        IRI parameter also accepts a label ("Wigan Council", or an unambiguous part of one)
        among the parameter's choices. Raises ParameterError for an unknown parameter, a
        missing required one, or a value that does not fit the declared type.
        """
        for name in raw:
            self.param(name)
        bound: dict[str, Term] = {}
        for spec in self.params:
            value = raw.get(spec.name, spec.default)
            if value is None:
                raise ParameterError(
                    f"query {self.id!r} needs a value for {spec.name!r}"
                    + (f" ({spec.label})" if spec.label else ""),
                    hint=f"add --param {spec.name}=VALUE ({spec.type})",
                )
            try:
                bound[spec.name] = to_term(str(value), spec.type)
            except ParameterError as exc:
                if spec.type == "iri" and graph is not None:
                    bound[spec.name] = match_label(graph, spec, str(value), catalogue, exc)
                    continue
                raise ParameterError(
                    f"parameter {spec.name!r}: {exc.message}", hint=exc.hint
                ) from None
        return bound

    def problems(self) -> list[str]:
        """Everything wrong with the header and the query text (empty when all is well)."""
        return metadata_problems(self)


# --------------------------------------------------------------------------- parsing


def _header(text: str) -> tuple[str, int]:
    """The YAML text of the ``#+`` header and the number of header lines."""
    lines: list[str] = []
    for line in text.splitlines():
        if not line.startswith(HEADER_MARK):
            break
        body = line[len(HEADER_MARK) :]
        lines.append(body[1:] if body.startswith(" ") else body)
    return "\n".join(lines), len(lines)


def _strings(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value)
    return (str(value),)


def _choices(
    raw: Mapping[str, object], name: str, display: str, line: int
) -> tuple[str | None, str | None]:
    """(choices query id, choices class) from a parameter's header entry."""
    query = raw.get("choices_query")
    klass = None
    spec = raw.get("choices")
    if spec is not None:
        if isinstance(spec, str):
            query = spec
        elif isinstance(spec, Mapping) and len(spec) == 1 and next(iter(spec)) in CHOICE_KINDS:
            kind, value = next(iter(spec.items()))
            if kind == "query":
                query = value
            else:
                klass = value
        else:
            raise LoadError(
                f"parameter {name!r} has choices {spec!r}, which is neither "
                "{class: CLASS} nor {query: ID}",
                file=display,
                line=line,
                hint="write e.g. 'choices: {class: ck:Collaboration}' or "
                "'choices: {query: choices/collaborations}'",
            )
    return (None if query is None else str(query), None if klass is None else str(klass))


def _param(raw: object, display: str, line: int) -> ParamSpec:
    if not isinstance(raw, Mapping) or "name" not in raw:
        raise LoadError(
            "each parameter needs at least a name",
            file=display,
            line=line,
            hint="write params as a list of {name: ..., type: iri|string|integer|date}",
        )
    try:
        name = variable_name(str(raw["name"]))
    except ParameterError as exc:
        raise LoadError(exc.message, file=display, line=line, hint=exc.hint) from None
    type_ = str(raw.get("type", "string"))
    if type_ not in PARAM_TYPES:
        raise LoadError(
            f"parameter {name!r} has unknown type {type_!r}",
            file=display,
            line=line,
            hint=f"use one of: {', '.join(PARAM_TYPES)}",
        )
    default = raw.get("default")
    choices_query, choices_class = _choices(raw, name, display, line)
    return ParamSpec(
        name=name,
        type=type_,
        label=str(raw.get("label") or name),
        default=None if default is None else str(default),
        choices_query=choices_query,
        description=str(raw.get("description") or ""),
        choices_class=choices_class,
    )


def _params_line(text: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith(HEADER_MARK):
            break
        if line[len(HEADER_MARK) :].strip().startswith("params"):
            return number
    return 1


def parse_query_file(
    path: Path, display: str | None = None, *, query_id: str | None = None
) -> CannedQuery:
    """Read one ``.rq`` file; raises LoadError for an unreadable file or a bad header."""
    shown = display or path.as_posix()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LoadError(f"cannot read the query file: {exc}", file=shown) from None
    header, _count = _header(text)
    try:
        meta = yaml.safe_load(header) if header.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise LoadError(
            f"the '#+' header is not valid YAML: {getattr(exc, 'problem', None) or exc}",
            file=shown,
            line=(mark.line + 1) if mark is not None else None,
            column=(mark.column + 1 + len(HEADER_MARK) + 1) if mark is not None else None,
            hint="every header line starts with '#+ ' followed by YAML (key: value)",
        ) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, Mapping):
        raise LoadError("the '#+' header must be a set of 'key: value' lines", file=shown, line=1)
    raw_params = meta.get("params") or []
    if not isinstance(raw_params, list):
        raise LoadError("'params' must be a list", file=shown, hint="write '#+ params:' then items")
    params_line = _params_line(text)
    params = tuple(_param(p, shown, params_line) for p in raw_params)
    known = {"summary", "description", "audience", "tags", "params", "defaultView", *OPTIONAL_KEYS}
    return CannedQuery(
        id=query_id or path.stem,
        path=path,
        summary=str(meta.get("summary") or path.stem.replace("-", " ").replace("_", " ")),
        text=text,
        description=" ".join(str(meta.get("description") or "").split()),
        audience=_strings(meta.get("audience")),
        tags=_strings(meta.get("tags")),
        params=params,
        default_view=None if meta.get("defaultView") is None else str(meta["defaultView"]),
        chart=_chart_spec(meta.get("chart")),
        counts=_count_spec(meta.get("counts")),
        answer=_answer_columns(meta.get("answer")),
        graph=_graph_spec(meta.get("graph")),
        extra={k: v for k, v in meta.items() if k not in known},
        meta=dict(meta),
        display=shown,
    )


# --------------------------------------------------------------------------- schema checks


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _string_list(value: object) -> TypeGuard[list[str]]:
    return isinstance(value, list) and bool(value) and all(_is_text(v) for v in value)


def _header_problems(query: CannedQuery) -> list[str]:
    meta = query.meta
    problems = [f"the header has no {key!r}" for key in REQUIRED_KEYS if key not in meta]
    if not query.internal:
        problems += [
            f"the header has no {key!r} ({_REQUIRED_HINTS[key]})"
            for key in USER_REQUIRED_KEYS
            if key not in meta
        ]
    for key in meta:
        if key not in REQUIRED_KEYS and key not in GRLC_KEYS and key not in OPTIONAL_KEYS:
            problems.append(f"unknown header key {key!r}")
    problems += _chart_problems(meta)
    problems += _answer_problems(meta)
    if "summary" in meta and not _is_text(meta["summary"]):
        problems.append("'summary' must be a non-empty text (the question in plain English)")
    if "description" in meta and not _is_text(meta["description"]):
        problems.append("'description' must be a non-empty text")
    if "audience" in meta:
        audience = meta["audience"]
        if not _string_list(audience):
            problems.append("'audience' must be a non-empty list")
        else:
            problems += [
                f"unknown audience {a!r} (use {', '.join(AUDIENCES)})"
                for a in audience
                if a not in AUDIENCES
            ]
    if "tags" in meta and not _string_list(meta["tags"]):
        problems.append("'tags' must be a non-empty list of words")
    if "defaultView" in meta and meta["defaultView"] not in VIEWS:
        problems.append(f"'defaultView' is {meta['defaultView']!r}; use one of {', '.join(VIEWS)}")
    raw_params = meta.get("params")
    if "params" in meta and not isinstance(raw_params, list):
        problems.append("'params' must be a list (write 'params: []' for none)")
    for raw in raw_params if isinstance(raw_params, list) else []:
        if not isinstance(raw, Mapping):
            problems.append(f"parameter {raw!r} must be a mapping")
            continue
        name = raw.get("name")
        for key in raw:
            if key not in PARAM_KEYS:
                problems.append(f"parameter {name!r} has unknown key {key!r}")
        for key in ("name", "type", "label"):
            if not _is_text(raw.get(key)):
                problems.append(f"parameter {name!r} needs a {key!r}")
    for spec in query.params:
        if spec.default is not None:
            try:
                to_term(spec.default, spec.type)
            except ParameterError as exc:
                problems.append(f"parameter {spec.name!r}: the default {exc.message}")
        if spec.choices_class is not None:
            try:
                parse_iri(spec.choices_class)
            except ParameterError as exc:
                problems.append(f"parameter {spec.name!r}: choices class {exc.message}")
        if spec.type == "iri" and not spec.choices:
            problems.append(f"parameter {spec.name!r} is an IRI but says nothing about its choices")
    return problems


def _certainly_binds(node: object, var: str) -> bool:
    """Does this algebra node bind ``?var`` in every solution (a triple pattern uses it)?"""
    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable

    if not isinstance(node, CompValue):
        return False
    name = node.name
    if name == "BGP":
        triples: list[tuple[object, ...]] = node.get("triples") or []
        return any(Variable(var) in triple for triple in triples)
    if name == "Union":
        return _certainly_binds(node.p1, var) and _certainly_binds(node.p2, var)
    if name in ("Join",):
        return _certainly_binds(node.p1, var) or _certainly_binds(node.p2, var)
    if name in ("LeftJoin", "Minus"):
        return _certainly_binds(node.p1, var)
    if name == "Project":
        return Variable(var) in node.PV and _certainly_binds(node.p, var)
    if name == "ToMultiSet":
        # a sub-select that projects the parameter and binds it in every branch of its own
        # pattern binds it in every solution too (a VALUES block does not count: its
        # p is no pattern)
        return _certainly_binds(node.get("p"), var)
    if name in (
        "Filter",
        "Extend",
        "Distinct",
        "Reduced",
        "Slice",
        "OrderBy",
        "Group",
        "AggregateJoin",
        "Graph",
        "SelectQuery",
    ):
        return _certainly_binds(node.get("p"), var)
    return False


@functools.lru_cache(maxsize=256)
def _algebra(text: str) -> tuple[Any, str | None]:
    """rdflib's SPARQL algebra of a query text, or None and why it cannot be made. Its
    parser takes a second or more per query, so each text is translated once per process
    (the algebra is only read)."""
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    from collabkg.sparql_text import RDFLIB_PARSER
    from collabkg.terms import PREFIXES

    try:
        with RDFLIB_PARSER:
            return translateQuery(parseQuery(text), initNs=dict(PREFIXES)).algebra, None
    except Exception as exc:
        return None, str(exc)


def _text_problems(query: CannedQuery) -> list[str]:
    from collabkg.sparql_safety import check_read_only

    try:
        form = check_read_only(query.text)
    except QueryError as exc:
        return [exc.one_line()]
    if form != "SELECT":
        return [f"a canned query must be a SELECT query, not {form}"]
    algebra, error = _algebra(query.text)
    if algebra is None:
        return [f"the query cannot be translated to SPARQL algebra: {error}"]
    problems: list[str] = []
    if "ORDER BY" not in " ".join(query.text.upper().split()):
        problems.append("the query has no ORDER BY, so its rows come in no fixed order")
    projected = {str(v) for v in algebra.get("PV") or []}
    named = [("chart", v) for v in (query.chart.variables if query.chart else ())]
    named += [("graph", v) for v in (query.graph.variables if query.graph else ())]
    if query.counts is not None:
        named.append(("counts", query.counts.variable))
    named += [("answer", v) for v in query.answer]
    for key, var in named:
        if var not in projected:
            problems.append(f"'{key}' names ?{var}, which is not in the SELECT clause")
    for spec in query.params:
        if spec.name not in projected:
            problems.append(
                f"parameter ?{spec.name} is not in the SELECT clause (engines that pre-bind "
                "parameters need it there)"
            )
        if not _certainly_binds(algebra, spec.name):
            problems.append(
                f"parameter ?{spec.name} is not used in a triple pattern of every branch of "
                "the main group pattern, so pre-binding and a trailing VALUES clause could "
                "give different answers"
            )
    return problems


def metadata_problems(query: CannedQuery) -> list[str]:
    """Header schema problems and query-text problems of one canned query."""
    return _header_problems(query) + _text_problems(query)


# --------------------------------------------------------------------------- the catalogue


@dataclass(frozen=True)
class Catalogue:
    """Every canned query of a project, sorted by id; iterate it like a list.

    Helper queries (``queries/choices/*.rq``, id ``choices/<name>``) are kept apart in
    ``internal``: they are not listed, but :meth:`get` finds them.
    """

    queries: tuple[CannedQuery, ...] = ()
    internal: tuple[CannedQuery, ...] = ()

    @classmethod
    def load(cls, root: str | os.PathLike[str] | None = None) -> Catalogue:
        """Read ``queries/*.rq`` and ``queries/choices/*.rq`` (an empty catalogue if none)."""
        paths = ProjectPaths.discover(root)
        return cls.from_folder(paths.queries, relative_to=paths)

    @classmethod
    def from_folder(cls, folder: Path, *, relative_to: ProjectPaths | None = None) -> Catalogue:
        if not folder.is_dir():
            return cls()

        def shown(p: Path) -> str:
            return relative_to.relative(p) if relative_to is not None else p.as_posix()

        found = [parse_query_file(p, shown(p)) for p in sorted(folder.glob("*.rq"))]
        helpers = [
            parse_query_file(p, shown(p), query_id=f"{CHOICES_FOLDER}/{p.stem}")
            for p in sorted((folder / CHOICES_FOLDER).glob("*.rq"))
        ]
        public = [q for q in found if not q.internal]
        hidden = [q for q in found if q.internal] + helpers
        return cls(
            tuple(sorted(public, key=lambda q: q.id)), tuple(sorted(hidden, key=lambda q: q.id))
        )

    def __iter__(self) -> Iterator[CannedQuery]:
        return iter(self.queries)

    def __len__(self) -> int:
        return len(self.queries)

    def __getitem__(self, index: int) -> CannedQuery:
        return self.queries[index]

    @property
    def ids(self) -> list[str]:
        return [q.id for q in self.queries]

    def all(self) -> tuple[CannedQuery, ...]:
        """User queries and helper queries."""
        return self.queries + self.internal

    def get(self, query_id: str) -> CannedQuery:
        for query in self.all():
            if query.id == query_id:
                return query
        raise UsageError(
            f"no canned query with id {query_id!r}",
            hint="run 'collabkg queries' to list them",
        )

    def by_tag(self) -> dict[str, list[CannedQuery]]:
        """Queries grouped by tag (a query appears under each of its tags), tags sorted."""
        groups: dict[str, list[CannedQuery]] = {}
        for query in self.queries:
            for tag in query.tags or (UNTAGGED,):
                groups.setdefault(tag, []).append(query)
        return dict(sorted(groups.items()))

    def problems(self) -> dict[str, list[str]]:
        """Schema and text problems of every query (user and helper), by id; empty if none."""
        found: dict[str, list[str]] = {}
        helper_ids = {q.id for q in self.internal}
        for query in self.all():
            problems = metadata_problems(query)
            for spec in query.params:
                if spec.choices_query is not None and spec.choices_query not in helper_ids:
                    problems.append(
                        f"parameter {spec.name!r}: no helper query {spec.choices_query!r} "
                        f"(expected queries/{spec.choices_query}.rq)"
                    )
            if problems:
                found[query.id] = problems
        return found

    def bind(
        self, query: CannedQuery | str, raw: Mapping[str, str], graph: QueryableGraph | None = None
    ) -> dict[str, Term]:
        """Bind raw parameter values of a query (labels accepted for IRIs with a graph)."""
        canned = self.get(query) if isinstance(query, str) else query
        return canned.bind(raw, graph=graph, catalogue=self)


def resolve(ref: str, root: str | os.PathLike[str] | None = None) -> CannedQuery:
    """A canned query by id, or any ``.rq`` file by path."""
    candidate = Path(ref)
    if candidate.suffix == ".rq" or os.sep in ref or ("/" in ref and candidate.is_file()):
        if not candidate.is_file():
            raise UsageError(f"no such query file: {ref}", hint="give a query id or a .rq path")
        return parse_query_file(candidate, ref)
    return Catalogue.load(root).get(ref)


# --------------------------------------------------------------------------- choices


_CLASS_CHOICES = """\
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?value ?label ?class
WHERE {
  { ?value a ?class }
  UNION { ?value a/rdfs:subClassOf ?class }
  UNION { ?value a/rdfs:subClassOf/rdfs:subClassOf ?class }
  UNION { ?value a/rdfs:subClassOf/rdfs:subClassOf/rdfs:subClassOf ?class }
  FILTER(isIRI(?value))
  OPTIONAL { ?value skos:prefLabel ?pref }
  OPTIONAL { ?value rdfs:label ?name }
  BIND(COALESCE(STR(?pref), STR(?name), REPLACE(STR(?value), "^.*[/#]", "")) AS ?label)
}
ORDER BY LCASE(?label) ?value
"""
"""Instances of ``?class`` or of its subclasses (up to three levels; no unbounded path)."""

_ANY_LABELLED = """\
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?value ?label
WHERE {
  { ?value rdfs:label ?name } UNION { ?value skos:prefLabel ?name }
  FILTER(isIRI(?value))
  BIND(STR(?name) AS ?label)
}
ORDER BY LCASE(?label) ?value
"""


def choices_result(
    graph: QueryableGraph, spec: ParamSpec, catalogue: Catalogue | None = None
) -> QueryResult:
    """The answer (``?value ?label``) listing the values a parameter may take."""
    if spec.choices_class is not None:
        klass = parse_iri(spec.choices_class)
        # the class is bound as a term, and projected in the query, as the facade requires
        return graph.select(_CLASS_CHOICES, {"class": klass})
    if spec.choices_query is not None:
        helpers = catalogue if catalogue is not None else Catalogue.load(graph.root)
        return graph.select(helpers.get(spec.choices_query).text)
    return graph.select(_ANY_LABELLED)


def choices(
    graph: QueryableGraph, spec: ParamSpec, catalogue: Catalogue | None = None
) -> list[tuple[URIRef, str]]:
    """(IRI, label) pairs a person may choose from, sorted by label."""
    out: list[tuple[URIRef, str]] = []
    seen: set[str] = set()
    for row in choices_result(graph, spec, catalogue):
        value, label = row.get("value"), row.get("label")
        if isinstance(value, URIRef) and str(value) not in seen:
            seen.add(str(value))
            out.append((value, str(label) if label is not None else graph.label(value)))
    return out


def missing_parameters(query: CannedQuery, raw: Mapping[str, str]) -> list[ParamSpec]:
    """Parameters a command-line run must be given: required ones and item pickers."""
    return [
        spec for spec in query.params
        if spec.name not in raw and (spec.required or spec.picks_an_item)
    ]


def missing_parameter_error(
    query: CannedQuery,
    spec: ParamSpec,
    options: Sequence[tuple[URIRef, str]] | None,
) -> ParameterError:
    """The error for a run without ``spec``: it lists the choices (``options``, when known)."""
    what = f" ({spec.label})" if spec.label else ""
    if options:
        listing = _choices_listing(query, options)
        hint = (
            f"add --param {spec.name}=VALUE, the value a CURIE or a label, one of: {listing}"
        )
    elif options is not None:
        hint = f"add --param {spec.name}=VALUE; the graph has no {spec.describe_choices()} yet"
    else:
        hint = f"add --param {spec.name}=VALUE ({spec.describe_choices()})"
    return ParameterError(f"query {query.id!r} needs a value for {spec.name!r}{what}", hint=hint)


DESCRIBED: Final[str] = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"
"""Whether the graph describes a name (bound as ``?s``): as the explorer asks it."""


def _choices_listing(
    query: CannedQuery, options: Sequence[tuple[URIRef, str]]
) -> str:
    shown = options[:MISSING_CHOICES_SHOWN]
    listing = "; ".join(f"{label} = {compact(str(iri))}" for iri, label in shown)
    more = len(options) - len(shown)
    if more > 0:
        listing += f"; and {more} more ('collabkg queries {query.id}' lists them all)"
    return listing


def refused_choice(
    graph: QueryableGraph,
    query: CannedQuery,
    spec: ParamSpec,
    given: str,
    chosen: Term,
    catalogue: Catalogue | None = None,
) -> ParameterError | None:
    """Why the name ``chosen`` (given as ``given``) cannot answer the question, or None: a
    name the graph does not describe (an unknown prefix, a misspelt name), or one the graph
    describes but the question does not offer among its choices (the explorer's question
    page and its downloads refuse both too). Not answered, the question would say "0 rows"
    as if it had looked and found nothing."""
    if spec.type != "iri" or not isinstance(chosen, URIRef):
        return None
    what = (spec.label or spec.name).lower()
    where = f"--param {spec.name}={given}"
    options: list[tuple[URIRef, str]] | None = None
    if spec.choices:
        options = choices(graph, spec, catalogue)
        if any(iri == chosen for iri, _label in options):
            return None
    described = len(graph.select(DESCRIBED, {"s": chosen})) > 0
    if described and options is None:
        return None  # any name the graph describes
    if options:
        hint = f"give one of these (a CURIE or a label): {_choices_listing(query, options)}"
    elif options is not None:
        hint = f"the graph has no {spec.describe_choices()} yet"
    else:
        hint = "give the CURIE or the full IRI of a name the graph describes, such as " \
            "ckd:wigan-council"
    if described:
        return ParameterError(
            f"{where}: “{graph.label(chosen)}” is not one of this question's choices of "
            f"{what}",
            hint=hint,
        )
    from collabkg.bindings import known_prefixes, unknown_prefix

    prefix = unknown_prefix(given)
    why = (
        f" ('{prefix}:' is not a prefix collabkg knows; it knows {known_prefixes()})"
        if prefix is not None else ""
    )
    return ParameterError(f"{where}: the {what} {given!r} is not in the graph{why}", hint=hint)


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    text = text.replace("\u201c", '"').replace("\u201d", '"')
    text = re.sub(r"[\u2010-\u2015]", "-", text)
    return " ".join(text.casefold().split())


def _listing(candidates: Sequence[tuple[URIRef, str]]) -> str:
    shown = [f"{label} ({compact(str(iri))})" for iri, label in candidates[:MAX_CANDIDATES_SHOWN]]
    more = len(candidates) - len(shown)
    return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")


def match_label(
    graph: QueryableGraph,
    spec: ParamSpec,
    value: str,
    catalogue: Catalogue | None = None,
    iri_error: ParameterError | None = None,
) -> URIRef:
    """The one choice whose label is ``value`` (or contains it); ParameterError otherwise."""
    wanted = _normalise(value)
    options: Iterable[tuple[URIRef, str]] = choices(graph, spec, catalogue) if wanted else []
    options = list(options)
    exact = [(iri, label) for iri, label in options if _normalise(label) == wanted]
    if len({iri for iri, _ in exact}) == 1:
        return exact[0][0]
    partial = exact or [(iri, label) for iri, label in options if wanted in _normalise(label)]
    if len({iri for iri, _ in partial}) == 1:
        return partial[0][0]
    what = spec.label or spec.name
    if partial:
        raise ParameterError(
            f"parameter {spec.name!r}: {value!r} matches {len(partial)} {what} labels",
            hint=f"give the IRI or CURIE of one of: {_listing(partial)}",
        )
    reason = iri_error.message if iri_error is not None else f"{value!r} is not an IRI"
    raise ParameterError(
        f"parameter {spec.name!r}: {reason}, and no {what} has a label like it",
        hint="give a CURIE such as ckd:wigan-council, a full IRI, or part of a label"
        + (f"; for example: {_listing(options[:3])}" if options else ""),
    )


__all__ = [
    "AUDIENCES",
    "CHOICES_FOLDER",
    "INTERNAL_TAG",
    "REQUIRED_KEYS",
    "UNTAGGED",
    "VIEWS",
    "CannedQuery",
    "Catalogue",
    "GraphSpec",
    "ParamSpec",
    "choices",
    "choices_result",
    "match_label",
    "metadata_problems",
    "missing_parameter_error",
    "missing_parameters",
    "parse_query_file",
    "refused_choice",
    "resolve",
]

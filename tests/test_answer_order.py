"""collabkg.answer_order: Python sorts kept rows exactly as oxigraph's ORDER BY does.

Random rows are loaded into an oxigraph store as solutions, the ORDER BY is run by the
engine, and the same rows, shuffled, are sorted in Python with :func:`row_sort_key`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path

import pyoxigraph as ox
import pytest

from collabkg import answer_order
from collabkg.answer_order import Encoded, Unorderable, row_sort_key
from collabkg.answers import encode_term

XSD = "http://www.w3.org/2001/XMLSchema#"
T = "http://test.example/"
NAMES = ["a", "b", "c", "d", "t"]
"""a and c hold text-like values, b integers and decimals, d integers and doubles; t is a
unique number per row (a last condition that makes every order total)."""
QUERIES = Path(__file__).resolve().parents[1] / "queries"


def _typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(datatype))


WORDS = [
    "",
    "a",
    "A",
    "ab",
    "abc",
    "b",
    "e",
    "é",
    "É",
    "éa",
    "z",
    "zz",
    "ä",
    "Zürich",
    "😀",
    "a😀b",
]
IRIS = [ox.NamedNode(T + name) for name in ("a", "b", "é", "Z", "a/😀")]
TEXT_VALUES: list[ox.NamedNode | ox.Literal | None] = [
    None,
    *IRIS,
    *(ox.Literal(word) for word in WORDS),
    *(ox.Literal(word, language=lang) for word in WORDS[:8] for lang in ("en", "fr", "en-gb")),
    _typed("true", XSD + "boolean"),
    _typed("false", XSD + "boolean"),
    *(_typed(d, XSD + "date") for d in ("2020-01-02", "2020-01-10", "1999-12-31", "0999-05-01")),
    *(
        _typed(d, XSD + "dateTime")
        for d in ("2020-01-02T00:00:00", "2020-01-02T10:30:00.5", "2020-01-02T10:30:00.25")
    ),
    _typed("a", T + "datatype"),
    _typed("a", XSD + "anyURI"),
]
EXACT_VALUES: list[ox.NamedNode | ox.Literal | None] = [
    None,
    *IRIS[:2],
    *(_typed(str(n), XSD + "integer") for n in (-5, 0, 1, 2, 9, 10, 11, 100, 10**15, -(10**15))),
    *(_typed(d, XSD + "decimal") for d in ("2.5", "-0.5", "2.0", "0.1", "10.25", "100.000")),
]
DOUBLE_VALUES: list[ox.NamedNode | ox.Literal | None] = [
    None,
    IRIS[0],
    *(_typed(str(n), XSD + "integer") for n in (-3, 0, 2, 3, 10, 2**24)),
    *(
        _typed(d, XSD + "double")
        for d in ("2.5E0", "2E0", "1E1", "-0.0E0", "INF", "-INF", "1.0E-5", "1.6777216E7")
    ),
    *(_typed(f, XSD + "float") for f in ("2.5", "3", "-INF", "0.125")),
]


def _store(seed: int, rows: int = 60) -> ox.Store:
    """A store of ``rows`` random solutions: ``<row/i> a <Row>; <p/j> value``."""
    rng = random.Random(seed)
    store = ox.Store()
    row_type = ox.NamedNode(T + "Row")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    numbers = list(range(rows))
    rng.shuffle(numbers)
    for i in range(rows):
        subject = ox.NamedNode(f"{T}row/{i}")
        store.add(ox.Quad(subject, rdf_type, row_type))
        values = [
            rng.choice(TEXT_VALUES),
            rng.choice(EXACT_VALUES),
            rng.choice(TEXT_VALUES),
            rng.choice(DOUBLE_VALUES),
            _typed(str(numbers[i]), XSD + "integer"),
        ]
        for j, value in enumerate(values):
            if value is not None:
                store.add(ox.Quad(subject, ox.NamedNode(f"{T}p/{j}"), value))
    return store


def _query(order_by: str) -> str:
    optionals = " ".join(f"OPTIONAL {{ ?r <{T}p/{j}> ?{name} }}" for j, name in enumerate(NAMES))
    variables = " ".join(f"?{name}" for name in NAMES)
    return f"SELECT {variables} WHERE {{ ?r a <{T}Row> {optionals} }} ORDER BY {order_by}"


def _engine_rows(store: ox.Store, query: str) -> list[tuple[Encoded, ...]]:
    return [tuple(encode_term(solution[name]) for name in NAMES) for solution in store.query(query)]


@pytest.fixture(scope="module")
def stores() -> list[ox.Store]:
    return [_store(seed) for seed in range(4)]


CONDITIONS = [
    "?a",
    "ASC(?a)",
    "DESC(?a)",
    "?b",
    "DESC(?b)",
    "?d",
    "DESC(?d)",
    "SUBSTR(?a, 1, 2)",
    "DESC(SUBSTR(?a, 2, 2))",
    "SUBSTR(?a, 2)",
    "SUBSTR(?c, 0, 2)",
    "ASC(SUBSTR(?c, 3))",
    "SUBSTR(?a, 2, 0)",
    "SUBSTR(?b, 1, 1)",
    "ASC(!BOUND(?a))",
    "(!BOUND(?b))",
    "DESC(!BOUND(?c))",
    "ASC((!BOUND(?d)))",
    "?a DESC(?b) ?c",
    "(!BOUND(?b)) ?b SUBSTR(?a, 1, 1) DESC(?c) ?d",
    "DESC(SUBSTR(?c, 1, 1)) ?a DESC(!BOUND(?d)) DESC(?d)",
    "?c ?a ?b ?d",
]


@pytest.mark.parametrize("order_by", CONDITIONS)
def test_python_orders_rows_as_oxigraph_does(stores: list[ox.Store], order_by: str) -> None:
    for seed, store in enumerate(stores):
        query = _query(order_by)
        engine = _engine_rows(store, query)
        key = row_sort_key(query, NAMES)
        assert key is not None
        engine_keys = [key(row) for row in engine]
        assert all(x <= y for x, y in pairwise(engine_keys)), seed
        shuffled = list(engine)
        random.Random(seed).shuffle(shuffled)
        assert [key(row) for row in sorted(shuffled, key=key)] == engine_keys, seed

        # with the unique ?t last every order is total: the rows themselves must agree
        # (so the key is neither coarser nor finer than oxigraph's comparison)
        total = _query(f"{order_by} ?t")
        engine = _engine_rows(store, total)
        key = row_sort_key(total, NAMES)
        assert key is not None
        random.Random(seed).shuffle(shuffled)
        assert sorted(shuffled, key=key) == engine, seed


def test_rows_of_two_answers_merge_in_order(stores: list[ox.Store]) -> None:
    import heapq

    query = _query("DESC(?b) SUBSTR(?a, 1, 2) ?t")
    first = _engine_rows(stores[0], query)
    second = _engine_rows(stores[1], query)
    key = row_sort_key(query, NAMES)
    assert key is not None
    merged = list(heapq.merge(first, second, key=key))
    assert merged == sorted(first + second, key=key)


def _literal(value: str, datatype: str) -> Encoded:
    return (1, value, datatype)


UNORDERABLE: list[tuple[str, list[Encoded]]] = [
    ("numbers and strings", [_literal("9", XSD + "integer"), _literal("5", XSD + "string")]),
    ("numbers and language strings", [(2, "5", "en"), _literal("9", XSD + "integer")]),
    ("numbers and dates", [_literal("9", XSD + "double"), _literal("2020-01-01", XSD + "date")]),
    ("decimals and doubles", [_literal("0.1", XSD + "decimal"), _literal("0.1", XSD + "double")]),
    (
        "a big integer and a double",
        [_literal(str(2**60), XSD + "integer"), _literal("1", XSD + "double")],
    ),
    ("NaN", [_literal("NaN", XSD + "double")]),
    ("a date-time with a time zone", [_literal("2020-01-02T00:00:00Z", XSD + "dateTime")]),
    ("a date with a time zone", [_literal("2020-01-02+01:00", XSD + "date")]),
    ("a negative year", [_literal("-0001-01-01", XSD + "date")]),
    ("an impossible date", [_literal("2021-02-29", XSD + "date")]),
    ("a time", [_literal("10:00:00", XSD + "time")]),
    ("a duration", [_literal("P1D", XSD + "duration")]),
    ("a year", [_literal("2020", XSD + "gYear")]),
    ("a derived integer type", [_literal("5", XSD + "int")]),
    ("an ill-typed integer", [_literal("five", XSD + "integer")]),
    ("an integer out of range", [_literal(str(2**63), XSD + "integer")]),
    ("a float that is not exact", [_literal("0.1", XSD + "float")]),
    ("a boolean not canonical", [_literal("1", XSD + "boolean")]),
]


@pytest.mark.parametrize(("case", "values"), UNORDERABLE, ids=[c for c, _ in UNORDERABLE])
def test_values_without_a_certain_order_raise(case: str, values: list[Encoded]) -> None:
    for order_by in ("?a", "DESC(?a)"):
        key = row_sort_key(f"SELECT ?a WHERE {{ ?s ?p ?a }} ORDER BY {order_by}", ["a"])
        assert key is not None
        with pytest.raises(Unorderable):
            sorted(((value,) for value in values), key=key)


def test_the_same_kinds_in_other_conditions_do_not_raise() -> None:
    key = row_sort_key("SELECT ?a ?b WHERE { ?s ?a ?b } ORDER BY ?a ?b", ["a", "b"])
    assert key is not None
    rows: list[tuple[Encoded, ...]] = [
        (_literal("9", XSD + "integer"), _literal("x", XSD + "string")),
        (_literal("10", XSD + "integer"), _literal("2020-01-01", XSD + "date")),
        (None, (0, "http://x/")),
    ]
    assert [row[0] for row in sorted(rows, key=key)] == [None, rows[0][0], rows[1][0]]


def test_a_key_restored_from_another_keys_state_still_refuses_a_mix_of_kinds() -> None:
    """An update keys only the new rows and the few kept rows the search looks at: what the
    kept rows met is restored from the state kept beside them (answer_update)."""
    spec = answer_order.order_spec("SELECT ?a WHERE { ?s ?p ?a } ORDER BY ?a", ["a"])
    assert spec is not None
    first = answer_order.RowKey(spec)
    first((_literal("9", XSD + "integer"),))
    first((_literal(str(2**40), XSD + "integer"),))
    state = first.state()
    restored = answer_order.RowKey(spec, state)
    assert restored.state() == state
    restored((_literal("10", XSD + "integer"),))  # the same kind: fine
    with pytest.raises(Unorderable):
        restored((_literal("x", XSD + "string"),))  # text against the numbers met before
    with pytest.raises(ValueError):
        answer_order.RowKey(spec, (*state, *state))  # the state of another order


def test_order_through_the_item_stops_at_the_item_and_needs_what_precedes_it() -> None:
    query = "SELECT ?l ?x WHERE { ?x ?p ?l . ?x ?q ?h } ORDER BY SUBSTR(?l, 1, 5) ?x ?h ?l"
    names = ["l", "x"]
    assert answer_order.order_spec(query, names) is None  # ?h is not returned
    spec = answer_order.order_spec_through(query, names, "x")
    assert spec == ((("substr", 0, 1, 5), False), (("value", 1, 0, None), False))
    before = "SELECT ?l ?x WHERE { ?x ?p ?l . ?x ?q ?h } ORDER BY ?h ?x"
    assert answer_order.order_spec_through(before, names, "x") is None
    assert (
        answer_order.order_spec_through("SELECT ?l ?x WHERE { ?x ?p ?l } ORDER BY ?l", names, "x")
        is None
    )


def _cmp(store_values: tuple[ox.Literal, ox.Literal]) -> str:
    """Oxigraph's comparison of two values: "<", ">" or "=" (a tie is told apart by a
    second condition that puts them one way and then the other)."""
    firsts = []
    for tie in ((0, 1), (1, 0)):
        store = ox.Store()
        for i, (value, t) in enumerate(zip(store_values, tie, strict=True)):
            subject = ox.NamedNode(f"{T}row/{i}")
            store.add(ox.Quad(subject, ox.NamedNode(T + "v"), value))
            store.add(ox.Quad(subject, ox.NamedNode(T + "t"), _typed(str(t), XSD + "integer")))
        query = f"SELECT ?r WHERE {{ ?r <{T}v> ?v ; <{T}t> ?t }} ORDER BY ?v ?t"
        firsts.append(str(next(iter(store.query(query)))["r"]))
    if firsts[0] != firsts[1]:
        return "="
    return "<" if firsts[0].endswith("/0>") else ">"


def test_oxigraph_orders_numbers_and_strings_in_a_cycle() -> None:
    """Why a number beside a string is Unorderable: oxigraph's comparison is not transitive."""
    nine, ten = _typed("9", XSD + "integer"), _typed("10", XSD + "integer")
    five = ox.Literal("5")
    assert (_cmp((nine, ten)), _cmp((ten, five)), _cmp((five, nine))) == ("<", "<", "<")


def test_oxigraph_fallback_order_of_literals() -> None:
    """Literals that SPARQL does not compare fall back to (text, datatype, language)."""
    lang = ox.Literal("a", language="en")
    assert _cmp((lang, ox.Literal("a"))) == "<"  # rdf:langString < xsd:string
    assert _cmp((lang, ox.Literal("a", language="fr"))) == "<"
    assert _cmp((ox.Literal("b", language="en"), ox.Literal("a", language="fr"))) == ">"
    assert _cmp((_typed("a", T + "x"), _typed("a", T + "w"))) == ">"
    assert _cmp((_typed("true", XSD + "boolean"), ox.Literal("s"))) == ">"
    assert _cmp((_typed("2", XSD + "integer"), _typed("2.0E0", XSD + "double"))) == "="


NOT_FOLLOWED = [
    "SELECT ?a WHERE { ?s ?p ?a }",
    "SELECT ?a WHERE { ?s ?p ?a } ORDER BY STR(?a)",
    "SELECT ?a WHERE { ?s ?p ?a } ORDER BY DESC(LCASE(?a))",
    "SELECT ?a WHERE { ?s ?p ?a } ORDER BY ?s",
    "SELECT ?a WHERE { ?s ?p ?a } ORDER BY ?a ?s",
    "SELECT ?a ?b WHERE { ?a ?p ?b } ORDER BY (?a + ?b)",
    "SELECT ?a WHERE { ?s ?p ?a } ORDER BY SUBSTR(?a, 1.5)",
    "SELECT ?a WHERE { ?s ?p ?a } ORDER BY SUBSTR(?a, ?a)",
    "SELECT ?a WHERE { ?s ?p ?a } ORDER BY SUBSTR(?s, 1, 2)",
    "SELECT ?a WHERE { ?s ?p ?a } ORDER BY SUBSTR(?a, 1, -1)",
    "SELECT ?a WHERE { ?s ?p ?a } ORDER BY BOUND(?a)",
    "SELECT ?a WHERE { ?s ?p ?a } ORDER BY !BOUND(?s)",
    "SELECT ?a WHERE { ?s ?p ?a } ORDER BY !!BOUND(?a)",
    "SELECT ?a WHERE { { SELECT ?a WHERE { ?s ?p ?a } ORDER BY ?a LIMIT 3 } }",
    "ASK { ?s ?p ?a }",
    "SELECT ?a WHERE { ?s ?p ?a ORDER BY ?a",
    "this is not SPARQL",
]


@pytest.mark.parametrize("query", NOT_FOLLOWED)
def test_queries_whose_order_is_not_followed_give_none(query: str) -> None:
    assert row_sort_key(query, ["a", "b"]) is None


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?a WHERE { ?s ?p ?a } ORDER BY ?a LIMIT 5 OFFSET 2",
        "SELECT DISTINCT ?a WHERE { ?s ?p ?a } ORDER BY DESC(?a)",
        "SELECT REDUCED ?a WHERE { ?s ?p ?a } ORDER BY ASC(?a)",
        "SELECT ?a (STR(?a) AS ?b) WHERE { ?s ?p ?a } ORDER BY ?b",
        "SELECT ?a (COUNT(?s) AS ?b) WHERE { ?s ?p ?a } GROUP BY ?a ORDER BY DESC(?b) ?a",
        "SELECT ?a WHERE { ?s ?p ?a } ORDER BY (!BOUND(?a)) SUBSTR(?a, 3)",
        "PREFIX x: <http://x/>\n# a comment ORDER BY ?s\nSELECT * WHERE { ?a x:p ?b } ORDER BY ?b",
    ],
)
def test_queries_whose_order_is_followed(query: str) -> None:
    assert row_sort_key(query, ["a", "b"]) is not None


def _accepted(expr: object, names: Sequence[str]) -> bool:
    """The condition forms row_sort_key promises to follow, told apart independently."""
    from rdflib.term import Literal, Variable

    def column(arg: object) -> bool:
        return isinstance(arg, Variable) and str(arg) in names

    def integer(arg: object) -> bool:
        return isinstance(arg, Literal) and str(arg.datatype) == XSD + "integer"

    name = getattr(expr, "name", None)
    if name == "Builtin_SUBSTR":
        length = dict.get(expr, "length")
        return (
            column(expr["arg"]) and integer(expr["start"]) and (length is None or integer(length))
        )
    if name == "UnaryNot":
        inner = expr["expr"]
        return getattr(inner, "name", None) == "Builtin_BOUND" and column(inner["arg"])
    return column(expr)


@pytest.mark.slow
def test_every_canned_query_order_is_followed_when_its_forms_are() -> None:
    """rdflib's parser takes about 0.35 s a query, hence slow."""
    missed, unexpected, ordered = [], [], 0
    for path in sorted(QUERIES.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        algebra = answer_order.algebra_of(text)
        assert algebra is not None, path.name
        names = [str(v) for v in algebra["PV"]]
        conditions = answer_order._order_conditions(text)
        if not conditions:
            continue
        ordered += 1
        expected = all(_accepted(expr, names) for expr, _ in conditions)
        followed = row_sort_key(text, names) is not None
        if expected and not followed:
            missed.append(path.name)
        if followed and not expected:
            unexpected.append(path.name)
    assert ordered > 10
    assert not missed, f"row_sort_key is None for {missed}"
    assert not unexpected, f"row_sort_key follows conditions it should not in {unexpected}"

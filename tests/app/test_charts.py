"""Charts from the catalogue's metadata: every question says how it is charted, or that it
is not chartable, and the chart tells the truth about the answer (labels, right measure)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pandas as pd
import pytest
from rdflib import Literal, URIRef

from collabkg import explorer as ex
from collabkg.catalogue import Catalogue, ChartSpec, CountSpec, metadata_problems, parse_query_file
from collabkg.explorer.charts import bars_html
from collabkg.explorer.style import BARS_CSS
from collabkg.graph import QueryResult
from tests.support.apptest import DATA_ROOT, REPO, Opener, drawn_html

CATALOGUE = Catalogue.load(DATA_ROOT)
QUESTIONS = [q for q in CATALOGUE if not q.internal]
CHARTED = [q for q in QUESTIONS if q.chart is not None]
_IDENTIFIER = re.compile(r"https?://|\b(?:ckd|ckc|ck|org|prov|skos|rdfs):[A-Za-z]|\?id=")


@pytest.mark.parametrize("query", QUESTIONS, ids=lambda q: q.id)
def test_every_question_declares_how_it_is_charted(query):
    assert "chart" in query.meta, f"{query.display}: add '#+ chart: none' or a chart spec"
    assert metadata_problems(query) == []


def test_some_questions_are_charted_and_some_are_not():
    assert CHARTED and len(CHARTED) < len(QUESTIONS)


@pytest.mark.parametrize("query", CHARTED, ids=lambda q: q.id)
def test_the_chart_of_each_chartable_question_tells_the_truth(query, graph, index):
    result = graph.select(query.text, query.bind({}))
    spec = query.chart
    assert spec is not None
    data = ex.chart_data(index, result, spec)
    assert not data.frame.empty, "the seed data answers every chartable question"
    frame = data.frame
    # one bar per distinct category, named by label
    categories = {str(row.get(spec.category)) for row in result.rows}
    assert len(frame) == len(categories)
    for name in frame[data.category]:
        assert name and not _IDENTIFIER.search(str(name)), name
    # the lengths are the declared measure, not some other number in the row
    for _, bar in frame.iterrows():
        rows = [
            r
            for r in result.rows
            if str(ex.sentence_case(index.label(r.get(spec.category))) or "none recorded")
            == bar[data.category]
        ]
        if spec.measure:
            expected = max(r[spec.measure].toPython() for r in rows)
        else:
            expected = len({str(r[spec.count]) for r in rows if r.get(spec.count) is not None})
        assert bar[data.measure] == expected
    assert (frame[data.measure] > 0).any(), "a chart whose bars are all empty says nothing"


def test_why_organisations_collaborate_is_charted_by_statements(graph, index):
    """Regression: the chart took the last number column (collaborations, mostly 0) and
    drew 9 of 11 bars empty; the question is how often each reason is given."""
    query = CATALOGUE.get("rationales")
    assert query.chart is not None and query.chart.measure == "statementCount"
    data = ex.chart_data(index, graph.select(query.text), query.chart)
    result = graph.select(query.text)
    given = sum(1 for row in result.rows if row["statementCount"].toPython() > 0)
    assert (data.frame[data.measure] > 0).sum() == given


def test_a_one_row_answer_gives_one_bar(index):
    """Regression: a one-row chart drew nothing."""
    iri = next(iter(index.kinds))
    result = QueryResult(["org", "n"], [{"org": URIRef(iri), "n": Literal(2)}])
    spec = ChartSpec(category="org", measure="n", label="Collaborations")
    data = ex.chart_data(index, result, spec)
    assert data.frame.to_dict("records") == [
        {"Org": ex.sentence_case(index.label(iri)), "Collaborations": 2}
    ]


def test_counted_bars_count_distinct_things_and_name_the_missing(index):
    rows = [
        {"kind": Literal("asset"), "item": URIRef("urn:x:1")},
        {"kind": Literal("asset"), "item": URIRef("urn:x:1")},
        {"kind": Literal("asset"), "item": URIRef("urn:x:2")},
        {"kind": None, "item": URIRef("urn:x:3")},
        {"kind": Literal("service"), "item": None},
    ]
    result = QueryResult(["kind", "item"], rows)
    data = ex.chart_data(index, result, ChartSpec(category="kind", count="item", label="Items"))
    assert dict(zip(data.frame["Kind"], data.frame["Items"], strict=True)) == {
        "Asset": 2,
        "none recorded": 1,
        "Service": 0,
    }


def test_row_counts_count_the_things_the_question_is_about():
    """Regression: "12 rows" for 4 activities."""
    rows = [{"a": URIRef(f"urn:x:{n % 4}"), "q": Literal(n)} for n in range(12)]
    result = QueryResult(["a", "q"], rows)
    assert ex.answer_count(result, CountSpec("a", "activities")) == "Activities: 4 (in 12 rows)"
    assert ex.answer_count(result, None) == "12 rows"
    one = QueryResult(["a"], [{"a": URIRef("urn:x:1")}])
    assert ex.answer_count(one, CountSpec("a", "activities")) == "Activities: 1"


@pytest.mark.parametrize(
    ("chart", "problem"),
    [
        ("pie", "'chart' must be 'none' or"),
        ("{category: s, label: L}", "exactly one of 'measure'"),
        ("{category: s, measure: n, count: s, label: L}", "exactly one of 'measure'"),
        ("{measure: n, label: L}", "needs a 'category'"),
        ("{category: s, measure: n}", "needs a 'label'"),
        ("{category: s, measure: n, label: L, shape: bar}", "unknown key 'shape'"),
        ("{category: nowhere, measure: n, label: L}", "?nowhere, which is not in the SELECT"),
    ],
)
def test_a_bad_chart_key_is_reported(tmp_path, chart, problem):
    path = tmp_path / "q.rq"
    path.write_text(
        "#+ summary: Q?\n#+ description: D.\n#+ audience: [policy]\n#+ tags: [t]\n"
        f"#+ params: []\n#+ defaultView: table\n#+ chart: {chart}\n"
        "SELECT ?s (1 AS ?n) WHERE { ?s ?p ?o } ORDER BY ?s\n"
    )
    problems = metadata_problems(parse_query_file(path))
    assert any(problem in p for p in problems), problems


def test_a_question_without_a_chart_key_is_reported(tmp_path):
    path = tmp_path / "q.rq"
    path.write_text(
        "#+ summary: Q?\n#+ description: D.\n#+ audience: [policy]\n#+ tags: [t]\n"
        "#+ params: []\n#+ defaultView: table\nSELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s\n"
    )
    assert any("no 'chart'" in p for p in metadata_problems(parse_query_file(path)))


# --------------------------------------------------------------------------- bars drawn true


@dataclass
class _Node:
    tag: str
    attrs: dict[str, str]
    children: list[_Node | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def find_all(self, tag: str, cls: str | None = None) -> list[_Node]:
        found: list[_Node] = []
        for child in self.children:
            if isinstance(child, _Node):
                if child.tag == tag and (cls is None or cls in child.classes):
                    found.append(child)
                found += child.find_all(tag, cls)
        return found


class _Tree(HTMLParser):
    """The drawn HTML as a tree (the bar charts' markup holds no void elements)."""

    def __init__(self, markup: str) -> None:
        super().__init__()
        self.root = _Node("root", {})
        self._open = [self.root]
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = _Node(tag, {k: v or "" for k, v in attrs})
        self._open[-1].children.append(node)
        self._open.append(node)

    def handle_endtag(self, tag: str) -> None:
        while len(self._open) > 1 and self._open.pop().tag != tag:
            pass

    def handle_data(self, data: str) -> None:
        self._open[-1].children.append(data)


_WIDTH = re.compile(r"(?:^|;)\s*width:\s*([\d.]+)%")


def _bars_drawn(markup: str) -> list[list[tuple[str, float, str]]]:
    """Each ``table.ck-bars`` as its bars (name, width in % of the bar's cell, number),
    checking on the way that the number is never inside the element whose width is set."""
    charts = []
    for table in _Tree(markup).root.find_all("table", "ck-bars"):
        bars = []
        for row in table.find_all("tbody")[0].find_all("tr"):
            [name] = row.find_all("th")
            cells = [c for c in row.children if isinstance(c, _Node)]
            assert [c.tag for c in cells] == ["th", "td", "td"], "name, bar, number"
            bar_cell, number_cell = cells[1], cells[2]
            assert "ck-bar-cell" in bar_cell.classes and "ck-bar-value" in number_cell.classes
            [bar] = bar_cell.find_all("span", "ck-bar")
            # the sized element holds nothing and its cell holds nothing else: no number,
            # no label can take room from the bar
            assert bar.text().strip() == "" and not bar.children, "the number is outside"
            assert bar_cell.text().strip() == ""
            assert bar_cell.children == [bar]
            found = _WIDTH.search(bar.attrs.get("style", ""))
            assert found, bar.attrs
            assert "width" not in number_cell.attrs.get("style", "")
            bars.append((name.text(), float(found.group(1)), number_cell.text().strip()))
        charts.append(bars)
    return charts


def _assert_proportional(bars: list[tuple[str, float, str]]) -> None:
    values = [float(number) for _, _, number in bars]
    top = max(values)
    for (name, width, number), value in zip(bars, values, strict=True):
        assert width == pytest.approx(100 * value / top, abs=0.01), (name, number, width)


def _home_frames(index: ex.ExplorerIndex) -> list[tuple[pd.DataFrame, str, str]]:
    return [
        (ex.collaborations_by_structure_type(index), "Structure type", "Collaborations"),
        (ex.organisations_by_sector(index), "Sector", "Organisations"),
    ]


def test_each_bar_is_as_long_as_its_share_of_the_largest(graph, index):
    """Regression: the number shared the bar's cell and a long bar was capped to leave it
    room (max-width: calc(100% - 3rem)): on the home page 20, 19 and 19 organisations drew
    alike (263 px) and 9 collaborations drew 2.55 times 3, not 3 times; the barriers' 7
    drew 621 px against 4 at 382 px."""
    drawn: list[tuple[str, pd.DataFrame, str]] = []
    for frame, category, measure in _home_frames(index):
        drawn.append((bars_html(frame, category, measure), frame, measure))
    for query in CHARTED:
        assert query.chart is not None
        data = ex.chart_data(index, graph.select(query.text, query.bind({})), query.chart)
        drawn.append((bars_html(data.frame, data.category, data.measure), data.frame, data.measure))
    for markup, frame, measure in drawn:
        [bars] = _bars_drawn(markup)
        assert [float(n) for _, _, n in bars] == [float(v) for v in frame[measure]]
        _assert_proportional(bars)
    # the tester's case: 20 and 19 organisations drew alike; each number its own length
    for frame, category, measure in _home_frames(index):
        [bars] = _bars_drawn(bars_html(frame, category, measure))
        lengths = {float(number): width for _, width, number in bars}
        assert len(lengths) > 1 and len(set(lengths.values())) == len(lengths)


def test_a_bar_of_nothing_draws_nothing_and_fractions_keep_their_share():
    frame = pd.DataFrame({"Kind": ["a", "b", "c"], "N": [2.5, 0.0, 1.0]})
    [bars] = _bars_drawn(bars_html(frame, "Kind", "N"))
    assert [(w, n) for _, w, n in bars] == [(100.0, "2.5"), (0.0, "0"), (40.0, "1")]
    [empty] = _bars_drawn(bars_html(pd.DataFrame({"K": ["a"], "N": [0]}), "K", "N"))
    assert [w for _, w, _ in empty] == [0.0]


def _rules(css: str) -> list[tuple[str, dict[str, str]]]:
    rules = []
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        declarations = dict(
            (name.strip(), value.strip())
            for name, _, value in (d.partition(":") for d in body.split(";") if d.strip())
        )
        rules.append((" ".join(selector.split()), declarations))
    return rules


def test_the_bar_rules_let_nothing_shrink_a_bar():
    rules = _rules(BARS_CSS)
    assert rules
    for selector, declarations in rules:
        assert "ck-bars" in selector, "the chart's rules touch nothing else"
        if re.search(r"\.ck-bar(?![-\w])", selector):  # the sized element
            capped = {"max-width", "min-width", "flex", "flex-shrink", "flex-basis"}
            assert not capped & set(declarations), (selector, declarations)
            assert "width" not in declarations, "its width is its value's share, set inline"
            assert declarations.get("display") == "block"
        if "ck-bar-cell" in selector:
            assert not {"width", "max-width", "min-width"} & set(declarations)
        assert not any("calc(" in value for value in declarations.values()), selector
    # the number is a cell of its own, as narrow as it needs
    value_rules = [d for s, d in rules if "ck-bar-value" in s]
    assert value_rules and all("margin-left" not in d for d in value_rules)


_APP_DRAWS_ITS_OWN_BARS = "def bars_html" in (REPO / "app" / "ui.py").read_text(encoding="utf-8")


@pytest.mark.xfail(
    _APP_DRAWS_ITS_OWN_BARS,
    reason="app/ui.py still draws its own bars (number inside the bar's cell, a capped bar):"
    " it is to take bars_html and BARS_CSS from collabkg.explorer",
    strict=True,
)
@pytest.mark.parametrize(
    ("view", "params", "charts"),
    [(None, {}, 2), ("views/questions.py", {"q": "barriers", "view": "chart"}, 1)],
    ids=["home", "barriers"],
)
def test_the_pages_draw_the_bars_in_proportion(open_page: Opener, view, params, charts):
    app = open_page(view, **params)
    markup = drawn_html(app)
    drawn = _bars_drawn(markup)
    assert len(drawn) == charts
    for bars in drawn:
        _assert_proportional(bars)
    for selector, _ in _rules(BARS_CSS):
        assert selector in " ".join(markup.split()), f"the page's style lacks {selector}"
    assert "calc(100% - 3rem)" not in markup


# --------------------------------------------------------------------------- bar names, order


def test_an_ordered_scale_keeps_its_order(graph, index):
    """Regression: the hype cycle's stages were drawn by count, then alphabetically (peak,
    plateau, policy trigger, slope, trough). A scale's concepts carry their place as
    skos:notation; the question orders its answer by it, and the chart keeps that order."""
    query = CATALOGUE.get("tactics-by-hype-cycle-stage")
    assert query.chart is not None
    result = graph.select(query.text)
    data = ex.chart_data(index, result, query.chart)
    cycle = [
        "Policy trigger",
        "Peak of inflated expectations",
        "Trough of disillusionment",
        "Slope of enlightenment",
        "Plateau of productivity",
    ]
    assert list(data.frame[data.category]) == cycle
    # the answer's own order (ORDER BY ?stageOrder), and the counts would have said otherwise
    in_answer = list(dict.fromkeys(ex.sentence_case(str(r["stageLabel"])) for r in result.rows))
    assert in_answer == cycle
    assert list(data.frame[data.measure]) != sorted(data.frame[data.measure], reverse=True)


def test_an_ordered_scale_keeps_its_order_whatever_the_answer_order(graph, index):
    stages = {
        int(str(r["n"])): r["c"]
        for r in graph.select(
            "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
            "PREFIX ck: <https://w3id.org/collabkg/ontology#> "
            "SELECT ?c ?n WHERE { ?c a ck:HypeCycleStage ; skos:notation ?n }"
        ).rows
    }
    assert sorted(stages) == [1, 2, 3, 4, 5]
    rows = [
        {"stage": stages[place], "t": URIRef(f"urn:x:{place}-{n}")}
        for place in (5, 3, 1, 4, 2)
        for n in range(place % 3 + 1)
    ]
    rows.append({"stage": None, "t": URIRef("urn:x:none")})
    data = ex.chart_data(
        index, QueryResult(["stage", "t"], rows), ChartSpec(category="stage", count="t", label="T")
    )
    names = list(data.frame["Stage"])
    assert names[:5] == [ex.sentence_case(index.label(stages[p])) for p in (1, 2, 3, 4, 5)]
    assert names[5] == "none recorded"


def test_bars_of_things_without_a_scale_are_drawn_longest_first(graph, index):
    query = CATALOGUE.get("barriers")
    assert query.chart is not None
    data = ex.chart_data(index, graph.select(query.text, query.bind({})), query.chart)
    lengths = list(data.frame[data.measure])
    assert lengths == sorted(lengths, reverse=True) and len(set(lengths)) > 1


def test_the_bars_of_claims_against_practice_are_named_wholly(graph, index):
    """Regression: the bars were "Classified as" (3) and "Ambiguous: may be" (1), the first
    half of a sentence the table finishes with the reading. They are now the researchers'
    reading of each activity: what it is classified as ("community self-organisation"), or
    the readings they leave open ("co-delivery or citizen self-help")."""
    query = CATALOGUE.get("co-creation-claims-vs-practice")
    assert query.chart is not None and query.chart.category == "readingLabel"
    result = graph.select(query.text)
    data = ex.chart_data(index, result, query.chart)
    names = list(data.frame[data.category])
    assert names == ["Community self-organisation", "Co-delivery or citizen self-help"]
    assert list(data.frame[data.measure]) == [3, 1]
    for name in names:
        assert not re.search(r"(?:\b(?:as|be|may|or|and)|:)$", name.strip()), name
    # every activity is under one bar, and each bar is one verdict of the researchers
    assert data.frame[data.measure].sum() == len({str(r["activity"]) for r in result.rows})
    for name in names:
        verdicts = {
            str(r["verdict"])
            for r in result.rows
            if ex.sentence_case(str(r["readingLabel"])) == name
        }
        assert len(verdicts) == 1

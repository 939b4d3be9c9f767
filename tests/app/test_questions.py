"""Questions: the catalogue, parameters, answers by label, views, downloads, permalinks."""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.support.apptest import (
    Opener,
    answer_tables,
    column,
    download_links,
    drawn_html,
    identifiers_on_screen,
    page_links,
    visible_text,
)

PAGE = "views/questions.py"


def _catalogue(app) -> tuple[list[str], list[tuple[str, str, dict[str, str]]]]:  # type: ignore[no-untyped-def]
    """The catalogue drawn as one HTML element: its H2 topics in order, and its links as
    (label, page, query parameters)."""
    import re
    from urllib.parse import parse_qs

    drawn = drawn_html(app)
    topics = [html.unescape(t) for t in re.findall(r'<h2 id="[^"]*">([^<]*)</h2>', drawn)]
    links = [
        (html.unescape(label), page, {k: v[0] for k, v in parse_qs(html.unescape(query)).items()})
        for page, query, label in re.findall(r'<a href="([a-z]+)\?([^"]*)">([^<]*)</a>', drawn)
    ]
    return topics, links


def test_catalogue_grouped_by_topic(open_page: Opener):
    app = open_page(PAGE)
    topics, links = _catalogue(app)  # H2 under the page title (headings in order)
    assert "Accountability" in topics
    assert "Co-creation and community involvement" in topics
    assert '<a href="#accountability">Accountability</a>' in drawn_html(app), "topic links"
    assert len(app.get("html")) <= 3, "the catalogue is one element, not two per topic"
    targets = {params.get("q") for _label, page, params in links if page == "questions"}
    assert {
        "accountable-for-transferred-assets",
        "collaborations-by-structure-type",
        "co-creation-claims-vs-practice",
        "accountability-chain",
    } <= targets
    labels = {label for label, _page, _params in links}
    assert "Who is accountable for transferred assets?" in labels
    assert identifiers_on_screen(app) == []


def test_the_catalogue_reaches_what_the_sources_advise_and_ask(open_page: Opener):
    """Issue 17: the new questions are in the explorer's catalogue under their own topics."""
    app = open_page(PAGE)
    topics, links = _catalogue(app)  # H2 under the page title
    assert "Recommendations and tactics" in topics
    assert "Research: study designs, disagreements and open questions" in topics
    targets = {params.get("q") for _label, page, params in links if page == "questions"}
    assert {
        "tactics-by-hype-cycle-stage",
        "recommendations",
        "open-questions",
        "study-designs",
        "source-disagreements",
        "rationales-ranked",
        "comparative-statements",
        "claims-by-topic",
    } <= targets


def test_who_is_accountable_for_transferred_assets(open_page: Opener):
    app = open_page(PAGE, q="accountable-for-transferred-assets")
    assert app.title[0].value == "Who is accountable for transferred assets?"
    [table] = answer_tables(app)
    assert "Asset" in table.columns
    assert "Accountable" in table.columns
    shown = column(table, "Accountable")
    assert "none recorded" in shown, "where no one is accountable, the answer says so"
    cells = [text for row in table.rows for text, _href in row] + table.columns
    assert not [c for c in cells if "ckd:" in c or "https://" in c], "names only, no identifiers"
    assert any("Accountable: none recorded" in w.value for w in app.warning)
    assert download_links(app) == [
        ("Download CSV", "download/accountable-for-transferred-assets.csv"),
        ("Download JSON", "download/accountable-for-transferred-assets.json"),
    ]
    sparql = [params for _label, page, params in page_links(app, drawn=True) if page == "sparql"]
    assert len(sparql) == 1, "a link opens the question's SPARQL in the analysts' editor"
    assert "SELECT" in sparql[0]["query"]
    assert identifiers_on_screen(app) == []
    # the permalink is the address itself
    assert (
        app.query_params["q"] == ["accountable-for-transferred-assets"]
        or app.query_params["q"] == "accountable-for-transferred-assets"
    )


def test_collaborative_markets_link_to_profiles(open_page: Opener):
    app = open_page(PAGE, q="collaborations-by-structure-type")
    [table] = answer_tables(app)
    kind = table.columns.index("Structure type")
    name = table.columns.index("Collaboration")
    by_type: dict[str, list[tuple[str, str]]] = {}
    for row in table.rows:
        by_type.setdefault(row[kind][0], []).append(row[name])
    markets = dict(by_type["collaborative market"])
    # the table shows names only; each name links to its profile (same tab)
    assert markets["Plymouth Alliance Contract"] == (
        "collaborations?id=ckd%3Aplymouth-alliance-contract"
    )
    assert not any("?id=" in text for row in table.rows for text, _href in row)
    import re

    [line] = re.findall(r'<p class="ck-profiles">.*?</p>', drawn_html(app))
    assert line.startswith('<p class="ck-profiles"><strong>Profiles in this answer:</strong>')
    assert (
        '<a href="collaborations?id=ckd%3Aplymouth-alliance-contract">Plymouth Alliance Contract'
        "</a>" in line
    )


def _flat(params) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {k: v[0] if isinstance(v, list) else v for k, v in dict(params).items()}


def _choices(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The question's choices form: {option label: option value} of its first list."""
    import re

    drawn = " ".join(str(getattr(e.proto, "body", "")) for e in app.get("html"))
    form = re.search(r'<form class="ck-filters ck-params".*?</form>', drawn, flags=re.DOTALL)
    assert form is not None, "the choices are one HTML form"
    return {
        html.unescape(label): html.unescape(value)
        for value, label in re.findall(r'<option value="([^"]+)"[^>]*>([^<]*)</option>', form[0])
    }


def _selected(app) -> str | None:  # type: ignore[no-untyped-def]
    import re

    drawn = " ".join(str(getattr(e.proto, "body", "")) for e in app.get("html"))
    found = re.search(r'<option value="([^"]*)" selected>', drawn)
    return html.unescape(found[1]) if found else None


def test_a_parameter_is_chosen_by_label_and_kept_in_the_url(open_page: Opener):
    app = open_page(PAGE, q="collaboration-profile")
    labels = _choices(app)  # what the person sees: labels; the address gets the value
    assert "Plymouth Alliance Contract" in labels
    assert not any("ckd:" in label or "https://" in label for label in labels)
    # the form's submission is an address: the page answers what it says
    app = open_page(
        PAGE, q="collaboration-profile", collaboration=labels["Plymouth Alliance Contract"]
    )
    assert answer_tables(app), "choosing a collaboration answers the question"
    assert _selected(app) == "ckd:plymouth-alliance-contract"
    assert _flat(app.query_params) == {
        "q": "collaboration-profile",
        "collaboration": "ckd:plymouth-alliance-contract",
    }


def test_the_default_choice_is_shown_selected_and_answered(open_page: Opener):
    app = open_page(PAGE, q="collaboration-profile")
    assert _selected(app) == "ckd:wigan-collaborative-council"
    assert answer_tables(app)
    assert _flat(app.query_params)["collaboration"] == "ckd:wigan-collaborative-council"


def test_a_full_iri_in_the_address_is_kept_as_its_short_form(open_page: Opener):
    app = open_page(
        PAGE,
        q="collaboration-profile",
        collaboration="https://w3id.org/collabkg/id/plymouth-alliance-contract",
    )
    assert _selected(app) == "ckd:plymouth-alliance-contract"
    assert _flat(app.query_params)["collaboration"] == "ckd:plymouth-alliance-contract"


def test_a_permalink_reopens_the_same_answer(open_page: Opener):
    app = open_page(PAGE, q="collaboration-profile", collaboration="ckd:plymouth-alliance-contract")
    assert _selected(app) == "ckd:plymouth-alliance-contract"
    text = " ".join(visible_text(app))
    assert "Plymouth" in text
    links = {label: params for label, page, params in page_links(app, drawn=True)}
    assert links["Permalink to this answer"] == {
        "q": "collaboration-profile",
        "collaboration": "ckd:plymouth-alliance-contract",
    }


def test_a_bad_parameter_in_the_url_is_explained(open_page: Opener):
    app = open_page(PAGE, q="collaboration-profile", collaboration="ckd:no-such-thing")
    assert any("not in the graph" in w.value for w in app.warning)
    assert _flat(app.query_params).get("collaboration") != "ckd:no-such-thing"
    # a broken link asks for a choice; it never answers for another collaboration
    assert any("Choose" in i.value for i in app.info)
    assert not answer_tables(app)
    assert _selected(app) is None


def test_a_name_the_graph_has_but_the_question_does_not_offer_is_told_as_such(
    open_page: Opener,
):
    # Wigan council has a profile, but the chain is asked of the parties the question lists
    app = open_page(PAGE, q="accountability-chain", organisation="ckd:wigan-council")
    [warning] = [w.value for w in app.warning]
    assert "not in the graph" not in warning  # it is: it was said to be missing
    assert "not one of this question's choices of organisation" in warning
    assert "ckd:" not in warning and "Wigan" in warning
    assert not answer_tables(app)
    app = open_page(PAGE, q="accountability-chain", organisation="ckd:no-such-thing")
    [warning] = [w.value for w in app.warning]
    assert "an organisation or collaboration that is not in the graph" in warning  # not "a o…"


def test_an_empty_choice_in_a_link_answered_for_the_default(open_page: Opener):
    """``?policy=`` (a link naming no policy; the form never sends it) answered for the
    default policy, quietly. It asks for a choice now, as any broken link does."""
    app = open_page(PAGE, q="claims-by-policy", policy="")
    [warning] = [w.value for w in app.warning]
    assert "The link names no policy" in warning
    assert not answer_tables(app)
    assert _selected(app) is None
    # with no policy in the address at all, the question's default is answered
    app = open_page(PAGE, q="claims-by-policy")
    assert not app.warning and answer_tables(app)


def test_an_unknown_question(open_page: Opener):
    app = open_page(PAGE, q="no-such-question")
    assert any("does not exist" in w.value for w in app.warning)
    assert app.title[0].value == "Questions"


def _view_links(app) -> tuple[str | None, dict[str, str]]:  # type: ignore[no-untyped-def]
    """The "Show as" links: (the view shown, {view name: its address})."""
    import re

    drawn = " ".join(getattr(e.proto, "body", "") for e in app.get("html"))
    nav = re.search(r'<nav class="ck-views".*?</nav>', drawn, flags=re.DOTALL)
    assert nav is not None, "the views are offered as links"
    current = re.search(r'<span aria-current="page">([^<]*)</span>', nav.group(0))
    links = dict(
        (name, html.unescape(href))
        for href, name in re.findall(r'<a href="([^"]*)">([^<]*)</a>', nav.group(0))
    )
    return (current.group(1) if current else None), links


def test_views_table_and_graph(open_page: Opener):
    # an asset and its transfer are two names, not two parties one of which acts on the
    # other: no graph (it was drawn, each "link" called by a column's name)
    app = open_page(PAGE, q="accountable-for-transferred-assets")
    current, links = _view_links(app)
    assert current == "Table"
    assert set(links) == {"Row by row"}
    app = open_page(PAGE, q="funding-by-mechanism")
    current, links = _view_links(app)
    assert set(links) == {"Row by row", "Chart", "Graph"}
    assert links["Graph"] == "questions?q=funding-by-mechanism&view=graph"
    app = open_page(PAGE, q="funding-by-mechanism", view="graph")
    assert _view_links(app)[0] == "Graph"
    assert "it funds the other" in " ".join(visible_text(app))
    # the drawing is a picture on the page, its text alternative a table of its links
    drawn = drawn_html(app)
    assert '<svg class="ck-net"' in drawn
    assert "as a table (text alternative)</summary>" in drawn
    assert '<th scope="col">From</th><th scope="col">Relation</th><th scope="col">To</th>' in drawn
    assert not app.get("component_instance") and not app.dataframe
    assert _flat(app.query_params).get("view") == "graph"
    assert identifiers_on_screen(app) == []
    # back to the default view: its link drops view= from the address
    assert "view=" not in _view_links(app)[1]["Table"]


def test_a_graph_is_offered_only_where_the_question_declares_one(open_page: Opener):
    from collabkg.catalogue import Catalogue
    from tests.support.apptest import DATA_ROOT

    questions = list(Catalogue.load(DATA_ROOT))
    declared = [q for q in questions if q.graph is not None]
    assert declared and len(declared) < len(questions)
    for query in questions:
        chosen = {spec.name: spec.default for spec in query.params if spec.default}
        app = open_page(PAGE, q=query.id, **chosen)
        offered = "Graph" in _view_links(app)[1] or _view_links(app)[0] == "Graph"
        assert offered == (query.graph is not None), query.id


def test_chart_view_when_the_query_asks_for_it(open_page: Opener):
    from collabkg.catalogue import Catalogue
    from tests.support.apptest import DATA_ROOT

    charts = [q.id for q in Catalogue.load(DATA_ROOT) if q.default_view == "chart"]
    for query_id in charts:
        app = open_page(PAGE, q=query_id)
        assert _view_links(app)[0] == "Chart"
        drawn = " ".join(getattr(e.proto, "body", "") for e in app.get("html"))
        assert 'class="ck-bars"' in drawn


def _elements(block) -> int:  # type: ignore[no-untyped-def]
    """Elements and blocks drawn under a block (each is a render of its own in the browser)."""
    inner = [_elements(c) if hasattr(c, "children") else 0 for c in block.children.values()]
    return len(inner) + sum(inner)


def test_a_question_page_is_a_few_elements(open_page: Opener):
    """Every question's page is drawn as a handful of elements whatever its answer (the
    question and its choices one element, the answer with its count, views and profile links
    one, the links one): it was 16-19 elements and blocks, each a render for the browser."""
    from collabkg.catalogue import Catalogue
    from tests.support.apptest import DATA_ROOT

    for query in Catalogue.load(DATA_ROOT):
        if query.internal:
            continue
        app = open_page(PAGE, q=query.id)
        drawn = _elements(app.main)
        assert drawn <= 11, f"{query.id}: {drawn} elements and blocks"
        assert [label for label, _href in download_links(app)] == ["Download CSV", "Download JSON"]


def test_a_choice_among_thousands_of_names_is_found_by_name(open_page: Opener, long_lists):
    """Regression: a question's list of choices held every name the graph documents
    (evidence-for: 9 MB of options at a million triples, 1.7 s of server work a run). Past
    a few hundred, the list holds the first names and a box finds the others; the address
    keeps what was typed, and a choice made from the narrowed list is answered."""
    import html as _html
    import re

    app = open_page(PAGE, root=long_lists, q="evidence-for")
    form = " ".join(getattr(e.proto, "body", "") for e in app.get("html"))
    options = re.findall(r'<option value="(ckd:[^"]+)"', form)
    total = int(re.search(r"([\d,]+) names; the first", form).group(1).replace(",", ""))
    assert 0 < len(options) <= 300 < total
    assert 'name="find-entity"' in form

    app = open_page(PAGE, root=long_lists, q="evidence-for", **{"find-entity": "partnership 1"})
    form = " ".join(getattr(e.proto, "body", "") for e in app.get("html"))
    labels = [_html.unescape(t) for t in re.findall(r'<option value="ckd:[^"]+">([^<]+)<', form)]
    assert labels and all("partnership 1" in label.lower() for label in labels)
    assert app.query_params["find-entity"] == "partnership 1", "the address keeps the search"
    chosen = re.findall(r'<option value="(ckd:[^"]+)"', form)[0]

    app = open_page(
        PAGE, root=long_lists, q="evidence-for", entity=chosen, **{"find-entity": "partnership 1"}
    )
    assert app.query_params["entity"] == chosen
    # the downloads answer for the choice made (and not for what was typed to find it)
    assert download_links(app) == [
        (f"Download {fmt.upper()}", f"download/evidence-for.{fmt}?{urlencode({'entity': chosen})}")
        for fmt in ("csv", "json")
    ]
    form = " ".join(getattr(e.proto, "body", "") for e in app.get("html"))
    assert f'<option value="{chosen}" selected>' in form


def test_no_question_shows_an_identifier_in_any_of_its_views(open_page: Opener):
    """Every question, in every view it offers (with its default choices): labels only.
    The inferences question's notes named concepts as ``ckc:attitudesEgos``."""
    from collabkg.catalogue import Catalogue
    from tests.support.apptest import DATA_ROOT

    questions = list(Catalogue.load(DATA_ROOT))
    assert questions
    for query in questions:
        views = ["table", "list"] + (["chart"] if query.chart is not None else [])
        for view in views:
            app = open_page(PAGE, q=query.id, view=view)
            assert identifiers_on_screen(app) == [], (query.id, view)


def test_a_view_the_answer_does_not_have_is_said_never_quietly_replaced(open_page: Opener):
    app = open_page(PAGE, q="accountable-for-transferred-assets", view="graph")
    assert any("no graph view" in i.value and "shown as table" in i.value for i in app.info)
    assert _view_links(app)[0] == "Table"
    app = open_page(PAGE, q="accountable-for-transferred-assets", view="nonsense")
    assert any("does not exist" in i.value for i in app.info)
    app = open_page(PAGE, q="accountable-for-transferred-assets")
    assert not [i for i in app.info if "view" in i.value]


NO_LINK_QUESTION = """#+ summary: Test question whose graph links nothing
#+ description: >-
#+   Asset transfers with their names and assets: the graph it declares links a
#+   transfer to its name, which is not a thing, so no row links two things.
#+ audience: [analyst]
#+ tags: [test]
#+ params: []
#+ defaultView: table
#+ chart: none
#+ answer: [transfer, name, asset]
#+ graph: {from: transfer, to: name, relation: is named}
PREFIX ck: <https://w3id.org/collabkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

SELECT ?transfer ?name ?asset
WHERE { ?transfer a ck:AssetTransfer ; rdfs:label ?name ; ck:transfersAsset ?asset . }
ORDER BY ?name
LIMIT 5
"""


@pytest.mark.slow
def test_a_graph_view_that_draws_nothing_showed_the_table_quietly_with_view_graph_in_the_address(
    open_page: Opener, tmp_path: Path
):
    """Regression: a question offering a graph whose answer links nothing, opened with
    view=graph, showed the table with no word while the address said view=graph. Now it
    says so and the address names the view shown (as for a view the question lacks)."""
    import shutil

    import streamlit as st

    from tests.support.paths import REPO

    for folder in ("ontology", "shapes", "data", "queries"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    (tmp_path / "queries" / "test-graph-links-nothing.rq").write_text(NO_LINK_QUESTION)
    st.cache_resource.clear()
    try:
        app = open_page(PAGE, root=tmp_path, q="test-graph-links-nothing", view="graph")
        assert any(
            "nothing to draw as a graph" in i.value and "shown as table" in i.value
            for i in app.info
        ), [i.value for i in app.info]
        assert _view_links(app)[0] == "Table"
        assert "view" not in _flat(app.query_params)
    finally:
        st.cache_resource.clear()


def test_a_description_naming_another_question_showed_its_internal_id(open_page: Opener):
    """Regression: "see rationales-ranked" (rationales) and "see policy-context"
    (claims-by-policy) showed internal ids. Every question whose description names another
    by id now shows that question's title as a same-tab link to it, and no id."""
    from collabkg.catalogue import Catalogue
    from tests.support.apptest import DATA_ROOT

    questions = [q for q in Catalogue.load(DATA_ROOT) if not q.internal]
    hyphenated = [q.id for q in questions if "-" in q.id]
    naming = [
        q for q in questions if any(i in q.description for i in hyphenated if i != q.id)
    ]
    assert {"rationales", "claims-by-policy"} <= {q.id for q in naming}
    titles = {q.id: q.summary for q in questions}
    for query in naming:
        chosen = {spec.name: spec.default for spec in query.params if spec.default}
        app = open_page(PAGE, q=query.id, **chosen)
        intro = next(
            getattr(e.proto, "body", "")
            for e in app.get("html")
            if "How this answer is worked out" in getattr(e.proto, "body", "")
        )
        shown = html.unescape(re.sub(r"<[^>]*>", "", intro))
        named = [i for i in hyphenated if i != query.id and i in query.description]
        for other in named:
            assert re.search(rf"(?<![\w-]){re.escape(other)}(?![\w-])", shown) is None, (
                query.id,
                other,
            )
            link = f'<a href="{html.escape("questions?" + urlencode({"q": other}))}">'
            assert link in intro and titles[other] in shown, (query.id, other)
            assert "target=" not in intro


def test_description_segments_link_only_questions_named_by_id():
    from collabkg.explorer.descriptions import description_html, description_segments

    titles = {"rationales-ranked": "Which reasons are most common?", "barriers": "Barriers?"}
    assert description_segments("For a ranking, see rationales-ranked.", titles) == [
        "For a ranking, see ",
        ("Which reasons are most common?", "rationales-ranked"),
        ".",
    ]
    # a one-word id is a word of prose unless it follows "see"
    assert description_segments("The barriers they name", titles) == ["The barriers they name"]
    assert ("Barriers?", "barriers") in description_segments("(see barriers)", titles)
    assert description_segments("not-rationales-ranked-x", titles) == ["not-rationales-ranked-x"]
    assert '<a href="questions?q=rationales-ranked">' in description_html(
        "see rationales-ranked", titles
    )
    assert "&lt;b&gt;" in description_html("<b> see rationales-ranked", titles)


def _form(app) -> str:  # type: ignore[no-untyped-def]
    return " ".join(getattr(e.proto, "body", "") for e in app.get("html"))


def test_a_find_that_leaves_out_the_choice_chooses_nothing(open_page: Opener):
    """Regression: on /questions?q=evidence-for, "Plymouth" in the Find box then Find
    narrowed the list to the Plymouth names, yet "The Wigan Deal 2030" stayed selected (listed
    first) and the answer was for it again. A new Find (the text differs from the one the
    list was narrowed by, which the form sends) keeps the choice only when its name holds
    the text; otherwise nothing is chosen and the list asks for a choice."""
    import html as _html
    import re

    first = open_page(PAGE, q="evidence-for")
    chosen = re.search(r'<option value="(ckd:[^"]+)" selected>([^<]*)<', _form(first))
    assert chosen, "the question has a default choice"
    value, label = chosen.group(1), _html.unescape(chosen.group(2))
    assert 'name="listed-entity" value="by:"' in _form(first), "the form says what it listed"
    # a word the chosen name does not hold
    options = re.findall(r'<option value="ckd:[^"]+"[^>]*>([^<]*)<', _form(first))
    word = next(
        w
        for o in options
        for w in re.findall(r"[A-Za-z]{5,}", _html.unescape(o))
        if w.lower() not in label.lower()
    )
    app = open_page(
        PAGE, q="evidence-for", entity=value, **{"find-entity": word, "listed-entity": "by:"}
    )
    form = _form(app)
    listed = [
        _html.unescape(t) for t in re.findall(r'<option value="ckd:[^"]+"[^>]*>([^<]*)<', form)
    ]
    assert listed and all(word.lower() in t.lower() for t in listed), listed
    assert " selected>" not in form.replace("disabled selected>", ""), "nothing chosen"
    assert '<option value="" disabled selected>Choose' in form
    assert any("to see the answer" in i.value for i in app.info)
    assert '<table class="ck-answer' not in form, "no answer is shown"
    assert app.query_params.get("entity") in (None, "", []), "the address names no choice"
    # the address it leaves (the question and the text found) reopens the same: no choice,
    # and never the default answered for behind the narrowed list
    again = open_page(PAGE, q="evidence-for", **{"find-entity": word})
    assert '<option value="" disabled selected>Choose' in _form(again)
    assert '<table class="ck-answer' not in _form(again)

    # a Find whose text the chosen name holds keeps it, and answers for it
    part = label.split()[-1]
    kept = open_page(
        PAGE, q="evidence-for", entity=value, **{"find-entity": part, "listed-entity": "by:"}
    )
    assert f'<option value="{value}" selected>' in _form(kept)
    assert not any("to see the answer" in i.value for i in kept.info)
    assert '<table class="ck-answer' in _form(kept), "the answer for it"


def test_a_link_naming_a_choice_and_another_find_says_the_choice_is_kept(open_page: Opener):
    """A link (not the form) may name a choice and a Find text its name does not hold: the
    answer is for the choice, and the list says it is listed although it does not match."""
    import re

    first = open_page(PAGE, q="evidence-for")
    value = re.search(r'<option value="(ckd:[^"]+)" selected>', _form(first)).group(1)
    app = open_page(PAGE, q="evidence-for", entity=value, **{"find-entity": "zzqx"})
    form = _form(app)
    assert f'<option value="{value}" selected>' in form
    assert "is listed first: its name does not hold “zzqx”" in form

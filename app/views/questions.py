"""Questions: the catalogue of canned queries in plain English, answered by label.

The URL holds the question and its parameters (``?q=<id>&<param>=<value>``), so the
address of an answer is its permalink.
"""

from __future__ import annotations

import contextlib
import html
from urllib.parse import urlencode

import streamlit as st
from downloads import download_href
from ui import (
    answer_chart_html,
    answer_facts,
    answer_rows_html,
    answer_table,
    answer_table_html,
    back_link,
    catalogue,
    context,
    draw_network,
    first_sentence,
    keep_address,
    md_escape,
    more_rows_html,
    page_title,
    plain,
    run_canned,
    run_choices,
    show_error,
    shown_rows,
)

from collabkg.bindings import parse_iri
from collabkg.catalogue import CannedQuery, Catalogue, GraphSpec, ParamSpec
from collabkg.errors import CollabkgError, ParameterError
from collabkg.explorer import (
    FIND_PREFIX,
    PAGE_OF_KIND,
    ROWS_PER_PAGE,
    ExplorerIndex,
    Network,
    ParamField,
    from_curie,
    legend_html,
    links_table_html,
    narrow_options,
    param_choices,
    param_value,
    params_form_html,
    profile_href,
    result_network,
    sentence_case,
    to_curie,
)
from collabkg.explorer.descriptions import description_html
from collabkg.explorer.forms import LISTED_PREFIX, after_find, holds, listed_with
from collabkg.results import QueryResult

TAG_TITLES = {
    "accountability": "Accountability",
    "assets": "Community asset transfers",
    "barriers": "Barriers",
    "co-creation": "Co-creation and community involvement",
    "collaborations": "Collaborations",
    "engagement": "Levels of engagement",
    "evidence": "Evidence and quotations",
    "funding": "Funding",
    "organisations": "Organisations",
    "policy": "Policy context",
    "profile": "Profiles",
    "rationales": "Why organisations collaborate",
    "recommendations": "Recommendations and tactics",
    "research": "Research: study designs, disagreements and open questions",
    "risk": "Funding at risk",
    "sectors": "Sectors",
    "structure": "Types of collaboration",
}
VIEW_NAMES = {"table": "Table", "list": "Row by row", "chart": "Chart", "graph": "Graph"}
LIST_ROWS_SHOWN = 100
PROFILE_LINKS_SHOWN = 30

root, graph, index = context()
cat = catalogue(root)
query_id = st.query_params.get("q")


def show_catalogue() -> None:
    page_title("Questions")
    keep_address({})
    st.title("Questions", anchor=False)
    st.markdown(
        "Questions the knowledge graph can answer, grouped by topic. Each answer shows "
        "names, not codes; follow a name to its profile, and download the answer as a "
        "spreadsheet (CSV) or JSON."
    )
    if not len(cat):
        st.info("No questions are available: the queries/ folder is empty.")
        return
    # the whole catalogue is one HTML element (topic links, a heading and a list of links
    # per topic): one message for the browser to draw instead of two per topic
    st.html(catalogue_html(cat))


def catalogue_html(cat: Catalogue) -> str:
    """The questions by topic: a line of links to the topics, then per topic an H2 (its
    anchor the tag) and a list of same-tab links to its questions."""
    groups = cat.by_tag()
    title = {tag: TAG_TITLES.get(tag, sentence_case(tag.replace("-", " "))) for tag in groups}
    esc = html.escape
    topics = " · ".join(f'<a href="#{esc(tag)}">{esc(title[tag])}</a>' for tag in groups)
    parts = [f'<p class="ck-topics">Topics: {topics}</p>']
    for tag, queries in groups.items():
        links = "".join(
            f'<li><a href="{esc("questions?" + urlencode({"q": q.id}), quote=True)}">'
            f"{esc(q.summary)}</a></li>"
            for q in queries
        )
        parts.append(
            f'<h2 id="{esc(tag)}">{esc(title[tag])}</h2><ul class="ck-questions">{links}</ul>'
        )
    return "".join(parts)


FIELD_KIND = {"iri": "choice", "integer": "integer", "date": "date"}


def param_field(query: CannedQuery, spec: ParamSpec, index: ExplorerIndex) -> ParamField:
    """One choice of the question as the address gives it (else its default); a value the
    graph does not know is explained, and the question then asks for a choice."""
    kind = FIELD_KIND.get(spec.type, "text")
    label = sentence_case(spec.label or spec.name)
    given = st.query_params.get(spec.name)
    options: tuple[tuple[str, str], ...] = ()
    canonical: dict[str, str] = {}
    default = spec.default or None
    values: frozenset[str] = frozenset()
    if kind == "choice":
        options, values = choice_options(root, query.id, spec.name, index)
        if given:
            with contextlib.suppress(ParameterError):
                canonical[given] = to_curie(from_curie(given))
        if default:
            default = to_curie(from_curie(default))
    find = st.query_params.get(FIND_PREFIX + spec.name, "").strip()
    if kind == "choice" and find and given is None:
        # a list narrowed by a Find, nothing chosen from it yet (the address after a Find
        # that left the choice out): no default answered for behind it, on a reload too
        default = None
    value, broken = param_value(kind, given, default, values, canonical=canonical)
    if broken:
        st.warning(f"The link names {broken_choice(kind, label, given)}; choose one below.")
    if kind == "choice" and (len(options) > CHOICES_LISTED or find):
        # a new Find keeps the choice only when its name holds the text found
        narrowed_by = listed_with(st.query_params.get(LISTED_PREFIX + spec.name))
        value = after_find(options, value, find, narrowed_by)
        listed, matching = narrow_options(options, find, value or "", CHOICES_LISTED)
        return ParamField(
            spec.name,
            label,
            kind,
            value or "",
            listed,
            help=spec.description or "",
            find=find,
            total=len(options),
            matching=matching,
            kept_outside=bool(value) and not holds(options, value or "", find),
        )
    return ParamField(spec.name, label, kind, value or "", options, help=spec.description or "")


def broken_choice(kind: str, label: str, given: str | None) -> str:
    """What a link's value of a choice is, when the question cannot answer for it: a name
    the graph describes but the question does not offer, a name the graph does not know,
    or a value that cannot be read."""
    noun = label.lower()
    article = "an" if noun[:1] in "aeiou" else "a"
    if kind != "choice":
        return f"{article} {noun} that cannot be read ({given!r})"
    if not (given or "").strip():
        return f"no {noun}"
    with contextlib.suppress(ParameterError):
        iri = parse_iri(given or "")  # a term: a text is bound as a literal
        if graph.ask("ASK { ?s ?p ?o }", {"s": iri}):
            return f"“{index.label(iri)}”, which is not one of this question's choices of {noun}"
    return f"{article} {noun} that is not in the graph"


# at most this many names in a choice's list; past that, a box finds them by name
CHOICES_LISTED = 300


@st.cache_resource(show_spinner=False, max_entries=64)
def choice_options(
    root: str, query_id: str, name: str, _index: ExplorerIndex
) -> tuple[tuple[tuple[str, str], ...], frozenset[str]]:
    """(value, label) of every name a choice may take, sorted by label, and the values: made
    once per question and choice, not on every run (1.7 s a run for evidence-for's list of
    every documented thing at a million triples)."""
    spec = catalogue(root).get(query_id).param(name)
    choices_result = run_choices(root, query_id, name) if spec.choices else None
    options = tuple(
        (to_curie(iri), text) for text, iri in param_choices(_index, name, choices_result)
    )
    return options, frozenset(value for value, _ in options)


def table_html(query: CannedQuery, raw: dict[str, str], total: int, address: dict[str, str]) -> str:
    """The answer as a table of labels: names link to their profiles (same tab), every cell
    shown whole; the first rows at once, more on request (the address keeps how many)."""
    rows = shown_rows()
    drawn = answer_table_html(root, query.id, tuple(sorted(raw.items())), rows)
    drawn += more_rows_html("questions", dict(address), rows, total, "the downloads have every row")
    if rows > ROWS_PER_PAGE:
        address["rows"] = str(rows)
    return drawn


def list_html(query: CannedQuery, raw: dict[str, str], total: int) -> str:
    """The answer read row by row: each row a card, every column named (one HTML list)."""
    drawn = answer_rows_html(root, query.id, tuple(sorted(raw.items())), LIST_ROWS_SHOWN)
    if total > LIST_ROWS_SHOWN:
        drawn += (
            f'<p class="ck-src">The first {LIST_ROWS_SHOWN} rows; the table and the downloads '
            "have them all.</p>"
        )
    return drawn


def views_html(views: list[str], current: str, default: str, address: dict[str, str]) -> str:
    """ "Show as": a link per view (same tab; the address names the view), the one shown
    marked as current. Links rather than a segmented control: no widget script for the
    browser to load, and the address changes with the view as with any other link."""
    base = {k: v for k, v in address.items() if k not in ("view", "rows")}
    items: list[str] = []
    for view in views:
        name = html.escape(VIEW_NAMES.get(view, view))
        if view == current:
            items.append(f'<li><span aria-current="page">{name}</span></li>')
            continue
        target = {**base, **({} if view == default else {"view": view})}
        href = html.escape(f"questions?{urlencode(target)}", quote=True)
        items.append(f'<li><a href="{href}">{name}</a></li>')
    return (
        '<nav class="ck-views" aria-label="Show as"><span class="ck-views-label">Show as</span>'
        f"<ul>{''.join(items)}</ul></nav>"
    )


def chart_html(query: CannedQuery, raw: tuple[tuple[str, str], ...]) -> str | None:
    """The bar chart the question's metadata declares, with the table behind it."""
    return answer_chart_html(root, query.id, raw)


def graph_network(result: QueryResult, spec: GraphSpec) -> Network | None:
    """The answer as the network the question declares (``spec``: who links to whom, and
    how); None when no row links two things (nothing to draw)."""
    network = result_network(index, result, link=(spec.source, spec.target, spec.relation))
    return network if network.shown_nodes else None


def show_graph(network: Network, spec: GraphSpec, before: str = "") -> None:
    """The answer as a network picture drawn on the server: each shape links to its
    profile (same tab), the links in words below it."""
    st.html(before + legend_html(network))
    draw_network(network, lambda iri: profile_href(iri, index.kind(iri)))
    shapes, links = network.shown_nodes, len(network.elements["edges"])
    st.html(
        f'<p class="ck-src">{shapes} {"shape" if shapes == 1 else "shapes"}, {links} '
        f"{'link' if links == 1 else 'links'}: an arrow from one to another says that it "
        f"{html.escape(spec.relation)} the other. Select a shape to open its profile.</p>"
        + links_table_html(network)
    )


def available_views(query: CannedQuery, names_two_things: bool) -> list[str]:
    """The views of an answer; "graph" when the question declares how its answer is drawn
    as a network (``#+ graph``: which column links to which, and how, in words) and two of
    its columns hold identifiers (read once per answer: :func:`ui.answer_facts`). Drawing
    any two columns of names as linked misled: an asset "linked" to its transfer, a
    recommendation to its source, each link called by the column's name."""
    views = ["table", "list"]
    if query.chart is not None:
        views.append("chart")
    if query.graph is not None and names_two_things:
        views.append("graph")
    return views


def intro_html(query: CannedQuery, fields: list[ParamField]) -> str:
    """What the question is (its first sentence, then how the answer is worked out) and its
    choices: one element."""
    parts: list[str] = []
    description = plain(query.description, index)
    if description:
        # another question named by its id ("see rationales-ranked"): its title, a link
        titles = {q.id: q.summary for q in cat if not q.internal and q.id != query.id}
        parts.append(
            f"<p>{description_html(first_sentence(description), titles)}</p>"
            '<details class="ck-details"><summary>How this answer is worked out</summary>'
            f"<p>{description_html(description, titles)}</p></details>"
        )
    if fields:
        view = st.query_params.get("view", "")
        parts.append(params_form_html(query.id, fields, keep={"view": view} if view else None))
    return "".join(parts)


def show_question(query: CannedQuery) -> None:
    """A question's page, drawn as few elements as it can be (each element is a render of
    its own for the browser): the back link, the title, one element for the question and
    its choices, one for the answer (count, views, table or chart, profiles) and one of
    links (the downloads, the permalink, the SPARQL)."""
    page_title(query.summary, "Questions")
    back_link("All questions", "questions")
    st.title(query.summary, anchor=False)

    raw: dict[str, str] = {}
    missing: list[str] = []
    fields = [param_field(query, spec, index) for spec in query.params]
    for field in fields:
        if field.value:
            raw[field.name] = field.value
        else:  # nothing chosen: the question needs a choice
            missing.append(field.label.lower())
    intro = intro_html(query, fields)
    if intro:
        st.html(intro)

    # the address always says what is on screen (it is the permalink): question,
    # choices, view; written on every run, also when it came from a link
    address: dict[str, str] = {"q": query.id, **raw}
    address.update({FIND_PREFIX + f.name: f.find for f in fields if f.find})
    try:
        if missing:
            st.info(
                f"Choose {' and '.join(missing)} to see the answer.", icon=":material/touch_app:"
            )
            st.html(sparql_html(query, raw))
            return
        try:
            result = run_canned(root, query.id, tuple(sorted(raw.items())))
        except CollabkgError as exc:
            show_error(exc, what="This question could not be answered")
            st.html(sparql_html(query, raw))
            return
        view = show_answer(query, result, raw, address)
        if view is not None:
            address["view"] = view
        show_downloads(query, address, raw)
    finally:
        keep_address(dict(address))


def show_answer(
    query: CannedQuery, result: QueryResult, raw: dict[str, str], address: dict[str, str]
) -> str | None:
    """The answer in the chosen view; returns the view when it is not the default."""
    table = answer_table(root, query.id, tuple(sorted(raw.items())))
    if not len(result):
        st.info(
            "No answer: the graph records nothing for this question"
            + (" with these choices." if raw else "."),
            icon=":material/info:",
        )
        return None
    facts = answer_facts(root, query.id, tuple(sorted(raw.items())))
    count = f'<p class="ck-count">{html.escape(facts.count)}.</p>'
    gaps = facts.gaps
    if gaps:  # a warning of its own, between the count and the answer
        st.html(count)
        count = ""
        st.warning(
            "**What the sources do not say** (the gaps can be the finding):\n"
            + "\n".join(f"- {md_escape(gap)}" for gap in gaps),
            icon=":material/report:",
        )
    views = available_views(query, facts.names_two_things)
    default_view = query.default_view if query.default_view in views else "table"
    url_view = st.query_params.get("view")
    view = url_view if url_view in views else default_view
    if url_view and url_view not in views:  # never quietly: the link asked for another view
        asked = VIEW_NAMES.get(url_view)
        st.info(
            (
                f"This answer has no {asked.lower()} view"
                if asked
                else "The link asks for a view that does not exist"
            )
            + f"; it is shown as {VIEW_NAMES[view].lower()}.",
            icon=":material/info:",
        )
    # a view that draws nothing for this answer (a graph no row of which links two things,
    # a chart with no bar) is never quietly shown as another: it is said, and the address
    # names the view shown
    network = None
    if view == "graph":
        network = graph_network(result, query.graph) if query.graph else None
        if network is None:
            shown = default_view if default_view not in ("graph", "chart") else "table"
            st.info(
                "This answer has nothing to draw as a graph (no row of it links two things); "
                f"it is shown as {VIEW_NAMES[shown].lower()}.",
                icon=":material/info:",
            )
            view = shown
    drawn = chart_html(query, tuple(sorted(raw.items()))) if view == "chart" else None
    if view == "chart" and drawn is None:
        shown = default_view if default_view not in ("graph", "chart") else "table"
        st.info(
            "This answer has no bar to draw as a chart; "
            f"it is shown as {VIEW_NAMES[shown].lower()}.",
            icon=":material/info:",
        )
        view = shown
    if view != default_view:
        address["view"] = view
    nav = views_html(views, view, default_view, address)
    if network is not None and query.graph is not None:
        show_graph(network, query.graph, before=count + nav)
        if table.profiles:
            st.html(profile_links_html(table.profiles))
        return view if view != default_view else None
    if drawn is None:
        drawn = (
            list_html(query, raw, len(table.frame))
            if view == "list"
            else table_html(query, raw, len(table.frame), address)
        )
    # the count, the views, the answer and the profiles' links: one element
    st.html(count + nav + drawn + profile_links_html(table.profiles))
    return None if view == default_view else view


def profile_links_html(profiles: list[tuple[str, str, str]]) -> str:
    """One line of links (same tab): lighter to draw than a button per profile."""
    if not profiles:
        return ""
    shown = profiles[:PROFILE_LINKS_SHOWN]
    links = " · ".join(
        f'<a href="{html.escape(PAGE_OF_KIND[kind] + "?" + urlencode({"id": to_curie(iri)}))}">'
        f"{html.escape(label)}</a>"
        for label, iri, kind in shown
        if kind in PAGE_OF_KIND
    )
    more = ""
    if len(profiles) > len(shown):
        more = f" · and {len(profiles) - len(shown)} more (Collaborations and Organisations pages)"
    return f'<p class="ck-profiles"><strong>Profiles in this answer:</strong> {links}{more}</p>'


def show_downloads(query: CannedQuery, address: dict[str, str], raw: dict[str, str]) -> None:
    """The whole answer's downloads, the permalink and the SPARQL, as one element. The
    downloads are links to the server's download route (``app/downloads.py``): the file is
    streamed as it is written, the same file as ``collabkg query ID --format csv|json``."""
    links = " ".join(
        f'<a href="{html.escape(download_href(query.id, fmt, raw), quote=True)}" download '
        f'type="{mime}">Download {fmt.upper()}</a>'
        for fmt, mime in (("csv", "text/csv"), ("json", "application/json"))
    )
    permalink = html.escape(f"questions?{urlencode(address)}", quote=True)
    st.html(
        f'<p class="ck-downloads">{links}</p>'
        f'<p><a href="{permalink}">Permalink to this answer</a> '
        "(it, and the address in your browser, reopen this answer)</p>" + sparql_html(query, raw)
    )


def sparql_html(query: CannedQuery, raw: dict[str, str] | None = None) -> str:
    """A link to the question's SPARQL, opened in the analysts' editor with its choices.

    (A link rather than the text itself: a code block is one more thing every visitor's
    browser would load and draw for what only analysts read.)"""
    choices = "\n".join(f"{name}={value}" for name, value in (raw or {}).items())
    target = {"query": query.text, **({"params": choices} if choices else {})}
    href = html.escape(f"sparql?{urlencode(target)}", quote=True)
    return (
        f'<p><a href="{href}">The SPARQL behind this answer (for analysts)</a> · '
        f"or from the command line: <code>collabkg query {html.escape(query.id)}</code></p>"
    )


if query_id and query_id in cat.ids:
    show_question(cat.get(query_id))
else:
    if query_id:
        st.warning("That question does not exist (any more). Choose one from the list.")
    show_catalogue()

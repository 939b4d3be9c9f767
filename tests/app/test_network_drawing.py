"""The network drawn on the server (collabkg.explorer.drawing) and a question's choices as
one HTML form (collabkg.explorer.forms): layout, picture, filters, address round trips.

These replaced a graph component and Streamlit widgets whose scripts each new tab had to
load (issue 18, item 6); what the page shows is kept in its address (item 1)."""

from __future__ import annotations

import html
import math
import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from collabkg import explorer as ex
from collabkg.explorer import drawing
from collabkg.explorer.forms import ParamField, narrow_options, param_value, params_form_html
from collabkg.graph import KnowledgeGraph
from collabkg.terms import CKD

REPO = Path(__file__).resolve().parents[2]
CASE = REPO / "tests" / "fixtures" / "explorer" / "riverside.ttl"
OPTIONS = ("Collaborative council", "Collaborative market")


def iri(name: str) -> str:
    return str(CKD[name])


@pytest.fixture(scope="module")
def network() -> ex.Network:
    store = ox.Store()
    files = [
        REPO / "ontology" / "collabkg.ttl",
        *sorted((REPO / "ontology" / "concepts").glob("*.ttl")),
        CASE,
    ]
    for number, path in enumerate(files):
        store.load(
            path.read_bytes(),
            format=ox.RdfFormat.TURTLE,
            to_graph=ox.NamedNode(f"https://example.org/graph/{number}"),
        )
    index = ex.ExplorerIndex(KnowledgeGraph.from_store(store))
    return ex.build_network(index, ex.network_edges(index))


@pytest.fixture(scope="module")
def seed_index() -> ex.ExplorerIndex:
    """The explorer's index of the project's own (seed) graph."""
    from collabkg.project import open_graph
    from tests.support.apptest import DATA_ROOT

    return ex.ExplorerIndex(open_graph(DATA_ROOT))


def _visible(svg: str) -> str:
    """The words the drawing writes (its names and tooltips), without the markup."""
    return html.unescape(re.sub(r"<[^>]*>", " ", svg))


# --------------------------------------------------------------------------- layout


def test_the_layout_places_every_node_inside_the_width_the_same_each_time():
    nodes = [f"n{i}" for i in range(30)]
    edges = [(f"n{i}", f"n{i + 1}") for i in range(0, 20)] + [("n25", "n26"), ("n27", "n28")]
    first = drawing.layout(nodes, edges)
    assert set(first) == set(nodes)
    assert all(0 < x < drawing.WIDTH and y > 0 for x, y in first.values())
    assert drawing.layout(nodes, edges) == first, "the same graph gives the same picture"
    # no two shapes on top of each other
    points = list(first.values())
    closest = min(
        ((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5
        for i, a in enumerate(points)
        for b in points[i + 1 :]
    )
    assert closest > 20, closest


def test_linked_nodes_are_drawn_nearer_than_unlinked_ones():
    nodes = ["a", "b", "c", "d", "e", "f"]
    edges = [("a", "b"), ("b", "c"), ("d", "e"), ("e", "f")]
    at = drawing.layout(nodes, edges)

    def far(p: str, q: str) -> float:
        return float(((at[p][0] - at[q][0]) ** 2 + (at[p][1] - at[q][1]) ** 2) ** 0.5)

    assert max(far(a, b) for a, b in edges) < min(far(a, b) for a in "abc" for b in "def")


def test_names_stay_readable_on_the_narrowest_drawing():
    """Regression: the network's names were about 6 px on screen."""
    assert drawing.FONT_SIZE * drawing.MIN_WIDTH_PX / drawing.WIDTH >= 9


# --------------------------------------------------------------------------- picture


def test_every_shape_is_a_link_named_by_its_label_and_kind(network: ex.Network):
    svg = ex.network_svg(network, lambda node: f"organisations?id={ex.to_curie(node)}")
    names = [
        html.unescape(n) for n in re.findall(r'<a class="ck-node"[^>]*aria-label="([^"]*)"', svg)
    ]
    assert len(names) == network.shown_nodes
    for label in network.node_labels.values():
        assert any(name.startswith(f"{label}, ") for name in names), label
    assert not re.search(r"https?://|\bckd:", _visible(svg)), "no identifier is written"
    # a link is a line, or a curve where two shapes have more than one link between them
    assert svg.count('class="ck-link"') == len(network.elements["edges"])
    # each link says in words what it is
    for edge in network.elements["edges"]:
        data = edge["data"]
        assert str(data["label"]) in _visible(svg)


def test_a_shape_without_a_page_is_drawn_but_not_a_link(network: ex.Network):
    svg = ex.network_svg(network, lambda node: None)
    assert "<a " not in svg
    assert svg.count('<g class="ck-node"') == network.shown_nodes


def test_the_selected_shape_is_marked_and_its_links_come_first(network: ex.Network):
    chosen = iri("riverside-council")
    svg = ex.network_svg(network, lambda node: "network", selected=chosen)
    assert svg.count('aria-current="true"') == 1
    assert 'opacity="0.35"' in svg or all(
        chosen
        in (
            network.node_iris[str(e["data"]["source"])],
            network.node_iris[str(e["data"]["target"])],
        )
        for e in network.elements["edges"]
    )


def test_the_selection_panel_lists_its_links_in_words(network: ex.Network):
    chosen = iri("riverside-council")
    panel = ex.selection_html(
        network, chosen, kind="Local authority", profile="organisations?id=ckd%3Ax", clear="network"
    )
    label = network.node_labels[chosen]
    assert f'<h2 class="ck-panel-name">{html.escape(label)}</h2>' in panel
    touching = [
        e
        for e in network.elements["edges"]
        if chosen
        in (
            network.node_iris[str(e["data"]["source"])],
            network.node_iris[str(e["data"]["target"])],
        )
    ]
    assert f"Links in this drawing ({len(touching)})" in panel
    assert f"Open the profile of {html.escape(label)}" in panel
    assert '<a href="network">Clear the selection</a>' in panel
    no_page = ex.selection_html(network, chosen, kind="Other", profile=None, clear="network")
    assert "has no profile page" in no_page


def test_the_links_table_is_the_drawings_text_alternative(network: ex.Network):
    table = ex.links_table_html(network)
    assert table.count("<tr>") == len(network.elements["edges"]) + 1
    assert "text alternative" in table
    assert not re.search(r"https?://|\bckd:", _visible(table))


# --------------------------------------------------------------------------- the address


STATES = [
    ex.NetworkState(tuple(ex.RELATIONS), (), ex.DEFAULT_NODE_CAP),
    ex.NetworkState((), (), ex.DEFAULT_NODE_CAP),
    ex.NetworkState(("member of", "funds"), ("Collaborative market",), 12),
    ex.NetworkState(("transfers asset to",), OPTIONS, 1000, "ckd:riverside-council"),
    ex.NetworkState(tuple(ex.RELATIONS), (), 2, "ckd:x"),
]


@pytest.mark.parametrize("state", STATES)
def test_the_network_address_reopens_the_same_drawing(state: ex.NetworkState):
    address = ex.network_address(state, default_cap=ex.DEFAULT_NODE_CAP)

    def values(name: str) -> list[str]:
        value = address.get(name, [])
        return [value] if isinstance(value, str) else list(value)

    assert ex.network_state(values, OPTIONS, default_cap=ex.DEFAULT_NODE_CAP) == state


def test_the_default_drawing_has_a_bare_address():
    state = ex.NetworkState(tuple(ex.RELATIONS), (), ex.DEFAULT_NODE_CAP)
    assert ex.network_address(state, default_cap=ex.DEFAULT_NODE_CAP) == {}


@pytest.mark.parametrize(
    ("params", "relations", "structures", "cap"),
    [
        # what the form sends: its hidden relation=none beside the ticked boxes
        ({"relation": ["none", "funds"]}, ("funds",), (), ex.DEFAULT_NODE_CAP),
        ({"relation": ["none"]}, (), (), ex.DEFAULT_NODE_CAP),
        ({"relation": ["none", *ex.RELATIONS]}, tuple(ex.RELATIONS), (), ex.DEFAULT_NODE_CAP),
        # what the page cannot use is left out, never guessed
        (
            {"structure": ["No such type", "Collaborative council"]},
            tuple(ex.RELATIONS),
            ("Collaborative council",),
            ex.DEFAULT_NODE_CAP,
        ),
        ({"cap": ["1"]}, tuple(ex.RELATIONS), (), ex.DEFAULT_NODE_CAP),
        ({"cap": ["1001"]}, tuple(ex.RELATIONS), (), ex.DEFAULT_NODE_CAP),
        ({"cap": ["ten"]}, tuple(ex.RELATIONS), (), ex.DEFAULT_NODE_CAP),
    ],
)
def test_the_network_state_from_an_address(params, relations, structures, cap):
    state = ex.network_state(
        lambda name: params.get(name, []), OPTIONS, default_cap=ex.DEFAULT_NODE_CAP
    )
    assert (state.relations, state.structure_types, state.cap) == (relations, structures, cap)


def test_the_network_form_shows_the_state_and_sends_it_to_the_address():
    form = ex.network_form_html(("funds",), OPTIONS, ("Collaborative market",), 12)
    assert form.startswith('<form class="ck-filters ck-net-filters" action="network" method="get"')
    assert '<input type="hidden" name="relation" value="none">' in form
    assert 'value="funds" checked' in form and 'value="member of" checked' not in form
    assert 'value="Collaborative market" checked' in form
    assert 'value="Collaborative council" checked' not in form
    assert 'name="cap" min="2" max="1000" step="1" value="12"' in form
    assert '<label for="ck-net-cap">Show at most</label>' in form
    assert "<legend>Relations</legend>" in form
    assert '<button type="submit">Apply</button>' in form
    assert 'name="node"' not in form  # nothing selected: nothing to keep
    kept = ex.network_form_html(("funds",), OPTIONS, (), 12, selected="ckd:a&b")
    assert '<input type="hidden" name="node" value="ckd:a&amp;b">' in kept


# --------------------------------------------------------------------------- question choices


def test_a_choice_from_the_address_or_its_default():
    options = ["ckd:a", "ckd:b"]
    assert param_value("choice", None, "ckd:b", options) == ("ckd:b", False)
    assert param_value("choice", "ckd:a", "ckd:b", options) == ("ckd:a", False)
    full = {"https://w3id.org/collabkg/id/a": "ckd:a"}
    assert param_value(
        "choice", "https://w3id.org/collabkg/id/a", None, options, canonical=full
    ) == ("ckd:a", False)
    # a broken link asks for a choice; it never answers for another (nor the default)
    assert param_value("choice", "ckd:zzz", "ckd:b", options) == (None, True)
    assert param_value("choice", None, "ckd:gone", options) == (None, False)


@pytest.mark.parametrize(
    ("kind", "given", "expected"),
    [
        ("integer", "12", ("12", False)),
        ("integer", "-3", ("-3", False)),
        ("integer", "twelve", (None, True)),
        ("date", "2019-04-01", ("2019-04-01", False)),
        ("date", "April 2019", (None, True)),
        ("text", "council", ("council", False)),
    ],
)
def test_other_choices_from_the_address(kind, given, expected):
    assert param_value(kind, given, None, ()) == expected


def test_a_long_list_of_choices_is_narrowed_by_part_of_a_name():
    options = [(f"ckd:o{i}", f"Org {i:03d}") for i in range(500)] + [("ckd:w", "Wigan council")]
    listed, matching = narrow_options(options, "", "", 300)
    assert (len(listed), matching) == (300, 501)
    assert listed == tuple(options[:300]), "in the list's order"
    listed, matching = narrow_options(options, "WIGAN", "", 300)
    assert (listed, matching) == ((("ckd:w", "Wigan council"),), 1), "any case"
    # the one chosen is always listed, first when the search does not keep it
    listed, matching = narrow_options(options, "org 00", "ckd:w", 300)
    assert listed[0] == ("ckd:w", "Wigan council")
    assert all("Org 00" in label for _v, label in listed[1:]) and matching == 10
    assert narrow_options(options, "no such name", "", 300) == ((), 0)


def test_a_narrowed_choice_has_a_box_to_find_a_name_and_needs_no_choice_yet():
    field = ParamField(
        "thing",
        "Thing",
        "choice",
        "",
        (("ckd:w", "Wigan council"),),
        find="wigan",
        total=10_452,
        matching=1,
    )
    form = params_form_html("evidence-for", [field])
    assert 'name="find-thing" value="wigan"' in form
    assert "1 of 10,452 names hold “wigan”." in form
    assert '<select id="ck-param-thing" name="thing">' in form, "not required: find first"
    assert '<option value="ckd:w">Wigan council</option>' in form
    whole = ParamField("thing", "Thing", "choice", "", (("ckd:w", "Wigan council"),))
    assert "find-thing" not in params_form_html("evidence-for", [whole])
    assert "required" in params_form_html("evidence-for", [whole])


def test_the_choices_form_selects_the_value_shown_and_keeps_the_view():
    fields = [
        ParamField(
            "collaboration",
            "Collaboration",
            "choice",
            "ckd:b",
            (("ckd:a", "Alpha & co"), ("ckd:b", "Beta")),
        ),
        ParamField("year", "Year", "integer", "2019", help="The year it began"),
    ]
    form = params_form_html("collaboration-profile", fields, keep={"view": "list"})
    assert form.startswith('<form class="ck-filters ck-params" action="questions" method="get"')
    assert '<input type="hidden" name="q" value="collaboration-profile">' in form
    assert '<input type="hidden" name="view" value="list">' in form
    assert '<label for="ck-param-collaboration">Collaboration</label>' in form
    assert '<select id="ck-param-collaboration" name="collaboration" required>' in form
    assert '<option value="ckd:b" selected>Beta</option>' in form
    assert '<option value="ckd:a">Alpha &amp; co</option>' in form
    assert '<option value="" disabled>Choose collaboration…</option>' in form
    assert (
        'type="number" name="year" step="1" value="2019" aria-describedby="ck-param-year-help"'
        in form
    )
    assert '<button type="submit">Show the answer</button>' in form


def test_a_choice_not_made_shows_the_prompt_selected():
    fields = [ParamField("collaboration", "Collaboration", "choice", "", (("ckd:a", "Alpha"),))]
    form = params_form_html("collaboration-profile", fields)
    assert '<option value="" disabled selected>Choose collaboration…</option>' in form
    assert " selected>Alpha" not in form


def test_a_name_with_markup_is_drawn_as_text_never_as_markup(network: ex.Network):
    """A label is data written by authors: in the picture it is text, never markup."""
    import copy

    hostile = '<img src=x onerror="alert(1)"> & </script>'
    changed = copy.deepcopy(network)
    node = changed.elements["nodes"][0]["data"]
    assert isinstance(node, dict)
    node["Name"] = node["label"] = hostile
    svg = drawing.network_svg(changed, lambda iri: "organisations?id=ckd%3Ax")
    assert "<img" not in svg and "</script>" not in svg
    assert hostile in _visible(svg)


def test_a_new_find_keeps_the_choice_only_when_its_name_holds_the_text():
    """Regression: Find narrowed the list but kept "The Wigan Deal 2030" chosen (and
    answered for it) when "Plymouth" was found. The form says what the list was narrowed by
    (``listed-<name>``); a link does not, and its choice is kept (the list says so)."""
    from collabkg.explorer.forms import LISTED_MARK, after_find, holds, listed_with

    options = [("ckd:w", "The Wigan Deal 2030"), ("ckd:p", "Plymouth Alliance Contract")]
    # the form, a new text: the choice is kept only if its name holds it
    assert after_find(options, "ckd:w", "Plymouth", "") is None
    assert after_find(options, "ckd:w", "wigan", "") == "ckd:w"
    assert after_find(options, "ckd:p", "plym", "wig") == "ckd:p"
    # the same text as the list on screen: a choice made from it is answered
    assert after_find(options, "ckd:p", "Plymouth", "Plymouth") == "ckd:p"
    # a link (no listed-<name>): kept
    assert after_find(options, "ckd:w", "Plymouth", None) == "ckd:w"
    assert listed_with(None) is None and listed_with("Plymouth") is None
    assert listed_with(LISTED_MARK) == "" and listed_with(LISTED_MARK + "x") == "x"
    assert holds(options, "ckd:w", "") and not holds(options, "ckd:w", "plym")
    field = ParamField(
        "thing",
        "Thing",
        "choice",
        "ckd:w",
        (("ckd:w", "The Wigan Deal 2030"), ("ckd:p", "Plymouth Alliance Contract")),
        find="plymouth",
        total=1000,
        matching=1,
        kept_outside=True,
    )
    form = params_form_html("evidence-for", [field])
    assert f'name="listed-thing" value="{LISTED_MARK}plymouth"' in form
    assert "“The Wigan Deal 2030”, chosen, is listed first" in form


# --------------------------------------------------------------------------- names and links apart

_TEXT = re.compile(
    r'<text class="ck-label( ck-label-hidden)?" x="([\d.-]+)" y="([\d.-]+)" '
    r'text-anchor="(\w+)" data-box="[^"]*">(.*?)</text>'
)


def _label_boxes(svg: str) -> list[tuple[drawing.Box, str, bool]]:
    """Each name drawn: the box its lines take (worked out from its position, anchor and
    lines), its words, and whether it is hidden until hovered."""
    found = []
    for hidden, x, y, anchor, inner in _TEXT.findall(svg):
        lines = [html.unescape(t) for t in re.findall(r"<tspan[^>]*>([^<]*)</tspan>", inner)]
        width = max(drawing.text_width(line) for line in lines)
        left = {"start": 0.0, "middle": -width / 2, "end": -width}[anchor] + float(x)
        top = float(y) - drawing.ASCENT
        bottom = float(y) + (len(lines) - 1) * drawing.LINE_GAP + drawing.DESCENT
        found.append(
            (drawing.Box(left, top, left + width, bottom), " / ".join(lines), bool(hidden))
        )
    return found


def _marks(svg: str) -> list[drawing.Box]:
    boxes = [
        drawing.Box(float(x) - 8, float(y) - 8, float(x) + 8, float(y) + 8)
        for x, y in re.findall(r'<circle cx="([\d.-]+)" cy="([\d.-]+)" r="8"', svg)
    ]
    boxes += [
        drawing.Box(float(x), float(y), float(x) + 16, float(y) + 16)
        for x, y in re.findall(r'<rect x="([\d.-]+)" y="([\d.-]+)" width="16"', svg)
    ]
    return boxes


@pytest.mark.parametrize("cap", [10, ex.DEFAULT_NODE_CAP, 1000])
def test_no_two_names_drawn_overlap_and_none_covers_a_shape(seed_index, cap: int):
    """Regression: names printed on top of each other ("PCTs (local statutory bodies…)",
    "Central Government departments…" and "local councils…"). Each name is placed where it
    covers no other name and no shape, inside the drawing; one with no such place is hidden
    until its shape is hovered or focused (its name is in its tooltip and the links table)."""
    network = ex.build_network(seed_index, ex.network_edges(seed_index), cap=cap)
    svg = drawing.network_svg(network, lambda iri: "organisations?id=ckd%3Ax")
    labels = _label_boxes(svg)
    assert len(labels) == network.shown_nodes
    shown = [(box, words) for box, words, hidden in labels if not hidden]
    for number, (box, words) in enumerate(shown):
        assert box.x0 >= 0 and box.x1 <= drawing.WIDTH, words
        for other, other_words in shown[number + 1 :]:
            assert not box.overlaps(other), (words, other_words)
    marks = _marks(svg)
    assert len(marks) == network.shown_nodes
    for box, words in shown:
        assert not any(box.overlaps(mark) for mark in marks), words
    hidden = len(labels) - len(shown)
    assert hidden <= max(2, network.shown_nodes // 10), f"{hidden} names hidden"
    if hidden:
        assert "ck-label-hidden{visibility:hidden}" in svg and ":hover .ck-label-hidden" in svg
    height = float(re.search(r'viewBox="0 0 \d+ ([\d.]+)"', svg).group(1))
    assert all(box.y0 >= 0 and box.y1 <= height for box, _ in shown), "inside the picture"


def test_shortened_names_are_told_apart():
    """Regression: five "small community group working with…" read the same once
    shortened. Names that would read the same show, on their second line, the words where
    they differ."""
    names = {
        str(n): f"small community group working with refugee populations, {n} of 5 with CYP "
        "and Kidscare (not named in the source)"
        for n in range(1, 6)
    }
    names["x"] = "Wigan council"
    drawn = drawing.label_lines(names)
    assert len({tuple(lines) for lines in drawn.values()}) == len(names)
    assert all(len(lines) <= 2 for lines in drawn.values())
    assert all(len(line) <= drawing.NAME_WRAP for lines in drawn.values() for line in lines)
    assert drawn["x"] == ["Wigan council"], "a short name is written whole"
    assert "3 of 5" in drawn["3"][1], "the words that differ are shown"


def test_the_seed_drawings_names_are_told_apart(seed_index):
    network = ex.build_network(seed_index, ex.network_edges(seed_index), cap=1000)
    drawn = drawing.label_lines(dict(network.node_labels))
    by_words: dict[tuple[str, ...], set[str]] = {}
    for iri, lines in drawn.items():
        by_words.setdefault(tuple(lines), set()).add(network.node_labels[iri])
    assert all(len(names) == 1 for names in by_words.values()), [
        names for names in by_words.values() if len(names) > 1
    ]


def _midpoint(start, bend, end) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    if bend is None:
        return ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
    return (
        0.25 * start[0] + 0.5 * bend[0] + 0.25 * end[0],
        0.25 * start[1] + 0.5 * bend[1] + 0.25 * end[1],
    )


def test_two_links_between_the_same_shapes_are_drawn_apart(seed_index):
    """Regression: Central Government funds the PCTs and is what they are accountable to;
    the two links were drawn on the same line, the "funds" line hidden but for its arrow
    head. Links between the same two shapes (either way round) are curves of their own."""
    positions = {"a": (100.0, 100.0), "b": (300.0, 140.0), "c": (200.0, 300.0)}
    edges = [
        ("a", "b", "funds"),
        ("b", "a", "accountable to"),
        ("a", "b", "member of"),
        ("a", "c", "funds"),
    ]
    paths = drawing.link_paths(edges, positions)
    assert paths[3][1] is None, "a link alone is straight"
    middles = [_midpoint(*path) for path in paths[:3]]
    for i, p in enumerate(middles):
        for q in middles[i + 1 :]:
            assert math.dist(p, q) >= 10, (p, q)

    network = ex.build_network(seed_index, ex.network_edges(seed_index), cap=1000)
    ends = network.node_iris
    pairs: dict[frozenset[str], int] = {}
    for e in network.elements["edges"]:
        data = e["data"]
        pair = frozenset((ends[str(data["source"])], ends[str(data["target"])]))
        pairs[pair] = pairs.get(pair, 0) + 1
    assert any(n > 1 for n in pairs.values()), "the seed data has two links between a pair"
    svg = drawing.network_svg(network, lambda iri: None)
    curves = re.findall(r'<path class="ck-link" d="([^"]+)"', svg)
    assert len(curves) == sum(n for n in pairs.values() if n > 1)
    assert len(set(curves)) == len(curves), "each curve its own path"

"""The network drawn on the server: a layout, an SVG picture with named shapes, its key, the
Network page's filter form and the panel of the selected shape.

Plain HTML and SVG, so the browser draws the network at once: no graph library and no
component frame to load in each new tab (st-link-analysis cost about 1.4 s per page load).
Every shape is a link with its name as its accessible name and tooltip; the names are drawn
beside the shapes, never identifiers.
"""

from __future__ import annotations

import hashlib
import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from collabkg.explorer.network import RELATIONS, Network, shapes_words
from collabkg.explorer.style import GROUP_COLOURS, RELATION_COLOURS

WIDTH = 1000
"""Width of the drawing in its own units (the page scales it to the column)."""
MARGIN = 72
"""Room at the edges for the names drawn under the shapes."""
FONT_SIZE = 14
"""Names in drawing units: about 12 px on a wide screen; the drawing never gets narrower
than ``MIN_WIDTH_PX`` (it scrolls sideways instead), so names stay at least 9 px."""
MIN_WIDTH_PX = 700
NAME_WRAP = 20
"""Characters per line of a name under its shape (two lines at most)."""


# --------------------------------------------------------------------------- layout


def _start(key: str) -> tuple[float, float]:
    """A starting point in the unit square from a node's key: the same on every run."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    return digest[0] / 255 + digest[1] / 65025, digest[2] / 255 + digest[3] / 65025


SPACING = 105.0
"""The length a link is drawn at, about: room for two names side by side."""


def _components(nodes: Sequence[str], edges: Sequence[tuple[str, str]]) -> list[list[str]]:
    """The connected groups of nodes, the largest first (ties in the nodes' order)."""
    parent = {node: node for node in nodes}

    def root(node: str) -> str:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, b in edges:
        if a in parent and b in parent:
            parent[root(a)] = root(b)
    groups: dict[str, list[str]] = {}
    for node in nodes:
        groups.setdefault(root(node), []).append(node)
    return sorted(groups.values(), key=len, reverse=True)


def _spring(
    nodes: Sequence[str], edges: Sequence[tuple[str, str]], iterations: int
) -> dict[str, tuple[float, float]]:
    """A force-directed layout of one connected group (linked nodes pull together, all
    nodes push apart), links about ``SPACING`` long; coordinates from 0."""
    import numpy as np

    count = len(nodes)
    if count == 1:
        return {nodes[0]: (0.0, 0.0)}
    where = {node: number for number, node in enumerate(nodes)}
    side = SPACING * math.sqrt(count)
    pos = np.array([_start(node) for node in nodes], dtype=float) * side
    links = np.array(
        [(where[a], where[b]) for a, b in edges if a in where and b in where and a != b],
        dtype=int,
    ).reshape(-1, 2)
    k = SPACING
    temperature = side / 4
    steps = iterations if count <= 200 else max(60, iterations * 200 // count)
    for _ in range(steps):
        delta = pos[:, None, :] - pos[None, :, :]
        distance = np.maximum(np.sqrt((delta**2).sum(axis=2)), 0.01)
        push = (k * k / distance**2)[:, :, None] * delta
        np.einsum("iij->ij", push)[:] = 0
        move = push.sum(axis=1)
        if len(links):
            d = pos[links[:, 0]] - pos[links[:, 1]]
            length = np.maximum(np.sqrt((d**2).sum(axis=1)), 0.01)
            pull = (length / k)[:, None] * d
            np.add.at(move, links[:, 0], -pull)
            np.add.at(move, links[:, 1], pull)
        size = np.maximum(np.sqrt((move**2).sum(axis=1)), 0.01)
        pos += move / size[:, None] * np.minimum(size, temperature)[:, None]
        temperature = max(temperature * 0.98, 0.5)
    # the longer side across: pages are wider than they are high
    centred = pos - pos.mean(axis=0)
    if count > 2:
        _, vectors = np.linalg.eigh(np.cov(centred.T))
        centred = centred @ vectors[:, ::-1]
    elif abs(centred[0, 1]) > abs(centred[0, 0]):
        centred = centred[:, ::-1]
    pos = centred - centred.min(axis=0)
    return {node: (float(x), float(y)) for node, (x, y) in zip(nodes, pos, strict=True)}


def layout(
    nodes: Sequence[str],
    edges: Sequence[tuple[str, str]],
    *,
    width: float = WIDTH,
    margin: float = MARGIN,
    iterations: int = 300,
) -> dict[str, tuple[float, float]]:
    """Positions for ``nodes`` across ``width`` (the height is what they need): each
    connected group laid out on its own (force-directed), the groups then placed in rows,
    the largest first, ``margin`` left around each for the names. Deterministic: the same
    nodes and links give the same picture."""
    placed: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    usable = width - 2 * margin
    for group in _components(nodes, edges):
        inside = set(group)
        local = _spring(
            group, [(a, b) for a, b in edges if a in inside and b in inside], iterations
        )
        wide = max(px for px, _ in local.values())
        high = max(py for _, py in local.values())
        scale = min(1.0, usable / wide) if wide else 1.0
        box_w, box_h = wide * scale + 2 * margin, high * scale + margin
        if x and x + box_w > width:
            x, y, row_height = 0.0, y + row_height, 0.0
        for node, (px, py) in local.items():
            placed[node] = (
                round(x + margin + px * scale, 1),
                round(y + margin * 0.4 + py * scale, 1),
            )
        x += box_w
        row_height = max(row_height, box_h)
    return placed


# --------------------------------------------------------------------------- picture


@dataclass(frozen=True)
class Shape:
    """One node as drawn: its name, what it is and where it leads."""

    iri: str
    name: str
    kind: str
    group: str
    href: str | None


def _wrap(name: str, width: int = NAME_WRAP) -> list[str]:
    """A name on at most two lines (the second cut with an ellipsis when longer)."""
    words, lines, line = name.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    if len(lines) > 2:
        rest = " ".join(lines[1:])
        lines = [lines[0], rest[: width - 1].rstrip() + "…"]
    return [text if len(text) <= width + 6 else text[: width + 5] + "…" for text in lines]


def shapes(network: Network, href: Callable[[str], str | None]) -> list[Shape]:
    """The nodes of a network with their names, kinds, groups and links (by ``href``)."""
    out: list[Shape] = []
    for node in network.elements["nodes"]:
        data = node["data"]
        assert isinstance(data, dict)
        iri = network.node_iris[str(data["id"])]
        out.append(Shape(iri, str(data["Name"]), str(data["Kind"]), str(data["label"]), href(iri)))
    return out


def network_svg(
    network: Network,
    href: Callable[[str], str | None],
    *,
    selected: str | None = None,
    positions: dict[str, tuple[float, float]] | None = None,
) -> str:
    """The network as an SVG picture: organisations as circles coloured by sector,
    collaborations as dark squares, links as coloured arrows, every name written under its
    shape. Each shape is a link (``href(iri)``; none where it gives None) named by its name
    and kind; ``selected`` (an IRI) is drawn ringed, with its links in front."""
    drawn = shapes(network, href)
    ids = {iri: element_id for element_id, iri in network.node_iris.items()}
    edges = [
        (
            network.node_iris[str(e["data"]["source"])],  # type: ignore[index]
            network.node_iris[str(e["data"]["target"])],  # type: ignore[index]
            str(e["data"]["label"]),  # type: ignore[index]
        )
        for e in network.elements["edges"]
    ]
    if positions is None:
        positions = layout([s.iri for s in drawn], [(a, b) for a, b, _ in edges])
    names = {s.iri: s.name for s in drawn}
    height = max([y for _, y in positions.values()] + [0.0]) + MARGIN
    esc = html.escape
    markers = "".join(
        f'<marker id="ck-arrow-{number}" viewBox="0 0 10 10" refX="10" refY="5" '
        'markerWidth="7" markerHeight="7" orient="auto-start-reverse">'
        f'<path d="M0,0 L10,5 L0,10 z" fill="{RELATION_COLOURS.get(relation, "#6b7280")}"/>'
        "</marker>"
        for number, relation in enumerate(RELATIONS)
    )
    marker_of = {relation: number for number, relation in enumerate(RELATIONS)}
    lines: list[str] = []
    front: list[str] = []
    for source, target, relation in edges:
        (x1, y1), (x2, y2) = positions[source], positions[target]
        length = math.hypot(x2 - x1, y2 - y1) or 1.0
        gap = 11.0  # stop short of the shape so the arrow head shows
        ex, ey = x2 - (x2 - x1) * gap / length, y2 - (y2 - y1) * gap / length
        colour = RELATION_COLOURS.get(relation, "#6b7280")
        marker = marker_of.get(relation)
        head = f' marker-end="url(#ck-arrow-{marker})"' if marker is not None else ""
        near = selected in (source, target)
        dim = "" if near or selected is None else ' opacity="0.35"'
        line = (
            f'<line x1="{x1}" y1="{y1}" x2="{ex:.1f}" y2="{ey:.1f}" stroke="{colour}" '
            f'stroke-width="{2.6 if near else 1.4}"{head}'
            f"{dim}>"
            f"<title>{esc(names[source])} {esc(relation)} {esc(names[target])}</title></line>"
        )
        (front if near else lines).append(line)
    nodes: list[str] = []
    for shape in drawn:
        x, y = positions[shape.iri]
        colour = GROUP_COLOURS.get(shape.group, "#6b7280")
        ring = shape.iri == selected
        stroke = (
            ' stroke="#f59e0b" stroke-width="4"' if ring else ' stroke="#fff" stroke-width="1.5"'
        )
        if shape.group == "Collaboration":
            mark = (
                f'<rect x="{x - 8}" y="{y - 8}" width="16" height="16" rx="2" '
                f'fill="{colour}"{stroke}/>'
            )
        else:
            mark = f'<circle cx="{x}" cy="{y}" r="8" fill="{colour}"{stroke}/>'
        words = "".join(
            f'<tspan x="{x}" dy="{FONT_SIZE + 1 if number else 0}">{esc(text)}</tspan>'
            for number, text in enumerate(_wrap(shape.name))
        )
        label = f'<text x="{x}" y="{y + 8 + FONT_SIZE + 2}" text-anchor="middle">{words}</text>'
        tip = f"<title>{esc(shape.name)} ({esc(shape.kind)})</title>"
        inner = f"{tip}{mark}{label}"
        element_id = esc(ids.get(shape.iri, ""))
        current = ' aria-current="true"' if ring else ""
        if shape.href:
            nodes.append(
                f'<a class="ck-node" data-node="{element_id}" href="{esc(shape.href, quote=True)}" '
                f'aria-label="{esc(shape.name, quote=True)}, {esc(shape.kind, quote=True)}"'
                f"{current}>{inner}</a>"
            )
        else:
            nodes.append(f'<g class="ck-node" data-node="{element_id}">{inner}</g>')
    description = (
        f"{shapes_words(network.drawn_counts())} and {len(edges)} "
        f"link{'' if len(edges) == 1 else 's'} between them; the table of links below says "
        "the same in words."
    )
    return (
        f'<div class="ck-net-wrap"><svg class="ck-net" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'style="min-width:{MIN_WIDTH_PX}px;max-width:none" role="group" '
        f'aria-label="Network drawing: {esc(description, quote=True)}">'
        f"<defs>{markers}</defs>"
        f'<g class="ck-net-links">{"".join(lines)}{"".join(front)}</g>'
        f'<g class="ck-net-nodes" font-size="{FONT_SIZE}">{"".join(nodes)}</g></svg></div>'
    )


def legend_html(network: Network) -> str:
    """The colour key of a network drawing (groups of nodes, kinds of link)."""
    nodes = " ".join(
        '<span class="ck-key">'
        '<span class="ck-key-node" style="border-radius:'
        f"{'2px' if group == 'Collaboration' else '50%'};"
        f'background:{GROUP_COLOURS.get(group, "#6b7280")}"></span> {html.escape(group)}</span>'
        for group in network.groups
    )
    edges = " ".join(
        '<span class="ck-key">'
        f'<span class="ck-key-link" style="background:{RELATION_COLOURS.get(rel, "#6b7280")}">'
        f"</span> {html.escape(rel)}</span>"
        for rel in network.relations
    )
    return f'<div class="ck-legend">{nodes}<br>{edges}</div>'


def links_table_html(network: Network) -> str:
    """The links of a drawing as a table inside a ``<details>``: its text alternative."""
    names = {str(n["data"]["id"]): str(n["data"]["Name"]) for n in network.elements["nodes"]}  # type: ignore[index]
    rows = "".join(
        "<tr>"
        f'<td data-label="From">{html.escape(names.get(str(e["data"]["source"]), ""))}</td>'  # type: ignore[index]
        f'<td data-label="Relation">{html.escape(str(e["data"]["label"]))}</td>'  # type: ignore[index]
        f'<td data-label="To">{html.escape(names.get(str(e["data"]["target"]), ""))}</td>'  # type: ignore[index]
        "</tr>"
        for e in network.elements["edges"]
    )
    return (
        '<details class="ck-details"><summary>The links in this drawing, as a table '
        f'(text alternative)</summary><div class="ck-table-wrap"><table class="ck-answer">'
        '<thead><tr><th scope="col">From</th><th scope="col">Relation</th>'
        f'<th scope="col">To</th></tr></thead><tbody>{rows}</tbody></table></div></details>'
    )


# --------------------------------------------------------------------------- the page's parts


def network_form_html(
    relations: Sequence[str],
    structure_options: Sequence[str],
    structure_types: Sequence[str],
    cap: int,
    *,
    page: str = "network",
    max_cap: int = 1000,
    selected: str | None = None,
) -> str:
    """The Network page's filters as one plain HTML form (``GET network``): a checkbox per
    relation, a ``<details>`` of structure types, the most shapes drawn, Apply. The selected
    shape (its short name, ``selected``) goes with the filters, so applying them keeps it
    selected where the new drawing has it.

    The explorer's same-tab script turns the submission into an address change (without
    it the browser loads the address), so the address always holds the filters. A hidden
    ``relation=none`` makes "no relation ticked" a choice of its own rather than the
    default (every relation)."""
    esc = lambda text: html.escape(str(text), quote=True)  # noqa: E731
    ticked = set(relations)
    relation_boxes = "".join(
        f'<label><input type="checkbox" name="relation" value="{esc(rel)}"'
        f"{' checked' if rel in ticked else ''}> {esc(rel[:1].upper() + rel[1:])}</label>"
        for rel in RELATIONS
    )
    chosen = set(structure_types)
    state = f"{len(chosen)} chosen" if chosen else "any"
    structure_boxes = "".join(
        f'<label><input type="checkbox" name="structure" value="{esc(option)}"'
        f"{' checked' if option in chosen else ''}> {esc(option)}</label>"
        for option in structure_options
    )
    return (
        f'<form class="ck-filters ck-net-filters" action="{esc(page)}" method="get" '
        'aria-label="Filter the network">'
        '<input type="hidden" name="relation" value="none">'
        + (f'<input type="hidden" name="node" value="{esc(selected)}">' if selected else "")
        + '<div class="ck-filter-fields">'
        '<fieldset class="ck-relations"><legend>Relations</legend>'
        f"{relation_boxes}</fieldset>"
        f'<details class="ck-filter"{" open" if chosen else ""}>'
        f'<summary>Structure type of collaborations <span class="ck-filter-state">({state})'
        f"</span></summary><fieldset><legend>Structure type of collaborations</legend>"
        f"{structure_boxes}</fieldset></details>"
        '<div class="ck-cap"><label for="ck-net-cap">Show at most</label> '
        f'<input id="ck-net-cap" type="number" name="cap" min="2" max="{max_cap}" step="1" '
        f'value="{cap}" aria-describedby="ck-net-cap-help"> '
        '<span id="ck-net-cap-help" class="ck-filter-state">organisations and collaborations'
        "</span></div></div>"
        '<div class="ck-filter-actions"><button type="submit">Apply</button> '
        f'<a href="{esc(page)}">Clear the filters</a></div></form>'
    )


def selection_html(
    network: Network,
    selected: str,
    *,
    kind: str,
    profile: str | None,
    clear: str,
) -> str:
    """What the drawing says of the selected shape, in words: its name and kind, each of
    its links drawn, a link to its profile (``profile``) and one that clears the selection."""
    name = network.node_labels.get(selected, "")
    esc = html.escape
    links: list[str] = []
    for e in network.elements["edges"]:
        data = e["data"]
        assert isinstance(data, dict)
        source = network.node_iris[str(data["source"])]
        target = network.node_iris[str(data["target"])]
        if selected in (source, target):
            links.append(
                f"{esc(network.node_labels[source])} {esc(str(data['label']))} "
                f"{esc(network.node_labels[target])}"
            )
    items = "".join(f"<li>{text}</li>" for text in links) or (
        "<li>None drawn: its links go to shapes left out; draw more shapes to see them.</li>"
    )
    if profile:
        opener = f'<a href="{esc(profile, quote=True)}">Open the profile of {esc(name)}</a>'
    else:
        opener = f"{esc(name)} has no profile page: {esc(_no_profile(network, selected))}."
    return (
        '<section class="ck-panel ck-selected" id="ck-net-panel" tabindex="-1" '
        'aria-label="The selected shape">'
        f'<h2 class="ck-panel-name">{esc(name)}</h2><div class="ck-note">{esc(kind)}</div>'
        f"<div>Links in this drawing ({len(links)}):</div><ul>{items}</ul>"
        f'<p>{opener} · <a href="{esc(clear, quote=True)}">Clear the selection</a></p></section>'
    )


def _no_profile(network: Network, node: str) -> str:
    """Why a shape has no profile page, in words."""
    if network.parties.get(node) == "group":
        return "it is a group the sources speak of without naming its members"
    return "it is neither an organisation nor a collaboration"


# --------------------------------------------------------------------------- the address


@dataclass(frozen=True)
class NetworkState:
    """What the Network page shows, as its address holds it."""

    relations: tuple[str, ...]
    structure_types: tuple[str, ...]
    cap: int
    node: str = ""
    """The selected shape (a CURIE), or ""."""


def network_state(
    params: Callable[[str], list[str]],
    structure_options: Sequence[str],
    *,
    default_cap: int,
    max_cap: int = 1000,
) -> NetworkState:
    """The Network page's state from its address (``params(name)`` gives every value of a
    parameter). No ``relation`` means every relation; ``relation=none`` alone, none.
    Values the page does not know are left out; a cap outside 2..``max_cap`` is the
    default."""
    given = params("relation")
    relations = tuple(r for r in RELATIONS if r in given) if given else tuple(RELATIONS)
    structures = tuple(s for s in structure_options if s in params("structure"))
    raw_cap = (params("cap") or [""])[-1]
    cap = int(raw_cap) if raw_cap.isdigit() and 2 <= int(raw_cap) <= max_cap else default_cap
    node = (params("node") or [""])[-1]
    return NetworkState(relations, structures, cap, node)


def network_address(state: NetworkState, *, default_cap: int) -> dict[str, str | list[str]]:
    """The shortest address that reopens ``state`` (``network_state`` reads it back)."""
    address: dict[str, str | list[str]] = {}
    if set(state.relations) != set(RELATIONS):
        address["relation"] = list(state.relations) or ["none"]
    if state.structure_types:
        address["structure"] = list(state.structure_types)
    if state.cap != default_cap:
        address["cap"] = str(state.cap)
    if state.node:
        address["node"] = state.node
    return address

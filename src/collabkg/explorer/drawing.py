"""The network drawn on the server: a layout, an SVG picture with named shapes, its key, the
Network page's filter form and the panel of the selected shape.

Plain HTML and SVG, so the browser draws the network at once: no graph library and no
component frame to load in each new tab (st-link-analysis cost about 1.4 s per page load).
Every shape is a link with its name as its accessible name and tooltip; the names are drawn
beside the shapes, never identifiers.
"""

from __future__ import annotations

import functools
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


# --------------------------------------------------------------------------- names placed

ASCENT = 0.95 * FONT_SIZE
DESCENT = 0.32 * FONT_SIZE
LINE_GAP = FONT_SIZE + 1
"""From one line's baseline to the next."""
MARK = 9.0
"""Half the size of a shape, and a little room around it."""
PAD = 2.0
"""Room kept between two names."""


def text_width(text: str) -> float:
    """How wide a line of text is drawn, in drawing units, reckoned on the wide side of
    common sans-serif faces (so a box holds what the browser draws)."""
    em = 0.0
    for char in text:
        if char in "il.,;:'’|!()[] ":
            em += 0.32
        elif char in "MW@mw—%":
            em += 0.92
        elif char.isupper() or char in "…&":
            em += 0.7
        else:
            em += 0.57
    return em * FONT_SIZE


@dataclass(frozen=True)
class Box:
    """A rectangle in drawing units (left, top, right, bottom)."""

    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box) -> bool:
        return (
            self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1
        )


@dataclass(frozen=True)
class Label:
    """A shape's name as drawn: where its first line's baseline is, how it is anchored, its
    lines and the box they take; ``hidden`` when no place was free (shown on hover and
    focus; the name is in the tooltip, the accessible name and the links table)."""

    x: float
    y: float
    anchor: str
    lines: tuple[str, ...]
    box: Box
    hidden: bool = False


def _label_at(x: float, y: float, lines: Sequence[str], where: str) -> Label:
    """A label of ``lines`` beside the shape at (x, y): below, above, right or left of it,
    or below or above it running right ("below-right") or left ("below-left")."""
    width = max(text_width(line) for line in lines)
    height = ASCENT + (len(lines) - 1) * LINE_GAP + DESCENT
    vertical, _, horizontal = where.partition("-")
    if vertical in ("below", "above"):
        top = y + MARK + PAD if vertical == "below" else y - MARK - PAD - height
        if horizontal == "right":
            anchor, tx, left = "start", x - MARK, x - MARK
        elif horizontal == "left":
            anchor, tx, left = "end", x + MARK, x + MARK - width
        else:
            anchor, tx, left = "middle", x, x - width / 2
    else:
        top = y - height / 2
        if vertical == "right":
            anchor, tx, left = "start", x + MARK + PAD, x + MARK + PAD
        else:
            anchor, tx, left = "end", x - MARK - PAD, x - MARK - PAD - width
    box = Box(left, top, left + width, top + height)
    return Label(round(tx, 1), round(top + ASCENT, 1), anchor, tuple(lines), box)


PLACES = (
    "below",
    "above",
    "right",
    "left",
    "below-right",
    "below-left",
    "above-right",
    "above-left",
)
"""Where a name may go, in the order tried."""


class _Grid:
    """Boxes kept by the cells of a grid they touch: what may overlap a new box is found
    among a few, not among every box drawn."""

    def __init__(self, cell: float = 120.0) -> None:
        self.cell = cell
        self.cells: dict[tuple[int, int], list[Box]] = {}

    def _keys(self, box: Box) -> list[tuple[int, int]]:
        c = self.cell
        return [
            (i, j)
            for i in range(int(box.x0 // c), int(box.x1 // c) + 1)
            for j in range(int(box.y0 // c), int(box.y1 // c) + 1)
        ]

    def add(self, box: Box) -> None:
        for key in self._keys(box):
            self.cells.setdefault(key, []).append(box)

    def free(self, box: Box) -> bool:
        return not any(
            other.overlaps(box) for key in self._keys(box) for other in self.cells.get(key, [])
        )


def place_labels(
    positions: dict[str, tuple[float, float]],
    lines: dict[str, list[str]],
    order: Sequence[str],
    *,
    width: float = WIDTH,
) -> dict[str, Label]:
    """A place for each name (``lines``, by node) where it covers no other name and no
    shape, within the drawing's width: the nodes in ``order`` (the most important first)
    each take the first free place of :data:`PLACES`, with their two lines, else with the
    first line alone; a name with no free place is hidden (shown on hover and focus)."""
    taken = _Grid()
    for x, y in positions.values():
        taken.add(Box(x - MARK, y - MARK, x + MARK, y + MARK))
    placed: dict[str, Label] = {}
    for node in order:
        x, y = positions[node]
        full = lines[node]
        tries = [full] + (
            [[full[0] + ("" if full[0].endswith("…") else "…")]] if len(full) > 1 else []
        )
        chosen: Label | None = None
        for attempt in tries:
            for where in PLACES:
                label = _label_at(x, y, attempt, where)
                box = label.box
                if box.x0 >= 0 and box.x1 <= width and box.y0 >= 0 and taken.free(box):
                    chosen = label
                    break
            if chosen is not None:
                break
        if chosen is None:
            below = _label_at(x, y, full, "below")
            chosen = Label(below.x, below.y, below.anchor, below.lines, below.box, hidden=True)
        else:
            taken.add(Box(chosen.box.x0 - PAD, chosen.box.y0, chosen.box.x1 + PAD, chosen.box.y1))
        placed[node] = chosen
    return placed


@functools.lru_cache(maxsize=16)
def _placed_once(
    positions: tuple[tuple[str, tuple[float, float]], ...],
    names: tuple[tuple[str, str], ...],
    order: tuple[str, ...],
) -> dict[str, Label]:
    """:func:`place_labels` of a drawing's names, worked out once per drawing (and
    selection): a page run draws the same picture again (0.5 s for 1,000 crowded names)."""
    return place_labels(dict(positions), label_lines(dict(names)), order)


# --------------------------------------------------------------------------- links drawn

PARALLEL_SPREAD = 26.0
"""How far apart (at their middles) two links between the same two shapes are drawn."""


def link_paths(
    edges: Sequence[tuple[str, str, str]], positions: dict[str, tuple[float, float]]
) -> list[tuple[tuple[float, float], tuple[float, float] | None, tuple[float, float]]]:
    """Each link as (start, bend, end): a straight line (``bend`` None) when it is the only
    link between its two shapes; else each of the links between them bent by its own
    amount (a quadratic curve through ``bend``), so no link hides another. The end stops
    short of the shape so the arrow head shows."""
    pairs: dict[frozenset[str], list[int]] = {}
    for number, (source, target, _relation) in enumerate(edges):
        pairs.setdefault(frozenset((source, target)), []).append(number)
    out: list[tuple[tuple[float, float], tuple[float, float] | None, tuple[float, float]]] = []
    for number, (source, target, _relation) in enumerate(edges):
        (x1, y1), (x2, y2) = positions[source], positions[target]
        together = pairs[frozenset((source, target))]
        bend: tuple[float, float] | None = None
        if len(together) > 1:
            # one direction for the pair, whichever way each link points
            a, b = sorted((source, target))
            (ax, ay), (bx, by) = positions[a], positions[b]
            length = math.hypot(bx - ax, by - ay) or 1.0
            nx, ny = -(by - ay) / length, (bx - ax) / length
            offset = (together.index(number) - (len(together) - 1) / 2) * PARALLEL_SPREAD
            # a quadratic curve passes half way to its control point
            bend = (
                round((x1 + x2) / 2 + nx * offset * 2, 1),
                round((y1 + y2) / 2 + ny * offset * 2, 1),
            )
        fx, fy = bend if bend is not None else (x1, y1)
        length = math.hypot(x2 - fx, y2 - fy) or 1.0
        gap = 11.0
        end = (round(x2 - (x2 - fx) * gap / length, 1), round(y2 - (y2 - fy) * gap / length, 1))
        out.append(((x1, y1), bend, end))
    return out


# --------------------------------------------------------------------------- picture


@dataclass(frozen=True)
class Shape:
    """One node as drawn: its name, what it is and where it leads."""

    iri: str
    name: str
    kind: str
    group: str
    href: str | None


def _fit_words(words: Sequence[str], width: int) -> tuple[str, int]:
    """As many of ``words`` (from the first) as fit on a line of ``width`` characters, and
    how many; a first word longer than the line is cut (with an ellipsis)."""
    line, used = "", 0
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            break
        line = f"{line} {word}".strip()
        used += 1
    if len(line) > width:
        line = line[: width - 1].rstrip() + "…"
    return line, used


def _wrap(name: str, width: int = NAME_WRAP, start: int | None = None) -> list[str]:
    """A name on at most two lines. A longer name keeps its first words on the first line
    and, on the second, the words from ``start`` (a word number; by default those that fit
    after the first line), between ellipses where words are left out: "small community" /
    "…5 of 5 with CYP and…" tells apart names that differ only there."""
    words = name.split()
    first, used = _fit_words(words, width)
    if used >= len(words):
        return [first]
    rest = words[used:]
    second, more = _fit_words(rest, width)
    if more >= len(rest) and start is None:
        return [first, second]
    begin = used if start is None or start <= used else start
    lead = "…" if begin > used else ""
    second, more = _fit_words(words[begin:], width - len(lead) - 1)
    tail = "…" if begin + more < len(words) and not second.endswith("…") else ""
    return [first, f"{lead}{second}{tail}"]


def label_lines(names: dict[str, str], width: int = NAME_WRAP) -> dict[str, list[str]]:
    """Each name's lines as drawn (:func:`_wrap`), shortened names told apart: where two
    names would read the same, each shows on its second line the words from the first
    word in which it differs from the others (the five "small community group working
    with…" read "…5 of 5 with CYP and…", "…4 of 5…")."""
    lines = {key: _wrap(name, width) for key, name in names.items()}
    same: dict[tuple[str, ...], list[str]] = {}
    for key, drawn in lines.items():
        same.setdefault(tuple(drawn), []).append(key)
    for keys in same.values():
        if len(keys) < 2:
            continue
        split = {key: names[key].split() for key in keys}
        for key in keys:
            others = [split[other] for other in keys if other != key and split[other]]
            mine = split[key]
            differs = min(
                (
                    next(
                        (n for n, (a, b) in enumerate(zip(mine, other, strict=False)) if a != b),
                        min(len(mine), len(other)),
                    )
                    for other in others
                ),
                default=0,
            )
            lines[key] = _wrap(names[key], width, start=differs)
    return lines


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
    order = ([selected] if selected in names else []) + [s.iri for s in drawn if s.iri != selected]
    labels = _placed_once(
        tuple(sorted(positions.items())), tuple(sorted(names.items())), tuple(order)
    )
    height = (
        max(
            [y for _, y in positions.values()]
            + [label.box.y1 - MARGIN + 8 for label in labels.values() if not label.hidden]
            + [0.0]
        )
        + MARGIN
    )
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
    for (source, target, relation), (start, bend, end) in zip(
        edges, link_paths(edges, positions), strict=True
    ):
        colour = RELATION_COLOURS.get(relation, "#6b7280")
        marker = marker_of.get(relation)
        head = f' marker-end="url(#ck-arrow-{marker})"' if marker is not None else ""
        near = selected in (source, target)
        dim = "" if near or selected is None else ' opacity="0.35"'
        title = f"<title>{esc(names[source])} {esc(relation)} {esc(names[target])}</title>"
        pair = " ".join(sorted((ids.get(source, ""), ids.get(target, ""))))
        paint = (
            f'data-pair="{esc(pair)}" stroke="{colour}" '
            f'stroke-width="{2.6 if near else 1.4}"{head}{dim}'
        )
        if bend is None:
            line = (
                f'<line class="ck-link" x1="{start[0]}" y1="{start[1]}" x2="{end[0]:.1f}" '
                f'y2="{end[1]:.1f}" {paint}>{title}</line>'
            )
        else:
            line = (
                f'<path class="ck-link" d="M{start[0]},{start[1]} Q{bend[0]},{bend[1]} '
                f'{end[0]:.1f},{end[1]:.1f}" fill="none" {paint}>{title}</path>'
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
        placed = labels[shape.iri]
        words = "".join(
            f'<tspan x="{placed.x}" dy="{LINE_GAP if number else 0}">{esc(text)}</tspan>'
            for number, text in enumerate(placed.lines)
        )
        box = placed.box
        label = (
            f'<text class="ck-label{" ck-label-hidden" if placed.hidden else ""}" '
            f'x="{placed.x}" y="{placed.y}" text-anchor="{placed.anchor}" '
            f'data-box="{box.x0:.1f} {box.y0:.1f} {box.x1:.1f} {box.y1:.1f}">{words}</text>'
        )
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
        f"<defs>{markers}</defs><style>{HIDDEN_LABELS}</style>"
        f'<g class="ck-net-links">{"".join(lines)}{"".join(front)}</g>'
        f'<g class="ck-net-nodes" font-size="{FONT_SIZE}">{"".join(nodes)}</g></svg></div>'
    )


HIDDEN_LABELS = (
    "svg.ck-net .ck-label-hidden{visibility:hidden}"
    "svg.ck-net .ck-node:hover .ck-label-hidden,svg.ck-net .ck-node:focus .ck-label-hidden,"
    "svg.ck-net .ck-node:focus-visible .ck-label-hidden{visibility:visible}"
)
"""A name with no free place beside its shape is shown while the shape is hovered or has
the focus."""


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

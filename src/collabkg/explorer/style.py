"""Colours and Cytoscape styles of the network drawings."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from collabkg.terms import CKC

if TYPE_CHECKING:
    pass


RELATION_COLOURS: dict[str, str] = {
    "member of": "#6b7280",
    "funds": "#b45309",
    "accountable to": "#7c3aed",
    "transfers asset to": "#be123c",
}
SECTOR_GROUPS: dict[str, str] = {
    str(CKC.publicSector): "Public sector",
    str(CKC.voluntaryCommunitySector): "Voluntary and community sector",
    str(CKC.privateSector): "Private sector",
    str(CKC.citizensCommunities): "Citizens and communities",
}
GROUP_COLOURS: dict[str, str] = {
    "Collaboration": "#1f2937",
    "Public sector": "#2563eb",
    "Voluntary and community sector": "#16a34a",
    "Private sector": "#ea580c",
    "Citizens and communities": "#db2777",
    "Several sectors": "#0891b2",
    "Sector not recorded": "#9ca3af",
    "Other": "#a16207",
}


def graph_styles(groups: Iterable[str], relations: Iterable[str]) -> list[dict[str, object]]:
    """Cytoscape style rules: nodes coloured by group and named, edges coloured by relation."""
    styles: list[dict[str, object]] = [
        # a name too small to read (under 9 px on screen) is hidden until zoomed in
        {"selector": "*", "style": {"min-zoomed-font-size": 9}}
    ]
    for group in groups:
        size = 22 if group == "Collaboration" else 16
        styles.append(
            {
                "selector": f"node[label='{group}']",
                "style": {
                    "background-color": GROUP_COLOURS.get(group, "#6b7280"),
                    "label": "data(name)",
                    "font-size": 15,
                    "text-wrap": "wrap",
                    "text-max-width": 130,
                    "width": size,
                    "height": size,
                    "shape": "round-rectangle" if group == "Collaboration" else "ellipse",
                },
            }
        )
    for relation in relations:
        colour = RELATION_COLOURS.get(relation, "#6b7280")
        styles.append(
            {
                "selector": f"edge[label='{relation}']",
                "style": {
                    "line-color": colour,
                    "target-arrow-color": colour,
                    "target-arrow-shape": "triangle",
                    "arrow-scale": 0.8,
                    "width": 1.6,
                },
            }
        )
    return styles

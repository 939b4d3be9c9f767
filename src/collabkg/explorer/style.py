"""Colours of the network drawings, and the rules of the bar charts (``table.ck-bars``)."""

from __future__ import annotations

from collabkg.terms import CKC

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

BARS_CSS = """
table.ck-bars th[scope="row"] { width: 45%; }
table.ck-bars td.ck-bar-cell { padding-right: 0; }
table.ck-bars .ck-bar { display: block; height: .9rem; border-radius: 2px; }
table.ck-bars td.ck-bar-value { width: 1%; white-space: nowrap; text-align: right;
  font-variant-numeric: tabular-nums; }
"""
"""The bar chart's own rules (:func:`collabkg.explorer.charts.bars_html`), put in the page's
style sheet. A bar's ``width`` is a share of its cell, and the bars' cells are one column of
the table, as wide in every row: its length is its value's share of the largest, whatever
the numbers and names. The number is a cell of its own (as narrow as the widest number) and
nothing caps a bar (a ``max-width`` leaving the number room drew 20, 19 and 19 alike)."""

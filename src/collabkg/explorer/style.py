"""Colours of the network drawings."""

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

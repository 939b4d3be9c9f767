"""Organisations: a searchable list, or one organisation's profile (``?id=ckd:...``)."""

from __future__ import annotations

from entities import show

show("organisation")

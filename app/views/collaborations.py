"""Collaborations: a searchable list, or one collaboration's profile (``?id=ckd:...``)."""

from __future__ import annotations

from entities import show

show("collaboration")

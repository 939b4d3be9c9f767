"""Query backends: the embedded pyoxigraph store (default) and, later, a remote endpoint."""

from __future__ import annotations

from collabkg.backends.base import Backend, Row, Triple

__all__ = ["Backend", "Row", "Triple"]

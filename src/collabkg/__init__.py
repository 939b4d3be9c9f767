"""collabkg: a knowledge graph of cross-sector collaborations in public service delivery.

The public entry point is :class:`collabkg.graph.KnowledgeGraph`. Importing the package
does no work: nothing is loaded until you ask for it.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("collabkg")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]

"""``python -m collabkg`` runs the CLI."""

from __future__ import annotations

from collabkg.cli import run

if __name__ == "__main__":  # pragma: no cover
    run()

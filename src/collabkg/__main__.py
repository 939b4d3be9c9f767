"""``python -m collabkg`` runs the CLI."""

from __future__ import annotations

import sys

from collabkg.cli import main

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

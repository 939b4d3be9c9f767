"""Whether files stayed as they were over a stretch of work.

:func:`collabkg.project.load_graph` validates the files in one process while it parses them
in another: each reads them itself. A file saved in between (an editor writing while a
command runs) would give a graph of one version validated as another, so the files' state
is taken before both start and compared once both are done (:func:`take`, :meth:`Taken.holds`).

The state is each file's size, modification time (ns) and inode, one ``stat`` each. As git
does with its index, a modification time is not trusted for a file written within
:data:`~collabkg.cache.RACY_NS` before it was taken (a file written again within the same
clock tick keeps it): such a file's bytes are hashed too, when taken and when compared.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from collabkg.cache import RACY_NS

Stat = tuple[int, int, int] | None
"""A file's size, modification time (ns) and inode; None when it cannot be seen."""


def _stat(path: Path) -> Stat:
    try:
        found = os.stat(path)  # noqa: PTH116 - one call
    except OSError:
        return None
    return (found.st_size, found.st_mtime_ns, found.st_ino)


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


@dataclass(frozen=True)
class Taken:
    """The state of some files at one moment (:func:`take`)."""

    paths: tuple[Path, ...]
    stats: tuple[Stat, ...]
    recent: tuple[tuple[int, str | None], ...]
    """(position, SHA-256) of each file written too recently for its time to be trusted."""

    def holds(self) -> bool:
        """True when every file is as it was taken: same size, time and inode, and the same
        bytes for those written just before."""
        if tuple(_stat(path) for path in self.paths) != self.stats:
            return False
        return all(_digest(self.paths[at]) == digest for at, digest in self.recent)

    def changed(self) -> list[Path]:
        """The files that are not as they were taken (for a message)."""
        now = tuple(_stat(path) for path in self.paths)
        recent = dict(self.recent)
        return [
            path
            for at, path in enumerate(self.paths)
            if now[at] != self.stats[at] or (at in recent and _digest(path) != recent[at])
        ]


def take(paths: Sequence[Path]) -> Taken:
    """The state of ``paths`` now."""
    listed = tuple(paths)
    stats = tuple(_stat(path) for path in listed)
    trusted_before = time.time_ns() - RACY_NS
    recent = tuple(
        (at, _digest(listed[at]))
        for at, stat in enumerate(stats)
        if stat is not None and stat[1] >= trusted_before
    )
    return Taken(listed, stats, recent)


__all__ = ["Taken", "take"]

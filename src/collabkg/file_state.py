"""Whether files stayed as they were over a stretch of work.

:func:`collabkg.project.load_graph` validates the files in one process while it parses them
in another: each reads them itself. A file saved in between (an editor writing while a
command runs) would give a graph of one version validated as another, so the files' state
is taken before both start and compared once both are done (:func:`take`, :meth:`Taken.holds`).

The state is each file's size, modification time (ns) and inode, one ``stat`` each. As git
does with its index, a modification time is not trusted for a file written within
:data:`~collabkg.cache.RACY_NS` before it was taken (a file written again within the same
clock tick keeps it): such a file's bytes are hashed too, when taken and when compared.

:class:`Watch` tells a long-running process (the explorer) that the project's files are no
longer those it loaded: a thread compares them with their state now and then.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from collabkg.cache import RACY_NS
from collabkg.paths import ProjectPaths

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


def project_files(project: ProjectPaths) -> list[Path]:
    """Every file a graph of ``project`` and its questions are made of: the graph's files,
    the shapes and the canned queries."""
    found = list(project.graph_files())
    for folder, pattern in ((project.shapes, "*.ttl"), (project.queries, "*.rq")):
        if folder.is_dir():
            found += sorted(folder.glob(pattern))
    return found


class Watch:
    """The project's files watched from a state taken before a load (:func:`take` of
    :func:`project_files`): :attr:`changed` names those that changed, were added or went,
    once a check has seen it. A daemon thread checks every :data:`WATCH_EVERY_S` seconds,
    or 50 times as long as a check took where listing the project is slow (0.14 s at a
    million triples, 1.9 s at ten million: at most 2% of a core), and stops once it has
    seen a change or :meth:`stop` is called."""

    def __init__(self, project: ProjectPaths, taken: Taken, every_s: float | None = None) -> None:
        self._project = project
        self._taken = taken
        self._every_s = WATCH_EVERY_S if every_s is None else every_s
        self._stopped = threading.Event()
        self.changed: list[str] = []
        self._thread = threading.Thread(target=self._run, name="collabkg-watch", daemon=True)
        self._thread.start()

    def check(self) -> list[str]:
        """The files (relative to the project) that are not as they were taken, now."""
        now = project_files(self._project)
        taken = self._taken
        added = sorted(set(now) - set(taken.paths))
        changed = [*taken.changed(), *added]
        return [shown_name(path, self._project) for path in changed]

    def _run(self) -> None:
        wait = self._every_s
        while not self._stopped.wait(wait):
            started = time.monotonic()
            try:
                found = self.check()
            except OSError:
                continue
            if found:
                self.changed = found
                return
            wait = max(self._every_s, 50 * (time.monotonic() - started))

    def stop(self) -> None:
        self._stopped.set()


WATCH_EVERY_S = 5.0
"""How often :class:`Watch` looks at the files (at least)."""


def shown_name(path: Path, project: ProjectPaths) -> str:
    """A file as messages name it: relative to the project's root where it is inside it."""
    try:
        return path.relative_to(project.root).as_posix()
    except ValueError:
        return str(path)


__all__ = ["WATCH_EVERY_S", "Taken", "Watch", "project_files", "shown_name", "take"]

"""Files under ``data/`` that look like Turtle but are not read: the graph reads the files
whose names end in ``.ttl`` (lower case), so ``case.TTL`` or ``case.turtle`` was checked
when named (``collabkg validate data/cases/case.TTL`` said OK) and left out of the graph
without a word. Each is an error now, in the report of the whole data and of a load, so a
file its author thinks is in the graph never quietly is not.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable
from pathlib import Path

from collabkg.paths import ProjectPaths
from collabkg.validate.inputs import display_name, walk_files
from collabkg.validate.report import Issue, Report, Severity, Stage

TURTLE_LIKE = (".ttl", ".turtle")
"""Endings (in any case) of a file meant as Turtle; only ``.ttl`` itself is read."""

CODE = "files.not-read"


def is_stray(path: Path) -> bool:
    """A name ending like Turtle that the graph does not read (``x.TTL``, ``x.turtle``)."""
    name = path.name
    return name.lower().endswith(TURTLE_LIKE) and not name.endswith(".ttl")


def stray_files(folder: Path) -> list[Path]:
    """The Turtle-like files under ``folder`` the graph does not read, sorted (folders that
    are links not followed, as the graph's own listing does)."""
    return sorted(path for _parts, path, _link in walk_files(folder, lambda n: is_stray(Path(n))))


def stray_issue(project: ProjectPaths, path: Path) -> Issue:
    shown = display_name(project, path)
    stem = path.name[: path.name.lower().rfind(".t")]
    return Issue(
        Severity.VIOLATION,
        Stage.SYNTAX,
        CODE,
        f"This file is not part of the graph: only files whose names end in “.ttl” (in lower "
        f"case) are read, so the explorer and the queries never see what {path.name} says.",
        file=shown,
        hint=f"rename it to {stem}.ttl (e.g. git mv '{shown}' "
        f"'{shown[: len(shown) - len(path.name)]}{stem}.ttl')",
    )


def with_strays(
    report: Report, project: ProjectPaths, paths: Iterable[Path] | None = None
) -> Report:
    """``report`` with an error for each Turtle-like file the graph does not read: every one
    under ``data/`` (``paths`` None: the whole data was checked, or loaded), else those of
    ``paths`` that are under ``data/`` (a folder among them: the files under it). A new
    report when there are any (a report may be
    kept and handed out again); ``report`` itself otherwise."""
    data = str(project.data.resolve()) + os.sep
    if paths is None:
        strays = stray_files(project.data) if project.data.is_dir() else []
    else:
        named = [q for p in paths for q in (stray_files(p) if p.is_dir() else [p])]
        strays = [p for p in named if is_stray(p) and str(p.resolve()).startswith(data)]
    if not strays:
        return report
    issues = [stray_issue(project, p) for p in strays]
    shown = [i.file or "" for i in issues]
    return dataclasses.replace(
        report,
        files=[*report.files, *(name for name in shown if name not in report.files)],
        issues=[*report.issues, *issues],
    )


__all__ = ["CODE", "TURTLE_LIKE", "is_stray", "stray_files", "stray_issue", "with_strays"]

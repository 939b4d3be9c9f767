"""IDs a checked file no longer describes that other files still use.

``collabkg validate data/sources.ttl`` after renaming a source checked that file alone and
said OK, while every case citing the old ID now linked to nothing (``collabkg stats`` then
refused the graph; the pre-commit hook, which runs the same check, let the commit through).
The items a file described in the last commit (``git show HEAD:<file>``) and describes no
longer are looked up in the other data files' text (an ID is written ``ckd:name`` or
``<iri>``): each one still used elsewhere, and described nowhere else, is an error in the
checked file naming where it is used. Outside a git work tree, or for a file git does not
know, there is nothing to compare with and nothing is said.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable, Sequence
from pathlib import Path

import pyoxigraph as ox

from collabkg import parse_once
from collabkg.paths import ProjectPaths
from collabkg.terms import compact
from collabkg.validate.inputs import display_name
from collabkg.validate.report import Issue, Severity, Stage

CODE = "vocabulary.removed-but-used"
SHOWN_PLACES = 5
"""At most this many files named per removed ID (and how many more)."""
SHOWN_LINES = 3
"""At most this many lines named per file."""


def _subjects(name: str, data: bytes) -> set[str] | None:
    """The IRIs ``data`` describes, parsed through :mod:`collabkg.parse_once` (the file as
    it is now was parsed by the check already: it is not parsed again)."""
    try:
        triples = parse_once.parse(name, data).triples
    except (SyntaxError, ValueError):
        return None
    return {t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode)}


def _committed(root: Path, path: Path) -> bytes | None:
    """The file as the last commit has it (None: no git, not in a work tree, not known)."""
    try:
        relative = path.resolve().relative_to(root.resolve())
        done = subprocess.run(
            ["git", "show", f"HEAD:./{relative.as_posix()}"],
            cwd=root,
            capture_output=True,
            timeout=10,
            check=False,
        )
    except (OSError, ValueError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def removed_ids(root: Path, path: Path) -> set[str]:
    """The IRIs ``path`` described (as subjects) in the last commit and does not now."""
    before = _committed(root, path)
    if before is None:
        return set()
    try:
        now = path.read_bytes()
    except OSError:
        return set()
    old, new = _subjects(f"{path} (last commit)", before), _subjects(str(path), now)
    if old is None or new is None:
        return set()  # a file that does not parse is reported by the syntax check
    return old - new


def _forms(iri: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """How a file writes ``iri``: anywhere (a use), and at a line's start (described)."""
    short = compact(iri)
    names = [re.escape(f"<{iri}>")] + ([re.escape(short)] if short != iri else [])
    written = "(?:" + "|".join(names) + r")(?![\w.:-]*[\w:-])"
    return re.compile(written), re.compile(r"^" + written, re.MULTILINE)


def still_used(
    removed: set[str], others: Iterable[Path], project: ProjectPaths
) -> dict[str, list[str]]:
    """For each removed IRI used by another file and described by none: the files using it
    (``data/cases/x.ttl (lines 12, 30)``)."""
    forms = {iri: _forms(iri) for iri in sorted(removed)}
    used: dict[str, list[str]] = {iri: [] for iri in forms}
    described: set[str] = set()
    for path in others:
        try:
            text = path.read_text(encoding="utf-8-sig", errors="replace")
        except OSError:
            continue
        for iri, (anywhere, at_start) in forms.items():
            if iri in described or not anywhere.search(text):
                continue
            if at_start.search(text):
                described.add(iri)  # moved to another file: not removed from the graph
                continue
            lines = [text.count("\n", 0, m.start()) + 1 for m in anywhere.finditer(text)]
            where = "line" if len(lines) == 1 else "lines"
            shown = ", ".join(map(str, lines[:SHOWN_LINES]))
            shown += "…" if len(lines) > SHOWN_LINES else ""
            used[iri].append(f"{display_name(project, path)} ({where} {shown})")
    return {iri: places for iri, places in used.items() if places and iri not in described}


def removed_issues(project: ProjectPaths, checked: Sequence[Path]) -> list[Issue]:
    """An error in each checked data file for each ID it described in the last commit and
    no longer does, which other data files still use (they are read only then)."""
    issues: list[Issue] = []
    data = project.data.resolve()
    checked = [p for p in checked if p.suffix == ".ttl" and p.resolve().is_relative_to(data)]
    others: list[Path] | None = None
    for path in checked:
        removed = removed_ids(project.root, path)
        if not removed:
            continue
        if others is None:
            mine = {p.resolve() for p in checked}
            others = [
                p for p in project.graph_files() if p.resolve().is_relative_to(data)
                and p.resolve() not in mine
            ]
        for iri, places in still_used(removed, others, project).items():
            shown = "; ".join(places[:SHOWN_PLACES])
            more = len(places) - SHOWN_PLACES
            issues.append(
                Issue(
                    Severity.VIOLATION,
                    Stage.VOCABULARY,
                    CODE,
                    f"{compact(iri)} is no longer described in this file (the last commit "
                    f"described it here), but other files still use it: {shown}"
                    + (f"; and {more} more file{'s' if more > 1 else ''}" if more > 0 else "")
                    + ". They would link to nothing.",
                    file=display_name(project, path),
                    focus=compact(iri),
                    hint=f"if you renamed it, rename {compact(iri)} in those files too (one ID "
                    "everywhere); if you removed it, remove what uses it, or keep it here",
                )
            )
    return issues


__all__ = ["CODE", "removed_ids", "removed_issues", "still_used"]

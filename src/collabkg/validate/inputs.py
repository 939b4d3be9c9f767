"""What a validation checks: the files asked about (the *targets*), the graph around them
(the ontology, the concept schemes, every data file) and the shapes; and how a file is
named in a report (relative to the project, else to where the command runs)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from collabkg.errors import UsageError
from collabkg.paths import TEMPLATE_NAME, ProjectPaths


@dataclass(frozen=True)
class Inputs:
    """What to check and against what."""

    ontology: tuple[Path, ...]
    """ontology/*.ttl and ontology/concepts/*.ttl: define the terms."""
    data: tuple[Path, ...]
    """Every data file making up the graph (context), targets included or not."""
    targets: tuple[Path, ...]
    """The files to report on."""
    shapes: tuple[Path, ...]
    texts: tuple[tuple[str, bytes], ...] = ()
    """In-memory targets (name shown in the report, Turtle bytes), e.g. an upload."""


def resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:  # pragma: no cover
        return path


def resolved_names(paths: Iterable[Path]) -> list[str]:
    """``str(resolved(path))`` for each of ``paths``, each folder resolved once: a file that
    is not a link resolves to its resolved folder and its name (resolving 7,000 files one by
    one cost 0.7 s, three times over, in every incremental run at 1M)."""
    folders: dict[str, str] = {}
    out: list[str] = []
    for path in paths:
        text = str(path)
        if not path.is_absolute() or path.name in ("", ".", "..") or os.path.islink(text):  # noqa: PTH114 - a string is faster
            out.append(str(resolved(path)))
            continue
        parent, name = os.path.split(text)
        folder = folders.get(parent)
        if folder is None:
            folder = folders[parent] = str(resolved(Path(parent)))
        out.append(folder + "/" + name if folder != "/" else "/" + name)
    return out


def walk_files(folder: Path, wanted: Callable[[str], bool]) -> list[tuple[list[str], Path, bool]]:
    """The files under ``folder`` whose names ``wanted`` accepts, each as (its path split at
    "/", its path, whether it is a link), unsorted; links to folders are not followed (as
    ``rglob``). The folders' entries say what is a file without one system call per file."""
    found: list[tuple[list[str], Path, bool]] = []
    pending = [folder]
    while pending:
        here = pending.pop()
        try:
            entries = list(os.scandir(here))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir() and not entry.is_symlink():  # as rglob: links not followed
                    pending.append(here / entry.name)
                elif wanted(entry.name) and entry.is_file():
                    parts = entry.path.split(os.sep)  # noqa: PTH206 - strings are faster
                    found.append((parts, here / entry.name, entry.is_symlink()))
            except OSError:
                continue
    return found


def _turtle_files(folder: Path) -> list[tuple[Path, bool]]:
    """The ``*.ttl`` files under ``folder`` in the order ``sorted(folder.rglob("*.ttl"))``
    gives (links to folders not followed, as there), each with whether it is a link. The
    paths are sorted as strings split at "/" (Path objects compared one by one were a large
    part of checking one file in a project of 70,000)."""
    found = walk_files(folder, lambda name: name.endswith(".ttl"))
    found.sort(key=lambda item: item[0])
    return [(path, link) for _parts, path, link in found]


def project_inputs(
    project: ProjectPaths,
    paths: Iterable[str | os.PathLike[str]] | None = None,
    *,
    list_data: bool = True,
) -> Inputs:
    """Inputs for ``collabkg validate [PATH...]`` in ``project`` (``list_data=False``: the
    data files left out, for a warm run that has them from the file index)."""
    ontology: list[Path] = []
    if project.ontology.is_dir():
        ontology += sorted(project.ontology.glob("*.ttl"))
    if project.concepts.is_dir():
        ontology += sorted(project.concepts.glob("*.ttl"))
    data: list[Path] = []
    if list_data and project.data.is_dir():
        template = resolved(project.template)
        # only a file named like the template, or a link, can be the template: resolving
        # every path (several system calls each) is what took time on large projects
        data = [
            p
            for p, link in _turtle_files(project.data)
            if not ((p.name == template.name or link) and resolved(p) == template)
        ]
    shapes = tuple(sorted(project.shapes.glob("*.ttl"))) if project.shapes.is_dir() else ()
    if paths is None or not list(paths):
        # everything: the ontology files are reported on too (for their syntax)
        return Inputs(tuple(ontology), tuple(data), tuple(ontology) + tuple(data), shapes)
    targets: list[Path] = []
    for item in paths:
        path = Path(item)
        if not path.is_absolute():
            path = Path.cwd() / path
        if not path.exists():
            raise UsageError(
                f"{item}: no such file or folder",
                hint="give the path of a .ttl file (e.g. data/cases/my-case.ttl) or a folder",
            )
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.ttl") if p.name != TEMPLATE_NAME)
            if not found:
                raise UsageError(f"{item}: this folder holds no .ttl file")
            targets += found
        else:
            targets.append(path)
    ontology_set = {resolved(p) for p in ontology}
    targets = [p for p in dict.fromkeys(resolved(t) for t in targets)]
    data_targets = [t for t in targets if t not in ontology_set]
    return Inputs(tuple(ontology), tuple(data), tuple(data_targets) or tuple(targets), shapes)


def named_in_project(project: ProjectPaths, path: Path) -> str | None:
    """``path``'s name relative to the project's root when it is written as an absolute path
    under the root: what :func:`display_name` gives such a path (that name, or the name in the
    project of what a link points to) reads the same from any folder. None otherwise:
    :func:`display_name` may then name it from where the command runs."""
    text = str(path)
    if not os.path.isabs(text):  # noqa: PTH117 - a string is faster
        return None
    if "/." in text:  # "." or ".." parts (or a hidden file's name: normalising keeps it)
        text = os.path.normpath(text)
    root = str(project.root)
    if not text.startswith(root) or text[len(root) : len(root) + 1] != os.sep:
        return None
    return text[len(root) + 1 :].replace(os.sep, "/")


def named_from_here(project: ProjectPaths, paths: Iterable[Path]) -> bool:
    """Whether a report on ``paths`` names one of them from the folder the command runs in
    (:func:`display_name`), so that the report differs from one folder to another. A
    report's key holds that folder only then: it held it always, and the next command run
    from another folder (the explorer started from the repository, a query from the
    project) validated every file again, 4 minutes at 10M triples."""
    return any(named_in_project(project, path) is None for path in paths)


def display_name(project: ProjectPaths, path: Path) -> str:
    """How a report names ``path``: relative to the project's root where it is inside it (a
    link, where what it points to is: the names the incremental base keeps), a link in the
    project to a file outside it as itself, anything else relative to the folder the command
    runs in (as the person typed it)."""
    relative = project.relative(path)
    if not relative.startswith("/"):
        return relative
    named = named_in_project(project, path)
    if named is not None:
        return named
    try:
        return Path(os.path.relpath(path, Path.cwd())).as_posix()
    except ValueError:  # pragma: no cover - other drive on Windows
        return relative


__all__ = [
    "Inputs",
    "display_name",
    "named_from_here",
    "named_in_project",
    "project_inputs",
    "resolved",
    "resolved_names",
    "walk_files",
]

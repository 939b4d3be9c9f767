"""The last graph that validated, kept so that one broken file does not take the explorer down.

Every time the project's files load and validate, the graph is written (N-Quads, one named
graph per file, as loaded) to ``.collabkg-cache/last-valid/``, unless the graph saved there
was made from the same content (the files' content identity,
:func:`collabkg.answers.content_identity`): rewriting a million quads on every explorer start
cost seconds for nothing. When they do not — a syntax
error, a validation error — :func:`open_serving_graph` serves that last valid graph instead,
with a :class:`StaleNotice` naming each invalid file and its first error, for the explorer's
banner. Invalid data is never loaded: the files as they are now are not served until they
validate. When no valid graph was ever built, the error is raised as before (the explorer
refuses to start).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from collabkg.errors import CollabkgError, LoadError, ValidationFailed
from collabkg.paths import ProjectPaths

if TYPE_CHECKING:
    from collabkg.graph import KnowledgeGraph

FOLDER = "last-valid"
DATASET = "graph.nq"
MANIFEST = "manifest.json"


def snapshot_dir(root: Path) -> Path:
    from collabkg.cache import CACHE_DIR_NAME, cache_dir

    return (cache_dir(root) or root / CACHE_DIR_NAME) / FOLDER


@dataclass(frozen=True)
class FileProblem:
    """An invalid file and its first error, as people read it."""

    file: str
    first_error: str
    errors: int = 1


@dataclass(frozen=True)
class StaleNotice:
    """Why the graph served is not the files as they are now."""

    problems: tuple[FileProblem, ...]
    saved_at: float
    """When the graph served was last valid (seconds since the epoch)."""
    files: tuple[str, ...] = field(default_factory=tuple)
    gone: tuple[str, ...] = field(default_factory=tuple)
    """Files of the graph served that are gone now (deleted or moved since): the errors of
    the others are often that they use what a gone file described."""

    def banner(self) -> str:
        """Plain English for the explorer: what is wrong, and what is shown instead."""
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(self.saved_at))
        lines = [
            f"The data has errors, so this is the last version the explorer loaded without "
            f"errors ({when}). Fix these files and save them: the explorer then offers to "
            "load them (or check them first with `collabkg validate`)."
        ]
        for problem in self.problems:
            more = f" (and {problem.errors - 1} more)" if problem.errors > 1 else ""
            lines.append(f"- {problem.file}: {problem.first_error}{more}")
        for name in self.gone:
            lines.append(
                f"- {name}: deleted (or moved) since that version; the files above may still "
                "use what it described"
            )
        lines.append("")  # a paragraph of its own, not a line of the last file's item
        lines.append("Run `collabkg validate` in a terminal to see every problem.")
        return "\n".join(lines)


def save(graph: KnowledgeGraph, root: Path) -> Path | None:
    """Write ``graph`` (validated, loaded from files) as the last valid graph; None if it cannot."""
    folder = snapshot_dir(root)
    if graph.content is not None and _saved_content(folder) == graph.content:
        return folder / DATASET  # the same files' content is saved already: not written again
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial = folder / (DATASET + ".partial")
        graph.write_dataset(partial)
        partial.replace(folder / DATASET)
        manifest = {"saved_at": time.time(), "files": list(graph.files), "content": graph.content}
        (folder / (MANIFEST + ".partial")).write_text(json.dumps(manifest), encoding="utf-8")
        (folder / (MANIFEST + ".partial")).replace(folder / MANIFEST)
    except (OSError, CollabkgError):
        return None
    return folder / DATASET


def _saved_content(folder: Path) -> str | None:
    """The content identity the saved graph was made from (None: unknown, or nothing saved)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        if not (folder / DATASET).is_file():
            return None
    except (OSError, ValueError):
        return None
    content = manifest.get("content") if isinstance(manifest, dict) else None
    return content if isinstance(content, str) else None


def load_saved(root: Path) -> tuple[KnowledgeGraph, float, tuple[str, ...]] | None:
    """The last valid graph, when one was saved."""
    import pyoxigraph as ox

    from collabkg.graph import KnowledgeGraph

    folder = snapshot_dir(root)
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        store = ox.Store()
        store.bulk_load(path=str(folder / DATASET), format=ox.RdfFormat.N_QUADS)
    except (OSError, ValueError, SyntaxError):
        return None
    files = tuple(str(f) for f in manifest.get("files", []))
    graph = KnowledgeGraph.from_store(store, root=root, files=files)
    return graph, float(manifest.get("saved_at", 0.0)), files


def problems_of(error: CollabkgError) -> tuple[FileProblem, ...]:
    """Each invalid file with its first error, from a failed load or validation."""
    report = getattr(error, "report", None)
    if isinstance(error, ValidationFailed) and report is not None:
        from collabkg.validate import Severity

        found: dict[str, list[str]] = {}
        for issue in report.sorted_issues():
            if issue.severity is not Severity.VIOLATION:
                continue
            where = f"line {issue.line}: " if issue.line else ""
            found.setdefault(issue.file or "(no file)", []).append(where + issue.message)
        return tuple(FileProblem(f, msgs[0], len(msgs)) for f, msgs in found.items())
    if isinstance(error, LoadError):
        found_load: dict[str, list[str]] = {}
        for item in error.errors or (error,):
            where = f"line {item.line}: " if item.line else ""
            found_load.setdefault(item.file or "(no file)", []).append(where + item.message)
        return tuple(FileProblem(f, m[0], len(m)) for f, m in found_load.items())
    return (FileProblem(error.file or "(the data)", error.message),)


def open_serving_graph(
    root: str | os.PathLike[str] | None = None,
    *,
    save_now: bool = True,
) -> tuple[KnowledgeGraph, StaleNotice | None]:
    """The graph to serve: the files when they validate (saved as the last valid graph),
    else the last valid graph with a notice; raises the load error when there is none.

    ``save_now=False``: the caller saves the graph itself, later (:func:`save`; the
    explorer does it once its first page is on screen: after a change, writing a million
    quads made the start seconds slower)."""
    from collabkg.project import open_graph

    project = ProjectPaths.discover(root)
    try:
        graph = open_graph(project.root)
    except (LoadError, ValidationFailed) as exc:
        saved = load_saved(project.root)
        if saved is None:
            raise
        stale, saved_at, files = saved
        return stale, StaleNotice(problems_of(exc), saved_at, files, _gone(project, files))
    if graph.endpoint is None and save_now:
        save(graph, project.root)
    return graph, None


def _gone(project: ProjectPaths, files: tuple[str, ...]) -> tuple[str, ...]:
    """The data files of the graph served that are no longer there, as people name them."""
    data = str(project.data.resolve())
    paths = [(name, project.root / name) for name in files]  # as the graph names them
    return tuple(
        project.relative(path)
        for _name, path in paths
        if str(path.resolve()).startswith(data) and not path.exists()
    )


def serving_notice(root: str | os.PathLike[str] | None = None) -> StaleNotice | None:
    """What :func:`open_serving_graph` would serve, told without loading the graph when the
    files validate (``collabkg explore`` checks before it starts the explorer, which loads
    the graph itself: loading it twice cost the start seconds at 1M triples): None when
    the files validate, a notice when the last valid graph would be served; raises the
    load error when there is none. The validation's report is remembered, so the
    explorer's own start finds it."""
    from collabkg.graph import graph_files
    from collabkg.validate import validate_graph_files
    from collabkg.validate.strays import with_strays

    project, files = graph_files(root, None)
    if not with_strays(validate_graph_files(files, project), project).violations:
        return None
    graph, notice = open_serving_graph(project.root)  # the refusal, as the explorer meets it
    graph.close()
    return notice


__all__ = [
    "FileProblem",
    "StaleNotice",
    "load_saved",
    "open_serving_graph",
    "problems_of",
    "save",
    "serving_notice",
    "snapshot_dir",
]

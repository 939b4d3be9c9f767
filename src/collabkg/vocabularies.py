"""The W3C vocabularies collabkg reuses, as their owners publish them, for reasoning.

``collabkg reason`` checks the ontology and data against the real axioms of W3C ORG and
PROV-O (domains, ranges, disjointness, inverses), not against the bare declarations our
ontology carries. The files are unchanged copies of the W3C documents; they are found as
the tests find the source texts:

1. the folder named by the environment variable ``COLLABKG_VOCABULARIES``, else
2. ``shared/vocabularies`` beside the project folder (``../shared/vocabularies``).

::

    from collabkg.vocabularies import find_vocabularies, file_origins
    files = find_vocabularies()          # [.../org.ttl, .../prov-o.ttl]
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from rdflib import URIRef

from collabkg.errors import ReasonerError, UsageError

ENV_VOCABULARIES = "COLLABKG_VOCABULARIES"

VOCABULARY_FILES: tuple[tuple[str, str], ...] = (
    ("org.ttl", "http://www.w3.org/ns/org"),
    ("prov-o.ttl", "http://www.w3.org/ns/prov-o"),
)
"""(file name, where the W3C publishes it): W3C ORG 0.7 and PROV-O (Recommendation 2013)."""


def vocabulary_folder(root: str | os.PathLike[str] | None = None) -> Path:
    """Where the W3C files are looked for (they may be missing there)."""
    env = os.environ.get(ENV_VOCABULARIES)
    if env:
        return Path(env).expanduser()
    from collabkg.paths import ProjectPaths

    return ProjectPaths.discover(root).root.parent / "shared" / "vocabularies"


def find_vocabularies(root: str | os.PathLike[str] | None = None) -> list[Path]:
    """The W3C ORG and PROV-O files; a clear error naming what is missing and where to get it."""
    folder = vocabulary_folder(root)
    files = [folder / name for name, _url in VOCABULARY_FILES]
    missing = [
        (path, url)
        for path, (_name, url) in zip(files, VOCABULARY_FILES, strict=True)
        if not path.is_file()
    ]
    if missing:
        names = ", ".join(path.name for path, _url in missing)
        sources = "; ".join(f"{path.name} from {url}" for path, url in missing)
        raise ReasonerError(
            f"the W3C vocabularies to reason against are missing: {names} not found in {folder}",
            hint=f"download {sources} (Turtle) into {folder}, or set {ENV_VOCABULARIES} to the "
            "folder that holds them; use --without-vocabularies to reason with the bare "
            "declarations only (weaker: the W3C axioms are not checked)",
        )
    return files


def display_path(path: Path, root: str | os.PathLike[str] | None = None) -> str:
    """A file name for people: relative to the project folder (``../shared/...`` beside it)."""
    from collabkg.paths import ProjectPaths

    try:
        base = ProjectPaths.discover(root).root
    except UsageError:  # not in a project: the absolute path is still right
        return path.as_posix()
    resolved = path.resolve()
    try:
        return resolved.relative_to(base).as_posix()
    except ValueError:
        try:
            return Path("..", resolved.relative_to(base.parent)).as_posix()
        except ValueError:
            return resolved.as_posix()


def file_origins(
    files: Iterable[str | os.PathLike[str]], root: str | os.PathLike[str] | None = None
) -> dict[str, list[str]]:
    """For each IRI that is the subject of a statement, the files that describe it."""
    from collabkg.ontology import parse_files

    origins: dict[str, list[str]] = {}
    for file in files:
        path = Path(file)
        name = display_path(path, root)
        for subject in set(parse_files([path]).subjects()):
            if isinstance(subject, URIRef):
                origins.setdefault(str(subject), []).append(name)
    return origins


def names(files: Sequence[Path], root: str | os.PathLike[str] | None = None) -> list[str]:
    return [display_path(path, root) for path in files]


__all__ = [
    "ENV_VOCABULARIES",
    "VOCABULARY_FILES",
    "display_path",
    "file_origins",
    "find_vocabularies",
    "names",
    "vocabulary_folder",
]

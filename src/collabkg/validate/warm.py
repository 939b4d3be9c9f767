"""Checking a few files against a large project whose other files did not change: a *warm*
run, whose Python work grows with the files checked, not with the 70,000 others.

A run that brings the cached store in step with every data file (:mod:`.store`) leaves a
*record*: the store's generation, the sum of the 128-bit mixes of the files it holds and of
the files left out for their errors (see :mod:`collabkg.file_index`), the names of the
latter, and how many problems each other file has (counted in a report, never listed).

The next check of a few files lists the data files with the file index (one ``stat`` each,
hashes only for files that changed) and uses the record when, and only when:

- the store is *clean* (every run that wrote to it closed it) and of the record's
  generation (nothing changed it since);
- the files other than the ones checked, with their contents, are exactly the files the
  record describes: the index's sum minus the checked files' mixes, plus the mixes the
  record had for them, equals the record's sum (any file edited, added or deleted since
  changes the sum);
- the record was written with the same code, ontology, case rules and store format (its
  key).

Otherwise the run is the ordinary one (:func:`collabkg.validate.pipeline.run` over every
file), which writes a new record. ``tests/validate/test_warm.py`` checks that no edited,
added or deleted file is missed and that a warm report equals an ordinary one.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from collabkg.cache import cache_dir
from collabkg.file_index import INDEX_NAME, scan
from collabkg.paths import ProjectPaths
from collabkg.validate.inputs import project_inputs
from collabkg.validate.pipeline import (
    MANY_TARGETS,
    PERSISTENT_MIN_FILES,
    choose_engine,
    run_warm,
)

if TYPE_CHECKING:
    from collabkg.progress import Progress
    from collabkg.validate.report import Report


def check(
    project: ProjectPaths,
    paths: Sequence[str | os.PathLike[str]],
    *,
    engine: str | None = None,
    progress: Progress | None = None,
) -> Report | None:
    """``collabkg validate PATH...`` as a warm run, or None when it cannot be one (no cache,
    many files asked about, a project that is small or has links under data/, the pySHACL
    engine, no record matching the files): the caller then runs the ordinary check."""
    if not paths or choose_engine(engine) != "sparql":
        return None
    folder = cache_dir(project.root)
    if folder is None:
        return None
    inputs = project_inputs(project, paths, list_data=False)
    if len(inputs.targets) > MANY_TARGETS:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    listing = scan(project.root, Path(folder) / INDEX_NAME)
    if not listing.plain or len(listing.names) < PERSISTENT_MIN_FILES + len(inputs.targets):
        return None
    return run_warm(inputs, project, listing, engine=engine, progress=progress)


__all__ = ["check"]

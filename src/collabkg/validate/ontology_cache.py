"""The indexed ontology kept in the project's cache by content: every process that checks
a file used to parse the ontology and concept files and index them again (about a quarter
of a second; a one-file check has about a second in all).

The key is the ontology files' SHA-256 digests in order (:func:`collabkg.validate.memo.content_key`,
the key of the in-process memo too) with the validator's code version: an edited ontology
file or changed code is another key, never a stale ontology.
"""

from __future__ import annotations

import contextlib
import pickle

from collabkg.cache import Cache, code_version, key_of
from collabkg.validate.memo import ContentKey
from collabkg.validate.model import Ontology

KIND = "ontology"


def _key(files: ContentKey) -> str:
    return key_of(KIND, code_version(), *files)


def lookup_ontology(cache: Cache, files: ContentKey) -> Ontology | None:
    """The ontology built before from files with these digests, or None."""
    found = cache.get(_key(files))
    return found if isinstance(found, Ontology) else None


def keep_ontology(cache: Cache, files: ContentKey, ontology: Ontology) -> None:
    with contextlib.suppress(pickle.PicklingError, TypeError, AttributeError, RecursionError):
        cache.put(_key(files), ontology)  # not kept: the next process builds it again


__all__ = ["keep_ontology", "lookup_ontology"]

"""What a run needs of its context files' syntax results, kept as ONE record per project
(and code version, ontology and case rules): checking one file against 70,000 others used to
look up and unpickle one cached :class:`~collabkg.validate.reading.Read` per other file
(about 7 s at 10M triples), though all it uses of a context file is whether it is usable,
its own issues (counted) and whether it has blank nodes.

The record holds each file's name shown, SHA-256 digest and those three; a file is taken
from it only when its digest is the one recorded (any other: the run reads the file's own
result as before, and the record is updated). One record serves every set of context
files: after an added or deleted file, the next one-file check still finds the others.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from collabkg.cache import Cache, code_version, key_of

KIND = "context-reads-by-file"


def summary_key(salt: str) -> str:
    """The key of the record (by the syntax results' salt and the code version)."""
    return key_of(KIND, code_version(), salt)


Kept = tuple[list, bool, bool]
"""What a run uses of a context file's syntax result: (its issues, usable, has blank
nodes)."""
Record = dict[str, tuple[str, Kept]]
"""Name shown -> (sha256, kept)."""


def lookup_context(cache: Cache, key: str) -> Record:
    """The record under ``key`` (empty when there is none)."""
    found = cache.get(key)
    return found if isinstance(found, dict) else {}


def hits(
    record: Mapping[str, tuple[str, Kept]], files: Sequence[tuple[str, str]]
) -> dict[int, Kept]:
    """Of ``files`` (name shown, sha256), by position: those recorded with that digest."""
    found: dict[int, Kept] = {}
    for index, (display, sha) in enumerate(files):
        entry = record.get(display)
        if entry is not None and entry[0] == sha:
            found[index] = entry[1]
    return found


def keep_context(
    cache: Cache, key: str, record: Record, new: Mapping[str, tuple[str, Kept]]
) -> None:
    """Add ``new`` entries to ``record`` and keep it under ``key`` (when they change it)."""
    if all(record.get(display) == entry for display, entry in new.items()):
        return
    merged = dict(record)
    merged.update(new)
    cache.put(key, merged)


__all__ = ["Kept", "Record", "hits", "keep_context", "lookup_context", "summary_key"]

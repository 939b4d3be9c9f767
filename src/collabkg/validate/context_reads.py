"""What a run needs of its context files' syntax results, kept as ONE record per project
state: checking one file against 70,000 others used to look up and unpickle one cached
:class:`~collabkg.validate.reading.Read` per other file (about 7 s at 10M triples), though
all it uses of a context file is whether it is usable, its own issues (counted) and whether
it has blank nodes.

The record is keyed by the salt of the syntax results (ontology and case rules), the code
version and every context file's name and SHA-256 digest, in order: any change to one of
them is another record, and the run then reads the files' own results as before.
"""

from __future__ import annotations

from collections.abc import Sequence

from collabkg.cache import Cache, code_version, key_of

KIND = "context-reads"


def summary_key(salt: str, context: Sequence[tuple[str, str]]) -> str:
    """The key of the record for the context files ``(name shown, sha256)``, in order."""
    return key_of(KIND, code_version(), salt, len(context), *(f"{d}\x01{s}" for d, s in context))


def stripped(read: object) -> object:
    """A context file's result with only what a run uses of it (no pre-filter facts, no
    rule selection, no mentions)."""
    from dataclasses import replace

    return replace(read, selected=None, facts=None, mentions=None)  # type: ignore[type-var]


def lookup_context(cache: Cache, key: str, count: int) -> list | None:
    """The kept results of ``count`` context files under ``key``, or None."""
    found = cache.get(key)
    if isinstance(found, list) and len(found) == count:
        return found
    return None


def keep_context(cache: Cache, key: str, reads: Sequence[object]) -> None:
    cache.put(key, [stripped(r) for r in reads])


__all__ = ["keep_context", "lookup_context", "stripped", "summary_key"]

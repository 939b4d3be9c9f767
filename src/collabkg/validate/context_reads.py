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


Kept = tuple[list, bool, bool]
"""What a run uses of a context file's syntax result: (its issues, usable, has blank
nodes)."""
_USABLE = 1
_BNODES = 2


def lookup_context(cache: Cache, key: str, count: int) -> list[Kept] | None:
    """The kept results of ``count`` context files under ``key``, or None."""
    found = cache.get(key)
    if not (isinstance(found, tuple) and len(found) == 2):  # (flags, issues)
        return None
    flags, issues = found
    if not (isinstance(flags, bytes) and isinstance(issues, dict) and len(flags) == count):
        return None
    return [(issues.get(i, []), bool(f & _USABLE), bool(f & _BNODES)) for i, f in enumerate(flags)]


def keep_context(cache: Cache, key: str, reads: Sequence[Kept]) -> None:
    """Keep the results of the context files under ``key``: one byte of flags per file,
    and the issues of the files that have any."""
    flags = bytes(
        (_USABLE if usable else 0) | (_BNODES if bnodes else 0) for _i, usable, bnodes in reads
    )
    cache.put(key, (flags, {i: r[0] for i, r in enumerate(reads) if r[0]}))


__all__ = ["Kept", "keep_context", "lookup_context", "summary_key"]

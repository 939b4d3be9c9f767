"""The record a run leaves of the cached store for the next warm run (:mod:`.warm`): the
store's generation, the sum of the mixes of the files it reflects (:mod:`collabkg.file_index`),
the files left out for their errors, and each other file's count of problems."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from collabkg.cache import code_version, key_of
from collabkg.file_index import MODULUS, mix

if TYPE_CHECKING:
    from collabkg.cache import Cache
    from collabkg.validate.store import PersistentStore

KIND = "warm-record"


@dataclass(frozen=True)
class Record:
    """What a run left of the store for the next warm run (see the module docstring)."""

    generation: str
    total: int
    unusable: dict[str, str]
    """Name shown of each data file left out of the store for its errors -> its sha256."""
    problems: dict[str, int]
    """Name shown of each data file with problems -> how many."""


def record_key(cache: Cache, salt: str, reduced: str) -> str:
    return key_of(KIND, code_version(), salt, reduced, str(cache.store_path))


def keep_record(
    cache: Cache,
    keeper: PersistentStore,
    *,
    salt: str,
    reduced: str,
    held: Mapping[str, str],
    unusable: Mapping[str, str],
    problems: Mapping[str, int],
) -> None:
    """Keep the record of a store that holds exactly the files ``held`` (name shown ->
    sha256) and the ontology whose reduced digest is ``reduced``."""
    total = 0
    for files in (held, unusable):
        for name, sha in files.items():
            total += mix(name, bytes.fromhex(sha))
    cache.put(
        record_key(cache, salt, reduced),
        Record(keeper.generation, total % MODULUS, dict(unusable), dict(problems)),
    )


def lookup_record(cache: Cache, keeper: PersistentStore, salt: str, reduced: str) -> Record | None:
    """The record of the store as it is now (clean, same generation), or None."""
    if not keeper.clean:
        return None
    found = cache.get(record_key(cache, salt, reduced))
    if not isinstance(found, Record) or found.generation != keeper.generation:
        return None
    return found


__all__ = ["Record", "keep_record", "lookup_record", "record_key"]

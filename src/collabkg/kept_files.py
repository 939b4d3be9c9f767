"""Each data file's content, kept by its SHA-256 when a whole-project run validates it: what a
deleted file said.

When a case file is deleted or edited, the statements it had are in no graph any more, so a
kept answer brought up to date (:mod:`collabkg.answer_update`) could only walk back from
their ends over the graph as it is now, where a shared source or concept leads back to every
item citing it. With the file's content kept, its statements are parsed again as they were
loaded, and each statement added or removed is followed from both its ends over the graph as
it is now with the removed ones (:func:`collabkg.answer_reach.reached_changed`). A
whole-project run keeps every data file whose content is not kept yet (compressed: 15 MB for
the 59 MB of a 1M-triple project's data, 0.77 s once); an incremental run keeps the files it
read.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from pathlib import Path

import pyoxigraph as ox

from collabkg import parse_once
from collabkg.cache import Cache, key_of, sha256

CHUNK = 512
"""Files written to the cache at a time."""


def content_key(sha: str) -> str:
    return key_of("file-content", sha)


def keep_files(cache: Cache, files: Mapping[str, tuple[Path, str]]) -> int:
    """Keep the content of each file ``files`` names (name -> (path, SHA-256)) not kept yet;
    a file that no longer has that content is left out. Returns how many were written."""
    keys = {name: content_key(sha) for name, (_path, sha) in files.items()}
    stored = cache.has_many(keys.values())
    todo = [name for name, key in keys.items() if key not in stored]
    written = 0
    for start in range(0, len(todo), CHUNK):
        batch: list[tuple[str, object]] = []
        for name in todo[start : start + CHUNK]:
            path, sha = files[name]
            try:
                data = Path(path).read_bytes()
            except OSError:
                continue
            if sha256(data) == sha:  # else changed since it was read: not this content
                batch.append((keys[name], zlib.compress(data, 1)))
        cache.put_many(batch)
        written += len(batch)
    return written


def kept_triples(cache: Cache, sha: str) -> list[ox.Triple] | None:
    """The statements of the file of content ``sha``, parsed again from the content kept (as
    the graph loaded it); None when it is not kept or cannot be read."""
    found = cache.get(content_key(sha))
    if not isinstance(found, bytes):
        return None
    try:
        data = zlib.decompress(found)
    except zlib.error:
        return None
    if sha256(data) != sha:
        return None  # damaged
    try:
        return parse_once.parse(f"kept content {sha}", data).triples
    except (SyntaxError, ValueError):
        return None

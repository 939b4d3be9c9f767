"""What a run builds from the ontology and shapes files, built once per process per content.

The explorer, a server and the test suite validate many times over the same ontology and
shapes, often from several copies of one project (a checkout, a test's temporary copy).
Reading, indexing and compiling them is a fixed cost of every run; this module keeps the
result by the SHA-256 of the files' bytes, in order, and nothing else: the same content
in another folder, or under another modification time, is the same ontology; an edited
file (even one of the same size, saved within the same second) is read again.

Everything kept here is never changed after it is built. A memo is guarded by a lock (the
explorer's sessions validate in threads of one process) and keeps a few entries.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")

ContentKey = tuple[str, ...]
"""The SHA-256 digests of some files' bytes, in the order given."""


def content_key(paths: Sequence[Path]) -> ContentKey | None:
    """The digests of ``paths`` in order, or None if one cannot be read or there are none
    (the run then reads the files itself and reports the problem)."""
    digests: list[str] = []
    for path in paths:
        try:
            data = Path(path).read_bytes()
        except OSError:
            return None
        digests.append(hashlib.sha256(data).hexdigest())
    return tuple(digests) if digests else None


class ContentMemo(Generic[T]):
    """Values built from files, kept by the files' content (a few at a time, locked)."""

    def __init__(self, kept: int = 4) -> None:
        self.kept = kept
        self._values: dict[ContentKey, T] = {}
        self._lock = threading.Lock()

    def get(self, key: ContentKey | None) -> T | None:
        if key is None:
            return None
        with self._lock:
            return self._values.get(key)

    def remember(self, key: ContentKey | None, value: T) -> T:
        """Keep ``value`` for ``key`` (the oldest entry goes when full); returns ``value``."""
        if key is None:
            return value
        with self._lock:
            self._values.pop(key, None)
            while self._values and len(self._values) >= self.kept:
                self._values.pop(next(iter(self._values)))
            self._values[key] = value
        return value

    def get_or_build(self, paths: Sequence[Path], build: Callable[[], T]) -> T:
        """The value kept for the content of ``paths``, else ``build()`` (kept)."""
        key = content_key(paths)
        found = self.get(key)
        if found is not None:
            return found
        return self.remember(key, build())

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._values)


__all__ = ["ContentKey", "ContentMemo", "content_key"]

"""One index of the project's data files, kept between runs: what a check of one file needs
to know about the 70,000 others without a Python object, a cache row or a hash per file.

:func:`scan` lists ``data/**/*.ttl`` (``os.scandir``, one ``stat`` per file) and compares
each file's size, modification time (ns) and inode with ``<cache>/files.idx``; only a file
that differs, is new, or was written less than :data:`~collabkg.cache.RACY_NS` before it
was last hashed is read and hashed again (as git does with its index: a file rewritten
within the same clock tick keeps its modification time, so a recent hash is never trusted).
Every file is stat-ed on every scan: a folder's modification time says when a file was
added or removed, not when one was edited in place, so it cannot stand in for its files'.

The index is one file: a header with the SHA-256 of the payload, then the payload (the
names joined, the numbers and digests as packed arrays). It is written to a temporary file
and renamed over the old one (atomic); one that is missing, truncated, corrupt or of
another format is ignored and rebuilt from the files (every file hashed once).

:attr:`Listing.total` sums a 128-bit mix of each file's (name, SHA-256): adding, removing or
editing any file changes it, and taking a file out of the sum (the files checked) costs
one subtraction. :mod:`collabkg.validate.warm` compares it with what the cached store holds.
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import marshal
import os
import tempfile
import time
from array import array
from dataclasses import dataclass
from pathlib import Path

from collabkg.cache import RACY_NS

INDEX_NAME = "files.idx"
MAGIC = b"collabkg-file-index 1\n"
MODULUS = 1 << 128
TEMPLATE_NAME = "TEMPLATE.ttl"
KEEP_AFTER = 32
"""The index is rewritten (8 MB at 70,000 files) when more files than this were hashed
again or are gone: until then, those few are hashed again by each scan (a few reads)."""


def mix(name: str, digest: bytes) -> int:
    """The 128-bit mix of one file (its name relative to the root, its SHA-256 digest)."""
    return int.from_bytes(hashlib.sha256(name.encode() + b"\x00" + digest).digest()[:16], "big")


@dataclass
class Stored:
    """The index as read: the files in order (sorted by their parts), each one's size,
    modification time, inode and when it was hashed (packed arrays), its digest and mix."""

    names: list[str]
    sizes: array
    mtimes: array
    inodes: array
    checked: array
    digests: bytes
    mixes: bytes
    total: int

    @classmethod
    def empty(cls) -> Stored:
        return cls([], array("q"), array("q"), array("q"), array("q"), b"", b"", 0)


@dataclass
class Listing:
    """The data files of a project as seen now (see the module docstring)."""

    root: str
    """The resolved project root."""
    names: list[str]
    """Each file relative to the root (``data/cases/x.ttl``), in the order the pipeline
    gives them (sorted by their parts, as ``sorted(Path.rglob)``)."""
    total: int
    """The sum of the mixes of every listed file, modulo 2**128."""
    plain: bool
    """No file or folder under data/ is a link, data/ itself is not one, and every file
    could be read: each file's name shown and graph follow from its relative path."""
    stored: Stored
    """The index the unchanged files' digests come from."""
    fresh: dict[str, tuple[bytes, bytes]]
    """Files hashed by this scan -> (digest, mix as 16 bytes)."""

    @property
    def hashed(self) -> int:
        """How many files were read and hashed by this scan (the others' hashes trusted)."""
        return len(self.fresh)

    def position(self, name: str) -> int | None:
        """Where the file ``name`` is in ``names`` (None: not listed)."""
        return _find(self.names, name)

    def _entry(self, name: str) -> tuple[bytes, bytes] | None:
        if self.position(name) is None:
            return None
        if name in self.fresh:
            return self.fresh[name]
        i = _find(self.stored.names, name)
        if i is None:  # pragma: no cover - a listed file is fresh or in the index
            return None
        return self.stored.digests[32 * i : 32 * i + 32], self.stored.mixes[16 * i : 16 * i + 16]

    def sha256(self, name: str) -> str | None:
        """The hex digest of the file ``name`` (relative to the root), None if not listed."""
        entry = self._entry(name)
        return None if entry is None else entry[0].hex()

    def mix_of(self, name: str) -> int | None:
        entry = self._entry(name)
        return None if entry is None else int.from_bytes(entry[1], "big")


def _parts(name: str) -> list[str]:
    return name.split("/")


def _find(names: list[str], name: str) -> int | None:
    """Binary search of ``names`` (sorted by their parts)."""
    at = bisect.bisect_left(names, name.split("/"), key=_parts)
    return at if at < len(names) and names[at] == name else None


def _read_index(path: Path) -> Stored | None:
    """What the index file holds, or None when it is missing or unusable (then every file
    is hashed again)."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    if not raw.startswith(MAGIC) or len(raw) < len(MAGIC) + 65:
        return None
    checksum = raw[len(MAGIC) : len(MAGIC) + 64]
    payload = raw[len(MAGIC) + 65 :]
    if hashlib.sha256(payload).hexdigest().encode() != checksum:
        return None
    try:
        names_text, sizes_b, mtimes_b, inodes_b, checked_b, digests, mixes, total_text = (
            marshal.loads(payload)
        )
        total = int(total_text)
        names = names_text.split("\n") if names_text else []
        numbers = [array("q") for _ in range(4)]
        for arr, blob in zip(numbers, (sizes_b, mtimes_b, inodes_b, checked_b), strict=True):
            arr.frombytes(blob)
    except Exception:
        return None
    count = len(names)
    if not (isinstance(digests, bytes) and isinstance(mixes, bytes)):
        return None
    if any(len(a) != count for a in numbers) or len(digests) != 32 * count:
        return None
    if len(mixes) != 16 * count:
        return None
    sizes, mtimes, inodes, checked = numbers
    return Stored(names, sizes, mtimes, inodes, checked, digests, mixes, total)


def _write_index(
    path: Path,
    listing: Listing,
    rows: dict[str, tuple[int, int, int, int]],
    where: dict[str, int],
) -> None:
    """Write the index of ``listing`` atomically (a temporary file renamed over the old
    one); ``rows``: (size, mtime_ns, inode, checked_ns) of the files hashed now; ``where``:
    each stored file's place in the old index."""
    stored = listing.stored
    columns = [array("q") for _ in range(4)]
    digests: list[bytes] = []
    mixes: list[bytes] = []
    for name in listing.names:
        row = rows.get(name)
        if row is not None:
            digest, mixed = listing.fresh[name]
        else:
            i = where[name]
            row = (stored.sizes[i], stored.mtimes[i], stored.inodes[i], stored.checked[i])
            digest, mixed = stored.digests[32 * i : 32 * i + 32], stored.mixes[16 * i : 16 * i + 16]
        for column, value in zip(columns, row, strict=True):
            column.append(value)
        digests.append(digest)
        mixes.append(mixed)
    payload = marshal.dumps(
        (
            "\n".join(listing.names),
            *(c.tobytes() for c in columns),
            b"".join(digests),
            b"".join(mixes),
            str(listing.total),
        )
    )
    data = MAGIC + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".files-", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            Path(temporary).replace(path)
        except OSError:
            with contextlib.suppress(OSError):
                Path(temporary).unlink()


def _walk(data: str, root: str) -> tuple[list[tuple[str, os.DirEntry[str]]], bool]:
    """(name relative to root, entry) of every ``*.ttl`` under ``data`` (links to folders
    not followed, as ``rglob``), unsorted; and whether none of them is a link."""
    found: list[tuple[str, os.DirEntry[str]]] = []
    plain = True
    cut = len(root) + 1
    pending = [data]
    while pending:
        here = pending.pop()
        try:
            with os.scandir(here) as entries:
                listed = list(entries)
        except OSError:
            continue
        for entry in listed:
            try:
                name = entry.name
                if name.endswith(".ttl") and entry.is_file(follow_symlinks=False):
                    found.append((entry.path[cut:], entry))  # a file, not a link: most of them
                elif entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                elif entry.is_symlink():
                    plain = False  # a link to a folder is not followed (as rglob)
                    if name.endswith(".ttl") and entry.is_file():
                        found.append((entry.path[cut:], entry))
            except OSError:
                continue
    return found, plain


def scan(root: Path, index: Path | None) -> Listing:
    """The data files of the project at ``root`` (resolved), hashed where the index at
    ``index`` cannot vouch for them; the index is brought up to date (None: no index).

    The index is rewritten only when it would then vouch for more (a file hashed now that
    is old enough to be trusted next time) or when a file it lists is gone (a file hashed
    within :data:`~collabkg.cache.RACY_NS` of its last change is hashed again by
    every scan until then, so keeping it would save nothing)."""
    root_text = str(root)
    folder = root / "data"
    data = str(folder)
    plain = os.path.realpath(data) == data
    found, links_free = _walk(data, root_text) if folder.is_dir() else ([], True)
    plain = plain and links_free
    template = "data/" + TEMPLATE_NAME
    stored = (_read_index(index) if index is not None else None) or Stored.empty()
    where = dict(zip(stored.names, range(len(stored.names)), strict=True))
    sizes, mtimes, inodes, checked = stored.sizes, stored.mtimes, stored.inodes, stored.checked
    now = time.time_ns()
    fresh: dict[str, tuple[bytes, bytes]] = {}
    rows: dict[str, tuple[int, int, int, int]] = {}
    trusted: list[str] = []
    worth_writing = 0  # files hashed now that the index could vouch for next time
    for name, entry in found:
        if name == template:
            if entry.is_symlink():
                plain = False  # the template may be reached through a link: leave it
            continue
        try:
            stat = entry.stat()
        except OSError:
            plain = False
            continue
        i = where.get(name)
        if (
            i is not None
            and sizes[i] == stat.st_size
            and mtimes[i] == stat.st_mtime_ns
            and inodes[i] == stat.st_ino
            and stat.st_mtime_ns < checked[i] - RACY_NS
        ):
            trusted.append(name)
            continue
        try:
            content = Path(entry.path).read_bytes()
        except OSError:
            plain = False
            continue
        digest = hashlib.sha256(content).digest()
        fresh[name] = (digest, mix(name, digest).to_bytes(16, "big"))
        rows[name] = (stat.st_size, stat.st_mtime_ns, stat.st_ino, now)
        worth_writing += stat.st_mtime_ns < now - RACY_NS
    if not fresh and len(trusted) == len(stored.names) and stored.names:
        # nothing changed (the common case): the index as it is, no work per file
        return Listing(root_text, stored.names, stored.total, plain, stored, {})
    # files added, changed or removed: the index's order and sum, corrected
    changed = [n for n in fresh if n in where]
    gone: list[str] = []
    if len(trusted) + len(changed) < len(stored.names):
        vouched = set(trusted)
        gone = [n for n in stored.names if n not in vouched and n not in fresh]
    if not stored.names or len(fresh) + len(gone) > len(stored.names) // 4:
        names = sorted([*trusted, *fresh], key=_parts)
        total = sum(
            int.from_bytes(stored.mixes[16 * where[n] : 16 * where[n] + 16], "big") for n in trusted
        )
    else:  # a few files: each taken out of or put in its place
        total = stored.total
        for name in (*changed, *gone):
            i = where[name]
            total -= int.from_bytes(stored.mixes[16 * i : 16 * i + 16], "big")
        if gone:
            dropped = set(gone)
            names = [n for n in stored.names if n not in dropped]
        else:
            names = list(stored.names)
        for name in fresh:
            if name not in where:
                bisect.insort(names, name, key=_parts)
    total += sum(int.from_bytes(m, "big") for _d, m in fresh.values())
    listing = Listing(root_text, names, total % MODULUS, plain, stored, fresh)
    if index is not None and (
        not stored.names or worth_writing > KEEP_AFTER or len(gone) > KEEP_AFTER
    ):
        _write_index(index, listing, rows, where)
    return listing


__all__ = ["INDEX_NAME", "MODULUS", "Listing", "mix", "scan"]

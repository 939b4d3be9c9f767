"""An on-disk cache keyed by content: what was learnt about a file is kept by its sha256.

Everything lives under ``<project>/.collabkg-cache/`` (git-ignored; delete it at any time, it
is rebuilt on demand; ``COLLABKG_CACHE_DIR`` moves it, ``COLLABKG_NO_CACHE=1`` turns it off):

- ``cache.sqlite`` — the sha256 of each file (with its size and modification time, so an
  unchanged file is not read again to be hashed), and entries keyed by a hash of (content,
  what was asked, the validator's code version): the syntax check of a file, the
  validation report of a whole set of files;
- ``store/`` — a persistent Oxigraph store mirroring the graph's files, so that checking one
  file against a large graph does not load the whole graph again (see
  :mod:`collabkg.validate.store`); ``store.lock`` serialises its users;
- ``answers/`` — the canned listings' answers by content (:mod:`collabkg.answers`);
- ``explorer-index/`` — the explorer's index by content
  (:mod:`collabkg.explorer.kept_index`);
- ``triple-count/`` — the graph's count of distinct triples by content
  (:mod:`collabkg.kept_count`).

Nothing is trusted beyond its key: the key of an entry includes the code version (the
sources of the validator and the versions of pyoxigraph, rdflib and pySHACL), so changing
the code or the shapes invalidates what depends on them.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import pickle
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

CACHE_DIR_NAME = ".collabkg-cache"
ENV_CACHE_DIR = "COLLABKG_CACHE_DIR"
ENV_NO_CACHE = "COLLABKG_NO_CACHE"

RACY_NS = 2_000_000_000
"""Files modified less than two seconds before they were hashed are hashed again."""
_CODE_VERSION: str | None = None
FEW_PATHS = 500
"""The hashes of at most this many files are looked up by name, not by reading the table."""
_CODE_FILES = (
    "cache.py",
    "errors.py",
    "file_index.py",
    "kept_files.py",
    "labels.py",
    "mentions.py",
    "ontology.py",
    "parse_once.py",
    "paths.py",
    "progress.py",
    "rdfterms.py",
    "shacl_sparql.py",
    "sources.py",
    "sparql_text.py",
    "terms.py",
    "vocabularies.py",
    "xsd.py",
)
"""Besides the packages in _CODE_PACKAGES, the modules whose code decides what a validation
reports."""
_CODE_PACKAGES = ("validate", "reasoning")
"""Packages whose every module decides what a validation reports (rules, HermiT's use)."""
_LOCK = threading.Lock()


def code_files() -> list[Path]:
    """The source files whose code decides what a validation reports (every module of the
    validator, rules included, and the modules it relies on)."""
    package = Path(__file__).resolve().parent
    return sorted(
        [
            *(package / name for name in _CODE_FILES),
            *(path for folder in _CODE_PACKAGES for path in (package / folder).rglob("*.py")),
        ],
        key=lambda p: p.as_posix(),
    )


def code_version() -> str:
    """A hash of everything a cached result depends on besides its input files."""
    global _CODE_VERSION
    if _CODE_VERSION is None:
        import pyoxigraph
        import rdflib

        digest = hashlib.sha256()
        package = Path(__file__).resolve().parent
        for path in code_files():
            if path.is_file():
                digest.update(path.relative_to(package).as_posix().encode())
                digest.update(path.read_bytes())
        try:
            from importlib.metadata import version

            pyshacl_version = version("pyshacl")
        except Exception:  # pragma: no cover - not installed
            pyshacl_version = "-"
        digest.update(f"{pyoxigraph.__version__}|{rdflib.__version__}|{pyshacl_version}".encode())
        _CODE_VERSION = digest.hexdigest()[:16]
    return _CODE_VERSION


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def key_of(*parts: object) -> str:
    """A cache key from strings and bytes (order matters)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else str(part).encode())
        digest.update(b"\x00")
    return digest.hexdigest()


def cache_dir(root: Path) -> Path | None:
    """Where the cache of the project at ``root`` lives (None when caching is off)."""
    if os.environ.get(ENV_NO_CACHE, "").strip() not in ("", "0"):
        return None
    configured = os.environ.get(ENV_CACHE_DIR, "").strip()
    return Path(configured).expanduser() if configured else root / CACHE_DIR_NAME


_SEEN: dict[str, dict[str, tuple[int, int, int, str, int]]] = {}
_HELD = threading.local()
"""``folders``: the cache folders whose store lock this thread holds."""
_SCANS = threading.local()
"""``by_folder``: cache folder -> the files' states seen by this thread's current
:meth:`Cache.one_scan` (absolute path as given -> FileState)."""
"""The hash rows :meth:`Cache.states` read or wrote in this process: cache folder ->
absolute path -> (size, mtime_ns, inode, sha256, when hashed)."""


def _trusted(row: tuple[int, int, int, str, int] | None, stat: os.stat_result) -> bool:
    """Whether the hash in ``row`` holds for the file as ``stat`` sees it now: the same
    size, modification time and inode, and hashed when the file was already older than
    :data:`RACY_NS`."""
    return (
        row is not None
        and row[:3] == (stat.st_size, stat.st_mtime_ns, stat.st_ino)
        and stat.st_mtime_ns < row[4] - RACY_NS
    )


@dataclass(frozen=True)
class FileState:
    """A file as seen now: its content hash, and its bytes when they had to be read."""

    path: Path
    sha256: str
    data: bytes | None = None

    def read(self) -> bytes:
        return self.data if self.data is not None else self.path.read_bytes()


class Cache:
    """The cache of one project (see the module docstring); safe across processes."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# collabkg's cache: safe to delete\n*\n", encoding="utf-8")
        self._db = sqlite3.connect(folder / "cache.sqlite", timeout=60, check_same_thread=False)
        with contextlib.suppress(sqlite3.OperationalError):
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS hashes (path TEXT PRIMARY KEY, size INTEGER, "
            "mtime INTEGER, inode INTEGER, sha256 TEXT, checked INTEGER)"
        )
        self._db.execute("CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value BLOB)")
        self._db.commit()

    @classmethod
    def open(cls, root: Path) -> Cache | None:
        folder = cache_dir(root)
        if folder is None:
            return None
        try:
            return cls(folder)
        except (OSError, sqlite3.Error):
            return None  # a read-only checkout: work without a cache

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.close()

    # ------------------------------------------------------------------ file hashes

    @contextlib.contextmanager
    def one_scan(self) -> Iterator[None]:
        """Within it (one command's validation, in this thread), each file is looked at
        once: :meth:`states` answers a file it answered before from that answer, without
        ``stat``-ing it again (one command asked about the same 7,000 files three times).
        What the command works out then rests on one view of the files; a file edited
        meanwhile is seen by the next command (its hash differs from the one recorded)."""
        scans: dict[str, dict[str, FileState]] | None = getattr(_SCANS, "by_folder", None)
        if scans is None:
            scans = _SCANS.by_folder = {}
        folder = str(self.folder)
        if folder in scans:  # nested: the outer scan goes on
            yield
            return
        scans[folder] = {}
        try:
            yield
        finally:
            del scans[folder]

    def states(self, paths: Iterable[Path]) -> list[FileState]:
        """The sha256 of each file, read only when its size or modification time changed
        (inside :meth:`one_scan`, a file already looked at is not looked at again).

        As git does with its index, a hash is trusted only for a file that was already
        older than :data:`RACY_NS` when it was hashed: a file written again within the
        same clock tick keeps its modification time, and would otherwise look unchanged.

        The rows read or written are also kept in this process (:data:`_SEEN`, by this
        cache's folder and the file's absolute path), under the same rule: one command
        asks about the same 7,000 files several times (the report's key, the base's,
        the pipeline's reads), and reading the whole table each time cost more than
        ``stat``-ing them."""
        paths = list(paths)
        scan = getattr(_SCANS, "by_folder", {}).get(str(self.folder))
        if scan is not None:
            names = [str(path) for path in paths]
            todo = list(
                {
                    name: path for name, path in zip(names, paths, strict=True) if name not in scan
                }.values()
            )
            for path, state in zip(todo, self._states(todo), strict=True):
                scan[str(path)] = state
            return [scan[name] for name in names]
        return self._states(paths)

    def _states(self, paths: list[Path]) -> list[FileState]:
        if not paths:
            return []
        seen_here = _SEEN.setdefault(str(self.folder), {})
        now = time.time_ns()
        stats: list[os.stat_result | None] = []
        missing: list[str] = []
        for path in paths:
            try:
                stat = path.stat()
            except OSError:
                stats.append(None)
                continue
            stats.append(stat)
            name = str(path)
            if not _trusted(seen_here.get(name), stat):
                missing.append(name)
        known: dict[str, tuple[int, int, int, str, int]] = {}
        if missing:
            columns = "SELECT path, size, mtime, inode, sha256, checked FROM hashes"
            with _LOCK:
                if len(missing) <= FEW_PATHS:  # e.g. the ontology's files: not the whole table
                    rows = self._db.execute(
                        f"{columns} WHERE path IN ({','.join('?' * len(missing))})", missing
                    ).fetchall()
                else:
                    rows = self._db.execute(columns).fetchall()
                known = {row[0]: row[1:] for row in rows}
        out: list[FileState] = []
        changed: list[tuple[str, int, int, int, str, int]] = []
        for path, now_stat in zip(paths, stats, strict=True):
            if now_stat is None:
                out.append(FileState(path, ""))
                continue
            name = str(path)
            row = seen_here.get(name)
            if not _trusted(row, now_stat):
                row = known.get(name)
            if row is not None and _trusted(row, now_stat):
                if path.is_absolute():
                    seen_here[name] = row
                out.append(FileState(path, row[3]))
                continue
            try:
                data = path.read_bytes()
            except OSError:
                out.append(FileState(path, ""))
                continue
            digest = sha256(data)
            out.append(FileState(path, digest, data))
            row = (now_stat.st_size, now_stat.st_mtime_ns, now_stat.st_ino, digest, now)
            changed.append((name, *row))
            if path.is_absolute():
                seen_here[name] = row
        if changed:
            with _LOCK, contextlib.suppress(sqlite3.Error):
                self._db.executemany(
                    "INSERT OR REPLACE INTO hashes VALUES (?, ?, ?, ?, ?, ?)", changed
                )
                self._db.commit()
        return out

    # ------------------------------------------------------------------ entries

    def get(self, key: str) -> object | None:
        with _LOCK:
            try:
                row = self._db.execute("SELECT value FROM entries WHERE key = ?", (key,)).fetchone()
            except sqlite3.Error:
                return None
        if row is None:
            return None
        try:
            return pickle.loads(row[0])
        except Exception:
            return None

    def get_raw(self, key: str) -> bytes | None:
        """The stored bytes of an entry (not unpickled), or None."""
        with _LOCK:
            try:
                row = self._db.execute("SELECT value FROM entries WHERE key = ?", (key,)).fetchone()
            except sqlite3.Error:
                return None
        return bytes(row[0]) if row is not None else None

    def _rows_for(self, columns: str, keys: Iterable[str]) -> Iterator[tuple[object, ...]]:
        """Rows (``columns``) of the entries among ``keys``, 500 keys a statement; stops at
        the first database error. The caller holds ``_LOCK``."""
        keys = list(keys)
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            try:
                rows = self._db.execute(
                    f"SELECT {columns} FROM entries WHERE key IN ({marks})", chunk
                ).fetchall()
            except sqlite3.Error:
                return
            yield from rows

    def get_many(self, keys: Iterable[str]) -> dict[str, object]:
        found: dict[str, object] = {}
        with _LOCK:
            for key, value in self._rows_for("key, value", keys):
                with contextlib.suppress(Exception):
                    found[str(key)] = pickle.loads(value)  # type: ignore[arg-type]
        return found

    def has_many(self, keys: Iterable[str]) -> set[str]:
        """Which of ``keys`` have an entry (their values are not read)."""
        with _LOCK:
            return {str(row[0]) for row in self._rows_for("key", keys)}

    def discard(self, keys: Iterable[str]) -> None:
        """Remove the entries of ``keys`` (e.g. one that can no longer be read)."""
        rows = [(key,) for key in keys]
        with _LOCK, contextlib.suppress(sqlite3.Error):
            self._db.executemany("DELETE FROM entries WHERE key = ?", rows)
            self._db.commit()

    def put(self, key: str, value: object) -> None:
        self.put_many([(key, value)])

    def put_many(self, items: Iterable[tuple[str, object]]) -> None:
        rows = [(k, pickle.dumps(v, protocol=pickle.HIGHEST_PROTOCOL)) for k, v in items]
        if not rows:
            return
        with _LOCK, contextlib.suppress(sqlite3.Error):
            self._db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?)", rows)
            self._db.commit()

    # ------------------------------------------------------------------ the persistent store

    @property
    def store_path(self) -> Path:
        return self.folder / "store"

    @contextlib.contextmanager
    def store_lock(self) -> Iterator[None]:
        """Hold the store for this process (other collabkg processes wait). Taken again
        in the same thread while held (by another :class:`Cache` of the same folder), it
        is already held: the outer holder releases it."""
        held: dict[str, int] | None = getattr(_HELD, "folders", None)
        if held is None:
            held = _HELD.folders = {}
        folder = str(self.folder)
        if held.get(folder):
            yield
            return
        with (self.folder / "store.lock").open("a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            held[folder] = 1
            try:
                yield
            finally:
                held.pop(folder, None)
                fcntl.flock(handle, fcntl.LOCK_UN)


__all__ = [
    "CACHE_DIR_NAME",
    "ENV_CACHE_DIR",
    "ENV_NO_CACHE",
    "Cache",
    "FileState",
    "cache_dir",
    "code_version",
    "key_of",
    "sha256",
]

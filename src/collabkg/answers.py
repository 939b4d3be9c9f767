"""Answers kept on disk by content: a listing's ordered answer, read a page at a time.

A long listing (10,000 rows at 1M triples) costs the engine 100-600 ms to compute, every
time it is asked, in every process; a person looks at its first 100 rows. So the answer,
once computed, is kept under ``<cache>/answers/`` (see :mod:`collabkg.cache`), keyed by
(the query text, its parameters, the content of the files the graph was loaded from and,
for a query that reads ``NOW()``, today's date): a later ask, in this process or another,
reads the rows it shows and no others.

One file per answer, written to a temporary file and renamed over the old one (atomic: a
reader sees the old file or the new one, never half of one)::

    MAGIC                      b"collabkg-answer 2\\n"
    header length, crc32       two unsigned 32-bit integers (little-endian)
    header                     JSON: names, rows, blocks, iri_variables, key, items
    index crc32                an unsigned 32-bit integer
    index                      blocks + 1 unsigned 64-bit block offsets (from the body's
                               start), blocks unsigned 32-bit crc32s, blocks + 1 unsigned
                               64-bit row numbers (where each block starts; the last: rows)
    item column                optional (header ``items``: its column, length and crc32):
                               the ``zlib`` of the ``marshal`` of the list of that column's
                               IRIs, one per row (None where it holds none)
    body                       the blocks: each the ``zlib`` of the ``marshal`` of a list of
                               rows (about BLOCK_ROWS; a block an update rewrote may hold
                               more or fewer)

Blocks may hold different numbers of rows so that an update of a few items
(:mod:`collabkg.answer_update`) copies the blocks it does not touch as they are, and the item
column tells it which rows are an item's without decoding every block.

A row is a tuple with one entry per variable: ``None`` (unbound), ``(0, iri)``,
``(1, lexical form, datatype IRI)`` or ``(2, lexical form, language)`` — the engine's terms
as they came, turned into rdflib terms by :func:`collabkg.rdfterms.to_rdflib` only when a row
is read. Rows ``[a, b)`` are read by seeking to the blocks that hold them; each block read is
checked against its crc32, the header and the block index against theirs. A file that is
missing, short, of another format, of another key or damaged anywhere a read touches is
:class:`AnswerDamaged`: the caller computes the answer again and writes it again; a damaged
answer is never served. An answer holding a blank node is not kept (a blank node's name
belongs to one load of the store).
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import functools
import hashlib
import itertools
import json
import marshal
import os
import re
import struct
import tempfile
import threading
import time
import zlib
from array import array
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, NamedTuple, overload

import pyoxigraph as ox
from rdflib.term import Node

from collabkg.backends.base import Row, convert_row
from collabkg.cache import cache_dir, key_of, sha256
from collabkg.errors import AnswerDamaged
from collabkg.file_index import INDEX_NAME, Listing, scan
from collabkg.paths import ProjectPaths
from collabkg.rdfterms import to_rdflib

MAGIC = b"collabkg-answer 2\n"
FOLDER = "answers"
SUFFIX = ".answer"
BLOCK_ROWS = 100
"""Rows per block as written afresh: a page of 100 rows reads one or two blocks."""
MAX_BLOCK_ROWS = 2 * BLOCK_ROWS
"""A block an update rewrote holds at most this many rows (more: split)."""
_FIXED = struct.Struct("<II")
_KEPT_BLOCKS = 64
"""Decoded blocks kept per open answer (a download reads each once, in order)."""

Encoded = tuple[object, ...] | None


def encode_term(term: object) -> Encoded:
    """One engine term as stored; raises :class:`ValueError` for a blank node."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return (0, term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return (2, term.value, term.language)
        return (1, term.value, term.datatype.value)
    raise ValueError(f"a {type(term).__name__} cannot be kept")


def decode_term(value: Encoded) -> Node | None:
    if value is None:
        return None
    kind = value[0]
    if kind == 0:
        return to_rdflib(ox.NamedNode(str(value[1])))
    if kind == 1:
        return to_rdflib(ox.Literal(str(value[1]), datatype=ox.NamedNode(str(value[2]))))
    return to_rdflib(ox.Literal(str(value[1]), language=str(value[2])))


def answer_path(folder: Path, key: str, content: str) -> Path:
    """Where the answer ``key`` of the data ``content`` is kept (named after both, so that
    :func:`prune` can tell the answers of other contents)."""
    return folder / FOLDER / f"{content[:16]}-{key}{SUFFIX}"


KEPT_BYTES = 512 * 1024 * 1024
"""At most this much is kept under answers/ (about 20 MB of answers at 1M triples, 60 MB at
3M): beyond it the answers of other contents go first, then the oldest."""


def prune(folder: Path, content: str, limit: int = KEPT_BYTES) -> list[Path]:
    """Remove kept answers until those left take at most ``limit`` bytes: first those of
    other contents (files since edited), oldest first, then this content's, oldest first;
    also temporary files left by a process that stopped while writing (older than an hour),
    and the list of files of a content none of whose answers is left.
    Returns what was removed. A file another process still reads stays readable to it."""
    where = folder / FOLDER
    try:
        entries = list(os.scandir(where))
    except OSError:
        return []
    prefix = f"{content[:16]}-"
    now = time.time()
    found: list[tuple[bool, float, int, Path]] = []
    removed: list[Path] = []
    for entry in entries:
        try:
            stat = entry.stat()
        except OSError:
            continue
        if entry.name.endswith(".tmp") and now - stat.st_mtime > 3600:
            with contextlib.suppress(OSError):
                Path(entry.path).unlink()
                removed.append(Path(entry.path))
            continue
        if entry.name.endswith(SUFFIX):
            found.append(
                (entry.name.startswith(prefix), stat.st_mtime, stat.st_size, Path(entry.path))
            )
    total = sum(size for _c, _m, size, _p in found)
    for _current, _mtime, size, path in sorted(found):  # other contents first, oldest first
        if total <= limit:
            break
        with contextlib.suppress(OSError):
            path.unlink()
            removed.append(path)
        total -= size
    # what a content was made of goes with its last answer
    left = {path.name[:16] for _c, _m, _s, path in found if path not in removed}
    left.add(content[:16])
    for entry in entries:
        if entry.name.endswith(MANIFEST) and entry.name[:16] not in left:
            with contextlib.suppress(OSError):
                Path(entry.path).unlink()
                removed.append(Path(entry.path))
    return removed


_NOW = re.compile(r"\bNOW\s*\(", re.IGNORECASE)
_CODE = ("answers.py", "rdfterms.py", "backends/embedded.py", "backends/base.py")
_CODE_DIGEST: str | None = None


def _code_digest() -> str:
    """What an answer depends on besides the data and the question: the engine's version
    and the code that runs the query and keeps its rows."""
    global _CODE_DIGEST
    if _CODE_DIGEST is None:
        package = Path(__file__).resolve().parent
        digest = hashlib.sha256(ox.__version__.encode())
        for name in _CODE:
            digest.update(b"\x00" + (package / name).read_bytes())
        _CODE_DIGEST = digest.hexdigest()
    return _CODE_DIGEST


def answer_key(
    query: str, bindings: Mapping[str, Node], content: str, today: dt.date | None = None
) -> str:
    """The key of a kept answer: the query text, its parameters, the content identity of
    the data (:func:`content_identity`), and today's date (UTC) when the query reads
    ``NOW()`` (an answer that compares dates with today changes at midnight)."""
    parameters = sorted((name, term.n3()) for name, term in bindings.items())
    day = ""
    if _NOW.search(query):
        day = (today or dt.datetime.now(dt.UTC).date()).isoformat()
    return key_of("collabkg-answer", MAGIC, _code_digest(), query, parameters, content, day)


@dataclass(frozen=True)
class Content:
    """What the graph was loaded from: its identity, and what it is made of (to tell which
    files changed between two contents: :mod:`collabkg.answer_update`)."""

    identity: str
    listing: Listing
    others: tuple[tuple[str, str], ...]
    """The ontology and concept files: (path, SHA-256)."""

    @functools.cached_property
    def files(self) -> dict[str, str]:
        """Each data file (``data/...``) and its SHA-256 (from the index as read and the files
        hashed by the scan: no lookup per file)."""
        stored = self.listing.stored
        known = dict(zip(stored.names, range(len(stored.names)), strict=True))
        found: dict[str, str] = {}
        for name in self.listing.names:
            fresh = self.listing.fresh.get(name)
            if fresh is not None:
                found[name] = fresh[0].hex()
            elif (at := known.get(name)) is not None:
                found[name] = stored.digests[32 * at : 32 * at + 32].hex()
            else:  # pragma: no cover - a listed file is fresh or in the index
                found[name] = ""
        return found


def content_identity(project: ProjectPaths, files: Sequence[Path]) -> str | None:
    """An identity of the content of ``files`` (the project's graph files): it changes when
    any of them is edited, added or removed (see :func:`content_of`)."""
    found = content_of(project, files)
    return None if found is None else found.identity


def content_of(project: ProjectPaths, files: Sequence[Path]) -> Content | None:
    """The content of ``files`` (the project's graph files) and its identity. The data files
    are read through the file index (:func:`collabkg.file_index.scan`: one ``stat`` each, a
    file hashed only when it changed), the ontology and concept files are hashed. None when
    it cannot be told (the cache is off, ``data/`` holds links, a file could not be read, or
    ``files`` is not the project's own file set): then no answer is kept on disk."""
    folder = cache_dir(project.root)
    if folder is None:
        return None
    try:
        listing = scan(project.root.resolve(), folder / INDEX_NAME)
    except OSError:
        return None
    if not listing.plain:
        return None
    data = project.data.as_posix().rstrip("/") + "/"
    others: list[tuple[str, str]] = []
    data_files: list[str] = []
    try:
        for path in files:
            text = path.as_posix()
            if text.startswith(data):
                data_files.append("data/" + text[len(data) :])
                continue
            others.append((text, sha256(path.read_bytes())))
    except OSError:
        return None
    if data_files != listing.names and sorted(data_files) != sorted(listing.names):
        return None  # not the files the index lists: no identity to trust
    identity = key_of("content", listing.total, *(part for pair in others for part in pair))
    return Content(identity, listing, tuple(others))


# ---------------------------------------------------------------- what a content was made of

MANIFEST = ".files"
LATEST = ".latest"


def write_manifest(folder: Path, content: Content) -> None:
    """Keep what ``content`` is made of beside its answers (once per content), so that a
    later content can tell which files changed since. OSError is the caller's to ignore."""
    path = folder / FOLDER / f"{content.identity[:16]}{MANIFEST}"
    if path.is_file():
        return
    body = json.dumps([content.identity, content.files, [list(o) for o in content.others]])
    write_atomically(path, zlib.compress(body.encode(), 1))


def read_manifest(
    folder: Path, identity: str
) -> tuple[dict[str, str], tuple[tuple[str, str], ...]] | None:
    """The data files (name -> SHA-256) and the other files of the content ``identity``."""
    path = folder / FOLDER / f"{identity[:16]}{MANIFEST}"
    try:
        kept, files, others = json.loads(zlib.decompress(path.read_bytes()))
    except (OSError, ValueError, zlib.error, TypeError):
        return None
    if kept != identity or not isinstance(files, dict):
        return None
    return files, tuple((str(a), str(b)) for a, b in others)


def question_key(query: str, bindings: Mapping[str, Node]) -> str:
    """What names a question whatever the content (its text, parameters and day)."""
    return answer_key(query, bindings, "")


class Latest(NamedTuple):
    """The latest answer kept or read for a question: its content, its key, and how long it
    took to compute afresh (None: not known)."""

    identity: str
    key: str
    seconds: float | None


def remember_latest(
    folder: Path, question: str, identity: str, key: str, seconds: float | None
) -> None:
    """Note that the latest answer of ``question`` is ``key`` of content ``identity``, which
    took ``seconds`` to compute afresh."""
    path = folder / FOLDER / f"{question}{LATEST}"
    write_atomically(path, json.dumps([identity, key, seconds]).encode())


def latest(folder: Path, question: str) -> Latest | None:
    """The latest answer noted for ``question``, if any."""
    try:
        identity, key, seconds = json.loads((folder / FOLDER / f"{question}{LATEST}").read_bytes())
    except (OSError, ValueError, TypeError):
        return None
    return Latest(str(identity), str(key), float(seconds) if seconds is not None else None)


def write_atomically(path: Path, *parts: bytes) -> None:
    """Write ``parts`` to a temporary file beside ``path``, then rename it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            for part in parts:
                out.write(part)
        Path(temporary).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(temporary).unlink()
        raise


def newest(where: Path, suffix: str) -> list[Path]:
    """The files under ``where`` whose names end in ``suffix``, newest first (none when the
    folder cannot be read)."""
    try:
        entries = [e for e in os.scandir(where) if e.name.endswith(suffix)]
    except OSError:
        return []
    found = []
    for entry in entries:
        with contextlib.suppress(OSError):
            found.append((entry.stat().st_mtime_ns, Path(entry.path)))
    return [path for _mtime, path in sorted(found, reverse=True)]


def keep_newest(where: Path, suffix: str, keep: int) -> None:
    """Remove all but the ``keep`` newest files of :func:`newest` (one still read by another
    process stays readable to it)."""
    for old in newest(where, suffix)[keep:]:
        with contextlib.suppress(OSError):
            old.unlink()


_COUNTS = re.compile(r"^#\+\s*counts:\s*\{\s*variable:\s*\??(\w+)", re.MULTILINE)


def counted_variable(query: str) -> str | None:
    """The variable a canned query's rows are about, as its metadata names it
    (``#+ counts: {variable: ...}``); None when it names none."""
    found = _COUNTS.search(query)
    return found.group(1) if found else None


def write_answer(
    path: Path,
    key: str,
    names: Sequence[str],
    values: Sequence[tuple[object, ...]],
    iri_variables: Sequence[str],
    item_column: str | None = None,
) -> bool:
    """Keep an answer (the engine's terms, in the answer's order) at ``path``, atomically;
    ``item_column``: the column whose IRIs are kept apart too (see :func:`write_encoded`).

    Returns False, writing nothing, when the answer holds a term that cannot be kept (a
    blank node). An OSError (a full disk, a read-only cache) is the caller's to ignore."""
    rows = encode_rows(values)
    if rows is None:
        return False
    write_encoded(path, key, names, rows, iri_variables, item_column)
    return True


def encode_rows(values: Sequence[tuple[object, ...]]) -> list[tuple[Encoded, ...]] | None:
    """The engine's rows as stored; None when one holds a term that cannot be kept."""
    try:
        return [tuple(encode_term(v) for v in row) for row in values]
    except ValueError:
        return None


Block = tuple[bytes, int, int]
"""A block as stored: its bytes, their crc32 and how many rows it holds."""


def encode_block(rows: Sequence[tuple[Encoded, ...]]) -> Block:
    data = zlib.compress(marshal.dumps(list(rows)), 1)
    return data, zlib.crc32(data), len(rows)


def item_of(term: Encoded) -> str | None:
    """The IRI an encoded term is (None: unbound or a literal)."""
    return str(term[1]) if term is not None and term[0] == 0 else None


def write_encoded(
    path: Path,
    key: str,
    names: Sequence[str],
    rows: Sequence[tuple[Encoded, ...]],
    iri_variables: Sequence[str],
    item_column: str | None = None,
) -> None:
    """Keep an answer whose rows are encoded already (:func:`encode_term`), atomically;
    with ``item_column`` (one of ``names``) that column's IRIs are kept apart too."""
    blocks = [
        encode_block(rows[start : start + BLOCK_ROWS]) for start in range(0, len(rows), BLOCK_ROWS)
    ]
    items = None
    if item_column is not None and item_column in names:
        at = list(names).index(item_column)
        items = (item_column, [item_of(row[at]) for row in rows])
    write_blocks(path, key, names, blocks, iri_variables, items)


def write_blocks(
    path: Path,
    key: str,
    names: Sequence[str],
    blocks: Sequence[Block],
    iri_variables: Sequence[str],
    items: tuple[str, Sequence[str | None]] | None = None,
) -> None:
    """Keep an answer made of ``blocks`` (:func:`encode_block`, or copied from a kept answer
    by :meth:`KeptAnswer.raw_block`) and, optionally, its item column, atomically."""
    offsets = array("Q", [0])
    starts = array("Q", [0])
    for data, _crc, count in blocks:
        if count < 1:
            raise ValueError("an empty block")
        offsets.append(offsets[-1] + len(data))
        starts.append(starts[-1] + count)
    crcs = array("I", [crc for _data, crc, _count in blocks])
    column = b""
    described = None
    if items is not None:
        if len(items[1]) != starts[-1]:
            raise ValueError("an item column of another length than the answer")
        column = zlib.compress(marshal.dumps(list(items[1])), 1)
        described = {"column": items[0], "length": len(column), "crc": zlib.crc32(column)}
    header = json.dumps(
        {
            "key": key,
            "names": list(names),
            "rows": starts[-1],
            "blocks": len(blocks),
            "iri_variables": list(iri_variables),
            "items": described,
        }
    ).encode()
    index = offsets.tobytes() + crcs.tobytes() + starts.tobytes()
    write_atomically(
        path,
        MAGIC,
        _FIXED.pack(len(header), zlib.crc32(header)),
        header,
        struct.pack("<I", zlib.crc32(index)),
        index,
        column,
        *(data for data, _crc, _count in blocks),
    )


class KeptAnswer(Sequence[Row]):
    """A kept answer, opened: its rows read from disk (a block at a time) and turned into
    rdflib terms only when read. Opening reads the header and the block index only."""

    def __init__(self, path: Path, key: str) -> None:
        self.path = path
        try:
            self._file: BinaryIO = path.open("rb")
        except OSError as exc:
            raise AnswerDamaged(f"{path.name}: {exc.strerror}") from None
        try:
            self._open(key)
        except BaseException:
            self._file.close()
            raise
        self._blocks: dict[int, list[tuple[Encoded, ...]]] = {}
        self._lock = threading.Lock()
        self._converted: dict[Encoded, Node | None] = {}

    def _read_exactly(self, size: int) -> bytes:
        data = self._file.read(size)
        if len(data) != size:
            raise AnswerDamaged(f"{self.path.name}: shorter than its header says")
        return data

    def _open(self, key: str) -> None:
        if self._file.read(len(MAGIC)) != MAGIC:
            raise AnswerDamaged(f"{self.path.name}: not a kept answer of this format")
        size, crc = _FIXED.unpack(self._read_exactly(_FIXED.size))
        raw = self._read_exactly(size)
        if zlib.crc32(raw) != crc:
            raise AnswerDamaged(f"{self.path.name}: its header is damaged")
        try:
            header = json.loads(raw)
            self.names: list[str] = [str(n) for n in header["names"]]
            self.rows = int(header["rows"])
            blocks = int(header["blocks"])
            self._iri_variables = [str(n) for n in header["iri_variables"]]
            kept_key = str(header["key"])
            items = header["items"]
            self._items: tuple[str, int, int] | None = (
                None
                if items is None
                else (str(items["column"]), int(items["length"]), int(items["crc"]))
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise AnswerDamaged(f"{self.path.name}: its header is damaged ({exc})") from None
        if kept_key != key:
            raise AnswerDamaged(f"{self.path.name}: kept for another question")
        if blocks < 0 or self.rows < 0 or (self._items is not None and self._items[1] < 0):
            raise AnswerDamaged(f"{self.path.name}: its header is damaged")
        (index_crc,) = struct.unpack("<I", self._read_exactly(4))
        index = self._read_exactly(8 * (blocks + 1) + 4 * blocks + 8 * (blocks + 1))
        if zlib.crc32(index) != index_crc:
            raise AnswerDamaged(f"{self.path.name}: its block index is damaged")
        self._offsets = array("Q")
        self._offsets.frombytes(index[: 8 * (blocks + 1)])
        self._crcs = array("I")
        self._crcs.frombytes(index[8 * (blocks + 1) : 8 * (blocks + 1) + 4 * blocks])
        self._starts = array("Q")
        self._starts.frombytes(index[8 * (blocks + 1) + 4 * blocks :])
        if self._starts[0] != 0 or self._starts[-1] != self.rows:
            raise AnswerDamaged(f"{self.path.name}: its block index is damaged")
        if any(b <= a for a, b in itertools.pairwise(self._starts)):
            raise AnswerDamaged(f"{self.path.name}: its block index is damaged")
        self._items_at = self._file.tell()
        self._body = self._items_at + (self._items[1] if self._items is not None else 0)

    def close(self) -> None:
        self._file.close()

    @property
    def blocks(self) -> int:
        return len(self._crcs)

    def block_rows(self, number: int) -> tuple[int, int]:
        """The rows ``[start, stop)`` block ``number`` holds."""
        return self._starts[number], self._starts[number + 1]

    def raw_block(self, number: int) -> Block:
        """Block ``number`` as stored (checked against its crc32): to copy it as it is."""
        start, end = self._offsets[number], self._offsets[number + 1]
        # pread: no shared file position, so threads (the explorer's) may read at once
        data = os.pread(self._file.fileno(), end - start, self._body + start)
        if len(data) != end - start:
            raise AnswerDamaged(f"{self.path.name}: shorter than its header says")
        if zlib.crc32(data) != self._crcs[number]:
            raise AnswerDamaged(f"{self.path.name}: block {number} is damaged")
        return data, self._crcs[number], self._starts[number + 1] - self._starts[number]

    def item_column(self) -> tuple[str, list[str | None]] | None:
        """The column whose IRIs were kept apart, and those IRIs, one per row (None: none
        kept); AnswerDamaged if they fail their check."""
        if self._items is None:
            return None
        name, length, crc = self._items
        data = os.pread(self._file.fileno(), length, self._items_at)
        if len(data) != length or zlib.crc32(data) != crc:
            raise AnswerDamaged(f"{self.path.name}: its item column is damaged")
        try:
            items = marshal.loads(zlib.decompress(data))
        except (ValueError, EOFError, TypeError, zlib.error) as exc:  # pragma: no cover
            raise AnswerDamaged(f"{self.path.name}: its item column: {exc}") from None
        if not isinstance(items, list) or len(items) != self.rows:
            raise AnswerDamaged(f"{self.path.name}: its item column is damaged")
        return name, items

    def _block(self, number: int) -> list[tuple[Encoded, ...]]:
        block = self._blocks.get(number)
        if block is not None:
            return block
        data, _crc, expected = self.raw_block(number)
        try:
            block = marshal.loads(zlib.decompress(data))
        except (ValueError, EOFError, TypeError, zlib.error) as exc:  # pragma: no cover
            raise AnswerDamaged(f"{self.path.name}: block {number}: {exc}") from None
        if not isinstance(block, list) or len(block) != expected:
            raise AnswerDamaged(f"{self.path.name}: block {number} is damaged")
        with self._lock:
            if len(self._blocks) >= _KEPT_BLOCKS:
                self._blocks.pop(next(iter(self._blocks)), None)
            self._blocks[number] = block
        return block

    def _row(self, encoded: tuple[Encoded, ...]) -> Row:
        return convert_row(self.names, encoded, self._converted, decode_term)

    def encoded(self, start: int, stop: int) -> list[tuple[Encoded, ...]]:
        """Rows ``[start, stop)`` as stored (clamped to the answer)."""
        start, stop = max(0, start), min(stop, self.rows)
        out: list[tuple[Encoded, ...]] = []
        if start >= stop:
            return out
        number = bisect.bisect_right(self._starts, start) - 1
        while number < self.blocks and self._starts[number] < stop:
            block = self._block(number)
            first = self._starts[number]
            out += block[max(start - first, 0) : stop - first]
            number += 1
        return out

    def __len__(self) -> int:
        return self.rows

    @overload
    def __getitem__(self, index: int) -> Row: ...

    @overload
    def __getitem__(self, index: slice) -> list[Row]: ...

    def __getitem__(self, index: int | slice) -> Row | list[Row]:
        if isinstance(index, slice):
            start, stop, step = index.indices(self.rows)
            if step != 1:
                return [self[i] for i in range(start, stop, step)]
            return [self._row(encoded) for encoded in self.encoded(start, stop)]
        if index < 0:
            index += self.rows
        if not 0 <= index < self.rows:
            raise IndexError("row index out of range")
        return self._row(self.encoded(index, index + 1)[0])

    def __iter__(self) -> Iterator[Row]:
        for number in range(self.blocks):
            for encoded in self.encoded(*self.block_rows(number)):
                yield self._row(encoded)

    def iri_variables(self) -> list[str]:
        """The variables holding at least one IRI in some row (kept in the header)."""
        return list(self._iri_variables)

    def verify(self) -> None:
        """Check every block against its crc32 (reading the file once, decoding nothing);
        AnswerDamaged if one fails. Before a download: none of it is written from a
        damaged answer."""
        for number in range(len(self._crcs)):
            self.raw_block(number)


def open_answer(path: Path, key: str) -> KeptAnswer | None:
    """The answer kept at ``path`` for ``key``; None when there is none or it cannot be
    trusted (a damaged file is removed, so that it is written again)."""
    if not path.is_file():
        return None
    try:
        answer = KeptAnswer(path, key)
        if answer.rows:
            answer._block(0)  # the first page is what is asked first: checked now
        return answer
    except AnswerDamaged:
        with contextlib.suppress(OSError):
            path.unlink()
        return None


__all__ = [
    "AnswerDamaged",
    "KeptAnswer",
    "answer_key",
    "answer_path",
    "content_identity",
    "counted_variable",
    "decode_term",
    "encode_rows",
    "encode_term",
    "open_answer",
    "prune",
    "write_answer",
    "write_blocks",
    "write_encoded",
]

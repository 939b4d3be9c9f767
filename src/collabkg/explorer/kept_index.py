"""The explorer's index kept on disk by content, and brought up to date after a change.

Building the index (:class:`~collabkg.explorer.index.ExplorerIndex`) reads every entity,
source and quotation of the graph: about 9 s at 1M triples, most of the explorer's start.
So it is kept under ``<cache>/explorer-index/`` (see :mod:`collabkg.cache`), one file per
content of the project's files (:class:`collabkg.answers.Content`):

- the same content again: the index is read (its file checked first) instead of built;
- a content that differs from the latest kept one by a few data files (the ontology and
  concepts unchanged; :func:`collabkg.answer_update.changed_ends` tells the statement ends
  that changed): the latest index is read and brought up to date
  (:meth:`~collabkg.explorer.index.ExplorerIndex.update`, equal to an index built afresh);
- anything else (no index kept, more files changed, a subclass link changed, a blank node
  met, a file damaged or of another code version): built afresh.

The file: :data:`MAGIC`, the key (the content and the code that builds the index), a crc32
and the ``zlib`` of the ``marshal`` of (the content's identity, its data files and their
SHA-256, its other files, :meth:`~collabkg.explorer.index.ExplorerIndex.state`). It is
written to a temporary file and renamed over (atomic), by :func:`index_for`'s caller when it
chooses (the explorer: once its first page is drawn); the :data:`KEEP` newest are kept.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import marshal
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from collabkg.answer_update import changed_ends
from collabkg.answers import Content, keep_newest, newest, write_atomically
from collabkg.cache import Cache, code_version
from collabkg.explorer.index import ExplorerIndex, NotFollowed

if TYPE_CHECKING:
    from collabkg.graph import KnowledgeGraph

_LOG = logging.getLogger(__name__)

FOLDER = "explorer-index"
SUFFIX = ".index"
MAGIC = b"collabkg-explorer-index 1\n"
KEEP = 2
"""Index files kept: the newest (this content's) and the one before."""


@functools.cache
def _code() -> str:
    """What an index depends on besides the files: the validator's code version (terms,
    labels, the engine's version) and the modules that build and keep the index."""
    digest = hashlib.sha256(code_version().encode())
    package = Path(__file__).resolve().parent
    for path in (
        package / "index.py",
        package / "common.py",
        Path(__file__).resolve(),
        package.parent / "graph.py",
    ):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def _key(identity: str) -> bytes:
    return hashlib.sha256(f"{_code()}|{identity}".encode()).hexdigest().encode()


def index_path(folder: Path, identity: str) -> Path:
    """Where the index of the content ``identity`` is kept, under the cache ``folder``."""
    return folder / FOLDER / f"{identity[:32]}{SUFFIX}"


def _header(data: bytes) -> tuple[bytes, str, int] | None:
    """(key, content identity, where the crc32 starts) of an index file's bytes."""
    if not data.startswith(MAGIC):
        return None
    end = data.find(b"\n", len(MAGIC))
    key, _, identity = data[len(MAGIC) : end].partition(b" ")
    if end < 0 or not identity:
        return None
    return key, identity.decode("ascii", "replace"), end + 1


def _read(path: Path, identity: str) -> tuple[dict[str, str], Any, dict[str, Any]] | None:
    """(data files -> SHA-256, other files, the index's state) kept at ``path`` for the
    content ``identity``; None when missing, damaged or kept by other code."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    header = _header(data)
    if header is None or header[0] != _key(identity) or header[1] != identity:
        return None
    start = header[2]
    body = data[start + 4 :]
    if int.from_bytes(data[start : start + 4], "little") != zlib.crc32(body):
        return None
    try:
        kept, files, others, state = marshal.loads(zlib.decompress(body))
    except (ValueError, EOFError, TypeError, zlib.error):
        return None
    if kept != identity or not isinstance(files, dict) or not isinstance(state, dict):
        return None
    return files, others, state


def _identity_in(path: Path) -> str | None:
    """The content identity an index file was kept for (from its header)."""
    try:
        with path.open("rb") as handle:
            header = _header(handle.read(len(MAGIC) + 256))
    except OSError:
        return None
    return None if header is None else header[1]


def _write(path: Path, content: Content, index: ExplorerIndex) -> None:
    """Keep ``index`` (of ``content``) at ``path``; then only the :data:`KEEP` newest."""
    others = [list(pair) for pair in content.others]
    body = zlib.compress(
        marshal.dumps((content.identity, dict(content.files), others, index.state())), 1
    )
    header = MAGIC + _key(content.identity) + b" " + content.identity.encode() + b"\n"
    write_atomically(path, header, zlib.crc32(body).to_bytes(4, "little"), body)
    keep_newest(path.parent, SUFFIX, KEEP)


def _updated(
    kg: KnowledgeGraph, root: Path, folder: Path, content: Content
) -> ExplorerIndex | None:
    """The newest index kept for another content, brought up to date with ``kg``; None when
    there is none or the change is not followed."""
    for path in newest(folder / FOLDER, SUFFIX):
        identity = _identity_in(path)
        if identity is None or identity == content.identity:
            continue
        found = _read(path, identity)
        if found is None:
            continue
        files, others, state = found
        if tuple(tuple(pair) for pair in others) != content.others:
            return None  # the ontology or the concepts changed
        cache = Cache.open(root)
        if cache is None:
            return None
        try:
            changed = changed_ends(root, cache, files, content)
        finally:
            cache.close()
        if changed is None:
            return None
        index = ExplorerIndex.from_state(state, kg)
        try:
            index.update(kg, changed[0])
        except NotFollowed as why:
            _LOG.debug("explorer index not brought up to date: %s", why)
            return None
        return index if index.keepable else None
    return None


def index_for(kg: KnowledgeGraph) -> tuple[ExplorerIndex, Callable[[], None] | None]:
    """The explorer's index of ``kg``, and what keeps it on disk (None when there is nothing
    to keep: read as kept, or a graph that keeps nothing). Keeping costs about a second of
    CPU at 1M triples; the explorer calls it once its first page is drawn. An OSError while
    keeping is the caller's to ignore."""
    kept = kg.kept_content()
    if kept is None:
        return ExplorerIndex(kg), None
    root, folder, content = kept
    path = index_path(folder, content.identity)
    found = _read(path, content.identity)
    if found is not None:
        return ExplorerIndex.from_state(found[2], kg), None
    index = _updated(kg, root, folder, content)
    if index is None:
        index = ExplorerIndex(kg)
    if not index.keepable:
        return index, None
    return index, functools.partial(_write, path, content, index)

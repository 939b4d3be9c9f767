"""Reading the files of the graph: the syntax stage of every file (in worker processes
when there are many, remembered by content in :mod:`collabkg.cache`), with what the
vocabulary rules' local pre-filters say about it, and each file's blank nodes named the
same way in the store and in the checker's triples.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pyoxigraph as ox

from collabkg.cache import Cache, code_version, key_of
from collabkg.mentions import mentions_of, pack_mentions
from collabkg.progress import Progress
from collabkg.rdfterms import to_rdflib
from collabkg.validate.context_reads import Record, hits, keep_context, lookup_context, summary_key
from collabkg.validate.model import FileData, quiet_rdflib
from collabkg.validate.rules import Context, Facts, select_local
from collabkg.validate.syntax import ParsedFile, read_turtle

# --------------------------------------------------------------------------- blank nodes


def bnode_prefix(graph: str) -> str:
    """Blank nodes of a file are named ``b<hash of its graph>x<n>`` (n: order of first
    appearance), in the store and in the checker's triples alike."""
    return "b" + hashlib.sha256(graph.encode()).hexdigest()[:12] + "x"


def canonical_triples(triples: Iterable[ox.Triple], graph: str) -> list[ox.Triple]:
    prefix = bnode_prefix(graph)
    names: dict[str, ox.BlankNode] = {}

    def rename(term: object) -> object:
        if isinstance(term, ox.BlankNode):
            found = names.get(term.value)
            if found is None:
                found = names[term.value] = ox.BlankNode(f"{prefix}{len(names)}")
            return found
        return term

    out: list[ox.Triple] = []
    for triple in triples:
        if isinstance(triple.subject, ox.BlankNode) or isinstance(triple.object, ox.BlankNode):
            out.append(ox.Triple(rename(triple.subject), triple.predicate, rename(triple.object)))  # type: ignore[arg-type]
        else:
            out.append(triple)
    return out


def file_data(parsed: ParsedFile, graph: str, *, target: bool) -> FileData:
    """A parsed file as the checker sees it, blank nodes named as in the store."""
    parsed.triples = canonical_triples(parsed.triples, graph)
    with quiet_rdflib():
        triples = [
            (to_rdflib(t.subject, ""), to_rdflib(t.predicate, ""), to_rdflib(t.object, ""))
            for t in parsed.triples
        ]
    return FileData(parsed, triples, target)


def has_bnodes(triples: Iterable[ox.Triple]) -> bool:
    return any(
        isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples
    )


def rdflib_triples(parsed: ParsedFile) -> FileData:
    """A parsed file whose blank nodes are named already, as the checker sees it."""
    with quiet_rdflib():
        triples = [
            (to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object))
            for t in parsed.triples
        ]
    return FileData(parsed, triples, True)


# --------------------------------------------------------------------------- reading files


@dataclass
class Read:
    """What the syntax stage learnt about one file (cached by its content)."""

    issues: list
    usable: bool
    selected: frozenset[str] | None = None
    """The vocabulary rules whose local pre-filter selects the file (None: not worked out,
    every rule may apply)."""
    has_bnodes: bool = True
    facts: Facts | None = None
    mentions: bytes | None = None
    """The items the file names, with a signature of the triples naming each (see
    :func:`mentions_of`; what an incremental run follows from a changed file to the files its
    change can affect), packed by :func:`pack_mentions`."""


_WORKER_CTX: Context | None = None


def _read_one(task: tuple[str, str, bool]) -> Read:
    path, display, context = task
    parsed, issues = read_turtle(Path(path), display, context=context)
    if parsed is None:
        return Read(issues, False)
    selected = None
    facts = None
    if not context and _WORKER_CTX is not None:
        selected, facts = select_local(parsed, _WORKER_CTX)
    return Read(
        issues,
        True,
        selected,
        has_bnodes(parsed.triples),
        facts,
        pack_mentions(mentions_of(parsed.triples)),
    )


def workers(count: int) -> int:
    """Worker processes for ``count`` files: none for a few files, or when called from a
    thread (forking a threaded process, e.g. the explorer's, is not safe)."""
    if count < 64 or threading.current_thread() is not threading.main_thread():
        return 0
    return max(0, min(os.cpu_count() or 1, 4))


def read_files(
    tasks: Sequence[tuple[Path, str, bool]],
    cache: Cache | None,
    ctx: Context | None,
    *,
    salt: str,
    progress: Progress,
    whole_context: bool = False,
) -> Iterator[tuple[int, Read, str]]:
    """The syntax stage of every (path, display, context) task, in order, with the file's
    sha256 ("" without a cache): results cached by content are looked up, the rest are
    computed in worker processes.

    ``whole_context``: the caller uses of the context files only what
    :data:`.context_reads.Kept` holds; their results are then looked up as one record
    for all of them (see :mod:`.context_reads`), each file's own only when it misses."""
    global _WORKER_CTX
    progress.stage("reading files", total=len(tasks))
    keys: list[str | None] = [None] * len(tasks)
    shas = [""] * len(tasks)
    cached: dict[str, object] = {}
    summarised: dict[int, Read] = {}  # context files' results from the one record
    summary: str | None = None  # the record's key when it is to be updated
    record: Record = {}
    context_indices = [i for i, task in enumerate(tasks) if task[2]]
    if cache is not None:
        states = cache.states(path for path, _d, _c in tasks)
        if whole_context and context_indices:
            summary = summary_key(salt)
            record = lookup_context(cache, summary)
            recorded = hits(record, [(tasks[i][1], states[i].sha256) for i in context_indices])
            summarised = {
                context_indices[n]: Read(issues, usable, None, bnodes)
                for n, (issues, usable, bnodes) in recorded.items()
            }
        as_target: dict[str, str] = {}
        for index, ((_path, display, context), state) in enumerate(zip(tasks, states, strict=True)):
            shas[index] = state.sha256
            if state.sha256 and index not in summarised:
                keys[index] = key_of("read", code_version(), salt, display, context, state.sha256)
                if context:  # a file read as a target serves as context too (it was checked more)
                    as_target[key_of("read", code_version(), salt, display, True, state.sha256)] = (
                        key_of("read", code_version(), salt, display, False, state.sha256)
                    )
        cached = cache.get_many(k for k in keys if k is not None)
        missing = {k: t for k, t in as_target.items() if not isinstance(cached.get(k), Read)}
        if missing:
            found = cache.get_many(missing.values())
            for context_key, target_key in missing.items():
                hit = found.get(target_key)
                if isinstance(hit, Read):  # as a context file reads: no issues of its own
                    cached[context_key] = replace(hit, issues=[] if hit.usable else hit.issues)
    todo = [
        i
        for i, key in enumerate(keys)
        if i not in summarised and (key is None or not isinstance(cached.get(key), Read))
    ]
    context_results: dict[int, Read] = {}
    fresh: dict[int, Read] = {}
    _WORKER_CTX = ctx
    count = workers(len(todo))
    work = [(str(tasks[i][0]), tasks[i][1], tasks[i][2]) for i in todo]
    if count:
        pool = multiprocessing.get_context("fork").Pool(count)
        results: Iterator[Read] = pool.imap(_read_one, work, chunksize=16)
    else:
        pool = None
        results = (_read_one(item) for item in work)
    pending = iter(todo)
    try:
        for index in range(len(tasks)):
            key = keys[index]
            known: object = summarised.get(index)
            if known is None:
                known = cached.get(key) if key is not None else None
            if isinstance(known, Read):
                if summary is not None and tasks[index][2] and index not in summarised:
                    context_results[index] = known
                progress.advance()
                yield index, known, shas[index]
                continue
            expected = next(pending)
            assert expected == index
            result = next(results)
            fresh[index] = result
            if summary is not None and tasks[index][2]:
                context_results[index] = result
            progress.advance()
            yield index, result, shas[index]
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
        _WORKER_CTX = None
        if cache is not None and fresh:
            cache.put_many((keys[i], r) for i, r in fresh.items() if keys[i] is not None)  # type: ignore[misc]
        if cache is not None and summary is not None and context_results:
            keep_context(
                cache,
                summary,
                record,
                {
                    tasks[i][1]: (shas[i], (r.issues, r.usable, r.has_bnodes))
                    for i, r in context_results.items()
                    if shas[i]
                },
            )


def scan_positions(task: tuple[str, str]) -> ParsedFile | None:
    """In a worker: a file parsed and its positions scanned (its triples left out)."""
    parsed, _issues = read_turtle(Path(task[0]), task[1], context=True)
    if parsed is None:
        return None
    _index = parsed.index
    parsed.triples = []
    return parsed


__all__ = [
    "Read",
    "bnode_prefix",
    "canonical_triples",
    "file_data",
    "has_bnodes",
    "rdflib_triples",
    "read_files",
    "scan_positions",
    "workers",
]

"""A kept answer brought up to date after a few case files changed, item by item.

An answer is kept on disk by the content of the files the graph was loaded from
(:mod:`collabkg.answers`), so after one case file is edited, added or deleted every listing
used to be computed afresh at its next ask (up to 0.9 s at 1M triples). Now, when the
latest answer kept for the same question belongs to a content that differs from the
loaded one by at most :data:`MAX_FILES` data files (the ontology and concepts unchanged):

1. the statement ends the change touched come from what each changed file named then (kept
   by content by the validation, :func:`collabkg.mentions.kept_mentions`) and
   names now (:func:`collabkg.mentions.mentions_of`);
2. the items whose rows they can change are found by walking the query's own patterns:
   each statement a changed file has now and had not, or had and has not, from both its ends
   over the graph as it is now with the statements removed
   (:func:`collabkg.answer_reach.reached_changed`, what each file had parsed again from the
   content the validation kept, :mod:`collabkg.kept_files`), or where that cannot be told
   (a blank node), from the changed ends over the graph as it is now
   (:func:`collabkg.answer_reach.reached`);
3. the rows of those items are dropped from the old answer, the query is run again for
   each of them alone (the item bound as a parameter) and its rows are put in their places
   in the answer's order (:func:`collabkg.answer_order.row_sort_key`), or, where that order
   goes on past the item with conditions Python cannot follow (a column not returned), by
   the order's conditions up to the item, the item's rows kept in the engine's order
   (:func:`collabkg.answer_order.order_spec_through`).

Anything that cannot be followed (a query :func:`~collabkg.answer_reach.plan_of` refuses, a
change that describes a term of the vocabularies, signatures no longer kept, more than
:data:`MAX_ITEMS` items reached, rows that cannot be ordered here, a file that changed
again since the graph was loaded) gives None: the answer is then computed afresh, as
before. ``tests/test_answer_update.py`` compares every updated answer with the answer
computed afresh after seeded random edits, additions and deletions of case files.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import hashlib
import itertools
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.term import Node

from collabkg import parse_once
from collabkg.answer_order import (
    KindsState,
    OrderSpec,
    RowKey,
    Unorderable,
    order_spec,
    order_spec_through,
)
from collabkg.answer_reach import (
    Plan,
    holds,
    plan_for,
    reached,
    reached_changed,
)
from collabkg.answers import (
    MAX_BLOCK_ROWS,
    Block,
    Content,
    Encoded,
    KeptAnswer,
    answer_path,
    encode_block,
    encode_term,
    item_of,
    latest,
    open_answer,
    read_manifest,
)
from collabkg.backends.base import ItemCost
from collabkg.cache import Cache, code_version, key_of, sha256
from collabkg.errors import AnswerDamaged, QueryError
from collabkg.kept_files import kept_triples
from collabkg.mentions import DESCRIBES_TERM, end_of, kept_mentions, mentions_of

_LOG = logging.getLogger(__name__)

MAX_FILES = 8
"""Changed data files followed at most (more: the answer is computed afresh)."""
MAX_ITEMS = 1024
"""Items computed again at most (more: the whole answer is computed afresh). Asked together
(in a handful of queries), 432 recommendations cost 0.09-0.10 s at 1M, a quarter of the
listing afresh; the time they may take is bounded anyway (:data:`SHARE`)."""

Ends = set[tuple[str, str, str]]
"""Statement ends (role, property, IRI): :func:`collabkg.mentions.mentions_of`."""
ToTerms = set[tuple[str, str, str]]
"""Statements to a term of the vocabularies (property, IRI, term)."""
Compute = Callable[
    [Sequence[Mapping[str, Node]], float, ItemCost | None, Callable[[ItemCost], None]],
    Sequence[tuple[list[str], Sequence[tuple[object, ...]]]],
]
"""Runs the query once for each set of parameters: (names, the engine's rows) each; none
(an empty list) when that would take more than the seconds given. Given what an item cost
when last measured, and told what it costs now
(:meth:`collabkg.backends.embedded.EmbeddedBackend.select_each`)."""
SHARE = 0.5
"""The items' rows are computed again only when that takes at most this share of the time
the whole answer took to compute afresh (else the answer is computed afresh: an attempt
costs at most half as much again)."""
QUICK = 0.1
"""An answer computed afresh within this many seconds is not tried again by an update once
one of its items was found to cost more than the time given: the attempt (the walks, an item
asked until the time runs out) could only add to a wait that is short anyway
(co-creation-by-structure-type at 1M: 61-77 ms afresh, 108-160 ms where an attempt came
first). A longer answer's noted cost is taken a little lower each time
(:meth:`~collabkg.backends.base.ItemCost.reconsidered`), so that an item measured under
load is tried again after a few changes."""
UNKNOWN_SECONDS = 1.0
"""What an answer is taken to cost to compute afresh when that was not noted."""


def changed_ends(
    root: Path, cache: Cache, before: Mapping[str, str], now: Content
) -> tuple[Ends, ToTerms] | None:
    """The statement ends (role, property, IRI) whose statements differ between the data
    files ``before`` (name -> SHA-256) and ``now``, and the statements to a term of the
    vocabularies among them; None when that cannot be told."""
    files = now.files
    changed = [name for name, sha in files.items() if before.get(name) != sha]
    deleted = [name for name in before if name not in files]
    if len(changed) + len(deleted) > MAX_FILES:
        return None
    ends: Ends = set()
    to_terms: ToTerms = set()
    for name in changed + deleted:
        old: dict[str, str] = {}
        if name in before:
            found = kept_mentions(cache, before[name])
            if found is None:
                return None
            old = found
        new: dict[str, str] = {}
        if name in files:
            parsed = parsed_as_loaded(root, name, files[name])
            if parsed is None:
                return None
            new = mentions_of(parsed.triples)
        if DESCRIBES_TERM in old or DESCRIBES_TERM in new:
            return None  # statements about a term of the vocabularies are not followed
        for key in old.keys() | new.keys():
            if old.get(key) != new.get(key):
                role, predicate, iri, term = end_of(key)
                if term is not None:
                    to_terms.add((predicate, iri, term))
                else:
                    ends.add((role, predicate, iri))
    return ends, to_terms


def parsed_as_loaded(root: Path, name: str, sha: str) -> parse_once.Parsed | None:
    """The data file ``name`` parsed, if it is still as the graph loaded it (``sha``)."""
    try:
        parsed = parse_once.parse_path(root / name)
    except (OSError, SyntaxError, ValueError):
        return None
    return parsed if sha256(parsed.data) == sha else None  # else edited again since


def changed_triples(
    root: Path, cache: Cache, before: Mapping[str, str], now: Content
) -> tuple[list[ox.Triple], list[ox.Triple]] | None:
    """The statements the data files changed since ``before`` (name -> SHA-256) have now and
    had not (added), and had and have not (removed), file by file: what each had is parsed
    again from the content the validation kept (:mod:`collabkg.kept_files`), what each has
    from the file as the graph loaded it. A statement another file also has may be in either
    list though the graph did not change there: :func:`collabkg.answer_reach.reached_changed`
    only walks more for it. None when a file's earlier content was not kept, a file changed
    again since the graph was loaded, or more than :data:`MAX_FILES` files changed."""
    files = now.files
    changed = [name for name, sha in files.items() if before.get(name) != sha]
    changed += [name for name in before if name not in files]
    if len(changed) > MAX_FILES:
        return None
    added: list[ox.Triple] = []
    removed: list[ox.Triple] = []
    for name in changed:
        old: list[ox.Triple] = []
        if name in before:
            found = kept_triples(cache, before[name])
            if found is None:
                return None
            old = found
        new: list[ox.Triple] = []
        if name in files:
            parsed = parsed_as_loaded(root, name, files[name])
            if parsed is None:
                return None
            new = parsed.triples
        had, has = set(old), set(new)
        added += [t for t in dict.fromkeys(new) if t not in had]
        removed += [t for t in dict.fromkeys(old) if t not in has]
    return added, removed


Changes = tuple[tuple[Ends, ToTerms] | None, tuple[list[ox.Triple], list[ox.Triple]] | None]
"""What :func:`changed_ends` and :func:`changed_triples` tell of one change."""
_CHANGES: dict[tuple[str, str, str], Changes] = {}
_CHANGES_LOCK = threading.Lock()
_CHANGES_KEPT = 4


def _changes(
    root: Path, cache: Cache, before_identity: str, before: Mapping[str, str], now: Content
) -> Changes:
    """:func:`changed_ends` and :func:`changed_triples` from the content ``before_identity``
    (its files ``before``) to ``now``, worked out once per process for every listing brought
    up to date across that change (each listing asked for them again: about 0.1 s at 10M
    triples, for each of twenty listings). What could not be told is not kept (the
    validation may keep what a file named a moment later); the caller gets copies."""
    key = (str(root), before_identity, now.identity)
    with _CHANGES_LOCK:
        found = _CHANGES.get(key)
    if found is None:
        ends = changed_ends(root, cache, before, now)
        statements = None if ends is None else changed_triples(root, cache, before, now)
        found = (ends, statements)
        if ends is not None and statements is not None:
            with _CHANGES_LOCK:
                _CHANGES[key] = found
                while len(_CHANGES) > _CHANGES_KEPT:
                    _CHANGES.pop(next(iter(_CHANGES)))
    ends, statements = found
    return (
        None if ends is None else (set(ends[0]), set(ends[1])),
        None if statements is None else (list(statements[0]), list(statements[1])),
    )


def updated_answer(
    *,
    folder: Path,
    root: Path,
    question: str,
    query: str,
    terms: Mapping[str, Node],
    content: Content,
    store: ox.Store,
    compute: Compute,
) -> Updated | None:
    """The answer to ``query`` (with parameters ``terms``) for ``content``, made from the
    latest answer kept for ``question`` under another content; None when it cannot be."""
    found = latest(folder, question)
    if found is None or found.identity == content.identity:
        return None
    kept = open_answer(answer_path(folder, found.key, found.identity), found.key)
    if kept is None:
        return None
    cache = Cache.open(root)
    try:
        names = list(kept.names)
        ready = None if cache is None else prepared(cache, query, names)
        if cache is None or ready is None:
            _LOG.debug("not followed: its patterns or its order")
            return None
        manifest = _manifest(folder, found.identity)
        if manifest is None or manifest[1] != content.others:
            return None
        seconds = found.seconds if found.seconds is not None else UNKNOWN_SECONDS
        state = cache.get(_state_key(question, found.identity, ready[1]))
        cost_key = key_of("answer-item-cost", plan_code(), question)
        cost = cache.get(cost_key)
        known = ItemCost(*cost) if isinstance(cost, tuple) and len(cost) == 2 else None

        kept_in = cache

        def noted(measured: ItemCost) -> None:
            with contextlib.suppress(OSError):
                kept_in.put(cost_key, (measured.values_first, measured.seconds))

        if known is not None and known.seconds > SHARE * seconds:
            # one item alone takes longer than the time given (a listing of a few rows,
            # each a count over much of the graph): not worth finding which (the walks cost
            # as much as computing it afresh)
            _LOG.debug("not followed: one item costs %.3f s", known.seconds)
            if seconds > QUICK:  # else not tried again: computed afresh, it is quick anyway
                noted(known.reconsidered())
            return None

        made = _updated(
            cache,
            root,
            ready,
            terms,
            kept,
            found.identity,
            manifest[0],
            content,
            store,
            lambda each: compute(each, SHARE * seconds, known, noted),
            state if isinstance(state, tuple) else None,
        )
        if made is None:
            return None
        if made.state is not None:
            with contextlib.suppress(OSError):
                cache.put(_state_key(question, content.identity, ready[1]), made.state)
        return made
    except AnswerDamaged:
        return None
    finally:
        kept.close()
        if cache is not None:
            cache.close()


def note_order(
    root: Path,
    question: str,
    identity: str,
    query: str,
    names: Sequence[str],
    rows: Sequence[tuple[Encoded, ...]],
) -> str | None:
    """Key every row of an answer just computed afresh and, when they are in the key's
    order, keep what the order met beside it (:func:`_state_key`): the answer's first update
    then keys only the rows it looks at. Nothing is kept for a query whose walks or order
    cannot be followed, or whose rows the key cannot order as the engine did.

    Returns the variable the answer's updates follow (the plan's item), for the answer to
    keep its column apart (:func:`collabkg.answers.write_encoded`); None when its walks or
    order cannot be followed. Without that column a first update read every row of the
    answer to find its items (0.27 s for rationales-ranked's 69,686 rows at 10M)."""
    cache = Cache.open(root)
    if cache is None:
        return None
    try:
        ready = prepared(cache, query, names)
        if ready is None:
            return None
        sort_key = RowKey(ready[1])
        keys = [sort_key(row) for row in rows]
        if not any(right < left for left, right in itertools.pairwise(keys)):
            cache.put(_state_key(question, identity, ready[1]), sort_key.state())
        return ready[0].item_name
    except (Unorderable, OSError):
        return None
    finally:
        cache.close()


_PLAN_CODE = ("answer_reach.py", "answer_order.py", "answer_update.py", "mentions.py")


@functools.cache
def plan_code() -> str:
    """What a kept plan and a kept order's state depend on besides the query: the code that
    reads queries as walks and orders rows (the validation's :func:`code_version` does not
    cover it: a plan kept by an older reader was used after the reader changed)."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(code_version().encode())
    for name in _PLAN_CODE:
        digest.update(name.encode() + b"\0" + (package / name).read_bytes())
    return digest.hexdigest()[:16]


def _state_key(question: str, identity: str, spec: OrderSpec) -> str:
    """Where the order's kinds met over the rows of ``question``'s answer for the content
    ``identity`` are kept: an answer made by an update is in order by construction, so the
    next update need not key its every row again (0.1 s for 10,000 rows) to check that."""
    return key_of("answer-order-state", plan_code(), question, identity, repr(spec))


@functools.lru_cache(maxsize=4)
def _manifest(
    folder: Path, identity: str
) -> tuple[dict[str, str], tuple[tuple[str, str], ...]] | None:
    """:func:`read_manifest`, once per content in a process (every listing asks for it)."""
    return read_manifest(folder, identity)


def prepared(cache: Cache, query: str, names: Sequence[str]) -> tuple[Plan, OrderSpec] | None:
    """The query read as walks and its ORDER BY as data (None: not followed), kept on disk
    by the query's text: rdflib's parser takes a few tenths of a second a query, so each
    text is read once per version of the code, not at every change."""
    key = key_of("answer-update-plan", plan_code(), query, *names)
    found = cache.get(key)
    if isinstance(found, tuple) and len(found) == 2:
        return None if found[0] is None else (found[0], found[1])
    plan = plan_for(query)
    spec = None
    if plan is not None:
        spec = order_spec(query, names) or order_spec_through(query, names, plan.item_name)
    made = (plan, spec) if plan is not None and spec is not None else None
    cache.put(key, made if made is not None else (None, None))
    return made


@dataclass
class Updated:
    """An answer brought up to date, ready to be written (:func:`collabkg.answers.write_blocks`)."""

    names: list[str]
    blocks: list[Block]
    """The kept answer's blocks the change did not touch, as they were; the others anew."""
    iri_variables: list[str]
    items: tuple[str, list[str | None]]
    """The item column and its IRIs, one per row."""
    state: KindsState | None
    """What the order met over the rows (None: not known)."""


class _Rows:
    """The kept answer's rows, each decoded (and keyed) only when looked at."""

    def __init__(self, kept: KeptAnswer, sort_key: RowKey) -> None:
        self._kept = kept
        self._key = sort_key
        self._keys: dict[int, Any] = {}

    def row(self, index: int) -> tuple[Encoded, ...]:
        return self._kept.encoded(index, index + 1)[0]

    def key(self, index: int) -> Any:
        found = self._keys.get(index)
        if found is None:
            found = self._keys[index] = self._key(self.row(index))
        return found


def _updated(
    cache: Cache,
    root: Path,
    ready: tuple[Plan, OrderSpec],
    terms: Mapping[str, Node],
    kept: KeptAnswer,
    before_identity: str,
    before: Mapping[str, str],
    content: Content,
    store: ox.Store,
    compute: Callable[
        [Sequence[Mapping[str, Node]]], Sequence[tuple[list[str], Sequence[tuple[object, ...]]]]
    ],
    state: KindsState | None,
) -> Updated | None:
    """The kept answer updated; ``state``: what its order met over its rows when known (its
    rows are then not keyed again: only the new rows and those their searches look at)."""
    plan, spec = ready
    names = list(kept.names)
    if plan.item_name in terms or plan.item_name not in names:
        return None
    column = names.index(plan.item_name)
    held = set(kept.iri_variables())
    kept_items = kept.item_column()
    if kept_items is not None and kept_items[0] == plan.item_name:
        items_of = kept_items[1]
    else:  # an answer kept without its item column: every block is read once
        items_of = [item_of(row[column]) for row in kept.encoded(0, len(kept))]
    if any(iri is None for iri in items_of):
        return None  # a row about no item, or about a literal
    try:
        sort_key = RowKey(spec, state)
    except ValueError:
        sort_key = RowKey(spec)
    changed, statements = _changes(root, cache, before_identity, before, content)
    if changed is None:
        _LOG.debug("%s: the change cannot be told", plan.item_name)
        return None
    ends, to_terms = changed
    # each changed statement followed from both its ends; where that cannot be told (a blank
    # node, a file's earlier content not kept), from the changed ends
    items = None
    if statements is not None:
        items = reached_changed(plan, *statements, store, MAX_ITEMS)
    if items is None:
        items = reached(plan, ends, store, MAX_ITEMS, to_terms=to_terms)
    if items is None:
        _LOG.debug("%s: the items reached cannot be told (%d ends)", plan.item_name, len(ends))
        return None
    known = set(items_of)
    # an item with no rows before that cannot have any now: nothing to ask
    iris = {item.value for item in items if item.value in known or holds(plan, item, store)}
    rows = _Rows(kept, sort_key)
    try:
        if state is None and iris:
            # every kept row's place under the key, checked against the order the engine gave
            keys = [rows.key(n) for n in range(len(kept))]
            if any(right < left for left, right in itertools.pairwise(keys)):
                _LOG.debug("%s: the kept order is not the key's", plan.item_name)
                return None
        staying = [n for n, iri in enumerate(items_of) if iri not in iris]
        new_rows: list[tuple[Any, tuple[Encoded, ...]]] = []
        if iris:
            started = time.perf_counter()
            answers = compute([{**terms, plan.item_name: URIRef(iri)} for iri in sorted(iris)])
            _LOG.debug(
                "%s: %d items reached by %d statement ends, computed again in %.3f s",
                plan.item_name,
                len(iris),
                len(ends),
                time.perf_counter() - started,
            )
            if len(answers) != len(iris):
                _LOG.debug("%s: computing the items again would take longer", plan.item_name)
                return None
            for found, values_of in answers:
                if found != names:
                    return None
                for values in values_of:
                    row = tuple(encode_term(v) for v in values)
                    new_rows.append((sort_key(row), row))
        # in the key's order; rows with equal keys: kept rows first, new rows as computed
        new_rows.sort(key=lambda pair: pair[0])
        # new rows by the kept row they go before (len(kept): after the last)
        before_row: dict[int, list[tuple[Encoded, ...]]] = {}
        for place, row in new_rows:
            at = bisect.bisect_right(range(len(staying)), place, key=lambda i: rows.key(staying[i]))
            where = staying[at] if at < len(staying) else len(kept)
            before_row.setdefault(where, []).append(row)
        blocks, out_items = _blocks(kept, set(staying), before_row, items_of, column)
    except (Unorderable, ValueError):
        _LOG.debug("%s: rows that cannot be placed", plan.item_name)
        return None
    except QueryError:
        _LOG.debug("%s: the items' rows could not be computed", plan.item_name)
        return None
    # the columns that may hold an IRI: those that did, and those of the rows computed again
    holding_iris = [
        name
        for n, name in enumerate(names)
        if name in held or any(item_of(row[n]) is not None for _k, row in new_rows)
    ]
    return Updated(
        names,
        blocks,
        holding_iris,
        (plan.item_name, out_items),
        sort_key.state() if (state is not None or iris) else None,
    )


def _blocks(
    kept: KeptAnswer,
    staying: set[int],
    before_row: Mapping[int, list[tuple[Encoded, ...]]],
    items_of: Sequence[str | None],
    column: int,
) -> tuple[list[Block], list[str | None]]:
    """The updated answer's blocks: a kept block no row left and no new row entered is
    copied as it is; the others are written anew from their rows."""
    blocks: list[Block] = []
    out_items: list[str | None] = []
    last = kept.blocks - 1
    for number in range(kept.blocks):
        start, stop = kept.block_rows(number)
        entering = [n for n in before_row if start <= n < stop or (n == stop and number == last)]
        if not entering and all(n in staying for n in range(start, stop)):
            blocks.append(kept.raw_block(number))
            out_items += items_of[start:stop]
            continue
        fresh: list[tuple[Encoded, ...]] = []
        block = kept.encoded(start, stop)
        for n in range(start, stop + (1 if number == last else 0)):
            for row in before_row.get(n, ()):
                fresh.append(row)
            if n < stop and n in staying:
                fresh.append(block[n - start])
        for at in range(0, len(fresh), MAX_BLOCK_ROWS):
            blocks.append(encode_block(fresh[at : at + MAX_BLOCK_ROWS]))
        out_items += [item_of(row[column]) for row in fresh]
    if kept.blocks == 0 and before_row.get(0):
        fresh = before_row[0]
        for at in range(0, len(fresh), MAX_BLOCK_ROWS):
            blocks.append(encode_block(fresh[at : at + MAX_BLOCK_ROWS]))
        out_items += [item_of(row[column]) for row in fresh]
    return blocks, out_items

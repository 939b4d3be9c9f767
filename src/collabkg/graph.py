"""The KnowledgeGraph facade: the only place that knows about stores.

The CLI, the tests and the explorer all go through it::

    kg = collabkg.project.load_graph()              # validated ontology + concepts + data
    result = kg.select("SELECT ?org WHERE { ?org a ck:Organisation }")
    result.to_dataframe(kg)                         # labels, not IRIs
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import rdflib
from rdflib import BNode, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.term import Node

from collabkg.answers import (
    Content,
    Encoded,
    KeptAnswer,
    answer_key,
    answer_path,
    content_of,
    counted_variable,
    encode_rows,
    latest,
    open_answer,
    prune,
    question_key,
    remember_latest,
    write_blocks,
    write_encoded,
    write_manifest,
)
from collabkg.backends.base import Backend, ConvertedOnRead, ItemCost, Row, RowsOnRead, Triple
from collabkg.backends.embedded import EmbeddedBackend, SourceFile, load_store, syntax_errors
from collabkg.bindings import Bindings, normalise_bindings
from collabkg.cache import cache_dir
from collabkg.errors import AnswerDamaged, LoadError, QueryError, UsageError
from collabkg.labels import LABEL_LOOKUP_BATCH, LABELS_QUERY, LabelIndex, labels_for_query
from collabkg.paths import ProjectPaths, graph_name_to_path
from collabkg.results import Labeller, QueryResult
from collabkg.sparql_safety import (
    USER_LIMITS,
    Limits,
    check_query,
    in_source,
    require_isolation,
)
from collabkg.terms import GRAPH_BASE, OWL, PREFIXES, RDF, RDFS, SH, bind_prefixes, compact
from collabkg.turtle import canonical_turtle

if TYPE_CHECKING:
    import pyoxigraph

    from collabkg.validate.report import Report as ValidationReport

ExportFormat = Literal["ttl", "nt", "jsonld"]
EXPORT_FORMATS: tuple[str, ...] = ("ttl", "nt", "jsonld")

_SCHEMA_NAMESPACES = (str(OWL), str(RDF), str(RDFS), str(SH))


LABEL_LOOKUP_WHOLE = 20_000
"""Asked for more labels than this at once (an explorer building its lists), the facade
reads every label of the graph in one query instead (about as fast per label, once)."""
DEFAULT_PAGE_SIZE = 50
"""Rows per page when a caller does not say (the CLI's ``--page``, the explorer)."""
KEPT_ANSWERS = 8
"""Answers kept by :meth:`KnowledgeGraph.select_page` (the most recently used)."""


@dataclass
class Page:
    """One page of a SELECT answer: rows ``offset`` to ``offset + len(result) - 1`` of
    ``total``, in the answer's order (the query's ORDER BY; canned queries all have one)."""

    result: QueryResult
    offset: int
    size: int
    """The page size asked for (the last page may hold fewer rows)."""
    total: int

    @property
    def number(self) -> int:
        """1-based page number."""
        return self.offset // self.size + 1 if self.size else 1

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size)) if self.size else 1

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.result) < self.total

    def describe(self) -> str:
        """``rows 51–100 of 11,178, page 2 of 224`` — what a person is shown."""
        if not self.result.rows:
            return f"no rows on page {self.number} ({self.total:,} rows in all)"
        first, last = self.offset + 1, self.offset + len(self.result)
        return f"rows {first:,}–{last:,} of {self.total:,}, page {self.number} of {self.pages:,}"


def _sources(paths: ProjectPaths, files: Sequence[Path]) -> list[SourceFile]:
    shown = paths.relative_many(files)
    return [
        SourceFile(f, name, GRAPH_BASE + name.lstrip("/"))
        for f, name in zip(files, shown, strict=True)
    ]


def graph_files(
    root: str | os.PathLike[str] | None,
    paths: Iterable[str | os.PathLike[str]] | None,
) -> tuple[ProjectPaths, list[Path]]:
    """The project and the files its graph is made of (``paths`` instead, when given)."""
    project = ProjectPaths.discover(root)
    files = project.expand(paths) if paths is not None else project.graph_files()
    return project, files


def check_syntax(
    root: str | os.PathLike[str] | None = None,
    *,
    paths: Iterable[str | os.PathLike[str]] | None = None,
) -> tuple[list[str], list[LoadError]]:
    """Parse every graph file (or the given ones); return (files checked, problems)."""
    project, files = graph_files(root, paths)
    sources = _sources(project, files)
    return [s.display for s in sources], list(syntax_errors(sources))


class KnowledgeGraph:
    """Ontology, vocabularies and case data behind one read-only query interface."""

    def __init__(
        self,
        backend: Backend,
        *,
        root: str | os.PathLike[str] | None = None,
        files: Sequence[str] = (),
    ) -> None:
        self._backend = backend
        self.root: Path | None = Path(root) if root is not None else None
        self.files: list[str] = list(files)
        """Loaded files, relative to the project root."""
        self._labels: LabelIndex | None = None
        """Every label of the graph (built only when a blank node's label is asked)."""
        self._some_labels = LabelIndex()
        """The labels of the IRIs looked up so far (see :meth:`labels`)."""
        self._looked_up: set[str] = set()
        self._answers: dict[tuple[object, ...], tuple[list[str], Sequence[Row]]] = {}
        """Recent answers of select_page, by (query, bindings): the loaded graph never changes.
        Kept as the engine's terms where the backend can (rows converted when a page is read)."""
        self._lock = threading.Lock()
        self.content: str | None = None
        """The identity of the loaded files' content (:func:`collabkg.answers.content_identity`):
        set when the graph was loaded from the project's files, None otherwise (then no answer
        is kept on disk)."""
        self._kept_folder: Path | None = None
        self._content: Content | None = None
        """What the loaded files were (to bring a kept answer of other files up to date)."""
        self.validation: ValidationReport | None = None
        """The validation report of the loaded files (None if not validated, e.g. remote)."""
        self.invalid: bool = False
        """True when the graph was loaded despite violations (``allow_invalid=True``):
        the app and the CLI should say so."""
        self.stale: object | None = None
        """A :class:`collabkg.lastgood.StaleNotice` when this is the last valid graph served
        in place of files that no longer validate (the explorer shows its banner)."""

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_files(
        cls,
        root: str | os.PathLike[str] | None = None,
        *,
        paths: Iterable[str | os.PathLike[str]] | None = None,
        backend: Backend | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> KnowledgeGraph:
        """Load the project's files into a fresh embedded store, WITHOUT validating them:
        :func:`collabkg.project.load_graph` validates, then calls this (use that).

        ``root`` defaults to the discovered project root; ``paths`` replaces the default
        file set (``ontology/*.ttl``, ``ontology/concepts/*.ttl``, ``data/**/*.ttl`` but
        not ``data/TEMPLATE.ttl``). With ``backend`` (e.g. a remote endpoint that holds the
        data already) no file is read. Loading is all-or-nothing: a LoadError is raised
        and no graph is returned if any file fails. ``stop`` is asked now and then while
        loading; when it answers True, :class:`~collabkg.errors.LoadStopped` is raised and
        the partial store thrown away.
        """
        project, files = graph_files(root, paths)
        if backend is not None:
            return cls(backend, root=project.root)
        sources = _sources(project, files)
        from collabkg.progress import current

        # the content the answers kept on disk are keyed by: told before and after loading
        # (an edit while loading leaves the graph without one: nothing kept, nothing read);
        # None unless the files are all the project's data files (``paths`` may list them)
        before = content_of(project, files)
        progress = current()
        if progress is not None:
            progress.stage("loading the graph", total=None)
        store = load_store(sources, stop=stop)
        graph = cls(EmbeddedBackend(store), root=project.root, files=[s.display for s in sources])
        after = content_of(project, files) if before is not None else None
        if before is not None and after is not None and after.identity == before.identity:
            graph.content = before.identity
            graph._content = before
            graph._kept_folder = cache_dir(project.root)
        return graph

    def kept_content(self) -> tuple[Path, Path, Content] | None:
        """For what is kept on disk by the content of the loaded files: the project root, its
        cache folder and that content; None when nothing is (a graph not loaded from the
        project's files, the cache turned off, a file edited while loading)."""
        if self.root is None or self._kept_folder is None or self._content is None:
            return None
        return self.root, self._kept_folder, self._content

    @classmethod
    def from_store(
        cls,
        store: pyoxigraph.Store,
        *,
        root: str | os.PathLike[str] | None = None,
        files: Sequence[str] = (),
    ) -> KnowledgeGraph:
        """Wrap an existing pyoxigraph Store (tests, tools)."""
        return cls(EmbeddedBackend(store), root=root, files=files)

    @property
    def backend(self) -> Backend:
        return self._backend

    @property
    def endpoint(self) -> str | None:
        """The URL of the remote SPARQL endpoint behind this graph; None when embedded."""
        return self._backend.location

    def write_dataset(self, path: str | os.PathLike[str]) -> int:
        """Write every loaded file's triples, each in its own named graph, as N-Quads.

        For ``collabkg serve`` (an Oxigraph server with the same per-file graphs); only a
        locally loaded graph can do this. Returns the number of quads written.
        """
        return self._backend.write_nquads(str(path))

    def close(self) -> None:
        with self._lock:
            for _names, rows in self._answers.values():
                if isinstance(rows, KeptAnswer):
                    rows.close()
            self._answers.clear()
        self._backend.close()

    def __enter__(self) -> KnowledgeGraph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ queries

    def select(
        self,
        query: str,
        bindings: Bindings | None = None,
        *,
        limit: int | None = None,
        timeout_s: float | None = None,
    ) -> QueryResult:
        """Run a SELECT query; ``bindings`` maps variable names to terms or Python values."""
        if limit is not None and limit < 0:
            raise UsageError("the row limit must be zero or more")
        terms = normalise_bindings(bindings)
        fetch = None if limit is None else limit + 1
        names, rows = self._backend.select(query, terms, limit=fetch, timeout_s=timeout_s)
        truncated = limit is not None and len(rows) > limit
        return QueryResult(names, rows[:limit] if truncated else rows, truncated, limit)

    def select_page(
        self,
        query: str,
        bindings: Bindings | None = None,
        *,
        offset: int = 0,
        size: int = DEFAULT_PAGE_SIZE,
        timeout_s: float | None = None,
    ) -> Page:
        """Rows ``offset`` to ``offset + size - 1`` of a SELECT answer, and how many in all.

        The answer is computed once and kept: in this process (the KEPT_ANSWERS most recent,
        by query text and parameters: a loaded graph does not change) and, for a graph
        loaded from the project's files, on disk by content (:mod:`collabkg.answers`: a
        later ask in any process reads the page's rows only), so every later page is a
        slice in the same, stable order; label only the page's rows
        (``page.result.to_labelled``).
        """
        if offset < 0:
            raise UsageError("the offset of a page must be zero or more")
        if size < 1:
            raise UsageError("a page must hold at least one row")
        terms = normalise_bindings(bindings)
        names, rows = self._answer(query, terms, timeout_s)
        try:
            page = list(rows[offset : offset + size])
        except AnswerDamaged:  # a block of a kept answer damaged since it was opened
            names, rows = self._answer(query, terms, timeout_s, damaged=True)
            page = list(rows[offset : offset + size])
        return Page(QueryResult(names, page), offset, size, len(rows))

    def select_rows(
        self,
        query: str,
        bindings: Bindings | None = None,
        *,
        timeout_s: float | None = None,
        keep: bool = True,
    ) -> tuple[list[str], Sequence[Row]]:
        """A SELECT answer whose rows are turned into rdflib terms only when read, where the
        backend can (the embedded store); otherwise (a remote endpoint) the converted rows.

        For a page or a download of a long answer: reading rows ``a`` to ``b`` converts
        those rows only, so writing an answer chunk by chunk never holds it all as rdflib
        terms. With ``keep`` (a canned question's answer) the answer kept on disk for this
        content is read when there is one (checked whole first: nothing is written from a
        damaged answer), and kept when there was none."""
        terms = normalise_bindings(bindings)
        if keep:
            names, rows = self._answer(query, terms, timeout_s)
            if isinstance(rows, KeptAnswer):
                try:
                    rows.verify()
                except AnswerDamaged:
                    names, rows = self._answer(query, terms, timeout_s, damaged=True)
            return names, rows
        return self._computed(query, terms, timeout_s)

    def keep_answers(
        self,
        questions: Iterable[tuple[str, Bindings | None]],
        *,
        stop: threading.Event | None = None,
    ) -> int:
        """Compute and keep on disk the answers to ``questions`` (query text, parameters)
        that are not kept yet for this content: for a long-lived process (the explorer) to
        call in a background thread after a load, so that no person waits for the first ask.
        Stops between two questions when ``stop`` is set. Returns how many were computed
        (0 when this graph keeps nothing on disk)."""
        computed = 0
        for query, bindings in questions:
            if stop is not None and stop.is_set():
                break
            if self.content is None or self._kept_folder is None:
                break
            terms = normalise_bindings(bindings)
            key = self._disk_key(query, terms)
            path = answer_path(self._kept_folder, key, self.content)
            kept = open_answer(path, key)
            if kept is not None:
                kept.close()
                continue
            self._answer(query, terms, None)
            computed += 1
        return computed

    def _disk_key(self, query: str, terms: Mapping[str, Node]) -> str:
        """The key of ``query``'s answer on disk: keyed by the canonical text, so a page (the
        canned text) and a download (its checked text) of one question share it."""
        try:
            canonical = check_query(query).text
        except QueryError:
            canonical = query
        return answer_key(canonical, terms, self.content or "")

    def _computed(
        self, query: str, terms: Mapping[str, Node], timeout_s: float | None
    ) -> tuple[list[str], Sequence[Row]]:
        if isinstance(self._backend, RowsOnRead):
            return self._backend.select_rows(query, terms, timeout_s=timeout_s)
        return self._backend.select(query, terms, timeout_s=timeout_s)

    def _answer(
        self,
        query: str,
        terms: Mapping[str, Node],
        timeout_s: float | None,
        *,
        damaged: bool = False,
    ) -> tuple[list[str], Sequence[Row]]:
        """The whole answer: kept in this process, else kept on disk for this content, else
        computed (and then kept in both places). ``damaged``: the kept one failed a check
        after it was opened; it is removed and the answer computed again."""
        key = (query, tuple(sorted((name, term.n3()) for name, term in terms.items())))
        with self._lock:
            answer = self._answers.pop(key, None)
        path = disk_key = None
        if self.content is not None and self._kept_folder is not None:
            disk_key = self._disk_key(query, terms)
            path = answer_path(self._kept_folder, disk_key, self.content)
        if damaged:
            answer = None
            if path is not None:
                with contextlib.suppress(OSError):
                    path.unlink()
        if answer is None and path is not None and disk_key is not None:
            kept = open_answer(path, disk_key)
            if kept is not None:
                answer = (kept.names, kept)
                with contextlib.suppress(OSError):  # the next content starts from this one
                    self._kept(query, terms, disk_key)
        if answer is None and path is not None and disk_key is not None and not damaged:
            answer = self._updated(query, terms, timeout_s, path, disk_key)
        if answer is None:
            started = time.perf_counter()
            names, rows = self._computed(query, terms, timeout_s)
            seconds = time.perf_counter() - started
            answer = (names, rows)
            if path is not None and disk_key is not None and isinstance(rows, ConvertedOnRead):
                encoded = encode_rows(rows.values)
                with contextlib.suppress(OSError):  # a read-only or full cache: not kept
                    if encoded is not None:
                        # the column its updates follow, kept apart (the metadata's counted
                        # variable where its walks cannot be followed)
                        followed = self._note_order(query, terms, names, encoded)
                        item = followed or counted_variable(query)
                        write_encoded(path, disk_key, names, encoded, rows.iri_variables(), item)
                        self._kept(query, terms, disk_key, seconds)
                if self._kept_folder is not None and self.content is not None:
                    prune(self._kept_folder, self.content)
        with self._lock:
            self._answers[key] = answer  # most recent last
            while len(self._answers) > KEPT_ANSWERS:
                # not closed here: a thread may still be reading it (closed when collected)
                self._answers.pop(next(iter(self._answers)))
        return answer

    def _question(self, query: str, terms: Mapping[str, Node]) -> str:
        try:
            canonical = check_query(query).text
        except QueryError:
            canonical = query
        return question_key(canonical, terms)

    def _kept(
        self,
        query: str,
        terms: Mapping[str, Node],
        disk_key: str,
        seconds: float | None = None,
    ) -> None:
        """Note the answer just kept or read as the latest of its question (the one the next
        content of the files starts from), with how long it took to compute afresh (``None``:
        as noted before), and what this content is made of (an OSError is the caller's to
        ignore)."""
        if self._kept_folder is None or self._content is None or terms:
            return  # a question with parameters (a profile) is cheap: computed afresh
        write_manifest(self._kept_folder, self._content)
        question = self._question(query, terms)
        before = latest(self._kept_folder, question)
        if seconds is None and before is not None:
            seconds = before.seconds
        if before != (self._content.identity, disk_key, seconds):
            remember_latest(self._kept_folder, question, self._content.identity, disk_key, seconds)

    def _note_order(
        self,
        query: str,
        terms: Mapping[str, Node],
        names: list[str],
        rows: Sequence[tuple[Encoded, ...]],
    ) -> str | None:
        """For a listing just computed afresh: what its order meets, kept beside it, so that
        its first update after a change keys only the rows it looks at, and the variable
        its updates follow (:func:`collabkg.answer_update.note_order`; None: not followed)."""
        if self._content is None or self.root is None or terms:
            return None
        from collabkg.answer_update import note_order

        question = self._question(query, terms)
        return note_order(self.root, question, self._content.identity, query, names, rows)

    def _updated(
        self,
        query: str,
        terms: Mapping[str, Node],
        timeout_s: float | None,
        path: Path,
        disk_key: str,
    ) -> tuple[list[str], Sequence[Row]] | None:
        """The answer made from the latest one kept for another content of a few files
        (:mod:`collabkg.answer_update`), kept for this one; None when it cannot be. Only for
        listings (no parameters): an answer about one item is cheap to compute afresh, and
        one note of the latest answer per listing keeps their number small."""
        if self._kept_folder is None or self._content is None or self.root is None or terms:
            return None
        if not isinstance(self._backend, EmbeddedBackend):
            return None
        from collabkg.answer_update import updated_answer

        backend = self._backend

        def compute(
            each: Sequence[Mapping[str, Node]],
            give_up_after: float,
            known: ItemCost | None,
            noted: Callable[[ItemCost], None],
        ) -> list[tuple[list[str], list[tuple[object, ...]]]]:
            return backend.select_each(
                query,
                each,
                timeout_s=timeout_s,
                give_up_after=give_up_after,
                known=known,
                noted=noted,
            )

        made = updated_answer(
            folder=self._kept_folder,
            root=self.root,
            question=self._question(query, terms),
            query=query,
            terms=terms,
            content=self._content,
            store=self._backend.store,
            compute=compute,
        )
        if made is None:
            return None
        try:
            write_blocks(path, disk_key, made.names, made.blocks, made.iri_variables, made.items)
            self._kept(query, terms, disk_key)
        except OSError:
            return None
        kept = open_answer(path, disk_key)
        return None if kept is None else (kept.names, kept)

    def ask(
        self, query: str, bindings: Bindings | None = None, *, timeout_s: float | None = None
    ) -> bool:
        return self._backend.ask(query, normalise_bindings(bindings), timeout_s=timeout_s)

    def construct(
        self, query: str, bindings: Bindings | None = None, *, timeout_s: float | None = None
    ) -> rdflib.Graph:
        triples = self._backend.construct(query, normalise_bindings(bindings), timeout_s=timeout_s)
        return self._rdflib_graph(triples)

    def user_query(
        self,
        query: str,
        bindings: Bindings | None = None,
        *,
        limits: Limits = USER_LIMITS,
    ) -> QueryResult | bool | rdflib.Graph:
        """Run SPARQL typed by a person: read-only check, row limit and timeout applied.

        The text run is the canonical text the check returns (never the text as typed),
        in a process cut off the network (see :mod:`collabkg.sparql_safety`)."""
        checked = check_query(query)
        text = checked.text
        timeout_s = limits.timeout_s if limits.timeout_s is not None else USER_LIMITS.timeout_s
        if self.endpoint is None:
            require_isolation()
        try:
            if checked.form == "SELECT":
                return self.select(text, bindings, limit=limits.rows, timeout_s=timeout_s)
            if checked.form == "ASK":
                return self.ask(text, bindings, timeout_s=timeout_s)
            return self.construct(text, bindings, timeout_s=timeout_s)
        except QueryError as exc:  # a syntax error's place: in the text as typed
            raise in_source(exc, checked, has_base=self.endpoint is not None) from None

    # ------------------------------------------------------------------ labels

    def _label_index(self) -> LabelIndex:
        """Every label in the graph: one whole-graph query, run once (blank nodes only)."""
        with self._lock:
            if self._labels is None:
                _names, rows = self._backend.select(LABELS_QUERY)
                self._labels = LabelIndex.from_rows(
                    (s, p, label)
                    for row in rows
                    if (s := row.get("s")) is not None
                    and (p := row.get("p")) is not None
                    and (label := row.get("label")) is not None
                )
            return self._labels

    def _look_up(self, iris: Iterable[str]) -> LabelIndex:
        """The labels of these IRIs, fetched once each (a query per LABEL_LOOKUP_BATCH IRIs,
        restricted to them: no whole-graph work however large the graph); more than
        LABEL_LOOKUP_WHOLE at once are read with every label of the graph instead."""
        with self._lock:
            if self._labels is not None:
                return self._labels
            missing = [iri for iri in dict.fromkeys(iris) if iri not in self._looked_up]
        if len(missing) > LABEL_LOOKUP_WHOLE:
            return self._label_index()
        with self._lock:
            wanted: list[str] = []
            for iri in missing:
                if iri in self._looked_up:
                    continue
                self._looked_up.add(iri)
                try:
                    URIRef(iri).n3()
                except Exception:  # not a valid IRI: nothing can name it, shown as written
                    continue
                wanted.append(iri)
            for start in range(0, len(wanted), LABEL_LOOKUP_BATCH):
                batch = wanted[start : start + LABEL_LOOKUP_BATCH]
                _names, rows = self._backend.select(labels_for_query(batch))
                for row in rows:
                    subject, prop, text = row.get("s"), row.get("p"), row.get("label")
                    if subject is not None and prop is not None and text is not None:
                        self._some_labels.add(subject, prop, text)
            return self._some_labels

    def label(self, term: Node | str | None) -> str:
        """What to show a person for a term: its label, or its local name made readable."""
        if isinstance(term, str) and not isinstance(term, Node):
            term = URIRef(term)
        if isinstance(term, URIRef):
            return self._look_up([str(term)]).label(term)
        if isinstance(term, BNode):
            return self._label_index().label(term)
        return LabelIndex().label(term)

    def known_labels(self, iris: Iterable[Node | str]) -> dict[str, str]:
        """The labels the graph gives these IRIs; an IRI nothing names is left out (where
        :meth:`labels` makes a name of its local name)."""
        wanted = list(dict.fromkeys(str(iri) for iri in iris))
        index = self._look_up(wanted)
        return {iri: text for iri in wanted if (text := index.get(iri)) is not None}

    def labels(self, iris: Iterable[Node | str]) -> dict[str, str]:
        """Labels of many IRIs at once: only these are looked up (each once per graph)."""
        wanted = list(dict.fromkeys(str(iri) for iri in iris))
        index = self._look_up(wanted)
        return {iri: index.label(URIRef(iri)) for iri in wanted}

    # ------------------------------------------------------------------ statistics

    def triples_per_file(self) -> dict[str, int]:
        """Number of triples loaded from each file (relative path -> count).

        On a remote endpoint this is known only when the endpoint keeps collabkg's per-file
        named graphs (``collabkg serve`` does); otherwise the answer is empty: file-level
        statistics are not available on a remote endpoint.
        """
        counts = dict.fromkeys(self.files, 0)
        query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        if self.endpoint is not None:
            query = (
                "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                f'FILTER(STRSTARTS(STR(?g), "{GRAPH_BASE}")) }} GROUP BY ?g'
            )
        _names, rows = self._backend.select(query)
        for row in rows:
            graph, count = row.get("g"), row.get("n")
            if graph is not None and isinstance(count, RdfLiteral):
                counts[graph_name_to_path(str(graph))] = int(count.toPython())
        return dict(sorted(counts.items()))

    def triple_count(self) -> int:
        """Distinct triples in the whole graph. For a graph loaded from the project's files
        the count is kept on disk by their content, and brought up to date after a change of
        a few files (:mod:`collabkg.kept_count`): counted afresh, it reads the whole store."""
        kept = self.kept_content()
        if kept is not None and isinstance(self._backend, EmbeddedBackend):
            from collabkg.kept_count import kept_count

            return kept_count(self._backend.store, kept, self._count_triples)
        return self._count_triples()

    def _count_triples(self) -> int:
        """Distinct triples in the whole graph, counted by the engine."""
        _names, rows = self._backend.select(
            "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
        )
        value = rows[0].get("n") if rows else None
        return int(value.toPython()) if isinstance(value, RdfLiteral) else 0

    def counts_per_class(self, *, include_schema: bool = False) -> dict[str, int]:
        """Instances per class, keyed by class label, largest first.

        OWL, RDF(S) and SHACL meta-classes (owl:Class, sh:NodeShape...) are left out
        unless ``include_schema`` is set.
        """
        _names, rows = self._backend.select(
            "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class"
        )
        raw: list[tuple[str, int]] = []
        for row in rows:
            cls_, count = row.get("class"), row.get("n")
            if not isinstance(cls_, URIRef) or not isinstance(count, RdfLiteral):
                continue
            if not include_schema and str(cls_).startswith(_SCHEMA_NAMESPACES):
                continue
            raw.append((str(cls_), int(count.toPython())))
        names = self.labels(iri for iri, _ in raw)
        taken: dict[str, int] = {}
        seen_labels = [names[iri] for iri, _ in raw]
        for iri, number in sorted(raw, key=lambda item: (-item[1], names[item[0]])):
            label = names[iri]
            if seen_labels.count(label) > 1:
                label = f"{label} ({compact(iri)})"
            taken[label] = number
        return taken

    # ------------------------------------------------------------------ export

    def _all_triples(self) -> list[Triple]:
        return self._backend.all_triples()

    def _rdflib_graph(self, triples: Iterable[Triple]) -> rdflib.Graph:
        graph = rdflib.Graph(bind_namespaces="none")
        bind_prefixes(graph)
        for triple in triples:
            graph.add(triple)
        return graph

    def to_rdflib(self) -> rdflib.Graph:
        """The whole graph as an rdflib Graph (for pyshacl and owlready2)."""
        return self._rdflib_graph(self._all_triples())

    def export(self, fmt: str = "ttl") -> str:
        """The whole graph as text: canonical Turtle, sorted N-Triples, or JSON-LD."""
        if fmt == "ttl":
            return canonical_turtle(self._all_triples())
        if fmt == "nt":
            text = self.to_rdflib().serialize(format="nt")
            lines = sorted(line for line in text.splitlines() if line.strip())
            return "\n".join(lines) + ("\n" if lines else "")
        if fmt == "jsonld":
            context = {name: iri for name, iri in PREFIXES.items()}
            return self.to_rdflib().serialize(format="json-ld", context=context, indent=2)
        raise UsageError(
            f"unknown export format {fmt!r}", hint=f"use one of: {', '.join(EXPORT_FORMATS)}"
        )


__all__ = [
    "DEFAULT_PAGE_SIZE",
    "EXPORT_FORMATS",
    "ExportFormat",
    "KnowledgeGraph",
    "Labeller",
    "Page",
    "QueryResult",
    "check_syntax",
    "graph_files",
]

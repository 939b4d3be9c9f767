"""The validation pipeline: one stage sequence over one Oxigraph store.

:func:`run` reads every file (syntax, in worker processes, remembered by content), puts
every usable file in its own named graph of one store (a persistent one under
``.collabkg-cache/`` when a few files are checked against a large graph), then runs, in
order:

1. **syntax** (:mod:`.syntax`, :mod:`.reading`) — each file's Turtle and literals;
2. **vocabulary** (:mod:`.rules`) — the vocabulary rules, each with its pre-filter, on the
   files some pre-filter selects;
3. **shacl** (:mod:`.shacl_run` for the results, :mod:`.shacl` for the issues) — the
   shapes compiled to SPARQL over the store (``engine="pyshacl"``: pySHACL over the same
   data, the reference the tests compare with);
4. **consistency** (``reason=True``; :mod:`.consistency`) — OWL consistency with HermiT.

Files named by the user (the *targets*) are checked against the whole graph: the ontology,
the concept schemes, every file under ``data/`` and the targets themselves (a target inside
``data/`` replaces its on-disk version — it is the same file). Results are reported for the
targets only; problems in other files are counted, not listed.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Sequence
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.term import Node

from collabkg import parse_once
from collabkg.cache import Cache, key_of
from collabkg.errors import UsageError
from collabkg.file_index import MODULUS, Listing, mix
from collabkg.paths import ProjectPaths
from collabkg.progress import Progress, current
from collabkg.rdfterms import to_rdflib
from collabkg.sources import texts_folder
from collabkg.terms import GRAPH_BASE, compact
from collabkg.validate.compiled_shapes import shapes_and_compiled
from collabkg.validate.consistency import check_consistency
from collabkg.validate.inputs import Inputs, display_name, resolved
from collabkg.validate.memo import ContentMemo, content_key
from collabkg.validate.model import FileData, Ontology, quiet_rdflib
from collabkg.validate.ontology_cache import keep_ontology, lookup_ontology
from collabkg.validate.reading import (
    Read,
    canonical_triples,
    file_data,
    rdflib_triples,
    read_files,
)
from collabkg.validate.report import Issue, Report, Severity, Stage
from collabkg.validate.rules import (
    Context,
    GraphScope,
    check_vocabulary,
    select_graphs_by_rule,
)
from collabkg.validate.shacl import load_shapes, run_shacl
from collabkg.validate.shacl_run import SHACL_ENGINES, shacl_results
from collabkg.validate.store import (
    CASE,
    REDUCED_GRAPH,
    TEXT_GRAPH,
    FileRef,
    ListedFiles,
    PersistentStore,
    case_sharing_graphs,
    insert,
    load_file,
    reduced_digest,
    reduced_triples,
    sharing_graphs,
    triples_of,
)
from collabkg.validate.syntax import ParsedFile, parse_bytes, read_turtle
from collabkg.validate.warm_record import keep_record, lookup_record
from collabkg.validate.workspace import Workspace

STAGES = ("syntax", "vocabulary", "quotations", "shacl", "consistency")
ENGINES = ("auto", *SHACL_ENGINES)
"""What ``--engine`` accepts: the SHACL engine of stage 3 (``auto`` is ``sparql``)."""
ENV_ENGINE = "COLLABKG_ENGINE"
MANY_TARGETS = 40
"""With more files asked about than this, only the files a pre-filter selects go through
the vocabulary rules (see :mod:`collabkg.validate.rules`); with fewer, all of them do."""
PERSISTENT_MIN_FILES = 200
"""Checking a few files against at least this many uses the persistent store."""
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def choose_engine(engine: str | None) -> str:
    """``sparql`` or ``pyshacl`` for ``engine`` (auto, sparql, pyshacl, or None: the
    ``COLLABKG_ENGINE`` environment variable, else auto)."""
    chosen = (engine or os.environ.get(ENV_ENGINE, "") or "auto").strip().lower()
    if chosen not in ENGINES:
        raise UsageError(
            f"unknown validation engine {chosen!r}", hint=f"use one of: {', '.join(ENGINES)}"
        )
    return "sparql" if chosen == "auto" else chosen


def _ontology_graph(parsed: Sequence[ParsedFile]) -> Graph:
    graph = Graph()
    with quiet_rdflib():
        for number, item in enumerate(parsed):
            for triple in item.triples:
                graph.add(
                    (
                        to_rdflib(triple.subject, f"o{number}x"),
                        to_rdflib(triple.predicate, f"o{number}x"),
                        to_rdflib(triple.object, f"o{number}x"),
                    )
                )
    return graph


ONTOLOGIES: ContentMemo[Ontology] = ContentMemo()
"""Ontologies built in this process, by the content of their files: the ontology is read
(and indexed) once per process, not once per run or per copy of a project (the explorer,
the tests and a server validate many times over the same ontology)."""
SHAPES: ContentMemo[tuple[Graph, object]] = ContentMemo()
"""The shapes graphs read in this process and their compiled SPARQL, by the content of their
files (another process's are found in the project's cache: :mod:`.compiled_shapes`)."""


def _subjects(parsed: ParsedFile) -> tuple[set[str], set[str]]:
    """(IRIs described, IRIs typed ck:Case) in a parsed file."""
    described: set[str] = set()
    cases: set[str] = set()
    for triple in parsed.triples:
        subject = triple.subject
        if isinstance(subject, ox.NamedNode):
            described.add(subject.value)
            if (
                triple.predicate.value == TYPE
                and isinstance(triple.object, ox.NamedNode)
                and triple.object.value == CASE
            ):
                cases.add(subject.value)
    return described, cases


def _replace_variants(
    parsed_files: list[tuple[ParsedFile, bool]], report: Report
) -> list[tuple[ParsedFile, bool]]:
    """A target that is a variant of a data file (same case ID, most of the same items — e.g.
    an edited copy of data/cases/wigan.ttl kept elsewhere) is checked *in place of* that
    file: otherwise the file on disk would fill every gap of the copy and hide its problems.
    The shared case ID is still an error (reported here, as the other file is left out)."""
    targets = [(p, _subjects(p)) for p, is_target in parsed_files if is_target]
    keep: list[tuple[ParsedFile, bool]] = []
    for parsed, is_target in parsed_files:
        if is_target:
            keep.append((parsed, is_target))
            continue
        described, cases = _subjects(parsed)
        variant = next(
            (
                (target, shared)
                for target, (t_described, t_cases) in targets
                for shared in sorted(cases & t_cases)
                if described and len(described & t_described) >= len(described) / 2
            ),
            None,
        )
        if variant is None:
            keep.append((parsed, is_target))
            continue
        target, case = variant
        report.notes.append(
            f"{target.display} looks like an edited copy of {parsed.display} (same case "
            f"{compact(case)}, mostly the same items): it was checked in place of that file."
        )
        line = target.index.subject_line(case)
        label = next(
            (
                t.object.value
                for t in target.triples
                if isinstance(t.subject, ox.NamedNode)
                and isinstance(t.object, ox.Literal)
                and t.subject.value == case
                and t.predicate.value == "http://www.w3.org/2000/01/rdf-schema#label"
            ),
            None,
        )
        report.add(
            [
                Issue(
                    Severity.VIOLATION,
                    Stage.VOCABULARY,
                    "vocabulary.duplicate-case",
                    f"The case ID {compact(case)} is also used in {parsed.display}: "
                    "each case needs its own ID.",
                    file=target.display,
                    line=line,
                    source_line=target.index.source_line(line),
                    focus=compact(case),
                    focus_label=label,
                    focus_kind="case",
                    related=[f"{parsed.display}:{parsed.index.subject_line(case) or 1}"],
                    hint=f"if this file replaces {parsed.display}, save it there instead; "
                    f"if it is a new case, rename the case (ckd:case-{target.path.stem}) and "
                    "the items that are not the same real things",
                )
            ]
        )
    return keep


def _subjects_of(store: ox.Store, graphs: Sequence[str]) -> set[str] | None:
    """The IRIs described in the named graphs ``graphs`` (None: one describes a blank
    node)."""
    found: set[str] = set()
    for graph in graphs:
        for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
            if not isinstance(quad.subject, ox.NamedNode):
                return None
            found.add(quad.subject.value)
    return found


def _add_kinds(issues: Sequence[Issue], workspace: Workspace) -> None:
    """The kind of the item a syntax issue names (``period``), once the ontology is read:
    the syntax stage names the item by its ID and label only."""
    from collabkg.terms import PREFIXES

    for issue in issues:
        if issue.stage is not Stage.SYNTAX or not issue.focus or issue.focus_kind:
            continue
        prefix, _, local = issue.focus.partition(":")
        if prefix in PREFIXES:
            issue.focus_kind = workspace.kind_of(URIRef(PREFIXES[prefix] + local))


def unusable_note(shown: str) -> str:
    """The note a report gives of a file left out of the graph for its errors."""
    return f"{shown} has errors and was left out of the graph (run: collabkg validate {shown})."


class _NotWarm(Exception):
    """A warm run cannot vouch for the other files (see :mod:`.warm`): run the ordinary one."""


class _Run:
    """One run of the pipeline: the stages, in order, over one store."""

    def __init__(
        self,
        inputs: Inputs,
        project: ProjectPaths,
        cache: Cache | None,
        case_rules: bool,
        stages: Sequence[str],
        progress: Progress,
        *,
        reason: bool = False,
        engine: str = "sparql",
        prefilter: bool = True,
        many_targets: int = MANY_TARGETS,
        replace_variants: bool = True,
        mentions: dict[str, bytes] | None = None,
        shacl_focus: dict[str, frozenset[str]] | None = None,
        listing: Listing | None = None,
        resolved_paths: dict[Path, str] | None = None,
    ) -> None:
        self.inputs = inputs
        self.listing = listing
        """A warm run (see :mod:`.warm`): the project's data files as the index lists them."""
        self.shacl_focus = shacl_focus or {}
        self.many_targets = many_targets
        self.replace_variants = replace_variants
        self.mentions = mentions
        self.reason = reason
        self.engine = engine
        self.prefilter = prefilter
        self.project = project
        self.cache = cache
        self.case_rules = case_rules
        self.stages = stages
        self.progress = progress
        self.started = time.perf_counter()
        self.report = Report()
        self._paths: dict[Path, tuple[str, str, str]] = {}
        self._folders: dict[str, str] = {}
        self._known = resolved_paths or {}
        """Resolved paths the caller already worked out in this command (by path)."""
        self._root = str(project.root)
        self.target_set = {self.resolved(t) for t in inputs.targets}
        self.report.files = [self.display(t) for t in inputs.targets]
        self.refs: list[FileRef] = []
        self.parsed: dict[str, ParsedFile] = {}
        self.reads: dict[int, Read] = {}
        self.shas: dict[str, str] = {}
        self.skip_values: set[Node] = set()
        self.skip_triples: set[tuple[Node, Node, Node | None]] = set()
        self.context_problems: dict[str, int] = {}
        """Name shown of each context file with problems -> how many (counted, not shown)."""
        self.unusable: dict[str, str] = {}
        """Name shown of each context file left out (errors) -> its sha256."""
        self.listed: ListedFiles | None = None
        """A warm run's context files (see :mod:`.warm`); None: ``self.context`` has them."""
        self.listed_context = 0
        """A warm run's count of context files (those left out of the graph included)."""

    def _path(self, path: Path) -> tuple[str, str, str]:
        """(resolved path, name shown, named graph) of a file, worked out once (as strings:
        pathlib objects for thousands of files were a large part of checking one file)."""
        found = self._paths.get(path)
        if found is None:
            resolved = self._resolve(path)
            root = self._root
            if resolved.startswith(root + "/"):
                relative = resolved[len(root) + 1 :]
                shown = relative
            else:
                relative = resolved
                shown = display_name(self.project, path)
            found = (resolved, shown, GRAPH_BASE + relative.lstrip("/"))
            self._paths[path] = found
        return found

    def _resolve(self, path: Path) -> str:
        """``str(path.resolve())``, with each folder resolved once: a file that is not a
        link resolves to its resolved folder and its name."""
        known = self._known.get(path)
        if known is not None:
            return known
        text = str(path)
        if not path.is_absolute() or path.name in ("", ".", "..") or os.path.islink(text):  # noqa: PTH114 - a string is faster
            return str(resolved(path))
        parent, name = os.path.split(text)
        folder = self._folders.get(parent)
        if folder is None:
            folder = self._folders[parent] = str(resolved(Path(parent)))
        return folder + "/" + name if folder != "/" else "/" + name

    def resolved(self, path: Path) -> str:
        return self._path(path)[0]

    def display(self, path: Path) -> str:
        return self._path(path)[1]

    def graph(self, path: Path) -> str:
        return self._path(path)[2]

    def run(self) -> Report:
        inputs, report = self.inputs, self.report
        # ---- 1. syntax: the ontology first (small, in this process)
        ontology_parsed: list[ParsedFile] = []
        memo_key = content_key(inputs.ontology)
        remembered = ONTOLOGIES.get(memo_key)
        if remembered is None and memo_key is not None and self.cache is not None:
            remembered = lookup_ontology(self.cache, memo_key)  # built by another process
            if remembered is not None:
                ONTOLOGIES.remember(memo_key, remembered)
        for path in inputs.ontology if remembered is None else ():
            parsed, issues = read_turtle(path, self.display(path))
            if parsed is None:
                report.add(issues)
                report.notes.append(
                    f"{self.display(path)} could not be read: the ontology "
                    "is incomplete, so later checks were skipped."
                )
            else:
                ontology_parsed.append(parsed)
        ontology_set = {self.resolved(p) for p in inputs.ontology}
        self.context = [p for p in inputs.data if self.resolved(p) not in self.target_set]
        self.targets = [p for p in inputs.targets if self.resolved(p) not in ontology_set]
        self.ontology: Ontology | None = None
        self.ctx: Context | None = None
        if remembered is not None:
            self.ontology = remembered
            self.ctx = Context.of(self.ontology, self.case_rules)
        elif inputs.ontology and len(ontology_parsed) == len(inputs.ontology):
            self.ontology = ONTOLOGIES.remember(
                memo_key, Ontology(_ontology_graph(ontology_parsed))
            )
            if memo_key is not None and self.cache is not None:
                keep_ontology(self.cache, memo_key, self.ontology)
            self.ctx = Context.of(self.ontology, self.case_rules)
        self.many = len(self.targets) + len(inputs.texts) > self.many_targets
        persistent = (
            self.cache is not None
            and not self.many
            and (self.listing is not None or len(self.context) >= PERSISTENT_MIN_FILES)
            and self.ontology is not None
        )
        if self.listing is not None and (not persistent or inputs.texts):
            raise _NotWarm
        if not persistent:
            return self._run(ox.Store(), None)
        assert self.cache is not None
        with self.cache.store_lock():
            keeper: PersistentStore | None = PersistentStore(self.cache)
            try:
                store = keeper.open()  # type: ignore[union-attr]
            except OSError:
                if self.listing is not None:
                    raise _NotWarm from None
                keeper = None  # the cached store cannot be opened: work in memory
                store = ox.Store()
            try:
                if self.listing is not None:
                    assert keeper is not None
                    return self._run_warm(store, keeper, self.listing)
                return self._run(store, keeper)
            finally:
                del store
                if keeper is not None:
                    keeper.close()

    def _salt(self) -> str:
        """What a file's cached syntax result also depends on: the ontology (the triggers
        of the vocabulary stage are worked out with it) and the case rules."""
        if self.ctx is None:
            return "-"
        if self.cache is not None:
            states = self.cache.states(self.inputs.ontology)
            return key_of(self.case_rules, *(f"{s.path}={s.sha256}" for s in states))
        return key_of(self.case_rules, *sorted(self.ctx.defined))

    def _run(self, store: ox.Store, keeper: PersistentStore | None) -> Report:
        tasks = [(p, self.display(p), True) for p in self.context] + [
            (p, self.display(p), False) for p in self.targets
        ]
        self._read(tasks, store, load_now=keeper is None)
        return self._check(tasks, store, keeper)

    def _run_warm(self, store: ox.Store, keeper: PersistentStore, listing: Listing) -> Report:
        """The targets checked against a store the record says holds every other data file
        as it is now (see :mod:`.warm`); :class:`_NotWarm` when it cannot say so."""
        assert self.cache is not None and self.ontology is not None
        salt = self._salt()
        reduced = reduced_triples(self.ontology)
        record = lookup_record(self.cache, keeper, salt, reduced_digest(reduced))
        if record is None:
            raise _NotWarm
        names = list(dict.fromkeys(self.display(t) for t in self.targets))
        total = listing.total
        listed: list[str] = []
        for name in names:
            mixed = listing.mix_of(name)
            if mixed is None:
                continue  # not a data file: not in the sum
            listed.append(name)
            total -= mixed
            graph = GRAPH_BASE + name
            if store.contains_named_graph(ox.NamedNode(graph)):
                held = keeper.manifest.get(graph)
                if held is None:
                    raise _NotWarm
                total += mix(name, bytes.fromhex(held))
            elif name in record.unusable:
                total += mix(name, bytes.fromhex(record.unusable[name]))
        if total % MODULUS != record.total:
            raise _NotWarm  # a file other than the targets changed: the ordinary run
        report = self.report
        checked = set(listed)
        for name in record.unusable:
            if name not in checked:
                report.notes.append(unusable_note(name))
        report.other_files_problems += sum(
            count for name, count in record.problems.items() if name not in checked
        )
        self.listed = ListedFiles(self.project.root, listing, checked | set(record.unusable))
        self.listed_context = len(listing.names) - len(listed)
        tasks = [(p, self.display(p), False) for p in self.targets]
        self._read(tasks, store, load_now=False)
        return self._check(tasks, store, keeper, reduced=reduced)

    def _read(
        self, tasks: Sequence[tuple[Path, str, bool]], store: ox.Store, *, load_now: bool
    ) -> None:
        """Stage 1 for every file of ``tasks`` (context files counted, targets reported)."""
        report, progress = self.report, self.progress
        # a small project's files loaded here are kept parsed for the graph's load after it
        keep = load_now and len(tasks) <= parse_once.KEPT_FILES
        for index, result, sha in read_files(
            tasks,
            self.cache,
            self.ctx,
            salt=self._salt(),
            progress=progress,
            whole_context=self.mentions is None,
        ):
            self.reads[index] = result
            path, shown, is_context = tasks[index]
            graph = self.graph(path)
            if self.mentions is not None and result.mentions is not None:
                self.mentions[self.resolved(path)] = result.mentions
            if is_context:
                if not result.usable:
                    report.notes.append(unusable_note(shown))
                    report.other_files_problems += len(result.issues)
                    self.context_problems[shown] = len(result.issues)
                    self.unusable[shown] = sha
                    continue
                found = sum(1 for i in result.issues if i.severity is Severity.VIOLATION)
                report.other_files_problems += found
                if found:
                    self.context_problems[shown] = found
            else:
                report.add(result.issues)
                if not result.usable:
                    continue
            self.refs.append(FileRef(path, shown, graph, not is_context, result.has_bnodes))
            self.shas[graph] = sha
            if load_now and (is_context or self.many):
                load_file(store, path, graph, result.has_bnodes, keep=keep)

    def _check(
        self,
        tasks: Sequence[tuple[Path, str, bool]],
        store: ox.Store,
        keeper: PersistentStore | None,
        *,
        reduced: list[ox.Triple] | None = None,
    ) -> Report:
        """Everything after stage 1: the store made ready, stages 2 to 4."""
        inputs, report, progress = self.inputs, self.report, self.progress
        if not self.many:
            # few targets: kept in memory, their blank nodes named as in the store
            for ref in self.refs:
                if ref.target:
                    parsed, _issues = read_turtle(ref.path, ref.display)
                    assert parsed is not None
                    parsed.triples = canonical_triples(parsed.triples, ref.graph)
                    self.parsed[ref.graph] = parsed
        for number, (name, data) in enumerate(inputs.texts):
            parsed, issues = parse_bytes(data, Path(name), name)
            report.add(issues)
            report.files.append(name)
            if parsed is not None:
                graph = f"{TEXT_GRAPH}{number}-{hashlib.sha256(name.encode()).hexdigest()[:16]}"
                parsed.triples = canonical_triples(parsed.triples, graph)
                self.refs.append(FileRef(Path(name), name, graph, True))
                self.parsed[graph] = parsed
        report.stages.append("syntax")
        if self.listed is not None:  # every listed file but the targets, as below
            report.context_files = (
                len(inputs.ontology) + self.listed_context + len(inputs.targets) + len(inputs.texts)
            )
        else:
            report.context_files = len(
                {self.resolved(p) for p in (*inputs.ontology, *self.context, *inputs.targets)}
            ) + len(inputs.texts)
        if not inputs.ontology:
            report.notes.append("No ontology files (ontology/*.ttl): only the syntax was checked.")
        ontology = self.ontology
        if ontology is None or not any(ref.target for ref in self.refs):
            report.seconds = time.perf_counter() - self.started
            return report

        # ---- the store: every usable file in its graph, and the reduced ontology
        if reduced is None:
            reduced = reduced_triples(ontology)
        if keeper is not None:
            # a target without blank nodes whose file is in the store as it is now stays
            # there (the neighbours of an incremental run); the others go in as temporary
            # graphs (a file with blank nodes is checked with its own blank nodes: with the
            # store's, pySHACL missed a reversed period in a [ ] at the second check)
            if self.listed is None:
                wanted = {
                    ref.graph: (ref.path, self.shas[ref.graph], ref.has_bnodes)
                    for ref in self.refs
                    if not ref.target
                    or (
                        not ref.has_bnodes
                        and keeper.manifest.get(ref.graph, "") == self.shas[ref.graph]
                    )
                }
                keeper.sync(wanted, (reduced, reduced_digest(reduced)), progress)
                self._keep_warm(keeper, wanted, reduced)
            else:
                # a warm run: the store holds the context already (see .warm); only the
                # targets are looked at (the manifest read only for one the store holds)
                wanted = {
                    ref.graph: (ref.path, self.shas[ref.graph], ref.has_bnodes)
                    for ref in self.refs
                    if ref.target
                    and not ref.has_bnodes
                    and store.contains_named_graph(ox.NamedNode(ref.graph))
                    and keeper.manifest.get(ref.graph, "") == self.shas[ref.graph]
                }
            for ref in self.refs:
                if ref.target and ref.graph not in wanted:
                    if (
                        self.listed is None or store.contains_named_graph(ox.NamedNode(ref.graph))
                    ) and ref.graph in keeper.manifest:
                        keeper.remove(ref.graph)
                    keeper.add_temporary(self.parsed[ref.graph], ref.graph)
        else:
            insert(store, reduced, REDUCED_GRAPH)
            for ref in self.refs:
                if ref.graph in self.parsed:
                    insert(store, self.parsed[ref.graph].triples, ref.graph)

        # ---- an edited copy of a data file is checked in place of it
        if self.replace_variants:
            self._replace_variants(store, keeper)

        # ---- 2. vocabulary, 3. SHACL, 4. OWL consistency
        workspace = self._vocabulary(tasks, store, ontology)
        _add_kinds(report.issues, workspace)
        self._shacl(store, workspace)
        self._consistency(workspace)
        report.seconds = time.perf_counter() - self.started
        return report

    def _keep_warm(
        self,
        keeper: PersistentStore,
        wanted: dict[str, tuple[Path, str, bool]],
        reduced: list[ox.Triple],
    ) -> None:
        """After the store was brought in step with every file: what a later warm run
        (:mod:`.warm`) needs to trust it without listing the files again."""
        if self.cache is None:
            return
        held = {
            ref.display: self.shas[ref.graph]
            for ref in self.refs
            if ref.graph in wanted and ref.graph == GRAPH_BASE + ref.display
        }
        if len(held) != len(wanted):
            return  # a file not named by its path from the root: no record
        keep_record(
            self.cache,
            keeper,
            salt=self._salt(),
            reduced=reduced_digest(reduced),
            held=held,
            unusable=self.unusable,
            problems=self.context_problems,
        )

    def _vocabulary(
        self, tasks: Sequence[tuple[Path, str, bool]], store: ox.Store, ontology: Ontology
    ) -> Workspace:
        """Stage 2: the vocabulary rules on the files some pre-filter selects."""
        self.progress.stage("checking terms")
        texts = texts_folder(self.project.root)
        candidates, selection = self._candidates(tasks, store, ontology, texts)
        workspace = Workspace(
            ontology, self._local_files(candidates, store), store, self.refs, self.listed
        )
        workspace.texts = texts
        workspace.selection = selection
        if "vocabulary" in self.stages:
            vocabulary = check_vocabulary(
                workspace, case_rules=self.case_rules, quotations="quotations" in self.stages
            )
            self.report.add(vocabulary.issues)
            self.skip_values = vocabulary.bad_values
            self.skip_triples = vocabulary.bad_triples
            self.report.stages.append("vocabulary")
            if "quotations" in self.stages:
                self.report.stages.append("quotations")
        return workspace

    def _shacl(self, store: ox.Store, workspace: Workspace) -> None:
        """Stage 3: the shapes, on the items the files asked about describe."""
        if "shacl" not in self.stages:
            return
        if not self.inputs.shapes:
            self.report.notes.append(
                "No SHACL shapes found (shapes/*.ttl): the data model was not checked."
            )
            return
        files = self.inputs.shapes
        # parsed and compiled once per content: in this process (SHAPES), else from the
        # project's cache (another process built them), else here
        shapes, compiled = SHAPES.get_or_build(
            files, lambda: shapes_and_compiled(files, self.cache, load_shapes)
        )
        everything = (
            all(ref.target for ref in self.refs) and not self.shacl_focus and self.listed is None
        )
        targets = [ref for ref in self.refs if ref.target]
        focus = None if everything else [r.graph for r in targets if self._whole(r)]
        nodes = None
        if self.shacl_focus:
            items: set[str] = set()
            for r in targets:
                items |= self.shacl_focus.get(self.resolved(r.path), frozenset())
            # the items of the targets checked whole too, when they have no blank nodes:
            # one focus, so each shape's query runs once
            described = _subjects_of(store, focus or [])
            if described is not None:
                items |= described
                focus = []
            nodes = [URIRef(iri) for iri in sorted(items)]
        raw = shacl_results(
            shapes,
            store,
            workspace,
            focus,
            self.progress,
            engine=self.engine,
            focus_nodes=nodes,
            compiled=compiled,
        )
        self.progress.stage("placing the results in the files")
        workspace.prefetch(r[0] for r in raw if r[0] is not None)
        shacl = run_shacl(
            workspace, shapes, raw, skip_values=self.skip_values, skip_triples=self.skip_triples
        )
        self.report.add(shacl.issues)
        self.report.other_files_problems += shacl.elsewhere
        self.report.stages.append("shacl")

    def _whole(self, ref: FileRef) -> bool:
        """Whether the shapes check every item of a target (not only the items the
        incremental run limits it to)."""
        return not self.shacl_focus or self.resolved(ref.path) not in self.shacl_focus

    def _consistency(self, workspace: Workspace) -> None:
        """Stage 4 (``--reason``): OWL consistency of the whole graph with HermiT."""
        if not self.reason or "consistency" not in self.stages:
            return
        self.progress.stage("OWL consistency (HermiT)")
        issues, notes = check_consistency(workspace)
        self.report.add(issues)
        self.report.notes += notes
        self.report.stages.append("consistency")

    def _replace_variants(self, store: ox.Store, keeper: PersistentStore | None) -> None:
        """:func:`collabkg.validate.pipeline._replace_variants` on the only context files
        that can be an original (they give a target's case ID the type ck:Case)."""
        if all(ref.target for ref in self.refs) and self.listed is None:
            return  # no context file: nothing to replace
        targets = [ref for ref in self.refs if ref.target]
        cases: set[str] = set()
        for ref in targets:
            parsed = self.parsed.get(ref.graph)
            triples = parsed.triples if parsed is not None else triples_of(store, ref.graph)
            for t in triples:
                if (
                    isinstance(t.subject, ox.NamedNode)
                    and t.predicate.value == TYPE
                    and isinstance(t.object, ox.NamedNode)
                    and t.object.value == CASE
                ):
                    cases.add(t.subject.value)
        graphs = case_sharing_graphs(store, cases)
        originals = [ref for ref in self.refs if not ref.target and ref.graph in graphs]
        if self.listed is not None:
            listed = self.listed
            found = [g for g in graphs if listed.rank(g) is not None]
            for graph in sorted(found, key=lambda g: listed.rank(g) or 0):
                original = listed.get(graph)
                if original is not None:
                    originals.append(original)
        if not originals:
            return
        parsed_files: list[tuple[ParsedFile, bool]] = []
        by_id: dict[int, FileRef] = {}
        for ref in originals:
            parsed, _issues = read_turtle(ref.path, ref.display, context=True)
            if parsed is not None:
                parsed_files.append((parsed, False))
                by_id[id(parsed)] = ref
        for ref in targets:
            parsed = self.parsed.get(ref.graph)
            if parsed is None:
                parsed, _issues = read_turtle(ref.path, ref.display)
            if parsed is not None:
                parsed_files.append((parsed, True))
        kept = {id(p) for p, _t in _replace_variants(parsed_files, self.report)}
        for parsed, _target in parsed_files:
            original = by_id.get(id(parsed))
            if original is not None and id(parsed) not in kept:
                if original in self.refs:
                    self.refs.remove(original)
                elif self.listed is not None:
                    self.listed.exclude(original.graph)
                if keeper is not None:
                    keeper.remove(original.graph)
                else:
                    store.remove_graph(ox.NamedNode(original.graph))

    def _candidates(
        self,
        tasks: Sequence[tuple[Path, str, bool]],
        store: ox.Store,
        ontology: Ontology,
        texts: Path | None = None,
    ) -> tuple[list[FileRef], dict[str, frozenset[str]] | None]:
        """The targets the vocabulary checker must read (all of them when they are few),
        and the rules each goes through (by the name the report gives the file: the rules
        whose own pre-filter, local or graph-wide, selected it; None: every rule)."""
        targets = [ref for ref in self.refs if ref.target]
        if not self.many or not self.prefilter:
            return targets, None
        chosen: dict[str, set[str]] = {}
        unknown: set[str] = set()  # no local selection known: every rule
        for i, read in self.reads.items():
            if tasks[i][2]:
                continue
            if read.selected is None:
                unknown.add(tasks[i][1])
            elif read.selected:
                chosen[tasks[i][1]] = set(read.selected)
        assert self.ctx is not None
        facts = [
            (self.graph(tasks[i][0]), read.facts)
            for i, read in self.reads.items()
            if not tasks[i][2] and read.usable
        ]
        self.progress.stage("finding files with possible vocabulary problems")
        order = [ref.graph for ref in targets]
        by_rule = select_graphs_by_rule(GraphScope(store, ontology, self.ctx, facts, texts, order))
        display = {ref.graph: ref.display for ref in targets}
        for name, graphs in by_rule.items():
            for graph in graphs:
                shown = display.get(graph)
                if shown is not None:
                    chosen.setdefault(shown, set()).add(name)
        selection = {
            shown: frozenset(names) for shown, names in chosen.items() if shown not in unknown
        }
        return [
            ref
            for ref in targets
            if ref.display in chosen or ref.display in unknown or ref.graph in self.parsed
        ], selection

    def _local_files(self, candidates: Sequence[FileRef], store: ox.Store) -> list[FileData]:
        """FileData for the candidates and for the files sharing typed items with them."""
        items: dict[str, FileData] = {}
        for ref in candidates:
            parsed = self.parsed.get(ref.graph)
            if parsed is not None:
                items[ref.graph] = rdflib_triples(parsed)
                continue
            parsed, _issues = read_turtle(ref.path, ref.display)
            if parsed is not None:
                items[ref.graph] = file_data(parsed, ref.graph, target=True)
        # over many files, shared_filter chose both ends of an addition to another's item
        sharing = sharing_graphs(store, list(items.values()), added_to=not self.many) - set(
            items
        )
        by_graph = {ref.graph: ref for ref in self.refs}
        rank = {ref.graph: i for i, ref in enumerate(self.refs)}
        listed = self.listed
        for graph in sharing:
            sharer = by_graph.get(graph)
            if sharer is None and listed is not None:
                sharer = listed.get(graph)
                rank[graph] = (listed.rank(graph) or 0) - len(listed.listing.names)
            if sharer is None:
                continue
            parsed, _issues = read_turtle(sharer.path, sharer.display, context=True)
            if parsed is not None:
                items[graph] = file_data(parsed, graph, target=sharer.target)
        return [items[g] for g in sorted(items, key=lambda g: rank.get(g, len(rank)))]


def run(
    inputs: Inputs,
    project: ProjectPaths,
    *,
    reason: bool = False,
    case_rules: bool = True,
    stages: Sequence[str] = STAGES,
    engine: str | None = None,
    prefilter: bool = True,
    progress: Progress | None = None,
    many_targets: int = MANY_TARGETS,
    replace_variants: bool = True,
    mentions: dict[str, bytes] | None = None,
    shacl_focus: dict[str, frozenset[str]] | None = None,
    resolved_paths: dict[Path, str] | None = None,
) -> Report:
    """Run the pipeline on ``inputs`` (see the module docstring).

    ``engine``: how stage 3 runs the shapes (``sparql``, the default, or ``pyshacl``, the
    reference). ``prefilter=False`` gives every file asked about to the vocabulary rules
    (exact and slower: the tests compare the two). The incremental run
    (:mod:`.incremental`) asks about up to ``many_targets`` files in the persistent store,
    never replaces a file by a variant (a whole-project run does not either), and has each
    file's ``mentions`` (resolved path: the items it names, see
    :func:`.reading.mentions_of`) filled in. ``shacl_focus`` (resolved path of a target:
    IRIs) limits the shapes to those items of that target (the others' results are the
    incremental run's to carry over). ``resolved_paths``: ``str(path.resolve())`` of
    files, as the caller worked them out moments before (not resolved again).
    """
    own = progress is None and current() is None
    progress = progress or current() or Progress.disabled()
    cache = Cache.open(project.root)
    try:
        return _Run(
            inputs,
            project,
            cache,
            case_rules,
            stages,
            progress,
            reason=reason,
            engine=choose_engine(engine),
            prefilter=prefilter,
            many_targets=many_targets,
            replace_variants=replace_variants,
            mentions=mentions,
            shacl_focus=shacl_focus,
            resolved_paths=resolved_paths,
        ).run()
    finally:
        if cache is not None:
            cache.close()
        if own:
            progress.close()


def run_warm(
    inputs: Inputs,
    project: ProjectPaths,
    listing: Listing,
    *,
    engine: str | None = None,
    progress: Progress | None = None,
) -> Report | None:
    """The targets of ``inputs`` (its data left empty) checked as a warm run against the
    data files ``listing`` lists (see :mod:`.warm`), or None when the cached store cannot
    vouch for them (the caller then runs :func:`run` over every file)."""
    own = progress is None and current() is None
    progress = progress or current() or Progress.disabled()
    cache = Cache.open(project.root)
    if cache is None:
        return None
    try:
        return _Run(
            inputs,
            project,
            cache,
            True,
            STAGES,
            progress,
            engine=choose_engine(engine),
            listing=listing,
        ).run()
    except _NotWarm:
        return None
    finally:
        cache.close()
        if own:
            progress.close()


__all__ = ["ENGINES", "MANY_TARGETS", "STAGES", "choose_engine", "run", "run_warm", "unusable_note"]

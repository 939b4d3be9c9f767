"""The SPARQL engine of the validation pipeline: the same checks, at a million triples.

:func:`collabkg.validate.pipeline.run` (the *pyshacl* engine) holds every file of the graph
in Python (rdflib terms) and hands one rdflib graph to pySHACL: simple, and slow beyond ten
thousand triples. This engine (``--engine sparql``) reports the same issues, found another
way:

- **files are read in parallel and remembered**: the syntax stage runs in worker processes
  (one per core) and its result is cached by the sha256 of each file
  (:mod:`collabkg.cache`), so an unchanged file is not parsed again;
- **the graph lives in an Oxigraph store**, each file in its own named graph, with the
  ontology's ``rdf:type``/``rdfs:subClassOf`` statements (what pySHACL is given) in a graph of
  their own; checking a few files against a large graph uses a persistent store under
  ``.collabkg-cache/store`` kept in step with the files, so only changed files are loaded;
- **SHACL runs as SPARQL** (:mod:`collabkg.shacl_sparql`, shown to report exactly what
  pySHACL reports; pySHACL still runs any shape it cannot translate), focused on the items
  the files asked about describe;
- **the vocabulary stage runs on the files that can have a problem**: every check of
  :mod:`collabkg.validate.vocabulary` is either about a file alone (its terms, prefixes,
  statement kinds, cases) — decided in the worker that parsed it — or about the whole graph
  (links to nothing, items with no type, kinds that clash or do not fit a property, items
  described in several files) — decided by SPARQL queries on the store. Files that no
  condition selects cannot have a vocabulary issue; the others go through the very same
  checker, on a workspace whose graph-wide look-ups (types, labels, who describes what) are
  answered by the store.

The two engines are compared issue by issue in ``tests/validate/test_engines.py``.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import re
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from collabkg.cache import Cache, code_version, key_of
from collabkg.labels import LabelIndex
from collabkg.paths import ProjectPaths
from collabkg.progress import Progress
from collabkg.terms import CK, CKD, GRAPH_BASE, PREFIXES
from collabkg.validate.model import FileData, Ontology, Workspace, quiet_rdflib, to_rdflib
from collabkg.validate.report import Report, Severity
from collabkg.validate.syntax import ParsedFile, parse_bytes, read_turtle

ENGINES = ("auto", "sparql", "pyshacl")
ENV_ENGINE = "COLLABKG_ENGINE"
AUTO_MIN_BYTES = 0
"""``auto`` picks the SPARQL engine when the data files hold at least this much Turtle: it is
faster at every size measured (the 22 research files: 0.4 s against 1.9 s), so always."""
MANY_TARGETS = 40
"""With more files asked about than this, only the files a condition selects go through
the vocabulary checker (see the module docstring); with fewer, all of them do."""
PERSISTENT_MIN_FILES = 200
STORE_FORMAT = "2"
"""Bumped when what the persistent store holds for a file changes (e.g. how blank nodes are
named): the store is then rebuilt."""
"""Checking a few files against at least this many uses the persistent store."""

REDUCED_GRAPH = "urn:collabkg:validation:ontology"
"""The ontology's rdf:type and rdfs:subClassOf statements (and the W3C axioms the validator
adds): the part of the ontology the shapes see, as pySHACL's data graph holds it."""
TEMP_PREFIX = "urn:collabkg:validation:tmp:"
TEXT_GRAPH = "urn:collabkg:validation:text:"

_TYPE = str(RDF.type)
_OX_TYPE = ox.NamedNode(_TYPE)
_OX_REDUCED = ox.NamedNode(REDUCED_GRAPH)
_LABEL_PREDICATES = (ox.NamedNode(str(RDFS.label)), ox.NamedNode(str(SKOS.prefLabel)))
_CASE = str(CK.Case)
_ORG_MEMBERSHIP = "http://www.w3.org/ns/org#Membership"


def choose_engine(engine: str | None, data: Sequence[Path], *, reason: bool = False) -> str:
    """``sparql`` or ``pyshacl`` for ``engine`` (auto, sparql, pyshacl, or None: the
    ``COLLABKG_ENGINE`` environment variable, else auto)."""
    chosen = (engine or os.environ.get(ENV_ENGINE, "") or "auto").strip().lower()
    if chosen not in ENGINES:
        from collabkg.errors import UsageError

        raise UsageError(
            f"unknown validation engine {chosen!r}", hint=f"use one of: {', '.join(ENGINES)}"
        )
    if reason:
        return "pyshacl"  # the reasoner needs the whole graph in Python anyway
    if chosen != "auto":
        return chosen
    if AUTO_MIN_BYTES <= 0:
        return "sparql"
    total = 0
    for path in data:
        try:
            total += path.stat().st_size
        except OSError:
            continue
        if total >= AUTO_MIN_BYTES:
            return "sparql"
    return "pyshacl"


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


def _has_bnodes(triples: Iterable[ox.Triple]) -> bool:
    return any(
        isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples
    )


# --------------------------------------------------------------------------- local triggers


@dataclass
class TriageContext:
    """What the workers need to know about the ontology (inherited when they fork)."""

    defined: frozenset[str]
    classes: frozenset[str]
    properties: frozenset[str]
    object_properties: frozenset[str]
    datatype_properties: frozenset[str]
    concepts: frozenset[str]
    case_rules: bool
    domains: dict[str, tuple[str, ...]]
    """Our properties that have an rdfs:domain, and their domains."""
    supers: dict[str, frozenset[str]]
    """Each class of the ontology and its superclasses."""

    @classmethod
    def of(cls, ontology: Ontology, case_rules: bool) -> TriageContext:
        return cls(
            frozenset(ontology.defined),
            frozenset(ontology.classes),
            frozenset(ontology.properties),
            frozenset(p for p in ontology.properties if ontology.is_object_property(p)),
            frozenset(p for p in ontology.properties if ontology.is_datatype_property(p)),
            frozenset(ontology.concepts),
            case_rules and _CASE in ontology.classes,
            {
                p: tuple(ontology.domain(p))
                for p in ontology.properties
                if ontology.is_ours(p) and ontology.domain(p)
            },
            {c: frozenset(ontology.superclasses(c)) for c in ontology.classes},
        )

    def is_a(self, types: Iterable[str], cls: str) -> bool:
        """As :meth:`Ontology.is_a` (a class not in the ontology is only itself)."""
        return any(cls in self.supers.get(t, (t,)) for t in types)


@dataclass
class Facts:
    """What one file says that the graph-wide vocabulary checks need, worked out by the
    worker that parsed it (see :func:`global_triggers`)."""

    links: frozenset[str] = frozenset()
    """IDs (ckd:) the file links to without describing them: described elsewhere or nowhere."""
    untyped: frozenset[str] = frozenset()
    """Items described here with no type here (not ours, not ontology terms)."""
    wrong_domain: bool = False
    """A property is used on an item whose kinds here do not fit its domain."""
    domain_elsewhere: frozenset[tuple[str, str]] = frozenset()
    """(property, item) with a domain, on an item that has no kind in this file."""


def file_facts(parsed: ParsedFile, ctx: TriageContext) -> Facts:
    """The :class:`Facts` of a parsed file (its blank nodes are its own: checked here)."""
    subjects: set[str] = set()
    objects: set[str] = set()
    types: dict[str, set[str]] = {}
    uses: set[tuple[str, str]] = set()
    for t in parsed.triples:
        s, p, o = t.subject, t.predicate.value, t.object
        key = s.value if isinstance(s, ox.NamedNode) else f"_:{s.value}"  # type: ignore[union-attr]
        if isinstance(s, ox.NamedNode):
            subjects.add(key)
        if isinstance(o, ox.NamedNode):
            if p == _TYPE:
                types.setdefault(key, set()).add(o.value)
            elif o.value.startswith(_CKD):
                objects.add(o.value)
        if p in ctx.domains:
            uses.add((p, key))
    wrong_domain = False
    elsewhere: set[tuple[str, str]] = set()
    for p, key in uses:
        kinds = types.get(key)
        if kinds:
            if not any(ctx.is_a(kinds, d) for d in ctx.domains[p]):
                wrong_domain = True
        elif not key.startswith("_:"):
            elsewhere.add((p, key))
    untyped = {
        s
        for s in subjects
        if s not in types and not s.startswith(_OUR_TERMS) and s not in ctx.defined
    }
    return Facts(
        frozenset(objects - subjects), frozenset(untyped), wrong_domain, frozenset(elsewhere)
    )


_STANDARD_CACHE: dict[str, bool] = {}


def _unknown_standard(iri: str) -> bool:
    """Would the checker warn that ``iri`` is not a term of its W3C vocabulary?"""
    if iri in _STANDARD_CACHE:
        return _STANDARD_CACHE[iri]
    from collabkg.validate.vocabulary import STANDARD

    namespace = next((ns for ns in STANDARD if iri.startswith(ns)), None)
    unknown = False
    if namespace is not None:
        try:
            unknown = URIRef(iri) not in STANDARD[namespace]
        except Exception:  # pragma: no cover - the checker treats this as known
            unknown = False
    _STANDARD_CACHE[iri] = unknown
    return unknown


def _is_case_file(display: str, path: Path) -> bool:
    """As :meth:`collabkg.validate.vocabulary._Checker._is_case_file`."""
    if display.startswith(("ontology/", "shapes/")):
        return False
    if display.startswith("data/"):
        return display.startswith("data/cases/")
    return path.name != "sources.ttl"


TRIAGE_REVIEWED = "40ccf15a86027f8b"
"""The sha256 (first 16 digits) of validate/vocabulary.py when :func:`local_trigger` and
:func:`global_triggers` were last checked against it. When the checker changes, the engine
stops trusting the triage and gives every file asked about to the checker (exact, slower)
until someone reviews the triggers and updates this value
(``tests/validate/test_engines.py`` says so)."""


def triage_reviewed() -> bool:
    from collabkg.validate import vocabulary

    source = Path(vocabulary.__file__).read_bytes()
    return hashlib.sha256(source).hexdigest()[:16] == TRIAGE_REVIEWED


def local_trigger(parsed: ParsedFile, ctx: TriageContext) -> bool:
    """True when a check of the vocabulary stage that looks at this file alone (with the
    ontology) may report something about it. Never False when one would (a superset)."""
    from collabkg.validate.vocabulary import OURS, PLACEHOLDER

    text = parsed.text
    lowered = text.lower()
    # -- template placeholders (CHANGE-ME), escapes could hide them
    if "change" in lowered or "\\u" in lowered:
        for t in parsed.triples:
            for term in (t.subject, t.object):
                if isinstance(term, ox.NamedNode | ox.Literal) and PLACEHOLDER in (
                    term.value.upper().replace("_", "-")
                ):
                    return True
    # -- prefixes of ours bound to another namespace (every declaration, not only the last)
    declared = list(_PREFIX_DECLARATION.finditer(text))
    if len(declared) != lowered.count("prefix"):
        return True  # a declaration this pattern does not read: let the checker decide
    for match in declared:
        expected = PREFIXES.get(match.group(1))
        if expected is not None and match.group(2) != expected:
            return True
    # -- terms, statement kinds, file content
    iris: set[str] = set()
    own_types: set[str] = set()
    cases: set[str] = set()
    kinds: set[tuple[str, bool, bool]] = set()
    for t in parsed.triples:
        s, p, o = t.subject, t.predicate.value, t.object
        if isinstance(s, ox.NamedNode):
            iris.add(s.value)
        iris.add(p)
        literal = isinstance(o, ox.Literal)
        if isinstance(o, ox.NamedNode):
            iris.add(o.value)
        if p == _TYPE:
            if literal:
                return True  # text after 'a'
            if isinstance(o, ox.NamedNode):
                own_types.add(o.value)
                if o.value == _CASE:
                    cases.add(s.value if isinstance(s, ox.NamedNode) else f"_:{s.value}")  # type: ignore[union-attr]
                if o.value not in ctx.classes and (
                    o.value.startswith(_CKD) or o.value in ctx.properties or o.value in ctx.concepts
                ):
                    return True  # an ID, a property or a value used as a class
        kinds.add((p, literal, not literal))
    for p, literal, node in kinds:
        if (p in ctx.classes or p in ctx.concepts) and p not in ctx.properties:
            return True  # a class or a value used as a property
        if literal and p in ctx.object_properties:
            return True  # text where a link belongs
        if node and p in ctx.datatype_properties:
            return True  # a link where text belongs
    for iri in iris:
        if iri.startswith(_OUR_TERMS):
            if iri not in ctx.defined:
                return True
            continue
        if iri.startswith(OURS):
            continue
        if "w3id.org/collabkg" in iri:
            return True
        if iri not in ctx.defined and _unknown_standard(iri):
            return True
    if not any(t.startswith(_OUR_TERMS) or t == _ORG_MEMBERSHIP for t in own_types):
        return True  # no collabkg data
    if not ctx.case_rules or not _is_case_file(parsed.display, parsed.path):
        return False
    if len(cases) != 1:
        return True  # no case, or several
    # a case ID that is not named after its file
    return parsed.display.startswith("data/cases/") and (
        _local_name(next(iter(cases))) != f"case-{parsed.path.stem}"
    )


def _local_name(iri: str) -> str:
    from collabkg.validate.vocabulary import _local

    return _local(iri)


_OUR_TERMS = (str(CK), "https://w3id.org/collabkg/concept/")
_CKD = str(CKD)
_PREFIX_DECLARATION = re.compile(
    r"(?i:prefix)\s+([A-Za-z\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*|)\s*:\s*<([^>]*)>"
)


# --------------------------------------------------------------------------- reading files


@dataclass
class Read:
    """What the syntax stage learnt about one file (cached by its content)."""

    issues: list
    usable: bool
    trigger: bool = True
    has_bnodes: bool = True
    facts: Facts | None = None


_WORKER_CTX: TriageContext | None = None


def _read_one(task: tuple[str, str, bool]) -> Read:
    path, display, context = task
    parsed, issues = read_turtle(Path(path), display, context=context)
    if parsed is None:
        return Read(issues, False)
    trigger = True
    facts = None
    if not context and _WORKER_CTX is not None:
        trigger = local_trigger(parsed, _WORKER_CTX)
        facts = file_facts(parsed, _WORKER_CTX)
    return Read(issues, True, trigger, _has_bnodes(parsed.triples), facts)


def _workers(count: int) -> int:
    """Worker processes for ``count`` files: none for a few files, or when called from a
    thread (forking a threaded process, e.g. the explorer's, is not safe)."""
    if count < 64 or threading.current_thread() is not threading.main_thread():
        return 0
    return max(0, min(os.cpu_count() or 1, 4))


def read_files(
    tasks: Sequence[tuple[Path, str, bool]],
    cache: Cache | None,
    ctx: TriageContext | None,
    *,
    salt: str,
    progress: Progress,
) -> Iterator[tuple[int, Read, str]]:
    """The syntax stage of every (path, display, context) task, in order, with the file's
    sha256 ("" without a cache): results cached by content are looked up, the rest are
    computed in worker processes."""
    global _WORKER_CTX
    progress.stage("reading files", total=len(tasks))
    keys: list[str | None] = [None] * len(tasks)
    shas = [""] * len(tasks)
    cached: dict[str, object] = {}
    if cache is not None:
        states = cache.states(path for path, _d, _c in tasks)
        for index, ((_path, display, context), state) in enumerate(zip(tasks, states, strict=True)):
            shas[index] = state.sha256
            if state.sha256:
                keys[index] = key_of("read", code_version(), salt, display, context, state.sha256)
        cached = cache.get_many(k for k in keys if k is not None)
    todo = [i for i, key in enumerate(keys) if key is None or not isinstance(cached.get(key), Read)]
    fresh: dict[int, Read] = {}
    _WORKER_CTX = ctx
    workers = _workers(len(todo))
    work = [(str(tasks[i][0]), tasks[i][1], tasks[i][2]) for i in todo]
    if workers:
        pool = multiprocessing.get_context("fork").Pool(workers)
        results: Iterator[Read] = pool.imap(_read_one, work, chunksize=16)
    else:
        pool = None
        results = (_read_one(item) for item in work)
    pending = iter(todo)
    try:
        for index in range(len(tasks)):
            key = keys[index]
            hit = cached.get(key) if key is not None else None
            if isinstance(hit, Read):
                progress.advance()
                yield index, hit, shas[index]
                continue
            expected = next(pending)
            assert expected == index
            result = next(results)
            fresh[index] = result
            progress.advance()
            yield index, result, shas[index]
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
        _WORKER_CTX = None
        if cache is not None and fresh:
            cache.put_many((keys[i], r) for i, r in fresh.items() if keys[i] is not None)  # type: ignore[misc]


# --------------------------------------------------------------------------- stores


def _load_into(store: ox.Store, path: Path, graph: str, has_bnodes: bool) -> None:
    """Load a file that parsed into its graph (blank nodes named canonically)."""
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not has_bnodes:
        # it parsed with the strict parser already: skip the checks a second time
        store.load(data, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph), lenient=True)
        return
    triples = [q.triple for q in ox.parse(data, format=ox.RdfFormat.TURTLE)]
    _insert(store, canonical_triples(triples, graph), graph)


def _insert(store: ox.Store, triples: Iterable[ox.Triple], graph: str) -> None:
    name = ox.NamedNode(graph)
    store.extend(ox.Quad(t.subject, t.predicate, t.object, name) for t in triples)


def _reduced_triples(ontology: Ontology) -> list[ox.Triple]:
    from collabkg.backends.embedded import to_oxigraph

    out = []
    for predicate in (RDF.type, RDFS.subClassOf):
        for s, p, o in ontology.graph.triples((None, predicate, None)):
            out.append(ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)))  # type: ignore[arg-type]
    return out


def _reduced_digest(triples: Sequence[ox.Triple]) -> str:
    lines = sorted(str(t) for t in triples)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


@dataclass
class FileRef:
    """One file of the graph being checked, in the pipeline's order."""

    path: Path
    display: str
    graph: str
    target: bool
    has_bnodes: bool = True


class PersistentStore:
    """The store under ``.collabkg-cache/store``, in step with the files (see :func:`sync`)."""

    MANIFEST = "store-manifest"

    def __init__(self, cache: Cache) -> None:
        self.cache = cache
        self.store: ox.Store | None = None
        self.manifest: dict[str, str] = {}
        self.temporary: list[str] = []

    def open(self) -> ox.Store:
        """Open the store (OSError when it cannot be: the caller works in memory)."""
        import shutil

        path = self.cache.store_path
        try:
            self.store = ox.Store(str(path))
        except OSError as exc:
            if "corrupt" not in str(exc).lower():
                raise
            shutil.rmtree(path, ignore_errors=True)  # a damaged cache: start again
            self.store = ox.Store(str(path))
        saved = self.cache.get(self._manifest_key())
        self.manifest = dict(saved) if isinstance(saved, dict) else {}
        present = {g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode)}
        unknown = present - set(self.manifest)  # left over by a run that stopped
        if len(unknown) > 100:
            self.store.clear()  # faster than graph by graph; everything is reloaded
            present = set()
        for graph in unknown & present:
            self.store.remove_graph(ox.NamedNode(graph))
        self.manifest = {g: sha for g, sha in self.manifest.items() if g in present}
        return self.store

    def _manifest_key(self) -> str:
        return key_of(self.MANIFEST, STORE_FORMAT, ox.__version__, str(self.cache.store_path))

    def save(self) -> None:
        self.cache.put(self._manifest_key(), self.manifest)

    def sync(
        self,
        wanted: dict[str, tuple[Path, str, bool]],
        reduced: tuple[list[ox.Triple], str],
        progress: Progress,
    ) -> None:
        """Make the store hold exactly ``wanted`` (graph -> (file, sha256, has blank nodes))
        and the reduced ontology graph: graphs whose file changed are reloaded."""
        assert self.store is not None
        store = self.store
        desired = {g: sha for g, (_p, sha, _b) in wanted.items()}
        desired[REDUCED_GRAPH] = reduced[1]
        stale = [g for g, sha in self.manifest.items() if desired.get(g) != sha]
        missing = [g for g, sha in desired.items() if self.manifest.get(g) != sha]
        if not stale and not missing:
            return
        for graph in stale:
            self.manifest.pop(graph, None)
        self.save()  # what follows may stop halfway: the next run cleans up
        if len(missing) > max(50, len(desired) // 4):
            self._rebuild(wanted, reduced, progress)
            self.manifest = desired
            self.save()
            return
        progress.stage("updating the cached store", total=len(stale) + len(missing))
        for graph in stale:
            store.remove_graph(ox.NamedNode(graph))
            progress.advance()
        for graph in missing:
            if graph == REDUCED_GRAPH:
                _insert(store, reduced[0], graph)
            else:
                path, _sha, bnodes = wanted[graph]
                _load_into(store, path, graph, bnodes)
            self.manifest[graph] = desired[graph]
            progress.advance()
        self.save()

    def _rebuild(
        self,
        wanted: dict[str, tuple[Path, str, bool]],
        reduced: tuple[list[ox.Triple], str],
        progress: Progress,
    ) -> None:
        """Load everything in memory, then bulk-load it (much faster than file by file)."""
        assert self.store is not None
        progress.stage("building the cached store", total=len(wanted))
        import tempfile

        memory = ox.Store()
        _insert(memory, reduced[0], REDUCED_GRAPH)
        for graph, (path, _sha, bnodes) in wanted.items():
            _load_into(memory, path, graph, bnodes)
            progress.advance()
        self.store.clear()
        progress.stage("writing the cached store")
        with tempfile.TemporaryDirectory(dir=self.cache.folder) as folder:
            dump = Path(folder) / "all.nq"
            memory.dump(str(dump), format=ox.RdfFormat.N_QUADS)
            del memory  # the bulk load needs the memory
            self.store.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS, lenient=True)
        self.store.flush()

    def add_temporary(self, parsed: ParsedFile, graph: str) -> None:
        assert self.store is not None
        self.temporary.append(graph)
        _insert(self.store, parsed.triples, graph)

    def remove(self, graph: str) -> None:
        """Leave a file out of the graph for this run (it is reloaded by the next one)."""
        assert self.store is not None
        self.manifest.pop(graph, None)
        self.save()
        self.store.remove_graph(ox.NamedNode(graph))

    def close(self) -> None:
        if self.store is not None:
            for graph in self.temporary:
                self.store.remove_graph(ox.NamedNode(graph))
            self.temporary = []
            self.store.flush()
        self.store = None


# --------------------------------------------------------------------------- the workspace


class _Types:
    def __init__(self, ws: StoreWorkspace) -> None:
        self.ws = ws

    def get(self, node: Node, default: object = None) -> object:
        found = self.ws.types_of(node)
        return found if found else default

    def __contains__(self, node: object) -> bool:
        return bool(self.ws.types_of(node))  # type: ignore[arg-type]

    def __getitem__(self, node: Node) -> set[str]:
        found = self.ws.types_of(node)
        if not found:
            raise KeyError(node)
        return found

    def items(self) -> Iterator[tuple[Node, set[str]]]:
        grouped: dict[Node, set[str]] = {}
        for quad in self.ws.store.quads_for_pattern(None, _OX_TYPE, None, None):
            if quad.graph_name == _OX_REDUCED or not isinstance(quad.object, ox.NamedNode):
                continue
            grouped.setdefault(to_rdflib(quad.subject, ""), set()).add(quad.object.value)
        return iter(grouped.items())


class _Subjects:
    def __init__(self, ws: StoreWorkspace) -> None:
        self.ws = ws

    def __contains__(self, node: object) -> bool:
        if isinstance(node, URIRef):
            if str(node) in self.ws.ontology_subjects:
                return True
            term: ox.NamedNode | ox.BlankNode = ox.NamedNode(str(node))
        elif isinstance(node, BNode):
            term = ox.BlankNode(str(node))
        else:
            return False
        return next(iter(self.ws.store.quads_for_pattern(term, None, None, None)), None) is not None

    def __iter__(self) -> Iterator[Node]:
        seen: set[Node] = {URIRef(s) for s in self.ws.ontology_subjects}
        yield from seen
        for row in self.ws.store.query(
            "SELECT DISTINCT ?s WHERE { GRAPH ?g { ?s ?p ?o } }", use_default_graph_as_union=False
        ):
            node = to_rdflib(row["s"], "")
            if node not in seen:
                yield node


class _Labels:
    def __init__(self, ws: StoreWorkspace) -> None:
        self.ws = ws

    def get(self, key: str) -> str | None:
        node: Node = URIRef(key) if ":" in key else BNode(key)
        return self.ws.label_of(node)


class _Parents:
    def __init__(self, ws: StoreWorkspace) -> None:
        self.ws = ws

    def get(self, node: Node, default: object = None) -> object:
        found = self.ws.parent_of(node)
        return found if found is not None else default


class StoreWorkspace(Workspace):
    """A :class:`Workspace` whose graph-wide look-ups are answered by a store.

    ``files`` holds only the files the checker must look at (targets, and files that
    describe the same items); every other file is in the store, read when a result must be
    placed in it."""

    def __init__(
        self,
        ontology: Ontology,
        files: list[FileData],
        store: ox.Store,
        order: Sequence[FileRef],
    ) -> None:
        super().__init__(ontology, files)
        self.store = store
        self.order = list(order)
        self._rank = {ref.graph: i for i, ref in enumerate(self.order)}
        self._by_graph = {ref.graph: ref for ref in self.order}
        self._local = {ref.graph: f for ref, f in self._pair(files)}
        self._lazy: dict[str, FileData] = {}
        self._placed: dict[str, FileData | None] = {}
        self._types: dict[Node, set[str]] = {}
        self._labels: dict[Node, str | None] = {}
        self._parents: dict[Node, tuple[Node, Node] | None] = {}
        self.ontology_subjects = {
            str(s) for s in ontology.graph.subjects() if isinstance(s, URIRef)
        }

    def _pair(self, files: list[FileData]) -> Iterator[tuple[FileRef, FileData]]:
        by_display = {ref.display: ref for ref in self.order}
        for item in files:
            ref = by_display.get(item.display)
            if ref is not None:
                yield ref, item

    # ---------------------------------------------------------------- look-ups

    def types_of(self, node: Node) -> set[str]:
        if node in self._types:
            return self._types[node]
        found: set[str] = set()
        term = _ox(node)
        if term is not None:
            for quad in self.store.quads_for_pattern(term, _OX_TYPE, None, None):
                if quad.graph_name != _OX_REDUCED and isinstance(quad.object, ox.NamedNode):
                    found.add(quad.object.value)
        self._types[node] = found
        return found

    def label_of(self, node: Node) -> str | None:
        if not isinstance(node, URIRef | BNode):
            return None
        if node not in self._labels:
            index = LabelIndex()
            term = _ox(node)
            if term is not None:
                for predicate in _LABEL_PREDICATES:
                    for quad in self.store.quads_for_pattern(term, predicate, None, None):
                        if quad.graph_name != _OX_REDUCED:
                            index.add(node, URIRef(predicate.value), to_rdflib(quad.object, ""))
            self._labels[node] = index.get(str(node))
        return self._labels[node]

    def parent_of(self, node: Node) -> tuple[Node, Node] | None:
        if not isinstance(node, BNode):
            return None
        if node in self._parents:
            return self._parents[node]
        found: tuple[Node, Node] | None = None
        quads = [
            q
            for q in self.store.quads_for_pattern(None, None, ox.BlankNode(str(node)), None)
            if q.graph_name != _OX_REDUCED
        ]
        pairs = {(q.subject, q.predicate) for q in quads}
        if len(pairs) == 1:
            s, p = next(iter(pairs))
            found = (to_rdflib(s, ""), to_rdflib(p, ""))
        elif quads:
            # several statements point to it: the first written, as the files read
            item = self.file_of(quads[0].graph_name.value)  # type: ignore[union-attr]
            if item is not None:
                for s, p, o in item.triples:
                    if o == node:
                        found = (s, p)
                        break
        self._parents[node] = found
        return found

    @property  # type: ignore[override]
    def types(self) -> _Types:  # type: ignore[override]
        return _Types(self)

    @property  # type: ignore[override]
    def subjects(self) -> _Subjects:  # type: ignore[override]
        return _Subjects(self)

    @property  # type: ignore[override]
    def labels(self) -> _Labels:  # type: ignore[override]
        return _Labels(self)

    @property  # type: ignore[override]
    def parents(self) -> _Parents:  # type: ignore[override]
        return _Parents(self)

    def all_triples(self) -> Iterator[tuple[Node, Node, Node]]:
        with quiet_rdflib():
            for quad in self.store.quads_for_pattern(None, None, None, None):
                if quad.graph_name == _OX_REDUCED or isinstance(quad.graph_name, ox.DefaultGraph):
                    continue
                yield (
                    to_rdflib(quad.subject, ""),
                    to_rdflib(quad.predicate, ""),
                    to_rdflib(quad.object, ""),
                )

    # ---------------------------------------------------------------- files

    def file_of(self, graph: str) -> FileData | None:
        if graph in self._local:
            return self._local[graph]
        if graph in self._lazy:
            return self._lazy[graph]
        ref = self._by_graph.get(graph)
        if ref is None:
            return None
        parsed, _issues = read_turtle(ref.path, ref.display, context=True)
        if parsed is None:
            return None
        item = file_data(parsed, graph, target=ref.target)
        self._lazy[graph] = item
        return item

    def placed_file(self, graph: str) -> FileData | None:
        """The file to place a result in: the checker's own FileData when it has one, else
        the parsed file alone (its triples are not needed to find a line)."""
        if graph in self._local:
            return self._local[graph]
        if graph in self._lazy:
            return self._lazy[graph]
        if graph in self._placed:
            return self._placed[graph]
        ref = self._by_graph.get(graph)
        if ref is None:
            return None
        parsed, _issues = read_turtle(ref.path, ref.display, context=True)
        item = FileData(parsed, [], ref.target) if parsed is not None else None
        self._placed[graph] = item
        return item

    def prefetch(self, foci: Iterable[Node]) -> None:
        """Read (in worker processes, when there are many) the files results about
        ``foci`` will be placed in: parsing and scanning them is most of the placing."""
        graphs: list[str] = []
        for focus in dict.fromkeys(f for f in foci if isinstance(f, URIRef)):
            for graph in self.graphs_describing(str(focus)):
                if (
                    graph in self._by_graph
                    and graph not in self._local
                    and graph not in self._placed
                ):
                    graphs.append(graph)
        graphs = list(dict.fromkeys(graphs))
        workers = _workers(len(graphs))
        if not workers:
            return
        tasks = [(str(self._by_graph[g].path), self._by_graph[g].display) for g in graphs]
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for graph, parsed in zip(graphs, pool.map(_scan_file, tasks, chunksize=8), strict=True):
                ref = self._by_graph[graph]
                self._placed[graph] = FileData(parsed, [], ref.target) if parsed else None

    def lexical_forms(self, focus: Node, value: Literal) -> list[Literal]:
        """``value`` as written in the files that describe ``focus`` (the store gives
        numbers, dates and booleans back in canonical form: ``-5000.00`` as ``-5000``)."""
        if isinstance(focus, URIRef):
            graphs = self.graphs_describing(str(focus))
        elif isinstance(focus, BNode):
            graphs = sorted(
                {
                    q.graph_name.value
                    for q in self.store.quads_for_pattern(
                        ox.BlankNode(str(focus)), None, None, None
                    )
                    if isinstance(q.graph_name, ox.NamedNode)
                }
            )
        else:
            return []
        found: list[Literal] = []
        for graph in graphs:
            item = self.file_of(graph)
            if item is None:
                continue
            for s, _p, o in item.triples:
                if (
                    s == focus
                    and isinstance(o, Literal)
                    and o.datatype == value.datatype
                    and o.language == value.language
                    and o not in found
                    and (str(o) == str(value) or (o.value is not None and o.value == value.value))
                ):
                    found.append(o)
        return found

    def graphs_describing(self, iri: str) -> list[str]:
        graphs = {
            q.graph_name.value
            for q in self.store.quads_for_pattern(ox.NamedNode(iri), None, None, None)
            if isinstance(q.graph_name, ox.NamedNode) and q.graph_name != _OX_REDUCED
        }
        return sorted(graphs, key=lambda g: self._rank.get(g, len(self._rank)))

    def locate(
        self, node: Node, prop: Node | None = None, *, targets_only: bool = True
    ) -> tuple[FileData, int | None] | None:
        hops = 0
        current: Node = node
        current_prop = prop
        while isinstance(current, BNode) and hops < 50:
            parent = self.parent_of(current)
            if parent is None:
                return None
            current, current_prop = parent
            hops += 1
        if not isinstance(current, URIRef):
            return None
        iri = str(current)
        graphs = [g for g in self.graphs_describing(iri) if g in self._by_graph]
        pools = [[g for g in graphs if self._by_graph[g].target]]
        if not targets_only:
            pools.append(graphs)
        for pool in pools:
            for graph in pool:
                item = self.placed_file(graph)
                if item is None:
                    continue
                index = item.parsed.index
                if index.describes(iri):
                    line = None
                    if isinstance(current_prop, URIRef):
                        line = index.property_line(iri, str(current_prop))
                    return item, line or index.subject_line(iri)
        return None


def _scan_file(task: tuple[str, str]) -> ParsedFile | None:
    """In a worker: a file parsed and its positions scanned (its triples left out)."""
    parsed, _issues = read_turtle(Path(task[0]), task[1], context=True)
    if parsed is None:
        return None
    _index = parsed.index
    parsed.triples = []
    return parsed


def _ox(node: Node) -> ox.NamedNode | ox.BlankNode | None:
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        try:
            return ox.BlankNode(str(node))
        except ValueError:
            return None
    return None


# --------------------------------------------------------------------------- graph-wide triggers


def _graphs_of(rows: Iterable[object], name: str = "g") -> set[str]:
    return {row[name].value for row in rows}  # type: ignore[index]


def global_triggers(
    store: ox.Store,
    ontology: Ontology,
    ctx: TriageContext,
    facts: Iterable[tuple[str, Facts | None]],
    progress: Progress,
) -> set[str]:
    """Graphs (files) for which a graph-wide check of the vocabulary stage may report
    something: a superset, never missing one. ``facts``: (graph, what its worker found)."""
    progress.stage("finding files with possible vocabulary problems")
    reduced = f"<{REDUCED_GRAPH}>"
    found: set[str] = set()
    ontology_subjects = {str(s) for s in ontology.graph.subjects() if isinstance(s, URIRef)}
    described: dict[str, bool] = {}
    kinds: dict[str, set[str]] = {}

    def is_described(iri: str) -> bool:
        if iri not in described:
            described[iri] = iri in ontology_subjects or (
                next(iter(store.quads_for_pattern(ox.NamedNode(iri), None, None, None)), None)
                is not None
            )
        return described[iri]

    def kinds_of(iri: str) -> set[str]:
        if iri not in kinds:
            kinds[iri] = {
                q.object.value
                for q in store.quads_for_pattern(ox.NamedNode(iri), _OX_TYPE, None, None)
                if q.graph_name != _OX_REDUCED and isinstance(q.object, ox.NamedNode)
            }
        return kinds[iri]

    for graph, fact in facts:
        if fact is None:
            found.add(graph)  # nothing known about it: let the checker read it
            continue
        if (
            fact.wrong_domain
            # links to items described nowhere
            or any(not is_described(o) for o in fact.links)
            # items with no type anywhere
            or any(not kinds_of(s) for s in fact.untyped)
            # properties on items whose kinds (given elsewhere) do not fit
            or any(
                kinds_of(s) and not any(ctx.is_a(kinds_of(s), d) for d in ctx.domains[p])
                for p, s in fact.domain_elsewhere
            )
        ):
            found.add(graph)

    # two kinds that cannot go together (possibly given in two files)
    multi: dict[str, set[str]] = {}
    nodes: dict[str, object] = {}
    for row in store.query(
        "SELECT DISTINCT ?s ?t WHERE { GRAPH ?g { ?s a ?t } FILTER(?g != "
        + reduced
        + " && isIRI(?t)) FILTER EXISTS { GRAPH ?h { ?s a ?u } FILTER(?h != "
        + reduced
        + " && isIRI(?u) && ?u != ?t) } }"
    ):
        key = str(row["s"])
        nodes[key] = row["s"]
        multi.setdefault(key, set()).add(row["t"].value)
    for key, types in multi.items():
        if ontology.clash(types) is not None:
            for quad in store.quads_for_pattern(nodes[key], _OX_TYPE, None, None):  # type: ignore[arg-type]
                if quad.graph_name != _OX_REDUCED:
                    found.add(quad.graph_name.value)  # type: ignore[union-attr]

    # items typed in several files (shared items, duplicate case IDs)
    found |= _graphs_of(
        store.query(
            "SELECT DISTINCT ?g WHERE { { SELECT ?s WHERE { GRAPH ?h { ?s a ?t } FILTER(isIRI(?s) "
            "&& ?h != "
            + reduced
            + ") } GROUP BY ?s HAVING (COUNT(DISTINCT ?h) > 1) } GRAPH ?g { ?s a ?x } }"
        )
    )
    found.discard(REDUCED_GRAPH)
    return found


def sharing_graphs(store: ox.Store, files: Sequence[FileData]) -> set[str]:
    """Graphs that give a type to an IRI typed in one of ``files`` (for the checks of items
    described in several files)."""
    typed = sorted(
        {
            str(s)
            for item in files
            for s, p, _o in item.triples
            if p == RDF.type and isinstance(s, URIRef)
        }
    )
    found: set[str] = set()
    for start in range(0, len(typed), 500):
        values = " ".join(f"<{iri}>" for iri in typed[start : start + 500])
        found |= _graphs_of(
            store.query(
                "SELECT DISTINCT ?g WHERE { VALUES ?s { " + values + " } GRAPH ?g { ?s a ?t } }"
            )
        )
    found.discard(REDUCED_GRAPH)
    return found


def case_sharing_graphs(store: ox.Store, cases: Iterable[str]) -> set[str]:
    """Graphs that type one of ``cases`` as a ck:Case (possible originals of an edited copy)."""
    wanted = sorted(set(cases))
    if not wanted:
        return set()
    values = " ".join(f"<{iri}>" for iri in wanted)
    found = _graphs_of(
        store.query(
            "SELECT DISTINCT ?g WHERE { VALUES ?s { "
            + values
            + " } GRAPH ?g { ?s a <"
            + _CASE
            + "> } }"
        )
    )
    found.discard(REDUCED_GRAPH)
    return found


# --------------------------------------------------------------------------- SHACL


_COMPILED: dict[int, tuple[Graph, object]] = {}
PARALLEL_MIN_QUADS = 200_000
"""Below this many statements the constraints run in this process only."""
PARALLEL_MIN_FILES = 64
_SPARQL_COMPONENT = "http://www.w3.org/ns/shacl#SPARQLConstraintComponent"
_FORK_STORE: ox.Store | None = None
_FORK_PREPARED: list | None = None


def _run_constraints(indices: list[int]) -> list[object]:
    """In a forked worker: the results of some prepared constraints, values as stored."""
    from collabkg.shacl_sparql import run_one

    assert _FORK_STORE is not None and _FORK_PREPARED is not None
    results: list[object] = []
    for index in indices:
        constraint, query, this = _FORK_PREPARED[index]
        results.extend(run_one(constraint, query, _FORK_STORE, this=this))
    return results


def shacl_results(
    shapes: Graph,
    store: ox.Store,
    workspace: StoreWorkspace,
    focus_graphs: Sequence[str] | None,
    progress: Progress,
) -> list[tuple[Node, Node | None, Node | None, Node, Node, Node, Node | None]]:
    """Every SHACL result as (focus, path, value, shape, component, severity, message)."""
    from collabkg.shacl_sparql import _as_written, compile_shapes, prepare, run_one

    cached = _COMPILED.get(id(shapes))
    if cached is None or cached[0] is not shapes:
        _COMPILED.clear()
        _COMPILED[id(shapes)] = (shapes, compile_shapes(shapes))
    compiled = _COMPILED[id(shapes)][1]
    prepared = prepare(compiled, store, focus_graphs=focus_graphs) or []  # type: ignore[arg-type]
    out: dict[tuple[object, ...], None] = {}
    progress.stage("SHACL shapes", total=len(prepared))

    def add(results: Iterable[object]) -> None:
        for r in results:
            message = Literal(r.message) if r.message is not None else None  # type: ignore[attr-defined]
            out.setdefault((r.focus, r.path, r.value, r.shape, r.component, r.severity, message))  # type: ignore[attr-defined]

    # on a large graph in memory, a forked worker runs half of the constraints that need
    # nothing but the store (it shares the store's memory); this process runs the rest
    forked: list[int] = []
    if focus_graphs is None and _workers(PARALLEL_MIN_FILES) and len(store) >= PARALLEL_MIN_QUADS:
        forked = [
            i
            for i, (c, _q, _this) in enumerate(prepared)
            if c.pattern is None and str(c.component) != _SPARQL_COMPONENT
        ][::2]
    pending = None
    pool = None
    if forked:
        global _FORK_STORE, _FORK_PREPARED
        _FORK_STORE, _FORK_PREPARED = store, prepared
        pool = multiprocessing.get_context("fork").Pool(1)
        pending = pool.map_async(_run_constraints, [forked])
    try:
        skip = set(forked)
        for index, (constraint, query, this) in enumerate(prepared):
            if index in skip:
                continue
            add(run_one(constraint, query, store, lexical=workspace.lexical_forms, this=this))
            progress.advance()
        if pending is not None:
            for stored in pending.get()[0]:
                for value in _as_written(stored.focus, stored.value, workspace.lexical_forms):
                    add([replace(stored, value=value)])
            progress.advance(len(forked))
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
        _FORK_STORE, _FORK_PREPARED = None, None
    fallback = compiled.fallback_shapes(shapes)  # type: ignore[attr-defined]
    if fallback is not None:
        progress.stage("SHACL shapes pySHACL runs (not translated to SPARQL)")
        for item in _pyshacl_results(workspace, fallback, focus_graphs):
            out.setdefault(item)
    return list(out)  # type: ignore[arg-type]


def _pyshacl_results(
    workspace: StoreWorkspace, shapes: Graph, focus_graphs: Sequence[str] | None
) -> Iterator[tuple[Node, Node | None, Node | None, Node, Node, Node, Node | None]]:
    """pySHACL over the whole store's data (slow; only for shapes SPARQL cannot run)."""
    from collabkg.validate.shacl import focus_on_targets, run_pyshacl

    data = Graph()
    for quad in workspace.store.quads_for_pattern(None, None, None, None):
        data.add(
            (to_rdflib(quad.subject, ""), to_rdflib(quad.predicate, ""), to_rdflib(quad.object, ""))
        )
    if focus_graphs is not None:
        shapes = focus_on_targets(workspace, shapes)
    yield from run_pyshacl(data, shapes)  # type: ignore[misc]


# --------------------------------------------------------------------------- the pipeline


def run_sparql(
    inputs: object,
    project: ProjectPaths,
    *,
    case_rules: bool = True,
    stages: Sequence[str] = ("syntax", "vocabulary", "shacl"),
    progress: Progress | None = None,
) -> Report:
    """The validation pipeline (see :func:`collabkg.validate.pipeline.run`) on a store."""
    from collabkg.progress import current

    own = progress is None and current() is None
    progress = progress or current() or Progress.disabled()
    cache = Cache.open(project.root)
    try:
        return _Pipeline(inputs, project, cache, case_rules, stages, progress).run()
    finally:
        if cache is not None:
            cache.close()
        if own:
            progress.close()


class _Pipeline:
    """One run of the SPARQL engine (the stages of pipeline.run, in the same order)."""

    def __init__(
        self,
        inputs,  # pipeline.Inputs (not imported here: circular)
        project: ProjectPaths,
        cache: Cache | None,
        case_rules: bool,
        stages: Sequence[str],
        progress: Progress,
    ) -> None:
        from collabkg.validate import pipeline

        self.pipeline = pipeline
        self.inputs = inputs
        self.project = project
        self.cache = cache
        self.case_rules = case_rules
        self.stages = stages
        self.progress = progress
        self.started = time.perf_counter()
        self.report = Report()
        self._paths: dict[Path, tuple[str, str, str]] = {}
        self._folders: dict[str, str] = {}
        self._root = str(project.root)
        self.target_set = {self.resolved(t) for t in inputs.targets}
        self.report.files = [self.display(t) for t in inputs.targets]
        self.refs: list[FileRef] = []
        self.parsed: dict[str, ParsedFile] = {}
        self.reads: dict[int, Read] = {}
        self.shas: dict[str, str] = {}

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
                shown = self.pipeline._display(self.project, path)
            found = (resolved, shown, GRAPH_BASE + relative.lstrip("/"))
            self._paths[path] = found
        return found

    def _resolve(self, path: Path) -> str:
        """``str(path.resolve())``, with each folder resolved once: a file that is not a
        link resolves to its resolved folder and its name."""
        text = str(path)
        if not path.is_absolute() or path.name in ("", ".", "..") or os.path.islink(text):  # noqa: PTH114 - a string is faster
            return str(self.pipeline._resolved(path))
        parent, name = os.path.split(text)
        folder = self._folders.get(parent)
        if folder is None:
            folder = self._folders[parent] = str(self.pipeline._resolved(Path(parent)))
        return folder + "/" + name if folder != "/" else "/" + name

    def resolved(self, path: Path) -> str:
        return self._path(path)[0]

    def display(self, path: Path) -> str:
        return self._path(path)[1]

    def graph(self, path: Path) -> str:
        return self._path(path)[2]

    def run(self) -> Report:
        pipe, inputs, report = self.pipeline, self.inputs, self.report
        # ---- 1. syntax: the ontology first (small, in this process)
        ontology_parsed: list[ParsedFile] = []
        for path in inputs.ontology:
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
        self.ctx: TriageContext | None = None
        if inputs.ontology and len(ontology_parsed) == len(inputs.ontology):
            self.ontology = Ontology(pipe._ontology_graph(ontology_parsed))
            self.ctx = TriageContext.of(self.ontology, self.case_rules)
        self.many = len(self.targets) + len(inputs.texts) > MANY_TARGETS
        persistent = (
            self.cache is not None
            and not self.many
            and len(self.context) >= PERSISTENT_MIN_FILES
            and self.ontology is not None
        )
        if not persistent:
            return self._run(ox.Store(), None)
        assert self.cache is not None
        with self.cache.store_lock():
            keeper = PersistentStore(self.cache)
            try:
                store = keeper.open()
            except OSError:
                keeper = None  # the cached store cannot be opened: work in memory
                store = ox.Store()
            try:
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
        pipe, inputs, report, progress = self.pipeline, self.inputs, self.report, self.progress
        tasks = [(p, self.display(p), True) for p in self.context] + [
            (p, self.display(p), False) for p in self.targets
        ]
        load_now = keeper is None
        for index, result, sha in read_files(
            tasks, self.cache, self.ctx, salt=self._salt(), progress=progress
        ):
            self.reads[index] = result
            path, shown, is_context = tasks[index]
            graph = self.graph(path)
            if is_context:
                if not result.usable:
                    report.notes.append(
                        f"{shown} has errors and was left out of the graph "
                        f"(run: collabkg validate {shown})."
                    )
                    report.other_files_problems += len(result.issues)
                    continue
                report.other_files_problems += sum(
                    1 for i in result.issues if i.severity is Severity.VIOLATION
                )
            else:
                report.add(result.issues)
                if not result.usable:
                    continue
            self.refs.append(FileRef(path, shown, graph, not is_context, result.has_bnodes))
            self.shas[graph] = sha
            if load_now and (is_context or self.many):
                _load_into(store, path, graph, result.has_bnodes)
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
        reduced = _reduced_triples(ontology)
        if keeper is not None:
            wanted = {
                ref.graph: (ref.path, self.shas[ref.graph], ref.has_bnodes)
                for ref in self.refs
                if not ref.target
            }
            keeper.sync(wanted, (reduced, _reduced_digest(reduced)), progress)
            for ref in self.refs:
                if ref.target:
                    if ref.graph in keeper.manifest:
                        keeper.remove(ref.graph)
                    keeper.add_temporary(self.parsed[ref.graph], ref.graph)
        else:
            _insert(store, reduced, REDUCED_GRAPH)
            for ref in self.refs:
                if ref.graph in self.parsed:
                    _insert(store, self.parsed[ref.graph].triples, ref.graph)

        # ---- an edited copy of a data file is checked in place of it
        self._replace_variants(store, keeper)

        # ---- 2. vocabulary
        from collabkg.validate.vocabulary import check_vocabulary

        progress.stage("checking terms")
        candidates = self._candidates(tasks, store, ontology)
        workspace = StoreWorkspace(ontology, self._local_files(candidates, store), store, self.refs)
        skip_values: set = set()
        skip_triples: set = set()
        if "vocabulary" in self.stages:
            vocabulary = check_vocabulary(workspace, case_rules=self.case_rules)
            report.add(vocabulary.issues)
            skip_values = vocabulary.bad_values
            skip_triples = vocabulary.bad_triples
            report.stages.append("vocabulary")

        # ---- 3. SHACL
        if "shacl" in self.stages:
            if inputs.shapes:
                from collabkg.validate.shacl import run_shacl

                shapes = pipe._shapes_graph(inputs.shapes)
                everything = all(ref.target for ref in self.refs)
                focus = None if everything else [ref.graph for ref in self.refs if ref.target]
                raw = shacl_results(shapes, store, workspace, focus, progress)
                progress.stage("placing the results in the files")
                workspace.prefetch(r[0] for r in raw)
                shacl = run_shacl(
                    workspace, shapes, skip_values=skip_values, skip_triples=skip_triples, raw=raw
                )
                report.add(shacl.issues)
                report.other_files_problems += shacl.elsewhere
                report.stages.append("shacl")
            else:
                report.notes.append(
                    "No SHACL shapes found (shapes/*.ttl): the data model was not checked."
                )
        workspace.store = None  # type: ignore[assignment]
        report.seconds = time.perf_counter() - self.started
        return report

    def _replace_variants(self, store: ox.Store, keeper: PersistentStore | None) -> None:
        """:func:`collabkg.validate.pipeline._replace_variants` on the only context files
        that can be an original (they give a target's case ID the type ck:Case)."""
        if all(ref.target for ref in self.refs):
            return  # no context file: nothing to replace
        targets = [ref for ref in self.refs if ref.target]
        cases: set[str] = set()
        for ref in targets:
            parsed = self.parsed.get(ref.graph)
            triples = parsed.triples if parsed is not None else _triples_of(store, ref.graph)
            for t in triples:
                if (
                    isinstance(t.subject, ox.NamedNode)
                    and t.predicate.value == _TYPE
                    and isinstance(t.object, ox.NamedNode)
                    and t.object.value == _CASE
                ):
                    cases.add(t.subject.value)
        graphs = case_sharing_graphs(store, cases)
        originals = [ref for ref in self.refs if not ref.target and ref.graph in graphs]
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
        kept = {id(p) for p, _t in self.pipeline._replace_variants(parsed_files, self.report)}
        for parsed, _target in parsed_files:
            ref = by_id.get(id(parsed))
            if ref is not None and id(parsed) not in kept:
                self.refs.remove(ref)
                if keeper is not None:
                    keeper.remove(ref.graph)
                else:
                    store.remove_graph(ox.NamedNode(ref.graph))

    def _candidates(
        self, tasks: Sequence[tuple[Path, str, bool]], store: ox.Store, ontology: Ontology
    ) -> list[FileRef]:
        """The targets the vocabulary checker must read (all of them when they are few)."""
        targets = [ref for ref in self.refs if ref.target]
        if not self.many or not triage_reviewed():
            return targets
        triggered = {
            tasks[i][1] for i, read in self.reads.items() if not tasks[i][2] and read.trigger
        }
        assert self.ctx is not None
        facts = [
            (self.graph(tasks[i][0]), read.facts)
            for i, read in self.reads.items()
            if not tasks[i][2] and read.usable
        ]
        graphs = global_triggers(store, ontology, self.ctx, facts, self.progress)
        return [
            ref
            for ref in targets
            if ref.display in triggered or ref.graph in graphs or ref.graph in self.parsed
        ]

    def _local_files(self, candidates: Sequence[FileRef], store: ox.Store) -> list[FileData]:
        """FileData for the candidates and for the files sharing typed items with them."""
        items: dict[str, FileData] = {}
        for ref in candidates:
            parsed = self.parsed.get(ref.graph)
            if parsed is not None:
                with quiet_rdflib():
                    triples = [
                        (
                            to_rdflib(t.subject, ""),
                            to_rdflib(t.predicate, ""),
                            to_rdflib(t.object, ""),
                        )
                        for t in parsed.triples
                    ]
                items[ref.graph] = FileData(parsed, triples, True)
                continue
            parsed, _issues = read_turtle(ref.path, ref.display)
            if parsed is not None:
                items[ref.graph] = file_data(parsed, ref.graph, target=True)
        sharing = sharing_graphs(store, list(items.values())) - set(items)
        by_graph = {ref.graph: ref for ref in self.refs}
        for graph in sharing:
            ref = by_graph.get(graph)
            if ref is None:
                continue
            parsed, _issues = read_turtle(ref.path, ref.display, context=True)
            if parsed is not None:
                items[graph] = file_data(parsed, graph, target=ref.target)
        return [items[ref.graph] for ref in self.refs if ref.graph in items]


def _triples_of(store: ox.Store, graph: str) -> list[ox.Triple]:
    return [q.triple for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph))]


__all__ = [
    "AUTO_MIN_BYTES",
    "ENGINES",
    "ENV_ENGINE",
    "REDUCED_GRAPH",
    "StoreWorkspace",
    "TriageContext",
    "choose_engine",
    "global_triggers",
    "local_trigger",
    "run_sparql",
]


# --------------------------------------------------------------------------- whole reports


def report_key(inputs, project: ProjectPaths, cache: Cache, *parts: object) -> str | None:
    """A key for the report of ``inputs``: every file's path and content hash, the code, and
    where the command runs from (files outside the project are named from there)."""
    files = [*inputs.ontology, *inputs.data, *inputs.targets, *inputs.shapes]
    states = cache.states(files)
    if any(not state.sha256 for state in states):
        return None  # a file that cannot be read: let the pipeline say so
    return key_of(
        "report",
        code_version(),
        *parts,
        str(project.root),
        str(Path.cwd()),
        len(inputs.ontology),
        len(inputs.data),
        len(inputs.targets),
        *(f"{s.path}={s.sha256}" for s in states),
        *(f"{name}={hashlib.sha256(data).hexdigest()}" for name, data in inputs.texts),
    )


def run_cached(
    inputs,  # pipeline.Inputs
    project: ProjectPaths,
    *,
    engine: str | None = None,
    reason: bool = False,
    progress: Progress | None = None,
) -> Report:
    """:func:`collabkg.validate.pipeline.run`, remembered by the content of every file
    involved: validating unchanged files again (e.g. loading the graph) costs a lookup."""
    from collabkg.validate import pipeline

    started = time.perf_counter()
    chosen = choose_engine(engine, inputs.data, reason=reason)
    cache = None if reason else Cache.open(project.root)
    key = report_key(inputs, project, cache, chosen) if cache is not None else None
    try:
        if key is not None and cache is not None:
            found = cache.get(key)
            if isinstance(found, Report):
                found.seconds = time.perf_counter() - started
                return found
        report = pipeline.run(inputs, project, reason=reason, engine=chosen, progress=progress)
        if key is not None and cache is not None:
            cache.put(key, report)
        return report
    finally:
        if cache is not None:
            cache.close()

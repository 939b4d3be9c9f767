"""The Oxigraph store the pipeline validates: each file in its own named graph, the part
of the ontology the shapes see in a graph of its own, and the persistent copy under
``.collabkg-cache/store`` used to check a few files against a large graph.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import RDF, RDFS

from collabkg import parse_once
from collabkg.cache import Cache, key_of
from collabkg.file_index import Listing
from collabkg.progress import Progress
from collabkg.rdfterms import solutions, to_oxigraph
from collabkg.terms import CK, GRAPH_BASE
from collabkg.validate.model import FileData, Ontology
from collabkg.validate.reading import canonical_triples
from collabkg.validate.syntax import ParsedFile

STORE_FORMAT = "2"
"""Bumped when what the persistent store holds for a file changes (e.g. how blank nodes are
named): the store is then rebuilt."""
REDUCED_GRAPH = "urn:collabkg:validation:ontology"
"""The ontology's rdf:type and rdfs:subClassOf statements (and the W3C axioms the validator
adds): the part of the ontology the shapes see, as pySHACL's data graph holds it."""
TEXT_GRAPH = "urn:collabkg:validation:text:"
"""Named graphs of in-memory files (an upload) start with this."""
OX_REDUCED = ox.NamedNode(REDUCED_GRAPH)
OX_TYPE = ox.NamedNode(str(RDF.type))
CASE = str(CK.Case)


def load_file(
    store: ox.Store, path: Path, graph: str, has_bnodes: bool, *, keep: bool = False
) -> None:
    """Load a file that parsed into its graph (blank nodes named canonically). ``keep``:
    its triples are kept for this process's other readers (:mod:`collabkg.parse_once`;
    a small project, whose graph the command loads next), else the engine parses it."""
    data = path.read_bytes()
    if keep:
        triples = parse_once.parse(str(path), data).triples
        insert(store, canonical_triples(triples, graph) if has_bnodes else triples, graph)
        return
    if not has_bnodes:
        # it parsed with the strict parser already: skip the checks a second time (its
        # triples taken as parsed when this process parsed it already)
        parse_once.load(store, str(path), data, graph, lenient=True)
        return
    triples = parse_once.parse(str(path), data).triples
    insert(store, canonical_triples(triples, graph), graph)


def insert(store: ox.Store, triples: Iterable[ox.Triple], graph: str) -> None:
    name = ox.NamedNode(graph)
    store.extend(ox.Quad(t.subject, t.predicate, t.object, name) for t in triples)


def reduced_triples(ontology: Ontology) -> list[ox.Triple]:
    out = []
    for predicate in (RDF.type, RDFS.subClassOf):
        for s, p, o in ontology.graph.triples((None, predicate, None)):
            out.append(ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)))  # type: ignore[arg-type]
    return out


def reduced_digest(triples: Sequence[ox.Triple]) -> str:
    lines = sorted(str(t) for t in triples)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def triples_of(store: ox.Store, graph: str) -> list[ox.Triple]:
    return [q.triple for q in store.quads_for_pattern(None, None, None, ox.NamedNode(graph))]


def graphs_of(rows: Iterable[object], name: str = "g") -> set[str]:
    return {row[name].value for row in rows}  # type: ignore[index]


@dataclass
class FileRef:
    """One file of the graph being checked, in the pipeline's order."""

    path: Path
    display: str
    graph: str
    target: bool
    has_bnodes: bool = True


class ListedFiles:
    """The context files of a warm run (:mod:`.warm`), as the project's file index lists
    them: a :class:`FileRef` is made only for a graph asked about, none for the other
    70,000 (the file index is plain: each file's name shown is its path relative to the
    root, its graph ``GRAPH_BASE`` + that path)."""

    def __init__(self, root: Path, listing: Listing, left_out: Iterable[str]) -> None:
        self.root = root
        self.listing = listing
        self.left_out = set(left_out)
        """Names of listed files that are not context files (the targets, files with
        errors left out of the graph, an original replaced by its edited copy)."""

    def name_of(self, graph: str) -> str | None:
        if not graph.startswith(GRAPH_BASE):
            return None
        name = graph[len(GRAPH_BASE) :]
        return None if name in self.left_out else name

    def get(self, graph: str) -> FileRef | None:
        name = self.name_of(graph)
        if name is None or self.rank(graph) is None:
            return None
        return FileRef(self.root / name, name, graph, False)

    def rank(self, graph: str) -> int | None:
        """The file's place in the pipeline's order (None: not a context file)."""
        name = self.name_of(graph)
        return None if name is None else self.listing.position(name)

    def exclude(self, graph: str) -> None:
        name = self.name_of(graph)
        if name is not None:
            self.left_out.add(name)

    def __iter__(self) -> Iterator[FileRef]:
        for name in self.listing.names:
            if name not in self.left_out:
                yield FileRef(self.root / name, name, GRAPH_BASE + name, False)


_KEPT_OPEN = threading.local()
"""``stores``: the cached stores this thread keeps open (store path -> Store) inside
:func:`kept_open`."""
_OPENED = [False]
"""Whether this process has opened a store on disk (RocksDB) at any time."""


def opened_in_this_process() -> bool:
    """Whether this process has opened the store on disk: RocksDB then runs threads of its
    own, unseen by :mod:`threading`, and a fork of this process may wait for ever on what they
    held or were to do (a child opening a store waited for a background flush that no thread
    of the child would run): :func:`collabkg.validate.beside.forkable` says no."""
    return _OPENED[0]


@contextlib.contextmanager
def kept_open(cache: Cache) -> Iterator[None]:
    """Within it, the cached store is opened once however many times a run opens it (an
    incremental run walks the graph in it, then checks the changed files in it: opening
    it cost about 0.1 s at 1M, twice), and this process holds the store's lock throughout
    (other processes wait, as they would for each opening)."""
    if getattr(_KEPT_OPEN, "stores", None) is not None:  # nested: the outer one keeps it
        yield
        return
    with cache.store_lock():
        _KEPT_OPEN.stores = {}
        try:
            yield
        finally:
            _KEPT_OPEN.stores = None


class PersistentStore:
    """The store under ``.collabkg-cache/store``, in step with the files (see :func:`sync`).

    Its *state* is kept beside the manifest: a generation (a new random token whenever the
    manifest changes), whether the store holds exactly the manifest's graphs (*clean*:
    set when a run closes it, unset before anything is written), and the digest of the
    saved manifest (a manifest saved by other code leaves a digest that no longer
    matches). A clean store is opened without listing its 70,000 named graphs or reading
    its manifest (read on first use); one that is not (a run stopped half-way) is cleaned
    up as before and gets a new generation. :mod:`collabkg.validate.warm` trusts what a
    run wrote of the store only under the same generation."""

    MANIFEST = "store-manifest"
    STATE = "store-state"

    def __init__(self, cache: Cache) -> None:
        self.cache = cache
        self.store: ox.Store | None = None
        self._manifest: dict[str, str] | None = None
        self.temporary: list[str] = []
        self.generation = ""
        self.clean = False
        """Whether the store holds exactly the manifest's graphs (no run is writing)."""
        self._written: tuple[str, bool, str] | None = None
        self._digest: str | None = None
        self._writing = False
        """Set while graphs are being changed: a run stopped then leaves the store unclean."""

    @property
    def manifest(self) -> dict[str, str]:
        """Named graph -> the sha256 of the file it holds (read when first needed)."""
        if self._manifest is None:
            saved = self.cache.get(self._manifest_key())
            self._manifest = dict(saved) if isinstance(saved, dict) else {}
        return self._manifest

    @manifest.setter
    def manifest(self, value: dict[str, str]) -> None:
        self._manifest = value

    def open(self) -> ox.Store:
        """Open the store (OSError when it cannot be: the caller works in memory)."""
        import shutil

        path = self.cache.store_path
        kept: dict[str, ox.Store] | None = getattr(_KEPT_OPEN, "stores", None)
        if kept is not None and str(path) in kept:
            self.store = kept[str(path)]  # opened by this run already (see kept_open)
        else:
            _OPENED[0] = True
            try:
                self.store = ox.Store(str(path))
            except OSError as exc:
                if "corrupt" not in str(exc).lower():
                    raise
                shutil.rmtree(path, ignore_errors=True)  # a damaged cache: start again
                self.store = ox.Store(str(path))
            if kept is not None:
                kept[str(path)] = self.store
        state = self.cache.get(self._state_key())
        if (
            isinstance(state, tuple)
            and len(state) == 3
            and state[1] is True
            and state[2] == self._manifest_digest()
        ):
            self.generation, self.clean = str(state[0]), True
            self._written = (self.generation, True, str(state[2]))
            return self.store
        present = {g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode)}
        unknown = present - set(self.manifest)  # left over by a run that stopped
        if len(unknown) > 100:
            self.store.clear()  # faster than graph by graph; everything is reloaded
            present = set()
        for graph in unknown & present:
            self.store.remove_graph(ox.NamedNode(graph))
        self.manifest = {g: sha for g, sha in self.manifest.items() if g in present}
        self.save()  # a new generation: what earlier runs knew of the store is not trusted
        return self.store

    def _manifest_key(self) -> str:
        return key_of(self.MANIFEST, STORE_FORMAT, ox.__version__, str(self.cache.store_path))

    def _state_key(self) -> str:
        return key_of(self.STATE, STORE_FORMAT, ox.__version__, str(self.cache.store_path))

    def _manifest_digest(self) -> str:
        """The digest of the manifest as saved (read once until it is saved again)."""
        if self._digest is None:
            raw = self.cache.get_raw(self._manifest_key())
            self._digest = hashlib.sha256(raw).hexdigest() if raw is not None else "-"
        return self._digest

    def _mark(self, clean: bool) -> None:
        """Record the store's state (before writing to it: not clean; at close: clean)."""
        self.clean = clean
        state = (self.generation, clean, self._manifest_digest())
        if state != self._written:
            self.cache.put(self._state_key(), state)
            self._written = state

    def save(self) -> None:
        """Save the manifest: a new generation, not clean until the run closes the store."""
        import secrets

        self.generation = secrets.token_hex(8)
        self.cache.put(self._manifest_key(), self.manifest)
        self._digest = None
        self._mark(False)

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
        self._writing = True
        if len(missing) > max(50, len(desired) // 4):
            self._rebuild(wanted, reduced, progress)
            self.manifest = desired
            self.save()
            self._writing = False
            return
        progress.stage("updating the cached store", total=len(stale) + len(missing))
        for graph in stale:
            store.remove_graph(ox.NamedNode(graph))
            progress.advance()
        for graph in missing:
            if graph == REDUCED_GRAPH:
                insert(store, reduced[0], graph)
            else:
                path, _sha, bnodes = wanted[graph]
                load_file(store, path, graph, bnodes)
            self.manifest[graph] = desired[graph]
            progress.advance()
        self.save()
        self._writing = False

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
        insert(memory, reduced[0], REDUCED_GRAPH)
        for graph, (path, _sha, bnodes) in wanted.items():
            load_file(memory, path, graph, bnodes)
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
        self._mark(False)  # a run that stops now leaves the graph behind: not clean
        self.temporary.append(graph)
        insert(self.store, parsed.triples, graph)

    def remove(self, graph: str) -> None:
        """Leave a file out of the graph for this run (it is reloaded by the next one)."""
        assert self.store is not None
        self.manifest.pop(graph, None)
        self.save()
        self._writing = True
        self.store.remove_graph(ox.NamedNode(graph))
        self._writing = False

    def close(self) -> None:
        """Take the temporary graphs out, flush and mark the store clean; a store opened
        clean and not written to since (every write marks it not clean first) is left
        as it is: flushing it cost 0.07 s at 1M, twice in an incremental run."""
        if self.store is not None and (self.temporary or not self.clean):
            for graph in self.temporary:
                self.store.remove_graph(ox.NamedNode(graph))
            self.temporary = []
            self.store.flush()
            if not self._writing:  # stopped while changing graphs: cleaned up next time
                self._mark(True)
        self.store = None


def sharing_graphs(
    store: ox.Store, files: Sequence[FileData], *, added_to: bool = True
) -> set[str]:
    """Graphs that describe an item one of ``files`` describes: that type an IRI typed in
    one of them, or type an IRI one of them only adds statements to; with ``added_to``, also
    the graphs that only add statements to an IRI typed in one of them (for the checks of
    items described in several files). The last asks for every statement of each item,
    2–3 times the cost of the others: a run over many files leaves it out, for its
    pre-filter (``shared_filter``) has already chosen both ends of such an addition."""
    typed: set[str] = set()
    untyped: set[str] = set()
    for item in files:
        here = {str(s) for s, p, _o in item.triples if p == RDF.type and isinstance(s, URIRef)}
        typed |= here
        untyped |= {str(s) for s, _p, _o in item.triples if isinstance(s, URIRef)} - here
    found = _graphs_per_item(store, sorted(typed | untyped), "GRAPH ?g { ?s a ?t }")
    if added_to:
        found |= _graphs_per_item(
            store, sorted(typed), "GRAPH ?g { ?s ?p ?o } FILTER NOT EXISTS { GRAPH ?g { ?s a ?t } }"
        )
    found.discard(REDUCED_GRAPH)
    return found


def _graphs_per_item(store: ox.Store, items: Sequence[str], pattern: str) -> set[str]:
    """The graphs ``pattern`` finds for the IRIs ``items`` (``?s``), 500 at a time."""
    found: set[str] = set()
    for start in range(0, len(items), 500):
        values = " ".join(f"<{iri}>" for iri in items[start : start + 500])
        query = "SELECT DISTINCT ?g WHERE { VALUES ?s { " + values + " } " + pattern + " }"
        found |= graphs_of(solutions(store, query))
    return found


def case_sharing_graphs(store: ox.Store, cases: Iterable[str]) -> set[str]:
    """Graphs that type one of ``cases`` as a ck:Case (possible originals of an edited copy)."""
    wanted = sorted(set(cases))
    if not wanted:
        return set()
    values = " ".join(f"<{iri}>" for iri in wanted)
    found = graphs_of(
        solutions(
            store,
            "SELECT DISTINCT ?g WHERE { VALUES ?s { "
            + values
            + " } GRAPH ?g { ?s a <"
            + CASE
            + "> } }",
        )
    )
    found.discard(REDUCED_GRAPH)
    return found


__all__ = [
    "REDUCED_GRAPH",
    "TEXT_GRAPH",
    "FileRef",
    "ListedFiles",
    "PersistentStore",
    "case_sharing_graphs",
    "insert",
    "load_file",
    "reduced_digest",
    "reduced_triples",
    "sharing_graphs",
    "triples_of",
]

"""Shared, cached access to the knowledge graph for every explorer page.

The graph is loaded once per project root (``st.cache_resource``); query answers are
cached as plain data (``st.cache_data``). Pages use these helpers, never rdflib or
pyoxigraph.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from collabkg import file_state, lastgood
from collabkg.catalogue import Catalogue
from collabkg.errors import CollabkgError
from collabkg.graph import KnowledgeGraph
from collabkg.lastgood import StaleNotice, open_serving_graph
from collabkg.paths import ProjectPaths


def project_root() -> str:
    """The project folder (COLLABKG_HOME, else discovered)."""
    return str(ProjectPaths.discover().root)


@st.cache_resource(show_spinner="Loading the knowledge graph…")
def load_graph(root: str) -> KnowledgeGraph:
    # a SPARQL endpoint when COLLABKG_ENDPOINT is set (see README), else the local files;
    # when they have errors, the last graph that validated (graph.stale says why)
    project = ProjectPaths.discover(root)
    taken = file_state.take(file_state.project_files(project))  # before the files are read
    graph, notice = open_serving_graph(root, save_now=False)
    graph.stale = notice
    keep_listings_in_background(root, graph, save=notice is None and graph.endpoint is None)
    _served[root] = graph
    if graph.endpoint is None:  # an endpoint's data is not these files
        previous = _watches.pop(root, None)
        if previous is not None:
            previous.stop()
        _watches[root] = file_state.Watch(project, taken)
    return graph


_watches: dict[str, file_state.Watch] = {}
"""The project's files watched since its graph was loaded, by project root."""
_generation = [0]
"""How many times the data was loaded again (:func:`load_again`): what the server's own
routes keep outside Streamlit's caches is kept for one generation."""


def data_generation() -> int:
    """The generation of the data the pages read (see :func:`load_again`)."""
    return _generation[0]


def changed_files(root: str) -> list[str]:
    """The files changed, added or gone since the graph of ``root`` was loaded (as a watch
    last saw them; empty when it saw none, or nothing is watched)."""
    watch = _watches.get(root)
    return list(watch.changed) if watch is not None else []


def load_again() -> None:
    """Forget every graph, index, answer and table made from the files (they are made again
    from the files as they are now, checked first, on the next run)."""
    for watch in _watches.values():
        watch.stop()
    _watches.clear()
    _served.clear()
    _generation[0] += 1
    st.cache_resource.clear()
    st.cache_data.clear()
    gc.unfreeze()  # the old index was set aside from the collector (ui.explorer_index)


def offer_to_load_again(root: str) -> None:
    """When the files changed since the graph was loaded: say which, and offer to load them."""
    changed = changed_files(root)
    if not changed:
        return
    shown = ", ".join(f"`{name}`" for name in changed[:3])
    more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
    st.info(
        f"The data files changed since the explorer loaded them ({shown}{more}): what you see"
        " is the data as it was. Load the changed files to see them (they are checked first;"
        " with errors, this page says which).",
        icon="🔄",
    )
    if st.button("Load the changed files", key="collabkg-load-again"):
        load_again()
        st.rerun()


_served: dict[str, KnowledgeGraph] = {}
"""The graph :func:`load_graph` gave for each project root, for the server's own routes
(``downloads.py``), which run outside any page's script and so outside Streamlit's caches."""


def served_graph(root: str) -> KnowledgeGraph:
    """The graph the pages read for ``root``; loaded as a page would load it when no page has
    yet (``CollabkgError`` when it cannot be)."""
    graph = _served.get(root)
    return graph if graph is not None else load_graph(root)


first_page_served = threading.Event()
"""Set by ``streamlit_app.py`` once a script run has drawn its page: the answers are kept in
the background only after that (or after :data:`FIRST_PAGE_WAIT_S`, if no page is drawn)."""
FIRST_PAGE_WAIT_S = 120.0


def keep_listings_in_background(
    root: str, graph: KnowledgeGraph, *, save: bool = False
) -> threading.Thread:
    """Compute and keep on disk (by the files' content) the answers of the questions that
    take no choice, in a background thread, so that the first person to open a long listing
    after a change reads it instead of waiting for it (a no-op for a graph that keeps
    nothing on disk, e.g. a remote endpoint or the last graph that validated). With
    ``save``, the graph is first saved as the last valid graph (:func:`lastgood.save`). The
    thread waits for the first page to be drawn (:data:`first_page_served`)."""
    questions = [(q.text, None) for q in Catalogue.load(root) if not q.params]

    def keep() -> None:
        # not before the first page is on screen (after_first_page): computing two dozen
        # listings (6 s of CPU at 1M triples after a change) beside the start made the start
        # 7-11 s slower, and so did writing the last valid graph after a change (a million
        # quads)
        if save:
            lastgood.save(graph, Path(root))
        graph.keep_answers(questions)

    return after_first_page(keep, "collabkg-keep-answers")


def after_first_page(work: Callable[[], None], name: str) -> threading.Thread:
    """Run ``work`` in a background thread once the first page is drawn
    (:data:`first_page_served`, or after :data:`FIRST_PAGE_WAIT_S`); an OSError it raises
    (a full disk, a read-only cache) is ignored: what it keeps is only kept to be faster."""

    def run() -> None:
        first_page_served.wait(timeout=FIRST_PAGE_WAIT_S)
        with contextlib.suppress(OSError):
            work()

    worker = threading.Thread(target=run, name=name, daemon=True)
    worker.start()
    return worker


def graph_or_stop() -> tuple[str, KnowledgeGraph]:
    """The project's graph; shows a readable error and stops the page if it cannot load."""
    try:
        root = project_root()
        graph = load_graph(root)
    except CollabkgError as exc:
        st.error(f"The knowledge graph could not be loaded: {exc.one_line()}")
        st.info("Run `collabkg validate` in a terminal to see every problem.")
        st.stop()
        raise  # unreachable: st.stop() raises
    if isinstance(graph.stale, StaleNotice):
        st.warning(graph.stale.banner(), icon="⚠️")
    offer_to_load_again(root)
    return root, graph


@dataclass(frozen=True)
class Overview:
    triples: int
    files: int


@st.cache_data(show_spinner=False)
def overview(root: str) -> Overview:
    """Counts for the home page: the distinct triples and the files they come from (the
    files loaded, as listed; an endpoint's graph lists none: its files are counted there).
    The triples and instances per file and class are `collabkg stats`'s: counting them
    cost the home page 0.65 s at 1M triples and it showed neither."""
    graph = load_graph(root)
    files = len(graph.files) if graph.files else len(graph.triples_per_file())
    return Overview(triples=graph.triple_count(), files=files)

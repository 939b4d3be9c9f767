"""Shared, cached access to the knowledge graph for every explorer page.

The graph is loaded once per project root (``st.cache_resource``); query answers are
cached as plain data (``st.cache_data``). Pages use these helpers, never rdflib or
pyoxigraph.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import streamlit as st

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
    graph, notice = open_serving_graph(root)
    graph.stale = notice
    keep_listings_in_background(root, graph)
    return graph


def keep_listings_in_background(root: str, graph: KnowledgeGraph) -> threading.Thread:
    """Compute and keep on disk (by the files' content) the answers of the questions that
    take no choice, in a background thread, so that the first person to open a long listing
    after a change reads it instead of waiting for it (a no-op for a graph that keeps
    nothing on disk, e.g. a remote endpoint or the last graph that validated)."""
    questions = [(q.text, None) for q in Catalogue.load(root) if not q.params]
    worker = threading.Thread(
        target=graph.keep_answers, args=(questions,), name="collabkg-keep-answers", daemon=True
    )
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
    return root, graph


@dataclass(frozen=True)
class Overview:
    triples: int
    per_file: dict[str, int]
    per_class: dict[str, int]


@st.cache_data(show_spinner=False)
def overview(root: str) -> Overview:
    """Counts for the home page."""
    graph = load_graph(root)
    return Overview(
        triples=graph.triple_count(),
        per_file=graph.triples_per_file(),
        per_class=graph.counts_per_class(),
    )

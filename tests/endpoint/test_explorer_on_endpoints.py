"""The explorer's pages, built from a remote endpoint, say what they say on the embedded
store: home counts, the collaboration and organisation lists, every profile page, the
evidence panels and the network. (The pages are thin Streamlit code over these view
models in collabkg.explorer, which is what is compared here.)

Lists are compared as multisets: where a query has no ORDER BY, engines may list the
same items in another order (GROUP_CONCAT order is undefined in SPARQL 1.1).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from collabkg import explorer
from collabkg.graph import KnowledgeGraph


def canonical(value: object) -> object:
    """A comparable form of a view model: lists sorted, dataclasses as dicts."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return canonical(dataclasses.asdict(value))
    if isinstance(value, dict):
        return tuple(sorted((str(k), canonical(v)) for k, v in value.items()))
    if isinstance(value, list | tuple | set | frozenset):
        items = [canonical(v) for v in value]
        return ("seq", tuple(sorted(items, key=repr)))
    if isinstance(value, str):
        return "\u241f".join(sorted(value.split("; "))) if "; " in value else value
    return value


@pytest.fixture(scope="module")
def indexes(
    project_graph: KnowledgeGraph, served_graph: KnowledgeGraph, virtuoso_graph: KnowledgeGraph
) -> dict[str, explorer.ExplorerIndex]:
    return {
        "embedded": explorer.ExplorerIndex(project_graph),
        "served": explorer.ExplorerIndex(served_graph),
        "virtuoso": explorer.ExplorerIndex(virtuoso_graph),
    }


def views(index: explorer.ExplorerIndex) -> dict[str, Callable[[], object]]:
    return {
        "home counts": lambda: explorer.home_counts(index),
        "collaborations list": lambda: explorer.entity_table(index, "collaboration").to_dict(
            "records"
        ),
        "organisations list": lambda: explorer.entity_table(index, "organisation").to_dict(
            "records"
        ),
        "collaborations by structure type": lambda: explorer.collaborations_by_structure_type(
            index
        ).to_dict("records"),
        "organisations by sector": lambda: explorer.organisations_by_sector(index).to_dict(
            "records"
        ),
        # Home's flagship link: the words are a bound parameter, filtered by the engine
        "the Wigan Deal found": lambda: explorer.find_activity(index, "Wigan Deal"),
    }


@pytest.mark.parametrize("engine", ["served", "virtuoso"])
@pytest.mark.parametrize(
    "view",
    [
        "home counts",
        "collaborations list",
        "organisations list",
        "collaborations by structure type",
        "organisations by sector",
        "the Wigan Deal found",
    ],
)
def test_lists_and_counts_are_the_same(indexes: dict, engine: str, view: str) -> None:
    expected = views(indexes["embedded"])[view]()
    assert canonical(views(indexes[engine])[view]()) == canonical(expected)


@pytest.mark.parametrize("engine", ["served", "virtuoso"])
def test_every_profile_page_is_the_same(indexes: dict, engine: str) -> None:
    embedded = indexes["embedded"]
    entities = embedded.collaborations() + embedded.organisations()
    assert entities
    if engine == "served":  # the same engine as the embedded store: every 4th page will do
        entities = entities[::4]
    different = []
    for entity in entities:
        expected = canonical(explorer.profile(embedded, entity.iri))
        got = canonical(explorer.profile(indexes[engine], entity.iri))
        if got != expected:
            different.append(entity.iri)
    assert different == [], f"{len(different)} of {len(entities)} profiles differ"


@pytest.mark.parametrize("engine", ["served", "virtuoso"])
def test_evidence_panels_are_the_same(indexes: dict, engine: str) -> None:
    embedded = indexes["embedded"]
    for entity in embedded.collaborations() + embedded.organisations():
        expected = canonical(embedded.evidence(entity.iri))
        assert canonical(indexes[engine].evidence(entity.iri)) == expected, entity.iri


@pytest.mark.parametrize("engine", ["served", "virtuoso"])
def test_the_network_is_the_same(indexes: dict, engine: str) -> None:
    expected = canonical(explorer.network_edges(indexes["embedded"]))
    assert canonical(explorer.network_edges(indexes[engine])) == expected


def test_the_explorer_app_runs_on_virtuoso(
    monkeypatch: pytest.MonkeyPatch, virtuoso_graph: KnowledgeGraph, indexes: dict
) -> None:
    """The Streamlit app itself, pointed at Virtuoso with COLLABKG_ENDPOINT."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from tests.support.endpoints import DATA_GRAPH, REPO

    monkeypatch.setenv("COLLABKG_HOME", str(REPO))
    monkeypatch.setenv("COLLABKG_ENDPOINT", virtuoso_graph.endpoint or "")
    monkeypatch.setenv("COLLABKG_GRAPH", DATA_GRAPH)
    st.cache_resource.clear()  # the app caches its graph per project root
    st.cache_data.clear()
    try:
        app = AppTest.from_file(str(REPO / "app" / "streamlit_app.py"), default_timeout=120)
        app.run()
        assert not app.exception, [e.value for e in app.exception]
        import re

        from tests.support.apptest import drawn_html

        metrics = {  # the counts are one HTML list (no metric widgets to load)
            label: int(value.replace(",", ""))
            for label, value in re.findall(r"<dt>([^<]*)</dt><dd>([\d,]+)</dd>", drawn_html(app))
        }
        assert metrics == explorer.home_counts(indexes["embedded"])
        collaboration = indexes["embedded"].collaborations()[0]
        app.query_params["id"] = explorer.to_curie(collaboration.iri)
        app.switch_page("views/collaborations.py")
        app.run()
        assert not app.exception, [e.value for e in app.exception]
        shown = " ".join(m.value for m in app.markdown) + " ".join(h.value for h in app.header)
        assert collaboration.label in shown or collaboration.label in " ".join(
            t.value for t in app.title
        )
    finally:
        st.cache_resource.clear()
        st.cache_data.clear()

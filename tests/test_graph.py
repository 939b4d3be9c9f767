"""The KnowledgeGraph facade over the mini project: load, query, labels, statistics, export."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib import Literal, URIRef
from rdflib import namespace as ns
from rdflib.compare import isomorphic

from collabkg.graph import KnowledgeGraph
from collabkg.project import load_graph
from collabkg.terms import CK, CKC, CKD, GRAPH_BASE

MEMBERS = """
SELECT ?member ?sector WHERE {
  ckd:riverside-partnership ck:hasMember ?member .
  OPTIONAL { ?member ck:hasSector ?sector }
} ORDER BY ?member
"""


def test_load_reads_ontology_concepts_and_data_but_not_the_template(mini_graph: KnowledgeGraph):
    assert mini_graph.files == [
        "ontology/mini.ttl",
        "ontology/concepts/sectors.ttl",
        "data/cases/riverside.ttl",
    ]
    assert not mini_graph.ask("ASK { ckd:example-organisation ?p ?o }")


def test_each_file_is_its_own_named_graph(mini_graph: KnowledgeGraph):
    result = mini_graph.select(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ckd:riverside-council ?p ?o } }"
    )
    assert result.column("g") == [URIRef(GRAPH_BASE + "data/cases/riverside.ttl")]


def test_default_graph_is_the_union_of_all_files(mini_graph: KnowledgeGraph):
    # the class label comes from ontology/, the instance from data/
    result = mini_graph.select(
        "SELECT ?label WHERE { ckd:riverside-council a ?c . ?c rdfs:label ?label }"
    )
    assert result.column("label") == [Literal("Local authority")]


def test_select_returns_rdflib_terms_and_unbound_as_none(mini_graph: KnowledgeGraph):
    result = mini_graph.select(MEMBERS)
    assert result.vars == ["member", "sector"]
    assert len(result) == 3
    assert {row["member"] for row in result} == {
        CKD["riverside-council"],
        CKD["riverside-food-bank"],
        CKD["hilltop-youth-club"],
    }
    optional = mini_graph.select(
        "SELECT ?org ?label WHERE { ?org a ck:Charity OPTIONAL { ?org rdfs:label ?label } }"
        " ORDER BY ?org"
    )
    assert optional.rows[0] == {"org": CKD["hilltop-youth-club"], "label": None}


def test_literals_keep_language_and_datatype(mini_graph: KnowledgeGraph):
    result = mini_graph.select("SELECT ?l WHERE { ckc:publicSector skos:prefLabel ?l }")
    assert result.rows[0]["l"] == Literal("Public sector", lang="en")
    count = mini_graph.select("SELECT (COUNT(*) AS ?n) WHERE { ?s a ck:Charity }")
    assert count.rows[0]["n"] == Literal(2)
    assert count.rows[0]["n"].toPython() == 2


def test_bindings_accept_terms_and_python_values(mini_graph: KnowledgeGraph):
    query = "SELECT ?org ?sector WHERE { ?org ck:hasSector ?sector } ORDER BY ?org"
    by_term = mini_graph.select(query, {"sector": CKC.publicSector})
    assert by_term.column("org") == [CKD["riverside-council"]]
    by_question_mark = mini_graph.select(query, {"?sector": CKC.voluntarySector})
    assert len(by_question_mark) == 2
    motto = mini_graph.select(
        "SELECT ?org ?m WHERE { ?org ck:hasMotto ?m }", {"m": "Nobody goes hungry"}
    )
    assert motto.column("org") == [CKD["riverside-food-bank"]]


def test_limit_truncates_and_says_so(mini_graph: KnowledgeGraph):
    result = mini_graph.select(MEMBERS, limit=2)
    assert len(result) == 2
    assert result.truncated
    assert not mini_graph.select(MEMBERS, limit=3).truncated


def test_ask_and_construct(mini_graph: KnowledgeGraph):
    assert mini_graph.ask("ASK { ?s a ck:Collaboration }")
    assert not mini_graph.ask("ASK { ?s a ck:Collaboration }", {"s": CKD["riverside-council"]})
    graph = mini_graph.construct("CONSTRUCT { ?m ck:memberOf ?c } WHERE { ?c ck:hasMember ?m }")
    assert isinstance(graph, rdflib.Graph)
    assert len(graph) == 3
    assert (CKD["riverside-council"], CK.memberOf, CKD["riverside-partnership"]) in graph


def test_labels_prefer_pref_label_then_label_then_readable_local_name(
    mini_graph: KnowledgeGraph,
):
    assert mini_graph.label(CKC.publicSector) == "Public sector"
    assert mini_graph.label(CKD["riverside-council"]) == "Riverside Council"
    assert mini_graph.label(CKD["hilltop-youth-club"]) == "Hilltop youth club"
    assert mini_graph.label(Literal("plain text")) == "plain text"
    names = mini_graph.labels([CK.Charity, str(CKD["riverside-food-bank"])])
    assert names == {
        str(CK.Charity): "Charity",
        str(CKD["riverside-food-bank"]): "Riverside Food Bank",
    }


def test_labelled_dataframe_shows_labels_and_keeps_iris_for_downloads(
    mini_graph: KnowledgeGraph,
):
    result = mini_graph.select(MEMBERS)
    frame = result.to_dataframe(mini_graph)
    assert list(frame.columns) == ["member", "member_iri", "sector", "sector_iri"]
    assert set(frame["member"]) == {
        "Riverside Council",
        "Riverside Food Bank",
        "Hilltop youth club",
    }
    assert str(CKD["riverside-council"]) in set(frame["member_iri"])
    on_screen = result.to_dataframe(mini_graph, with_iris=False)
    assert list(on_screen.columns) == ["member", "sector"]
    assert not any(str(v).startswith("https://") for v in on_screen.to_numpy().ravel())


def test_triples_per_file_and_counts_per_class(mini_graph: KnowledgeGraph):
    per_file = mini_graph.triples_per_file()
    assert set(per_file) == set(mini_graph.files)
    assert per_file["data/cases/riverside.ttl"] == 15
    assert sum(per_file.values()) == mini_graph.triple_count()
    counts = mini_graph.counts_per_class()
    assert counts["Charity"] == 2
    assert counts["Local authority"] == 1
    assert counts["Collaboration"] == 1
    assert "Class" not in counts  # OWL meta-classes are left out by default
    assert mini_graph.counts_per_class(include_schema=True)["Class"] == 4


def test_to_rdflib_holds_the_whole_graph(mini_graph: KnowledgeGraph):
    graph = mini_graph.to_rdflib()
    assert len(graph) == mini_graph.triple_count()
    assert (CKD["riverside-council"], ns.RDFS.label, Literal("Riverside Council")) in graph


def test_exports_round_trip(mini_graph: KnowledgeGraph):
    expected = mini_graph.to_rdflib()
    for fmt, parser in (("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")):
        text = mini_graph.export(fmt)
        parsed = rdflib.Graph().parse(data=text, format=parser)
        assert isomorphic(parsed, expected), fmt
    assert mini_graph.export("ttl") == mini_graph.export("ttl")
    lines = mini_graph.export("nt").splitlines()
    assert lines == sorted(lines)


def test_from_store_wraps_an_existing_store():
    store = ox.Store()
    store.add(
        ox.Quad(
            ox.NamedNode(str(CKD["x"])),
            ox.NamedNode(str(ns.RDFS.label)),
            ox.Literal("X marks the spot"),
            ox.NamedNode(GRAPH_BASE + "data/x.ttl"),
        )
    )
    graph = KnowledgeGraph.from_store(store, files=["data/x.ttl"])
    assert graph.label(CKD["x"]) == "X marks the spot"
    assert graph.triples_per_file() == {"data/x.ttl": 1}


def test_load_explicit_paths(mini_root: Path):
    graph = load_graph(mini_root, paths=[mini_root / "ontology"])
    assert sorted(graph.files) == ["ontology/concepts/sectors.ttl", "ontology/mini.ttl"]
    assert not graph.ask("ASK { ?s a ck:Charity }")


def test_empty_project_loads_as_an_empty_graph(tmp_path: Path):
    (tmp_path / "ontology").mkdir()
    graph = load_graph(tmp_path)
    assert graph.files == []
    assert graph.triple_count() == 0
    assert graph.counts_per_class() == {}


class _Recording:
    """A backend wrapper that records every query text sent."""

    def __init__(self, backend) -> None:
        self._backend = backend
        self.sent: list[str] = []

    def select(self, query, bindings=None, **kw):
        self.sent.append(query)
        return self._backend.select(query, bindings, **kw)

    def select_rows(self, query, bindings=None, **kw):
        self.sent.append(query)
        return self._backend.select_rows(query, bindings, **kw)

    def __getattr__(self, name):
        return getattr(self._backend, name)


def test_labels_of_a_result_look_up_only_its_rows_never_the_whole_graph(
    mini_graph: KnowledgeGraph,
) -> None:
    """Regression: every CLI query built the label index of the whole graph (145k labels
    at 1M triples, 3 s) even for a 0-row answer."""
    from collabkg.labels import LABELS_QUERY, LabelIndex

    recording = _Recording(mini_graph.backend)
    graph = KnowledgeGraph(recording, root=mini_graph.root)  # type: ignore[arg-type]
    empty = graph.select("SELECT ?x WHERE { ?x a ck:NoSuchClass }")
    assert empty.to_labelled(graph) == []
    one = graph.select("SELECT ?org WHERE { ?org a ck:Charity } ORDER BY ?org LIMIT 1")
    [row] = one.to_labelled(graph)
    assert LABELS_QUERY not in recording.sent
    lookups = [q for q in recording.sent if "VALUES ?s" in q]
    assert lookups and all(str(one.rows[0]["org"]) in q for q in lookups)
    assert "riverside" not in " ".join(lookups).replace(str(one.rows[0]["org"]), "")
    # the same labels as the whole-graph index gives, for every IRI in the graph
    _vars, rows = mini_graph.backend.select(LABELS_QUERY)
    full = LabelIndex.from_rows((r["s"], r["p"], r["label"]) for r in rows)
    everything = mini_graph.select("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER isIRI(?s) }")
    names = KnowledgeGraph(mini_graph.backend).labels(everything.column("s"))
    assert names == {str(s): full.label(s) for s in everything.column("s")}
    assert row["org"] == full.label(one.rows[0]["org"])


def test_a_column_shown_by_its_own_label_column_is_not_looked_up(
    mini_graph: KnowledgeGraph,
) -> None:
    recording = _Recording(mini_graph.backend)
    graph = KnowledgeGraph(recording, root=mini_graph.root)  # type: ignore[arg-type]
    result = graph.select(
        "SELECT ?org ?orgLabel WHERE { ?org a ck:Charity ; rdfs:label ?orgLabel } ORDER BY ?org"
    )
    assert len(result) >= 1
    rows = result.to_labelled(graph, unlabelled={"org"})
    assert [r["org"] for r in rows] == [str(v) for v in result.column("org")]
    assert not [q for q in recording.sent if "VALUES ?s" in q]


def test_pages_of_an_answer_are_slices_of_it_computed_once(mini_graph: KnowledgeGraph) -> None:
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
    whole = mini_graph.select(query).rows
    recording = _Recording(mini_graph.backend)
    graph = KnowledgeGraph(recording, root=mini_graph.root)  # type: ignore[arg-type]
    rows, offset = [], 0
    while True:
        page = graph.select_page(query, offset=offset, size=7)
        assert page.total == len(whole)
        rows += page.result.rows
        offset += len(page.result)
        if not page.has_more:
            break
    assert rows == whole
    assert recording.sent.count(query) == 1  # the later pages did not run the query again
    assert graph.select_page(query, offset=len(whole), size=7).result.rows == []
    other = graph.select_page("SELECT ?s WHERE { ?s a ck:Charity } ORDER BY ?s", size=1)
    assert other.total >= 1 and len(other.result) == 1 and other.number == 1


def test_a_page_converts_only_its_own_rows_into_rdflib_terms(
    mini_graph: KnowledgeGraph, monkeypatch
) -> None:
    """Regression: select_page turned every row of the answer into rdflib terms before
    slicing one page, so a page of a long listing cost (and grew like) the whole answer."""
    import collabkg.backends.embedded as embedded

    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
    whole = mini_graph.select(query).rows
    assert len(whole) > 30
    converted: list[object] = []
    real = embedded.to_rdflib

    def counting(term: object, *args: object) -> object:
        converted.append(term)
        return real(term, *args)

    monkeypatch.setattr(embedded, "to_rdflib", counting)
    graph = KnowledgeGraph(mini_graph.backend, root=mini_graph.root)
    page = graph.select_page(query, offset=20, size=5)
    assert page.result.rows == whole[20:25] and page.total == len(whole)
    assert 0 < len(converted) <= 5 * 3  # at most the page's terms, never the answer's
    converted.clear()
    assert graph.select_page(query, offset=25, size=5).result.rows == whole[25:30]
    assert len(converted) <= 5 * 3


def test_an_answer_read_on_demand_equals_the_converted_answer(mini_graph: KnowledgeGraph) -> None:
    query = (
        "SELECT ?s ?p ?o ?none WHERE { ?s ?p ?o OPTIONAL { ?s ck:noSuchLink ?none } }"
        " ORDER BY ?s ?p ?o"
    )
    whole = mini_graph.select(query)
    names, rows = mini_graph.select_rows(query)
    assert names == whole.vars and len(rows) == len(whole)
    assert list(rows) == whole.rows and rows[3:9] == whole.rows[3:9] and rows[-1] == whole.rows[-1]
    iri_vars = rows.iri_variables()  # type: ignore[attr-defined]
    assert iri_vars == whole.iri_vars() and "none" not in iri_vars
    timed_names, timed = mini_graph.select_rows(query, timeout_s=30)  # from a child process
    assert timed_names == names and list(timed) == whole.rows


def test_very_many_labels_at_once_are_read_in_one_query(
    mini_graph: KnowledgeGraph, monkeypatch
) -> None:
    import collabkg.graph
    from collabkg.labels import LABELS_QUERY

    monkeypatch.setattr(collabkg.graph, "LABEL_LOOKUP_WHOLE", 2)
    recording = _Recording(mini_graph.backend)
    graph = KnowledgeGraph(recording, root=mini_graph.root)  # type: ignore[arg-type]
    everything = mini_graph.select("SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER isIRI(?s) }")
    names = graph.labels(everything.column("s"))
    assert recording.sent == [LABELS_QUERY]
    assert names == KnowledgeGraph(mini_graph.backend).labels(everything.column("s"))

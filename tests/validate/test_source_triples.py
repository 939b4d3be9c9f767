"""The sources the quotations rule reads, from the whole store.

Regression (issue 19, one edited file at 1M triples): the query for the sources' triples
joined every triple of a source with every quotation citing it, so a source quoted by many
quotations came back once per quotation (29,262 rows for 556 sources at 1M) and the query
took 12 s of every incremental run (and twice in a full run). The rows are now found source
by source, each once, and are exactly the query's rows.
"""

from __future__ import annotations

import pyoxigraph as ox

from collabkg.rdfterms import solutions
from collabkg.validate.quotations import SOURCES_QUERY
from collabkg.validate.rules.evidence import source_triples

CK = "https://w3id.org/collabkg/ontology#"
CKD = "https://w3id.org/collabkg/id/"
PROV = "http://www.w3.org/ns/prov#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
G = "urn:collabkg:test:"


def _store(quotations: int = 30) -> ox.Store:
    store = ox.Store()
    n, lit = ox.NamedNode, ox.Literal
    quads = [
        # a source described in one file, labelled again in another, quoted from 30 files
        ox.Quad(n(CKD + "src-a"), n(RDF_TYPE), n(CK + "Source"), n(G + "sources")),
        ox.Quad(n(CKD + "src-a"), n(LABEL), lit("Report A"), n(G + "sources")),
        ox.Quad(n(CKD + "src-a"), n(CK + "hasTextFile"), lit("a.txt"), n(G + "sources")),
        ox.Quad(n(CKD + "src-a"), n(LABEL), lit("Report A"), n(G + "case-1")),
        ox.Quad(n(CKD + "src-a"), n(CK + "hasWebAddress"), lit("x"), n(G + "case-2")),
        ox.Quad(n(CKD + "src-a"), n(CK + "isAbout"), n(CKD + "x"), n(G + "sources")),
        # a source with only a recorded digest, quoted by nobody
        ox.Quad(n(CKD + "src-b"), n(CK + "hasTextSha256"), lit("00"), n(G + "sources")),
        ox.Quad(n(CKD + "src-b"), n(LABEL), lit("Report B"), n(G + "sources")),
        # a quoted item labelled in the default graph only (the union reads it too)
        ox.Quad(n(CKD + "src-c"), n(LABEL), lit("default graph only"), ox.DefaultGraph()),
    ]
    for i in range(quotations):
        quote = n(f"{CKD}quote-{i}")
        quads.append(ox.Quad(quote, n(PROV + "wasQuotedFrom"), n(CKD + "src-a"), n(f"{G}case-{i}")))
        quads.append(ox.Quad(quote, n(CK + "hasText"), lit(f"text {i}"), n(f"{G}case-{i}")))
    quads.append(ox.Quad(n(CKD + "q"), n(PROV + "wasQuotedFrom"), n(CKD + "src-c"), n(G + "c")))
    store.extend(quads)
    return store


def test_source_triples_once_each_however_often_the_source_is_quoted() -> None:
    store = _store()
    rows = source_triples(store)
    assert len(rows) == len(set(rows)), "a source's triple came back more than once"
    by_query = {
        (str(r["s"].value), str(r["p"].value), str(r["o"].value))
        for r in solutions(store, SOURCES_QUERY, use_default_graph_as_union=True)
    }
    assert set(rows) == by_query
    # what the rule needs is there, what it does not read is not
    assert (CKD + "src-a", CK + "hasTextFile", "a.txt") in rows
    assert (CKD + "src-b", LABEL, "Report B") in rows
    assert not any(p == CK + "isAbout" for _s, p, _o in rows)
    assert (CKD + "src-c", LABEL, "default graph only") in rows


def test_sources_query_rows_do_not_grow_with_the_quotations() -> None:
    def count(quotations: int) -> int:
        return len(
            list(solutions(_store(quotations), SOURCES_QUERY, use_default_graph_as_union=True))
        )

    assert count(30) == count(1)

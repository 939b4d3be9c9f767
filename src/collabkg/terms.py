"""Namespaces used by collabkg: the single Python source of them (see docs/CONTRACT.md)."""

from __future__ import annotations

from types import MappingProxyType

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

BASE = "https://w3id.org/collabkg/"

CK = Namespace(BASE + "ontology#")
"""Classes and properties (ontology/collabkg.ttl)."""
CKC = Namespace(BASE + "concept/")
"""SKOS concepts and schemes (ontology/concepts/*.ttl)."""
CKSH = Namespace(BASE + "shapes#")
"""SHACL shapes (shapes/*.ttl)."""
CKD = Namespace(BASE + "id/")
"""Case data individuals (data/**/*.ttl), kebab-case local names."""

GRAPH_BASE = BASE + "graph/"
"""Each loaded file lives in the named graph ``GRAPH_BASE + <path relative to the root>``."""

ONTOLOGY_IRI = URIRef(BASE + "ontology")

SH = Namespace("http://www.w3.org/ns/shacl#")

PREFIXES: MappingProxyType[str, str] = MappingProxyType(
    {
        "ck": str(CK),
        "ckc": str(CKC),
        "cksh": str(CKSH),
        "ckd": str(CKD),
        "org": str(ORG),
        "prov": str(PROV),
        "skos": str(SKOS),
        "dcterms": str(DCTERMS),
        "time": str(TIME),
        "rdf": str(RDF),
        "rdfs": str(RDFS),
        "owl": str(OWL),
        "xsd": str(XSD),
        "sh": str(SH),
    }
)
"""The fixed prefix set: CURIE expansion, SPARQL prologues and canonical Turtle use it."""


def sparql_prologue(prefixes: dict[str, str] | None = None) -> str:
    """``PREFIX`` lines for every fixed prefix, to put in front of a query."""
    table = dict(PREFIXES) if prefixes is None else prefixes
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in table.items())


def bind_prefixes(graph: Graph) -> Graph:
    """Bind the fixed prefix set on an rdflib graph (replacing rdflib's defaults)."""
    for name, iri in PREFIXES.items():
        graph.bind(name, iri, override=True, replace=True)
    return graph


def compact(iri: str, prefixes: dict[str, str] | None = None) -> str:
    """``ckd:foo`` for a known namespace, else the IRI unchanged."""
    table = dict(PREFIXES) if prefixes is None else prefixes
    best = ""
    best_name = ""
    for name, ns in table.items():
        if iri.startswith(ns) and len(ns) > len(best):
            best, best_name = ns, name
    if best and len(iri) > len(best):
        return f"{best_name}:{iri[len(best) :]}"
    return iri


__all__ = [
    "BASE",
    "CK",
    "CKC",
    "CKD",
    "CKSH",
    "DCTERMS",
    "GRAPH_BASE",
    "ONTOLOGY_IRI",
    "ORG",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SH",
    "SKOS",
    "TIME",
    "XSD",
    "bind_prefixes",
    "compact",
    "sparql_prologue",
]

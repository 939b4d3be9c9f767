"""The OWL 2 and RDF knowledge the reasoner's explanations rely on: the datatypes HermiT
accepts, which predicates make axioms, which namespaces are vocabularies, and labels for the
reused W3C terms when their files are not loaded.
"""

from __future__ import annotations

from rdflib import URIRef
from rdflib.term import Node

from collabkg.terms import CK, CKC, ONTOLOGY_IRI, OWL, RDF, RDFS, XSD

Triple = tuple[Node, Node, Node]


WELL_KNOWN_LABELS: dict[str, str] = {
    "http://www.w3.org/ns/org#Organization": "organization",
    "http://www.w3.org/ns/org#OrganizationalUnit": "organizational unit",
    "http://www.w3.org/ns/org#OrganizationalCollaboration": "organizational collaboration",
    "http://www.w3.org/ns/org#Role": "role",
    "http://www.w3.org/ns/org#ChangeEvent": "change event",
    "http://www.w3.org/ns/org#Membership": "membership",
    "http://www.w3.org/ns/org#member": "member",
    "http://www.w3.org/ns/org#organization": "organization",
    "http://www.w3.org/ns/org#role": "role",
    "http://www.w3.org/ns/org#unitOf": "unit of",
    "http://www.w3.org/ns/org#hasUnit": "has unit",
    "http://www.w3.org/ns/org#memberDuring": "member during",
    "http://www.w3.org/ns/prov#Entity": "entity",
    "http://www.w3.org/ns/prov#Activity": "activity",
    "http://www.w3.org/ns/prov#Agent": "agent",
    "http://www.w3.org/ns/prov#Plan": "plan",
    "http://www.w3.org/ns/prov#Location": "location",
    "http://www.w3.org/ns/prov#wasDerivedFrom": "was derived from",
    "http://www.w3.org/ns/prov#wasQuotedFrom": "was quoted from",
    "http://www.w3.org/ns/prov#wasAssociatedWith": "was associated with",
    "http://www.w3.org/2006/time#Interval": "interval",
    "http://www.w3.org/2004/02/skos/core#Concept": "concept",
    "http://www.w3.org/2004/02/skos/core#ConceptScheme": "concept scheme",
    "http://www.w3.org/2002/07/owl#Thing": "thing",
    "http://www.w3.org/2002/07/owl#Nothing": "nothing",
}
"""Labels for the reused W3C terms, for when their vocabularies are not loaded."""


BUILTIN_ANNOTATIONS = frozenset(
    str(p)
    for p in (
        RDFS.label,
        RDFS.comment,
        RDFS.seeAlso,
        RDFS.isDefinedBy,
        OWL.versionInfo,
        OWL.deprecated,
        OWL.priorVersion,
        OWL.backwardCompatibleWith,
        OWL.incompatibleWith,
    )
)


META_NAMESPACES = (str(RDF), str(RDFS), str(OWL), str(XSD))


VOCABULARY_NAMESPACES = (
    *META_NAMESPACES,
    str(CK),
    str(CKC),
    "http://www.w3.org/ns/org#",
    "http://www.w3.org/ns/prov#",
    "http://www.w3.org/2004/02/skos/core#",
    "http://purl.org/dc/terms/",
    "http://purl.org/dc/elements/1.1/",
    "http://www.w3.org/2006/time#",
    "http://purl.org/vocab/vann/",
    "http://xmlns.com/foaf/0.1/",
    "http://www.w3.org/ns/shacl#",
)


CHARACTERISTICS = frozenset(
    str(t)
    for t in (
        OWL.FunctionalProperty,
        OWL.InverseFunctionalProperty,
        OWL.TransitiveProperty,
        OWL.SymmetricProperty,
        OWL.AsymmetricProperty,
        OWL.ReflexiveProperty,
        OWL.IrreflexiveProperty,
    )
)


DECLARATION_TYPES = (
    frozenset(
        str(t)
        for t in (
            OWL.Class,
            RDFS.Class,
            OWL.ObjectProperty,
            OWL.DatatypeProperty,
            OWL.AnnotationProperty,
            RDF.Property,
            OWL.Ontology,
            RDFS.Datatype,
            OWL.Restriction,
        )
    )
    | CHARACTERISTICS
)


LOGICAL_PREDICATES = frozenset(
    str(p)
    for p in (
        RDFS.subClassOf,
        OWL.equivalentClass,
        OWL.disjointWith,
        OWL.complementOf,
        RDFS.domain,
        RDFS.range,
        RDFS.subPropertyOf,
        OWL.equivalentProperty,
        OWL.inverseOf,
        OWL.propertyChainAxiom,
        OWL.propertyDisjointWith,
        OWL.hasKey,
        OWL.disjointUnionOf,
        OWL.sameAs,
        OWL.differentFrom,
    )
)


AXIOM_NODES = frozenset(
    str(t)
    for t in (
        OWL.AllDisjointClasses,
        OWL.AllDifferent,
        OWL.AllDisjointProperties,
        OWL.NegativePropertyAssertion,
        OWL.Axiom,
    )
)


def is_vocabulary(node: Node) -> bool:
    return isinstance(node, URIRef) and (
        str(node).startswith(VOCABULARY_NAMESPACES) or node == ONTOLOGY_IRI
    )


__all__ = [
    "AXIOM_NODES",
    "BUILTIN_ANNOTATIONS",
    "CHARACTERISTICS",
    "DECLARATION_TYPES",
    "LOGICAL_PREDICATES",
    "META_NAMESPACES",
    "VOCABULARY_NAMESPACES",
    "WELL_KNOWN_LABELS",
    "Triple",
    "is_vocabulary",
]

"""Rules about the words a file uses: template placeholders left in, our prefixes bound to
another namespace, terms the ontology (or a W3C vocabulary) does not define."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import Literal, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from collabkg.terms import CK, CKC, CKD, PREFIXES, compact
from collabkg.validate.model import FileData, show
from collabkg.validate.report import Severity
from collabkg.validate.rules.base import (
    OUR_TERMS,
    PREFIX_DECLARATION,
    Context,
    FileScan,
)
from collabkg.validate.rules.base import local_name as _local
from collabkg.validate.rules.checker import Checker, FileRule
from collabkg.validate.rules.hints import COMMON_PROPERTIES, OURS, PLACEHOLDER, STANDARD, closest
from collabkg.validate.suggest import rank

# --------------------------------------------------------------------------- placeholders


def placeholder_left(scan: FileScan, ctx: Context) -> bool:
    """Pre-filter: a ``CHANGE-ME`` in an IRI or a text (escapes could hide one)."""
    if "change" not in scan.lowered and "\\u" not in scan.lowered:
        return False
    for t in scan.parsed.triples:
        for term in (t.subject, t.object):
            if isinstance(term, ox.NamedNode | ox.Literal) and PLACEHOLDER in (
                term.value.upper().replace("_", "-")
            ):
                return True
    return False


def check_placeholders(chk: Checker, item: FileData) -> None:
    """``CHANGE-ME`` left from data/TEMPLATE.ttl: one clear error per place."""
    seen: set[Node] = set()
    for s, p, o in item.triples:
        for term in (s, o):
            if term in seen or not isinstance(term, URIRef | Literal):
                continue
            if PLACEHOLDER not in str(term).upper().replace("_", "-"):
                continue
            seen.add(term)
            chk.result.bad_values.add(term)
            if isinstance(term, URIRef):
                line, column, width, _also = chk.where(item, str(term))
                what = f"the ID {show(term)}"
                local = _local(str(term))
                if local.lower().startswith("src-"):
                    sources = chk.source_ids()
                    todo = (
                        "use the ID of your source from data/sources.ttl"
                        + (f" ({', '.join(sources)})" if sources else "")
                        + "; if the source is new, add it to data/sources.ttl first"
                    )
                elif local.lower().startswith("case-"):
                    todo = f"name the case after its file: ckd:case-{item.parsed.path.stem}"
                else:
                    todo = (
                        "replace CHANGE-ME in the ID with a short name in lower case "
                        "with hyphens (e.g. ckd:wigan-council), the same everywhere "
                        "it is used"
                    )
            else:
                line = chk.term_line(item, s, p)
                column = width = None
                what = f"the text {show(term)}"
                todo = f"write the real {compact(str(p))} here (from the source)"
            chk.issue(
                item,
                Severity.VIOLATION,
                "vocabulary.template-placeholder",
                f"Placeholder from the template left in {what}.",
                line=line,
                column=column,
                width=width,
                hint=todo,
                focus=s if isinstance(s, URIRef) and s != term else None,
            )


# --------------------------------------------------------------------------- prefixes


def prefix_rebound(scan: FileScan, ctx: Context) -> bool:
    """Pre-filter: a prefix of ours declared with another namespace (every declaration, not
    only the last; a declaration the pattern cannot read selects the file)."""
    text = scan.parsed.text
    declared = list(PREFIX_DECLARATION.finditer(text))
    if len(declared) != scan.lowered.count("prefix"):
        return True
    for match in declared:
        expected = PREFIXES.get(match.group(1))
        if expected is not None and match.group(2) != expected:
            return True
    return False


def check_prefixes(chk: Checker, item: FileData) -> set[str]:
    wrong: set[str] = set()
    for name, (iri, line) in item.parsed.index.prefixes.items():
        expected = PREFIXES.get(name)
        if expected is None or iri == expected:
            continue
        wrong.add(iri)
        chk.issue(
            item,
            Severity.VIOLATION,
            "vocabulary.wrong-namespace",
            f"The prefix {name}: is declared as <{iri}>, but collabkg's {name}: is <{expected}>.",
            line=line,
            column=1,
            hint=f"correct the line to: @prefix {name}: <{expected}> .",
        )
    return wrong


def check_prefix_rule(chk: Checker, item: FileData) -> None:
    chk.wrong_ns = check_prefixes(chk, item)


# --------------------------------------------------------------------------- terms

_STANDARD_CACHE: dict[str, bool] = {}


def unknown_standard_term(iri: str) -> bool:
    """Is ``iri`` in a W3C namespace we know but not a term of that vocabulary?"""
    if iri in _STANDARD_CACHE:
        return _STANDARD_CACHE[iri]
    namespace = next((ns for ns in STANDARD if iri.startswith(ns)), None)
    unknown = False
    if namespace is not None:
        try:
            unknown = URIRef(iri) not in STANDARD[namespace]
        except Exception:  # pragma: no cover - the check treats this as known
            unknown = False
    _STANDARD_CACHE[iri] = unknown
    return unknown


def undefined_term(scan: FileScan, ctx: Context) -> bool:
    """Pre-filter: a term of ours the ontology does not define, an IRI under our base
    outside our namespaces, a W3C term that does not exist."""
    for iri in scan.iris:
        if iri.startswith(OUR_TERMS):
            if iri not in ctx.defined:
                return True
            continue
        if iri.startswith(OURS):
            continue
        if "w3id.org/collabkg" in iri:
            return True
        if iri not in ctx.defined and unknown_standard_term(iri):
            return True
    return False


def check_term_rule(chk: Checker, item: FileData) -> None:
    check_terms(chk, item, chk.wrong_ns)


def check_terms(chk: Checker, item: FileData, wrong_ns: set[str]) -> None:
    roles: dict[str, set[str]] = {}
    chk.first_use = {}
    for s, p, o in item.triples:
        roles.setdefault(str(p), set()).add("property")
        chk.first_use.setdefault(str(p), (s, p))
        if isinstance(s, URIRef):
            roles.setdefault(str(s), set()).add("subject")
        if isinstance(o, URIRef):
            roles.setdefault(str(o), set()).add("class" if p == RDF.type else "value")
            chk.first_use.setdefault(str(o), (s, p))
    for iri, role in roles.items():
        if any(iri.startswith(ns) for ns in wrong_ns):
            chk.result.bad_values.add(URIRef(iri))
            continue
        if chk.ont.is_ours(iri):
            if iri not in chk.ont.defined:
                unknown_ours(chk, item, iri, role)
            continue
        if iri.startswith(OURS):
            continue
        if "w3id.org/collabkg" in iri:
            foreign_collabkg(chk, item, iri)
            continue
        namespace = next((ns for ns in STANDARD if iri.startswith(ns)), None)
        if namespace is not None and iri not in chk.ont.defined:
            unknown_standard(chk, item, iri, namespace, role)


def _completed(iri: str, pool: Iterable[str]) -> str | None:
    """The shortest term of ``iri``'s namespace whose name starts with what was written
    (``ck:hasAmount`` → ``ck:hasAmountInPounds``): a name cut short is likelier than the
    nearest spelling in another vocabulary (it was ``org:hasUnit``)."""
    local = _local(iri)
    if len(local) < 4:
        return None
    home = iri[: len(iri) - len(local)]
    found = sorted(
        (len(c), c)
        for c in pool
        if c != iri and c.startswith(home) and _local(c).lower().startswith(local.lower())
    )
    return found[0][1] if found else None


def unknown_ours(chk: Checker, item: FileData, iri: str, role: set[str]) -> None:
    chk.result.bad_values.add(URIRef(iri))
    ont = chk.ont
    if "property" in role:
        pool = sorted(set(ont.properties) | COMMON_PROPERTIES)
        what = "property"
    elif "class" in role:
        pool = [c for c in ont.classes if ont.is_ours(c)]
        what = "class (kind of thing)"
    else:
        pool = sorted(ont.concepts)
        what = "value"
    suggestion = None
    used_with = chk.first_use.get(iri)
    if "value" in role and used_with is not None:
        members = chk.range_members(used_with[1])
        suggestion = closest(iri, members, cutoff=0.5) if members else None
    suggestion = (
        suggestion
        or _completed(iri, pool)
        or closest(iri, pool)
        or closest(iri, ont.defined & set(chk.our_terms()))
    )
    if "property" in role and suggestion in ont.properties:
        # "a funding stream needs ck:hasFunder" from the data model is this same typo
        for s, p, _o in item.triples:
            if str(p) == iri:
                chk.result.bad_triples.add((s, URIRef(suggestion), None))
    line, column, width, also = chk.where(item, iri)
    message = f"{compact(iri)} is not defined in the collabkg ontology{also}"
    if suggestion:
        message += f" — did you mean {compact(suggestion)}?"
    else:
        message += "."
    hint = None
    used = chk.first_use.get(iri)
    allowed = chk.allowed_values(used[1]) if used and "value" in role else ""
    if not allowed and suggestion and suggestion in ont.concepts and "value" in role:
        # no declared range: list the values of the same list as the suggestion
        for cls in ont.concept_types(suggestion):
            members = ont.members_of_class(cls)
            if members:
                allowed = ", ".join(compact(m) for m in members)
                break
    if allowed:
        hint = f"allowed values for {compact(str(used[1]))}: {allowed}"  # type: ignore[index]
    elif not suggestion:
        hint = (
            f"check the spelling; the {what} must be one of those in ontology/collabkg.ttl "
            "or ontology/concepts/*.ttl (names are case-sensitive)"
        )
    elif _local(suggestion).lower() == _local(iri).lower() and suggestion != iri:
        hint = "names are case-sensitive and the prefix matters: write it exactly as suggested"
    chk.issue(
        item,
        Severity.VIOLATION,
        "vocabulary.unknown-term",
        message,
        line=line,
        column=column,
        width=width,
        hint=hint,
        value=URIRef(iri) if "value" in role else None,
        focus=used[0] if used and isinstance(used[0], URIRef) else None,
        path=used[1] if used and "value" in role else None,
    )


def foreign_collabkg(chk: Checker, item: FileData, iri: str) -> None:
    chk.result.bad_values.add(URIRef(iri))
    line, column, width, also = chk.where(item, iri)
    guess = None
    local = _local(iri)
    for ns in (str(CK), str(CKC), str(CKD)):
        if ns + local in chk.ont.defined:
            guess = ns + local
    hint = "collabkg's namespaces are " + ", ".join(
        f"{name}: <{PREFIXES[name]}>" for name in ("ck", "ckc", "ckd")
    )
    message = f"<{iri}> is not in one of collabkg's namespaces{also}"
    message += f" — did you mean {compact(guess)}?" if guess else "."
    chk.issue(
        item,
        Severity.VIOLATION,
        "vocabulary.unknown-namespace",
        message,
        line=line,
        column=column,
        width=width,
        hint=hint,
        value=URIRef(iri),
    )


def unknown_standard(
    chk: Checker, item: FileData, iri: str, namespace: str, role: set[str]
) -> None:
    vocabulary = STANDARD[namespace]
    try:
        exists = URIRef(iri) in vocabulary
    except Exception:  # pragma: no cover - defensive: rdflib internals
        exists = True
    if exists:
        return
    # every vocabulary we use, ours included: the closest terms first, those of the same
    # namespace before the others, a property for a property and a class for a class
    pool = [t for t in chk.ont.defined if not t.startswith(str(CKD))]
    for other in STANDARD.values():
        pool += [str(t) for t in dir(other) if isinstance(t, URIRef)]
    suggestions = rank(iri, pool)
    if suggestions:
        # "it has no <the property meant>" from the shapes is the same mistake
        for s, p, _o in item.triples:
            if str(p) == iri:
                chk.result.bad_triples.add((s, URIRef(suggestions[0]), None))
    line, column, width, also = chk.where(item, iri)
    name = next((k for k, v in PREFIXES.items() if v == namespace), namespace)
    vocabulary_name = VOCABULARY_NAMES.get(namespace, f"the {name}: vocabulary")
    message = f"{compact(iri)} is not a term of {vocabulary_name}{also}"
    if suggestions:
        message += " — did you mean " + " or ".join(compact(t) for t in suggestions) + "?"
    else:
        message += "."
    chk.issue(
        item,
        Severity.VIOLATION,
        "vocabulary.unknown-standard-term",
        message,
        line=line,
        column=column,
        width=width,
        hint="a misspelt term makes its statement mean nothing (it would be dropped "
        "silently): write the term as the vocabulary spells it"
        + (f", e.g. {compact(suggestions[0])}" if suggestions else ""),
        value=URIRef(iri),
    )


VOCABULARY_NAMES = {
    "http://www.w3.org/ns/org#": "the W3C Organization Ontology (org:)",
    "http://www.w3.org/ns/prov#": "PROV-O (prov:)",
    "http://purl.org/dc/terms/": "DCMI Metadata Terms (dcterms:)",
    "http://www.w3.org/2004/02/skos/core#": "SKOS (skos:)",
    "http://www.w3.org/2000/01/rdf-schema#": "RDF Schema (rdfs:)",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "RDF (rdf:)",
    "http://www.w3.org/2002/07/owl#": "OWL (owl:)",
    "http://www.w3.org/2006/time#": "OWL-Time (time:)",
    "http://www.w3.org/2001/XMLSchema#": "XML Schema datatypes (xsd:)",
}


PLACEHOLDERS = FileRule("placeholders", check_placeholders, local=placeholder_left)
PREFIXES_RULE = FileRule("prefixes", check_prefix_rule, local=prefix_rebound)
TERMS = FileRule("terms", check_term_rule, local=undefined_term)

__all__ = ["PLACEHOLDERS", "PREFIXES_RULE", "TERMS", "unknown_standard_term"]

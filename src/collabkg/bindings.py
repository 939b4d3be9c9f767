"""Query parameters as RDF terms: typed conversion and validation, never string formatting.

A binding maps a SPARQL variable name to an rdflib term. The backends hand terms to the
store as terms (pyoxigraph ``substitutions``), so a value can never change a query's
meaning, whatever characters it contains.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Final, Literal, TypeAlias, get_args

from rdflib import BNode, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.namespace import XSD
from rdflib.term import Node

from collabkg.errors import ParameterError
from collabkg.terms import PREFIXES

ParamType: TypeAlias = Literal["iri", "string", "integer", "date"]
PARAM_TYPES: Final[tuple[str, ...]] = get_args(ParamType)

Term: TypeAlias = URIRef | RdfLiteral | BNode
"""An RDF term as collabkg passes it around (rdflib classes)."""

Bindings: TypeAlias = Mapping[str, object]
"""Variable name (with or without ``?``) -> rdflib term or plain Python value."""

_VARNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_FORBIDDEN_IRI_CHARS = set(' <>"{}|^`\\')
_CURIE = re.compile(r"^(?P<prefix>[A-Za-z][A-Za-z0-9_\-]*)?:(?P<local>[^\s:]*)$")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def variable_name(name: str) -> str:
    """A SPARQL variable name without its ``?``/``$``; raises ParameterError if malformed."""
    bare = name[1:] if name[:1] in ("?", "$") else name
    if not _VARNAME.match(bare):
        raise ParameterError(
            f"{name!r} is not a valid parameter name",
            hint="use letters, digits and underscores, starting with a letter",
        )
    return bare


def validate_iri(value: str) -> URIRef:
    """An absolute IRI with no spaces or ``<>"{}|^`\\`` characters, as a URIRef."""
    text = value.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    bad = sorted({c for c in text if c in _FORBIDDEN_IRI_CHARS or ord(c) < 0x20})
    if bad:
        shown = " ".join(repr(c) for c in bad)
        raise ParameterError(
            f"{value!r} is not a valid IRI: it contains {shown}",
            hint='IRIs cannot contain spaces or any of < > " { } | ^ ` \\',
        )
    if not _SCHEME.match(text) or text.endswith(":"):
        raise ParameterError(
            f"{value!r} is not an absolute IRI",
            hint="write a full IRI such as https://w3id.org/collabkg/id/... or a CURIE "
            "such as ckd:wigan-council",
        )
    return URIRef(text)


def expand_curie(value: str, prefixes: Mapping[str, str] | None = None) -> URIRef | None:
    """``ckd:foo`` -> the full IRI, if the prefix is one of ours; else None."""
    match = _CURIE.match(value.strip())
    if not match:
        return None
    table = PREFIXES if prefixes is None else prefixes
    prefix = match.group("prefix") or ""
    if prefix not in table:
        return None
    return validate_iri(table[prefix] + match.group("local"))


def unknown_prefix(value: str, prefixes: Mapping[str, str] | None = None) -> str | None:
    """The prefix of ``value`` when it is written like a prefixed name (``foo:bar``) whose
    prefix is not one of ours (it is then read as an IRI of scheme ``foo``, which names
    nothing here); None otherwise (a known prefix, ``<...>``, an address with ``//``)."""
    text = value.strip()
    match = _CURIE.match(text)
    if not match or "//" in text or text.startswith("<"):
        return None
    prefix = match.group("prefix") or ""
    table = PREFIXES if prefixes is None else prefixes
    return None if prefix in table else prefix


def known_prefixes(prefixes: Mapping[str, str] | None = None) -> str:
    """The prefixes a value may use, in words (``ck:, ckc:, ckd:, ...``)."""
    table = PREFIXES if prefixes is None else prefixes
    return ", ".join(f"{name}:" for name in sorted(table) if name)


def parse_iri(value: str, prefixes: Mapping[str, str] | None = None) -> URIRef:
    """A CURIE with a known prefix or an absolute IRI (optionally in ``<...>``)."""
    expanded = expand_curie(value, prefixes)
    if expanded is not None:
        return expanded
    return validate_iri(value)


def parse_integer(value: str) -> RdfLiteral:
    text = value.strip()
    if not _INTEGER.match(text):
        raise ParameterError(f"{value!r} is not a whole number", hint="write digits, e.g. 2010")
    return RdfLiteral(int(text), datatype=XSD.integer)


def parse_date(value: str) -> RdfLiteral:
    text = value.strip()
    try:
        if not _DATE.match(text):
            raise ValueError(text)
        day = _dt.date.fromisoformat(text)
    except ValueError:
        raise ParameterError(
            f"{value!r} is not a date", hint="write the date as YYYY-MM-DD, e.g. 2011-04-01"
        ) from None
    return RdfLiteral(day.isoformat(), datatype=XSD.date)


def to_term(value: str, type_: str, prefixes: Mapping[str, str] | None = None) -> Term:
    """Convert a typed parameter value (from the command line or a form) to an RDF term."""
    if type_ == "iri":
        return parse_iri(value, prefixes)
    if type_ == "string":
        return RdfLiteral(value)
    if type_ == "integer":
        return parse_integer(value)
    if type_ == "date":
        return parse_date(value)
    raise ParameterError(
        f"unknown parameter type {type_!r}", hint=f"use one of: {', '.join(PARAM_TYPES)}"
    )


def infer_type(value: str) -> str:
    """A best guess at the type of an untyped parameter value (for ad-hoc SPARQL)."""
    text = value.strip()
    if text.startswith("<") and text.endswith(">"):
        return "iri"
    if expand_curie(text) is not None:
        return "iri"
    if _SCHEME.match(text) and "//" in text and not any(c in _FORBIDDEN_IRI_CHARS for c in text):
        return "iri"
    if _INTEGER.match(text):
        return "integer"
    if _DATE.match(text):
        return "date"
    return "string"


def python_to_term(value: object) -> Term:
    """An rdflib term for a Python value: terms pass through, str is a plain literal."""
    if isinstance(value, URIRef | RdfLiteral | BNode):
        return value
    if isinstance(value, Node):
        raise ParameterError(f"{value!r} cannot be bound to a variable")
    if isinstance(value, bool):
        return RdfLiteral(value, datatype=XSD.boolean)
    if isinstance(value, int):
        return RdfLiteral(value, datatype=XSD.integer)
    if isinstance(value, Decimal):
        return RdfLiteral(value, datatype=XSD.decimal)
    if isinstance(value, float):
        return RdfLiteral(value, datatype=XSD.double)
    if isinstance(value, _dt.datetime):
        return RdfLiteral(value, datatype=XSD.dateTime)
    if isinstance(value, _dt.date):
        return RdfLiteral(value.isoformat(), datatype=XSD.date)
    if isinstance(value, str):
        return RdfLiteral(value)
    raise ParameterError(f"cannot use a {type(value).__name__} as a query parameter")


def normalise_bindings(bindings: Bindings | None) -> dict[str, Term]:
    """Validate variable names and convert every value to an rdflib term."""
    if not bindings:
        return {}
    return {variable_name(name): python_to_term(value) for name, value in bindings.items()}


def parse_assignment(text: str) -> tuple[str, str | None, str]:
    """``name=value`` or ``name:type=value`` (from ``--param``) -> (name, type or None, value)."""
    name, sep, value = text.partition("=")
    if not sep:
        raise ParameterError(
            f"{text!r} is not a parameter assignment", hint="write --param name=value"
        )
    name, _, declared = name.strip().partition(":")
    type_ = declared.strip() or None
    if type_ is not None and type_ not in PARAM_TYPES:
        raise ParameterError(
            f"unknown parameter type {type_!r} in {text!r}",
            hint=f"use one of: {', '.join(PARAM_TYPES)}",
        )
    return variable_name(name), type_, value


__all__ = [
    "PARAM_TYPES",
    "Bindings",
    "ParamType",
    "Term",
    "expand_curie",
    "infer_type",
    "known_prefixes",
    "normalise_bindings",
    "parse_assignment",
    "parse_date",
    "parse_integer",
    "parse_iri",
    "python_to_term",
    "to_term",
    "unknown_prefix",
    "validate_iri",
    "variable_name",
]

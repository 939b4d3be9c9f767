"""XML Schema datatypes: the one place that knows their IRIs, which are numbers, how each
is written (lexical forms) and how a person reads one.

The syntax stage checks literals with :func:`lexical_problem`, the SHACL stage asks
:func:`is_numeric`, reports show a datatype with :func:`short_name`.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

NUMERIC: frozenset[str] = frozenset(
    XSD + name
    for name in (
        "decimal",
        "integer",
        "double",
        "float",
        "int",
        "long",
        "short",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
    )
)
"""The numeric datatypes case data can use."""

INTEGER_TYPES: frozenset[str] = frozenset(
    XSD + name
    for name in (
        "integer",
        "nonNegativeInteger",
        "nonPositiveInteger",
        "positiveInteger",
        "negativeInteger",
        "long",
        "int",
        "short",
        "byte",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    )
)
"""XML Schema's integer datatypes (every one derived from xsd:integer)."""

STRING_TYPES: frozenset[str] = frozenset(
    XSD + name
    for name in ("string", "normalizedString", "token", "language", "Name", "NCName", "NMTOKEN")
)
"""XML Schema's string datatypes (xsd:string and those derived from it)."""

OWL2_DATATYPES: frozenset[str] = frozenset(
    {
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#PlainLiteral",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#XMLLiteral",
        RDF_LANGSTRING,
        "http://www.w3.org/2000/01/rdf-schema#Literal",
        "http://www.w3.org/2002/07/owl#real",
        "http://www.w3.org/2002/07/owl#rational",
    }
    | INTEGER_TYPES
    | STRING_TYPES
    | {
        XSD + name
        for name in (
            "decimal",
            "double",
            "float",
            "boolean",
            "hexBinary",
            "base64Binary",
            "anyURI",
            "dateTime",
            "dateTimeStamp",
        )
    }
)
"""The OWL 2 datatype map: HermiT refuses any other datatype in a data property value."""

SHOWN_BARE: frozenset[str] = frozenset(XSD + n for n in ("integer", "decimal", "double", "boolean"))
"""Datatypes whose values Turtle writes without quotes (``42``, ``true``)."""


def is_numeric(datatype: object) -> bool:
    return str(datatype) in NUMERIC


def short_name(datatype: str) -> str:
    """``xsd:date`` for the IRI of xsd:date (other IRIs unchanged)."""
    return "xsd:" + datatype[len(XSD) :] if datatype.startswith(XSD) else datatype


_TZ = r"(?:Z|[+-](?:0\d|1[0-4]):[0-5]\d)?"
_YEAR = r"-?(?:[1-9]\d{4,}|\d{4})"


def _date_ok(lexical: str) -> bool:
    match = re.fullmatch(rf"({_YEAR})-(\d\d)-(\d\d){_TZ}", lexical)
    if not match:
        return False
    try:
        _dt.date(
            max(1, abs(int(match.group(1)))) if abs(int(match.group(1))) <= 9999 else 2000,
            int(match.group(2)),
            int(match.group(3)),
        )
    except ValueError:
        return False
    return True


def _year_month_ok(lexical: str) -> bool:
    match = re.fullmatch(rf"{_YEAR}-(\d\d){_TZ}", lexical)
    return match is not None and 1 <= int(match.group(1)) <= 12


def _datetime_ok(lexical: str) -> bool:
    match = re.fullmatch(
        rf"({_YEAR}-\d\d-\d\d)T([01]\d|2[0-4]):[0-5]\d:[0-5]\d(?:\.\d+)?{_TZ}", lexical
    )
    return match is not None and _date_ok(match.group(1))


def _int_check(sign: str) -> Callable[[str], bool]:
    def check(lexical: str) -> bool:
        if not re.fullmatch(r"[+-]?\d+", lexical):
            return False
        value = int(lexical)
        return {
            "any": True,
            "nonneg": value >= 0,
            "pos": value > 0,
            "nonpos": value <= 0,
            "neg": value < 0,
        }[sign]

    return check


_LEXICAL: dict[str, tuple[Callable[[str], bool], str]] = {
    "date": (
        _date_ok,
        'a date is written year-month-day: "2019-07-23"^^xsd:date; if only the '
        'year is known write "2019"^^xsd:gYear, for a month "2019-07"^^xsd:gYearMonth',
    ),
    "gYear": (
        lambda s: bool(re.fullmatch(rf"{_YEAR}{_TZ}", s)),
        'a year is written with four digits: "2019"^^xsd:gYear',
    ),
    "gYearMonth": (_year_month_ok, 'a month is written year-month: "2019-07"^^xsd:gYearMonth'),
    "dateTime": (_datetime_ok, 'a date and time is written "2019-07-23T10:00:00"^^xsd:dateTime'),
    "boolean": (
        lambda s: s in ("true", "false", "1", "0"),
        "write true or false, in lower case and without quotes",
    ),
    "integer": (_int_check("any"), "write a whole number without quotes, e.g. 24"),
    "int": (_int_check("any"), "write a whole number without quotes, e.g. 24"),
    "long": (_int_check("any"), "write a whole number without quotes, e.g. 24"),
    "nonNegativeInteger": (_int_check("nonneg"), "write a whole number, 0 or more, e.g. 24"),
    "positiveInteger": (_int_check("pos"), "write a whole number above 0, e.g. 24"),
    "nonPositiveInteger": (_int_check("nonpos"), "write a whole number, 0 or less"),
    "negativeInteger": (_int_check("neg"), "write a whole number below 0"),
    "decimal": (
        lambda s: bool(re.fullmatch(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", s)),
        "write a number with a dot for decimals and no commas or £ sign: 250000.00",
    ),
    "double": (
        lambda s: bool(
            re.fullmatch(r"[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|INF)|NaN", s)
        ),
        "write a number such as 1.5 or 1.5E3",
    ),
    "float": (
        lambda s: bool(
            re.fullmatch(r"[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|INF)|NaN", s)
        ),
        "write a number such as 1.5 or 1.5E3",
    ),
}


def lexical_problem(lexical: str, datatype: str) -> str | None:
    """A hint if ``lexical`` is not a valid value of the XSD ``datatype``, else None."""
    if not datatype.startswith(XSD):
        return None
    check = _LEXICAL.get(datatype[len(XSD) :])
    if check is None or check[0](lexical):
        return None
    return check[1]


__all__ = [
    "NUMERIC",
    "RDF_LANGSTRING",
    "SHOWN_BARE",
    "XSD",
    "XSD_STRING",
    "is_numeric",
    "lexical_problem",
    "short_name",
]

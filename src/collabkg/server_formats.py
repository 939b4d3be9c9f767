"""How ``collabkg serve`` chooses an answer's format, and writes an answer cut at a limit.

**Choosing** (:func:`negotiate`). A ``format=``, ``output=`` or ``results=`` parameter
(SPARQLWrapper sends all three, Virtuoso and Fuseki read one) names the natural format
for the query's form: for SELECT/ASK ``json``, ``xml``, ``csv``, ``tsv``; for
CONSTRUCT/DESCRIBE ``json``/``json-ld`` (JSON-LD), ``xml``/``rdf+xml``/``rdf`` (RDF/XML),
``n3``/``turtle``/``ttl`` (Turtle), ``nt``/``ntriples`` (N-Triples); a media type may be
given instead. A value that means nothing for the form (``csv`` for a CONSTRUCT, or an
unknown word) is passed over and the ``Accept`` header decides, with its q-values;
``text/*`` gets CSV for SELECT and Turtle for graphs. Only an ``Accept`` that no format
of the form satisfies gets 406, with what can be given.

**Cutting** (:func:`serialize_limited`). SELECT answers stop at a number of rows and
CONSTRUCT/DESCRIBE answers at a number of triples; whether one was cut is returned with
the bytes (the server says so in :data:`ROWS_LIMITED_HEADER`).
"""

from __future__ import annotations

import functools
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Final

from collabkg.server_http import RefusedRequest

if TYPE_CHECKING:
    import pyoxigraph as ox

DEFAULT_ROW_LIMIT: Final[int] = 100_000
"""Rows of a SELECT answer (triples of a CONSTRUCT/DESCRIBE answer) sent at most, unless
``collabkg serve --max-rows`` says otherwise. The canned questions' largest whole answer
is about 11,000 rows at 1M triples and 31,000 at 3M (docs/performance.md)."""
ROWS_LIMITED_HEADER: Final[str] = "X-Collabkg-Rows-Limited"
"""Response header of an answer that was cut: its value is the limit (rows, or triples
for CONSTRUCT/DESCRIBE). Absent when the answer is whole."""
FORMAT_PARAMS: Final[tuple[str, ...]] = ("format", "output", "results")
_REMEMBERED_TERMS: Final[int] = 200_000


@dataclass(frozen=True)
class _Offer:
    media: str  # as asked in Accept
    answer_media: str  # the Content-Type sent
    format_name: str  # pyoxigraph's QueryResultsFormat / RdfFormat name
    wildcard: bool = True  # chosen by 'type/*' and '*/*' (aliases of a media type are not)


def _o(media: str, fmt: str, answer: str | None = None, wildcard: bool = True) -> _Offer:
    return _Offer(media, answer or media, fmt, wildcard)


# in the server's order of preference: the first is the default
_RESULT_OFFERS: Final[tuple[_Offer, ...]] = (
    _o("application/sparql-results+json", "JSON"),
    _o("application/sparql-results+xml", "XML"),
    _o("text/csv", "CSV"),
    _o("text/tab-separated-values", "TSV"),
    _o("application/json", "JSON", wildcard=False),
    _o("application/xml", "XML", wildcard=False),
    _o("text/xml", "XML", wildcard=False),
    _o("text/javascript", "JSON", "application/sparql-results+json", wildcard=False),
    _o("application/javascript", "JSON", "application/sparql-results+json", wildcard=False),
)
_GRAPH_OFFERS: Final[tuple[_Offer, ...]] = (
    _o("text/turtle", "TURTLE"),
    _o("application/rdf+xml", "RDF_XML"),
    _o("application/ld+json", "JSON_LD"),
    _o("application/n-triples", "N_TRIPLES"),
    _o("text/n3", "N3"),
    _o("application/x-turtle", "TURTLE", "text/turtle", wildcard=False),
    _o("application/turtle", "TURTLE", "text/turtle", wildcard=False),
    _o("text/rdf+n3", "N3", "text/n3", wildcard=False),
    _o("application/n3", "N3", "text/n3", wildcard=False),
    _o("text/plain", "N_TRIPLES", "application/n-triples", wildcard=False),
    _o("application/xml", "RDF_XML", "application/rdf+xml", wildcard=False),
    _o("text/xml", "RDF_XML", "application/rdf+xml", wildcard=False),
    _o("application/x-json+ld", "JSON_LD", "application/ld+json", wildcard=False),
    _o("application/json", "JSON_LD", "application/ld+json", wildcard=False),
)
_RESULT_ALIASES: Final[dict[str, str]] = {
    "json": "application/sparql-results+json",
    "srj": "application/sparql-results+json",
    "sparql-results+json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "srx": "application/sparql-results+xml",
    "sparql-results+xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
_GRAPH_ALIASES: Final[dict[str, str]] = {
    "json": "application/ld+json",
    "json-ld": "application/ld+json",
    "jsonld": "application/ld+json",
    "xml": "application/rdf+xml",
    "rdf+xml": "application/rdf+xml",
    "rdfxml": "application/rdf+xml",
    "rdf": "application/rdf+xml",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "n3": "text/turtle",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "n-triples": "application/n-triples",
}


@functools.cache
def _writable(format_name: str) -> bool:
    """Whether this pyoxigraph can write the RDF format (JSON-LD came in 0.5)."""
    import pyoxigraph as ox

    return hasattr(ox.RdfFormat, format_name)


def _offers(form: str) -> list[_Offer]:
    if form in ("SELECT", "ASK"):
        return list(_RESULT_OFFERS)
    return [offer for offer in _GRAPH_OFFERS if _writable(offer.format_name)]


def _from_param(form: str, values: list[str]) -> _Offer | None:
    """The first ``format=`` value that names a format of this form (None: none does)."""
    offers = _offers(form)
    aliases = _RESULT_ALIASES if form in ("SELECT", "ASK") else _GRAPH_ALIASES
    by_media = {offer.media: offer for offer in offers}
    for value in values:
        word = value.strip().lower()
        media = aliases.get(word, word)
        if media == "application/ld+json" and media not in by_media:  # no JSON-LD writer
            media = offers[0].media
        if media in by_media:
            return by_media[media]
    return None


def _ranges(header: str) -> list[tuple[str, float, int]]:
    """An Accept header's media ranges: (range, quality, position)."""
    ranges: list[tuple[str, float, int]] = []
    for index, part in enumerate(header.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        quality = 1.0
        for param in pieces[1:]:
            name, _eq, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(1.0, max(0.0, float(value)))
                except ValueError:
                    quality = 0.0
        ranges.append((media, quality, index))
    return ranges


def _from_accept(offers: list[_Offer], header: str) -> _Offer | None:
    """The offer the Accept header prefers (RFC 9110: the most specific range decides an
    offer's quality; ties go to the exact type asked first, then to the server's order)."""
    ranges = _ranges(header) or [("*/*", 1.0, 0)]
    best: tuple[tuple[float, int, int, int], _Offer] | None = None
    for order, offer in enumerate(offers):
        kind = offer.media.split("/")[0] + "/*"
        match: tuple[int, float, int] | None = None  # (specificity, quality, position)
        for media, quality, index in ranges:
            specificity = (
                2 if media == offer.media
                else 1 if media == kind and offer.wildcard
                else 0 if media == "*/*" and offer.wildcard
                else -1
            )
            if specificity >= 0 and (match is None or specificity > match[0]):
                match = (specificity, quality, index)
        if match is None or match[1] <= 0:
            continue
        key = (-match[1], -match[0], match[2], order)
        if best is None or key < best[0]:
            best = (key, offer)
    return best[1] if best else None


def negotiate(form: str, accept: str | None, format_values: list[str]) -> tuple[str, str]:
    """(media type, pyoxigraph format name) of the answer, or RefusedRequest 406."""
    chosen = _from_param(form, format_values) or _from_accept(_offers(form), accept or "*/*")
    if chosen is not None:
        return chosen.answer_media, chosen.format_name
    kinds = "results" if form in ("SELECT", "ASK") else "graph"
    offered = ", ".join(o.media for o in _offers(form) if o.wildcard)
    aliases = ", ".join(sorted(
        word for word, media in (
            _RESULT_ALIASES if kinds == "results" else _GRAPH_ALIASES
        ).items() if "+" not in word or word == "rdf+xml"
    ))
    raise RefusedRequest(
        HTTPStatus.NOT_ACCEPTABLE,
        f"a {form} answer cannot be given as {accept}: ask for one of {offered} "
        f"(Accept header), or add format= one of {aliases} to the address",
    )


# --------------------------------------------------------------------------- cutting


def _term(term: object) -> dict[str, object]:
    """A pyoxigraph term as SPARQL 1.1 JSON results write it."""
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        written: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            written["xml:lang"] = term.language
            direction = getattr(term, "direction", None)  # RDF 1.2 ("a"@en--ltr)
            if direction is not None:
                written["its:dir"] = str(direction)
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            written["datatype"] = term.datatype.value
        return written
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {
            "subject": _term(term.subject),
            "predicate": _term(term.predicate),
            "object": _term(term.object),
        }}
    raise ValueError(f"a term of an unknown kind in the answer: {term!r}")


def _tsv_term(term: object) -> str:
    """A term as SPARQL TSV writes it (N-Triples syntax; a triple term in ``<<( )>>``)."""
    import pyoxigraph as ox

    if isinstance(term, ox.Triple):
        inner = " ".join(_tsv_term(t) for t in (term.subject, term.predicate, term.object))
        return f"<<( {inner} )>>"
    return str(term)


def _remembering(write: Callable[[object], str]) -> Callable[[object], str]:
    """``write`` with each distinct term written once (a term recurs in many rows)."""
    written: dict[object, str] = {}

    def text(term: object) -> str:
        known = written.get(term)
        if known is None:
            known = write(term)
            if len(written) < _REMEMBERED_TERMS:
                written[term] = known
        return known

    return text


def _solutions(solutions: ox.QuerySolutions, format_name: str,
               limit: int | None) -> tuple[bytes, bool]:
    """The rows up to the limit, written as SPARQL JSON here or, for another format, as
    SPARQL TSV read back and written by pyoxigraph (the bytes it writes for those rows)."""
    import pyoxigraph as ox

    names = [variable.value for variable in solutions.variables]
    rows = solutions if limit is None else itertools.islice(solutions, limit)
    lines: list[str] = []
    if format_name == "JSON":
        keys = [json.dumps(name, ensure_ascii=False) + ":" for name in names]
        term = _remembering(
            lambda value: json.dumps(_term(value), ensure_ascii=False, separators=(",", ":"))
        )
        for row in rows:
            lines.append("{" + ",".join(
                key + term(value) for key, value in zip(keys, row, strict=True)
                if value is not None
            ) + "}")
        cut = limit is not None and next(solutions, None) is not None
        document = (
            '{"head":{"vars":[' + ",".join(key[:-1] for key in keys) + "]},"
            '"results":{"bindings":[' + ",".join(lines) + "]}}"
        )
        return document.encode("utf-8"), cut
    text = _remembering(_tsv_term)
    for row in rows:
        lines.append("\t".join("" if value is None else text(value) for value in row))
    cut = limit is not None and next(solutions, None) is not None
    tsv = "\n".join(["\t".join("?" + name for name in names), *lines]) + "\n"
    parsed = ox.parse_query_results(tsv.encode("utf-8"), ox.QueryResultsFormat.TSV)
    data = parsed.serialize(format=getattr(ox.QueryResultsFormat, format_name))
    return data or b"", cut


def serialize_limited(result: object, format_name: str,
                      limit: int | None) -> tuple[bytes, bool]:
    """A query's answer written in full, or cut at ``limit`` rows (triples for a graph);
    (bytes, whether it was cut)."""
    import pyoxigraph as ox

    if isinstance(result, ox.QueryTriples):
        triples = list(itertools.islice(result, None if limit is None else limit + 1))
        cut = limit is not None and len(triples) > limit
        data = ox.serialize(triples[:limit], format=getattr(ox.RdfFormat, format_name))
        return data or b"", cut
    if isinstance(result, ox.QuerySolutions):
        return _solutions(result, format_name, limit)
    assert isinstance(result, ox.QueryBoolean)
    return result.serialize(format=getattr(ox.QueryResultsFormat, format_name)) or b"", False


__all__ = [
    "DEFAULT_ROW_LIMIT",
    "FORMAT_PARAMS",
    "ROWS_LIMITED_HEADER",
    "negotiate",
    "serialize_limited",
]

"""Stage: quotations verified against their sources' texts.

Every ``ck:hasText`` in a file asked about is looked for in the text of the source it is
quoted from (``prov:wasQuotedFrom``), through :mod:`collabkg.sources` — the same check the
data tests and ``collabkg sources`` use:

- not found: an **error** at the line of the quotation's ``ck:hasText``, with the closest
  passage of the source and what differs (``“it is” where the source has “it’s”``);
- the source's text not available (no ``ck:hasTextFile``, or the file is not in the folder of
  source texts): one **warning** per source, never silence;
- the text present but not the one recorded (``ck:hasTextSha256`` differs): one **error**
  per source; its quotations are still checked against the text that is there;
- no SHA-256 recorded: one **warning** per source, giving the line to add.

The rule is one function with a narrow interface (:func:`check_quotations`): the files asked
about (anything with ``display``, ``triples`` and ``parsed.index``), the sources of the whole
graph (:func:`collabkg.sources.collect_sources` over its triples, or over the rows of
:data:`SOURCES_QUERY` on a store), the folder of texts, and optionally the workspace for
names and kinds.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

from rdflib import URIRef
from rdflib.term import Node

from collabkg.sources import (
    HAS_TEXT,
    HAS_TEXT_FILE,
    HAS_TEXT_SHA256,
    PROV_QUOTED_FROM,
    SourceRecord,
    SourceState,
    TextStatus,
    text_state,
)
from collabkg.terms import compact
from collabkg.validate.filelike import FileLike, Names
from collabkg.validate.report import Issue, Severity, Stage

_IS_SOURCE = """
  { ?s <https://w3id.org/collabkg/ontology#hasTextFile> ?any }
  UNION
  { ?s <https://w3id.org/collabkg/ontology#hasTextSha256> ?any }
  UNION
  { ?quote <http://www.w3.org/ns/prov#wasQuotedFrom> ?s }
"""
_SOURCE_PROPERTIES = """
  ?s ?p ?o .
  FILTER(?p IN (
    <http://www.w3.org/1999/02/22-rdf-syntax-ns#type>,
    <http://www.w3.org/2000/01/rdf-schema#label>,
    <https://w3id.org/collabkg/ontology#hasTextFile>,
    <https://w3id.org/collabkg/ontology#hasTextSha256>,
    <https://w3id.org/collabkg/ontology#hasWebAddress>,
    <http://purl.org/dc/terms/isPartOf>,
    <http://purl.org/dc/terms/publisher>
  ))
"""
# (a FILTER, not a VALUES block: Oxigraph joins a VALUES ?p first, reading every triple
# with these predicates — 1.2 s at 1M — where the FILTER starts from the sources: 1 ms)
# Each source once (not once per quotation citing it: that was a row per quotation and
# property, 43 s at 1M), and each triple once however many files state it.
SOURCES_QUERY = (
    "SELECT DISTINCT ?s ?p ?o WHERE {\n  { SELECT DISTINCT ?s WHERE {"
    + _IS_SOURCE
    + "  } }"
    + _SOURCE_PROPERTIES
    + "}\n"
)
"""The triples :func:`collabkg.sources.collect_sources` needs, from a store (every graph)."""

SOURCE_PREDICATES = frozenset(
    {
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
        "http://www.w3.org/2000/01/rdf-schema#label",
        HAS_TEXT_FILE,
        HAS_TEXT_SHA256,
        "https://w3id.org/collabkg/ontology#hasWebAddress",
        "http://purl.org/dc/terms/isPartOf",
        "http://purl.org/dc/terms/publisher",
    }
)
"""The predicates :data:`SOURCES_QUERY` reads (its ``FILTER(?p IN ...)``)."""

SOURCES_AMONG_QUERY = (
    "SELECT DISTINCT ?s ?p ?o WHERE {\n  VALUES ?s { %s }\n  FILTER EXISTS {"
    + _IS_SOURCE
    + "  }"
    + _SOURCE_PROPERTIES
    + "}\n"
)
"""The same triples for the sources among some IRIs (``%s``: their VALUES, each ``<iri>``)."""

QUOTED_AMONG_QUERY = (
    "SELECT DISTINCT ?s WHERE { VALUES ?s { %s } "
    "?quote <http://www.w3.org/ns/prov#wasQuotedFrom> ?s }"
)
"""Which of some IRIs a quotation of the graph cites."""

SHOWN_PASSAGE = 240
"""Characters of the closest passage shown in a message."""


def _shorten(text: str, limit: int = SHOWN_PASSAGE) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Rule:
    def __init__(
        self, sources: Mapping[str, SourceRecord], folder: Path, names: Names | None
    ) -> None:
        self.sources = sources
        self.folder = folder
        self.names = names
        self.states: dict[str, SourceState] = {}
        self.reported: set[str] = set()
        self.issues: list[Issue] = []
        self.quoted: set[str] = set()

    def state(self, iri: str) -> SourceState | None:
        record = self.sources.get(iri)
        if record is None:
            return None
        if iri not in self.states:
            self.states[iri] = text_state(record, self.folder)
        return self.states[iri]

    def add(
        self,
        item: FileLike,
        severity: Severity,
        code: str,
        message: str,
        *,
        line: int | None,
        focus: Node | None,
        hint: str | None = None,
        value: str | None = None,
        related: list[str] | None = None,
    ) -> None:
        names = self.names
        self.issues.append(
            Issue(
                severity,
                Stage.QUOTATIONS,
                code,
                message,
                file=item.display,
                line=line,
                hint=hint,
                source_line=item.parsed.index.source_line(line),
                focus=compact(str(focus)) if isinstance(focus, URIRef) else None,
                focus_label=names.label_of(focus) if names and focus is not None else None,
                focus_kind=names.kind_of(focus) if names and focus is not None else None,
                path=compact(HAS_TEXT) if code == "quotation.not-in-source" else None,
                value=value,
                related=related or [],
            )
        )

    def source_name(self, state: SourceState) -> str:
        record = state.record
        return f"“{record.label}” ({compact(record.iri)})" if record.label else compact(record.iri)

    def once_per_source(
        self, item: FileLike, state: SourceState, line: int | None, focus: Node
    ) -> None:
        """The warning or error about a source's text, once per source."""
        if state.record.iri in self.reported:
            return
        self.reported.add(state.record.iri)
        name = self.source_name(state)
        index = item.parsed.index
        own = index.property_line(state.record.iri, HAS_TEXT_FILE) or index.subject_line(
            state.record.iri
        )
        where_line = own or line
        where_focus: Node = URIRef(state.record.iri) if own else focus
        status = state.status
        if status in (TextStatus.NOT_NAMED, TextStatus.MISSING):
            problem = state.problem(self.folder) or "its text is not available"
            self.add(
                item, Severity.WARNING, "quotation.text-unavailable",
                f"Quotations from {name} are not verified: its text is not available "
                f"({problem}).",
                line=where_line, focus=where_focus,
                hint="put the source's text (a .txt file) in the folder of source texts "
                f"({self.folder}, or the folder COLLABKG_SEEDS names) and name it with "
                'ck:hasTextFile "FILE.txt" ; in the source\'s entry (docs/adding-a-case.md)',
            )
        elif status is TextStatus.CHANGED:
            self.add(
                item, Severity.VIOLATION, "quotation.text-changed",
                f"The text file of {name}, {state.record.text_file}, is not the text the data "
                f"was written from: its SHA-256 is {state.actual_sha256}, but the source "
                f"records {state.record.sha256}.",
                line=index.property_line(state.record.iri, HAS_TEXT_SHA256) or where_line,
                focus=where_focus,
                hint="use the original text; if the text was deliberately replaced, check "
                "every quotation from it again and record "
                f'ck:hasTextSha256 "{state.actual_sha256}" ;',
            )
        elif status is TextStatus.UNRECORDED:
            self.add(
                item, Severity.WARNING, "quotation.sha256-unrecorded",
                f"The source {name} does not record its text's SHA-256, so a changed text "
                "would go unnoticed.",
                line=where_line, focus=where_focus,
                hint=f'add ck:hasTextSha256 "{state.actual_sha256}" ; to the source',
            )

    def check_sources_described(self, item: FileLike) -> None:
        """The state of the texts of the sources described in ``item``, reported there."""
        index = item.parsed.index
        for iri in self.sources:
            if index.subject_line(iri) is None:
                continue  # the source is not described here
            state = self.state(iri)
            if state is None or state.status is TextStatus.AVAILABLE:
                continue
            if state.status in (TextStatus.NOT_NAMED, TextStatus.MISSING) and (
                iri not in self.quoted
            ):
                continue  # no quotation to verify: nothing is left unchecked
            self.once_per_source(item, state, None, URIRef(iri))

    def check_file(self, item: FileLike) -> None:
        texts: dict[Node, str] = {}
        quoted_from: dict[Node, str] = {}
        for s, p, o in item.triples:
            if str(p) == HAS_TEXT:
                texts.setdefault(s, str(o))
            elif str(p) == PROV_QUOTED_FROM:
                quoted_from.setdefault(s, str(o))
        index = item.parsed.index
        for quote, text in texts.items():
            source = quoted_from.get(quote)
            if source is None:
                continue  # the shapes say a quotation names its source
            state = self.state(source)
            line = index.property_line(str(quote), HAS_TEXT) or index.subject_line(str(quote))
            if state is None:
                continue  # a source described nowhere: the vocabulary stage reports the link
            if state.status is not TextStatus.AVAILABLE:
                self.once_per_source(item, state, line, quote)
            if state.text is None:
                continue
            match = state.text.find(text)
            if match.found:
                continue
            name = self.source_name(state)
            if match.closest:
                message = (
                    f"This quotation is not in the text of its source {name}: "
                    f"{match.explain()}."
                )
                hint = (
                    f"the closest passage of {state.record.text_file} reads "
                    f"“{_shorten(match.closest)}” — copy the words exactly (line breaks and "
                    "spaces do not matter), or fix prov:wasQuotedFrom if it is from another "
                    "source"
                )
            else:
                message = (
                    f"This quotation is not in the text of its source {name}, and no passage "
                    "of that text is close to it."
                )
                hint = (
                    "check that prov:wasQuotedFrom names the source it comes from, and copy "
                    f"the words exactly from {state.record.text_file}"
                )
            self.add(
                item, Severity.VIOLATION, "quotation.not-in-source", message,
                line=line, focus=quote, hint=hint, value=f"“{_shorten(text, 60)}”",
            )


def check_quotations(
    files: Iterable[FileLike],
    sources: Mapping[str, SourceRecord],
    folder: Path,
    *,
    names: Names | None = None,
    quoted_sources: Iterable[str] = (),
    reported: set[str] | None = None,
) -> list[Issue]:
    """Issues about the quotations (and the sources' texts) of ``files``.

    ``sources`` are the sources of the whole graph by IRI; ``folder`` the folder of source
    texts; ``quoted_sources`` the sources some quotation of the graph cites (a source with
    no text named gets the warning only when it has quotations).
    """
    rule = _Rule(sources, folder, names)
    rule.quoted = set(quoted_sources)
    targets = list(files)
    for item in targets:  # first where the sources are described, so the notice lands there
        rule.check_sources_described(item)
    for item in targets:
        rule.check_file(item)
    return rule.issues


__all__ = [
    "QUOTED_AMONG_QUERY",
    "SOURCES_AMONG_QUERY",
    "SOURCES_QUERY",
    "SOURCE_PREDICATES",
    "check_quotations",
]

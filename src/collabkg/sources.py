"""Sources and their texts: where each source's text is, whether it is the text recorded,
and whether a quotation is found in it.

A source in ``data/`` names its text with ``ck:hasTextFile "NAME.txt"`` (a file in the folder
of source texts) and records the text's SHA-256 with ``ck:hasTextSha256 "hex"``. The folder is
``COLLABKG_SEEDS`` when set, else ``../shared/seeds`` beside the project checkout.

A quotation (``ck:hasText``) is *verified* when it appears in its source's text, ignoring
differences of whitespace (line breaks, several spaces) and of Unicode normalisation (NFKC:
a non-breaking space, a ligature, a composed or decomposed accent). Every other character
counts: "it is" for "it’s", a straight quote for a curly one, a changed word.

Nothing here prints or exits; the validation pipeline turns results into located issues and
``collabkg sources`` into a table.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

ENV_SEEDS = "COLLABKG_SEEDS"
"""Environment variable naming the folder of source texts."""

CK = "https://w3id.org/collabkg/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
DCTERMS = "http://purl.org/dc/terms/"
PROV_QUOTED_FROM = "http://www.w3.org/ns/prov#wasQuotedFrom"

HAS_TEXT_FILE = CK + "hasTextFile"
HAS_TEXT_SHA256 = CK + "hasTextSha256"
HAS_WEB_ADDRESS = CK + "hasWebAddress"
HAS_TEXT = CK + "hasText"
SOURCE = CK + "Source"
QUOTATION = CK + "Quotation"

SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")


def texts_folder(root: str | os.PathLike[str] | None = None) -> Path:
    """The folder of source texts: ``COLLABKG_SEEDS``, else ``../shared/seeds`` beside ``root``."""
    env = os.environ.get(ENV_SEEDS)
    if env:
        return Path(env).expanduser()
    if root is None:
        from collabkg.paths import find_root

        root = find_root()
    return Path(root).resolve().parent / "shared" / "seeds"


def sha256_of(path: str | os.PathLike[str]) -> str:
    """The SHA-256 of a file's bytes, in lower-case hex."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def normalise(text: str) -> str:
    """Text as compared: NFKC, every run of whitespace one space, no leading or trailing space."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


# --------------------------------------------------------------------------- matching


@dataclass(frozen=True)
class Match:
    """Whether a quotation is in a text, and if not, the closest passage and what differs."""

    found: bool
    closest: str = ""
    """The source's passage closest to the quotation (normalised: one line), when not found."""
    differences: tuple[str, ...] = ()
    """What differs, e.g. ``“it is” where the source has “it’s”``."""
    similarity: float = 0.0
    """0..1, how close the closest passage is (1 when found)."""

    def explain(self, limit: int = 3) -> str:
        """The differences as one sentence (the first ``limit`` of them)."""
        if self.found:
            return ""
        if not self.differences:
            return "no passage of the source is close to it"
        shown = list(self.differences[:limit])
        more = len(self.differences) - len(shown)
        text = "; ".join(shown)
        return text + (f"; and {more} more difference(s)" if more > 0 else "")


@dataclass
class SourceText:
    """A source's text, prepared for finding quotations in it."""

    path: Path
    text: str

    @property
    def normalised(self) -> str:
        return _normalised(self.text)

    def find(self, quotation: str) -> Match:
        """Is ``quotation`` in this text (whitespace and Unicode normalisation aside)?"""
        return find_quotation(quotation, self.text)


@lru_cache(maxsize=32)
def _normalised(text: str) -> str:
    return normalise(text)


_TOKEN = re.compile(r"\w+(?:[’'\-]\w+)*|[^\w\s]")
MIN_SIMILARITY = 0.5
"""Below this, no passage of the source is shown as "closest"."""


@dataclass(frozen=True)
class _Tokens:
    text: str
    words: tuple[str, ...]
    spans: tuple[tuple[int, int], ...]

    def show(self, begin: int, end: int) -> str:
        """The text from token ``begin`` to token ``end`` (exclusive), as written."""
        if begin >= end:
            return ""
        return self.text[self.spans[begin][0] : self.spans[end - 1][1]]


def _tokenise(normalised: str) -> _Tokens:
    found = list(_TOKEN.finditer(normalised))
    return _Tokens(
        normalised, tuple(m.group(0) for m in found), tuple((m.start(), m.end()) for m in found)
    )


@lru_cache(maxsize=32)
def _source_tokens(text: str) -> _Tokens:
    return _tokenise(_normalised(text))


def _is_punctuation(token: str) -> bool:
    return not any(ch.isalnum() for ch in token)


def _quoted(text: str) -> str:
    return "“" + text + "”"


def _describe(quote: _Tokens, source: _Tokens, begin: int, end: int) -> list[str]:
    """Differences between the quotation and the source's tokens ``begin:end``."""
    out: list[str] = []
    passage = source.words[begin:end]
    matcher = difflib.SequenceMatcher(None, list(quote.words), list(passage), autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        ours = _quoted(quote.show(i1, i2))
        theirs = _quoted(source.show(begin + j1, begin + j2))
        if tag == "replace":
            out.append(f"{ours} where the source has {theirs}")
        elif tag == "delete":
            after = source.show(begin + max(j1 - 3, 0), begin + j1)
            where = f" after {_quoted(after)}" if after else ""
            out.append(f"{ours} is not in the source{where}")
        else:  # the source has tokens the quotation lacks
            after = quote.show(max(i1 - 3, 0), i1)
            where = f" after {_quoted(after)}" if after else ""
            out.append(f"the source has {theirs}{where}, missing from the quotation")
    return out


def find_quotation(quotation: str, text: str) -> Match:
    """Find ``quotation`` in ``text``; when absent, the closest passage and the differences."""
    wanted = normalise(quotation)
    if not wanted:
        return Match(found=False)
    if wanted in _normalised(text):
        return Match(found=True, similarity=1.0)
    quote = _tokenise(wanted)
    source = _source_tokens(text)
    words = source.words
    size = len(quote.words)
    if not words or not size:
        return Match(found=False)
    # anchors: where runs of the quotation's tokens occur in the source
    matcher = difflib.SequenceMatcher(None, list(quote.words), list(words), autojunk=False)
    starts: set[int] = set()
    for i, j, run in matcher.get_matching_blocks():
        if run:
            starts.add(max(j - i, 0))
    rare = sorted({w for w in quote.words if len(w) > 3}, key=len, reverse=True)[:3]
    for j, candidate in enumerate(words):
        if candidate in rare:
            starts.add(max(j - quote.words.index(candidate), 0))
    best: tuple[float, int, int] = (0.0, 0, 0)
    slack = max(3, size // 4)
    for start in sorted(starts):
        low = max(start - slack, 0)
        window = list(words[low : start + size + slack])
        scorer = difflib.SequenceMatcher(None, list(quote.words), window, autojunk=False)
        blocks = [b for b in scorer.get_matching_blocks() if b.size]
        if not blocks:
            continue
        # the passage the quotation spans: unmatched ends of the quotation count too
        first = max(blocks[0].b - blocks[0].a, 0)
        last = min(blocks[-1].b + blocks[-1].size + size - (blocks[-1].a + blocks[-1].size),
                   len(window))
        trimmed = window[first:last]
        ratio = difflib.SequenceMatcher(None, list(quote.words), trimmed, autojunk=False).ratio()
        if ratio > best[0]:
            best = (ratio, low + first, low + last)
    ratio, begin, end = best
    # the source's own quote marks around the passage are not part of it
    while begin < end - 1 and _is_punctuation(words[begin]) and not _is_punctuation(quote.words[0]):
        begin += 1
    while end > begin + 1 and _is_punctuation(words[end - 1]) and not _is_punctuation(
        quote.words[-1]
    ):
        end -= 1
    if ratio < MIN_SIMILARITY:
        return Match(found=False, similarity=round(ratio, 3))
    return Match(
        found=False,
        closest=source.show(begin, end),
        differences=tuple(_describe(quote, source, begin, end)),
        similarity=round(ratio, 3),
    )


# --------------------------------------------------------------------------- sources in data


class TextStatus(StrEnum):
    """Whether a source's text can be used to verify its quotations."""

    AVAILABLE = "available"
    """Named, present, and its SHA-256 is the one recorded."""
    UNRECORDED = "available, sha256 not recorded"
    """Named and present, but the data records no SHA-256 for it."""
    CHANGED = "differs from the recorded sha256"
    """Present, but not the text the data was written from."""
    MISSING = "not found"
    """Named, but not in the folder of source texts."""
    NOT_NAMED = "no text named"
    """The source does not name a text file."""

    @property
    def usable(self) -> bool:
        """Quotations can be checked against it."""
        return self in (TextStatus.AVAILABLE, TextStatus.UNRECORDED)


@dataclass
class SourceRecord:
    """What the data says about one source (IRIs as strings)."""

    iri: str
    label: str | None = None
    types: set[str] = field(default_factory=set)
    text_file: str | None = None
    sha256: str | None = None
    web_address: str | None = None
    part_of: str | None = None
    publisher: str | None = None

    @property
    def address(self) -> str | None:
        """Where to find the source: its web address, else where it was published."""
        return self.web_address or self.part_of or self.publisher


@dataclass
class SourceState:
    """A source and the state of its text."""

    record: SourceRecord
    status: TextStatus
    path: Path | None = None
    actual_sha256: str | None = None
    text: SourceText | None = None

    def problem(self, folder: Path) -> str | None:
        """Why its quotations cannot be verified (None when they can)."""
        name = self.record.text_file
        if self.status is TextStatus.NOT_NAMED:
            return "it names no text file (ck:hasTextFile)"
        if self.status is TextStatus.MISSING:
            return f"its text file {name} is not in {folder}"
        return None


def text_state(record: SourceRecord, folder: Path) -> SourceState:
    """Look for the source's text in ``folder`` and compare its SHA-256 with the recorded one."""
    name = (record.text_file or "").strip()
    if not name:
        return SourceState(record, TextStatus.NOT_NAMED)
    path = folder / name
    # a name is a file name in the folder, never a path out of it
    if Path(name).name != name or not path.is_file():
        return SourceState(record, TextStatus.MISSING, path)
    actual = sha256_of(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return SourceState(record, TextStatus.MISSING, path, actual)
    loaded = SourceText(path, text)
    if record.sha256 is None:
        return SourceState(record, TextStatus.UNRECORDED, path, actual, loaded)
    if record.sha256.strip().lower() != actual:
        return SourceState(record, TextStatus.CHANGED, path, actual, loaded)
    return SourceState(record, TextStatus.AVAILABLE, path, actual, loaded)


def source_kinds(triples: Iterable[tuple[str, str, str]]) -> set[str]:
    """``ck:Source`` and every class declared a subclass of it (IRIs)."""
    parents: dict[str, set[str]] = {}
    for s, p, o in triples:
        if p == RDFS_SUBCLASS:
            parents.setdefault(s, set()).add(o)
    kinds = {SOURCE}
    changed = True
    while changed:
        changed = False
        for child, ups in parents.items():
            if child not in kinds and ups & kinds:
                kinds.add(child)
                changed = True
    return kinds


def collect_sources(
    triples: Iterable[tuple[str, str, str]], kinds: set[str] | None = None
) -> dict[str, SourceRecord]:
    """Sources described in ``triples`` (subject, predicate, object as strings), by IRI.

    A subject is a source when it has a type in ``kinds`` (default: ck:Source and the
    source kinds of the shipped ontology, recognised by name) or names a text file.
    """
    rows = list(triples)
    if kinds is None:
        kinds = set(_default_kinds())
    records: dict[str, SourceRecord] = {}

    def record(iri: str) -> SourceRecord:
        return records.setdefault(iri, SourceRecord(iri))

    for s, p, o in rows:
        if (p == RDF_TYPE and o in kinds) or p == HAS_TEXT_FILE:
            record(s)
    for s, p, o in rows:
        found = records.get(s)
        if found is None:
            continue
        if p == RDF_TYPE:
            found.types.add(o)
        elif p == RDFS_LABEL and found.label is None:
            found.label = o
        elif p == HAS_TEXT_FILE:
            found.text_file = o
        elif p == HAS_TEXT_SHA256:
            found.sha256 = o
        elif p == HAS_WEB_ADDRESS:
            found.web_address = o
        elif p == DCTERMS + "isPartOf" and found.part_of is None:
            found.part_of = o
        elif p == DCTERMS + "publisher" and found.publisher is None:
            found.publisher = o
    return records


@dataclass(frozen=True)
class Quotation:
    """A quotation as written in the data."""

    iri: str
    text: str
    source: str | None


def collect_quotations(triples: Iterable[tuple[str, str, str]]) -> list[Quotation]:
    """Every subject with ``ck:hasText`` (its text and ``prov:wasQuotedFrom``)."""
    texts: dict[str, str] = {}
    sources: dict[str, str] = {}
    for s, p, o in triples:
        if p == HAS_TEXT:
            texts.setdefault(s, o)
        elif p == PROV_QUOTED_FROM:
            sources.setdefault(s, o)
    return [Quotation(iri, text, sources.get(iri)) for iri, text in texts.items()]


def read_triples(
    paths: Iterable[Path], left_out: list[Path] | None = None
) -> list[tuple[str, str, str]]:
    """The triples of Turtle files, as strings, read as the graph reads them (a UTF-8 byte
    order mark allowed); a file that cannot be read or parsed is left out, and put in
    ``left_out`` when given (for the caller to say so)."""
    import pyoxigraph as ox

    out: list[tuple[str, str, str]] = []
    for path in paths:
        try:
            data = path.read_bytes()
            if data.startswith(b"\xef\xbb\xbf"):
                data = data[3:]
            parsed = list(ox.parse(data, format=ox.RdfFormat.TURTLE))
        except (SyntaxError, OSError, ValueError):
            if left_out is not None:
                left_out.append(path)
            continue
        for t in parsed:
            out.append((_value(t.subject), _value(t.predicate), _value(t.object)))
    return out


def _value(term: object) -> str:
    value = getattr(term, "value", None)
    return str(value) if value is not None else str(term)


@dataclass
class SourceSummary:
    """One row of ``collabkg sources``."""

    state: SourceState
    quotations: int = 0
    verified: int = 0


def summarise(
    triples: Sequence[tuple[str, str, str]], folder: Path
) -> list[SourceSummary]:
    """Every source with the state of its text and how many of its quotations are verified."""
    records = collect_sources(triples, source_kinds(triples) | set(_default_kinds()))
    rows = {iri: SourceSummary(text_state(rec, folder)) for iri, rec in records.items()}
    for quote in collect_quotations(triples):
        row = rows.get(quote.source or "")
        if row is None:
            continue
        row.quotations += 1
        text = row.state.text
        if text is not None and row.state.status.usable and text.find(quote.text).found:
            row.verified += 1
    return sorted(rows.values(), key=lambda r: (r.state.record.label or r.state.record.iri))


def _default_kinds() -> tuple[str, ...]:
    return tuple(
        CK + name
        for name in ("Source", "BlogPost", "JournalArticle", "OpinionPiece", "Report",
                     "SlideDeck", "WebPage")
    )


__all__ = [
    "ENV_SEEDS",
    "Match",
    "Quotation",
    "SourceRecord",
    "SourceState",
    "SourceSummary",
    "SourceText",
    "TextStatus",
    "collect_quotations",
    "collect_sources",
    "find_quotation",
    "normalise",
    "read_triples",
    "sha256_of",
    "source_kinds",
    "summarise",
    "text_state",
    "texts_folder",
]

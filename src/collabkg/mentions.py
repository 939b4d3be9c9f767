"""What a data file names: each statement end with a signature of the statements through it.

A statement end is (role, property, IRI): ``s`` for the statements with that property whose
subject is the IRI and whose object is not a literal, ``l`` for those whose object is a
literal, ``o`` for those whose object is the IRI; and ``t`` for the one statement with that
property from the IRI to a term of the vocabularies (a class, a concept: the term is in the
key). Two versions of a file differ exactly at the ends whose signatures differ. The
validation's incremental run follows changed ends to the files and focus nodes they can
affect (:mod:`collabkg.validate.incremental`); a kept answer is brought up to date from
them (:mod:`collabkg.answer_update`). Whole-project runs keep each file's ends by its
content (:func:`signatures_key`).
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Iterable

import pyoxigraph as ox

from collabkg.cache import Cache, code_version, key_of

VOCABULARIES = (
    "https://w3id.org/collabkg/ontology#",
    "https://w3id.org/collabkg/concept/",
    "http://www.w3.org/",
    "http://purl.org/dc/",
    "http://xmlns.com/foaf/",
)
"""IRIs of terms rather than items: nearly every file names them, so :func:`mentions_of`
leaves them out."""
DESCRIBES_TERM = " describes a term"
_BLANK = re.compile(r"_:[A-Za-z0-9_.-]+")
"""In :func:`mentions_of`'s answer when the file describes a term (one as a subject)."""


def mentions_of(triples: Iterable[ox.Triple]) -> dict[str, str]:
    """The ends of the statements of ``triples``, each with a signature of the statements
    through it: the key ``s<TAB>property<TAB>iri`` for the statements with that property
    whose subject is ``iri`` and whose object is not a literal, ``l<TAB>property<TAB>iri``
    for those whose object is a literal (a change of those cannot lead anywhere through
    their object: :mod:`collabkg.answer_reach`), ``o<TAB>property<TAB>iri`` for those whose
    object it is (a
    digest: it differs when one of them is added or removed, or a blank node it points to
    changes), and ``t<TAB>property<TAB>iri<TAB>term`` for the statement from ``iri`` to a
    term of the vocabularies (its ``s`` key tells that one of the subject's statements of
    that property changed, this one which: a query reading ``?x a ck:Study`` is not
    affected by a change of ``?x a ck:Quote``). Terms of the vocabularies are left out as
    subjects (:data:`DESCRIBES_TERM` is added when one is a subject) and kept as objects;
    :func:`named_items` and :func:`described_items` give the items themselves."""
    triples = list(triples)
    blank_lines = (str(t) for t in triples if isinstance(t.subject, ox.BlankNode))
    blank = hashlib.sha256(  # the file's blank nodes, whatever the parser named them
        "\n".join(sorted(_BLANK.sub("_:", line) for line in blank_lines)).encode()
    ).hexdigest()[:16]
    touching: dict[str, list[str]] = {}
    describes_term = False
    for t in triples:
        s, o = t.subject, t.object
        p = t.predicate.value
        text = f"{s if isinstance(s, ox.NamedNode) else '_:' + blank} {t.predicate} "
        text += str(o) if not isinstance(o, ox.BlankNode) else "_:" + blank
        if isinstance(s, ox.NamedNode):
            if s.value.startswith(VOCABULARIES):
                describes_term = True
            else:
                role = "l" if isinstance(o, ox.Literal) else "s"
                touching.setdefault(f"{role}\t{p}\t{s.value}", []).append(text)
                if isinstance(o, ox.NamedNode) and o.value.startswith(VOCABULARIES):
                    touching.setdefault(f"t\t{p}\t{s.value}\t{o.value}", []).append(text)
        if isinstance(o, ox.NamedNode):
            touching.setdefault(f"o\t{p}\t{o.value}", []).append(text)
    named = {
        key: hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()[:16]
        for key, lines in touching.items()
    }
    if describes_term:
        named[DESCRIBES_TERM] = ""
    return named


def end_of(key: str) -> tuple[str, str, str, str | None]:
    """A key of :func:`mentions_of` (not :data:`DESCRIBES_TERM`) read back: its role,
    property and IRI, and for a ``t`` key the term (else None)."""
    role, predicate, iri, *term = key.split("\t")
    return role, predicate, iri, term[0] if term else None


def pack_mentions(mentions: dict[str, str]) -> bytes:
    """:func:`mentions_of`'s answer as one compressed string: a whole-project run holds every
    file's until it is kept, and as a dict of strings they took a third of the run's memory
    (about 3 GB of 9.7 at ten million triples)."""
    text = "\n".join(f"{key}\t{signature}" for key, signature in sorted(mentions.items()))
    return zlib.compress(text.encode(), 1)


def unpack_mentions(packed: bytes) -> dict[str, str]:
    """The dict :func:`pack_mentions` packed (a key holds tabs, a signature none)."""
    text = zlib.decompress(packed).decode()
    if not text:
        return {}
    found = {}
    for line in text.split("\n"):
        key, _, signature = line.rpartition("\t")
        found[key] = signature
    return found


def named_items(mentions: Iterable[str]) -> frozenset[str]:
    """The items (not terms of the vocabularies) named in :func:`mentions_of`'s keys."""
    found = set()
    for key in mentions:
        parts = key.split("\t")
        if len(parts) == 3 and not parts[2].startswith(VOCABULARIES):
            found.add(parts[2])
    return frozenset(found)


def described_items(mentions: Iterable[str]) -> frozenset[str]:
    """The items :func:`mentions_of`'s keys name as a subject."""
    return frozenset(
        parts[2]
        for key in mentions
        if key.startswith(("s\t", "l\t")) and len(parts := key.split("\t")) == 3
    )


def signatures_key(sha: str) -> str:
    """Where a whole-project run keeps the packed ends of a data file of content ``sha``."""
    return key_of("incremental-edge-signatures", code_version(), sha)


def kept_mentions(cache: Cache, sha: str) -> dict[str, str] | None:
    """What a data file of content ``sha`` named, as kept by a whole-project run; None when
    it is not kept."""
    found = cache.get(signatures_key(sha))
    return unpack_mentions(found) if isinstance(found, bytes) else None

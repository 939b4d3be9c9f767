"""“Did you mean …?”: the known terms closest to a misspelt one, ranked.

Closeness is the edit distance between local names (case ignored), where swapping two
neighbouring letters counts as one edit (``memebr`` → ``member``: 1, not 2), so the intended
word comes first rather than a longer one that happens to share letters (``hasMember``).
Ties go to the term of the namespace that was written (``org:memebr`` → ``org:member``
before ``ck:member``), then to the shorter name. Candidates come from every vocabulary the
data uses — ORG, PROV, DCTERMS, SKOS, RDFS and ours — or, for a value of a list, from that
list only (a role for a role). A name of the namespace written that starts with (else
contains) what was typed comes before any of these (``ck:hasAmount`` →
``ck:hasAmountInPounds``, not ``org:hasUnit``).
"""

from __future__ import annotations

from collections.abc import Iterable

MAX_SUGGESTIONS = 3


def local_name(iri: str) -> str:
    for sep in ("#", "/"):
        if sep in iri and iri.rsplit(sep, 1)[1]:
            return iri.rsplit(sep, 1)[1]
    return iri


def namespace(iri: str) -> str:
    return iri[: len(iri) - len(local_name(iri))]


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insert, delete, substitute, swap neighbours."""
    if a == b:
        return 0
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[i - 2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def _allowed(word: str) -> int:
    """How many edits still count as a misspelling of a word this long."""
    return max(1, min(4, (len(word) + 2) // 3))


def rank(wrong: str, candidates: Iterable[str], *, limit: int = MAX_SUGGESTIONS) -> list[str]:
    """The candidates closest to ``wrong`` (IRIs), best first; none when nothing is close."""
    written = local_name(wrong)
    target = written.lower()
    home = namespace(wrong)
    scored: list[tuple[int, int, int, int, str]] = []
    for candidate in set(candidates):
        if candidate == wrong:
            continue
        local = local_name(candidate)
        distance = edit_distance(target, local.lower())
        if distance > _allowed(target):
            continue
        # a property for a property (lower case), a class for a class (capital)
        case = 0 if local[:1].isupper() == written[:1].isupper() else 1
        scored.append(
            (distance, case, 0 if namespace(candidate) == home else 1, len(local), candidate)
        )
    scored.sort()
    if not (scored and scored[0][0] == 0):  # a case-only difference is the best guess
        longer = _extensions(written, home, candidates, wrong)
        if longer:
            return longer[:limit]
    if not scored:
        return []
    best = scored[0][0]
    ties = [item for item in scored if item[0] == best]
    if ties[0][1] == 0 and ties[0][2] == 0:  # the right case in the namespace written: it
        ties = [item for item in ties if item[1] == 0 and item[2] == 0]
    return [item[-1] for item in ties][:limit]


MIN_PART = 4
"""The fewest letters typed that are taken as the start (or a part) of a longer name."""


def _extensions(written: str, home: str, candidates: Iterable[str], wrong: str) -> list[str]:
    """Terms of the namespace written whose name starts with (else contains) what was
    typed: ``ck:hasAmount`` is ``ck:hasAmountInPounds`` cut short, a closer guess than a
    name a few letters away in another vocabulary (``org:hasUnit``)."""
    target = written.lower()
    if len(target) < MIN_PART:
        return []
    found: list[tuple[int, int, int, str]] = []
    for candidate in set(candidates):
        if candidate == wrong or namespace(candidate) != home:
            continue
        local = local_name(candidate)
        lowered = local.lower()
        if lowered == target or target not in lowered:
            continue
        case = 0 if local[:1].isupper() == written[:1].isupper() else 1
        found.append((0 if lowered.startswith(target) else 1, case, len(local), candidate))
    found.sort()
    if found and found[0][0] == 0:  # names it starts: those only
        found = [item for item in found if item[0] == 0]
    return [item[-1] for item in found]


__all__ = ["edit_distance", "local_name", "namespace", "rank"]

"""Each data file's content kept by its SHA-256 by the validation (collabkg/kept_files.py):
what a kept answer follows after the file is deleted."""

from __future__ import annotations

import zlib
from pathlib import Path

import pyoxigraph as ox
import pytest

from collabkg import parse_once
from collabkg.cache import Cache, sha256
from collabkg.kept_files import content_key, keep_files, kept_triples
from collabkg.validate.cached import validate
from tests.support.synthetic import generate

CASE = b"""@prefix ex: <http://example.org/> .
ex:a ex:says "two\\nlines"@en ; ex:cites ex:b ; ex:has [ ex:on "2019-04-01" ] .
"""


def _named(triples: list[ox.Triple]) -> set[ox.Triple]:
    """The statements without a blank node (a blank node's name belongs to one parse)."""
    return {
        t
        for t in triples
        if not isinstance(t.object, ox.BlankNode) and not isinstance(t.subject, ox.BlankNode)
    }


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    (tmp_path / "ontology").mkdir()
    opened = Cache.open(tmp_path)
    assert opened is not None
    return opened


def test_a_kept_files_statements_come_back_as_the_file_parses(cache: Cache, tmp_path: Path) -> None:
    path = tmp_path / "case.ttl"
    path.write_bytes(CASE)
    sha = sha256(CASE)
    assert keep_files(cache, {"data/case.ttl": (path, sha)}) == 1
    assert keep_files(cache, {"data/case.ttl": (path, sha)}) == 0  # kept already
    path.unlink()  # deleted: its content is still known
    kept = kept_triples(cache, sha)
    expected = parse_once.parse("other", CASE).triples
    assert kept is not None and len(kept) == len(expected) == 4
    assert _named(kept) == _named(expected) and len(_named(kept)) == 2
    assert kept_triples(cache, sha256(b"other content")) is None


def test_a_file_changed_since_it_was_read_is_not_kept_under_the_old_content(
    cache: Cache, tmp_path: Path
) -> None:
    path = tmp_path / "case.ttl"
    path.write_bytes(CASE)
    sha = sha256(CASE)
    path.write_bytes(CASE + b"ex:c ex:cites ex:d .\n")
    assert keep_files(cache, {"data/case.ttl": (path, sha)}) == 0
    assert kept_triples(cache, sha) is None


def test_damaged_content_reads_as_not_kept(cache: Cache) -> None:
    sha = sha256(CASE)
    cache.put(content_key(sha), b"not zlib at all")
    assert kept_triples(cache, sha) is None
    cache.put(content_key(sha), zlib.compress(CASE + b"# another text"))
    assert kept_triples(cache, sha) is None  # not the content its key names


def test_a_deleted_case_files_content_was_kept_by_the_whole_project_run(tmp_path: Path) -> None:
    """Validated, then a case file deleted and the project validated again: the statements
    it had are found under the content it had; and a case file added since is kept by the
    incremental run that read it."""
    root = tmp_path / "project"
    generate.generate(root, 3_000)
    validate(root=root)
    cases = sorted((root / "data" / "cases").rglob("*.ttl"))
    assert cases
    victim = cases[0]
    parsed = parse_once.parse_path(victim)
    added = victim.with_name("added.ttl")
    added.write_text(
        victim.read_text(encoding="utf-8").replace("ckd:syn-", "ckd:syn-added-"), encoding="utf-8"
    )
    victim.unlink()
    validate(root=root)
    cache = Cache.open(root)
    assert cache is not None
    try:
        old = kept_triples(cache, sha256(parsed.data))
        new = kept_triples(cache, sha256(added.read_bytes()))
    finally:
        cache.close()
    assert old is not None and len(old) == len(parsed.triples) > 0
    assert new is not None and len(new) == len(parse_once.parse_path(added).triples)

"""Answers kept on disk by content (collabkg/answers.py, KnowledgeGraph.select_page/select_rows).

A listing's answer, once computed, is kept under .collabkg-cache/answers/ keyed by the query,
its parameters and the content of the loaded files; a later graph (another process) reads the
rows of a page from it. What a user checks: every page and every download equals the query
run afresh, row for row and in order, after any edit, addition or deletion of a file; a
damaged, truncated or foreign file is never served; a file is written whole or not at all.
"""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

import pytest

from collabkg.answers import (
    FOLDER,
    KeptAnswer,
    answer_key,
    answer_path,
    open_answer,
    write_answer,
)
from collabkg.catalogue import Catalogue
from collabkg.graph import KnowledgeGraph
from collabkg.sparql_safety import check_query
from tests.support.synthetic import generate

PAGE = 7  # not a multiple of the block size: pages straddle blocks


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of 8 rows (100 in use): the small project's answers span many blocks."""
    import collabkg.answers as answers_module

    monkeypatch.setattr(answers_module, "BLOCK_ROWS", 8)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("kept") / "project"
    generate.generate(root, 4_000)
    return root


@pytest.fixture
def project(generated: Path, tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(generated, root, ignore=shutil.ignore_patterns(".collabkg-cache"))
    return root


def _listings(root: Path) -> list[tuple[str, str]]:
    """(id, text) of every canned query without parameters (the full listings)."""
    return [(q.id, q.text) for q in Catalogue.load(root) if not q.params and not q.internal]


def _afresh(graph: KnowledgeGraph, text: str) -> list[dict[str, object]]:
    _names, rows = graph.select_rows(text, keep=False)
    return [dict(row) for row in rows]


def _paged(graph: KnowledgeGraph, text: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    offset = 0
    while True:
        page = graph.select_page(text, offset=offset, size=PAGE)
        rows += [dict(row) for row in page.result.rows]
        assert page.total == graph.select_page(text, offset=0, size=PAGE).total
        if not page.has_more:
            return rows
        offset += PAGE


def _key(graph: KnowledgeGraph, text: str) -> str:
    """The key the facade keeps ``text``'s answer under (its canonical text)."""
    return answer_key(check_query(text).text, {}, graph.content or "")


def _kept_files(root: Path) -> list[Path]:
    folder = root / ".collabkg-cache" / FOLDER
    return sorted(folder.glob("*.answer")) if folder.is_dir() else []


def test_a_second_graph_reads_every_listing_from_disk_and_gets_the_same_rows(
    project: Path,
) -> None:
    listings = _listings(project)
    assert len(listings) >= 10
    with KnowledgeGraph.from_files(project) as first:
        assert first.content is not None
        expected = {qid: _afresh(first, text) for qid, text in listings}
        assert any(len(rows) > 2 * PAGE for rows in expected.values())
        for _qid, text in listings:
            first.select_page(text, size=PAGE)  # computed, kept
    assert len(_kept_files(project)) == len(listings)
    with KnowledgeGraph.from_files(project) as second:
        for qid, text in listings:
            page = second.select_page(text, size=PAGE)
            names, rows = second._answers[next(reversed(second._answers))]
            assert isinstance(rows, KeptAnswer), qid  # read from disk, not computed
            assert page.total == len(expected[qid]), qid
            assert _paged(second, text) == expected[qid], qid
            names, download = second.select_rows(text)
            assert [dict(r) for r in download] == expected[qid], qid
            assert set(download.iri_variables()) == {  # type: ignore[attr-defined]
                v for v in names if any(type(r.get(v)).__name__ == "URIRef" for r in download)
            }


def _mutate(root: Path, rng: random.Random, step: int) -> str:
    files = sorted(p for p in (root / "data").rglob("*.ttl") if p.name != "TEMPLATE.ttl")
    victim = rng.choice(files)
    text = victim.read_text(encoding="utf-8")
    kind = rng.choice(["delete", "drop-block", "copy", "edit"])
    blocks = text.split("\n\n")
    if kind == "delete" and len(files) > 3:
        victim.unlink()
        return f"deleted {victim.name}"
    if kind == "drop-block" and len(blocks) > 2:
        blocks.pop(rng.randrange(1, len(blocks)))
        victim.write_text("\n\n".join(blocks), encoding="utf-8")
        return f"dropped a block of {victim.name}"
    if kind == "copy":
        victim.with_name(f"added-{step}-{victim.name}").write_text(text, encoding="utf-8")
        return f"copied {victim.name}"
    victim.write_text(f"# edited at step {step}\n" + text, encoding="utf-8")
    return f"edited {victim.name}"


@pytest.mark.slow
def test_after_random_edits_every_kept_listing_equals_the_query_run_afresh(
    project: Path,
) -> None:
    """Seeded: edit, add and delete files; after each change a new graph (a new process's)
    pages through every listing and downloads it: row for row, in order, what the query
    gives when run afresh on the changed files (a kept answer of the old content is never
    served)."""
    rng = random.Random(20261205)
    listings = _listings(project)
    with KnowledgeGraph.from_files(project) as graph:
        for _qid, text in listings:
            graph.select_page(text, size=PAGE)
    for step in range(6):
        what = _mutate(project, rng, step)
        with KnowledgeGraph.from_files(project) as graph:
            for qid, text in listings:
                expected = _afresh(graph, text)
                assert _paged(graph, text) == expected, (step, what, qid)
        with KnowledgeGraph.from_files(project) as again:  # now from disk
            for qid, text in listings:
                expected = _afresh(again, text)
                assert _paged(again, text) == expected, (step, what, qid, "kept")
                _names, rows = again.select_rows(text)
                assert [dict(r) for r in rows] == expected, (step, what, qid, "download")


def _longest(root: Path) -> str:
    with KnowledgeGraph.from_files(root) as graph:
        return max((text for _q, text in _listings(root)),
                   key=lambda text: len(_afresh(graph, text)))


@pytest.mark.parametrize("damage", ["flip-body-byte", "flip-header-byte", "truncate", "empty",
                                    "flip-index-byte", "garbage"])
def test_a_damaged_kept_answer_is_computed_again_never_served(
    project: Path, damage: str
) -> None:
    text = _longest(project)
    with KnowledgeGraph.from_files(project) as graph:
        expected = _afresh(graph, text)
        graph.select_page(text, size=PAGE)
    (path,) = [p for p in _kept_files(project)]
    data = bytearray(path.read_bytes())
    if damage == "flip-body-byte":
        data[-5] ^= 0xFF
    elif damage == "flip-header-byte":
        data[30] ^= 0x01
    elif damage == "flip-index-byte":
        start = data.index(b"}") + 1  # just past the header: the block index
        data[start + 10] ^= 0x01
    elif damage == "truncate":
        data = data[: len(data) * 2 // 3]
    elif damage == "empty":
        data = bytearray()
    else:
        data = bytearray(b"not a kept answer\n" * 10)
    path.write_bytes(bytes(data))
    with KnowledgeGraph.from_files(project) as graph:
        assert _paged(graph, text) == expected
        _names, rows = graph.select_rows(text)
        assert [dict(r) for r in rows] == expected
    # written again, whole: a new graph reads it from disk and it checks out
    (_again,) = _kept_files(project)
    with KnowledgeGraph.from_files(project) as graph:
        key = _key(graph, text)
        kept = open_answer(answer_path(project / ".collabkg-cache", key, graph.content or ""), key)
        assert kept is not None
        kept.verify()
        assert [dict(r) for r in kept] == expected
        kept.close()


def test_a_block_damaged_after_the_answer_was_opened_is_not_served(project: Path) -> None:
    text = _longest(project)
    with KnowledgeGraph.from_files(project) as graph:
        expected = _afresh(graph, text)
        graph.select_page(text, size=PAGE)
    with KnowledgeGraph.from_files(project) as graph:
        graph.select_page(text, size=PAGE)  # opened from disk, block 0 checked
        (path,) = _kept_files(project)
        data = bytearray(path.read_bytes())
        data[-3] ^= 0xFF  # the last block
        path.write_bytes(bytes(data))  # same inode: the open file sees it
        last = (len(expected) - 1) // PAGE * PAGE
        page = graph.select_page(text, offset=last, size=PAGE)
        assert [dict(r) for r in page.result.rows] == expected[last:]


def test_a_kept_answer_of_another_question_is_not_served(project: Path) -> None:
    listings = [t for _q, t in _listings(project)]
    with KnowledgeGraph.from_files(project) as graph:
        a, b = listings[0], listings[1]
        expected = _afresh(graph, b)
        graph.select_page(a, size=PAGE)
        key_a = _key(graph, a)
        key_b = _key(graph, b)
        content = graph.content or ""
    folder = project / ".collabkg-cache"
    shutil.copy(answer_path(folder, key_a, content), answer_path(folder, key_b, content))
    assert open_answer(answer_path(folder, key_b, content), key_b) is None
    with KnowledgeGraph.from_files(project) as graph:
        assert _paged(graph, b) == expected


def test_a_failed_write_leaves_the_old_answer_whole_and_no_temporary_file(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = _longest(project)
    with KnowledgeGraph.from_files(project) as graph:
        expected = _afresh(graph, text)
        graph.select_page(text, size=PAGE)
        key = _key(graph, text)
    (path,) = _kept_files(project)
    before = path.read_bytes()

    import collabkg.answers as answers_module

    real_fdopen = answers_module.os.fdopen

    class FullDisk:
        """A file whose second write fails (the disk filled up half-way)."""

        def __init__(self, handle: int, mode: str) -> None:
            self.file = real_fdopen(handle, mode)
            self.writes = 0

        def write(self, data: bytes) -> int:
            self.writes += 1
            if self.writes > 1:
                raise OSError(28, "No space left on device")
            return self.file.write(data)

        def __enter__(self) -> FullDisk:
            return self

        def __exit__(self, *exc: object) -> None:
            self.file.close()

    monkeypatch.setattr(answers_module.os, "fdopen", FullDisk)
    with pytest.raises(OSError):
        write_answer(path, key, ["x"], [(None,)] * 20, [])
    monkeypatch.setattr(answers_module.os, "fdopen", real_fdopen)
    assert path.read_bytes() == before
    assert _kept_files(project) == [path]
    assert not list(path.parent.glob(".*.tmp"))  # no temporary file left

    real_replace = Path.replace

    def crash_before_rename(self: Path, target: Path) -> Path:
        raise KeyboardInterrupt  # the process stopped between writing and renaming

    monkeypatch.setattr(Path, "replace", crash_before_rename)
    with pytest.raises(KeyboardInterrupt):
        write_answer(path, key, ["x"], [], [])
    monkeypatch.setattr(Path, "replace", real_replace)
    assert path.read_bytes() == before
    assert _kept_files(project) == [path]
    assert not list(path.parent.glob(".*.tmp"))  # no temporary file left
    with KnowledgeGraph.from_files(project) as graph:
        assert _paged(graph, text) == expected


def test_a_query_that_reads_now_is_kept_per_day() -> None:
    text = "SELECT ?x WHERE { BIND(NOW() AS ?x) }"
    today = dt.date(2026, 12, 5)
    assert answer_key(text, {}, "c", today) != answer_key(text, {}, "c", today + dt.timedelta(1))
    plain = "SELECT ?x WHERE { ?x a ?y }"
    assert answer_key(plain, {}, "c", today) == answer_key(plain, {}, "c", today + dt.timedelta(1))
    assert answer_key(plain, {}, "c") != answer_key(plain, {}, "d")
    assert answer_key(plain, {}, "c") != answer_key(plain + " ", {}, "c")


def test_the_same_listing_with_other_parameters_is_kept_apart(project: Path) -> None:
    from collabkg.terms import CKC

    text = "SELECT ?s ?o WHERE { ?s ck:hasFundingStatus ?o } ORDER BY ?s"
    with KnowledgeGraph.from_files(project) as graph:
        a = _paged_with(graph, text, {"o": CKC.ongoing})
        b = _paged_with(graph, text, {"o": CKC.ended})
    assert a and b and a != b
    with KnowledgeGraph.from_files(project) as graph:
        assert len(_kept_files(project)) == 2
        assert _paged_with(graph, text, {"o": CKC.ongoing}) == a
        assert _paged_with(graph, text, {"o": CKC.ended}) == b


def _paged_with(graph: KnowledgeGraph, text: str, bindings: dict) -> list[dict[str, object]]:
    return [dict(r) for r in graph.select_page(text, bindings, size=1000).result.rows]


def test_an_answer_with_a_blank_node_is_not_kept(project: Path) -> None:
    text = "SELECT ?b WHERE { BIND(BNODE() AS ?b) }"
    with KnowledgeGraph.from_files(project) as graph:
        assert graph.select_page(text, size=5).total == 1
    assert _kept_files(project) == []


def test_nothing_is_kept_when_the_cache_is_off(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLLABKG_NO_CACHE", "1")
    text = _longest(project)
    with KnowledgeGraph.from_files(project) as graph:
        assert graph.content is None
        assert graph.select_page(text, size=PAGE).total > 0
    assert not (project / ".collabkg-cache" / FOLDER).exists()


def test_a_file_edited_while_the_graph_loads_leaves_nothing_kept(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import collabkg.graph as graph_module

    real = graph_module.load_store
    victim = sorted((project / "data").rglob("*.ttl"))[-1]

    def load_then_edit(sources, **kwargs):  # type: ignore[no-untyped-def]
        store = real(sources, **kwargs)
        victim.write_text("# edited while loading\n" + victim.read_text(encoding="utf-8"),
                          encoding="utf-8")
        return store

    monkeypatch.setattr(graph_module, "load_store", load_then_edit)
    with KnowledgeGraph.from_files(project) as graph:
        assert graph.content is None
        graph.select_page(_longest(project), size=PAGE)
    assert _kept_files(project) == []


def test_a_graph_of_every_file_listed_by_name_keeps_its_answers_like_the_project(
    project: Path,
) -> None:
    """``load_graph`` may hand the files it validated to ``from_files`` by name: the same
    content, so the same kept answers."""
    from collabkg.paths import ProjectPaths

    text = _longest(project)
    with KnowledgeGraph.from_files(project) as graph:
        content = graph.content
        expected = _afresh(graph, text)
    files = ProjectPaths.discover(project).graph_files()
    with KnowledgeGraph.from_files(project, paths=files) as graph:
        assert graph.content == content is not None
        assert _paged(graph, text) == expected
    assert len(_kept_files(project)) == 1


def test_a_graph_of_chosen_files_keeps_nothing_on_disk(project: Path) -> None:
    files = sorted((project / "data").rglob("*.ttl"))[:3]
    with KnowledgeGraph.from_files(project, paths=files) as graph:
        assert graph.content is None
        graph.select_page("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s", size=5)
    assert _kept_files(project) == []


def test_the_cli_pages_and_downloads_read_the_kept_answer_and_never_a_stale_one(
    project: Path, cli, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    """``collabkg query ID --page N`` and ``--format csv`` in one process keep the answer;
    the next process reads it from disk and prints the same; after an edit that changes the
    answer, what is printed is what a run without any cache prints."""

    def run(*args: str) -> str:
        code, out, err = cli("--root", str(project), "query", "funding-by-mechanism", *args)
        assert code == 0, err
        return out

    def uncached(*args: str) -> str:
        with monkeypatch.context() as m:
            m.setenv("COLLABKG_NO_CACHE", "1")
            return run(*args)

    page = ("--page", "2", "--page-size", "5")
    first, download = run(*page), run("--format", "csv")
    stamps = {p: p.stat().st_mtime_ns for p in _kept_files(project)}
    assert len(stamps) == 1  # the page (canned text) and the download (checked text) share it
    assert run(*page) == first
    assert run("--format", "csv") == download
    assert {p: p.stat().st_mtime_ns for p in _kept_files(project)} == stamps  # read, not redone
    assert uncached(*page) == first and uncached("--format", "csv") == download
    # the names in a file with funding streams change: the answer's labels change
    victim = next(
        p for p in sorted((project / "data").rglob("*.ttl"))
        if "ck:FundingStream" in p.read_text()
    )
    text = victim.read_text(encoding="utf-8")
    victim.write_text(text.replace('rdfs:label "', 'rdfs:label "Renamed '), encoding="utf-8")
    after = run("--format", "csv")
    assert after != download
    assert after == uncached("--format", "csv")
    assert run(*page) == uncached(*page)


def test_answers_beyond_the_limit_go_other_contents_first_then_the_oldest(
    project: Path,
) -> None:
    import os
    import time

    from collabkg.answers import prune

    listings = [t for _q, t in _listings(project)][:3]
    with KnowledgeGraph.from_files(project) as graph:
        for text in listings:
            graph.select_page(text, size=PAGE)
        old_content = graph.content or ""
    old = _kept_files(project)
    assert len(old) == 3
    victim = sorted((project / "data").rglob("*.ttl"))[0]
    victim.write_text("# edited\n" + victim.read_text(encoding="utf-8"), encoding="utf-8")
    with KnowledgeGraph.from_files(project) as graph:
        assert graph.content not in (None, old_content)
        new_content = graph.content or ""
        for text in listings[:2]:
            graph.select_page(text, size=PAGE)
    folder = project / ".collabkg-cache"
    new = [p for p in _kept_files(project) if p not in old]
    assert len(new) == 2 and all(p.exists() for p in old)  # well within the limit: all kept
    stale = folder / "answers" / ".left-by-a-stopped-process.tmp"
    stale.write_bytes(b"half")
    an_hour_ago = time.time() - 3700
    os.utime(stale, (an_hour_ago, an_hour_ago))
    os.utime(new[0], (an_hour_ago, an_hour_ago))  # this content's oldest
    sizes = {p: p.stat().st_size for p in _kept_files(project)}
    limit = sum(sizes[p] for p in new)
    removed = prune(folder, new_content, limit)
    # the other content's answers first, then stale temps; with its last answer, what the
    # other content was made of goes too (this content's stays)
    assert set(removed) == {*old, stale, folder / "answers" / f"{old_content[:16]}.files"}
    assert (folder / "answers" / f"{new_content[:16]}.files").is_file()
    assert _kept_files(project) == sorted(new)
    removed = prune(folder, new_content, limit - 1)
    assert removed == [new[0]]  # then this content's oldest
    with KnowledgeGraph.from_files(project) as graph:  # what is gone is computed again
        for text in listings:
            assert _paged(graph, text) == _afresh(graph, text)


def test_an_answer_dropped_from_memory_is_still_readable_by_whoever_holds_it(
    project: Path,
) -> None:
    """Regression: a kept answer pushed out of the graph's eight most recent by other
    questions was closed while another thread (an explorer session) still read from it."""
    from collabkg.graph import KEPT_ANSWERS

    listings = [t for _q, t in _listings(project)]
    assert len(listings) > KEPT_ANSWERS + 1
    with KnowledgeGraph.from_files(project) as graph:
        for text in listings:
            graph.select_page(text, size=PAGE)  # all kept on disk
    with KnowledgeGraph.from_files(project) as graph:
        text = _longest(project)
        _names, held = graph.select_rows(text)
        assert isinstance(held, KeptAnswer)
        for other in listings:
            if other != text:
                graph.select_page(other, size=PAGE)  # pushes it out of memory
        assert [dict(r) for r in held] == _afresh(graph, text)


def test_keep_answers_computes_only_what_is_not_kept_for_this_content(project: Path) -> None:
    import threading

    questions = [(t, None) for _q, t in _listings(project)]
    with KnowledgeGraph.from_files(project) as graph:
        graph.select_page(questions[0][0], size=PAGE)
        assert graph.keep_answers(questions) == len(questions) - 1
        assert graph.keep_answers(questions) == 0
        stop = threading.Event()
        stop.set()
        assert graph.keep_answers(questions, stop=stop) == 0
    assert len(_kept_files(project)) == len(questions)
    victim = sorted((project / "data").rglob("*.ttl"))[0]
    victim.write_text("# edited\n" + victim.read_text(encoding="utf-8"), encoding="utf-8")
    with KnowledgeGraph.from_files(project) as graph:
        assert graph.keep_answers(questions) == len(questions)  # another content: all again
        graph._answers.clear()
        for text, _b in questions:
            assert _paged(graph, text) == _afresh(graph, text)
    with KnowledgeGraph.from_files(project, paths=[victim]) as graph:
        assert graph.keep_answers(questions) == 0  # nothing kept on disk for such a graph

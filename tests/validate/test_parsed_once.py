"""Each file parsed once per run (issue 19): validating after one changed file and loading
the graph (what ``collabkg query`` and the explorer do) parse no file's Turtle twice.

Every Turtle reader goes through :mod:`collabkg.parse_once`; its two parsing entry points
(``_parse``: into Python triples; ``_engine_load``: the engine's loader into a store) are
counted here by the bytes they are given. A regression: a changed file was parsed three
times by the validation (its signatures, its syntax, the checker's copy), a fourth for line
numbers, and once more by the load.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from collabkg import parse_once
from collabkg.project import load_graph
from collabkg.validate import beside, cached, validate
from collabkg.validate import pipeline as pipeline_module
from tests.support.synthetic import add_case, generate

pytestmark = pytest.mark.slow


def _count(monkeypatch: pytest.MonkeyPatch) -> Counter[bytes]:
    """How many times each content was parsed (by either entry point)."""
    parsed: Counter[bytes] = Counter()
    real_parse, real_load = parse_once._parse, parse_once._engine_load

    def counting_parse(data: bytes):  # type: ignore[no-untyped-def]
        parsed[data] += 1
        return real_parse(data)

    def counting_load(store, data, graph, lenient):  # type: ignore[no-untyped-def]
        parsed[data] += 1
        return real_load(store, data, graph, lenient)

    monkeypatch.setattr(parse_once, "_parse", counting_parse)
    monkeypatch.setattr(parse_once, "_engine_load", counting_load)
    return parsed


def _data_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "data").rglob("*.ttl") if p.name != "TEMPLATE.ttl")


def _as_new_process() -> None:
    """What a new command starts with: nothing parsed, no graph validated in this process."""
    parse_once.forget()
    cached._GRAPH_CACHE.clear()


def _twice(parsed: Counter[bytes], root: Path) -> list[str]:
    by_content = {p.read_bytes(): str(p.relative_to(root)) for p in _data_files(root)}
    return [by_content.get(data, f"{data[:60]!r}…") for data, n in parsed.items() if n > 1]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "project"
    generate.generate(root, 4_000)
    monkeypatch.setenv("COLLABKG_SEEDS", str(tmp_path / "no-texts"))
    # the validation in this process, as counted here (a worker beside the load parses
    # what it validates in its own process: the changed file once there, once by the load)
    monkeypatch.setenv(beside.ENV, "0")
    return root


def test_a_full_validation_and_load_parse_each_file_once(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _as_new_process()
    parsed = _count(monkeypatch)
    graph = load_graph(project)  # validates every file (a full run), then loads
    try:
        assert graph.validation is not None and graph.validation.violations == 0
        files = _data_files(project)
        contents = {p.read_bytes() for p in files}
        assert contents <= set(parsed), "a data file was not parsed at all (not counted?)"
        assert _twice(parsed, project) == []
    finally:
        graph.close()


@pytest.mark.parametrize("persistent", [False, True], ids=["in-memory", "persistent-store"])
@pytest.mark.parametrize("change", ["edited", "added", "deleted"])
def test_one_changed_file_validated_and_loaded_parses_each_file_once(
    project: Path, monkeypatch: pytest.MonkeyPatch, change: str, persistent: bool
) -> None:
    if persistent:  # as in a large project: the cached store on disk
        monkeypatch.setattr(pipeline_module, "PERSISTENT_MIN_FILES", 0)
    incremental: list[bool] = []
    real = cached.run_incremental

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        found = real(*args, **kwargs)
        incremental.append(found is not None)
        return found

    monkeypatch.setattr(cached, "run_incremental", spy)
    load_graph(project).close()  # the base, and the cached store
    cases = sorted((project / "data" / "cases").rglob("syn-case-*.ttl"))
    if change == "edited":
        changed = cases[2]
        text = changed.read_text(encoding="utf-8")
        edited = re.sub(r'(rdfs:label|skos:prefLabel) "([^"]*)"', r'\1 "\2, edited"', text, count=1)
        assert edited != text
        changed.write_text(edited, encoding="utf-8")
    elif change == "added":
        changed = add_case(project, 1, "added-one")
    else:
        cases[3].unlink()
    _as_new_process()
    incremental.clear()
    parsed = _count(monkeypatch)
    validate(root=project)  # `collabkg validate`
    graph = load_graph(project)  # `collabkg query`: validated (found in the cache), loaded
    try:
        assert incremental and all(incremental), "a run after one change was not incremental"
        assert _twice(parsed, project) == []
        if change != "deleted":
            assert parsed[changed.read_bytes()] == 1
    finally:
        graph.close()


def test_a_file_changed_between_two_reads_is_parsed_again(tmp_path: Path) -> None:
    parse_once.forget()
    path = tmp_path / "a.ttl"
    path.write_text("<urn:a> <urn:p> <urn:b> .\n", encoding="utf-8")
    first = parse_once.parse_path(path)
    assert parse_once.parse_path(path) is first  # the same bytes: kept
    path.write_text("<urn:a> <urn:p> <urn:c> .\n", encoding="utf-8")  # same size
    second = parse_once.parse_path(path)
    assert second is not first
    assert [t.object.value for t in second.triples] == ["urn:c"]


def test_a_file_that_does_not_parse_is_not_kept(tmp_path: Path) -> None:
    parse_once.forget()
    path = tmp_path / "bad.ttl"
    path.write_text("<urn:a> <urn:p> .\n", encoding="utf-8")
    with pytest.raises(SyntaxError):
        parse_once.parse_path(path)
    assert parse_once.kept(str(path), path.read_bytes()) is None


def test_turtle_is_parsed_only_through_parse_once() -> None:
    """The invariant behind the counts: no other module of the validation or the load
    parses Turtle itself (a new reader would escape the counting and parse again)."""
    src = Path(parse_once.__file__).parent
    offenders = []
    for path in [*(src / "validate").rglob("*.py"), src / "backends" / "embedded.py"]:
        text = path.read_text(encoding="utf-8")
        for pattern in (r"ox\.parse\(", r"\.load\(\s*(data|path=)", r"RdfFormat\.TURTLE"):
            if re.search(pattern, text):
                offenders.append(f"{path.relative_to(src)}: {pattern}")
    assert offenders == [
        # the `collabkg check`-style syntax scan of backends/embedded.py keeps nothing
        r"backends/embedded.py: ox\.parse\(",
        r"backends/embedded.py: RdfFormat\.TURTLE",
    ]


def test_an_incremental_run_opens_the_cached_store_once(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression (issue 19): an incremental run opened the cached store on disk twice
    (to walk the graph, then to check the changed file in it), about 0.1 s each at 1M."""
    import pyoxigraph as ox

    monkeypatch.setattr(pipeline_module, "PERSISTENT_MIN_FILES", 0)
    validate(root=project)  # the base and the cached store
    cases = sorted((project / "data" / "cases").rglob("syn-case-*.ttl"))
    cases[2].write_text("# edited\n" + cases[2].read_text(encoding="utf-8"), encoding="utf-8")
    opened: list[str] = []
    real = ox.Store

    def counting(*args, **kwargs):  # type: ignore[no-untyped-def]
        if args:  # on disk (an in-memory store has no path)
            opened.append(str(args[0]))
        return real(*args, **kwargs)

    monkeypatch.setattr(ox, "Store", counting)
    incremental: list[bool] = []
    real_run = cached.run_incremental

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        found = real_run(*args, **kwargs)
        incremental.append(found is not None)
        return found

    monkeypatch.setattr(cached, "run_incremental", spy)
    report = validate(root=project)
    assert incremental == [True]
    assert len(opened) == 1, opened
    monkeypatch.setattr(ox, "Store", real)
    cases[2].write_text(cases[2].read_text(encoding="utf-8")[len("# edited\n") :])
    again = validate(root=project)  # the store closed and usable by the next command
    assert report.counts() == again.counts()

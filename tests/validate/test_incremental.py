"""The whole project's report after a few edits equals a full run's (validate/incremental.py).

Random edits, additions and deletions (seeded, so a failure can be replayed) are applied to a
small generated project and to a copy of the real data; after each, ``validate()`` (which
checks only the files the change can affect and carries the rest of the last report over)
must give exactly the issues of a full run of the pipeline: same files, lines, messages.
The edits include ones that create or remove errors in OTHER files: deleting an
organisation that other files' memberships name, copying a case (its ID then used twice),
pointing a link at another item.
"""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest

from collabkg.paths import ProjectPaths
from collabkg.terms import compact
from collabkg.validate import Inputs, cached, incremental, project_inputs, run, validate
from collabkg.validate import pipeline as pipeline_module
from collabkg.validate.report import Report
from tests.support.paths import REPO
from tests.support.synthetic import add_case, generate

pytestmark = pytest.mark.slow

ITEM = re.compile(r"ckd:[A-Za-z0-9_-]+")
KIND = re.compile(r" a (ck:[A-Za-z]+)")


def _seen(report: Report) -> tuple[list[str], list[dict[str, object]], dict[str, int]]:
    return report.files, [i.to_dict() for i in report.sorted_issues()], report.counts()


def _blocks(text: str) -> tuple[str, list[str]]:
    """(prefixes, the subject blocks) of a file written in the canonical layout."""
    parts = text.split("\n\n")
    head = [p for p in parts if p.lstrip().startswith(("@prefix", "PREFIX", "#"))]
    body = [p for p in parts if p not in head and p.strip()]
    return "\n\n".join(head), body


def _data_files(root: Path) -> list[Path]:
    return sorted(p for p in (root / "data").rglob("*.ttl") if p.name != "TEMPLATE.ttl")


def _mutate(root: Path, rng: random.Random, step: int) -> str:
    """One random change to the project's data; what it was."""
    files = _data_files(root)
    victim = rng.choice(files)
    text = victim.read_text(encoding="utf-8")
    kinds = ["delete-file", "drop-block", "drop-block", "copy-file", "relink", "relabel"]
    kind = rng.choice([*kinds, "retype", "edit"])
    head, body = _blocks(text)
    if kind == "delete-file" and len(files) > 3:
        victim.unlink()
        return f"deleted {victim.name}"
    if kind == "drop-block" and len(body) > 1:
        body.pop(rng.randrange(len(body)))
        victim.write_text(head + "\n\n" + "\n\n".join(body) + "\n", encoding="utf-8")
        return f"dropped a block of {victim.name}"
    if kind == "copy-file":
        copy = victim.with_name(f"added-{step}-{victim.name}")
        copy.write_text(text, encoding="utf-8")
        return f"copied {victim.name}"
    if kind == "relink":
        others = sorted(
            {
                m
                for f in rng.sample(files, min(3, len(files)))
                for m in ITEM.findall(f.read_text(encoding="utf-8"))
            }
        )
        spots = [m for m in ITEM.finditer(text) if m.start() > 0 and text[m.start() - 1] in " ,"]
        if others and spots:
            spot = rng.choice(spots)
            other = rng.choice(others)
            if other != spot.group(0):
                new = text[: spot.start()] + other + text[spot.end() :]
                victim.write_text(new, encoding="utf-8")
                return f"relinked {spot.group(0)} to {other} in {victim.name}"
    if kind == "relabel":  # a name changed: of an item other files may name
        names = list(re.finditer(r'rdfs:label "([^"\\]*)"', text))
        if names:
            name = rng.choice(names)
            new = text[: name.start(1)] + f"{name.group(1)} (renamed {step})" + text[name.end(1) :]
            victim.write_text(new, encoding="utf-8")
            return f"renamed {name.group(1)!r} in {victim.name}"
    if kind == "retype":  # an item given another kind, one some file of the project uses
        typed = list(KIND.finditer(text))
        sample = rng.sample(files, min(3, len(files)))
        used = sorted({m for f in sample for m in KIND.findall(f.read_text(encoding="utf-8"))})
        if typed and used:
            spot = rng.choice(typed)
            other = rng.choice(used)
            if other != spot.group(1):
                new = text[: spot.start(1)] + other + text[spot.end(1) :]
                victim.write_text(new, encoding="utf-8")
                return f"retyped {spot.group(1)} as {other} in {victim.name}"
    # an edit that keeps the graph as it is but changes the lines (a comment on top)
    victim.write_text(f"# edited at step {step}\n" + text, encoding="utf-8")
    return f"edited {victim.name}"


def _generated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, triples: int) -> Path:
    """A generated project of about ``triples`` triples, its quotations' source texts absent."""
    root = tmp_path / "project"
    generate.generate(root, triples)
    monkeypatch.setenv("COLLABKG_SEEDS", str(tmp_path / "no-texts"))
    return root


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each validation was incremental (True) or a full run (False)."""
    used: list[bool] = []
    real = cached.run_incremental

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        found = real(*args, **kwargs)
        used.append(found is not None)
        return found

    monkeypatch.setattr(cached, "run_incremental", spy)
    return used


def _walked(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each incremental run found the files to check from the shapes' walks (True)
    or fell back to following every link of the changed items (False)."""
    used: list[bool] = []
    real = incremental._by_walks

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        found = real(*args, **kwargs)
        used.append(found is not None)
        return found

    monkeypatch.setattr(incremental, "_by_walks", spy)
    return used


def _compare(root: Path, rng: random.Random, steps: int, monkeypatch: pytest.MonkeyPatch) -> None:
    used = _spy(monkeypatch)
    walked = _walked(monkeypatch)
    first = validate(root=root)  # the base
    assert not used or not used[-1]
    project = ProjectPaths.discover(root)
    full = run(project_inputs(project), project)
    assert _seen(first) == _seen(full)
    for step in range(steps):
        what = _mutate(root, rng, step)
        inputs = project_inputs(project)  # what `collabkg validate` asks about
        if step % 2:  # what loading the graph asks about: the data files only
            inputs = Inputs(inputs.ontology, inputs.data, inputs.data, inputs.shapes)
        calls = len(used)
        incremental = cached.run_cached(inputs, project)
        full = run(inputs, project)
        assert _seen(incremental) == _seen(full), f"step {step}: {what}"
        if len(used) == calls:
            # the files as they were at an earlier step (a copy made, then deleted): that
            # step's report, found by content; the base stays the last one worked out
            continue
        assert used[-1], f"step {step} ({what}) was not incremental"
        _index_holds(project, inputs, what)
    # the comparisons above are about the shapes' walks, not the fallback
    assert walked.count(True) >= len(walked) - 1, walked


def _index_holds(project: ProjectPaths, inputs: Inputs, what: str) -> None:
    """The base's index, as kept after the incremental runs, says of every item exactly which
    files name and describe it now (as read from the files themselves)."""
    from collabkg import parse_once
    from collabkg.cache import Cache
    from collabkg.mentions import described_items, mentions_of, named_items

    cache = Cache.open(project.root)
    assert cache is not None
    try:
        key = incremental.base_key(inputs, project, cache, "sparql")
        assert key is not None
        base = incremental._load_base(cache, key)
        if base is None:  # not kept: the report had an issue in an ontology file
            return
        index = incremental._Index(cache, base)
        index.read_all()
        kept: dict[str, tuple[set[str], set[str]]] = {}
        for part in index.parts.values():
            for iri, (named, described) in part.items():
                kept[iri] = ({index.names[n] for n in named}, {index.names[n] for n in described})
    finally:
        cache.close()
    expected: dict[str, tuple[set[str], set[str]]] = {}
    for path in inputs.data:
        try:
            mentions = mentions_of(parse_once.parse_path(path).triples)
        except (OSError, SyntaxError, ValueError):
            continue
        name = str(path.resolve())
        for side, items in ((0, named_items(mentions)), (1, described_items(mentions))):
            for iri in items:
                expected.setdefault(iri, (set(), set()))[side].add(name)
    assert expected, "no file named an item"
    assert kept == expected, f"the index after {what}"


@pytest.mark.parametrize("persistent", [False, True], ids=["in-memory", "persistent-store"])
def test_incremental_reports_equal_full_runs_on_a_generated_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, persistent: bool
) -> None:
    root = _generated(tmp_path, monkeypatch, 4_000)
    if persistent:  # as in a large project: the graph walked in the cached store
        monkeypatch.setattr(pipeline_module, "PERSISTENT_MIN_FILES", 0)
    _compare(root, random.Random(19), 14, monkeypatch)


def test_deleting_an_organisation_reports_the_memberships_elsewhere_that_name_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _generated(tmp_path, monkeypatch, 4_000)
    used = _spy(monkeypatch)
    assert validate(root=root).violations == 0
    organisations = root / "data" / "organisations" / "organisations-0000.ttl"
    head, body = _blocks(organisations.read_text(encoding="utf-8"))
    named = next(b for b in body if re.search(r"\bsyn-org-\d+ a ", b))
    iri = named.split()[0]
    organisations.write_text(
        head + "\n\n" + "\n\n".join(b for b in body if b != named), encoding="utf-8"
    )
    after = validate(root=root)
    assert used == [False, True]  # a full run first (no base yet), then incremental
    project = ProjectPaths.discover(root)
    assert _seen(after) == _seen(run(project_inputs(project), project))
    elsewhere = {i.file for i in after.issues if i.severity.value == "violation"}
    users = {
        str(p.relative_to(root))
        for p in _data_files(root)
        if re.search(rf"org:member {re.escape(iri)} ;", p.read_text(encoding="utf-8"))
    }
    # the error is in another file than the one edited: one whose membership names it
    assert elsewhere & users
    assert str(organisations.relative_to(root)) not in elsewhere


def test_incremental_reports_equal_full_runs_on_the_real_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "project"
    for folder in ("ontology", "shapes", "data"):
        shutil.copytree(REPO / folder, root / folder)
    monkeypatch.setenv("COLLABKG_SEEDS", str(REPO.parent / "shared" / "seeds"))
    _compare(root, random.Random(2026), 8, monkeypatch)


@pytest.mark.parametrize("persistent", [False, True], ids=["in-memory", "persistent-store"])
def test_neighbour_files_have_their_shapes_checked_only_on_linked_items(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, persistent: bool
) -> None:
    """Regression (issue 19, adding a case at 1M took 47 s): a file that only names an item
    of the changed file (an organisation file, the sources) had the shapes run on every item
    it describes. Now they run on its items linked to the change; the shapes' issues about
    its other items are carried over. A shapes issue in such a file, about an item the change
    does not reach, must survive; the reports must equal full runs."""
    root = _generated(tmp_path, monkeypatch, 4_000)
    if persistent:  # as in a large project: the files checked against the cached store
        monkeypatch.setattr(pipeline_module, "PERSISTENT_MIN_FILES", 0)
    project = ProjectPaths.discover(root)
    limits: list[dict[str, frozenset[str]]] = []
    real_run = incremental.run

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        limits.append(dict(kwargs.get("shacl_focus") or {}))
        return real_run(*args, **kwargs)

    monkeypatch.setattr(incremental, "run", spy)
    assert validate(root=root).violations == 0
    # an organisation nothing names, with no name, place or source (a shapes issue in the
    # organisations file, which the changes below make a neighbour)
    cases = sorted((root / "data" / "cases").rglob("syn-case-*.ttl"))
    assert len(cases) > 4
    organisations = root / "data" / "organisations" / "organisations-0000.ttl"
    org = "ckd:syn-org-unlinked"
    text = organisations.read_text(encoding="utf-8")
    organisations.write_text(text + f"\n{org} a ck:Company .\n", encoding="utf-8")
    after = validate(root=root)
    assert _seen(after) == _seen(run(project_inputs(project), project))
    about = [i for i in after.issues if i.focus == org and i.stage.value == "shacl"]
    assert about, "the label-less organisation has no shapes issue to carry over"
    # cases are added (naming shared organisations, places, sources) and deleted
    changes = [
        lambda: add_case(root, 1, "added-1"),
        lambda: add_case(root, len(cases) - 1, "added-last"),
        cases[2].unlink,
        cases[-2].unlink,
    ]
    for step, change in enumerate(changes):
        change()
        inputs = project_inputs(project)
        if step % 2:
            inputs = Inputs(inputs.ontology, inputs.data, inputs.data, inputs.shapes)
        now = cached.run_cached(inputs, project)
        assert _seen(now) == _seen(run(inputs, project)), f"step {step}"
        assert [i.to_dict() for i in now.issues if i.focus == org] == [
            i.to_dict() for i in after.issues if i.focus == org
        ]
    shown = str(organisations.relative_to(root))
    assert any(limits), "no neighbour file had its shapes limited"
    assert all(
        not any(
            str(Path(name)).endswith(shown) and any(compact(i) == org for i in items)
            for name, items in limit.items()
        )
        for limit in limits
    ), "the label-less organisation was checked again though no change reached it"


def _organisation_block(root: Path) -> tuple[Path, str, str]:
    """(an organisations file, the block describing one organisation a case names, its
    IRI as written)."""
    for organisations in sorted((root / "data" / "organisations").glob("*.ttl")):
        _head, body = _blocks(organisations.read_text(encoding="utf-8"))
        for block in body:
            match = re.match(r"(ckd:syn-org-\d+) a ", block)
            if match and any(
                f"org:member {match.group(1)} ;" in p.read_text(encoding="utf-8")
                for p in sorted((root / "data" / "cases").rglob("*.ttl"))
            ):
                return organisations, block, match.group(1)
    raise AssertionError("no organisation that a case names")


@pytest.mark.parametrize("persistent", [False, True], ids=["in-memory", "persistent-store"])
def test_adding_a_file_that_describes_items_other_files_name_equals_a_full_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, persistent: bool
) -> None:
    """An organisation moved out of its file into a new file (the new file's items are
    named by other files: the memberships of cases), then the new file deleted (a file
    whose items other files name: those memberships now link to nothing, in files the
    change did not touch). Each report equals a full run's, found from the shapes' walks."""
    root = _generated(tmp_path, monkeypatch, 4_000)
    if persistent:
        monkeypatch.setattr(pipeline_module, "PERSISTENT_MIN_FILES", 0)
    used = _spy(monkeypatch)
    walked = _walked(monkeypatch)
    project = ProjectPaths.discover(root)
    assert validate(root=root).violations == 0
    organisations, block, iri = _organisation_block(root)
    head, body = _blocks(organisations.read_text(encoding="utf-8"))
    organisations.write_text(
        head + "\n\n" + "\n\n".join(b for b in body if b != block) + "\n", encoding="utf-8"
    )
    moved = organisations.with_name("moved-organisation.ttl")
    moved.write_text(head + "\n\n" + block + "\n", encoding="utf-8")
    added = validate(root=root)
    assert _seen(added) == _seen(run(project_inputs(project), project))
    assert added.violations == 0
    moved.unlink()
    deleted = validate(root=root)
    assert _seen(deleted) == _seen(run(project_inputs(project), project))
    users = {
        str(p.relative_to(root))
        for p in _data_files(root)
        if f"org:member {iri} ;" in p.read_text(encoding="utf-8")
    }
    assert users & {i.file for i in deleted.issues if i.severity.value == "violation"}
    assert used == [False, True, True]
    assert walked == [True, True]


def test_deleting_a_whole_organisations_file_equals_a_full_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file whose items many other files name, deleted: every membership naming one of
    its organisations now links to nothing, in files the change did not touch."""
    root = _generated(tmp_path, monkeypatch, 4_000)
    used = _spy(monkeypatch)
    walked = _walked(monkeypatch)
    project = ProjectPaths.discover(root)
    assert validate(root=root).violations == 0
    organisations, _block, _iri = _organisation_block(root)
    organisations.unlink()
    after = validate(root=root)
    assert used == [False, True] and walked == [True]
    assert _seen(after) == _seen(run(project_inputs(project), project))
    assert after.violations > 0
    assert str(organisations.relative_to(root)) not in {i.file for i in after.issues}


def test_adding_a_case_checks_no_other_case_file_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression (issue 19, adding a case at 1M took 54 s): every file naming one of the
    new case's organisations (hundreds at 1M) was checked again, though the shapes that
    read an organisation's memberships backwards start from a case about it, and no case of
    the generated data is about an organisation. Now only the new file is checked (and the
    report equals a full run's)."""
    root = _generated(tmp_path, monkeypatch, 4_000)
    project = ProjectPaths.discover(root)
    asked: list[tuple[Path, ...]] = []
    real_run = incremental.run

    def spy(inputs, *args, **kwargs):  # type: ignore[no-untyped-def]
        asked.append(tuple(inputs.targets))
        return real_run(inputs, *args, **kwargs)

    monkeypatch.setattr(incremental, "run", spy)
    assert validate(root=root).violations == 0
    cases = sorted((root / "data" / "cases").rglob("syn-case-*.ttl"))
    added = add_case(root, 1, "added-one")
    shared = {
        p
        for p in cases
        if set(re.findall(r"ckd:syn-org-\d+", p.read_text(encoding="utf-8")))
        & set(re.findall(r"ckd:syn-org-\d+", added.read_text(encoding="utf-8")))
    }
    assert shared, "the new case names no organisation another case names"
    now = validate(root=root)
    assert _seen(now) == _seen(run(project_inputs(project), project))
    assert [p.resolve() for p in asked[-1]] == [added.resolve()]


def _full_then_incremental_again(
    root: Path, used: list[bool], broken: str, rng: random.Random
) -> None:
    """After a change that needs the broken cache entry ``broken``: a full run (equal to a
    full run's report) that writes the entry again, and the next edit is incremental."""
    from collabkg.cache import Cache

    project = ProjectPaths.discover(root)
    full = validate(root=root)
    assert used[-1] is False  # the base could not be read where the change needed it
    assert _seen(full) == _seen(run(project_inputs(project), project))
    cache = Cache.open(project.root)
    assert cache is not None
    assert isinstance(cache.get(broken), dict) or broken not in cache.has_many([broken])
    cache.close()
    _mutate(root, rng, 1)
    again = validate(root=root)
    assert used[-1] is True
    assert _seen(again) == _seen(run(project_inputs(project), project))


def test_a_base_part_that_cannot_be_read_means_a_full_run_that_writes_it_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The base's parts are written only when their key is missing (their values are no
    longer read back to check). A part whose entry cannot be read must not leave every
    later run a full one: it is dropped, the full run writes it again, and the run after
    an edit is incremental once more (and equals a full run)."""
    from collabkg.cache import Cache

    root = _generated(tmp_path, monkeypatch, 1_000)
    project = ProjectPaths.discover(root)
    used = _spy(monkeypatch)
    validate(root=root)  # the base
    cache = Cache.open(project.root)
    assert cache is not None
    inputs = project_inputs(project)
    key = incremental.base_key(inputs, project, cache, "sparql")
    assert key is not None
    stored = cache.get(key)
    assert isinstance(stored, incremental._StoredBase)
    broken = stored.parts[0]
    cache.put(broken, "not a part")
    cache.close()
    rng = random.Random(5)
    _mutate(root, rng, 0)
    _full_then_incremental_again(root, used, broken, rng)


def test_an_index_part_that_cannot_be_read_means_a_full_run_that_writes_it_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index of the items files name is read a part at a time, for the items a change
    reaches. A part that cannot be read when it is needed means a full run (whose report
    equals a full run's), which writes the part again; the run after the next edit is
    incremental once more."""
    from collabkg import parse_once
    from collabkg.cache import Cache
    from collabkg.mentions import described_items, mentions_of

    root = _generated(tmp_path, monkeypatch, 1_000)
    project = ProjectPaths.discover(root)
    used = _spy(monkeypatch)
    validate(root=root)  # the base
    victim = sorted((root / "data" / "cases").rglob("syn-case-*.ttl"))[1]
    item = sorted(described_items(mentions_of(parse_once.parse_path(victim).triples)))[0]
    cache = Cache.open(project.root)
    assert cache is not None
    inputs = project_inputs(project)
    key = incremental.base_key(inputs, project, cache, "sparql")
    assert key is not None
    stored = cache.get(key)
    assert isinstance(stored, incremental._StoredBase)
    broken = stored.index[incremental._index_part_of(item)]
    cache.put(broken, "not a part")
    cache.close()
    victim.unlink()  # the item it describes is described nowhere now
    _full_then_incremental_again(root, used, broken, random.Random(3))


def test_an_edit_reads_the_index_only_for_the_items_it_reaches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The base's index is what makes a change cost what it reaches: an incremental run
    after one file is edited reads only the index's parts holding the items the edit reaches
    (here: the items one dropped statement block names), not the whole index; its report
    equals a full run's."""
    root = _generated(tmp_path, monkeypatch, 4_000)
    project = ProjectPaths.discover(root)
    used = _spy(monkeypatch)
    validate(root=root)  # the base
    read: list[int] = []
    real = incremental._Index._read_parts

    def spy(self, wanted):  # type: ignore[no-untyped-def]
        read.extend(wanted - self.parts.keys())
        return real(self, wanted)

    monkeypatch.setattr(incremental._Index, "_read_parts", spy)
    victim = sorted((root / "data" / "cases").rglob("syn-case-*.ttl"))[2]
    head, body = _blocks(victim.read_text(encoding="utf-8"))
    assert len(body) > 1
    victim.write_text(head + "\n\n" + "\n\n".join(body[:-1]) + "\n", encoding="utf-8")
    report = validate(root=root)
    assert used[-1] is True
    assert _seen(report) == _seen(run(project_inputs(project), project))
    assert read, "the edit reached no item"
    assert len(set(read)) == len(read) < incremental.INDEX_CHUNKS // 2


def test_statement_end_signatures_are_held_packed_so_a_whole_run_does_not_grow_memory() -> None:
    """Regression: a whole-project run holds every file's statement-end signatures until it
    keeps them; held as a dict of long strings they raised the peak memory of a full
    validation at ten million triples from 6.4 GB to 9.7 GB (over the 8 GB limit)."""
    import pickle
    import sys

    import pyoxigraph as ox

    from collabkg.mentions import DESCRIBES_TERM, mentions_of, pack_mentions, unpack_mentions
    from collabkg.validate.reading import _read_one

    case = sorted((REPO / "data" / "cases").glob("*.ttl"))[0]
    triples = [q.triple for q in ox.parse(path=str(case), format=ox.RdfFormat.TURTLE)]
    named = mentions_of(triples)
    assert len(named) > 20, "the fixture file should name many statement ends"
    held = sys.getsizeof(named) + sum(sys.getsizeof(k) + sys.getsizeof(v) for k, v in named.items())
    packed = pack_mentions(named)
    assert unpack_mentions(packed) == named
    assert len(packed) * 4 < held
    # what the syntax stage hands back (and the pipeline keeps) is the packed form
    read = _read_one((str(case), case.name, False))
    assert isinstance(read.mentions, bytes)
    assert unpack_mentions(read.mentions) == named
    assert len(pickle.dumps(read.mentions)) * 4 < len(pickle.dumps(named))
    # a term the file describes, and a file naming nothing, survive the round trip
    assert unpack_mentions(pack_mentions({DESCRIBES_TERM: "", "s\tp\thttps://x/y": "ab"})) == {
        DESCRIBES_TERM: "",
        "s\tp\thttps://x/y": "ab",
    }
    assert unpack_mentions(pack_mentions({})) == {}


def test_an_incremental_run_pauses_the_cycle_collector_and_turns_it_back_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An incremental run walks a base of about a million objects at 1M; full collections
    of them cost 0.2 s of a 2 s run, so the collector is paused for it (and only for it: a
    full run keeps it, its memory is large). It is on again afterwards, also when the run
    raises."""
    import gc

    root = _generated(tmp_path, monkeypatch, 2_000)
    seen: list[tuple[str, bool]] = []
    real_incremental, real_run = cached.run_incremental, cached.run

    def incremental_spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(("incremental", gc.isenabled()))
        return real_incremental(*args, **kwargs)

    def full_spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(("full", gc.isenabled()))
        return real_run(*args, **kwargs)

    monkeypatch.setattr(cached, "run_incremental", incremental_spy)
    monkeypatch.setattr(cached, "run", full_spy)
    assert gc.isenabled()
    validate(root=root)
    add_case(root, 1, "paused")
    validate(root=root)
    assert ("full", True) in seen and ("incremental", False) in seen
    assert all(enabled for kind, enabled in seen if kind == "full")
    assert gc.isenabled()
    with pytest.raises(RuntimeError), cached.collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("stopped")
    assert gc.isenabled()


def test_an_incremental_save_writes_only_the_base_parts_that_hold_a_changed_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After one edit, the new base's row part holding the edited file is made again; the
    other parts keep their keys (rebuilding all 64 from every file's record cost 0.1 s at
    1M), and so does the index when the edit names no other item. The base read back knows
    every file, each with its content's sha256 now, and the next edit is incremental and
    equals a full run."""
    from collabkg.cache import Cache, sha256

    root = _generated(tmp_path, monkeypatch, 2_000)
    project = ProjectPaths.discover(root)
    used = _spy(monkeypatch)
    validate(root=root)  # the base
    inputs = project_inputs(project)

    def stored() -> incremental._StoredBase:
        cache = Cache.open(project.root)
        assert cache is not None
        key = incremental.base_key(inputs, project, cache, "sparql")
        assert key is not None
        found = cache.get(key)
        cache.close()
        assert isinstance(found, incremental._StoredBase)
        return found

    first = stored()
    victim = sorted((root / "data" / "cases").rglob("syn-case-*.ttl"))[3]
    text = victim.read_text(encoding="utf-8")
    edited = re.sub(r'"Synthetic partnership (\d+)"', r'"Synthetic partnership \1, edited"', text)
    assert edited != text
    victim.write_text(edited, encoding="utf-8")
    report = validate(root=root)
    assert used[-1] is True
    assert _seen(report) == _seen(run(inputs, project))
    second = stored()
    part = incremental._part_of(str(victim.resolve()))
    pairs = enumerate(zip(first.parts, second.parts, strict=True))
    assert [n for n, (a, b) in pairs if a != b] == [part]
    assert second.index == first.index  # a label: no item is named or described anew
    cache = Cache.open(project.root)
    assert cache is not None
    key = incremental.base_key(inputs, project, cache, "sparql")
    assert key is not None
    base = incremental._load_base(cache, key)
    cache.close()
    assert base is not None
    assert base.shas == {str(p.resolve()): sha256(p.read_bytes()) for p in inputs.data}
    _mutate(root, random.Random(7), 0)
    again = validate(root=root)
    assert used[-1] is True
    assert _seen(again) == _seen(run(project_inputs(project), project))


def _asked(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Path, ...]]:
    """The files each incremental run checked again."""
    asked: list[tuple[Path, ...]] = []
    real_run = incremental.run

    def spy(inputs, *args, **kwargs):  # type: ignore[no-untyped-def]
        asked.append(tuple(p.resolve() for p in inputs.targets))
        return real_run(inputs, *args, **kwargs)

    monkeypatch.setattr(incremental, "run", spy)
    return asked


def _equals_a_full_run(root: Path) -> Report:
    project = ProjectPaths.discover(root)
    now = validate(root=root)
    assert _seen(now) == _seen(run(project_inputs(project), project))
    return now


def _head(root: Path) -> str:
    case = sorted((root / "data" / "cases").rglob("syn-case-*.ttl"))[0]
    return _blocks(case.read_text(encoding="utf-8"))[0]


def test_a_link_to_nothing_suggests_an_id_described_since_in_another_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: a link to an ID described nowhere, with no close ID to suggest, kept its
    words after another file described a close one (a full run then says "did you mean"):
    only files whose issue already said "did you mean" were checked again."""
    root = _generated(tmp_path, monkeypatch, 4_000)
    case = sorted((root / "data" / "cases").rglob("syn-case-*.ttl"))[0]
    text = case.read_text(encoding="utf-8")
    about = re.search(r"ck:isAbout (ckd:[\w-]+) ;", text)
    assert about is not None
    case.write_text(
        text.replace(about.group(0), about.group(0) + "\n    ck:isEvidencedBy ckd:qqqq-far-zz ;"),
        encoding="utf-8",
    )
    before = validate(root=root)
    (nowhere,) = [i for i in before.issues if i.code == "vocabulary.undefined-item"]
    assert "did you mean" not in nowhere.message
    source = re.search(r"prov:wasQuotedFrom (ckd:[\w-]+)", text)
    assert source is not None
    (case.parent / "close.ttl").write_text(
        _head(root)
        + '\n\nckd:case-close a ck:Case ;\n    rdfs:label "Close" ;\n'
        + f"    ck:isAbout {about.group(1)} ;\n    prov:wasDerivedFrom {source.group(1)} .\n\n"
        + 'ckd:qqqq-far-zy a ck:Quotation ;\n    rdfs:label "A close one" ;\n'
        + '    ck:hasText "the the" ;\n    ck:hasSpeakerRole "council officer" ;\n'
        + f"    prov:wasQuotedFrom {source.group(1)} .\n",
        encoding="utf-8",
    )
    used = _spy(monkeypatch)
    after = _equals_a_full_run(root)
    assert used == [True]
    (nowhere,) = [i for i in after.issues if i.code == "vocabulary.undefined-item"]
    assert "did you mean ckd:qqqq-far-zy" in nowhere.message


def _new_source(root: Path) -> tuple[Path, str]:
    sources = root / "data" / "sources.ttl"
    iri = "ckd:syn-src-new"
    sources.write_text(
        sources.read_text(encoding="utf-8")
        + f'\n{iri} a ck:Report ;\n    rdfs:label "A new report" ;\n'
        + '    dcterms:title "A new report" .\n',
        encoding="utf-8",
    )
    return sources, iri


def test_a_source_first_quoted_in_a_case_is_warned_about_at_its_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: a source's missing text is warned about once, at its entry when the
    sources' file is asked about, and only while something quotes it. When a case first
    quoted a new source, the warning was given at the case's quotation (the sources' file
    was not checked again); when the last quotation went, the warning stayed."""
    root = _generated(tmp_path, monkeypatch, 4_000)
    _sources, iri = _new_source(root)
    unquoted = validate(root=root)
    assert not [i for i in unquoted.issues if iri in i.message]
    case = sorted((root / "data" / "cases").rglob("syn-case-*.ttl"))[0]
    text = case.read_text(encoding="utf-8")
    found = re.search(r"prov:wasQuotedFrom (ckd:[\w-]+) \.", text)
    assert found is not None
    quoting = text.replace(found.group(0), f"prov:wasQuotedFrom {iri} .", 1)
    case.write_text(quoting, encoding="utf-8")
    used = _spy(monkeypatch)
    quoted = _equals_a_full_run(root)
    warned = [i for i in quoted.issues if iri in i.message]
    assert [i.file for i in warned] == ["data/sources.ttl"], warned
    # the quotation moved to another source (the text as it was is reported already)
    other = "ckd:syn-src-0" if found.group(1) != "ckd:syn-src-0" else "ckd:syn-src-1"
    case.write_text(text.replace(found.group(0), f"prov:wasQuotedFrom {other} .", 1), "utf-8")
    again = _equals_a_full_run(root)
    assert not [i for i in again.issues if iri in i.message]
    assert used == [True, True]


def test_renaming_a_source_that_many_cases_quote_checks_only_the_sources_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression (a source renamed at 1M: 2.2-3.3 s where nothing changed takes 0.4 s):
    every file naming the source (about forty at 1M) had its vocabulary checked again,
    though what other files read of an item they name is its kinds (and a source's text):
    its name only where they describe it or their issues' words name it."""
    root = _generated(tmp_path, monkeypatch, 4_000)
    asked = _asked(monkeypatch)
    validate(root=root)
    sources = root / "data" / "sources.ttl"
    text = sources.read_text(encoding="utf-8")
    named = re.search(r'(ckd:syn-src-\d+) a ck:\w+ ;\n    rdfs:label "([^"]+)"', text)
    assert named is not None
    quoting = [
        p
        for p in (root / "data" / "cases").rglob("*.ttl")
        if f"prov:wasQuotedFrom {named.group(1)} ." in p.read_text(encoding="utf-8")
    ]
    assert len(quoting) > 1, "a source that several cases quote"
    sources.write_text(
        text.replace(named.group(0), named.group(0)[:-1] + ' (renamed)"'), encoding="utf-8"
    )
    renamed = _equals_a_full_run(root)
    assert asked[-1] == (sources.resolve(),)
    assert any(f"{named.group(2)} (renamed)" in i.message for i in renamed.issues)


def test_retyping_an_organisation_checks_again_the_files_that_name_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An item's kinds are what other files read of it (a membership's member must be an
    agent; a funder an organisation): retyping an organisation checks the cases naming it,
    and the report equals a full run's."""
    root = _generated(tmp_path, monkeypatch, 4_000)
    asked = _asked(monkeypatch)
    assert validate(root=root).violations == 0
    organisations, block, iri = _organisation_block(root)
    retyped = re.sub(r" a ck:\w+ ;", " a ck:Period ;", block, count=1)
    organisations.write_text(
        organisations.read_text(encoding="utf-8").replace(block, retyped), encoding="utf-8"
    )
    after = _equals_a_full_run(root)
    users = {
        p.resolve()
        for p in (root / "data" / "cases").rglob("*.ttl")
        if f"org:member {iri} ;" in p.read_text(encoding="utf-8")
    }
    assert users and users <= set(asked[-1])
    assert {i.file for i in after.issues if i.severity.value == "violation"} - {
        str(organisations.relative_to(root))
    }


def test_the_files_whose_issues_name_an_item_are_those_naming_that_very_id() -> None:
    """A renamed item's name is in the words of the issues that name it: those files are
    checked again, and not the ones naming a longer ID that begins the same way."""
    from collabkg.validate.report import Issue, Severity, Stage

    def issue(file: str, message: str = "A warning.", **words: str) -> Issue:
        return Issue(Severity.WARNING, Stage.QUOTATIONS, "code", message, file=file, **words)  # type: ignore[arg-type]

    report = Report(
        issues=[
            issue("a.ttl", message="Quotations from “R” (ckd:syn-src-1) are not verified."),
            issue("b.ttl", message="Quotations from “S” (ckd:syn-src-10) are not verified."),
            issue("c.ttl", focus="ckd:syn-src-1"),
            issue("d.ttl", hint="use ckd:syn-src-1-a"),
            issue("e.ttl", value="ckd:syn-src-1"),
            issue("f.ttl", focus="the [ ] value of ck:hasPeriod on ckd:syn-src-1"),
        ]
    )
    base = incremental.Base({}, report, displays={f"/p/{n}.ttl": f"{n}.ttl" for n in "abcdef"})
    found = incremental._naming_in_words(base, {"https://w3id.org/collabkg/id/syn-src-1"})
    assert found == {"/p/a.ttl", "/p/c.ttl", "/p/e.ttl", "/p/f.ttl"}
    assert incremental._naming_in_words(base, set()) == set()


def test_an_issue_whose_hint_names_a_line_of_an_edited_file_gives_the_line_it_moved_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression (found by random edits): a shapes issue's hint places the wrong item it
    links to ("... is described as a quotation (FILE line N)"); when that file was edited
    so its lines moved, the issue kept the old line: only issues pointing into a changed
    file by their ``related`` places were said again."""
    root = _generated(tmp_path, monkeypatch, 4_000)
    cases = sorted((root / "data" / "cases").rglob("syn-case-*.ttl"))
    member_file, quote_file = cases[0], cases[1]
    quote = re.search(r"(ckd:syn-quote-[\w-]+) a ck:Quotation", quote_file.read_text("utf-8"))
    assert quote is not None
    text = member_file.read_text(encoding="utf-8")
    period = re.search(r"org:memberDuring (ckd:[\w-]+) ;", text)
    assert period is not None
    member_file.write_text(
        text.replace(period.group(0), f"org:memberDuring {quote.group(1)} ;", 1), "utf-8"
    )
    before = validate(root=root)
    hinted = [i for i in before.issues if i.hint and quote_file.name in i.hint]
    assert hinted, "the issue's hint names the file describing the quotation"
    quote_file.write_text("# a note\n# on two lines\n" + quote_file.read_text("utf-8"), "utf-8")
    used = _spy(monkeypatch)
    after = _equals_a_full_run(root)
    assert used == [True]
    assert [i.hint for i in after.issues if i.hint and quote_file.name in i.hint] != [
        i.hint for i in hinted
    ]

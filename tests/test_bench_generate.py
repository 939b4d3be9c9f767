"""bench/generate.py: deterministic, valid, and matched by every canned question.

The benchmark stops on a canned query with no rows (a timing of an empty answer says
nothing), so every question in the catalogue must have rows on generated data. The list of
questions is read from the catalogue (queries/*.rq), never written out here: a question
added later is checked too.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from rdflib import URIRef

from collabkg.catalogue import Catalogue, choices
from collabkg.project import load_graph
from tests.support.paths import REPO
from tests.support.synthetic import generate


def _tree_digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((root / "data").rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def generated_10k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gen10k") / "project"
    generate.generate(out, 10_000)
    return out


def _bindings(canned, graph, catalogue) -> dict[str, str]:
    """The benchmark's parameters: the default where it names something in the graph, else
    the first choice offered."""
    raw: dict[str, str] = {}
    for spec in canned.params:
        value = spec.default
        if spec.type == "iri":
            term = canned.bind({spec.name: value}).get(spec.name) if value is not None else None
            if not (isinstance(term, URIRef) and graph.ask("ASK { ?s ?p ?o }", {"s": term})):
                options = choices(graph, spec, catalogue)
                value = str(options[0][0]) if options else value
        if value is not None:
            raw[spec.name] = value
    return raw


@pytest.mark.slow
def test_every_canned_query_has_rows_on_generated_10k_data(generated_10k: Path) -> None:
    graph = load_graph(generated_10k)  # raises ValidationFailed on any error
    try:
        assert not graph.invalid
        catalogue = Catalogue.load(generated_10k)
        asked = sorted(c.id for c in catalogue if not c.internal)
        ours = sorted(c.id for c in Catalogue.load(REPO) if not c.internal)
        assert asked == ours  # the generated project carries this checkout's questions
        assert len(asked) >= 20
        empty = []
        for canned in catalogue:
            if canned.internal:
                continue
            bound = canned.bind(_bindings(canned, graph, catalogue))
            if not graph.select(canned.text, bound).rows:
                empty.append(canned.id)
        assert empty == [], f"no rows on generated data for: {empty}"
    finally:
        graph.close()


def test_generated_data_is_byte_identical_for_the_same_size_and_seed(tmp_path: Path) -> None:
    generate.generate(tmp_path / "a", 3_000, seed=7)
    generate.generate(tmp_path / "b", 3_000, seed=7)
    generate.generate(tmp_path / "c", 3_000, seed=8)
    first = _tree_digest(tmp_path / "a")
    assert len(first) > 10
    assert first == _tree_digest(tmp_path / "b")
    assert first != _tree_digest(tmp_path / "c")


@pytest.mark.parametrize(
    ("written", "triples"),
    [
        ("10k", 10_000),
        ("3M", 3_000_000),
        ("2.5M", 2_500_000),
        ("1500000", 1_500_000),
        ("1_000_000", 1_000_000),
        ("250K", 250_000),
        ("10m", 10_000_000),
    ],
)
def test_a_size_written_like_3m_is_read_not_a_traceback(written: str, triples: int) -> None:
    assert generate.size_of(written) == triples


@pytest.mark.parametrize("written", ["", "M", "three", "-1M", "0", "nanM", "1e400M"])
def test_a_size_that_is_not_one_is_a_usage_error(
    written: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with pytest.raises(SystemExit) as stopped:
        generate.main([f"--size={written}", "--out", str(tmp_path / "out")])
    assert stopped.value.code == 2
    assert "is not a size" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()

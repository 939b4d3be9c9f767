"""The ontology is in the OWL 2 DL profile (OWL API profile checker, from HermiT.jar), and
its Turtle files stay in the one canonical form ``collabkg fmt`` writes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import rdflib

from collabkg.ontology import ontology_files
from collabkg.turtle import format_file_text
from tests.support.ontology import FIXTURES, REPO

JAVA_SOURCE = Path(__file__).with_name("DlProfile.java")


def _jdk() -> bool:
    return shutil.which("java") is not None and shutil.which("javac") is not None


def _violations(path: Path, tmp_path: Path) -> list[str]:
    import owlready2.reasoning as reasoning

    graph = rdflib.Graph()
    graph.parse(path)
    target = tmp_path / (path.stem + ".nt")
    graph.serialize(target, format="nt", encoding="utf-8")
    done = subprocess.run(
        ["java", "-cp", reasoning._HERMIT_CLASSPATH, str(JAVA_SOURCE), str(target)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.strip().splitlines()
    assert lines and lines[-1].startswith("DONE"), done.stdout[-2000:]
    return lines[:-1]


def _merged(tmp_path: Path) -> Path:
    graph = rdflib.Graph()
    for file in ontology_files(REPO):
        graph.parse(file)
    target = tmp_path / "collabkg-all.ttl"
    graph.serialize(target, format="turtle")
    return target


@pytest.mark.skipif(not _jdk(), reason="the OWL 2 DL profile check needs a JDK (javac)")
@pytest.mark.java
def test_ontology_is_owl2_dl(tmp_path: Path):
    violations = _violations(_merged(tmp_path), tmp_path)
    assert violations == [], "\n".join(violations)


@pytest.mark.skipif(not _jdk(), reason="the OWL 2 DL profile check needs a JDK (javac)")
@pytest.mark.java
def test_profile_check_can_fail(tmp_path: Path):
    violations = " ".join(_violations(FIXTURES / "not-dl.ttl", tmp_path))
    assert "IllegalPunning" in violations
    assert "NonSimpleProperty" in violations


@pytest.mark.parametrize("path", ontology_files(REPO), ids=lambda p: p.relative_to(REPO).as_posix())
def test_ontology_file_is_in_the_one_canonical_form(path: Path):
    text = path.read_text(encoding="utf-8")
    graph = rdflib.Graph()
    graph.parse(data=text, format="turtle")
    assert format_file_text(text, graph) == text, (
        f"{path.name} is not in canonical form: rewrite it with `collabkg fmt {path}`"
    )

"""Seeded random edits of a project's case files, as an academic makes them: for tests that
compare what is kept on disk and brought up to date after a change with what is worked out
afresh from the same files (the explorer's index, the graph's triple count)."""

from __future__ import annotations

import random
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from tests.support.paths import REPO

PROJECTS = ("seed", "synthetic")
"""The projects such tests run on: the repository's own and a generated one."""
KINDS = ("label", "moved", "block", "retyped", "added", "deleted")
"""The edits :func:`change_a_case` makes by default, one per step in turn."""

_OBJECT_LINE = re.compile(r"^(\s+\S+\s+)(ckd:[\w-]+)(\s*[;.,]\s*)$", re.MULTILINE)
_TYPE = re.compile(r"\ba ((?:ck|org|prov):\w+)")


def seed_project(root: Path) -> Path:
    """``root`` made a project of the repository's ontology, data and shapes."""
    for folder in ("ontology", "data", "shapes"):
        shutil.copytree(REPO / folder, root / folder)
    return root


def project_copy(kind: str, generated: Path, root: Path) -> Path:
    """``root`` made a copy of the repository's project (``kind`` "seed") or of the
    ``generated`` one ("synthetic"), nothing of its cache copied."""
    if kind == "seed":
        return seed_project(root)
    shutil.copytree(generated, root, ignore=shutil.ignore_patterns(".collabkg-cache"))
    return root


def case_files(root: Path) -> list[Path]:
    """The project's data files, the template left out."""
    return sorted(p for p in (root / "data").rglob("*.ttl") if p.name != "TEMPLATE.ttl")


def change_a_case(root: Path, rng: random.Random, step: int, kinds: tuple[str, ...] = KINDS) -> str:
    """One seeded edit of a case file, of the kind ``kinds[step % len(kinds)]``: a label
    edited, a reference moved to another item, a block dropped, a thing retyped, a case
    added (a copy under new IDs, naming the same things), a case deleted, a case ``copied``
    whole under another name (every statement then in two files), or a statement of another
    case ``shared`` (appended to this one). Returns what was done, kind first."""
    cases = case_files(root)
    victim = rng.choice(cases)
    text = victim.read_text(encoding="utf-8")
    kind = kinds[step % len(kinds)]
    if kind == "label":
        labels = list(re.finditer(r'(rdfs:label|skos:prefLabel)(\s+")([^"]*)"', text))
        if labels:
            at = rng.choice(labels)
            text = text[: at.end(3)] + f", edit {step}" + text[at.end(3) :]
    elif kind == "moved":  # a reference (member, parent, speaker, source...) to another item
        lines = list(_OBJECT_LINE.finditer(text))
        names = sorted(set(re.findall(r"ckd:[\w-]+", text)))
        if lines:
            at = rng.choice(lines)
            text = text[: at.start(2)] + rng.choice(names) + text[at.end(2) :]
    elif kind == "block":
        blocks = text.split("\n\n")
        blocks.pop(rng.randrange(1, len(blocks)))
        text = "\n\n".join(blocks)
    elif kind == "retyped":
        found = list(_TYPE.finditer(text))
        types = sorted({m.group(1) for m in _TYPE.finditer(text)} | {"org:Organization"})
        if found:
            at = rng.choice(found)
            text = text[: at.start(1)] + rng.choice(types) + text[at.end(1) :]
    elif kind == "added":  # a new case under new IDs, naming the same things it names
        copy = re.sub(r"ckd:([\w-]+)", rf"ckd:\1-copy{step}", text, count=rng.randrange(5, 40))
        victim.with_name(f"added-{step}-{victim.name}").write_text(copy, encoding="utf-8")
        return f"{kind} {victim.name}"
    elif kind == "copied":
        victim.with_name(f"copied-{step}-{victim.name}").write_text(text, encoding="utf-8")
        return f"{kind} {victim.name}"
    elif kind == "shared":  # written as N-Triples, which Turtle reads whatever the prefixes
        other = rng.choice(cases).read_bytes()
        named = [
            t
            for t in (q.triple for q in ox.parse(other, format=ox.RdfFormat.TURTLE))
            if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode)
        ]
        if named:
            shared = rng.choice(named)
            text = (
                text.rstrip("\n") + f"\n\n{shared.subject} {shared.predicate} {shared.object} .\n"
            )
    else:
        victim.unlink()
        return f"{kind} {victim.name}"
    victim.write_text(text, encoding="utf-8")
    return f"{kind} {victim.name}"


def count_outcomes(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> Counter[str]:
    """How often ``module.name`` (what brings a kept thing up to date, None when it cannot)
    gave something ("made") and how often it could not ("not made"), from now on."""
    counts: Counter[str] = Counter()
    real = getattr(module, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        found = real(*args, **kwargs)
        counts["made" if found is not None else "not made"] += 1
        return found

    monkeypatch.setattr(module, name, counted)
    return counts

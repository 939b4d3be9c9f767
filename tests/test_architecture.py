"""The package's shape: no import cycle, and each module imports only what its layer may.

The layers are the table in docs/CONTRACT.md ("Layers: what each module may import"); every
import statement counts, deferred and type-only ones included.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import Path

import pytest

from tests.support.imports import cycles, import_graph
from tests.support.paths import REPO

PACKAGE = REPO / "src" / "collabkg"
CONTRACT = REPO / "docs" / "CONTRACT.md"


def _layers() -> tuple[dict[str, list[str]], dict[str, set[str]]]:
    """(layer -> module patterns, layer -> layers it may import) from docs/CONTRACT.md."""
    text = CONTRACT.read_text(encoding="utf-8")
    section = text.split("## Layers", 1)[1]
    patterns: dict[str, list[str]] = {}
    allowed: dict[str, set[str]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or cells[0] in ("layer", "") or set(cells[0]) <= {"-"}:
            continue
        layer, modules, may = cells
        patterns[layer] = [m.strip() for m in modules.split(",")]
        allowed[layer] = {m.strip() for m in may.split(",")}
    return patterns, allowed


def _covers(pattern: str, name: str) -> bool:
    """``ontology*`` covers ``ontology`` and ``ontology.anything``."""
    return pattern.endswith("*") and (fnmatchcase(name, pattern) or name == pattern[:-1])


def _layer_of(module: str, patterns: dict[str, list[str]]) -> list[str]:
    """The layers whose table cell names ``module``: by its exact name if any does, else
    by a pattern ending in ``*``."""
    name = module.removeprefix("collabkg.") if module != "collabkg" else "collabkg"
    exact = [layer for layer, names in patterns.items() if name in names]
    if exact:
        return exact
    return [
        layer
        for layer, names in patterns.items()
        if any(
            g.endswith("*") and (fnmatchcase(name, g) or name == g[:-1].rstrip(".")) for g in names
        )
    ]


def test_the_import_checker_sees_deferred_and_type_only_imports(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("def f():\n    from pkg import b\n")
    (package / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .c import X\n"
    )
    (package / "c.py").write_text("import pkg.a\nX = 1\n")
    assert cycles(import_graph(package)) == [["pkg.a", "pkg.b", "pkg.c"]]


def test_there_is_no_import_cycle() -> None:
    assert cycles(import_graph(PACKAGE)) == []


def test_the_contract_names_the_layers() -> None:
    patterns, allowed = _layers()
    assert {"core", "validation", "facade", "project", "apps"} <= set(patterns)
    for layer, may in allowed.items():
        assert may <= set(patterns), f"{layer} may import an unknown layer: {may - set(patterns)}"


def test_every_module_is_in_exactly_one_layer() -> None:
    patterns, _allowed = _layers()
    graph = import_graph(PACKAGE)
    misplaced = {m: _layer_of(m, patterns) for m in graph if len(_layer_of(m, patterns)) != 1}
    assert misplaced == {}, "add these modules to the table in docs/CONTRACT.md"


def test_each_import_goes_to_a_layer_the_module_may_import() -> None:
    patterns, allowed = _layers()
    graph = import_graph(PACKAGE)
    wrong = []
    for module, targets in sorted(graph.items()):
        (layer,) = _layer_of(module, patterns) or ["?"]
        for target in sorted(targets):
            (target_layer,) = _layer_of(target, patterns) or ["?"]
            if target_layer != layer and target_layer not in allowed.get(layer, set()):
                wrong.append(f"{module} ({layer}) imports {target} ({target_layer})")
    assert wrong == []


@pytest.mark.parametrize(
    ("module", "layer"),
    [("validate.pipeline", "validation"), ("validate.report", "core"), ("graph", "facade")],
)
def test_a_module_is_placed_by_its_exact_name_before_a_pattern(module: str, layer: str) -> None:
    patterns, _allowed = _layers()
    assert _layer_of(f"collabkg.{module}", patterns) == [layer]

"""The benchmark's data generator (bench/generate.py), for tests that need large graphs, and
the other benchmark scripts (:func:`bench_module`).

Loaded from their files (bench/ is not a package), without touching ``sys.path``.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

from tests.support.paths import BENCH


def _load(name: str) -> ModuleType:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def bench_module(name: str, *needs: str) -> ModuleType:
    """``bench/<name>.py`` as a module, after the bench modules it imports by bare name."""
    for needed in needs:
        _load(needed)
    return _load(name)


generate = _load("generate")


def add_case(root: Path, index: int, stem: str) -> Path:
    """A new case file: a copy of a case under new IDs, naming the same organisations,
    place and source (what bench/incremental.py adds)."""
    source = sorted((root / "data" / "cases").rglob("syn-case-*.ttl"))[index]
    text = source.read_text(encoding="utf-8")
    text = re.sub(r"ckd:case-syn-case-\d+", f"ckd:case-{stem}", text)
    text = re.sub(r"ckd:syn-(\w+)-(\d+)", rf"ckd:syn-\1-\2-{stem}", text)
    text = re.sub(r"ckd:syn-(org|place|src)-(\d+)-" + re.escape(stem), r"ckd:syn-\1-\2", text)
    path = source.parent / f"{stem}.ttl"
    path.write_text(text, encoding="utf-8")
    return path


__all__ = ["add_case", "bench_module", "generate"]

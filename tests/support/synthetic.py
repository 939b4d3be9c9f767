"""The benchmark's data generator (bench/generate.py), for tests that need large graphs, and
the other benchmark scripts (:func:`bench_module`).

Loaded from their files (bench/ is not a package), without touching ``sys.path``.
"""

from __future__ import annotations

import importlib.util
import sys
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

__all__ = ["bench_module", "generate"]

"""The benchmark's data generator (bench/generate.py), for tests that need large graphs.

Loaded from its file (bench/ is not a package), without touching ``sys.path``.
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


generate = _load("generate")

__all__ = ["generate"]

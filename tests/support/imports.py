"""The import graph of a package, read from the source: every import statement counts
(module level, inside a function, under ``if TYPE_CHECKING:``)."""

from __future__ import annotations

import ast
from pathlib import Path


def module_names(package_dir: Path) -> dict[str, Path]:
    """Dotted name (``collabkg.validate.store``) -> file, for every module of the package."""
    found: dict[str, Path] = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _target(name: str, modules: dict[str, Path]) -> str | None:
    """The module an imported name belongs to (``a.b.c`` -> ``a.b`` when c is not one)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def import_graph(package_dir: Path) -> dict[str, set[str]]:
    """Module -> the modules of the same package it imports."""
    modules = module_names(package_dir)
    edges: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - node.level + 1]
                    base = ".".join([*anchor, *([node.module] if node.module else [])])
                targets = [f"{base}.{alias.name}" for alias in node.names]
            for target in targets:
                found = _target(target, modules)
                if found is not None and found != name:
                    edges[name].add(found)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (each is a cycle)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(start: str) -> None:
        nonlocal counter
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return found


__all__ = ["cycles", "import_graph", "module_names"]


def helper_import_problems(tests_dir: Path) -> list[str]:
    """Where the test suite reaches a helper other than through ``tests.support``:
    ``sys.path`` edits, relative imports, imports of a conftest or of another test folder's
    module (by its bare name, as pytest's path insertion allows). One line each."""
    local = {p.stem for p in tests_dir.rglob("*.py") if "fixtures" not in p.parts}
    problems: list[str] = []
    for path in sorted(tests_dir.rglob("*.py")):
        if "fixtures" in path.parts:
            continue
        where = path.relative_to(tests_dir.parent).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=where)
        for node in ast.walk(tree):
            line = f"{where}:{getattr(node, 'lineno', 0)}"
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ("path", "syspath_prepend")
                and (node.attr == "syspath_prepend" or _is_name(node.value, "sys"))
            ):
                problems.append(f"{line}: edits or reads sys.path ({node.attr})")
            elif isinstance(node, ast.Call) and (
                _is_name(node.func, "setattr")
                or (isinstance(node.func, ast.Attribute) and node.func.attr == "setattr")
            ):
                args = node.args
                if (
                    len(args) >= 2
                    and _is_name(args[0], "sys")
                    and isinstance(args[1], ast.Constant)
                    and args[1].value == "path"
                ):
                    problems.append(f"{line}: replaces sys.path")
            elif isinstance(node, ast.ImportFrom) and node.level:
                problems.append(f"{line}: relative import (import helpers from tests.support)")
            elif isinstance(node, ast.Import | ast.ImportFrom):
                names = (
                    [node.module or ""]
                    if isinstance(node, ast.ImportFrom)
                    else [alias.name for alias in node.names]
                )
                for name in names:
                    parts = name.split(".")
                    if "conftest" in parts:
                        problems.append(f"{line}: imports a conftest ({name})")
                    elif parts[0] == "tests" and parts[1:2] != ["support"]:
                        problems.append(f"{line}: imports a test module ({name})")
                    elif parts[0] != "tests" and parts[0] in local:
                        problems.append(f"{line}: imports a test-folder module by name ({name})")
    return problems


def _is_name(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def fixed_sleeps(tests_dir: Path) -> list[str]:
    """``time.sleep`` calls in test modules that are not inside a loop (a bounded poll on a
    condition is a loop; a lone sleep before an assertion passes whether or not anything
    was watched). ``tests/support`` holds the polling helpers and is not checked."""
    problems: list[str] = []
    for path in sorted(tests_dir.rglob("*.py")):
        if "fixtures" in path.parts or "support" in path.parts:
            continue
        where = path.relative_to(tests_dir.parent).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=where)
        problems.extend(f"{where}:{line}: a fixed sleep" for line in _lone_sleeps(tree, False))
    return problems


def _lone_sleeps(node: ast.AST, in_loop: bool) -> list[int]:
    found: list[int] = []
    for child in ast.iter_child_nodes(node):
        looping = in_loop or isinstance(child, ast.While | ast.For)
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            looping = isinstance(child, ast.Lambda) and in_loop
        if (
            isinstance(child, ast.Call)
            and isinstance(child.func, ast.Attribute)
            and child.func.attr == "sleep"
            and not in_loop
        ):
            found.append(child.lineno)
        found.extend(_lone_sleeps(child, looping))
    return found

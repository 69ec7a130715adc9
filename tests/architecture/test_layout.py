"""The shape of the source tree: no import cycle, small modules, small functions, no probing.

Imports are read from the source (every ``import``, lazy or under ``TYPE_CHECKING``, counts):
a cycle means a lower layer reaching up, which is what the one-pipeline design forbids.
"""

from __future__ import annotations

import ast
import pathlib

import pytest

SRC = pathlib.Path(__file__).resolve().parents[2] / "src"
PACKAGE = SRC / "glmkit"
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80  # lines of a function, from ``def`` to its end, docstring included


def _modules() -> dict[str, pathlib.Path]:
    mods = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        mods[".".join(parts)] = path
    return mods


def import_graph(include_packages: bool = False) -> dict[str, set[str]]:
    """Module → the glmkit modules it imports (packages' ``__init__`` only with ``include_packages``)."""
    mods = _modules()
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for name, path in mods.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = package[: len(package) - node.level + 1] if node.level else []
                target = ".".join(base + (node.module.split(".") if node.module else []))
                candidates = [target] + [f"{target}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                candidates = [alias.name for alias in node.names]
            else:
                continue
            for c in candidates:
                if c not in mods or c == name or name.startswith(c + "."):
                    continue
                if include_packages or mods[c].name != "__init__.py":
                    graph[name].add(c)
    return graph


def layer_graph() -> dict[str, set[str]]:
    """Top-level layer (``glmkit.fit``, ``glmkit.loss``, …) → the layers it imports, through
    package ``__init__`` re-exports too; the root package (the public surface) left out."""
    def layer(module: str) -> str:
        return ".".join(module.split(".")[:2])

    graph: dict[str, set[str]] = {}
    for a, targets in import_graph(include_packages=True).items():
        if a == "glmkit":
            continue
        graph.setdefault(layer(a), set())
        for b in targets:
            if layer(b) != layer(a) and b != "glmkit":
                graph[layer(a)].add(layer(b))
    for targets in list(graph.values()):
        for t in targets:
            graph.setdefault(t, set())
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return cycles


def test_the_cycle_finder_finds_a_cycle():
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c", "a"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []


def test_glmkit_has_no_import_cycle():
    cycles = find_cycles(import_graph())
    assert cycles == [], "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_the_layers_import_downward_only():
    """No cycle between layers (packages and top-level modules), re-exports included."""
    cycles = find_cycles(layer_graph())
    assert cycles == [], "layer cycles: " + "; ".join(" -> ".join(c) for c in cycles)


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(SRC)))
def test_module_is_small(path):
    n = len(path.read_text(encoding="utf-8").splitlines())
    assert n <= MAX_MODULE_LINES, f"{path.relative_to(SRC)} has {n} lines (at most {MAX_MODULE_LINES})"


def _long_functions(path: pathlib.Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [f"{node.name} ({node.end_lineno - node.lineno + 1} lines)" for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES]


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(SRC)))
def test_functions_are_small(path):
    assert _long_functions(path) == []


def test_no_family_switch_outside_families():
    """Capabilities are declared on families, never read from their names or types elsewhere."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] == "families":
            continue
        text = path.read_text(encoding="utf-8")
        for needle in ("family.name ==", "family.name in", "type(family)", "type(model.family)",
                       "isinstance(family, (Binomial", "isinstance(family, Binomial"):
            if needle in text:
                offenders.append(f"{rel}: {needle}")
    assert offenders == []

"""The import graph of src/parlour keeps the architecture's layers: every import that runs (at module level
or inside a function; not the names imported for type checkers only) points down the table below, and no
modules import each other in a circle."""

from __future__ import annotations

import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "src" / "parlour"

#: parlour's top-level modules and packages, lowest first: each may import only what stands below it
#: (its own level included, where two neighbours never import each other the rule is written out below)
LAYERS: list[set[str]] = [
    {"errors", "version"},
    {"redact", "textfiles", "testing"},
    {"data", "store", "chat"},
    {"models", "games"},
    {"runner", "clembench"},
    {"scoring"},
    {"analysis"},
    {"report"},
    {"sweep", "analyze"},
    {"api"},
    {"cli", "__main__", "__init__"},
]
#: pairs on one level that stay apart: games and backends are joined by the runner, never by each other
APART = [("games", "models"), ("models", "games"), ("runner", "clembench"), ("sweep", "analyze"), ("analyze", "sweep")]


def _modules() -> dict[str, Path]:
    modules = {}
    for path in SOURCE.rglob("*.py"):
        parts = path.relative_to(SOURCE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    return modules


MODULES = _modules()


def _resolve(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node of the tree but those under `if TYPE_CHECKING:`."""
    nodes, pending = [], [tree]
    while pending:
        node = pending.pop()
        nodes.append(node)
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            pending.extend(node.orelse)
            continue
        pending.extend(ast.iter_child_nodes(node))
    return nodes


def _imports(path: Path) -> set[str]:
    """The parlour modules `path` imports where it runs (absolute imports: the project uses no others)."""
    found = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"{path}: relative import"
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found.update(r for n in names if n.startswith("parlour") and (r := _resolve(n)))
    return found


GRAPH = {
    name: {t for t in _imports(path) if t != name and not name.startswith(t + ".")} for name, path in MODULES.items()
}


def _unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _level(unit: str) -> int:
    return next(i for i, layer in enumerate(LAYERS) if unit in layer)


def test_every_top_level_module_has_a_layer() -> None:
    units = {_unit(m) for m in MODULES}
    assert not {u for u in units if not any(u in layer for layer in LAYERS)}


def test_imports_point_down_the_layers() -> None:
    upward = sorted(
        f"{source} -> {target}"
        for source, targets in GRAPH.items()
        for target in targets
        if _level(_unit(target)) > _level(_unit(source)) or (_unit(source), _unit(target)) in APART
    )
    assert upward == []


def _circles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in GRAPH[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in GRAPH:
        if node not in index:
            visit(node)
    return circles


def test_no_modules_import_each_other_in_a_circle() -> None:
    assert _circles() == []

"""The layering of `monitor/`, checked from the source: no import cycle, SQL only in storage.

An import cycle hides in a function-level import (`from monitor import review` inside a
function) as easily as at the top of a module, so both count. The graph is built with `ast`
from the files, not by importing them: a cycle is found even where Python would tolerate it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.conftest import ROOT

PACKAGE = ROOT / "monitor"

# Cycles known and reported to the module's owner, to be removed here when fixed. Every other
# cycle fails the test. A cycle that is gone may (and should) be deleted from this list.
KNOWN_CYCLES: list[set[str]] = []  # none: a new entry needs a reason beside it

SQL = re.compile(r"^\s*(?:SELECT\b[\s\S]+\bFROM\b|INSERT\s+(?:OR\s+\w+\s+)?INTO\b|UPDATE\s+\w+"
                 r"\s+SET\b|DELETE\s+FROM\b|CREATE\s+(?:UNIQUE\s+)?(?:TABLE|INDEX|VIEW|TRIGGER)"
                 r"\b|DROP\s+(?:TABLE|INDEX|VIEW)\b|ALTER\s+TABLE\b|PRAGMA\s+\w+)")
SQL_CALLS = {"execute", "executemany", "executescript"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _target(name: str, known: dict[str, Path]) -> str | None:
    """The module of `monitor` an imported name lives in (a name in a package: the package)."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Every `monitor` module `name` imports, at module level or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {_target(alias.name, known) for alias in node.names} - {None}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in known else _target(base, known))
    return {module for module in found if module and module != name}


def import_graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(name, path, known) for name, path in known.items()}


def cycles(graph: dict[str, set[str]]) -> list[set[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def a_cycle(graph: dict[str, set[str]], component: set[str]) -> list[str]:
    """One concrete loop through a component, to name in the failure (a -> b -> a)."""
    start = min(component)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for other in sorted(graph[node] & component):
            if other == start:
                return [*paths[node], start]
            if other not in paths:
                paths[other] = [*paths[node], other]
                queue.append(other)
    return sorted(component)


def test_the_graph_sees_function_level_and_relative_imports():
    graph = import_graph()
    assert "monitor.storage.drafts" in graph["monitor.review"]  # module level
    # `from monitor.web.views import bp` inside create_app
    assert "monitor.web.views" in graph["monitor.web"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]
    assert a_cycle({"a": {"b"}, "b": {"a"}}, {"a", "b"}) == ["a", "b", "a"]


def test_no_import_cycle_in_monitor():
    graph = import_graph()
    new = [c for c in cycles(graph) if c not in KNOWN_CYCLES]
    assert not new, "import cycles in monitor/: " + "; ".join(
        " -> ".join(a_cycle(graph, c)) for c in new)


def test_drafting_and_review_share_the_draft_files_module_without_a_cycle():
    graph = import_graph()
    assert "monitor.draft_files" in graph["monitor.drafting"]
    assert "monitor.draft_files" in graph["monitor.review"]
    assert "monitor.review" not in graph["monitor.drafting"]
    assert not graph["monitor.draft_files"] & {"monitor.drafting", "monitor.review"}


def sql_outside_storage() -> list[str]:
    """`file:line` of each SQL statement or `execute` call in `monitor/` outside storage."""
    found = []
    for name, path in modules().items():
        if name == "monitor.storage" or name.startswith("monitor.storage."):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.match(
                    node.value):
                found.append(where)
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                  and node.func.attr in SQL_CALLS):
                found.append(where)
    return found


def test_the_sql_check_recognises_sql():
    assert SQL.match("SELECT id FROM drafts WHERE status = ?")
    assert SQL.match("\n  INSERT OR REPLACE INTO runs (id) VALUES (?)")
    assert SQL.match("PRAGMA journal_mode = WAL")
    assert not SQL.match("Select the sentence from the source")
    assert not SQL.match("update the draft, then set its flag")


def test_only_storage_holds_sql():
    assert sql_outside_storage() == []

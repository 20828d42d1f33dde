"""The layers of src/rushes, read from the source: no import cycles (imports inside functions count too),
the worker imports no service or route, and the domain imports nothing outside itself."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.unit.python_source import parse

ROOT = Path(__file__).resolve().parents[2] / "src" / "rushes"


def _modules() -> dict[str, Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _target(name: str) -> str | None:
    """The module of ours an import names (`a.b.c` may be a name inside module `a.b`)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str) -> set[str]:
    """Every module of ours that `module` imports, at module level or inside a function or class."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = set()
    for node in ast.walk(parse(path)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
            names = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            target = _target(name)
            if target is not None and target != module:
                out.add(target)
    return out


GRAPH = {module: _imports(module) for module in MODULES}


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph.get(nxt, ())))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return found


def test_the_reader_sees_the_modules():
    assert "rushes.jobs.runner" in MODULES and "rushes.services.context" in MODULES
    assert "rushes.store.job_queue" in GRAPH["rushes.jobs.queue"]


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles():
    assert _cycles(GRAPH) == []


def _outside(prefix: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    return {module: sorted(t for t in targets if t.startswith(forbidden))
            for module, targets in GRAPH.items()
            if (module == prefix or module.startswith(prefix + ".")) and any(t.startswith(forbidden) for t in targets)}


def test_the_worker_imports_no_service_and_no_route():
    assert _outside("rushes.jobs", ("rushes.services", "rushes.web")) == {}


def test_the_domain_imports_only_the_domain():
    leaks = {module: sorted(t for t in targets if not t.startswith("rushes.domain"))
             for module, targets in GRAPH.items() if module.startswith("rushes.domain")}
    assert {module: targets for module, targets in leaks.items() if targets} == {}

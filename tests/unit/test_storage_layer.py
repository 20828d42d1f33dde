"""SQL lives in the storage layer: modules outside src/rushes/store run no statements.

A statement is a call of SQLAlchemy's statement builders (select, update, insert, delete, text) or of a
Session/Connection method that runs one (execute, scalar, scalars, get, query). The few modules allowed
outside store/ are named below with the reason; a new one must be argued for here, not slipped in.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.unit.python_source import parse

SRC = Path(__file__).resolve().parents[2] / "src" / "rushes"
BUILDERS = {"select", "update", "insert", "delete", "text", "exists", "union_all"}
RUNNERS = {"execute", "scalar", "scalars", "query", "get_bind", "exec_driver_sql"}
ALLOWED: dict[str, str] = {
    # The PostgreSQL LISTEN on the driver's own connection: an adapter of the notification channel.
    "services/broadcast.py": "LISTEN on the raw connection",
    # The shared submission pacer locks its own quota row; it is the limiter's storage.
    "jobs/quota.py": "the quota row under lock",
}


def is_model(node: ast.expr) -> bool:
    """`m.Scene` or `models.Scene`: a session.get by primary key is a statement too."""
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in {"m", "models"}


def runs_statements(path: Path) -> list[str]:
    tree = parse(path)
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("sqlalchemy"):
            imported |= {a.asname or a.name for a in node.names if a.name in BUILDERS}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            if isinstance(f, ast.Name) and f.id in imported:
                found.append(f"{f.id}() line {node.lineno}")
            elif isinstance(f, ast.Attribute) and f.attr in RUNNERS and not isinstance(f.value, ast.Constant):
                found.append(f".{f.attr}() line {node.lineno}")
            elif isinstance(f, ast.Attribute) and f.attr == "get" and node.args and is_model(node.args[0]):
                found.append(f".get(model) line {node.lineno}")
    return found


def outside_store() -> dict[str, list[str]]:
    out = {}
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel.startswith("store/"):
            continue
        hits = runs_statements(path)
        if hits:
            out[rel] = hits
    return out


def test_only_the_storage_layer_runs_statements():
    offenders = {rel: hits for rel, hits in outside_store().items() if rel not in ALLOWED}
    assert not offenders, "\n".join(f"{rel}: {', '.join(hits[:5])}" for rel, hits in offenders.items())


def test_the_allowed_exceptions_still_need_it():
    stale = [rel for rel in ALLOWED if rel not in outside_store()]
    assert not stale, f"no longer runs statements, drop from ALLOWED: {stale}"

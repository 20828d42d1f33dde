"""No module grows past 400 lines: a newcomer should be able to read any one file in a sitting."""

from __future__ import annotations

from pathlib import Path

import rushes

LIMIT = 400
PACKAGE = Path(rushes.__file__).parent
# Applied Alembic migrations are history: a database already upgraded through one never runs it again, so
# editing (or splitting) it would make fresh and upgraded databases differ. They stay as they were written.
MIGRATIONS = PACKAGE / "store" / "migrations" / "versions"
STATIC = PACKAGE / "web" / "static"


def _too_long(paths) -> list[str]:
    counts = {path: len(path.read_text(encoding="utf-8").splitlines()) for path in paths}
    return [f"{path.relative_to(PACKAGE)}: {n} lines" for path, n in sorted(counts.items()) if n > LIMIT]


def test_no_python_module_is_over_400_lines() -> None:
    modules = [path for path in PACKAGE.rglob("*.py") if MIGRATIONS not in path.parents]
    assert len(modules) > 50, "the package was not found where expected"
    assert _too_long(modules) == []


def test_no_stylesheet_is_over_400_lines() -> None:
    sheets = list(STATIC.rglob("*.css"))
    assert sheets, "no stylesheets found"
    assert _too_long(sheets) == []

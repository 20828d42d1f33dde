"""Worlds built once per test process, handed to each test as a private copy.

A rendered take costs seconds of real H.264 encoding, probing and QC; a copy costs milliseconds. The copy
is whole and the test's own: on SQLite the database file and the media folder are copied, on PostgreSQL the
database is created from the built one as its TEMPLATE (and the media folder copied). What a test then does
to its copy never reaches the next test's.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from rushes.bootstrap import Rushes
from tests.integration.conftest import PG_ENV, make_rushes

_built: dict[tuple[str, str], tuple[Path, str | None, Any]] = {}
_SQLITE_FILES = ("rushes.db", "rushes.db-wal", "rushes.db-shm")


def restore(name: str, build: Callable[[Rushes], Any], tmp: Path, url: str | None = None) -> tuple[Rushes, Any]:
    """(a root on a copy of the world `build` made, what `build` returned). `url` as make_rushes takes it: None
    or a SQLite file under `tmp` for SQLite, else an empty PostgreSQL database that becomes the copy."""
    postgres = bool(url) and not str(url).startswith("sqlite")
    key = (name, "postgres" if postgres else "sqlite")
    if key not in _built:
        _built[key] = _build(name, build, postgres)
    root, template, value = _built[key]
    shutil.copytree(root / "media", tmp / "media")
    if postgres:
        target = make_url(url).database
        with _admin() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{target}" TEMPLATE "{template}"'))
        return make_rushes(tmp, url), value
    for file in _SQLITE_FILES:
        if (root / file).exists():
            shutil.copy(root / file, tmp / file)
    return make_rushes(tmp, url), value


def _build(name: str, build: Callable[[Rushes], Any], postgres: bool) -> tuple[Path, str | None, Any]:
    root = Path(tempfile.mkdtemp(prefix=f"rushes-world-{name}-"))
    atexit.register(shutil.rmtree, root, True)
    template = url = None
    if postgres:
        template = f"rushes_w_{uuid.uuid4().hex[:10]}"
        with _admin() as conn:
            conn.execute(text(f'CREATE DATABASE "{template}"'))
        atexit.register(_drop, template)
        url = make_url(os.environ[PG_ENV]).set(database=template).render_as_string(hide_password=False)
    rushes = make_rushes(root, url)
    try:
        value = build(rushes)
    finally:
        # A template must have no open connections when it is copied.
        rushes.db.dispose()
    return root, template, value


class _admin:
    def __enter__(self):
        self.engine = create_engine(make_url(os.environ[PG_ENV]), isolation_level="AUTOCOMMIT")
        self.conn = self.engine.connect()
        return self.conn

    def __exit__(self, *exc) -> None:
        self.conn.close()
        self.engine.dispose()


def _drop(database: str) -> None:
    with _admin() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))

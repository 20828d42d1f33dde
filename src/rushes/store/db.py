"""Engines and sessions: SQLite in WAL with one writer at a time, or PostgreSQL."""

from __future__ import annotations

from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Take transaction control from pysqlite so that BEGIN IMMEDIATE below is what runs.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # One writer at a time: a transaction takes the write lock up front instead of failing to
        # upgrade later, which is what makes job claims atomic across worker processes.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _sqlite_reader(url: str) -> Engine:
    """Reads that never take the write lock: autocommit statements on a query-only connection.

    In WAL mode a reader sees the last committed state without blocking the writer, and with no
    transaction open between statements it holds nothing while it waits.
    """
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # pysqlite opens no transaction of its own
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA query_only=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    return engine


def make_engine(url: str) -> Engine:
    if is_sqlite(url):
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


class Database:
    """An engine and its session factory."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def sqlite(self) -> bool:
        return is_sqlite(self.url)

    @cached_property
    def reader(self) -> Engine:
        """An engine for read-only work beside request traffic (the event broadcaster).

        On SQLite it never issues BEGIN IMMEDIATE, so it cannot hold up a writer. On PostgreSQL plain
        transactions already read without blocking writers; a small pool of its own keeps the
        broadcaster's reads out of the request pool.
        """
        if self.sqlite:
            return _sqlite_reader(self.url)
        return create_engine(self.url, pool_pre_ping=True, pool_size=2, max_overflow=2)

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """A session on the reader engine; nothing it does is committed."""
        with Session(self.reader, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed on success, rolled back on error."""
        with self.sessions() as session:
            with session.begin():
                yield session

    def dispose(self) -> None:
        if "reader" in self.__dict__:
            self.reader.dispose()
        self.engine.dispose()

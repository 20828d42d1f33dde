"""Engines and sessions: SQLite in WAL with one writer at a time, or PostgreSQL."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from collections.abc import Iterator

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 30_000
WRITE_OPTION = "rushes_write"  # a connection execution option: False opens a reading transaction


@dataclass(frozen=True)
class TransactionMode:
    """How the transactions opened in this context begin on SQLite.

    The web app sets one per request (rushes.web.busy): reads begin deferred, so they take no write
    lock, and every transaction gives up on a busy database after `busy_ms` instead of 30 s. Workers and
    the CLI set none and keep the defaults: BEGIN IMMEDIATE, 30 s.
    """

    write: bool = True
    busy_ms: int = SQLITE_BUSY_TIMEOUT_MS


transaction_mode: ContextVar[TransactionMode | None] = ContextVar("rushes_transaction_mode", default=None)


# PostgreSQL SQLSTATEs that mean "try again": lock not available, serialization failure, deadlock.
RETRY_SQLSTATES = {"55P03", "40001", "40P01"}


def database_busy(exc: BaseException) -> bool:
    """Whether a database error means the database was busy, not that the request or the code was wrong."""
    orig = getattr(exc, "orig", None)
    if orig is None:
        return False
    if getattr(orig, "sqlite_errorname", "") in ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_BUSY_SNAPSHOT"):
        return True
    text = str(orig).lower()
    if type(orig).__module__.startswith("sqlite3") and ("database is locked" in text or "database is busy" in text):
        return True
    return getattr(orig, "sqlstate", None) in RETRY_SQLSTATES


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
        # One writer at a time: a writing transaction takes the write lock up front instead of failing
        # to upgrade later, which is what makes job claims and spending atomic across processes. A
        # reading one (WAL) sees the last commit and never waits for the writer.
        mode = transaction_mode.get() or TransactionMode()
        write = connection.get_execution_options().get(WRITE_OPTION, mode.write)
        connection.exec_driver_sql(f"PRAGMA busy_timeout={int(mode.busy_ms)}")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

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
        from rushes.store import scene_marks

        scene_marks.install()  # every writer marks the Hub summaries of the scenes it changes
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
    def session(self, write: bool | None = None) -> Iterator[Session]:
        """A unit of work: committed on success, rolled back on error.

        `write=False` says it only reads (on SQLite: no write lock); None lets the context decide
        (TransactionMode), which defaults to writing.
        """
        options = {} if write is None else {"execution_options": {WRITE_OPTION: write}}
        with self.sessions(**options) as session:
            with session.begin():
                yield session

    def dispose(self) -> None:
        if "reader" in self.__dict__:
            self.reader.dispose()
        self.engine.dispose()

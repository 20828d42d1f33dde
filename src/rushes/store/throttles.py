"""The sign-in throttle's SQL: every count is one conditional UPDATE, so parallel attempts cannot share a try."""

from __future__ import annotations

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from rushes.store import models as m

T = m.SignInThrottle


def _update():
    # Decided in the database; the session is not asked to mirror the change in memory.
    return update(T).execution_options(synchronize_session=False)


def _insert(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert
        return pg_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert
    return sqlite_insert


def ensure_row(session: Session, scope: str, key: str) -> None:
    insert = _insert(session)
    session.execute(insert(T).values(scope=scope, key=key, failures=0, blocked_until=0.0, last_failure_at=0.0)
                    .on_conflict_do_nothing(index_elements=["scope", "key"]))


def take_attempt(session: Session, scope: str, key: str, moment: float, forget_before: float) -> int | None:
    """Count one attempt unless the key is waiting: the new count, or None while blocked.

    The WHERE and the increment are one statement: on PostgreSQL the row lock makes a parallel
    attempt re-read the row after this one commits (and find it blocked), on SQLite the
    transaction is the only writer. The row stays locked until the caller's transaction ends.
    """
    return session.execute(
        _update().where(T.scope == scope, T.key == key, T.blocked_until <= moment)
        .values(failures=case((T.last_failure_at < forget_before, 1), else_=T.failures + 1), last_failure_at=moment)
        .returning(T.failures)).scalar_one_or_none()


def set_blocked_until(session: Session, scope: str, key: str, until: float) -> None:
    session.execute(_update().where(T.scope == scope, T.key == key).values(blocked_until=until))


def blocked_until(session: Session, scope: str, key: str) -> float:
    return session.scalar(select(T.blocked_until).where(T.scope == scope, T.key == key)) or 0.0


def forgive(session: Session, scope: str, key: str, free: int) -> None:
    """A right password: take back the attempt it was counted as (and its delay, if it made one)."""
    session.execute(_update().where(T.scope == scope, T.key == key).values(
        failures=case((T.failures > 0, T.failures - 1), else_=0),
        blocked_until=case((T.failures - 1 < free, 0.0), else_=T.blocked_until)))


def clear(session: Session, scope: str, key: str) -> int:
    return session.execute(_update().where(T.scope == scope, T.key == key)
                           .values(failures=0, blocked_until=0.0)).rowcount or 0  # type: ignore[attr-defined]  # an UPDATE answers a CursorResult


def states(session: Session, scope: str, keys: list[str]) -> dict[str, tuple[int, float]]:
    if not keys:
        return {}
    rows = session.execute(select(T.key, T.failures, T.blocked_until).where(T.scope == scope, T.key.in_(keys)))
    return {key: (failures, until) for key, failures, until in rows}

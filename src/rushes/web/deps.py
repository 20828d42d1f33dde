"""Request-scoped access to the application and a database session."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request
from sqlalchemy.orm import Session

from rushes.bootstrap import Rushes


def get_rushes(request: Request) -> Rushes:
    return request.app.state.rushes


def get_session(request: Request) -> Iterator[Session]:
    """The route's unit of work. Always `Depends(get_session, scope="function")`: then it commits when the
    route function returns and before the answer is sent, so a failed commit is an error, never a success
    (tests/integration/test_commit_before_answer.py checks every route declares it so)."""
    with request.app.state.rushes.db.session() as session:
        yield session

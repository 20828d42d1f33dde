"""Request-scoped access to the application and a database session."""

from __future__ import annotations

from typing import Iterator

from fastapi import Request
from sqlalchemy.orm import Session

from rushes.services.context import Rushes


def get_rushes(request: Request) -> Rushes:
    return request.app.state.rushes


def get_session(request: Request) -> Iterator[Session]:
    with request.app.state.rushes.db.session() as session:
        yield session

"""A member's own API tokens: named, listed, revocable, and every one expires."""

from __future__ import annotations

from sqlalchemy.orm import Session

from rushes.services import users
from rushes.services.errors import Conflict, NotFound
from rushes.store import credentials
from rushes.store import models as m


def token_view(row: m.AuthToken) -> dict:
    expires = users._aware(row.expires_at)
    live = row.revoked_at is None and (expires is None or expires > users.now())
    return {"id": row.id, "name": row.name or "token", "created_at": users._aware(row.created_at).isoformat(),
            "expires_at": expires.isoformat() if expires else None, "revoked": row.revoked_at is not None,
            "active": live}


def list_tokens(session: Session, user_id: int) -> list[dict]:
    return [token_view(r) for r in credentials.api_tokens_of(session, user_id, limit=200)]


def create_token(session: Session, user_id: int, name: str, days: float | None, default_days: float) -> dict:
    name = " ".join((name or "").split())
    if not name:
        raise Conflict("an API token needs a name (what uses it)")
    token = users.new_api_token(session, user_id, name[:100], days or default_days)
    row = credentials.by_hash(session, users.token_digest(token))
    return {**token_view(row), "token": token}  # shown once: only its digest is kept


def revoke_token(session: Session, user_id: int, token_id: int) -> dict:
    row = credentials.credential(session, token_id)
    # Another member's token answers like one that does not exist.
    if row is None or row.user_id != user_id or row.kind != "api":
        raise NotFound(f"unknown token {token_id}")
    row.revoked_at = row.revoked_at or users.now()
    return token_view(row)

"""Guest review links: a token that opens one scene's review player and nothing else."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from rushes.services.errors import Conflict, NotFound
from rushes.services.users import _aware, now, token_digest
from rushes.store import models as m

MAX_HOURS = 24 * 90


def create_share(session: Session, scene_id: int, user_id: int, expires_in_hours: float | None,
                 allow_notes: bool) -> tuple[m.ShareLink, str]:
    if session.get(m.Scene, scene_id) is None:
        raise NotFound(f"unknown scene {scene_id}")
    if expires_in_hours is not None and not (0 < expires_in_hours <= MAX_HOURS):
        raise Conflict(f"expires_in_hours must be more than 0 and at most {MAX_HOURS}")
    token = secrets.token_urlsafe(24)
    link = m.ShareLink(scene_id=scene_id, token_hash=token_digest(token), created_by=user_id, allow_notes=allow_notes,
                       expires_at=now() + timedelta(hours=expires_in_hours) if expires_in_hours else None)
    session.add(link)
    session.flush()
    return link, token


def share_view(link: m.ShareLink, url: str | None = None) -> dict:
    expires = _aware(link.expires_at)
    view = {"id": link.id, "scene_id": link.scene_id, "allow_notes": link.allow_notes,
            "created_at": link.created_at.isoformat(), "expires_at": expires.isoformat() if expires else None,
            "revoked": link.revoked_at is not None, "active": _live(link)}
    if url is not None:
        view["url"] = url  # shown once: only the token's digest is kept
    return view


def _live(link: m.ShareLink) -> bool:
    expires = _aware(link.expires_at)
    return link.revoked_at is None and (expires is None or expires > now())


def list_shares(session: Session, scene_id: int) -> list[dict]:
    rows = session.scalars(select(m.ShareLink).where(m.ShareLink.scene_id == scene_id).order_by(m.ShareLink.id.desc()))
    return [share_view(r) for r in rows]


def revoke_share(session: Session, share_id: int) -> dict:
    link = session.get(m.ShareLink, share_id)
    if link is None:
        raise NotFound(f"unknown share {share_id}")
    link.revoked_at = link.revoked_at or now()
    return share_view(link)


def live_share(session: Session, token: str | None) -> m.ShareLink | None:
    """The link a guest token opens, when it is neither revoked nor expired."""
    if not token or len(token) > 200:
        return None
    link = session.scalar(select(m.ShareLink).where(m.ShareLink.token_hash == token_digest(token)))
    return link if link is not None and _live(link) else None

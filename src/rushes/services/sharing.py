"""Guest review links: a token that opens one scene's review player and nothing else."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy.orm import Session

from rushes.services.errors import Conflict, NotFound
from rushes.services.users import _aware, now, token_digest
from rushes.store import models as m
from rushes.store import shares
from rushes.store.access import studio_of_scene

MAX_HOURS = 24 * 90
DEFAULT_HOURS = 24 * 7  # a link nobody set an expiry on still ends (RUSHES_GUEST_LINK_DAYS in the web app)


def create_share(session: Session, scene_id: int, user_id: int, expires_in_hours: float | None,
                 allow_notes: bool) -> tuple[m.ShareLink, str]:
    if studio_of_scene(session, scene_id) is None:
        raise NotFound(f"unknown scene {scene_id}")
    if expires_in_hours is not None and not (0 < expires_in_hours <= MAX_HOURS):
        raise Conflict(f"expires_in_hours must be more than 0 and at most {MAX_HOURS}")
    expires_in_hours = expires_in_hours or DEFAULT_HOURS
    token = secrets.token_urlsafe(24)
    link = shares.add(session, scene_id, token_digest(token), user_id, allow_notes,
                      now() + timedelta(hours=expires_in_hours))
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
    return [share_view(r) for r in shares.of_scene(session, scene_id)]


def revoke_share(session: Session, share_id: int) -> dict:
    link = shares.share(session, share_id)
    if link is None:
        raise NotFound(f"unknown share {share_id}")
    link.revoked_at = link.revoked_at or now()
    return share_view(link)


def live_share(session: Session, token: str | None) -> m.ShareLink | None:
    """The link a guest token opens, when it is neither revoked nor expired."""
    if not token or len(token) > 200:
        return None
    link = shares.by_hash(session, token_digest(token))
    return link if link is not None and _live(link) else None

"""Guest review links for one scene (owner or editor), and the studio's members (owner)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from rushes.services import sharing, users
from rushes.services.context import Rushes
from rushes.web.access import access, current
from rushes.web.deps import get_rushes, get_session

router = APIRouter(prefix="/api", tags=["access"])


class ShareIn(BaseModel):
    expires_in_hours: float | None = Field(None, gt=0, le=sharing.MAX_HOURS)
    allow_notes: bool = True


class MemberIn(BaseModel):
    email: str = Field(min_length=3, max_length=320)
    role: str = Field("reviewer", pattern="^(owner|editor|reviewer)$")


@router.post("/scenes/{scene_id}/share", status_code=201)
@access("editor")
def share_scene(scene_id: int, request: Request, body: ShareIn | None = None, session: Session = Depends(get_session),
                rushes: Rushes = Depends(get_rushes)) -> dict:
    """A link that opens this scene's review player, and nothing else, for whoever holds it."""
    body = body or ShareIn()
    link, token = sharing.create_share(session, scene_id, current(request).user_id, body.expires_in_hours,
                                       body.allow_notes)
    return sharing.share_view(link, url=f"{_base(request, rushes)}/share/{token}")


@router.get("/scenes/{scene_id}/shares")
@access("editor")
def list_shares(scene_id: int, session: Session = Depends(get_session)) -> list[dict]:
    return sharing.list_shares(session, scene_id)


@router.delete("/shares/{share_id}")
@access("editor")
def revoke_share(share_id: int, session: Session = Depends(get_session)) -> dict:
    return sharing.revoke_share(session, share_id)


@router.get("/studios/{studio_id}/members")
def members(studio_id: int, session: Session = Depends(get_session)) -> list[dict]:
    return users.members_view(session, studio_id)


@router.post("/studios/{studio_id}/members", status_code=201)
@access("owner")
def add_member(studio_id: int, body: MemberIn, request: Request, session: Session = Depends(get_session),
               rushes: Rushes = Depends(get_rushes)) -> dict:
    """Add (or re-role) a member; answers a one-time sign-in link to hand them, valid 15 minutes."""
    user = users.add_member(session, body.email, studio_id, body.role)
    link = users.new_signin_link(session, user.id)
    return {"user_id": user.id, "email": user.email, "role": body.role,
            "signin_url": f"{_base(request, rushes)}/signin/link?token={link}"}


def _base(request: Request, rushes: Rushes) -> str:
    """Links name the configured public address, else the address this request came to (Host is checked)."""
    if rushes.settings.public_url:
        return rushes.settings.public_url.rstrip("/")
    return str(request.base_url).rstrip("/")

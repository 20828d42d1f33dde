"""Guest review links for one scene (owner or editor); they expire after RUSHES_GUEST_LINK_DAYS unless asked otherwise."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from rushes.services import sharing
from rushes.bootstrap import Rushes
from rushes.web.access import access, member_id
from rushes.web.deps import get_rushes, get_session
from rushes.web.api.access_schemas import ShareOut

router = APIRouter(prefix="/api", tags=["access"])


class ShareIn(BaseModel):
    expires_in_hours: float | None = Field(None, gt=0, le=sharing.MAX_HOURS)
    allow_notes: bool = True


@router.post("/scenes/{scene_id}/share", status_code=201, response_model=ShareOut)
@access("editor")
def share_scene(scene_id: int, request: Request, body: ShareIn | None = None, session: Session = Depends(get_session, scope="function"),
                rushes: Rushes = Depends(get_rushes)) -> dict:
    """A link that opens this scene's review player, and nothing else, for whoever holds it."""
    body = body or ShareIn()
    hours = body.expires_in_hours or rushes.settings.guest_link_days * 24
    link, token = sharing.create_share(session, scene_id, member_id(request), hours, body.allow_notes)
    return sharing.share_view(link, url=f"{_base(request, rushes)}/share/{token}")


@router.get("/scenes/{scene_id}/shares", response_model=list[ShareOut])
@access("editor")
def list_shares(scene_id: int, session: Session = Depends(get_session, scope="function")) -> list[dict]:
    return sharing.list_shares(session, scene_id)


@router.delete("/shares/{share_id}", response_model=ShareOut)
@access("editor")
def revoke_share(share_id: int, session: Session = Depends(get_session, scope="function")) -> dict:
    return sharing.revoke_share(session, share_id)


def _base(request: Request, rushes: Rushes) -> str:
    """Links name the configured public address, else the address this request came to (Host is checked)."""
    if rushes.settings.public_url:
        return rushes.settings.public_url.rstrip("/")
    return str(request.base_url).rstrip("/")

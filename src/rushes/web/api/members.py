"""A studio's members (owners manage them), and each member's own invitations and API tokens.

Inviting hands the owner no credential: the answer carries the invitation and, when no mail server
is configured (or it refused), the invitation link to hand over, which only its invitee can use.
Ids under /api/me/ (`my_invitation_id`, `my_token_id`) are matched to the caller by the service:
anybody else's answers 404.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Request
from pydantic import Field
from sqlalchemy.orm import Session

from rushes.providers.mail import MailFailed, mailer_from
from rushes.services import api_tokens, members, users
from rushes.bootstrap import Rushes
from rushes.store import invitations, studios
from rushes.store import models as m
from rushes.store import users as user_rows
from rushes.web.access import access, current, member_id, signed_in
from rushes.web.deps import get_rushes, get_session
from rushes.web.schemas import ApiModel, EntityId
from rushes.web.api.access_schemas import (InvitationOut, Invited, MemberOut, MemberRemoved, RoleChanged, ThrottleCleared,
                                           TokenOut)

router = APIRouter(prefix="/api", tags=["access"])
Role = Literal["owner", "editor", "reviewer"]


class InviteIn(ApiModel):
    email: str = Field(min_length=3, max_length=320, pattern=r"^[^\x00-\x1f\x7f@\s]+@[^\x00-\x1f\x7f@\s]+$")  # one @, no NUL (PostgreSQL refuses it) or spaces: 422
    role: Role = "reviewer"


class RoleIn(ApiModel):
    role: Role


class TokenIn(ApiModel):
    name: str = Field(min_length=1, max_length=100)
    days: int | None = Field(None, ge=1, le=3650)  # default RUSHES_API_TOKEN_DAYS


def base_url(request: Request, rushes: Rushes) -> str:
    """Links name the configured public address, else the address this request came to (Host is checked)."""
    if rushes.settings.public_url:
        return rushes.settings.public_url.rstrip("/")
    return str(request.base_url).rstrip("/")


@router.get("/studios/{studio_id}/members", response_model=list[MemberOut])
def list_members(studio_id: EntityId, session: Session = Depends(get_session, scope="function")) -> list[dict]:
    """Members with their role (and, for owners to act on, how long a failed sign-in makes them wait)."""
    return users.members_view(session, studio_id)


@router.post("/studios/{studio_id}/members", status_code=201, response_model=Invited)
@access("owner")
def invite_member(studio_id: EntityId, body: InviteIn, request: Request, rushes: Rushes = Depends(get_rushes)) -> dict:
    """Invite an email with a role. The invitation waits for its invitee; nothing here signs anyone in."""
    with rushes.db.session() as session:  # committed before any mail names it
        inv, token = members.invite(session, studio_id, body.email, body.role, signed_in(request).user_id,
                                    rushes.settings.invite_days)
        studio = studios.studio(session, studio_id).name
        view = members.invitation_view(inv)
    url = f"{base_url(request, rushes)}/invite/{token}"
    mailer = mailer_from(rushes.settings)
    if mailer is None:
        return {"invitation": view, "invite_url": url, "mailed": False}
    try:
        mailer.send(inv.email, f"You are invited to {studio} on Rushes",
                    f"You are invited to the studio {studio} as {inv.role}.\n\nOpen this link to accept "
                    f"(valid {rushes.settings.invite_days} days):\n{url}\n")
    except MailFailed as failed:
        return {"invitation": view, "invite_url": url, "mailed": False, "mail_error": str(failed)}
    with rushes.db.session() as session:
        invitations.invitation(session, inv.id).mailed_at = users.now()
    return {"invitation": {**view, "mailed": True}, "mailed": True}


@router.patch("/studios/{studio_id}/members/{member_id}", response_model=RoleChanged)
@access("owner")
def change_role(studio_id: EntityId, member_id: EntityId, body: RoleIn, session: Session = Depends(get_session, scope="function")) -> dict:
    """`member_id` is the member's user id. The last owner cannot be demoted (409)."""
    return members.change_role(session, studio_id, member_id, body.role)


@router.delete("/studios/{studio_id}/members/{member_id}", response_model=MemberRemoved)
@access("owner")
def remove_member(studio_id: EntityId, member_id: EntityId, session: Session = Depends(get_session, scope="function")) -> dict:
    """Their access to this studio ends at once; the last owner cannot be removed (409)."""
    return members.remove(session, studio_id, member_id)


@router.delete("/studios/{studio_id}/members/{member_id}/throttle", response_model=ThrottleCleared)
@access("owner")
def clear_throttle(studio_id: EntityId, member_id: EntityId, session: Session = Depends(get_session, scope="function")) -> dict:
    """Let a member whose failed sign-ins made them wait try again at once."""
    return members.clear_throttle(session, studio_id, member_id)


@router.get("/studios/{studio_id}/invitations", response_model=list[InvitationOut])
@access("owner")
def list_invitations(studio_id: EntityId, session: Session = Depends(get_session, scope="function")) -> list[dict]:
    return members.pending_for_studio(session, studio_id)


@router.delete("/studios/{studio_id}/invitations/{invitation_id}", response_model=InvitationOut)
@access("owner")
def revoke_invitation(studio_id: EntityId, invitation_id: EntityId, session: Session = Depends(get_session, scope="function")) -> dict:
    return members.revoke_invitation(session, invitation_id)


# ---- the caller's own ------------------------------------------------------------------------------

def _me(request: Request, session: Session) -> m.User:
    return user_rows.user(session, current(request).user_id)


@router.get("/me/invitations", response_model=list[InvitationOut])
@access("reviewer")
def my_invitations(request: Request, session: Session = Depends(get_session, scope="function")) -> list[dict]:
    return members.pending_for_user(session, _me(request, session).email)


@router.post("/me/invitations/{my_invitation_id}/accept", response_model=InvitationOut)
@access("reviewer")
def accept_invitation(my_invitation_id: EntityId, request: Request, session: Session = Depends(get_session, scope="function")) -> dict:
    return members.invitation_view(members.accept(session, _me(request, session), invitation_id=my_invitation_id))


@router.post("/me/invitations/{my_invitation_id}/decline", response_model=InvitationOut)
@access("reviewer")
def decline_invitation(my_invitation_id: EntityId, request: Request, session: Session = Depends(get_session, scope="function")) -> dict:
    return members.invitation_view(members.decline(session, _me(request, session), my_invitation_id))


@router.get("/me/tokens", response_model=list[TokenOut])
@access("reviewer")
def my_tokens(request: Request, session: Session = Depends(get_session, scope="function")) -> list[dict]:
    return api_tokens.list_tokens(session, member_id(request))


@router.post("/me/tokens", status_code=201, response_model=TokenOut)
@access("reviewer")
def create_token(body: TokenIn, request: Request, session: Session = Depends(get_session, scope="function"),
                 rushes: Rushes = Depends(get_rushes)) -> dict:
    """A named API token, shown once; it expires after `days` (default RUSHES_API_TOKEN_DAYS)."""
    return api_tokens.create_token(session, member_id(request), body.name, body.days,
                                   rushes.settings.api_token_days)


@router.delete("/me/tokens/{my_token_id}", response_model=TokenOut)
@access("reviewer")
def revoke_token(my_token_id: EntityId, request: Request, session: Session = Depends(get_session, scope="function")) -> dict:
    return api_tokens.revoke_token(session, member_id(request), my_token_id)

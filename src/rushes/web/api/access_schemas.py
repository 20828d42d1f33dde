"""What the access API answers: guest links, a studio's members and invitations, a member's API tokens."""

from __future__ import annotations

from typing import Literal

from rushes.web.schemas import Answer, Number

Role = Literal["owner", "editor", "reviewer"]


class ShareOut(Answer):
    """A guest review link; `url` (with its token) only in the answer that created it."""

    id: int
    scene_id: int
    allow_notes: bool
    created_at: str
    expires_at: str | None
    revoked: bool
    active: bool
    url: str | None = None


class Throttle(Answer):
    """How far failed sign-ins have set a member back: failures counted and seconds still to wait."""

    failures: int
    wait_seconds: Number


class MemberOut(Answer):
    user_id: int
    email: str
    display_name: str
    role: Role
    throttle: Throttle


class InvitationOut(Answer):
    id: int
    studio_id: int
    email: str
    role: Role
    state: Literal["pending", "accepted", "declined", "revoked", "expired"]
    created_at: str
    expires_at: str
    mailed: bool
    studio: str | None = None  # the studio's name, in the invitee's own list


class Invited(Answer):
    """The invitation; when it was not mailed, the link to hand over (only its invitee can use it)."""

    invitation: InvitationOut
    mailed: bool
    invite_url: str | None = None
    mail_error: str | None = None


class RoleChanged(Answer):
    user_id: int
    role: Role


class MemberRemoved(Answer):
    user_id: int
    removed: bool
    revoked_credentials: int


class ThrottleCleared(Answer):
    user_id: int
    throttle: Throttle


class TokenOut(Answer):
    """An API token; `token` itself only in the answer that created it."""

    id: int
    name: str
    created_at: str
    expires_at: str | None
    revoked: bool
    active: bool
    token: str | None = None

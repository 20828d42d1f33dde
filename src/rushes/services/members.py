"""A studio's members over time: invitations that wait for their invitee, roles, removal.

An invitation hands the inviter nothing that acts as anybody: its link, when opened by an existing
account, only accepts once its holder is signed in as that account; for an email with no account
yet it lets the holder choose a password and join this one studio (services/users.py keeps the
operator's `rushes user link` for the command line). The last owner of a studio stays an owner.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy.orm import Session

from rushes.services import throttle, users
from rushes.services.accounts import lock_account
from rushes.services.errors import Conflict, NotFound
from rushes.store import invitations, studios
from rushes.store import models as m
from rushes.store import users as user_rows


def invitation_view(inv: m.Invitation, studio_name: str | None = None) -> dict:
    state = ("accepted" if inv.accepted_at else "declined" if inv.declined_at else "revoked" if inv.revoked_at
             else "expired" if users._aware(inv.expires_at) <= users.now() else "pending")
    view = {"id": inv.id, "studio_id": inv.account_id, "email": inv.email, "role": inv.role, "state": state,
            "created_at": inv.created_at.isoformat(), "expires_at": users._aware(inv.expires_at).isoformat(),
            "mailed": inv.mailed_at is not None}
    if studio_name is not None:
        view["studio"] = studio_name
    return view


def invite(session: Session, account_id: int, email: str, role: str, invited_by: int | None,
           days: int = 7) -> tuple[m.Invitation, str]:
    """A pending invitation and its link token (shown once). Re-inviting replaces the pending one."""
    if role not in users.ROLES:
        raise Conflict(f"role must be one of {', '.join(users.ROLES)}")
    email = users.normal_email(email)
    existing = users.user_by_email(session, email)
    if existing is not None and studios.membership_id(session, account_id, existing.id):
        raise Conflict(f"{email} is already a member; change their role instead")
    invitations.revoke_pending(session, account_id, email, users.now())
    token = secrets.token_urlsafe(32)
    inv = invitations.add(session, account_id, email, role, users.token_digest(token), invited_by,
                          users.now() + timedelta(days=days))
    return inv, token


def pending_for_studio(session: Session, account_id: int) -> list[dict]:
    return [invitation_view(inv) for inv in invitations.pending_of_studio(session, account_id, users.now())]


def pending_for_user(session: Session, email: str) -> list[dict]:
    return [invitation_view(inv, name) for inv, name in invitations.pending_of_email(session, email, users.now())]


def revoke_invitation(session: Session, invitation_id: int) -> dict:
    inv = invitations.invitation(session, invitation_id)
    if inv is None:
        raise NotFound(f"unknown invitation {invitation_id}")
    if inv.accepted_at is None and inv.revoked_at is None:
        inv.revoked_at = users.now()
    return invitation_view(inv)


def by_token(session: Session, token: str | None) -> m.Invitation | None:
    """The pending invitation a link names, else None."""
    if not token or len(token) > 200:
        return None
    return invitations.pending_by_hash(session, users.token_digest(token), users.now())


def _take(session: Session, field: str, **named) -> m.Invitation | None:
    """Close a pending invitation in one conditional UPDATE, so two parallel accepts cannot both succeed."""
    moment = users.now()
    return invitations.close_pending(session, moment, {field: moment}, **named)


def accept(session: Session, user: m.User, invitation_id: int | None = None, token: str | None = None) -> m.Invitation:
    """The invitee (signed in as the invited email) joins the studio with the invitation's role."""
    inv = _take(session, "accepted_at", invitation_id=invitation_id, email=user.email,
                token_hash=users.token_digest(token) if token is not None else None)
    if inv is None:
        raise NotFound("no such invitation is waiting for you")
    _join(session, user.id, inv)
    return inv


def decline(session: Session, user: m.User, invitation_id: int) -> m.Invitation:
    inv = _take(session, "declined_at", invitation_id=invitation_id, email=user.email)
    if inv is None:
        raise NotFound("no such invitation is waiting for you")
    return inv


def join_as_new_user(session: Session, token: str, password: str, name: str | None) -> tuple[m.User, m.Invitation]:
    """A link for an email with no account: its holder sets the password and joins that one studio."""
    password_hash = users.hash_password(password)
    display = users.clean_display_name(name)
    inv = by_token(session, token)
    if inv is None:
        raise NotFound("this invitation has expired, was used or was withdrawn")
    if users.user_by_email(session, inv.email) is not None:
        raise Conflict(f"{inv.email} already has an account: sign in as them to accept")
    inv = _take(session, "accepted_at", invitation_id=inv.id)
    if inv is None:
        raise NotFound("this invitation has expired, was used or was withdrawn")
    user = user_rows.add(session, inv.email, password_hash, display)
    _join(session, user.id, inv)
    return user, inv


def _join(session: Session, user_id: int, inv: m.Invitation) -> None:
    if studios.membership_id(session, inv.account_id, user_id) is None:
        studios.add_membership(session, user_id, inv.account_id, inv.role)
        session.flush()


# ---- roles and removal -----------------------------------------------------------------------------

def _membership(session: Session, account_id: int, user_id: int) -> m.Membership:
    row = studios.membership(session, account_id, user_id)
    if row is None:
        raise NotFound(f"unknown member {user_id}")
    return row


def _owners_left(session: Session, account_id: int) -> int:
    return studios.owner_count(session, account_id)


def change_role(session: Session, account_id: int, user_id: int, role: str) -> dict:
    if role not in users.ROLES:
        raise Conflict(f"role must be one of {', '.join(users.ROLES)}")
    lock_account(session, account_id)  # two owners demoting each other at once: one of them stays owner
    row = _membership(session, account_id, user_id)
    if row.role == "owner" and role != "owner" and _owners_left(session, account_id) <= 1:
        raise Conflict("the studio's last owner cannot be demoted: make someone else an owner first")
    row.role = role
    return {"user_id": user_id, "role": role}


def remove(session: Session, account_id: int, user_id: int) -> dict:
    """Membership ends at once: every credential of theirs loses this studio on its next request; with no
    studio left, their sessions, API tokens and links are revoked too."""
    lock_account(session, account_id)
    row = _membership(session, account_id, user_id)
    if row.role == "owner" and _owners_left(session, account_id) <= 1:
        raise Conflict("the studio's last owner cannot be removed: make someone else an owner first")
    studios.remove_membership(session, row)
    revoked = 0
    if not users.roles_of(session, user_id):
        revoked = users.revoke_user_tokens(session, user_id)
    return {"user_id": user_id, "removed": True, "revoked_credentials": revoked}


def clear_throttle(session: Session, account_id: int, user_id: int) -> dict:
    _membership(session, account_id, user_id)
    user = user_rows.user(session, user_id)
    throttle.clear_account(session, user.email)
    return {"user_id": user_id, "throttle": {"failures": 0, "wait_seconds": 0.0}}

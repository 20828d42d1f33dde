"""Studios, their members and how a member proves who they are: passwords, sessions, API tokens, links.

Tokens are random (secrets.token_urlsafe) and only their sha256 is stored, so a copy of the database
signs nobody in. Passwords are hashed with Argon2id (argon2-cffi's defaults).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from rushes.services.errors import Conflict, NotFound
from rushes.store import models as m

ROLES = ("owner", "editor", "reviewer")
SESSION_DAYS = 14
LINK_MINUTES = 15
# Failed sign-ins within the window above which sign-in is refused (per account, per address).
ATTEMPT_WINDOW_SECONDS = 15 * 60
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_ADDRESS = 20
DEMO_OWNER_EMAIL = "owner@rushes.local"

_hasher = PasswordHasher()
# Verified against when the email is unknown, so a miss costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def now() -> datetime:
    return datetime.now(timezone.utc)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_for(token: str) -> str:
    """The CSRF token that goes with a session (or guest) token: derived, so nothing more is stored."""
    return hashlib.sha256(b"rushes-csrf\0" + token.encode()).hexdigest()[:40]


def normal_email(email: str) -> str:
    email = (email or "").strip().lower()
    if "@" not in email or len(email) > 320 or email.startswith("@") or email.endswith("@"):
        raise Conflict("an email address like name@studio.example is required")
    return email


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands timezone-aware columns back naive (in UTC).
    return value.replace(tzinfo=timezone.utc) if value is not None and value.tzinfo is None else value


# ---- studios and members -----------------------------------------------------------------------

def studio_named(session: Session, name: str, create: bool = True) -> m.Account:
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise Conflict("a studio name of 1 to 200 characters is required")
    studio = session.scalar(select(m.Account).where(m.Account.name == name).order_by(m.Account.id).limit(1))
    if studio is None:
        if not create:
            raise NotFound(f"unknown studio {name}")
        studio = m.Account(name=name)
        session.add(studio)
        session.flush()
    return studio


def user_by_email(session: Session, email: str) -> m.User | None:
    return session.scalar(select(m.User).where(m.User.email == normal_email(email)))


def add_member(session: Session, email: str, account_id: int, role: str = "editor",
               password: str | None = None) -> m.User:
    """Create the user if new, give them `role` in the studio (changing an existing role), set a password if given."""
    if role not in ROLES:
        raise Conflict(f"role must be one of {', '.join(ROLES)}")
    if password is not None and len(password) < 8:
        raise Conflict("a password has at least 8 characters")
    user = user_by_email(session, email)
    if user is None:
        user = m.User(email=normal_email(email))
        session.add(user)
        session.flush()
    if password is not None:
        user.password_hash = _hasher.hash(password)
    membership = session.scalar(select(m.Membership).where(m.Membership.user_id == user.id,
                                                           m.Membership.account_id == account_id))
    if membership is None:
        session.add(m.Membership(user_id=user.id, account_id=account_id, role=role))
    else:
        membership.role = role
    session.flush()
    return user


def roles_of(session: Session, user_id: int) -> dict[int, str]:
    """Studio id → role, for every studio the user belongs to."""
    return dict(session.execute(select(m.Membership.account_id, m.Membership.role)
                                .where(m.Membership.user_id == user_id).order_by(m.Membership.account_id)).all())


def studio_owner(session: Session, account_id: int) -> m.User | None:
    return session.scalar(select(m.User).join(m.Membership, m.Membership.user_id == m.User.id)
                          .where(m.Membership.account_id == account_id, m.Membership.role == "owner")
                          .order_by(m.Membership.id).limit(1))


def members_view(session: Session, account_id: int) -> list[dict]:
    rows = session.execute(select(m.User.id, m.User.email, m.Membership.role).join(m.Membership)
                           .where(m.Membership.account_id == account_id).order_by(m.User.email))
    return [{"user_id": uid, "email": email, "role": role} for uid, email, role in rows]


# ---- tokens: sessions, API tokens, one-time sign-in links --------------------------------------

def issue_token(session: Session, user_id: int, kind: str, lifetime: timedelta | None) -> str:
    token = secrets.token_urlsafe(32)
    session.add(m.AuthToken(user_id=user_id, kind=kind, token_hash=token_digest(token),
                            expires_at=now() + lifetime if lifetime else None))
    session.flush()
    return token


def new_session(session: Session, user_id: int) -> str:
    return issue_token(session, user_id, "session", timedelta(days=SESSION_DAYS))


def new_api_token(session: Session, user_id: int) -> str:
    return issue_token(session, user_id, "api", None)


def new_signin_link(session: Session, user_id: int) -> str:
    return issue_token(session, user_id, "signin_link", timedelta(minutes=LINK_MINUTES))


def token_user(session: Session, token: str | None, kind: str) -> m.User | None:
    """The user a live token of `kind` belongs to, else None. Reads only: a request writes nothing to sign in."""
    if not token or len(token) > 200:
        return None
    row = session.scalar(select(m.AuthToken).where(m.AuthToken.token_hash == token_digest(token),
                                                   m.AuthToken.kind == kind))
    if row is None or row.revoked_at is not None:
        return None
    if row.expires_at is not None and _aware(row.expires_at) <= now():
        return None
    return session.get(m.User, row.user_id)


def revoke_token(session: Session, token: str | None) -> bool:
    if not token:
        return False
    row = session.scalar(select(m.AuthToken).where(m.AuthToken.token_hash == token_digest(token)))
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = now()
    return True


def use_signin_link(session: Session, token: str | None) -> tuple[m.User, str] | None:
    """Spend a one-time link: returns (user, new session token), or None when unknown, used or expired."""
    user = token_user(session, token, "signin_link")
    if user is None:
        return None
    revoke_token(session, token)
    return user, new_session(session, user.id)


# ---- passwords and the sign-in rate limit ------------------------------------------------------

@dataclass(frozen=True)
class SignIn:
    user: m.User | None
    limited: bool = False


def _failures(session: Session, column, value: str, since: float) -> int:
    return session.scalar(select(func.count()).select_from(m.SignInAttempt)
                          .where(column == value, m.SignInAttempt.at > since)) or 0


def check_password(session: Session, email: str, password: str, address: str) -> SignIn:
    """Verify a password under the per-account and per-address limits; a failure is recorded."""
    email = (email or "").strip().lower()[:320]
    address = (address or "unknown")[:64]
    moment = time.time()
    since = moment - ATTEMPT_WINDOW_SECONDS
    if (_failures(session, m.SignInAttempt.email, email, since) >= MAX_FAILURES_PER_EMAIL
            or _failures(session, m.SignInAttempt.address, address, since) >= MAX_FAILURES_PER_ADDRESS):
        return SignIn(None, limited=True)
    user = session.scalar(select(m.User).where(m.User.email == email)) if email else None
    try:
        ok = _hasher.verify(user.password_hash if user and user.password_hash else _DUMMY_HASH, password or "")
        ok = ok and user is not None and user.password_hash is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        session.add(m.SignInAttempt(email=email, address=address, at=moment))
        # Old attempts only slow the count down; drop them now and then.
        session.execute(delete(m.SignInAttempt).where(m.SignInAttempt.at < moment - 24 * 3600))
        return SignIn(None)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return SignIn(user)

"""Studios, their members and how a member proves who they are: passwords, sessions, API tokens, links.

Tokens are random (secrets.token_urlsafe) and only their sha256 is stored, so a copy of the database
signs nobody in. Passwords are hashed with Argon2id (argon2-cffi's defaults).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import overload
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from rushes.domain.text import unstorable
from rushes.services import throttle
from rushes.services.errors import Conflict, NotFound
from rushes.store import credentials, studios
from rushes.store import models as m
from rushes.store import users as user_rows

ROLES = ("owner", "editor", "reviewer")
SESSION_DAYS = 14
LINK_MINUTES = 15
API_TOKEN_DAYS = 90  # the default; RUSHES_API_TOKEN_DAYS is passed in by the callers that have settings
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


def display_name(user: m.User) -> str:
    """What people outside the studio (guests) see: the chosen name, else the email's local part as words."""
    if user.display_name:
        return user.display_name
    words = user.email.split("@", 1)[0].replace(".", " ").replace("_", " ").replace("-", " ").split()
    return " ".join(w[:1].upper() + w[1:] for w in words)[:80] or "Studio member"


def clean_display_name(name: str | None) -> str | None:
    name = " ".join((name or "").split())
    if len(name) > 80:
        raise Conflict("a display name has at most 80 characters")
    if "@" in name:
        raise Conflict("a display name is not an email address: guests see it")
    if unstorable(name):
        raise Conflict(f"a display name {unstorable(name)}")
    return name or None


@overload
def _aware(value: datetime) -> datetime: ...
@overload
def _aware(value: None) -> None: ...  # type: ignore[overload-cannot-match]  # SQLAlchemy's loose typing
@overload
def _aware(value: datetime | None) -> datetime | None: ...  # type: ignore[overload-cannot-match]  # SQLAlchemy's loose typing
def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands timezone-aware columns back naive (in UTC).
    return value.replace(tzinfo=timezone.utc) if value is not None and value.tzinfo is None else value


# ---- studios and members -----------------------------------------------------------------------

def studio_named(session: Session, name: str, create: bool = True) -> m.Account:
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise Conflict("a studio name of 1 to 200 characters is required")
    studio = studios.by_name(session, name)
    if studio is None:
        if not create:
            raise NotFound(f"unknown studio {name}")
        studio = studios.add(session, name)
    return studio


def user_by_email(session: Session, email: str) -> m.User | None:
    return user_rows.by_email(session, normal_email(email))


def add_member(session: Session, email: str, account_id: int, role: str = "editor",
               password: str | None = None) -> m.User:
    """Create the user if new, give them `role` in the studio (changing an existing role), set a password if given."""
    if role not in ROLES:
        raise Conflict(f"role must be one of {', '.join(ROLES)}")
    if password is not None and len(password) < 8:
        raise Conflict("a password has at least 8 characters")
    user = user_by_email(session, email)
    if user is None:
        user = user_rows.add(session, normal_email(email))
    if password is not None:
        user.password_hash = _hasher.hash(password)
    membership = studios.membership(session, account_id, user.id)
    if membership is None:
        studios.add_membership(session, user.id, account_id, role)
    else:
        membership.role = role
    session.flush()
    return user


def roles_of(session: Session, user_id: int) -> dict[int, str]:
    """Studio id → role, for every studio the user belongs to."""
    return studios.roles_of(session, user_id)


def studio_owner(session: Session, account_id: int) -> m.User | None:
    return studios.first_owner(session, account_id)


def members_view(session: Session, account_id: int) -> list[dict]:
    rows = studios.members(session, account_id)
    waits = throttle.account_states(session, [user.email for user, _ in rows])
    return [{"user_id": user.id, "email": user.email, "display_name": display_name(user), "role": role,
             "throttle": waits.get(user.email, {"failures": 0, "wait_seconds": 0.0})} for user, role in rows]


# ---- tokens: sessions, API tokens, one-time sign-in links --------------------------------------

def issue_token(session: Session, user_id: int, kind: str, lifetime: timedelta | None, name: str | None = None) -> str:
    token = secrets.token_urlsafe(32)
    credentials.add(session, user_id, kind, token_digest(token), now() + lifetime if lifetime else None, name)
    return token


def new_session(session: Session, user_id: int) -> str:
    return issue_token(session, user_id, "session", timedelta(days=SESSION_DAYS))


def new_api_token(session: Session, user_id: int, name: str | None = None, days: float | None = None) -> str:
    """An API token that expires (`days`, default API_TOKEN_DAYS); listed and revoked by its owner."""
    return issue_token(session, user_id, "api", timedelta(days=days or API_TOKEN_DAYS), name or "token")


def new_signin_link(session: Session, user_id: int) -> str:
    return issue_token(session, user_id, "signin_link", timedelta(minutes=LINK_MINUTES))


def token_user(session: Session, token: str | None, kind: str) -> m.User | None:
    """The user a live token of `kind` belongs to, else None. Reads only: a request writes nothing to sign in."""
    if not token or len(token) > 200:
        return None
    row = credentials.by_hash(session, token_digest(token), kind)
    if row is None or row.revoked_at is not None:
        return None
    if row.expires_at is not None and _aware(row.expires_at) <= now():
        return None
    return user_rows.user(session, row.user_id)


def revoke_token(session: Session, token: str | None) -> bool:
    if not token:
        return False
    row = credentials.by_hash(session, token_digest(token))
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = now()
    return True


def use_signin_link(session: Session, token: str | None) -> tuple[m.User, str] | None:
    """Spend a one-time link: returns (user, new session token), or None when unknown, used or expired.

    Spent by one conditional UPDATE (store/credentials.py), so of parallel opens exactly one signs in.
    """
    if not token or len(token) > 200:
        return None
    user_id = credentials.spend_signin_link(session, token_digest(token), now())
    if user_id is None:
        return None
    return user_rows.user(session, user_id), new_session(session, user_id)


def revoke_user_tokens(session: Session, user_id: int, kinds: tuple[str, ...] = ("session", "api", "signin_link")) -> int:
    """End every live session, API token and sign-in link of a user at once."""
    return credentials.revoke_all(session, user_id, kinds, now())


# ---- passwords and the sign-in throttle (rushes.services.throttle) -----------------------------

@dataclass(frozen=True)
class SignIn:
    user: m.User | None
    wait_seconds: float = 0.0  # > 0: refused unchecked, try again after this long

    @property
    def limited(self) -> bool:
        return self.wait_seconds > 0


def hash_password(password: str) -> str:
    if len(password or "") < 8:
        raise Conflict("a password has at least 8 characters")
    return _hasher.hash(password)


def check_password(session: Session, email: str, password: str, address: str) -> SignIn:
    """Verify a password once the throttle admits the attempt; the attempt is counted before it is checked."""
    email = (email or "").strip().lower()[:320]
    address = (address or "unknown")[:64]
    if unstorable(email) or unstorable(address):
        email, address = "", "unstorable"  # names no account; PostgreSQL could not even store it as a key
    wait = throttle.begin_attempt(session, email, address)
    if wait:
        return SignIn(None, wait_seconds=wait)
    user = user_rows.by_email(session, email) if email else None
    try:
        ok: bool = _hasher.verify(user.password_hash if user and user.password_hash else _DUMMY_HASH, password or "")
        ok = ok and user is not None and user.password_hash is not None
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        return SignIn(None)
    throttle.succeeded(session, email, address)
    assert user is not None and user.password_hash is not None  # what ok stands for
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return SignIn(user)


def authors_for_guests(session: Session, views: list[dict], model) -> list[dict]:
    """Views of notes or replies as a guest may read them: a member author by display name, never by email."""
    ids = [v["id"] for v in views]
    if not ids:
        return views
    names = {row_id: display_name(user) for row_id, user in user_rows.authors(session, model, ids)}
    return [{**v, "author": names[v["id"]]} if v["id"] in names else v for v in views]

"""An invitation's link: it joins a studio only as its invitee.

Opened by whoever is signed in as the invited email, it asks them to join (a click: a same-origin
form with their CSRF token). For an email with no account yet, its holder chooses a password and
joins that one studio. Anybody else is told to sign in as the invitee; nothing here signs anyone
in as an existing account.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from rushes.services import members, users
from rushes.services.errors import Conflict, NotFound
from rushes.store import models as m
from rushes.store import studios
from rushes.store import users as user_rows
from rushes.web.access import CSRF_FIELD, access, current
from rushes.web.deps import get_session
from rushes.web.pages.auth import _landing, _page, _signed_in

router = APIRouter(include_in_schema=False)
GONE = "This invitation has expired, was already used or was withdrawn. Ask the studio for a new one."


def _offer(request: Request, session: Session, inv: m.Invitation, token: str, status: int = 200, error: str = ""):
    me = current(request)
    studio = studios.studio(session, inv.account_id)
    if me is not None and me.email == inv.email:
        mode = "accept"
    elif me is not None:
        mode = "other"
    elif users.user_by_email(session, inv.email) is None:
        mode = "new"
    else:
        mode = "signin"
    return _page(request, "invite.html", status, mode=mode, studio=studio.name, role=inv.role, email=inv.email,
                 token=token, error=error, csrf_token=me.csrf if me is not None else None,
                 signin_next=f"/invite/{token}", me=me.email if me is not None else None)


@router.get("/invite/{invite_token}")
@access(public=True)
def open_invitation(invite_token: str, request: Request, session: Session = Depends(get_session, scope="function")):
    inv = members.by_token(session, invite_token)
    if inv is None:
        return _page(request, "refused.html", 404, status=404, message=GONE)
    return _offer(request, session, inv, invite_token)


@router.post("/invite/{invite_token}")
@access(public=True)
def answer_invitation(invite_token: str, request: Request, password: str = Form("", max_length=500),
                      display_name: str = Form("", max_length=200), csrf_token: str = Form("", alias=CSRF_FIELD),
                      session: Session = Depends(get_session, scope="function")):
    inv = members.by_token(session, invite_token)
    if inv is None:
        return _page(request, "refused.html", 404, status=404, message=GONE)
    me = current(request)
    if me is not None:
        # A signed-in browser joins only as itself, and only from this page (its own CSRF token).
        if me.email != inv.email or not hmac.compare_digest(csrf_token, me.csrf):
            return _offer(request, session, inv, invite_token, 403, "Sign in as the invited email to accept.")
        try:
            members.accept(session, user_rows.user(session, me.user_id), token=invite_token)
        except NotFound:  # taken by a parallel click a moment ago
            return _page(request, "refused.html", 404, status=404, message=GONE)
        return RedirectResponse(_landing(session, me.user_id), status_code=303)
    try:
        user, _ = members.join_as_new_user(session, invite_token, password, display_name)
    except Conflict as refused:
        return _offer(request, session, inv, invite_token, 409, refused.message)
    except NotFound:
        return _page(request, "refused.html", 404, status=404, message=GONE)
    return _signed_in(request, session, user, users.new_session(session, user.id), None)

"""Sign-in, sign-out, one-time sign-in links and the guest review link's landing."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy.orm import Session

from rushes.domain.text import unstorable
from rushes.services import sharing, users
from rushes.store import models as m
from rushes.store import studios
from rushes.web.schemas import OptionalQueryId
from rushes.web.access import GUEST_COOKIE, SESSION_COOKIE, access, current
from rushes.web.deps import get_session
from rushes.web.pages.helpers import templates

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: never //elsewhere or a scheme (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target or len(target) > 500:
        return None
    return target


def _landing(session: Session, user_id: int) -> str:
    """The Script Hub of the member's first project, else the project list."""
    project = studios.first_project_of_member(session, user_id)
    return f"/projects/{project}" if project else "/"


def _set_cookie(request: Request, response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="lax", path="/",
                        secure=request.url.scheme == "https")


def _signed_in(request: Request, session: Session, user: m.User, token: str, target: str | None):
    response = RedirectResponse(_safe_next(target) or _landing(session, user.id), status_code=303)
    _set_cookie(request, response, SESSION_COOKIE, token, users.SESSION_DAYS * 86400)
    return response


def _page(request: Request, name: str, status_code: int = 200, **ctx) -> HTMLResponse:
    return templates.TemplateResponse(request, name, {"request": request, "bare": True, **ctx}, status_code=status_code)


@router.get("/signin", response_class=HTMLResponse)
@access(public=True)
def signin_page(request: Request, next: str | None = None, signed_out: bool = False):
    return _page(request, "signin.html", next=_safe_next(next) or "", signed_out=signed_out, email="")


@router.post("/signin", response_class=HTMLResponse)
@access(public=True)
def signin(request: Request, email: str = Form("", max_length=320), password: str = Form("", max_length=500),
           next: str = Form("", max_length=500), session: Session = Depends(get_session, scope="function")):
    if unstorable(email) or unstorable(next):  # a NUL would reach PostgreSQL (500) before any check
        return _page(request, "signin.html", 422, error="That is not an email address.", next="", email="")
    address = request.client.host if request.client else "unknown"
    result = users.check_password(session, email, password, address)
    if result.user is None:
        wait = int(result.wait_seconds + 0.999)
        message = (f"Too many failed sign-ins: try again in {_duration(wait)}, or ask a studio owner to clear the wait."
                   if result.limited else "That email and password do not match.")
        response = _page(request, "signin.html", 429 if result.limited else 401, error=message,
                         next=_safe_next(next) or "", email=email.strip()[:320])
        if result.limited:
            response.headers["Retry-After"] = str(wait)
        return response
    return _signed_in(request, session, result.user, users.new_session(session, result.user.id), next)


def _duration(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    return f"{(seconds + 59) // 60} minutes"


@router.get("/signin/link", response_class=HTMLResponse)
@access(public=True)
def signin_link_page(request: Request, token: str = Query("", max_length=200),
                     session: Session = Depends(get_session, scope="function")):
    """A one-time link (`rushes user link`, or the one printed at start) only shows whose it is and a button.

    Opening it signs nobody in: a cross-site GET (an image, a redirect) cannot put the victim's browser in
    the sender's account; the button's POST is same-origin, and the guard refuses a cross-site one.
    """
    user = users.token_user(session, token, "signin_link")
    if user is None:
        return _expired_link(request)
    response = _page(request, "signin_link.html", token=token, email=user.email)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/signin/link")
@access(public=True)
def signin_link(request: Request, token: str = Form("", max_length=200),
                session: Session = Depends(get_session, scope="function")):
    """Spend the link: signs in and lands on the Script Hub."""
    used = users.use_signin_link(session, token)
    if used is None:
        return _expired_link(request)
    user, session_token = used
    return _signed_in(request, session, user, session_token, None)


def _expired_link(request: Request) -> HTMLResponse:
    return _page(request, "signin.html", 404, next="", email="",
                 error="That sign-in link has expired or was already used. Ask for a new one.")


@router.get("/signout", response_class=HTMLResponse)
@access(public=True)
def signout_page(request: Request):
    principal = current(request)
    if principal is None:
        return RedirectResponse("/signin", status_code=303)
    return _page(request, "signout.html", me=principal.email, csrf_token=principal.csrf)


@router.post("/signout")
@access("reviewer")
def signout(request: Request, session: Session = Depends(get_session, scope="function")):
    """Revoke this browser's session (server side), then forget the cookie."""
    users.revoke_token(session, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/signin?signed_out=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/share/{share_token}")
@access(public=True)
def open_share(share_token: str, request: Request, session: Session = Depends(get_session, scope="function"),
               room: OptionalQueryId = None):
    """A guest review link: remember it in a cookie (so the player's media loads) and open the review."""
    link = sharing.live_share(session, share_token)
    if link is None:
        return _page(request, "refused.html", 404, status=404,
                     message="This review link has expired or was revoked. Ask the studio for a new one.")
    # ?room=ID: the link was handed out to join a live review session on its scene.
    target = f"/scenes/{link.scene_id}/review" + (f"?room={room}" if room else "")
    response = RedirectResponse(target, status_code=303)
    left = (users._aware(link.expires_at) - users.now()) if link.expires_at else timedelta(days=30)
    _set_cookie(request, response, GUEST_COOKIE, share_token, max(60, int(left.total_seconds())))
    return response

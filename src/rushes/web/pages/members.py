"""The members page (owners: invite, roles, removal, sign-in waits) and each member's account page
(their invitations and API tokens). Both call the JSON API in web/api/members.py from members.js."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from rushes.services import api_tokens, members, users
from rushes.store import studios
from rushes.store import users as user_rows
from rushes.web.access import access, current, signed_in
from rushes.web.deps import get_session
from rushes.web.pages.helpers import page_context, render
from rushes.web.schemas import EntityId

router = APIRouter(include_in_schema=False)


@router.get("/studios/{studio_id}/members", response_class=HTMLResponse)
@access("owner")
def members_page(studio_id: EntityId, request: Request, session: Session = Depends(get_session, scope="function")):
    # page_context finds the studio from the path (the guard resolved studio_id); it heads the page.
    return render("members.html", page_context(session, request, members=users.members_view(session, studio_id),
                                               invitations=members.pending_for_studio(session, studio_id),
                                               me_id=signed_in(request).user_id))


@router.get("/account", response_class=HTMLResponse)
@access("reviewer")
def account_page(request: Request, session: Session = Depends(get_session, scope="function")):
    me = user_rows.user(session, current(request).user_id)
    roles = users.roles_of(session, me.id)
    names = studios.names(session, list(roles))
    return render("account.html", page_context(
        session, request, user=me, display_name=users.display_name(me),
        studios=[{"id": sid, "name": names.get(sid, ""), "role": role} for sid, role in roles.items()],
        invitations=members.pending_for_user(session, me.email), tokens=api_tokens.list_tokens(session, me.id)))

"""Server-sent events for toasts, and the notification list with read/unread."""

from __future__ import annotations

import asyncio
import json

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from rushes.services.accounts import default_account
from rushes.services.errors import NotFound
from rushes.services.notifications import list_notifications, notification_view, unread_count
from rushes.store import models as m
from rushes.web.deps import get_session
from rushes.web.pagination import Page, finish, page_params

router = APIRouter(prefix="/api", tags=["notifications"])
EVENT_POLL_SECONDS = 0.25
STREAM_SECONDS = 300.0


def _newest_id(rushes) -> int:
    with rushes.db.session() as session:
        return session.scalar(select(func.coalesce(func.max(m.Notification.id), 0)))


def _since(rushes, after_id: int) -> list[dict]:
    with rushes.db.session() as session:
        account = default_account(session)
        return [notification_view(n) for n in list_notifications(session, account.id, after_id=after_id)]


@router.get("/events")
async def events(request: Request):
    """A stream of `notification` events; resumes after Last-Event-ID, else from now on."""
    rushes = request.app.state.rushes
    last = request.headers.get("last-event-id") or request.query_params.get("after")
    after = int(last) if last and last.isdigit() else await run_in_threadpool(_newest_id, rushes)

    async def stream():
        nonlocal after
        yield "retry: 1000\n\n"
        idle = 0
        # A stream ends after a while and the browser reconnects from its Last-Event-ID, so no
        # connection outlives a deploy or a restart for long.
        deadline = asyncio.get_running_loop().time() + STREAM_SECONDS
        while not getattr(request.app.state, "stopping", False) and asyncio.get_running_loop().time() < deadline:
            if await request.is_disconnected():
                return
            fresh = await run_in_threadpool(_since, rushes, after)
            for note in fresh:
                after = note["id"]
                yield f"id: {note['id']}\nevent: notification\ndata: {json.dumps(note)}\n\n"
            idle = 0 if fresh else idle + 1
            if idle and idle % 60 == 0:
                yield ": keep-alive\n\n"  # proxies close silent connections
            await asyncio.sleep(EVENT_POLL_SECONDS)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.get("/notifications")
def notifications(request: Request, response: Response, page: Page = Depends(page_params(50)),
                  session: Session = Depends(get_session)) -> dict:
    """Newest first with the account's unread count; paginated (`limit`, `after` = the last id seen)."""
    account = default_account(session)
    rows = list_notifications(session, account.id, limit=page.fetch(), before_id=page.cursor(int))
    items = [notification_view(n) for n in finish(request, response, page, rows, lambda n: n.id)]
    return {"unread": unread_count(session, account.id), "items": items}


@router.post("/notifications/{notification_id}/read")
def mark_read(notification_id: int, session: Session = Depends(get_session)) -> dict:
    from datetime import datetime, timezone

    note = session.get(m.Notification, notification_id)
    if note is None:
        raise NotFound(f"unknown notification {notification_id}")
    note.read_at = note.read_at or datetime.now(timezone.utc)
    return notification_view(note)

"""Server-sent events for toasts, and the notification list with read/unread."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from rushes.domain.text import MAX_ID
from rushes.services.errors import NotFound
from rushes.services.notifications import list_notifications, notification_view, unread_count
from rushes.store import notifications as notification_store
from rushes.web.access import access, signed_in
from rushes.web.deps import get_session
from rushes.web.pagination import Page, finish, page_params
from rushes.web.schemas import EntityId
from rushes.web.api.film_schemas import NotificationOut, Notifications

router = APIRouter(prefix="/api", tags=["notifications"])
STREAM_SECONDS = 300.0
KEEPALIVE_SECONDS = 15.0


@router.get("/events", response_class=StreamingResponse,
            responses={200: {"description": "server-sent events", "content": {"text/event-stream": {}}}})
async def events(request: Request,
                 last_event_id: Annotated[int | None, Header(alias="Last-Event-ID", ge=0, le=MAX_ID)] = None,
                 after: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None):
    """A stream of `notification` (and `job`) events; resumes after Last-Event-ID (or ?after=), else from now on.

    The stream waits on the process's broadcaster (services/broadcast.py): it holds no database
    connection and no lock while nothing happens. The cursor is an event id; anything else is
    refused with 422 rather than silently restarting from now (dropping the events missed).
    """
    after = last_event_id if last_event_id is not None else after
    studios = signed_in(request).studio_ids  # a stream carries only the caller's studios' events
    return StreamingResponse(_stream(request, request.app.state.broadcaster, after, studios), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


async def _stream(request: Request, broadcaster, after: int | None, studios: list[int]):
    loop = asyncio.get_running_loop()
    # A stream ends after a while and the browser reconnects from its Last-Event-ID, so no
    # connection outlives a deploy or a restart for long.
    deadline = loop.time() + STREAM_SECONDS
    allowed = set(studios)
    sub = broadcaster.subscribe(studios[0] if studios else None, accepts=lambda ev: ev.kind != "room" and ev.account_id in allowed)
    # (subscribed before the replay, so nothing falls between the two)
    try:
        yield "retry: 1000\n\n"  # the first line a page reads: from here on it misses nothing
        sent = after or 0
        missed = []
        for studio in (studios if after is not None else []):
            missed += await run_in_threadpool(broadcaster.replay, studio, after)
        for ev in sorted(missed, key=lambda e: e.id):
            sent = ev.id
            yield ev.sse()
        while not getattr(request.app.state, "stopping", False):
            left = deadline - loop.time()
            if left <= 0:
                return
            try:
                ev = await asyncio.wait_for(sub.queue.get(), min(KEEPALIVE_SECONDS, left))
            except TimeoutError:
                yield ": keep-alive\n\n"  # proxies close silent connections
                continue
            if ev.kind in ("overflow", "closed"):
                return
            if ev.id is not None:
                if ev.id <= sent:
                    continue  # already sent by the replay
                sent = ev.id
            yield ev.sse()
    finally:
        broadcaster.unsubscribe(sub)


@router.get("/notifications", response_model=Notifications)
def notifications(request: Request, response: Response, page: Page = Depends(page_params(50)),
                  session: Session = Depends(get_session, scope="function")) -> dict:
    """Newest first over the caller's studios, with their unread count; paginated (`limit`, `after` = the last id seen)."""
    studios = signed_in(request).studio_ids
    rows = list_notifications(session, studios, limit=page.fetch(), before_id=page.cursor(int))
    items = [notification_view(n) for n in finish(request, response, page, rows, lambda n: n.id)]
    return {"unread": unread_count(session, studios), "items": items}


@router.post("/notifications/{notification_id}/read", response_model=NotificationOut)
@access("reviewer")
def mark_read(notification_id: EntityId, session: Session = Depends(get_session, scope="function")) -> dict:
    from datetime import datetime, timezone

    note = notification_store.notification(session, notification_id)
    if note is None:
        raise NotFound(f"unknown notification {notification_id}")
    note.read_at = note.read_at or datetime.now(timezone.utc)
    return notification_view(note)

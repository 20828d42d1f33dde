"""One broadcaster per server process feeds every open event stream.

Open pages must cost nothing while nothing happens. A stream therefore holds no database connection
and no lock: it waits on an in-memory queue. One broadcaster per process learns what changed and
fans it out to the streams whose scope (today the account; with sign-in, the studio) it concerns.

- PostgreSQL: writers send `NOTIFY rushes_events` in the very transaction that adds a notification or
  moves a render job (a session hook below), so a wake-up is never seen before the rows it announces,
  and a rolled-back write announces nothing. The broadcaster LISTENs on one dedicated connection.
- SQLite: one shared poller reads the newest rows a few times a second through the read-only engine
  (no BEGIN IMMEDIATE), so it never stands in a writer's way however many pages are open.

Either way the rows are read once per wake-up for all streams, never once per stream.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from rushes.services.notifications import notification_view
from rushes.store import models as m
from rushes.store import notifications as notification_store
from rushes.store import rooms as room_store
from rushes.store.room_models import RoomEvent

log = logging.getLogger("rushes.broadcast")
CHANNEL = "rushes_events"
SQLITE_POLL_SECONDS = 0.25
PG_SAFETY_POLL_SECONDS = 5.0  # a missed NOTIFY (listener reconnecting) is caught up this late at worst
QUEUE_LIMIT = 256  # events a slow stream may lag behind before it is closed to resume from Last-Event-ID
JOB_FIELDS = ("state", "progress")


@dataclass(frozen=True)
class Event:
    """One thing a page may want to hear about, with the scope it belongs to."""

    kind: str  # notification | job | room
    account_id: int
    data: dict
    id: int | None = None  # notifications carry their id, the stream's Last-Event-ID

    def sse(self) -> str:
        head = f"id: {self.id}\n" if self.id is not None else ""
        return f"{head}event: {self.kind}\ndata: {json.dumps(self.data)}\n\n"


OVERFLOW = Event("overflow", 0, {})  # the stream fell too far behind: it ends, the browser resumes
CLOSED = Event("closed", 0, {})  # the server is stopping


@dataclass(eq=False)
class Subscription:
    """One open stream: its scope and its queue. `accepts` may narrow the scope further (e.g. a studio)."""

    account_id: int | None
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(QUEUE_LIMIT))
    accepts: Callable[[Event], bool] | None = None

    def wants(self, ev: Event) -> bool:
        if self.accepts is not None:
            return bool(self.accepts(ev))
        return self.account_id is not None and ev.account_id == self.account_id


class Broadcaster:
    """Reads what changed once per wake-up and hands it to every interested stream."""

    def __init__(self, rushes) -> None:
        self.rushes = rushes
        self.subscribers: set[Subscription] = set()
        self.high_water = 0  # newest notification id already fanned out
        self.job_mark = 0.0  # newest render_jobs.updated_at already fanned out (SQLite polling)
        self.room_mark = 0  # newest room_events.id already fanned out (SQLite polling)
        self.wakeups = 0  # rounds of reads done, for tests and benches
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None
        self._listener: threading.Thread | None = None
        self._stopping = threading.Event()
        self._pending_jobs: list[Event] = []

    # -- lifecycle -------------------------------------------------------------------------------
    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self.high_water, self.job_mark, self.room_mark = await asyncio.to_thread(self._marks)
        if not self.rushes.db.sqlite:
            self._listener = threading.Thread(target=self._listen, name="rushes-listen", daemon=True)
            self._listener.start()
        self._task = asyncio.create_task(self._run(), name="rushes-broadcaster")

    def poke(self) -> None:
        """Read now rather than at the next poll: a write in this process has just committed (rooms)."""
        if self._loop is not None and self._wake is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)

    def close_streams(self) -> None:
        """End every open stream now (server shutting down); safe to call from any thread."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._close_all)

    def _close_all(self) -> None:
        for sub in list(self.subscribers):
            _offer(sub, CLOSED)

    async def stop(self) -> None:
        self._stopping.set()
        self._close_all()
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass
        if self._listener is not None:
            await asyncio.to_thread(self._listener.join, 3.0)

    # -- streams ---------------------------------------------------------------------------------
    def subscribe(self, account_id: int | None, accepts=None) -> Subscription:
        sub = Subscription(account_id, accepts=accepts)
        self.subscribers.add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        self.subscribers.discard(sub)

    def replay(self, account_id: int | None, after_id: int, limit: int = 100) -> list[Event]:
        """Notifications of a scope newer than `after_id` (a stream resuming from Last-Event-ID); read-only."""
        if account_id is None:
            return []
        with self.rushes.db.read_session() as session:
            rows = notification_store.after(session, after_id, limit, account_id=account_id)
            return [_note_event(n) for n in rows]

    def scope_of_request(self) -> int | None:
        """The account a stream belongs to. Rushes serves one studio account for now: the first one."""
        with self.rushes.db.read_session() as session:
            return notification_store.first_studio_id(session)

    # -- the loop --------------------------------------------------------------------------------
    async def _run(self) -> None:
        timeout = SQLITE_POLL_SECONDS if self.rushes.db.sqlite else PG_SAFETY_POLL_SECONDS
        while not self._stopping.is_set():
            try:
                await asyncio.wait_for(self._wake.wait(), timeout)
            except TimeoutError:
                pass
            self._wake.clear()
            # Read even with no stream open, so the marks stay current and a new stream starts from now.
            try:
                events = await asyncio.to_thread(self._read)
            except Exception:  # a database hiccup must not end every stream; try again next round
                log.exception("broadcaster read failed")
                continue
            jobs, self._pending_jobs = self._pending_jobs, []
            self._fan_out(events + jobs)

    def _fan_out(self, events: list[Event]) -> None:
        for ev in events:
            for sub in list(self.subscribers):
                if sub.wants(ev):
                    _offer(sub, ev)

    def _marks(self) -> tuple[int, float, int]:
        with self.rushes.db.read_session() as session:
            newest = notification_store.newest_id(session)
            jobs = notification_store.newest_job_move(session)
            rooms = room_store.newest_event_id(session)
        return int(newest), float(jobs), int(rooms)

    def _read(self) -> list[Event]:
        """New notifications (and, on SQLite, moved jobs) since the last round: one or two reads for all streams."""
        self.wakeups += 1
        with self.rushes.db.read_session() as session:
            notes = notification_store.after(session, self.high_water, 500)
            events = [_note_event(n) for n in notes]
            if notes:
                self.high_water = notes[-1].id
            if self.rushes.db.sqlite:
                jobs = notification_store.jobs_moved_after(session, self.job_mark, 500)
                if jobs:
                    self.job_mark = jobs[-1].updated_at
                events += [Event("job", j.account_id, _job_view(j)) for j in jobs]
                rooms = room_store.events_after(session, self.room_mark)
                if rooms:
                    self.room_mark = rooms[-1].id
                events += [_room_event(r) for r in rooms]
        return events

    # -- PostgreSQL LISTEN -----------------------------------------------------------------------
    def _listen(self) -> None:
        """Hold the one LISTEN connection of this process; reconnect after errors until stopped."""
        import psycopg

        from sqlalchemy.engine import make_url

        url = make_url(self.rushes.db.url).set(drivername="postgresql")
        dsn = url.render_as_string(hide_password=False)
        failures = 0
        while not self._stopping.is_set():
            try:
                with psycopg.connect(dsn, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    failures = 0
                    self._loop.call_soon_threadsafe(self._wake.set)  # catch up on anything sent while away
                    while not self._stopping.is_set():
                        for note in conn.notifies(timeout=0.5):
                            self._loop.call_soon_threadsafe(self._notified, note.payload)
            except Exception:
                if self._stopping.is_set():
                    return
                failures += 1
                # The traceback once per outage: a database that stays away must not fill the log.
                log.warning("LISTEN connection lost (%d tries); reconnecting", failures, exc_info=failures == 1)
                self._stopping.wait(1.0)

    def _notified(self, payload: str) -> None:
        try:
            data = json.loads(payload)
        except ValueError:
            data = {}
        if data.get("kind") == "job":
            # A job's news rides in the payload: no read needed to pass it on.
            self._pending_jobs.append(Event("job", int(data["account_id"]), data["job"]))
        elif data.get("kind") == "room":
            self._pending_jobs.append(Event("room", int(data["account_id"]), data["event"]))
        self._wake.set()


def _offer(sub: Subscription, ev: Event) -> None:
    try:
        sub.queue.put_nowait(ev)
    except asyncio.QueueFull:
        # Too far behind: end this stream; the browser reconnects and replays from its Last-Event-ID.
        while not sub.queue.empty():
            sub.queue.get_nowait()
        sub.queue.put_nowait(OVERFLOW)


def _note_event(n: m.Notification) -> Event:
    return Event("notification", n.account_id, notification_view(n), id=n.id)


def _room_event(row: RoomEvent) -> Event:
    return Event("room", row.account_id, {**row.data, "event_id": row.id})


def _job_view(job: m.RenderJob) -> dict:
    return {"id": job.id, "take_id": job.take_id, "scene_id": job.scene_id, "shot_id": job.shot_id,
            "kind": job.kind, "state": job.state, "progress": round(job.progress or 0.0, 3)}


# -- the writers' side: NOTIFY in the same transaction -------------------------------------------
def install_notify(db) -> None:
    """On PostgreSQL, make every session of `db` announce new notifications and job moves on commit."""
    if db.sqlite or getattr(db, "_announcing", False):
        return
    event.listen(db.sessions, "after_flush", _announce)
    db._announcing = True


def _announce(session: Session, _context) -> None:
    payloads = []
    for obj in session.new:
        if isinstance(obj, m.Notification):
            payloads.append({"kind": "notification", "id": obj.id, "account_id": obj.account_id})
        elif isinstance(obj, RoomEvent):
            # The event rides in the payload (well under NOTIFY's 8000 bytes): no read to pass it on.
            payloads.append({"kind": "room", "account_id": obj.account_id, "event": {**obj.data, "event_id": obj.id}})
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, m.RenderJob) and (obj in session.new or _moved(obj)):
            payloads.append({"kind": "job", "account_id": obj.account_id, "job": _job_view(obj)})
    if payloads:
        # pg_notify is transactional: delivered at COMMIT, dropped on ROLLBACK. Same-payload repeats
        # within a transaction are folded by PostgreSQL, which is what we want.
        notification_store.pg_notify(session, CHANNEL, [json.dumps(payload) for payload in payloads])


def _moved(job: m.RenderJob) -> bool:
    state = inspect(job)
    return any(state.attrs[name].history.has_changes() for name in JOB_FIELDS)

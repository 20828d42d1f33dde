"""Threads under review notes: replies in the order they were written, each naming its author."""

from __future__ import annotations

from sqlalchemy import func, select

from rushes.services.errors import Conflict, NotFound
from rushes.store import models as m

MAX_REPLIES_PER_NOTE = 500  # a thread longer than this is a conversation for somewhere else


def reply_view(reply: m.NoteReply) -> dict:
    return {"id": reply.id, "issue_id": reply.issue_id, "author": reply.author_name, "body": reply.body,
            "created_at": reply.created_at.isoformat()}


def _live_issue(session, issue_id: int) -> m.ReviewIssue:
    issue = session.get(m.ReviewIssue, issue_id)
    if issue is None or issue.deleted_at is not None:
        raise NotFound(f"unknown issue {issue_id}")
    return issue


def list_replies(session, issue_id: int) -> list[dict]:
    _live_issue(session, issue_id)
    rows = session.scalars(select(m.NoteReply).where(m.NoteReply.issue_id == issue_id).order_by(m.NoteReply.id))
    return [reply_view(r) for r in rows]


def add_reply(app, issue_id: int, body: str, author_name: str, author_user_id: int | None) -> dict:
    text = body.strip()
    if not text:
        raise Conflict("write the reply first")
    with app.db.session() as session:
        issue = _live_issue(session, issue_id)
        count = session.scalar(select(func.count()).select_from(m.NoteReply).where(m.NoteReply.issue_id == issue.id))
        if count >= MAX_REPLIES_PER_NOTE:
            raise Conflict(f"this note already has {MAX_REPLIES_PER_NOTE} replies")
        reply = m.NoteReply(issue_id=issue.id, body=text, author_name=author_name, author_user_id=author_user_id)
        session.add(reply)
        session.flush()
        return reply_view(reply)


def reply_counts(session, issue_ids: list[int]) -> dict[int, int]:
    """Replies per note for a page of notes, in one query."""
    if not issue_ids:
        return {}
    rows = session.execute(select(m.NoteReply.issue_id, func.count()).where(m.NoteReply.issue_id.in_(issue_ids))
                           .group_by(m.NoteReply.issue_id))
    return {issue_id: n for issue_id, n in rows}

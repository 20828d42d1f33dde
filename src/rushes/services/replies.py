"""Threads under review notes: replies in the order they were written, each naming its author."""

from __future__ import annotations

from rushes.services.errors import Conflict, NotFound
from rushes.store import models as m
from rushes.store import notes as note_store

MAX_REPLIES_PER_NOTE = 500  # a thread longer than this is a conversation for somewhere else


def reply_view(reply: m.NoteReply) -> dict:
    return {"id": reply.id, "issue_id": reply.issue_id, "author": reply.author_name, "body": reply.body,
            "created_at": reply.created_at.isoformat()}


def _live_issue(session, issue_id: int) -> m.ReviewIssue:
    issue = note_store.live_issue(session, issue_id)
    if issue is None:
        raise NotFound(f"unknown issue {issue_id}")
    return issue


def list_replies(session, issue_id: int) -> list[dict]:
    _live_issue(session, issue_id)
    return [reply_view(r) for r in note_store.replies_of(session, issue_id)]


def add_reply(rushes, issue_id: int, body: str, author_name: str, author_user_id: int | None) -> dict:
    text = body.strip()
    if not text:
        raise Conflict("write the reply first")
    with rushes.db.session() as session:
        issue = _live_issue(session, issue_id)
        count = note_store.reply_count(session, issue.id)
        if count >= MAX_REPLIES_PER_NOTE:
            raise Conflict(f"this note already has {MAX_REPLIES_PER_NOTE} replies")
        reply = m.NoteReply(issue_id=issue.id, body=text, author_name=author_name, author_user_id=author_user_id)
        session.add(reply)
        session.flush()
        return reply_view(reply)


def reply_counts(session, issue_ids: list[int]) -> dict[int, int]:
    """Replies per note for a page of notes, in one query."""
    return note_store.reply_counts(session, issue_ids)

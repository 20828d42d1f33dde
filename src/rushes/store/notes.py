"""Queries of review notes (ReviewIssue) and their reply threads."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rushes.domain.issues import OPEN_STATUSES, IssueStatus
from rushes.store import models as m

Issue = m.ReviewIssue
_LIVE = Issue.deleted_at.is_(None)
_OPEN = Issue.status.in_([str(s) for s in OPEN_STATUSES])


def live_issue(session: Session, issue_id: int) -> m.ReviewIssue | None:
    """The note, or None when there is none or it was deleted."""
    issue = session.get(Issue, issue_id)
    return issue if issue is not None and issue.deleted_at is None else None


def any_issue(session: Session, issue_id: int) -> m.ReviewIssue | None:
    return session.get(Issue, issue_id)


def scene_issues(session: Session, scene_id: int, open_only: bool = False, after: tuple[float, int] | None = None,
                 limit: int | None = None) -> list[m.ReviewIssue]:
    """A scene's live notes in scene-time order; `after` = (scene_time, id) of the last one seen."""
    query = select(Issue).where(Issue.scene_id == scene_id, _LIVE)
    if open_only:
        query = query.where(_OPEN)
    if after is not None:
        time, last_id = after
        query = query.where((Issue.scene_time > time) | ((Issue.scene_time == time) & (Issue.id > last_id)))
    return list(session.scalars(query.order_by(Issue.scene_time, Issue.id).limit(limit)))


def same_note(session: Session, scene_id: int, take_id: int, frame: int, text_key: str) -> int | None:
    """The id of a live note with the same words on the same frame of the take, if any."""
    return session.scalar(select(Issue.id).where(
        Issue.scene_id == scene_id, Issue.take_id == take_id, Issue.frame == frame, Issue.text_key == text_key,
        _LIVE).limit(1))


def open_issues_of_shot(session: Session, shot_id: int) -> list[m.ReviewIssue]:
    return list(session.scalars(select(Issue).where(Issue.shot_id == shot_id, _OPEN, _LIVE)))


def open_issues(session: Session, scene_id: int, ids: list[int] | None = None,
                stage: int | None = None) -> list[m.ReviewIssue]:
    """A scene's open notes by id: all of them, the chosen ones, or those of one stage."""
    query = select(Issue).where(Issue.scene_id == scene_id, _LIVE, _OPEN)
    if ids is not None:
        query = query.where(Issue.id.in_(ids))
    if stage is not None:
        query = query.where(Issue.stage == stage)
    return list(session.scalars(query.order_by(Issue.id)))


def routed_route_ids(session: Session, scene_id: int) -> set[int]:
    """Routes of a scene that still have a note waiting on them."""
    return set(session.scalars(select(Issue.route_id).where(
        Issue.scene_id == scene_id, Issue.status == IssueStatus.ROUTED, _LIVE)))


def overridden_issues(session: Session) -> list[m.ReviewIssue]:
    return list(session.scalars(select(Issue).where(Issue.overridden.is_(True)).order_by(Issue.id)))


def open_counts_by_stage(session: Session, scene_ids: list[int]) -> list[tuple[int, int | None, int]]:
    """(scene id, stage, open notes) for each scene and stage, one query."""
    return [tuple(r) for r in session.execute(select(Issue.scene_id, Issue.stage, func.count()).where(  # type: ignore[misc]  # SQLAlchemy's loose typing
        Issue.scene_id.in_(scene_ids), _LIVE, _OPEN).group_by(Issue.scene_id, Issue.stage))]


def open_counts_by_shot(session: Session, scene_ids: list[int]) -> list[tuple[int, int, int]]:
    """(scene id, shot id, open notes), one query."""
    return [tuple(r) for r in session.execute(select(Issue.scene_id, Issue.shot_id, func.count()).where(  # type: ignore[misc]  # SQLAlchemy's loose row/result typing
        Issue.scene_id.in_(scene_ids), _LIVE, _OPEN).group_by(Issue.scene_id, Issue.shot_id))]


def open_counts_by_scene(session: Session, scene_ids: list[int]) -> dict[int, int]:
    return dict(session.execute(select(Issue.scene_id, func.count()).where(
        Issue.scene_id.in_(scene_ids), _LIVE, _OPEN).group_by(Issue.scene_id)).all())


def routed_to_stage(session: Session, scene_id: int, stage: int) -> list[m.ReviewIssue]:
    """A scene's open notes routed to one stage, oldest first."""
    return list(session.scalars(select(Issue).where(Issue.scene_id == scene_id, Issue.stage == stage, _LIVE, _OPEN)
                                .order_by(Issue.id)))


def open_issues_of_scenes(session: Session, scene_ids) -> list[m.ReviewIssue]:
    """Open notes of many scenes (a list or a subquery of ids), by scene, frame and id."""
    return list(session.scalars(select(Issue).where(Issue.scene_id.in_(scene_ids), _LIVE, _OPEN)
                                .order_by(Issue.scene_id, Issue.frame, Issue.id)))


def qc_notes_of_shot(session: Session, shot_id: int, statuses) -> list[tuple[m.ReviewIssue, m.QcFinding]]:
    """Live notes of a shot accepted from a QC finding, with that finding."""
    return [tuple(r) for r in session.execute(  # type: ignore[misc]  # SQLAlchemy's loose row/result typing
        select(Issue, m.QcFinding).join(m.QcFinding, m.QcFinding.note_id == Issue.id)
        .where(Issue.shot_id == shot_id, _LIVE, Issue.status.in_([str(s) for s in statuses])))]


# -- replies -----------------------------------------------------------------------------------------

def replies_of(session: Session, issue_id: int) -> list[m.NoteReply]:
    return list(session.scalars(select(m.NoteReply).where(m.NoteReply.issue_id == issue_id).order_by(m.NoteReply.id)))


def reply_count(session: Session, issue_id: int) -> int:
    return session.scalar(select(func.count()).select_from(m.NoteReply).where(m.NoteReply.issue_id == issue_id)) or 0


def reply_counts(session: Session, issue_ids: list[int]) -> dict[int, int]:
    """Replies per note for a page of notes, in one query."""
    if not issue_ids:
        return {}
    rows = session.execute(select(m.NoteReply.issue_id, func.count()).where(m.NoteReply.issue_id.in_(issue_ids))
                           .group_by(m.NoteReply.issue_id))
    return dict(rows.all())  # a Result has keys(): dict(rows) would read it as a mapping

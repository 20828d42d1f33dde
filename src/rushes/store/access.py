"""Which studio (and which scene) an id belongs to: the queries access control resolves every id through.

OWNERS maps an id's name, as it appears in a route's path (`/api/shots/{shot_id}`) or a JSON body,
to a query yielding (studio id, scene id or None) rows for that id. A route whose path names an id
not in this table is refused (see rushes.web.access), so a new kind of id must be added here:

    OWNERS["note_id"] = lambda v: _scene_rows(select(m.Note.scene_id).where(m.Note.id == v))

Media keys are content-addressed and can be shared by scenes of several studios, so "key" may yield
several rows; being a member of any of them is enough.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Select, literal, null, select, union
from sqlalchemy.orm import Session

from rushes.store import models as m
from rushes.store.room_models import ReviewRoom, RoomParticipant

Owner = tuple[int, "int | None"]


def _scene_rows(scene_ids) -> Select:
    """(studio, scene) of the scenes whose ids the subquery yields."""
    return (select(m.Project.account_id, m.Scene.id).join(m.Scene, m.Scene.project_id == m.Project.id)
            .where(m.Scene.id.in_(scene_ids)))


def _via_shot(shot_ids) -> Select:
    return _scene_rows(select(m.Shot.scene_id).where(m.Shot.id.in_(shot_ids)))


def _media(key: str) -> Select:
    """Every scene whose frames, clips (picture, poster, thumbnail strip) or notes' stills use this content."""
    shots = union(
        select(m.Frame.shot_id).where(m.Frame.media_key == key),
        select(m.Clip.shot_id).where(m.Clip.media_key == key),
        select(m.Clip.shot_id).where(m.Clip.poster_key == key),
        select(m.Clip.shot_id).where(m.Clip.strip_key == key),
        select(m.Clip.shot_id).where(m.Clip.waveform_key == key),
        # A note's still (its frame with the drawing) is seen by whoever may see the note.
        select(m.ReviewIssue.shot_id).where(m.ReviewIssue.still_key == key, m.ReviewIssue.deleted_at.is_(None)),
    )
    return _via_shot(shots)


OWNERS: dict[str, Callable[[object], Select]] = {
    "project_id": lambda v: select(m.Project.account_id, null()).where(m.Project.id == v),
    "scene_id": lambda v: _scene_rows(select(literal(v))),
    "shot_id": lambda v: _via_shot(select(literal(v))),
    "take_id": lambda v: _scene_rows(select(m.Take.scene_id).where(m.Take.id == v)),
    "job_id": lambda v: select(m.RenderJob.account_id, m.RenderJob.scene_id).where(m.RenderJob.id == v),
    "issue_id": lambda v: _scene_rows(select(m.ReviewIssue.scene_id).where(m.ReviewIssue.id == v,
                                                                           m.ReviewIssue.deleted_at.is_(None))),
    "notification_id": lambda v: select(m.Notification.account_id, m.Notification.scene_id)
    .where(m.Notification.id == v),
    "element_id": lambda v: _scene_rows(select(m.VisualElement.scene_id).where(m.VisualElement.id == v)),
    "share_id": lambda v: _scene_rows(select(m.ShareLink.scene_id).where(m.ShareLink.id == v)),
    "studio_id": lambda v: select(m.Account.id, null()).where(m.Account.id == v),
    "finding_id": lambda v: _scene_rows(select(m.QcFinding.scene_id).where(m.QcFinding.id == v)),
    "room_id": lambda v: _scene_rows(select(ReviewRoom.scene_id).where(ReviewRoom.id == v)),
    "participant_id": lambda v: _scene_rows(select(ReviewRoom.scene_id).join(RoomParticipant, RoomParticipant.room_id == ReviewRoom.id)
                                            .where(RoomParticipant.id == v)),
    "clip_id": lambda v: _via_shot(select(m.Clip.shot_id).where(m.Clip.id == v)),
    "key": _media,  # type: ignore[dict-item]  # SQLAlchemy's loose row/result typing
    # A member's user id, in the studio the same path names (/studios/{studio_id}/members/{member_id}).
    "member_id": lambda v: select(m.Membership.account_id, null()).where(m.Membership.user_id == v),
    "invitation_id": lambda v: select(m.Invitation.account_id, null()).where(m.Invitation.id == v),
}
# Ids whose value is a string; every other id is a positive integer.
TEXT_IDS = {"key"}


def owners(session: Session, name: str, value) -> list[Owner]:
    """The (studio, scene) rows an id belongs to; [] when it names nothing. KeyError for an unknown kind."""
    query = OWNERS[name]
    if name not in TEXT_IDS:
        text = str(value)
        if not (text.isascii() and text.isdigit()) or len(text) > 18:
            return []
        value = int(text)
    elif not isinstance(value, str) or len(value) > 200:
        return []
    return [(int(a), int(s) if s is not None else None) for a, s in session.execute(query(value)).all()]


def studio_of_scene(session: Session, scene_id: int) -> int | None:
    """The studio a scene belongs to; None when there is no such scene."""
    return session.scalar(select(m.Project.account_id).join(m.Scene, m.Scene.project_id == m.Project.id)
                          .where(m.Scene.id == scene_id))

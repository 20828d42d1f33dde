"""Two studios with real rows of every kind, for access tests: "ours" (the demo) and "theirs"."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from rushes.services.accounts import grant
from rushes.services.confirm import confirm_take
from rushes.services.demo import create_demo
from rushes.services.members import invite
from rushes.services.sharing import create_share
from rushes.services.users import studio_named
from rushes.store import models as m
from tests.integration.conftest import Member, add_test_member, work_until_idle


@dataclass
class Studio:
    studio_id: int
    demo: dict
    owner: Member
    ids: dict          # path parameter name -> a real id of this studio (scene 1 of its project)
    share_token: str   # a guest link to scene 1 (notes allowed)


def build_studio(rushes, name: str | None = None, style: str | None = None) -> Studio:
    """The demo project in a studio, with a rendered take, a note, a notification and a share link."""
    if name is None:
        demo = create_demo(rushes)
    else:
        with rushes.db.session() as session:
            studio_id = studio_named(session, name).id
            grant(session, studio_id, 5000, "test credits")
        demo = create_demo(rushes, studio_id=studio_id, name=f"{name} film", style=style)
    owner = add_test_member(rushes, "owner", demo["studio_id"])
    scene_id = demo["scene_ids"][0]
    take_id, _ = confirm_take(rushes, scene_id, f"{name or 'ours'}-take", user_id=owner.user_id)
    work_until_idle(rushes, take_id=take_id)
    with rushes.db.session() as session:
        shot_id = session.scalar(select(m.Shot.id).where(m.Shot.scene_id == scene_id).order_by(m.Shot.id).limit(1))
        slot = session.scalar(select(m.TakeSlot).where(m.TakeSlot.take_id == take_id).order_by(m.TakeSlot.position))
        issue = m.ReviewIssue(scene_id=scene_id, take_id=take_id, shot_id=shot_id, clip_id=slot.clip_id, scene_time=1.0,
                              shot_time=1.0, category="timing", description="too slow", stage=7)
        session.add(issue)
        session.flush()
        job_id = session.scalar(select(m.RenderJob.id).where(m.RenderJob.take_id == take_id).limit(1))
        element_id = session.scalar(select(m.VisualElement.id).where(m.VisualElement.scene_id == scene_id).limit(1))
        notification_id = session.scalar(select(m.Notification.id).where(m.Notification.take_id == take_id))
        frame_key = session.scalar(select(m.Frame.media_key).where(m.Frame.shot_id == shot_id).limit(1))
        finding = m.QcFinding(take_id=take_id, scene_id=scene_id, shot_id=shot_id, clip_id=slot.clip_id, shot_code="1A",
                              kind="black_frames", frame=3, scene_time=0.125, measure=1.0, threshold=0.5, stage=10,
                              message="black frames")
        session.add(finding)
        session.flush()
        link, token = create_share(session, scene_id, owner.user_id, None, True)
        invitation, invite_token = invite(session, demo["studio_id"], f"invitee-{demo['studio_id']}@test.rushes",
                                          "reviewer", owner.user_id)
        api_token_id = session.scalar(select(m.AuthToken.id).where(m.AuthToken.user_id == owner.user_id,
                                                                   m.AuthToken.kind == "api"))
        ids = {"project_id": demo["project_id"], "scene_id": scene_id, "shot_id": shot_id, "take_id": take_id,
               "job_id": job_id, "issue_id": issue.id, "notification_id": notification_id, "element_id": element_id,
               "share_id": link.id, "finding_id": finding.id, "studio_id": demo["studio_id"], "key": frame_key, "stage": 7, "format": "otio",
               "share_token": token, "member_id": owner.user_id, "invitation_id": invitation.id,
               "invite_token": invite_token, "my_invitation_id": invitation.id, "my_token_id": api_token_id}
    from rushes.services.rooms import Who, start_room

    room = start_room(rushes, scene_id, Who(user_id=owner.user_id), "Owner")
    ids.update(room_id=room["id"], participant_id=room["me"])
    assert all(v is not None for v in ids.values()), ids
    return Studio(demo["studio_id"], demo, owner, ids, token)

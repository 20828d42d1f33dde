"""Stage 11 checkout: the take plan with each shot's frame pair and prompt, credits and balance after."""

from __future__ import annotations

from sqlalchemy.orm import Session

from rushes.services.accounts import balance
from rushes.services.confirm import _latest_take_is_whole, scene_plan
from rushes.services.fix_costs import take_frame_costs
from rushes.services.snapshot import SceneSnapshot
from rushes.services.views import media_url
from rushes.store import models as m


def checkout(app, session: Session, snap: SceneSnapshot) -> dict:
    """The plan as GET /api/scenes/{id}/plan and the stage 11 page show it."""
    plan = scene_plan(app, session, snap)
    project = session.get(m.Project, snap.scene.project_id)
    available = balance(session, project.account_id)
    body = plan.as_dict()
    for row, shot in zip(body["shots"], plan.shots):
        check = snap.assessment.shots[shot.index]
        start = snap.frames.get((shot.shot_id, "start"))
        end = snap.frames.get((shot.shot_id, "end"))
        row.update({
            "index": shot.index,
            "video_prompt": check.video_prompt,
            "prompt_override": bool(snap.prompts.get(shot.shot_id) and snap.prompts[shot.shot_id].override_video_prompt),
            "start_frame_only": check.start_frame_only,
            "start_frame_url": media_url(start.media_key) if start else None,
            "end_frame_url": media_url(end.media_key) if (end and not check.start_frame_only) else None,
            "start_state": check.start.freshness.value,
            "end_state": check.end.freshness.value if check.end else None,
        })
    rendering = snap.latest_take is not None and snap.latest_take.finished_at is None
    body.update({
        "scene_title": snap.scene.title,
        "scene_number": snap.scene.number,
        "balance": available,
        "balance_after": available - plan.total_credits,
        "affordable": plan.total_credits <= available,
        "rendering_take_id": snap.latest_take.id if rendering else None,
        # The same rule Confirm enforces: a take that already matches every shot is not bought again.
        "nothing_to_render": (nothing := not plan.to_render and _latest_take_is_whole(session, snap)),
        "can_confirm": plan.renderable and plan.total_credits <= available and not rendering and not nothing,
        "price_per_second": app.prices.per_second(plan.spec),
    })
    # The whole cost of this take, not only what Confirm charges: the frames redrawn for it at Stage 10.
    frames = take_frame_costs(app, session, snap, body["shots"])
    body.update({"frames": frames,
                 "all_credits": plan.total_credits + frames["spent_credits"] + frames["due_credits"]})
    return body

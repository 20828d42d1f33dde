"""Stage 11 checkout: the take plan with each shot's frame pair and prompt, credits and balance after."""

from __future__ import annotations

from sqlalchemy.orm import Session

from rushes.services.accounts import balance
from rushes.domain.render_choice import options
from rushes.services.budgets import budget_view
from rushes.services.confirm import TakeOrder, _latest_take_is_whole, scene_plan
from rushes.services.fix_costs import take_frame_costs
from rushes.services.snapshot import SceneSnapshot
from rushes.services.views import media_url
from rushes.store import budgets


def checkout(rushes, session: Session, snap: SceneSnapshot, order: TakeOrder | None = None, draws=None) -> dict:
    """The plan as GET /api/scenes/{id}/plan and the stage 11 page show it, for the user's order if any
    (`order`: model, resolution, sound, ticked shots; `draws`: retakes, variants)."""
    plan = scene_plan(rushes, session, snap, order, draws)
    project = budgets.project(session, snap.scene.project_id)
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
        "price_per_second": rushes.prices.per_second(plan.spec),
        # What Stage 11 lets the user choose, priced from the same table, and where the project's budget stands.
        "options": options(rushes.prices, rushes.render_spec),
        "chosen": {"model": plan.spec.model, "resolution": plan.spec.resolution, "audio": plan.spec.generate_audio,
                   "shot_ids": None if order is None or order.shot_ids is None else list(order.shot_ids)},
        "budget": budget_view(session, project, plan.total_credits),
        "draws": draws.as_dict() if draws is not None else None,
    })
    if order is not None and order.shot_ids is not None and not plan.to_render:
        body["can_confirm"] = False
    # The whole cost of this take, not only what Confirm charges: the frames redrawn for it at Stage 10.
    frames = take_frame_costs(rushes, session, snap, body["shots"])
    body.update({"frames": frames,
                 "all_credits": plan.total_credits + frames["spent_credits"] + frames["due_credits"]})
    return body

"""Stage 11 Confirm & Render: plan the take, then charge, create it and enqueue its jobs in one transaction."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from rushes.domain.planning import TakePlan, plan_take
from rushes.domain.shots import parse_dialogue
from rushes.domain.text import unstorable
from rushes.services.accounts import InsufficientCredits, account_of_scene, balance, lock_account
from rushes.services.errors import Conflict, NotFound
from rushes.services.snapshot import SceneSnapshot, load_scene
from rushes.store import models as m


def reusable_clips(session, shot_ids: list[int]) -> dict[int, dict[str, int]]:
    """Every kept clip by shot and inputs digest: any earlier version can come back at no cost."""
    found: dict[int, dict[str, int]] = {}
    rows = session.execute(select(m.Clip.shot_id, m.Clip.inputs_digest, m.Clip.id)
                           .where(m.Clip.shot_id.in_(shot_ids)).order_by(m.Clip.id))
    for shot_id, digest, clip_id in rows:
        found.setdefault(shot_id, {})[digest] = clip_id
    return found


def scene_plan(app, session, snap: SceneSnapshot) -> TakePlan:
    return plan_take(snap.assessment, reusable_clips(session, snap.shot_ids), app.render_spec, app.prices)


def _job_payload(snap: SceneSnapshot, plan_shot) -> dict:
    fields = snap.state.shots[plan_shot.index].fields
    inputs = plan_shot.inputs
    return {
        "code": plan_shot.code,
        "prompt": inputs["video_prompt"],
        "start_key": inputs["start"],
        "end_key": inputs["end"],
        "duration": plan_shot.duration,
        "render_seconds": plan_shot.render_seconds,
        "render": inputs["render"],
        "dialogue": [[speaker, line] for speaker, line in parse_dialogue(fields.dialogue)],
        "inputs": inputs,
        "inputs_digest": plan_shot.inputs_digest,
    }


def _latest_take_is_whole(session, snap: SceneSnapshot) -> bool:
    """The newest take already has a clip in every slot and still matches every shot's inputs."""
    if snap.take_summary is None or snap.status.value not in ("Ready for Review", "Complete"):
        return False
    empty = session.scalar(select(m.TakeSlot.id).where(m.TakeSlot.take_id == snap.latest_take.id,
                                                       m.TakeSlot.clip_id.is_(None)).limit(1))
    return empty is None


def find_take(session, scene_id: int, key: str) -> m.Take | None:
    return session.scalar(select(m.Take).where(m.Take.scene_id == scene_id, m.Take.idempotency_key == key))


def _refusal_after_race(session, scene_id: int, key: str) -> tuple[int, bool]:
    """A unique index refused our insert: answer with the take that won, or say why not."""
    existing = find_take(session, scene_id, key)
    if existing is not None:
        return existing.id, False
    rendering = session.scalar(select(m.Take).where(m.Take.scene_id == scene_id, m.Take.finished_at.is_(None)))
    if rendering is not None:
        raise Conflict(f"take {rendering.number} of this scene is still rendering; cancel it or wait",
                       {"take_id": rendering.id})
    raise Conflict("another confirm of this scene was saved at the same moment; reload and try again")


def confirm_take(app, scene_id: int, idempotency_key: str, user_id: int | None = None) -> tuple[int, bool]:
    """Returns (take id, created). The same key again returns the same take and charges nothing.
    `user_id` is the member who confirmed: the ledger records them on every charge.

    The account row is locked first, so everything below (the same-key lookup, the "still
    rendering" check, the balance) reads what the previous confirm committed; the partial unique
    index on unfinished takes per scene backs that up inside the database.
    """
    key = (idempotency_key or "").strip()
    if not key or len(key) > 200:
        raise Conflict("an Idempotency-Key of 1 to 200 characters is required")
    if unstorable(key):
        raise Conflict(f"the Idempotency-Key {unstorable(key)}")
    try:
        with app.db.session() as session:
            account_id = account_of_scene(session, scene_id)
            if account_id is None:
                raise NotFound(f"unknown scene {scene_id}")
            lock_account(session, account_id)
            existing = find_take(session, scene_id, key)
            if existing is not None:
                return existing.id, False
            snap = load_scene(session, scene_id, app.render_spec)
            if snap.latest_take is not None and snap.latest_take.finished_at is None:
                raise Conflict(f"take {snap.latest_take.number} of this scene is still rendering; cancel it or wait",
                               {"take_id": snap.latest_take.id})
            plan = scene_plan(app, session, snap)
            if plan.blocked:
                raise Conflict("some shots cannot be rendered yet",
                               {"shots": [{"code": s.code, "blockers": list(s.blockers)} for s in plan.blocked]})
            if not plan.to_render and _latest_take_is_whole(session, snap):
                raise Conflict(f"nothing to render: take {snap.latest_take.number} already matches every shot",
                               {"take_id": snap.latest_take.id})
            available = balance(session, account_id)
            if plan.total_credits > available:
                raise InsufficientCredits(plan.total_credits, available)
            return _create_take(app, session, snap, plan, account_id, key, user_id), True
    except IntegrityError:
        with app.db.session() as session:
            return _refusal_after_race(session, scene_id, key)


def _create_take(app, session, snap: SceneSnapshot, plan: TakePlan, account_id: int, key: str,
                 user_id: int | None = None) -> int:
    """Charging, the take, its slots and its jobs: one transaction, under the account lock."""
    scene_id = snap.scene.id
    number = (session.scalar(select(func.max(m.Take.number)).where(m.Take.scene_id == scene_id)) or 0) + 1
    take = m.Take(scene_id=scene_id, number=number, idempotency_key=key, render=plan.spec.as_dict(),
                  cost_credits=plan.total_credits)
    session.add(take)
    session.flush()
    for shot in plan.shots:
        slot = m.TakeSlot(take_id=take.id, shot_id=shot.shot_id, position=shot.index, code=shot.code,
                          duration=shot.duration, inputs=shot.inputs, inputs_digest=shot.inputs_digest,
                          reused=shot.decision == "reuse", clip_id=shot.reuse_clip_id)
        session.add(slot)
        if shot.decision == "render":
            job = m.RenderJob(kind="clip", account_id=account_id, scene_id=scene_id, shot_id=shot.shot_id,
                              take_id=take.id, max_attempts=app.settings.job_max_attempts,
                              cost_credits=shot.credits, payload=_job_payload(snap, shot))
            session.add(job)
            session.flush()
            slot.job_id = job.id
            session.add(m.LedgerEntry(account_id=account_id, amount=-shot.credits, kind="charge",
                                      take_id=take.id, job_id=job.id, user_id=user_id,
                                      memo=f"render {shot.code} ({shot.render_seconds} s, {plan.spec.model})"))
    session.flush()
    if not plan.to_render:
        from rushes.jobs.queue import finish_take_if_done

        finish_take_if_done(session, take)
    return take.id

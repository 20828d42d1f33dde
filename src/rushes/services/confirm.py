"""Stage 11 Confirm & Render: plan the take, then charge, create it and enqueue its jobs in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy.exc import IntegrityError

from rushes.domain.draws import DrawRequest, apply_draws
from rushes.domain.ledger import LedgerKind
from rushes.domain.jobs import JobKind
from rushes.domain.planning import TakePlan, picks_without_render, plan_take
from rushes.domain.render_choice import BadChoice, Selection, choose
from rushes.domain.staleness import assess_scene
from rushes.domain.shots import parse_dialogue
from rushes.domain.text import unstorable
from rushes.services.accounts import InsufficientCredits, account_of_scene, balance, lock_account
from rushes.services.budgets import check_budget
from rushes.services.errors import Conflict, NotFound
from rushes.jobs.port import NewJob
from rushes.jobs.queue import finish_take_if_done
from rushes.services.queueing import job_queue
from rushes.services.snapshot import SceneSnapshot, load_scene
from rushes.store import budgets, confirms, ledger
from rushes.store import models as m
from rushes.store.confirms import reusable_clips


# ---- the user's order at Stage 11 (issue 22): model, resolution, sound, which shots, budget -------------

@dataclass(frozen=True)
class TakeOrder:
    """What the user chose for a take; every field None/False means the defaults (all shots, the scene's spec)."""

    shot_ids: tuple[int, ...] | None = None
    model: str | None = None
    resolution: str | None = None
    audio: bool | None = None
    accept_over_budget: bool = False

    @property
    def selection(self) -> Selection:
        return Selection(None if self.shot_ids is None else frozenset(self.shot_ids))


def scene_plan(rushes, session, snap: SceneSnapshot, order: TakeOrder | None = None,
               draws: DrawRequest | None = None) -> TakePlan:
    """The take the order would buy: its spec re-assesses every clip, unticked shots are kept as they are;
    `draws` adds retakes and variants (rushes.domain.draws) on top of it."""
    order = order or TakeOrder()
    spec = choose(snap.state.render, rushes.render_spec, rushes.prices, order.model, order.resolution, order.audio)
    unknown = sorted(set(order.shot_ids or ()) - set(snap.shot_ids))
    if unknown:
        raise BadChoice("shot_ids", f"shot {unknown[0]} is not a shot of this scene")
    assessment = snap.assessment if spec == snap.state.render else assess_scene(replace(snap.state, render=spec))
    current = {sid: (c.id, c.inputs, c.inputs_digest) for sid, c in snap.clips.items()}
    plan = plan_take(assessment, reusable_clips(session, snap.shot_ids), spec, rushes.prices, order.selection, current)
    return apply_draws(plan, draws, rushes.prices)


def _check_order(plan: TakePlan, order: TakeOrder) -> None:
    """A ticked shot must have something to buy, and a take with ticks must buy something."""
    if order.shot_ids is None:
        return
    idle = picks_without_render(plan, order.selection)
    if idle:
        raise Conflict(f"nothing to render for {', '.join(idle)}: its clip already matches its inputs",
                       {"shots": idle})
    if not plan.to_render:
        raise Conflict("no shot is ticked to render", {"shots": []})


# ---- confirm ------------------------------------------------------------------------------------------


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
    if snap.take_summary is None or snap.latest_take is None or snap.status.value not in ("Ready for Review", "Complete"):
        return False
    return not confirms.take_has_empty_slot(session, snap.latest_take.id)


def refuse_unknown_model(spec) -> None:
    """A model the cards do not offer (unknown, preview, retired) is refused before anything is charged."""
    from rushes.providers.video.models import UnknownVideoModel, price_per_second, valid_ids

    try:
        price_per_second(spec.model, spec.resolution, spec.generate_audio)
    except UnknownVideoModel as exc:
        raise Conflict(str(exc), {"model": spec.model, "valid_models": valid_ids()}) from None
def draw_payload(plan_shot) -> dict:
    """What the worker needs to make this render a draw: how many videos, one price each, and a fresh seed
    (recorded on the clips, so a retake is a different draw of the same inputs, never a repeat)."""
    import secrets

    return {"variants": plan_shot.variants, "unit_credits": plan_shot.credits // max(1, plan_shot.variants),
            "seed": secrets.randbelow(2**31), "retake": plan_shot.retake}


def draw_memo(plan_shot, model: str) -> str:
    what = "retake" if plan_shot.retake else "render"
    many = f", {plan_shot.variants} variants" if plan_shot.variants > 1 else ""
    return f"{what} {plan_shot.code} ({plan_shot.render_seconds} s, {model}{many})"


def find_take(session, scene_id: int, key: str) -> m.Take | None:
    return confirms.take_by_key(session, scene_id, key)


def _refusal_after_race(session, scene_id: int, key: str) -> tuple[int, bool]:
    """A unique index refused our insert: answer with the take that won, or say why not."""
    existing = find_take(session, scene_id, key)
    if existing is not None:
        return existing.id, False
    rendering = confirms.unfinished_take(session, scene_id)
    if rendering is not None:
        raise Conflict(f"take {rendering.number} of this scene is still rendering; cancel it or wait",
                       {"take_id": rendering.id})
    raise Conflict("another confirm of this scene was saved at the same moment; reload and try again")


def confirm_take(rushes, scene_id: int, idempotency_key: str, user_id: int | None = None,
                 order: TakeOrder | None = None, draws: DrawRequest | None = None) -> tuple[int, bool]:
    """Returns (take id, created). The same key again returns the same take and charges nothing.
    `user_id` is the member who confirmed: the ledger records them on every charge. `draws` asks
    for retakes and variants (checked against the scene's shots by the caller).

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
        with rushes.db.session() as session:
            account_id = account_of_scene(session, scene_id)
            if account_id is None:
                raise NotFound(f"unknown scene {scene_id}")
            lock_account(session, account_id)
            existing = find_take(session, scene_id, key)
            if existing is not None:
                return existing.id, False
            refuse_unknown_model(rushes.render_spec)
            snap = load_scene(session, scene_id, rushes.render_spec)
            if snap.latest_take is not None and snap.latest_take.finished_at is None:
                raise Conflict(f"take {snap.latest_take.number} of this scene is still rendering; cancel it or wait",
                               {"take_id": snap.latest_take.id})
            order = order or TakeOrder()
            plan = scene_plan(rushes, session, snap, order, draws)
            _check_order(plan, order)
            if plan.blocked:
                raise Conflict("some shots cannot be rendered yet",
                               {"shots": [{"code": s.code, "blockers": list(s.blockers)} for s in plan.blocked]})
            if not plan.to_render and snap.latest_take is not None and _latest_take_is_whole(session, snap):
                raise Conflict(f"nothing to render: take {snap.latest_take.number} already matches every shot",
                               {"take_id": snap.latest_take.id})
            available = balance(session, account_id)
            if plan.total_credits > available:
                raise InsufficientCredits(plan.total_credits, available)
            # Under the account lock: every spend of the project's scenes is serialised, so the budget reads true.
            project = budgets.project(session, snap.scene.project_id)
            assert project is not None  # the scene's project: the foreign key keeps it
            check_budget(session, project, plan.total_credits,
                         order.accept_over_budget)
            return _create_take(rushes, session, snap, plan, account_id, key, user_id), True
    except IntegrityError:
        with rushes.db.session() as session:
            return _refusal_after_race(session, scene_id, key)


def _create_take(rushes, session, snap: SceneSnapshot, plan: TakePlan, account_id: int, key: str,
                 user_id: int | None = None) -> int:
    """Charging, the take, its slots and its jobs: one transaction, under the account lock."""
    scene_id = snap.scene.id
    take = confirms.add_take(session, scene_id, key, plan.spec.as_dict(), plan.total_credits)
    for shot in plan.shots:
        slot = confirms.add_slot(session, take.id, shot)
        if shot.decision == "render":
            # In the confirm's transaction: the charge, the take and its jobs commit together or not at all.
            job_id = job_queue(rushes).defer(NewJob(
                kind=JobKind.CLIP, account_id=account_id, scene_id=scene_id, shot_id=shot.shot_id, take_id=take.id,
                max_attempts=rushes.settings.job_max_attempts, cost_credits=shot.credits,
                payload={**_job_payload(snap, shot), **draw_payload(shot)}), within=session)
            slot.job_id = job_id
            ledger.record(session, account_id, LedgerKind.CHARGE, -shot.credits, take_id=take.id, job_id=job_id,
                          user_id=user_id, memo=draw_memo(shot, plan.spec.model))
    session.flush()
    if not plan.to_render:
        finish_take_if_done(session, take)
    return take.id

"""The Hub's per-scene summaries: status, counts, rail, costs, thumbnail — read in O(scenes).

A summary is the part of the Hub's row that comes from the scene's artifacts (its snapshot). It is stored
in `scene_summaries` and marked out of date by the same transaction that changes an artifact
(rushes.store.scene_marks). Reading a project's summaries costs a few queries over its scenes; only scenes
whose summary is missing, marked, computed under other prices or render settings, or computed from
another incoming anchor than the previous scene's last frame now, are loaded and recomputed (a run of
consecutive scenes at a time), and their summaries are written back if no writer has marked them since.
What changes without touching artifacts (open notes, unread badges, credits spent) is counted live,
a query per kind for all scenes.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import TypeGuard

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from rushes.domain.costs import clip_credits, frame_credits
from rushes.domain.planning import plan_take
from rushes.domain.stages import Stage
from rushes.domain.status import SceneStatus
from rushes.services.rail import STALE, NOT_STARTED, STATE_LABELS, rail_facts, stage_states, upstream_changes
from rushes.services.snapshot import SceneSnapshot, load_run
from rushes.services.views import scene_thumbnail
from rushes.store import clips as clip_store
from rushes.store import models as m
from rushes.store import projects as project_store
from rushes.store import scenes as scene_store
from rushes.store import takes as take_store
from rushes.store.db import database_busy

log = logging.getLogger("rushes.summaries")
REVIEWABLE = (SceneStatus.READY_FOR_REVIEW.value, SceneStatus.COMPLETE.value)


def basis_of(rushes) -> str:
    """What a summary assumed beyond the scene's rows: the render settings and the price table."""
    prices = rushes.prices
    text = json.dumps({"render": rushes.render_spec.as_dict(), "video": prices.video, "frame": prices.frame_image},
                      sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def stale_cost(rushes, snap: SceneSnapshot, reusable: dict[int, dict[str, int]]) -> dict:
    """Credits to bring every shot up to date: each clip that no kept clip matches, and each frame that is
    missing or stale (a shot blocked by its frames needs them redrawn before its clip)."""
    plan = plan_take(snap.assessment, reusable, rushes.render_spec, rushes.prices)
    clips = frames = shots = 0
    for shot, plan_shot in zip(snap.assessment.shots, plan.shots):
        if plan_shot.decision == "reuse":
            continue
        shots += 1
        clips += plan_shot.credits or clip_credits(plan_shot.duration, rushes.render_spec, rushes.prices)
        frames += sum(1 for check in (shot.start, shot.end) if check is not None and not check.fresh)
    frame_cost = frame_credits(frames, rushes.prices)
    return {"shots": shots, "clip_credits": clips, "frames": frames, "frame_credits": frame_cost,
            "credits": clips + frame_cost}


def summarize(rushes, session: Session, snap: SceneSnapshot, facts, reusable) -> dict:
    """A scene's summary as stored (JSON): everything the Hub draws from its snapshot."""
    states = stage_states(session, snap, facts)
    thumb, kind = scene_thumbnail(snap)
    take = snap.latest_take
    stale = [a.code for a in snap.assessment.shots
             if a.clip.stale or a.prompt.stale or a.start.stale or (a.end and a.end.stale)]
    return {
        "status": snap.status.value, "shots": len(snap.state.shots),
        "duration": round(sum(s.fields.duration for s in snap.state.shots), 4),
        "thumb": thumb, "thumb_kind": kind, "states": {str(int(k)): list(v) for k, v in states.items()},
        "changes": upstream_changes(snap), "stale_shots": stale,
        "continuity_broken": snap.assessment.continuity_broken,
        "latest_take_id": take.id if take else None, "latest_take_number": take.number if take else None,
        "rendering_take": take.id if take and snap.status == SceneStatus.RENDERING else None,
        "stale_cost": stale_cost(rushes, snap, reusable),
    }


def _reusable(session: Session, shot_ids: list[int]) -> dict[int, dict[str, int]]:
    found: dict[int, dict[str, int]] = {}
    for shot_id, digest, clip_id in clip_store.inputs_of_shots(session, shot_ids):
        found.setdefault(shot_id, {})[digest] = clip_id
    return found


def _compute_run(rushes, session: Session, project: m.Project, scenes: list[m.Scene], incoming: str | None) -> list[tuple]:
    """(scene, has_shots, incoming, outgoing, payload) for consecutive scenes, continuity chained."""
    snaps = load_run(session, project, scenes, rushes.render_spec, incoming)
    facts = rail_facts(session, [s.id for s in scenes])
    reusable = _reusable(session, [sid for snap in snaps for sid in snap.shot_ids])
    out = []
    for snap in snaps:
        shots = snap.state.shots
        outgoing = shots[-1].anchor_out if shots else incoming
        out.append((snap.scene, bool(shots), incoming, outgoing, summarize(rushes, session, snap, facts, reusable)))
        incoming = outgoing
    return out


def _fresh(row: m.SceneSummary | None, basis: str, incoming: str | None) -> TypeGuard[m.SceneSummary]:
    return (row is not None and row.payload is not None and row.basis == basis
            and (not row.has_shots or row.incoming == incoming))


def project_summaries(rushes, session: Session, project_id: int) -> list[tuple[m.Scene, dict]]:
    """(scene, summary) of every scene of the project in order; recomputes and keeps what is out of date."""
    project = project_store.project(session, project_id)
    if project is None:
        raise LookupError(f"unknown project {project_id}")
    scenes = scene_store.project_scenes(session, project_id)
    # The generations are read before any artifact, so a writer that commits after this read has bumped
    # them and the conditional write below keeps nothing computed from rows it replaced.
    rows = scene_store.summaries(session, [s.id for s in scenes])
    seen = {sid: (r.generation, r.payload is not None) for sid, r in rows.items()}
    basis = basis_of(rushes)
    result: list[tuple[m.Scene, dict]] = []
    computed: list[tuple] = []
    incoming: str | None = None
    index = 0
    while index < len(scenes):
        scene = scenes[index]
        row = rows.get(scene.id)
        if _fresh(row, basis, incoming):
            result.append((scene, row.payload))
            incoming = row.outgoing if row.has_shots else incoming
            index += 1
            continue
        run = [scene]  # this scene and the out-of-date ones right after it, loaded together
        while index + len(run) < len(scenes):
            following = rows.get(scenes[index + len(run)].id)
            if following is not None and following.payload is not None and following.basis == basis:
                break
            run.append(scenes[index + len(run)])
        for entry in _compute_run(rushes, session, project, run, incoming):
            computed.append(entry)
            result.append((entry[0], entry[4]))
            incoming = entry[3]
        index += len(run)
    if computed:
        _keep_unless_busy(session, computed, seen, basis)
    return result


def _keep_unless_busy(session: Session, computed: list[tuple], seen: dict[int, tuple[int, bool]], basis: str) -> None:
    """Keeping summaries only saves later reads work. A page reads in a deferred transaction (SQLite), which
    cannot take the write lock once a writer (a render landing its shots) has committed since it began: then
    the page answers with what it computed instead of a 503, and a later read keeps it."""
    try:
        with session.begin_nested():
            _keep(session, computed, seen, basis)
    except OperationalError as err:
        if not database_busy(err):
            raise
        log.info("scene summaries of %d scenes not kept: the database is busy", len(computed))


def _keep(session: Session, computed: list[tuple], seen: dict[int, tuple[int, bool]], basis: str) -> None:
    """Write recomputed summaries, each only if no writer has marked its scene since it was read: an
    existing row only at the generation read before computing; a missing row only if still missing."""
    ordered = sorted(computed, key=lambda e: e[0].id)  # rows locked in id order, as writers lock them
    values = [{"sid": scene.id, "payload": payload, "basis": basis, "has_shots": has_shots, "incoming": incoming,
               "outgoing": outgoing, "gen": seen.get(scene.id, (0, False))[0]}
              for scene, has_shots, incoming, outgoing, payload in ordered]
    known = [v for v in values if v["sid"] in seen]
    new = [v for v in values if v["sid"] not in seen]
    scene_store.keep_summaries(session, known, new)


# ---- live per-scene counts (a query each for every scene) and the views the Hub and the API show ----

def approved_takes(session: Session, scene_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per scene, its newest approved take as (take id, number)."""
    if not scene_ids:
        return {}
    return {scene_id: (take_id, number) for scene_id, take_id, number in take_store.approved_takes(session, scene_ids)}


_STAGES = [(int(stage), stage.title) for stage in Stage]  # the rail's stages, read once: the Hub draws 100s of rails


def stage_link(scene: m.Scene, number: int) -> str:
    """A stage's address for a scene, as rail.stage_url() gives it from a snapshot."""
    if number == Stage.SCRIPT_HUB:
        return f"/projects/{scene.project_id}?scene={scene.id}"
    return f"/scenes/{scene.id}/review" if number == Stage.REVIEW else f"/scenes/{scene.id}/stage/{number}"


def rail_of(scene: m.Scene, summary: dict, issues: dict[int, int]) -> list[dict]:
    """The rail as scene_rail() draws it, from a stored summary and the scene's open notes per stage."""
    states = summary["states"]
    rail = []
    for number, title in _STAGES:
        state, detail = states[str(number)]
        rail.append({"stage": number, "title": title, "state": state, "state_label": STATE_LABELS[state],
                     "detail": detail, "issues": issues.get(number, 0), "url": stage_link(scene, number), "current": False})
    return rail


def current_stage_of(summary: dict, issues: dict[int, int]) -> int:
    """As rail.current_stage, without drawing the rail: the first stage 7–11 that needs attention (open
    notes routed to it, stale or not started), else render, else review."""
    states = summary["states"]
    for number in range(int(Stage.SHOT_LIST), int(Stage.CONFIRM_RENDER) + 1):
        if issues.get(number) or states[str(number)][0] in (STALE, NOT_STARTED):
            return number
    return 11 if summary["latest_take_id"] is None else 12

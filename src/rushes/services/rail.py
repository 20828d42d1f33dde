"""The scene workflow rail (stages 6-12): each stage fresh, stale, locked or not started, with routed issues."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from sqlalchemy.orm import Session

from rushes.domain.stages import Stage
from rushes.domain.staleness import Freshness, visual_definition_digest
from rushes.domain.status import SceneStatus, frames_locked
from rushes.domain.timecode import frame_at, timecode
from rushes.services.snapshot import SceneSnapshot
from rushes.store import models as m
from rushes.store import notes as note_store

FRESH, STALE, LOCKED, NOT_STARTED = "fresh", "stale", "locked", "not_started"
STATE_LABELS = {FRESH: "Fresh", STALE: "Stale", LOCKED: "Locked", NOT_STARTED: "Not started"}


@dataclass
class RailFacts:
    """What the rail reads beyond the snapshot, fetched for many scenes at once (the Hub) or for one."""

    issues: dict[int, dict[int, int]] = field(default_factory=dict)  # scene id -> {stage: open routed issues}
    visual_locks: dict[int, str] = field(default_factory=dict)  # scene id -> digest of its newest stage-8 lock


def rail_facts(session: Session, scene_ids: list[int]) -> RailFacts:
    """Two queries whatever the number of scenes."""
    facts = RailFacts()
    for scene_id, stage, n in note_store.open_counts_by_stage(session, scene_ids):
        if stage is not None:  # a note with no route yet waits on the review page, at no stage
            facts.issues.setdefault(scene_id, {})[int(stage)] = n
    from rushes.store import locks

    facts.visual_locks.update(locks.pinned_digests(session, scene_ids, Stage.VISUAL_DEFINITION))
    return facts


def issues_by_stage(session: Session, scene_id: int) -> dict[int, int]:
    """Open review issues routed to each stage of a scene."""
    return rail_facts(session, [scene_id]).issues.get(scene_id, {})


def stage_lock_holds(session: Session, snap: SceneSnapshot, stage: int, facts: RailFacts | None = None) -> bool:
    if stage == Stage.SHOT_LIST:
        return snap.shot_list_locked
    from rushes.store import locks

    if facts is not None and stage == Stage.VISUAL_DEFINITION:
        return locks.holds(facts.visual_locks.get(snap.scene.id), visual_definition_digest(snap.state))
    return locks.holds(locks.pinned_digest(session, snap.scene.id, stage), visual_definition_digest(snap.state))


def stage_states(session: Session, snap: SceneSnapshot, facts: RailFacts | None = None) -> dict[int, tuple[str, str]]:
    """stage -> (state, one-line detail)."""
    shots = snap.assessment.shots
    n = len(shots)
    out: dict[int, tuple[str, str]] = {}
    broken = snap.status in (SceneStatus.OUTDATED, SceneStatus.CONTINUITY_BROKEN)
    out[6] = (STALE if broken else FRESH, snap.status.value)

    if not n:
        out[7] = (NOT_STARTED, "no shots yet")
    else:
        out[7] = (LOCKED if snap.shot_list_locked else FRESH,
                  f"{n} shot{'s' if n != 1 else ''}, {sum(s.fields.duration for s in snap.state.shots):g} s")

    if not snap.elements:
        out[8] = (NOT_STARTED, "no visual states yet")
    else:
        out[8] = (LOCKED if stage_lock_holds(session, snap, 8, facts) else FRESH, f"{len(snap.elements)} elements")

    missing = sum(1 for s in shots if s.prompt.freshness == Freshness.MISSING)
    stale = sum(1 for s in shots if s.prompt.stale or s.override_outdated)
    if n == 0 or missing == n:
        out[9] = (NOT_STARTED, "no prompt sets yet")
    elif stale or missing:
        out[9] = (STALE, f"{stale + missing} of {n} prompt sets need attention")
    else:
        out[9] = (FRESH, "all prompt sets current")

    checks = [c for s in shots for c in (s.start, s.end) if c is not None]
    bad = {s.code for s in shots for c in (s.start, s.end) if c is not None and not c.fresh}
    if not checks or all(c.freshness == Freshness.MISSING for c in checks):
        out[10] = (NOT_STARTED, "no frames yet")
    elif bad:
        out[10] = (STALE, "stale frames: " + ", ".join(sorted(bad)))
    elif frames_locked(snap.assessment, snap.frames_approved):
        out[10] = (LOCKED, "all frames approved")
    else:
        out[10] = (FRESH, "frames current, awaiting approval")

    clips_bad = [s.code for s in shots if not s.clip.fresh]
    if snap.latest_take is None and not snap.clips:
        out[11] = (NOT_STARTED, "nothing rendered yet")
    elif snap.latest_take is not None and snap.latest_take.finished_at is None:
        out[11] = (FRESH, f"take {snap.latest_take.number} rendering")
    elif clips_bad:
        out[11] = (STALE, "to render: " + ", ".join(clips_bad))
    else:
        out[11] = (FRESH, "every clip current")

    if snap.latest_take is None:
        out[12] = (NOT_STARTED, "no take yet")
    elif snap.status == SceneStatus.COMPLETE:
        out[12] = (LOCKED, f"take {snap.latest_take.number} approved")
    elif snap.status == SceneStatus.OUTDATED or snap.status == SceneStatus.CONTINUITY_BROKEN:
        out[12] = (STALE, f"take {snap.latest_take.number} is outdated")
    else:
        out[12] = (FRESH, f"take {snap.latest_take.number}: {snap.status.value}")
    return out


def stage_url(snap: SceneSnapshot, stage: int) -> str:
    if stage == Stage.SCRIPT_HUB:
        return f"/projects/{snap.scene.project_id}?scene={snap.scene.id}"
    if stage == Stage.REVIEW:
        return f"/scenes/{snap.scene.id}/review"
    return f"/scenes/{snap.scene.id}/stage/{stage}"


def scene_rail(session: Session, snap: SceneSnapshot, current: int | None = None,
               facts: RailFacts | None = None) -> list[dict]:
    """The rail's stages in order, each with state, detail, routed issues and link.

    Pass `facts` from rail_facts() when drawing many scenes' rails, so no query runs per scene.
    """
    facts = facts if facts is not None else rail_facts(session, [snap.scene.id])
    states = stage_states(session, snap, facts)
    issues = facts.issues.get(snap.scene.id, {})
    return [{"stage": int(stage), "title": stage.title, "state": states[stage][0],
             "state_label": STATE_LABELS[states[stage][0]], "detail": states[stage][1],
             "issues": issues.get(int(stage), 0), "url": stage_url(snap, stage), "current": stage == current}
            for stage in Stage]


def current_stage(snap: SceneSnapshot, rail: list[dict]) -> int:
    """Where the scene's work is now: the first stage that needs attention, else review."""
    for item in rail:
        if 7 <= item["stage"] <= 11 and (item["issues"] or item["state"] in (STALE, NOT_STARTED)):
            return item["stage"]
    if snap.latest_take is None:
        return 11
    return 12


def upstream_changes(snap: SceneSnapshot) -> list[dict]:
    """Per shot, which artifacts changed upstream and why: the Hub's non-blocking warning."""
    found = []
    for shot in snap.assessment.shots:
        parts = []
        for label, check in (("prompt set", shot.prompt), ("start frame", shot.start), ("end frame", shot.end),
                             ("clip", shot.clip)):
            if check is not None and check.stale:
                parts.append({"artifact": label, "reasons": list(check.reasons)})
        if shot.override_outdated:
            parts.append({"artifact": "video prompt override", "reasons": ["shot or visual states changed under it"]})
        if parts:
            found.append({"shot_id": shot.shot_id, "code": shot.code, "continuity_broken": shot.continuity_broken,
                          "changes": parts})
    return found


def routed_issues(session: Session, scene_id: int, stage: int) -> list[dict]:
    """The open review issues routed to one stage of a scene, oldest first, for that stage's page."""
    from rushes.services.editing import live_shot_versions

    codes = {v.shot_id: v.code for v in live_shot_versions(session, scene_id)}
    rows = note_store.routed_to_stage(session, scene_id, stage)
    # Each note carries its way back: the review page at the note's own moment (?t= seeks the player there).
    return [{"id": i.id, "shot_id": i.shot_id, "code": codes.get(i.shot_id, "?"), "category": i.category,
             "description": i.description, "scene_time": i.scene_time, "timecode": _note_timecode(i),
             "status": i.status, "review_url": f"/scenes/{scene_id}/review?t={i.scene_time:g}&note={i.id}"}
            for i in rows]


def _note_timecode(issue: m.ReviewIssue) -> str:
    """The note's own frame at its take's rate, as the review page shows it."""
    rate = Fraction(issue.rate_num or 24, issue.rate_den or 1)
    return timecode(issue.frame if issue.frame is not None else frame_at(issue.scene_time, rate), rate)

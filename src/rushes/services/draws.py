"""Renders are draws: a shot's select among the draws of its inputs, QC's look at each variant, the cut
of selects, and notes that follow their shot into newer cuts (re-checked by QC where QC wrote them)."""

from __future__ import annotations

import time

from sqlalchemy.orm import Session

from rushes.domain import qc_measures as qm
from rushes.domain.costs import render_seconds
from rushes.domain.draws import VariantSummary
from rushes.domain.issues import IssueStatus
from rushes.domain.jobs import JobKind, JobState
from rushes.domain.qc_rules import ShotMaterial, check_anchors, check_length, check_sound, check_stillness
from rushes.services.errors import Conflict, NotFound
from rushes.services.views import media_url
from rushes.store import clips as clip_store
from rushes.store import models as m
from rushes.store import notes as note_store
from rushes.store import scenes as scene_store
from rushes.store import takes as take_store

# The notes QC looks at again: still waiting, or waiting for someone to say whether a new clip fixed them.
OPEN_NOTES = (IssueStatus.OPEN, IssueStatus.ROUTED, IssueStatus.ADDRESSED)


def scene_shot_ids(rushes, scene_id: int) -> list[int]:
    """The shots a retake or variants request may name (another scene's shot is refused with a 422)."""
    with rushes.db.session() as session:
        return scene_store.shot_ids(session, scene_id)


# -- QC of one variant alone ---------------------------------------------------------------------------

def summarize_variant(rushes, variant: int, video: bytes, payload: dict) -> VariantSummary:
    """Decode one delivered video at QC size and run the one-shot checks: anchors, stillness, length, sound."""
    from rushes.media.qc_probe import anchor_frame, decode_clip

    began = time.perf_counter()
    clip = decode_clip(video)
    height, width = clip.frames.shape[1:3]

    def anchor(key):
        return anchor_frame(rushes.media.read(key), width, height) if key else None

    render = payload["render"]
    shot = ShotMaterial(
        shot_id=0, code=payload.get("code", ""), start=0.0, duration=float(payload["duration"]),
        ordered_seconds=float(render_seconds(float(payload["duration"]), render.get("model", "mock"))), fps=clip.fps,
        frames=clip.frames, audio=clip.audio, audio_rate=clip.audio_rate, start_anchor=anchor(payload.get("start_key")),
        end_anchor=anchor(payload.get("end_key")), video_prompt=payload.get("prompt", ""),
        generate_audio=bool(render.get("generate_audio", True)))
    findings = check_anchors(shot) + check_stillness(shot) + check_length(shot) + check_sound(shot)
    lumas = qm.luma(shot.frames[[0, -1]])
    scores = [qm.ssim(lumas[0], qm.luma(shot.start_anchor))] if shot.start_anchor is not None else []
    if shot.end_anchor is not None:
        scores.append(qm.ssim(lumas[1], qm.luma(shot.end_anchor)))
    faults = tuple({"kind": f.kind, "measure": f.measure, "threshold": f.threshold, "message": f.message,
                    "shot_time": round(f.scene_time, 3)} for f in findings)
    return VariantSummary(variant, faults, sum(scores) / len(scores) if scores else None,
                          round(time.perf_counter() - began, 3))


# -- selects --------------------------------------------------------------------------------------------

def make_select(session: Session, clip: m.Clip) -> bool:
    """`clip` becomes the select of its shot's inputs; True when the select changed. The partial unique
    index uq_clip_select_per_inputs holds it to one per shot and inputs, whatever races."""
    if clip.selected:
        return False
    # Selects of one shot take turns (a pick racing a landing render): the shot row is their lock.
    scene_store.lock_shot(session, clip.shot_id)
    session.refresh(clip)
    if clip.selected:
        return False
    clip_store.unselect_others(session, clip)
    session.flush()
    clip.selected = True
    session.flush()
    return True


def has_select(session: Session, shot_id: int, digest: str) -> bool:
    return clip_store.has_select(session, shot_id, digest)


def _latest_slots(session: Session, scene_id: int) -> dict[int, m.TakeSlot]:
    take = take_store.latest_take(session, scene_id)
    if take is None:
        return {}
    return {s.shot_id: s for s in take_store.slots(session, take.id)}


def playing_clip(session: Session, take: m.Take, slot: m.TakeSlot) -> int | None:
    """The clip a note is written on: on the scene's latest take, the shot's select (what its cut plays)."""
    latest = take_store.latest_take_id(session, take.scene_id)
    if latest != take.id:
        return slot.clip_id
    chosen = selects_for(session, [slot]).get(slot.shot_id)
    return chosen.id if chosen is not None else slot.clip_id


def selects_for(session: Session, slots: list[m.TakeSlot]) -> dict[int, m.Clip]:
    """Per shot, the select among the clips of the inputs its slot was cut with (one query)."""
    if not slots:
        return {}
    digests = {s.shot_id: s.inputs_digest for s in slots}
    rows = clip_store.selected_clips(session, digests)
    return {c.shot_id: c for c in rows if digests.get(c.shot_id) == c.inputs_digest}


def clip_qc(session: Session, clips: list[m.Clip]) -> dict[int, dict]:
    """A clip's QC summary: its own (variants were checked one by one), else what take QC found on it."""
    out = {c.id: c.qc for c in clips if c.qc}
    rest = [c.id for c in clips if not c.qc]
    if rest:
        found: dict[int, list[dict]] = {}
        ran = clip_store.qc_ran_on(session, rest, JobKind.QC, JobState.SUCCEEDED)
        for f in clip_store.findings_on(session, rest):
            found.setdefault(f.clip_id, []).append({"kind": f.kind, "measure": f.measure, "threshold": f.threshold,
                                                    "message": f.message})
        for cid in rest:
            if cid in ran or cid in found:
                faults = found.get(cid, [])
                out[cid] = {"faults": faults, "fault_count": len(faults), "kinds": sorted({f["kind"] for f in faults}),
                            "anchor_ssim": None, "clean": not faults}
    return out


def shot_clips(session: Session, shot_id: int) -> list[dict]:
    """GET /api/shots/{shot_id}/clips: the version stack, each clip with its draw, select and QC summary."""
    from rushes.services.history import clip_stack

    stack = clip_stack(session, shot_id)
    clips = {c.id: c for c in clip_store.clips_of_shot(session, shot_id)}
    takes = take_store.take_numbers(session, {c.take_id for c in clips.values()})
    shot = scene_store.shot(session, shot_id)
    slot = _latest_slots(session, shot.scene_id).get(shot_id)
    qc = clip_qc(session, list(clips.values()))
    for row in stack:
        c = clips[row["id"]]
        row.update({"selected": bool(c.selected), "current": slot is not None and c.inputs_digest == slot.inputs_digest,
                    "draw": {"take_id": c.take_id, "take_number": takes.get(c.take_id), "variant": c.variant,
                             "seed": c.seed, "rank": c.rank},
                    "qc": qc.get(c.id), "strip_url": media_url(c.strip_key), "strip": c.strip_meta, "fps": c.fps})
    return stack


def select_clip(rushes, shot_id: int, clip_id: int) -> dict:
    """POST /api/shots/{shot_id}/select: another draw becomes the select. Takes stay as they were reviewed;
    the scene's cut plays the new select, and notes on the shot are marked for checking."""
    with rushes.db.session() as session:
        shot = scene_store.shot(session, shot_id)
        if shot is None:
            raise NotFound(f"unknown shot {shot_id}")
        clip = clip_store.clip(session, clip_id, for_update=True)
        if clip is None or clip.shot_id != shot_id:
            raise NotFound(f"clip {clip_id} is not a version of shot {shot_id}")
        slot = _latest_slots(session, shot.scene_id).get(shot_id)
        if slot is not None and slot.inputs_digest != clip.inputs_digest:
            raise Conflict(f"clip v{clip.version} was made from other inputs than the shot's in the latest take; "
                           "it can be compared but not selected")
        changed = make_select(session, clip)
        if changed:
            follow_shot(session, shot_id, clip)
    with rushes.db.session() as session:
        return {"shot_id": shot_id, "clip_id": clip_id, "changed": changed, "clips": shot_clips(session, shot_id)}


# -- notes follow their shot ----------------------------------------------------------------------------

def follow_shot(session: Session, shot_id: int, clip: m.Clip) -> None:
    """The shot now plays `clip`: its open notes on other clips ask "was this fixed?" (addressed), and the
    ones QC wrote are checked again against the clip's own QC where it has one."""
    mark_addressed(session, shot_id, clip)
    if clip.qc:
        recheck_qc_notes(session, shot_id, clip, {f["kind"]: f["measure"] for f in clip.qc.get("faults", [])})


def mark_addressed(session: Session, shot_id: int, clip: m.Clip) -> int:
    """Issues a shot carried are addressed by the new clip version that replaced theirs (moved here from
    review.py: the draws call it when a select changes, and review imports the draws)."""
    count = 0
    for issue in note_store.open_issues_of_shot(session, shot_id):
        if issue.clip_id != clip.id:
            issue.status = IssueStatus.ADDRESSED
            issue.addressed_by_clip_id = clip.id
            count += 1
    return count


def recheck_qc_notes(session: Session, shot_id: int, clip: m.Clip, found: dict[str, float]) -> int:
    """Notes accepted from a QC finding on an earlier clip of the shot: resolved (verified by QC) when the
    fault is gone from `clip`, kept open with the new measure when it is not."""
    rows = note_store.qc_notes_of_shot(session, shot_id, OPEN_NOTES)
    count = 0
    for note, finding in rows:
        if note.clip_id == clip.id or (note.qc_check or {}).get("clip_id") == clip.id:
            continue  # the note's own clip, or checked on this clip already (a reopen by hand stands)
        check = {"clip_id": clip.id, "version": clip.version, "kind": finding.kind, "was": finding.measure,
                 "threshold": finding.threshold, "at": time.time()}
        if finding.kind in found:
            note.status = IssueStatus.OPEN
            note.qc_check = {**check, "verdict": "still there", "measure": found[finding.kind]}
        else:
            note.status = IssueStatus.RESOLVED
            note.qc_check = {**check, "verdict": "verified by QC", "measure": None}
        note.addressed_by_clip_id = clip.id
        count += 1
    session.flush()
    return count


def carried_notes(session: Session, scene_id: int, views: list[dict]) -> None:
    """Each note gets the take it was pinned on and whether its shot plays another clip in the latest cut."""
    slots = _latest_slots(session, scene_id)
    playing = {sid: s.clip_id for sid, s in slots.items()}
    playing.update({sid: c.id for sid, c in selects_for(session, list(slots.values())).items()})
    numbers = take_store.take_numbers(session, {v.get("take_id") for v in views})
    for view in views:
        now = playing.get(view["shot_id"])
        view["carried_from_take"] = view.get("take_id")
        view["carried_from_take_number"] = numbers.get(view.get("take_id"))
        view["shot_changed"] = bool(now is not None and view.get("clip_id") is not None and now != view["clip_id"])
        view["playing_clip_id"] = now


def cut_of_selects(session: Session, shots: list[dict], slots: list[m.TakeSlot]) -> None:
    """The scene's cut plays each shot's select: swap it in where it differs from the take's clip."""
    chosen = selects_for(session, slots)
    for row in shots:
        row["take_clip_id"] = row.get("clip_id")
        clip = chosen.get(row["shot_id"])
        if clip is None or clip.id == row.get("clip_id"):
            row["select_changed"] = False
            continue
        row.update({"clip_id": clip.id, "clip_version": clip.version, "src": media_url(clip.media_key),
                    "poster": media_url(clip.poster_key), "state": "ready", "reason": None, "select_changed": True,
                    "thumbs": {"url": media_url(clip.strip_key), **(clip.strip_meta or {})} if clip.strip_key else None})

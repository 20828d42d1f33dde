"""What a fix costs, in full: the frames redrawn at Stage 10 as well as the clips re-rendered at Stage 11.

Two statements use it: the review page's when notes are routed back to a stage (an estimate, before any
work), and Stage 11's before Confirm & Render (frames already redrawn for this take, frames still due).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from rushes.domain.costs import clip_credits, frame_credits
from rushes.domain.stages import Stage
from rushes.store import frames as frame_store

# What a change at each stage makes stale downstream, and so what it costs to see the fix on screen.
# Stage 9's edit is the video prompt a clip is rendered from: the frames keep their own prompt.
REDRAWS_FRAMES = {int(Stage.SHOT_LIST): True, int(Stage.VISUAL_DEFINITION): True,
                  int(Stage.PROMPTS): False, int(Stage.FRAMES): True}


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _shot_line(rushes, shot, with_frames: bool, frames_only_start: bool = False) -> dict:
    frames = 0 if not with_frames else (1 if frames_only_start or shot.start_frame_only else 2)
    clip = clip_credits(shot.fields.duration, rushes.render_spec, rushes.prices)
    frame = frame_credits(frames, rushes.prices)
    return {"shot_id": shot.shot_id, "code": shot.fields.code, "frames": frames, "frame_credits": frame,
            "clip_credits": clip, "credits": frame + clip}


def routed_fix_estimate(rushes, snap, stage: int, shot_ids: list[int]) -> dict:
    """The cost of fixing `shot_ids` at `stage`: each shot's frames and clip, and the next shot's start frame
    and clip that follow when a redrawn shot's last frame changes (the rearview mirror)."""
    with_frames = REDRAWS_FRAMES[stage]
    shots = snap.state.shots
    index = {s.shot_id: i for i, s in enumerate(shots)}
    lines = [_shot_line(rushes, shots[index[sid]], with_frames) for sid in shot_ids]
    follows = []
    if with_frames:
        chosen = set(shot_ids)
        for sid in shot_ids:
            after = index[sid] + 1
            if after < len(shots) and shots[after].shot_id not in chosen:
                line = _shot_line(rushes, shots[after], True, frames_only_start=True)
                line["after"] = shots[index[sid]].fields.code
                follows.append(line)
                chosen.add(line["shot_id"])
    frames_total = sum(line["frame_credits"] for line in lines)
    clips_total = sum(line["clip_credits"] for line in lines)
    total = frames_total + clips_total
    codes = ", ".join(line["code"] for line in lines)
    parts = []
    if with_frames:
        each = "; ".join(f"{line['code']}: {_plural(line['frames'], 'frame')} × {rushes.prices.frame_image}" for line in lines)
        parts.append(f"frames {frames_total} ({each})")
    clips = "; ".join(f"{line['code']} {line['clip_credits']}" for line in lines)
    parts.append(f"clips {clips_total} ({clips})")
    statement = f"Fixing {codes} costs about {total} credits: {', '.join(parts)}."
    if follows:
        more = sum(f["credits"] for f in follows)
        statement += " " + " ".join(
            f"If {f['after']}’s last frame changes, {f['code']}’s start frame follows: "
            f"{f['credits']} credits more (frame {f['frame_credits']} + clip {f['clip_credits']})." for f in follows)
        statement += f" With those, up to {total + more} credits."
    statement += " Unchanged shots are reused at no cost."
    return {"shots": lines, "follows": follows, "frame_credits": frames_total, "clip_credits": clips_total,
            "total_credits": total, "follow_credits": sum(f["credits"] for f in follows),
            "frame_price": rushes.prices.frame_image, "statement": statement}


def take_frame_costs(rushes, session: Session, snap, plan_shots: list[dict]) -> dict:
    """Stage 11's frame lines: frames redrawn since the last take (charged at Stage 10 already), and frames
    the blocked shots still need redrawn before they can render (charged when they are drawn)."""
    since = snap.latest_take.created_at if snap.latest_take is not None else None
    spent = [{"code": (j.payload or {}).get("code", "?"), "frames": len((j.payload or {}).get("kinds", [])),
              "credits": j.cost_credits} for j in frame_store.frames_jobs_done(session, snap.scene.id, since)]
    due = []
    for row in plan_shots:
        if row["decision"] != "blocked":
            continue
        check = snap.assessment.shots[row["index"]]
        frames = sum(1 for c in (check.start, check.end) if c is not None and not c.fresh)
        if frames:
            due.append({"code": row["code"], "frames": frames, "credits": frame_credits(frames, rushes.prices)})
    return {"spent": spent, "spent_credits": sum(s["credits"] for s in spent),
            "due": due, "due_credits": sum(d["credits"] for d in due),
            "since_take": snap.latest_take.number if snap.latest_take is not None else None}

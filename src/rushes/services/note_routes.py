"""Sending notes back to the stage that fixes them, per stage or per note, with a cost statement that prices
what the fix re-renders (domain/fix_scope.py) and is kept with the route, so a reload shows it again."""

from __future__ import annotations

from rushes.domain.costs import clip_credits, frame_credits
from rushes.domain.fix_scope import FixLine, NoteAsk, ShotInScope, asked_duration, fix_scope, split_parts
from rushes.domain.shots import MAX_SHOT_SECONDS
from rushes.domain.issues import IssueCategory, IssueStatus, category_for_stage
from rushes.domain.stages import Stage
from rushes.services.errors import Conflict
from rushes.store import models as m
from rushes.store import note_routes as route_store
from rushes.store import notes as note_store


def settle(stage: int | None, category: str | None, picked: bool, suggestion: dict | None) -> tuple[int | None, str | None, bool]:
    """The note's stage, category and whether that overrides the agent.

    The user's choice wins; with none, the agent's proposal is taken; where the agent abstained the note has
    no stage and no category (it waits under "no route"). A category the user did not pick follows the stage.
    Taking what the agent proposed is not an override.
    """
    proposed = (suggestion or {}).get("stage")
    if stage is None and picked and category is not None and (
            proposed is None or category != (suggestion or {}).get("category")):
        stage = int(IssueCategory(category).route)  # the user's word names the stage the agent did not
    if stage is None and proposed is not None:
        stage = int(proposed)
    if not picked:
        hint = (suggestion or {}).get("category") if stage == proposed else None
        category = category_for_stage(Stage(stage), IssueCategory(hint) if hint else None).value if stage else None
    overridden = proposed is not None and stage is not None and (
        stage != proposed or (picked and category != (suggestion or {}).get("category")))
    return stage, category, bool(overridden)


def with_split(proposal: dict, description: str, duration: float | None) -> dict:
    """A timing note asking a shot to run past 8 s goes to Stage 7 as a split, and the proposal says so."""
    if duration is None or proposal.get("stage") not in (7, None):
        return proposal
    asked = asked_duration(description, duration)
    if asked is None or asked <= MAX_SHOT_SECONDS:
        return proposal
    parts = split_parts(asked)
    shown = " + ".join(f"{p:g} s" for p in parts)
    reason = (f"{asked:g} s is over the {MAX_SHOT_SECONDS:g} s a shot may run: split it into {len(parts)} shots "
              f"({shown}) in the shot list")
    out = dict(proposal, split={"asked": asked, "parts": list(parts)})
    if out.get("stage") is None:
        out.update(stage=7, category="timing", confidence=max(float(out.get("confidence") or 0), 0.6))
    out["reason"] = f"{reason}. {out.get('reason') or ''}".strip()
    return out


def _price(rushes, line: FixLine) -> dict:
    clip = clip_credits(line.clip_seconds, rushes.render_spec, rushes.prices) if line.clip_seconds else 0
    frames = frame_credits(line.frames, rushes.prices)
    return {"shot_id": line.shot_id, "code": line.code, "frames": line.frames, "frame_credits": frames,
            "clip_seconds": line.clip_seconds, "clip_credits": clip, "credits": frames + clip, "why": line.why,
            "kind": line.kind, "after": line.after}


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def estimate(rushes, snap, stage: int, issues: list[m.ReviewIssue]) -> dict:
    """The cost of the fix the notes ask for, shot by shot with the reason each shot is in it."""
    shots = [ShotInScope(s.shot_id, s.fields.code, s.fields.duration, s.start_frame_only) for s in snap.state.shots]
    scope = fix_scope(stage, [NoteAsk(i.shot_id, stage, i.description) for i in issues], shots)
    lines = [_price(rushes, line) for line in scope.lines]
    follows = [_price(rushes, line) for line in scope.follows]
    frames_total = sum(line["frame_credits"] for line in lines)
    clips_total = sum(line["clip_credits"] for line in lines)
    total = frames_total + clips_total
    codes = ", ".join(dict.fromkeys(line["code"].split(" part")[0] for line in lines)) or "nothing"
    parts = [f"{line['code']}: {line['credits']} ({'frames ' + str(line['frame_credits']) + ' + ' if line['frames'] else ''}"
             f"clip {line['clip_credits']}) — {line['why']}" for line in lines]
    statement = f"Fixing {codes} at Stage {stage} {Stage(stage).title} re-renders about {total} credits. " + "; ".join(parts) + "."
    for split in scope.splits:
        statement += (f" {split['code']} is asked to run {split['asked']:g} s; a shot runs at most 8 s, so the fix "
                      f"proposes splitting it into {len(split['parts'])} shots ("
                      + " + ".join(f"{p:g} s" for p in split["parts"]) + ").")
    if follows:
        more = sum(f["credits"] for f in follows)
        statement += " " + " ".join(f"{f['code']}: {f['credits']} more — {f['why']}." for f in follows)
        statement += f" With those, up to {total + more} credits."
    statement += " Every other shot is reused at no cost."
    return {"shots": lines, "follows": follows, "splits": scope.splits, "frame_credits": frames_total,
            "clip_credits": clips_total, "total_credits": total, "follow_credits": sum(f["credits"] for f in follows),
            "frame_price": rushes.prices.frame_image, "statement": statement}


def route(rushes, scene_id: int, stage: int | None, issue_ids: list[int] | None = None,
          user_id: int | None = None) -> dict:
    """Send open notes back: all of one stage's, or the chosen ones (a stage given with them is the user's
    choice for each). The statement is stored with the route."""
    from rushes.services.snapshot import load_scene

    if stage is None and not issue_ids:
        raise Conflict("name the stage or the notes to route")
    with rushes.db.session() as session:
        snap = load_scene(session, scene_id, rushes.render_spec)
        if issue_ids:
            issues = note_store.open_issues(session, scene_id, ids=issue_ids)
            missing = sorted(set(issue_ids) - {i.id for i in issues})
            if missing:
                raise Conflict(f"notes {', '.join(map(str, missing))} are not open notes of this scene")
            for issue in issues:
                if stage is not None and issue.stage != stage:
                    issue.stage, issue.category, issue.overridden = settle(
                        stage, issue.category if issue.category_picked else None, issue.category_picked,
                        issue.suggestion)
            stages = {i.stage for i in issues}
            if None in stages:
                raise Conflict("choose a stage for " + ", ".join(f"note {i.id}" for i in issues if i.stage is None))
            if len(stages) > 1:
                raise Conflict("the notes go to different stages: route them one stage at a time")
            stage = stages.pop()
        else:
            issues = note_store.open_issues(session, scene_id, stage=stage)
            if not issues:
                raise Conflict(f"no open issues for stage {stage}")
        costs = estimate(rushes, snap, stage, [i for i in issues if i.shot_id in set(snap.shot_ids)])
        first = next((s for s in snap.shot_ids if s in {i.shot_id for i in issues}), None)
        url = f"/scenes/{scene_id}/stage/{stage}" + (f"?shot={first}" if first is not None else "")
        row = m.NoteRoute(scene_id=scene_id, stage=stage, issue_ids=[i.id for i in issues], costs=costs,
                          statement=costs["statement"], url=url, user_id=user_id)
        session.add(row)
        session.flush()
        for issue in issues:
            issue.status = IssueStatus.ROUTED
            issue.route_id = row.id
        return route_view(row) | {"routed": len(issues)}


def route_view(row: m.NoteRoute) -> dict:
    costs = row.costs or {}
    return {"id": row.id, "scene_id": row.scene_id, "stage": row.stage, "stage_title": Stage(row.stage).title,
            "issue_ids": list(row.issue_ids), "routed": len(row.issue_ids),
            "shots": list(dict.fromkeys(s["code"] for s in costs.get("shots", []))),
            "estimated_credits": costs.get("total_credits", 0), "costs": costs, "statement": row.statement,
            "url": row.url, "created_at": row.created_at.isoformat() if row.created_at else None}


def live_routes(session, scene_id: int) -> list[dict]:
    """The routes whose notes are still routed (not yet addressed or closed), newest first."""
    rows = route_store.recent_routes(session, scene_id, 50)
    waiting = note_store.routed_route_ids(session, scene_id)
    return [route_view(r) for r in rows if r.id in waiting]

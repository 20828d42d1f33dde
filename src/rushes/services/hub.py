"""The Script Hub's rows, its side panel and the film at a glance, from the stored scene summaries: O(scenes) per request."""

from __future__ import annotations

from sqlalchemy.orm import Session

from rushes.domain.stages import Stage
from rushes.domain.status import SceneStatus
from rushes.services.scene_summaries import (REVIEWABLE, approved_takes, current_stage_of, project_summaries,
                                             rail_of, stage_link)
from rushes.services.rail import rail_facts
from rushes.services.views import unread_badges
from rushes.store import ledger
from rushes.store import models as m
from rushes.store import notes as note_store
from rushes.store import scenes as scene_store
from rushes.store import takes as take_store

WARNINGS = (SceneStatus.OUTDATED.value, SceneStatus.CONTINUITY_BROKEN.value)


def _open_notes(session: Session, scene_ids: list[int]) -> dict[int, int]:
    if not scene_ids:
        return {}
    return note_store.open_counts_by_scene(session, scene_ids)


def _approved_seconds(session: Session, take_ids: list[int]) -> dict[int, float]:
    return take_store.cut_seconds(session, take_ids)


def _scene_view(scene: m.Scene, summary: dict, stage_issues: dict[int, int]) -> dict:
    """What a scene's row and its side panel share: flat fields, so the page's template reads each once."""
    stage = current_stage_of(summary, stage_issues)
    status = summary["status"]
    return {
        "scene": scene, "id": scene.id, "number": scene.number, "title": scene.title, "synopsis": scene.synopsis,
        "summary": summary, "status": status, "warning": status in WARNINGS, "changes": summary["changes"],
        "stage": stage, "stage_url": stage_link(scene, stage), "stage_title": Stage(stage).title,
        "review_url": f"/scenes/{scene.id}/review" if status in REVIEWABLE else None, "stage_issues": stage_issues,
    }


def hub_rows(rushes, session: Session, project_id: int) -> list[dict]:
    """Each scene as the Hub's table draws it (no rail: only the selected scene's panel draws one, hub_panel)."""
    summaries = project_summaries(rushes, session, project_id)
    ids = [scene.id for scene, _ in summaries]
    facts, badges, notes = rail_facts(session, ids), unread_badges(session, ids), _open_notes(session, ids)
    spent, approved = ledger.spent_by_scene(session, ids), approved_takes(session, ids)
    approved_secs = _approved_seconds(session, [t for t, _ in approved.values()])
    rows = []
    for scene, summary in summaries:
        row = _scene_view(scene, summary, facts.issues.get(scene.id, {}))
        take = approved.get(scene.id)
        row.update({
            "shots": summary["shots"], "duration": summary["duration"],
            "thumb": summary["thumb"], "thumb_kind": summary["thumb_kind"], "badge": badges.get(scene.id, 0),
            "issues": notes.get(scene.id, 0), "rendering_take": summary["rendering_take"],
            "spent": spent.get(scene.id, 0), "stale_cost": summary["stale_cost"],
            "approved_take": take[1] if take else None,
            "approved_seconds": approved_secs.get(take[0], 0.0) if take else 0.0,
        })
        rows.append(row)
    return rows


def panel_of(row: dict) -> dict:
    """A scene's side panel on the Hub: its row's view plus the stage rail."""
    return dict(row, rail=rail_of(row["scene"], row["summary"], row["stage_issues"]))


def hub_panel(rushes, session: Session, scene_id: int) -> dict:
    """One scene's side panel, asked for when the user selects it on the Hub. The summaries are read for
    the whole project (stored rows, O(scenes)), since a scene's continuity depends on the scenes before it."""
    scene = scene_store.scene(session, scene_id)
    if scene is None:
        raise LookupError(f"unknown scene {scene_id}")
    summary = next(s for sc, s in project_summaries(rushes, session, scene.project_id) if sc.id == scene_id)
    return panel_of(_scene_view(scene, summary, rail_facts(session, [scene_id]).issues.get(scene_id, {})))


def film_glance(project_id: int, rows: list[dict]) -> dict:
    """The film in one line: running time, what is approved, what was spent, what the stale work would cost."""
    cost = {"credits": 0, "clip_credits": 0, "frame_credits": 0, "shots": 0, "frames": 0}
    for row in rows:
        for key in cost:
            cost[key] += row["stale_cost"][key]
    approved = [r for r in rows if r["approved_take"] is not None]
    return {
        "scenes": len(rows), "shots": sum(r["shots"] for r in rows),
        "running_time": round(sum(r["duration"] for r in rows), 3),
        "approved_scenes": len(approved), "complete_scenes": sum(1 for r in rows if r["status"] == "Complete"),
        "approved_seconds": round(sum(r["approved_seconds"] for r in approved), 3),
        "spent_credits": sum(r["spent"] for r in rows), "stale_cost": cost,
        "screening_url": f"/projects/{project_id}/screening",
    }


def scene_list_item(row: dict) -> dict:
    """A scene in GET /api/projects/{id}/scenes (the fields scene_summary() gave, and the film's)."""
    scene, summary = row["scene"], row["summary"]
    return {
        "id": scene.id, "project_id": scene.project_id, "number": scene.number, "title": scene.title,
        "synopsis": scene.synopsis, "status": row["status"], "shot_count": row["shots"], "duration": row["duration"],
        "stale_shots": summary["stale_shots"], "continuity_broken": summary["continuity_broken"],
        "open_issues": row["issues"], "unread_notifications": row["badge"],
        "latest_take_id": summary["latest_take_id"],
        "thumbnail_url": row["thumb"] if row["thumb_kind"] == "approved" else None,
        "review_url": f"/scenes/{scene.id}/review",
        "stage": row["stage"], "spent_credits": row["spent"], "stale_cost": row["stale_cost"],
        "approved_take_number": row["approved_take"],
    }




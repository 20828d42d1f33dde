"""The film: a project's scenes end to end, each as its approved take (or its newest take, by choice).

A scene's cut comes from one function, `scene_cut`, which is how the rest of Rushes builds a scene's cut
today (services/review.py); the film, its exports and its MP4 follow whatever that function returns.
A scene with nothing to play is a titled slate of its planned length, so the film keeps its running time.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from rushes.services import review
from rushes.services.errors import NotFound
from rushes.store import models as m
from rushes.store import notes as note_store
from rushes.store import projects as project_store
from rushes.store import scenes as scene_store
from rushes.store import takes as take_store

PREFER = ("approved", "latest")
EMPTY_SCENE_SLATE = 2.0  # seconds shown for a scene with no shots planned at all


def scene_cut(session: Session, scene_id: int, take_id: int) -> dict:
    """A scene's cut as <scene-player> plays it: the one place the film reads a scene's cut from."""
    return review.cut(session, scene_id, take_id)


def planned_seconds(session: Session, scene_ids: list[int]) -> dict[int, float]:
    """Per scene, the sum of its live shots' durations (what the shot list plans), in one query."""
    if not scene_ids:
        return {}
    return scene_store.planned_seconds(session, scene_ids)


def chosen_takes(session: Session, scene_ids: list[int], prefer: str) -> dict[int, m.Take]:
    """Per scene, the take the film shows: the newest approved one, or the newest one."""
    if prefer not in PREFER:
        raise NotFound(f"unknown choice {prefer!r}: approved or latest")
    return {t.scene_id: t for t in take_store.takes_of_scenes(session, scene_ids, approved_only=prefer == "approved")}


def _slate(scene: m.Scene, start: float, planned: float, why: str) -> dict:
    return {"shot_id": None, "clip_id": None, "code": f"Scene {scene.number} · {scene.title}", "start": round(start, 4),
            "duration": round(planned if planned > 0 else EMPTY_SCENE_SLATE, 4), "src": None, "poster": None,
            "thumbs": None, "state": "slate", "reason": why, "scene_id": scene.id, "scene_time": 0.0, "slate": True}


def film_cut(session: Session, project_id: int, prefer: str = "approved") -> dict:
    """GET /api/projects/{id}/cut: every scene in order with its shots in film time, and the film's duration."""
    project = project_store.project(session, project_id)
    if project is None:
        raise NotFound(f"unknown project {project_id}")
    scenes = scene_store.project_scenes(session, project_id)
    ids = [s.id for s in scenes]
    takes, planned = chosen_takes(session, ids, prefer), planned_seconds(session, ids)
    out, start = [], 0.0
    for scene in scenes:
        take = takes.get(scene.id)
        cut = scene_cut(session, scene.id, take.id) if take is not None else None
        playable = cut is not None and any(s["src"] for s in cut["shots"])
        if cut is not None and playable:
            shots = [{**shot, "scene_time": shot["start"], "start": round(start + shot["start"], 4),
                      "scene_id": scene.id, "slate": False} for shot in cut["shots"]]
            duration = cut["duration"]
        else:
            why = (f"take {take.number} has no clip yet" if take is not None else
                   "no approved take yet" if prefer == "approved" else "not rendered yet")
            shots = [_slate(scene, start, planned.get(scene.id, 0.0), why)]
            duration = shots[0]["duration"]
        out.append({"scene_id": scene.id, "number": scene.number, "title": scene.title, "start": round(start, 4),
                    "duration": round(duration, 4), "planned": round(planned.get(scene.id, 0.0), 4),
                    "source": ("slate" if not playable else prefer),
                    "take": ({"id": take.id, "number": take.number, "approved": take.approved_at is not None}
                             if take is not None and playable else None),
                    "shots": shots})
        start += duration
    return {"project_id": project_id, "name": project.name, "prefer": prefer, "scenes": out,
            "duration": round(start, 4)}


def open_notes(session: Session, scene_takes: dict[int, int]) -> list[m.ReviewIssue]:
    """Open notes of the scenes the film shows, in scene order; a note keeps its scene time across takes."""
    if not scene_takes:
        return []
    return note_store.open_issues_of_scenes(session, list(scene_takes))


def film_pins(session: Session, cut: dict) -> list[dict]:
    """Open notes of the scenes the film plays, as <scene-player> pins in film seconds."""
    from fractions import Fraction

    from rushes.domain.timecode import timecode

    playable = {s["scene_id"]: s for s in cut["scenes"] if s["take"] is not None}
    pins = []
    for issue in open_notes(session, dict.fromkeys(playable, 0)):
        scene = playable[issue.scene_id]
        rate = Fraction(issue.rate_num or 24, issue.rate_den or 1)
        local = float(issue.frame / rate) if issue.frame is not None else issue.scene_time
        end = float((issue.out_frame + 1) / rate) if issue.out_frame is not None else local
        local, end = min(local, scene["duration"]), min(end, scene["duration"])
        pins.append({"id": issue.id, "time": round(scene["start"] + local, 4), "end": round(scene["start"] + end, 4),
                     "label": f"Scene {scene['number']} · {issue.description}", "category": issue.category,
                     "scene_id": issue.scene_id, "timecode": timecode(issue.frame, rate) if issue.frame is not None else None})
    return pins

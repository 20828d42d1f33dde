"""Exports of the whole film: the edit decisions (OTIO, EDL, FCP 7 XML, CSV) written on request, and one
MP4 with a chapter per scene built by a worker job (kind 'film', no charge), as a take's MP4 is."""

from __future__ import annotations

import hashlib
import json
import time
from fractions import Fraction

from sqlalchemy.orm import Session

from rushes.domain.jobs import JobKind, JobState
from rushes.domain.shots import FRAME_RATE
from rushes.jobs.port import NewJob
from rushes.media.edit_decisions import NoteMark, ShotCut, frame_of
from rushes.media.film_decisions import FilmScene, FilmSheet, edl_export, write_text
from rushes.services.errors import Conflict, NotFound
from rushes.services.exports import _note_frames, _status
from rushes.services.film import film_cut, open_notes
from rushes.services.queueing import job_queue
from rushes.services.replies import reply_counts
from rushes.services.views import media_url
from rushes.store import clips as clip_store
from rushes.store import exports as export_store
from rushes.store import job_queue as job_rows
from rushes.store import models as m
from rushes.store import projects as project_store
from rushes.store import scenes as scene_store

FILM_KIND = JobKind.FILM
FILM_MAX_ATTEMPTS = 2
TEXT_FORMATS = {"otio": ("otio", "application/vnd.opentimelineio+json"), "fcpxml": ("xml", "application/xml"),
                "csv": ("csv", "text/csv; charset=utf-8")}


def _rate(session: Session, cut: dict) -> Fraction:
    """The film's rate: its clips' (probed), else the house rate."""
    ids = [s["clip_id"] for scene in cut["scenes"] for s in scene["shots"] if s["clip_id"]][:50]
    for fps in clip_store.first_fps(session, ids):
        if fps:
            return Fraction(fps).limit_denominator(1001)
    return Fraction(FRAME_RATE)


def film_sheet(session: Session, project_id: int, prefer: str = "approved", base_url: str = "") -> FilmSheet:
    """The film in whole frames: shots at film frames, each scene's open notes moved to film time."""
    cut = film_cut(session, project_id, prefer)
    rate = _rate(session, cut)
    clips = clip_store.clips_by_id(session, [s["clip_id"] for scene in cut["scenes"] for s in scene["shots"]])
    scenes, at = [], 0
    for scene in cut["scenes"]:
        shots, start = [], at
        for shot in scene["shots"]:
            frames = frame_of(shot["duration"], rate)
            clip = clips.get(shot["clip_id"]) if shot["clip_id"] else None
            shots.append(ShotCut(shot["shot_id"] or 0, shot["code"], at, frames,
                                 f"{base_url}{shot['src']}" if shot["src"] else None,
                                 frame_of(clip.duration, rate) if clip else 0,
                                 f"{base_url}{shot['poster']}" if shot.get("poster") else None))
            at += frames
        scenes.append(FilmScene(scene["scene_id"], scene["number"], scene["title"], start, at - start, shots,
                                scene["take"]["number"] if scene["take"] else None))
    by_id = {s.scene_id: s for s in scenes}
    issues = open_notes(session, {s.scene_id: 0 for s in scenes})
    counts = reply_counts(session, [i.id for i in issues])
    notes = []
    for issue in issues:
        scene = by_id[issue.scene_id]
        frame, out_frame = _note_frames(issue, rate)
        last = max(0, scene.frames - 1)
        frame = min(frame, last)
        out_frame = min(max(out_frame, frame + 1), scene.frames)
        notes.append((scene.number, NoteMark(issue.id, scene.start + frame, scene.start + out_frame, issue.shot_id,
                                             issue.category, issue.stage, issue.status, issue.author_name or "",
                                             issue.description, counts.get(issue.id, 0),
                                             f"{base_url}{media_url(issue.still_key)}" if issue.still_key else None)))
    name = project_store.project(session, project_id).name
    return FilmSheet(name, rate, scenes, notes)


def base_name(name: str) -> str:
    kept = "".join(ch if ch.isalnum() else "_" for ch in name).strip("_")[:60]
    return (kept or "film").lower()


def export_film_text(rushes, project_id: int, fmt: str, prefer: str, base_url: str = "") -> tuple[bytes | str, str, str]:
    """(body, media type, file name) of a film export: otio, edl (a zip past 999 events), fcpxml or csv."""
    with rushes.db.session() as session:
        sheet = film_sheet(session, project_id, prefer, base_url)
    if not sheet.scenes:
        raise Conflict("this project has no scenes to export")
    stem = base_name(sheet.name)
    if fmt == "edl":
        return edl_export(sheet, stem)
    if fmt not in TEXT_FORMATS:
        raise NotFound(f"unknown export format {fmt!r}")
    ext, media_type = TEXT_FORMATS[fmt]
    return write_text(sheet, fmt), media_type, f"{stem}.{ext}"


# ---- the film as one MP4: a worker job per (project, the takes it shows) -------------------------------

def film_plan(session: Session, project_id: int, prefer: str) -> tuple[list[dict], str]:
    """What the MP4 lays end to end (a scene's clips, or a slate's length) and a key naming that plan."""
    cut = film_cut(session, project_id, prefer)
    plan = [{"scene": s["number"], "title": s["title"],
             "shots": [{"code": sh["code"], "clip_id": sh["clip_id"], "duration": sh["duration"]} for sh in s["shots"]]}
            for s in cut["scenes"]]
    key = hashlib.sha256(json.dumps(plan, sort_keys=True).encode()).hexdigest()[:32]
    return plan, key


def latest_film_job(session: Session, project_id: int, prefer: str, key: str | None = None) -> m.RenderJob | None:
    for job in export_store.film_jobs(session, project_id, FILM_KIND):
        if job.payload.get("prefer") == prefer and (key is None or job.payload.get("plan_key") == key):
            return job
    return None


def film_mp4_view(session: Session, project_id: int, prefer: str) -> dict:
    _, key = film_plan(session, project_id, prefer)
    job = latest_film_job(session, project_id, prefer, key)
    status = _status(job)
    payload = job.payload if job is not None else {}
    return {"project_id": project_id, "prefer": prefer, "status": status,
            "progress": 1.0 if status == "done" else (job.progress if job is not None else 0.0),
            "job_id": job.id if job is not None else None, "method": payload.get("method"),
            "seconds": payload.get("seconds"), "size_bytes": payload.get("size_bytes"),
            "error": job.error if status == "failed" else None,
            "url": f"/api/projects/{project_id}/export/mp4?prefer={prefer}" if status == "done" else None}


def request_film_mp4(rushes, project_id: int, prefer: str) -> dict:
    """Queue the film's MP4 for the takes it shows now; one queued, running or done for the same plan is reused."""
    with rushes.db.session() as session:
        project = project_store.project(session, project_id, for_update=True)  # one request at a time per project
        if project is None:
            raise NotFound(f"unknown project {project_id}")
        plan, key = film_plan(session, project_id, prefer)
        if not any(sh["clip_id"] for scene in plan for sh in scene["shots"]):
            raise Conflict("no scene of this film has a clip to play yet")
        job = latest_film_job(session, project_id, prefer, key)
        if job is None or job.state in (JobState.FAILED, JobState.CANCELLED):
            first = scene_store.first_scene_id(session, project_id)
            job_queue(rushes).defer(NewJob(kind=JobKind.FILM, account_id=project.account_id, scene_id=first,
                                        max_attempts=FILM_MAX_ATTEMPTS, run_after=time.time(),
                                        payload={"project_id": project_id, "prefer": prefer, "plan_key": key,
                                                 "plan": plan}), within=session)
    with rushes.db.session() as session:
        return film_mp4_view(session, project_id, prefer)


def film_mp4_file(session: Session, project_id: int, prefer: str) -> tuple[str | None, dict, str]:
    view = film_mp4_view(session, project_id, prefer)
    if view["status"] == "none":
        raise NotFound("no MP4 of this film as it stands: POST to start one")
    if view["status"] == "failed":
        raise Conflict(f"the film's MP4 failed: {view['error']}", view)
    job = job_rows.job(session, view["job_id"])
    key = job.payload.get("key") if view["status"] == "done" else None
    return key, view, f"{base_name(project_store.project(session, project_id).name)}.mp4"

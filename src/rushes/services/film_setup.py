"""Starting a film in the browser: a new project, its scenes added, renamed and put in order, or a whole
project uploaded in the `rushes import` format (validated by services/importer.py before anything is written).

A new scene starts as Draft with an empty shot list, which Stage 7 fills.
"""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from rushes.domain.text import unstorable
from rushes.services.errors import Conflict, NotFound
from rushes.services.importer import ImportError_, ProjectIn, import_refusals, load_frames
from rushes.store import models as m
from rushes.store import projects as project_store
from rushes.store import scenes as scene_store

MAX_TITLE = 200


def clean_title(title: str, what: str = "title") -> str:
    text = " ".join((title or "").split())
    if not text or len(text) > MAX_TITLE:
        raise Conflict(f"a {what} of 1 to {MAX_TITLE} characters is required", {"field": what})
    if unstorable(text):
        raise Conflict(f"the {what} {unstorable(text)}", {"field": what})
    return text


def project_view(project: m.Project) -> dict:
    return {"id": project.id, "name": project.name, "title": project.name, "studio_id": project.account_id,
            "style": project.style, "logline": project.logline, "budget_credits": project.budget_credits,
            "url": f"/projects/{project.id}", "created_at": project.created_at.isoformat()}


def scene_view(scene: m.Scene) -> dict:
    return {"id": scene.id, "project_id": scene.project_id, "number": scene.number, "title": scene.title,
            "synopsis": scene.synopsis, "url": f"/scenes/{scene.id}/stage/7"}


def new_project(rushes, studio_id: int, title: str, style: str = "", logline: str = "") -> dict:
    with rushes.db.session() as session:
        project = m.Project(account_id=studio_id, name=clean_title(title), style=(style or "").strip()[:500],
                            logline=(logline or "").strip())
        session.add(project)
        session.flush()
        return project_view(project)


def add_scene(rushes, project_id: int, title: str, synopsis: str = "") -> dict:
    """The next scene number of the project; the project row is locked so two adds never take the same one."""
    title = clean_title(title)
    with rushes.db.session() as session:
        project = project_store.locked_project(session, project_id)
        if project is None:
            raise NotFound(f"unknown project {project_id}")
        number = scene_store.last_number(session, project_id) + 1
        scene = m.Scene(project_id=project_id, number=number, title=title, synopsis=(synopsis or "").strip())
        session.add(scene)
        session.flush()
        return scene_view(scene)


def rename_scene(rushes, scene_id: int, title: str | None = None, synopsis: str | None = None) -> dict:
    with rushes.db.session() as session:
        scene = scene_store.scene(session, scene_id)
        if scene is None:
            raise NotFound(f"unknown scene {scene_id}")
        if title is not None:
            scene.title = clean_title(title)
        if synopsis is not None:
            scene.synopsis = synopsis.strip()
        session.flush()
        return scene_view(scene)


def reorder_scenes(rushes, project_id: int, scene_ids: list[int]) -> list[dict]:
    """Number the project's scenes in the order given; every scene must be named exactly once.

    Numbers are unique per project, so they move in two steps (out of the way, then into place) inside one
    transaction. The continuity chain follows scene order, so a moved scene's first shot may read as
    Continuity Broken until its start frame is redrawn: that is the truth of the new order.
    """
    with rushes.db.session() as session:
        project = project_store.locked_project(session, project_id)
        if project is None:
            raise NotFound(f"unknown project {project_id}")
        scenes = {s.id: s for s in scene_store.project_scenes(session, project_id)}
        if sorted(scene_ids) != sorted(scenes) or len(set(scene_ids)) != len(scene_ids):
            raise Conflict("scene_ids must name every scene of the project exactly once",
                           {"scene_ids": sorted(scenes)})
        top = max((s.number for s in scenes.values()), default=0)
        scene_store.renumber(session, project_id, scene_ids, top + len(scenes) + 1)
        return [scene_view(s) for s in scene_store.project_scenes(session, project_id)]


class ImportRefused(Conflict):
    """The uploaded file was refused; `refusals` name every bad field (path, loc, message) for the page."""

    def __init__(self, refusals: list[dict]) -> None:
        first = refusals[0]
        super().__init__(f"{first['path']}: {first['message']}" if first["path"] else first["message"],
                         {"refusals": refusals})
        self.refusals = refusals


def import_upload(rushes, studio_id: int, raw: bytes) -> dict:
    """A project file in the `rushes import` format, checked whole; refused with every bad field, or written at once."""
    from rushes.services.projects import create_project

    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ImportRefused([_refusal("", "the file is not UTF-8 text")]) from None
    except json.JSONDecodeError as err:
        raise ImportRefused([_refusal("", f"not valid JSON (line {err.lineno}, column {err.colno}): {err.msg}")]) from None
    found = import_refusals(data)
    if found:
        raise ImportRefused([_refusal(path, message, loc) for path, loc, message in found])
    project_in = ProjectIn.model_validate(data)
    framed = [_refusal(f"scenes[{si}].shots[{hi}].{kind}_frame",
                       "frame images do not come with an uploaded file: leave the path out and draw or upload "
                       "the frame at Stage 10 (or use `rushes import` beside the images)",
                       ["scenes", si, "shots", hi, f"{kind}_frame"])
              for si, scene in enumerate(project_in.scenes) for hi, shot in enumerate(scene.shots)
              for kind in ("start", "end") if getattr(shot, f"{kind}_frame")]
    if framed:
        raise ImportRefused(framed)
    with rushes.db.session() as session:
        frames = load_frames(project_in, rushes.settings.media_dir)  # no paths: nothing is read
        project = create_project(rushes, session, project_in, frames, studio_id)
        scenes = scene_store.project_scenes(session, project.id)
        return {**project_view(project), "scenes": [scene_view(s) for s in scenes]}


def _refusal(path: str, message: str, loc: list | None = None) -> dict:
    return {"path": path, "loc": loc if loc is not None else [], "message": message}


def studio_for_new_project(roles: dict[int, str], asked: int | None) -> int:
    """The studio a new project goes to: the one asked for, else the caller's first where they may edit."""
    if asked is not None:
        return asked
    for studio_id, role in roles.items():
        if role in ("editor", "owner"):
            return studio_id
    raise Conflict("you belong to no studio where you may start a project")


def project_scenes(session: Session, project_id: int) -> list[dict]:
    return [scene_view(s) for s in scene_store.project_scenes(session, project_id)]


__all__ = ["ImportError_", "ImportRefused", "add_scene", "import_upload", "new_project", "rename_scene",
           "reorder_scenes", "studio_for_new_project"]

"""Small projects for quality-control tests and the QC bench: short shots, chosen dialogue and cues."""

from __future__ import annotations

from rushes.services.accounts import default_account, grant
from rushes.services.importer import parse_project
from rushes.services.projects import create_project


def shot(code: str, duration: float = 4, dialogue: str = "", sfx: str = "", action: str = "",
         characters: tuple[str, ...] = ("Ann",), start_only: bool = False) -> dict:
    return {"code": code, "duration": duration, "dialogue": dialogue, "sfx": sfx, "characters": list(characters),
            "action": action or f"Shot {code}: Ann crosses the harbour wall in the wind.", "setting": "Harbour",
            "camera": "Medium shot", **({"start_frame_only": True} if start_only else {})}


def make_project(app, scenes: list[list[dict]], credits: int = 100_000, name: str = "QC") -> list[int]:
    """Create the scenes with frames drawn and approved; returns the scene ids in order."""
    spec = parse_project({
        "name": name, "style": "35mm film, cold blue palette",
        "scenes": [{"title": f"Scene {i + 1}", "visual_states": [
            {"kind": "character", "name": "Ann", "description": "woman in a red coat"},
            {"kind": "character", "name": "Ben", "description": "man in a grey jumper"},
            {"kind": "location", "name": "Harbour", "description": "stone harbour wall at dusk"}],
            "shots": shots} for i, shots in enumerate(scenes)]})
    with app.db.session() as session:
        account = default_account(session)
        grant(session, account.id, credits, "QC test credits")
        project = create_project(app, session, spec, {}, account.id, generate_missing=True, approve=True)
        project_id = project.id
    from sqlalchemy import select

    from rushes.store import models as m

    with app.db.session() as session:
        return list(session.scalars(select(m.Scene.id).where(m.Scene.project_id == project_id).order_by(m.Scene.number)))

"""The demo project: three scenes with dialogue, visual states, prompts, frames and starting credits."""

from __future__ import annotations

import json
from importlib import resources

from rushes.services.accounts import default_account, grant
from rushes.services.users import DEMO_OWNER_EMAIL, add_member, studio_owner
from rushes.services.importer import parse_project
from rushes.services.projects import create_project
from rushes.store import ledger
from rushes.store import models as m
from rushes.store import projects as project_store
from rushes.store import scenes as scene_store
from rushes.store import studios
from rushes.domain.stages import Stage
from rushes.domain.staleness import shot_list_digest
from rushes.services.snapshot import load_project

DEMO_FILE = "keepers_light.json"


def demo_spec():
    text = resources.files("rushes.demo").joinpath(DEMO_FILE).read_text(encoding="utf-8")
    return parse_project(json.loads(text))


def create_demo(rushes, studio_id: int | None = None, name: str | None = None, style: str | None = None) -> dict:
    """Create the demo project (frames drawn by the image provider, shot lists locked, frames approved).

    It goes to the first studio unless `studio_id` names another; `name`/`style` give it another
    title and look (another style draws other frames, so its media differs too).
    """
    with rushes.db.session() as session:
        account = studios.studio(session, studio_id) if studio_id is not None else default_account(session)
        spec = demo_spec()
        if name or style:
            spec = spec.model_copy(update={k: v for k, v in (("name", name), ("style", style)) if v})
        if not ledger.has_grant(session, account.id):
            grant(session, account.id, rushes.settings.demo_starting_credits, "starting credits")
        project = create_project(rushes, session, spec, {}, account.id, generate_missing=True, approve=True)
        for snap in load_project(session, project.id, rushes.render_spec):
            session.add(m.StageLock(scene_id=snap.scene.id, stage=int(Stage.SHOT_LIST), digest=shot_list_digest(snap.state)))
        scenes = scene_store.project_scenes(session, project.id)
        owner = studio_owner(session, account.id) or add_member(session, DEMO_OWNER_EMAIL, account.id, "owner")
        return {"project_id": project.id, "name": project.name, "studio_id": account.id, "owner_email": owner.email,
                "scene_ids": [s.id for s in scenes], "scenes": [{"id": s.id, "number": s.number, "title": s.title} for s in scenes]}


def ensure_demo(rushes) -> dict | None:
    """Load the demo on first start, when the database has no project yet."""
    with rushes.db.session() as session:
        if project_store.any_project(session):
            return None
    return create_demo(rushes)


def ensure_first_owner(rushes) -> str | None:
    """Somebody must be able to sign in: with studios but no members yet, the first studio gets an owner.

    Returns the email of the user a start-up sign-in link is printed for (the demo studio's owner),
    or None when there is no studio yet.
    """
    with rushes.db.session() as session:
        studio = studios.first_studio(session)
        if studio is None:
            return None
        owner = studio_owner(session, studio.id)
        if owner is None:
            owner = add_member(session, DEMO_OWNER_EMAIL, studio.id, "owner")
        return owner.email

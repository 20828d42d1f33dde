"""The demo project: three scenes with dialogue, visual states, prompts, frames and starting credits."""

from __future__ import annotations

import json
from importlib import resources

from sqlalchemy import select

from rushes.services.accounts import default_account, grant
from rushes.services.users import DEMO_OWNER_EMAIL, add_member, studio_owner
from rushes.services.importer import parse_project
from rushes.services.projects import create_project
from rushes.store import models as m
from rushes.domain.stages import Stage
from rushes.domain.staleness import shot_list_digest
from rushes.services.snapshot import load_project

DEMO_FILE = "keepers_light.json"


def demo_spec():
    text = resources.files("rushes.demo").joinpath(DEMO_FILE).read_text(encoding="utf-8")
    return parse_project(json.loads(text))


def create_demo(app, studio_id: int | None = None, name: str | None = None, style: str | None = None) -> dict:
    """Create the demo project (frames drawn by the image provider, shot lists locked, frames approved).

    It goes to the first studio unless `studio_id` names another; `name`/`style` give it another
    title and look (another style draws other frames, so its media differs too).
    """
    with app.db.session() as session:
        account = session.get(m.Account, studio_id) if studio_id is not None else default_account(session)
        spec = demo_spec()
        if name or style:
            spec = spec.model_copy(update={k: v for k, v in (("name", name), ("style", style)) if v})
        if session.scalar(select(m.LedgerEntry.id).where(m.LedgerEntry.account_id == account.id,
                                                         m.LedgerEntry.kind == "grant").limit(1)) is None:
            grant(session, account.id, app.settings.demo_starting_credits, "starting credits")
        project = create_project(app, session, spec, {}, account.id, generate_missing=True, approve=True)
        for snap in load_project(session, project.id, app.render_spec):
            session.add(m.StageLock(scene_id=snap.scene.id, stage=int(Stage.SHOT_LIST), digest=shot_list_digest(snap.state)))
        scenes = list(session.scalars(select(m.Scene).where(m.Scene.project_id == project.id).order_by(m.Scene.number)))
        owner = studio_owner(session, account.id) or add_member(session, DEMO_OWNER_EMAIL, account.id, "owner")
        return {"project_id": project.id, "name": project.name, "studio_id": account.id, "owner_email": owner.email,
                "scene_ids": [s.id for s in scenes], "scenes": [{"id": s.id, "number": s.number, "title": s.title} for s in scenes]}


def ensure_demo(app) -> dict | None:
    """Load the demo on first start, when the database has no project yet."""
    with app.db.session() as session:
        if session.scalar(select(m.Project.id).limit(1)) is not None:
            return None
    return create_demo(app)


def ensure_first_owner(app) -> str | None:
    """Somebody must be able to sign in: with studios but no members yet, the first studio gets an owner.

    Returns the email of the user a start-up sign-in link is printed for (the demo studio's owner),
    or None when there is no studio yet.
    """
    with app.db.session() as session:
        studio = session.scalar(select(m.Account).order_by(m.Account.id).limit(1))
        if studio is None:
            return None
        owner = studio_owner(session, studio.id)
        if owner is None:
            owner = add_member(session, DEMO_OWNER_EMAIL, studio.id, "owner")
        return owner.email

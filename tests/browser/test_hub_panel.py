"""The Script Hub's side panel in Chromium: the page draws only the selected scene's panel; selecting another
scene (mouse or keyboard) fetches its panel once, with its stages and what changed, and keeps it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from rushes.services.frames import store_frame
from rushes.services.snapshot import load_project
from tests.browser.live_app import LiveApp, live_app  # noqa: F401  (fixture)
from tests.fakes.feature import frame_png

pytestmark = pytest.mark.browser


def test_selecting_a_scene_fetches_its_panel_once(live_app: LiveApp, page: Page) -> None:  # noqa: F811
    project, scenes = live_app.demo["project_id"], live_app.demo["scene_ids"]
    # A new end frame on scene 1's last shot: scene 2 no longer continues from it, and its panel says so.
    with live_app.rushes.db.session() as session:
        snap = load_project(session, project, live_app.rushes.render_spec)[0]
        store_frame(live_app.rushes, session, snap.assessment, snap.shot_ids[-1], "end", frame_png(7, 7, "end"), "uploaded")
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    fetched: list[str] = []
    page.on("request", lambda req: fetched.append(req.url) if req.url.endswith("/hub-panel") else None)
    live_app.sign_in(page)
    page.goto(live_app.url(f"/projects/{project}?scene={scenes[2]}"))
    panels = page.locator("[data-detail-for]")
    expect(panels).to_have_count(1)
    expect(page.locator(f'[data-detail-for="{scenes[2]}"]')).to_be_visible()

    # Keyboard: Tab-reachable rows, Enter selects scene 2; its panel comes from the server.
    row2 = page.locator(f'.scene-row[data-scene-id="{scenes[1]}"]')
    row2.focus()
    page.keyboard.press("Enter")
    panel2 = page.locator(f'[data-detail-for="{scenes[1]}"]')
    expect(panel2).to_be_visible()
    expect(page.locator(f'[data-detail-for="{scenes[2]}"]')).to_be_hidden()
    expect(row2).to_have_class(re.compile(r"\bselected\b"))
    expect(page.locator(".scene-row.selected")).to_have_count(1)
    warning = page.locator(f'[data-warning-for="{scenes[1]}"]')
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Continuity Broken")
    expect(panel2.locator(".mini-rail li")).to_have_count(7)
    assert page.url.endswith(f"?scene={scenes[1]}")
    expect(page.locator("#scene-detail")).not_to_have_attribute("aria-busy", "true")

    # Space on scene 3's row and a click on scene 2's: both panels are in the page now, nothing is fetched again.
    page.locator(f'.scene-row[data-scene-id="{scenes[2]}"]').focus()
    page.keyboard.press(" ")
    expect(page.locator(f'[data-detail-for="{scenes[2]}"]')).to_be_visible()
    expect(panel2).to_be_hidden()
    row2.locator(".scene-title").click()
    expect(panel2).to_be_visible()
    assert fetched == [live_app.url(f"/scenes/{scenes[1]}/hub-panel")]

    # A link in a row still goes where it says (a keypress on it is not a selection).
    status = row2.locator("[data-status]")
    expect(status).to_have_attribute("data-status", "Continuity Broken")
    expect(status).to_have_attribute("title", re.compile(r"Continuity Broken:"))  # the glossary's meaning
    next_link = row2.locator("[data-stage-link]")
    next_link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/scenes/{scenes[1]}/(stage/\d+|review)"))
    assert not errors, errors


def test_a_panel_that_cannot_load_says_so_and_retries(live_app: LiveApp, page: Page) -> None:  # noqa: F811
    project, scenes = live_app.demo["project_id"], live_app.demo["scene_ids"]
    live_app.sign_in(page)
    failing = {"on": True}

    def route(r):
        if failing["on"]:
            r.fulfill(status=503, body="busy")
        else:
            r.continue_()

    page.route("**/hub-panel", route)
    page.goto(live_app.url(f"/projects/{project}"))
    row3 = page.locator(f'.scene-row[data-scene-id="{scenes[2]}"]')
    row3.locator(".scene-title").click()
    error = page.locator(f'[data-detail-error="{scenes[2]}"]')
    expect(error).to_contain_text("503")
    expect(page.locator(f'[data-detail-for="{scenes[0]}"]')).to_be_hidden()  # not another scene's stages
    failing["on"] = False
    row3.locator(".scene-title").click()
    expect(page.locator(f'[data-detail-for="{scenes[2]}"]')).to_be_visible()
    expect(error).to_have_count(0)

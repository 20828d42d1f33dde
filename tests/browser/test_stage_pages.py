"""Stages 6-11 in real Chromium against the live app (worker on): the edit -> stale -> regenerate -> render loop."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from rushes.services.confirm import confirm_take
from tests.browser.live_app import LiveApp, live_app, wait_for_take  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser
NEW_ACTION = "Mara slams the logbook shut and stares at the radio."


def shoot(page: Page, tmp_path: Path, name: str) -> None:
    """Keep a screenshot (in RUSHES_SCREENSHOT_DIR when set) so the UI can be looked at."""
    folder = Path(os.environ.get("RUSHES_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"))




def scene_shots(app: LiveApp, scene_id: int) -> list[dict]:
    return app.http.get(app.url(f"/api/scenes/{scene_id}")).json()["shots"]


def unlock_shot_list(app: LiveApp, scene_id: int) -> None:
    """The demo locks its shot lists, and a locked list refuses edits."""
    app.http.post(app.url(f"/api/scenes/{scene_id}/locks"), json={"stage": 7, "locked": False}).raise_for_status()


def test_invalid_duration_is_refused_at_the_field(live_app: LiveApp, page: Page) -> None:  # noqa: F811
    live_app.sign_in(page)
    scene_id = live_app.demo["scene_ids"][2]
    unlock_shot_list(live_app, scene_id)
    page.goto(live_app.url(f"/scenes/{scene_id}/stage/7"))
    card = page.locator(".shot-card").nth(0)
    card.locator("input[name=duration]").fill("9")
    card.locator("input[name=duration]").press("Tab")
    error = card.locator('[data-field="duration"] .field-error')
    expect(error).to_be_visible()
    expect(error).to_contain_text("at most 8")
    expect(card.locator("input[name=duration]")).to_have_attribute("aria-invalid", "true")
    card.locator("input[name=code]").fill("")
    card.locator("input[name=code]").press("Tab")
    expect(card.locator('[data-field="code"] .field-error')).to_contain_text("needs a code")
    assert scene_shots(live_app, scene_id)[0]["version"] == 1  # nothing was saved


def test_edit_cascades_to_stale_then_regenerate_and_checkout(live_app: LiveApp, page: Page, tmp_path: Path) -> None:  # noqa: F811
    live_app.sign_in(page)
    scene_id, project_id = live_app.demo["scene_ids"][0], live_app.demo["project_id"]
    take_id, _ = confirm_take(live_app.rushes, scene_id, "first-take")
    wait_for_take(live_app, take_id)
    shots = scene_shots(live_app, scene_id)
    second, third = shots[1], shots[2]
    assert all(s["clip"]["state"] == "fresh" for s in shots)

    # Stage 7 is locked: unlocking asks first, saying what goes stale and what a re-render costs.
    page.goto(live_app.url(f"/scenes/{scene_id}/stage/7"))
    expect(page.locator("#lock-state")).to_have_text("Locked")
    page.locator("#lock-btn").click()
    dialog = page.locator("#unlock-dialog")
    expect(dialog).to_contain_text("Re-rendering a changed shot costs")
    dialog.locator('[data-answer="yes"]').click()
    expect(page.locator("#lock-state")).to_have_text("Unlocked")

    # Stage 7: edit shot 2's action; its prompt, frames and clip turn stale in place, and so does the rail.
    card = page.locator(f'.shot-card[data-shot-id="{second["id"]}"]')
    card.locator("textarea[name=action]").fill(NEW_ACTION)
    card.locator("textarea[name=action]").press("Tab")
    for artifact in ("prompt", "start", "end", "clip"):
        expect(card.locator(f'[data-artifact="{artifact}"]')).to_have_attribute("data-state", "stale")
    for stage in (9, 10, 11):
        expect(page.locator(f'#workflow-rail [data-stage="{stage}"]')).to_have_attribute("data-state", "stale")
    expect(card.locator(".version-label")).to_have_text("v2")
    expect(page.locator("#lock-btn")).to_have_text("Lock shot list")
    shoot(page, tmp_path, "stage7-after-edit")

    # Script Hub: the scene is Outdated, and selecting it says what changed upstream.
    page.goto(live_app.url(f"/projects/{project_id}"))
    row = page.locator(f'.scene-row[data-scene-id="{scene_id}"]')
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "Outdated")
    row.locator(".scene-title").click()
    warning = page.locator(f'[data-warning-for="{scene_id}"]')
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("shot list changed: action")
    expect(warning).to_contain_text(second["code"])
    shoot(page, tmp_path, "hub-outdated")

    # Stage 9: the prompt is stale with its reason; reassemble it.
    page.goto(live_app.url(f"/scenes/{scene_id}/stage/9"))
    prompt_card = page.locator(f'.prompt-card[data-shot-id="{second["id"]}"]')
    expect(prompt_card.locator('[data-artifact="prompt"]')).to_have_attribute("data-state", "stale")
    expect(prompt_card).to_contain_text("shot list changed: action")
    shoot(page, tmp_path, "stage9-stale")
    prompt_card.locator('[data-op="reassemble"]').click()
    prompt_card = page.locator(f'.prompt-card[data-shot-id="{second["id"]}"]')
    expect(prompt_card.locator('[data-artifact="prompt"]')).to_have_attribute("data-state", "fresh")
    expect(prompt_card.locator("textarea[name=video_prompt]")).to_have_value(
        "[Close-up on hands, rack focus to face] " + NEW_ACTION
        + " Style: 35mm film, moody teal and amber palette, soft grain.\n"
        + 'Audio: Pencil scratching, distant thunder. Character Mara speaks: "Twenty-three hundred. Wind force ten and rising."')

    # Stage 11 before frames: shot 2 is blocked by its stale frames.
    page.goto(live_app.url(f"/scenes/{scene_id}/stage/11"))
    blocked = page.locator(f'#blocked-shots tr[data-shot-id="{second["id"]}"]')
    expect(blocked).to_contain_text("start frame is stale")
    expect(page.locator("#confirm-render")).to_be_disabled()

    # Stage 10: frames stale; regenerate both on the worker, with progress, until the page shows them fresh.
    page.goto(live_app.url(f"/scenes/{scene_id}/stage/10"))
    frames = page.locator(f'.frame-row[data-shot-id="{second["id"]}"]')
    expect(frames.locator('[data-frame="start"]')).to_have_attribute("data-state", "stale")
    expect(frames.locator('[data-frame="end"]')).to_have_attribute("data-state", "stale")
    balance_before = int(page.locator("[data-balance]").get_attribute("data-balance"))
    frames.locator('[data-regen="start,end"]').click()
    frames = page.locator(f'.frame-row[data-shot-id="{second["id"]}"]')
    expect(frames.locator('[data-frame="start"]')).to_have_attribute("data-state", "fresh", timeout=30_000)
    expect(frames.locator('[data-frame="end"]')).to_have_attribute("data-state", "fresh")
    expect(frames.locator('[data-frame="start"] figcaption')).to_contain_text("v2")
    assert int(page.locator("[data-balance]").get_attribute("data-balance")) == balance_before - 8

    # Shot 3 continues from shot 2's new end frame: its start frame shows continuity broken,
    # with shot 2's new end frame in its rearview mirror.
    following = page.locator(f'.frame-row[data-shot-id="{third["id"]}"]')
    expect(following.locator("[data-continuity-broken]")).to_be_visible()
    expect(following.locator('[data-frame="start"]')).to_have_attribute("data-state", "stale")
    new_end = frames.locator('[data-frame="end"] img').get_attribute("src")
    assert following.locator('[data-frame="previous"] img').get_attribute("src") == new_end
    following.scroll_into_view_if_needed()
    shoot(page, tmp_path, "stage10-continuity-broken")
    following.locator('[data-regen="start"]').click()
    following = page.locator(f'.frame-row[data-shot-id="{third["id"]}"]')
    expect(following.locator('[data-frame="start"]')).to_have_attribute("data-state", "fresh", timeout=30_000)
    expect(following.locator("[data-continuity-broken]")).to_have_count(0)

    # Stage 11: only the changed shots render, each with its cost; the rest are reused for nothing.
    page.goto(live_app.url(f"/scenes/{scene_id}/stage/11"))
    to_render = page.locator("#render-shots tbody tr")
    expect(to_render).to_have_count(2)
    assert [to_render.nth(i).get_attribute("data-code") for i in range(2)] == [second["code"], third["code"]]
    per_second = live_app.rushes.prices.per_second(live_app.rushes.render_spec)
    costs = [int(to_render.nth(i).locator("[data-credits]").get_attribute("data-credits")) for i in range(2)]
    assert costs == [int(second["duration"]) * per_second, int(third["duration"]) * per_second]
    expect(page.locator("[data-total]")).to_have_attribute("data-total", str(sum(costs)))
    expect(page.locator("#reused-shots tbody tr")).to_have_count(len(shots) - 2)
    expect(page.locator("#blocked-shots")).to_have_count(0)
    shoot(page, tmp_path, "stage11-checkout")

    # Confirm & Render twice (a double click): one take, charged once, and we land on the review page.
    balance = int(page.locator("[data-balance]").get_attribute("data-balance"))
    page.locator("#confirm-render").dblclick()
    page.wait_for_url(f"**/scenes/{scene_id}/review**")
    takes = live_app.http.get(live_app.url(f"/api/scenes/{scene_id}/takes")).json()
    assert len(takes) == 2
    account = live_app.http.get(live_app.url("/api/account")).json()
    assert account["balance"] == balance - sum(costs)


def test_history_page_lists_every_version_with_costs(live_app: LiveApp, page: Page, tmp_path: Path) -> None:  # noqa: F811
    live_app.sign_in(page)
    scene_id = live_app.demo["scene_ids"][1]
    shot = scene_shots(live_app, scene_id)[0]
    unlock_shot_list(live_app, scene_id)
    live_app.http.patch(live_app.url(f"/api/shots/{shot['id']}"), json={"camera": "Low angle"}).raise_for_status()
    job = live_app.http.post(live_app.url(f"/api/shots/{shot['id']}/frames"), json={"kinds": ["start"]}).json()["job_id"]
    deadline = time.monotonic() + 30
    while live_app.http.get(live_app.url(f"/api/jobs/{job}")).json()["state"] != "succeeded":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    page.goto(live_app.url(f"/shots/{shot['id']}/history"))
    expect(page.locator("#field-versions tbody tr")).to_have_count(2)
    expect(page.locator("#timeline tbody tr[data-kind=frame]")).to_have_count(3)
    expect(page.locator("[data-total-credits]")).to_have_attribute("data-total-credits", "4")
    shoot(page, tmp_path, "history")


def test_split_merge_and_override_through_the_pages(live_app: LiveApp, page: Page, tmp_path: Path) -> None:  # noqa: F811
    live_app.sign_in(page)
    scene_id = live_app.demo["scene_ids"][2]
    unlock_shot_list(live_app, scene_id)
    before = scene_shots(live_app, scene_id)
    page.goto(live_app.url(f"/scenes/{scene_id}/stage/7"))
    first = page.locator(f'.shot-card[data-shot-id="{before[0]["id"]}"]')
    first.locator('[data-op="split"]').click()
    expect(page.locator(".shot-card")).to_have_count(len(before) + 1)
    codes = [c.get_attribute("data-code") for c in page.locator(".shot-card").all()]
    assert codes[0] == before[0]["code"] and codes[2:] == [s["code"] for s in before[1:]]
    halves = scene_shots(live_app, scene_id)[:2]
    assert halves[0]["duration"] + halves[1]["duration"] == before[0]["duration"]
    page.locator(f'.shot-card[data-shot-id="{before[0]["id"]}"] [data-op="merge"]').click()
    expect(page.locator(".shot-card")).to_have_count(len(before))
    merged = scene_shots(live_app, scene_id)[0]
    assert (merged["action"], merged["duration"]) == (before[0]["action"], before[0]["duration"])

    page.goto(live_app.url(f"/scenes/{scene_id}/stage/9"))
    card = page.locator(f'.prompt-card[data-shot-id="{before[1]["id"]}"]')
    card.locator("textarea[name=video_prompt]").fill("[Close-up] Tom shivers by the stove.\nAudio: Fire crackling.")
    card.locator("[data-save-override]").click()
    card = page.locator(f'.prompt-card[data-shot-id="{before[1]["id"]}"]')
    expect(card.locator("[data-override]")).to_be_visible()
    expect(card.locator("textarea[name=video_prompt]")).to_have_value("[Close-up] Tom shivers by the stove.\nAudio: Fire crackling.")
    card.locator('[data-op="clear-override"]').click()
    card = page.locator(f'.prompt-card[data-shot-id="{before[1]["id"]}"]')
    expect(card.locator("[data-override]")).to_have_count(0)
    shoot(page, tmp_path, "stage9")

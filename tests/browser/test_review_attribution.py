"""The review composer in Chromium: a note the agent cannot route asks the user to choose."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from rushes.providers.attribution.model import default_model
from tests.browser.live_app import LiveApp, start_live_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveApp]:
    default_model()  # train (or load) before the page types, so the first suggestion is not a training run
    app, server, thread = start_live_app(tmp_path_factory.mktemp("attribution"))
    yield app
    server.should_exit = True  # type: ignore[attr-defined]
    thread.join(timeout=15)
    app.rushes.db.dispose()


def test_an_unroutable_note_asks_and_a_clear_one_proposes(live: LiveApp, page: Page) -> None:
    scene = live.demo["scene_ids"][0]
    assert live.http.post(live.url(f"/api/scenes/{scene}/takes"), headers={"Idempotency-Key": "a-1"}).status_code == 201
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        cut = live.http.get(live.url(f"/api/scenes/{scene}/cut")).json()
        if cut.get("shots") and all(s["state"] == "ready" for s in cut["shots"]):
            break
        time.sleep(0.2)
    live.sign_in(page)
    page.goto(live.url(f"/scenes/{scene}/review"))
    page.locator('input[name="category"][value="timing"]').check()
    page.locator("#issue-text").fill("asdf")
    expect(page.locator("#suggestion-text")).to_contain_text("Not sure where this goes", timeout=10_000)
    expect(page.locator("#suggestion")).to_have_class(re.compile(r"\bunsure\b"))
    expect(page.locator("#accept-suggestion")).to_be_hidden()
    # Nothing is preset for the user: the stage stays "as the agent proposes", the picked category stays.
    assert page.locator("#issue-stage").input_value() == ""
    assert page.locator('input[name="category"][value="timing"]').is_checked()

    page.locator("#issue-text").fill("the lip sync drifts on her line, it's a few frames late")
    expect(page.locator("#suggestion-text")).to_contain_text("Stage 9 Prompts", timeout=10_000)
    expect(page.locator("#accept-suggestion")).to_be_visible()

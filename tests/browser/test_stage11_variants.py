"""Stage 11's variants selector in Chromium: the price of N videos per shot before Confirm, and the take it buys."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.live_app import LiveApp, live_app  # noqa: F401  (fixture)
from tests.browser.test_roles import OVERFLOW_JS

pytestmark = pytest.mark.browser


def test_variants_are_priced_before_confirm_and_bought_as_shown(live_app: LiveApp, page: Page) -> None:  # noqa: F811
    scene_id = live_app.demo["scene_ids"][2]
    one = live_app.http.get(live_app.url(f"/api/scenes/{scene_id}/plan")).json()["total_credits"]
    assert one > 0
    page.set_viewport_size({"width": 1024, "height": 768})
    live_app.sign_in(page, role="owner")
    page.goto(live_app.url(f"/scenes/{scene_id}/stage/11"))
    expect(page.locator("[data-total]")).to_have_attribute("data-total", str(one))
    page.select_option("#variants-select", "2")
    expect(page.locator("[data-total]")).to_have_attribute("data-total", str(2 * one))
    expect(page.locator("#confirm-render")).to_contain_text(f"{2 * one:,}")
    expect(page.locator("#variants-cost")).to_contain_text("videos in")
    assert page.evaluate(OVERFLOW_JS) <= 0
    page.locator("#confirm-render").click()
    page.wait_for_url("**/review?take=*")
    take = live_app.http.get(live_app.url(f"/api/scenes/{scene_id}/takes")).json()[0]
    assert take["cost_credits"] == 2 * one

"""A one-time sign-in link opens a page that says whose link it is; only its button signs in (a cross-site
GET of the link signs nobody in). At 1440x900 and 1024x768 the button is on screen and nothing overflows."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.live_app import live_app  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width,height", [(1440, 900), (1024, 768)])
def test_the_link_page_asks_for_a_click_then_signs_in_once(chromium, live_app, width, height):  # noqa: F811
    from rushes.services.users import new_signin_link, user_by_email

    email = live_app.member("editor")
    with live_app.rushes.db.session() as session:
        token = new_signin_link(session, user_by_email(session, email).id)
    context = chromium.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda err: errors.append(str(err)))
    try:
        page.goto(live_app.url(f"/signin/link?token={token}"))
        expect(page.locator("#signin-link-email")).to_have_text(email)
        button = page.locator("#signin-link-continue")
        expect(button).to_be_visible()
        box = button.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width and box["y"] + box["height"] <= height
        assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
        assert not [c for c in context.cookies() if c["name"] == "rushes_session"]  # opening it signed nobody in
        folder = os.environ.get("RUSHES_SCREENSHOT_DIR")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(folder) / f"signin-link-{width}.png"))
        with page.expect_navigation():
            button.click()
        assert "/signin" not in page.url
        assert [c for c in context.cookies() if c["name"] == "rushes_session"]
        page.goto(live_app.url(f"/signin/link?token={token}"))
        expect(page.locator("#signin-error")).to_contain_text("expired or was already used")
        assert errors == [] or all("404" in e for e in errors), errors
    finally:
        context.close()

"""/docs in Chromium: Swagger UI lists the API's operations under the app's CSP, with no script refused."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.live_app import live_app  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser


def test_the_api_reference_lists_the_operations_and_their_answers(chromium, live_app):  # noqa: F811
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda err: errors.append(str(err)))
    outside: list[str] = []
    page.on("request", lambda req: outside.append(req.url) if not req.url.startswith(live_app.url("/")) else None)
    try:
        live_app.sign_in(page, "reviewer")
        page.goto(live_app.url("/docs"))
        listed = page.locator(".opblock-summary-path", has_text="/api/takes/{take_id}").first
        try:
            expect(listed).to_be_visible(timeout=60_000)
        except AssertionError:
            raise AssertionError(f"no operations listed; page errors: {errors}") from None
        assert page.locator(".opblock").count() >= 40
        # An operation opens to its documented answer, a model with its fields.
        page.locator(".opblock-summary", has_text="/api/account").first.click()
        expect(page.locator(".opblock.is-open .responses-wrapper")).to_contain_text("balance", timeout=15_000)
        assert not outside, outside  # no CDN, no validator badge
        assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
    finally:
        context.close()

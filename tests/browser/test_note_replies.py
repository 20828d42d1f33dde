"""A thread under a note in Chromium: a reviewer replies, an editor in another browser reads and answers,
the thread survives the notes list being redrawn, and an empty reply is refused in place."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.live_app import LiveApp, live_app  # noqa: F401  (fixture)
from tests.browser.test_roles import OVERFLOW_JS, rendered

pytestmark = pytest.mark.browser
NOTE = "The door slam lands two frames late"


def test_a_reviewer_and_an_editor_discuss_a_note(live_app: LiveApp, page: Page, chromium) -> None:  # noqa: F811
    scene_id = live_app.demo["scene_ids"][1]
    rendered(live_app, scene_id)
    pinned = live_app.http.post(live_app.url(f"/api/scenes/{scene_id}/issues"),
                                json={"scene_time": 2.0, "category": "timing", "description": NOTE})
    assert pinned.status_code == 201, pinned.text
    issue_id = pinned.json()["id"]

    page.set_viewport_size({"width": 1024, "height": 768})
    reviewer = live_app.sign_in(page, role="reviewer")
    page.goto(live_app.url(f"/scenes/{scene_id}/review"))
    note = page.locator(f'#issue-list .issue[data-id="{issue_id}"]')
    toggle = note.locator(".issue-reply")
    expect(toggle).to_have_text("Reply")
    toggle.click()
    note.locator(".reply-send").click()  # nothing written yet: refused beside the box, nothing sent
    expect(note.locator(".field-error")).to_contain_text("Write the reply first")
    note.locator(".reply-text").fill("Agreed, and the cut after it feels early too.")
    note.locator(".reply-send").click()
    reply = note.locator(".reply").first
    expect(reply.locator(".reply-author")).to_have_text(reviewer)
    expect(reply.locator(".reply-body")).to_have_text("Agreed, and the cut after it feels early too.")
    expect(toggle).to_have_text("Hide 1 reply")
    assert page.evaluate(OVERFLOW_JS) <= 0

    # Another note pinned redraws the list: the open thread stays open.
    page.locator("#issue-text").fill("the lamp is too warm in the wide")
    page.locator("#pin-issue").click()
    expect(page.locator("#issue-list .issue", has_text="the lamp is too warm")).to_be_visible()
    expect(note.locator(".reply")).to_have_count(1)

    context = chromium.new_context(viewport={"width": 1440, "height": 900})
    try:
        other = context.new_page()
        editor = live_app.sign_in(other, role="editor")
        other.goto(live_app.url(f"/scenes/{scene_id}/review"))
        theirs = other.locator(f'#issue-list .issue[data-id="{issue_id}"]')
        expect(theirs.locator(".issue-reply")).to_have_text("1 reply")
        theirs.locator(".issue-reply").click()
        expect(theirs.locator(".reply-body")).to_have_text("Agreed, and the cut after it feels early too.")
        theirs.locator(".reply-text").fill("Trimming it on stage 7.")
        theirs.locator(".reply-send").click()
        expect(theirs.locator(".reply")).to_have_count(2)
        expect(theirs.locator(".reply").nth(1).locator(".reply-author")).to_have_text(editor)
    finally:
        context.close()
    thread = live_app.http.get(live_app.url(f"/api/issues/{issue_id}/replies")).json()
    assert [r["author"] for r in thread] == [reviewer, editor]

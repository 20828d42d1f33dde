"""The members page and the account page in Chromium, at 1440×900 and 1024×768: an owner invites by email
(the page shows the link to hand over), the invitee opens it in another browser, sets a password and
joins; the owner changes a role, is refused demoting the last owner, clears a member's sign-in wait and
removes a member; a member creates, sees and revokes a named API token. No console error, nothing clipped."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from sqlalchemy import update

from rushes.services import throttle, users
from rushes.store import models as m
from rushes.store import throttles
from tests.browser.live_app import LiveApp, live_app  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser
SIZES = [(1440, 900), (1024, 768)]
# Every visible button and field inside the page's main area sits fully inside the viewport's width.
CLIPPED_JS = """() => {
  const w = document.documentElement.clientWidth;
  return [...document.querySelectorAll('main button, main input, main select, main a.btn')]
    .filter((e) => e.offsetWidth || e.offsetHeight)
    .filter((e) => { const r = e.getBoundingClientRect(); return r.left < 0 || r.right > w + 0.5; })
    .map((e) => e.id || e.className || e.tagName);
}"""
OVERFLOW_JS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def shoot(page: Page, name: str) -> None:
    folder = os.environ.get("RUSHES_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"members-{name}.png"), full_page=True)


def holds_up(page: Page, name: str) -> None:
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate(OVERFLOW_JS) <= 0, f"{page.url} overflows sideways at {width}x{height}"
        assert page.evaluate(CLIPPED_JS) == [], f"clipped controls at {width}x{height}"
        shoot(page, f"{name}-{width}")


def watch_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return errors


@pytest.mark.parametrize("size", SIZES, ids=["1440", "1024"])
def test_an_owner_invites_changes_roles_clears_a_wait_and_removes(live_app: LiveApp, page: Page, chromium, size) -> None:  # noqa: F811,ANN001
    studio = live_app.demo["studio_id"]
    page.set_viewport_size({"width": size[0], "height": size[1]})
    errors = watch_errors(page)
    reviewer = live_app.member("reviewer")
    leaver = live_app.member("editor")
    with live_app.rushes.db.session() as session:  # the reviewer mistyped their password seven times
        throttles.ensure_row(session, "account", reviewer)
        session.execute(update(m.SignInThrottle).where(m.SignInThrottle.key == reviewer)
                        .values(failures=7, blocked_until=throttle.clock() + 600))
    live_app.sign_in(page, "owner")
    page.goto(live_app.url("/credits"))
    page.click("#members-link")
    page.wait_for_url(re.compile(rf"/studios/{studio}/members$"))
    expect(page.locator("#members tr", has_text=reviewer)).to_be_visible()
    holds_up(page, f"page-{size[0]}")
    page.set_viewport_size({"width": size[0], "height": size[1]})

    # Invite: the page shows the link to hand over, and the invitation waits in the list.
    invitee = f"nia-{size[0]}@browser.rushes"
    page.fill("#invite-email", invitee)
    page.select_option("#invite-role", "editor")
    page.click("#invite-send")
    expect(page.locator("#invite-made")).to_be_visible()
    url = page.locator("#invite-url").input_value()
    assert "/invite/" in url and "/signin/link" not in url
    expect(page.locator("#invitations tr", has_text=invitee)).to_be_visible()

    # Role: change the reviewer to editor; demoting the last owner is refused beside the row.
    row = page.locator("#members tr", has_text=reviewer)
    row.locator(".member-role").select_option("editor")
    expect(row).to_have_attribute("data-role", "editor")
    me = page.locator("#members tr", has_text="(you)")
    owners = page.locator('#members tr[data-role="owner"]').count()
    if owners == 1:
        me.locator(".member-role").select_option("reviewer")
        expect(me.locator(".member-error")).to_contain_text("last owner")
        expect(me.locator(".member-role")).to_have_value("owner")

    # The reviewer's sign-in wait: shown, then cleared.
    expect(row.locator(".member-throttle")).to_contain_text("waits")
    row.locator(".member-unthrottle").click()
    expect(row.locator(".member-throttle")).to_have_text("ok")

    # Remove: asked in the page, then gone; their API access to the studio ends at once.
    client = live_app.client_for(email=leaver)
    assert client.get(live_app.url(f"/api/scenes/{live_app.demo['scene_ids'][0]}")).status_code == 200
    page.locator("#members tr", has_text=leaver).locator(".member-remove").click()
    page.locator("#member-remove-ask [data-answer=yes]").click()
    expect(page.locator("#members tr", has_text=leaver)).to_have_count(0)
    assert client.get(live_app.url(f"/api/scenes/{live_app.demo['scene_ids'][0]}")).status_code in (401, 404)

    # The invitee, in another browser: sets a password and joins this studio, signed in as themselves.
    other = chromium.new_context(viewport={"width": size[0], "height": size[1]})
    try:
        them = other.new_page()
        their_errors = watch_errors(them)
        them.goto(url)
        expect(them.locator("#invite")).to_have_attribute("data-mode", "new")
        holds_up(them, f"invite-{size[0]}")
        them.set_viewport_size({"width": size[0], "height": size[1]})
        them.fill("#invite-name", "Nia Okafor")
        them.fill("#invite-password", "a long password")
        them.click("#invite-join")
        them.wait_for_url(re.compile(r"/projects/\d+"))
        expect(them.locator("#whoami")).to_have_attribute("data-role", "editor")
        assert their_errors == []
    finally:
        other.close()
    page.reload()
    expect(page.locator("#members tr", has_text=invitee)).to_have_attribute("data-role", "editor")
    expect(page.locator("#invitations tr", has_text=invitee)).to_have_count(0)
    assert errors == [] or all("409" in e or "Conflict" in e for e in errors), errors


@pytest.mark.parametrize("size", SIZES, ids=["1440", "1024"])
def test_a_member_makes_and_revokes_a_named_api_token(live_app: LiveApp, page: Page, size) -> None:  # noqa: F811
    page.set_viewport_size({"width": size[0], "height": size[1]})
    errors = watch_errors(page)
    email = live_app.sign_in(page, "reviewer")
    page.goto(live_app.url("/signout"))
    page.click("#account-link")
    page.wait_for_url(re.compile(r"/account$"))
    holds_up(page, f"account-{size[0]}")
    page.set_viewport_size({"width": size[0], "height": size[1]})
    page.fill("#token-name", "render farm")
    page.fill("#token-days", "30")
    page.click("#token-create")
    expect(page.locator("#token-made")).to_be_visible()
    token = page.locator("#token-value").input_value()
    row = page.locator("#tokens tr", has_text="render farm").first
    expect(row).to_have_attribute("data-active", "true")
    import httpx

    with httpx.Client(headers={"Authorization": f"Bearer {token}"}) as script:
        assert script.get(live_app.url("/api/projects")).status_code == 200
        row.locator(".token-revoke").click()
        expect(row).to_have_attribute("data-active", "false")
        assert script.get(live_app.url("/api/projects")).status_code == 401
    with live_app.rushes.db.session() as session:
        user = users.user_by_email(session, email)
        names = [t.name for t in session.query(m.AuthToken).filter_by(user_id=user.id, kind="api")]
        assert "render farm" in names
    assert errors == [], errors

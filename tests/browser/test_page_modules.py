"""The pages' ES modules under the real Content-Security-Policy: the inline import map is allowed (by its hash),
so every module, imported ones too, is fetched by its content-versioned URL, once; nothing is refused by the
policy and no module fails; the one window namespace is window.rushes."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.live_app import LiveApp, live_app  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

LISTEN_FOR_REFUSALS = """window.__refused = [];
document.addEventListener('securitypolicyviolation', (e) => window.__refused.push(`${e.violatedDirective} ${e.blockedURI}`));"""


def test_a_scene_review_loads_its_modules_through_the_import_map(live_app: LiveApp, page: Page) -> None:  # noqa: F811
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.add_init_script(LISTEN_FOR_REFUSALS)
    live_app.sign_in(page)
    scripts: list[str] = []  # the review page's own, from here on
    page.on("request", lambda req: scripts.append(req.url) if req.resource_type == "script" else None)
    page.goto(live_app.url(f"/scenes/{live_app.demo['scene_ids'][0]}/review"))
    page.wait_for_function("() => window.rushes && window.rushes.review")

    modules = [url.split("/static/", 1)[1] for url in scripts if "/static/" in url]
    names = [m.split("?", 1)[0] for m in modules]
    # Entries, the kit and the player's parts: each by its versioned URL, each fetched once.
    assert {"pages/common.js", "pages/review.js", "kit/api.js", "kit/timecode.js", "scene-player.js",
            "scene-player-timeline.js"} <= set(names)
    assert all("?v=" in m for m in modules), modules
    assert len(names) == len(set(names)), names
    assert page.evaluate("window.__refused") == []
    assert not errors, errors
    assert set(page.evaluate("Object.keys(window.rushes)")) <= {"review", "compare", "room", "candidates", "toast"}

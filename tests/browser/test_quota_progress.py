"""The review page says which shots are queued for Veo's quota, and when each is expected to go."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser.live_app import LiveApp, start_live_app
from tests.fakes.vertex_fixtures import VERTEX_ENV_VARS
from tests.fakes.vertex_server import FakeVertex

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def paced(tmp_path_factory) -> Iterator[tuple[LiveApp, FakeVertex]]:
    mp = pytest.MonkeyPatch()
    for name in VERTEX_ENV_VARS:
        mp.delenv(name, raising=False)
    with FakeVertex() as fake:
        fake.default_operation(polls_until_done=1000)  # the sent shot stays rendering while we look
        app, server, thread = start_live_app(
            tmp_path_factory.mktemp("quota"), video_provider="veo", veo_model="veo-3.1-fast-generate-001",
            vertex_base_url=fake.base_url, vertex_token=fake.token, vertex_project="test-project",
            vertex_location="us-central1", veo_requests_per_minute=1, veo_rate_window_seconds=120.0)
        try:
            yield app, fake
        finally:
            server.should_exit = True  # type: ignore[attr-defined]
            thread.join(timeout=15)
            app.rushes.db.dispose()
    mp.undo()


def test_review_shows_queued_for_quota_with_an_estimate_per_shot(paced, page: Page) -> None:
    live, fake = paced
    scene = live.demo["scene_ids"][1]  # 2A, 2B, 2C
    live.sign_in(page, role="reviewer")  # watching progress needs no more than a reviewer
    assert live.http.post(live.url(f"/api/scenes/{scene}/takes"), headers={"Idempotency-Key": "q-1"}).status_code == 201
    page.goto(live.url(f"/scenes/{scene}/review"))
    waiting = page.locator("#render-progress .pshot.pstate-quota")
    expect(waiting).to_have_count(2, timeout=20_000)
    expect(page.locator('#render-progress .pshot[data-state="rendering"]')).to_have_count(1)
    labels = waiting.locator(".pstate").all_inner_texts()
    etas = [int(re.fullmatch(r"queued for quota · ~(\d+) s", text).group(1)) for text in labels]
    # One request per two minutes: the second shot goes in about 120 s, the third about 240 s.
    assert 100 <= etas[0] <= 121 and 220 <= etas[1] <= 241, etas
    assert len(fake.submissions) == 1

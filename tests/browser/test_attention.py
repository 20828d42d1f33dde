"""A job whose submit went unconfirmed is actionable in Chromium: Abandon (refunded) on the review page,
Resubmit (with what it may cost) on the Script Hub, both through POST /api/jobs/{id}/abandon|resubmit."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from rushes.store import models as m
from tests.browser.live_app import LiveApp, start_live_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live(tmp_path_factory) -> Iterator[LiveApp]:
    app, server, thread = start_live_app(tmp_path_factory.mktemp("attention"))
    yield app
    server.should_exit = True  # type: ignore[attr-defined]
    thread.join(timeout=15)
    app.rushes.db.dispose()


def strand_in_attention(live: LiveApp, job_id: int) -> None:
    """What a worker that crashed mid-submit leaves behind (steps._mark_uncertain)."""
    with live.rushes.db.session() as s:
        job = s.get(m.RenderJob, job_id)
        job.state, job.error_kind, job.operation_name = "attention", "uncertain", None
        job.error = "the provider may have started this render but never confirmed it (worker stopped during submission)"
        job.lease_owner = job.lease_expires_at = None


def job_state(live: LiveApp, job_id: int) -> str:
    return live.http.get(live.url(f"/api/jobs/{job_id}")).json()["state"]


def wait_for(predicate, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.1)


def test_abandon_on_the_review_page_and_resubmit_on_the_hub(live: LiveApp, page: Page) -> None:
    scene, project = live.demo["scene_ids"][0], live.demo["project_id"]
    live.rushes.video.latency_seconds = 120.0  # the other shots keep rendering while we look
    take = live.http.post(live.url(f"/api/scenes/{scene}/takes"), headers={"Idempotency-Key": "attention-1"}).json()
    jobs = {s["code"]: s["job"]["id"] for s in take["shots"] if s["job"]}
    costs = {s["code"]: s["cost_credits"] for s in take["shots"]}
    for code in ("1A", "1B"):
        strand_in_attention(live, jobs[code])
    balance = live.http.get(live.url("/api/account")).json()["balance"]
    native: list[str] = []
    page.on("dialog", lambda d: (native.append(d.message), d.dismiss()))  # none may appear: questions are in the page

    # Review page: the stranded shot says what each way out costs; Abandon refunds it.
    live.sign_in(page)
    page.goto(live.url(f"/scenes/{scene}/review"))
    abandon = page.locator(f'#progress-shots .attention-abandon[data-job-id="{jobs["1A"]}"]')
    resubmit = page.locator(f'#progress-shots .attention-resubmit[data-job-id="{jobs["1A"]}"]')
    expect(abandon).to_be_visible(timeout=15_000)
    expect(abandon).to_contain_text(f"refund {costs['1A']} credits")
    expect(resubmit).to_contain_text(f"may cost {costs['1A']} credits more")
    abandon.click()
    expect(page.locator("#attention-ask")).to_contain_text(f"Its {costs['1A']} credits are refunded")
    page.locator('#attention-ask [data-answer="yes"]').click()
    wait_for(lambda: job_state(live, jobs["1A"]) == "failed")
    expect(page.locator('#progress-shots .pshot[data-code="1A"]')).to_have_attribute("data-state", "failed", timeout=10_000)
    expect(abandon).to_have_count(0)
    assert live.http.get(live.url("/api/account")).json()["balance"] == balance + costs["1A"]

    # Script Hub: the other stranded shot can be resubmitted from the scene's row.
    page.goto(live.url(f"/projects/{project}"))
    row = page.locator(f'[data-take-progress][data-scene-id="{scene}"]')
    hub_resubmit = row.locator(f'.attention-resubmit[data-job-id="{jobs["1B"]}"]')
    expect(hub_resubmit).to_be_visible(timeout=15_000)
    expect(hub_resubmit).to_contain_text(f"may cost {costs['1B']} credits more")
    expect(row.locator(f'.attention-abandon[data-job-id="{jobs["1B"]}"]')).to_be_visible()
    hub_resubmit.click()
    expect(page.locator("#attention-ask")).to_contain_text("bills this render twice")
    page.locator('#attention-ask [data-answer="yes"]').click()
    wait_for(lambda: job_state(live, jobs["1B"]) != "attention")
    expect(hub_resubmit).to_have_count(0, timeout=10_000)
    with live.rushes.db.session() as s:
        notes = list(s.scalars(select(m.LedgerEntry).where(m.LedgerEntry.job_id == jobs["1B"])))
    assert {e.kind for e in notes} == {"charge", "resubmit"}
    assert live.http.get(live.url("/api/account")).json()["balance"] == balance + costs["1A"]  # resubmit charged nothing
    assert native == []

"""/healthz, /readyz and /metrics (who may read it, what it counts), and JSON logs carrying request, take and job ids."""

from __future__ import annotations

import io
import json
import logging

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from rushes.jobs.runner import WorkerPool
from rushes.observe.logs import configure_logging
from rushes.services.confirm import confirm_take
from rushes.services.demo import create_demo
from rushes.web.app import create_app
from tests.integration.conftest import add_test_member, make_rushes, work_until_idle

LOCAL = ("127.0.0.1", 5123)


@pytest.fixture
def site(tmp_path):
    rushes = make_rushes(tmp_path, metrics_token="scrape-token-123", worker_heartbeat_seconds=0.2)
    yield rushes, create_app(rushes, run_worker=False, load_demo=False)
    rushes.db.dispose()


def samples(text: str) -> dict[tuple[str, tuple], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def scrape(app) -> dict[tuple[str, tuple], float]:
    with TestClient(app, client=LOCAL) as client:
        response = client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return samples(response.text)


def test_healthz_answers_anyone_without_touching_anything(site):
    _, app = site
    with TestClient(app) as client:
        assert client.get("/healthz").json() == {"status": "alive"}


def test_readyz_needs_database_media_and_a_live_worker(site, tmp_path):
    rushes, app = site
    with TestClient(app) as client:
        answer = client.get("/readyz")
        assert answer.status_code == 503
        assert answer.json() == {"ready": False, "checks": {"database": True, "media store": True,
                                                             "worker heartbeat": False}}
        pool = WorkerPool(rushes, 1).start()
        try:
            answer = client.get("/readyz")
            assert answer.status_code == 200 and answer.json()["ready"] is True
        finally:
            pool.stop()
        assert client.get("/readyz").status_code == 503  # a worker that said it stopped is not a live one
    rushes.settings.ready_needs_worker = False
    blocker = tmp_path / "blocked"
    blocker.write_text("x")
    rushes.media.root = blocker / "media"
    with TestClient(app) as client:
        answer = client.get("/readyz")
    assert answer.status_code == 503 and answer.json()["checks"] == {"database": True, "media store": False}


def test_metrics_are_for_loopback_or_the_token_only(site):
    _, app = site
    with TestClient(app) as remote, TestClient(app, client=LOCAL) as local:
        assert remote.get("/metrics").status_code == 403
        assert remote.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
        assert remote.get("/metrics", headers={"Authorization": "Bearer scrape-token-123"}).status_code == 200
        assert local.get("/metrics").status_code == 200
        # A proxy on this machine relays the world from loopback: a relayed request is not local.
        assert local.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 403


def test_metrics_count_renders_credits_queue_and_latency_by_route_template(site):
    rushes, app = site
    before = scrape(app)
    scene_id = create_demo(rushes)["scene_ids"][1]
    member = add_test_member(rushes, "owner")
    with TestClient(app, headers={"Authorization": f"Bearer {member.api_token}"}) as client:
        assert client.get(f"/api/scenes/{scene_id}").status_code == 200
    take_id, _ = confirm_take(rushes, scene_id, "metrics")
    queued = scrape(app)
    assert queued[("rushes_jobs", (("standing", "due"),))] == 3
    assert queued[("rushes_oldest_due_job_seconds", ())] >= 0
    charged = queued[("rushes_credits_total", (("kind", "charged"),))]
    assert charged - before.get(("rushes_credits_total", (("kind", "charged"),)), 0) > 0
    work_until_idle(rushes, take_id=take_id)
    after = scrape(app)

    def grew(name, labels=()):
        key = (name, tuple(sorted(labels)))
        return after.get(key, 0) - before.get(key, 0)

    assert grew("rushes_renders_submitted_total", [("model", "mock")]) == 3
    assert grew("rushes_render_variants_total", [("model", "mock")]) == 3
    assert grew("rushes_renders_finished_total", [("state", "succeeded"), ("reason", "")]) == 3
    assert grew("rushes_job_step_seconds_count", [("kind", "clip"), ("step", "submit")]) == 3
    assert grew("rushes_job_seconds_count", [("kind", "clip"), ("state", "succeeded")]) == 3
    assert after[("rushes_jobs", (("standing", "due"),))] == 0
    latency = [key for key in after if key[0] == "rushes_http_request_seconds_count"
               and ("route", "/api/scenes/{scene_id}") in key[1]]
    assert latency, "latency is labelled by the route template, not the concrete path"
    assert not any("route" in dict(k[1]) and str(scene_id) in dict(k[1])["route"] for k in after)


def test_json_logs_carry_request_take_and_job_ids(site):
    rushes, app = site
    object.__setattr__(rushes.settings, "log_format", "json")
    stream = io.StringIO()
    configure_logging(rushes.settings, stream=stream)
    try:
        app = create_app(rushes, run_worker=False, load_demo=False)  # with the JSON access line
        scene_id = create_demo(rushes)["scene_ids"][1]
        take_id, _ = confirm_take(rushes, scene_id, "logs")
        member = add_test_member(rushes, "owner")
        with TestClient(app, headers={"Authorization": f"Bearer {member.api_token}"}) as client:
            answer = client.get(f"/api/takes/{take_id}", headers={"X-Request-ID": "req-42"})
        assert answer.headers["x-request-id"] == "req-42"
        logging.getLogger("rushes.worker").info("outside any job")
        rushes.settings.mock_fail_safety = 1.0
        work_until_idle(rushes, take_id=take_id)
    finally:
        configure_logging(rushes.settings.model_copy(update={"log_format": "text"}))
    entries = [json.loads(text) for text in stream.getvalue().splitlines()]
    [access] = [e for e in entries if e.get("request_id") == "req-42"]
    assert access["take_id"] == take_id and access["message"].startswith("GET /api/takes/{take_id} 200")
    stepped = [e for e in entries if e.get("job_id")]
    assert stepped and all(e["take_id"] == take_id for e in stepped)
    assert any(e["logger"] == "rushes.worker" for e in stepped)
    plain = [e for e in entries if e["message"] == "outside any job"]
    assert plain and "job_id" not in plain[0]


def test_a_starting_pool_forgets_workers_silent_for_a_week(site):
    from rushes.jobs.queue import now
    from rushes.store import models as m
    from rushes.store.operations import beat

    rushes, _ = site
    with rushes.db.session() as session:
        beat(session, "old:1:aa", "old", 1, 1, "stopped", now() - 8 * 86400)
        beat(session, "recent:2:bb", "recent", 2, 1, "stopped", now() - 3600)
    pool = WorkerPool(rushes, 1).start()
    pool.stop()
    with rushes.db.session() as session:
        rows = {row.name: row.state for row in session.query(m.WorkerHeartbeat)}
    assert rows == {"recent:2:bb": "stopped", pool.name: "stopped"}

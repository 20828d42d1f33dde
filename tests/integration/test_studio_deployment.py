"""A studio deployment end to end, as the README's deployment section lays it out: one PostgreSQL, media in
object storage (moto's S3), two `rushes serve --no-worker` web processes and two `rushes worker`
processes, Veo through the real SDK against the fake Vertex server, shared Prometheus metrics.

A take is confirmed through one web process, watched and played through the other, and rendered by the
workers. Runs in the default suite wherever RUSHES_TEST_POSTGRES_URL is set (CI has PostgreSQL).
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from rushes.services.demo import create_demo
from rushes.store import models as m
from tests.fakes.object_stores import free_port, s3_emulator  # noqa: F401
from tests.fakes.vertex_fixtures import fake_vertex, fake_vertex_server, vertex_env  # noqa: F401
from tests.integration.conftest import add_test_member, make_rushes
from tests.integration.test_worker_processes import (
    all_jobs,
    assert_each_job_ended_once,
    cheap_video,
    start_worker,
    stop_workers,
    wait_for,
    worker_env,
    worker_log,
)

pytestmark = pytest.mark.postgres
MODEL = "veo-3.1-fast-generate-001"


def start_web(tmp: Path, env: dict[str, str], name: str, port: int) -> subprocess.Popen:
    log = open(tmp / f"{name}.log", "wb")  # noqa: SIM115 - the child owns it until it exits
    try:
        return subprocess.Popen([sys.executable, "-m", "rushes.cli", "serve", "--no-worker", "--port", str(port)],
                                cwd=tmp, env=env, stdout=log, stderr=subprocess.STDOUT)
    finally:
        log.close()


def answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=5).status_code == 200
    except httpx.TransportError:
        return False


def test_two_web_and_two_worker_processes_on_one_postgres_render_a_take(tmp_path, postgres_url, fake_vertex,
                                                                         s3_emulator):
    fake_vertex.default_operation(polls_until_done=2, video_bytes=cheap_video)
    media = s3_emulator.settings()
    values = dict(video_provider="veo", veo_model=MODEL, vertex_base_url=fake_vertex.base_url,
                  vertex_token=fake_vertex.token, vertex_project="test-project", vertex_location="us-central1",
                  media_url=media["media_url"], media_allow_http=True, worker_heartbeat_seconds=0.5,
                  load_demo=False)
    app = make_rushes(tmp_path, postgres_url, media_options=media["media_options"], **values)  # `rushes db upgrade`
    scene_id = create_demo(app)["scene_ids"][1]  # 3 shots
    owner = add_test_member(app, "owner")
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    env = worker_env(tmp_path, postgres_url, media_options=json.dumps(media["media_options"]), **values)
    env["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    ports = [free_port(), free_port()]
    webs = [start_web(tmp_path, env, f"web-{i}", port) for i, port in enumerate(ports)]
    workers = [start_worker(tmp_path, env, f"worker-{i}", concurrency=2) for i in range(2)]
    procs = webs + workers
    names = [f"web-{i}" for i in range(2)] + [f"worker-{i}" for i in range(2)]
    base = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for url in base:
            wait_for(lambda url=url: answers(f"{url}/healthz") or any(p.poll() is not None for p in procs),
                     timeout=180, interval=0.2, message=f"{url} to answer")
        assert all(p.poll() is None for p in procs), {n: worker_log(tmp_path, n)[-2000:] for n in names}
        for url in base:  # ready: database, media and live workers
            wait_for(lambda url=url: answers(f"{url}/readyz"), timeout=120, interval=0.2, message=f"{url}/readyz")

        auth = {"Authorization": f"Bearer {owner.api_token}"}
        confirmed = httpx.post(f"{base[0]}/api/scenes/{scene_id}/takes", headers={**auth, "Idempotency-Key": "ci"},
                               timeout=60)
        assert confirmed.status_code == 201, confirmed.text
        take_id = confirmed.json()["id"]

        def finished():
            view = httpx.get(f"{base[1]}/api/takes/{take_id}", headers=auth, timeout=30).json()
            return view if view["finished"] else None

        view = wait_for(finished, timeout=300, interval=0.5, message="the take to finish")
        assert [s["state"] for s in view["shots"]] == ["succeeded"] * 3
        clip = httpx.get(base[1] + view["shots"][0]["clip"]["url"], headers=auth, timeout=60)
        assert clip.status_code == 200 and clip.headers["content-type"] == "video/mp4"
        assert clip.content[4:8] == b"ftyp"  # a real MP4 out of the bucket, through the other web process

        scraped = httpx.get(f"{base[0]}/metrics", timeout=30)
        assert scraped.status_code == 200
        found = {(s.name, tuple(sorted(s.labels.items()))): s.value
                 for family in text_string_to_metric_families(scraped.text) for s in family.samples}
        # Counted in the worker processes, read through a web process: the multiprocess directory at work.
        assert found[("rushes_renders_submitted_total", (("model", MODEL),))] == 3
        assert found[("rushes_renders_finished_total", (("reason", ""), ("state", "succeeded")))] == 3
        assert found[("rushes_workers_live", ())] == 2
        assert found[("rushes_jobs", (("standing", "due"),))] == 0
    finally:
        codes = stop_workers(procs, timeout=120)
    logs = {name: worker_log(tmp_path, name) for name in names}
    assert all(code in (0, -signal.SIGTERM) for code in codes), (codes, logs)
    for name in names:
        assert "Traceback" not in logs[name], (name, logs[name][-3000:])
    # Every render submitted once, on v1, by a worker process (the web processes run none).
    assert {r.path.split("/")[1] for r in fake_vertex.submissions} == {"v1"}
    jobs = assert_each_job_ended_once(app, list(fake_vertex.operations))
    with app.db.session() as s:
        beats = list(s.scalars(select(m.WorkerHeartbeat)))
    assert sorted(b.state for b in beats) == ["stopped", "stopped"]
    assert {j.id for j in all_jobs(app)} == {j.id for j in jobs}
    app.db.dispose()

"""Renders are draws: retakes, variants (one request, N videos, N prices), QC's ranked select, the cut of
selects, and notes that follow their shot. Real mock renders (PyAV MP4s), SQLite and PostgreSQL."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sqlalchemy import func, select

from rushes.media.qc_probe import decode_clip
from rushes.services.accounts import balance
from rushes.store import models as m
from tests.integration.conftest import api_client, make_rushes, work_until_idle


@pytest.fixture
def world(tmp_path, db_url):
    from rushes.services.demo import create_demo

    rushes = make_rushes(tmp_path, db_url, mock_latency_seconds=0.0)
    demo = create_demo(rushes)
    with api_client(rushes) as client:
        yield rushes, demo, client
    rushes.db.dispose()


def confirm(client, scene, key, body=None):
    return client.post(f"/api/scenes/{scene}/takes", headers={"Idempotency-Key": key}, json=body)


def shots_of(rushes, scene):
    with rushes.db.session() as s:
        return list(s.scalars(select(m.Shot.id).where(m.Shot.scene_id == scene).order_by(m.Shot.id)))


def submissions(rushes):
    return rushes.video.submissions()


def money(rushes):
    with rushes.db.session() as s:
        return balance(s, 1)


def first_take(rushes, client, scene):
    response = confirm(client, scene, "first")
    assert response.status_code == 201, response.text
    work_until_idle(rushes)
    return response.json()


def test_retake_is_a_new_draw_of_unchanged_inputs_at_full_price(world):
    rushes, demo, client = world
    scene = demo["scene_ids"][0]
    take1 = first_take(rushes, client, scene)
    shot = shots_of(rushes, scene)[1]
    sent = len(submissions(rushes))
    price = next(s for s in take1["shots"] if s["shot_id"] == shot)["cost_credits"]
    plan = client.get(f"/api/scenes/{scene}/plan", params={"retake": str(shot)}).json()
    row = next(s for s in plan["shots"] if s["shot_id"] == shot)
    assert row["decision"] == "render" and row["retake"] and row["credits"] == price
    assert plan["total_credits"] == price and plan["render_count"] == 1
    assert all(s["decision"] == "reuse" for s in plan["shots"] if s["shot_id"] != shot)
    before = money(rushes)
    response = confirm(client, scene, "retake-1", {"retake": [shot]})
    assert response.status_code == 201, response.text
    assert confirm(client, scene, "retake-1", {"retake": [shot]}).status_code == 200  # same key: same take
    assert money(rushes) == before - price
    work_until_idle(rushes)
    assert len(submissions(rushes)) == sent + 1  # exactly one provider request, for the retaken shot
    clips = client.get(f"/api/shots/{shot}/clips").json()
    assert len(clips) == 2 and len({c["inputs_digest"] for c in clips}) == 1
    assert [c["selected"] for c in clips] == [False, True]
    assert clips[0]["draw"]["seed"] != clips[1]["draw"]["seed"]
    assert clips[1]["draw"]["take_number"] == 2 and clips[1]["draw"]["variant"] == 1
    # The earlier clip is kept, and the first take still plays it as reviewed.
    old_cut = client.get(f"/api/scenes/{scene}/cut", params={"take": take1["id"]}).json()
    assert next(s for s in old_cut["shots"] if s["shot_id"] == shot)["clip_id"] == clips[0]["id"]
    cut = client.get(f"/api/scenes/{scene}/cut").json()
    assert next(s for s in cut["shots"] if s["shot_id"] == shot)["clip_id"] == clips[1]["id"]


def test_variants_are_one_request_with_n_different_videos_ranked_and_selected(world):
    rushes, demo, client = world
    scene = demo["scene_ids"][0]
    first_take(rushes, client, scene)
    shot = shots_of(rushes, scene)[0]
    plan = client.get(f"/api/scenes/{scene}/plan", params={"variants": f"{shot}:3"}).json()
    row = next(s for s in plan["shots"] if s["shot_id"] == shot)
    assert row["variants"] == 3 and row["credits"] == 3 * row["unit_credits"] and plan["video_count"] == 3
    sent = len(submissions(rushes))
    before = money(rushes)
    assert confirm(client, scene, "v3", {"variants": {str(shot): 3}}).status_code == 201
    assert money(rushes) == before - 3 * row["unit_credits"]
    work_until_idle(rushes)
    assert len(submissions(rushes)) == sent + 1
    clips = [c for c in client.get(f"/api/shots/{shot}/clips").json() if c["draw"]["take_number"] == 2]
    assert sorted(c["draw"]["variant"] for c in clips) == [1, 2, 3]
    assert sum(c["selected"] for c in clips) == 1
    best = next(c for c in clips if c["selected"])
    assert best["draw"]["rank"] == 1 and all(c["qc"] is not None for c in clips)
    # Genuinely different pictures: the middle frames differ between variants.
    frames = []
    with rushes.db.session() as s:
        for c in clips:
            clip = s.get(m.Clip, c["id"])
            decoded = decode_clip(rushes.media.read(clip.media_key))
            frames.append(decoded.frames[len(decoded.frames) // 2].astype(float))
    # A draw's own light is a small part of the frame, so its share is what is measured, not the frame's mean:
    # a visible patch (over 12 levels) covers at least 0.5 % of the picture wherever the seeds put it.
    def changed(a, b):
        return float((np.abs(a - b).max(axis=2) > 12).mean())

    assert changed(frames[0], frames[1]) > 0.005 and changed(frames[1], frames[2]) > 0.005
    # Pick another; the cut plays it, and a new confirm reuses it free.
    other = next(c for c in clips if not c["selected"])
    picked = client.post(f"/api/shots/{shot}/select", json={"clip_id": other["id"]})
    assert picked.status_code == 200, picked.text
    assert next(s for s in client.get(f"/api/scenes/{scene}/cut").json()["shots"] if s["shot_id"] == shot)["clip_id"] == other["id"]
    plan = client.get(f"/api/scenes/{scene}/plan").json()
    assert next(s for s in plan["shots"] if s["shot_id"] == shot)["reuse_clip_id"] == other["id"]
    with rushes.db.session() as s:
        per_digest = s.execute(select(m.Clip.shot_id, m.Clip.inputs_digest, func.count()).where(m.Clip.selected.is_(True))
                               .group_by(m.Clip.shot_id, m.Clip.inputs_digest)).all()
    assert all(n == 1 for *_, n in per_digest)


def test_a_safety_filtered_variant_is_refunded_once(tmp_path, db_url):
    from rushes.services.demo import create_demo

    rushes = make_rushes(tmp_path, db_url, mock_latency_seconds=0.0)
    demo = create_demo(rushes)
    scene = demo["scene_ids"][0]
    with api_client(rushes) as client:
        first_take(rushes, client, scene)
        shot = shots_of(rushes, scene)[0]
        # Every later video is filtered with probability 1/2 (seeded): some variants go, the render stays.
        rushes.video.fail_safety = 0.5
        rushes.video._rng.seed(3)
        before = money(rushes)
        take = confirm(client, scene, "v4", {"retake": [shot], "variants": 4}).json()
        charged = before - money(rushes)
        work_until_idle(rushes)
    with rushes.db.session() as s:
        job = s.scalar(select(m.RenderJob).where(m.RenderJob.take_id == take["id"], m.RenderJob.kind == "clip"))
        refunds = list(s.scalars(select(m.LedgerEntry).where(m.LedgerEntry.job_id == job.id, m.LedgerEntry.kind == "refund")))
        kept = s.scalar(select(func.count()).select_from(m.Clip).where(m.Clip.take_id == take["id"]))
    record = json.loads((rushes.video.state_dir / job.operation_name.split("/")[1] / "request.json").read_text())
    filtered = sum(v["outcome"] == "safety" for v in record["variants"])
    assert 0 < filtered < 4, "seed 3 filters some but not all"
    assert kept == 4 - filtered and len(refunds) == filtered
    assert sorted(r.variant for r in refunds) == list(range(5 - filtered, 5))
    assert sum(r.amount for r in refunds) == filtered * charged // 4
    assert money(rushes) == before - (4 - filtered) * charged // 4
    rushes.db.dispose()


def test_bad_draw_requests_answer_4xx_and_change_nothing(world):
    rushes, demo, client = world
    scene, other_scene = demo["scene_ids"][:2]
    foreign = shots_of(rushes, other_scene)[0]
    before = money(rushes)
    for body in ({"retake": [foreign]}, {"variants": 5}, {"variants": 0}, {"variants": {"abc": 2}},
                 {"variants": {str(foreign): 2}}, {"retake": ["x"]}, {"variants": True}):
        response = confirm(client, scene, f"bad-{json.dumps(body)}", body)
        assert response.status_code == 422, (body, response.text)
    for query in ({"retake": "x"}, {"variants": "9"}, {"retake": str(foreign)}):
        assert client.get(f"/api/scenes/{scene}/plan", params=query).status_code == 422, query
    assert money(rushes) == before
    with rushes.db.session() as s:
        assert s.scalar(select(func.count()).select_from(m.Take)) == 0
    shot = shots_of(rushes, scene)[0]
    assert client.post(f"/api/shots/{shot}/select", json={"clip_id": 999999}).status_code == 404

"""Money in the user's hands (issue 22, item 4): the take's model, resolution and sound chosen at Stage 11 and
priced from the price table, only the ticked shots rendered, owner grants with who and why, project budgets."""

from __future__ import annotations

import av
import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from rushes.domain.costs import render_seconds
from rushes.services.demo import create_demo
from rushes.store import models as m
from tests.integration.conftest import api_client, make_rushes, work_until_idle

FAST = "veo-3.1-fast-generate-001"


@pytest.fixture
def film(tmp_path, db_url):
    app = make_rushes(tmp_path, url=db_url)
    demo = create_demo(app)
    yield app, demo
    app.db.dispose()


def shot_ids(app, scene_id: int) -> list[int]:
    with app.db.session() as s:
        return [t.shot_id for t in s.scalars(select(m.ShotVersion).join(m.Shot, m.Shot.id == m.ShotVersion.shot_id)
                                             .where(m.Shot.scene_id == scene_id, m.ShotVersion.version == 1)
                                             .order_by(m.ShotVersion.position))]


def test_the_chosen_model_resolution_and_sound_are_priced_stored_and_rendered(film):
    app, demo = film
    scene = demo["scene_ids"][0]
    with api_client(app, "editor") as client:
        plan = client.get(f"/api/scenes/{scene}/plan").json()
        assert plan["render"]["model"] == "mock" and plan["chosen"]["audio"] is True
        assert {"model": FAST, "resolution": "1080p", "audio": False, "per_second": 10} in plan["options"]
        chosen = client.get(f"/api/scenes/{scene}/plan", params={"model": FAST, "resolution": "1080p", "audio": "false"}).json()
        # Veo bills whole 4/6/8 s clips, at the table's 1080p silent price.
        expected = sum(render_seconds(s["duration"], FAST) * 10 for s in chosen["shots"] if s["decision"] == "render")
        assert chosen["price_per_second"] == 10 and chosen["total_credits"] == expected and chosen["render"]["resolution"] == "1080p"
        made = client.post(f"/api/scenes/{scene}/takes", headers={"Idempotency-Key": "spec"},
                           json={"model": FAST, "resolution": "1080p", "audio": False})
        assert made.status_code == 201, made.text
        take = made.json()
        assert take["render"] == {"model": FAST, "resolution": "1080p", "aspect_ratio": "16:9", "generate_audio": False}
        assert take["cost_credits"] == expected
    with app.db.session() as s:
        jobs = list(s.scalars(select(m.RenderJob).where(m.RenderJob.take_id == take["id"])))
        assert jobs and all(j.payload["render"]["model"] == FAST and j.payload["render"]["resolution"] == "1080p"
                            and j.payload["render"]["generate_audio"] is False for j in jobs)
    work_until_idle(app, take_id=take["id"])
    with app.db.session() as s:
        clips = list(s.scalars(select(m.Clip).join(m.TakeSlot, m.TakeSlot.clip_id == m.Clip.id)
                               .where(m.TakeSlot.take_id == take["id"])))
        assert clips and all(c.model == FAST and (c.width, c.height) == (1920, 1080) for c in clips)
        data = app.media.read(clips[0].media_key)
    import io

    with av.open(io.BytesIO(data)) as container:
        assert not container.streams.audio, "a silent take is rendered without a sound track"
    with api_client(app, "editor") as client:
        # The scene now renders at what was chosen: its clips are current, nothing is left to buy.
        after = client.get(f"/api/scenes/{scene}/plan").json()
        assert after["chosen"] == {"model": FAST, "resolution": "1080p", "audio": False, "shot_ids": None}
        assert after["render_count"] == 0 and after["nothing_to_render"]
        assert client.get(f"/api/scenes/{scene}").json()["status"] == "Ready for Review"


def test_only_ticked_shots_render_the_rest_keep_their_clip_or_stay_unrendered(film):
    app, demo = film
    scene = demo["scene_ids"][0]
    first, second, *rest = shot_ids(app, scene)
    with api_client(app, "editor") as client:
        plan = client.get(f"/api/scenes/{scene}/plan", params={"shot_ids": str(first)}).json()
        decisions = {s["shot_id"]: s["decision"] for s in plan["shots"]}
        assert decisions[first] == "render" and {decisions[i] for i in [second, *rest]} == {"keep"}
        one = client.post(f"/api/scenes/{scene}/takes", headers={"Idempotency-Key": "t1"}, json={"shot_ids": [first]})
        assert one.status_code == 201, one.text
        assert [s["shot_id"] for s in one.json()["shots"] if s["job"]] == [first]
        assert one.json()["cost_credits"] == plan["total_credits"]
        work_until_idle(app, take_id=one.json()["id"])
        first_clip = client.get(f"/api/takes/{one.json()['id']}").json()["shots"][0]["clip"]["id"]
        assert client.get(f"/api/scenes/{scene}").json()["status"] == "Outdated"  # shots still unrendered
        two = client.post(f"/api/scenes/{scene}/takes", headers={"Idempotency-Key": "t2"}, json={"shot_ids": [second]})
        assert two.status_code == 201, two.text
        slots = {s["shot_id"]: s for s in two.json()["shots"]}
        assert slots[first]["clip"]["id"] == first_clip and slots[first]["reused"] and slots[first]["job"] is None
        assert slots[second]["job"] is not None and all(slots[i]["clip"] is None and slots[i]["job"] is None for i in rest)
        work_until_idle(app, take_id=two.json()["id"])
        cut = client.get(f"/api/scenes/{scene}/cut").json()["shots"]
        assert [s["state"] for s in cut][:2] == ["ready", "ready"] and {s["state"] for s in cut[2:]} == {"unrendered"}
        # A ticked shot with nothing to buy, a shot of another scene, a model not on offer: refused, nothing bought.
        spent = client.get("/api/account").json()["balance"]
        again = client.post(f"/api/scenes/{scene}/takes", headers={"Idempotency-Key": "t3"}, json={"shot_ids": [first]})
        assert again.status_code == 409 and again.json()["shots"] == [plan["shots"][0]["code"]]
        other = shot_ids(app, demo["scene_ids"][1])[0]
        stranger = client.post(f"/api/scenes/{scene}/takes", headers={"Idempotency-Key": "t4"}, json={"shot_ids": [other]})
        assert stranger.status_code == 422 and stranger.json()["detail"][0]["loc"] == ["body", "shot_ids"]
        bad = client.post(f"/api/scenes/{scene}/takes", headers={"Idempotency-Key": "t5"}, json={"model": "sora-9"})
        assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "model"]
        none = client.post(f"/api/scenes/{scene}/takes", headers={"Idempotency-Key": "t6"}, json={"shot_ids": []})
        assert none.status_code == 409
        assert client.get("/api/account").json()["balance"] == spent


def test_an_unticked_blocked_shot_does_not_stop_the_others(film):
    app, demo = film
    scene = demo["scene_ids"][0]
    first, second, *_ = shot_ids(app, scene)
    with app.db.session() as s:  # the demo's shot lists are locked; the edit below is the point here
        for lock in s.scalars(select(m.StageLock).where(m.StageLock.scene_id == scene)):
            s.delete(lock)
    with api_client(app, "editor") as client:
        # Stage 7 edit: the second shot's prompt set and frames are now stale, so it is blocked.
        assert client.patch(f"/api/shots/{second}", json={"action": "She drops the lamp."}).status_code == 200
        blocked = client.post(f"/api/scenes/{scene}/takes", headers={"Idempotency-Key": "all"})
        assert blocked.status_code == 409 and "cannot be rendered" in blocked.json()["detail"]
        ok = client.post(f"/api/scenes/{scene}/takes", headers={"Idempotency-Key": "some"}, json={"shot_ids": [first]})
        assert ok.status_code == 201, ok.text


def test_an_owner_grants_credits_once_per_key_with_who_and_why(film):
    app, demo = film
    studio = demo["studio_id"]
    with api_client(app, "owner") as owner, api_client(app, "editor") as editor:
        before = owner.get("/api/account").json()["balance"]
        body = {"credits": 750, "reason": "invoice 114 paid"}
        first = owner.post(f"/api/studios/{studio}/credits", json=body, headers={"Idempotency-Key": "g1"})
        assert first.status_code == 201, first.text
        assert first.json()["by"] == owner.member.email and first.json()["balance"] == before + 750
        again = owner.post(f"/api/studios/{studio}/credits", json=body, headers={"Idempotency-Key": "g1"})
        assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
        changed = owner.post(f"/api/studios/{studio}/credits", json={**body, "credits": 9}, headers={"Idempotency-Key": "g1"})
        assert changed.status_code == 409
        assert owner.post(f"/api/studios/{studio}/credits", json={**body, "credits": 0},
                          headers={"Idempotency-Key": "g2"}).status_code == 422
        assert editor.post(f"/api/studios/{studio}/credits", json=body, headers={"Idempotency-Key": "g3"}).status_code == 403
        assert owner.get("/api/account").json()["balance"] == before + 750
        page = owner.get("/credits").text
        assert "invoice 114 paid" in page and owner.member.email in page and 'id="grant-form"' in page
        assert 'id="grant-form"' not in editor.get("/credits").text
    with app.db.session() as s:
        rows = list(s.scalars(select(m.LedgerEntry).where(m.LedgerEntry.request_key == "g1")))
        assert len(rows) == 1 and rows[0].user_id is not None and rows[0].memo == "invoice 114 paid"


def test_the_database_refuses_a_negative_grant_and_a_second_row_with_one_key(film):
    app, demo = film
    for row in (dict(amount=-5, kind="grant", memo="x"), dict(amount=5, kind="grant", memo="x", request_key="k")):
        with pytest.raises(IntegrityError):
            with app.db.session() as s:
                s.add(m.LedgerEntry(account_id=demo["studio_id"], **row))
                if row.get("request_key"):
                    s.flush()
                    s.add(m.LedgerEntry(account_id=demo["studio_id"], **row))
    with pytest.raises(IntegrityError):
        with app.db.session() as s:
            s.get(m.Project, demo["project_id"]).budget_credits = -1


def test_a_confirm_past_the_budget_needs_an_explicit_yes(film):
    app, demo = film
    scene, project = demo["scene_ids"][0], demo["project_id"]
    with api_client(app, "owner") as owner, api_client(app, "editor") as editor:
        cost = editor.get(f"/api/scenes/{scene}/plan").json()["total_credits"]
        assert editor.put(f"/api/projects/{project}/budget", json={"credits": cost - 1}).status_code == 403
        assert owner.put(f"/api/projects/{project}/budget", json={"credits": cost - 1}).json()["credits"] == cost - 1
        plan = editor.get(f"/api/scenes/{scene}/plan").json()
        assert plan["budget"]["over"] and plan["budget"]["over_by"] == 1 and "budget" in plan["budget"]["warning"]
        page = editor.get(f"/scenes/{scene}/stage/11").text
        assert 'id="budget-warning"' in page and "data-over-budget" in page
        refused = editor.post(f"/api/scenes/{scene}/takes", headers={"Idempotency-Key": "b1"})
        assert refused.status_code == 409 and refused.json()["over_budget"] is True
        assert refused.json()["budget"]["over_by"] == 1
        ok = editor.post(f"/api/scenes/{scene}/takes", headers={"Idempotency-Key": "b2"}, json={"accept_over_budget": True})
        assert ok.status_code == 201, ok.text
        assert owner.get(f"/api/projects/{project}/budget").json()["spent"] == cost
        assert owner.put(f"/api/projects/{project}/budget", json={"credits": None}).json()["credits"] is None


def test_stage_11_offers_the_choice_and_the_ticks_and_plans_what_the_query_asks(film):
    app, demo = film
    scene = demo["scene_ids"][0]
    first, *_ = shot_ids(app, scene)
    with api_client(app, "editor") as client:
        page = client.get(f"/scenes/{scene}/stage/11").text
        assert 'id="take-order"' in page and f'value="{FAST}"' in page and 'data-tick=' in page
        chosen = client.get(f"/scenes/{scene}/stage/11", params={"picked": "1", "tick": str(first), "model": FAST,
                                                                 "resolution": "720p", "audio": "true"}).text
        assert 'id="kept-shots"' in chosen and f'name="shot_ids" value="{first}"' in chosen
        assert f'<option value="{FAST}" selected' in chosen
        bad = client.get(f"/scenes/{scene}/stage/11", params={"model": "nope"})
        assert bad.status_code == 200 and 'id="page-error"' in bad.text

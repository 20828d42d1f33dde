"""Bad input gets a clear 4xx and changes nothing, on SQLite and PostgreSQL: ids past 64 bits, NaN and
Infinity, lone surrogates and NUL in text, non-numeric stream cursors, loosely typed durations."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from rushes.bootstrap import Rushes, bootstrap
from rushes.services.demo import create_demo
from rushes.store import models as m
from tests.integration.conftest import PG_ENV, rushes_settings

BIG = [2**63, 2**64 + 1, 10**30]


class Hostile:
    def __init__(self, client: TestClient, rushes: Rushes, demo: dict) -> None:
        self.client, self.rushes, self.demo = client, rushes, demo
        self.scene = demo["scene_ids"][0]
        self.shot = client.get(f"/api/scenes/{self.scene}").json()["shots"][0]["id"]

    def raw(self, method: str, path: str, body: str, **kw):
        return self.client.request(method, path, content=body.encode("utf-8", "surrogatepass"),
                                   headers={"Content-Type": "application/json", **kw.pop("headers", {})}, **kw)

    def counts(self) -> tuple:
        with self.rushes.db.session() as s:
            return tuple(s.scalar(select(func.count()).select_from(t)) for t in
                         (m.ShotVersion, m.VisualStateVersion, m.PromptSet, m.ReviewIssue, m.Take, m.LedgerEntry))


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def hostile(request, tmp_path_factory) -> Iterator[Hostile]:
    root = tmp_path_factory.mktemp(f"hostile-{request.param}")
    url, admin, name = None, None, None
    if request.param == "postgres":
        server = os.environ.get(PG_ENV)
        if not server:
            pytest.skip(f"{PG_ENV} is not set")
        name = f"rushes_h_{uuid.uuid4().hex[:10]}"
        admin = create_engine(make_url(server), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(server).set(database=name).render_as_string(hide_password=False)
    from rushes.web.app import create_app

    rushes = bootstrap(rushes_settings(root, url))
    rushes.upgrade_schema()
    from tests.integration.conftest import add_test_member

    member = add_test_member(rushes, "owner")
    with TestClient(create_app(rushes, load_demo=False), raise_server_exceptions=False,
                    headers={"Authorization": f"Bearer {member.api_token}"}) as client:
        demo = create_demo(rushes)
        # The demo locks its shot lists (a locked list answers 409 first); these probes are about input.
        client.post(f"/api/scenes/{demo['scene_ids'][0]}/locks", json={"stage": 7, "locked": False})
        yield Hostile(client, rushes, demo)
    rushes.db.dispose()
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def assert_4xx(answer, *codes: int) -> dict:
    assert answer.status_code in (codes or (400, 404, 409, 413, 422)), (answer.status_code, answer.text[:300])
    body = answer.json()
    assert body["detail"]
    return body


@pytest.mark.parametrize("big", BIG)
def test_ids_past_64_bits_in_paths_are_refused(hostile: Hostile, big: int) -> None:
    for method, path in [("GET", f"/api/scenes/{big}"), ("GET", f"/api/takes/{big}"), ("POST", f"/api/jobs/{big}/abandon"),
                         ("POST", f"/api/takes/{big}/cancel"), ("GET", f"/api/scenes/{big}/cut"),
                         ("GET", f"/api/scenes/{hostile.scene}/cut?take={big}"), ("DELETE", f"/api/issues/{big}"),
                         ("POST", f"/api/notifications/{big}/read"), ("GET", f"/scenes/{big}/review"),
                         ("GET", f"/projects/{big}")]:
        assert_4xx(hostile.client.request(method, path), 422)
    assert_4xx(hostile.client.patch(f"/api/shots/{big}", json={"action": "x"}), 422)


@pytest.mark.parametrize("big", BIG)
def test_ids_past_64_bits_in_bodies_are_refused(hostile: Hostile, big: int) -> None:
    before = hostile.counts()
    scene, shot = hostile.scene, hostile.shot
    for method, path, body in [
        ("POST", f"/api/scenes/{scene}/issues", {"scene_time": 1.0, "category": "timing", "description": "x", "take_id": big}),
        ("POST", f"/api/scenes/{scene}/issues", {"scene_time": 1.0, "category": "timing", "description": "x", "shot_id": big}),
        ("POST", f"/api/scenes/{scene}/shots/order", {"shot_ids": [big]}),
        ("POST", f"/api/shots/{shot}/merge", {"next_shot_id": big}),
        ("POST", f"/api/scenes/{scene}/shots", {"code": "1Z", "duration": 4, "after_shot_id": big}),
        ("POST", f"/api/scenes/{scene}/complete", {"take_id": big}),
        ("POST", "/api/attribution", {"description": "too dark", "shot_id": big}),
    ]:
        assert_4xx(hostile.client.request(method, path, json=body), 422)
    # As text, an id that names nothing is simply unknown.
    assert_4xx(hostile.client.post("/api/attribution", json={"description": "too dark", "shot_id": str(big)}), 404)
    assert hostile.counts() == before


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused_and_the_422_is_valid_json(hostile: Hostile, literal: str) -> None:
    before = hostile.counts()
    scene, shot = hostile.scene, hostile.shot
    for method, path, body in [
        ("POST", f"/api/scenes/{scene}/issues", f'{{"scene_time": {literal}, "category": "timing", "description": "x"}}'),
        ("PATCH", f"/api/shots/{shot}", f'{{"duration": {literal}}}'),
        ("POST", "/api/attribution", f'{{"description": "x", "shot": {{"code": "1A", "duration": {literal}}}}}'),
    ]:
        answer = hostile.raw(method, path, body)
        detail = assert_4xx(answer, 422)["detail"]
        assert json.loads(answer.text)  # strict JSON: no NaN came back in the echo
        assert any("finite" in d["msg"] or "number" in d["msg"] for d in detail), detail
    assert hostile.counts() == before


UNSTORABLE = {"lone surrogate": "\\ud800", "NUL": "\\u0000"}


@pytest.mark.parametrize("what", UNSTORABLE)
def test_lone_surrogates_and_nul_in_any_text_field_are_refused(hostile: Hostile, what: str) -> None:
    bad = f'"Mara{UNSTORABLE[what]}"'
    scene, shot = hostile.scene, hostile.shot
    element = hostile.client.get(f"/api/scenes/{scene}").json()
    before = hostile.counts()
    for method, path, body in [
        ("PATCH", f"/api/shots/{shot}", f'{{"action": {bad}}}'),
        ("PATCH", f"/api/shots/{shot}", f'{{"characters": [{bad}]}}'),
        ("PATCH", f"/api/shots/{shot}", f'{{"code": {bad}}}'),
        ("POST", f"/api/scenes/{scene}/shots", f'{{"code": "1Z", "duration": 4, "dialogue": {bad}}}'),
        ("POST", f"/api/scenes/{scene}/visual-states", f'{{"kind": "prop", "name": {bad}, "description": "brass"}}'),
        ("POST", f"/api/scenes/{scene}/visual-states", f'{{"kind": "prop", "name": "lamp", "description": {bad}}}'),
        ("PATCH", f"/api/shots/{shot}/prompt", f'{{"video_prompt": {bad}}}'),
        ("POST", f"/api/scenes/{scene}/issues", f'{{"scene_time": 1.0, "category": "timing", "description": {bad}}}'),
        ("POST", "/api/attribution", f'{{"description": {bad}}}'),
        ("POST", "/api/attribution", f'{{"description": "dark", "shot_id": {bad}}}'),
    ]:
        answer = hostile.raw(method, path, body)
        detail = assert_4xx(answer, 422)["detail"]
        assert any(word in d["msg"] for d in detail for word in ("NUL", "surrogate", "unicode")), (path, detail)
    # The HTML confirm form takes its key from a form field: refused, and no take is bought.
    form = hostile.client.post(f"/scenes/{scene}/stage/11/confirm", data={"idempotency_key": "k\x00"},
                               follow_redirects=False)
    assert form.status_code < 500
    assert hostile.counts() == before, element["id"]


@pytest.mark.parametrize("cursor", ["abc", "-1", "1.5", str(2**64), "1e3"])
def test_a_non_numeric_stream_cursor_is_refused(hostile: Hostile, cursor: str) -> None:
    assert_4xx(hostile.client.get("/api/events", headers={"Last-Event-ID": cursor}), 422)
    assert_4xx(hostile.client.get(f"/api/events?after={cursor}"), 422)


@pytest.mark.parametrize("duration", ["true", '"8"', "0.0004", "0.02", "8.03", "-1", "[4]"])
def test_durations_are_strict_numbers_snapped_to_whole_frames_before_validation(hostile: Hostile, duration: str) -> None:
    before = hostile.counts()
    detail = assert_4xx(hostile.raw("PATCH", f"/api/shots/{hostile.shot}", f'{{"duration": {duration}}}'), 422)["detail"]
    assert "duration" in json.dumps(detail)
    assert hostile.counts() == before


def test_a_duration_lands_on_a_whole_frame(hostile: Hostile) -> None:
    shot = hostile.client.get(f"/api/scenes/{hostile.scene}").json()["shots"][1]["id"]
    for given, stored in [(4.99, 5.0), (0.03, 1 / 24), (8.01, 8.0), (6, 6.0)]:
        answer = hostile.client.patch(f"/api/shots/{shot}", json={"duration": given})
        assert answer.status_code == 200, answer.text
        assert answer.json()["version"]["duration"] == pytest.approx(stored, abs=1e-6)

"""Stage 11 never offers to buy a take again: once the newest take matches every shot, Confirm is disabled
and says why (the same rule the confirm endpoint enforces with 409)."""

from __future__ import annotations

from rushes.services.confirm import confirm_take
from rushes.services.demo import create_demo
from tests.integration.conftest import api_client, make_rushes, work_until_idle


def test_confirm_is_disabled_with_its_reason_when_the_take_already_matches(tmp_path):
    app = make_rushes(tmp_path)
    scene = create_demo(app)["scene_ids"][1]
    with api_client(app, "editor") as client:
        before = client.get(f"/scenes/{scene}/stage/11").text
        assert 'id="nothing-to-render"' not in before
        confirm_take(app, scene, "first")
        work_until_idle(app)
        after = client.get(f"/scenes/{scene}/stage/11").text
        button = after.split('id="confirm-render"')[1].split(">")[0]
        assert "disabled" in button and 'id="nothing-to-render"' in after
        again = client.post(f"/api/scenes/{scene}/takes", headers={"Idempotency-Key": "second"})
        assert again.status_code == 409 and "nothing to render" in again.json()["detail"]
    app.db.dispose()

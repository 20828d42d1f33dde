"""The version stack behind the compare viewer: GET /api/shots/{shot_id}/clips lists every clip a shot
ever had, oldest first, with its media, cost and the takes that cut it in; strangers get 404."""

from __future__ import annotations

from rushes.services.confirm import confirm_take
from tests.integration.conftest import anonymous_client, api_client, work_until_idle


def test_a_shot_lists_every_clip_version_with_the_takes_that_used_it(two_studios, tmp_path):
    rushes, ours, theirs = two_studios(tmp_path)
    try:
        scene = ours.ids["scene_id"]
        with api_client(rushes, "editor") as editor:
            cut = editor.get(f"/api/scenes/{scene}/cut").json()
            take1 = cut["take"]
            shot = cut["shots"][1]["shot_id"]
            # A new start frame makes the shot's clip stale, so the next take renders it again: version 2.
            assert editor.post(f"/api/shots/{shot}/frames", json={"kinds": ["start"]}).status_code == 202
            work_until_idle(rushes)
            take2_id, _ = confirm_take(rushes, scene, "compare-second")
            work_until_idle(rushes, take_id=take2_id)

            stack = editor.get(f"/api/shots/{shot}/clips")
            assert stack.status_code == 200
            clips = stack.json()
            assert [c["version"] for c in clips] == [1, 2]
            for clip in clips:
                assert set(clip) >= {"id", "version", "url", "poster_url", "duration", "created_at", "cost_credits", "takes"}
                assert clip["url"].startswith("/media/") and clip["cost_credits"] > 0
                assert editor.get(clip["url"]).status_code == 200
            numbers = {t["id"]: t["number"] for c in clips for t in c["takes"]}
            assert clips[0]["takes"] == [{"id": take1["id"], "number": take1["number"]}]
            assert clips[1]["takes"] == [{"id": take2_id, "number": numbers[take2_id]}]
            assert clips[0]["created_at"] <= clips[1]["created_at"]

            # A shot whose clip was reused lists one version used by both takes.
            reused = cut["shots"][0]["shot_id"]
            [only] = editor.get(f"/api/shots/{reused}/clips").json()
            assert [t["id"] for t in only["takes"]] == [take1["id"], take2_id]

            # Another studio's shot, and one that names nothing, look the same: 404.
            assert editor.get(f"/api/shots/{theirs.ids['shot_id']}/clips").status_code == 404
            assert editor.get("/api/shots/999999/clips").status_code == 404

        # A guest of our scene may compare its shots, and only its shots.
        with anonymous_client(rushes) as guest:
            guest.get(f"/share/{ours.share_token}")
            assert [c["version"] for c in guest.get(f"/api/shots/{shot}/clips").json()] == [1, 2]
            assert guest.get(f"/api/shots/{theirs.ids['shot_id']}/clips").status_code == 404
        with anonymous_client(rushes) as nobody:
            assert nobody.get(f"/api/shots/{shot}/clips").status_code == 401
    finally:
        rushes.db.dispose()

"""Threads under review notes: who may reply, what a reply records, and what is refused."""

from __future__ import annotations

from sqlalchemy import func, select

from rushes.store import models as m
from tests.integration.conftest import anonymous_client, api_client, cookie_client
from tests.integration.test_access import world  # noqa: F401  (fixture: two studios and their app)


def reply_rows(rushes) -> int:
    with rushes.db.session() as session:
        return session.scalar(select(func.count()).select_from(m.NoteReply))


def test_members_reply_in_order_and_the_note_counts_its_replies(world):
    rushes, app, ours, _ = world
    issue, scene = ours.ids["issue_id"], ours.ids["scene_id"]
    with cookie_client(rushes, "reviewer", app=app) as reviewer, api_client(rushes, "editor", app=app) as editor:
        first = reviewer.post(f"/api/issues/{issue}/replies", json={"body": "  The pause reads as a mistake.  "})
        assert first.status_code == 201
        assert first.json()["author"] == reviewer.member.email and first.json()["body"] == "The pause reads as a mistake."
        second = editor.post(f"/api/issues/{issue}/replies", json={"body": "Trimming 12 frames on stage 7."})
        assert second.status_code == 201
        thread = reviewer.get(f"/api/issues/{issue}/replies").json()
        assert [r["body"] for r in thread] == ["The pause reads as a mistake.", "Trimming 12 frames on stage 7."]
        assert [r["author"] for r in thread] == [reviewer.member.email, editor.member.email]
        assert all(r["created_at"] for r in thread)
        [note] = [i for i in editor.get(f"/api/scenes/{scene}/issues").json() if i["id"] == issue]
        assert note["replies"] == 2


def test_bad_replies_are_refused_and_write_nothing(world):
    rushes, app, ours, theirs = world
    issue = ours.ids["issue_id"]
    before = reply_rows(rushes)
    with api_client(rushes, "reviewer", app=app) as reviewer:
        for body in ({"body": ""}, {"body": "x" * 2001}, {}, {"body": 12}, {"body": "ok", "extra": 1}):
            assert reviewer.post(f"/api/issues/{issue}/replies", json=body).status_code == 422, body
        assert reviewer.post(f"/api/issues/{issue}/replies", json={"body": "   "}).status_code == 409
        assert reviewer.post(f"/api/issues/{issue}/replies", content=b'{"body": "\\ud800"}',
                             headers={"Content-Type": "application/json"}).status_code == 422
        # Another studio's note, an unknown one and a huge id are all "not found".
        for other in (theirs.ids["issue_id"], 999_999, 2**70):
            answer = reviewer.post(f"/api/issues/{other}/replies", json={"body": "hello"})
            assert answer.status_code in (404, 422), (other, answer.status_code)
            assert reviewer.get(f"/api/issues/{other}/replies").status_code in (404, 422)
        assert reviewer.post(f"/api/issues/{theirs.ids['issue_id']}/replies", json={"body": "hi"}).status_code == 404
    with anonymous_client(rushes, app=app) as nobody:
        assert nobody.post(f"/api/issues/{issue}/replies", json={"body": "hello"}).status_code == 401
    with cookie_client(rushes, "editor", app=app) as editor:
        editor.headers.pop("X-CSRF-Token")
        assert editor.post(f"/api/issues/{issue}/replies", json={"body": "no token"}).status_code == 403
    assert reply_rows(rushes) == before


def test_a_deleted_note_takes_its_thread_out_of_reach(world):
    rushes, app, ours, _ = world
    issue = ours.ids["issue_id"]
    with api_client(rushes, "editor", app=app) as editor:
        assert editor.post(f"/api/issues/{issue}/replies", json={"body": "before"}).status_code == 201
        assert editor.delete(f"/api/issues/{issue}").status_code == 204
        assert editor.get(f"/api/issues/{issue}/replies").status_code == 404
        assert editor.post(f"/api/issues/{issue}/replies", json={"body": "after"}).status_code == 404


def test_a_guest_replies_under_their_name_only_on_their_scene_and_only_with_notes_allowed(world):
    rushes, app, ours, theirs = world
    issue = ours.ids["issue_id"]
    with anonymous_client(rushes, app=app) as guest:
        review = guest.get(f"/share/{ours.share_token}")
        assert review.status_code == 200
        csrf = review.text.split('name="csrf-token" content="')[1].split('"')[0]
        headers = {"Origin": "http://testserver", "X-CSRF-Token": csrf}
        assert guest.post(f"/api/issues/{issue}/replies", json={"body": "who am I"}, headers=headers).status_code == 409
        said = guest.post(f"/api/issues/{issue}/replies", json={"body": "Agreed.", "guest_name": "Dana"}, headers=headers)
        assert said.status_code == 201 and said.json()["author"] == "Dana (guest)"
        assert guest.get(f"/api/issues/{issue}/replies").json()[-1]["author"] == "Dana (guest)"
        assert guest.post(f"/api/issues/{theirs.ids['issue_id']}/replies", json={"body": "x", "guest_name": "D"},
                          headers=headers).status_code == 404
    with api_client(rushes, "owner", app=app) as owner:
        watch = owner.post(f"/api/scenes/{ours.ids['scene_id']}/share", json={"allow_notes": False}).json()["url"]
    with anonymous_client(rushes, app=app) as watcher:
        page = watcher.get(watch.removeprefix("http://testserver"))
        csrf = page.text.split('name="csrf-token" content="')[1].split('"')[0]
        assert watcher.get(f"/api/issues/{issue}/replies").status_code == 200  # a watcher reads the thread
        refused = watcher.post(f"/api/issues/{issue}/replies", json={"body": "x", "guest_name": "Ann"},
                               headers={"Origin": "http://testserver", "X-CSRF-Token": csrf})
        assert refused.status_code == 403

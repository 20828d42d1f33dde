"""Review rooms: the presenter drives, everyone in the room hears it at once, and only they can.

A real uvicorn serves the app on SQLite and PostgreSQL; participants are httpx clients holding the
room's event stream open: two members (bearer tokens) and a guest (a watch-only review link's cookie).
"""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from sqlalchemy import delete, select

from rushes.services import rooms
from rushes.services.accounts import default_account
from rushes.services.importer import parse_project
from rushes.services.projects import create_project
from rushes.services.sharing import create_share, revoke_share
from rushes.services.users import csrf_for
from rushes.store import models as m
from rushes.web.access import GUEST_COOKIE
from rushes.web.app import create_app
from tests.browser.serving import serve_in_thread
from tests.fakes.feature import feature_spec
from tests.integration.conftest import add_test_member, make_rushes


@pytest.fixture
def world(tmp_path, db_url):
    rushes = make_rushes(tmp_path, db_url)
    with rushes.db.session() as session:
        account = default_account(session).id
        project = create_project(rushes, session, parse_project(feature_spec(1, 2, frames_dir=None)), {}, account)
        scene = session.scalar(select(m.Scene.id).where(m.Scene.project_id == project.id))
    owner = add_test_member(rushes, "owner", account)
    reviewer = add_test_member(rushes, "reviewer", account)
    with rushes.db.session() as session:
        link, token = create_share(session, scene, owner.user_id, None, False)  # watch only: no notes
        shot = session.scalar(select(m.Shot.id).where(m.Shot.scene_id == scene).order_by(m.Shot.id).limit(1))
        note = m.ReviewIssue(scene_id=scene, shot_id=shot, scene_time=1.0, shot_time=1.0, category="timing",
                             description="hold longer", stage=7)
        session.add(note)
        session.flush()
        ids = {"scene": scene, "share": link.id, "note": note.id, "account": account}
    app = create_app(rushes, load_demo=False)
    url, server, thread = serve_in_thread(app)
    yield rushes, url, owner, reviewer, token, ids
    server.should_exit = True
    thread.join(10)
    rushes.db.dispose()


def _bearer(member) -> dict:
    return {"Authorization": f"Bearer {member.api_token}"}


def _guest(token: str, url: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(timeout=20, headers={"Origin": url, "X-CSRF-Token": csrf_for(token)})
    client.cookies.set(GUEST_COOKIE, token)
    return client


async def _events(client, url, room, me, headers=None):
    response = await client.send(client.build_request("GET", f"{url}/api/rooms/{room}/events?participant_id={me}",
                                                      headers=headers or {}), stream=True)
    assert response.status_code == 200, response.status_code
    return response, response.aiter_lines()


async def _next(lines, *kinds) -> dict:
    current: dict = {}
    async for line in lines:
        if not line:
            if current.get("event") in kinds:
                return current["data"]
            current = {}
        elif line.startswith("event: "):
            current["event"] = line[7:]
        elif line.startswith("data: "):
            current["data"] = json.loads(line[6:])
    raise AssertionError("stream ended")


def test_the_presenter_drives_the_room_and_everyone_follows(world):
    rushes, url, owner, reviewer, token, ids = world

    async def scenario():
        async with httpx.AsyncClient(timeout=20) as c, _guest(token, url) as g:
            made = await c.post(f"{url}/api/scenes/{ids['scene']}/rooms", json={"name": "Dana (director)"}, headers=_bearer(owner))
            assert made.status_code == 201, made.text
            room = made.json()
            assert room["url"] == f"/rooms/{room['id']}" and room["presenter_id"] == room["me"]
            rid, director = room["id"], room["me"]
            editor = (await c.post(f"{url}/api/rooms/{rid}/join", json={"name": "Eli (editor)"}, headers=_bearer(reviewer))).json()["me"]
            joined = await g.post(f"{url}/api/rooms/{rid}/join", json={"name": "Client"})
            assert joined.status_code == 200, joined.text  # a watch-only link still joins the room
            client_id = joined.json()["me"]
            assert [p["name"] for p in joined.json()["participants"]] == ["Dana (director)", "Eli (editor)", "Client"]

            ed_stream, ed_lines = await _events(c, url, rid, editor, _bearer(reviewer))
            cl_stream, cl_lines = await _events(g, url, rid, client_id)
            hello = await asyncio.wait_for(_next(cl_lines, "hello"), 10)
            assert hello["presenter_id"] == director and hello["state"]["playing"] is False
            await asyncio.wait_for(_next(ed_lines, "hello"), 10)

            drive = {"participant_id": director, "playing": False, "time": 3.5, "rate": 1.0, "loop": True, "issue_id": ids["note"]}
            sent = await c.post(f"{url}/api/rooms/{rid}/state", json=drive, headers=_bearer(owner))
            assert sent.status_code == 200, sent.text
            for lines in (ed_lines, cl_lines):
                got = await asyncio.wait_for(_next(lines, "state"), 10)
                assert got["seq"] == sent.json()["seq"] and got["state"]["time"] == 3.5 and got["state"]["loop"] is True
                assert got["state"]["issue_id"] == ids["note"]

            # Only the presenter drives; nobody speaks for another participant.
            refused = await c.post(f"{url}/api/rooms/{rid}/state", json={**drive, "participant_id": editor}, headers=_bearer(reviewer))
            assert refused.status_code == 409
            forged = await c.post(f"{url}/api/rooms/{rid}/state", json=drive, headers=_bearer(reviewer))
            assert forged.status_code == 404

            # A reply during the session reaches everyone at once.
            reply = await c.post(f"{url}/api/issues/{ids['note']}/replies", json={"body": "agreed, two seconds"}, headers=_bearer(reviewer))
            assert reply.status_code == 201, reply.text
            got = await asyncio.wait_for(_next(cl_lines, "note"), 10)
            assert got == {**got, "issue_id": ids["note"], "what": "reply"}

            # Hand over: the editor presents, the director no longer drives.
            handed = await c.post(f"{url}/api/rooms/{rid}/presenter", json={"participant_id": director, "to_participant_id": editor},
                                  headers=_bearer(owner))
            assert handed.status_code == 200, handed.text
            people = await asyncio.wait_for(_next(cl_lines, "people"), 10)
            assert people["presenter_id"] == editor
            assert (await c.post(f"{url}/api/rooms/{rid}/state", json=drive, headers=_bearer(owner))).status_code == 409
            assert (await c.post(f"{url}/api/rooms/{rid}/state", json={**drive, "participant_id": editor},
                                 headers=_bearer(reviewer))).status_code == 200

            # The presenter leaves: the role passes to whoever joined first among those still here.
            assert (await c.post(f"{url}/api/rooms/{rid}/leave", json={"participant_id": editor}, headers=_bearer(reviewer))).status_code == 204
            people = await asyncio.wait_for(_next(cl_lines, "people"), 10)
            assert people["presenter_id"] == director
            assert [p["name"] for p in people["participants"]] == ["Dana (director)", "Client"]

            # A laser pointer is news for the room, in picture coordinates.
            pointed = await g.post(f"{url}/api/rooms/{rid}/pointer", json={"participant_id": client_id, "x": 0.25, "y": 0.5})
            assert pointed.status_code == 204
            seen = await c.get(f"{url}/api/rooms/{rid}?participant_id={director}", headers=_bearer(owner))
            assert seen.json()["presenter_id"] == director

            # Revoking the link drops the guest: the stream ends and the room refuses them.
            with rushes.db.session() as session:
                revoke_share(session, ids["share"])
            assert (await asyncio.wait_for(_next(cl_lines, "dropped"), 15)) == {}
            after = await g.post(f"{url}/api/rooms/{rid}/heartbeat", json={"participant_id": client_id})
            assert after.status_code == 401
            # A member removed from the studio is dropped the same way.
            with rushes.db.session() as session:
                session.execute(delete(m.Membership).where(m.Membership.user_id == reviewer.user_id))
            assert (await asyncio.wait_for(_next(ed_lines, "dropped"), 15)) == {}
            await ed_stream.aclose()
            await cl_stream.aclose()

    asyncio.run(scenario())


def test_bad_room_input_is_refused_and_changes_nothing(world):
    rushes, url, owner, reviewer, token, ids = world

    async def scenario():
        async with httpx.AsyncClient(timeout=20, headers=_bearer(owner)) as c:
            room = (await c.post(f"{url}/api/scenes/{ids['scene']}/rooms", json={})).json()
            rid, me = room["id"], room["me"]
            for bad in ({"participant_id": me, "playing": False, "time": "NaN"},
                        {"participant_id": me, "playing": False, "time": -1},
                        {"participant_id": me, "playing": False, "time": 1, "rate": 0},
                        {"participant_id": me, "playing": "yes", "time": 1},
                        {"participant_id": me, "playing": False, "time": 1, "compare": {"index": 0, "mode": "<script>"}}):
                assert (await c.post(f"{url}/api/rooms/{rid}/state", json=bad)).status_code == 422, bad
            assert (await c.post(f"{url}/api/rooms/{rid}/pointer", json={"participant_id": me, "x": 2, "y": 0})).status_code == 422
            assert (await c.post(f"{url}/api/rooms/99999999/join", json={})).status_code == 404
            assert (await c.post(f"{url}/api/scenes/{ids['scene']}/rooms", json={"name": "x" * 81})).status_code == 422
            view = (await c.get(f"{url}/api/rooms/{rid}")).json()
            assert view["seq"] == 0 and view["state"]["time"] == 0.0

    asyncio.run(scenario())


def test_a_quiet_presenter_hands_on_and_a_returning_participant_rejoins_at_the_current_frame(tmp_path):
    rushes = make_rushes(tmp_path)
    with rushes.db.session() as session:
        account = default_account(session).id
        project = create_project(rushes, session, parse_project(feature_spec(1, 1, frames_dir=None)), {}, account)
        scene = session.scalar(select(m.Scene.id).where(m.Scene.project_id == project.id))
    a, b = add_test_member(rushes, "owner", account), add_test_member(rushes, "reviewer", account)
    first = rooms.start_room(rushes, scene, rooms.Who(a.user_id), "A", now=1000.0)
    rid = first["id"]
    second = rooms.join_room(rushes, rid, rooms.Who(b.user_id), "B", now=1001.0)
    rooms.set_state(rushes, rid, first["me"], rooms.Who(a.user_id), {"playing": False, "time": 12.5, "at": 1002.0}, now=1002.0)
    # A stops sending heartbeats; B's heartbeat 11 s later finds the presenter gone and takes the role.
    view = rooms.heartbeat(rushes, rid, second["me"], rooms.Who(b.user_id), now=1013.0)
    assert view["presenter_id"] == second["me"]
    assert [p["name"] for p in view["participants"]] == ["B"]
    # A comes back (reconnects): the same participant, at the room's current frame, not presenting.
    back = rooms.heartbeat(rushes, rid, first["me"], rooms.Who(a.user_id), now=1014.0)
    assert back["state"]["time"] == 12.5 and back["presenter_id"] == second["me"]
    assert {p["name"] for p in back["participants"]} == {"A", "B"}
    rushes.db.dispose()

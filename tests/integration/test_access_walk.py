"""Every route registered on the app is walked with another studio's real ids, as a stranger, a reviewer,
a guest and nobody: so a new route cannot skip the access check (rushes.web.access.guard)."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from rushes.services.ownership import NOT_IDS, OWNERS
from rushes.services.users import csrf_for
from rushes.web.access import GUEST_COOKIE, SAFE_METHODS, policy_of
from rushes.web.app import create_app
from tests.integration.conftest import anonymous_client, api_client, cookie_client

# The only routes a reviewer may change something through: notes, suggestions, reading, signing out.
REVIEWER_WRITES = {("POST", "/api/scenes/{scene_id}/issues"), ("POST", "/api/issues/{issue_id}/replies"),
                   ("POST", "/api/attribution"), ("POST", "/api/takes/{take_id}/export/mp4"),
                   ("POST", "/api/projects/{project_id}/export/mp4"),
                   ("POST", "/api/notifications/{notification_id}/read"), ("POST", "/signout"),
                   # a review room: starting one, and taking part (join, presence, driving, pointing)
                   ("POST", "/api/scenes/{scene_id}/rooms"), ("POST", "/api/rooms/{room_id}/join"),
                   ("POST", "/api/rooms/{room_id}/heartbeat"), ("POST", "/api/rooms/{room_id}/leave"),
                   ("POST", "/api/rooms/{room_id}/state"), ("POST", "/api/rooms/{room_id}/presenter"),
                   ("POST", "/api/rooms/{room_id}/pointer"),
                   # A member's own invitations and API tokens (services match them to the caller).
                   ("POST", "/api/me/invitations/{my_invitation_id}/accept"),
                   ("POST", "/api/me/invitations/{my_invitation_id}/decline"),
                   ("POST", "/api/me/tokens"), ("DELETE", "/api/me/tokens/{my_token_id}")}
# Event streams stay open: the walk checks that strangers are refused, not what a stream then says.
STREAMS = {"/api/events", "/api/rooms/{room_id}/events"}
# What needs no sign-in at all.
PUBLIC = {("GET", "/signin"), ("POST", "/signin"), ("GET", "/signin/link"), ("POST", "/signin/link"), ("GET", "/signout"),
          ("GET", "/share/{share_token}"), ("GET", "/invite/{invite_token}"), ("POST", "/invite/{invite_token}"),
          # Operator routes: a load balancer and Prometheus have no session; /metrics checks its own caller.
          ("GET", "/healthz"), ("GET", "/readyz"), ("GET", "/metrics")}
PARAM = re.compile(r"{(\w+)(?::\w+)?}")


@pytest.fixture(scope="module")
def world(two_studios, tmp_path_factory):
    rushes, ours, theirs = two_studios(tmp_path_factory.mktemp("walk"))
    app = create_app(rushes, run_worker=False, load_demo=False)
    yield rushes, app, ours, theirs
    rushes.db.dispose()


def routes(app) -> list[tuple[str, str, APIRoute]]:
    found = []
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, APIRoute):
            for method in sorted(context.methods):
                found.append((method, context.path, context.original_route))
    return found


def params(path: str) -> list[str]:
    return PARAM.findall(path)


def fill(path: str, ids: dict) -> str:
    def one(match):
        name = match.group(1)
        assert name in ids, f"{path}: no test id for {{{name}}}; add it to tests/integration/studios.py"
        return str(ids[name])

    return PARAM.sub(one, path)


def call(client, method: str, path: str):
    body = {} if method in ("POST", "PATCH", "PUT") else None
    return client.request(method, path, json=body, follow_redirects=False)


def names_an_id(path: str) -> bool:
    return any(p not in NOT_IDS for p in params(path))


def names_my_own(path: str) -> bool:
    """/api/me/…/{my_…_id}: the caller's own invitation or token, matched to the caller by the service."""
    return any(p.startswith("my_") for p in params(path))


def test_every_path_parameter_is_one_access_control_resolves(world):
    _, app, _, _ = world
    unknown = {(m, p, name) for m, p, _ in routes(app) for name in params(p) if name not in OWNERS and name not in NOT_IDS}
    assert not unknown, f"add these to rushes.services.ownership.OWNERS: {sorted(unknown)}"


def test_only_the_schema_and_static_files_are_outside_the_guard(world):
    from starlette.routing import Mount

    _, app, _, _ = world
    others = {getattr(r, "path", None) for r in app.routes
              if type(r).__name__ != "_IncludedRouter" and not isinstance(r, APIRoute)}
    assert others == {"/openapi.json", "/static", "/static/swagger-ui"}  # the schema, and files anyone may have
    assert all(isinstance(r, Mount) for r in app.routes if getattr(r, "path", None) in ("/static", "/static/swagger-ui"))


def test_the_declared_reviewer_writes_and_public_routes_are_exactly_these(world):
    _, app, _, _ = world
    writable, public = set(), set()
    for method, path, route in routes(app):
        rule = policy_of(route, method)
        if rule.public:
            public.add((method, path))
        elif method not in SAFE_METHODS and rule.role == "reviewer":
            writable.add((method, path))
    assert writable == REVIEWER_WRITES
    assert public == PUBLIC


def test_a_member_of_another_studio_gets_404_on_every_route_that_names_an_id(world):
    rushes, app, ours, theirs = world
    with api_client(rushes, "owner", studio_id=ours.studio_id, app=app) as bearer, \
            cookie_client(rushes, "owner", studio_id=ours.studio_id, app=app) as browser:
        walked = 0
        for method, path, _ in routes(app):
            if (method, path) in PUBLIC or not names_an_id(path):
                continue
            url = fill(path, theirs.ids)
            for client in (bearer, browser):
                response = call(client, method, url)
                assert response.status_code == 404, (client.member.email, method, url, response.text[:200])
            walked += 1
        assert walked >= 50


def test_a_reviewer_reads_everything_of_their_studio_and_changes_only_notes(world):
    rushes, app, _, theirs = world
    with api_client(rushes, "reviewer", studio_id=theirs.studio_id, app=app) as reviewer:
        for method, path, route in routes(app):
            if (method, path) in PUBLIC or path in STREAMS:
                continue
            if method in SAFE_METHODS and not names_an_id(path):
                continue  # lists: scoped, tested on their own
            if names_my_own(path):
                continue  # another member's: 404, walked below
            response = call(reviewer, method, fill(path, theirs.ids))
            needs = policy_of(route, method).role
            if needs in ("editor", "owner"):
                assert response.status_code == 403, (method, path, response.status_code)
            else:
                assert response.status_code not in (401, 403, 404), (method, path, response.status_code, response.text[:200])


def test_nobody_is_asked_to_sign_in_everywhere_but_the_sign_in_pages(world):
    rushes, app, _, theirs = world
    with anonymous_client(rushes, app=app) as client:
        for method, path, _ in routes(app):
            if (method, path) in PUBLIC:
                continue
            url = fill(path, theirs.ids)
            response = call(client, method, url)
            if path.startswith(("/api/", "/media/")) or method != "GET":
                assert response.status_code == 401, (method, url, response.status_code)
                assert response.json() == {"detail": "sign in required"}
            else:
                assert response.status_code == 303, (method, url, response.status_code)
                assert response.headers["location"].startswith("/signin?next=")


def test_a_guest_link_opens_nothing_outside_its_scene(world):
    rushes, app, ours, theirs = world
    with anonymous_client(rushes, app=app) as guest:
        guest.cookies.set(GUEST_COOKIE, theirs.share_token)
        # Same-origin and the link's CSRF token, so what is tested is the access decision itself.
        guest.headers.update({"Origin": "http://testserver", "X-CSRF-Token": csrf_for(theirs.share_token)})
        for method, path, route in routes(app):
            if (method, path) in PUBLIC:
                continue
            response = call(guest, method, fill(path, ours.ids))
            if policy_of(route, method).guest is not None:
                assert response.status_code == 404, (method, path, response.status_code)
            else:
                assert response.status_code in (401, 303), (method, path, response.status_code)


def test_a_members_own_invitations_and_tokens_answer_404_to_everybody_else(world):
    """Ids under /api/me/ are not a studio's: the service matches them to the caller, so the owner of the
    studio they belong to, a member of another studio and a reviewer all get 404, and nothing changes."""
    rushes, app, ours, theirs = world
    mine = [(m, p) for m, p, _ in routes(app) if names_my_own(p)]
    assert len(mine) >= 3
    with api_client(rushes, "owner", studio_id=theirs.studio_id, app=app) as co_owner, \
            api_client(rushes, "owner", studio_id=ours.studio_id, app=app) as stranger, \
            cookie_client(rushes, "reviewer", studio_id=theirs.studio_id, app=app) as reviewer:
        for method, path in mine:
            for client in (co_owner, stranger, reviewer):
                response = call(client, method, fill(path, theirs.ids))
                assert response.status_code == 404, (client.member.email, method, path, response.text[:200])
        tokens = co_owner.get("/api/me/tokens").json()
        assert all(t["id"] != theirs.ids["my_token_id"] for t in tokens)

    from rushes.store import models as m

    with rushes.db.session() as session:
        token = session.get(m.AuthToken, theirs.ids["my_token_id"])
        invitation = session.get(m.Invitation, theirs.ids["my_invitation_id"])
        assert token.revoked_at is None and invitation.accepted_at is None and invitation.declined_at is None
# How a JSON body may be labelled: FastAPI parses every one of these (and a body with no Content-Type) as JSON.
JSON_LABELS = ["application/json", "application/JSON", "application/json; charset=utf-8",
               "Application/Json;charset=UTF-8", "application/merge-patch+json", None]


def send(client, method: str, url: str, body: dict, content_type: str | None):
    import json

    headers = {"Content-Type": content_type} if content_type is not None else {}
    request = client.build_request(method, url, content=json.dumps(body).encode(), headers=headers)
    if content_type is None:
        request.headers.pop("Content-Type", None)
    return client.send(request, follow_redirects=False)


def test_another_studios_ids_in_a_body_are_refused_however_the_content_type_is_spelled(world):
    rushes, app, ours, theirs = world
    body = {"shot_id": theirs.ids["shot_id"], "take_id": theirs.ids["take_id"], "description": "too dark"}
    with api_client(rushes, "owner", studio_id=ours.studio_id, app=app) as bearer, \
            cookie_client(rushes, "owner", studio_id=ours.studio_id, app=app) as browser:
        walked = 0
        for method, path, _ in routes(app):
            if method in SAFE_METHODS or (method, path) in PUBLIC or method == "DELETE":
                continue
            url = fill(path, ours.ids)
            for label in JSON_LABELS:
                for client in (bearer, browser):
                    response = send(client, method, url, body, label)
                    assert response.status_code == 404, (label, method, url, response.status_code, response.text[:200])
            walked += 1
        assert walked >= 20


def test_a_body_of_any_other_media_type_is_refused_with_415(world):
    rushes, app, ours, theirs = world
    with api_client(rushes, "owner", studio_id=ours.studio_id, app=app) as bearer:
        for label in ("text/plain", "application/x-json-ish", "text/json"):
            response = send(bearer, "POST", "/api/attribution", {"description": "too dark",
                                                                  "shot_id": theirs.ids["shot_id"]}, label)
            assert response.status_code == 415, (label, response.status_code, response.text[:200])


def test_attribution_checks_the_shot_again_from_the_body_it_parsed(world):
    """Even a request the guard let through names no other studio's shot: the route's own lookup refuses it."""
    rushes, app, ours, theirs = world
    lookup = app.state.shot_context
    with pytest.raises(LookupError):
        lookup(theirs.ids["shot_id"], (ours.studio_id, None))
    with pytest.raises(LookupError):
        lookup(theirs.ids["shot_id"], (theirs.studio_id, theirs.ids["scene_id"] + 1))  # a guest of another scene
    shot, _, _ = lookup(ours.ids["shot_id"], (ours.studio_id, None))
    assert shot.code


@pytest.mark.parametrize("value", ["²", "١٢", "𝟙"])
def test_unicode_digits_in_a_path_or_a_body_are_a_clear_4xx(world, value):
    rushes, app, ours, _ = world
    with api_client(rushes, "owner", studio_id=ours.studio_id, app=app) as bearer:
        assert bearer.get(f"/api/scenes/{value}").status_code == 422
        assert bearer.get(f"/api/takes/{value}").status_code == 422
        for body in ({"description": "too dark", "shot_id": value}, {"description": "too dark", "take_id": value}):
            response = bearer.post("/api/attribution", json=body)
            assert 400 <= response.status_code < 500, (body, response.status_code, response.text[:200])
        response = bearer.post(f"/api/scenes/{ours.ids['scene_id']}/issues",
                               json={"description": "x", "shot_id": value, "scene_time": 1.0})
        assert 400 <= response.status_code < 500, response.text[:200]

"""Pages offer only what the signed-in role can do (rushes.web.abilities), and agree with the guard.

The markup is read as served: a reviewer's stage pages carry no edit, lock or spend control, the review
page no confirm, cancel, route, complete or share; an editor's carry them; a guest's review carries the
player and (with a notes link) the composer, and nothing that leads elsewhere.
"""

from __future__ import annotations

import re

import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from rushes.web.abilities import ABILITIES, Need, allows
from rushes.web.access import RANK, Principal, policy_of
from rushes.web.app import create_app
from tests.integration.conftest import anonymous_client, api_client, cookie_client

# What each page must not carry for a reviewer (and must carry for an editor), by a marker in its markup.
EDITOR_ONLY = {
    7: ['id="lock-btn"', 'id="add-shot"', 'data-op="delete"', 'data-op="split"', "data-move="],
    8: ['id="lock-btn"', 'id="add-element"', 'data-api="DELETE /api/visual-elements/'],
    9: ['id="reassemble-all"', "data-save-override", "data-start-only"],
    10: ["data-regen=", 'data-op="approve"', "data-upload="],
    11: ['id="confirm-render"', 'id="confirm-form"'],
    12: ['id="complete-scene"', 'id="cancel-take"', 'id="route-buttons"', 'id="share-open"', 'id="share-dialog"'],
}


@pytest.fixture(scope="module")
def world(two_studios, tmp_path_factory):
    rushes, ours, theirs = two_studios(tmp_path_factory.mktemp("pages"))
    app = create_app(rushes, run_worker=False, load_demo=False)
    yield rushes, app, ours, theirs
    rushes.db.dispose()


def page_of(client, scene: int, stage: int) -> str:
    path = f"/scenes/{scene}/review" if stage == 12 else f"/scenes/{scene}/stage/{stage}"
    answer = client.get(path)
    assert answer.status_code == 200, (path, answer.status_code)
    return answer.text


def writable_fields(html: str) -> list[str]:
    """Inputs and textareas inside the page's main that take typing (not hidden, readonly or disabled)."""
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    fields = re.findall(r"<(?:input|textarea)\b[^>]*>", main)
    return [f for f in fields if not re.search(r'type="(hidden|radio|file)"|\breadonly\b|\bdisabled\b', f)]


@pytest.mark.parametrize("stage", [7, 8, 9, 10, 11, 12])
def test_a_reviewer_is_offered_no_edit_or_spend_and_an_editor_is(world, stage):
    rushes, app, ours, _ = world
    scene = ours.ids["scene_id"]
    with cookie_client(rushes, "reviewer", app=app) as reviewer:
        html = page_of(reviewer, scene, stage)
        assert [m for m in EDITOR_ONLY[stage] if m in html] == []
        assert 'data-role="reviewer"' in html
        if stage in (7, 8, 9, 10):
            assert 'id="read-only"' in html and writable_fields(html) == []
        if stage == 12:
            assert 'id="issue-composer"' in html and "issue-composer panel hidden" not in html  # reviewers pin
            assert 'data-can="watch qc export note"' in html
    with cookie_client(rushes, "editor", app=app) as editor:
        html = page_of(editor, scene, stage)
        present = [m for m in EDITOR_ONLY[stage] if m in html]
        # Stage 11 confirms only a plan that can render; the form is there either way.
        assert present == EDITOR_ONLY[stage] or (stage == 11 and 'id="confirm-form"' in html)
        assert 'id="read-only"' not in html


def test_a_guest_review_page_leads_nowhere_else(world):
    rushes, app, ours, _ = world
    scene = ours.ids["scene_id"]
    with api_client(rushes, "editor", app=app) as editor:
        notes = editor.post(f"/api/scenes/{scene}/share", json={"allow_notes": True}).json()["url"]
        watch = editor.post(f"/api/scenes/{scene}/share", json={"allow_notes": False}).json()["url"]
    for url, composer in ((notes, True), (watch, False)):
        with anonymous_client(rushes, app=app) as guest:
            html = guest.get(url.removeprefix("http://testserver")).text
            assert 'id="player"' in html and 'data-role="guest"' in html
            for absent in ('id="workflow-rail"', 'id="project-name"', 'id="balance"', 'id="qc-panel"',
                           f'href="/scenes/{scene}/stage/', *EDITOR_ONLY[12]):
                assert absent not in html, absent
            assert ("issue-composer panel hidden" not in html) is composer
            assert ('id="guest-name"' in html) is True
            assert re.search(r'data-can="([^"]*)"', html).group(1) == ("watch note" if composer else "watch")


def test_every_ability_needs_what_its_routes_need(world):
    """UI and API cannot disagree: an ability is granted exactly when every route it names would admit the caller."""
    _, app, _, _ = world
    routes = {(method, ctx.path): ctx.original_route for ctx in iter_route_contexts(app.routes)
              if isinstance(ctx.original_route, APIRoute) for method in ctx.methods}
    needs: dict[str, Need] = app.state.abilities
    assert set(needs) == set(ABILITIES)
    for ability, named in ABILITIES.items():
        for role in RANK:
            member = Principal("cookie", "t", user_id=1, roles={7: role})
            admitted = all(RANK[role] >= RANK[policy_of(routes[key], key[0]).role or "reviewer"] for key in named)
            assert allows(needs[ability], member, 7) is admitted, (ability, role)
        for allow_notes in (False, True):
            guest = Principal("guest", "t", share_id=1, share_scene_id=1, allow_notes=allow_notes)
            admitted = all((rule := policy_of(routes[key], key[0])).guest is not None
                           and (key[0] in ("GET", "HEAD") or (rule.guest == "notes" and allow_notes)) for key in named)
            assert allows(needs[ability], guest, None) is admitted, (ability, allow_notes)
    assert needs["spend"].role == "editor" and needs["note"].role == "reviewer" and needs["members"].role == "owner"

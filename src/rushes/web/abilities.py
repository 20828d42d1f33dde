"""What a member (or a guest) may do, as a page asks it: `can(request, "spend")`.

Each ability names the API routes whose controls it governs. Its least role is not written here but
read from those routes' own access policy (rushes.web.access.policy_of, the guard's table), so a page
never offers a button the API would refuse, and tightening a route hides its buttons too.
A route named here that the app does not have fails at start-up (resolve), not silently at render time.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from fastapi.routing import APIRoute, iter_route_contexts

from rushes.web.access import RANK, SAFE_METHODS, Principal, current, policy_of, studio_of

ABILITIES: dict[str, list[tuple[str, str]]] = {
    # Watching the cut and its notes.
    "watch": [("GET", "/api/scenes/{scene_id}/cut"), ("GET", "/api/scenes/{scene_id}/issues")],
    # Quality control's proposed notes (read-only; accepting one is triage).
    "qc": [("GET", "/api/takes/{take_id}/qc")],
    # The take as files for other tools (OTIO, EDL, FCP XML, CSV) and the whole cut as one MP4.
    "export": [("GET", "/api/takes/{take_id}/export/{format}"), ("POST", "/api/takes/{take_id}/export/mp4")],
    # Pinning a note at a timecode, with the attribution agent's live suggestion.
    "note": [("POST", "/api/scenes/{scene_id}/issues"), ("POST", "/api/issues/{issue_id}/replies"),
             ("POST", "/api/attribution")],
    # Rewording, re-routing, resolving or deleting a note; accepting or dismissing QC's proposals.
    "triage": [("PATCH", "/api/issues/{issue_id}"), ("DELETE", "/api/issues/{issue_id}"),
               ("POST", "/api/qc-findings/{finding_id}/accept"), ("POST", "/api/qc-findings/{finding_id}/dismiss")],
    # Stages 7-10: the shot list, visual states, prompts, uploaded and approved frames.
    "edit": [("PATCH", "/api/shots/{shot_id}"), ("POST", "/api/scenes/{scene_id}/shots"),
             ("DELETE", "/api/shots/{shot_id}"), ("POST", "/api/scenes/{scene_id}/shots/order"),
             ("POST", "/api/shots/{shot_id}/split"), ("POST", "/api/shots/{shot_id}/merge"),
             ("POST", "/api/scenes/{scene_id}/visual-states"), ("PATCH", "/api/visual-elements/{element_id}"),
             ("DELETE", "/api/visual-elements/{element_id}"), ("PATCH", "/api/shots/{shot_id}/prompt"),
             ("POST", "/api/shots/{shot_id}/prompt/reassemble"), ("POST", "/api/scenes/{scene_id}/prompts/reassemble"),
             ("POST", "/api/shots/{shot_id}/frames/upload"), ("POST", "/api/shots/{shot_id}/frames/approve")],
    "lock": [("POST", "/api/scenes/{scene_id}/locks")],
    # Anything that charges credits: a take, generated frames, a resubmitted job.
    "spend": [("POST", "/api/scenes/{scene_id}/takes"), ("POST", "/scenes/{scene_id}/stage/11/confirm"),
              ("POST", "/api/shots/{shot_id}/frames"), ("POST", "/api/jobs/{job_id}/resubmit")],
    # Stopping renders (refunds): cancelling a take, abandoning a job.
    "cancel": [("POST", "/api/takes/{take_id}/cancel"), ("POST", "/api/jobs/{job_id}/abandon")],
    "route": [("POST", "/api/scenes/{scene_id}/route")],
    # Choosing which draw of a shot plays in the scene's cut.
    "select": [("POST", "/api/shots/{shot_id}/select")],
    "complete": [("POST", "/api/scenes/{scene_id}/complete")],
    "share": [("POST", "/api/scenes/{scene_id}/share"), ("GET", "/api/scenes/{scene_id}/shares"),
              ("DELETE", "/api/shares/{share_id}")],
    "members": [("POST", "/api/studios/{studio_id}/members"), ("PATCH", "/api/studios/{studio_id}/members/{member_id}"),
                ("DELETE", "/api/studios/{studio_id}/members/{member_id}")],
}


@dataclass(frozen=True)
class Need:
    """What an ability needs: the least member role, and whether (and how) a guest link may use it."""

    role: str
    guest: str | None  # None: never a guest; "watch": any live link; "notes": a link that allows notes


def resolve(app) -> dict[str, Need]:
    """Each ability's need, from the policies of the app's own routes (the most demanding one wins)."""
    routes = {}
    for context in iter_route_contexts(app.routes):  # FastAPI keeps included routers nested
        if isinstance(context.original_route, APIRoute):
            for method in context.methods or ():
                routes[(method, context.path)] = context.original_route
    needs = {}
    for ability, named in ABILITIES.items():
        roles: list[str] = []
        guests: list[str | None] = []
        for method, path in named:
            route = routes.get((method, path))
            if route is None:
                raise LookupError(f"ability {ability!r} names {method} {path}, which the app does not serve")
            rule = policy_of(route, method)
            roles.append(rule.role or "reviewer")
            if rule.guest is None:
                guests.append(None)
            else:
                guests.append("watch" if method in SAFE_METHODS else ("notes" if rule.guest == "notes" else None))
        guest = None if None in guests else ("notes" if "notes" in guests else "watch")
        needs[ability] = Need(max(roles, key=RANK.__getitem__), guest)
    return needs


def allows(need: Need, principal: Principal | None, studio_id: int | None) -> bool:
    if principal is None:
        return False
    if principal.guest:
        return need.guest == "watch" or (need.guest == "notes" and principal.allow_notes)
    role = principal.role_in(studio_id) if studio_id is not None else None
    return role is not None and RANK[role] >= RANK[need.role]


def can(request: Request, ability: str, studio_id: int | None = None) -> bool:
    """May the caller of this request do `ability` in the studio (default: the one its ids belong to)?"""
    needs = request.app.state.abilities
    if studio_id is None:
        studio_id = studio_of(request)
    return allows(needs[ability], current(request), studio_id)


def abilities_of(request: Request, studio_id: int | None) -> list[str]:
    """Every ability the caller has: written into the page (body data-can) for the scripts that draw controls."""
    return [name for name in ABILITIES if can(request, name, studio_id)]

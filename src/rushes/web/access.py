"""Access control, checked in one place: `guard` runs before every route of the app.

It authenticates the request (an `Authorization: Bearer` API token, the session cookie, or a guest
review link's cookie), resolves every id in the path and in a JSON body to its studio through
rushes.store.access.OWNERS, and compares the caller's role there with what the route needs.

What a route needs comes from `@access(...)` on its endpoint, else from its method: reading needs a
reviewer, changing anything needs an editor. Unauthenticated: 401 JSON for /api and /media, a
redirect to the sign-in page for pages. Another studio's id, or one that names nothing: 404, so
existence never leaks. Too small a role: 403. A path parameter the table does not know: refused.
Cookie-authenticated changes also need a same-origin request and the session's CSRF token.
"""

from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import anyio
from fastapi import Request
from starlette.concurrency import run_in_threadpool

from rushes.domain.text import MAX_ID
from rushes.services import ownership, sharing, users
from rushes.store import models as m
from rushes.store import studios
from rushes.web.request_body import Body, read_body

log = logging.getLogger("rushes.access")
SESSION_COOKIE = "rushes_session"
GUEST_COOKIE = "rushes_guest"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
RANK = {"reviewer": 1, "editor": 2, "owner": 3}
JSON_PREFIXES = ("/api/", "/media/", "/openapi.json")


class SignInRequired(Exception):
    """No credentials (or a guest on a route guests cannot use)."""


class Denied(Exception):
    def __init__(self, status: int, message) -> None:
        super().__init__(str(message))
        self.status = status
        self.message = message  # a string, or FastAPI-style [{"loc", "msg", "type"}] for 422


@dataclass(frozen=True)
class Access:
    role: str | None = None        # least role needed; None: the method decides
    public: bool = False           # no sign-in needed (sign-in pages, guest link landing)
    guest: str | None = None       # "watch": a guest may read; "notes": a guest with allow_notes may post;
                                   # "room": any guest of the scene may post (joining and pointing in a review room)


def access(role: str | None = None, *, public: bool = False, guest: str | None = None):
    """Mark what an endpoint needs; the guard reads it. Order with @router.get does not matter."""
    assert role is None or role in RANK
    assert guest in (None, "watch", "notes", "room")

    def mark(endpoint):
        endpoint.__rushes_access__ = Access(role, public, guest)
        return endpoint

    return mark


@dataclass
class Principal:
    """Who is asking: a member (user) or a guest holding one scene's review link."""

    via: str                                  # bearer | cookie | guest
    token: str
    user_id: int | None = None
    email: str | None = None
    roles: dict[int, str] = field(default_factory=dict)  # studio id → role
    share_id: int | None = None
    share_scene_id: int | None = None
    allow_notes: bool = False

    @property
    def guest(self) -> bool:
        return self.user_id is None

    @property
    def studio_ids(self) -> list[int]:
        return list(self.roles)

    @property
    def csrf(self) -> str:
        return users.csrf_for(self.token)

    def role_in(self, studio_id: int | None) -> str | None:
        return self.roles.get(studio_id) if studio_id is not None else None


def policy_of(route, method: str) -> Access:
    """What a route needs: its @access(...), with the role its method implies when none is given."""
    declared = getattr(getattr(route, "endpoint", None), "__rushes_access__", None)
    base = declared or Access()
    if base.role is None and not base.public:
        return Access("reviewer" if method in SAFE_METHODS else "editor", False, base.guest)
    return base


def policy(request: Request) -> Access:
    return policy_of(request.scope.get("route"), request.method)


def current(request: Request) -> Principal | None:
    """The principal the guard admitted (None on public routes without credentials)."""
    return getattr(request.state, "principal", None)


def signed_in(request: Request) -> Principal:
    """The principal on a route that is not public: the guard lets no request through there without one."""
    principal = current(request)
    if principal is None:
        raise SignInRequired()
    return principal


def member_id(request: Request) -> int:
    """The signed-in member's user id, on a route that lets no guest in."""
    user_id = signed_in(request).user_id
    if user_id is None:
        raise SignInRequired()
    return user_id


def studio_of(request: Request) -> int | None:
    """The studio the request's ids belong to (None when it names no id)."""
    return getattr(request.state, "studio_id", None)


def wants_json(request: Request) -> bool:
    return request.url.path.startswith(JSON_PREFIXES) or request.url.path == "/api"


# ---- the one dependency ------------------------------------------------------------------------

# Event streams open by the hundred at once (every open page reconnects after a restart): their checks
# run on a few threads of their own, so the requests of pages already open never queue behind them.
STREAM_PATHS = frozenset({"/api/events"})
STREAM_CHECK_THREADS = 4


async def guard(request: Request) -> None:
    body = await read_body(request, CSRF_FIELD)
    if request.url.path in STREAM_PATHS:
        limiter = getattr(request.app.state, "stream_checks", None)
        if limiter is None:
            limiter = request.app.state.stream_checks = anyio.CapacityLimiter(STREAM_CHECK_THREADS)
        await anyio.to_thread.run_sync(_decide, request, body, limiter=limiter)
    else:
        await run_in_threadpool(_decide, request, body)


def _decide(request: Request, body: Body) -> None:
    rule = policy(request)
    rushes = request.app.state.rushes
    with rushes.db.session(write=False) as session:  # deciding reads only: no write lock
        try:
            principals = _authenticate(session, request)
        except SignInRequired:
            if not rule.public:
                raise
            principals = []
        request.state.principal = next((p for p in principals if not p.guest), None)
        if rule.public:
            # Sign-in forms: a browser that says the request is cross-site is refused (login CSRF).
            if request.method not in SAFE_METHODS and _says_cross_site(request):
                raise Denied(403, "cross-site request refused")
            return
        if not principals:
            raise SignInRequired()
        if body.unsupported:
            raise Denied(415, "send JSON (application/json) or a form")
        if request.method not in SAFE_METHODS and all(p.via != "bearer" for p in principals) \
                and not _same_origin(request):
            raise Denied(403, "cross-site request refused")
        ids = _owners(session, request, body.ids)
    refusals: list[Exception] = []
    for principal in principals:  # a member's session first, then a guest link held by the same browser
        try:
            # The CSRF token must be the one minted for the principal acting: a guest link's token
            # (which whoever planted that cookie knows) never carries the member's session.
            if request.method not in SAFE_METHODS and principal.via != "bearer":
                _check_csrf(request, principal, body.form_csrf)
            request.state.studio_id = _admit(principal, rule, request.method, ids)
            request.state.principal = principal
            return
        except (Denied, SignInRequired) as err:
            refusals.append(err)
    denied = sorted((e for e in refusals if isinstance(e, Denied)), key=lambda e: e.status)
    # 403 only when the caller may see the thing; otherwise the plainest refusal.
    raise next((e for e in denied if e.status == 403), denied[0] if denied else refusals[0])


def _authenticate(session, request: Request) -> list[Principal]:
    found: list[Principal] = []
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        user = users.token_user(session, token.strip(), "api") if scheme.lower() == "bearer" else None
        if user is None:
            raise SignInRequired()  # a wrong token is never quietly ignored in favour of a cookie
        return [Principal("bearer", token.strip(), user.id, user.email, users.roles_of(session, user.id))]
    token = request.cookies.get(SESSION_COOKIE)
    user = users.token_user(session, token, "session")
    if user is not None:
        found.append(Principal("cookie", token, user.id, user.email, users.roles_of(session, user.id)))
    guest_token = request.cookies.get(GUEST_COOKIE)
    link = sharing.live_share(session, guest_token)
    if link is not None:
        found.append(Principal("guest", guest_token, share_id=link.id, share_scene_id=link.scene_id,
                               allow_notes=link.allow_notes))
    return found


@dataclass(frozen=True)
class Named:
    """An id the request names, and the (studio, scene) rows it belongs to."""

    kind: str
    value: object
    rows: list

    def unknown(self) -> Denied:
        # The same answer for "no such id" and "another studio's id": existence does not leak.
        return Denied(404, f"unknown {self.kind.removesuffix('_id')} {str(self.value)[:80]}")


def _owners(session, request: Request, body_ids: dict[str, list]) -> list[Named]:
    found = []
    for name, value in request.path_params.items():
        if name in ownership.NOT_IDS:
            continue
        if name not in ownership.OWNERS:
            log.error("route %s names %r, which access control cannot resolve: refused", request.url.path, name)
            raise Denied(404, "not found")
        if name not in ownership.TEXT_IDS and not _id_like(value):
            # What FastAPI would answer for an int path parameter, before anything is looked up.
            raise Denied(422, [{"loc": ["path", name], "msg": "Input should be a whole number id", "type": "int_parsing"}])
        found.append(Named(name, value, ownership.owners(session, name, value)))
    for name, values in body_ids.items():
        kind = ownership.id_kind(name)
        if kind is None:
            raise Denied(400, f"{name[:40]} is not a field access control knows")
        for value in values:
            if kind not in ownership.TEXT_IDS and not _id_like(value):
                continue  # not an id at all: the body's own validation answers 422, naming the field
            found.append(Named(kind, value, ownership.owners(session, kind, value)))
    for named in found:
        if not named.rows:
            raise named.unknown()
    return found


def _id_like(value) -> bool:
    """A whole number an id column can hold; anything else is left to the route's validation (422)."""
    # ASCII digits only: "²".isdigit() is true and int("²") raises.
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 20:
        value = int(value)
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_ID


def _admit(principal: Principal, rule: Access, method: str, ids: list[Named]) -> int | None:
    """The studio the request acts in, when the principal may do this; else raise."""
    if principal.guest:
        if rule.guest is None:
            raise SignInRequired()
        if not ids:
            raise Denied(404, "not found")
        for named in ids:
            if all(scene != principal.share_scene_id for _, scene in named.rows):
                raise named.unknown()
        if method not in SAFE_METHODS and rule.guest != "room" and (rule.guest != "notes" or not principal.allow_notes):
            raise Denied(403, "this review link does not allow that")
        return next(studio for studio, scene in ids[0].rows if scene == principal.share_scene_id)
    if ids:
        common = set(principal.roles)
        for named in ids:
            common &= {studio for studio, _ in named.rows}
            if not common:
                raise named.unknown()
        studio = min(common, key=lambda s: -RANK[principal.roles[s]])
        role = principal.roles[studio]
    else:
        studio = None
        role = max(principal.roles.values(), key=RANK.get, default=None)
    if role is None or RANK[role] < RANK[rule.role or "reviewer"]:
        raise Denied(403, f"your role ({role or 'none'}) cannot do this; it needs {rule.role}")
    return studio


DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an origin or URL, the port filled in from the scheme; None when unusable."""
    try:
        parts = urlsplit(url.strip())
        scheme, host, port = parts.scheme.lower(), (parts.hostname or "").lower(), parts.port
    except ValueError:
        return None
    if scheme not in DEFAULT_PORTS or not host:
        return None
    return scheme, host, port if port is not None else DEFAULT_PORTS[scheme]


def own_origins(request: Request) -> set[tuple[str, str, int]]:
    """The origins this request may come from: the address it was sent to (scheme as the server or a
    trusted proxy saw it, Host as checked), and the configured public address."""
    found = {origin_of(f"{request.url.scheme}://{request.headers.get('host', '')}")}
    public = getattr(request.app.state.rushes.settings, "public_url", None) if hasattr(request.app.state, "rushes") else None
    if public:
        found.add(origin_of(public))
    return {o for o in found if o is not None}


def _same_origin(request: Request) -> bool:
    origin = request.headers.get("origin")
    if origin is not None:
        # Scheme, host and port: http://site is not https://site, and site:8001 is not site:8000.
        seen = origin_of(origin) if origin != "null" else None
        return seen is not None and seen in own_origins(request)
    site = request.headers.get("sec-fetch-site")
    return site == "same-origin"


def _says_cross_site(request: Request) -> bool:
    origin = request.headers.get("origin")
    site = request.headers.get("sec-fetch-site")
    return (origin is not None and not _same_origin(request)) or (site is not None and site not in ("same-origin", "none"))


def _check_csrf(request: Request, principal: Principal, form_csrf: str | None) -> None:
    sent = request.headers.get(CSRF_HEADER) or form_csrf or ""
    if not hmac.compare_digest(sent, principal.csrf):
        raise Denied(403, "missing or wrong CSRF token")


def studio_account(session, request: Request, project: m.Project | None = None) -> m.Account | None:
    """The studio a page shows: the project's, else the request's, else the member's first studio."""
    principal = current(request)
    if principal is None or principal.guest:
        return None
    studio_id = project.account_id if project is not None else studio_of(request)
    if studio_id is None and principal.studio_ids:
        studio_id = principal.studio_ids[0]
    return studios.studio(session, studio_id) if studio_id is not None else None

"""The FastAPI application: API routers, pages, static files, and the in-process worker."""

from __future__ import annotations

import logging
import threading
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from rushes import __version__
from rushes.bootstrap import Rushes, bootstrap
from rushes.web.busy import install_busy_answers
from rushes.web.errors import install_error_handlers
from rushes.web.limits import BodyLimitMiddleware
from rushes.web.schemas import ERROR_RESPONSES

STATIC = Path(__file__).parent / "static"
log = logging.getLogger("rushes.web")


def _warm_attributor(rushes: Rushes) -> None:
    from rushes.providers.attribution.factory import warm_up
    from rushes.providers.deferred import DeferredAttributor

    attributor = rushes.attributor
    try:
        warm_up(attributor.provider() if isinstance(attributor, DeferredAttributor) else attributor)
    except Exception:  # noqa: BLE001 - a failed warm-up only means the first note trains the model
        log.exception("attribution warm-up failed")


def create_app(rushes: Rushes | None = None, run_worker: bool = False, load_demo: bool | None = None,
               announce: str | None = None) -> FastAPI:
    """The app. `announce`, when given, is the base URL a one-time sign-in link is printed for at start."""
    rushes = rushes or bootstrap()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        rushes.upgrade_schema()
        if rushes.settings.load_demo if load_demo is None else load_demo:
            from rushes.services.demo import ensure_demo

            created = ensure_demo(rushes)
            if created:
                log.info("demo project created: %s", created)
        if announce:
            _announce_signin(rushes, announce)
        worker = None
        if run_worker:
            from rushes.jobs.runner import start_background_worker

            worker = start_background_worker(rushes)
        app.state.worker = worker
        # The local attribution model loads from its cache (or trains, after a data change) in the
        # background, so the first note typed in the review page does not wait for it.
        threading.Thread(target=_warm_attributor, args=(rushes,), name="attribution-warm-up", daemon=True).start()
        from rushes.services.broadcast import Broadcaster

        # Held here as well as on app.state: a second lifespan of the same app (two test clients) must
        # not leave this one's LISTEN thread running when it replaces the state's.
        broadcaster = app.state.broadcaster = Broadcaster(rushes)
        await broadcaster.start()
        try:
            yield
        finally:
            app.state.stopping = True  # ends open event streams so shutdown does not hang
            await broadcaster.stop()
            if worker is not None:
                # Drains off the event loop: steps under way finish (or their leases are handed back).
                import asyncio

                await asyncio.to_thread(worker.stop)

    from rushes.web.access import guard
    from rushes.web.security import install_security

    # One dependency for every route: authentication, ids resolved to their studio, roles, CSRF.
    # FastAPI's own Swagger UI is off (inline script and a CDN, which the CSP forbids); /docs is ours
    # (web/api_docs.py) and the schema stays at /openapi.json.
    app = FastAPI(title="Rushes", version=__version__, lifespan=lifespan, dependencies=[Depends(guard)],
                  docs_url=None, redoc_url=None,
                  description="Render, review and re-render the shots of an AI short film.")
    install_security(app, rushes.settings)
    app.state.rushes = rushes
    app.state.stopping = False
    install_error_handlers(app)
    install_busy_answers(app, rushes.settings)

    from rushes.web import media, ops
    from rushes.web.api import attribution, catalog, draws, edits, events, exports, members, qc, replies, review, rooms, shares, takes
    from rushes.web.api import film, film_cut, money
    from rushes.web.pages import auth as auth_pages
    from rushes.web.pages import invites as invite_pages
    from rushes.web.pages import members as member_pages
    from rushes.web.pages import review as review_page
    from rushes.web.pages import routes as pages
    from rushes.web.pages import screening as screening_page

    # Every API answer a client can get is documented: the error models come from web/schemas.py.
    for module in (catalog, takes, edits, review, replies, qc, exports, film_cut, attribution, events, shares, members, rooms,
                   media, film, money, draws):
        app.include_router(module.router, responses=ERROR_RESPONSES)
    from rushes.web.pages import film as film_pages

    # film_pages first: /projects/new must match before /projects/{project_id}.
    for module in (auth_pages, invite_pages, film_pages, member_pages, pages, review_page, screening_page, ops):
        app.include_router(module.router)
    from rushes.web.abilities import resolve

    app.state.abilities = resolve(app)  # what pages offer, from the same policies the guard applies
    # Outermost, so no parser sees more of a body than its limit.
    app.add_middleware(BodyLimitMiddleware)
    # Outermost of all: request ids for logs, and latency even for refused hosts and oversized bodies.
    app.add_middleware(ops.RequestTelemetry, access_log=rushes.settings.log_format == "json")
    _wire_shot_context(app, rushes)
    from rushes.web.api_docs import install_api_docs

    install_api_docs(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def _wire_shot_context(app: FastAPI, rushes: Rushes) -> None:
    """Let POST /api/attribution look a pinned shot up in the store."""
    from rushes.services.shot_context import shot_contexts

    def lookup(shot_id, within=(None, None)):
        from rushes.domain.text import MAX_ID, shorten
        from rushes.services.errors import NotFound
        from rushes.services.ownership import owners

        text = str(shot_id)
        # ASCII digits only ("²".isdigit() is true) and within a 64-bit id, or it names no shot.
        if not (text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID):
            raise NotFound(f"unknown shot {shorten(text, 24)}")
        studio_id, guest_scene = within
        with rushes.db.session(write=False) as session:
            # Only a shot of the studio (or the guest's scene) the caller was admitted to: 404 otherwise.
            if not any(studio == studio_id and guest_scene in (None, scene)
                       for studio, scene in owners(session, "shot_id", int(text))):
                raise NotFound(f"unknown shot {text}")
            return shot_contexts(session, rushes, int(text))

    app.state.shot_context = lookup  # read by the route's dependency, beside any test override


def _announce_signin(rushes: Rushes, base_url: str) -> None:
    """Print a fresh one-time sign-in link for the first studio's owner, the way a notebook server prints its URL."""
    from rushes.services.demo import ensure_first_owner
    from rushes.services.users import new_signin_link, user_by_email

    email = ensure_first_owner(rushes)
    if email is None:
        print("No studio yet: create one with  rushes user create EMAIL --studio NAME --role owner", flush=True)
        return
    with rushes.db.session() as session:
        token = new_signin_link(session, user_by_email(session, email).id)
    print(f"\n  Sign in as {email} (one-time link, valid 15 minutes):\n    {base_url}/signin/link?token={token}\n",
          flush=True)

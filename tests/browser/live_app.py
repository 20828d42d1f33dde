"""A live Rushes server for browser tests: the real app on uvicorn in a thread, with its worker on.

Import the `live_app` fixture into a test module (`from tests.browser.live_app import live_app`).
Each module gets a fresh SQLite database, media folder and the demo project.

Every route checks access, so:
- `live_app.sign_in(page, role="owner")` signs the page's browser context in through a one-time
  sign-in link (owner: the demo studio's owner; editor/reviewer: a new member of the demo studio);
- `live_app.http` is an httpx.Client with the demo owner's API token (`Authorization: Bearer`),
  for requests a test makes beside the browser; `live_app.client_for(role)` gives one for a role.
"""

from __future__ import annotations

import itertools
import time
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from rushes.bootstrap import Rushes, bootstrap
from rushes.settings import Settings
from tests.browser.serving import serve_in_thread


@dataclass
class LiveApp:
    base_url: str
    rushes: Rushes
    demo: dict
    _http: httpx.Client | None = None

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def member(self, role: str = "owner") -> str:
        """The email of a member with `role` in the demo studio (the demo owner for "owner")."""
        from rushes.services.users import add_member

        if role == "owner":
            return self.demo["owner_email"]
        email = f"{role}-{next(_counter)}@browser.rushes"
        with self.rushes.db.session() as session:
            add_member(session, email, self.demo["studio_id"], role)
        return email

    def sign_in(self, page, role: str = "owner", email: str | None = None) -> str:
        """Sign the page's browser context in as a member with `role`; returns the member's email."""
        from rushes.services.users import new_signin_link, user_by_email

        email = email or self.member(role)
        with self.rushes.db.session() as session:
            token = new_signin_link(session, user_by_email(session, email).id)
        page.goto(self.url(f"/signin/link?token={token}"))
        # The link only shows whose it is; the button's same-origin POST signs in.
        with page.expect_navigation():
            page.click("#signin-link-continue")
        return email

    def client_for(self, role: str = "owner", email: str | None = None) -> httpx.Client:
        """An httpx client authenticated with a new API token of a member with `role`."""
        from rushes.services.users import new_api_token, user_by_email

        email = email or self.member(role)
        with self.rushes.db.session() as session:
            token = new_api_token(session, user_by_email(session, email).id)
        return httpx.Client(base_url=self.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)

    @property
    def http(self) -> httpx.Client:
        if self._http is None:
            self._http = self.client_for("owner")
        return self._http


_counter = itertools.count(1)


def wait_for_take(app: LiveApp, take_id: int, timeout: float = 90) -> dict:
    """The take once it has finished (its jobs all ended), polled through the API as the owner."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        take = app.http.get(app.url(f"/api/takes/{take_id}")).json()
        if take["finished"]:
            return take
        time.sleep(0.2)
    raise AssertionError(f"take {take_id} did not finish")


def start_live_app(root: Path, **overrides) -> tuple[LiveApp, object, threading.Thread]:
    """Serve create_app(run_worker=True) on 127.0.0.1:<free port>, then load the demo project."""
    from rushes.services.demo import create_demo
    from rushes.web.app import create_app

    settings = Settings(database_url=f"sqlite:///{root / 'rushes.db'}", media_dir=root / "media", load_demo=False,
                        mock_latency_seconds=0.0, worker_idle_poll_seconds=0.05, provider_poll_seconds=0.1,
                        **overrides)
    rushes = bootstrap(settings)
    # Train the local attribution model (once per process) while the demo is built, so the first
    # note's suggestion in a test does not wait for it on a busy machine.
    from rushes.providers.attribution.local import default_model

    threading.Thread(target=default_model, daemon=True).start()
    app = create_app(rushes, run_worker=True, load_demo=False)
    base_url, server, thread = serve_in_thread(app)
    demo = create_demo(rushes)
    return LiveApp(base_url, rushes, demo), server, thread


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    app, server, thread = start_live_app(tmp_path_factory.mktemp("live"))
    yield app
    server.should_exit = True  # type: ignore[attr-defined]
    thread.join(timeout=15)
    app.rushes.db.dispose()

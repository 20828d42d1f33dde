"""A live Rushes server for browser tests: the real app on uvicorn in a thread, with its worker on.

Import the `live_app` fixture into a test module (`from tests.browser.live_app import live_app`).
Each module gets a fresh SQLite database, media folder and the demo project.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from rushes.services.context import Rushes
from rushes.settings import Settings
from tests.browser.serving import serve_in_thread


@dataclass
class LiveApp:
    base_url: str
    rushes: Rushes
    demo: dict

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"


def start_live_app(root: Path, **overrides) -> tuple[LiveApp, object, threading.Thread]:
    """Serve create_app(run_worker=True) on 127.0.0.1:<free port>, then load the demo project."""
    from rushes.services.demo import create_demo
    from rushes.web.app import create_app

    settings = Settings(database_url=f"sqlite:///{root / 'rushes.db'}", media_dir=root / "media", load_demo=False,
                        mock_latency_seconds=0.0, worker_idle_poll_seconds=0.05, provider_poll_seconds=0.1,
                        **overrides)
    rushes = Rushes(settings)
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

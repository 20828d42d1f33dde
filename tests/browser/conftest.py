"""Browser-test fixtures: system Chromium via Playwright, a page per test, a Range-capable static server.

Reusable by any page test: `chromium` (session Browser), `page` (fresh 1280x720 context per
test), `static_server` (serves src/rushes/web/static/ at /static/ and `clip_dir` at /clips/).
Browser tests are skipped only when /usr/bin/chromium is missing and CI is not "true".
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser.serving import serve_in_thread

CHROMIUM = Path("/usr/bin/chromium")
STATIC_DIR = Path(__file__).resolve().parents[2] / "src" / "rushes" / "web" / "static"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--autoplay-policy=no-user-gesture-required",
    # Headless has no audio device; muting keeps the audio clock from stalling playback.
    "--mute-audio",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip browser tests when Chromium is absent locally; in CI its absence must fail them."""
    if CHROMIUM.exists() or os.environ.get("CI") == "true":
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not installed (set CI=true to make this an error)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@dataclass(frozen=True)
class StaticServer:
    """A local HTTP server: /static/ is the web static dir, /clips/ is `clip_dir`."""

    base_url: str
    clip_dir: Path

    def clip_url(self, path: Path) -> str:
        """The URL of a file inside `clip_dir`."""
        return f"{self.base_url}/clips/{path.relative_to(self.clip_dir).as_posix()}"

    def static_url(self, name: str) -> str:
        return f"{self.base_url}/static/{name}"


def start_static_server(clip_dir: Path, static_dir: Path = STATIC_DIR) -> tuple[StaticServer, object, threading.Thread]:
    """Run uvicorn (Starlette StaticFiles, which answers Range requests) on 127.0.0.1 in a thread."""
    from starlette.applications import Starlette
    from starlette.routing import Mount
    from starlette.staticfiles import StaticFiles

    app = Starlette(
        routes=[
            Mount("/static", StaticFiles(directory=static_dir), name="static"),
            Mount("/clips", StaticFiles(directory=clip_dir), name="clips"),
        ]
    )
    base_url, server, thread = serve_in_thread(app, lifespan="off")
    return StaticServer(base_url, clip_dir), server, thread


@pytest.fixture(scope="session")
def clip_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A per-session directory for test clips, served at /clips/."""
    return tmp_path_factory.mktemp("clips")


@pytest.fixture(scope="session")
def static_server(clip_dir: Path) -> Iterator[StaticServer]:
    info, server, thread = start_static_server(clip_dir)
    yield info
    server.should_exit = True  # type: ignore[attr-defined]
    thread.join(timeout=5)


# Package scope: Playwright's sync API keeps an asyncio loop marked running on the main thread
# while it lives, which would break asyncio.run() in the integration tests collected after these.
@pytest.fixture(scope="package")
def chromium() -> Iterator[object]:
    """A headless system-Chromium Browser (Playwright sync API)."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing (CI must have it)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: object) -> Iterator[object]:
    """A page in a fresh browser context with a 1280x720 viewport."""
    context = chromium.new_context(viewport={"width": 1280, "height": 720})  # type: ignore[attr-defined]
    pg = context.new_page()
    yield pg
    context.close()

"""Suite-wide: how `pytest -n 2 --dist loadgroup` (the README's test command) shares the work.

Tests that build an expensive session fixture are kept on one worker, so each is built once
rather than once per worker: the browser tests (Chromium and the live app) and the access tests
(the two studios). Everything else is spread over the workers as they free up.
"""

from __future__ import annotations

import pytest


# First: pytest-xdist's own hook turns xdist_group marks into node-id suffixes, so marks added after it
# are ignored and the groups silently spread over both workers (each then building its own world).
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid.startswith("tests/browser/"):
            item.add_marker(pytest.mark.xdist_group("browser"))
        elif "two_studios" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("studios"))


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist starts its workers
def pytest_sessionstart(session: pytest.Session) -> None:
    """Train (or load) the attribution model once, in the controller, before any worker starts.

    It is cached on disk by a digest of its data, so the workers load it in a second; on a cold cache
    each worker would otherwise train it itself (about 40 s), and a live app's first suggestion would
    wait for that training while a browser test waits ten seconds for it.
    """
    if hasattr(session.config, "workerinput"):
        return  # a worker: the controller has already stored it
    from rushes.providers.attribution.model import default_model

    default_model()

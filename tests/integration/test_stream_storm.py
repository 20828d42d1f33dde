"""Two hundred pages opening their event streams at once do not hold up the API: opening a stream and
answering a read take no write lock (SQLite) and hold nothing while they wait, so an API call made in the
middle of the storm answers at once. Checked by behaviour; the times are printed, never asserted."""

from __future__ import annotations

import asyncio
import time

import httpx
from sqlalchemy import event

from tests.integration.test_event_streams import AUTH, _open, served  # noqa: F401 - the fixture

STORM = 200


def _write_transactions(engine) -> list:
    seen = []

    def count(_conn, _cursor, statement, *_args):
        if statement.strip().upper().startswith("BEGIN IMMEDIATE"):
            seen.append(1)

    event.listen(engine, "before_cursor_execute", count)
    return seen


def test_an_api_call_answers_while_two_hundred_streams_are_opening(served):  # noqa: F811
    rushes, app, url, ids = served
    writes = _write_transactions(rushes.db.engine)

    async def scenario():
        limits = httpx.Limits(max_connections=STORM + 20, max_keepalive_connections=STORM + 20)
        async with httpx.AsyncClient(headers=AUTH, timeout=120, limits=limits) as streams, \
                httpx.AsyncClient(headers=AUTH, timeout=120) as api:
            opened: list = []

            async def one():
                response, lines = await _open(streams, url)
                opened.append(response)
                return response

            storm = asyncio.gather(*(one() for _ in range(STORM)))
            await asyncio.sleep(0.05)  # the storm's connections are on their way
            started = time.perf_counter()
            answer = await api.get(f"{url}/api/scenes/{ids['scene']}")
            took = time.perf_counter() - started
            during = len(opened)
            responses = await storm
            print(f"\nGET /api/scenes/{{id}} with {STORM} streams opening: {took * 1000:.0f} ms "
                  f"({during} of {STORM} streams open when it answered)")
            assert answer.status_code == 200, answer.text[:200]
            # It did not queue behind the storm: it answered while many streams were still opening (queued
            # behind them, it answered once 166-200 of 200 had, before the streams had threads of their own).
            assert during <= STORM * 3 // 4, f"the API call waited for {during} of {STORM} streams to open"
            assert len(responses) == STORM  # each read its first line: "retry: 1000"
            for response in responses:
                await response.aclose()

    asyncio.run(scenario())
    if rushes.db.sqlite:
        # Nobody took the write lock: 200 stream openings and a read cannot queue behind each other.
        assert writes == [], f"{len(writes)} transactions took the write lock"

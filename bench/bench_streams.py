"""Many open pages: API latency with 0 and with 500 open event streams, and toast latency at 500 streams.

Starts the real server (`rushes serve --no-worker`) in its own process on 127.0.0.1, on SQLite and,
when PostgreSQL answers, on a throwaway PostgreSQL database. The bench process opens N event streams
with httpx (asyncio), times GET /api/account and GET /api/scenes/{id} with 0 and with N streams open,
then writes notifications the way the worker does (one committed row each) and times how long each
takes to reach every stream. Everything is bounded: the server is stopped and streams closed at the end.
Usage: .venv/bin/python bench/bench_streams.py [--streams 500] [--requests 150] [--toasts 5] [--postgres URL|none]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402
from sqlalchemy import create_engine, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from rushes.services.accounts import default_account  # noqa: E402
from rushes.services.importer import parse_project  # noqa: E402
from rushes.services.projects import create_project  # noqa: E402
from rushes.store import models as m  # noqa: E402
from tests.fakes.feature import feature_spec  # noqa: E402
from tests.integration.conftest import make_rushes  # noqa: E402

PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DEADLINE_SECONDS = 600  # the whole bench gives up after this


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(root: Path, url: str | None):
    rushes = make_rushes(root, url)
    with rushes.db.session() as session:
        account = default_account(session).id
        project = create_project(rushes, session, parse_project(feature_spec(3, 12, frames_dir=None)), {}, account)
        scene = session.scalar(select(m.Scene.id).where(m.Scene.project_id == project.id).order_by(m.Scene.id))
    # Every route checks access: the bench calls as the studio's owner with an API token.
    from tests.integration.conftest import add_test_member

    AUTH["Authorization"] = f"Bearer {add_test_member(rushes, 'owner', account).api_token}"
    return rushes, {"account": account, "scene": scene}


AUTH: dict[str, str] = {}


def start_server(rushes, port: int) -> subprocess.Popen:
    env = {**os.environ, "RUSHES_DATABASE_URL": rushes.settings.database_url, "RUSHES_MEDIA_DIR": str(rushes.settings.media_dir),
           "RUSHES_LOAD_DEMO": "false", "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    server = subprocess.Popen([sys.executable, "-c", "from rushes.cli import app; app()", "serve", "--host", "127.0.0.1", "--port", str(port),
                               "--no-worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/account", timeout=2, headers=AUTH).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.2)
        if server.poll() is not None:
            raise RuntimeError(server.stderr.read().decode()[-2000:])
    server.kill()
    raise RuntimeError("server did not start")


async def api_latency(client: httpx.AsyncClient, base: str, ids: dict, requests: int) -> dict:
    """label -> request times in ms."""
    out = {}
    for label, path in (("GET /api/account", "/api/account"), ("GET /api/scenes/{id}", f"/api/scenes/{ids['scene']}")):
        for _ in range(5):
            await client.get(base + path)
        times = []
        for _ in range(requests):
            t0 = time.perf_counter()
            response = await client.get(base + path)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, response.text[:200]
        out[label] = times
    return out


async def open_stream(client: httpx.AsyncClient, base: str, seen: dict, ready: asyncio.Event, opened: list):
    """One page's EventSource: records when each notification id arrived."""
    async with client.stream("GET", base + "/api/events") as response:
        lines = response.aiter_lines()
        assert await anext(lines) == "retry: 1000"
        opened.append(1)
        if len(opened) == ready.target:
            ready.set()
        async for line in lines:
            if line.startswith("id: "):
                note = int(line[4:])
                seen.setdefault(note, []).append(time.perf_counter())


def write_notification(rushes, ids: dict, n: int) -> tuple[int, float]:
    with rushes.db.session() as session:
        note = m.Notification(account_id=ids["account"], scene_id=ids["scene"], kind="take_finished",
                              title=f"bench toast {n}", url="/")
        session.add(note)
        session.flush()
        note_id = note.id
    return note_id, time.perf_counter()  # committed: from here the toast is due


async def run(rushes, ids: dict, port: int, streams: int, requests: int, toasts: int) -> dict:
    base = f"http://127.0.0.1:{port}"
    result = {}
    async with httpx.AsyncClient(headers=AUTH, timeout=30) as api:
        result["idle"] = await api_latency(api, base, ids, requests)
    seen: dict[int, list[float]] = {}
    ready, opened = asyncio.Event(), []
    ready.target = streams
    limits = httpx.Limits(max_connections=streams + 10, max_keepalive_connections=0)
    async with httpx.AsyncClient(headers=AUTH, timeout=httpx.Timeout(30, read=None), limits=limits) as pages:
        tasks = [asyncio.create_task(open_stream(pages, base, seen, ready, opened)) for _ in range(streams)]
        await asyncio.wait_for(ready.wait(), 120)
        await asyncio.sleep(1.0)  # let every stream settle into waiting
        async with httpx.AsyncClient(headers=AUTH, timeout=30) as api:
            result["open"] = await api_latency(api, base, ids, requests)
        delays = []
        for n in range(toasts):
            note_id, at = await asyncio.to_thread(write_notification, rushes, ids, n)
            deadline = time.perf_counter() + 20
            while len(seen.get(note_id, [])) < streams and time.perf_counter() < deadline:
                await asyncio.sleep(0.005)
            arrivals = seen.get(note_id, [])
            delays.append(((max(arrivals) - at) * 1000 if len(arrivals) == streams else float("inf"),
                           statistics.median(arrivals) - at if arrivals else float("inf"), len(arrivals)))
            await asyncio.sleep(0.3)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    result["toasts"] = delays
    await asyncio.sleep(2.0)  # the server lets the closed streams go
    async with httpx.AsyncClient(headers=AUTH, timeout=30) as api:
        after = await api_latency(api, base, ids, requests)
    # Idle figures are taken before and after the streams, so a busy spell on the machine does not
    # land on one side only.
    result["idle"] = {k: v + after[k] for k, v in result["idle"].items()}
    return result


def bench_one(label: str, root: Path, url: str | None, args) -> dict:
    rushes, ids = prepare(root, url)
    port = free_port()
    server = start_server(rushes, port)
    try:
        return asyncio.run(asyncio.wait_for(run(rushes, ids, port, args.streams, args.requests, args.toasts),
                                            DEADLINE_SECONDS))
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
        rushes.db.dispose()


def throwaway_pg(server_url: str):
    admin_url = make_url(server_url)
    name = f"rushes_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return admin, name, admin_url.set(database=name).render_as_string(hide_password=False)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--streams", type=int, default=500)
    parser.add_argument("--requests", type=int, default=150)
    parser.add_argument("--toasts", type=int, default=5)
    parser.add_argument("--postgres", default=os.environ.get("RUSHES_BENCH_POSTGRES_URL", PG_DEFAULT))
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["SQLite"] = bench_one("SQLite", Path(tmp) / "sqlite", None, args)
        if args.postgres != "none":
            try:
                admin, name, url = throwaway_pg(args.postgres)
            except Exception as err:  # no PostgreSQL here: report SQLite only
                print(f"(PostgreSQL skipped: {err.__class__.__name__})")
            else:
                try:
                    results["PostgreSQL"] = bench_one("PostgreSQL", Path(tmp) / "pg", url, args)
                finally:
                    with admin.connect() as conn:
                        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                    admin.dispose()
    print(f"| database | request | 0 streams median / p95 | {args.streams} streams median / p95 | p95 ratio |")
    print("|---|---|---|---|---|")
    for db, res in results.items():
        for label, idle in res["idle"].items():
            median0, p0 = statistics.median(idle), p95(idle)
            median1, p1 = statistics.median(res["open"][label]), p95(res["open"][label])
            print(f"| {db} | {label} | {median0:.1f} / {p0:.1f} ms | {median1:.1f} / {p1:.1f} ms | {p1 / p0:.2f}x |")
    for db, res in results.items():
        every = [d[0] for d in res["toasts"]]
        medians = [d[1] * 1000 for d in res["toasts"]]
        reached = min(d[2] for d in res["toasts"])
        print(f"{db}: toast reached all {args.streams} streams (of {reached} at worst) in median "
              f"{statistics.median(every):.0f} ms, max {max(every):.0f} ms; median stream got it after "
              f"{statistics.median(medians):.0f} ms ({len(every)} toasts)")


if __name__ == "__main__":
    main()

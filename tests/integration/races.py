"""Concurrent spends against the real HTTP app: the harness the money tests and bench_integrity.py share.

Every race starts its requests at one barrier from a thread each, against uvicorn serving
create_app() (no worker, so takes stay unfinished and every later confirm must see that).
`audit` then reads the database the way an accountant would.
"""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import func, select

from rushes.bootstrap import Rushes, bootstrap
from rushes.services.demo import create_demo
from rushes.settings import Settings
from rushes.store import models as m
from tests.browser.serving import serve_in_thread

START_BALANCE = 500


@dataclass
class RaceResult:
    name: str
    statuses: Counter = field(default_factory=Counter)
    refusals: list[str] = field(default_factory=list)  # the reason each 402/409 gave
    bodies: list[dict] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    @property
    def server_errors(self) -> int:
        return sum(n for code, n in self.statuses.items() if code >= 500)


_AUTH: dict[str, dict] = {}  # base URL -> the headers that authenticate there


class RaceApp:
    """The app on a real server over `url`, with the demo project and START_BALANCE credits."""

    def __init__(self, root: Path, url: str) -> None:
        from rushes.web.app import create_app

        settings = Settings(_env_file=None, database_url=url, media_dir=root / "media", load_demo=False,
                            mock_latency_seconds=0.0, demo_starting_credits=START_BALANCE,
                            # The races test what each caller is sold, so on a loaded machine no caller is
                            # turned away for a busy database (that 503 is tests/integration/test_busy_database.py's).
                            db_busy_seconds=30.0)
        self.rushes = bootstrap(settings)
        self.rushes.upgrade_schema()
        self.demo = create_demo(self.rushes)
        self.base_url, self.server, self.thread = serve_in_thread(create_app(self.rushes, load_demo=False))
        # Every route checks access: calls raced at this address carry the demo owner's API token.
        from tests.integration.conftest import add_test_member

        _AUTH[self.base_url] = {"Authorization": f"Bearer {add_test_member(self.rushes, 'owner').api_token}"}

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)
        self.rushes.db.dispose()

    def first_shot(self, scene_id: int) -> int:
        with self.rushes.db.session() as s:
            return s.scalar(select(m.Shot.id).where(m.Shot.scene_id == scene_id).order_by(m.Shot.id).limit(1))


def race(base_url: str, name: str, calls: list[tuple[str, str, dict, dict | None]]) -> RaceResult:
    """Fire (method, path, headers, json) calls at once, one thread each; collect statuses and reasons."""
    result = RaceResult(name)
    gate = threading.Barrier(len(calls))
    lock = threading.Lock()

    def fire(call):
        method, path, headers, body = call
        with httpx.Client(base_url=base_url, timeout=120, headers=_AUTH.get(base_url, {})) as client:
            gate.wait()
            response = client.request(method, path, headers=headers, json=body)
        data = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
        with lock:
            result.statuses[response.status_code] += 1
            result.bodies.append(data)
            if response.status_code in (402, 409):
                result.refusals.append(str(data.get("detail", "")))

    with ThreadPoolExecutor(len(calls)) as pool:
        list(pool.map(fire, calls))
    return result


def confirms_across_scenes(app: RaceApp, per_scene: int = 10) -> RaceResult:
    calls = [("POST", f"/api/scenes/{scene}/takes", {"Idempotency-Key": f"s{scene}-k{i}"}, None)
             for scene in app.demo["scene_ids"] for i in range(per_scene)]
    return race(app.base_url, f"{len(app.demo['scene_ids'])} scenes x {per_scene} confirms, different keys", calls)


def same_key_confirms(app: RaceApp, count: int = 20) -> RaceResult:
    scene = app.demo["scene_ids"][0]
    calls = [("POST", f"/api/scenes/{scene}/takes", {"Idempotency-Key": "one-double-click"}, None)] * count
    return race(app.base_url, f"{count} confirms, same key", calls)


def frame_regenerations(app: RaceApp, count: int = 20) -> RaceResult:
    shot = app.first_shot(app.demo["scene_ids"][0])
    calls = [("POST", f"/api/shots/{shot}/frames", {}, {"kinds": ["start", "end"]})] * count
    return race(app.base_url, f"{count} frame regenerations of one shot", calls)


def variant_confirms(app: RaceApp, count: int = 20, same_key: bool = True, variants: int = 2) -> RaceResult:
    """Confirms of one scene asking `variants` videos of its first shot, at one key or one key each."""
    scene = app.demo["scene_ids"][0]
    body = {"variants": {str(app.first_shot(scene)): variants}}
    calls = [("POST", f"/api/scenes/{scene}/takes", {"Idempotency-Key": "variants" if same_key else f"v{i}"}, body)
             for i in range(count)]
    return race(app.base_url, f"{count} variant confirms, {'same key' if same_key else 'different keys'}", calls)


def retake_confirms(app: RaceApp, count: int = 20) -> RaceResult:
    """Retakes of the first shot of a scene whose first take has landed, one key each."""
    scene = app.demo["scene_ids"][0]
    body = {"retake": [app.first_shot(scene)], "variants": 2}
    calls = [("POST", f"/api/scenes/{scene}/takes", {"Idempotency-Key": f"r{i}"}, body) for i in range(count)]
    return race(app.base_url, f"{count} retakes with 2 variants, different keys", calls)


def audit(rushes: Rushes) -> dict:
    """What the database says after a race: the balance, and whether every credit is accounted for."""
    with rushes.db.session() as s:
        ledger_sum = s.scalar(select(func.coalesce(func.sum(m.LedgerEntry.amount), 0)))
        charges = s.scalar(select(func.coalesce(func.sum(m.LedgerEntry.amount), 0)).where(m.LedgerEntry.kind == "charge"))
        job_costs = s.scalar(select(func.coalesce(func.sum(m.RenderJob.cost_credits), 0)))
        charged_jobs = s.scalar(select(func.count(func.distinct(m.LedgerEntry.job_id))).where(m.LedgerEntry.kind == "charge"))
        priced_jobs = s.scalar(select(func.count()).select_from(m.RenderJob).where(m.RenderJob.cost_credits > 0))
        unfinished = s.execute(select(m.Take.scene_id, func.count()).where(m.Take.finished_at.is_(None))
                               .group_by(m.Take.scene_id)).all()
        open_jobs = s.execute(select(m.RenderJob.shot_id, m.RenderJob.kind, func.count())
                              .where(m.RenderJob.finished_at.is_(None), m.RenderJob.shot_id.is_not(None))  # QC jobs are per take
                              .group_by(m.RenderJob.shot_id, m.RenderJob.kind)).all()
        takes = s.scalar(select(func.count()).select_from(m.Take))
        refunds = s.execute(select(m.LedgerEntry.job_id, m.LedgerEntry.variant, func.count())
                            .where(m.LedgerEntry.kind == "refund").group_by(m.LedgerEntry.job_id, m.LedgerEntry.variant)).all()
    from rushes.services.accounts import balance

    with rushes.db.session() as s:
        reported = balance(s, 1)
    return {
        "balance": reported,
        "ledger_sum": int(ledger_sum),
        "charges_match_jobs": -int(charges) == int(job_costs) and charged_jobs == priced_jobs,
        "takes": takes,
        "max_unfinished_takes_per_scene": max((n for _, n in unfinished), default=0),
        "max_open_jobs_per_shot_kind": max((n for *_, n in open_jobs), default=0),
        "max_refunds_per_job_variant": max((n for *_, n in refunds), default=0),
    }


def same_key_grants(app: RaceApp, count: int = 12) -> RaceResult:
    """An owner's "Add credits" clicked many times at once: one key, so one ledger row."""
    calls = [("POST", "/api/studios/1/credits", {"Idempotency-Key": "one-grant"},
              {"credits": 1000, "reason": "invoice 7"})] * count
    return race(app.base_url, f"{count} grants, same key", calls)


def confirms_against_a_budget(app: RaceApp, per_scene: int = 4) -> RaceResult:
    """Confirms of every scene of the project at once, none accepting to pass the budget."""
    calls = [("POST", f"/api/scenes/{scene}/takes", {"Idempotency-Key": f"b{scene}-{i}"}, None)
             for scene in app.demo["scene_ids"] for i in range(per_scene)]
    return race(app.base_url, f"{len(calls)} confirms against a budget", calls)

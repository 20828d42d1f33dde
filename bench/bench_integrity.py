"""Money and input integrity figures: concurrent spends on SQLite and PostgreSQL, and the API fuzz totals.

Races (tests/integration/races.py): the real app on uvicorn, every request of a race released at
one barrier from its own thread, at a balance of 500 credits:
  3 scenes x 10 confirms with different keys; 20 confirms with one key; 20 frame regenerations of one shot.
Printed per race: requests, answers by status, final balance against the ledger's sum, the most
unfinished takes of one scene and open jobs of one shot and kind. Then schemathesis over the whole
OpenAPI (tests/integration/fuzz.py): operations, requests, answers by status, server errors, failures.

Run: .venv/bin/python bench/bench_integrity.py [--examples 25] [--postgres URL | --postgres none]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.bench_worker import DEFAULT_PG, postgres_database, postgres_reachable  # noqa: E402
from tests.integration.fuzz import fuzz_target, run_fuzz  # noqa: E402
from tests.integration.races import (  # noqa: E402
    START_BALANCE,
    RaceApp,
    audit,
    confirms_across_scenes,
    frame_regenerations,
    same_key_confirms,
)

RACES = (confirms_across_scenes, same_key_confirms, frame_regenerations)


def statuses(counter) -> str:
    return " ".join(f"{code}:{n}" for code, n in sorted(counter.items()))


def race_figures(name: str, url_for) -> None:
    for race in RACES:
        with tempfile.TemporaryDirectory() as tmp, url_for(Path(tmp)) as url:
            app = RaceApp(Path(tmp), url)
            try:
                started = time.perf_counter()
                result = race(app)
                seconds = time.perf_counter() - started
                books = audit(app.rushes)
            finally:
                app.close()
        held = (books["balance"] >= 0 and books["balance"] == books["ledger_sum"] and books["charges_match_jobs"]
                and books["max_unfinished_takes_per_scene"] <= 1 and books["max_open_jobs_per_shot_kind"] <= 1
                and result.server_errors == 0)
        print(f"{name:<10} {result.name:<48} requests {result.requests:>3}  [{statuses(result.statuses)}]  "
              f"balance {START_BALANCE} -> {books['balance']} (ledger sum {books['ledger_sum']})  "
              f"unfinished takes/scene <= {books['max_unfinished_takes_per_scene']}  "
              f"open jobs/shot+kind <= {books['max_open_jobs_per_shot_kind']}  {seconds:.1f} s  "
              f"{'HELD' if held else 'BROKEN'}", flush=True)


class _Sqlite:
    def __init__(self, root: Path) -> None:
        self.url = f"sqlite:///{root / 'bench.db'}"

    def __enter__(self) -> str:
        return self.url

    def __exit__(self, *exc) -> None:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=25, help="schemathesis cases per operation and mode")
    parser.add_argument("--postgres", default=DEFAULT_PG, help="admin URL, or 'none' to skip PostgreSQL")
    args = parser.parse_args()

    race_figures("sqlite", _Sqlite)
    if args.postgres != "none" and postgres_reachable(args.postgres):
        race_figures("postgres", lambda _root: postgres_database(args.postgres))
    else:
        print("postgres   skipped (no server at --postgres)")

    with tempfile.TemporaryDirectory() as tmp:
        rushes, app = fuzz_target(Path(tmp))
        try:
            report = run_fuzz(app, examples=args.examples, budget_seconds=600.0)
        finally:
            rushes.db.dispose()
    print(f"fuzz       {report.operations} operations x 2 modes (positive, negative), {args.examples} cases each, "
          f"derandomised: {report.requests} requests in {report.seconds:.0f} s  [{statuses(report.statuses)}]  "
          f"server errors {report.server_errors}  check failures {len(report.failures)}")
    for failure in report.failures[:10]:
        print("  -", failure.splitlines()[0][:300])


if __name__ == "__main__":
    main()

"""Sign-in under concurrency on SQLite and PostgreSQL: one-time links opened at once, and a burst of wrong passwords.

The real app on uvicorn (tests/integration/races.py), every request of a burst released at one barrier
from its own thread. Printed per database: for each of ROUNDS fresh sign-in links opened by 10 threads,
how many answers signed in (303) — one is right; and for 30 wrong passwords to one account at once,
how many were checked (401) against the free tries (rushes.domain.throttle.ACCOUNT.free) and how many
were told to wait (429).

Run: .venv/bin/python bench/bench_signin_races.py [--postgres URL | --postgres none] [--rounds 6]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402

from bench.bench_worker import DEFAULT_PG, postgres_database, postgres_reachable  # noqa: E402
from rushes.domain.throttle import ACCOUNT  # noqa: E402
from rushes.services import users  # noqa: E402
from tests.integration.races import RaceApp  # noqa: E402


def at_once(base_url: str, count: int, request) -> Counter:
    gate = threading.Barrier(count)

    def one(_):
        with httpx.Client(base_url=base_url, timeout=120, follow_redirects=False) as client:
            gate.wait()
            return request(client).status_code

    with ThreadPoolExecutor(count) as pool:
        return Counter(pool.map(one, range(count)))


def run(label: str, url: str, root: Path, rounds: int) -> None:
    app = RaceApp(root, url)
    try:
        with app.rushes.db.session() as s:
            owner = users.user_by_email(s, app.demo["owner_email"])
            users.add_member(s, "target@studio.example", app.demo["studio_id"], "editor", password="the right one")
        signed_in = []
        for _ in range(rounds):
            with app.rushes.db.session() as s:
                token = users.new_signin_link(s, owner.id)
            signed_in.append(at_once(app.base_url, 10, lambda c, token=token: c.post("/signin/link", data={"token": token}, headers={"Origin": app.base_url}))[303])
        burst = at_once(app.base_url, 30, lambda c: c.post("/signin", data={"email": "target@studio.example",
                                                                             "password": "wrong"}))
        print(f"{label:10} sign-ins per link opened 10× at once: {signed_in} (right: 1 each)")
        print(f"{label:10} 30 wrong passwords at once: checked {burst[401]} (free tries {ACCOUNT.free}), "
              f"told to wait {burst[429]}, other {sum(burst.values()) - burst[401] - burst[429]}")
    finally:
        app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", default=DEFAULT_PG)
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run("sqlite", f"sqlite:///{Path(tmp) / 'rushes.db'}", Path(tmp), args.rounds)
    if args.postgres != "none" and postgres_reachable(args.postgres):
        with tempfile.TemporaryDirectory() as tmp, postgres_database(args.postgres) as url:
            run("postgresql", url, Path(tmp), args.rounds)


if __name__ == "__main__":
    main()

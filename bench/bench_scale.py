"""Feature-length scale: import time and page latency at 3, 30 and 100 scenes of 12 shots, side by side.

Each project is written to disk as an import file with its own PNG frames (two per shot), imported
through the real importer (`read_import_file` + `create_project`, what `rushes import` runs), then
the Hub (which reads the stored scene summaries), a scene's Hub side panel fetched alone, the scenes API, the screening room, a scene's review page, stages 7 and 11 and GET /api/scenes/{id} are requested in-process
(ASGI, no network) on SQLite. Reported: median and p95 latency and the SQL statements one request issued.
Usage: .venv/bin/python bench/bench_scale.py [--scenes 3,30,100] [--rounds 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import select  # noqa: E402

from rushes.services.accounts import default_account  # noqa: E402
from rushes.services.importer import read_import_file  # noqa: E402
from rushes.services.projects import create_project  # noqa: E402
from rushes.store import models as m  # noqa: E402
from rushes.store.querycount import QueryCounter  # noqa: E402
from rushes.web.app import create_app  # noqa: E402
from tests.fakes.feature import write_feature  # noqa: E402
from tests.integration.conftest import make_rushes  # noqa: E402

SHOTS = 12
PAGES = [("Hub", "/projects/{project}"), ("Hub side panel of another scene", "/scenes/{scene}/hub-panel"),
         ("GET /api/projects/{id}/scenes", "/api/projects/{project}/scenes"),
         ("screening room", "/projects/{project}/screening"), ("review", "/scenes/{scene}/review"), ("stage 7", "/scenes/{scene}/stage/7"),
         ("stage 11", "/scenes/{scene}/stage/11"), ("GET /api/scenes/{id}", "/api/scenes/{scene}")]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def build(scenes: int, root: Path):
    """Write the import file, import it; returns (rushes, ids of the project and its last scene, import seconds)."""
    folder = root / f"feature-{scenes}"
    path = write_feature(folder / "import", scenes, SHOTS)
    rushes = make_rushes(folder)
    started, cpu = time.perf_counter(), time.process_time()
    spec, frames = read_import_file(path)
    with rushes.db.session() as session:
        project = create_project(rushes, session, spec, frames, default_account(session).id)
    seconds = (time.perf_counter() - started, time.process_time() - cpu)
    with rushes.db.session() as session:
        last = session.scalar(select(m.Scene.id).where(m.Scene.project_id == project.id)
                              .order_by(m.Scene.number.desc()).limit(1))
    # The last scene: under whole-project loading it paid for every scene before it.
    return rushes, {"project": project.id, "scene": last}, seconds


def measure(sizes: list[int], rounds: int, root: Path) -> dict:
    built = {n: build(n, root) for n in sizes}
    results = {n: {"import": built[n][2], "pages": {}} for n in sizes}
    # Every route checks access: each client calls as its studio's owner (an API token).
    from tests.integration.conftest import add_test_member

    clients = {n: TestClient(create_app(built[n][0], load_demo=False),
                             headers={"Authorization": f"Bearer {add_test_member(built[n][0], 'owner').api_token}"})
               for n in sizes}
    for client in clients.values():
        client.__enter__()
    try:
        # The first Hub of a freshly imported project computes and keeps every scene's summary.
        for n in sizes:
            t0 = time.perf_counter()
            assert clients[n].get(f"/projects/{built[n][1]['project']}").status_code == 200
            results[n]["first_hub"] = (time.perf_counter() - t0) * 1000
        for label, template in PAGES:
            urls = {n: template.format(**built[n][1]) for n in sizes}
            counts, times = {}, {n: [] for n in sizes}
            for n in sizes:
                for _ in range(3):
                    assert clients[n].get(urls[n]).status_code == 200, urls[n]
                with QueryCounter(built[n][0].db.engine) as counted:
                    clients[n].get(urls[n])
                counts[n] = counted.count
            # Round-robin over the sizes, so a busy moment on the machine hits them all alike.
            for _ in range(rounds):
                for n in sizes:
                    t0 = time.perf_counter()
                    clients[n].get(urls[n])
                    times[n].append((time.perf_counter() - t0) * 1000)
            for n in sizes:
                results[n]["pages"][label] = (statistics.median(times[n]), p95(times[n]), counts[n])
    finally:
        for n in sizes:
            clients[n].__exit__(None, None, None)
            built[n][0].db.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenes", default="3,30,100")
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    sizes = [int(n) for n in args.scenes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        results = measure(sizes, args.rounds, Path(tmp))
    head = "| page | " + " | ".join(f"{n} scenes ({n * SHOTS} shots)" for n in sizes) + " |"
    print(head)
    print("|---" * (len(sizes) + 1) + "|")
    print("| import (wall / CPU) | " + " | ".join(f"{results[n]['import'][0]:.2f} s / {results[n]['import'][1]:.2f} s"
                                             for n in sizes) + " |")
    for label, _ in PAGES:
        cells = []
        for n in sizes:
            median, high, queries = results[n]["pages"][label]
            cells.append(f"{median:.1f} / {high:.1f} ms, {queries} q")
        print(f"| {label} (median / p95, queries) | " + " | ".join(cells) + " |")
    small, large = sizes[0], sizes[-1]
    print("| Hub, first visit after import (computes every summary) | "
          + " | ".join(f"{results[n]['first_hub']:.0f} ms" for n in sizes) + " |")
    hub_ratio = results[large]["pages"]["Hub"][0] / results[small]["pages"]["Hub"][0]
    print(f"Hub: median at {large} scenes is {hub_ratio:.2f}x the median at {small} (goal <= 3)")
    for label, _ in PAGES[1:]:
        ratio = results[large]["pages"][label][0] / results[small]["pages"][label][0]
        goal = "" if label in ("GET /api/projects/{id}/scenes", "screening room", "Hub side panel of another scene") else " (goal <= 1.3)"
        print(f"{label}: median at {large} scenes is {ratio:.2f}x the median at {small}{goal}")
    hub = [results[n]["pages"]["Hub"][2] for n in sizes]
    print(f"Hub queries at {sizes}: {hub} (goal: equal)")
    wall, cpu = results[large]["import"]
    print(f"import of {large * SHOTS} shots: {wall:.2f} s wall, {cpu:.2f} s CPU (goal < 10 s)")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()

"""Download for editing: time and size of a take's zip (timelines + clips), and the render spec's effect on clip size.

Renders the demo's scene 1 on the mock at 720p with sound and at 1080p silent (the Stage 11 choice), then builds
each take's editing zip three times and prints the median build time, the zip size and its clip count.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import zipfile
from pathlib import Path

from rushes.services.confirm import TakeOrder, confirm_take
from rushes.bootstrap import bootstrap
from rushes.services.demo import create_demo
from rushes.services.edit_package import build_package
from rushes.settings import Settings


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        app = bootstrap(Settings(_env_file=None, database_url=f"sqlite:///{root / 'b.db'}", media_dir=root / "media",
                              load_demo=False, mock_latency_seconds=0.0, demo_starting_credits=10_000))
        app.upgrade_schema()
        scene = create_demo(app)["scene_ids"][0]
        from tests.integration.conftest import work_until_idle

        for label, order in (("720p, sound", None),
                             ("1080p, silent", TakeOrder(model="veo-3.1-fast-generate-001", resolution="1080p", audio=False))):
            take, _ = confirm_take(app, scene, label, order=order)
            work_until_idle(app, take_id=take)
            times, size, clips = [], 0, 0
            for _ in range(3):
                started = time.perf_counter()
                path, _name = build_package(app, take)
                times.append(time.perf_counter() - started)
                size = os.path.getsize(path)
                with zipfile.ZipFile(path) as package:
                    clips = sum(1 for n in package.namelist() if n.endswith(".mp4"))
                os.unlink(path)
            print(f"{label:14s} take {take}: zip {size / 1e6:.1f} MB, {clips} clips, build median "
                  f"{statistics.median(times) * 1000:.0f} ms (max {max(times) * 1000:.0f} ms)")
        app.db.dispose()


if __name__ == "__main__":
    main()

"""Mock render speed as a multiple of real time: seconds of clip rendered per wall second."""

from __future__ import annotations

import argparse
import resource
import time

from rushes.media.mockclip import ClipSketch, render_mock_clip
from rushes.media.probe import probe_clip, validate_clip
from rushes.providers.image.base import ImageRequest
from rushes.providers.image.mock import MockImageProvider

SHOTS = [
    ("1A", 8, True, (("Mara", "We should not be here after dark."), ("Theo", "Then why did you bring the lantern?"))),
    ("1B", 6, False, (("Theo", "Listen. Do you hear that?"),)),
    ("1C", 4, True, ()),
    ("1D", 8, True, (("Mara", "Run."),)),
]


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--vertical", action="store_true", help="render 720x1280 instead of 1280x720")
    args = parser.parse_args()
    width, height = (720, 1280) if args.vertical else (1280, 720)
    images = MockImageProvider()
    total_clip = total_wall = 0.0
    for code, seconds, has_end, lines in SHOTS:
        start = images.generate(ImageRequest(prompt=f"Shot {code} opening, harbour at dusk", width=width, height=height))
        end = (
            images.generate(ImageRequest(prompt=f"Shot {code} closing, lantern light", width=width, height=height))
            if has_end
            else None
        )
        sketch = ClipSketch(
            start_frame=start.data,
            end_frame=end.data if end else None,
            duration_seconds=seconds,
            shot_code=code,
            dialogue=lines,
            width=width,
            height=height,
        )
        wall0, cpu0 = time.perf_counter(), _cpu_seconds()
        clip = render_mock_clip(sketch)
        wall, cpu = time.perf_counter() - wall0, _cpu_seconds() - cpu0
        validate_clip(probe_clip(clip), expected_duration=seconds)
        total_clip += seconds
        total_wall += wall
        kind = "crossfade" if has_end else "start-only"
        print(
            f"mock render: {seconds:.1f} s clip ({kind}, {width}x{height}, {len(clip) / 1e6:.2f} MB) "
            f"in {wall:.2f} s wall, {cpu:.2f} s CPU = {seconds / wall:.1f}x real time"
        )
    print(f"mock render overall: {total_clip:.1f} s of clips in {total_wall:.2f} s wall = {total_clip / total_wall:.1f}x real time")


if __name__ == "__main__":
    main()

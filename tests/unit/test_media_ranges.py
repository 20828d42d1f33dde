"""Byte ranges for the media proxy, and the local store's size and range reads."""

from __future__ import annotations

import pytest

from rushes.media.ranges import RangeNotSatisfiable, byte_range
from rushes.media.store import LocalMediaStore


@pytest.mark.parametrize("header, expected", [
    (None, None), ("", None),
    ("bytes=0-", (0, 1000)), ("bytes=0-0", (0, 1)), ("bytes=100-199", (100, 200)),
    ("bytes=900-5000", (900, 1000)),  # an end past the object is clipped to it
    ("bytes=-200", (800, 1000)), ("bytes=-5000", (0, 1000)),
    ("bytes=0-1,5-6", None), ("items=0-1", None), ("bytes=-", None), ("bytes=20-10", None),
])
def test_ranges(header, expected):
    assert byte_range(header, 1000) == expected


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=1500-1600", "bytes=-0"])
def test_unsatisfiable(header):
    with pytest.raises(RangeNotSatisfiable):
        byte_range(header, 1000)


def test_local_store_size_and_range(tmp_path):
    store = LocalMediaStore(tmp_path)
    data = bytes(range(256)) * 4
    key = store.put(data, "mp4")
    assert store.size(key) == 1024
    assert store.read_range(key, 10, 20) == data[10:20] and store.read_range(key, 1000, 2000) == data[1000:]
    assert store.output_uri("veo-output") is None
    with pytest.raises(FileNotFoundError):
        store.read_uri("gs://bucket/x.mp4")

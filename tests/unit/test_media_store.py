"""MediaStore: content addressing, atomic idempotent writes, keys that cannot escape the root."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pytest

from rushes.media.store import InvalidMediaKey, LocalMediaStore as MediaStore, ext_for_mime, media_type


def test_put_returns_sha256_key_and_stores_under_prefix(tmp_path: Path) -> None:
    store = MediaStore(tmp_path)
    data = b"\x00\x01 a frame"
    key = store.put(data, "png")
    digest = hashlib.sha256(data).hexdigest()
    assert key == f"{digest}.png"
    assert store.path(key) == tmp_path / digest[:2] / key
    assert store.exists(key)
    assert store.read(key) == data
    assert store.media_type(key) == "image/png"


def test_put_is_idempotent_and_leaves_no_temp_files(tmp_path: Path) -> None:
    store = MediaStore(tmp_path)
    first = store.put(b"clip bytes", "mp4")
    mtime = store.path(first).stat().st_mtime_ns
    second = store.put(b"clip bytes", "mp4")
    assert first == second
    assert store.path(first).stat().st_mtime_ns == mtime
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert files == [store.path(first)]


def test_same_bytes_different_ext_are_separate_keys(tmp_path: Path) -> None:
    store = MediaStore(tmp_path)
    assert store.put(b"x", "jpg") != store.put(b"x", "webp")
    assert store.put(b"x", "JPEG").endswith(".jpg")


def test_failed_write_leaves_nothing_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = MediaStore(tmp_path)

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        store.put(b"half a clip", "mp4")
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_concurrent_puts_of_same_content_end_with_one_complete_file(tmp_path: Path) -> None:
    store = MediaStore(tmp_path)
    data = os.urandom(256 * 1024)
    keys: list[str] = []
    threads = [threading.Thread(target=lambda: keys.append(store.put(data, "mp4"))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(keys)) == 1
    assert store.read(keys[0]) == data
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [store.path(keys[0])]


def test_unsupported_extension_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        MediaStore(tmp_path).put(b"<svg/>", "svg")


GOOD = "a" * 64 + ".mp4"


@pytest.mark.parametrize(
    "key",
    [
        "../" + GOOD,
        "/etc/passwd",
        "/" + GOOD,
        "aa/" + GOOD,
        "../../etc/passwd",
        "A" * 64 + ".mp4",
        "a" * 63 + ".mp4",
        "a" * 64 + ".MP4",
        "a" * 64 + ".gif",
        "a" * 64 + ".mp4\n",
        "a" * 64 + ".mp4/..",
        "a" * 64 + "\x00.mp4",
        "",
        "..",
    ],
)
def test_path_tricks_are_refused(tmp_path: Path, key: str) -> None:
    store = MediaStore(tmp_path)
    with pytest.raises(InvalidMediaKey):
        store.path(key)
    with pytest.raises(InvalidMediaKey):
        store.exists(key)
    with pytest.raises(InvalidMediaKey):
        store.read(key)


def test_invalid_key_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        media_type("not-a-key.png")


def test_missing_key_reads_as_not_found(tmp_path: Path) -> None:
    store = MediaStore(tmp_path)
    assert not store.exists(GOOD)
    with pytest.raises(FileNotFoundError):
        store.read(GOOD)


def test_media_types_and_ext_for_mime() -> None:
    assert media_type("b" * 64 + ".mp4") == "video/mp4"
    assert media_type("b" * 64 + ".jpg") == "image/jpeg"
    assert media_type("b" * 64 + ".webp") == "image/webp"
    assert ext_for_mime("image/jpeg") == "jpg"
    with pytest.raises(ValueError):
        ext_for_mime("image/gif")

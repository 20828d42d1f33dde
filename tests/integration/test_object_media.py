"""Media on object storage: the store contract, the /media route, a mock render, and Veo writing to GCS.

Runs against moto's S3 server and gcp-storage-emulator, both started by the suite (tests/fakes/object_stores.py).
"""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from rushes.media.store import InvalidMediaKey, LocalMediaStore, key_for, open_media_store
from rushes.services.confirm import confirm_take
from rushes.services.demo import create_demo
from rushes.settings import Settings
from rushes.store import models as m
from tests.fakes.media import tiny_mp4
from tests.fakes.object_stores import BUCKET, gcs_emulator, object_media, s3_emulator  # noqa: F401
from tests.fakes.vertex_fixtures import fake_vertex, fake_vertex_server, vertex_env  # noqa: F401
from tests.integration.conftest import api_client, make_rushes, work_until_idle

DATA = bytes(range(256)) * 40  # 10 240 bytes, every offset distinguishable


def store_for(emulator, tmp_path):
    return open_media_store(Settings(_env_file=None, media_dir=tmp_path / "local", **emulator.settings()))


def test_put_get_exists_size_and_ranges(object_media, tmp_path):
    store = store_for(object_media, tmp_path)
    key = store.put(DATA, "mp4")
    assert key == key_for(DATA, "mp4") and store.put(DATA, "mp4") == key  # content-addressed, idempotent
    assert store.exists(key) and store.read(key) == DATA and store.size(key) == len(DATA)
    assert store.read_range(key, 1000, 1010) == DATA[1000:1010]
    assert b"".join(store.stream_range(key, 5000, len(DATA))) == DATA[5000:]
    missing = key_for(b"never stored", "png")
    assert not store.exists(missing)
    with pytest.raises(FileNotFoundError):
        store.read(missing)
    with pytest.raises(InvalidMediaKey):
        store.exists("../../etc/passwd")
    assert not any((tmp_path / "local").glob("**/*.mp4"))  # nothing landed in the local folder


def test_signed_urls_fetch_whole_objects_and_ranges_then_expire_in_minutes(object_media, tmp_path):
    store = store_for(object_media, tmp_path)
    key = store.put(DATA, "mp4")
    url = store.signed_url(key, 120)
    assert url.startswith(object_media.base_url)
    assert ("X-Amz-Expires=120" if object_media.kind == "s3" else "X-Goog-Expires=120") in url
    whole = httpx.get(url)
    assert whole.status_code == 200 and whole.content == DATA
    part = httpx.get(url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == DATA[100:200]


@pytest.fixture(scope="module")
def rendered(object_media, tmp_path_factory):
    """The demo's scene 2 rendered by the mock provider with every frame and clip in the bucket:
    rendered once per store for this module's tests, which only read it."""
    root = tmp_path_factory.mktemp("rendered")
    app = make_rushes(root, **object_media.settings())
    scene_id = create_demo(app)["scene_ids"][1]
    confirm_take(app, scene_id, "on-object-storage")
    work_until_idle(app)
    with app.db.session() as s:
        clips = list(s.scalars(select(m.Clip)))
        frames = list(s.scalars(select(m.Frame)))
    yield app, clips, frames, root
    app.db.dispose()


def test_a_mock_render_keeps_every_frame_and_clip_in_the_bucket(rendered):
    app, clips, frames, root = rendered
    assert not isinstance(app.media, LocalMediaStore)
    assert len(clips) == 3 and frames
    for clip in clips:
        assert app.media.exists(clip.media_key) and app.media.exists(clip.poster_key) and app.media.exists(clip.strip_key)
        assert app.media.read(clip.media_key)[4:8] == b"ftyp"
    assert all(app.media.exists(f.media_key) for f in frames)
    assert not list((root / "media").glob("??/*.*"))  # the local folder holds no media


def test_the_media_route_proxies_with_range_requests(rendered):
    app, clips, _, _ = rendered
    key = clips[0].media_key
    data = app.media.read(key)
    with api_client(app, "reviewer") as client:
        whole = client.get(f"/media/{key}")
        assert whole.status_code == 200 and whole.content == data
        assert whole.headers["content-type"] == "video/mp4" and whole.headers["accept-ranges"] == "bytes"
        part = client.get(f"/media/{key}", headers={"Range": "bytes=100-4195"})
        assert part.status_code == 206 and part.content == data[100:4196]
        assert part.headers["content-range"] == f"bytes 100-4195/{len(data)}"
        tail = client.get(f"/media/{key}", headers={"Range": "bytes=-500"})
        assert tail.status_code == 206 and tail.content == data[-500:]
        beyond = client.get(f"/media/{key}", headers={"Range": f"bytes={len(data)}-"})
        assert beyond.status_code == 416 and beyond.headers["content-range"] == f"bytes */{len(data)}"
        assert client.get(f"/media/{key_for(b'nothing', 'mp4')}").status_code == 404
        assert client.get("/media/not-a-key.mp4").status_code == 404


def test_signed_delivery_redirects_to_a_short_lived_url_that_plays_ranges(rendered):
    app, clips, _, _ = rendered
    delivery = app.settings.media_delivery, app.settings.media_signed_url_seconds
    app.settings.media_delivery = "signed"
    app.settings.media_signed_url_seconds = 60
    key = clips[0].media_key
    data = app.media.read(key)
    try:
        with api_client(app, "reviewer") as client:
            answer = client.get(f"/media/{key}", follow_redirects=False)
    finally:
        app.settings.media_delivery, app.settings.media_signed_url_seconds = delivery
    assert answer.status_code == 307 and answer.headers["cache-control"] == "no-store"
    signed = answer.headers["location"]
    assert "Expires=60" in signed
    part = httpx.get(signed, headers={"Range": "bytes=0-1023"})
    assert part.status_code == 206 and part.content == data[:1024]


def test_veo_writes_into_the_gcs_bucket_and_the_worker_reads_it_from_there(gcs_emulator, fake_vertex, tmp_path):
    written: list[str] = []

    def write_into_emulator(uri: str, data: bytes) -> None:
        bucket, _, path = uri.removeprefix("gs://").partition("/")
        assert httpx.put(f"{gcs_emulator.base_url}/{bucket}/{path}", content=data).status_code == 200
        written.append(uri)

    fake_vertex.gcs_writer = write_into_emulator
    fake_vertex.default_operation(video_bytes=lambda body: tiny_mp4(
        duration=body["parameters"]["durationSeconds"], fps=12, size=(320, 180)))
    media = gcs_emulator.settings()
    app = make_rushes(tmp_path, video_provider="veo", veo_model="veo-3.1-fast-generate-001",
                      vertex_base_url=fake_vertex.base_url, vertex_token=fake_vertex.token,
                      vertex_project="test-project", vertex_location="us-central1", **media)
    scene_id = create_demo(app)["scene_ids"][1]
    confirm_take(app, scene_id, "veo-to-gcs")
    work_until_idle(app)

    prefix = media["media_url"].removeprefix(f"gs://{BUCKET}/")
    sent = [r.json["parameters"].get("storageUri") for r in fake_vertex.submissions]
    assert sent == [f"gs://{BUCKET}/{prefix}/veo-output/"] * 3
    assert len(written) == 3 and all(u.startswith(f"gs://{BUCKET}/{prefix}/veo-output/") for u in written)
    with app.db.session() as s:
        jobs = list(s.scalars(select(m.RenderJob)))
        clips = list(s.scalars(select(m.Clip)))
    assert {j.state for j in jobs} == {"succeeded"} and len(clips) == 3
    assert all(app.media.exists(c.media_key) for c in clips)
    app.db.dispose()

"""What the media store gets and what its failures say: uploaded pictures are re-encoded to pixels only
(no EXIF GPS, no bytes after the image), a read-only media folder is a clear 503 that saves nothing, and
job errors shown to users carry no server paths."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import uuid

import pytest
from PIL import Image
from sqlalchemy import func, select

from rushes.store import models as m
from rushes.web.app import create_app
from tests.integration.conftest import api_client
from tests.integration.test_note_drawings import ARROW, RED_BOX
from tests.integration.test_note_frames import reviewed

POLYGLOT = b"\n<?php system($_GET['c']); ?>PK\x03\x04hidden-archive"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    rushes, scene, take = reviewed(tmp_path_factory.mktemp("media-safety"))
    app = create_app(rushes, run_worker=False, load_demo=False)
    with rushes.db.session() as session:
        shot = session.scalar(select(m.Shot.id).where(m.Shot.scene_id == scene).order_by(m.Shot.id).limit(1))
    yield rushes, app, scene, take, shot
    rushes.db.dispose()


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (320, 180), (200, 80, 40))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"                                                # Make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)}  # GPS: where it was taken
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue() + POLYGLOT


def _png_with_text() -> bytes:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "home: 12 Harbour Road")
    out = io.BytesIO()
    Image.new("RGB", (320, 180), (40, 80, 200)).save(out, "PNG", pnginfo=info)
    return out.getvalue() + POLYGLOT


def _newest_frame(rushes, shot: int) -> bytes:
    with rushes.db.session() as session:
        key = session.scalar(select(m.Frame.media_key).where(m.Frame.shot_id == shot).order_by(m.Frame.id.desc()).limit(1))
    return rushes.media.read(key)


@pytest.mark.parametrize("name,data,mime", [("gps.jpg", _jpeg_with_gps(), "image/jpeg"),
                                            ("text.png", _png_with_text(), "image/png")])
def test_an_uploaded_frame_keeps_its_pixels_and_nothing_else(world, name, data, mime):
    rushes, app, _, _, shot = world
    assert POLYGLOT in data
    with api_client(rushes, "editor", app=app) as editor:
        answer = editor.post(f"/api/shots/{shot}/frames/upload", data={"kind": "start"},
                             files={"file": (name, data, mime)})
    assert answer.status_code == 201, answer.text
    stored = _newest_frame(rushes, shot)
    assert b"<?php" not in stored and b"hidden-archive" not in stored and b"Harbour" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == Image.open(io.BytesIO(data)).format and image.size == (320, 180)
        assert len(image.getexif()) == 0 and "Comment" not in image.info and "exif" not in image.info
        original = Image.open(io.BytesIO(data)).convert("RGB").getpixel((160, 90))
        assert all(abs(a - b) <= 8 for a, b in zip(image.convert("RGB").getpixel((160, 90)), original))


@contextlib.contextmanager
def read_only(folder):
    """The folder refuses writes: a read-only bind mount when root (root ignores permissions), else chmod."""
    mounted = False
    if os.geteuid() == 0:
        done = subprocess.run(["mount", "--bind", str(folder), str(folder)], capture_output=True)
        if done.returncode == 0:
            mounted = True
            if subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)], capture_output=True).returncode != 0:
                subprocess.run(["umount", str(folder)], check=True)
                pytest.skip("cannot make a read-only mount here")
    else:
        modes = {p: p.stat().st_mode for p in [folder, *folder.rglob("*")] if p.is_dir()}
        for path in modes:
            path.chmod(0o555)
    try:
        probe = folder / f".probe-{uuid.uuid4().hex}"
        with contextlib.suppress(OSError):
            probe.write_bytes(b"x")
            probe.unlink()
            pytest.skip("the media folder is still writable")
        yield
    finally:
        if mounted:
            subprocess.run(["umount", str(folder)], check=True)
        elif os.geteuid() != 0:
            for path, mode in modes.items():
                path.chmod(mode)


def _count(rushes, model) -> int:
    with rushes.db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_uploads_and_drawings_on_a_read_only_media_folder_are_a_clear_503_that_saves_nothing(world):
    rushes, app, scene, _, shot = world
    frames, notes = _count(rushes, m.Frame), _count(rushes, m.ReviewIssue)
    fresh = io.BytesIO()
    Image.new("RGB", (320, 180), (10, 200, 90)).save(fresh, "PNG")  # bytes the store does not hold yet
    with api_client(rushes, "editor", app=app) as editor, read_only(rushes.settings.media_dir):
        upload = editor.post(f"/api/shots/{shot}/frames/upload", data={"kind": "start"},
                             files={"file": ("new.png", fresh.getvalue(), "image/png")})
        assert upload.status_code == 503, upload.text
        assert "media store" in upload.json()["detail"] and str(rushes.settings.media_dir) not in upload.text
        drawn = editor.post(f"/api/scenes/{scene}/issues", json={"scene_time": 1.0, "category": "visual_continuity",
                                                                 "description": "the lamp jumps",
                                                                 "drawing": [RED_BOX, ARROW]})
        assert drawn.status_code == 503, drawn.text
        assert _count(rushes, m.Frame) == frames and _count(rushes, m.ReviewIssue) == notes
        # What needs no new file still works on a read-only folder.
        plain = editor.post(f"/api/scenes/{scene}/issues", json={"scene_time": 1.0, "category": "timing",
                                                                 "description": "a beat too long"})
        assert plain.status_code == 201, plain.text


def test_job_errors_shown_to_users_carry_no_server_paths(world):
    rushes, app, _, take, _ = world
    media = str(rushes.settings.media_dir)
    with rushes.db.session() as session:
        job = session.scalar(select(m.RenderJob).where(m.RenderJob.take_id == take).limit(1))
        job.error = (f"internal error: PermissionError: [Errno 13] Permission denied: '{media}/ab/.tmp-1.mp4' "
                     f"(see /home/ops/rushes/worker.log, https://aiplatform.googleapis.com/v1/projects/p)")
        job_id = job.id
    with api_client(rushes, "reviewer", app=app) as reviewer:
        shown = reviewer.get(f"/api/jobs/{job_id}").json()["error"]
        take_view = reviewer.get(f"/api/takes/{take}").text
    assert media not in shown and "/home/ops" not in shown and media not in take_view
    assert "Permission denied" in shown and ".tmp-1.mp4" in shown  # the reason itself stays
    assert "https://aiplatform.googleapis.com/v1/projects/p" in shown  # addresses are not paths

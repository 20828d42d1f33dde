"""Exports an editor can open (issue 22, item 8): EDL reels and clip names are shot codes, and "Download for
editing" is a zip whose timelines, re-read by OpenTimelineIO, point at clips inside the zip by relative paths."""

from __future__ import annotations

import io
import zipfile

import av
import opentimelineio as otio
import pytest
from sqlalchemy import select

from rushes.store import models as m
from rushes.web.app import create_app
from tests.integration.conftest import api_client

ADAPTER = {".otio": "otio_json", ".edl": "cmx_3600", ".xml": "fcp_xml"}


@pytest.fixture(scope="module")
def world(two_studios, tmp_path_factory):
    rushes, ours, theirs = two_studios(tmp_path_factory.mktemp("package"))
    app = create_app(rushes, run_worker=False, load_demo=False)
    yield rushes, app, ours, theirs
    rushes.db.dispose()


def codes_of(rushes, take_id: int) -> list[str]:
    with rushes.db.session() as session:
        return [s.code for s in session.scalars(select(m.TakeSlot).where(m.TakeSlot.take_id == take_id)
                                                .order_by(m.TakeSlot.position))]


def test_edl_reels_and_clip_names_are_shot_codes(world):
    rushes, app, ours, _ = world
    take = ours.ids["take_id"]
    with api_client(rushes, "reviewer", studio_id=ours.studio_id, app=app) as client:
        edl = client.get(f"/api/takes/{take}/export/edl").text
    events = [line.split() for line in edl.splitlines() if line[:3].isdigit()]
    codes = codes_of(rushes, take)
    assert [e[1] for e in events] == codes, edl
    assert [line.split("NAME:")[1].strip() for line in edl.splitlines() if "FROM CLIP NAME" in line] == codes


def test_download_for_editing_is_a_zip_whose_timelines_resolve_to_its_clips(world, tmp_path):
    rushes, app, ours, theirs = world
    take = ours.ids["take_id"]
    with api_client(rushes, "reviewer", studio_id=ours.studio_id, app=app) as client:
        response = client.get(f"/api/takes/{take}/export/zip")
        assert response.status_code == 200, response.text[:300]
        assert response.headers["content-type"] == "application/zip"
        assert ".zip" in response.headers["content-disposition"]
        assert client.get(f"/api/takes/{theirs.ids['take_id']}/export/zip").status_code == 404
    with zipfile.ZipFile(io.BytesIO(response.content)) as package:
        package.extractall(tmp_path)
    timelines = [p for p in tmp_path.rglob("*") if p.suffix in ADAPTER]
    assert sorted(p.suffix for p in timelines) == [".edl", ".otio", ".xml"]
    codes = codes_of(rushes, take)
    for path in timelines:
        timeline = otio.adapters.read_from_file(str(path), ADAPTER[path.suffix])
        clips = list(timeline.find_clips())
        assert [c.name for c in clips] == codes, path.name
        for clip in clips:
            url = clip.media_reference.target_url
            assert not url.startswith(("http", "/")), (path.name, url)
            media = (path.parent / url.removeprefix("file://")).resolve()
            assert media.is_file() and media.is_relative_to(tmp_path), (path.name, url)
            assert media.name.startswith(clip.name + "_v")
            with av.open(str(media)) as container:  # a real clip an editor can decode
                assert container.streams.video[0].frames >= 0 and container.duration
    assert (timelines[0].parent / "README.txt").is_file()


def test_a_take_with_no_clip_has_nothing_to_package(tmp_path):
    from rushes.services.confirm import confirm_take
    from rushes.services.demo import create_demo
    from tests.integration.conftest import make_rushes

    app = make_rushes(tmp_path)
    scene = create_demo(app)["scene_ids"][0]
    take, _ = confirm_take(app, scene, "k")  # no worker ran: no clip yet
    with api_client(app, "reviewer") as client:
        assert client.get(f"/api/takes/{take}/export/zip").status_code == 409
    app.db.dispose()

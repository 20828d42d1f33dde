"""Drawings on a note's frame: the shapes are kept normalised to the picture, the note's frame is burned
with them into a still in the media store (for the exports), and a bad drawing writes nothing."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import func, select

from rushes.services import review
from rushes.services.errors import Conflict
from rushes.store import models as m
from tests.integration.conftest import api_client
from tests.integration.test_note_frames import reviewed

RED_BOX = {"tool": "rect", "color": "#ff4d4d", "width": 8, "points": [[0.2, 0.2], [0.6, 0.7]]}
ARROW = {"tool": "arrow", "color": "#4dabf7", "width": 6, "points": [[0.9, 0.1], [0.7, 0.3]]}


@pytest.fixture
def world(tmp_path, db_url):
    app, scene, take = reviewed(tmp_path, db_url)
    yield app, scene, take
    app.db.dispose()


def notes(app) -> int:
    with app.db.session() as s:
        return s.scalar(select(func.count()).select_from(m.ReviewIssue))


def near(pixel, colour, slack=40) -> bool:
    return all(abs(a - b) <= slack for a, b in zip(pixel, colour))  # the still is a JPEG


def test_a_range_note_with_a_drawing_keeps_its_shapes_and_a_still_with_them_burned_in(world):
    app, scene, _ = world
    with api_client(app, "reviewer") as client:
        made = client.post(f"/api/scenes/{scene}/issues", json={
            "scene_time": 0, "frame": 36, "out_frame": 60, "category": "visual_continuity",
            "description": "the lamp jumps to the left", "drawing": [RED_BOX, ARROW]})
        assert made.status_code == 201, made.text
        note = made.json()
        assert note["drawing"] == [RED_BOX, ARROW] and note["out_frame"] == 60
        assert note["still_url"]
        listed = {i["id"]: i for i in client.get(f"/api/scenes/{scene}/issues").json()}
        assert listed[note["id"]]["drawing"] == [RED_BOX, ARROW]
        assert listed[note["id"]]["still_url"] == note["still_url"]
        served = client.get(note["still_url"])
        assert served.status_code == 200 and served.headers["content-type"] == "image/jpeg"
        plain = client.post(f"/api/scenes/{scene}/issues", json={"scene_time": 2, "category": "timing",
                                                                  "description": "hold it"}).json()
        assert plain["drawing"] is None and plain["still_url"] is None
    with app.db.session() as s:
        issue = s.get(m.ReviewIssue, note["id"])
        clip = s.get(m.Clip, issue.clip_id)
        still_key, clip_key = issue.still_key, clip.media_key
    still = Image.open(io.BytesIO(app.media.read(still_key))).convert("RGB")
    frame = Image.open(io.BytesIO(served.content))
    from rushes.media.probe import probe_clip  # the still is at the picture's own resolution

    meta = probe_clip(app.media.read(clip_key))
    assert still.size == frame.size == (meta.width, meta.height)
    w, h = still.size
    assert near(still.getpixel((round(0.2 * (w - 1)), round(0.45 * (h - 1)))), (255, 77, 77))  # left edge of the box
    assert near(still.getpixel((round(0.4 * (w - 1)), round(0.7 * (h - 1)))), (255, 77, 77))  # its bottom edge
    assert near(still.getpixel((round(0.8 * (w - 1)), round(0.2 * (h - 1)))), (77, 171, 247))  # the arrow
    assert not near(still.getpixel((round(0.4 * (w - 1)), round(0.45 * (h - 1)))), (255, 77, 77), 20)  # the picture

    # The exports carry the note's still: the CSV's still column and the OTIO marker's metadata.
    import csv

    import opentimelineio as otio

    take_id = listed[note["id"]]["take_id"]
    with api_client(app, "reviewer") as client:
        rows = list(csv.DictReader(io.StringIO(client.get(f"/api/takes/{take_id}/export/csv").text)))
        timeline = otio.adapters.read_from_string(client.get(f"/api/takes/{take_id}/export/otio").text, "otio_json")
    [row] = [r for r in rows if r["note_id"] == str(note["id"])]
    assert row["still"].endswith(note["still_url"])
    markers = [mk for clip in timeline.find_clips() for mk in clip.markers
               if mk.metadata["rushes"]["note_id"] == note["id"]]
    assert markers and markers[0].metadata["rushes"]["still"].endswith(note["still_url"])


BAD = [
    [{**RED_BOX, "points": [[0.2, 0.2], [0.6, 1.2]]}],
    [{**RED_BOX, "points": [[0.2, 0.2]]}],
    [{**ARROW, "points": [[0.1, 0.1], [0.2, 0.2], [0.3, 0.3]]}],
    [{**RED_BOX, "color": "#000001"}],
    [{**RED_BOX, "dash": [2, 2]}],
    [{**RED_BOX, "width": 40}],
    [RED_BOX] * 201,
    {"tool": "rect"},
]


def test_a_bad_drawing_is_refused_and_writes_nothing(world):
    app, scene, _ = world
    before = notes(app)
    with api_client(app, "reviewer") as client:
        for drawing in BAD:
            answer = client.post(f"/api/scenes/{scene}/issues", json={"scene_time": 1, "category": "timing",
                                                                       "description": "bad shapes", "drawing": drawing})
            assert answer.status_code == 422, (drawing, answer.text)
        nan = client.post(f"/api/scenes/{scene}/issues", headers={"content-type": "application/json"},
                          content='{"scene_time": 1, "category": "timing", "description": "nan", "drawing": '
                                  '[{"tool": "pen", "color": "#ffffff", "width": 2, "points": [[NaN, 0.5]]}]}')
        assert nan.status_code == 422
    with pytest.raises(Conflict, match="off the picture"):  # callers inside the app are refused too
        review.pin_issue(app, scene, {"scene_time": 1, "category": "timing", "description": "bad",
                                      "drawing": [{**RED_BOX, "points": [[0.2, 0.2], [2, 2]]}]})
    assert notes(app) == before

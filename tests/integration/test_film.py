"""The whole film: its cut in film time (approved or latest takes, slates for scenes with nothing to play),
its exports re-read by their own libraries (OTIO, CMX 3600, FCP 7 XML, csv; an EDL past 999 events as a
zip of numbered EDLs), text neutralised per format, and its MP4 built by the worker with a chapter per scene."""

from __future__ import annotations

import csv
import io
import re
import zipfile
import xml.etree.ElementTree as ET
from fractions import Fraction

import av
import opentimelineio as otio
import pytest
from sqlalchemy import select

from rushes.media.edit_decisions import ShotCut, timecode
from rushes.media.film_decisions import EDL_MAX_EVENTS, FilmScene, FilmSheet, edl_export
from rushes.services.review import complete_scene
from rushes.store import models as m
from rushes.web.app import create_app
from tests.integration.conftest import api_client, work_until_idle

HOSTILE = "=HYPERLINK(\"x\")\n002  EVIL V C 00:00:00:00\x07\x0b"


@pytest.fixture(scope="module")
def world(two_studios, tmp_path_factory):
    rushes, ours, theirs = two_studios(tmp_path_factory.mktemp("film"))
    app = create_app(rushes, run_worker=False, load_demo=False)
    with rushes.db.session() as session:
        # A scene title and a note that would break each format if written as typed.
        scene = session.get(m.Scene, ours.demo["scene_ids"][1])
        scene.title = "Night\nEXT. \x01ROOF"
        issue = session.get(m.ReviewIssue, ours.ids["issue_id"])
        issue.description = HOSTILE
        issue.frame = 30
    yield rushes, app, ours, theirs
    rushes.db.dispose()


def test_the_cut_lays_scenes_end_to_end_with_slates_for_scenes_with_nothing_to_play(world):
    rushes, app, ours, _ = world
    project = ours.demo["project_id"]
    with api_client(rushes, "reviewer", app=app) as client:
        latest = client.get(f"/api/projects/{project}/cut?prefer=latest").json()
        approved_before = client.get(f"/api/projects/{project}/cut").json()
    scenes = latest["scenes"]
    assert [s["scene_id"] for s in scenes] == ours.demo["scene_ids"]
    first = scenes[0]
    assert first["take"]["id"] == ours.ids["take_id"] and all(s["src"] and s["clip_id"] for s in first["shots"])
    assert first["shots"][0]["start"] == 0.0
    # Scenes after the first have no take: one titled slate each, as long as the shots planned.
    for scene in scenes[1:]:
        assert len(scene["shots"]) == 1 and scene["shots"][0]["state"] == "slate" and scene["shots"][0]["src"] is None
        assert scene["duration"] == scene["planned"] > 0
        assert scene["shots"][0]["code"].startswith(f"Scene {scene['number']}")
    # Film time: every shot starts where the one before ends, across scene boundaries.
    shots = [s for scene in scenes for s in scene["shots"]]
    for before, after in zip(shots, shots[1:]):
        assert after["start"] == pytest.approx(before["start"] + before["duration"], abs=1e-3)
    assert latest["duration"] == pytest.approx(sum(s["duration"] for s in scenes), abs=1e-3)
    # Not approved yet: by default the film shows a slate for scene 1 too.
    assert approved_before["scenes"][0]["source"] == "slate"
    assert "no approved take" in approved_before["scenes"][0]["shots"][0]["reason"]


def test_approving_a_take_puts_it_in_the_film(world):
    rushes, app, ours, _ = world
    complete_scene(rushes, ours.ids["scene_id"], ours.ids["take_id"], open_notes="carry")
    with api_client(rushes, "reviewer", app=app) as client:
        cut = client.get(f"/api/projects/{ours.demo['project_id']}/cut?prefer=approved").json()
    assert cut["scenes"][0]["source"] == "approved" and cut["scenes"][0]["take"]["approved"]
    # The Hub's glance reads the same approval and links the screening room.
    with api_client(rushes, "owner", app=app) as client:
        page = client.get(f"/projects/{ours.demo['project_id']}").text
    assert 'data-approved-scenes="1"' in page and f'/projects/{ours.demo["project_id"]}/screening' in page


def _reopen_note(rushes, ours):
    with rushes.db.session() as session:
        session.get(m.ReviewIssue, ours.ids["issue_id"]).status = "open"  # approval closed it; the exports show open notes


@pytest.mark.parametrize("fmt", ["otio", "edl", "fcpxml"])
def test_each_timeline_reads_back_with_a_clip_per_shot_and_scene_and_note_markers(world, fmt):
    rushes, app, ours, _ = world
    _reopen_note(rushes, ours)
    project = ours.demo["project_id"]
    with api_client(rushes, "reviewer", app=app) as client:
        cut = client.get(f"/api/projects/{project}/cut?prefer=latest").json()
        answer = client.get(f"/api/projects/{project}/export/{fmt}?prefer=latest")
    assert answer.status_code == 200, answer.text[:300]
    text = answer.text
    adapter = {"otio": "otio_json", "edl": "cmx_3600", "fcpxml": "fcp_xml"}[fmt]
    timeline = otio.adapters.read_from_string(text, adapter)
    clips = list(timeline.find_clips())
    shots = [s for scene in cut["scenes"] for s in scene["shots"]]
    assert len(clips) == len(shots)
    assert [round(c.range_in_parent().start_time.value) for c in clips] == [round(s["start"] * 24) for s in shots]
    names = [mk.name for c in clips for mk in c.markers]
    assert sum(1 for n in names if n.upper().startswith("SCENE ")) == len(cut["scenes"])  # EDL LOC names are capitals
    note = [n for n in names if "HYPERLINK" in n.upper()]
    assert len(note) == 1 and "\n" not in note[0] and "\x07" not in note[0]
    if fmt == "edl":
        # No line of the EDL starts an event it should not: the note's "002  EVIL" stayed in its comment.
        assert not any(line.startswith("002  EVIL") for line in text.splitlines())
        events = [line for line in text.splitlines() if re.match(r"^\d{3}  ", line)]
        assert len(events) == len(shots)
    if fmt == "fcpxml":
        ET.fromstring(text.encode())  # well-formed: the control characters were dropped
        assert "\x01" not in text and "\x07" not in text


def test_the_csv_has_a_row_per_open_note_with_its_scene_and_no_formula(world):
    rushes, app, ours, _ = world
    _reopen_note(rushes, ours)
    with api_client(rushes, "reviewer", app=app) as client:
        answer = client.get(f"/api/projects/{ours.demo['project_id']}/export/csv?prefer=latest")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert len(rows) == 1
    assert rows[0]["scene"] == "1" and rows[0]["text"].startswith("'=HYPERLINK")
    assert rows[0]["in"] == timecode(30, Fraction(24))


def test_an_edl_past_999_events_is_a_zip_of_numbered_edls_in_film_timecode(tmp_path):
    rate = Fraction(24)
    scenes, at = [], 0
    for number in range(1, 101):  # 100 scenes x 12 shots = 1,200 events
        shots = []
        for index in range(12):
            shots.append(ShotCut(number * 100 + index, f"{number}{chr(65 + index)}", at, 48, f"http://h/m/{number}_{index}.mp4", 48))
            at += 48
        scenes.append(FilmScene(number, number, f"Scene {number}", shots[0].start, 12 * 48, shots, 1))
    body, media_type, name = edl_export(FilmSheet("Long film", rate, scenes), "long_film")
    assert media_type == "application/zip" and name == "long_film_edl.zip"
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        names = sorted(archive.namelist())
        texts = [archive.read(n).decode() for n in names]
    assert names == ["long_film_part01.edl", "long_film_part02.edl"]
    seen = []
    for text in texts:
        events = [line for line in text.splitlines() if re.match(r"^\d+  ", line)]
        assert 0 < len(events) <= EDL_MAX_EVENTS and all(re.match(r"^\d{3}  ", e) for e in events)
        timeline = otio.adapters.read_from_string(text, "cmx_3600")
        seen += [c.name for c in timeline.find_clips()]
        # Record timecodes are the film's: the part's first event records where its shot sits in the film.
        first_rec = events[0].split()[-2]
        first_shot = next(s for sc in scenes for s in sc.shots if s.code == next(iter(timeline.find_clips())).name)
        assert first_rec == timecode(first_shot.start, rate)
    assert seen == [s.code for sc in scenes for s in sc.shots]
    # Whole scenes per part: part 1 ends with a scene's last shot.
    assert seen[len(seen) - sum(1 for _ in otio.adapters.read_from_string(texts[1], "cmx_3600").find_clips()) - 1].endswith("L")


def test_the_film_mp4_is_built_by_the_worker_with_a_chapter_per_scene(world):
    rushes, app, ours, _ = world
    project = ours.demo["project_id"]
    with api_client(rushes, "reviewer", app=app) as client:
        assert client.get(f"/api/projects/{project}/export/mp4?prefer=latest").status_code == 404
        started = client.post(f"/api/projects/{project}/export/mp4?prefer=latest")
        assert started.status_code == 202 and started.json()["status"] == "queued"
        assert client.post(f"/api/projects/{project}/export/mp4?prefer=latest").json()["job_id"] == started.json()["job_id"]
        assert client.get(f"/api/projects/{project}/export/mp4?prefer=latest").status_code == 202
        work_until_idle(rushes)
        answer = client.get(f"/api/projects/{project}/export/mp4?prefer=latest")
        cut = client.get(f"/api/projects/{project}/cut?prefer=latest").json()
    assert answer.status_code == 200 and answer.headers["content-type"] == "video/mp4"
    frames = sum(round(s["duration"] * 24) for scene in cut["scenes"] for s in scene["shots"])
    with av.open(io.BytesIO(answer.content)) as container:
        decoded = sum(1 for _ in container.decode(container.streams.video[0]))
        chapters = container.chapters()
    assert abs(decoded - frames) <= 1
    assert len(chapters) == len(cut["scenes"])
    assert chapters[1]["metadata"]["title"].startswith("Scene 2")
    with rushes.db.session() as session:
        job = session.scalar(select(m.RenderJob).where(m.RenderJob.kind == "film"))
        assert job.state == "succeeded" and job.cost_credits == 0


def test_another_studios_film_is_not_found(world):
    rushes, app, ours, theirs = world
    with api_client(rushes, "reviewer", app=app) as client:
        for path in ("cut", "export/otio", "export/edl", "export/csv"):
            assert client.get(f"/api/projects/{theirs.demo['project_id']}/{path}").status_code == 404
        assert client.post(f"/api/projects/{theirs.demo['project_id']}/export/mp4").status_code == 404
        assert client.get(f"/api/projects/{ours.demo['project_id']}/cut?prefer=best").status_code == 422

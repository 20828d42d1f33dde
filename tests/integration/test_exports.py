"""Exports of a take, each re-read by its own library: OTIO reads back the otio, EDL and FCP XML with
the same markers, csv parses with the csv module, and PyAV probes the MP4 to the cut's length."""

from __future__ import annotations

import csv
import io
from fractions import Fraction

import av
import opentimelineio as otio
import pytest
from sqlalchemy import select

from rushes.media.cut_export import Reel, assemble_cut
from rushes.services.exports import reels_of
from rushes.store import models as m
from rushes.web.app import create_app
from tests.integration.conftest import anonymous_client, api_client, cookie_client, work_until_idle

NOTES = [  # scene time, category, stage, text, last frame of a range (None: a one-frame note)
    (2.5, "visual_continuity", 10, "Her coat jumps from navy to black", None),
    (9.125, "dialogue_audio", 9, "Line is clipped, “hold the rope”", 9 * 24 + 3 + 11),  # 12 frames
    (0.0, "timing", 7, "=cold open runs long", None),
]
ADAPTER = {"otio": "otio_json", "edl": "cmx_3600", "fcpxml": "fcp_xml"}


@pytest.fixture(scope="module")
def world(two_studios, tmp_path_factory):
    rushes, ours, theirs = two_studios(tmp_path_factory.mktemp("exports"))
    app = create_app(rushes, run_worker=False, load_demo=False)
    take_id, scene_id = ours.ids["take_id"], ours.ids["scene_id"]
    with rushes.db.session() as session:
        session.execute(m.ReviewIssue.__table__.delete())  # just the notes this test pins
        shots = {s.position: s for s in session.scalars(select(m.TakeSlot).where(m.TakeSlot.take_id == take_id))}
        for t, category, stage, text, out_frame in NOTES:
            start, shot = 0.0, None
            for slot in sorted(shots.values(), key=lambda s: s.position):
                if start <= t < start + slot.duration:
                    shot = slot
                    break
                start += slot.duration
            session.add(m.ReviewIssue(scene_id=scene_id, take_id=take_id, shot_id=shot.shot_id, clip_id=shot.clip_id,
                                      scene_time=t, shot_time=t - start, category=category, description=text,
                                      stage=stage, author_name="dana@example.com", frame=round(t * 24),
                                      out_frame=out_frame))
    yield rushes, app, ours, theirs
    rushes.db.dispose()


def cut_of(rushes, take_id: int) -> list[tuple[str, int]]:
    with rushes.db.session() as session:
        slots = session.scalars(select(m.TakeSlot).where(m.TakeSlot.take_id == take_id).order_by(m.TakeSlot.position))
        return [(s.code, round(s.duration * 24)) for s in slots]


def expected_marks() -> list[tuple[int, str]]:
    return sorted((round(t * 24), " ".join(text.split())) for t, _, _, text, _ in NOTES)


def marks_of(timeline) -> list[tuple[int, str, object]]:
    """Every clip marker as (scene frame, name, marker), wherever the adapter hung it."""
    found = []
    for clip in timeline.find_clips():
        placed = clip.range_in_parent().start_time - clip.source_range.start_time
        for marker in clip.markers:
            found.append((otio.opentime.to_frames(placed + marker.marked_range.start_time, 24), marker.name, marker))
    return sorted(found, key=lambda f: (f[0], f[1]))


@pytest.mark.parametrize("fmt", ["otio", "edl", "fcpxml"])
def test_each_timeline_reads_back_with_its_shots_and_the_same_markers(world, fmt):
    rushes, app, ours, _ = world
    take_id = ours.ids["take_id"]
    with api_client(rushes, "reviewer", app=app) as reviewer:
        answer = reviewer.get(f"/api/takes/{take_id}/export/{fmt}")
    assert answer.status_code == 200, answer.text
    assert "attachment" in answer.headers["content-disposition"]
    timeline = otio.adapters.read_from_string(answer.text, ADAPTER[fmt])
    clips = list(timeline.find_clips())
    assert [(c.name.strip(), c.source_range.duration.to_frames()) for c in clips] == cut_of(rushes, take_id)
    marks = marks_of(timeline)
    # The EDL writes marker names in capitals; the others keep them as typed.
    fold = str.upper if fmt == "edl" else (lambda s: s)
    assert [(f, n) for f, n, _ in marks] == [(f, fold(n)) for f, n in expected_marks()]
    if fmt == "otio":
        by_name = {n: mk for _, n, mk in marks}
        coat = by_name["Her coat jumps from navy to black"]
        assert coat.color == otio.schema.MarkerColor.RED and coat.marked_range.duration.to_frames() == 1
        assert coat.metadata["rushes"]["stage"] == 10 and coat.metadata["rushes"]["status"] == "open"
        assert coat.metadata["rushes"]["category"] == "visual_continuity"
        assert by_name["Line is clipped, “hold the rope”"].marked_range.duration.to_frames() == 12  # the range
        url = clips[0].media_reference.target_url
        assert url.startswith("http") and "/media/" in url
    if fmt == "edl":
        assert {mk.color for _, _, mk in marks} == {"RED", "GREEN", "YELLOW"}  # a colour per category


def test_the_csv_has_a_row_per_note_in_timecode(world):
    rushes, app, ours, _ = world
    take_id = ours.ids["take_id"]
    with cookie_client(rushes, "reviewer", app=app) as reviewer:
        answer = reviewer.get(f"/api/takes/{take_id}/export/csv")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [r["in"] for r in rows] == ["00:00:00:00", "00:00:02:12", "00:00:09:03"]
    assert [r["out"] for r in rows] == ["00:00:00:00", "00:00:02:12", "00:00:09:14"]  # last frame, as the page shows
    assert rows[0]["text"] == "'=cold open runs long"  # a spreadsheet must not run it as a formula
    assert rows[1]["category"] == "visual_continuity" and rows[1]["stage"] == "10" and rows[1]["status"] == "open"
    assert rows[2]["text"] == "Line is clipped, “hold the rope”" and rows[2]["author"] == "dana@example.com"
    codes = [c for c, _ in cut_of(rushes, take_id)]
    assert rows[0]["shots"] == codes[0] and rows[2]["shots"] in codes
    assert all(r["still"].startswith("http") and "/media/" in r["still"] for r in rows)


def test_the_mp4_is_built_by_the_worker_202_meanwhile_and_probes_to_the_cut(world):
    rushes, app, ours, _ = world
    take_id = ours.ids["take_id"]
    with api_client(rushes, "reviewer", app=app) as reviewer:
        assert reviewer.get(f"/api/takes/{take_id}/export/mp4").status_code == 404  # none started
        started = reviewer.post(f"/api/takes/{take_id}/export/mp4")
        assert started.status_code == 202 and started.json()["status"] == "queued"
        again = reviewer.post(f"/api/takes/{take_id}/export/mp4")
        assert again.json()["job_id"] == started.json()["job_id"]  # one export per take, not one per click
        waiting = reviewer.get(f"/api/takes/{take_id}/export/mp4")
        assert waiting.status_code == 202 and waiting.json()["status"] in ("queued", "running")
        work_until_idle(rushes, take_id=take_id)
        done = reviewer.post(f"/api/takes/{take_id}/export/mp4").json()
        assert done["status"] == "done" and done["method"] == "copy" and done["progress"] == 1.0
        answer = reviewer.get(f"/api/takes/{take_id}/export/mp4")
    assert answer.status_code == 200 and answer.headers["content-type"] == "video/mp4"
    assert answer.headers["content-disposition"].endswith('.mp4"')
    cut = cut_of(rushes, take_id)
    frames = sum(n for _, n in cut)
    with av.open(io.BytesIO(answer.content)) as container:
        video = container.streams.video[0]
        assert video.codec_context.name == "h264" and container.streams.audio[0].codec_context.name == "aac"
        decoded = sum(1 for _ in container.decode(video))
        assert abs(decoded - frames) <= 1
        assert abs(container.duration / av.time_base - frames / 24) <= 1 / 24 + 0.03  # audio may end a packet later
        chapters = container.chapters()
        assert [c["metadata"].get("title") for c in chapters] == [code for code, _ in cut]


def test_re_encoding_gives_the_same_length_when_clips_differ(world):
    rushes, app, ours, _ = world
    reels, rate = reels_of(rushes, ours.ids["take_id"])
    assert rate == Fraction(24)
    shortened = [Reel(r.code, r.data, max(1, r.frames - 5)) for r in reels[:2]]
    data, method = assemble_cut(shortened, rate, allow_copy=False)
    assert method == "encode"
    with av.open(io.BytesIO(data)) as container:
        decoded = sum(1 for _ in container.decode(container.streams.video[0]))
    assert abs(decoded - sum(r.frames for r in shortened)) <= 1


def test_other_studios_unknown_formats_and_strangers_are_refused(world):
    rushes, app, ours, theirs = world
    with api_client(rushes, "reviewer", app=app) as reviewer:
        for fmt in ("otio", "csv", "mp4"):
            assert reviewer.get(f"/api/takes/{theirs.ids['take_id']}/export/{fmt}").status_code == 404
        assert reviewer.post(f"/api/takes/{theirs.ids['take_id']}/export/mp4").status_code == 404
        assert reviewer.get("/api/takes/999999/export/otio").status_code == 404
        assert reviewer.get(f"/api/takes/{ours.ids['take_id']}/export/aaf").status_code in (404, 422)
        assert reviewer.post(f"/api/takes/{ours.ids['take_id']}/export/otio").status_code in (404, 405)
    with anonymous_client(rushes, app=app) as nobody:
        assert nobody.get(f"/api/takes/{ours.ids['take_id']}/export/otio").status_code == 401


def test_an_unfinished_take_has_no_mp4_to_build(world):
    rushes, app, ours, _ = world
    from rushes.services.confirm import confirm_take

    with rushes.db.session() as session:
        scene = session.scalar(select(m.Scene.id).where(m.Scene.id != ours.ids["scene_id"],
                                                        m.Scene.project_id == ours.demo["project_id"]).limit(1))
    take_id, _ = confirm_take(rushes, scene, "unfinished")
    with api_client(rushes, "editor", app=app) as editor:
        answer = editor.post(f"/api/takes/{take_id}/export/mp4")
        assert answer.status_code == 409 and "rendering" in answer.json()["detail"]
        # The timeline of an unfinished take still opens: shots without a clip have no media yet.
        timeline = otio.adapters.read_from_string(editor.get(f"/api/takes/{take_id}/export/otio").text, "otio_json")
        assert all(isinstance(c.media_reference, otio.schema.MissingReference) for c in timeline.find_clips())

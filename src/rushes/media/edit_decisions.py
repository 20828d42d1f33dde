"""A take's cut and its notes as edit decisions other tools read: OTIO, a CMX 3600 EDL, FCP 7 XML, a CSV.

Everything is counted in whole frames of the take's rate (a rational, 24/1 here): a note's scene time
becomes round(scene_time * fps) once, and every timecode is derived from that frame, so the four
formats can never disagree by a rounding step.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from fractions import Fraction

import opentimelineio as otio
from opentimelineio.opentime import RationalTime, TimeRange

from rushes.domain.timecode import frame_at

# A colour per note category, so an editor can tell continuity from timing at a glance on the ruler.
# (The EDL keeps these names; FCP 7 XML has no marker colour, so it drops them.)
CATEGORY_COLOURS = {
    "visual_continuity": otio.schema.MarkerColor.RED,
    "timing": otio.schema.MarkerColor.YELLOW,
    "dialogue_audio": otio.schema.MarkerColor.GREEN,
    "narrative_structure": otio.schema.MarkerColor.BLUE,
}
ADAPTERS = {"edl": "cmx_3600", "fcpxml": "fcp_xml"}
CSV_COLUMNS = ["in", "out", "in_frame", "out_frame", "shots", "category", "stage", "status", "author", "text",
               "replies", "still", "note_id"]


@dataclass(frozen=True)
class ShotCut:
    """One shot as laid in the cut: its first frame in scene time and its length, both in frames."""

    shot_id: int
    code: str
    start: int
    frames: int
    url: str | None          # the clip's media address; None when the shot has no clip in this take
    clip_frames: int = 0     # the whole clip, which may run past the length the cut uses
    poster: str | None = None


@dataclass(frozen=True)
class NoteMark:
    note_id: int
    frame: int               # scene frame of the note's in point
    out_frame: int           # exclusive; a note without an out point covers one frame
    shot_id: int
    category: str
    stage: int
    status: str
    author: str
    text: str
    replies: int = 0
    still: str | None = None  # the note's frame with its drawing, when it has one


@dataclass
class CutSheet:
    name: str
    rate: Fraction
    shots: list[ShotCut]
    notes: list[NoteMark] = field(default_factory=list)

    @property
    def frames(self) -> int:
        return sum(s.frames for s in self.shots)

    def shot_at(self, frame: int) -> ShotCut | None:
        for shot in self.shots:
            if shot.start <= frame < shot.start + shot.frames:
                return shot
        return self.shots[-1] if self.shots and frame >= self.frames else None

    def shots_over(self, note: NoteMark) -> list[ShotCut]:
        return [s for s in self.shots if s.start < max(note.out_frame, note.frame + 1) and note.frame < s.start + s.frames]


def frame_of(seconds: float, rate: Fraction) -> int:
    """The frame at `seconds`, rounded the way notes are placed (rushes.domain.timecode.frame_at)."""
    return frame_at(max(0.0, seconds), rate)


def timecode(frame: int, rate: Fraction) -> str:
    """Non-drop SMPTE timecode of a frame count (what EDLs and NLEs show at integer rates)."""
    return otio.opentime.to_timecode(RationalTime(frame, float(rate)), float(rate))


def _time(frames: int, rate: Fraction) -> RationalTime:
    return RationalTime(frames, float(rate))


# What XML 1.0 cannot carry at all (C0 controls but tab, newline and return; lone surrogates; FFFE/FFFF),
# and the C1 and DEL controls no editing tool shows: a note holding one must not break its take's export.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def printable(text: str | None) -> str:
    """The text with every control character an export format cannot carry replaced by a space."""
    return _UNSAFE.sub(" ", text or "")


def one_line(text: str | None) -> str:
    """Marker and clip names go into EDL comment lines: a newline there would start a bogus event."""
    return " ".join(printable(text).split())


def reel_name(code: str) -> str:
    """A CMX 3600 reel is at most 8 letters and digits: the shot code, so a conform names shots, not hashes."""
    return "".join(ch for ch in code.upper() if ch.isascii() and ch.isalnum())[:8] or "AX"


def timeline(sheet: CutSheet) -> otio.schema.Timeline:
    """One video track, a clip per shot, and each note as a marker on the clip it lands in.

    Markers sit on clips, not on the timeline: the CMX 3600 writer only writes clip markers (as LOC
    lines) and FCP 7 XML keeps them too, so all three files carry the same markers.
    """
    rate = sheet.rate
    cut = otio.schema.Timeline(name=one_line(sheet.name), global_start_time=_time(0, rate))
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    cut.tracks.append(track)
    clips: dict[int, otio.schema.Clip] = {}
    for shot in sheet.shots:
        if shot.url:
            available = TimeRange(_time(0, rate), _time(max(shot.clip_frames, shot.frames), rate))
            reference = otio.schema.ExternalReference(target_url=shot.url, available_range=available)
            reference.name = one_line(shot.code)
        else:
            reference = otio.schema.MissingReference()
        # The reel and clip names come from the shot code (the EDL writer would otherwise cut them from the URL).
        clip = otio.schema.Clip(name=one_line(shot.code), media_reference=reference,
                                source_range=TimeRange(_time(0, rate), _time(shot.frames, rate)),
                                metadata={"rushes": {"shot_id": shot.shot_id}, "cmx_3600": {"reel": reel_name(shot.code)}})
        track.append(clip)
        clips[shot.start] = clip
    for note in sheet.notes:
        noted = sheet.shot_at(note.frame)
        if noted is None:
            continue
        length = max(1, note.out_frame - note.frame)
        clips[noted.start].markers.append(otio.schema.Marker(
            name=one_line(note.text),
            marked_range=TimeRange(_time(note.frame - noted.start, rate), _time(length, rate)),
            color=CATEGORY_COLOURS.get(note.category, otio.schema.MarkerColor.PURPLE),
            metadata={"rushes": {"note_id": note.note_id, "category": one_line(note.category), "stage": note.stage,
                                 "status": one_line(note.status), "author": one_line(note.author),
                                 "replies": note.replies, "scene_frame": note.frame, "still": note.still}}))
    return cut


def write(sheet: CutSheet, fmt: str) -> str:
    """The sheet as the text of one format: otio, edl, fcpxml or csv."""
    if fmt == "csv":
        return notes_csv(sheet)
    cut = timeline(sheet)
    if fmt == "otio":
        return otio.adapters.write_to_string(cut, "otio_json")
    return otio.adapters.write_to_string(cut, ADAPTERS[fmt])


def notes_csv(sheet: CutSheet) -> str:
    """A row per note, in scene order, for spreadsheets and trackers."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for note in sheet.notes:
        # The out point as the review page shows it: the note's last frame (a one-frame note ends where it starts).
        last = max(note.out_frame, note.frame + 1) - 1
        shots = sheet.shots_over(note)
        # The note's own still (its frame with the drawing) or else the shot's poster.
        still = note.still or next((s.poster for s in shots if s.poster), "")
        row = [timecode(note.frame, sheet.rate), timecode(last, sheet.rate), note.frame, last,
               " ".join(one_line(s.code) for s in shots), note.category, note.stage, note.status, note.author,
               note.text, note.replies, still, note.note_id]
        writer.writerow([inert(cell) if isinstance(cell, str) else cell for cell in row])
    return out.getvalue()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def inert(text: str) -> str:
    """A cell a spreadsheet will not run: one starting (after any spaces) with = + - @ (or their full-width
    forms), a tab or a line break is quoted as text; control characters become spaces."""
    text = printable(text).replace("\r\n", "\n").replace("\r", "\n")
    return "'" + text if text.lstrip(" ")[:1] in FORMULA_STARTS or text[:1] in FORMULA_STARTS else text

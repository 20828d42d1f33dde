"""The whole film as edit decisions: one timeline, a clip per shot, a marker per scene and per open note.

Built like a take's (media/edit_decisions.py), in whole frames of one rate, through the OTIO adapters. Every
text that came from a person passes through media/export_text.safe_text for the format being written.

EDL past 999 events: CMX 3600 numbers events with three digits, so a film with more events is written as
numbered EDL files in a zip (film_part01.edl, …), at most 999 events each. Each part opens with a gap of
the film before it, so its record timecodes are the film's own and the parts lay end to end in any NLE.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from fractions import Fraction

import opentimelineio as otio
from opentimelineio.opentime import RationalTime, TimeRange

from rushes.media.edit_decisions import ADAPTERS, CATEGORY_COLOURS, NoteMark, ShotCut, timecode
from rushes.media.export_text import safe_text

EDL_MAX_EVENTS = 999
SCENE_COLOUR = otio.schema.MarkerColor.WHITE
CSV_COLUMNS = ["scene", "scene_title", "in", "out", "in_frame", "out_frame", "shots", "category", "stage", "status",
               "author", "text", "replies", "still", "note_id"]


@dataclass(frozen=True)
class FilmScene:
    scene_id: int
    number: int
    title: str
    start: int                 # first frame in film time
    frames: int
    shots: list[ShotCut]       # starts in film frames; a slate is one ShotCut without a url
    take: int | None = None    # the take number shown, None for a slate


@dataclass
class FilmSheet:
    name: str
    rate: Fraction
    scenes: list[FilmScene]
    notes: list[tuple[int, NoteMark]] = field(default_factory=list)  # (scene number, note in film frames)

    @property
    def frames(self) -> int:
        return sum(s.frames for s in self.scenes)

    @property
    def shots(self) -> list[ShotCut]:
        return [shot for scene in self.scenes for shot in scene.shots]


def _time(frames: int, rate: Fraction) -> RationalTime:
    return RationalTime(frames, float(rate))


def _clip(shot: ShotCut, rate: Fraction, fmt: str, scene: FilmScene) -> otio.schema.Clip:
    metadata: dict[str, dict] = {"rushes": {"shot_id": shot.shot_id}}
    if shot.url:
        available = TimeRange(_time(0, rate), _time(max(shot.clip_frames, shot.frames), rate))
        reference = otio.schema.ExternalReference(target_url=shot.url, available_range=available)
    else:
        reference = otio.schema.MissingReference()
        # The EDL writer would make a reel name of the title, spaces and all, which splits the event's
        # columns when read back; a slate gets a reel of its own, letters and digits only.
        metadata["cmx_3600"] = {"reel": f"SLATE{scene.number % 1000:03d}"}
    return otio.schema.Clip(name=safe_text(shot.code, fmt), media_reference=reference,
                            source_range=TimeRange(_time(0, rate), _time(shot.frames, rate)), metadata=metadata)


def _scene_marker(scene: FilmScene, rate: Fraction, fmt: str) -> otio.schema.Marker:
    title = safe_text(f"Scene {scene.number}: {scene.title}" + (f" (take {scene.take})" if scene.take else " (slate)"), fmt)
    return otio.schema.Marker(name=title, marked_range=TimeRange(_time(0, rate), _time(1, rate)), color=SCENE_COLOUR,
                              metadata={"rushes": {"kind": "scene", "scene_id": scene.scene_id, "number": scene.number,
                                                   "film_frame": scene.start}})


def _note_marker(scene_number: int, note: NoteMark, shot: ShotCut, rate: Fraction, fmt: str) -> otio.schema.Marker:
    return otio.schema.Marker(
        name=safe_text(note.text, fmt),
        marked_range=TimeRange(_time(note.frame - shot.start, rate), _time(max(1, note.out_frame - note.frame), rate)),
        color=CATEGORY_COLOURS.get(note.category, otio.schema.MarkerColor.PURPLE),
        metadata={"rushes": {"kind": "note", "note_id": note.note_id, "scene": scene_number, "category": note.category,
                             "stage": note.stage, "status": note.status, "author": safe_text(note.author, fmt),
                             "replies": note.replies, "film_frame": note.frame, "still": note.still}})


def timeline(sheet: FilmSheet, fmt: str, scenes: list[FilmScene] | None = None, lead: int = 0) -> otio.schema.Timeline:
    """The film (or the given run of its scenes after `lead` frames of gap) as one video track.

    Markers sit on clips, as in a take's export: the CMX 3600 writer writes only clip markers (LOC lines).
    """
    rate = sheet.rate
    cut = otio.schema.Timeline(name=safe_text(sheet.name, fmt), global_start_time=_time(0, rate))
    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    cut.tracks.append(track)
    if lead:
        track.append(otio.schema.Gap(source_range=TimeRange(_time(0, rate), _time(lead, rate))))
    chosen = sheet.scenes if scenes is None else scenes
    ids = {s.scene_id for s in chosen}
    placed: list[tuple[ShotCut, otio.schema.Clip]] = []
    for scene in chosen:
        for index, shot in enumerate(scene.shots):
            clip = _clip(shot, rate, fmt, scene)
            if index == 0:
                clip.markers.append(_scene_marker(scene, rate, fmt))
            track.append(clip)
            placed.append((shot, clip))
    by_number = {s.number: s for s in chosen}
    for number, note in sheet.notes:
        if by_number.get(number) is None or by_number[number].scene_id not in ids:
            continue
        home = next(((s, c) for s, c in placed if s.start <= note.frame < s.start + s.frames), None)
        if home is not None:
            home[1].markers.append(_note_marker(number, note, home[0], rate, fmt))
    return cut


def write_text(sheet: FilmSheet, fmt: str) -> str:
    """otio, fcpxml, csv, or an EDL of at most 999 events (see edl_parts for longer films)."""
    if fmt == "csv":
        return notes_csv(sheet)
    if fmt == "otio":
        return otio.adapters.write_to_string(timeline(sheet, fmt), "otio_json")
    return otio.adapters.write_to_string(timeline(sheet, fmt), ADAPTERS[fmt])


def edl_parts(sheet: FilmSheet) -> list[str]:
    """The film as CMX 3600 EDLs of at most 999 events each, whole scenes per part where a scene fits."""
    parts: list[list[FilmScene]] = [[]]
    count = 0
    for scene in sheet.scenes:
        shots = list(scene.shots)
        while shots:
            room = EDL_MAX_EVENTS - count
            if room == 0:
                parts.append([])
                count, room = 0, EDL_MAX_EVENTS
            if len(shots) > room and count and len(shots) <= EDL_MAX_EVENTS:
                parts.append([])  # keep a scene that fits in one part whole
                count, room = 0, EDL_MAX_EVENTS
            take, shots = shots[:room], shots[room:]
            piece = FilmScene(scene.scene_id, scene.number, scene.title, take[0].start,
                              sum(s.frames for s in take), take, scene.take)
            parts[-1].append(piece)
            count += len(take)
    out = []
    for number, scenes in enumerate(parts, 1):
        run = timeline(sheet, "edl", scenes, lead=scenes[0].start)
        run.name = safe_text(f"{sheet.name} part {number} of {len(parts)}", "edl")
        out.append(otio.adapters.write_to_string(run, ADAPTERS["edl"]))
    return out


def edl_export(sheet: FilmSheet, base_name: str) -> tuple[bytes, str, str]:
    """(body, media type, file name): one .edl when the film fits in 999 events, else a zip of numbered parts."""
    if len(sheet.shots) <= EDL_MAX_EVENTS:
        return write_text(sheet, "edl").encode(), "text/plain; charset=utf-8", f"{base_name}.edl"
    buffer = io.BytesIO()
    parts = edl_parts(sheet)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, text in enumerate(parts, 1):
            archive.writestr(f"{base_name}_part{number:02d}.edl", text)
    return buffer.getvalue(), "application/zip", f"{base_name}_edl.zip"


def notes_csv(sheet: FilmSheet) -> str:
    """A row per open note, in film order, with its scene, in film timecode."""
    shots = sheet.shots
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    titles = {s.number: s.title for s in sheet.scenes}
    for number, note in sorted(sheet.notes, key=lambda n: (n[1].frame, n[1].note_id)):
        last = max(note.out_frame, note.frame + 1) - 1
        over = [s for s in shots if s.start < max(note.out_frame, note.frame + 1) and note.frame < s.start + s.frames]
        still = note.still or next((s.poster for s in over if s.poster), "")
        writer.writerow([number, safe_text(titles.get(number, ""), "csv"), timecode(note.frame, sheet.rate),
                         timecode(last, sheet.rate), note.frame, last, " ".join(safe_text(s.code, "csv") for s in over),
                         note.category, note.stage, note.status, safe_text(note.author, "csv"),
                         safe_text(note.text, "csv"), note.replies, still, note.note_id])
    return out.getvalue()

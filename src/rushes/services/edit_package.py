""""Download for editing": a take's timeline (OTIO, CMX 3600 EDL, FCP 7 XML) in one zip with its clips beside it.

The timelines name each clip by a path relative to themselves (`clips/2B_v3.mp4`), so the folder can be
unzipped anywhere and an editing application finds the media next to the timeline it opened; the online
exports (GET .../export/edl) keep absolute addresses of this server instead.
"""

from __future__ import annotations

import dataclasses
import re
import tempfile
import zipfile

from rushes.media.edit_decisions import write
from rushes.services.errors import Conflict
from rushes.services.exports import _slots_and_clips, _take, cut_sheet, file_name
from rushes.store import models as m

TIMELINES = (("otio", "otio"), ("edl", "edl"), ("fcpxml", "xml"))
CLIP_FOLDER = "clips"


def clip_file(code: str, version: int) -> str:
    """A clip's file name in the package: its shot code and version, safe on every file system."""
    safe = re.sub(r"[^A-Za-z0-9_-]+", "_", code).strip("_") or "shot"
    return f"{CLIP_FOLDER}/{safe}_v{version}.mp4"


def build_package(rushes, take_id: int) -> tuple[str, str]:
    """Write the zip to a temporary file: (its path, the download name). The caller deletes the file."""
    with rushes.db.session() as session:
        take = _take(session, take_id)
        sheet = cut_sheet(session, take_id)
        slots, clips = _slots_and_clips(session, take_id)
        files: dict[int, tuple[str, str]] = {}  # shot id -> (relative path, media key)
        for slot in slots:
            clip: m.Clip | None = clips.get(slot.clip_id) if slot.clip_id else None
            if clip is not None:
                files[slot.shot_id] = (clip_file(slot.code, clip.version), clip.media_key)
        base = file_name(session, take, "zip").removesuffix(".zip")
    if not files:
        raise Conflict("this take has no rendered clip to package yet")
    if take.finished_at is None:
        # An editor would get a timeline with holes and no word of it: wait for the take, as the MP4 does.
        missing = [s.code for s in slots if s.shot_id not in files]
        raise Conflict(f"this take is still rendering ({', '.join(missing) or 'some shots'} not landed yet); "
                       "download it for editing once it has rendered", {"shots": missing})
    local = dataclasses.replace(sheet, shots=[dataclasses.replace(s, url=files[s.shot_id][0] if s.shot_id in files else None)
                                              for s in sheet.shots])
    with (tempfile.NamedTemporaryFile(prefix="rushes-package-", suffix=".zip", delete=False) as handle,
          zipfile.ZipFile(handle, "w") as package):
        for fmt, ext in TIMELINES:
            package.writestr(f"{base}/{base}.{ext}", write(local, fmt), compress_type=zipfile.ZIP_DEFLATED)
        package.writestr(f"{base}/{base}_notes.csv", write(local, "csv"), compress_type=zipfile.ZIP_DEFLATED)
        for relative, key in dict.fromkeys(files.values()):
            # Clips are already compressed: stored as they are, read one at a time.
            package.writestr(f"{base}/{relative}", rushes.media.read(key), compress_type=zipfile.ZIP_STORED)
        package.writestr(f"{base}/README.txt", _readme(base), compress_type=zipfile.ZIP_DEFLATED)
    return handle.name, f"{base}.zip"


def _readme(base: str) -> str:
    return (f"{base}: one timeline in three formats, its clips in {CLIP_FOLDER}/ beside them.\n\n"
            f"  {base}.xml   FCP 7 XML: Premiere Pro (File > Import) and DaVinci Resolve (File > Import > Timeline)\n"
            f"  {base}.edl   CMX 3600 EDL: reels and clip names are the shot codes\n"
            f"  {base}.otio  OpenTimelineIO\n"
            f"  {base}_notes.csv  the review notes, one row per note\n\n"
            "Media paths are relative to this folder: keep the timeline files and clips/ together.\n")

"""Remux an MP4 clip into fragmented MP4 (stream copy) so the player can append it to Media Source Extensions."""

from __future__ import annotations

import io
import struct

import av

from rushes.media.probe import CorruptClip

# empty_moov: MSE needs an init segment without samples; delay_moov: write that moov only once the
# first packets are known, so it carries the edit lists (AAC priming, B-frame delay) that keep the
# picture and the sound on their original timestamps; default_base_moof: offsets relative to each
# fragment, so a fragment can be appended on its own.
FRAGMENT_MOVFLAGS = "frag_keyframe+empty_moov+delay_moov+default_base_moof"


def is_fragmented(data: bytes) -> bool:
    """True when the MP4's moov announces movie fragments (an mvex box), as MSE requires."""
    moov = _find_box(data, 0, len(data), b"moov")
    return moov is not None and _find_box(data, moov[0] + 8, moov[1], b"mvex") is not None


def fragment_mp4(data: bytes) -> bytes:
    """Return `data` as fragmented MP4 (one fragment per keyframe), packets copied, never re-encoded."""
    if is_fragmented(data):
        return data
    out = io.BytesIO()
    try:
        with av.open(io.BytesIO(data), mode="r") as source:
            streams = [s for s in source.streams if s.type in ("video", "audio")]
            if not any(s.type == "video" for s in streams):
                raise CorruptClip("clip has no video stream")
            with av.open(out, mode="w", format="mp4", options={"movflags": FRAGMENT_MOVFLAGS}) as target:
                copies = {s.index: target.add_stream_from_template(s) for s in streams}
                for packet in source.demux(*streams):
                    if packet.dts is None:  # the demuxer's end-of-stream marker
                        continue
                    packet.stream = copies[packet.stream.index]
                    target.mux(packet)
    except (av.FFmpegError, ValueError, OSError) as exc:
        raise CorruptClip(f"clip could not be remuxed ({exc.__class__.__name__})") from exc
    return out.getvalue()


def _find_box(data: bytes, start: int, end: int, kind: bytes) -> tuple[int, int] | None:
    """(offset, end) of the first top-level box of type `kind` between start and end, if any."""
    offset = start
    while offset + 8 <= end:
        size, box = struct.unpack(">I4s", data[offset : offset + 8])
        if size == 1 and offset + 16 <= end:
            size = struct.unpack(">Q", data[offset + 8 : offset + 16])[0]
        elif size == 0:
            size = end - offset
        if size < 8:
            return None
        if box == kind:
            return offset, min(end, offset + size)
        offset += size
    return None

"""The whole cut of a take as one MP4 (H.264/AAC), a chapter per shot.

Clips rendered by the same model share their codec parameters, so the usual path is a stream copy:
packets are moved as they are with their timestamps offset to where the shot starts in the cut, which
is fast and loses nothing. When the clips differ (another size, codec or sample rate), or their
packets cannot be laid end to end in order (reordered B-frames across a cut), the cut is re-encoded.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from collections.abc import Callable

import av
import numpy as np

AUDIO_RATE = 48000


@dataclass(frozen=True)
class Reel:
    """One shot's clip and how much of it the cut uses; no data: a slate, black and silent for its frames."""

    code: str
    data: bytes | None
    frames: int


class NotCopyable(Exception):
    """The clips cannot be stream-copied into one file; re-encode instead."""


def _signature(stream) -> tuple | None:
    if stream is None:
        return None
    ctx = stream.codec_context
    if stream.type == "video":
        return ("video", ctx.name, ctx.width, ctx.height, ctx.pix_fmt, stream.time_base, bytes(ctx.extradata or b""))
    return ("audio", ctx.name, ctx.sample_rate, ctx.channels, stream.time_base, bytes(ctx.extradata or b""))


def _streams(container):
    video = container.streams.video[0] if container.streams.video else None
    audio = container.streams.audio[0] if container.streams.audio else None
    return video, audio


def _chapters(reels: list[Reel], rate: Fraction, titled: list[tuple[str, int, int]] | None = None) -> list[dict]:
    """A chapter per reel, or per (title, first frame, frame after the last) given (a film: one per scene)."""
    if titled is not None:
        return [{"id": number, "start": start, "end": end, "time_base": 1 / rate, "metadata": {"title": title}}
                for number, (title, start, end) in enumerate(titled, 1)]
    chapters, start = [], 0
    for number, reel in enumerate(reels, 1):
        chapters.append({"id": number, "start": start, "end": start + reel.frames, "time_base": 1 / rate,
                         "metadata": {"title": reel.code}})
        start += reel.frames
    return chapters


def assemble_cut(reels: list[Reel], rate: Fraction, progress: Callable[[float], None] = lambda p: None,
                 allow_copy: bool = True, chapters: list[tuple[str, int, int]] | None = None) -> tuple[bytes, str]:
    """The cut's MP4 and how it was made ("copy" or "encode"); `chapters` replaces the chapter per reel."""
    if not any(reel.data for reel in reels):
        raise ValueError("a cut needs at least one shot with a clip")
    marks = _chapters(reels, rate, chapters)
    if allow_copy and _copyable(reels):
        try:
            return _remux(reels, rate, progress, marks), "copy"
        except NotCopyable:
            pass
    return _encode(reels, rate, progress, marks), "encode"


def _copyable(reels: list[Reel]) -> bool:
    signatures = set()
    for reel in reels:
        if reel.data is None:
            return False  # a slate is drawn, so the cut is encoded
        with av.open(io.BytesIO(reel.data), mode="r") as container:
            video, audio = _streams(container)
            if video is None or video.codec_context.name != "h264":
                return False
            if audio is not None and audio.codec_context.name != "aac":
                return False
            if video.frames and video.frames < reel.frames:
                return False  # a clip short of its slot would leave a hole; encoding holds its last picture
            signatures.add((_signature(video), _signature(audio)))
    return len(signatures) == 1


class _Output:
    """An MP4 written to a scratch file: faststart (the index moved to the front, so a browser plays the
    download before it has all of it) rewrites the file in a second pass, which an in-memory buffer cannot."""

    def __init__(self) -> None:
        self.folder = tempfile.TemporaryDirectory(prefix="rushes-cut-")
        self.path = Path(self.folder.name) / "cut.mp4"
        self.container = av.open(str(self.path), mode="w", format="mp4", options={"movflags": "+faststart"})

    def getvalue(self) -> bytes:
        try:
            return self.path.read_bytes()
        finally:
            self.folder.cleanup()


def _open_output():
    out = _Output()
    return out, out.container


def _remux(reels: list[Reel], rate: Fraction, progress, chapters: list[dict]) -> bytes:
    buffer, output = _open_output()
    with output:
        with av.open(io.BytesIO(reels[0].data or b""), mode="r") as first:  # _copyable let only reels with clips through
            video_in, audio_in = _streams(first)
            video_out = output.add_stream_from_template(video_in)
            audio_out = output.add_stream_from_template(audio_in) if audio_in is not None else None
        output.set_chapters(chapters)
        last_dts: dict[str, int] = {}
        start = 0
        for index, reel in enumerate(reels):
            with av.open(io.BytesIO(reel.data or b""), mode="r") as container:
                video, audio = _streams(container)
                targets = {video: video_out, audio: audio_out} if audio is not None else {video: video_out}
                # Where the shot starts and ends in each stream's own ticks (all clips share one time base).
                offsets = {s: int(round(Fraction(start) / rate / s.time_base)) for s in targets}
                ends = {s: int(round(Fraction(reel.frames) / rate / s.time_base)) for s in targets}
                for packet in container.demux(*targets):  # one pass: a second demux would start at the end
                    stream = packet.stream
                    if packet.dts is None or packet.pts is None or packet.pts >= ends[stream]:
                        continue
                    dts = packet.dts + offsets[stream]
                    if dts <= last_dts.get(stream.type, -(1 << 62)):
                        if stream.type == "video":
                            raise NotCopyable("video packets overlap at a cut")
                        continue  # the next clip's audio priming overlaps the last packet: drop it
                    packet.pts += offsets[stream]
                    packet.dts = dts
                    packet.stream = targets[stream]
                    last_dts[stream.type] = dts
                    output.mux(packet)
            start += reel.frames
            progress((index + 1) / len(reels))
    return buffer.getvalue()


def _encode(reels: list[Reel], rate: Fraction, progress, chapters: list[dict]) -> bytes:
    """Decode every shot, scale to the first clip's picture, and encode one continuous picture and sound."""
    with av.open(io.BytesIO(next(reel.data for reel in reels if reel.data)), mode="r") as first:
        video, _ = _streams(first)
        width, height = video.codec_context.width, video.codec_context.height
    buffer, output = _open_output()
    with output:
        video_out = output.add_stream("libx264", rate=rate)
        video_out.width, video_out.height, video_out.pix_fmt = width, height, "yuv420p"
        video_out.options = {"preset": "veryfast", "crf": "20"}
        audio_out = output.add_stream("aac", rate=AUDIO_RATE)
        audio_out.layout = "stereo"
        output.set_chapters(chapters)
        frame_index, samples = 0, 0
        for index, reel in enumerate(reels):
            frame_index = _encode_picture(output, video_out, reel, frame_index, rate)
            samples = _encode_sound(output, audio_out, reel, samples, frame_index, rate)
            progress((index + 1) / len(reels))
        for stream in (video_out, audio_out):
            for packet in stream.encode():
                output.mux(packet)
    return buffer.getvalue()


def _encode_picture(output, stream, reel: Reel, frame_index: int, rate: Fraction) -> int:
    if reel.data is None:  # a slate: black for its length
        black = av.VideoFrame.from_ndarray(np.zeros((stream.height, stream.width, 3), np.uint8), format="rgb24")
        black = black.reformat(format="yuv420p")
        for index in range(frame_index, frame_index + reel.frames):
            _put_picture(output, stream, black, index, rate)
        return frame_index + reel.frames
    with av.open(io.BytesIO(reel.data), mode="r") as container:
        video, _ = _streams(container)
        used = 0
        last = None
        for frame in container.decode(video):
            if used >= reel.frames:
                break
            last = frame.reformat(width=stream.width, height=stream.height, format="yuv420p")
            used = _put_picture(output, stream, last, frame_index + used, rate) - frame_index
        while last is not None and used < reel.frames:  # a clip shorter than its slot holds its last picture
            used = _put_picture(output, stream, last, frame_index + used, rate) - frame_index
    return frame_index + reel.frames


def _put_picture(output, stream, frame, index: int, rate: Fraction) -> int:
    frame.pts, frame.time_base = index, 1 / rate
    for packet in stream.encode(frame):
        output.mux(packet)
    return index + 1


def _encode_sound(output, stream, reel: Reel, samples: int, frame_end: int, rate: Fraction) -> int:
    """The shot's sound up to the end of its picture; silence where a clip has none or runs short."""
    until = int(round(Fraction(frame_end, 1) / rate * AUDIO_RATE))
    chunks: list[np.ndarray] = []
    if reel.data is not None:
        with av.open(io.BytesIO(reel.data), mode="r") as container:
            _, audio = _streams(container)
            # A resampler per clip: once flushed at a clip's end it cannot take the next one.
            resampler = av.AudioResampler(format="fltp", layout="stereo", rate=AUDIO_RATE)
            if audio is not None:
                for frame in container.decode(audio):
                    frame.pts = None  # the resampler keeps its own clock; clip timestamps are not the cut's
                    chunks.extend(f.to_ndarray() for f in resampler.resample(frame))
                chunks.extend(f.to_ndarray() for f in resampler.resample(None))
    sound = np.concatenate(chunks, axis=1) if chunks else np.zeros((2, 0), np.float32)
    wanted = until - samples
    sound = sound[:, :wanted]
    if sound.shape[1] < wanted:
        sound = np.concatenate([sound, np.zeros((2, wanted - sound.shape[1]), np.float32)], axis=1)
    for begin in range(0, wanted, 1024):
        piece = np.ascontiguousarray(sound[:, begin:begin + 1024])
        frame = av.AudioFrame.from_ndarray(piece, format="fltp", layout="stereo")
        frame.sample_rate, frame.pts, frame.time_base = AUDIO_RATE, samples + begin, Fraction(1, AUDIO_RATE)
        for packet in stream.encode(frame):
            output.mux(packet)
    return until

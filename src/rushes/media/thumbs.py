"""Stills from a clip: poster frame, thumbnail strip for scrubbing, last frame for continuity."""

from __future__ import annotations

import io

import av
from PIL import Image

from rushes.media.probe import CorruptClip


def _open(clip: bytes) -> av.container.InputContainer:
    try:
        container = av.open(io.BytesIO(clip), mode="r")
    except (av.FFmpegError, ValueError, OSError) as exc:
        raise CorruptClip(f"clip is not a readable video file ({exc.__class__.__name__})") from exc
    if not container.streams.video:
        container.close()
        raise CorruptClip("clip has no video stream")
    return container


def _clip_seconds(container: av.container.InputContainer) -> float:
    video = container.streams.video[0]
    if video.duration is not None and video.time_base is not None:
        return float(video.duration * video.time_base)
    if container.duration is not None:
        return container.duration / av.time_base
    return 0.0


def frame_at(clip: bytes, seconds: float) -> Image.Image:
    """The picture showing at `seconds` into the clip (the last one at or before it)."""
    with _open(clip) as container:
        video = container.streams.video[0]
        target = max(0.0, seconds)
        if video.time_base is not None:
            # Seek lands on the keyframe before the target; decode forward from there.
            container.seek(int(target / video.time_base), stream=video, backward=True, any_frame=False)
        chosen: Image.Image | None = None
        for frame in container.decode(video):
            if chosen is not None and frame.time is not None and frame.time > target + 1e-6:
                break
            chosen = frame.to_image()
        if chosen is None:
            raise CorruptClip("clip has no decodable video frames")
        return chosen


def _jpeg(image: Image.Image, quality: int = 85) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=quality, optimize=True)
    return out.getvalue()


def poster_jpeg(clip: bytes, at_seconds: float | None = None) -> bytes:
    """A JPEG still for the clip; the middle frame unless a time is given."""
    if at_seconds is None:
        with _open(clip) as container:
            at_seconds = _clip_seconds(container) / 2
    return _jpeg(frame_at(clip, at_seconds))


def thumbnail_strip(clip: bytes, count: int = 8, height: int = 90) -> tuple[bytes, dict]:
    """One JPEG sprite of `count` evenly spaced frames side by side, plus its tile geometry."""
    if count < 1 or height < 8:
        raise ValueError("thumbnail strip needs count >= 1 and height >= 8")
    with _open(clip) as container:
        video = container.streams.video[0]
        video.thread_type = "AUTO"
        duration = _clip_seconds(container)
        interval = duration / count if duration else 0.0
        # Tile i shows the middle of the i-th slice of the clip.
        targets = [interval * (i + 0.5) for i in range(count)]
        picks: list[Image.Image] = []
        last_frame: av.VideoFrame | None = None
        for frame in container.decode(video):
            last_frame = frame
            t = frame.time or 0.0
            while len(picks) < count and t >= targets[len(picks)] - 1e-6:
                picks.append(frame.to_image())
            if len(picks) == count:
                break
        if last_frame is None:
            raise CorruptClip("clip has no decodable video frames")
        while len(picks) < count:
            picks.append(last_frame.to_image())
    src_w, src_h = picks[0].size
    tile_h = height
    tile_w = max(1, int(round(src_w * height / src_h / 2)) * 2)
    sprite = Image.new("RGB", (tile_w * count, tile_h))
    for i, picture in enumerate(picks):
        sprite.paste(picture.resize((tile_w, tile_h), Image.Resampling.BILINEAR), (i * tile_w, 0))
    meta = {
        "count": count,
        "tile_width": tile_w,
        "tile_height": tile_h,
        "interval_seconds": round(interval, 4),
    }
    return _jpeg(sprite, quality=80), meta


def last_frame_png(clip: bytes) -> bytes:
    """The clip's final picture as PNG, e.g. to check continuity into the next shot."""
    with _open(clip) as container:
        video = container.streams.video[0]
        duration = _clip_seconds(container)
        if video.time_base is not None and duration > 2:
            container.seek(int((duration - 1.5) / video.time_base), stream=video, backward=True)
        last = None
        for frame in container.decode(video):
            last = frame
        if last is None:
            raise CorruptClip("clip has no decodable video frames")
        out = io.BytesIO()
        last.to_image().save(out, format="PNG")
        return out.getvalue()

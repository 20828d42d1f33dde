"""Uploaded pictures are kept as pixels only: decoded and encoded again, so nothing else the file carried
(EXIF with GPS and the camera's serial, XMP, comments, bytes after the image that make it a polyglot)
reaches the media store or anyone who later downloads the frame."""

from __future__ import annotations

import io

from PIL import Image, ImageOps

from rushes.media.probe import IMAGE_MIMES, InvalidImage, probe_image

JPEG_QUALITY = 95


def reencoded_image(data: bytes) -> bytes:
    """The same picture in the same format with no metadata; raises InvalidImage for what probe_image refuses."""
    probe = probe_image(data)
    with Image.open(io.BytesIO(data), formats=list(IMAGE_MIMES)) as image:
        # Turn the picture the way its EXIF orientation said, since that tag goes with the rest.
        upright = ImageOps.exif_transpose(image)
        out = io.BytesIO()
        if probe.format == "JPEG":
            upright.convert("RGB").save(out, "JPEG", quality=JPEG_QUALITY)
        elif probe.format == "PNG":
            keep = upright if upright.mode in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16") else upright.convert("RGBA")
            keep.save(out, "PNG")
        else:
            keep = upright if upright.mode in ("RGB", "RGBA") else upright.convert("RGBA")
            keep.save(out, "WEBP", quality=JPEG_QUALITY)
    cleaned = out.getvalue()
    if not cleaned:
        raise InvalidImage("image could not be re-encoded")
    return cleaned

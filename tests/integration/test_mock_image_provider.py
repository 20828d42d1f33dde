"""MockImageProvider: deterministic frames from prompts, visible reference continuity."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from rushes.media.probe import probe_image
from rushes.providers.errors import PermanentProviderError
from rushes.providers.image.base import ImageRequest
from rushes.providers.image.mock import MockImageProvider, reference_palette

HARBOUR = "Wide shot of a foggy harbour at dawn, Mara on the pier holding a brass lantern, muted teal"
TAVERN = "Close-up of Theo in a red raincoat inside a warm candlelit tavern, amber light"


def _pixels(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGB"), dtype=np.float64)


def test_output_is_a_valid_png_of_requested_size() -> None:
    image = MockImageProvider().generate(ImageRequest(prompt=HARBOUR, label="3A start"))
    assert image.mime == "image/png"
    probe = probe_image(image.data)
    assert (probe.format, probe.width, probe.height) == ("PNG", 1280, 720)
    small = MockImageProvider().generate(ImageRequest(prompt=HARBOUR, width=720, height=1280))
    assert (probe_image(small.data).width, probe_image(small.data).height) == (720, 1280)


def test_same_prompt_gives_identical_bytes_across_instances() -> None:
    a = MockImageProvider().generate(ImageRequest(prompt=HARBOUR, label="3A start"))
    b = MockImageProvider().generate(ImageRequest(prompt=HARBOUR, label="3A start"))
    assert a.data == b.data


def test_different_prompts_look_different() -> None:
    provider = MockImageProvider()
    a = _pixels(provider.generate(ImageRequest(prompt=HARBOUR)).data)
    b = _pixels(provider.generate(ImageRequest(prompt=TAVERN)).data)
    # Compare the picture area above the caption band: most pixels change and the mean colour moves.
    changed = (np.abs(a[:600] - b[:600]).sum(axis=2) > 30).mean()
    assert changed > 0.5
    assert np.abs(a[:600].mean(axis=(0, 1)) - b[:600].mean(axis=(0, 1))).max() > 10


def test_seed_gives_a_new_variation_of_the_same_prompt() -> None:
    provider = MockImageProvider()
    unseeded = provider.generate(ImageRequest(prompt=HARBOUR)).data
    one = provider.generate(ImageRequest(prompt=HARBOUR, seed=1)).data
    assert one == provider.generate(ImageRequest(prompt=HARBOUR, seed=1)).data
    two = provider.generate(ImageRequest(prompt=HARBOUR, seed=2)).data
    assert len({unseeded, one, two}) == 3
    changed = (np.abs(_pixels(one)[:600] - _pixels(two)[:600]).sum(axis=2) > 30).mean()
    assert changed > 0.3


def test_label_changes_the_picture() -> None:
    provider = MockImageProvider()
    start = provider.generate(ImageRequest(prompt=HARBOUR, label="3A start")).data
    end = provider.generate(ImageRequest(prompt=HARBOUR, label="3A end")).data
    assert start != end


def test_reference_pulls_palette_towards_it() -> None:
    provider = MockImageProvider()
    reference = provider.generate(ImageRequest(prompt=HARBOUR)).data
    plain = provider.generate(ImageRequest(prompt=TAVERN)).data
    matched = provider.generate(ImageRequest(prompt=TAVERN, reference=reference)).data
    assert matched == provider.generate(ImageRequest(prompt=TAVERN, reference=reference)).data
    ref_mean = _pixels(reference)[:600].mean(axis=(0, 1))
    distance_plain = np.linalg.norm(_pixels(plain)[:600].mean(axis=(0, 1)) - ref_mean)
    distance_matched = np.linalg.norm(_pixels(matched)[:600].mean(axis=(0, 1)) - ref_mean)
    assert distance_matched < distance_plain * 0.7


def test_reference_palette_finds_dominant_colours() -> None:
    image = Image.new("RGB", (200, 100), (200, 20, 20))
    image.paste((20, 20, 200), (0, 0, 60, 100))
    out = io.BytesIO()
    image.save(out, format="PNG")
    palette = reference_palette(out.getvalue(), colors=2)
    assert np.abs(np.array(palette[0]) - (200, 20, 20)).max() < 10
    assert np.abs(np.array(palette[1]) - (20, 20, 200)).max() < 10


@pytest.mark.parametrize(
    "request_",
    [
        ImageRequest(prompt="   "),
        ImageRequest(prompt=HARBOUR, width=10000),
        ImageRequest(prompt=HARBOUR, reference=b"not an image"),
    ],
)
def test_invalid_requests_refused(request_: ImageRequest) -> None:
    with pytest.raises(PermanentProviderError) as err:
        MockImageProvider().generate(request_)
    assert err.value.kind == "invalid"

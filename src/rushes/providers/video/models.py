"""The video model cards: which models Rushes renders with, where, how long, how sharp, at what price.

One table, read by settings validation (an unknown or retired model is refused at start-up), the cost
model (credits per second), the Veo adapter (durations, resolutions) and the submit pacing (requests a
minute). Figures are those published for Vertex AI as of late 2026 (shared/VEO_NOTES.md, "What is
published"); re-check them against the model cards before relying on them. 1 credit = US$0.01.
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Mapping


@dataclass(frozen=True)
class ModelCard:
    id: str
    label: str
    regions: tuple[str, ...]
    durations: tuple[int, ...]
    resolutions: tuple[str, ...]
    aspect_ratios: tuple[str, ...]
    first_and_last_frame: bool
    max_videos_per_request: int
    # Submissions a minute per project and region that Vertex grants the model by default.
    requests_per_minute: int
    # Credits per second of video by resolution: (with audio, without audio).
    credits_per_second: Mapping[str, tuple[int, int]]


MOCK = ModelCard(
    id="mock", label="Mock (local, free; priced like Veo 3.1 Fast so costs look real)",
    regions=("local",), durations=(1, 2, 3, 4, 5, 6, 7, 8), resolutions=("720p",), aspect_ratios=("16:9", "9:16"),
    first_and_last_frame=True, max_videos_per_request=4, requests_per_minute=0,
    credits_per_second={"720p": (10, 8)},
)

# The GA Veo 3.1 models on Vertex AI. Standard: 0.40 / 0.20 USD a second (4K 0.60 / 0.40);
# Fast: 0.10 / 0.08 at 720p, 0.12 / 0.10 at 1080p. 50 requests a minute each (preview was 10).
MODELS: tuple[ModelCard, ...] = (
    ModelCard(
        id="veo-3.1-generate-001", label="Veo 3.1", regions=("us-central1",), durations=(4, 6, 8),
        resolutions=("720p", "1080p", "4k"), aspect_ratios=("16:9", "9:16"), first_and_last_frame=True,
        max_videos_per_request=4, requests_per_minute=50,
        credits_per_second={"720p": (40, 20), "1080p": (40, 20), "4k": (60, 40)},
    ),
    ModelCard(
        id="veo-3.1-fast-generate-001", label="Veo 3.1 Fast", regions=("us-central1",), durations=(4, 6, 8),
        resolutions=("720p", "1080p"), aspect_ratios=("16:9", "9:16"), first_and_last_frame=True,
        max_videos_per_request=4, requests_per_minute=50,
        credits_per_second={"720p": (10, 8), "1080p": (12, 10)},
    ),
)

# Ids that once worked and now fail on Vertex: refused with the date, so the fix is obvious.
RETIRED: dict[str, str] = {
    "veo-3.1-generate-preview": "removed from Vertex AI on 2026-04-02",
    "veo-3.1-fast-generate-preview": "removed from Vertex AI on 2026-04-02",
    "veo-3.0-generate-preview": "removed from Vertex AI on 2026-04-02",
    "veo-3.0-fast-generate-preview": "removed from Vertex AI on 2026-04-02",
    "veo-3.0-generate-001": "discontinued on 2026-06-30",
}

CARDS: dict[str, ModelCard] = {card.id: card for card in (MOCK, *MODELS)}
DEFAULT_MODEL = "veo-3.1-fast-generate-001"


class UnknownVideoModel(ValueError):
    """A model id the table does not know (or that Vertex no longer serves)."""


def valid_ids() -> list[str]:
    return [card.id for card in MODELS]


def card(model: str) -> ModelCard:
    """The card of `model`, or UnknownVideoModel naming the ids that work."""
    found = CARDS.get(model)
    if found is not None:
        return found
    why = f" ({RETIRED[model]})" if model in RETIRED else ""
    raise UnknownVideoModel(f"video model {model!r} is not available{why}; use one of: {', '.join(valid_ids())}")


def price_per_second(model: str, resolution: str, audio: bool) -> int:
    """Credits per second of video; UnknownVideoModel for a model or resolution the card does not offer."""
    rates = card(model).credits_per_second.get(resolution)
    if rates is None:
        offered = ", ".join(card(model).credits_per_second)
        raise UnknownVideoModel(f"{model} does not render {resolution!r}; it offers {offered}")
    return rates[0] if audio else rates[1]


def price_table(overrides: Mapping[str, Mapping[str, int]] | None = None) -> dict[str, dict[str, int]]:
    """Every card's prices as the cost model reads them ("model@resolution" → audio/silent credits),
    with RUSHES_VIDEO_PRICES entries (keyed "model" or "model@resolution") laid over them."""
    table: dict[str, dict[str, int]] = {}
    for model in CARDS.values():
        for resolution, (audio, silent) in model.credits_per_second.items():
            table[f"{model.id}@{resolution}"] = {"audio": audio, "silent": silent}
    for key, rates in (overrides or {}).items():
        if "@" in key:
            table[key] = dict(rates)
            continue
        # A bare model name overrides every resolution of it (and names a model the table lacks).
        matched = [k for k in table if k.startswith(f"{key}@")]
        for k in matched:
            table[k] = dict(rates)
        table[key] = dict(rates)
    return table

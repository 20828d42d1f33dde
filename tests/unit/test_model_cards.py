"""The video model cards: prices, quotas and refusals of unknown or retired model ids."""

import pytest
from pydantic import ValidationError

from rushes.domain.artifacts import RenderSpec
from rushes.domain.costs import PriceTable, clip_credits
from rushes.providers.video.models import MODELS, UnknownVideoModel, card, price_per_second, price_table
from rushes.settings import Settings


@pytest.mark.parametrize("model, resolution, audio, credits", [
    ("veo-3.1-generate-001", "720p", True, 40), ("veo-3.1-generate-001", "1080p", False, 20),
    ("veo-3.1-generate-001", "4k", True, 60), ("veo-3.1-generate-001", "4k", False, 40),
    ("veo-3.1-fast-generate-001", "720p", True, 10), ("veo-3.1-fast-generate-001", "720p", False, 8),
    ("veo-3.1-fast-generate-001", "1080p", True, 12), ("veo-3.1-fast-generate-001", "1080p", False, 10),
    ("mock", "720p", True, 10),
])
def test_published_prices_per_second(model, resolution, audio, credits):
    assert price_per_second(model, resolution, audio) == credits


def test_ga_models_run_in_us_central1_4_6_8_seconds_50_a_minute():
    assert [m.id for m in MODELS] == ["veo-3.1-generate-001", "veo-3.1-fast-generate-001"]
    for m in MODELS:
        assert m.regions == ("us-central1",) and m.durations == (4, 6, 8) and m.requests_per_minute == 50
    assert "4k" in card("veo-3.1-generate-001").resolutions and "4k" not in card("veo-3.1-fast-generate-001").resolutions


@pytest.mark.parametrize("model, why", [("veo-3.0-generate-001", "discontinued"), ("veo-3.1-generate-preview", "removed"),
                                        ("sora-2", "is not available")])
def test_unknown_and_retired_models_are_refused_naming_the_valid_ones(model, why, monkeypatch, tmp_path):
    with pytest.raises(UnknownVideoModel, match=why):
        card(model)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RUSHES_VEO_MODEL", model)
    with pytest.raises(ValidationError) as refused:
        Settings()
    assert "use one of: veo-3.1-generate-001, veo-3.1-fast-generate-001" in str(refused.value)


def test_4k_on_fast_is_refused_at_start_up(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValidationError, match="renders 720p, 1080p, not 4k"):
        Settings(video_provider="veo", veo_model="veo-3.1-fast-generate-001", veo_resolution="4k")


def test_requests_a_minute_follow_the_model_unless_set(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert Settings(video_provider="veo").veo_rate_per_minute == 50
    assert Settings(video_provider="veo", veo_requests_per_minute=7).veo_rate_per_minute == 7
    assert Settings().vertex_api_version == "v1"


def test_the_cost_model_reads_the_cards_and_settings_override_them():
    spec = RenderSpec("veo-3.1-generate-001", "1080p", "16:9", False)
    assert clip_credits(5.0, spec, PriceTable(price_table(), 4)) == 6 * 20
    overridden = PriceTable(price_table({"veo-3.1-generate-001": {"audio": 50, "silent": 30}}), 4)
    assert clip_credits(5.0, spec, overridden) == 6 * 30
    exact = PriceTable(price_table({"veo-3.1-generate-001@4k": {"audio": 70, "silent": 45}}), 4)
    assert exact.per_second(RenderSpec("veo-3.1-generate-001", "4k", "16:9", True)) == 70
    assert exact.per_second(spec) == 20


def test_support_codes_become_plain_words_and_are_kept():
    from rushes.providers.video.safety import SUPPORT_CODES, plain_reason

    assert len(SUPPORT_CODES) == 25  # every documented code
    two = plain_reason(["Filtered. Support codes: 58061214", "Also filtered. Support codes: 17301594, 90789179"])
    assert two.startswith("Veo's safety filters refused this shot for a child in the picture or prompt (child "
                          "safety) (support codes 58061214, 17301594); sexual content (support code 90789179).")
    assert "unlisted rule (support code 12345678)" in plain_reason(["Support codes: 12345678"])
    audio = plain_reason(["We encountered an issue with the audio for your prompt. Please try again."])
    assert "refused the audio" in audio and "render it again" in audio

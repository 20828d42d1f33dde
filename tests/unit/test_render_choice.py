"""Stage 11's choice of model, resolution and sound, pure: what is offered, carried and refused."""

from __future__ import annotations

import pytest

from rushes.domain.artifacts import RenderSpec
from rushes.domain.costs import PriceTable
from rushes.domain.render_choice import BadChoice, carried_spec, choose, offered_models, options
from rushes.providers.video.models import price_table

PRICES = PriceTable(price_table(), 4)
MOCK = RenderSpec("mock")
VEO = RenderSpec("veo-3.1-fast-generate-001")


def test_the_mock_stands_in_for_every_priced_model_and_veo_offers_only_veo():
    assert offered_models(PRICES, MOCK)[0] == "mock" and "veo-3.1-generate-001" in offered_models(PRICES, MOCK)
    assert "mock" not in offered_models(PRICES, VEO)
    assert {"model": "veo-3.1-fast-generate-001", "resolution": "1080p", "audio": True, "per_second": 12} in options(PRICES, VEO)
    assert {"model": "veo-3.1-fast-generate-001", "resolution": "720p", "audio": False, "per_second": 8} in options(PRICES, VEO)


def test_a_scene_keeps_its_last_choice_while_the_provider_can_render_it():
    chosen = {"model": "veo-3.1-generate-001", "resolution": "1080p", "aspect_ratio": "16:9", "generate_audio": False}
    assert carried_spec(chosen, MOCK) == RenderSpec("veo-3.1-generate-001", "1080p", "16:9", False)
    assert carried_spec({"model": "mock"}, VEO) == VEO  # confirmed on the mock, now served by Veo
    assert carried_spec(None, VEO) == VEO


def test_choices_not_on_offer_are_refused_and_a_vanished_model_falls_back():
    with pytest.raises(BadChoice) as err:
        choose(VEO, VEO, PRICES, model="mock")
    assert err.value.field == "model"
    with pytest.raises(BadChoice):
        choose(VEO, VEO, PRICES, resolution="4k")
    gone = RenderSpec("veo-2.0-generate-001")
    assert choose(gone, VEO, PRICES) == VEO
    assert choose(MOCK, MOCK, PRICES, model="veo-3.1-fast-generate-001", audio=False).generate_audio is False

"""An unknown or retired Veo model is refused at Confirm & Render before any credit moves."""

import pytest
from sqlalchemy import func, select

from rushes.services.confirm import confirm_take
from rushes.services.demo import create_demo
from rushes.services.errors import Conflict
from rushes.store import models as m
from tests.integration.conftest import make_rushes


@pytest.mark.parametrize("model", ["veo-3.0-generate-001", "veo-3.1-fast-generate-preview"])
def test_confirm_refuses_a_retired_model_before_charging(tmp_path, model):
    app = make_rushes(tmp_path, video_provider="veo", vertex_project="p", vertex_token="t")
    scene_id = create_demo(app)["scene_ids"][0]
    # A configuration that slipped past start-up validation (edited after load, or a stale worker).
    object.__setattr__(app.settings, "veo_model", model)
    with app.db.session() as s:
        ledger_before = s.scalar(select(func.count()).select_from(m.LedgerEntry))
    with pytest.raises(Conflict) as refused:
        confirm_take(app, scene_id, "k1")
    assert model in refused.value.message
    assert refused.value.details["valid_models"] == ["veo-3.1-generate-001", "veo-3.1-fast-generate-001"]
    with app.db.session() as s:
        assert s.scalar(select(func.count()).select_from(m.LedgerEntry)) == ledger_before
        assert s.scalar(select(func.count()).select_from(m.Take)) == 0
        assert s.scalar(select(func.count()).select_from(m.RenderJob)) == 0
    app.db.dispose()

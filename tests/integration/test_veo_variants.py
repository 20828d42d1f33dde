"""Variants through the real google-genai SDK against the fake Vertex server: one request with sampleCount N,
N videos back, and the safety filter removing some of them (raiMediaFilteredCount) without failing the rest."""

from __future__ import annotations

import pytest

from rushes.media.probe import probe_clip
from rushes.providers.errors import PermanentProviderError
from tests.fakes.vertex_fixtures import fake_vertex, fake_vertex_server, vertex_env, vertex_settings  # noqa: F401
from tests.fakes.vertex_server import FakeVertex
from tests.integration.test_veo_provider import provider, shot


def test_three_variants_are_one_request_with_sample_count_three(fake_vertex: FakeVertex) -> None:
    veo = provider(fake_vertex)
    name = veo.submit(shot(sample_count=3, seed=77))
    [sent] = fake_vertex.submissions
    assert sent.json["parameters"]["sampleCount"] == 3 and sent.json["parameters"]["seed"] == 77
    status = veo.poll(name)
    assert status.done and len(status.videos) == 3 and status.filtered == 0
    assert len(set(status.videos)) == 3  # three different files
    assert all(probe_clip(v).duration_seconds > 7 for v in status.videos)


def test_partly_filtered_variants_return_the_rest_and_count_the_removed(fake_vertex: FakeVertex) -> None:
    fake_vertex.script_operation(filtered=2)
    veo = provider(fake_vertex)
    status = veo.poll(veo.submit(shot(sample_count=4)))
    assert len(status.videos) == 2 and status.filtered == 2
    assert status.filtered_reasons and "58061214" in status.filtered_reasons[0]


def test_every_variant_filtered_fails_as_a_safety_refusal(fake_vertex: FakeVertex) -> None:
    fake_vertex.script_operation(filtered=2)
    veo = provider(fake_vertex)
    name = veo.submit(shot(sample_count=2))
    with pytest.raises(PermanentProviderError) as refused:
        veo.poll(name)
    assert refused.value.kind == "safety"


def test_more_than_four_variants_are_refused_before_sending(fake_vertex: FakeVertex) -> None:
    veo = provider(fake_vertex)
    with pytest.raises(PermanentProviderError) as refused:
        veo.submit(shot(sample_count=5))
    assert "1 to 4 videos" in refused.value.reason and not fake_vertex.submissions


def test_worker_keeps_the_delivered_variants_and_refunds_the_filtered_one(tmp_path, fake_vertex: FakeVertex) -> None:
    """End to end on the Veo adapter: one request per shot with sampleCount 3, one video filtered per shot."""
    from sqlalchemy import func, select

    from rushes.domain.draws import DrawRequest
    from rushes.services.confirm import confirm_take
    from rushes.services.demo import create_demo
    from rushes.store import models as m
    from tests.integration.conftest import make_rushes, work_until_idle
    from tests.integration.test_worker_veo import account_balance, vertex_values

    app = make_rushes(tmp_path, **vertex_values(fake_vertex))
    scene_id = create_demo(app)["scene_ids"][1]
    fake_vertex.default_operation(filtered=1)
    before = account_balance(app)
    take_id, _ = confirm_take(app, scene_id, "variants", draws=DrawRequest(variants=3))
    charged = before - account_balance(app)
    work_until_idle(app)
    sent = fake_vertex.submissions
    assert len(sent) == 3 and all(s.json["parameters"]["sampleCount"] == 3 for s in sent)
    with app.db.session() as s:
        clips = list(s.scalars(select(m.Clip).where(m.Clip.take_id == take_id)))
        refunds = list(s.scalars(select(m.LedgerEntry).where(m.LedgerEntry.kind == "refund")))
        selects = s.scalar(select(func.count()).select_from(m.Clip).where(m.Clip.selected.is_(True)))
    assert len(clips) == 6 and selects == 3
    assert len(refunds) == 3 and all(r.variant == 3 for r in refunds)
    assert account_balance(app) == before - charged * 2 // 3
    app.db.dispose()

"""Retakes and variants on a take plan, the checks on what was asked, and QC's ranking of variants."""

from __future__ import annotations

import random

import pytest

from rushes.domain.artifacts import RenderSpec
from rushes.domain.costs import PriceTable
from rushes.domain.draws import DrawRefused, DrawRequest, VariantSummary, apply_draws, draw_request, rank_variants
from rushes.domain.planning import ShotPlan, TakePlan
from rushes.media.mockfaults import parse_fault_spec

PRICES = PriceTable(video={"mock": {"audio": 10, "silent": 8}}, frame_image=5)


def plan() -> TakePlan:
    def row(shot_id, decision, credits, **kw):
        return ShotPlan(shot_id=shot_id, code=f"1{chr(64 + shot_id)}", index=shot_id - 1, decision=decision, reason="",
                        inputs={}, inputs_digest=f"d{shot_id}", duration=4.0, render_seconds=4, credits=credits, **kw)
    return TakePlan(1, RenderSpec(model="mock"), (row(1, "reuse", 0, reuse_clip_id=7), row(2, "render", 40), row(3, "blocked", 0)))


def test_a_retake_renders_a_reused_shot_at_its_full_price_and_leaves_the_rest():
    out = apply_draws(plan(), DrawRequest(retake=frozenset({1})), PRICES)
    first, second, third = out.shots
    assert (first.decision, first.credits, first.retake, first.reuse_clip_id) == ("render", 40, True, None)
    assert second.credits == 40 and not second.retake and third.decision == "blocked"
    assert out.total_credits == 80


def test_variants_multiply_the_price_of_every_rendered_shot_and_per_shot_counts_draw_again():
    out = apply_draws(plan(), DrawRequest(variants=3), PRICES)
    assert [s.credits for s in out.shots] == [0, 120, 0] and out.shots[1].variants == 3
    out = apply_draws(plan(), DrawRequest(per_shot={1: 2}), PRICES)
    assert [(s.decision, s.credits, s.variants) for s in out.shots[:2]] == [("render", 80, 2), ("render", 40, 1)]
    assert apply_draws(plan(), DrawRequest(), PRICES) == plan()


@pytest.mark.parametrize("retake,variants", [([9], None), (["1"], None), ([True], None), ([], 0), ([], 5),
                                              ([], True), ([], {"x": 2}), ([], {"9": 2}), ([], {"1": 7})])
def test_what_cannot_be_planned_is_refused_with_a_reason(retake, variants):
    with pytest.raises(DrawRefused):
        draw_request(retake, variants, shot_ids=[1, 2, 3])


def test_fewest_faults_rank_first_then_anchor_adherence():
    fault = {"kind": "frozen", "measure": 1.0, "threshold": 0.5, "message": ""}
    ranked = rank_variants([VariantSummary(1, (fault,), 0.99), VariantSummary(2, (), 0.90), VariantSummary(3, (), 0.97)])
    assert [s.variant for s in ranked] == [3, 2, 1]


def test_a_fault_can_be_planted_in_one_variant_only():
    spec = parse_fault_spec("1B#2:frozen(at=1;for=1), *#3:black")
    rng = random.Random(1)
    assert spec.pick("1B", 4, rng, 1) == []
    assert [f.kind for f in spec.pick("1B", 4, rng, 2)] == ["frozen"]
    assert [f.kind for f in spec.pick("2A", 4, rng, 3)] == ["black"]

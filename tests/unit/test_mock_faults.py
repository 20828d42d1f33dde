"""RUSHES_MOCK_FAULTS: the spec parses or is refused clearly, and parameters resolve inside their ranges."""

from __future__ import annotations

import random

import pytest

from rushes.media.mockfaults import FAULT_KINDS, parse_fault_spec, resolve
from rushes.settings import Settings


def test_codes_kinds_parameters_and_shares():
    spec = parse_fault_spec("1B:frozen, 2a:black(at=1.5;for=2), *:length(delta=-0.2), missing_audio=0.25")
    assert spec.by_code == (("1B", "frozen", {}), ("2A", "black", {"at": 1.5, "for": 2.0}),
                            ("*", "length", {"delta": -0.2}))
    assert spec.shares == (("missing_audio", 0.25),)
    rng = random.Random(0)
    picked = {f.kind: f.params for f in spec.pick("2A", 8, rng)}
    assert picked["black"]["at"] == 1.5 and picked["black"]["for"] == 2.0 and 0 <= picked["black"]["fade"] <= 0.6
    assert picked["length"] == {"delta": -0.2}
    assert not parse_fault_spec("")


def test_shares_plant_about_that_share_of_renders():
    spec = parse_fault_spec("frozen=0.3")
    rng = random.Random(1)
    hits = sum(bool(spec.pick("1A", 8, rng)) for _ in range(2000))
    assert 500 < hits < 700


@pytest.mark.parametrize("text, message", [
    ("1B:melting", "unknown kind"),
    ("frozen=2", "between 0 and 1"),
    ("1B:black(at)", "name=value"),
    ("1B:black(at=1", "parameters go in"),
    ("frozen", "CODE:kind or kind=share"),
])
def test_bad_specs_are_refused_with_the_reason(text, message):
    with pytest.raises(ValueError, match=message):
        parse_fault_spec(text)


def test_settings_refuse_a_bad_spec_at_start():
    with pytest.raises(ValueError, match="unknown kind"):
        Settings(_env_file=None, mock_faults="1A:wobble")


@pytest.mark.parametrize("kind", FAULT_KINDS)
def test_every_kind_resolves_inside_the_clip(kind):
    for seed in range(50):
        fault = resolve(kind, {}, 4.0, random.Random(seed))
        p = fault.params
        if "at" in p:
            assert 0 <= p["at"] and p["at"] + p.get("for", 0) <= 4.0 + 1e-6
        if kind == "length":
            assert 3 / 24 - 1e-6 <= abs(p["delta"]) <= 6 / 24 + 1e-6

"""QC measures on synthetic arrays: each one moves the way it should and stays put when it should not."""

from __future__ import annotations

import numpy as np
import pytest

from rushes.domain import qc_measures as qm

RATE = 16_000


def _picture(seed: int, shape=(90, 160)) -> np.ndarray:
    rng = np.random.default_rng(seed)
    # Smooth blobs rather than white noise, so SSIM's 7x7 windows see structure.
    small = rng.uniform(0, 255, (shape[0] // 10, shape[1] // 10))
    return np.kron(small, np.ones((10, 10)))


def test_ssim_is_one_for_identical_pictures_and_falls_with_structure():
    a = _picture(1)
    assert qm.ssim(a, a) == pytest.approx(1.0)
    assert qm.ssim(a, a + 8) > 0.95  # a brightness shift keeps structure
    assert qm.ssim(a, a[:, ::-1]) < 0.5  # mirrored
    assert qm.ssim(a, _picture(2)) < 0.3  # another picture
    noisy = a + np.random.default_rng(3).normal(0, 6, a.shape)
    assert 0.6 < qm.ssim(a, noisy) < 0.99


def test_ssim_refuses_planes_of_different_shapes():
    with pytest.raises(ValueError):
        qm.ssim(np.zeros((10, 10)), np.zeros((10, 12)))


def test_look_reads_tint_and_exposure_but_not_composition():
    rgb = np.stack([_picture(1), _picture(4), _picture(5)], axis=-1).clip(0, 255)
    moved = np.roll(rgb, 40, axis=1)  # same picture reframed: same look
    tinted = (rgb + np.array([20, -10, -20])).clip(0, 255)
    assert np.linalg.norm(qm.look(rgb) - qm.look(moved)) < 1e-3
    assert np.linalg.norm(qm.look(rgb) - qm.look(tinted)) > 15


def test_unexplained_jump_is_zero_when_the_clip_changes_as_the_anchors_do():
    out, into = np.array([100.0, 5, 5, 40]), np.array([60.0, -10, 20, 30])
    assert qm.unexplained_jump(out, into, out, into) == pytest.approx(0.0)
    # The incoming shot came out 15 levels warmer than its start frame.
    assert qm.unexplained_jump(out, into + [0, 15, 0, 0], out, into) == pytest.approx(15.0)


def test_black_frames_and_runs():
    lumas = np.full((10, 9, 16), 120.0)
    lumas[3:7] = 16.0
    lumas[8] = 16.0
    lumas[8, 0, 0] = 255  # a dark frame with a bright spot (a lamp) is not black... unless tiny
    black = qm.black_frames(lumas)
    assert list(black[:8]) == [False, False, False, True, True, True, True, False]
    assert qm.runs(black[:8]) == [(3, 4)]
    assert qm.runs(np.zeros(0, dtype=bool)) == []


def test_held_stretches_find_a_freeze_but_not_a_slow_push_in():
    base = _picture(7)
    frames = []
    for i in range(48):
        # A slow drift: a tiny shift every frame that adds up.
        frames.append(np.roll(base, i // 2, axis=1) + (i % 2) * 0.05)
    frames = np.stack(frames)
    assert max((n for _, n in qm.held_stretches(frames, np.zeros(48, bool), 0.4)), default=0) < 4
    frozen = frames.copy()
    frozen[10:30] = frames[10] + np.random.default_rng(1).normal(0, 0.05, frames[10].shape)
    stretches = qm.held_stretches(frozen, np.zeros(48, bool), 0.4)
    assert (10, 20) in stretches
    # Black frames are never counted as frozen.
    assert qm.held_stretches(frozen, np.ones(48, bool), 0.4) == []


def _tone(seconds, hz=150.0, level=0.3):
    t = np.arange(int(seconds * RATE)) / RATE
    # A voice-like buzz: harmonics of one pitch.
    return level * sum(np.sin(2 * np.pi * hz * k * t) / k for k in range(1, 6))


def test_levels_and_short_term_levels():
    full = np.sin(2 * np.pi * 440 * np.arange(RATE) / RATE)
    assert qm.levels_db(full, RATE).mean() == pytest.approx(-3.01, abs=0.05)
    assert qm.levels_db(np.zeros(RATE), RATE).max() == qm.SILENCE_DB
    # A short knock in eight quiet seconds: the loudest window hears it, the typical level does not.
    burst = np.zeros(8 * RATE)
    burst[RATE: RATE + RATE * 3 // 10] = 0.1 * np.random.default_rng(0).normal(size=RATE * 3 // 10)
    assert qm.loudest_db(burst, RATE) > -25
    assert qm.typical_db(burst, RATE) < -60


def test_voice_seconds_hear_a_pitched_voice_over_noise_but_not_the_noise():
    rng = np.random.default_rng(2)
    noise = 0.03 * rng.normal(size=4 * RATE)
    assert qm.voice_seconds(noise, RATE) < 0.1
    speech = noise.copy()
    speech[RATE: 2 * RATE] += _tone(1.0)
    assert qm.voice_seconds(speech, RATE) == pytest.approx(1.0, abs=0.15)
    rumble = np.convolve(rng.normal(size=4 * RATE), np.ones(200) / 200, mode="same")
    assert qm.voice_seconds(rumble / np.abs(rumble).max() * 0.3 + noise, RATE) < 0.2


def test_background_ignores_speech_on_top_of_a_bed():
    rng = np.random.default_rng(3)
    bed = 0.02 * rng.normal(size=3 * RATE)
    level = qm.background_db(qm.levels_db(bed, RATE))
    with_speech = bed.copy()
    with_speech[RATE // 2: RATE * 2] += _tone(1.5)
    assert qm.background_db(qm.levels_db(with_speech, RATE)) == pytest.approx(level, abs=1.0)

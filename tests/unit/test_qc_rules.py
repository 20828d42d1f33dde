"""QC decisions on synthetic shots: faults are found where they are, routed, and clean material passes."""

from __future__ import annotations

import numpy as np
import pytest

from rushes.domain.qc_rules import ShotMaterial, check_take

RATE = 16_000
FPS = 24.0


def _base(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    small = rng.uniform(30, 220, (9, 16, 3))
    return np.kron(small, np.ones((10, 10, 1)))


def _frames(seed: int, seconds: float = 4.0) -> np.ndarray:
    base = _base(seed)
    # A steady pan, one pixel a frame: always moving, never a freeze.
    return np.stack([np.roll(base, i, axis=1) for i in range(int(seconds * FPS))]).astype(np.uint8)


def _bed(seconds: float, seed: int = 0, level: float = 0.03) -> np.ndarray:
    return (level * np.random.default_rng(seed).normal(size=int(seconds * RATE))).astype(np.float32)


def _voice(seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (0.25 * sum(np.sin(2 * np.pi * 140 * k * t) / k for k in range(1, 6))).astype(np.float32)


def _shot(code: str, start: float, frames=None, audio="bed", prompt="Audio: Wind.", seed=1, **kw) -> ShotMaterial:
    frames = _frames(seed) if frames is None else frames
    sound = _bed(len(frames) / FPS, seed) if isinstance(audio, str) else audio
    values = dict(shot_id=seed, code=code, start=start, duration=4.0, ordered_seconds=4.0, fps=FPS, frames=frames,
                  audio=sound, audio_rate=RATE, start_anchor=frames[0], end_anchor=frames[-1], video_prompt=prompt)
    values.update(kw)
    return ShotMaterial(**values)


def kinds(findings):
    return [(f.shot_code, f.kind) for f in findings]


def test_clean_shots_and_cuts_pass():
    assert check_take([_shot("1A", 0, seed=1), _shot("1B", 4, seed=2)]) == []


def test_an_ignored_start_frame_is_found_at_the_shot_start_and_routed_to_frames():
    frames = _frames(2)
    shot = _shot("1B", 4, frames=frames, seed=2, start_anchor=frames[0][:, ::-1].copy())
    found = check_take([_shot("1A", 0), shot])
    mismatch = next(f for f in found if f.kind == "start_frame_mismatch")
    assert (mismatch.shot_code, mismatch.frame, mismatch.stage) == ("1B", 96, 10)
    assert mismatch.measure < mismatch.threshold


def test_black_and_frozen_stretches_longer_than_half_a_second():
    frames = _frames(3)
    frames[24:42] = 0  # 0.75 s of black at 1 s
    frames[60:80] = frames[60]  # 0.83 s frozen at 2.5 s
    frames[90:94] = frames[90]  # a 4-frame hold is not a freeze
    found = check_take([_shot("1A", 0, frames=frames, seed=3)])
    by_kind = {f.kind: f for f in found}
    assert set(by_kind) == {"black", "frozen"}
    assert by_kind["black"].measure == pytest.approx(0.75) and by_kind["black"].frame == 24
    assert by_kind["frozen"].measure == pytest.approx(20 / 24, abs=1e-3) and by_kind["frozen"].frame == 60


def test_a_clip_shorter_than_its_shot_is_a_timing_finding():
    frames = _frames(4, seconds=3.75)
    [finding] = check_take([_shot("1A", 0, frames=frames, seed=4, end_anchor=frames[-1])])
    assert finding.kind == "length" and finding.stage == 7 and finding.measure == pytest.approx(-0.25)
    # A 5 s shot rendered at 6 s and trimmed is what was ordered: no finding.
    six = _frames(5, seconds=6.0)
    assert check_take([_shot("1A", 0, frames=six, seed=5, duration=5.0, ordered_seconds=6.0, end_anchor=six[-1])]) == []


def test_sound_presence():
    dialogue = 'Audio: Rain. Character Ann speaks: "We should not be here tonight, not in this."'
    speech = _bed(4.0)
    speech[RATE: 3 * RATE] += _voice(2.0)
    assert check_take([_shot("1A", 0, audio=speech, prompt=dialogue)]) == []
    [missing] = check_take([_shot("1A", 0, prompt=dialogue)])  # the bed only: the line was dropped
    assert missing.kind == "missing_audio" and missing.stage == 9
    [silent] = check_take([_shot("1A", 0, audio=_bed(4.0, level=0.0005))])  # cues but near silence
    assert silent.kind == "missing_audio"
    [no_track] = check_take([_shot("1A", 0, audio=None)])
    assert no_track.kind == "missing_audio"
    quiet = "Audio: Room tone."
    assert check_take([_shot("1A", 0, audio=_bed(4.0, level=0.001), prompt=quiet)]) == []
    [loud] = check_take([_shot("1A", 0, audio=_bed(4.0), prompt=quiet)])
    assert loud.kind == "unexpected_audio" and loud.measure > loud.threshold
    [stray] = check_take([_shot("1A", 0, audio=speech)])  # a voice in a shot with no dialogue
    assert stray.kind == "unexpected_audio"


def test_look_and_loudness_jumps_at_a_cut_beyond_what_was_planned():
    tinted = np.clip(_frames(2).astype(int) + [25, 0, -25], 0, 255).astype(np.uint8)
    # The incoming shot is warmer than its approved start frame: a jump nobody planned.
    found = check_take([_shot("1A", 0), _shot("1B", 4, frames=tinted, seed=2, start_anchor=_frames(2)[0],
                                             end_anchor=_frames(2)[-1])])
    assert ("1B", "visual_jump") in kinds(found)
    # The same tint in the approved frames themselves was planned: no jump.
    assert check_take([_shot("1A", 0), _shot("1B", 4, frames=tinted, seed=2)]) == []
    louder = _bed(4.0, seed=2, level=0.15)
    found = check_take([_shot("1A", 0), _shot("1B", 4, seed=2, audio=louder)])
    jump = next(f for f in found if f.kind == "audio_jump")
    assert jump.measure == pytest.approx(14, abs=1.0) and jump.shot_code == "1B"
    # From a shot with effects to one with only room tone under its dialogue, the bed is meant to drop.
    talk = 'Audio: Room tone. Character Ann speaks: "Go."'
    quiet = _bed(4.0, seed=2, level=0.002)
    quiet[RATE: 2 * RATE] += _voice(1.0)
    assert check_take([_shot("1A", 0), _shot("1B", 4, seed=2, audio=quiet, prompt=talk)]) == []


def test_a_gap_left_by_a_failed_shot_is_not_a_cut():
    tinted = np.clip(_frames(2).astype(int) + [25, 0, -25], 0, 255).astype(np.uint8)
    b = _shot("1C", 8, frames=tinted, seed=2, start_anchor=_frames(2)[0], end_anchor=_frames(2)[-1])
    assert "visual_jump" not in [f.kind for f in check_take([_shot("1A", 0), b])]

"""Quality control's decisions: which measures are faults, where they sit in the cut, and who fixes them.

Pure: shots come in as decoded arrays (`ShotMaterial`), findings go out. The thresholds below were
calibrated on the mock renderer with one seed and are reported on another by bench/bench_qc.py; the
README's QC table states them with the figures.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

import numpy as np

from rushes.domain import qc_measures as qm
from rushes.domain.stages import Stage

KINDS = ("start_frame_mismatch", "end_frame_mismatch", "visual_jump", "audio_jump", "missing_audio",
         "unexpected_audio", "frozen", "black", "length")

# -- thresholds (calibrated on the mock, seed 1; see README "Quality control") ------------------------
ANCHOR_SSIM_MIN = 0.80  # clean mock renders score 0.97-0.99 against their anchors
HELD_DRIFT_MAX = 0.4  # mean |luma change| (8-bit levels, 160x90) from a stretch's first frame: still "the same picture"
FROZEN_SECONDS = 0.5
BLACK_SECONDS = 0.5
LOOK_JUMP_MIN = 10.0  # look units (8-bit levels) of unexplained change across a cut
LOOK_JUMP_RATIO = 4.0  # ...and at least this many times the frame-to-frame change inside the shots
AUDIO_JUMP_DB = 8.0  # step in the sound bed across a cut
QUIET_LOUDEST_DB = -40.0  # a shot that asked for no sound may not get louder than this (400 ms windows)
CUE_TYPICAL_DB = -45.0  # a shot with sound cues must mostly be louder than this
VOICE_SHARE_MIN = 0.3  # of the expected speaking time must sound like a voice
VOICE_MIN_SECONDS = 0.25
STRAY_VOICE_SECONDS = 0.5  # a voice this long where the shot has no dialogue
EDGE_FRAMES = 3  # frames averaged on each side of a cut
NEAR_FRAMES = 12  # frames each side whose steps say how much the picture moves anyway
EDGE_SECONDS = 1.0  # sound each side of a cut

QUIET_CUES = ("", "room tone", "silence", "silent", "no sound", "none")
_SPEAKS = re.compile(r'speaks:\s*"([^"]*)"')


@dataclass(frozen=True)
class ShotMaterial:
    """One shot of a take, decoded. Frames are (N, H, W, 3) uint8 at QC size; audio mono float or None."""

    shot_id: int
    code: str
    start: float  # scene seconds where the shot begins in the cut
    duration: float  # the shot's length in the cut
    ordered_seconds: float  # what was asked of the provider (the next length Veo renders)
    fps: float
    frames: np.ndarray
    audio: np.ndarray | None
    audio_rate: int
    start_anchor: np.ndarray | None
    end_anchor: np.ndarray | None
    video_prompt: str = ""
    characters: tuple[str, ...] = ()
    generate_audio: bool = True

    @property
    def used_frames(self) -> int:
        """Frames of the clip that play in the cut (the rest is trimmed)."""
        return max(1, min(len(self.frames), int(round(self.duration * self.fps))))

    @property
    def dialogue(self) -> list[str]:
        return _SPEAKS.findall(self.video_prompt)

    @property
    def sound_cue(self) -> str:
        index = self.video_prompt.find("Audio:")
        if index < 0:
            return ""
        audio = re.split(r"\bCharacter\b[^:]*\bspeaks:", self.video_prompt[index + 6:], maxsplit=1)[0]
        return audio.strip().rstrip(".").strip()

    @property
    def asks_for_bed(self) -> bool:
        """The prompt names sound effects, so a bed of sound lies under the whole shot."""
        return self.generate_audio and self.sound_cue.lower() not in QUIET_CUES

    @property
    def asks_for_quiet(self) -> bool:
        return not self.generate_audio or (not self.dialogue and not self.asks_for_bed)


@dataclass(frozen=True)
class Finding:
    shot_id: int
    shot_code: str
    kind: str
    frame: int  # scene frame at the take's rate
    scene_time: float
    measure: float
    threshold: float
    stage: int
    message: str
    detail: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def _finding(shot: ShotMaterial, kind: str, shot_seconds: float, measure: float, threshold: float, stage: Stage,
             message: str, **detail) -> Finding:
    scene_time = round(shot.start + max(0.0, shot_seconds), 4)
    return Finding(shot.shot_id, shot.code, kind, int(round(scene_time * shot.fps)), scene_time,
                   round(float(measure), 4), round(float(threshold), 4), int(stage), message, detail)


def speaking_seconds(lines: list[str]) -> float:
    """A calm pace: about a fifth of a second per syllable (vowel group)."""
    return sum(0.2 * max(1, len(re.findall(r"[aeiouy]+", line.lower()))) for line in lines)


# -- one shot ---------------------------------------------------------------------------------------

def check_anchors(shot: ShotMaterial) -> list[Finding]:
    found = []
    lumas = qm.luma(shot.frames[[0, -1]])
    if shot.start_anchor is not None:
        score = qm.ssim(lumas[0], qm.luma(shot.start_anchor))
        if score < ANCHOR_SSIM_MIN:
            found.append(_finding(shot, "start_frame_mismatch", 0.0, score, ANCHOR_SSIM_MIN, Stage.FRAMES,
                                  f"{shot.code} does not open on its approved start frame (SSIM {score:.2f} < "
                                  f"{ANCHOR_SSIM_MIN:.2f}): re-render the shot, or change the start frame in 10 Frames"))
    if shot.end_anchor is not None:
        score = qm.ssim(lumas[1], qm.luma(shot.end_anchor))
        if score < ANCHOR_SSIM_MIN:
            last = min(len(shot.frames), shot.used_frames) - 1
            found.append(_finding(shot, "end_frame_mismatch", last / shot.fps, score, ANCHOR_SSIM_MIN, Stage.FRAMES,
                                  f"{shot.code} does not land on its approved end frame (SSIM {score:.2f} < "
                                  f"{ANCHOR_SSIM_MIN:.2f}): re-render the shot, or change the end frame in 10 Frames"))
    return found


def check_stillness(shot: ShotMaterial) -> list[Finding]:
    """Frozen and black stretches longer than half a second, in the part of the clip the cut plays."""
    lumas = qm.luma(shot.frames[: shot.used_frames])
    black = qm.black_frames(lumas)
    found = []
    for first, count in qm.runs(black):
        seconds = count / shot.fps
        if seconds > BLACK_SECONDS:
            found.append(_finding(shot, "black", first / shot.fps, seconds, BLACK_SECONDS, Stage.FRAMES,
                                  f"{shot.code} goes black for {seconds:.1f} s at {first / shot.fps:.1f} s: re-render the shot"))
    for first, count in qm.held_stretches(lumas, black, HELD_DRIFT_MAX):
        seconds = count / shot.fps
        if seconds > FROZEN_SECONDS:
            found.append(_finding(shot, "frozen", first / shot.fps, seconds, FROZEN_SECONDS, Stage.FRAMES,
                                  f"{shot.code} freezes for {seconds:.1f} s at {first / shot.fps:.1f} s: re-render the shot"))
    return found


def check_length(shot: ShotMaterial) -> list[Finding]:
    """The clip must fill the shot and be as long as what was ordered, to within a frame."""
    seconds = len(shot.frames) / shot.fps
    tolerance = 1.0 / shot.fps + 1e-3
    short = shot.duration - seconds
    off = seconds - shot.ordered_seconds
    if short <= tolerance and abs(off) <= tolerance:
        return []
    delta = -short if short > tolerance else off
    what = (f"leaves {short:.2f} s of the {shot.duration:g} s shot empty" if short > tolerance
            else f"is {abs(off):.2f} s {'longer' if off > 0 else 'shorter'} than the {shot.ordered_seconds:g} s ordered")
    return [_finding(shot, "length", min(seconds, shot.duration) - 1 / shot.fps, delta, tolerance, Stage.SHOT_LIST,
                     f"{shot.code}'s clip is {seconds:.2f} s and {what}: re-render it, or adjust the duration in 7 Shot List")]


def check_sound(shot: ShotMaterial) -> list[Finding]:
    """Silence where dialogue or effects were asked for; sound (or a voice) where none was."""
    rate = shot.audio_rate
    audio = shot.audio[: int(shot.duration * rate)] if shot.audio is not None else None
    lines = shot.dialogue
    if shot.asks_for_quiet:
        if audio is None or audio.size == 0:
            return []
        loudest = qm.loudest_db(audio, rate)
        if loudest > QUIET_LOUDEST_DB:
            return [_finding(shot, "unexpected_audio", _loudest_at(audio, rate), loudest, QUIET_LOUDEST_DB, Stage.PROMPTS,
                             f"{shot.code} asked for no sound but reaches {loudest:.0f} dBFS: say so in its prompt "
                             "(9 Prompts) or re-render")]
        return []
    if audio is None or audio.size == 0:
        return [_finding(shot, "missing_audio", 0.0, qm.SILENCE_DB, CUE_TYPICAL_DB, Stage.PROMPTS,
                         f"{shot.code} has no sound track although its prompt asks for sound: check the audio part in 9 Prompts")]
    voice = qm.voice_seconds(audio, rate)
    if lines:
        expected = speaking_seconds(lines)
        needed = max(VOICE_MIN_SECONDS, VOICE_SHARE_MIN * expected)
        if voice < needed:
            return [_finding(shot, "missing_audio", 0.0, voice, needed, Stage.PROMPTS,
                             f"{shot.code} should carry about {expected:.1f} s of dialogue but a voice is heard for "
                             f"{voice:.1f} s: check the dialogue in 9 Prompts, or re-render", expected_seconds=round(expected, 2))]
        return []
    found = []
    typical = qm.typical_db(audio, rate)
    if typical < CUE_TYPICAL_DB:
        found.append(_finding(shot, "missing_audio", 0.0, typical, CUE_TYPICAL_DB, Stage.PROMPTS,
                              f"{shot.code} asks for \"{shot.sound_cue}\" but is nearly silent ({typical:.0f} dBFS): "
                              "check the audio part in 9 Prompts, or re-render"))
    if voice > STRAY_VOICE_SECONDS:
        found.append(_finding(shot, "unexpected_audio", _loudest_at(audio, rate), voice, STRAY_VOICE_SECONDS, Stage.PROMPTS,
                              f"a voice is heard in {shot.code} for {voice:.1f} s but the shot has no dialogue: "
                              "say so in its prompt (9 Prompts) or re-render"))
    return found


def _loudest_at(audio: np.ndarray, rate: int) -> float:
    levels = qm.short_term_db(audio, rate)
    return float(np.argmax(levels)) * 0.1 if levels.size else 0.0


# -- cuts -------------------------------------------------------------------------------------------

def _edge_looks(shot: ShotMaterial, side: str) -> tuple[np.ndarray, np.ndarray]:
    """(mean look of the edge frames, look steps of the frames near the edge) at the in or out point."""
    used = shot.frames[: shot.used_frames]
    if side == "out":
        edge, near = used[-EDGE_FRAMES:], used[-NEAR_FRAMES:]
    else:
        edge, near = used[:EDGE_FRAMES], used[:NEAR_FRAMES]
    return qm.looks(edge).mean(axis=0), qm.look_steps(qm.looks(near))


def check_cut(out: ShotMaterial, into: ShotMaterial) -> list[Finding]:
    """Look and loudness at the cut from `out` to `into`, against what the approved frames and cues planned."""
    found = []
    clip_out, steps_out = _edge_looks(out, "out")
    clip_in, steps_in = _edge_looks(into, "in")
    # The end frame is only where the cut falls when the clip was not rendered longer and trimmed.
    lands_on_end = out.end_anchor is not None and out.ordered_seconds <= out.duration + 1.0 / out.fps
    plan_out = qm.look(out.end_anchor) if lands_on_end and out.end_anchor is not None else clip_out
    plan_in = qm.look(into.start_anchor) if into.start_anchor is not None else clip_in
    jump = qm.unexplained_jump(clip_out, clip_in, plan_out, plan_in)
    moving = float(np.median(np.concatenate([steps_out, steps_in]))) if steps_out.size + steps_in.size else 0.0
    threshold = max(LOOK_JUMP_MIN, LOOK_JUMP_RATIO * moving)
    if jump > threshold:
        found.append(_finding(into, "visual_jump", 0.0, jump, threshold, Stage.FRAMES,
                              f"the look jumps at the cut {out.code} → {into.code} ({jump:.0f} > {threshold:.0f}, "
                              "beyond what the approved frames change): re-render, or match the frames in 10 Frames",
                              from_shot=out.code))
    # Effects on one side and only room tone on the other: the bed is meant to change at this cut.
    if out.audio is None or into.audio is None or out.asks_for_bed != into.asks_for_bed:
        return found
    rate = out.audio_rate
    tail = out.audio[max(0, int((out.duration - EDGE_SECONDS) * rate)): int(out.duration * rate)]
    head = into.audio[: int(EDGE_SECONDS * rate)]
    if tail.size == 0 or head.size == 0:
        return found
    step = qm.background_db(qm.levels_db(head, rate)) - qm.background_db(qm.levels_db(tail, rate))
    if abs(step) > AUDIO_JUMP_DB:
        found.append(_finding(into, "audio_jump", 0.0, step, AUDIO_JUMP_DB, Stage.PROMPTS,
                              f"the sound {'rises' if step > 0 else 'drops'} {abs(step):.0f} dB at the cut "
                              f"{out.code} → {into.code}: even the levels, or re-render", from_shot=out.code))
    return found


def character_look_jumps(shots: list[ShotMaterial], findings: list[Finding]) -> list[Finding]:
    """A look jump at every shot of one character points at that character's visual definition (stage 8)."""
    jumps = [f for f in findings if f.kind == "visual_jump"]
    touched = {f.shot_code for f in jumps} | {f.detail.get("from_shot") for f in jumps}
    names = sorted({c for s in shots for c in s.characters})
    out = list(findings)
    for name in names:
        theirs = {s.code for s in shots if name in s.characters}
        if len(theirs) < 2 or not theirs <= touched:
            continue
        out = [f if f.kind != "visual_jump" or not ({f.shot_code, f.detail.get("from_shot")} & theirs) else
               Finding(**{**asdict(f), "stage": int(Stage.VISUAL_DEFINITION),
                          "message": f"the look jumps on every shot of {name}: check {name}'s look in 8 Visual Definition "
                                     f"({f.message.split(':')[0]})"})
               for f in out]
    return out


def check_take(shots: list[ShotMaterial]) -> list[Finding]:
    """Every check on every shot and every cut of a take, in cut order."""
    findings: list[Finding] = []
    for index, shot in enumerate(shots):
        before = shots[index - 1] if index else None
        # Only shots that meet in the cut: a failed shot between two leaves a hole, not a cut.
        if before is not None and abs(before.start + before.duration - shot.start) < 1e-3:
            findings += check_cut(before, shot)
        findings += check_anchors(shot) + check_stillness(shot) + check_length(shot) + check_sound(shot)
    findings = character_look_jumps(shots, findings)
    return sorted(findings, key=lambda f: (f.scene_time, KINDS.index(f.kind)))

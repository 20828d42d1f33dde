"""Quality-control measures: numpy arrays in, numbers out. No decoding, no files, no database.

Pictures are small RGB frames (uint8, H x W x 3) or luma planes (float, H x W) already decoded at a
reduced size; sound is mono float samples in [-1, 1] at a known rate. Every function here is a
measurement; what counts as a fault is decided in `qc_rules`.
"""

from __future__ import annotations

import numpy as np

SILENCE_DB = -120.0  # what an all-zero window reads as, instead of -inf (JSON has no infinity)
SSIM_WINDOW = 7
# SSIM's stabilising constants for 8-bit pictures (Wang et al. 2004: K1 = 0.01, K2 = 0.03).
_C1 = (0.01 * 255) ** 2
_C2 = (0.03 * 255) ** 2


# -- pictures -----------------------------------------------------------------------------------

def luma(rgb: np.ndarray) -> np.ndarray:
    """Rec. 601 luma of RGB frames (any leading shape), as float32 in 0..255."""
    rgb = np.asarray(rgb, dtype=np.float32)
    return rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114


def _box_mean(plane: np.ndarray, k: int) -> np.ndarray:
    """Mean over every k x k window that fits (valid region), through a summed-area table."""
    table = np.zeros((plane.shape[0] + 1, plane.shape[1] + 1), dtype=np.float64)
    table[1:, 1:] = plane.cumsum(0).cumsum(1)
    total = table[k:, k:] - table[:-k, k:] - table[k:, :-k] + table[:-k, :-k]
    return total / (k * k)


def ssim(x: np.ndarray, y: np.ndarray, window: int = SSIM_WINDOW) -> float:
    """Mean structural similarity of two luma planes of one size (1 = identical, ~0 = unrelated)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 2:
        raise ValueError(f"ssim needs two planes of one shape, got {x.shape} and {y.shape}")
    k = min(window, *x.shape)
    mx, my = _box_mean(x, k), _box_mean(y, k)
    vx = _box_mean(x * x, k) - mx * mx
    vy = _box_mean(y * y, k) - my * my
    cov = _box_mean(x * y, k) - mx * my
    num = (2 * mx * my + _C1) * (2 * cov + _C2)
    den = (mx * mx + my * my + _C1) * (vx + vy + _C2)
    return float(np.mean(num / den))


def look(rgb: np.ndarray) -> np.ndarray:
    """A frame's look as 4 numbers: mean luma, red-green and yellow-blue balance, luma contrast.

    Composition does not enter it, so an ordinary cut (wide to close-up in one grade) moves it
    little, while a change of grade, tint or exposure moves it a lot.
    """
    rgb = np.asarray(rgb, dtype=np.float32)
    y = luma(rgb)
    red_green = rgb[..., 0] - rgb[..., 1]
    yellow_blue = (rgb[..., 0] + rgb[..., 1]) / 2 - rgb[..., 2]
    return np.array([y.mean(), red_green.mean(), yellow_blue.mean(), y.std()], dtype=np.float64)


def looks(frames: np.ndarray) -> np.ndarray:
    """`look` of each frame of an (N, H, W, 3) stack, as (N, 4)."""
    return np.stack([look(f) for f in frames]) if len(frames) else np.zeros((0, 4))


def look_steps(descriptors: np.ndarray) -> np.ndarray:
    """Size of the look change from each frame to the next, (N-1,)."""
    if len(descriptors) < 2:
        return np.zeros(0)
    return np.linalg.norm(np.diff(descriptors, axis=0), axis=1)


def unexplained_jump(clip_out: np.ndarray, clip_in: np.ndarray, plan_out: np.ndarray, plan_in: np.ndarray) -> float:
    """How far the look change across a cut departs from the change the approved frames planned.

    clip_out / clip_in: look of the outgoing shot's last frames and the incoming shot's first frames;
    plan_out / plan_in: the same for the approved end and start frames. A clip that honours its
    anchors gives about 0 even when the two anchors differ a lot.
    """
    return float(np.linalg.norm((clip_in - clip_out) - (plan_in - plan_out)))


def black_frames(lumas: np.ndarray, mean_below: float = 20.0, bright_below: float = 40.0) -> np.ndarray:
    """Frames that read as black: dark on average and with no bright part (98th percentile)."""
    lumas = np.asarray(lumas, dtype=np.float32)
    if len(lumas) == 0:
        return np.zeros(0, dtype=bool)
    flat = lumas.reshape(len(lumas), -1)
    return (flat.mean(axis=1) < mean_below) & (np.percentile(flat, 98, axis=1) < bright_below)


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, length) of every run of True in a boolean array."""
    mask = np.asarray(mask, dtype=bool)
    if mask.size == 0:
        return []
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    return [(int(s), int(e - s)) for s, e in zip(starts, ends)]


def held_stretches(lumas: np.ndarray, black: np.ndarray, drift_below: float) -> list[tuple[int, int]]:
    """(first frame, frames) of stretches where every frame stays within `drift_below` of the first.

    Measured against the stretch's first frame, not frame to frame: a slow push-in moves little
    per frame but adds up within a few frames, while a freeze only wobbles by encoder noise
    (a keyframe re-coding the held picture) and never drifts away.
    """
    lumas = np.asarray(lumas, dtype=np.float32)
    black = np.asarray(black, dtype=bool)
    found, i, n = [], 0, len(lumas)
    while i < n:
        j = i + 1
        if not black[i]:
            while j < n and not black[j] and float(np.abs(lumas[j] - lumas[i]).mean()) < drift_below:
                j += 1
        if j - i >= 2:
            found.append((i, j - i))
        i = j
    return found


# -- sound ----------------------------------------------------------------------------------------

def _windows(samples: np.ndarray, rate: int, seconds: float) -> np.ndarray:
    size = max(1, int(round(rate * seconds)))
    count = len(samples) // size
    return np.asarray(samples[: count * size], dtype=np.float64).reshape(count, size)


def levels_db(samples: np.ndarray, rate: int, seconds: float = 0.05) -> np.ndarray:
    """RMS level of consecutive windows, in dBFS (a full-scale sine reads about -3)."""
    frames = _windows(samples, rate, seconds)
    if len(frames) == 0:
        return np.zeros(0)
    rms = np.sqrt(np.mean(frames * frames, axis=1))
    return np.maximum(SILENCE_DB, 20 * np.log10(np.maximum(rms, 1e-12)))


def short_term_db(samples: np.ndarray, rate: int, seconds: float = 0.4, hop: float = 0.1) -> np.ndarray:
    """RMS level of overlapping `seconds` windows every `hop` (short-term loudness, unweighted)."""
    step = levels_db(samples, rate, hop)
    per = max(1, int(round(seconds / hop)))
    if len(step) < per:
        return levels_db(samples, rate, len(samples) / rate) if len(samples) else np.zeros(0)
    power = 10 ** (step / 10)
    kernel = np.ones(per) / per
    return np.maximum(SILENCE_DB, 10 * np.log10(np.maximum(np.convolve(power, kernel, mode="valid"), 1e-12)))


def periodicity(samples: np.ndarray, rate: int, seconds: float = 0.04, low_hz: float = 75.0,
                high_hz: float = 400.0) -> np.ndarray:
    """Per window, the strongest normalised autocorrelation at a voice's pitch period (0..1).

    Voiced speech repeats every pitch period; wind, rain, rumble and clicks do not. The
    autocorrelation is taken of the 100 Hz - 4 kHz band only (masking the power spectrum), so
    low rumble cannot pass for a pitch.
    """
    frames = _windows(np.asarray(samples, dtype=np.float64), rate, seconds)
    if len(frames) == 0:
        return np.zeros(0)
    size = frames.shape[1]
    frames = frames - frames.mean(axis=1, keepdims=True)
    power = np.abs(np.fft.rfft(frames, n=2 * size, axis=1)) ** 2
    freqs = np.fft.rfftfreq(2 * size, 1 / rate)
    power[:, (freqs < 100) | (freqs > 4000)] = 0.0
    auto = np.fft.irfft(power, axis=1)[:, :size]
    lo, hi = int(rate / high_hz), min(size - 1, int(rate / low_hz))
    energy = auto[:, 0]
    lags = np.arange(lo, hi + 1)
    # Unbiased: a lag of tau only overlaps size - tau samples.
    normalised = auto[:, lo : hi + 1] * (size / (size - lags))[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        best = np.where(energy > 0, normalised.max(axis=1) / np.where(energy > 0, energy, 1.0), 0.0)
    return np.clip(best, 0.0, 1.0)


def voice_seconds(samples: np.ndarray, rate: int, seconds: float = 0.04, pitch_above: float = 0.5,
                  over_floor_db: float = 8.0, level_above_db: float = -55.0) -> float:
    """Seconds that sound like a voice: periodic at a pitch and clearly above the clip's background."""
    levels = levels_db(samples, rate, seconds)
    if len(levels) == 0:
        return 0.0
    pitch = periodicity(samples, rate, seconds)[: len(levels)]
    floor = background_db(levels)
    voiced = (pitch > pitch_above) & (levels > floor + over_floor_db) & (levels > level_above_db)
    return float(voiced.sum() * seconds)


def background_db(levels: np.ndarray, percentile: float = 20.0) -> float:
    """The bed under speech and hits: a low percentile of short window levels."""
    levels = np.asarray(levels, dtype=np.float64)
    return float(np.percentile(levels, percentile)) if levels.size else SILENCE_DB


def loudest_db(samples: np.ndarray, rate: int, seconds: float = 0.4) -> float:
    """Level of the loudest short-term window: any sound long enough to hear shows up here."""
    levels = short_term_db(samples, rate, seconds)
    return float(levels.max()) if levels.size else SILENCE_DB


def typical_db(samples: np.ndarray, rate: int, seconds: float = 0.4, percentile: float = 90.0) -> float:
    """A high percentile of short-term levels: how loud the shot mostly gets."""
    levels = short_term_db(samples, rate, seconds)
    return float(np.percentile(levels, percentile)) if levels.size else SILENCE_DB

"""Faults the mock renderer can plant in a real clip, so quality control is tested on real MP4s.

Each fault is a kind (the same names QC reports) with resolved parameters. Picture faults work on
the packed yuv420p frames the mock encodes; sound faults on its float audio. Parameters left out
are drawn from a seeded generator inside documented ranges, so a fault is reproducible per render.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import numpy as np

FAULT_KINDS = ("start_frame_mismatch", "end_frame_mismatch", "visual_jump", "audio_jump", "missing_audio",
               "unexpected_audio", "frozen", "black", "length")
ANCHOR_MODES = ("mirror", "zoom", "shift", "flip")


@dataclass(frozen=True)
class Fault:
    kind: str
    params: dict = field(default_factory=dict)

    def get(self, name: str, default=None):
        return self.params.get(name, default)


def resolve(kind: str, given: dict, seconds: float, rng: random.Random) -> Fault:
    """Fill in every parameter the spec left out (ranges are the README's)."""
    if kind not in FAULT_KINDS:
        raise ValueError(f"unknown mock fault {kind!r} (known: {', '.join(FAULT_KINDS)})")
    p = dict(given)

    def pick(name, low, high):
        if name not in p:
            p[name] = round(rng.uniform(low, high), 3)
        p[name] = float(p[name])

    if kind in ("start_frame_mismatch", "end_frame_mismatch"):
        p.setdefault("mode", rng.choice(ANCHOR_MODES + (("start",) if kind == "end_frame_mismatch" else ())))
        pick("amount", 0.15, 0.4)  # zoom: extra punch-in share; shift: share of the width
    elif kind == "visual_jump":
        pick("tint", 8.0, 30.0)  # chroma offset in 8-bit levels
        pick("angle", 0.0, 360.0)
        pick("exposure", -0.2, 0.2)
    elif kind == "audio_jump":
        pick("gain_db", 8.0, 16.0)
        if "sign" not in p:
            p["sign"] = rng.choice((-1.0, 1.0))
    elif kind == "missing_audio":
        p.setdefault("mode", rng.choice(("voice", "all")))
    elif kind == "unexpected_audio":
        p.setdefault("sound", rng.choice(("voice", "burst")))
        pick("for", 0.8, min(3.0, max(0.9, seconds - 0.4)))
        pick("at", 0.1, max(0.2, seconds - p["for"] - 0.1))
        pick("level_db", -30.0, -12.0)
    elif kind in ("frozen", "black"):
        pick("for", 0.7, min(3.0, max(0.8, seconds * 0.5)))
        pick("at", 0.0, max(0.1, seconds - p["for"]))
        if kind == "black":
            pick("fade", 0.0, 0.6)
    elif kind == "length":
        if "delta" not in p:
            frames = rng.randint(3, 6)
            p["delta"] = round(rng.choice((-1, 1)) * frames / 24, 4)
        p["delta"] = float(p["delta"])
    return Fault(kind, p)


def has(faults, kind: str) -> Fault | None:
    return next((f for f in faults if f.kind == kind), None)


# -- picture ----------------------------------------------------------------------------------------

def wrong_anchor(rgb: np.ndarray, fault: Fault) -> np.ndarray:
    """The picture a render that ignored its anchor starts (or ends) on instead."""
    height, width = rgb.shape[:2]
    mode, amount = fault.get("mode"), float(fault.get("amount", 0.3))
    if mode == "mirror":
        return np.ascontiguousarray(rgb[:, ::-1])
    if mode == "flip":
        return np.ascontiguousarray(rgb[::-1])
    if mode == "shift":
        return np.ascontiguousarray(np.roll(rgb, int(width * amount), axis=1))
    # zoom: punch in on an off-centre part of the picture, scaled back up by nearest pixels.
    crop_w, crop_h = max(2, int(width / (1 + amount))), max(2, int(height / (1 + amount)))
    ys = (np.arange(height) * crop_h // height) + (height - crop_h) // 3
    xs = (np.arange(width) * crop_w // width) + (width - crop_w) * 2 // 3
    return np.ascontiguousarray(rgb[ys][:, xs])


def _lut(gain: float = 1.0, offset: float = 0.0, towards: float | None = None, share: float = 0.0) -> np.ndarray:
    levels = np.arange(256, dtype=np.float32) * gain + offset
    if towards is not None:
        levels = levels * (1 - share) + towards * share
    return np.clip(np.round(levels), 0, 255).astype(np.uint8)


def _planes(packed: np.ndarray, width: int, height: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    flat = packed.reshape(-1)
    y_size, c_size = width * height, (width // 2) * (height // 2)
    return flat[:y_size], flat[y_size : y_size + c_size], flat[y_size + c_size :]


def grade(packed: np.ndarray, width: int, height: int, fault: Fault) -> None:
    """A colour-grade change in place on packed yuv420p: tint (U/V offsets) and exposure (Y gain)."""
    angle = np.deg2rad(float(fault.get("angle", 0.0)))
    tint = float(fault.get("tint", 0.0))
    y, u, v = _planes(packed, width, height)
    # Lookup tables: one pass of integer indexing per plane, cheap enough for every frame.
    y[:] = _lut(gain=1.0 + float(fault.get("exposure", 0.0)))[y]
    u[:] = _lut(offset=tint * np.cos(angle))[u]
    v[:] = _lut(offset=tint * np.sin(angle))[v]


def darken(packed: np.ndarray, width: int, height: int, share: float) -> None:
    """Fade towards video black in place: share 1 is black (Y 16, neutral chroma)."""
    if share <= 0:
        return
    y, u, v = _planes(packed, width, height)
    y[:] = _lut(towards=16.0, share=share)[y]
    chroma = _lut(towards=128.0, share=share)
    u[:] = chroma[u]
    v[:] = chroma[v]


def black_share(fault: Fault, t: float) -> float:
    """How far towards black the picture is at t: fade in, hold, cut back."""
    at, hold, fade = float(fault.get("at", 0)), float(fault.get("for", 1)), float(fault.get("fade", 0))
    if t < at - fade or t >= at + hold:
        return 0.0
    if t < at:
        return (t - (at - fade)) / fade if fade > 0 else 1.0
    return 1.0


# -- sound ------------------------------------------------------------------------------------------

def apply_sound_faults(audio: np.ndarray, voice: np.ndarray, rate: int, faults, extra_voice: np.ndarray | None,
                       rng: np.random.Generator) -> np.ndarray:
    """Audio with dropped, added or re-levelled sound; `voice` is the dialogue alone (same shape)."""
    out = audio.copy()
    missing = has(faults, "missing_audio")
    if missing is not None:
        # "voice": the dialogue is gone, the bed stays; "all": only a faint room tone is left.
        out = out - voice if missing.get("mode") == "voice" else out * 0.0 + rng.normal(0, 0.001, out.shape)
    extra = has(faults, "unexpected_audio")
    if extra is not None:
        start = int(float(extra.get("at", 0)) * rate)
        length = int(float(extra.get("for", 1)) * rate)
        end = min(out.shape[1], start + length)
        gain = 10 ** (float(extra.get("level_db", -20)) / 20)
        if extra.get("sound") == "voice" and extra_voice is not None:
            sound = extra_voice[: end - start]
        else:
            sound = rng.normal(0, 1, end - start) * np.hanning(end - start)
        rms = np.sqrt(np.mean(sound**2)) or 1.0
        out[:, start : start + len(sound)] += sound / rms * gain
    jump = has(faults, "audio_jump")
    if jump is not None:
        out = out * 10 ** (float(jump.get("sign", 1)) * float(jump.get("gain_db", 10)) / 20)
    return np.clip(out, -1.0, 1.0).astype(np.float32)


# -- the RUSHES_MOCK_FAULTS spec --------------------------------------------------------------------

@dataclass(frozen=True)
class FaultSpec:
    """Planted faults per shot code ('*' is every shot) and shares of renders per kind."""

    by_code: tuple[tuple[str, str, dict], ...] = ()
    shares: tuple[tuple[str, float], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.by_code or self.shares)

    def pick(self, code: str, seconds: float, rng: random.Random, variant: int = 1) -> list[Fault]:
        """The faults one render (one variant of it) gets, parameters resolved; at most one of each kind.
        A target `CODE#N` or `*#N` plants in variant N of a several-video render only."""
        chosen: dict[str, dict] = {}
        targets = ("*", code.upper(), f"{code.upper()}#{variant}", f"*#{variant}")
        for target, kind, params in self.by_code:
            if target in targets:
                chosen.setdefault(kind, params)
        for kind, share in self.shares:
            if rng.random() < share:
                chosen.setdefault(kind, {})
        return [resolve(kind, params, seconds, rng) for kind, params in chosen.items()]


def _value(text: str):
    try:
        return float(text)
    except ValueError:
        return text


def parse_fault_spec(text: str | None) -> FaultSpec:
    """`1B:frozen, 2A:black(at=1.5;for=2), *:length(delta=-0.2), 1B#2:frozen, missing_audio=0.1`
    (`#N`: variant N only); raises ValueError."""
    by_code, shares = [], []
    for raw in (text or "").split(","):
        item = raw.strip()
        if not item:
            continue
        if ":" in item.split("(")[0]:
            target, rest = item.split(":", 1)
            kind, params = rest.strip(), {}
            if "(" in kind:
                if not kind.endswith(")"):
                    raise ValueError(f"mock fault {item!r}: parameters go in (name=value;...)")
                kind, inner = kind[:-1].split("(", 1)
                for pair in filter(None, (p.strip() for p in inner.split(";"))):
                    name, _, value = pair.partition("=")
                    if not value:
                        raise ValueError(f"mock fault {item!r}: parameter {pair!r} needs name=value")
                    params[name.strip()] = _value(value.strip())
            kind = kind.strip()
            if kind not in FAULT_KINDS:
                raise ValueError(f"mock fault {item!r}: unknown kind (known: {', '.join(FAULT_KINDS)})")
            by_code.append((target.strip().upper(), kind, params))
        elif "=" in item:
            kind, _, share = item.partition("=")
            kind = kind.strip()
            if kind not in FAULT_KINDS:
                raise ValueError(f"mock fault {item!r}: unknown kind (known: {', '.join(FAULT_KINDS)})")
            fraction = float(share)
            if not 0 <= fraction <= 1:
                raise ValueError(f"mock fault {item!r}: a share is between 0 and 1")
            shares.append((kind, fraction))
        else:
            raise ValueError(f"mock fault {item!r}: write CODE:kind or kind=share")
    return FaultSpec(tuple(by_code), tuple(shares))

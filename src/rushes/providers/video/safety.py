"""Veo's safety-filter support codes, put into plain words for the failed shot (the code is kept).

Vertex reports a filtered render as done with `raiMediaFilteredReasons` whose text ends in
"Support codes: NNNNNNNN". The categories below are Google's documented table (VEO_NOTES.md,
"What is published as of late 2026"); an undocumented code is still shown, as "an unlisted rule".
"""

from __future__ import annotations

import re

CATEGORIES: dict[str, tuple[str, ...]] = {
    "a child in the picture or prompt (child safety)": ("58061214", "17301594"),
    "a celebrity or real public figure": ("29310472", "15236754"),
    "unsafe video content (video safety)": ("64151117", "42237218"),
    "dangerous content": ("62263041",),
    "hateful content": ("57734940", "22137204"),
    "another safety rule": ("74803281", "29578790", "42876398"),
    "prohibited content": ("89371032", "49114662", "63429089", "72817394", "60599140"),
    "someone else's content (copyright or trademark)": ("35561574", "35561575"),
    "sexual content": ("90789179", "43188360"),
    "toxic language": ("78610348",),
    "violence": ("61493863", "56562880"),
    "vulgar language": ("32635315",),
}
SUPPORT_CODES: dict[str, str] = {code: words for words, codes in CATEGORIES.items() for code in codes}
AUDIO_REFUSAL = "issue with the audio"
_CODE = re.compile(r"\b(\d{8})\b")


def support_codes(text: str) -> list[str]:
    """The eight-digit support codes in a filter reason, in order, once each."""
    return list(dict.fromkeys(_CODE.findall(text)))


def plain_reason(reasons: list[str], filtered: int = 1) -> str:
    """What to show on the shot: the categories in words, each with its code, and what to do next."""
    text = " ".join(reasons)
    codes = support_codes(text)
    if codes:
        named: dict[str, list[str]] = {}
        for code in codes:
            named.setdefault(SUPPORT_CODES.get(code, "an unlisted rule"), []).append(code)
        parts = [f"{words} (support code{'s' if len(c) > 1 else ''} {', '.join(c)})" for words, c in named.items()]
        return ("Veo's safety filters refused this shot for " + "; ".join(parts)
                + ". Change the prompt or frames and render again. Veo said: " + text)
    if AUDIO_REFUSAL in text.lower():
        return ("Veo's safety filters refused the audio for this prompt (often a false positive that passes "
                "on a second try): render it again, or render without audio. Veo said: " + text)
    if text:
        return f"Veo's safety filters removed {filtered} video(s): {text}"
    return f"Veo's safety filters removed {filtered} video(s)."

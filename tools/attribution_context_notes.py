"""Write source/notes_train_context.txt: train notes that only make sense with the scene beside them.

Hand-written notes rarely quote the exact line or name the exact look the shot list defines, yet those
are the notes where the scene decides the stage ("'Last one, Theo' is mumbled" → 9, "'Last one,
Theo' should be kinder" → 7, "her red scarf is missing in 3C" → 10, "the red scarf is wrong for
her" → 8). This script draws such notes from the TRAIN scenes only, with many phrasings per intent
and at most a few notes per intent per shot, so no single template dominates. Seeded: re-running it
gives the same file.

Run: python tools/attribution_context_notes.py
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "src" / "rushes" / "data" / "attribution" / "source"

QUOTE_AUDIO = [
    '"{q}" is mumbled', '"{q}" — can\'t make out the words', 'lip sync is off on "{q}"',
    '{name}\'s "{q}" is out of sync with the mouth', '"{q}" is too loud', '"{q}" comes out as a whisper',
    'the voice on "{q}" doesn\'t sound like {name}', '"{q}" is clipped, the last word is cut off',
    '{name} says "{q}" in a weird accent', 'needs ADR on "{q}"', 'music drowns "{q}"',
    '"{q}" has a nasty echo on it', 'the render says something else instead of "{q}"',
    '"{q}" — {name}\'s lips stop moving halfway', 'the delivery of "{q}" is flat, like a robot',
]
QUOTE_STORY = [
    'change "{q}" to something shorter', '{name} wouldn\'t say "{q}", rewrite it',
    '"{q}" is on the nose, cut the line', 'rewrite "{q}" so it sounds like {name}',
    '"{q}" doesn\'t follow from what came before', 'I\'d give "{q}" to the other character',
    '"{q}" explains too much, lose it', 'the script line "{q}" needs a rethink',
    '"{q}" should come later in the scene', 'swap "{q}" with the line after it',
]
QUOTE_TIMING = [
    'hold a beat after "{q}"', 'give "{q}" room to land before the cut', '"{q}" is rushed into the next line',
    'pause before "{q}"', 'we cut away too soon after "{q}"', 'let "{q}" breathe, add a second',
    'the shot runs on too long after "{q}"', 'trim the dead air after "{q}"',
]
LOOK_JUMP = [
    "{name}'s {part} is missing in {code}", "{name} loses the {part} in {code}",
    "the {part} on {name} comes and goes between shots", "{code}: no {part} on {name}, every other shot has it",
    "{name}'s {part} changes on the cut into {code}", "where did {name}'s {part} go in {code}?",
    "{name} has the {part} in one shot and not the next",
]
LOOK_DESIGN = [
    "{name} shouldn't have the {part}, change it for the whole scene",
    "the {part} is wrong for {name}, redo the look", "{name}'s {part} doesn't suit the character, redesign it",
    "lose the {part} from {name}'s look everywhere", "{name} needs a different look: no {part}",
    "rethink {name}'s {part}, it's not the character we talked about",
]
PROP_JUMP = [
    "the {prop} moves between {a} and {b}", "the {prop} is in a different place after the cut",
    "the {prop} vanishes on the cut into {b}", "{b} starts with the {prop} somewhere else",
    "the {prop} changes colour between shots",
]
PROP_DESIGN = [
    "the {prop} looks wrong in every shot, redesign it", "the {prop} should look older everywhere",
    "the {prop} isn't what we designed, fix it scene-wide", "whole scene: the {prop} is the wrong kind",
]
CAMERA_IGNORED = [
    "the {camera} isn't in the render", "asked for {camera}, got something else",
    "{code} should be {camera}, the render ignores it", "no {camera} in {code}, camera does its own thing",
    "render ignores the camera: it should be {camera}",
]
DURATION = [
    "{code} runs {d:g} s, should be about {s:g}", "{code} is {d:g} seconds, way too long",
    "cut {code} down to {s:g} s", "{code} needs to be shorter than {d:g} s",
    "make {code} {l:g} seconds, it's too short", "{code} is over too fast",
]
ACTION_STORY = [
    "why does {who} {act}? no motivation", "{who} {acts} — doesn't make sense here",
    "I don't buy that {who} would {act}", "the beat where {who} {acts} needs a setup",
    "{who} {acts} too early, it should come later in the scene",
]


def _lines(dialogue: str) -> list[tuple[str, str]]:
    out = []
    for raw in dialogue.splitlines():
        name, _, said = raw.partition(":")
        if said.strip():
            out.append((name.strip(), said.strip()))
    return out


def _fragment(rng: random.Random, said: str) -> str:
    words = said.split()
    if len(words) > 5 and rng.random() < 0.5:
        return " ".join(words[: rng.randint(3, len(words) - 1)]).rstrip(",.")
    return said


def _looks(element: dict) -> list[str]:
    parts = [p.strip() for p in element["look"].split(",")]
    return [p for p in parts if not re.search(r"\d|twenties|thirties|forties|fifties|sixties|seventies", p)]


def _verb_phrase(action: str) -> tuple[str, str, str] | None:
    """(subject, base-form phrase, third-person phrase) of the action's first clause."""
    m = re.match(r"^([A-Z][\w ]*?) (\w+s) (.+?)[.;,]", action)
    if not m or m.group(2) in ("is", "has", "was"):
        return None
    who, verb, rest = m.group(1), m.group(2), m.group(3)
    if who.split()[0] in ("She", "He", "They", "Her", "His", "The", "Their"):
        who = who[0].lower() + who[1:]
    base = verb[:-2] if verb.endswith(("shes", "ches", "xes")) else verb[:-1]
    return who, f"{base} {rest}", f"{verb} {rest}"


def generate(seed: int = 15) -> list[str]:
    rng = random.Random(seed)
    scenes = json.loads((SOURCE / "scenes_train.json").read_text(encoding="utf-8"))
    out = ["# GENERATED by tools/attribution_context_notes.py from scenes_train.json; do not edit by hand."]
    for key, scene in scenes.items():
        out += ["", f"= scene {key}", "~ context-bearing (generated)"]
        shots = scene["shots"]
        elements = scene["elements"]
        for i, shot in enumerate(shots):
            code = shot["code"]
            named = lambda text: text if rng.random() < 0.6 else f"{code} {text}"  # noqa: E731
            for name, said in _lines(shot["dialogue"]):
                q = _fragment(rng, said)
                for label, pool, extra in (("A", QUOTE_AUDIO, ""), ("N", QUOTE_STORY, " dlg"), ("T", QUOTE_TIMING, "")):
                    for template in rng.sample(pool, 2 if label == "A" else 1):
                        out.append(f"{label} {code}{extra} | {named(template.format(q=q, name=name))}")
            for element in elements:
                if element["kind"] != "character" or element["name"] not in shot["characters"]:
                    continue
                looks = _looks(element)
                if not looks:
                    continue
                part = rng.choice(looks)
                out.append(f"C {code} | {rng.choice(LOOK_JUMP).format(name=element['name'], part=part, code=code)}")
                if rng.random() < 0.5:
                    part = rng.choice(looks)
                    ref = f"char:{element['name']}"
                    out.append(f"D {code} {ref} | {rng.choice(LOOK_DESIGN).format(name=element['name'], part=part)}")
            props = [e for e in elements if e["kind"] == "prop" and e["name"] in shot["action"]]
            for prop in props:
                if i > 0:
                    a, b = shots[i - 1]["code"], code
                    out.append(f"C {code} +{a} @c | {rng.choice(PROP_JUMP).format(prop=prop['name'], a=a, b=b)}")
                if rng.random() < 0.5:
                    out.append(f"D {code} prop:{prop['name']} | {rng.choice(PROP_DESIGN).format(prop=prop['name'])}")
            camera = shot["camera"].split(",")[-1].strip()
            if rng.random() < 0.7:
                out.append(f"A {code} v | {rng.choice(CAMERA_IGNORED).format(camera=camera, code=code)}")
            d = float(shot["duration"])
            if rng.random() < 0.6:
                out.append(f"T {code} | {rng.choice(DURATION).format(code=code, d=d, s=max(2, d - 2), l=min(8, d + 2))}")
            phrase = _verb_phrase(shot["action"])
            if phrase and rng.random() < 0.7:
                out.append(f"N {code} | {rng.choice(ACTION_STORY).format(who=phrase[0], act=phrase[1], acts=phrase[2])}")
    return out


def main() -> None:
    lines = generate()
    (SOURCE / "notes_train_context.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{sum(1 for line in lines if line[:1] in 'CDATNX' and '|' in line)} notes written")


if __name__ == "__main__":
    main()

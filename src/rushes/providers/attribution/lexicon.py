"""Cue words reviewers use for each kind of fix, including film jargon and common misspellings.

Stems match the start of a lowered token; phrases match inside the lowered note. The classifier
learns how much each group counts: the groups let a word the training notes never used ("ADR",
"hook-up", "voise") share evidence with the ones they did.
"""

from __future__ import annotations

CUE_STEMS: dict[str, tuple[str, ...]] = {
    "jump": ("jump", "pop", "mismatch", "match", "continu", "vanish", "disappear", "dissapear", "dissappear",
             "reappear", "teleport", "switch", "suddenly", "gone", "flip", "hook", "eyeline", "changes",
             "changed", "swaps", "moves", "moved", "differen", "inconsisten", "again", "anymore"),
    "frame": ("frame", "anchor", "pose", "start", "end", "first", "last", "opens", "begin", "already",
              "out-point", "outpoint", "in-point", "final", "position", "ending"),
    "design": ("design", "redesign", "defin", "costume", "wardrobe", "outfit", "dress", "frock", "suit",
               "uniform", "hair", "beard", "moustache", "glasses", "hat", "coat", "jacket", "older", "younger",
               "age", "young", "old", "looks", "look", "style", "styled", "wear", "reference", "ref", "breed",
               "decor", "dressing", "prop", "location", "set", "character"),
    "scenewide": ("always", "whole", "entire", "everywhere", "throughout", "every", "all", "overall",
                  "consistent", "across", "each", "evry", "scene-wide", "scenewide", "general"),
    "should": ("should", "shoud", "must", "meant", "ment", "supposed", "suposed", "need", "needs", "want"),
    "audio": ("line", "says", "said", "say", "lip", "sync", "synch", "mumbl", "audio", "sfx", "sound", "soudn",
              "voice", "voic", "voise", "hear", "ear", "listen", "music", "loud", "quiet", "accent", "whisper",
              "mouth", "noise", "volume", "reverb", "echo", "speak", "pronoun", "silent", "silence", "muffl",
              "inaudible", "adr", "foley", "ambien", "tone", "mix", "level", "db", "clip", "hiss", "hum",
              "buzz", "creak", "click", "tick", "bang", "crackle", "footstep", "squeal", "feedback", "song",
              "track", "drown", "buried", "mic", "delivery", "deliver", "robot", "canned", "laugh", "beep",
              "alarm", "horn", "whistle", "growl", "bark", "thump", "crack", "rain", "wind", "storm", "clank", "rustl",
              "snap", "whirr", "whir", "birdsong", "laughter", "chatter", "murmur", "applause", "ring", "chime",
              "slurr", "shout", "yell", "tone", "barked", "sarcas", "emotion", "inflect", "intonation", "pitch",
              "sounds", "sound", "read", "played", "cheerful", "flat", "gasp", "breathless", "score", "diegetic",
              "hum", "chime", "clink", "scrape"),
    # The camera is a shot-list field (stage 7): angle, framing, lens, movement, coverage.
    "camera": ("camera", "cam", "pan", "push", "dolly", "handheld", "hand-held", "orbit", "focus", "rack", "crane",
               "steadicam", "zoom", "angle", "dutch", "close", "closeup", "wide", "medium", "mcu", "ecu", "ots",
               "framing", "framed", "reframe", "lens", "tilt", "whip", "tracking", "tripod", "gimbal", "locked",
               "static", "drift", "shak", "jitter", "wobbl", "coverage", "overhead", "pov", "headroom",
               "composition", "telephoto", "looser", "tighter", "single", "lower", "higher"),
    # How the video model is asked to render (stage 9 style wording) or misrenders.
    "style": ("prompt", "render", "veo", "saturat", "desaturat", "grade", "graded", "exposure", "grain",
              "overexpos", "blown", "cinematic", "cartoon", "glossy", "sheen", "plastic", "cgi", "commercial",
              "lut", "filmic", "aesthetic", "candy", "muted", "stylis", "styliz", "artefact", "artifact", "glitch",
              "morph", "warp", "melt", "flicker"),
    # Light, colour and time of day: across a cut they are frame continuity (stage 10).
    "light": ("lighting", "lit", "light", "colour", "color", "daylight", "dawn", "dusk", "sunlight", "warm",
              "cold", "amber", "teal", "bright", "darker", "brighter", "tint", "cast", "hue"),
    "pace": ("long", "drag", "rush", "pacing", "pace", "hold", "linger", "short", "quick", "fast", "slow",
             "trim", "tighten", "forever", "sec", "seconds", "pause", "timing", "abrupt", "extend", "split",
             "merge", "rhythm", "faster", "longer", "shorter", "speed", "breath", "breathe", "beat", "dead",
             "lose", "shave", "nip", "overstay", "endless", "ages", "sluggish", "saggy", "slog", "tail", "head",
             "earlier", "sooner", "later", "duration", "time", "wait", "boring", "asleep", "squish", "cram",
             "sit", "sitting", "land"),
    "story": ("order", "motivat", "sense", "sence", "missing", "story", "why", "unclear", "establish",
              "reveal", "reorder", "swap", "before", "after", "logic", "rewrite", "confus", "point", "unearned",
              "goal", "exposition", "setup", "payoff", "understand", "explain", "reason", "context", "plant",
              "block", "coverage", "insert", "reaction", "cliché", "cliche", "twist", "arc", "stakes", "nonsense",
              "contradict", "buy", "believ", "ending", "turn", "intent", "scene", "script", "writing", "say"),
    "praise": ("love", "great", "beautiful", "perfect", "amazing", "stunning", "brilliant", "gorgeous",
               "approved", "nailed", "lovely", "excellent", "awesome", "superb", "fantastic", "bravo",
               "wonderful"),
    "offpipe": ("invoice", "billing", "password", "login", "logged", "download", "export", "upload",
                "browser", "refund", "contract", "meeting", "schedule", "colleague", "invite", "subtitle",
                "socials", "instagram", "currency", "account", "credits", "paying", "crash", "email",
                "accounting", "premiere", "cutdown", "tiktok", "youtube", "episode", "producer"),
}

# Short or common words that only count as a cue when they are the whole token ("app" is not
# "appears", "call" is not "Callum", "off" is not "office").
CUE_WORDS: dict[str, frozenset[str]] = {
    "praise": frozenset({"nice", "fab", "wow", "cute", "good", "yes", "cool", "keep", "moving", "thanks", "thx",
                         "merci", "gracias", "bien", "parfait", "bueno"}),
    "offpipe": frozenset({"app", "site", "page", "button", "call", "bill", "pay", "logo", "vertical", "client",
                          "office", "link", "team", "monday", "tomorrow", "version", "share"}),
    "vague": frozenset({"something", "off", "wrong", "weird", "hmm", "meh", "idk", "dunno", "fix", "redo",
                        "better", "work", "feel", "feels", "not", "this", "it", "eh", "ugh", "whatever", "fine",
                        "ok", "okay", "change", "quite", "there", "sure", "try", "again", "same", "nope"}),
}

CUE_PHRASES: dict[str, tuple[str, ...]] = {
    "frame": ("top of", "head of", "opens with", "opens on", "ends on", "ends with", "starts with", "starts on",
              "at the start", "at the end", "end frame", "start frame", "first frame", "last frame", "final image",
              "last image", "by the end", "from the start", "from the first"),
    "light": ("time of day", "time-of-day", "lit like"),
    "jump": ("on the cut", "between shots", "at the cut", "into the next", "in the previous", "the next shot",
             "the shot after", "the last shot", "the other shots", "every other shot", "from one shot", "in the next", "one shot", "shot to shot", "across the cut",
             "when we cut", "the shot before", "shot before", "other shots", "comes and goes", "hook up",
             "hook-up", "doesn't hook", "screen direction", "crossed the line", "jump cut", "doesn't match",
             "don't match", "not match", "where did", "other hand", "then gone", "in this shot", "now is",
             "is now", "now it is", "before it was", "before was"),
    "scenewide": ("whole scene", "every shot", "all shots", "all the shots", "in all of", "for the scene",
                  "the entire", "all scene", "in all", "every single", "across the scene", "all of them",
                  "all the film", "in every", "scene-wide", "scene wide", "everywhere"),
    "design": ("the look", "her look", "his look", "look we", "the design", "the definition", "redo the look",
               "character look", "doesn't suit", "not the character", "should look", "should be older",
               "should be younger"),
    "audio": ("lip sync", "lipsync", "lip-sync", "can't hear", "cant hear", "cannot hear", "room tone",
              "out of sync", "off mic", "can't make out", "cant make out", "sound effect", "sound design"),
    "camera": ("close-up", "close up", "low angle", "eye level", "two-shot", "shot size", "the angle",
               "locked off", "locked-off", "from below", "from above", "from behind", "a single", "high angle", "shot size", "over the shoulder",
               "over-the-shoulder", "two-shot", "two shot", "pull back", "push in", "rack focus", "locked off",
               "eye-level", "eye level", "the render", "in the render", "the grade"),
    "pace": ("too long", "too short", "too quick", "too fast", "too slow", "to long", "to quick", "cut earlier",
             "cut sooner", "goes on", "a beat", "dead air", "more time", "too much time", "more long",
             "more short", "let it breathe", "come in later", "cut it down", "cut down", "hold on", "hold a",
             "run longer", "runs on", "over before", "over too", "take ages", "takes ages", "for ages"),
    "story": ("doesn't make sense", "doesnt make sense", "makes no sense", "make sense", "missing beat",
              "wrong order", "no motivation", "out of character", "on the nose", "set it up", "set up",
              "not logic", "not clear", "i don't understand", "i not understand", "i am not understand",
              "reaction shot", "missing a beat", "who is", "what is", "should say", "wouldn't say",
              "change the line", "the line should", "rewrite the", "come before", "come after", "should come"),
    "praise": ("no notes", "no changes", "chef's kiss", "10/10", "keep this", "love it", "love this",
               "well done", "nailed it", "good job", "great job"),
    "offpipe": ("dark mode", "log in", "logged me out", "the app", "this page", "the site", "sign up",
                "my account", "the client", "next week", "tomorrow"),
}

# Tokens that are neither words nor shot codes but still carry a note ("10/10", "👍").
PRAISE_SYMBOLS = ("👍", "❤", "🔥", "😍", "👏", "💯", "😂")

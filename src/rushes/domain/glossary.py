"""The words Rushes shows for states, in one place: every page explains them from here (tooltips)."""

from __future__ import annotations

GLOSSARY: dict[str, str] = {
    # artifacts (shots, frames, prompts, clips) and stages
    "fresh": "Fresh: made from exactly the inputs it has now; it is reused at no cost.",
    "stale": "Stale: an input changed since it was made (the shot list, a look, a prompt or a frame); it is "
             "remade, and charged, at the next render.",
    "missing": "Missing: not made yet.",
    "clip missing": "Clip Missing: this take has no clip for the shot (it failed or was cancelled); re-render it.",
    "not started": "Not started: nothing has been made at this stage yet.",
    "locked": "Locked: signed off; edits are refused until it is unlocked, and unlocking says what it would make "
              "stale and what that would cost.",
    "unlocked": "Unlocked: editable; lock it to sign it off.",
    # scene statuses
    "draft": "Draft: the shot list is still being written.",
    "shot list locked": "Shot List Locked: the shots are signed off; visuals, prompts and frames come next.",
    "frames locked": "Frames Locked: every shot has approved anchor frames; the scene can be rendered.",
    "rendering": "Rendering: a take is being rendered; finished shots can already be watched.",
    "ready for review": "Ready for Review: the newest take matches every shot; watch it and pin notes.",
    "complete": "Complete: a take was approved; its last frame is the scene's thumbnail.",
    "outdated": "Outdated: something upstream changed since the last take; re-render the stale shots.",
    "continuity broken": "Continuity Broken: the scene's first start frame no longer continues from the previous "
                         "scene's last frame; redraw it at Stage 10.",
    # render jobs
    "queued": "Queued: waiting for the renderer.",
    "failed": "Failed: the render did not succeed; its credits were refunded. Resubmit it.",
    "cancelled": "Cancelled: stopped before it rendered; refunded.",
    "succeeded": "Rendered.",
    "reused": "Reused: the clip from an earlier take still matches, at no cost.",
    # notes
    "open": "Open: not yet sent to the stage that fixes it.",
    "routed": "Routed: sent to the stage that fixes it; the route's cost statement is kept with it.",
    "addressed": "Addressed: a new clip replaced the one the note was about; check it and resolve the note.",
    "resolved": "Resolved: fixed and closed.",
    "won't fix": "Won't fix: closed without a change.",
    "no route": "No route: the agent could not tell which stage fixes the note; choose one.",
    "override": "Override: the stage or category differs from the agent's proposal.",
}


def explain(word: str) -> str | None:
    return GLOSSARY.get(" ".join(word.lower().replace("_", " ").split()))

"""Stage 10: make anchor frames through the image provider, or take an upload, as new versions."""

from __future__ import annotations

from datetime import timezone, datetime

from sqlalchemy import select, func
from sqlalchemy.orm import Session

from rushes.domain.staleness import SceneAssessment
from rushes.media.probe import probe_image
from rushes.media.store import ext_for_mime
from rushes.providers.image.base import ImageRequest
from rushes.services.snapshot import SceneSnapshot
from rushes.store import models as m

FRAME_KINDS = ("start", "end")


def _next_frame_version(session: Session, shot_id: int, kind: str) -> int:
    current = session.scalar(select(func.max(m.Frame.version)).where(m.Frame.shot_id == shot_id, m.Frame.kind == kind))
    return (current or 0) + 1


def previous_anchor_key(snapshot: SceneSnapshot, shot_id: int) -> str | None:
    """The frame a shot's start continues from: the previous shot's, or the previous scene's last."""
    shots = snapshot.state.shots
    index = next(i for i, s in enumerate(shots) if s.shot_id == shot_id)
    return snapshot.state.incoming_anchor if index == 0 else shots[index - 1].anchor_out


def store_frame(app, session: Session, assessment: SceneAssessment, shot_id: int, kind: str, data: bytes,
                source: str, cost: int = 0, job_id: int | None = None) -> m.Frame:
    """Check an image's content and keep it as the next version of a shot's start or end frame."""
    if kind not in FRAME_KINDS:
        raise ValueError(f"frame kind must be start or end, not {kind!r}")
    image = probe_image(data)
    check = assessment.shot(shot_id)
    expected = check.start if kind == "start" else (check.end or check.start)
    if kind == "end" and check.end is None:
        raise ValueError("this shot is start-frame-only: it has no end frame")
    key = app.media.put(data, ext_for_mime(image.mime))
    frame = m.Frame(shot_id=shot_id, kind=kind, version=_next_frame_version(session, shot_id, kind), media_key=key,
                    mime=image.mime, width=image.width, height=image.height, source=source,
                    inputs=expected.expected_inputs, inputs_digest=expected.expected_digest,
                    cost_credits=cost, job_id=job_id)
    session.add(frame)
    session.flush()
    return frame


def generate_frames(app, session: Session, snapshot: SceneSnapshot, shot_id: int, kinds=FRAME_KINDS,
                    seed: int | None = None, job_id: int | None = None, cost_each: int = 0) -> list[m.Frame]:
    """Draw the requested frames of one shot; the start takes the previous anchor as its reference."""
    check = snapshot.assessment.shot(shot_id)
    made = []
    for kind in kinds:
        if kind == "end" and check.end is None:
            continue
        if kind == "start":
            ref_key = previous_anchor_key(snapshot, shot_id)
        else:
            start = made[0] if made else snapshot.frames.get((shot_id, "start"))
            ref_key = start.media_key if start is not None else None
        reference = app.media.read(ref_key) if ref_key else None
        request = ImageRequest(prompt=check.frame_prompt + (" Closing moment of the action." if kind == "end" else ""),
                               reference=reference, label=f"{check.code} {kind}", seed=seed)
        image = app.images.generate(request)
        made.append(store_frame(app, session, snapshot.assessment, shot_id, kind, image.data, "generated",
                                cost_each, job_id))
    return made


def approve_frames(session: Session, shot_id: int) -> list[m.Frame]:
    """Mark the shot's current frames approved (stage 10 sign-off)."""
    approved = []
    for kind in FRAME_KINDS:
        frame = session.scalar(select(m.Frame).where(m.Frame.shot_id == shot_id, m.Frame.kind == kind)
                               .order_by(m.Frame.version.desc()).limit(1))
        if frame is not None and frame.approved_at is None:
            frame.approved_at = datetime.now(timezone.utc)
            approved.append(frame)
    return approved

"""Stage 10: make anchor frames through the image provider, or take an upload, as new versions."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timezone

from sqlalchemy.orm import Session

from rushes.domain.staleness import SceneAssessment, ShotAssessment
from rushes.media.probe import ImageProbe, probe_image
from rushes.media.store import ext_for_mime
from rushes.providers.image.base import ImageRequest
from rushes.services.snapshot import SceneSnapshot
from rushes.store import frames as store
from rushes.store import models as m

FRAME_KINDS = ("start", "end")


def previous_anchor_key(snapshot: SceneSnapshot, shot_id: int) -> str | None:
    """The frame a shot's start continues from: the previous shot's, or the previous scene's last."""
    shots = snapshot.state.shots
    index = next(i for i, s in enumerate(shots) if s.shot_id == shot_id)
    return snapshot.state.incoming_anchor if index == 0 else shots[index - 1].anchor_out


@dataclass(frozen=True)
class FrameOrder:
    """One frame to draw, with the inputs it is drawn from (captured before the provider call)."""

    shot_id: int
    kind: str
    request: ImageRequest
    inputs: dict
    inputs_digest: str


def frame_values(rushes, shot_id: int, kind: str, data: bytes, source: str, inputs: dict, inputs_digest: str,
                 version: int, cost: int = 0, job_id: int | None = None, sync: bool = True,
                 image: ImageProbe | None = None) -> dict:
    """Check an image (unless `image` says it was), keep its bytes and return its Frame row's values (not yet written)."""
    image = image or probe_image(data)
    key = rushes.media.put(data, ext_for_mime(image.mime), sync=sync)
    return dict(shot_id=shot_id, kind=kind, version=version, media_key=key,
                mime=image.mime, width=image.width, height=image.height, source=source,
                inputs=inputs, inputs_digest=inputs_digest, cost_credits=cost, job_id=job_id)


def _save(rushes, session: Session, shot_id: int, kind: str, data: bytes, source: str, inputs: dict, inputs_digest: str,
          cost: int, job_id: int | None) -> m.Frame:
    return store.add(session, frame_values(rushes, shot_id, kind, data, source, inputs, inputs_digest,
                                           store.next_version(session, shot_id, kind), cost, job_id))


def store_frame(rushes, session: Session, assessment: SceneAssessment, shot_id: int, kind: str, data: bytes,
                source: str, cost: int = 0, job_id: int | None = None) -> m.Frame:
    """Check an image's content and keep it as the next version of a shot's start or end frame."""
    if kind not in FRAME_KINDS:
        raise ValueError(f"frame kind must be start or end, not {kind!r}")
    check = assessment.shot(shot_id)
    if kind == "end" and check.end is None:
        raise ValueError("this shot is start-frame-only: it has no end frame")
    expected = check.start if kind == "start" else check.end
    return _save(rushes, session, shot_id, kind, data, source, expected.expected_inputs, expected.expected_digest, cost, job_id)


def frame_request(check: ShotAssessment, kind: str, reference: bytes | None, seed: int | None = None) -> ImageRequest:
    """The image provider's order for one anchor frame; `reference` is the picture it must continue from."""
    prompt = check.frame_prompt + (" Closing moment of the action." if kind == "end" else "")
    return ImageRequest(prompt=prompt, reference=reference, label=f"{check.code} {kind}", seed=seed)


def frame_orders(rushes, snapshot: SceneSnapshot, shot_id: int, kinds=FRAME_KINDS, seed: int | None = None) -> list[FrameOrder]:
    """What to ask the image provider for; the start takes the previous anchor frame as its reference."""
    check = snapshot.assessment.shot(shot_id)
    orders = []
    for kind in kinds:
        if kind not in FRAME_KINDS:
            raise ValueError(f"frame kind must be start or end, not {kind!r}")
        if kind == "end" and check.end is None:
            continue
        if kind == "start":
            ref_key = previous_anchor_key(snapshot, shot_id)
        else:
            start = snapshot.frames.get((shot_id, "start"))
            ref_key = start.media_key if start is not None else None
        expected = check.start if kind == "start" else check.end
        request = frame_request(check, kind, rushes.media.read(ref_key) if ref_key else None, seed)
        orders.append(FrameOrder(shot_id, kind, request, expected.expected_inputs, expected.expected_digest))
    return orders


def draw_frames(rushes, orders: list[FrameOrder]) -> list[tuple[FrameOrder, bytes]]:
    """Call the image provider; a fresh start frame becomes the end frame's reference."""
    drawn = []
    new_start = None
    for order in orders:
        request = order.request
        if order.kind == "end" and new_start is not None:
            request = replace(request, reference=new_start)
        data = rushes.images.generate(request).data
        if order.kind == "start":
            new_start = data
        drawn.append((order, data))
    return drawn


def save_frames(rushes, session: Session, drawn: list[tuple[FrameOrder, bytes]], source: str = "generated",
                cost_each: int = 0, job_id: int | None = None) -> list[m.Frame]:
    return [_save(rushes, session, o.shot_id, o.kind, data, source, o.inputs, o.inputs_digest, cost_each, job_id)
            for o, data in drawn]


def generate_frames(rushes, session: Session, snapshot: SceneSnapshot, shot_id: int, kinds=FRAME_KINDS,
                    seed: int | None = None) -> list[m.Frame]:
    """Draw and keep frames now (import and demo); the worker splits this around the provider call."""
    return save_frames(rushes, session, draw_frames(rushes, frame_orders(rushes, snapshot, shot_id, kinds, seed)))


def approve_frames(session: Session, shot_id: int) -> list[m.Frame]:
    """Mark the shot's current frames approved (stage 10 sign-off)."""
    approved = []
    for kind in FRAME_KINDS:
        frame = store.latest(session, shot_id, kind)
        if frame is not None and frame.approved_at is None:
            frame.approved_at = datetime.now(timezone.utc)
            approved.append(frame)
    return approved


def newest_job_view(session: Session, shot_id: int) -> dict:
    """The shot's newest frames job, so a reloaded Stage 10 page picks its progress up again."""
    job = store.newest_frames_job(session, shot_id)
    if job is None:
        return {"job": None}
    return {"job": {"id": job.id, "state": job.state, "progress": job.progress, "error": job.error,
                    "kinds": (job.payload or {}).get("kinds", []), "finished": job.finished_at is not None,
                    "cost_credits": job.cost_credits}}

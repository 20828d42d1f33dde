"""Check a finished render with PyAV, keep it content-addressed with its poster and strip, end the job."""

from __future__ import annotations

from sqlalchemy import func, select

from rushes.jobs.queue import end_job
from rushes.media.fragment import fragment_mp4
from rushes.media.probe import MediaError, probe_clip, validate_clip
from rushes.media.thumbs import poster_jpeg, thumbnail_strip
from rushes.services.review import mark_addressed
from rushes.store import models as m


def collect_clip(rushes, job_id: int, owner: str, video: bytes) -> None:
    from rushes.jobs.steps import locked_job

    with rushes.db.session() as session:
        payload = dict(locked_job(session, job_id, owner).payload)
    try:
        probe = probe_clip(video)
        validate_clip(probe, float(payload["render_seconds"]), require_audio=payload["render"]["generate_audio"])
        poster = poster_jpeg(video)
        strip, strip_meta = thumbnail_strip(video, count=8)
        # Stored fragmented: the player appends it to Media Source Extensions; plain <video> plays it too.
        video = fragment_mp4(video)
    except MediaError as err:
        with rushes.db.session() as session:
            end_job(session, locked_job(session, job_id, owner), "failed",
                    f"the provider returned an unusable clip: {err.reason}", "corrupt", refund=True)
        return
    media_key = rushes.media.put(video, "mp4")
    poster_key = rushes.media.put(poster, "jpg")
    strip_key = rushes.media.put(strip, "jpg")
    with rushes.db.session() as session:
        job = locked_job(session, job_id, owner)
        version = (session.scalar(select(func.max(m.Clip.version)).where(m.Clip.shot_id == job.shot_id)) or 0) + 1
        render = payload["render"]
        clip = m.Clip(shot_id=job.shot_id, version=version, media_key=media_key, poster_key=poster_key,
                      strip_key=strip_key, strip_meta=strip_meta, duration=probe.duration_seconds, fps=probe.fps,
                      width=probe.width, height=probe.height, provider=rushes.settings.video_provider,
                      model=render["model"], inputs=payload["inputs"], inputs_digest=payload["inputs_digest"],
                      cost_credits=job.cost_credits, job_id=job.id)
        session.add(clip)
        session.flush()
        job.progress = 1.0
        if job.cancel_requested:
            _keep_after_cancel(session, job, clip)
            return
        slot = session.scalar(select(m.TakeSlot).where(m.TakeSlot.job_id == job.id))
        if slot is not None:
            slot.clip_id = clip.id
        mark_addressed(session, job.shot_id, clip)
        end_job(session, job, "succeeded")


def _keep_after_cancel(session, job: m.RenderJob, clip: m.Clip) -> None:
    """A render paid for before its take was cancelled: keep the clip as a version, say so in the ledger.

    The charge stands (the provider billed the render and the clip exists); it is not attached to
    the cancelled take, and the next take whose inputs digest matches reuses it at no cost.
    """
    code = (job.payload or {}).get("code", "")
    take = session.get(m.Take, job.take_id) if job.take_id else None
    memo = (f"kept {code} v{clip.version}: it arrived after take {take.number if take else '?'} was cancelled; "
            f"the {job.cost_credits}-credit charge stands and a later take with the same inputs reuses it free")
    session.add(m.LedgerEntry(account_id=job.account_id, amount=0, kind="kept", take_id=job.take_id, job_id=job.id,
                              memo=memo[:500]))
    end_job(session, job, "cancelled", f"take cancelled while rendering; the clip was kept as {code} v{clip.version}")

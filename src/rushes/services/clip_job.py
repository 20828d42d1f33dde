"""The clip render task: the worker's steps (rushes.jobs.steps), then this feature's collection: check
the video with PyAV, keep it content-addressed with its poster and strip, make it the select, end the job."""

from __future__ import annotations

from rushes.domain.jobs import JobKind, JobState
from rushes.domain.ledger import LedgerKind
from rushes.jobs.port import JobRecord
from rushes.jobs.queue import end_job
from rushes.jobs.registry import task
from rushes.jobs.steps import locked_job, step_clip
from rushes.media.fragment import fragment_mp4
from rushes.media.probe import MediaError, probe_clip, validate_clip
from rushes.media.thumbs import poster_jpeg, thumbnail_strip
from rushes.media.waveform import clip_peaks, peaks_json
from rushes.providers.video.base import OperationStatus
from rushes.services.collect_draws import collect_draws
from rushes.services.draws import has_select, make_select, mark_addressed
from rushes.store import clips as clip_store
from rushes.store import job_queue as job_rows
from rushes.store import ledger
from rushes.store import models as m
from rushes.store import takes as take_store


@task(JobKind.CLIP)
def work_clip(rushes, job: JobRecord, owner: str) -> None:
    step_clip(rushes, job, owner, collect_render)


def collect_render(rushes, job_id: int, owner: str, status: OperationStatus) -> None:
    """A finished render: one video becomes the shot's new clip; several (or a filtered one) are draws."""
    with rushes.db.session() as session:
        payload = dict(job_rows.job(session, job_id).payload or {})
    if int(payload.get("variants", 1)) > 1 or status.filtered:
        collect_draws(rushes, job_id, owner, status, payload)
        return
    collect_clip(rushes, job_id, owner, status.video or b"")


def collect_clip(rushes, job_id: int, owner: str, video: bytes) -> None:
    with rushes.db.session() as session:
        payload = dict(locked_job(session, job_id, owner).payload)
    try:
        probe = probe_clip(video)
        validate_clip(probe, float(payload["render_seconds"]), require_audio=payload["render"]["generate_audio"])
        poster = poster_jpeg(video)
        strip, strip_meta = thumbnail_strip(video, count=8)
        peaks = peaks_json(clip_peaks(video))  # once per clip: the timeline's waveform reads it
        # Stored fragmented: the player appends it to Media Source Extensions; plain <video> plays it too.
        video = fragment_mp4(video)
    except MediaError as err:
        with rushes.db.session() as session:
            end_job(session, locked_job(session, job_id, owner), JobState.FAILED,
                    f"the provider returned an unusable clip: {err.reason}", "corrupt", refund=True)
        return
    media_key = rushes.media.put(video, "mp4")
    poster_key = rushes.media.put(poster, "jpg")
    strip_key = rushes.media.put(strip, "jpg")
    waveform_key = rushes.media.put(peaks, "json")
    with rushes.db.session() as session:
        job = locked_job(session, job_id, owner)
        version = clip_store.last_version(session, job.shot_id) + 1
        render = payload["render"]
        clip = m.Clip(shot_id=job.shot_id, version=version, media_key=media_key, poster_key=poster_key,
                      strip_key=strip_key, strip_meta=strip_meta, waveform_key=waveform_key, duration=probe.duration_seconds, fps=probe.fps,
                      width=probe.width, height=probe.height, provider=rushes.settings.video_provider,
                      model=render["model"], inputs=payload["inputs"], inputs_digest=payload["inputs_digest"],
                      cost_credits=job.cost_credits, job_id=job.id, take_id=job.take_id, variant=1,
                      seed=payload.get("seed"))
        session.add(clip)
        session.flush()
        job.progress = 1.0
        if job.cancel_requested:
            if not has_select(session, clip.shot_id, clip.inputs_digest):
                make_select(session, clip)
            _keep_after_cancel(session, job, clip)
            return
        slot = take_store.slot_of_job(session, job.id)
        if slot is not None:
            slot.clip_id = clip.id
        # The newest draw of the shot's inputs is what the filmmaker asked for: it becomes the select.
        make_select(session, clip)
        mark_addressed(session, job.shot_id, clip)
        end_job(session, job, JobState.SUCCEEDED)


def _keep_after_cancel(session, job: m.RenderJob, clip: m.Clip) -> None:
    """A render paid for before its take was cancelled: keep the clip as a version, say so in the ledger.

    The charge stands (the provider billed the render and the clip exists); it is not attached to
    the cancelled take, and the next take whose inputs digest matches reuses it at no cost.
    """
    code = (job.payload or {}).get("code", "")
    take = take_store.take(session, job.take_id) if job.take_id else None
    memo = (f"kept {code} v{clip.version}: it arrived after take {take.number if take else '?'} was cancelled; "
            f"the {job.cost_credits}-credit charge stands and a later take with the same inputs reuses it free")
    ledger.record(session, job.account_id, LedgerKind.KEPT, 0, take_id=job.take_id, job_id=job.id, memo=memo[:500])
    end_job(session, job, JobState.CANCELLED, f"take cancelled while rendering; the clip was kept as {code} v{clip.version}")

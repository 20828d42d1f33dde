"""Collect a several-video render: keep every usable variant as a clip, refund each one the safety filter
removed or that came back unusable (once per variant), rank the rest by QC and make the best the select."""

from __future__ import annotations

import logging
import time
from typing import Any

from sqlalchemy.exc import IntegrityError

from rushes.domain.draws import VariantSummary, rank_variants
from rushes.domain.jobs import JobState
from rushes.domain.ledger import LedgerKind
from rushes.jobs.queue import end_job
from rushes.jobs.steps import locked_job
from rushes.media.fragment import fragment_mp4
from rushes.media.probe import MediaError, probe_clip, validate_clip
from rushes.media.thumbs import poster_jpeg, thumbnail_strip
from rushes.providers.video.base import OperationStatus
from rushes.services.draws import follow_shot, has_select, make_select, summarize_variant
from rushes.store import clips as clip_store
from rushes.store import ledger
from rushes.store import models as m
from rushes.store import takes as take_store

log = logging.getLogger("rushes.worker")


def _prepare(rushes, video: bytes, payload: dict) -> dict | str:
    """The stored media of one variant, or why it is unusable."""
    try:
        probe = probe_clip(video)
        validate_clip(probe, float(payload["render_seconds"]), require_audio=payload["render"]["generate_audio"])
        poster = poster_jpeg(video)
        strip, strip_meta = thumbnail_strip(video, count=8)
        stored = fragment_mp4(video)
    except MediaError as err:
        return err.reason
    return {"probe": probe, "media_key": rushes.media.put(stored, "mp4"), "poster_key": rushes.media.put(poster, "jpg"),
            "strip_key": rushes.media.put(strip, "jpg"), "strip_meta": strip_meta, "raw": video}


def refund_variant(session, job: m.RenderJob, variant: int, amount: int, memo: str) -> bool:
    """One variant's price back; uq_ledger_job_variant_kind makes a second refund of it impossible."""
    if amount <= 0:
        return False
    if ledger.refunded(session, job.id, variant):
        return False
    try:
        with session.begin_nested():
            ledger.record(session, job.account_id, LedgerKind.REFUND, amount, take_id=job.take_id, job_id=job.id,
                          variant=variant, memo=memo[:500])
    except IntegrityError:
        return False
    return True


def collect_draws(rushes, job_id: int, owner: str, status: OperationStatus, payload: dict) -> None:
    landed = time.time()  # the last variant is in: from here to the ranked select is what the bench measures
    asked = max(1, int(payload.get("variants", 1)))
    unit = int(payload.get("unit_credits") or 0)
    code = payload.get("code", "")
    kept: list[tuple[int, Any]] = []  # (variant, its prepared clip)
    lost: list[tuple[int, Any]] = []  # (variant, why it is unusable)
    for index, video in enumerate(status.delivered, start=1):
        prepared = _prepare(rushes, video, payload) if video else "the provider returned an empty video"
        (lost if isinstance(prepared, str) else kept).append((index, prepared))
    filtered = max(0, asked - len(status.delivered))
    if not kept:
        reason = "; ".join(status.filtered_reasons) or "Veo's safety filters removed every video"
        if lost:
            reason = f"the provider returned no usable video: {lost[0][1]}"
        with rushes.db.session() as session:
            end_job(session, locked_job(session, job_id, owner), JobState.FAILED, reason,
                    "corrupt" if lost and not filtered else "safety", refund=True)
        return
    # QC looks at each variant alone, outside any transaction; the ranking decides the default select.
    summaries = {}
    for index, prepared in kept:
        try:
            summaries[index] = summarize_variant(rushes, index, prepared["raw"], payload)
        except Exception as err:  # a variant QC cannot read ranks last rather than failing a paid render
            log.warning("job %s variant %s: QC could not check it: %s", job_id, index, err)
            summaries[index] = VariantSummary(index, ({"kind": "unreadable", "measure": 0.0, "threshold": 0.0,
                                                       "message": str(err)[:200]},), None)
    order = rank_variants(summaries.values())
    rank = {s.variant: place for place, s in enumerate(order, start=1)}
    with rushes.db.session() as session:
        job = locked_job(session, job_id, owner)
        version = clip_store.last_version(session, job.shot_id)
        clips = {}
        for index, prepared in kept:
            version += 1
            probe = prepared["probe"]
            clip = m.Clip(shot_id=job.shot_id, version=version, media_key=prepared["media_key"],
                          poster_key=prepared["poster_key"], strip_key=prepared["strip_key"],
                          strip_meta=prepared["strip_meta"], duration=probe.duration_seconds, fps=probe.fps,
                          width=probe.width, height=probe.height, provider=rushes.settings.video_provider,
                          model=payload["render"]["model"], inputs=payload["inputs"],
                          inputs_digest=payload["inputs_digest"], cost_credits=unit, job_id=None,
                          take_id=job.take_id, variant=index, seed=payload.get("seed"),  # the seed sent; variant tells them apart
                          rank=rank[index], qc={**summaries[index].as_dict(), "ranked_at": time.time(),
                                                "qc_seconds": summaries[index].seconds})
            session.add(clip)
            clips[index] = clip
        session.flush()
        best = clips[order[0].variant]
        best.job_id = job.id  # the job's clip (uq_clip_job) is the one the take's slot cuts in
        for index, reason in lost:
            refund_variant(session, job, index, unit, f"refund {code} variant {index}: unusable ({reason})")
        for n in range(filtered):
            variant = len(status.delivered) + n + 1
            refund_variant(session, job, variant, unit,
                           f"refund {code} variant {variant}: removed by the provider's safety filter")
        job.progress = 1.0
        job.payload = {**job.payload, "kept": len(kept), "filtered": filtered, "unusable": len(lost),
                       "landed_at": landed, "selected_at": time.time()}
        if job.cancel_requested:
            if not has_select(session, best.shot_id, best.inputs_digest):
                make_select(session, best)
            ledger.record(session, job.account_id, LedgerKind.KEPT, 0, take_id=job.take_id, job_id=job.id,
                          memo=f"kept {len(kept)} variants of {code} after a cancel")
            end_job(session, job, JobState.CANCELLED, "take cancelled while rendering; the variants were kept")
            return
        slot = take_store.slot_of_job(session, job.id)
        if slot is not None:
            slot.clip_id = best.id
        if make_select(session, best):
            follow_shot(session, job.shot_id, best)
        end_job(session, job, JobState.SUCCEEDED)
    log.info("job %s: %d variants kept, %d filtered, %d unusable; select v%s", job_id, len(kept), filtered,
             len(lost), best.version)

"""The job vocabulary: what a job does (its kind) and where it is in its life (its state)."""

from __future__ import annotations

from enum import StrEnum


class JobKind(StrEnum):
    CLIP = "clip"        # one shot's clip from the video provider
    FRAMES = "frames"    # a shot's start and/or end anchor frames from the image provider
    QC = "qc"            # the automatic checks of a finished take
    EXPORT = "export"    # a scene's cut written out as a file
    FILM = "film"        # the whole film's cut written out as a file


class JobState(StrEnum):
    QUEUED = "queued"
    SUBMITTING = "submitting"  # the provider call is in flight; it is not idempotent (see VEO_NOTES)
    RENDERING = "rendering"    # the provider accepted it; we poll its operation
    ATTENTION = "attention"    # a submit went unconfirmed: the filmmaker resubmits or abandons (never claimed)
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


ACTIVE_JOB_STATES: tuple[JobState, ...] = (JobState.QUEUED, JobState.SUBMITTING, JobState.RENDERING)
ENDED_JOB_STATES: tuple[JobState, ...] = (JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED)

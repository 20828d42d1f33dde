"""The provider quota shared by every worker process: one locked row per provider in the database.

Only submissions are paced. Vertex AI's Veo quota ("requests per minute per project per base
model") counts `predictLongRunning` calls, the renders themselves; polling an operation
(`fetchPredictOperation`) draws on the much larger general online-prediction quota, and a poll is
cheap to repeat, so polls are not paced here (a poll's 429 simply backs off like any transient error).
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rushes.domain.quota import Bucket, Pace, answered, ask, forget, refused_for_quota
from rushes.store import models as m


class SubmitLimiter:
    """Paces one provider's submissions; every method runs inside the caller's transaction."""

    def __init__(self, provider: str, pace: Pace) -> None:
        self.provider = provider
        self.pace = pace

    def _row(self, session: Session) -> m.ProviderQuota:
        # FOR UPDATE on PostgreSQL; on SQLite the transaction already began IMMEDIATE (the only writer).
        row = session.get(m.ProviderQuota, self.provider, with_for_update=True)
        if row is not None:
            return row
        try:
            with session.begin_nested():
                session.add(m.ProviderQuota(provider=self.provider, slots=[], backoff_until=0.0, updated_at=0.0))
        except IntegrityError:
            pass  # another worker created it first; lock theirs
        return session.get_one(m.ProviderQuota, self.provider, with_for_update=True, populate_existing=True)

    def _save(self, row: m.ProviderQuota, bucket: Bucket, now: float) -> None:
        row.slots = bucket.to_json()
        row.backoff_until = bucket.backoff_until
        row.updated_at = now

    def take(self, session: Session, job_id: int, now: float) -> float:
        """The time this job may submit: `now` means go (its slot is marked sending), later means wait."""
        row = self._row(session)
        bucket, at = ask(Bucket.from_json(row.slots, row.backoff_until), self.pace, job_id, now)
        self._save(row, bucket, now)
        return at

    def answered(self, session: Session, job_id: int, now: float) -> None:
        row = self._row(session)
        self._save(row, answered(Bucket.from_json(row.slots, row.backoff_until), job_id, now), now)

    def refused(self, session: Session, job_id: int, now: float, retry_after: float | None) -> float:
        """A 429: hold every submission back, and keep this job first in line; returns its new time."""
        row = self._row(session)
        bucket, at = refused_for_quota(Bucket.from_json(row.slots, row.backoff_until), self.pace, job_id, now,
                                       retry_after)
        self._save(row, bucket, now)
        return at

    def forget(self, session: Session, job_id: int, now: float) -> None:
        row = self._row(session)
        self._save(row, forget(Bucket.from_json(row.slots, row.backoff_until), job_id), now)


def limiter_for(settings) -> SubmitLimiter | None:
    """The Veo limiter when renders go to Veo and a quota is set (0 = the gateway paces for us)."""
    if settings.video_provider != "veo" or settings.veo_rate_per_minute <= 0:
        return None
    return SubmitLimiter("veo", Pace(settings.veo_rate_per_minute, settings.veo_rate_window_seconds))

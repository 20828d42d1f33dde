"""Prometheus metrics: events counted where they happen, states read from the database at scrape time.

Counters and histograms live in this process, or, when PROMETHEUS_MULTIPROC_DIR is set before the
process starts, in files there that every `rushes serve` / `rushes worker` process on the host shares
(the scrape then adds them up). Queue depth, live workers, credits and QC findings are read from the
database on each scrape instead: one truth for the whole fleet, whichever process answers.
"""

from __future__ import annotations

import os
import time

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from rushes.domain.jobs import JobKind, JobState

# Own registry: the metrics below, nothing of the default process collectors (meaningless summed
# across processes).
REGISTRY = CollectorRegistry(auto_describe=True)

RENDERS_SUBMITTED = Counter("rushes_renders_submitted", "Renders accepted by the video provider.",
                            ["model"], registry=REGISTRY)
RENDER_VARIANTS = Counter("rushes_render_variants", "Videos asked for across accepted renders (variants).",
                          ["model"], registry=REGISTRY)
RENDERS_FINISHED = Counter("rushes_renders_finished", "Render jobs ended, by state and reason.",
                           ["state", "reason"], registry=REGISTRY)
PROVIDER_429 = Counter("rushes_provider_quota_refusals", "429 RESOURCE_EXHAUSTED answers from a provider.",
                       ["provider", "call"], registry=REGISTRY)
JOB_STEP_SECONDS = Histogram("rushes_job_step_seconds", "Time a worker spent on one step of a job.",
                             ["kind", "step"], registry=REGISTRY,
                             buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120))
JOB_SECONDS = Histogram("rushes_job_seconds", "Time from a job's creation to its end.", ["kind", "state"],
                        registry=REGISTRY, buckets=(1, 5, 15, 30, 60, 120, 300, 600, 1200, 3600))
HTTP_SECONDS = Histogram("rushes_http_request_seconds", "HTTP request latency by route template.",
                         ["method", "route", "status"], registry=REGISTRY,
                         buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class DatabaseCollector:
    """Fleet-wide state, read at scrape time (one short transaction)."""

    def __init__(self, rushes) -> None:
        self.rushes = rushes

    def collect(self):
        from rushes.store.operations import ledger_totals, live_workers, qc_findings_by_kind, queue_facts

        settings = self.rushes.settings
        # The reader: a scrape never takes SQLite's write lock or a connection from the request pool.
        with self.rushes.db.read_session() as session:
            t = time.time()
            facts = queue_facts(session, t)
            workers = live_workers(session, t, settings.worker_stale_seconds)
            charged, refunded = ledger_totals(session)
            findings = qc_findings_by_kind(session)
        queue = GaugeMetricFamily("rushes_jobs", "Open jobs by where they stand.", labels=["standing"])
        for standing in ("due", "held", "waiting", "attention"):
            queue.add_metric([standing], getattr(facts, standing))
        yield queue
        yield GaugeMetricFamily("rushes_oldest_due_job_seconds", "How long the longest-waiting due job has waited.",
                                value=facts.oldest_due_seconds)
        yield GaugeMetricFamily("rushes_workers_live", "Worker processes with a fresh heartbeat.", value=len(workers))
        credits = CounterMetricFamily("rushes_credits", "Credits moved through the ledger.", labels=["kind"])
        credits.add_metric(["charged"], charged)
        credits.add_metric(["refunded"], refunded)
        yield credits
        qc = CounterMetricFamily("rushes_qc_findings", "Quality-control findings recorded, by kind.", labels=["kind"])
        for kind, count in findings:
            qc.add_metric([kind], count)
        yield qc


def exposition(rushes) -> bytes:
    """The text a Prometheus scrape gets."""
    if multiprocess_dir():
        from prometheus_client import multiprocess

        events = CollectorRegistry()
        multiprocess.MultiProcessCollector(events)
    else:
        events = REGISTRY
    fleet = CollectorRegistry()
    fleet.register(DatabaseCollector(rushes))
    return generate_latest(events) + generate_latest(fleet)


def after_commit(session, action) -> None:
    """Run `action` once the session's transaction commits (never for one that rolls back)."""
    session.info.setdefault(_PENDING, []).append(action)


_PENDING = "rushes_metrics_after_commit"


def _install_session_hooks() -> None:
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    @event.listens_for(Session, "after_commit")
    def _committed(session) -> None:
        for action in session.info.pop(_PENDING, []):
            try:
                action()
            except Exception:  # noqa: BLE001 - a metric must never break a transaction's caller
                pass

    @event.listens_for(Session, "after_rollback")
    def _rolled_back(session) -> None:
        session.info.pop(_PENDING, None)


_install_session_hooks()


def observe_job_end(job) -> None:
    """Count a job's end (called once per job, after the transaction that ended it)."""
    reason = job.error_kind or ("" if job.state == JobState.SUCCEEDED else job.state)
    if job.kind == JobKind.CLIP:
        RENDERS_FINISHED.labels(job.state, reason).inc()
    created = _epoch(getattr(job, "created_at", None))
    if created is not None:
        JOB_SECONDS.labels(job.kind, job.state).observe(max(0.0, time.time() - created))


def _epoch(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    from datetime import timezone

    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.timestamp()

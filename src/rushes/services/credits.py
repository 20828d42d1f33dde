"""The credits page: the balance and every ledger row, named in film terms (which scene, take and shot it paid for)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from rushes.services.accounts import balance
from rushes.store import models as m

KIND_LABELS = {"grant": "Credits added", "charge": "Charged", "refund": "Refunded"}


def credits_view(session: Session, account: m.Account, limit: int = 500) -> dict:
    """Newest first; each row links to its take's review and, for a job, to the shot's history."""
    entries = list(session.scalars(select(m.LedgerEntry).where(m.LedgerEntry.account_id == account.id)
                                   .order_by(m.LedgerEntry.id.desc()).limit(limit)))
    job_ids = {e.job_id for e in entries if e.job_id}
    take_ids = {e.take_id for e in entries if e.take_id}
    jobs = {j.id: j for j in session.scalars(select(m.RenderJob).where(m.RenderJob.id.in_(job_ids)))} if job_ids else {}
    take_ids |= {j.take_id for j in jobs.values() if j.take_id}
    takes = {t.id: t for t in session.scalars(select(m.Take).where(m.Take.id.in_(take_ids)))} if take_ids else {}
    shot_ids = {j.shot_id for j in jobs.values()}
    codes = {}
    if shot_ids:
        # The code the shot had most recently (codes can change; the history page shows the rest).
        for version in session.scalars(select(m.ShotVersion).where(m.ShotVersion.shot_id.in_(shot_ids))
                                       .order_by(m.ShotVersion.version)):
            codes[version.shot_id] = version.code
    scene_ids = {t.scene_id for t in takes.values()} | {j.scene_id for j in jobs.values()}
    scenes = {s.id: s for s in session.scalars(select(m.Scene).where(m.Scene.id.in_(scene_ids)))} if scene_ids else {}
    rows = []
    for e in entries:
        job = jobs.get(e.job_id)
        take = takes.get(e.take_id or (job.take_id if job else None))
        scene = scenes.get(take.scene_id if take else job.scene_id if job else None)
        rows.append({
            "id": e.id, "when": e.created_at, "kind": e.kind, "label": KIND_LABELS.get(e.kind, e.kind), "amount": e.amount,
            "memo": e.memo,
            "what": ("frames" if job.kind == "frames" else "clip") if job else ("take" if take else ""),
            "scene": {"number": scene.number, "title": scene.title, "url": f"/scenes/{scene.id}"} if scene else None,
            "take": {"number": take.number, "url": f"/scenes/{take.scene_id}/review?take={take.id}"} if take else None,
            "shot": {"code": codes.get(job.shot_id, "?"), "url": f"/shots/{job.shot_id}/history"} if job else None,
        })
    spent = -sum(r["amount"] for r in rows if r["kind"] == "charge")
    refunded = sum(r["amount"] for r in rows if r["kind"] == "refund")
    return {"balance": balance(session, account.id), "rows": rows, "spent": spent, "refunded": refunded,
            "granted": sum(r["amount"] for r in rows if r["kind"] == "grant")}

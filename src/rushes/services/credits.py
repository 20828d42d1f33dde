"""The credits page: the balance and every ledger row, named in film terms (which scene, take and shot it paid for)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from rushes.domain.ledger import LedgerKind
from rushes.services.accounts import balance
from rushes.store import ledger
from rushes.store import models as m

KIND_LABELS = {LedgerKind.GRANT: "Credits added", LedgerKind.CHARGE: "Charged", LedgerKind.REFUND: "Refunded"}


def credits_view(session: Session, account: m.Account, limit: int = 500) -> dict:
    """Newest first; each row links to its take's review and, for a job, to the shot's history."""
    entries = ledger.entries(session, account.id, limit)
    context = ledger.row_context(session, entries)
    jobs, takes, scenes, codes, emails = context.jobs, context.takes, context.scenes, context.shot_codes, context.emails
    rows = []
    for e in entries:
        job = jobs.get(e.job_id)
        take = takes.get(e.take_id or (job.take_id if job else None))
        scene = scenes.get(take.scene_id if take else job.scene_id if job else None)
        rows.append({
            "id": e.id, "when": e.created_at, "kind": e.kind, "label": KIND_LABELS.get(e.kind, e.kind), "amount": e.amount,  # type: ignore[call-overload]  # SQLAlchemy's loose row/result typing
            "memo": e.memo, "by": emails.get(e.user_id),
            "what": ("frames" if job.kind == "frames" else "clip") if job else ("take" if take else ""),
            "scene": {"number": scene.number, "title": scene.title, "url": f"/scenes/{scene.id}"} if scene else None,
            "take": {"number": take.number, "url": f"/scenes/{take.scene_id}/review?take={take.id}"} if take else None,
            "shot": {"code": codes.get(job.shot_id, "?"), "url": f"/shots/{job.shot_id}/history"} if job else None,
        })
    spent = -sum(r["amount"] for r in rows if r["kind"] == LedgerKind.CHARGE)
    refunded = sum(r["amount"] for r in rows if r["kind"] == LedgerKind.REFUND)
    from rushes.services.budgets import studio_budgets

    return {"balance": balance(session, account.id), "rows": rows, "spent": spent, "refunded": refunded,
            "granted": sum(r["amount"] for r in rows if r["kind"] == LedgerKind.GRANT), "studio_id": account.id,
            "projects": studio_budgets(session, account.id)}

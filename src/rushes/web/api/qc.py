"""Quality control API: a take's QC status and findings; accept a finding as a note, or dismiss it."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from sqlalchemy.orm import Session

from rushes.services import qc
from rushes.bootstrap import Rushes
from rushes.web.deps import get_rushes, get_session
from rushes.web.schemas import EntityId
from rushes.web.api.review_schemas import QcDecision, QcOut

router = APIRouter(prefix="/api", tags=["quality control"])


@router.get("/takes/{take_id}/qc", response_model=QcOut)
def get_qc(take_id: EntityId, session: Session = Depends(get_session, scope="function")) -> dict:
    """`status` is queued, running, done (or failed; none for a take that finished before QC existed)."""
    return qc.qc_view(session, take_id)


@router.post("/takes/{take_id}/qc", status_code=202, response_model=QcOut)
def rerun_qc(take_id: EntityId, rushes: Rushes = Depends(get_rushes)) -> dict:
    """Queue QC for a finished take that has none (or whose QC failed)."""
    return qc.request_qc(rushes, take_id)


@router.post("/qc-findings/{finding_id}/accept", response_model=QcDecision)
def accept(finding_id: EntityId, rushes: Rushes = Depends(get_rushes)) -> dict:
    """The finding becomes a normal note at its frame, routed to its proposed stage."""
    return qc.accept_finding(rushes, finding_id)


@router.post("/qc-findings/{finding_id}/dismiss", response_model=QcDecision)
def dismiss(finding_id: EntityId, rushes: Rushes = Depends(get_rushes)) -> dict:
    return qc.dismiss_finding(rushes, finding_id)

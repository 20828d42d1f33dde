"""`rushes qc TAKE_ID`: a take's quality-control findings in the terminal, running QC here if it is due."""

from __future__ import annotations

import json
import time

import typer


def _qc(take_id: int, as_json: bool, timeout: float) -> None:
    from rushes.jobs.runner import Worker
    from rushes.bootstrap import bootstrap
    from rushes.services.errors import Conflict, NotFound
    from rushes.services.qc import QC_KIND, qc_view, request_qc

    rushes = bootstrap()
    rushes.upgrade_schema()
    try:
        with rushes.db.session() as session:
            view = qc_view(session, take_id)
        if view["status"] in ("none", "failed"):
            view = request_qc(rushes, take_id)
    except (NotFound, Conflict) as err:
        typer.echo(f"cannot check take {take_id}: {err}", err=True)
        raise typer.Exit(2) from None
    if not view["take_finished"]:
        typer.echo(f"take {take_id} is still rendering: QC runs by itself when it lands", err=True)
        raise typer.Exit(2)
    # Work the QC job here unless a running worker already holds it; either way wait for it.
    worker = Worker(rushes, take_id=take_id, kinds=(QC_KIND,))
    deadline = time.monotonic() + timeout
    while view["status"] in ("queued", "running") and time.monotonic() < deadline:
        if not (view["status"] == "queued" and worker.run_once()):
            time.sleep(0.2)
        with rushes.db.session() as session:
            view = qc_view(session, take_id)
    if as_json:
        typer.echo(json.dumps(view))
    else:
        typer.echo(_summary(view))
    if view["status"] != "done":
        raise typer.Exit(1)


def _summary(view: dict) -> str:
    findings = view["findings"]
    lines = [f"take {view['take_id']}: QC {view['status']}, {len(findings)} finding{'s' if len(findings) != 1 else ''}"]
    for f in findings:
        lines.append(f"  {f['shot_code']:<4} frame {f['frame']:>5} ({f['scene_time']:6.2f} s)  {f['kind']:<20} "
                     f"{f['measure']:>8.2f} vs {f['threshold']:<7.2f} → {f['stage']} {f['stage_title']:<17} "
                     f"[{f['status']}]  {f['message']}")
    if view.get("error"):
        lines.append(f"  QC failed: {view['error']}")
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    @app.command()
    def qc(
        take_id: int = typer.Argument(..., min=1, max=2**63 - 1, help="Take to check."),
        as_json: bool = typer.Option(False, "--json", help="Print what GET /api/takes/{id}/qc returns."),
        timeout: float = typer.Option(600.0, help="Give up waiting for QC after this many seconds."),
    ) -> None:
        """Quality control of a take: anchor adherence, cut jumps, sound, freezes, black, length."""
        _qc(take_id, as_json, timeout)

"""`rushes render SCENE_ID --wait`: confirm a take from the terminal and watch it finish."""

from __future__ import annotations

import json
import time
import uuid

import typer


def _render(scene_id: int, wait: bool, as_json: bool, worker: bool, key: str | None, timeout: float) -> None:
    from rushes.jobs.runner import Worker
    from rushes.services.accounts import InsufficientCredits
    from rushes.services.confirm import confirm_take
    from rushes.bootstrap import bootstrap
    from rushes.services.errors import Conflict, NotFound
    from rushes.services.takes import take_view

    rushes = bootstrap()
    rushes.upgrade_schema()
    try:
        take_id, created = confirm_take(rushes, scene_id, key or f"cli-{uuid.uuid4()}")
    except (Conflict, NotFound, InsufficientCredits, LookupError) as err:
        detail = getattr(err, "details", None)
        typer.echo(f"cannot render scene {scene_id}: {err}" + (f" {json.dumps(detail)}" if detail else ""), err=True)
        raise typer.Exit(2) from None
    with rushes.db.session() as session:
        view = take_view(session, take_id)
    if not as_json:
        verb = "confirmed" if created else "already confirmed"
        typer.echo(f"take {view['number']} of scene {scene_id} {verb}: {view['cost_credits']} credits, "
                   f"{sum(1 for s in view['shots'] if not s['reused'])} to render, "
                   f"{sum(1 for s in view['shots'] if s['reused'])} reused")
    if wait:
        view = _wait(rushes, take_id, Worker(rushes, take_id=take_id) if worker else None, as_json, timeout)
    typer.echo(json.dumps(view) if as_json else _summary(view))
    if view["failed"] or (wait and not view["finished"]):
        raise typer.Exit(1)


def _wait(rushes, take_id: int, worker, quiet: bool, timeout: float) -> dict:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from rushes.services.takes import take_view

    deadline = time.monotonic() + timeout
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                  TimeElapsedColumn(), disable=quiet, transient=False) as progress:
        bar = progress.add_task("rendering", total=1.0)
        while True:
            worked = worker.run_once() if worker is not None else False
            with rushes.db.session() as session:
                view = take_view(session, take_id)
            states = " ".join(f"{s['code']}:{s['state']}" for s in view["shots"])
            progress.update(bar, completed=view["progress"], description=states)
            if view["finished"] or time.monotonic() > deadline:
                return view
            if not worked:
                time.sleep(0.2)


def _summary(view: dict) -> str:
    lines = [f"take {view['number']} ({'finished' if view['finished'] else 'in progress'}), charged {view['charged']} credits"]
    for shot in view["shots"]:
        where = shot["clip"]["url"] if shot["clip"] else ""
        error = f"  {shot['error']}" if shot["error"] else ""
        lines.append(f"  {shot['code']:<4} {shot['state']:<10} attempt {shot['attempt']}  {where}{error}")
    return "\n".join(lines)


def register(app: typer.Typer) -> None:
    @app.command()
    def render(
        scene_id: int = typer.Argument(..., help="Scene to render."),
        wait: bool = typer.Option(False, "--wait", help="Wait for every shot to finish, with a progress bar."),
        as_json: bool = typer.Option(False, "--json", help="Print the take as GET /api/takes/{id} returns it."),
        worker: bool = typer.Option(True, "--worker/--no-worker", help="Work the jobs here, or leave them to running workers."),
        key: str = typer.Option(None, "--key", help="Idempotency key (a repeat with the same key renders nothing more)."),
        timeout: float = typer.Option(3600.0, help="Give up waiting after this many seconds."),
    ) -> None:
        """Confirm & Render a scene: charge, enqueue, and (with --wait) follow it to the end."""
        _render(scene_id, wait, as_json, worker, key, timeout)

"""`rushes doctor`: is this deployment healthy before money is spent? One line per check, a fix for each ✗."""

from __future__ import annotations

import json

import typer


def doctor(as_json: bool = typer.Option(False, "--json", help="Print one JSON object.")) -> None:
    """Check database, media store, Vertex AI (metadata only, never a render), workers and URLs; exit 1 on any ✗."""
    from pydantic import ValidationError

    from rushes.observe.checks import Check, doctor_checks

    try:
        from rushes.bootstrap import bootstrap
        from rushes.settings import Settings

        rushes = bootstrap(Settings())
        checks = doctor_checks(rushes)
    except ValidationError as exc:
        problems = "; ".join((f"RUSHES_{'_'.join(str(p) for p in e['loc']).upper()}: " if e["loc"] else "")
                             + e["msg"].removeprefix("Value error, ") for e in exc.errors())
        checks = [Check("settings", False, problems, "correct the RUSHES_* variable named (or the .env file)")]
    except Exception as exc:  # noqa: BLE001 - e.g. a media URL that cannot be opened at all
        from rushes.redact import redact

        checks = [Check("settings", False, redact(f"{type(exc).__name__}: {exc}")[:300],
                        "correct the RUSHES_* settings it names")]
    if as_json:
        typer.echo(json.dumps([{"check": c.name, "ok": c.ok, "detail": c.detail, "fix": c.fix} for c in checks]))
    else:
        for check in checks:
            typer.echo(check.line())
    failed = sum(not c.ok for c in checks)
    if not as_json:
        typer.echo(f"{len(checks) - failed} of {len(checks)} checks passed" + (f"; {failed} to fix" if failed else ""))
    raise typer.Exit(1 if failed else 0)


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)

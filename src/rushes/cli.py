"""The `rushes` command: serve, worker, db, demo, import, render, qc, attribute."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from rushes import cli_attribute, cli_doctor, cli_qc, cli_render, cli_user

app = typer.Typer(help="Rushes: render, review and re-render the shots of an AI short film.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")


def _rushes():
    from rushes.bootstrap import bootstrap

    return bootstrap()


def database_banner(url: str) -> str:
    """The database URL as banners show it: the password masked."""
    from rushes.redact import redact

    return redact(url)


@app.command()
def serve(
    host: str = typer.Option(None, help="Interface to bind (default RUSHES_HOST or 127.0.0.1)."),
    port: int = typer.Option(None, help="Port (default RUSHES_PORT or 8000)."),
    worker: bool = typer.Option(True, "--worker/--no-worker", help="Run the render worker inside the server."),
) -> None:
    """Run the web app (and, unless --no-worker, a render worker in the same process)."""
    import uvicorn

    from rushes.web.app import create_app

    rushes = _rushes()
    from rushes.observe.logs import configure_logging

    configure_logging(rushes.settings)
    as_json = rushes.settings.log_format == "json"
    host = host or rushes.settings.host
    port = port or rushes.settings.port
    typer.echo(f"Rushes on http://{host}:{port}  (database {database_banner(rushes.settings.database_url)}, "
               f"video {rushes.settings.video_provider}, worker {'on' if worker else 'off'})")
    # On the embedded defaults (demo loaded) every start prints a fresh one-time sign-in link for the
    # demo studio's owner; a deployment with RUSHES_LOAD_DEMO=false uses `rushes user link` instead.
    announce = rushes.settings.base_url(host, port) if rushes.settings.load_demo else None
    web = create_app(rushes, run_worker=worker, announce=announce)

    class Server(uvicorn.Server):
        def handle_exit(self, sig, frame):
            # Uvicorn waits for open responses before shutting down: end the event streams first.
            web.state.stopping = True
            broadcaster = getattr(web.state, "broadcaster", None)
            if broadcaster is not None:
                broadcaster.close_streams()
            super().handle_exit(sig, frame)

    # JSON logs: uvicorn's own lines go through our handler, and the access line is ours (it has the
    # request id and the route template). Forwarded headers are believed only from configured proxies.
    from rushes.web.security import proxy_options

    Server(uvicorn.Config(web, host=host, port=port, log_level="info", timeout_graceful_shutdown=5,
                          log_config=None if as_json else uvicorn.config.LOGGING_CONFIG,
                          access_log=not as_json, **proxy_options(rushes.settings))).run()


@app.command("worker")
def worker_command(
    concurrency: int = typer.Option(1, min=1, max=32, help="Jobs worked at once in this process."),
) -> None:
    """Work render and frame jobs from the database until SIGTERM or Ctrl-C."""
    from rushes.jobs.runner import run_worker_forever

    rushes = _rushes()
    rushes.upgrade_schema()
    run_worker_forever(rushes, concurrency=concurrency)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply Alembic migrations up to the newest."""
    rushes = _rushes()
    rushes.upgrade_schema()
    typer.echo(f"database at head: {database_banner(rushes.settings.database_url)}")


@app.command()
def demo(as_json: bool = typer.Option(False, "--json", help="Print one JSON object.")) -> None:
    """Create the demo project and print its id and scene ids."""
    from rushes.services.demo import create_demo

    rushes = _rushes()
    rushes.upgrade_schema()
    created = create_demo(rushes)
    if as_json:
        typer.echo(json.dumps(created))
    else:
        typer.echo(f"project {created['project_id']}: {created['name']}")
        for scene in created["scenes"]:
            typer.echo(f"  scene {scene['id']}: {scene['number']}. {scene['title']}")


@app.command("import")
def import_command(
    file: Path = typer.Argument(..., help="Project JSON file (format: see README)."),
    generate_frames: bool = typer.Option(False, help="Draw missing anchor frames with the image provider."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Import a project with scenes, shots, visual states and optional frame images."""
    from rushes.services.accounts import default_account
    from rushes.services.importer import ImportError_, read_import_file
    from rushes.services.projects import create_project

    try:
        spec, frames = read_import_file(file)
    except ImportError_ as err:
        typer.echo(f"refused {file}: {err}", err=True)
        raise typer.Exit(2) from None
    rushes = _rushes()
    rushes.upgrade_schema()
    with rushes.db.session() as session:
        account = default_account(session)
        project = create_project(rushes, session, spec, frames, account.id, generate_missing=generate_frames)
        result = {"project_id": project.id, "name": project.name}
    typer.echo(json.dumps(result) if as_json else f"imported project {result['project_id']}: {result['name']}")


@app.command("export-overrides")
def export_overrides(out: Path = typer.Option(None, "--out", help="Write JSONL here instead of standard output.")) -> None:
    """Export review issues whose suggested stage the filmmaker overrode, in the attribution data-set format."""
    from rushes.services.review import override_pairs

    rushes = _rushes()
    rushes.upgrade_schema()
    with rushes.db.session() as session:
        lines = [json.dumps(pair) for pair in override_pairs(session)]
    text = "\n".join(lines) + ("\n" if lines else "")
    if out:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"{len(lines)} override(s) written to {out}")
    else:
        typer.echo(text, nl=False)


cli_attribute.register(app)
cli_render.register(app)
cli_qc.register(app)
cli_user.register(app)
cli_doctor.register(app)


if __name__ == "__main__":
    sys.exit(app())

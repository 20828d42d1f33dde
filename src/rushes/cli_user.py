"""`rushes user …`: members of studios, API tokens and one-time sign-in links (scripts rely on these names)."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer

user_app = typer.Typer(help="Studio members: create, API tokens, sign-in links.", no_args_is_help=True)


def _rushes():
    from rushes.bootstrap import bootstrap

    rushes = bootstrap()
    rushes.upgrade_schema()
    return rushes


def _fail(message: str) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(2)


@user_app.command("create")
def create(
    email: str = typer.Argument(..., help="The member's email (their sign-in name)."),
    studio: str = typer.Option(..., "--studio", help="Studio name; created if it does not exist."),
    role: str = typer.Option("editor", "--role", help="owner | editor | reviewer"),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read a password (8+ characters) from stdin."),
) -> None:
    """Add a member to a studio (or change their role there)."""
    from rushes.services.errors import Conflict
    from rushes.services.users import add_member, studio_named

    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    rushes = _rushes()
    try:
        with rushes.db.session() as session:
            account = studio_named(session, studio)
            user = add_member(session, email, account.id, role, password)
            typer.echo(f"{user.email} is {role} of studio {account.name} (id {account.id})")
    except Conflict as err:
        _fail(f"refused: {err.message}")


def _user_id(session, email: str) -> int:
    from rushes.services.errors import Conflict
    from rushes.services.users import user_by_email

    try:
        user = user_by_email(session, email)
    except Conflict as err:
        _fail(f"refused: {err.message}")
    if user is None:
        _fail(f"no user {email}: create one with  rushes user create {email} --studio NAME")
    return user.id


@user_app.command("token")
def token(
    email: str = typer.Argument(...),
    name: str = typer.Option("cli", "--name", help="What the token is for (listed on the account page)."),
    days: int = typer.Option(0, "--days", min=0, max=3650, help="Lifetime in days (default RUSHES_API_TOKEN_DAYS)."),
) -> None:
    """Print a new API token (one line). Send it as `Authorization: Bearer TOKEN`."""
    from rushes.services.users import new_api_token

    rushes = _rushes()
    with rushes.db.session() as session:
        typer.echo(new_api_token(session, _user_id(session, email), name[:100] or "cli",
                                 days or rushes.settings.api_token_days))


@user_app.command("link")
def link(email: str = typer.Argument(...)) -> None:
    """Print a one-time sign-in URL, valid 15 minutes."""
    from rushes.services.users import new_signin_link

    rushes = _rushes()
    with rushes.db.session() as session:
        value = new_signin_link(session, _user_id(session, email))
    typer.echo(f"{rushes.settings.base_url()}/signin/link?token={value}")


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")

"""Commands to set Podium up: database, users, tokens, the demo and the server."""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Annotated

import typer
from rich.table import Table

from podium.cli._app import (
    app,
    console,
    db_app,
    fail,
    require_current_schema,
    token_app,
    user_app,
)
from podium.config import get_settings
from podium.db import get_engine, upgrade_database
from podium.errors import PodiumError
from podium.services import auth
from podium.services.actor import SYSTEM
from podium.services.uow import unit_of_work


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the database or bring its schema up to date (safe to repeat)."""
    engine = get_engine()
    upgrade_database(engine)
    current, _head = _revision()
    where = engine.url.render_as_string(hide_password=True)
    console.print(f"Database at [bold]{where}[/] is at revision {current}.")


def _revision() -> tuple[str | None, str | None]:
    from podium.db import database_revision

    return database_revision(get_engine())


@db_app.command("current")
def db_current() -> None:
    """Show the database's schema revision and the code's."""
    current, head = _revision()
    state = "up to date" if current == head else "BEHIND: run `podium db upgrade`"
    console.print(f"database {current or 'empty'}, code {head}: {state}")


@app.command()
def init(
    admin_email: Annotated[str | None, typer.Option(help="also create this admin user")] = None,
    admin_password: Annotated[str | None, typer.Option(help="password for --admin-email")] = None,
) -> None:
    """Create an empty database (runs the migrations), optionally with a first admin."""
    upgrade_database(get_engine())
    console.print("Database ready.")
    if admin_email:
        if not admin_password:
            raise fail("--admin-password is required with --admin-email")
        user_add(admin_email, admin_password, admin=True, name="")


@user_app.command("add")
def user_add(
    email: Annotated[str, typer.Argument(help="the user's email (their sign-in name)")],
    password: Annotated[str, typer.Option(help="at least 8 characters")],
    admin: Annotated[
        bool, typer.Option("--admin", help="may do everything, in every program")
    ] = False,
    name: Annotated[str, typer.Option(help="display name")] = "",
) -> None:
    """Add a user who can sign in to the web and create API tokens."""
    require_current_schema()
    try:
        with unit_of_work() as session:
            user = auth.add_user(
                session, SYSTEM, email=email, password=password, name=name, is_admin=admin
            )
            summary = f"{user.email}{' (admin)' if user.is_admin else ''}"
    except PodiumError as exc:
        raise fail(exc.message) from exc
    console.print(f"Added user [bold]{summary}[/].")


@user_app.command("list")
def user_list() -> None:
    """List users."""
    from sqlalchemy import select

    from podium.models import User

    require_current_schema()
    table = Table("id", "email", "name", "admin", "active")
    with unit_of_work() as session:
        for user in session.scalars(select(User).order_by(User.email)):
            table.add_row(
                str(user.id),
                user.email,
                user.name,
                "yes" if user.is_admin else "",
                "yes" if user.is_active else "no",
            )
    console.print(table)


@token_app.command("create")
def token_create(
    email: Annotated[str, typer.Argument(help="whose token")],
    name: Annotated[str, typer.Option(help="what the token is for")],
    days: Annotated[int | None, typer.Option(help="expire after this many days")] = None,
) -> None:
    """Create a personal API token and print it (it is shown only once)."""
    require_current_schema()
    try:
        with unit_of_work() as session:
            user = auth.find_user(session, email)
            if user is None:
                raise fail(f"no user with email {email}")
            _token, secret = auth.create_token(session, user, name=name, days=days)
    except PodiumError as exc:
        raise fail(exc.message) from exc
    # the bare secret on stdout, so scripts can capture it: TOKEN=$(podium token create …)
    typer.echo(secret)


@app.command()
def demo(
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="do nothing if the sample program exists")
    ] = False,
    url: Annotated[str, typer.Option(help="where the server will be, for the sign-in hint")] = (
        "http://127.0.0.1:8000"
    ),
) -> None:
    """Load the sample program "Cloud migration" with a demo admin, and print how to sign in."""
    from podium.services import demo as demo_service

    require_current_schema()
    with unit_of_work() as session:
        result = demo_service.load_demo(session, if_empty=if_empty)
    verb = "Loaded" if result.created else "Found"
    console.print(
        f"{verb} the sample program [bold]{result.program_name}[/] ({result.program_key})."
    )
    console.print(
        f"Sign in at [bold]{url}[/] as [bold]{result.email}[/] "
        f"with password [bold]{result.password}[/]"
    )
    console.print(f"API token: [bold]{result.token}[/]", soft_wrap=True)
    console.print("  (send it as `Authorization: Bearer <token>`; API docs at /api/docs)")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(help="worker processes")] = 1,
    reload: Annotated[bool, typer.Option(help="restart on code changes (development)")] = False,
) -> None:
    """Serve the web interface and the REST API."""
    import uvicorn

    require_current_schema()
    settings = get_settings()
    console.print(
        f"Podium on [bold]http://{host}:{port}[/] — API docs at /api/docs — database "
        f"{get_engine().url.render_as_string(hide_password=True)} ({settings.environment})"
    )
    shared = None
    if workers > 1 and settings.upload_dir is None:
        # a CSV import's two steps may reach two workers: they keep uploads in one folder
        shared = tempfile.mkdtemp(prefix="podium-uploads-")
        os.environ["PODIUM_UPLOAD_DIR"] = shared
    try:
        uvicorn.run(
            "podium.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            reload=reload,
            log_level="info",
        )
    finally:
        if shared is not None:
            os.environ.pop("PODIUM_UPLOAD_DIR", None)
            shutil.rmtree(shared, ignore_errors=True)

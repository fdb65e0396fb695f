"""Commands to set Podium up: database, users, tokens, the demo and the server."""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

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
from podium.db import database_revision, get_engine, upgrade_database
from podium.errors import PodiumError
from podium.models import User, utcnow
from podium.services import auth, users
from podium.services.actor import SYSTEM
from podium.services.uow import unit_of_work

NAME_LENGTH = 200  # an account's name is a 200-character column
EVERY_ACCOUNT = 1_000_000  # one page holds every account of any organisation
FIELD_NAMES = {"name": "name", "is_admin": "admin", "is_active": "active"}


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the database or bring its schema up to date (safe to repeat)."""
    engine = get_engine()
    upgrade_database(engine)
    current, _head = database_revision(engine)
    where = engine.url.render_as_string(hide_password=True)
    console.print(f"Database at [bold]{where}[/] is at revision {current}.")


@db_app.command("current")
def db_current() -> None:
    """Show the database's schema revision and the code's."""
    current, head = database_revision(get_engine())
    state = "up to date" if current == head else "BEHIND: run `podium db upgrade`"
    console.print(f"database {current or 'empty'}, code {head}: {state}")


@app.command()
def init(
    admin_email: Annotated[str | None, typer.Option(help="also create this admin user")] = None,
    admin_password: Annotated[str | None, typer.Option(help="password for --admin-email")] = None,
) -> None:
    """Create an empty database (runs the migrations), optionally with a first admin."""
    if admin_email and not admin_password:
        raise fail("--admin-password is required with --admin-email")
    upgrade_database(get_engine())
    console.print("Database ready.")
    if admin_email and admin_password:
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
def user_list(
    include_inactive: Annotated[
        bool, typer.Option("--all", help="also list deactivated accounts (after the active ones)")
    ] = False,
) -> None:
    """List the accounts: active ones, or with --all every one, with their admin flag."""
    require_current_schema()
    table = Table("id", "email", "name", "admin", "active")
    with unit_of_work() as session:
        accounts, _total = users.list_accounts(session, SYSTEM, limit=EVERY_ACCOUNT)
        hidden = sum(not user.is_active for user in accounts)
        for user in accounts:
            if user.is_active or include_inactive:
                table.add_row(
                    str(user.id),
                    escape(user.email),
                    escape(user.name),
                    "yes" if user.is_admin else "",
                    "yes" if user.is_active else "no",
                )
    console.print(table)
    if hidden and not include_inactive:
        console.print(f"{_accounts(hidden)} deactivated, not shown: --all lists them.")


def _accounts(n: int) -> str:
    return f"{n} account" + ("" if n == 1 else "s")


def _account(session: Session, email: str) -> User:
    """The account with this email, or the command fails."""
    user = auth.find_user(session, email)
    if user is None:
        raise fail(escape(f"no user with email {email}"))
    return user


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return f'"{value}"'


@user_app.command("set")
def user_set(
    email: Annotated[str, typer.Argument(help="the account's email")],
    name: Annotated[str | None, typer.Option(help="display name (blank: the email's name)")] = None,
    admin: Annotated[
        bool | None, typer.Option("--admin/--no-admin", help="may do everything, everywhere")
    ] = None,
    active: Annotated[
        bool | None,
        typer.Option(
            "--active/--inactive",
            help="--inactive: signs in no more (its sessions end, its API tokens stop working)",
        ),
    ] = None,
) -> None:
    """Rename an account, make it an admin or not, deactivate or reactivate it."""
    updates = {
        field: value
        for field, value in (("name", name), ("is_admin", admin), ("is_active", active))
        if value is not None
    }
    if not updates:
        raise fail("nothing to change: give --name, --admin/--no-admin or --active/--inactive")
    if name is not None and len(name.strip()) > NAME_LENGTH:
        raise fail(f"--name must be at most {NAME_LENGTH} characters, not {len(name.strip())}")
    require_current_schema()
    try:
        with unit_of_work() as session:
            user = _account(session, email)
            before = {field: getattr(user, field) for field in updates}
            users.update_user(session, SYSTEM, user.id, updates)
            after = {field: getattr(user, field) for field in updates}
            who, deactivated = user.email, before.get("is_active") is True and not user.is_active
    except PodiumError as exc:
        raise fail(escape(exc.message)) from exc
    changed = [
        f"{FIELD_NAMES[field]} {_shown(old)} → {_shown(after[field])}"
        for field, old in before.items()
        if after[field] != old
    ]
    if not changed:
        console.print(f"Nothing to change: {escape(who)} already has those values.")
        return
    console.print(f"Updated [bold]{escape(who)}[/]: {escape(', '.join(changed))}.")
    if deactivated:
        console.print("Their browser sessions ended; their API tokens work no more.")


@user_app.command("password")
def user_password(
    email: Annotated[str, typer.Argument(help="the account's email")],
    password: Annotated[
        str | None,
        typer.Option(help="the new password, for scripts (default: asked for twice, hidden)"),
    ] = None,
) -> None:
    """Set a new password for an account; its browser sessions end, its API tokens and
    calendar feeds are revoked."""
    require_current_schema()
    with unit_of_work() as session:  # an unknown email fails before the password is typed
        user_id = _account(session, email).id
    if password is None:
        password = str(typer.prompt("New password", hide_input=True, confirmation_prompt=True))
    try:
        with unit_of_work() as session:
            who = users.reset_password(session, SYSTEM, user_id, password).email
    except PodiumError as exc:
        raise fail(escape(exc.message)) from exc
    console.print(
        f"New password set for [bold]{escape(who)}[/]; their browser sessions ended and "
        "their API tokens and calendar feeds were revoked."
    )


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
            user = _account(session, email)
            _token, secret = auth.create_token(session, user, name=name, days=days)
    except PodiumError as exc:
        raise fail(exc.message) from exc
    # the bare secret on stdout, so scripts can capture it: TOKEN=$(podium token create …)
    typer.echo(secret)


@token_app.command("list")
def token_list(email: Annotated[str, typer.Argument(help="whose tokens")]) -> None:
    """An account's API tokens, revoked ones too (never their secrets)."""
    require_current_schema()
    try:
        with unit_of_work() as session:
            user = _account(session, email)
            tokens = users.account_tokens(session, SYSTEM, user.id)
            now = utcnow()
            rows = [
                (
                    str(t.id),
                    escape(t.name),
                    t.prefix + "…",
                    f"{t.created_at:%Y-%m-%d}",
                    f"{t.last_used_at:%Y-%m-%d}" if t.last_used_at else "never",
                    f"{t.expires_at:%Y-%m-%d}" if t.expires_at else "never",
                    users.token_state(t, now),
                )
                for t in tokens
            ]
    except PodiumError as exc:
        raise fail(exc.message) from exc
    if not rows:
        console.print(f"{escape(email)} has no API token.")
        return
    table = Table("id", "name", "starts", "created", "last used", "expires", "state")
    for row in rows:
        table.add_row(*row)
    console.print(table)


@token_app.command("revoke")
def token_revoke(
    email: Annotated[str, typer.Argument(help="whose token")],
    token_id: Annotated[int, typer.Argument(metavar="ID", help="the token's id (token list)")],
) -> None:
    """Revoke one of an account's API tokens: it stops working at once."""
    require_current_schema()
    try:
        with unit_of_work() as session:
            user = _account(session, email)
            if not 0 < token_id <= 2**31 - 1:
                raise fail(f"no token {token_id} of {email}")
            name = users.revoke_account_token(session, SYSTEM, user.id, token_id).name
    except PodiumError as exc:
        raise fail(exc.message) from exc
    console.print(f"Revoked {escape(email)}'s token {escape(name)!r}: it works no more.")


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

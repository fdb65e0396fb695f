"""`podium user list|set|password` on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from podium.cli import app
from podium.errors import Unauthorized
from podium.models import AuditEntry, User, WebSession
from podium.services import auth
from tests.integration.test_cli_programs import flat

runner = CliRunner()
PASSWORD = "long enough"


def podium(*args: str, input: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), input=input)
    return result.exit_code, result.output


def add(email: str, *flags: str) -> None:
    code, out = podium("user", "add", email, "--password", PASSWORD, *flags)
    assert code == 0, out


def account(engine: Engine, email: str) -> User:
    with Session(engine) as session:
        user = auth.find_user(session, email)
        assert user is not None
        session.expunge(user)
        return user


def rows(out: str) -> dict[str, list[str]]:
    """The table's rows by email: [id, email, name, admin, active]."""
    cells = [[c.strip() for c in line.split("│")[1:-1]] for line in out.splitlines()]
    return {row[1]: row for row in cells if len(row) == 5 and "@" in row[1]}


def start_session(engine: Engine, email: str) -> None:
    with Session(engine) as session:
        user = auth.find_user(session, email)
        assert user is not None
        auth.start_session(session, user, days=1)
        session.commit()


def sessions(engine: Engine, email: str) -> int:
    with Session(engine) as session:
        user_id = account(engine, email).id
        return len(list(session.scalars(select(WebSession).where(WebSession.user_id == user_id))))


def password_works(engine: Engine, email: str, password: str) -> bool:
    with Session(engine) as session:
        try:
            auth.authenticate_password(session, email, password)
        except Unauthorized:
            return False
    return True


def audited(engine: Engine, email: str) -> list[tuple[str, dict]]:
    """Who changed the account, and what (its updates, oldest first)."""
    user_id = account(engine, email).id
    with Session(engine) as session:
        entries = session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.entity_type == "user",
                AuditEntry.entity_id == user_id,
                AuditEntry.action == "update",
            )
            .order_by(AuditEntry.id)
        )
        return [(e.user_email, e.changes) for e in entries]


# --- user list -------------------------------------------------------------------------


def test_list_shows_the_active_accounts_and_with_all_the_deactivated_too(
    cli_env: None, engine: Engine
) -> None:
    add("ana@example.com", "--admin")
    add("bo@example.com")
    add("cy@example.com")
    assert podium("user", "set", "cy@example.com", "--inactive")[0] == 0
    code, out = podium("user", "list")
    assert code == 0, out
    listed = rows(out)
    assert list(listed) == ["ana@example.com", "bo@example.com"]
    assert listed["ana@example.com"][3:] == ["yes", "yes"]
    assert listed["bo@example.com"][3:] == ["", "yes"]
    assert "1 account deactivated, not shown: --all lists them." in out
    # a deactivated account acts on nothing, from the command line either
    code, out = podium("feed", "create", "--personal", "--as", "cy@example.com")
    assert code == 1 and "cy@example.com is deactivated" in out, out
    code, out = podium("user", "list", "--all")
    assert code == 0, out
    listed = rows(out)
    assert list(listed) == ["ana@example.com", "bo@example.com", "cy@example.com"]
    assert listed["cy@example.com"][3:] == ["", "no"]
    assert "not shown" not in out


# --- user set ----------------------------------------------------------------------------


def test_set_renames_and_makes_an_admin_printing_old_and_new(cli_env: None, engine: Engine) -> None:
    add("ana@example.com", "--admin")
    add("bo@example.com")
    code, out = podium("user", "set", "BO@example.com", "--name", "Bo Lindqvist", "--admin")
    assert code == 0, out
    assert 'Updated bo@example.com: name "bo" → "Bo Lindqvist", admin no → yes.' in out
    bo = account(engine, "bo@example.com")
    assert (bo.name, bo.is_admin, bo.is_active, bo.version) == ("Bo Lindqvist", True, True, 2)
    assert audited(engine, "bo@example.com") == [
        ("system", {"name": ["bo", "Bo Lindqvist"], "is_admin": [False, True]})
    ]
    code, out = podium("user", "set", "bo@example.com", "--admin", "--active")
    assert code == 0 and "Nothing to change: bo@example.com already has those values." in out
    assert account(engine, "bo@example.com").version == 2


def test_set_refuses_nothing_to_change_an_unknown_email_and_a_long_name(
    cli_env: None, engine: Engine
) -> None:
    add("bo@example.com")
    code, out = podium("user", "set", "bo@example.com")
    assert code == 1
    assert "nothing to change: give --name, --admin/--no-admin or --active/--inactive" in out
    code, out = podium("user", "set", "nobody@example.com", "--admin")
    assert code == 1 and "no user with email nobody@example.com" in out
    code, out = podium("user", "set", "bo@example.com", "--name", "x" * 201)
    assert code == 1 and "--name must be at most 200 characters, not 201" in out
    bo = account(engine, "bo@example.com")
    assert (bo.name, bo.is_admin, bo.version) == ("bo", False, 1)
    assert audited(engine, "bo@example.com") == []


def test_the_last_active_admin_cannot_step_down_until_another_is_made_admin(
    cli_env: None, engine: Engine
) -> None:
    add("ana@example.com", "--admin")
    add("bo@example.com")
    for flag in ("--no-admin", "--inactive"):
        code, out = podium("user", "set", "ana@example.com", flag)
        assert code == 1, out
        assert "ana@example.com is the only active admin" in out
    ana = account(engine, "ana@example.com")
    assert (ana.is_admin, ana.is_active, ana.version) == (True, True, 1)
    assert podium("user", "set", "bo@example.com", "--admin")[0] == 0
    code, out = podium("user", "set", "ana@example.com", "--no-admin")
    assert code == 0 and "admin yes → no" in out
    assert account(engine, "ana@example.com").is_admin is False


def test_deactivating_ends_sessions_and_stops_tokens_until_reactivated(
    cli_env: None, engine: Engine
) -> None:
    add("ana@example.com", "--admin")
    add("bo@example.com")
    code, secret = podium("token", "create", "bo@example.com", "--name", "ci")
    assert code == 0, secret
    start_session(engine, "bo@example.com")
    start_session(engine, "ana@example.com")
    code, out = podium("user", "set", "bo@example.com", "--inactive")
    assert code == 0, out
    assert "active yes → no" in out and "Their browser sessions ended" in out
    assert account(engine, "bo@example.com").is_active is False
    assert (sessions(engine, "bo@example.com"), sessions(engine, "ana@example.com")) == (0, 1)
    assert not password_works(engine, "bo@example.com", PASSWORD)
    with Session(engine) as session:
        try:
            auth.user_for_token(session, secret.strip())
        except Unauthorized:
            pass
        else:
            raise AssertionError("a deactivated account's token still works")
    code, out = podium("user", "set", "bo@example.com", "--active")
    assert code == 0 and "active no → yes" in out and "sessions ended" not in out
    assert password_works(engine, "bo@example.com", PASSWORD)
    with Session(engine) as session:
        assert auth.user_for_token(session, secret.strip()).email == "bo@example.com"


# --- user password ---------------------------------------------------------------------------


def test_password_from_the_option_replaces_the_old_one_and_ends_sessions(
    cli_env: None, engine: Engine
) -> None:
    add("bo@example.com")
    start_session(engine, "bo@example.com")
    code, secret = podium("token", "create", "bo@example.com", "--name", "ci")
    assert code == 0, secret
    code, out = podium("user", "password", "bo@example.com", "--password", "brand new one")
    assert code == 0, out
    assert (
        "New password set for bo@example.com; their browser sessions ended and their API "
        "tokens and calendar feeds were revoked." in flat(out)
    )
    assert password_works(engine, "bo@example.com", "brand new one")
    assert not password_works(engine, "bo@example.com", PASSWORD)
    assert sessions(engine, "bo@example.com") == 0
    with Session(engine) as session, pytest.raises(Unauthorized):
        auth.user_for_token(session, secret.strip())  # a thief's token stops too
    assert audited(engine, "bo@example.com") == [
        ("system", {"password": [None, "reset by an admin"]})
    ]


def test_password_is_asked_twice_without_echo(cli_env: None, engine: Engine) -> None:
    add("bo@example.com")
    typed = "first try 1\nother try 2\nsecret typed\nsecret typed\n"
    code, out = podium("user", "password", "bo@example.com", input=typed)
    assert code == 0, out
    assert "New password:" in out and "do not match" in out
    assert "secret typed" not in out and "first try" not in out
    assert password_works(engine, "bo@example.com", "secret typed")


def test_password_refuses_a_short_one_and_an_unknown_email(cli_env: None, engine: Engine) -> None:
    add("bo@example.com")
    start_session(engine, "bo@example.com")
    code, out = podium("user", "password", "bo@example.com", "--password", "short")
    assert code == 1 and "password: must be at least 8 characters" in out
    code, out = podium("user", "password", "bo@example.com", input="seven77\nseven77\n")
    assert code == 1 and "at least 8 characters" in out
    code, out = podium("user", "password", "nobody@example.com", input="never asked\n" * 2)
    assert code == 1 and "no user with email nobody@example.com" in out
    assert "New password" not in out
    assert password_works(engine, "bo@example.com", PASSWORD)
    assert sessions(engine, "bo@example.com") == 1
    assert audited(engine, "bo@example.com") == []

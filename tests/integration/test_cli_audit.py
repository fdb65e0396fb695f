"""`podium audit`: the whole system's log on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from podium.cli import app
from podium.services import programs
from podium.services.actor import Actor
from tests.factories import make_program, make_user
from tests.integration.test_cli_programs import flat

pytestmark = pytest.mark.db

runner = CliRunner()


def podium(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_audit_reads_users_and_a_deleted_programs_entries_and_refuses_an_unknown_kind(
    cli_env: None, db: Session
) -> None:
    make_user(db, email="bo@example.com")
    ana = make_user(db, email="ana@example.com", name="Ana Lima")
    gone = make_program(db, owner=ana, key="GONE")
    programs.delete_program(db, Actor.of(ana), gone.id)
    db.commit()

    code, out = podium("audit", "--program", "gone")
    assert code == 0, out
    lines = [line for line in out.splitlines() if "│" in line and "ana@example.com" in line]
    assert len(lines) == 2 and all("GONE (deleted)" in line for line in lines), out
    assert "deleted program" in lines[0] and "key: GONE" in out
    assert "Changes 1–2 of 2." in out

    code, out = podium("audit", "--entity-type", "user", "--limit", "1")
    assert code == 0, out
    assert "created user ana@example.com" in out and "email: ana@example.com" in out
    assert "--offset 1 for more" in flat(out)

    code, out = podium("audit", "--entity-type", "nonsense")
    assert code == 1
    assert "--entity-type: 'nonsense' is not a kind of record; one of:" in flat(out)
    assert "membership" in out and "token" in out

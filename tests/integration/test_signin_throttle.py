"""Failed sign-ins are counted in the database and kept although their request fails
(SQLite and PostgreSQL), and migration 0021 builds and drops their table."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from podium.api.deps import get_db
from podium.db import alembic_config, make_engine, migrating, session_factory
from podium.errors import TooManyAttempts, Unauthorized
from podium.models import Calendar, utcnow
from podium.models.users import SignInFailure
from podium.services import auth
from podium.services.uow import unit_of_work
from tests.conftest import BACKENDS, _postgres_engine
from tests.factories import PASSWORD, make_user

EMAIL = "ana@example.com"
KEY = hashlib.sha256(EMAIL.encode()).hexdigest()


def failures(engine: Engine) -> list[tuple[str, Any]]:
    with Session(engine) as session:
        return [
            (row.key_hash, row.failed_at)
            for row in session.scalars(select(SignInFailure).order_by(SignInFailure.failed_at))
        ]


def fail_once(session: Session, email: str = EMAIL) -> None:
    with pytest.raises(Unauthorized):
        auth.authenticate_password(session, email, "not the password")


def test_a_failure_is_kept_although_the_unit_of_work_rolls_back_all_else(
    engine: Engine,
) -> None:
    started = time.monotonic()
    with pytest.raises(Unauthorized), unit_of_work(engine) as session:
        session.add(Calendar(name="Written before the password check"))
        session.flush()  # on SQLite the session now holds the database's write lock
        auth.authenticate_password(session, EMAIL, "not the password")
    assert time.monotonic() - started < 5  # no wait on a lock the request itself held
    assert [key for key, _at in failures(engine)] == [KEY]
    with Session(engine) as session:
        assert session.scalars(select(Calendar)).all() == []


def test_a_request_session_keeps_the_failure_and_nothing_else(engine: Engine) -> None:
    request: Any = SimpleNamespace(
        app=SimpleNamespace(state=SimpleNamespace(sessions=session_factory(engine)))
    )
    requests = get_db(request)
    try:
        session = next(requests)
        session.add(Calendar(name="Written before the password check"))
        session.flush()
        with pytest.raises(Unauthorized) as failed:
            auth.authenticate_password(session, EMAIL, "not the password")
        with pytest.raises(Unauthorized):
            requests.throw(failed.value)  # the request fails: its session is rolled back
    finally:
        requests.close()
    assert [key for key, _at in failures(engine)] == [KEY]
    with Session(engine) as session:
        assert session.scalars(select(Calendar)).all() == []


def test_the_tenth_failure_refuses_the_email_in_every_session(engine: Engine, db: Session) -> None:
    make_user(db, email=EMAIL)
    for _ in range(auth.SIGNIN_FAILURES):
        with pytest.raises(Unauthorized), unit_of_work(engine) as session:
            auth.authenticate_password(session, " Ana@Example.COM ", "not the password")
    other_process = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        with pytest.raises(TooManyAttempts) as refused, unit_of_work(other_process) as session:
            auth.authenticate_password(session, EMAIL, PASSWORD)
    finally:
        other_process.dispose()
    assert 0 < refused.value.retry_after <= 15 * 60
    assert len(failures(engine)) == auth.SIGNIN_FAILURES  # a refusal is no new failure


def test_a_success_clears_the_emails_failures_only(engine: Engine, db: Session) -> None:
    make_user(db, email=EMAIL)
    with unit_of_work(engine) as session:
        for email in (EMAIL, "bo@example.com"):
            with pytest.raises(Unauthorized):
                auth.authenticate_password(session, email, "not the password")
    assert len(failures(engine)) == 2
    with unit_of_work(engine) as session:
        auth.authenticate_password(session, EMAIL, PASSWORD)
    assert [key for key, _at in failures(engine)] == [auth.sign_in_key("bo@example.com")]


def test_failures_older_than_the_window_are_pruned(
    engine: Engine, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = utcnow() - auth.SIGNIN_WINDOW - timedelta(seconds=1)
    recent = utcnow() - timedelta(minutes=1)
    other = auth.sign_in_key("bo@example.com")
    db.add_all(
        [
            SignInFailure(key_hash=KEY, failed_at=old),
            SignInFailure(key_hash=other, failed_at=old),
            SignInFailure(key_hash=other, failed_at=recent),
        ]
    )
    db.commit()
    with pytest.raises(Unauthorized), unit_of_work(engine) as session:
        auth.authenticate_password(session, EMAIL, "not the password")
    kept = failures(engine)
    assert (KEY, old) not in kept and (other, old) in kept  # the email's own old rows go
    monkeypatch.setattr(auth, "SIGNIN_PRUNE_EVERY", 1)
    with pytest.raises(Unauthorized), unit_of_work(engine) as session:
        auth.authenticate_password(session, EMAIL, "not the password")
    kept = failures(engine)
    assert all(at > old for _key, at in kept) and (other, recent) in kept
    assert len(kept) == 3


def test_a_failure_the_database_cannot_take_is_logged_not_raised(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def refuse(*_args: object) -> None:
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(auth, "_insert_new", refuse)
    with (
        caplog.at_level(logging.WARNING),
        pytest.raises(Unauthorized),
        unit_of_work(engine) as session,
    ):
        auth.authenticate_password(session, EMAIL, "not the password")
    assert "1 failed sign-in(s) could not be kept" in caplog.text
    assert failures(engine) == []


def test_failures_are_kept_only_once_the_transaction_has_ended(engine: Engine) -> None:
    with Session(engine) as session:
        fail_once(session)
        session.scalar(select(Calendar.id))
        with pytest.raises(RuntimeError, match="transaction has ended"):
            auth.keep_failed_sign_ins(session)
        assert failures(engine) == []


# --- migration 0021 ------------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A database of its own, with no schema yet."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        yield engine
        engine.dispose()
    else:
        yield from _postgres_engine()


def _migrate(engine: Engine, revision: str, *, down: bool = False) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.connect() as connection, migrating(connection):
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def test_0021_adds_the_failures_table_and_takes_it_away(empty_engine: Engine) -> None:
    _migrate(empty_engine, "0020")
    assert "sign_in_failures" not in inspect(empty_engine).get_table_names()

    _migrate(empty_engine, "0021")
    schema = inspect(empty_engine)
    key = schema.get_pk_constraint("sign_in_failures")
    assert (key["name"], key["constrained_columns"]) == (
        "pk_sign_in_failures",
        ["key_hash", "failed_at"],
    )
    assert [(i["name"], i["column_names"]) for i in schema.get_indexes("sign_in_failures")] == [
        ("ix_sign_in_failures_failed_at", ["failed_at"])
    ]
    with session_factory(empty_engine)() as session:
        fail_once(session)
        session.rollback()
        auth.keep_failed_sign_ins(session)
    assert [key for key, _at in failures(empty_engine)] == [KEY]

    _migrate(empty_engine, "0020", down=True)
    assert "sign_in_failures" not in inspect(empty_engine).get_table_names()
    _migrate(empty_engine, "0021")
    assert failures(empty_engine) == []

"""Test fixtures: a migrated database per backend (SQLite and PostgreSQL), clients, factories.

Database-facing tests take the ``engine`` fixture (directly or through ``db``
or ``client``) and run once on SQLite and once on PostgreSQL. PostgreSQL runs
in a schema of its own per test session, so parallel runs do not collide.
Set PODIUM_TEST_BACKENDS=sqlite to run on SQLite only.

Tests of the pages' forms (the ``browser_as`` fixture: a signed-in browser session
posting forms) run on SQLite only, as the browser tests do: they check what a page says
and keeps; the services behind them are the API tests', on both databases.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
import typer
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, event, text
from sqlalchemy.orm import Session

from podium.app import create_app
from podium.config import Settings, get_settings
from podium.db import make_engine, session_factory, upgrade_database
from podium.models import Base


def _build_cli_once() -> None:
    """Typer builds the click command tree of the whole CLI (some 750 commands) on every
    ``CliRunner.invoke``: most of a CLI test's time. The tree does not change while the
    tests run, so it is built once per app. (``podium`` itself builds it once per run.)"""
    import typer.testing

    build = typer.testing._get_command
    built: dict[int, tuple[object, object]] = {}

    def get_command(app: typer.Typer) -> click.Command:
        if id(app) not in built:
            built[id(app)] = (app, build(app))  # the app is kept: its id stays its own
        return built[id(app)][1]  # type: ignore[return-value]

    typer.testing._get_command = get_command  # type: ignore[assignment]


_build_cli_once()

POSTGRES_URL = os.environ.get(
    "PODIUM_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = [b for b in os.environ.get("PODIUM_TEST_BACKENDS", "sqlite,postgresql").split(",") if b]


def _postgres_engine() -> Iterator[Engine]:
    schema = f"podium_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in POSTGRES_URL else "?"
    # no fsync per commit: the tests commit thousands of times and need no durability
    options = f"-csearch_path%3D{schema}%20-csynchronous_commit%3Doff"
    engine = make_engine(f"{POSTGRES_URL}{separator}options={options}")
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the PostgreSQL runs of the page-form tests (see the module's words)."""
    pages_on_postgres = [
        item
        for item in items
        if "browser_as" in getattr(item, "fixturenames", ())
        and getattr(item, "callspec", None) is not None
        and item.callspec.params.get("engine") == "postgresql"
    ]
    if pages_on_postgres:
        left_out = set(pages_on_postgres)
        items[:] = [item for item in items if item not in left_out]
        config.hook.pytest_deselected(items=pages_on_postgres)


@pytest.fixture(scope="session", params=BACKENDS)
def engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """A database built by running the migrations."""
    if request.param == "sqlite":
        path = Path(tmp_path_factory.mktemp("db")) / "podium.db"
        engine = make_engine(f"sqlite:///{path}")
        # no fsync per commit (as PostgreSQL's synchronous_commit=off below): the tests
        # commit thousands of times and need no durability
        event.listen(engine, "connect", _no_sqlite_sync)
        upgrade_database(engine)
        yield engine
        engine.dispose()
    else:
        for engine in _postgres_engine():
            upgrade_database(engine)
            yield engine


@pytest.fixture(autouse=True)
def _forget_failed_sign_ins(request: pytest.FixtureRequest) -> None:
    """Each test starts with no failed sign-ins counted. They live in the database:
    ``engine``'s tables are emptied after every test, the live server's (browser tests,
    a database kept for the whole session) here."""
    if "web_engine" not in request.fixturenames:
        return
    from podium.models.users import SignInFailure

    web_engine: Engine = request.getfixturevalue("web_engine")
    with web_engine.begin() as conn:
        conn.execute(delete(SignInFailure))


def _no_sqlite_sync(dbapi_connection: Any, _record: object) -> None:
    dbapi_connection.execute("PRAGMA synchronous=OFF")


@pytest.fixture(autouse=True)
def _clean_tables(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "engine" not in request.fixturenames:
        return
    engine: Engine = request.getfixturevalue("engine")
    tables = reversed(Base.metadata.sorted_tables)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":  # one round trip instead of one per table
            quote = engine.dialect.identifier_preparer.quote
            conn.exec_driver_sql("; ".join(f"DELETE FROM {quote(t.name)}" for t in tables))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session for arranging and checking data (commit to make it visible to the app)."""
    session = session_factory(engine)()
    yield session
    session.rollback()
    session.close()


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings(database_url="sqlite://", environment="test", secret_key="test-secret")


@pytest.fixture(scope="session")
def app(engine: Engine, settings: Settings) -> FastAPI:
    """The whole app on the test database (built once per database: it keeps no state)."""
    get_settings.cache_clear()
    return create_app(settings, engine=engine)


@pytest.fixture
def app_client(app: FastAPI) -> Iterator[TestClient]:
    """An unauthenticated client of the app (a new cookie jar per test)."""
    with TestClient(app) as client:
        yield client


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> Iterator[None]:
    """Argon2 at production cost makes every test user slow; tests use the minimum."""
    from argon2 import PasswordHasher

    from podium.services import auth

    original = auth._hasher
    auth._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    yield
    auth._hasher = original

"""Database engine, sessions and the migration check.

SQLite by default (a file), PostgreSQL for teams; the schema is whatever the
Alembic migrations in ``migrations/`` build.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import URL, Connection, Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.orm import Session, sessionmaker

from podium.config import REPO_ROOT, get_settings

MIGRATIONS_DIR = REPO_ROOT / "migrations"


class DatabaseBehind(RuntimeError):
    """The database schema is older than this code; run ``podium db upgrade``."""


class NoDatabase(DatabaseBehind):
    """The SQLite file is not there, and the engine may not make it: as for a database
    behind, ``podium db upgrade`` is what to run."""


class DatabaseURLInvalid(ValueError):
    """``PODIUM_DATABASE_URL`` is no URL of a database Podium can open."""


USABLE_URLS = (
    "Podium runs on SQLite (sqlite:///path/to/podium.db) or PostgreSQL "
    "(postgresql+psycopg://user:password@host:5432/podium)"
)


def shown_url(url: str | URL) -> str:
    """A database URL to show people: without its password, even when it cannot be parsed."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", str(url))


def sqlite_file(url: URL) -> Path | None:
    """The file of a SQLite URL (``None``: in memory, or not SQLite)."""
    if url.get_backend_name() != "sqlite" or url.query.get("uri") or not url.database:
        return None
    return None if url.database == ":memory:" else Path(url.database)


def _enable_sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    # write-ahead log: readers do not block the writer (the server and the CLI at once),
    # and with it NORMAL synchronisation is safe against corruption
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # SQLite's own lower() folds only A-Z: "ÉTÉ" would never match "été" in a search or a
    # name check, as it does on PostgreSQL; Python's folds every letter
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)


def _lower(text: Any) -> Any:
    return text.lower() if isinstance(text, str) else text


def make_engine(url: str, *, echo: bool = False, create: bool = True) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys on.

    A SQLite file that is not there is made at the first connection, its folder at
    once; with ``create=False`` nothing is made: connecting raises :class:`NoDatabase`
    instead (a mistyped path does not become an empty database). A URL that names no
    database Podium can open raises :class:`DatabaseURLInvalid`."""
    try:
        parsed = make_url(url)
        if parsed.get_backend_name() != "sqlite":
            return create_engine(parsed, echo=echo, pool_pre_ping=True)
        engine = create_engine(parsed, echo=echo, connect_args={"check_same_thread": False})
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise DatabaseURLInvalid(
            f"PODIUM_DATABASE_URL: not a database URL Podium can open (not {shown_url(url)!r}): "
            f"{USABLE_URLS}"
        ) from exc
    event.listen(engine, "connect", _enable_sqlite_foreign_keys)
    path = sqlite_file(parsed)
    if path is not None:
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        else:
            event.listen(engine, "do_connect", _refuse_missing(path))
    return engine


def _refuse_missing(path: Path) -> Any:
    def refuse(*_args: Any) -> None:
        if not path.exists():  # sqlite3 would make the file (and its -wal, -shm) here
            raise NoDatabase(f"no database at {path}: run `podium db upgrade` to create one")

    return refuse


@lru_cache
def get_engine() -> Engine:
    """The process-wide engine from ``PODIUM_DATABASE_URL``: it opens the database there
    and makes none (only :func:`upgrade_database` makes a missing SQLite file)."""
    settings = get_settings()
    return make_engine(settings.database_url, echo=settings.echo_sql, create=False)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


class BrokenReferences(RuntimeError):
    """A migration left rows that refer to rows that do not exist; nothing was committed."""


@contextmanager
def migrating(connection: Connection) -> Iterator[None]:
    """One transaction for a migration run; on SQLite with foreign keys off, checked.

    SQLite changes a table by rebuilding it (create anew, copy, drop the old one,
    rename): with foreign keys on, dropping the old table would delete or null every
    row that refers to it. So they are off while migrations run, as SQLite's own
    procedure for altering a table says, and every reference is checked before the
    commit: a migration that broke one rolls back instead.
    """
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # takes effect only outside a transaction, which the driver opens lazily
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    try:
        with connection.begin():
            yield
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                if broken:
                    raise BrokenReferences(
                        f"The migration left {len(broken)} rows referring to rows that do "
                        f"not exist (first: {tuple(broken[0])}); nothing was changed."
                    )
    finally:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


def upgrade_database(engine: Engine) -> None:
    """Run every pending migration (``podium db upgrade``); a SQLite file that is not
    there is made first, and its folder (an empty file is an empty SQLite database)."""
    path = sqlite_file(engine.url)
    if path is not None and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    config = alembic_config(str(engine.url.render_as_string(hide_password=False)))
    with engine.connect() as connection, migrating(connection):
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def code_revision() -> str | None:
    """The newest schema revision of this code (the one ``podium db upgrade`` reaches)."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def database_revision(engine: Engine) -> tuple[str | None, str | None]:
    """(current revision of the database, newest revision of the code)."""
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current, code_revision()


def check_database_current(engine: Engine) -> None:
    """Refuse to run on a database whose schema is behind the code."""
    current, head = database_revision(engine)
    if current != head:
        raise DatabaseBehind(
            f"The database at {engine.url.render_as_string(hide_password=True)} is at "
            f"revision {current or 'none'} but this Podium needs {head}. "
            "Run `podium db upgrade` first."
        )

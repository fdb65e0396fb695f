"""A database URL that is wrong, a server that does not answer, a SQLite file that is not
there: every `podium` command says so in one line naming the URL without its password
(docs/operators.md, Database), exits 1, and makes no database where none was asked for."""

from __future__ import annotations

import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from podium.cli import app
from podium.cli._app import console, err
from podium.config import get_settings
from podium.db import get_engine
from podium.services import programs

runner = CliRunner()


@pytest.fixture(autouse=True)
def fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for printer in (console, err):  # a long path is not wrapped
        monkeypatch.setattr(printer, "_width", 1000)
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield
    if get_engine.cache_info().currsize:  # a URL that could not be opened made none
        get_engine().dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()


def podium(monkeypatch: pytest.MonkeyPatch, url: str, *args: str) -> tuple[int, str]:
    """Run a command on the database at ``url``: its exit code and its output in one line."""
    monkeypatch.setenv("PODIUM_DATABASE_URL", url)
    get_settings.cache_clear()
    get_engine.cache_clear()
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, " ".join(result.output.split())


USABLE = (
    "Podium runs on SQLite (sqlite:///path/to/podium.db) or PostgreSQL "
    "(postgresql+psycopg://user:password@host:5432/podium)"
)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("bogus://x", "bogus://x"),  # no such database kind
        ("not a url", "not a url"),  # not a URL at all
        ("postgresql+nodriver://u:s3cret@h/db", "postgresql+nodriver://u:***@h/db"),
        ("mysql://u:s3cret@h/db", "mysql://u:***@h/db"),  # its driver is not installed
    ],
)
@pytest.mark.parametrize("command", [("program", "list"), ("db", "upgrade")])
def test_a_database_url_podium_cannot_open_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, url: str, shown: str, command: tuple[str, ...]
) -> None:
    code, out = podium(monkeypatch, url, *command)
    assert code == 1
    assert out == (
        f"error: PODIUM_DATABASE_URL: not a database URL Podium can open (not '{shown}'): {USABLE}"
    )
    assert "s3cret" not in out


@pytest.mark.parametrize("command", [("program", "list"), ("db", "upgrade"), ("db", "current")])
def test_a_database_server_that_does_not_answer_is_one_line_without_the_password(
    monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    url = "postgresql+psycopg://podium:s3cret@127.0.0.1:1/podium"  # nothing listens on port 1
    code, out = podium(monkeypatch, url, *command)
    assert code == 1
    assert out.startswith(
        "error: cannot connect to the database at postgresql+psycopg://podium:***@127.0.0.1:1/"
        "podium: "
    ), out
    assert "s3cret" not in out and "Traceback" not in out and "\n" not in out


@pytest.mark.parametrize(
    "command",
    [
        ("program", "list"),
        ("db", "current"),
        ("demo",),
        ("serve",),
        ("user", "add", "ana@example.com", "--password", "long enough"),
        ("import", "--help"),  # help reads no setting: it works, and makes nothing either
    ],
)
def test_a_missing_sqlite_file_is_not_made_by_a_command_that_only_uses_a_database(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, command: tuple[str, ...]
) -> None:
    path = tmp_path / "mistyped" / "sub" / "podium.db"
    code, out = podium(monkeypatch, f"sqlite:///{path}", *command)
    if command[-1] != "--help":
        assert code == 1
        assert out == f"error: no database at {path}: run `podium db upgrade` to create one"
    assert list(tmp_path.iterdir()) == []  # no folder, no file, no -wal or -shm


def test_db_upgrade_makes_the_missing_sqlite_file_and_its_folders(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "new" / "sub" / "podium.db"
    url = f"sqlite:///{path}"
    code, out = podium(monkeypatch, url, "db", "upgrade")
    assert code == 0, out
    assert path.is_file() and f"Database at {url} is at revision" in out
    code, out = podium(monkeypatch, url, "program", "list")
    assert code == 0 and out.startswith("No program yet"), out


def test_init_refuses_an_admin_without_a_password_before_making_a_database(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'new' / 'podium.db'}"
    code, out = podium(monkeypatch, url, "init", "--admin-email", "pmo@example.com")
    assert code == 1 and out == "error: --admin-password is required with --admin-email"
    assert list(tmp_path.iterdir()) == []


def test_restore_checks_the_archive_before_it_makes_the_database(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    target = tmp_path / "restored" / "podium.db"
    url = f"sqlite:///{target}"
    not_zip = tmp_path / "notes.zip"
    not_zip.write_text("hello")
    no_manifest = tmp_path / "other.zip"
    with zipfile.ZipFile(no_manifest, "w") as archive:
        archive.writestr("readme.txt", "not a backup")
    for archive_path, said in (
        (tmp_path / "missing.zip", f"error: no file {tmp_path / 'missing.zip'}"),
        (not_zip, "error: not a readable backup archive: File is not a zip file"),
        (no_manifest, "error: the archive has no manifest.json"),
    ):
        code, out = podium(monkeypatch, url, "restore", str(archive_path))
        assert code == 1 and out.startswith(said), out
        assert not target.parent.exists()


def test_a_database_that_fails_during_the_work_is_one_line_too(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'podium.db'}"
    assert podium(monkeypatch, url, "db", "upgrade")[0] == 0

    def locked(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("SELECT 1", {}, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr(programs, "list_programs", locked)
    code, out = podium(monkeypatch, url, "program", "list")
    assert code == 1 and out == f"error: the database at {url} failed: database is locked"

"""The database URL as people see it (never its password), a URL Podium cannot open, and
an engine that opens a SQLite file without ever making one."""

from __future__ import annotations

from pathlib import Path

import pytest

from podium.db import DatabaseURLInvalid, NoDatabase, make_engine, shown_url


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "postgresql+psycopg://pm:s3cret@db:5432/podium",
            "postgresql+psycopg://pm:***@db:5432/podium",
        ),
        ("sqlite:////var/podium.db", "sqlite:////var/podium.db"),
        ("postgres ql://pm:s3cret@db/podium", "postgres ql://pm:***@db/podium"),  # unparseable
    ],
)
def test_a_url_is_shown_without_its_password(url: str, shown: str) -> None:
    assert shown_url(url) == shown


@pytest.mark.parametrize("url", ["bogus://x", "not a url", "mysql://u:s3cret@h/db"])
def test_a_url_podium_cannot_open_names_the_variable_and_what_works(url: str) -> None:
    with pytest.raises(DatabaseURLInvalid) as caught:
        make_engine(url)
    assert str(caught.value).startswith("PODIUM_DATABASE_URL: not a database URL Podium can open")
    assert "s3cret" not in str(caught.value) and "sqlite:///" in str(caught.value)


def test_an_engine_that_may_not_create_makes_no_folder_and_no_file(tmp_path: Path) -> None:
    path = tmp_path / "typo" / "podium.db"
    engine = make_engine(f"sqlite:///{path}", create=False)
    with pytest.raises(NoDatabase, match=f"no database at {path}: run `podium db upgrade`"):
        engine.connect()
    assert list(tmp_path.iterdir()) == []
    path.parent.mkdir()
    path.touch()  # once there, it is opened as any other
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_an_engine_in_memory_needs_no_file() -> None:
    engine = make_engine("sqlite://", create=False)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT 1").scalar() == 1
    engine.dispose()

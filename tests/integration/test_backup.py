"""Backup and restore of the whole database: SQLite to PostgreSQL and back, all or nothing."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, func, select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from podium.cli import app
from podium.config import get_settings
from podium.db import get_engine, make_engine, upgrade_database
from podium.errors import Conflict
from podium.interop.backup import ArchiveInvalid
from podium.models import Base, Calendar, IssuedReport, Milestone, Program, Task, User
from podium.services import demo
from podium.services.backup import backup_database, restore_database
from podium.services.uow import unit_of_work
from tests.conftest import BACKENDS, _postgres_engine

pytestmark = pytest.mark.db


class EmptyDatabases:
    """Empty, migrated databases to restore into, migrated once per test session.

    SQLite: a copy of a file migrated once. PostgreSQL: schemas migrated once and
    emptied (rows and sequences) when a test gives them back.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.template: Path | None = None
        self.spare: list[Engine] = []
        self.made: list[Iterator[Engine]] = []

    def sqlite(self, path: Path) -> Engine:
        if self.template is None:
            self.template = self.folder / "migrated.db"
            migrated = make_engine(f"sqlite:///{self.template}")
            upgrade_database(migrated)
            with migrated.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            migrated.dispose()
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.template, path)
        return make_engine(f"sqlite:///{path}")

    def postgresql(self) -> Engine:
        if self.spare:
            return self.spare.pop()
        schema = _postgres_engine()
        self.made.append(schema)
        fresh = next(schema)
        upgrade_database(fresh)
        return fresh

    def give_back(self, engine: Engine) -> None:
        if engine.dialect.name == "sqlite":
            engine.dispose()
            return
        # DELETE and RESTART as TRUNCATE ... RESTART IDENTITY would, at a tenth of its
        # cost on tables this small
        with engine.begin() as connection:
            sequences = connection.exec_driver_sql(
                "SELECT sequence_name FROM information_schema.sequences"
                " WHERE sequence_schema = current_schema()"
            ).scalars()
            connection.exec_driver_sql(
                "; ".join(
                    [f'DELETE FROM "{t.name}"' for t in reversed(Base.metadata.sorted_tables)]
                    + [f'ALTER SEQUENCE "{name}" RESTART' for name in sequences]
                )
            )
        self.spare.append(engine)

    def close(self) -> None:
        for schema in self.made:
            schema.close()  # disposes the engine and drops its schema


@pytest.fixture(scope="session")
def empty_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmptyDatabases]:
    databases = EmptyDatabases(tmp_path_factory.mktemp("restore-targets"))
    yield databases
    databases.close()


@contextmanager
def _fresh(databases: EmptyDatabases, kind: str, tmp_path: Path) -> Iterator[Engine]:
    fresh = databases.sqlite(tmp_path / "target.db") if kind == "sqlite" else databases.postgresql()
    try:
        yield fresh
    finally:
        databases.give_back(fresh)


@pytest.fixture
def other(engine: Engine, empty_databases: EmptyDatabases, tmp_path: Path) -> Iterator[Engine]:
    """An empty, migrated database of the other kind (the same kind when only one runs)."""
    kinds = [k for k in BACKENDS if k != engine.dialect.name] or [engine.dialect.name]
    kind = "postgresql" if kinds[0] == "postgresql" else "sqlite"
    with _fresh(empty_databases, kind, tmp_path) as fresh:
        yield fresh


def _back_up_demo(engine: Engine) -> bytes:
    with unit_of_work(engine) as session:
        demo.load_demo(session)
    buffer = io.BytesIO()
    backup_database(engine, buffer)
    return buffer.getvalue()


@pytest.fixture
def demo_loaded(engine: Engine) -> bytes:
    """The demo loaded into ``engine``, and the archive of it."""
    return _back_up_demo(engine)


_demo_archives: dict[tuple[str, date], bytes] = {}


@pytest.fixture
def demo_archive(engine: Engine) -> bytes:
    """An archive of ``engine`` holding the demo (and nothing else). The demo is loaded
    and backed up once per database and day, the tests that only read the archive share
    it; ``engine`` is left empty."""
    key = (engine.dialect.name, datetime.now(UTC).astimezone().date())  # the demo's today
    if key not in _demo_archives:
        _demo_archives[key] = _back_up_demo(engine)
        with engine.begin() as connection:  # as the test found it
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(table.delete())
    return _demo_archives[key]


def _counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table.name: connection.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
        }


def _sample(engine: Engine) -> dict[str, object]:
    with Session(engine) as session:
        program = session.scalars(select(Program).where(Program.key == "CLOUD")).one()
        tasks = session.scalars(select(Task).order_by(Task.id)).all()
        milestones = session.scalars(select(Milestone).order_by(Milestone.id)).all()
        return {
            "program": (program.id, program.name, program.goal_target_value, program.status),
            "tasks": [
                (t.id, t.parent_id, t.name, t.early_start, t.percent_complete, t.created_at)
                for t in tasks
            ],
            "milestones": [(m.id, m.name, m.target_date, m.early_finish) for m in milestones],
            "users": sorted(session.scalars(select(User.email))),
            "reports": [
                (r.id, r.pdf)
                for r in session.scalars(select(IssuedReport).order_by(IssuedReport.id))
            ],
        }


def test_demo_backed_up_restores_identically_on_the_other_database_and_back(
    engine: Engine,
    other: Engine,
    demo_loaded: bytes,
    empty_databases: EmptyDatabases,
    tmp_path: Path,
) -> None:
    result = restore_database(other, io.BytesIO(demo_loaded))
    assert _counts(other) == _counts(engine) == result.rows
    assert sum(result.rows.values()) > 100
    assert _sample(other) == _sample(engine)

    back = io.BytesIO()
    backup_database(other, back)
    with _fresh(empty_databases, engine.dialect.name, tmp_path / "again") as again:
        restore_database(again, io.BytesIO(back.getvalue()))
        assert _counts(again) == _counts(engine)
        assert _sample(again) == _sample(engine)


def test_a_restored_database_takes_new_rows_after_the_restored_ids(
    engine: Engine, other: Engine, demo_archive: bytes
) -> None:
    restore_database(other, io.BytesIO(demo_archive))
    with unit_of_work(other) as session:
        biggest = session.scalar(select(func.max(Program.id))) or 0
        loaded = demo.load_demo(session)
    assert loaded.created
    with Session(other) as session:
        assert session.scalar(select(func.count()).select_from(Program)) == 2
        assert session.scalar(select(func.max(Program.id))) == biggest + 1


def _new_calendar(engine: Engine, name: str) -> int:
    with unit_of_work(engine) as session:
        calendar = Calendar(name=name)
        session.add(calendar)
        session.flush()
        return calendar.id


def test_an_id_deleted_before_the_backup_is_never_given_again_after_the_restore(
    engine: Engine, other: Engine
) -> None:
    with unit_of_work(engine) as session:
        demo.load_demo(session)
    deleted = _new_calendar(engine, "Cutover weekend")
    with unit_of_work(engine) as session:
        session.execute(delete(Calendar).where(Calendar.id == deleted))
    archive = io.BytesIO()
    backup_database(engine, archive)
    calendars = next(t for t in _manifest(archive.getvalue())["tables"] if t["name"] == "calendars")
    assert calendars["last_id"] == deleted
    assert "last_id" not in next(
        t for t in _manifest(archive.getvalue())["tables"] if t["name"] == "risk_tasks"
    )

    restore_database(other, io.BytesIO(archive.getvalue()))
    with Session(other) as session:
        assert session.scalar(select(func.max(Calendar.id))) == deleted - 1
    assert _new_calendar(other, "Go-live weekend") == deleted + 1


def test_an_archive_without_last_ids_restores_numbering_after_its_rows(
    engine: Engine, other: Engine, demo_archive: bytes
) -> None:
    """Archives written before the last ids were recorded."""
    manifest = _manifest(demo_archive)
    tables = manifest["tables"]
    assert isinstance(tables, list)
    for table in tables:
        table.pop("last_id", None)
    older = _rewrite(demo_archive, {"manifest.json": json.dumps(manifest).encode()})
    restore_database(other, io.BytesIO(older))
    with Session(other) as session:
        biggest = session.scalar(select(func.max(Calendar.id))) or 0
    assert _new_calendar(other, "Go-live weekend") == biggest + 1


def test_the_manifest_names_the_revision_and_every_table_with_its_checksum(
    demo_archive: bytes,
) -> None:
    with zipfile.ZipFile(io.BytesIO(demo_archive)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["format"] == "podium-backup" and manifest["version"] == 1
        assert manifest["revision"]
        names = [t["name"] for t in manifest["tables"]]
        assert names == [t.name for t in Base.metadata.sorted_tables]
        tasks = next(t for t in manifest["tables"] if t["name"] == "tasks")
        assert len(archive.read(tasks["file"]).splitlines()) == tasks["rows"] > 0


def _rewrite(archive: bytes, change: dict[str, bytes | None]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename in change:
                replacement = change[info.filename]
                if replacement is not None:
                    target.writestr(info.filename, replacement)
            else:
                target.writestr(info.filename, source.read(info.filename))
    return out.getvalue()


def _manifest(archive: bytes) -> dict[str, object]:
    with zipfile.ZipFile(io.BytesIO(archive)) as source:
        loaded: dict[str, object] = json.loads(source.read("manifest.json"))
        return loaded


def _tasks_file(archive: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(archive)) as source:
        return source.read("tables/tasks.jsonl")


def _damaged(archive: bytes, how: str) -> bytes:
    if how == "truncated":
        return archive[: len(archive) // 2]
    if how == "bad checksum":
        lines = _tasks_file(archive).splitlines(keepends=True)
        return _rewrite(archive, {"tables/tasks.jsonl": b"".join(lines[:-1])})
    if how == "missing table file":
        return _rewrite(archive, {"tables/milestones.jsonl": None})
    manifest = _manifest(archive)
    if how == "table left out of the manifest":
        tables = manifest["tables"]
        assert isinstance(tables, list)
        manifest["tables"] = [t for t in tables if t["name"] != "risks"]
    elif how == "revision mismatch":
        manifest["revision"] = "0001"
    elif how == "a last id that is no number":
        tables = manifest["tables"]
        assert isinstance(tables, list)
        next(t for t in tables if t["name"] == "tasks")["last_id"] = "12"
    elif how == "a last id past what an id holds":
        tables = manifest["tables"]
        assert isinstance(tables, list)
        next(t for t in tables if t["name"] == "tasks")["last_id"] = 10**30
    elif how == "rows that do not fit":
        tables = manifest["tables"]
        assert isinstance(tables, list)
        lines = _tasks_file(archive).splitlines(keepends=True)
        first = json.loads(lines[0])
        first["project_id"] = 999_999
        bad = (json.dumps(first) + "\n").encode() + b"".join(lines[1:])
        import hashlib

        for table in tables:
            if table["name"] == "tasks":
                table["sha256"] = hashlib.sha256(bad).hexdigest()
        return _rewrite(
            archive,
            {"tables/tasks.jsonl": bad, "manifest.json": json.dumps(manifest).encode()},
        )
    elif how == "no manifest":
        return _rewrite(archive, {"manifest.json": None})
    return _rewrite(archive, {"manifest.json": json.dumps(manifest).encode()})


@pytest.mark.parametrize(
    "how",
    [
        "truncated",
        "bad checksum",
        "missing table file",
        "table left out of the manifest",
        "revision mismatch",
        "a last id that is no number",
        "a last id past what an id holds",
        "rows that do not fit",
        "no manifest",
    ],
)
def test_a_damaged_archive_is_refused_and_nothing_is_written(
    engine: Engine, other: Engine, demo_archive: bytes, how: str
) -> None:
    with pytest.raises((ArchiveInvalid, Conflict)) as raised:
        restore_database(other, io.BytesIO(_damaged(demo_archive, how)))
    assert raised.value.message
    assert set(_counts(other).values()) == {0}


def test_restore_refuses_a_database_that_has_rows(engine: Engine, demo_loaded: bytes) -> None:
    with pytest.raises(Conflict, match="empty database"):
        restore_database(engine, io.BytesIO(demo_loaded))


runner = CliRunner()


def test_the_backup_and_restore_commands(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with unit_of_work(engine) as session:
        demo.load_demo(session)
    archive = tmp_path / "podium.zip"
    monkeypatch.setenv("PODIUM_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    get_engine.cache_clear()
    try:
        # an output that cannot be written is refused before the work, leaving nothing
        for wrong, why in ((tmp_path, "is a folder"), (tmp_path / "no" / "b.zip", "no folder")):
            result = runner.invoke(app, ["backup", "--output", str(wrong)])
            assert result.exit_code == 1 and why in " ".join(result.output.split()), result.output
            assert result.exception is None or isinstance(result.exception, SystemExit)
        assert list(tmp_path.iterdir()) == []
        result = runner.invoke(app, ["backup", "--output", str(archive)])
        assert result.exit_code == 0, result.output
        assert archive.is_file() and "tables" in result.output
        assert "replaces" not in result.output
        result = runner.invoke(app, ["backup", "--output", str(archive)])
        assert result.exit_code == 0 and "it replaces the archive that was there" in " ".join(
            result.output.split()
        )
        result = runner.invoke(app, ["restore", str(archive)])
        assert result.exit_code == 1 and "empty database" in result.output
    finally:
        get_engine().dispose()
        get_settings.cache_clear()
        get_engine.cache_clear()

    target = tmp_path / "new.db"
    monkeypatch.setenv("PODIUM_DATABASE_URL", f"sqlite:///{target}")
    get_settings.cache_clear()
    get_engine.cache_clear()
    try:
        result = runner.invoke(app, ["restore", str(archive)])
        assert result.exit_code == 0, result.output
        assert "Restored" in result.output
        with get_engine().connect() as connection:
            assert connection.scalar(text("SELECT count(*) FROM programs")) == 1
    finally:
        get_engine().dispose()
        get_settings.cache_clear()
        get_engine.cache_clear()

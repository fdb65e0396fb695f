"""The migrations are the schema: they must build exactly what the models describe."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, MetaData, inspect

from podium.db import (
    BrokenReferences,
    DatabaseBehind,
    alembic_config,
    check_database_current,
    database_revision,
    make_engine,
    migrating,
    session_factory,
    upgrade_database,
)
from podium.models import Base, Calendar
from podium.services.demo import load_demo


def test_migrated_database_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_migrated_database_is_current(engine: Engine) -> None:
    check_database_current(engine)


def test_app_refuses_a_database_that_is_behind(tmp_path) -> None:
    empty = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(DatabaseBehind, match="podium db upgrade"):
        check_database_current(empty)
    upgrade_database(empty)
    check_database_current(empty)


# --- 0019: on SQLite, ids are never given twice -------------------------------


def _migrate(engine: Engine, revision: str, *, down: bool = False) -> None:
    config = alembic_config(str(engine.url))
    with engine.connect() as connection, migrating(connection):
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def _schema(engine: Engine) -> dict[str, Any]:
    """Every table's columns, keys, references (with their ON DELETE), indexes and checks."""
    inspector = inspect(engine)
    return {
        table: (
            [
                (c["name"], str(c["type"]), c["nullable"], str(c["default"]))
                for c in inspector.get_columns(table)
            ],
            inspector.get_pk_constraint(table)["constrained_columns"],
            sorted(
                (
                    f["name"],
                    f["constrained_columns"],
                    f["referred_table"],
                    f["referred_columns"],
                    sorted(f["options"].items()),
                )
                for f in inspector.get_foreign_keys(table)
            ),
            sorted(
                (i["name"], i["column_names"], i["unique"]) for i in inspector.get_indexes(table)
            ),
            sorted((u["name"], u["column_names"]) for u in inspector.get_unique_constraints(table)),
            sorted((c["name"], c["sqltext"]) for c in inspector.get_check_constraints(table)),
        )
        for table in inspector.get_table_names()
        if table not in ("alembic_version", "sqlite_sequence")
    }


def _rows(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, as the database holds them (not as today's models read)."""
    tables = MetaData()
    with engine.connect() as connection:
        tables.reflect(connection)
        return {
            table.name: sorted(map(tuple, connection.execute(table.select()).all()), key=repr)
            for table in tables.sorted_tables
            if table.name not in ("alembic_version", "sqlite_sequence")
        }


def _autoincrement(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return {
            name
            for name, sql in connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'table'"
            )
            if "AUTOINCREMENT" in sql.upper()
        }


@pytest.fixture(scope="module")
def _demo_at_0018_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo program in a SQLite database at revision 0018 (ids reusable): loaded by
    today's models at the newest revision, then migrated down (the models may hold
    columns 0018 did not have). Made once; each test works on a copy."""
    path = tmp_path_factory.mktemp("migrations") / "at-0018.db"
    engine = make_engine(f"sqlite:///{path}")
    _migrate(engine, "head")
    with session_factory(engine)() as session:
        load_demo(session, today=date(2026, 12, 1))
        session.commit()
    _migrate(engine, "0018", down=True)
    engine.dispose()
    return path


@pytest.fixture
def demo_at_0018(_demo_at_0018_file: Path, tmp_path: Path) -> Iterator[Engine]:
    """A copy of the demo program at revision 0018 of the test's own."""
    path = tmp_path / "at-0018.db"
    shutil.copyfile(_demo_at_0018_file, path)
    engine = make_engine(f"sqlite:///{path}")
    yield engine
    engine.dispose()


def test_0019_rebuilds_every_id_table_autoincrement_keeping_every_row_and_rule(
    demo_at_0018: Engine,
) -> None:
    engine = demo_at_0018
    schema, rows = _schema(engine), _rows(engine)
    assert _autoincrement(engine) == set()
    assert sum(map(len, rows.values())) > 300

    _migrate(engine, "0019")
    at_0019 = set(inspect(engine).get_table_names())  # (tables made later are not there)
    with_id = {
        t.name
        for t in Base.metadata.tables.values()
        if t.primary_key.columns.keys() == ["id"] and t.name in at_0019
    }
    assert _autoincrement(engine) == with_id and len(with_id) > 40
    assert _schema(engine) == schema
    assert _rows(engine) == rows
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []

    _migrate(engine, "0018", down=True)
    assert _autoincrement(engine) == set()
    assert _schema(engine) == schema
    assert _rows(engine) == rows


def test_every_id_table_of_the_newest_schema_never_reuses_an_id(tmp_path: Path) -> None:
    """A table made by a migration after 0019 is made AUTOINCREMENT too (on SQLite)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'head.db'}")
    upgrade_database(engine)
    with_id = {
        t.name for t in Base.metadata.tables.values() if t.primary_key.columns.keys() == ["id"]
    }
    assert _autoincrement(engine) == with_id
    engine.dispose()


def test_0019_deleting_the_newest_row_no_longer_frees_its_id(demo_at_0018: Engine) -> None:
    def add_then_delete_then_add(name: str) -> tuple[int, int]:
        with session_factory(demo_at_0018)() as session:
            first = Calendar(name=name)
            session.add(first)
            session.commit()
            session.delete(first)
            session.commit()
            second = Calendar(name=name)
            session.add(second)
            session.commit()
            return first.id, second.id

    reused, again = add_then_delete_then_add("Cutover")
    assert reused == again
    _migrate(demo_at_0018, "head")
    deleted, new = add_then_delete_then_add("Go-live")
    assert new > deleted


def test_0019_refuses_to_rebuild_tables_with_foreign_keys_on(demo_at_0018: Engine) -> None:
    """Dropping a table with foreign keys on deletes the rows that refer to it."""
    config = alembic_config(str(demo_at_0018.url))
    with (
        pytest.raises(RuntimeError, match="foreign keys off"),
        demo_at_0018.begin() as connection,
    ):
        config.attributes["connection"] = connection
        command.upgrade(config, "0019")
    assert database_revision(demo_at_0018)[0] == "0018"
    assert _autoincrement(demo_at_0018) == set()


def test_a_migration_run_that_leaves_a_broken_reference_commits_nothing(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'broken.db'}")
    upgrade_database(engine)
    with (
        pytest.raises(BrokenReferences, match="2 rows referring"),
        engine.connect() as connection,
        migrating(connection),
    ):
        connection.exec_driver_sql("INSERT INTO risk_tasks VALUES (9998, 9999)")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM risk_tasks").scalar() == 0
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


# --- 0025: a decision number is given once ------------------------------------


def test_0025_renumbers_duplicate_decisions_after_the_highest_number_ever_given(
    demo_at_0018: Engine,
) -> None:
    _migrate(demo_at_0018, "0024")
    with demo_at_0018.begin() as connection:
        ids = dict(connection.exec_driver_sql("SELECT number, id FROM decisions").all())
        assert sorted(ids) == [1, 2, 3, 4, 5]
        # what the old numbering left: two at once took D-2, and D-5 was deleted
        connection.exec_driver_sql(f"UPDATE decisions SET number = 2 WHERE id = {ids[3]}")
        connection.exec_driver_sql(f"DELETE FROM decisions WHERE id = {ids[5]}")
    _migrate(demo_at_0018, "head")
    with demo_at_0018.connect() as connection:
        numbers = dict(connection.exec_driver_sql("SELECT id, number FROM decisions").all())
        counter = connection.exec_driver_sql("SELECT last_number FROM decision_numbering")
        # the later D-2 takes the number after D-5, which the audit trail says was given
        assert numbers == {ids[1]: 1, ids[2]: 2, ids[3]: 6, ids[4]: 4}
        assert counter.scalar_one() == 6
    assert "decisions" in _autoincrement(demo_at_0018)

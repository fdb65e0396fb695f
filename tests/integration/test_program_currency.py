"""A program's currency kept wherever the program goes: plan files (out and back in, and
files from before currencies), a scenario's copy, a backup restored, and the migration
that adds it to a database in use (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session

from podium.db import alembic_config, make_engine, migrating, upgrade_database
from podium.interop.plan_format import PlanError, read_plan
from podium.models import Program
from podium.services.actor import SYSTEM
from podium.services.backup import backup_database, restore_database
from podium.services.plans import export_plan, import_plan
from podium.services.scenarios import create_scenario
from podium.services.uow import unit_of_work
from tests.factories import make_program, make_project, make_task


def _plan(**program: Any) -> dict[str, Any]:
    return {
        "format": "podium-plan",
        "version": 1,
        "program": {"key": "CUR", "name": "Costed", "start": "2027-01-04", **program},
        "projects": [{"key": "A", "name": "A"}],
        "tasks": [{"id": "A-1", "project": "A", "name": "Build", "duration": 5, "budget": 900}],
    }


def test_a_plan_file_round_trips_the_currency(db: Session) -> None:
    program = import_plan(db, SYSTEM, read_plan(_plan(currency="chf")))
    assert program.currency == "CHF"
    exported = export_plan(db, SYSTEM, program.id)
    assert exported["program"]["currency"] == "CHF"
    again = import_plan(db, SYSTEM, read_plan(exported), key="CUR2")
    assert again.currency == "CHF"


def test_a_plan_file_without_a_currency_imports_and_exports_without_one(db: Session) -> None:
    program = import_plan(db, SYSTEM, read_plan(_plan()))
    assert program.currency is None
    assert "currency" not in export_plan(db, SYSTEM, program.id)["program"]
    assert import_plan(db, SYSTEM, read_plan(_plan(currency=None)), key="CUR2").currency is None


@pytest.mark.parametrize("code", ["EURO", "XYZ", 978])
def test_a_plan_file_with_a_bad_currency_is_refused_naming_it(code: object) -> None:
    with pytest.raises(PlanError) as caught:
        read_plan(_plan(currency=code))
    assert [p["location"] for p in caught.value.problems] == ["program.currency"]


def test_a_scenarios_copy_keeps_the_currency(db: Session) -> None:
    program = make_program(db, key="CLOUD", currency="EUR")
    make_task(db, make_project(db, program, "A"), "A-1", budget=100.0)
    scenario = create_scenario(db, SYSTEM, program.id, name="Faster")
    copy = db.get(Program, scenario.copy_program_id)
    assert copy is not None and copy.currency == "EUR"


def test_a_backup_restores_the_currency(engine: Engine, db: Session, tmp_path: Path) -> None:
    make_program(db, key="CLOUD", currency="JPY")
    archive = io.BytesIO()
    backup_database(engine, archive)
    target = make_engine(f"sqlite:///{tmp_path / 'restored.db'}")
    upgrade_database(target)
    restore_database(target, io.BytesIO(archive.getvalue()))
    with Session(target) as session:
        assert session.scalar(select(Program.currency).where(Program.key == "CLOUD")) == "JPY"
    target.dispose()


def _migrate(engine: Engine, revision: str, *, down: bool = False) -> None:
    config = alembic_config(str(engine.url))
    with engine.connect() as connection, migrating(connection):
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def test_0023_adds_the_currency_to_a_database_in_use_keeping_its_programs(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'in-use.db'}")
    upgrade_database(engine)
    with unit_of_work(engine) as session:
        make_program(session, key="CLOUD", currency="EUR")
    _migrate(engine, "0022", down=True)
    assert "currency" not in {c["name"] for c in inspect(engine).get_columns("programs")}
    upgrade_database(engine)  # what `podium db upgrade` runs
    with Session(engine) as session:
        program = session.scalars(select(Program).where(Program.key == "CLOUD")).one()
        assert (program.name, program.currency) == ("Cloud migration", None)
        program.currency = "USD"
        session.commit()
    engine.dispose()

"""Extra working days through plan import and export, MSPDI and XER imports and the
``podium schedule --file`` command, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from podium.cli import app
from podium.interop.mspdi import write_mspdi
from podium.interop.plan_format import PlanError, read_plan
from podium.models import Calendar, Program, Task
from podium.services.actor import SYSTEM
from podium.services.import_readers import ImportRefused
from podium.services.imports import import_file
from podium.services.plans import export_plan, import_plan
from podium.services.uow import complete
from tests.unit.test_xer import sample, xer

pytestmark = pytest.mark.db

CUTOVER = [{"date": "2027-06-12", "name": "Cutover"}, "2027-06-05"]


def make_plan(key: str = "CUT", extra: list[Any] | None = None) -> dict[str, Any]:
    """A task A (5 days) then B (2 days) from Tuesday 1 June 2027 on a Mon-Fri calendar
    whose Saturdays 5 and 12 June are worked (``extra``), and a weekday calendar."""
    return {
        "format": "podium-plan",
        "version": 1,
        "program": {"key": key, "name": "Cutover", "start": "2027-06-01", "calendar": "shifts"},
        "calendars": [
            {
                "name": "shifts",
                "holidays": ["2027-05-31"],
                "extra_workdays": CUTOVER if extra is None else extra,
            },
            {"name": "weekdays"},
        ],
        "projects": [{"key": "P", "name": "P"}],
        "tasks": [
            {"id": "P-1", "project": "P", "name": "Migrate", "duration": 5},
            {"id": "P-2", "project": "P", "name": "Check", "duration": 2},
            {"id": "P-3", "project": "P", "name": "Report", "duration": 5, "calendar": "weekdays"},
        ],
        "dependencies": [{"from": "P-1", "to": "P-2"}],
    }


def load(db: Session, data: dict[str, Any]) -> Program:
    program = import_plan(db, SYSTEM, read_plan(data))
    complete(db)
    db.refresh(program)
    return program


def calendar_named(db: Session, name: str) -> Calendar:
    found = db.scalar(select(Calendar).where(Calendar.name == name))
    assert found is not None
    return found


def dates(db: Session, program: Program) -> dict[str, tuple[date | None, date | None]]:
    rows = db.execute(
        select(Task.key, Task.early_start, Task.early_finish).where(Task.program_id == program.id)
    )
    return {key: (start, finish) for key, start, finish in rows}


def test_extra_working_days_are_stored_scheduled_and_exported_as_in_the_file(
    db: Session,
) -> None:
    program = load(db, make_plan())
    # stored like holidays: by date, {"date", "name"}
    assert calendar_named(db, "shifts").extra_workdays == [
        {"date": "2027-06-05", "name": ""},
        {"date": "2027-06-12", "name": "Cutover"},
    ]
    assert calendar_named(db, "weekdays").extra_workdays == []
    # Saturday 5 June is worked: Migrate Tue 1 - Sat 5, Check Mon 7 - Tue 8; Report, on
    # the weekday calendar, Tue 1 - Mon 7
    assert dates(db, program) == {
        "P-1": (date(2027, 6, 1), date(2027, 6, 5)),
        "P-2": (date(2027, 6, 7), date(2027, 6, 8)),
        "P-3": (date(2027, 6, 1), date(2027, 6, 7)),
    }
    exported = export_plan(db, SYSTEM, program.id)
    calendars = {c["name"]: c for c in exported["calendars"]}
    assert calendars["shifts"]["extra_workdays"] == [
        "2027-06-05",
        {"date": "2027-06-12", "name": "Cutover"},
    ]
    assert calendars["weekdays"]["extra_workdays"] == []
    by_date = make_plan(extra=[CUTOVER[1], CUTOVER[0]])
    assert read_plan(exported).calendars == read_plan(by_date).calendars


def test_the_same_plan_without_its_saturday_finishes_a_day_later(db: Session) -> None:
    program = load(db, make_plan(extra=[]))
    assert dates(db, program)["P-2"] == (date(2027, 6, 8), date(2027, 6, 9))
    assert program.scheduled_finish == date(2027, 6, 9)
    assert calendar_named(db, "shifts").extra_workdays == []


def test_a_calendar_of_the_same_name_is_reused_only_with_the_same_extra_days(
    db: Session,
) -> None:
    load(db, make_plan())
    # the same days, in another order and with other names: the stored calendar is reused
    load(db, make_plan("CUT2", extra=["2027-06-12", {"date": "2027-06-05", "name": "Other"}]))
    assert db.scalar(select(func.count()).select_from(Calendar)) == 2
    # other extra days: refused where the calendar is, nothing written
    for extra in ([], ["2027-06-05"], [*CUTOVER, "2027-06-19"]):
        with pytest.raises(PlanError) as caught:
            import_plan(db, SYSTEM, read_plan(make_plan("CUT3", extra=extra)))
        db.rollback()
        assert caught.value.problems[0]["location"] == "calendars[0]"
        assert "a different calendar named 'shifts'" in caught.value.problems[0]["message"]
    assert db.scalar(select(func.count()).select_from(Program)) == 2


def test_a_plan_file_checks_its_extra_days_before_writing_anything(db: Session) -> None:
    data = make_plan()
    data["calendars"][0]["holidays"].append("2027-06-05")
    with pytest.raises(ImportRefused) as caught:
        import_file(db, SYSTEM, json.dumps(data).encode(), filename="plan.json")
    db.rollback()
    assert caught.value.problems == [
        {
            "location": "calendars[0].extra_workdays[1]",
            "message": "2027-06-05 is also a holiday (calendars[0].holidays[1]); "
            "a day cannot be both",
        }
    ]
    assert db.scalar(select(func.count()).select_from(Calendar)) == 0


def test_a_program_exported_to_microsoft_project_imports_with_its_extra_days(
    db: Session,
) -> None:
    program = load(db, make_plan())
    data = write_mspdi(export_plan(db, SYSTEM, program.id))
    report = import_file(db, SYSTEM, data, key="MSP")
    complete(db)
    imported = db.get(Program, report.program_id)
    assert imported is not None and imported.calendar_id is not None
    # the file's calendar is the stored one, extra days and all: reused, not renamed
    assert db.get(Calendar, imported.calendar_id) == calendar_named(db, "shifts")
    assert db.scalar(select(func.count()).select_from(Calendar)) == 2
    assert all(d.matches for d in report.dates), report.dates
    assert not any("not carried" in n for n in report.notes)


def test_a_microsoft_project_calendar_with_other_extra_days_is_renamed(db: Session) -> None:
    load(db, make_plan())
    data = write_mspdi(make_plan("OTHER", extra=["2027-06-19"]))
    report = import_file(db, SYSTEM, data, key="OTHER")
    complete(db)
    program = db.get(Program, report.program_id)
    assert program is not None and program.calendar_id is not None
    renamed = db.get(Calendar, program.calendar_id)
    assert renamed is not None and renamed.name == "shifts (OTHER)"
    assert renamed.extra_workdays == [{"date": "2027-06-19", "name": ""}]
    assert calendar_named(db, "shifts").extra_workdays[0]["date"] == "2027-06-05"


def test_a_primavera_calendar_exception_with_work_on_a_saturday_is_stored(db: Session) -> None:
    tables = sample()
    # the sample's Standard calendar works Saturday 4 January 2025 (an exception)
    report = import_file(db, SYSTEM, xer(tables), filename="bridge.xer")
    complete(db)
    assert calendar_named(db, "Standard").extra_workdays == [{"date": "2025-01-04", "name": ""}]
    program = db.get(Program, report.program_id)
    assert program is not None
    exported = export_plan(db, SYSTEM, program.id)
    standard = next(c for c in exported["calendars"] if c["name"] == "Standard")
    assert standard["extra_workdays"] == ["2025-01-04"]


def test_podium_schedule_of_a_plan_file_works_the_extra_saturday(
    cli_env: None, tmp_path: Path
) -> None:
    runner = CliRunner()
    finishes = []
    for extra in (["2027-06-05"], []):
        plan, out = tmp_path / "plan.json", tmp_path / "out.json"
        plan.write_text(json.dumps(make_plan(extra=extra)))
        result = runner.invoke(app, ["schedule", "--file", str(plan), "--output", str(out)])
        assert result.exit_code == 0, result.output
        written = json.loads(out.read_text())
        finishes.append(written["program"]["finish"])
    assert finishes == ["2027-06-08", "2027-06-09"]

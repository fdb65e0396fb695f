"""Resources and assignments through plan import and export, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from podium.interop.plan_format import PlanError, read_plan
from podium.models import Assignment, Calendar, Program, Resource, ResourceKind, Task
from podium.services.actor import SYSTEM
from podium.services.plans import export_plan, import_plan
from podium.services.uow import complete


def make_plan(key: str = "RES") -> dict[str, Any]:
    return {
        "format": "podium-plan",
        "version": 1,
        "program": {
            "key": key,
            "name": "Shared people",
            "start": "2027-01-04",
            "calendar": "standard",
        },
        "calendars": [
            {"name": "standard", "holidays": ["2027-05-31"]},
            {"name": "four-days", "workdays": ["Mon", "Tue", "Wed", "Thu"]},
        ],
        "projects": [{"key": "A", "name": "A"}, {"key": "B", "name": "B"}],
        "tasks": [
            {"id": "A-1", "project": "A", "name": "Phase", "duration": 0},
            {
                "id": "A-2",
                "project": "A",
                "name": "Build",
                "duration": 5,
                "parent": "A-1",
                "effort_driven": True,
                "leveled_start": "2027-01-11",
            },
            {"id": "B-1", "project": "B", "name": "Review", "duration": 3},
        ],
        "resources": [
            {
                "id": "ana",
                "name": "Ana",
                "kind": "person",
                "capacity": 1.0,
                "hours_per_day": 7.5,
                "cost_rate": 90.0,
                "calendar": "four-days",
                "time_off": [
                    {"start": "2027-03-01", "finish": "2027-03-05", "note": "ski"},
                    {"start": "2027-02-01", "finish": "2027-02-01"},
                ],
            },
            {"id": "ops", "name": "Ops team", "kind": "team", "capacity": 3.0},
        ],
        "assignments": [
            {"task": "A-2", "resource": "ana", "units": 0.5, "work_hours": 18.75},
            {"task": "B-1", "resource": "ana"},
            {"task": "B-1", "resource": "ops", "units": 2.0},
        ],
    }


def load(db: Session, data: dict[str, Any], *, key: str | None = None) -> Program:
    program = import_plan(db, SYSTEM, read_plan(data), key=key)
    complete(db)
    return program


def count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_resources_assignments_and_task_fields_are_stored(db: Session) -> None:
    program = load(db, make_plan())
    ana = db.scalar(select(Resource).where(Resource.key == "ana"))
    assert ana is not None
    assert (ana.name, ana.kind, ana.capacity, ana.hours_per_day, ana.cost_rate) == (
        "Ana",
        ResourceKind.PERSON,
        1.0,
        7.5,
        90.0,
    )
    calendar = db.get(Calendar, ana.calendar_id)
    assert calendar is not None and calendar.name == "four-days"
    assert [p["start"] for p in ana.time_off] == ["2027-02-01", "2027-03-01"]
    rows = db.execute(
        select(Task.key, Resource.key, Assignment.units, Assignment.work_hours)
        .join(Task, Task.id == Assignment.task_id)
        .join(Resource, Resource.id == Assignment.resource_id)
        .where(Assignment.program_id == program.id)
        .order_by(Task.key, Resource.key)
    ).all()
    assert [tuple(r) for r in rows] == [
        ("A-2", "ana", 0.5, 18.75),
        ("B-1", "ana", 1.0, None),
        ("B-1", "ops", 2.0, None),
    ]
    build = db.scalar(select(Task).where(Task.key == "A-2"))
    assert build is not None and build.effort_driven and build.leveled_start == date(2027, 1, 11)


def test_export_import_export_round_trips_resources_unchanged(db: Session) -> None:
    program = load(db, make_plan())
    first = export_plan(db, SYSTEM, program.id)
    assert [r["id"] for r in first["resources"]] == ["ana", "ops"]
    assert first["resources"][0]["time_off"][0] == {
        "start": "2027-02-01",
        "finish": "2027-02-01",
        "note": "",
    }
    assert [(a["task"], a["resource"]) for a in first["assignments"]] == [
        ("A-2", "ana"),
        ("B-1", "ana"),
        ("B-1", "ops"),
    ]
    assert first["tasks"][1]["effort_driven"] is True
    assert first["tasks"][1]["leveled_start"] == "2027-01-11"
    copy = load(db, first, key="COPY")
    second = export_plan(db, SYSTEM, copy.id)
    second["program"]["key"] = first["program"]["key"]
    assert second == first
    assert count(db, Resource) == 2  # the copy reuses the organisation's resources


def test_a_stored_resource_with_the_key_is_reused_and_left_unchanged(db: Session) -> None:
    db.add(Resource(key="ANA", name="Ana Stored", capacity=2.0, hours_per_day=6.0))
    db.commit()
    program = load(db, make_plan())
    stored = db.scalars(select(Resource).where(func.lower(Resource.key) == "ana")).all()
    assert len(stored) == 1
    assert (stored[0].name, stored[0].capacity, stored[0].calendar_id) == ("Ana Stored", 2.0, None)
    exported = export_plan(db, SYSTEM, program.id)
    assert exported["resources"][0]["id"] == "ANA"
    assert {a["resource"] for a in exported["assignments"]} == {"ANA", "ops"}


def test_units_above_a_stored_resource_capacity_write_nothing(db: Session) -> None:
    db.add(Resource(key="ops", name="Ops", capacity=1.0))
    db.commit()
    with pytest.raises(PlanError) as caught:
        import_plan(db, SYSTEM, read_plan(make_plan()))
    db.rollback()
    assert caught.value.problems == [
        {
            "location": "assignments[2].units",
            "message": "2 units exceed the capacity of the stored resource 'ops' (1), "
            "which the import reuses unchanged",
        }
    ]
    assert count(db, Program) == 0 and count(db, Assignment) == 0 and count(db, Resource) == 1


def test_export_lists_only_the_resources_the_program_assigns(db: Session) -> None:
    db.add(Resource(key="idle", name="Nobody's", capacity=1.0))
    db.commit()
    program = load(db, make_plan())
    exported = export_plan(db, SYSTEM, program.id)
    assert [r["id"] for r in exported["resources"]] == ["ana", "ops"]
    assert [c["name"] for c in exported["calendars"]] == ["four-days", "standard"]


def test_the_imported_program_is_scheduled_on_its_resources_calendars(db: Session) -> None:
    program = load(db, make_plan())
    db.refresh(program)
    build = db.scalar(select(Task).where(Task.key == "A-2", Task.program_id == program.id))
    assert build is not None
    # held to Monday 11 January; ana works Mon-Thu: 5 days end on Monday 18
    assert (build.early_start, build.early_finish) == (date(2027, 1, 11), date(2027, 1, 18))

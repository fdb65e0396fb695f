"""The comparison lists exactly what applying writes: records are matched by the identity
they were copied with (not by key), and every field applying writes is compared."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.models import Assignment, Task
from podium.services import calendars, scenarios
from podium.services import tasks as task_service
from podium.services.actor import SYSTEM
from podium.services.resources import assignments
from podium.services.uow import complete
from tests.integration.test_scenarios import _copy, _new_scenario, _plan, _task

EMPTY_SCOPE_LISTS = (
    "tasks_added",
    "tasks_removed",
    "tasks_changed",
    "projects_added",
    "projects_removed",
    "projects_changed",
    "milestones_added",
    "milestones_removed",
    "milestones_changed",
    "dependencies_added",
    "dependencies_removed",
    "dependencies_changed",
    "assignments_added",
    "assignments_removed",
    "assignments_changed",
)


def test_a_task_deleted_and_remade_under_the_same_key_is_listed_as_applying_does_it(
    db: Session,
) -> None:
    plan = _plan(db)
    scenario = _new_scenario(db, plan, "Same key")
    copy = _copy(db, scenario)
    old = _task(db, copy, "PLAT-2")
    fields = {"name": old.name, "duration": old.duration, "parent_id": old.parent_id}
    task_service.delete_task(db, SYSTEM, old.id, cascade=True)
    task_service.create_task(
        db, SYSTEM, project_id=old.project_id, key="PLAT-2", budget=450, **fields
    )
    complete(db)

    scope = scenarios.compare_scenario(db, SYSTEM, scenario.id)["scope"]
    assert [t["key"] for t in scope["tasks_removed"]] == ["PLAT-2"]
    assert [t["key"] for t in scope["tasks_added"]] == ["PLAT-2"]
    assert scope["assignments_removed"] == [] and scope["dependencies_removed"] == [
        "PLAT-1 → PLAT-2"
    ]

    applied = scenarios.apply_scenario(db, SYSTEM, scenario.id)
    complete(db)
    assert applied.outcome["applied"]["deleted"]["tasks"] == 1
    assert applied.outcome["applied"]["created"]["tasks"] == 1


def test_a_renamed_key_is_a_change_of_key_not_a_removal_and_an_addition(db: Session) -> None:
    plan = _plan(db)
    scenario = _new_scenario(db, plan)
    copy = _copy(db, scenario)
    task_service.update_task(db, SYSTEM, _task(db, copy, "TRAIN-1").id, {"key": "TRAIN-9"})
    complete(db)

    scope = scenarios.compare_scenario(db, SYSTEM, scenario.id)["scope"]
    assert scope["tasks_added"] == [] and scope["tasks_removed"] == []
    (change,) = scope["tasks_changed"]
    assert change["key"] == "TRAIN-1" and change["fields"] == {"key": ["TRAIN-1", "TRAIN-9"]}


def test_every_field_applying_writes_is_listed_and_no_difference_means_nothing_applied(
    db: Session,
) -> None:
    plan = _plan(db)
    untouched = _new_scenario(db, plan, "Untouched")
    scope = scenarios.compare_scenario(db, SYSTEM, untouched.id)["scope"]
    assert all(scope[name] == [] for name in EMPTY_SCOPE_LISTS)
    applied = scenarios.apply_scenario(db, SYSTEM, untouched.id)
    complete(db)
    assert applied.outcome == {"applied": {"created": {}, "updated": {}, "deleted": {}}}

    scenario = _new_scenario(db, plan)
    copy = _copy(db, scenario)
    cal = calendars.create_calendar(db, SYSTEM, name="Night shift")
    task_service.update_task(
        db,
        SYSTEM,
        _task(db, copy, "PLAT-1").id,
        {
            "actual_cost": 150,
            "description": "Two sites",
            "estimate_optimistic": 8,
            "estimate_most_likely": 9,
            "estimate_pessimistic": 14,
            "calendar_id": cal.id,
            "effort_driven": True,
        },
    )
    # out of the summary, to the top level of its project
    task_service.update_task(db, SYSTEM, _task(db, copy, "PLAT-2").id, {"parent_id": None})
    (job,) = db.scalars(select(Assignment).where(Assignment.program_id == copy.id))
    assignments.update_assignment(db, SYSTEM, job.id, {"units": 0.5, "work_hours": 60})
    complete(db)

    scope = scenarios.compare_scenario(db, SYSTEM, scenario.id)["scope"]
    changed = {c["key"]: c["fields"] for c in scope["tasks_changed"]}
    assert {"actual_cost", "description", "estimate_most_likely", "calendar_id"} <= set(
        changed["PLAT-1"]
    )
    assert changed["PLAT-1"]["effort_driven"] == [False, True]
    assert changed["PLAT-2"]["parent"] == ["PLAT-0", None]
    (job_change,) = scope["assignments_changed"]
    assert job_change["assignment"] == "ana on PLAT-1"
    assert job_change["fields"]["units"] == [1.0, 0.5]
    assert "work_hours" in job_change["fields"]

    applied = scenarios.apply_scenario(db, SYSTEM, scenario.id)
    complete(db)
    assert applied.outcome["applied"]["updated"] == {"tasks": 2, "assignments": 1}
    assert db.get(Task, plan.rollout.id).parent_id is None  # type: ignore[union-attr]

"""Scenarios and effort-driven tasks: the copy keeps the work given and the effort-driven
setting exactly; the comparison shows what a change of work does; applying writes the
scenario's work, people and durations onto the live plan, whichever order they were
changed in the copy; a live change of the same task's work is a conflict."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.errors import Conflict
from podium.models import Assignment, Program, Resource, Scenario, Task
from podium.services import dependencies, milestones, projects, scenarios
from podium.services import tasks as task_service
from podium.services.actor import SYSTEM
from podium.services.dependencies import EndRef
from podium.services.resources import assignments, catalog
from podium.services.uow import complete
from tests.factories import make_program


@dataclass
class Plan:
    program: Program
    build: Task  # effort-driven: Ana 100 %, 80 h given → 10 days
    test: Task  # 5 days after the build
    ana: Resource  # 8 h a day
    bob: Resource  # 8 h a day, on nothing yet
    job: Assignment  # Ana on the build


def _plan(db: Session, *, effort_driven: bool = True, bob_hours: float | None = None) -> Plan:
    program = make_program(db, key="EFF", start_date=date(2027, 1, 4))
    plat = projects.create_project(db, SYSTEM, program_id=program.id, key="PLAT", name="Platform")
    build = task_service.create_task(
        db, SYSTEM, project_id=plat.id, name="Build", duration=4, effort_driven=effort_driven
    )
    test = task_service.create_task(db, SYSTEM, project_id=plat.id, name="Test", duration=5)
    m1 = milestones.create_milestone(db, SYSTEM, program_id=program.id, key="M1", name="Live")
    dependencies.create_dependency(
        db, SYSTEM, predecessor=EndRef("task", build.id), successor=EndRef("task", test.id)
    )
    dependencies.create_dependency(
        db, SYSTEM, predecessor=EndRef("task", test.id), successor=EndRef("milestone", m1.id)
    )
    ana = catalog.create_resource(db, SYSTEM, key="ana", name="Ana")
    bob = catalog.create_resource(db, SYSTEM, key="bob", name="Bob")
    job = assignments.create_assignment(
        db, SYSTEM, task_id=build.id, resource_id=ana.id, work_hours=80
    )
    if bob_hours is not None:
        assignments.create_assignment(
            db, SYSTEM, task_id=build.id, resource_id=bob.id, work_hours=bob_hours
        )
    complete(db)
    return Plan(program, build, test, ana, bob, job)


def _scenario(db: Session, plan: Plan) -> tuple[Scenario, Program]:
    scenario = scenarios.create_scenario(db, SYSTEM, plan.program.id, name="Effort")
    complete(db)
    copy = db.get(Program, scenario.copy_program_id)
    assert copy is not None
    return scenario, copy


def _task(db: Session, program: Program, key: str) -> Task:
    found = db.scalar(select(Task).where(Task.program_id == program.id, Task.key == key))
    assert found is not None
    return found


def _jobs(
    db: Session, program: Program, task: str = "PLAT-1"
) -> dict[str, tuple[float, float | None]]:
    """Each assignment of one task (the build task unless said): resource key → (units,
    work given)."""
    rows = db.execute(
        select(Resource.key, Assignment.units, Assignment.work_hours)
        .join(Resource, Resource.id == Assignment.resource_id)
        .join(Task, Task.id == Assignment.task_id)
        .where(Assignment.program_id == program.id, Task.key == task)
    ).all()
    return {key: (units, work) for key, units, work in rows}


def _all_jobs(db: Session, program: Program) -> dict[tuple[str, str], tuple[float, float | None]]:
    """Every assignment of the program: (task key, resource key) → (units, work given)."""
    rows = db.execute(
        select(Task.key, Resource.key, Assignment.units, Assignment.work_hours)
        .join(Resource, Resource.id == Assignment.resource_id)
        .join(Task, Task.id == Assignment.task_id)
        .where(Assignment.program_id == program.id)
    ).all()
    return {(task, key): (units, work) for task, key, units, work in rows}


def _job(db: Session, program: Program, resource: Resource) -> Assignment:
    found = db.scalar(
        select(Assignment).where(
            Assignment.program_id == program.id, Assignment.resource_id == resource.id
        )
    )
    assert found is not None
    return found


def _apply_and_check(
    db: Session, plan: Plan, scenario: Scenario, copy: Program
) -> dict[str, dict[str, int]]:
    """Apply, then the live plan is the copy: durations, work, people, dates, flags."""
    expected = {
        key: (
            _task(db, copy, key).duration,
            _task(db, copy, key).effort_driven,
            _task(db, copy, key).early_start,
            _task(db, copy, key).early_finish,
        )
        for key in ("PLAT-1", "PLAT-2")
    }
    jobs, finish = _all_jobs(db, copy), copy.scheduled_finish
    applied = scenarios.apply_scenario(db, SYSTEM, scenario.id)
    complete(db)
    db.expire_all()
    for key, (duration, effort_driven, start, end) in expected.items():
        live = _task(db, plan.program, key)
        assert (live.duration, live.effort_driven, live.early_start, live.early_finish) == (
            duration,
            effort_driven,
            start,
            end,
        ), key
    assert _all_jobs(db, plan.program) == jobs
    assert plan.program.scheduled_finish == finish
    assert applied.outcome is not None
    counts: dict[str, dict[str, int]] = applied.outcome["applied"]
    return counts


def test_the_copy_keeps_the_work_given_and_the_effort_driven_setting(db: Session) -> None:
    plan = _plan(db, bob_hours=40)  # 120 h over 16 h a day: 7.5, so 8 days
    scenario, copy = _scenario(db, plan)
    build = _task(db, copy, "PLAT-1")
    assert build.effort_driven and build.duration == plan.build.duration == 8
    assert _jobs(db, copy) == _jobs(db, plan.program) == {"ana": (1.0, 80), "bob": (1.0, 40)}
    assert scenarios.compare_scenario(db, SYSTEM, scenario.id)["scope"]["tasks_changed"] == []


def test_more_work_given_in_the_scenario_shows_and_applies_its_longer_duration(
    db: Session,
) -> None:
    plan = _plan(db)
    scenario, copy = _scenario(db, plan)
    assignments.update_assignment(db, SYSTEM, _job(db, copy, plan.ana).id, {"work_hours": 120})
    complete(db)
    assert _task(db, copy, "PLAT-1").duration == 15

    view = scenarios.compare_scenario(db, SYSTEM, scenario.id)
    changed = {c["key"]: c["fields"] for c in view["scope"]["tasks_changed"]}
    assert changed == {"PLAT-1": {"duration": [10, 15]}}
    (job,) = view["scope"]["assignments_changed"]
    assert job == {
        "assignment": "ana on PLAT-1",
        "fields": {"given_work_hours": [80, 120], "work_hours": [80, 120]},
    }
    assert view["program"]["finish"]["slip"] == 5

    counts = _apply_and_check(db, plan, scenario, copy)
    assert counts["updated"] == {"tasks": 1, "assignments": 1}
    assert _task(db, plan.program, "PLAT-1").duration == 15


def test_less_work_given_in_the_scenario_applies_its_shorter_duration(db: Session) -> None:
    plan = _plan(db)
    scenario, copy = _scenario(db, plan)
    assignments.update_assignment(db, SYSTEM, _job(db, copy, plan.ana).id, {"work_hours": 24})
    complete(db)
    _apply_and_check(db, plan, scenario, copy)
    assert _task(db, plan.program, "PLAT-1").duration == 3


def test_a_person_added_in_the_scenario_shortens_the_live_task_once_applied(db: Session) -> None:
    plan = _plan(db)
    scenario, copy = _scenario(db, plan)
    assignments.create_assignment(
        db, SYSTEM, task_id=_task(db, copy, "PLAT-1").id, resource_id=plan.bob.id
    )
    complete(db)
    assert _task(db, copy, "PLAT-1").duration == 5
    _apply_and_check(db, plan, scenario, copy)
    assert _jobs(db, plan.program) == {"ana": (1.0, 80), "bob": (1.0, None)}


def test_a_person_added_with_work_in_the_scenario_applies(db: Session) -> None:
    plan = _plan(db)
    scenario, copy = _scenario(db, plan)
    assignments.create_assignment(
        db, SYSTEM, task_id=_task(db, copy, "PLAT-1").id, resource_id=plan.bob.id, work_hours=80
    )
    complete(db)
    assert _task(db, copy, "PLAT-1").duration == 10
    _apply_and_check(db, plan, scenario, copy)


def test_a_person_taken_off_in_the_scenario_leaves_the_work_to_the_others(db: Session) -> None:
    plan = _plan(db, bob_hours=40)
    scenario, copy = _scenario(db, plan)
    handover = assignments.delete_assignment(db, SYSTEM, _job(db, copy, plan.bob).id)
    complete(db)
    assert handover is not None and _task(db, copy, "PLAT-1").duration == 15
    counts = _apply_and_check(db, plan, scenario, copy)
    assert counts == {"created": {}, "updated": {"tasks": 1}, "deleted": {"assignments": 1}}
    assert _jobs(db, plan.program) == {"ana": (1.0, 120)}


def test_a_person_swapped_for_another_in_the_scenario_applies(db: Session) -> None:
    plan = _plan(db)
    scenario, copy = _scenario(db, plan)
    build = _task(db, copy, "PLAT-1")
    assignments.create_assignment(
        db, SYSTEM, task_id=build.id, resource_id=plan.bob.id, units=0.5, work_hours=40
    )
    assignments.delete_assignment(db, SYSTEM, _job(db, copy, plan.ana).id)
    complete(db)
    assert _jobs(db, copy) == {"bob": (0.5, 120)} and _task(db, copy, "PLAT-1").duration == 30
    _apply_and_check(db, plan, scenario, copy)


def test_units_changed_in_the_scenario_apply_with_the_duration_they_make(db: Session) -> None:
    plan = _plan(db, bob_hours=40)
    scenario, copy = _scenario(db, plan)
    assignments.update_assignment(db, SYSTEM, _job(db, copy, plan.ana).id, {"units": 0.5})
    complete(db)
    assert _task(db, copy, "PLAT-1").duration == 10  # 120 h at 12 h a day
    _apply_and_check(db, plan, scenario, copy)


def test_work_cleared_in_the_scenario_and_a_duration_typed_in_applies(db: Session) -> None:
    plan = _plan(db)
    scenario, copy = _scenario(db, plan)
    assignments.update_assignment(db, SYSTEM, _job(db, copy, plan.ana).id, {"work_hours": None})
    task_service.update_task(db, SYSTEM, _task(db, copy, "PLAT-1").id, {"duration": 7})
    complete(db)
    _apply_and_check(db, plan, scenario, copy)
    assert _jobs(db, plan.program) == {"ana": (1.0, None)}


def test_ticking_effort_driven_in_the_scenario_applies_the_duration_of_the_work(
    db: Session,
) -> None:
    plan = _plan(db, effort_driven=False)
    assert plan.build.duration == 4  # the work given waits for effort-driven
    scenario, copy = _scenario(db, plan)
    task_service.update_task(db, SYSTEM, _task(db, copy, "PLAT-1").id, {"effort_driven": True})
    complete(db)
    assert _task(db, copy, "PLAT-1").duration == 10
    _apply_and_check(db, plan, scenario, copy)


def test_ticking_effort_driven_and_changing_the_work_in_the_scenario_applies(
    db: Session,
) -> None:
    plan = _plan(db, effort_driven=False)
    scenario, copy = _scenario(db, plan)
    task_service.update_task(db, SYSTEM, _task(db, copy, "PLAT-1").id, {"effort_driven": True})
    assignments.update_assignment(db, SYSTEM, _job(db, copy, plan.ana).id, {"work_hours": 40})
    complete(db)
    assert _task(db, copy, "PLAT-1").duration == 5
    _apply_and_check(db, plan, scenario, copy)


def test_unticking_effort_driven_and_typing_a_duration_in_the_scenario_applies(
    db: Session,
) -> None:
    plan = _plan(db)
    scenario, copy = _scenario(db, plan)
    build = _task(db, copy, "PLAT-1")
    task_service.update_task(db, SYSTEM, build.id, {"effort_driven": False, "duration": 3})
    assignments.update_assignment(db, SYSTEM, _job(db, copy, plan.ana).id, {"work_hours": 200})
    complete(db)
    assert _task(db, copy, "PLAT-1").duration == 3
    _apply_and_check(db, plan, scenario, copy)
    assert _jobs(db, plan.program) == {"ana": (1.0, 200)}


def test_a_started_effort_driven_task_keeps_the_duration_the_scenario_gave_it(
    db: Session,
) -> None:
    plan = _plan(db)
    scenario, copy = _scenario(db, plan)
    build = _task(db, copy, "PLAT-1")
    task_service.update_task(db, SYSTEM, build.id, {"actual_start": date(2027, 1, 4)})
    task_service.update_task(db, SYSTEM, build.id, {"duration": 12})
    assignments.update_assignment(db, SYSTEM, _job(db, copy, plan.ana).id, {"work_hours": 40})
    complete(db)
    assert _task(db, copy, "PLAT-1").duration == 12
    _apply_and_check(db, plan, scenario, copy)


def test_a_live_change_of_the_work_on_the_same_task_refuses_the_apply(db: Session) -> None:
    plan = _plan(db)
    scenario, copy = _scenario(db, plan)
    assignments.update_assignment(db, SYSTEM, _job(db, copy, plan.ana).id, {"work_hours": 120})
    assignments.update_assignment(db, SYSTEM, plan.job.id, {"work_hours": 40})
    complete(db)
    with pytest.raises(Conflict) as refused:
        scenarios.apply_scenario(db, SYSTEM, scenario.id)
    assert refused.value.code == "scenario_conflict"
    found = {(c["kind"], c["key"]): c for c in refused.value.details["conflicts"]}
    assert found[("assignment", "ana on PLAT-1")]["fields"] == ["work_hours"]
    assert found[("task", "PLAT-1")]["fields"] == ["duration"]
    db.rollback()
    assert _task(db, plan.program, "PLAT-1").duration == 5  # nothing written


def test_an_effort_driven_task_made_in_the_scenario_is_made_live_with_its_work(
    db: Session,
) -> None:
    plan = _plan(db)
    scenario, copy = _scenario(db, plan)
    build = _task(db, copy, "PLAT-1")
    made = task_service.create_task(
        db, SYSTEM, project_id=build.project_id, name="Docs", duration=2, effort_driven=True
    )
    for who, work in ((plan.ana, 24.0), (plan.bob, 24.0)):
        assignments.create_assignment(
            db, SYSTEM, task_id=made.id, resource_id=who.id, units=0.5, work_hours=work
        )
    dependencies.create_dependency(
        db, SYSTEM, predecessor=EndRef("task", build.id), successor=EndRef("task", made.id)
    )
    complete(db)
    assert made.duration == 6  # 48 h at 8 h a day
    key = made.key
    counts = _apply_and_check(db, plan, scenario, copy)
    assert counts["created"] == {"tasks": 1, "assignments": 2, "dependencies": 1}
    docs = _task(db, plan.program, key)
    assert (docs.duration, docs.effort_driven) == (6, True)

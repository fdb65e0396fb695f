"""Applying a scenario over a live plan that moved on: progress reported live is kept and
does not refuse the apply; only a true conflict does — the same field changed on both
sides, a task the live plan changed that the scenario deletes, or a task started live
whose start the scenario moves.

The plan (tests.integration.test_scenarios): CLOUD from Monday 4 January 2027, PLAT-1
Pilot (10 days) under PLAT-0, then PLAT-2 Rollout and TRAIN-1 Course (5 days each), and
M1 after the course. Sam is a member of CLOUD, on the pilot, the rollout and the
course: he reports their progress, nothing else.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from podium.errors import Conflict
from podium.models import ConstraintType, Dependency, Role, Scenario, ScenarioStatus
from podium.services import dependencies, scenarios
from podium.services import tasks as task_service
from podium.services.actor import SYSTEM, Actor
from podium.services.resources import assignments, catalog
from podium.services.uow import complete
from tests.factories import add_member, make_user
from tests.integration.test_scenarios import Plan, _copy, _new_scenario, _plan, _task

START = date(2027, 1, 4)


def _member(db: Session, plan: Plan) -> Actor:
    """Sam, a member assigned to PLAT-1, PLAT-2 and TRAIN-1 (before any scenario)."""
    sam = make_user(db, email="sam@example.com")
    add_member(db, plan.program, sam, Role.MEMBER)
    resource = catalog.create_resource(db, SYSTEM, key="sam", name="Sam", user_id=sam.id)
    for task in (plan.pilot, plan.rollout, plan.course):
        assignments.create_assignment(db, SYSTEM, task_id=task.id, resource_id=resource.id)
    complete(db)
    return Actor.of(sam)


def _refused(db: Session, scenario: Scenario) -> list[dict[str, object]]:
    with pytest.raises(Conflict) as refused:
        scenarios.apply_scenario(db, SYSTEM, scenario.id)
    db.rollback()
    assert refused.value.code == "scenario_conflict"
    conflicts: list[dict[str, object]] = refused.value.details["conflicts"]
    return conflicts


def test_progress_reported_live_is_kept_and_the_scenarios_changes_are_applied(
    db: Session,
) -> None:
    plan = _plan(db)
    sam = _member(db, plan)
    scenario = _new_scenario(db, plan)
    copy = _copy(db, scenario)
    task_service.update_task(db, SYSTEM, _task(db, copy, "PLAT-1").id, {"duration": 20})
    task_service.update_task(db, SYSTEM, _task(db, copy, "PLAT-2").id, {"name": "Roll out"})
    complete(db)
    # meanwhile Sam reports progress: on the pilot the scenario lengthens, and on the
    # course it leaves alone
    task_service.update_task(
        db, sam, plan.pilot.id, {"actual_start": START, "percent_complete": 30}
    )
    task_service.update_task(
        db, sam, plan.course.id, {"actual_start": START, "percent_complete": 10}
    )
    complete(db)

    assert scenarios.find_conflicts(db, scenario) == []
    scope = scenarios.compare_scenario(db, SYSTEM, scenario.id)["scope"]
    changed = {c["key"]: c["fields"] for c in scope["tasks_changed"]}
    # what applying writes: the scenario's changes, not the live progress undone
    assert changed == {
        "PLAT-1": {"duration": [10, 20]},
        "PLAT-2": {"name": ["Rollout", "Roll out"]},
    }

    scenarios.apply_scenario(db, SYSTEM, scenario.id)
    complete(db)
    db.expire_all()
    pilot = _task(db, plan.program, "PLAT-1")
    assert (pilot.duration, pilot.actual_start, pilot.percent_complete) == (20, START, 30)
    assert _task(db, plan.program, "PLAT-2").name == "Roll out"
    course = _task(db, plan.program, "TRAIN-1")
    assert (course.percent_complete, course.duration) == (10, 5)
    assert db.get(Scenario, scenario.id).status == ScenarioStatus.APPLIED  # type: ignore[union-attr]


def test_the_same_field_changed_on_both_sides_refuses_naming_the_field_and_who(
    db: Session,
) -> None:
    plan = _plan(db)
    sam = _member(db, plan)
    scenario = _new_scenario(db, plan)
    copy = _copy(db, scenario)
    task_service.update_task(
        db, SYSTEM, _task(db, copy, "TRAIN-1").id, {"actual_start": START, "percent_complete": 50}
    )
    task_service.update_task(
        db, SYSTEM, _task(db, copy, "PLAT-1").id, {"actual_start": START, "percent_complete": 20}
    )
    complete(db)
    task_service.update_task(
        db, sam, plan.course.id, {"actual_start": START, "percent_complete": 30}
    )
    task_service.update_task(
        db, sam, plan.pilot.id, {"actual_start": START, "percent_complete": 20}
    )  # the same
    complete(db)

    (conflict,) = _refused(db, scenario)
    assert (conflict["key"], conflict["change"], conflict["fields"]) == (
        "TRAIN-1",
        "changed",
        ["percent_complete"],
    )
    assert conflict["message"] == (
        "task TRAIN-1 was changed in the live plan (percent_complete) by sam@example.com, "
        "and otherwise in the scenario"
    )
    db.expire_all()
    assert _task(db, plan.program, "TRAIN-1").percent_complete == 30  # nothing written

    # the live value put back as it was copied: no conflict any more
    task_service.update_task(db, SYSTEM, plan.course.id, {"percent_complete": 0})
    complete(db)
    assert scenarios.find_conflicts(db, scenario) == []


def test_a_task_started_live_that_the_scenario_moves_or_deletes_refuses(db: Session) -> None:
    plan = _plan(db)
    sam = _member(db, plan)
    scenario = _new_scenario(db, plan)
    copy = _copy(db, scenario)
    task_service.update_task(
        db,
        SYSTEM,
        _task(db, copy, "TRAIN-1").id,
        {"constraint_type": ConstraintType.SNET, "constraint_date": date(2027, 2, 1)},
    )
    task_service.delete_task(db, SYSTEM, _task(db, copy, "PLAT-2").id, cascade=True)
    complete(db)
    day = date(2027, 1, 18)
    task_service.update_task(db, sam, plan.course.id, {"actual_start": day})
    task_service.update_task(db, sam, plan.rollout.id, {"actual_start": day})
    complete(db)

    found = {(c["kind"], c["key"], c["change"]): c for c in _refused(db, scenario)}
    assert set(found) == {("task", "TRAIN-1", "started"), ("task", "PLAT-2", "changed")}
    assert found["task", "TRAIN-1", "started"]["message"] == (
        "task TRAIN-1 started in the live plan on 2027-01-18, but the scenario moves its "
        "start (constraint type, constraint date)"
    )
    assert found["task", "PLAT-2", "changed"]["message"] == (
        "task PLAT-2 was changed in the live plan (actual_start) by sam@example.com, and the "
        "scenario deletes it"
    )


def test_a_task_started_live_keeps_its_start_when_the_scenario_changes_others(
    db: Session,
) -> None:
    plan = _plan(db)
    sam = _member(db, plan)
    scenario = _new_scenario(db, plan)
    copy = _copy(db, scenario)
    task_service.update_task(db, SYSTEM, _task(db, copy, "PLAT-2").id, {"duration": 8})
    complete(db)
    task_service.update_task(db, sam, plan.course.id, {"actual_start": date(2027, 1, 18)})
    complete(db)
    assert scenarios.find_conflicts(db, scenario) == []
    scenarios.apply_scenario(db, SYSTEM, scenario.id)
    complete(db)
    db.expire_all()
    assert _task(db, plan.program, "PLAT-2").duration == 8
    assert _task(db, plan.program, "TRAIN-1").actual_start == date(2027, 1, 18)


def test_a_scenario_copied_before_values_were_kept_merges_from_the_audit_log(
    db: Session,
) -> None:
    plan = _plan(db)
    sam = _member(db, plan)
    scenario = _new_scenario(db, plan)
    # as stored before the copy-time values were kept: ids, versions and keys only
    scenario.basis = {
        kind: [{k: v for k, v in row.items() if k != "values"} for row in rows]
        for kind, rows in scenario.basis.items()
    }
    flag_modified(scenario, "basis")
    copy = _copy(db, scenario)
    task_service.update_task(db, SYSTEM, _task(db, copy, "PLAT-1").id, {"duration": 20})
    task_service.update_task(
        db, SYSTEM, _task(db, copy, "TRAIN-1").id, {"actual_start": START, "percent_complete": 50}
    )
    complete(db)
    task_service.update_task(
        db, sam, plan.pilot.id, {"actual_start": START, "percent_complete": 30}
    )
    task_service.update_task(
        db, sam, plan.course.id, {"actual_start": START, "percent_complete": 40}
    )
    complete(db)
    (conflict,) = _refused(db, scenario)
    assert (conflict["key"], conflict["fields"]) == ("TRAIN-1", ["percent_complete"])

    task_service.update_task(db, SYSTEM, _task(db, copy, "TRAIN-1").id, {"percent_complete": 40})
    complete(db)
    scenarios.apply_scenario(db, SYSTEM, scenario.id)
    complete(db)
    db.expire_all()
    pilot = _task(db, plan.program, "PLAT-1")
    assert (pilot.duration, pilot.percent_complete) == (20, 30)


def test_a_link_into_a_task_started_live_changed_in_the_scenario_refuses(db: Session) -> None:
    plan = _plan(db)
    sam = _member(db, plan)
    scenario = _new_scenario(db, plan)
    copy = _copy(db, scenario)
    link = db.scalar(
        select(Dependency).where(
            Dependency.program_id == copy.id,
            Dependency.successor_task_id == _task(db, copy, "TRAIN-1").id,
        )
    )
    assert link is not None
    dependencies.update_dependency(db, SYSTEM, link.id, {"lag": 3})
    complete(db)
    task_service.update_task(db, sam, plan.course.id, {"actual_start": START})
    complete(db)
    (conflict,) = _refused(db, scenario)
    assert (conflict["key"], conflict["change"]) == ("TRAIN-1", "started")
    assert str(conflict["message"]).endswith("moves its start (a link into it changed)")

"""What-if scenarios in the database: a faithful hidden copy, edits that stay in it,
applying in one transaction (refused, writing nothing, when the live plan moved),
discarding, hidden from lists, and resource load the copy does not pollute."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.errors import Conflict
from podium.models import (
    Alert,
    AlertKind,
    Assignment,
    AuditEntry,
    ChangeRequest,
    Dependency,
    DependencyType,
    Milestone,
    Program,
    Project,
    Role,
    Scenario,
    ScenarioStatus,
    Task,
)
from podium.services import calendars, dependencies, milestones, programs, projects, scenarios
from podium.services import tasks as task_service
from podium.services.actor import SYSTEM, Actor, role_in
from podium.services.dependencies import EndRef
from podium.services.governance import change_requests
from podium.services.resources import assignments, catalog, load
from podium.services.uow import complete
from tests.factories import add_member, make_program, make_user


@dataclass
class Plan:
    program: Program
    plat: Project
    train: Project
    pilot: Task  # PLAT-1, 10 days, under PLAT-0 (a summary)
    summary: Task
    rollout: Task  # PLAT-2, 5 days after the pilot
    course: Task  # TRAIN-1, 5 days after the pilot (cross-project)
    m1: Milestone  # after the course


def _plan(db: Session) -> Plan:
    # over-allocations are alerted from the status date on (today without one)
    program = make_program(
        db, key="CLOUD", start_date=date(2027, 1, 4), status_date=date(2027, 1, 4)
    )
    cal = calendars.create_calendar(
        db, SYSTEM, name="Site", holidays=[calendars.Holiday(date(2027, 1, 11), "Local")]
    )
    plat = projects.create_project(db, SYSTEM, program_id=program.id, key="PLAT", name="Platform")
    train = projects.create_project(
        db, SYSTEM, program_id=program.id, key="TRAIN", name="Training", calendar_id=cal.id
    )
    summary = task_service.create_task(db, SYSTEM, project_id=plat.id, name="Upgrade", key="PLAT-0")
    pilot = task_service.create_task(
        db, SYSTEM, project_id=plat.id, name="Pilot", parent_id=summary.id, duration=10, budget=1000
    )
    rollout = task_service.create_task(
        db, SYSTEM, project_id=plat.id, name="Rollout", parent_id=summary.id, duration=5, budget=500
    )
    course = task_service.create_task(db, SYSTEM, project_id=train.id, name="Course", duration=5)
    m1 = milestones.create_milestone(
        db, SYSTEM, program_id=program.id, key="M1", name="Trained", target_date=date(2027, 2, 5)
    )
    for pred, succ in ((pilot, rollout), (pilot, course)):
        dependencies.create_dependency(
            db, SYSTEM, predecessor=EndRef("task", pred.id), successor=EndRef("task", succ.id)
        )
    dependencies.create_dependency(
        db, SYSTEM, predecessor=EndRef("task", course.id), successor=EndRef("milestone", m1.id)
    )
    ana = catalog.create_resource(db, SYSTEM, key="ana", name="Ana")
    assignments.create_assignment(db, SYSTEM, task_id=pilot.id, resource_id=ana.id)
    complete(db)
    return Plan(program, plat, train, pilot, summary, rollout, course, m1)


def _copy(db: Session, scenario: Scenario) -> Program:
    assert scenario.copy_program_id is not None
    copy = db.get(Program, scenario.copy_program_id)
    assert copy is not None
    return copy


def _task(db: Session, program: Program, key: str) -> Task:
    task = db.scalar(select(Task).where(Task.program_id == program.id, Task.key == key))
    assert task is not None
    return task


def _milestone(db: Session, program: Program, key: str) -> Milestone:
    found = db.scalar(
        select(Milestone).where(Milestone.program_id == program.id, Milestone.key == key)
    )
    assert found is not None
    return found


def _new_scenario(db: Session, plan: Plan, name: str = "Slip the pilot") -> Scenario:
    scenario = scenarios.create_scenario(db, SYSTEM, plan.program.id, name=name)
    complete(db)
    return scenario


def test_a_scenario_copies_the_whole_plan_under_a_derived_key(db: Session) -> None:
    plan = _plan(db)
    scenario = _new_scenario(db, plan)
    copy = _copy(db, scenario)
    assert (
        scenario.number == 1 and copy.key == "CLOUD~S1" and copy.scenario_of_id == plan.program.id
    )
    assert copy.name == "Slip the pilot" and copy.start_date == plan.program.start_date
    assert copy.scheduled_finish == plan.program.scheduled_finish
    live_projects = {
        p.key: p for p in db.scalars(select(Project).where(Project.program_id == plan.program.id))
    }
    copy_projects = {
        p.key: p for p in db.scalars(select(Project).where(Project.program_id == copy.id))
    }
    assert copy_projects.keys() == live_projects.keys()
    assert copy_projects["TRAIN"].calendar_id == plan.train.calendar_id is not None
    for key in ("PLAT-0", "PLAT-1", "PLAT-2", "TRAIN-1"):
        live, mine = _task(db, plan.program, key), _task(db, copy, key)
        assert mine.id != live.id
        assert (
            mine.name,
            mine.duration,
            mine.budget,
            mine.wbs,
            mine.early_start,
            mine.early_finish,
        ) == (live.name, live.duration, live.budget, live.wbs, live.early_start, live.early_finish)
    assert _task(db, copy, "PLAT-1").parent_id == _task(db, copy, "PLAT-0").id
    assert _milestone(db, copy, "M1").target_date == date(2027, 2, 5)
    links = db.scalars(select(Dependency).where(Dependency.program_id == copy.id)).all()
    copy_task_ids = {t.id for t in db.scalars(select(Task).where(Task.program_id == copy.id))}
    assert len(links) == 3
    assert all(
        d.predecessor_task_id in copy_task_ids
        and (
            d.successor_task_id in copy_task_ids
            or d.successor_milestone_id == _milestone(db, copy, "M1").id
        )
        for d in links
    )
    (job,) = db.scalars(select(Assignment).where(Assignment.program_id == copy.id))
    assert job.task_id == _task(db, copy, "PLAT-1").id
    assert {row["key"] for row in scenario.basis["tasks"]} == {
        "PLAT-0",
        "PLAT-1",
        "PLAT-2",
        "TRAIN-1",
    }
    assert scenario.basis["dependencies"][0]["key"] == "PLAT-1 → PLAT-2"
    assert scenario.basis["assignments"][0]["key"] == "ana on PLAT-1"


def test_edits_in_a_scenario_reschedule_it_and_leave_the_live_plan_alone(db: Session) -> None:
    plan = _plan(db)
    finish = plan.program.scheduled_finish
    scenario = _new_scenario(db, plan)
    copy = _copy(db, scenario)
    task_service.update_task(db, SYSTEM, _task(db, copy, "PLAT-1").id, {"duration": 15})
    milestones.update_milestone(
        db, SYSTEM, _milestone(db, copy, "M1").id, {"target_date": date(2027, 3, 1)}
    )
    complete(db)
    db.expire_all()
    assert plan.program.scheduled_finish == finish
    assert _task(db, plan.program, "PLAT-1").duration == 10 and plan.m1.target_date == date(
        2027, 2, 5
    )
    assert (
        copy.scheduled_finish is not None and finish is not None and copy.scheduled_finish > finish
    )
    assert _milestone(db, copy, "M1").early_finish > plan.m1.early_finish  # type: ignore[operator]
    view = scenarios.compare_scenario(db, SYSTEM, scenario.id)
    (m1,) = view["milestones"]
    assert m1["key"] == "M1" and m1["slip"] == 5 and m1["target_scenario"] == date(2027, 3, 1)
    assert view["program"]["finish"]["slip"] == 5
    (changed,) = view["scope"]["tasks_changed"]
    assert changed["key"] == "PLAT-1" and changed["fields"] == {"duration": [10, 15]}
    assert view["cost"] == {"live": 1500.0, "scenario": 1500.0, "difference": 0.0}
    assert view["program"]["p80"]["live"] is None


def test_the_cost_compared_counts_work_tasks_not_a_summarys_own_budget(db: Session) -> None:
    """A summary's budget is its sub-tasks' (1,500 here); one stored on it, as an imported
    plan may keep it, is not counted again."""
    plan = _plan(db)
    plan.summary.budget = 4000
    db.commit()
    scenario = _new_scenario(db, plan)
    view = scenarios.compare_scenario(db, SYSTEM, scenario.id)
    assert view["cost"] == {"live": 1500.0, "scenario": 1500.0, "difference": 0.0}


def test_applying_writes_every_kind_of_edit_onto_the_live_plan(db: Session) -> None:
    plan = _plan(db)
    scenario = _new_scenario(db, plan)
    copy = _copy(db, scenario)
    copy_plat = db.scalar(
        select(Project).where(Project.program_id == copy.id, Project.key == "PLAT")
    )
    assert copy_plat is not None
    task_service.update_task(
        db, SYSTEM, _task(db, copy, "PLAT-1").id, {"duration": 12, "budget": 1200}
    )
    extra = task_service.create_task(
        db, SYSTEM, project_id=copy_plat.id, name="Hardening", duration=3
    )
    dependencies.create_dependency(
        db,
        SYSTEM,
        predecessor=EndRef("task", extra.id),
        successor=EndRef("milestone", _milestone(db, copy, "M1").id),
        dependency_type=DependencyType.FS,
        lag=2,
    )
    (rollout_link,) = db.scalars(
        select(Dependency).where(Dependency.successor_task_id == _task(db, copy, "PLAT-2").id)
    )
    dependencies.delete_dependency(db, SYSTEM, rollout_link.id)
    task_service.delete_task(db, SYSTEM, _task(db, copy, "PLAT-2").id)
    milestones.update_milestone(
        db, SYSTEM, _milestone(db, copy, "M1").id, {"target_date": date(2027, 2, 12)}
    )
    (job,) = db.scalars(select(Assignment).where(Assignment.program_id == copy.id))
    assignments.update_assignment(db, SYSTEM, job.id, {"units": 0.5})
    assignments.create_assignment(db, SYSTEM, task_id=extra.id, resource_id=job.resource_id)
    complete(db)
    extra_key = extra.key
    expected_finish = db.get(Program, copy.id).scheduled_finish  # type: ignore[union-attr]

    applied = scenarios.apply_scenario(db, SYSTEM, scenario.id)
    complete(db)
    db.expire_all()
    assert applied.status == ScenarioStatus.APPLIED and applied.copy_program_id is None
    assert db.get(Program, copy.id) is None  # the copy is gone with everything in it
    live = plan.program
    assert live.scheduled_finish == expected_finish
    pilot = _task(db, live, "PLAT-1")
    assert pilot.id == plan.pilot.id and (pilot.duration, pilot.budget) == (12, 1200)
    hardening = _task(db, live, extra_key)
    assert hardening.parent_id is None and hardening.duration == 3
    assert (
        db.scalar(select(Task.id).where(Task.program_id == live.id, Task.key == "PLAT-2")) is None
    )
    assert _milestone(db, live, "M1").target_date == date(2027, 2, 12)
    links = {
        (d.predecessor_task_id, d.successor_task_id, d.successor_milestone_id, d.lag)
        for d in db.scalars(select(Dependency).where(Dependency.program_id == live.id))
    }
    assert (hardening.id, None, plan.m1.id, 2) in links and len(links) == 3
    units = {
        (a.task_id, a.units)
        for a in db.scalars(select(Assignment).where(Assignment.program_id == live.id))
    }
    assert units == {(pilot.id, 0.5), (hardening.id, 1.0)}
    assert applied.outcome == {
        "applied": {
            "created": {"tasks": 1, "dependencies": 1, "assignments": 1},
            "updated": {"tasks": 1, "milestones": 1, "assignments": 1},
            "deleted": {"dependencies": 1, "tasks": 1},
        }
    }
    # audited like any edit, in the live program
    audited = db.scalars(
        select(AuditEntry.entity_type).where(
            AuditEntry.program_id == live.id,
            AuditEntry.entity_id == pilot.id,
            AuditEntry.action == "update",
        )
    ).all()
    assert "task" in audited
    # a task added afterwards gets the next free number
    later = task_service.create_task(db, SYSTEM, project_id=plan.plat.id, name="Later")
    assert later.key not in {extra_key, "PLAT-2"}


def test_a_live_change_since_the_copy_refuses_apply_with_the_conflicts_and_writes_nothing(
    db: Session,
) -> None:
    plan = _plan(db)
    editor = make_user(db, email="pm@example.com")
    add_member(db, plan.program, editor, Role.MANAGER)
    scenario = _new_scenario(db, plan)
    copy = _copy(db, scenario)
    task_service.update_task(db, SYSTEM, _task(db, copy, "PLAT-1").id, {"duration": 20})
    task_service.update_task(
        db, SYSTEM, _task(db, copy, "TRAIN-1").id, {"duration": 9, "name": "Short course"}
    )
    complete(db)
    # meanwhile, in the live plan: the same fields changed otherwise, and a task the
    # scenario changed deleted
    task_service.update_task(
        db, Actor.of(editor), plan.course.id, {"duration": 7, "name": "Course v2"}
    )
    task_service.delete_task(db, SYSTEM, plan.pilot.id, cascade=True)
    complete(db)
    before = db.scalars(select(AuditEntry.id)).all()

    with pytest.raises(Conflict) as refused:
        scenarios.apply_scenario(db, SYSTEM, scenario.id)
    db.rollback()
    assert refused.value.code == "scenario_conflict"
    conflicts = {(c["kind"], c["key"], c["change"]) for c in refused.value.details["conflicts"]}
    assert conflicts == {("task", "TRAIN-1", "changed"), ("task", "PLAT-1", "deleted")}
    found = {c["change"]: c for c in refused.value.details["conflicts"]}
    changed = found["changed"]
    assert changed["fields"] == ["duration", "name"] and "pm@example.com" in changed["message"]
    assert found["deleted"]["message"] == (
        "task PLAT-1 was deleted from the live plan, and the scenario changes it"
    )
    assert "TRAIN-1" in refused.value.message
    db.expire_all()
    assert _task(db, plan.program, "TRAIN-1").duration == 7
    assert db.scalars(select(AuditEntry.id)).all() == before
    assert db.get(Scenario, scenario.id).status == ScenarioStatus.ACTIVE  # type: ignore[union-attr]
    assert db.get(Program, copy.id) is not None


def test_discarding_deletes_the_copy_and_keeps_the_record(db: Session) -> None:
    plan = _plan(db)
    scenario = _new_scenario(db, plan)
    copy_id = _copy(db, scenario).id
    scenarios.discard_scenario(db, SYSTEM, scenario.id)
    complete(db)
    db.expire_all()
    assert db.get(Program, copy_id) is None
    assert db.scalar(select(Task.id).where(Task.program_id == copy_id)) is None
    kept = db.get(Scenario, scenario.id)
    assert (
        kept is not None and kept.status == ScenarioStatus.DISCARDED and kept.closed_by == "system"
    )
    with pytest.raises(Conflict):
        scenarios.apply_scenario(db, SYSTEM, scenario.id)
    db.rollback()
    assert _task(db, plan.program, "PLAT-1").duration == 10
    second = _new_scenario(db, plan, "Another")
    assert second.number == 2 and _copy(db, second).key == "CLOUD~S2"


def test_copies_are_hidden_from_program_lists_but_members_reach_them_with_their_live_role(
    db: Session,
) -> None:
    plan = _plan(db)
    viewer = make_user(db, email="viewer@example.com")
    add_member(db, plan.program, viewer, Role.VIEWER)
    scenario = _new_scenario(db, plan)
    copy = _copy(db, scenario)
    admin = Actor(user_id=None, email="admin", is_admin=True)
    listed, total = programs.list_programs(db, admin)
    assert [p.key for p in listed] == ["CLOUD"] and total == 1
    assert [p.key for p in programs.list_programs(db, Actor.of(viewer))[0]] == ["CLOUD"]
    assert role_in(db, Actor.of(viewer), copy.id) == Role.VIEWER
    assert role_in(db, Actor.of(make_user(db)), copy.id) is None
    assert programs.get_program(db, Actor.of(viewer), copy.id).key == "CLOUD~S1"
    assert scenarios.scenario_of_copy(db, copy.id) == scenario
    with pytest.raises(Conflict):
        scenarios.create_scenario(db, SYSTEM, copy.id, name="Nested")


def test_a_scenarios_assignments_do_not_count_in_the_live_resource_load(db: Session) -> None:
    plan = _plan(db)
    scenario = _new_scenario(db, plan)
    copy = _copy(db, scenario)
    (job,) = db.scalars(select(Assignment).where(Assignment.program_id == copy.id))
    # in the scenario, Ana also runs the (overlapping) rollout: over-allocated there only
    (link,) = db.scalars(
        select(Dependency).where(Dependency.successor_task_id == _task(db, copy, "PLAT-2").id)
    )
    dependencies.delete_dependency(db, SYSTEM, link.id)
    assignments.create_assignment(
        db, SYSTEM, task_id=_task(db, copy, "PLAT-2").id, resource_id=job.resource_id
    )
    complete(db)

    def over(program: Program) -> int:
        rows = load.program_resource_load(db, SYSTEM, program.id)["resources"]
        return sum(r["over_allocated_days"] for r in rows)

    assert over(copy) == 5 and over(plan.program) == 0
    whole = load.one_resource_load(db, SYSTEM, job.resource_id)
    assert whole["over_allocated_days"] == 0 and {t["key"] for t in whole["tasks"]} == {"PLAT-1"}
    listed = assignments.list_assignments(db, SYSTEM, resource_id=job.resource_id)
    assert [(a.task.program_id, a.task.key) for a in listed] == [(plan.program.id, "PLAT-1")]
    alerts = lambda p: db.scalars(  # noqa: E731
        select(Alert.program_id).where(
            Alert.program_id == p.id,
            Alert.kind == AlertKind.OVER_ALLOCATION,
            Alert.resolved_at.is_(None),
        )
    ).all()
    assert alerts(plan.program) == [] and len(alerts(copy)) == 1
    view = scenarios.compare_scenario(db, SYSTEM, scenario.id)
    assert view["resources"] == [{"key": "ana", "name": "Ana", "live": 0, "scenario": 5}]
    # a live edit afterwards does not pick up the scenario's work either
    task_service.update_task(db, SYSTEM, plan.course.id, {"duration": 6})
    complete(db)
    assert alerts(plan.program) == [] and over(plan.program) == 0


def test_approving_a_change_request_that_carries_a_scenario_applies_it(db: Session) -> None:
    plan = _plan(db)
    scenario = _new_scenario(db, plan)
    copy = _copy(db, scenario)
    task_service.update_task(db, SYSTEM, _task(db, copy, "TRAIN-1").id, {"duration": 8})
    complete(db)
    cr = change_requests.create_change_request(
        db, SYSTEM, program_id=plan.program.id, title="Longer course", scenario_id=scenario.id
    )
    complete(db)
    change_requests.approve_change_request(db, SYSTEM, cr.id, rationale="worth it")
    complete(db)
    db.expire_all()
    assert _task(db, plan.program, "TRAIN-1").duration == 8
    assert db.get(Scenario, scenario.id).status == ScenarioStatus.APPLIED  # type: ignore[union-attr]
    assert db.get(ChangeRequest, cr.id).scenario_id == scenario.id  # type: ignore[union-attr]


def test_a_change_request_whose_scenario_conflicts_is_not_approved(db: Session) -> None:
    plan = _plan(db)
    scenario = _new_scenario(db, plan)
    cr = change_requests.create_change_request(
        db, SYSTEM, program_id=plan.program.id, title="Scenario", scenario_id=scenario.id
    )
    task_service.update_task(
        db, SYSTEM, _task(db, _copy(db, scenario), "PLAT-1").id, {"duration": 12}
    )
    task_service.update_task(db, SYSTEM, plan.pilot.id, {"duration": 11})
    complete(db)
    with pytest.raises(Conflict) as refused:
        change_requests.approve_change_request(db, SYSTEM, cr.id)
    db.rollback()
    assert refused.value.code == "scenario_conflict"
    assert db.get(ChangeRequest, cr.id).status.value == "proposed"  # type: ignore[union-attr]


def test_compare_shows_p80_from_the_latest_forecast_of_each_side(db: Session) -> None:
    from podium.services.forecasts import ForecastSettings, run_forecast

    plan = _plan(db)
    scenario = _new_scenario(db, plan)
    assert scenarios.compare_scenario(db, SYSTEM, scenario.id)["program"]["p80"]["scenario"] is None
    live = run_forecast(db, SYSTEM, plan.program.id, ForecastSettings(iterations=200, seed=3))
    copy = _copy(db, scenario)
    task_service.update_task(db, SYSTEM, _task(db, copy, "PLAT-1").id, {"duration": 30})
    complete(db)
    mine = run_forecast(db, SYSTEM, copy.id, ForecastSettings(iterations=200, seed=3))
    complete(db)
    view = scenarios.compare_scenario(db, SYSTEM, scenario.id)
    p80 = view["program"]["p80"]
    assert (p80["live"], p80["scenario"]) == (live.program_p80, mine.program_p80)
    assert p80["slip"] is not None and p80["slip"] > 0
    (m1,) = view["milestones"]
    assert m1["p80_live"] is not None and m1["p80_scenario"] > m1["p80_live"]


def test_deleting_a_live_program_deletes_its_scenarios_copies(db: Session) -> None:
    plan = _plan(db)
    copy_id = _copy(db, _new_scenario(db, plan)).id
    programs.delete_program(db, SYSTEM, plan.program.id)
    complete(db)
    assert db.get(Program, copy_id) is None
    assert db.scalar(select(Task.id).where(Task.program_id == copy_id)) is None
    assert db.scalar(select(Scenario.id)) is None


def test_compare_lists_a_link_whose_type_or_lag_changed(db: Session) -> None:
    plan = _plan(db)
    scenario = _new_scenario(db, plan)
    copy = _copy(db, scenario)
    (link,) = db.scalars(
        select(Dependency).where(Dependency.successor_task_id == _task(db, copy, "TRAIN-1").id)
    )
    dependencies.update_dependency(db, SYSTEM, link.id, {"type": DependencyType.SS, "lag": 3})
    complete(db)
    scope = scenarios.compare_scenario(db, SYSTEM, scenario.id)["scope"]
    assert scope["dependencies_changed"] == [
        {"link": "PLAT-1 → TRAIN-1", "live": "FS", "scenario": "SS+3"}
    ]
    assert scope["dependencies_added"] == [] and scope["dependencies_removed"] == []

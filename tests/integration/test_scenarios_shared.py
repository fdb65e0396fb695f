"""Scenarios and what they share with the live plan, and the end state applying checks.

Resources and calendars are shared: new hours per day set again the effort-driven
durations of the live plan and of the copy alike, which is no conflict; applying sets
those durations at today's hours and says so (as the comparison does). Applying writes
every assignment first and then each effort-driven duration once, so a scenario whose
end state is valid applies even when writing its assignments one by one would pass
through a task longer than a task may last."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from podium.engine.network import MAX_DURATION
from podium.errors import Conflict
from podium.services import calendars, scenarios
from podium.services import tasks as task_service
from podium.services.actor import SYSTEM
from podium.services.resources import assignments, catalog
from podium.services.uow import complete
from tests.integration.test_cli_scenarios import podium
from tests.integration.test_scenarios_effort import (
    Plan,
    _all_jobs,
    _apply_and_check,
    _job,
    _plan,
    _scenario,
    _task,
)


def _hours(db: Session, plan: Plan, hours_per_day: float) -> None:
    """Ana's hours per day change in the organisation's resource list."""
    catalog.update_resource(db, SYSTEM, plan.ana.id, {"hours_per_day": hours_per_day})
    complete(db)


# --- 1. a shared resource's hours per day changed after the copy -------------------


def test_new_hours_per_day_after_the_copy_do_not_refuse_the_apply(db: Session) -> None:
    plan = _plan(db)  # the build: Ana 100 %, 80 h given, 8 h a day: 10 days
    scenario, copy = _scenario(db, plan)
    _hours(db, plan, 10)  # the same 80 h take 8 days now, live and in the copy alike
    assert _task(db, plan.program, "PLAT-1").duration == _task(db, copy, "PLAT-1").duration == 8

    assert scenarios.find_conflicts(db, scenario) == []
    hours = scenarios.compare_scenario(db, SYSTEM, scenario.id)["hours_changed"]
    assert hours["resources"] == [{"key": "ana", "name": "Ana", "hours_per_day": [8.0, 10.0]}]
    (task,) = hours["tasks"]
    assert {k: task[k] for k in ("key", "copied", "live", "scenario", "resources")} == {
        "key": "PLAT-1",
        "copied": 10,
        "live": 8,
        "scenario": 8,
        "resources": ["ana"],
    }
    assert "Ana's from 8 h to 10 h" in hours["note"]

    counts = _apply_and_check(db, plan, scenario, copy)
    assert counts == {"created": {}, "updated": {}, "deleted": {}}
    assert scenario.outcome is not None
    (applied,) = scenario.outcome["hours_changed"]["tasks"]
    assert (applied["key"], applied["copied"], applied["applied"]) == ("PLAT-1", 10, 8)


def test_new_hours_and_more_work_in_the_scenario_apply_at_todays_hours(db: Session) -> None:
    plan = _plan(db)
    scenario, copy = _scenario(db, plan)
    assignments.update_assignment(db, SYSTEM, _job(db, copy, plan.ana).id, {"work_hours": 120})
    complete(db)
    assert _task(db, copy, "PLAT-1").duration == 15  # 120 h at 8 h a day
    _hours(db, plan, 10)
    assert _task(db, copy, "PLAT-1").duration == 12  # at 10 h a day
    assert _task(db, plan.program, "PLAT-1").duration == 8

    view = scenarios.compare_scenario(db, SYSTEM, scenario.id)
    changed = {c["key"]: c["fields"] for c in view["scope"]["tasks_changed"]}
    assert changed == {"PLAT-1": {"duration": [8, 12]}}
    (task,) = view["hours_changed"]["tasks"]
    assert (task["copied"], task["live"], task["scenario"]) == (10, 8, 12)

    counts = _apply_and_check(db, plan, scenario, copy)
    assert counts["updated"] == {"tasks": 1, "assignments": 1}
    assert _task(db, plan.program, "PLAT-1").duration == 12


def test_hours_changed_and_back_are_no_conflict_and_say_nothing(db: Session) -> None:
    plan = _plan(db)
    scenario, copy = _scenario(db, plan)
    _hours(db, plan, 10)
    _hours(db, plan, 8)  # the live task was saved twice, and is as it was copied
    assert scenarios.find_conflicts(db, scenario) == []
    assert scenarios.compare_scenario(db, SYSTEM, scenario.id)["hours_changed"]["tasks"] == []
    _apply_and_check(db, plan, scenario, copy)
    assert scenario.outcome is not None and "hours_changed" not in scenario.outcome


def test_a_live_change_of_the_work_still_refuses_when_hours_changed_too(db: Session) -> None:
    plan = _plan(db)
    scenario, copy = _scenario(db, plan)
    assignments.update_assignment(db, SYSTEM, _job(db, copy, plan.ana).id, {"work_hours": 120})
    complete(db)
    _hours(db, plan, 10)
    assignments.update_assignment(db, SYSTEM, plan.job.id, {"work_hours": 40})
    complete(db)
    with pytest.raises(Conflict) as refused:
        scenarios.apply_scenario(db, SYSTEM, scenario.id)
    found = {(c["kind"], c["key"]): c for c in refused.value.details["conflicts"]}
    assert found[("assignment", "ana on PLAT-1")]["fields"] == ["work_hours"]
    assert found[("task", "PLAT-1")]["fields"] == ["duration"]  # the work moved it, too
    db.rollback()


def test_a_live_person_taken_off_stays_off_when_hours_changed_too(db: Session) -> None:
    plan = _plan(db)
    bob = assignments.create_assignment(
        db, SYSTEM, task_id=plan.build.id, resource_id=plan.bob.id
    )  # no work given: Ana's 80 h at 16 h a day, 5 days
    complete(db)
    scenario, _copy = _scenario(db, plan)
    _hours(db, plan, 10)
    assignments.delete_assignment(db, SYSTEM, bob.id)  # nothing handed over: 8 days
    complete(db)
    # the scenario left Bob's assignment as it was: the live deletion stands, and the
    # task's new duration follows from its work, not a conflict of its own
    assert scenarios.find_conflicts(db, scenario) == []
    applied = scenarios.apply_scenario(db, SYSTEM, scenario.id)
    complete(db)
    assert applied.outcome["applied"] == {"created": {}, "updated": {}, "deleted": {}}
    build = task_service.get_task(db, SYSTEM, plan.build.id)
    on = assignments.list_assignments(db, SYSTEM, task_id=build.id)
    assert [v.resource.key for v in on] == [plan.ana.key] and build.duration == 8


def test_a_live_duration_typed_on_a_task_without_work_still_refuses(db: Session) -> None:
    plan = _plan(db)
    assignments.update_assignment(db, SYSTEM, plan.job.id, {"work_hours": None})
    complete(db)
    scenario, copy = _scenario(db, plan)
    task_service.update_task(db, SYSTEM, _task(db, copy, "PLAT-1").id, {"duration": 7})
    complete(db)
    _hours(db, plan, 10)
    task_service.update_task(db, SYSTEM, plan.build.id, {"duration": 6})  # no work: typed
    complete(db)
    (conflict,) = scenarios.find_conflicts(db, scenario)
    assert (conflict["key"], conflict["fields"]) == ("PLAT-1", ["duration"])


def test_a_calendar_changed_after_the_copy_does_not_refuse_the_apply(db: Session) -> None:
    """A guard beside the hours: a shared calendar's new workweek moves dates in both
    plans (durations are working days) and saves no record of the plan."""
    plan = _plan(db)
    short = calendars.create_calendar(db, SYSTEM, name="Short week")
    complete(db)
    catalog.update_resource(db, SYSTEM, plan.ana.id, {"calendar_id": short.id})
    complete(db)
    scenario, copy = _scenario(db, plan)
    task_service.update_task(db, SYSTEM, _task(db, copy, "PLAT-2").id, {"duration": 7})
    calendars.update_calendar(db, SYSTEM, short.id, {"workdays": ["Mon", "Tue", "Wed"]})
    complete(db)
    assert scenarios.find_conflicts(db, scenario) == []
    _apply_and_check(db, plan, scenario, copy)


def test_the_cli_says_what_new_hours_did_in_compare_and_apply(cli_env: None, db: Session) -> None:
    plan = _plan(db)
    scenario, copy = _scenario(db, plan)
    _hours(db, plan, 10)
    ref = copy.key  # EFF~S1

    code, out = podium("scenario", "compare", ref)
    assert code == 0, out
    assert "Since this scenario was copied, hours per day changed (Ana's from 8 h to 10 h)" in out
    assert "PLAT-1 Build: 10 wd when copied, 8 wd live, 8 wd in the scenario" in out

    code, out = podium("scenario", "apply", ref)
    assert code == 0, out
    assert f"applied S{scenario.number} Effort (no differences)" in out
    assert "PLAT-1 Build: 10 wd when copied, 8 wd applied" in out


# --- 3. the end state is checked, not each assignment written on the way -----------


def _huge(db: Session, plan: Plan, work: float) -> None:
    assignments.update_assignment(db, SYSTEM, plan.job.id, {"work_hours": work})
    complete(db)


def test_more_work_and_a_person_added_apply_though_the_work_alone_would_be_too_long(
    db: Session,
) -> None:
    plan = _plan(db)
    _huge(db, plan, 400_000)  # 50,000 days at 8 h a day
    scenario, copy = _scenario(db, plan)
    assignments.create_assignment(
        db, SYSTEM, task_id=_task(db, copy, "PLAT-1").id, resource_id=plan.bob.id
    )
    assignments.update_assignment(
        db, SYSTEM, _job(db, copy, plan.ana).id, {"work_hours": 1_200_000}
    )
    complete(db)
    # 1,200,000 h at 16 h a day: valid; Ana's new work alone would be 150,000 days
    assert _task(db, copy, "PLAT-1").duration == 75_000 < MAX_DURATION < 150_000
    counts = _apply_and_check(db, plan, scenario, copy)
    assert counts["updated"] == {"tasks": 1, "assignments": 1}
    assert counts["created"] == {"assignments": 1}
    assert _task(db, plan.program, "PLAT-1").duration == 75_000


def test_a_person_swapped_applies_though_taking_one_off_first_would_be_too_long(
    db: Session,
) -> None:
    plan = _plan(db)
    _huge(db, plan, 440_000)
    bob = assignments.create_assignment(
        db, SYSTEM, task_id=plan.build.id, resource_id=plan.bob.id, work_hours=440_000
    )
    complete(db)
    assert _task(db, plan.program, "PLAT-1").duration == 55_000  # 880,000 h at 16 h a day
    carol = catalog.create_resource(db, SYSTEM, key="carol", name="Carol")
    complete(db)
    scenario, copy = _scenario(db, plan)
    assignments.create_assignment(
        db, SYSTEM, task_id=_task(db, copy, "PLAT-1").id, resource_id=carol.id
    )
    assignments.delete_assignment(db, SYSTEM, _job(db, copy, plan.bob).id)
    complete(db)
    # Bob's 440,000 h went to Ana and Carol: 880,000 h at 16 h a day again; taken off the
    # live task first, Bob's work would go to Ana alone: 110,000 days
    assert _task(db, copy, "PLAT-1").duration == 55_000
    _apply_and_check(db, plan, scenario, copy)
    assert db.get(type(bob), bob.id) is None
    assert set(_all_jobs(db, plan.program)) == {("PLAT-1", "ana"), ("PLAT-1", "carol")}


def test_ticking_effort_driven_with_a_person_added_applies_at_the_end_states_length(
    db: Session,
) -> None:
    plan = _plan(db, effort_driven=False)
    _huge(db, plan, 1_200_000)  # kept for when the task is effort-driven: 150,000 days
    scenario, copy = _scenario(db, plan)
    build = _task(db, copy, "PLAT-1")
    assignments.create_assignment(db, SYSTEM, task_id=build.id, resource_id=plan.bob.id)
    task_service.update_task(db, SYSTEM, build.id, {"effort_driven": True})
    complete(db)
    assert build.duration == 75_000
    counts = _apply_and_check(db, plan, scenario, copy)
    assert counts["updated"] == {"tasks": 1} and counts["created"] == {"assignments": 1}


def test_an_end_state_longer_than_a_task_may_last_is_refused_and_nothing_written(
    db: Session,
) -> None:
    """The end state is still checked: a copy whose duration was not set again from its
    work (here its units were written without) is applied at what its work takes."""
    plan = _plan(db)
    _huge(db, plan, 600_000)  # 75,000 days
    scenario, copy = _scenario(db, plan)
    assignments.update_assignment(
        db, SYSTEM, _job(db, copy, plan.ana).id, {"units": 0.5}, follow_effort=False
    )
    complete(db)
    assert _task(db, copy, "PLAT-1").duration == 75_000  # 600,000 h at 4 h a day: 150,000
    with pytest.raises(Conflict) as refused:
        scenarios.apply_scenario(db, SYSTEM, scenario.id)
    assert refused.value.code == "scenario_conflict"
    assert "150,000 working days" in refused.value.message
    db.rollback()
    db.expire_all()
    assert _task(db, plan.program, "PLAT-1").duration == 75_000
    assert _all_jobs(db, plan.program) == {("PLAT-1", "ana"): (1.0, 600_000)}


def test_an_actual_start_cleared_in_the_scenario_applies_with_the_duration_of_the_work(
    db: Session,
) -> None:
    plan = _plan(db)
    task_service.update_task(db, SYSTEM, plan.build.id, {"actual_start": date(2027, 1, 4)})
    task_service.update_task(db, SYSTEM, plan.build.id, {"duration": 12})  # its own, started
    complete(db)
    scenario, copy = _scenario(db, plan)
    build = _task(db, copy, "PLAT-1")
    assignments.create_assignment(db, SYSTEM, task_id=build.id, resource_id=plan.bob.id)
    task_service.update_task(db, SYSTEM, build.id, {"actual_start": None})
    complete(db)
    assert (build.actual_start, build.duration) == (None, 5)  # 80 h at 16 h a day
    counts = _apply_and_check(db, plan, scenario, copy)
    assert counts["updated"] == {"tasks": 1} and counts["created"] == {"assignments": 1}
    assert _task(db, plan.program, "PLAT-1").actual_start is None

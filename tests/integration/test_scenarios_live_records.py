"""Records added to or deleted from the live plan since a scenario was copied: kept as
the live plan has them when the scenario does not touch them; a conflict only where
applying could not keep both (docs/scenarios.md, Applying)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.errors import Conflict
from podium.models import Dependency, Project, ScenarioStatus, Task
from podium.services import dependencies, milestones, scenarios
from podium.services import tasks as task_service
from podium.services.actor import SYSTEM
from podium.services.dependencies import EndRef
from podium.services.resources import assignments, catalog
from podium.services.uow import complete
from tests.integration.test_scenarios import _copy, _milestone, _new_scenario, _plan, _task


def _conflicts(db: Session, scenario_id: int) -> dict[tuple[str, str, str], str]:
    with pytest.raises(Conflict) as refused:
        scenarios.apply_scenario(db, SYSTEM, scenario_id)
    db.rollback()
    assert refused.value.code == "scenario_conflict"
    return {
        (c["kind"], c["key"], c["change"]): c["message"] for c in refused.value.details["conflicts"]
    }


def test_live_additions_and_deletions_the_scenario_leaves_alone_stay_as_they_are(
    db: Session,
) -> None:
    plan = _plan(db)
    scenario = _new_scenario(db, plan)
    copy = _copy(db, scenario)
    task_service.update_task(db, SYSTEM, _task(db, copy, "PLAT-1").id, {"duration": 12})
    complete(db)
    # meanwhile, live: a task, a link and a milestone added; a task and its link deleted
    docs = task_service.create_task(db, SYSTEM, project_id=plan.train.id, name="Docs", duration=2)
    dependencies.create_dependency(
        db, SYSTEM, predecessor=EndRef("task", plan.course.id), successor=EndRef("task", docs.id)
    )
    milestones.create_milestone(db, SYSTEM, program_id=plan.program.id, key="M2", name="Go live")
    task_service.delete_task(db, SYSTEM, plan.rollout.id, cascade=True)
    complete(db)
    assert scenarios.find_conflicts(db, scenario) == []
    compared = scenarios.compare_scenario(db, SYSTEM, scenario.id)  # reads as ever
    assert compared["scenario"]["id"] == scenario.id and compared["scope"]

    applied = scenarios.apply_scenario(db, SYSTEM, scenario.id)
    complete(db)
    db.expire_all()
    assert applied.status == ScenarioStatus.APPLIED
    assert applied.outcome == {"applied": {"created": {}, "updated": {"tasks": 1}, "deleted": {}}}
    assert _task(db, plan.program, "PLAT-1").duration == 12  # the scenario's change
    assert _task(db, plan.program, docs.key).duration == 2  # the live addition, kept
    assert _milestone(db, plan.program, "M2").name == "Go live"
    assert db.scalar(select(Task).where(Task.id == plan.rollout.id)) is None  # still deleted
    links = db.scalars(select(Dependency).where(Dependency.program_id == plan.program.id)).all()
    assert {(d.predecessor_task_id, d.successor_task_id) for d in links} == {
        (plan.pilot.id, plan.course.id),
        (plan.course.id, None),
        (plan.course.id, docs.id),
    }


def test_live_additions_the_scenarios_deletions_would_take_with_them_clash(db: Session) -> None:
    plan = _plan(db)
    task_service.update_task(db, SYSTEM, plan.rollout.id, {"budget": 0})  # may take sub-tasks
    complete(db)
    scenario = _new_scenario(db, plan)
    copy = _copy(db, scenario)
    for key in ("PLAT-2", "TRAIN-1"):  # the rollout, and the course with its links
        task_service.delete_task(db, SYSTEM, _task(db, copy, key).id, cascade=True)
    complete(db)
    # live: a sub-task under the rollout, a link from the course, Bob on the course
    under = task_service.create_task(
        db, SYSTEM, project_id=plan.plat.id, name="Rollout wave", parent_id=plan.rollout.id
    )
    dependencies.create_dependency(
        db, SYSTEM, predecessor=EndRef("task", plan.course.id), successor=EndRef("task", under.id)
    )
    bob = catalog.create_resource(db, SYSTEM, key="bob", name="Bob")
    assignments.create_assignment(db, SYSTEM, task_id=plan.course.id, resource_id=bob.id)
    complete(db)
    before = task_service.get_task(db, SYSTEM, plan.pilot.id).version

    found = _conflicts(db, scenario.id)
    assert found == {
        ("task", under.key, "added"): f"task {under.key} was added to the live plan on task "
        "PLAT-2, which the scenario deletes",
        ("dependency", f"TRAIN-1 → {under.key}", "added"): f"dependency TRAIN-1 → {under.key} "
        "was added to the live plan on task TRAIN-1, which the scenario deletes",
        ("assignment", "bob on TRAIN-1", "added"): "assignment bob on TRAIN-1 was added to the "
        "live plan on task TRAIN-1, which the scenario deletes",
    }
    assert task_service.get_task(db, SYSTEM, plan.pilot.id).version == before  # nothing written
    assert db.get(Task, plan.course.id) is not None


def test_a_key_the_live_plan_and_the_scenario_both_add_clashes(db: Session) -> None:
    plan = _plan(db)
    scenario = _new_scenario(db, plan)
    copy = _copy(db, scenario)
    milestones.create_milestone(db, SYSTEM, program_id=copy.id, key="M2", name="Cut-over")
    complete(db)
    milestones.create_milestone(db, SYSTEM, program_id=plan.program.id, key="m2", name="Go live")
    complete(db)
    assert _conflicts(db, scenario.id) == {
        ("milestone", "m2", "added"): "milestone m2 was added to the live plan, and the "
        "scenario adds another milestone with that key: give the scenario's another key"
    }
    milestones.update_milestone(db, SYSTEM, _milestone(db, copy, "M2").id, {"key": "M3"})
    complete(db)
    scenarios.apply_scenario(db, SYSTEM, scenario.id)
    complete(db)
    assert {_milestone(db, plan.program, k).name for k in ("m2", "M3")} == {"Go live", "Cut-over"}


def test_what_the_scenario_adds_on_a_record_deleted_live_clashes(db: Session) -> None:
    plan = _plan(db)
    scenario = _new_scenario(db, plan)
    copy = _copy(db, scenario)
    copy_plat = db.scalar(
        select(Project).where(Project.program_id == copy.id, Project.key == "PLAT")
    )
    assert copy_plat is not None
    ops = task_service.create_task(db, SYSTEM, project_id=copy_plat.id, name="Ops", duration=2)
    dependencies.create_dependency(
        db,
        SYSTEM,
        predecessor=EndRef("task", _task(db, copy, "PLAT-2").id),
        successor=EndRef("task", ops.id),
    )
    complete(db)
    task_service.delete_task(db, SYSTEM, plan.rollout.id, cascade=True)
    complete(db)
    assert _conflicts(db, scenario.id) == {
        ("task", "PLAT-2", "deleted"): "task PLAT-2 was deleted from the live plan, and the "
        f"scenario adds dependency PLAT-2 → {ops.key} on it"
    }
    assert (
        db.scalar(select(Task).where(Task.program_id == plan.program.id, Task.name == "Ops"))
        is None
    )

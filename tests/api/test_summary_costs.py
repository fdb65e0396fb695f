"""A task with a budget or an actual cost cannot take its first sub-task: as a summary its
costs are the sums of its sub-tasks' (what earned value counts), and its own would
silently stop counting. Refused as a task with progress is (API)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from podium.models import Task
from tests.api.conftest import Cast, post_created
from tests.api.test_programs import assert_error
from tests.api.test_projects import new_project

TASKS = "/api/v1/tasks"


@pytest.fixture
def plat(cast: Cast) -> dict[str, Any]:
    return new_project(cast, "PLAT")


def _task(cast: Cast, project: dict[str, Any], name: str, **fields: Any) -> dict[str, Any]:
    return post_created(cast.owner, TASKS, {"project_id": project["id"], "name": name, **fields})


def _count(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count(Task.id))) or 0


def test_a_task_with_a_budget_takes_no_sub_task_however_it_is_put_under_it(
    cast: Cast, plat: dict[str, Any], db: Session
) -> None:
    build = _task(cast, plat, "Build", duration=5, budget=12000)
    other = _task(cast, plat, "Other")
    before = _count(db)
    created = cast.owner.post(
        TASKS, json={"project_id": plat["id"], "name": "Part", "parent_id": build["id"]}
    )
    error = assert_error(created, 409, "parent_has_costs")
    assert error["message"] == (
        "task PLAT-1 has a budget of 12,000 and cannot take sub-tasks: a summary's budget "
        "and actual cost are the sums of its sub-tasks' (what earned value counts), so its "
        "own would no longer count; clear it first, and give it to the sub-tasks"
    )
    assert error["details"] == {
        "task": "PLAT-1",
        "parent_id": build["id"],
        "budget": 12000,
        "actual_cost": 0,
    }
    assert _count(db) == before
    # moved under it, or indented under it (it is just above): refused the same way
    moved = cast.owner.post(f"{TASKS}/{other['id']}/move", json={"parent_id": build["id"]})
    assert_error(moved, 409, "parent_has_costs")
    assert_error(cast.owner.post(f"{TASKS}/{other['id']}/indent"), 409, "parent_has_costs")
    patched = cast.owner.patch(f"{TASKS}/{other['id']}", json={"parent_id": build["id"]})
    assert_error(patched, 409, "parent_has_costs")
    listed = cast.viewer.get(TASKS, params={"project_id": plat["id"]}).json()["items"]
    assert [(t["key"], t["parent_id"], t["is_summary"]) for t in listed] == [
        ("PLAT-1", None, False),
        ("PLAT-2", None, False),
    ]
    assert cast.viewer.get(f"{TASKS}/{build['id']}").json()["budget"] == 12000


def test_an_actual_cost_is_refused_alike_and_both_are_named(
    cast: Cast, plat: dict[str, Any]
) -> None:
    spent = _task(cast, plat, "Licences", actual_cost=3000.5)
    response = cast.owner.post(
        TASKS, json={"project_id": plat["id"], "name": "Part", "parent_id": spent["id"]}
    )
    error = assert_error(response, 409, "parent_has_costs")
    assert error["message"].startswith("task PLAT-1 has an actual cost of 3,000.50 and cannot")
    cast.owner.patch(f"{TASKS}/{spent['id']}", json={"budget": 1500000})
    response = cast.owner.post(
        TASKS, json={"project_id": plat["id"], "name": "Part", "parent_id": spent["id"]}
    )
    error = assert_error(response, 409, "parent_has_costs")
    assert error["message"].startswith(
        "task PLAT-1 has a budget of 1,500,000 and an actual cost of 3,000.50 and cannot"
    )
    assert "clear them first, and give them to the sub-tasks" in error["message"]


def test_progress_and_costs_together_are_told_at_once(cast: Cast, plat: dict[str, Any]) -> None:
    started = _task(
        cast, plat, "Build", duration=5, actual_start="2027-01-05", percent_complete=20, budget=800
    )
    response = cast.owner.post(
        TASKS, json={"project_id": plat["id"], "name": "Part", "parent_id": started["id"]}
    )
    error = assert_error(response, 409, "parent_has_progress")
    assert error["message"] == (
        "task PLAT-1 has progress recorded (actual start 2027-01-05, 20 % complete) and a "
        "budget of 800, and cannot take sub-tasks: a summary's progress and costs come from "
        "its sub-tasks; clear them first, and record them on the sub-tasks"
    )


def test_once_cleared_it_takes_sub_tasks_and_they_carry_the_budget(
    cast: Cast, plat: dict[str, Any]
) -> None:
    build = _task(cast, plat, "Build", duration=5, budget=12000)
    cleared = cast.owner.patch(f"{TASKS}/{build['id']}", json={"budget": 0})
    assert cleared.status_code == 200, cleared.text
    _task(cast, plat, "Part 1", parent_id=build["id"], budget=7000)
    # a summary already: its own stored costs are unused, so more sub-tasks are fine
    _task(cast, plat, "Part 2", parent_id=build["id"], budget=5000)
    summary = cast.viewer.get(f"{TASKS}/{build['id']}").json()
    assert (summary["is_summary"], summary["budget"]) == (True, 12000)


def test_a_summary_with_stored_costs_of_its_own_still_takes_more_sub_tasks(
    cast: Cast, plat: dict[str, Any], db: Session
) -> None:
    # as a plan imported from elsewhere may leave it: its own values kept, unused
    wave = _task(cast, plat, "Wave")
    _task(cast, plat, "Part 1", parent_id=wave["id"], budget=100)
    stored = db.get(Task, wave["id"])
    assert stored is not None
    stored.budget = 999.0
    db.commit()
    _task(cast, plat, "Part 2", parent_id=wave["id"], budget=50)
    assert cast.viewer.get(f"{TASKS}/{wave['id']}").json()["budget"] == 150

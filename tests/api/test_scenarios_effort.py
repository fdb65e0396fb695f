"""Scenarios API and effort-driven tasks: the copy keeps the work given; the comparison
shows a change of work and what it moves; applying writes the scenario's work, people
and durations onto the live plan (never a 409 ``effort_driven`` for an edit the copy
took); a live change of the same task's work refuses the apply with the conflicts."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import Cast, link, post_created
from tests.factories import assert_error

pytestmark = pytest.mark.db


def _plan(cast: Cast, *, effort_driven: bool = True) -> dict[str, Any]:
    """PLAT-1 Build (Ana 100 %, 80 h given: 10 days when effort-driven), then PLAT-2 Test
    (5 days), then M1; Bob (8 h a day) is on nothing."""
    m = cast.manager
    project = post_created(
        m, "/api/v1/projects", {"program_id": cast.program.id, "key": "PLAT", "name": "Platform"}
    )
    build = post_created(
        m,
        "/api/v1/tasks",
        {
            "project_id": project["id"],
            "name": "Build",
            "duration": 4,
            "effort_driven": effort_driven,
        },
    )
    test = post_created(
        m, "/api/v1/tasks", {"project_id": project["id"], "name": "Test", "duration": 5}
    )
    m1 = post_created(
        m, "/api/v1/milestones", {"program_id": cast.program.id, "key": "M1", "name": "Live"}
    )
    link(m, ("task", build["id"]), ("task", test["id"]))
    link(m, ("task", test["id"]), ("milestone", m1["id"]))
    ana = post_created(cast.admin, "/api/v1/resources", {"key": "ana", "name": "Ana"})
    bob = post_created(cast.admin, "/api/v1/resources", {"key": "bob", "name": "Bob"})
    job = post_created(
        m,
        "/api/v1/assignments",
        {"task_id": build["id"], "resource_id": ana["id"], "work_hours": 80},
    )
    return {"build": build, "ana": ana, "bob": bob, "job": job}


def _scenario(cast: Cast) -> dict[str, Any]:
    return post_created(
        cast.manager, f"/api/v1/programs/{cast.program.id}/scenarios", {"name": "Effort"}
    )


def _tasks(cast: Cast, program_id: int) -> dict[str, dict[str, Any]]:
    items = cast.viewer.get("/api/v1/tasks", params={"program_id": program_id}).json()["items"]
    return {t["key"]: t for t in items}


def _all_jobs(cast: Cast, program_id: int) -> dict[tuple[str, str], dict[str, Any]]:
    """Every assignment of the program by (task key, resource key)."""
    items = cast.viewer.get("/api/v1/assignments", params={"program_id": program_id})
    return {(a["task_key"], a["resource_key"]): a for a in items.json()["items"]}


def _jobs(cast: Cast, program_id: int, task: str = "PLAT-1") -> dict[str, dict[str, Any]]:
    """The assignments of one task (the build task unless said) by resource key."""
    return {res: a for (key, res), a in _all_jobs(cast, program_id).items() if key == task}


def _shown(cast: Cast, program_id: int) -> dict[str, Any]:
    """What applying must carry over: each task's duration, flag and dates, each
    assignment's units and work, and the program's finish."""
    tasks = {
        k: (t["duration"], t["effort_driven"], t["early_start"], t["early_finish"])
        for k, t in _tasks(cast, program_id).items()
    }
    jobs = {
        k: (a["units"], a["given_work_hours"], a["work_hours"])
        for k, a in _all_jobs(cast, program_id).items()
    }
    finish = cast.viewer.get(f"/api/v1/programs/{program_id}").json()["scheduled_finish"]
    return {"tasks": tasks, "jobs": jobs, "finish": finish}


def _apply(cast: Cast, scenario: dict[str, Any]) -> dict[str, Any]:
    expected = _shown(cast, scenario["copy_program_id"])
    response = cast.manager.post(f"/api/v1/scenarios/{scenario['id']}/apply")
    assert response.status_code == 200, response.text
    assert _shown(cast, cast.program.id) == expected
    outcome: dict[str, Any] = response.json()["outcome"]
    return outcome


def _patch(cast: Cast, url: str, body: dict[str, Any]) -> dict[str, Any]:
    response = cast.manager.patch(url, json=body)
    assert response.status_code == 200, response.text
    changed: dict[str, Any] = response.json()
    return changed


def test_the_copy_keeps_the_work_given_and_the_effort_driven_setting(cast: Cast) -> None:
    plan = _plan(cast)
    scenario = _scenario(cast)
    copy_id = scenario["copy_program_id"]
    build = _tasks(cast, copy_id)["PLAT-1"]
    assert build["effort_driven"] is True and build["duration"] == 10
    (job,) = _jobs(cast, copy_id).values()
    assert (job["units"], job["given_work_hours"], job["work_hours"]) == (1.0, 80.0, 80.0)
    assert job["id"] != plan["job"]["id"]


def test_more_work_given_in_the_scenario_compares_and_applies(cast: Cast) -> None:
    _plan(cast)
    scenario = _scenario(cast)
    copy_id = scenario["copy_program_id"]
    job = _jobs(cast, copy_id)["ana"]
    _patch(cast, f"/api/v1/assignments/{job['id']}", {"work_hours": 120})
    assert _tasks(cast, copy_id)["PLAT-1"]["duration"] == 15

    body = cast.viewer.get(f"/api/v1/scenarios/{scenario['id']}/compare").json()
    assert body["program"]["finish"]["slip"] == 5 and body["milestones"][0]["slip"] == 5
    (task,) = body["scope"]["tasks_changed"]
    assert task["key"] == "PLAT-1" and task["fields"] == {"duration": [10, 15]}
    (work,) = body["scope"]["assignments_changed"]
    given = [80.0, 120.0]  # the work given, named as the assignments API names it
    assert work == {
        "assignment": "ana on PLAT-1",
        "fields": {"given_work_hours": given, "work_hours": given},  # work_hours: deprecated
    }

    outcome = _apply(cast, scenario)
    assert outcome["applied"]["updated"] == {"tasks": 1, "assignments": 1}
    assert _tasks(cast, cast.program.id)["PLAT-1"]["duration"] == 15


def test_a_person_added_and_units_changed_in_the_scenario_apply(cast: Cast) -> None:
    plan = _plan(cast)
    scenario = _scenario(cast)
    copy_id = scenario["copy_program_id"]
    build = _tasks(cast, copy_id)["PLAT-1"]
    post_created(
        cast.manager,
        "/api/v1/assignments",
        {"task_id": build["id"], "resource_id": plan["bob"]["id"], "units": 0.5},
    )
    _patch(cast, f"/api/v1/assignments/{_jobs(cast, copy_id)['ana']['id']}", {"units": 0.5})
    assert _tasks(cast, copy_id)["PLAT-1"]["duration"] == 10  # 80 h at 8 h a day
    _apply(cast, scenario)
    assert set(_jobs(cast, cast.program.id)) == {"ana", "bob"}


def test_a_person_taken_off_and_the_work_changed_in_the_scenario_apply(cast: Cast) -> None:
    plan = _plan(cast)
    post_created(
        cast.manager,
        "/api/v1/assignments",
        {"task_id": plan["build"]["id"], "resource_id": plan["bob"]["id"], "work_hours": 40},
    )
    scenario = _scenario(cast)
    copy_id = scenario["copy_program_id"]
    jobs = _jobs(cast, copy_id)
    gone = cast.manager.delete(f"/api/v1/assignments/{jobs['bob']['id']}")
    assert gone.status_code in (200, 204), gone.text
    _patch(cast, f"/api/v1/assignments/{jobs['ana']['id']}", {"work_hours": 16})
    assert _tasks(cast, copy_id)["PLAT-1"]["duration"] == 2
    _apply(cast, scenario)
    assert set(_jobs(cast, cast.program.id)) == {"ana"}


def test_ticking_effort_driven_with_new_work_in_the_scenario_applies(cast: Cast) -> None:
    _plan(cast, effort_driven=False)
    scenario = _scenario(cast)
    copy_id = scenario["copy_program_id"]
    build = _tasks(cast, copy_id)["PLAT-1"]
    assert build["duration"] == 4
    _patch(cast, f"/api/v1/tasks/{build['id']}", {"effort_driven": True})
    _patch(cast, f"/api/v1/assignments/{_jobs(cast, copy_id)['ana']['id']}", {"work_hours": 56})
    assert _tasks(cast, copy_id)["PLAT-1"]["duration"] == 7
    _apply(cast, scenario)


def test_unticking_effort_driven_and_typing_a_duration_in_the_scenario_applies(
    cast: Cast,
) -> None:
    _plan(cast)
    scenario = _scenario(cast)
    copy_id = scenario["copy_program_id"]
    build = _tasks(cast, copy_id)["PLAT-1"]
    _patch(cast, f"/api/v1/tasks/{build['id']}", {"effort_driven": False, "duration": 3})
    _patch(cast, f"/api/v1/assignments/{_jobs(cast, copy_id)['ana']['id']}", {"work_hours": 200})
    _apply(cast, scenario)
    assert _tasks(cast, cast.program.id)["PLAT-1"]["duration"] == 3


def test_a_live_change_of_the_same_tasks_work_refuses_the_apply_with_the_conflicts(
    cast: Cast,
) -> None:
    plan = _plan(cast)
    scenario = _scenario(cast)
    copy_id = scenario["copy_program_id"]
    _patch(cast, f"/api/v1/assignments/{_jobs(cast, copy_id)['ana']['id']}", {"work_hours": 120})
    _patch(cast, f"/api/v1/assignments/{plan['job']['id']}", {"work_hours": 40})
    response = cast.manager.post(f"/api/v1/scenarios/{scenario['id']}/apply")
    assert_error(response, 409, "scenario_conflict")
    conflicts = {(c["kind"], c["key"]): c for c in response.json()["error"]["details"]["conflicts"]}
    assert conflicts[("assignment", "ana on PLAT-1")]["fields"] == ["work_hours"]
    assert conflicts[("task", "PLAT-1")]["fields"] == ["duration"]
    assert _tasks(cast, cast.program.id)["PLAT-1"]["duration"] == 5  # nothing written
    assert cast.viewer.get(f"/api/v1/scenarios/{scenario['id']}").json()["status"] == "active"

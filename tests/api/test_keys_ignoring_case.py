"""Keys a person types are unique ignoring case: programs, projects, tasks and program
milestones (``data-3`` finds ``DATA-3`` wherever a key is looked up, so two keys that
differ only in case would read as one)."""

from __future__ import annotations

from podium.interop.plan_checks import cross_reference_problems
from tests.api.conftest import Cast, post_created
from tests.factories import assert_error

PROGRAM = {"name": "Data platform", "start_date": "2027-02-01"}


def test_a_program_key_taken_in_another_case_is_refused_naming_the_stored_key(
    cast: Cast,
) -> None:
    error = assert_error(
        cast.owner.post("/api/v1/programs", json={**PROGRAM, "key": "cloud"}), 409, "conflict"
    )
    assert error["message"] == "a program with key CLOUD already exists"
    assert error["details"] == {"field": "key"}
    other = post_created(cast.owner, "/api/v1/programs", {**PROGRAM, "key": "DATA"})
    renamed = cast.owner.patch(
        f"/api/v1/programs/{other['id']}", json={"key": "Cloud"}, headers={"If-Match": '"1"'}
    )
    assert_error(renamed, 409, "conflict")


def test_a_program_may_change_the_case_of_its_own_key(cast: Cast) -> None:
    url = f"/api/v1/programs/{cast.program.id}"
    version = cast.owner.get(url).headers["ETag"]
    renamed = cast.owner.patch(url, json={"key": "Cloud"}, headers={"If-Match": version})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["key"] == "Cloud"


def test_project_task_and_milestone_keys_are_unique_ignoring_case(cast: Cast) -> None:
    m, pid = cast.manager, cast.program.id
    data = post_created(m, "/api/v1/projects", {"program_id": pid, "key": "DATA", "name": "Data"})
    clash = m.post("/api/v1/projects", json={"program_id": pid, "key": "data", "name": "Again"})
    assert assert_error(clash, 409, "conflict")["message"] == (
        "this program already has a project with key DATA"
    )
    task = post_created(
        m, "/api/v1/tasks", {"project_id": data["id"], "name": "Pilot", "duration": 2}
    )
    assert task["key"] == "DATA-1"
    again = m.post(
        "/api/v1/tasks",
        json={"project_id": data["id"], "key": "data-1", "name": "Again", "duration": 1},
    )
    assert assert_error(again, 409, "conflict")["message"] == (
        "this program already has a task with key DATA-1"
    )
    as_milestone = m.post(
        "/api/v1/milestones", json={"program_id": pid, "key": "Data-1", "name": "Gate"}
    )
    assert assert_error(as_milestone, 409, "conflict")["message"] == (
        "DATA-1 is the key of a task in this program"
    )
    gate = post_created(m, "/api/v1/milestones", {"program_id": pid, "key": "M1", "name": "Gate"})
    twin = m.post("/api/v1/milestones", json={"program_id": pid, "key": "m1", "name": "Twin"})
    assert assert_error(twin, 409, "conflict")["message"] == (
        "milestone M1 already exists in this program"
    )
    as_task = m.post(
        "/api/v1/tasks",
        json={"project_id": data["id"], "key": "m1", "name": "Task", "duration": 1},
    )
    assert assert_error(as_task, 409, "conflict")["message"] == (
        "this program already has a milestone with key M1"
    )
    # a record may change the case of its own key
    for url, record in (
        (f"/api/v1/tasks/{task['id']}", "data-1"),
        (
            f"/api/v1/milestones/{gate['id']}",
            "m1",
        ),
    ):
        version = m.get(url).headers["ETag"]
        changed = m.patch(url, json={"key": record}, headers={"If-Match": version})
        assert changed.status_code == 200, changed.text
        assert changed.json()["key"] == record


def test_a_plan_file_with_keys_differing_only_in_case_names_both_places() -> None:
    plan = {
        "projects": [{"key": "DATA"}, {"key": "data"}],
        "tasks": [{"id": "DATA-1"}, {"id": "DATA-2"}],
        "milestones": [{"id": "data-1"}],
    }
    problems = cross_reference_problems(plan)
    assert {
        "location": "projects[1].key",
        "message": ("duplicate project key 'data' (also projects[0], 'DATA')"),
    } in problems
    assert {
        "location": "milestones[0].id",
        "message": ("duplicate id 'data-1' (also tasks[0], 'DATA-1')"),
    } in problems

"""Assignments API: units, work and cost, effort-driven tasks, refusals, versions and roles."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.models import Assignment, AuditEntry
from tests.api.conftest import ROLES, Cast, post_created
from tests.api.test_resources import ANA, contest
from tests.factories import assert_error, make_program, make_project, make_task

URL = "/api/v1/assignments"


def project_and_task(cast: Cast, **task: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    project = post_created(
        cast.manager,
        "/api/v1/projects",
        {"program_id": cast.program.id, "key": "DATA", "name": "Data transfer"},
    )
    fields = {"project_id": project["id"], "name": "Copy archives", "duration": 10, **task}
    return project, post_created(cast.manager, "/api/v1/tasks", fields)


def resource(cast: Cast, **fields: Any) -> dict[str, Any]:
    return post_created(cast.admin, "/api/v1/resources", {**ANA, **fields})


# --- creating and reading ------------------------------------------------------


def test_an_assignment_reads_with_names_planned_work_and_cost(cast: Cast) -> None:
    _, task = project_and_task(cast)
    ana = resource(cast)  # 8 h a day at 90 an hour
    response = cast.manager.post(
        URL,
        json={"task_id": task["id"], "resource_id": ana["id"], "units": 0.5, "notes": "mornings"},
    )
    assert response.status_code == 201, response.text
    assert response.headers["ETag"] == '"1"'
    body = response.json()
    # 10 days x 0.5 x 8 h = 40 h; 40 h x 90 = 3600
    assert {k: v for k, v in body.items() if k not in ("id", "created_at", "updated_at")} == {
        "program_id": cast.program.id,
        "task_id": task["id"],
        "task_key": "DATA-1",
        "task_name": "Copy archives",
        "resource_id": ana["id"],
        "resource_key": "ana",
        "resource_name": "Ana Lima",
        "units": 0.5,
        "work_hours": 40.0,
        "given_work_hours": None,
        "cost": 3600.0,
        "notes": "mornings",
        "version": 1,
    }
    fetched = cast.viewer.get(f"{URL}/{body['id']}")
    assert fetched.status_code == 200 and fetched.json() == body
    assert fetched.headers["ETag"] == '"1"'


def test_lists_by_program_task_and_resource(cast: Cast) -> None:
    setup = contest(cast)
    plat_id, sec_id = setup.plat["id"], setup.sec["id"]
    by_program = cast.viewer.get(URL, params={"program_id": cast.program.id}).json()
    assert by_program["total"] == 2
    assert sorted(a["task_key"] for a in by_program["items"]) == ["PLAT-1", "SEC-1"]
    by_task = cast.viewer.get(URL, params={"task_id": sec_id}).json()
    assert [(a["task_key"], a["resource_key"]) for a in by_task["items"]] == [("SEC-1", "ana")]
    by_resource = cast.viewer.get(URL, params={"resource_id": setup.ana["id"]}).json()
    assert by_resource["total"] == 2
    both = cast.viewer.get(URL, params={"task_id": plat_id, "resource_id": setup.ana["id"]})
    assert [a["task_key"] for a in both.json()["items"]] == ["PLAT-1"]
    pages = [
        cast.viewer.get(URL, params={"program_id": cast.program.id, "limit": 1, "offset": at})
        for at in (0, 1, 2)
    ]
    assert [p.json()["total"] for p in pages] == [2, 2, 2]
    # one page at a time, in the full list's order, nothing past the end
    assert [a["id"] for p in pages for a in p.json()["items"]] == [
        a["id"] for a in by_program["items"]
    ]
    assert [len(p.json()["items"]) for p in pages] == [1, 1, 0]
    # the same through the task and the resource
    on_task = cast.viewer.get(f"/api/v1/tasks/{plat_id}/assignments").json()
    assert [a["resource_name"] for a in on_task["items"]] == ["Ana Lima"]
    on_resource = cast.viewer.get(f"/api/v1/resources/{setup.ana['id']}/assignments").json()
    assert sorted(a["task_key"] for a in on_resource["items"]) == ["PLAT-1", "SEC-1"]


def test_a_list_without_a_filter_is_422(cast: Cast) -> None:
    error = assert_error(cast.viewer.get(URL), 422, "validation_failed")
    assert {d["field"] for d in error["details"]} == {"program_id", "task_id", "resource_id"}
    assert_error(cast.viewer.get(URL, params={"task_id": 0}), 422)


def test_a_resources_assignments_hide_programs_the_reader_cannot_see(
    cast: Cast, db: Session
) -> None:
    setup = contest(cast)
    other = make_program(db, key="SECRET")
    task = make_task(db, make_project(db, other, "OPS"), "OPS-1")
    db.add(Assignment(program_id=other.id, task_id=task.id, resource_id=setup.ana["id"]))
    db.commit()
    seen = cast.viewer.get(URL, params={"resource_id": setup.ana["id"]}).json()
    assert sorted(a["task_key"] for a in seen["items"]) == ["PLAT-1", "SEC-1"]
    assert cast.admin.get(URL, params={"resource_id": setup.ana["id"]}).json()["total"] == 3
    assert cast.outsider.get(URL, params={"resource_id": setup.ana["id"]}).json()["total"] == 0
    assert_error(cast.outsider.get(URL, params={"program_id": cast.program.id}), 404)
    assert_error(cast.outsider.get(f"/api/v1/tasks/{setup.plat['id']}/assignments"), 404)


def test_unknown_records_are_404(cast: Cast) -> None:
    setup = contest(cast)
    for response in (
        cast.admin.get(f"{URL}/999999"),
        cast.admin.patch(f"{URL}/999999", json={"units": 1}),
        cast.admin.delete(f"{URL}/999999"),
        cast.admin.get("/api/v1/tasks/999999/assignments"),
        cast.admin.get(URL, params={"program_id": 999999}),
        cast.manager.post(URL, json={"task_id": 999999, "resource_id": setup.ana["id"]}),
        cast.manager.post(URL, json={"task_id": setup.plat["id"], "resource_id": 999999}),
    ):
        assert_error(response, 404, "not_found")


# --- effort-driven tasks --------------------------------------------------------


def test_an_effort_driven_task_gets_shorter_with_a_second_person(cast: Cast) -> None:
    _, task = project_and_task(cast, effort_driven=True)
    assert task["effort_driven"] is True
    ana, bo = resource(cast), resource(cast, key="bo", name="Bo Chen")
    first = post_created(
        cast.manager,
        URL,
        {"task_id": task["id"], "resource_id": ana["id"], "work_hours": 80},
    )
    # 80 h with one full-time person of 8 h a day: 10 days
    assert cast.viewer.get(f"/api/v1/tasks/{task['id']}").json()["duration"] == 10
    assert (first["given_work_hours"], first["work_hours"]) == (80.0, 80.0)
    second = post_created(
        cast.manager, URL, {"task_id": task["id"], "resource_id": bo["id"], "units": 0.5}
    )
    # 80 h over 12 h a day is 6.7: 7 days; Bo's planned work is 7 x 0.5 x 8 = 28 h
    assert cast.viewer.get(f"/api/v1/tasks/{task['id']}").json()["duration"] == 7
    assert second["work_hours"] == 28.0
    cast.manager.delete(f"{URL}/{second['id']}")
    assert cast.viewer.get(f"/api/v1/tasks/{task['id']}").json()["duration"] == 10
    # its duration follows from the work: typed in, it would be lost at the next change
    task_url = f"/api/v1/tasks/{task['id']}"
    error = assert_error(cast.manager.patch(task_url, json={"duration": 3}), 409, "effort_driven")
    assert error["details"] == {"task": task["key"], "field": "duration", "work_hours": 80.0}
    both = cast.manager.patch(task_url, json={"duration": 3, "effort_driven": False})
    assert both.status_code == 200 and both.json()["duration"] == 3


def test_making_a_task_effort_driven_takes_its_duration_from_the_work_given(cast: Cast) -> None:
    _, task = project_and_task(cast)
    assert task["effort_driven"] is False
    post_created(
        cast.manager,
        URL,
        {"task_id": task["id"], "resource_id": resource(cast)["id"], "work_hours": 24},
    )
    task_url = f"/api/v1/tasks/{task['id']}"
    assert cast.viewer.get(task_url).json()["duration"] == 10  # duration-driven: as planned
    response = cast.manager.patch(task_url, json={"effort_driven": True})
    assert response.status_code == 200, response.text
    # 24 h at 8 h a day: 3 days
    assert (response.json()["effort_driven"], response.json()["duration"]) == (True, 3)
    assert response.headers["ETag"] == f'"{response.json()["version"]}"'
    assert_error(cast.manager.patch(task_url, json={"effort_driven": None}), 422)


# --- refusals ----------------------------------------------------------------


def test_work_that_would_last_past_any_task_is_409_and_changes_nothing(cast: Cast) -> None:
    _, task = project_and_task(cast, effort_driven=True)
    ana = resource(cast)
    given = {"task_id": task["id"], "resource_id": ana["id"], "work_hours": 80}
    first = post_created(cast.manager, URL, given)
    for change in ({"units": 0.01, "work_hours": 10_000_000}, {"work_hours": 1_000_000}):
        response = cast.manager.patch(f"{URL}/{first['id']}", json=change)
        error = assert_error(response, 409, "invalid_schedule")
        assert error["details"]["maximum"] == 100_000 and "working days" in error["message"]
    assert cast.viewer.get(f"/api/v1/tasks/{task['id']}").json()["duration"] == 10
    assert cast.viewer.get(f"{URL}/{first['id']}").json()["version"] == first["version"]


def test_an_inactive_resource_is_not_assigned_and_keeps_its_assignments(cast: Cast) -> None:
    setup = contest(cast)
    bo = resource(cast, key="bo", name="Bo Chen", active=False)
    response = cast.manager.post(URL, json={"task_id": setup.plat["id"], "resource_id": bo["id"]})
    error = assert_error(response, 422, "validation_failed")
    assert error["details"][0]["field"] == "resource_id" and "inactive" in error["message"]
    ana = f"/api/v1/resources/{setup.ana['id']}"
    assert cast.admin.patch(ana, json={"active": False}).status_code == 200
    listed = cast.viewer.get(URL, params={"resource_id": setup.ana["id"]}).json()
    assert listed["total"] == len(setup.assignments)


def test_the_same_resource_twice_on_a_task_is_409(cast: Cast) -> None:
    setup = contest(cast)
    error = assert_error(
        cast.manager.post(URL, json={"task_id": setup.plat["id"], "resource_id": setup.ana["id"]}),
        409,
        "duplicate_assignment",
    )
    assert error["details"] == {"assignment_id": setup.assignments[0]["id"]}


def test_milestones_and_summary_tasks_take_no_assignment(cast: Cast) -> None:
    project, parent = project_and_task(cast)
    post_created(
        cast.manager,
        "/api/v1/tasks",
        {"project_id": project["id"], "parent_id": parent["id"], "name": "Child"},
    )
    gate = post_created(
        cast.manager,
        "/api/v1/tasks",
        {"project_id": project["id"], "name": "Gate", "is_milestone": True},
    )
    ana = resource(cast)
    for task, word in ((parent, "summary"), (gate, "milestone")):
        error = assert_error(
            cast.manager.post(URL, json={"task_id": task["id"], "resource_id": ana["id"]}),
            409,
            "conflict",
        )
        assert word in error["message"]


def test_units_above_the_capacity_are_422(cast: Cast) -> None:
    setup = contest(cast)
    url = f"{URL}/{setup.assignments[0]['id']}"
    error = assert_error(cast.manager.patch(url, json={"units": 1.5}), 422)
    assert error["details"][0]["field"] == "units"
    assert error["message"] == "units: 150 % is more than Ana Lima's capacity of 100 %"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"units": 0}, "units"),
        ({"units": -0.5}, "units"),
        ({"units": "lots"}, "units"),
        ({"work_hours": -1}, "work_hours"),
        ({"notes": "x" * 501}, "notes"),
        ({"notes": "nul\x00"}, "notes"),
        ({"task_id": 0}, "task_id"),
        ({"role": "lead"}, "role"),
    ],
)
def test_invalid_assignments_are_422_naming_the_field(
    cast: Cast, fields: dict[str, Any], field: str
) -> None:
    _, task = project_and_task(cast)
    body = {"task_id": task["id"], "resource_id": resource(cast)["id"], **fields}
    error = assert_error(cast.manager.post(URL, json=body), 422, "validation_failed")
    assert field in {d["field"] for d in error["details"]}, error


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"units": None}, "units"), ({"notes": None}, "notes"), ({"resource_id": 3}, "resource_id")],
)
def test_invalid_changes_are_422_naming_the_field(
    cast: Cast, fields: dict[str, Any], field: str
) -> None:
    setup = contest(cast)
    url = f"{URL}/{setup.assignments[0]['id']}"
    error = assert_error(cast.manager.patch(url, json=fields), 422, "validation_failed")
    assert field in {d["field"] for d in error["details"]}, error


def test_malformed_json_is_400(cast: Cast) -> None:
    response = cast.manager.post(
        URL, content=b'{"units": 1,', headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "malformed_json")


# --- changing ----------------------------------------------------------------


def test_changing_units_moves_the_work_and_the_version(cast: Cast) -> None:
    setup = contest(cast)
    url = f"{URL}/{setup.assignments[0]['id']}"  # Ana on PLAT-1 (5 days)
    response = cast.manager.patch(
        url, json={"units": 0.5, "notes": "half time"}, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == '"2"'
    body = response.json()
    # 5 days x 0.5 x 8 h = 20 h at 90 = 1800
    assert (body["units"], body["work_hours"], body["cost"], body["notes"]) == (
        0.5,
        20.0,
        1800.0,
        "half time",
    )
    given = cast.manager.patch(url, json={"work_hours": 16}).json()
    assert given["given_work_hours"] == 16.0
    cleared = cast.manager.patch(url, json={"work_hours": None}).json()
    assert cleared["given_work_hours"] is None and cleared["version"] == 4


def test_stale_if_match_is_412_and_changes_nothing(cast: Cast) -> None:
    setup = contest(cast)
    url = f"{URL}/{setup.assignments[0]['id']}"
    assert cast.manager.patch(url, json={"notes": "v2"}, headers={"If-Match": '"1"'}).is_success
    assert_error(
        cast.manager.patch(url, json={"units": 0.25}, headers={"If-Match": '"1"'}),
        412,
        "stale_version",
    )
    assert_error(cast.manager.delete(url, headers={"If-Match": '"1"'}), 412, "stale_version")
    current = cast.viewer.get(url).json()
    assert (current["notes"], current["units"], current["version"]) == ("v2", 1.0, 2)


def test_deleting_an_assignment_frees_the_resource(cast: Cast) -> None:
    setup = contest(cast)
    for made in setup.assignments:
        url = f"{URL}/{made['id']}"
        assert cast.manager.delete(url, headers={"If-Match": '"1"'}).status_code == 204
        assert_error(cast.manager.get(url), 404)
    assert cast.manager.delete(f"/api/v1/resources/{setup.ana['id']}").status_code == 204


def test_changes_are_audited_in_the_program(cast: Cast, db: Session) -> None:
    setup = contest(cast)
    url = f"{URL}/{setup.assignments[1]['id']}"
    cast.manager.patch(url, json={"units": 0.5})
    cast.manager.delete(url)
    entries = db.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == "assignment").order_by(AuditEntry.id)
    ).all()
    assert [(e.action, e.program_id) for e in entries] == [
        ("create", cast.program.id),
        ("create", cast.program.id),
        ("update", cast.program.id),
        ("delete", cast.program.id),
    ]
    assert entries[2].changes == {"units": [1.0, 0.5]}


# --- who may assign ------------------------------------------------------------------

READERS = {"owner", "manager", "member", "viewer", "admin"}
WRITERS = {"owner", "manager", "admin"}


@pytest.mark.parametrize("role", ROLES)
def test_everyone_in_the_program_reads_its_assignments(cast: Cast, role: str) -> None:
    setup = contest(cast)
    api = cast.by_role(role)
    responses = [
        api.get(URL, params={"program_id": cast.program.id}),
        api.get(f"{URL}/{setup.assignments[0]['id']}"),
        api.get(f"/api/v1/tasks/{setup.plat['id']}/assignments"),
    ]
    for response in responses:
        if role in READERS:
            assert response.status_code == 200, response.text
        else:
            assert_error(response, 404, "not_found")


@pytest.mark.parametrize("role", ROLES)
def test_managers_owners_and_admins_assign(cast: Cast, role: str) -> None:
    _, task = project_and_task(cast)
    ana = resource(cast)
    response = cast.by_role(role).post(URL, json={"task_id": task["id"], "resource_id": ana["id"]})
    if role in WRITERS:
        assert response.status_code == 201, response.text
    else:
        assert_error(response, 404 if role == "outsider" else 403)


@pytest.mark.parametrize("role", ROLES)
def test_managers_owners_and_admins_change_and_remove_assignments(cast: Cast, role: str) -> None:
    setup = contest(cast)
    url = f"{URL}/{setup.assignments[0]['id']}"
    changed = cast.by_role(role).patch(url, json={"units": 0.5})
    removed = cast.by_role(role).delete(f"{URL}/{setup.assignments[1]['id']}")
    if role in WRITERS:
        assert (changed.status_code, removed.status_code) == (200, 204)
    else:
        expected = 404 if role == "outsider" else 403
        assert_error(changed, expected)
        assert_error(removed, expected)

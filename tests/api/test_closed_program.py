"""A closed program's plan is frozen until its owner reopens it; what follows a close
(lessons, risks) stays possible, and a closed program can still be deleted."""

from __future__ import annotations

import pytest

from tests.api.conftest import Cast, Net, start_program_on
from tests.factories import assert_error

pytestmark = pytest.mark.db


def _close(cast: Cast) -> None:
    response = cast.owner.post(f"/api/v1/programs/{cast.program.id}/close", json={})
    assert response.status_code == 200, response.text


def test_every_kind_of_plan_change_is_refused_and_nothing_is_written(cast: Cast, net: Net) -> None:
    pid = cast.program.id
    project_id = net.plat["project_id"]
    _close(cast)
    m = cast.manager
    refused = [
        m.patch(f"/api/v1/tasks/{net.plat['id']}", json={"name": "Renamed"}),
        m.post("/api/v1/tasks", json={"project_id": project_id, "name": "New", "duration": 2}),
        m.delete(f"/api/v1/tasks/{net.sec['id']}?cascade=true"),
        m.patch(f"/api/v1/milestones/{net.m1['id']}", json={"target_date": "2027-03-01"}),
        m.post(
            "/api/v1/projects", json={"program_id": pid, "key": "NEW", "name": "Another project"}
        ),
        m.post(
            "/api/v1/dependencies",
            json={
                "predecessor": {"type": "task", "id": net.sec["id"]},
                "successor": {"type": "task", "id": net.plat["id"]},
            },
        ),
        cast.member.post(
            f"/api/v1/programs/{pid}/change-requests",
            json={
                "title": "Slip",
                "changes": [{"type": "slip", "task_id": net.plat["id"], "days": 2}],
            },
        ),
    ]
    # leveling writes its holds in bulk, past the flush that refuses the rest
    refused.append(m.post(f"/api/v1/programs/{pid}/level/clear"))
    refused.append(m.post(f"/api/v1/programs/{pid}/level", json={"apply": True}))
    for response in refused:
        error = assert_error(response, 409, "program_closed")
        assert "reopen" in error["message"]
    v = cast.viewer
    assert v.get(f"/api/v1/tasks/{net.plat['id']}").json()["name"] == net.plat["name"]
    assert v.get(f"/api/v1/tasks/{net.sec['id']}").status_code == 200
    assert v.get(f"/api/v1/milestones/{net.m1['id']}").json()["target_date"] == "2027-01-22"
    assert v.get(f"/api/v1/programs/{pid}/change-requests").json()["items"] == []


def test_lessons_and_risks_are_still_recorded_after_the_close(cast: Cast, net: Net) -> None:
    _close(cast)
    pid = cast.program.id
    lesson = cast.member.post(f"/api/v1/programs/{pid}/lessons", json={"text": "Pilot first"})
    assert lesson.status_code == 201, lesson.text
    risk = cast.manager.post(
        "/api/v1/risks",
        json={
            "program_id": pid,
            "title": "Support load after go-live",
            "probability": 2,
            "impact": 3,
            "level": "program",
        },
    )
    assert risk.status_code == 201, risk.text


def test_only_the_owner_reopens_and_only_a_closed_program(cast: Cast, net: Net) -> None:
    url = f"/api/v1/programs/{cast.program.id}/reopen"
    assert_error(cast.owner.post(url), 409, "program_not_closed")
    _close(cast)
    for role, status in (("manager", 403), ("viewer", 403), ("outsider", 404)):
        assert_error(cast.by_role(role).post(url), status)
    reopened = cast.owner.post(url)
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["status"] == "active"
    moved = cast.manager.patch(f"/api/v1/tasks/{net.plat['id']}", json={"duration": 12})
    assert moved.status_code == 200, moved.text
    assert (
        cast.viewer.get(f"/api/v1/tasks/{net.train['id']}").json()["early_start"]
        > net.train["early_start"]
    )


def test_a_closed_program_can_still_be_deleted(cast: Cast, net: Net) -> None:
    _close(cast)
    response = cast.owner.delete(f"/api/v1/programs/{cast.program.id}")
    assert response.status_code == 204, response.text
    assert_error(cast.owner.get(f"/api/v1/programs/{cast.program.id}"), 404)


def test_no_scenario_of_a_closed_program(cast: Cast, net: Net) -> None:
    _close(cast)
    response = cast.manager.post(
        f"/api/v1/programs/{cast.program.id}/scenarios", json={"name": "Faster pilot"}
    )
    error = assert_error(response, 409, "program_closed")
    assert "reopen" in error["message"]
    listed = cast.manager.get(f"/api/v1/programs/{cast.program.id}/scenarios").json()
    assert listed["total"] == 0


def test_a_calendar_change_that_would_leave_a_closed_program_unschedulable_is_refused(
    cast: Cast, net: Net
) -> None:
    """A closed program is not rescheduled when its calendar changes, but the change must
    leave it one that can be reopened."""
    program = f"/api/v1/programs/{cast.program.id}"
    calendar = cast.admin.post(
        "/api/v1/calendars",
        json={"name": "Late in the last year", "workdays": ["Mon", "Tue", "Wed", "Thu", "Fri"]},
    ).json()
    moved = cast.owner.patch(program, json={"calendar_id": calendar["id"]})
    assert moved.status_code == 200, moved.text
    start_program_on(cast, "9999-10-04")
    finish = cast.viewer.get(program).json()["scheduled_finish"]
    _close(cast)
    url = f"/api/v1/calendars/{calendar['id']}"

    # Sundays only: three weeks of work would take fifteen, past 31 December 9999
    error = assert_error(cast.admin.patch(url, json={"workdays": ["Sun"]}), 409, "invalid_schedule")
    assert "CLOUD is closed" in error["message"]
    assert "reopened" in error["message"]
    assert error["details"]["program"] == "CLOUD"
    assert error["details"]["problems"]
    assert cast.admin.get(url).json()["workdays"] == ["Mon", "Tue", "Wed", "Thu", "Fri"]

    # a change it can live with is taken, and the closed schedule stays as it was closed
    kept = cast.admin.patch(url, json={"workdays": ["Mon", "Tue", "Wed", "Thu"]})
    assert kept.status_code == 200, kept.text
    assert cast.viewer.get(program).json()["scheduled_finish"] == finish
    reopened = cast.owner.post(f"{program}/reopen")
    assert reopened.status_code == 200, reopened.text
    assert cast.viewer.get(program).json()["scheduled_finish"] > finish


def test_a_scenario_made_before_the_close_is_not_applied_until_the_program_reopens(
    cast: Cast, net: Net
) -> None:
    program = f"/api/v1/programs/{cast.program.id}"
    made = cast.manager.post(f"{program}/scenarios", json={"name": "Faster pilot"})
    assert made.status_code == 201, made.text
    apply = f"/api/v1/scenarios/{made.json()['id']}/apply"
    _close(cast)
    error = assert_error(cast.manager.post(apply), 409, "program_closed")
    assert "reopen" in error["message"]
    assert cast.viewer.get(f"/api/v1/scenarios/{made.json()['id']}").json()["status"] == "active"
    assert cast.owner.post(f"{program}/reopen").status_code == 200
    assert cast.manager.post(apply).status_code == 200

"""Scenarios API: every route, its errors and who may do what; the copy edited through
the usual routes; apply refused with the conflicts when the live plan moved."""

from __future__ import annotations

import pytest

from tests.api.conftest import ROLES, Cast, Net, post_created
from tests.factories import assert_error

WRITE = {"owner": 201, "manager": 201, "member": 403, "viewer": 403, "outsider": 404, "admin": 201}
READ = {"owner": 200, "manager": 200, "member": 200, "viewer": 200, "outsider": 404, "admin": 200}


def _scenario(cast: Cast, name: str = "Slip the pilot") -> dict:
    return post_created(
        cast.manager, f"/api/v1/programs/{cast.program.id}/scenarios", {"name": name}
    )


def _copy_task(cast: Cast, scenario: dict, key: str) -> dict:
    tasks = cast.manager.get(
        "/api/v1/tasks", params={"program_id": scenario["copy_program_id"]}
    ).json()["items"]
    return next(t for t in tasks if t["key"] == key)


def test_creating_copies_the_plan_into_a_hidden_program_edited_through_the_usual_routes(
    cast: Cast, net: Net
) -> None:
    scenario = _scenario(cast)
    assert scenario["key"] == "S1" and scenario["status"] == "active"
    assert (
        scenario["copy_program_key"] == "CLOUD~S1"
        and scenario["created_by"] == "manager@example.com"
    )
    copy_id = scenario["copy_program_id"]
    # hidden from the program list, reachable by id with the live role
    listed = cast.viewer.get("/api/v1/programs").json()
    assert [p["key"] for p in listed["items"]] == ["CLOUD"]
    assert [p["key"] for p in cast.admin.get("/api/v1/programs").json()["items"]] == ["CLOUD"]
    assert cast.viewer.get(f"/api/v1/programs/{copy_id}").status_code == 200
    assert cast.outsider.get(f"/api/v1/programs/{copy_id}").status_code == 404
    pilot = _copy_task(cast, scenario, net.plat["key"])
    assert pilot["id"] != net.plat["id"]
    response = cast.manager.patch(f"/api/v1/tasks/{pilot['id']}", json={"duration": 15})
    assert response.status_code == 200, response.text
    assert (
        cast.viewer.patch(f"/api/v1/tasks/{pilot['id']}", json={"duration": 9}).status_code == 403
    )
    assert cast.manager.get(f"/api/v1/tasks/{net.plat['id']}").json()["duration"] == 10

    compare = cast.viewer.get(f"/api/v1/scenarios/{scenario['id']}/compare")
    assert compare.status_code == 200, compare.text
    body = compare.json()
    (m1,) = body["milestones"]
    assert m1["key"] == "M1" and m1["slip"] == 5 and m1["live"] < m1["scenario"]
    assert body["program"]["finish"]["slip"] == 5 and body["program"]["p80"]["live"] is None
    assert body["scope"]["tasks_changed"][0]["fields"] == {"duration": [10, 15]}
    assert {p["key"] for p in body["projects"]} == {"PLAT", "TRAIN", "SEC"}
    assert body["baseline"] is None and body["cost"]["difference"] == 0


def test_a_project_of_the_copy_takes_a_manager_from_the_live_programs_members(
    cast: Cast, net: Net
) -> None:
    scenario = _scenario(cast)
    projects = cast.manager.get(
        "/api/v1/projects", params={"program_id": scenario["copy_program_id"]}
    ).json()["items"]
    project = next(p for p in projects if p["key"] == "PLAT")
    manager_id = cast.manager.get("/api/v1/users/me").json()["id"]
    response = cast.manager.patch(
        f"/api/v1/projects/{project['id']}", json={"manager_id": manager_id}
    )
    assert response.status_code == 200, response.text
    assert response.json()["manager_id"] == manager_id
    member_id = cast.member.get("/api/v1/users/me").json()["id"]
    not_planning = cast.manager.patch(
        f"/api/v1/projects/{project['id']}", json={"manager_id": member_id}
    )
    assert_error(not_planning, 422)
    outsider_id = cast.outsider.get("/api/v1/users/me").json()["id"]
    refused = cast.manager.patch(
        f"/api/v1/projects/{project['id']}", json={"manager_id": outsider_id}
    )
    assert_error(refused, 422)


def test_compare_with_a_baseline_adds_its_column(cast: Cast, net: Net) -> None:
    baseline = post_created(
        cast.manager, f"/api/v1/programs/{cast.program.id}/baselines", {"name": "Plan"}
    )
    scenario = _scenario(cast)
    body = cast.viewer.get(
        f"/api/v1/scenarios/{scenario['id']}/compare", params={"baseline_id": baseline["id"]}
    ).json()
    assert body["baseline"] == {"id": baseline["id"], "name": "Plan"}
    assert body["program"]["finish"]["baseline"] == body["program"]["finish"]["live"]
    assert body["milestones"][0]["baseline"] == body["milestones"][0]["live"]
    missing = cast.viewer.get(
        f"/api/v1/scenarios/{scenario['id']}/compare", params={"baseline_id": 999999}
    )
    assert_error(missing, 404, "not_found")


def test_apply_writes_the_scenario_onto_the_live_plan(cast: Cast, net: Net) -> None:
    scenario = _scenario(cast)
    pilot = _copy_task(cast, scenario, net.plat["key"])
    cast.manager.patch(f"/api/v1/tasks/{pilot['id']}", json={"duration": 12})
    response = cast.manager.post(f"/api/v1/scenarios/{scenario['id']}/apply")
    assert response.status_code == 200, response.text
    applied = response.json()
    assert applied["status"] == "applied" and applied["copy_program_id"] is None
    assert applied["outcome"] == {
        "applied": {"created": {}, "updated": {"tasks": 1}, "deleted": {}}
    }
    assert cast.viewer.get(f"/api/v1/tasks/{net.plat['id']}").json()["duration"] == 12
    assert cast.viewer.get(f"/api/v1/programs/{scenario['copy_program_id']}").status_code == 404
    again = cast.manager.post(f"/api/v1/scenarios/{scenario['id']}/apply")
    assert_error(again, 409, "scenario_closed")
    assert_error(cast.viewer.get(f"/api/v1/scenarios/{scenario['id']}/compare"), 409)


def test_progress_a_member_reports_on_the_live_plan_does_not_refuse_the_apply(
    cast: Cast, net: Net
) -> None:
    cast.assign_member(net.plat["id"])
    cast.assign_member(net.sec["id"])
    scenario = _scenario(cast)
    pilot = _copy_task(cast, scenario, net.plat["key"])
    cast.manager.patch(f"/api/v1/tasks/{pilot['id']}", json={"duration": 12})
    for task, percent in ((net.plat, 40), (net.sec, 10)):  # one the scenario changed, one not
        reported = cast.member.patch(
            f"/api/v1/tasks/{task['id']}",
            json={"actual_start": "2027-01-04", "percent_complete": percent},
        )
        assert reported.status_code == 200, reported.text
    response = cast.manager.post(f"/api/v1/scenarios/{scenario['id']}/apply")
    assert response.status_code == 200, response.text
    pilot_now = cast.viewer.get(f"/api/v1/tasks/{net.plat['id']}").json()
    assert (pilot_now["duration"], pilot_now["percent_complete"]) == (12, 40)
    assert pilot_now["actual_start"] == "2027-01-04"
    assert cast.viewer.get(f"/api/v1/tasks/{net.sec['id']}").json()["percent_complete"] == 10


def test_apply_is_refused_with_the_conflicts_when_the_live_plan_changed(
    cast: Cast, net: Net
) -> None:
    scenario = _scenario(cast)
    pilot = _copy_task(cast, scenario, net.plat["key"])
    cast.manager.patch(f"/api/v1/tasks/{pilot['id']}", json={"duration": 20})
    sec = _copy_task(cast, scenario, net.sec["key"])
    cast.manager.patch(f"/api/v1/tasks/{sec['id']}", json={"duration": 6})
    cast.owner.patch(f"/api/v1/tasks/{net.sec['id']}", json={"duration": 4})
    response = cast.manager.post(f"/api/v1/scenarios/{scenario['id']}/apply")
    error = assert_error(response, 409, "scenario_conflict")
    (conflict,) = error["details"]["conflicts"]
    assert conflict["key"] == net.sec["key"] and conflict["change"] == "changed"
    assert conflict["fields"] == ["duration"] and "owner@example.com" in conflict["message"]
    assert cast.viewer.get(f"/api/v1/tasks/{net.plat['id']}").json()["duration"] == 10
    assert cast.viewer.get(f"/api/v1/scenarios/{scenario['id']}").json()["status"] == "active"


def test_discard_deletes_the_copy_and_delete_removes_the_scenario(cast: Cast, net: Net) -> None:
    scenario = _scenario(cast)
    url = f"/api/v1/scenarios/{scenario['id']}"
    response = cast.manager.post(f"{url}/discard", headers={"If-Match": '"99"'})
    assert_error(response, 412, "stale_version")
    discarded = cast.manager.post(f"{url}/discard").json()
    assert discarded["status"] == "discarded" and discarded["closed_by"] == "manager@example.com"
    assert cast.viewer.get(f"/api/v1/programs/{scenario['copy_program_id']}").status_code == 404
    assert_error(cast.manager.post(f"{url}/discard"), 409, "scenario_closed")
    listed = cast.viewer.get(f"/api/v1/programs/{cast.program.id}/scenarios").json()
    assert listed["total"] == 1 and listed["items"][0]["status"] == "discarded"
    assert (
        cast.viewer.get(f"/api/v1/programs/{cast.program.id}/scenarios?status=active").json()[
            "total"
        ]
        == 0
    )
    assert cast.manager.delete(url).status_code == 204
    assert_error(cast.viewer.get(url), 404, "not_found")


def test_rename_and_validation(cast: Cast, net: Net) -> None:
    scenario = _scenario(cast)
    url = f"/api/v1/scenarios/{scenario['id']}"
    renamed = cast.manager.patch(url, json={"name": "Two weeks late"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Two weeks late"
    assert (
        cast.viewer.get(f"/api/v1/programs/{scenario['copy_program_id']}").json()["name"]
        == "Two weeks late"
    )
    assert_error(cast.manager.patch(url, json={"name": None}), 422)
    assert_error(cast.manager.patch(url, json={"colour": "red"}), 422)
    bad = cast.manager.post(f"/api/v1/programs/{cast.program.id}/scenarios", json={"name": ""})
    assert_error(bad, 422)
    nested = cast.manager.post(
        f"/api/v1/programs/{scenario['copy_program_id']}/scenarios", json={"name": "Nested"}
    )
    assert_error(nested, 409, "scenario_of_scenario")
    # the copy's program settings are not what a scenario changes: applying would drop them
    copy_url = f"/api/v1/programs/{scenario['copy_program_id']}"
    moved = cast.owner.patch(copy_url, json={"start_date": "2027-02-01"})
    assert_error(moved, 409, "scenario_copy")
    assert_error(cast.owner.delete(copy_url), 409, "scenario_copy")
    assert_error(cast.owner.post(f"{copy_url}/close", json={}), 409, "scenario_copy")
    # governance, risk and benefit records belong to the live program (a copy's would
    # vanish with the scenario)
    copy_id = scenario["copy_program_id"]
    weekly = {"name": "Weekly", "frequency": "weekly", "first_date": "2027-01-04"}
    benefit = {
        "program_id": copy_id,
        "name": "tickets",
        "baseline_value": 10,
        "target_value": 5,
        "target_date": "2028-01-01",
        "direction": "down",
    }
    risk = {"program_id": copy_id, "title": "Late", "probability": 2, "impact": 2}
    for url, body in (
        (f"{copy_url}/reviews", weekly),
        (f"{copy_url}/decisions", {"title": "Go"}),
        (f"{copy_url}/stakeholders", {"name": "Board"}),
        (f"{copy_url}/lessons", {"text": "Pilot first"}),
        ("/api/v1/benefits", benefit),
        ("/api/v1/risks", risk | {"level": "program"}),
    ):
        error = assert_error(cast.owner.post(url, json=body), 409, "scenario_copy")
        assert "belong to the live program" in error["message"], url
    assert_error(cast.owner.post(f"{copy_url}/reopen"), 409, "scenario_copy")
    assert cast.viewer.get(copy_url).json()["status"] == "active"
    assert cast.viewer.get(copy_url).json()["start_date"] == cast.program.start_date.isoformat()
    assert_error(cast.viewer.get("/api/v1/scenarios/0"), 422)
    assert_error(cast.viewer.get("/api/v1/scenarios/424242"), 404, "not_found")
    assert_error(cast.viewer.get("/api/v1/programs/424242/scenarios"), 404, "not_found")


def test_a_copys_members_are_the_live_programs_and_are_changed_there(cast: Cast, net: Net) -> None:
    scenario = _scenario(cast)
    live = f"/api/v1/programs/{cast.program.id}/members"
    copy = f"/api/v1/programs/{scenario['copy_program_id']}/members"
    listed = cast.viewer.get(copy)
    assert listed.status_code == 200 and listed.json() == cast.viewer.get(live).json()
    assert listed.json()["items"]  # the live program's members, not none
    member = listed.json()["items"][0]
    added = cast.owner.post(copy, json={"email": "outsider@example.com", "role": "viewer"})
    assert_error(added, 409, "scenario_copy")
    changed = cast.owner.patch(f"{copy}/{member['user_id']}", json={"role": "viewer"})
    assert_error(changed, 409, "scenario_copy")
    assert_error(cast.owner.delete(f"{copy}/{member['user_id']}"), 409, "scenario_copy")
    assert cast.viewer.get(live).json() == listed.json()


def test_a_refusal_on_the_copy_names_the_live_program_where_the_role_is_held(
    cast: Cast, net: Net
) -> None:
    cast.assign_member(net.plat["id"])  # the copy is assigned as the live task is
    scenario = _scenario(cast)
    pilot = _copy_task(cast, scenario, net.plat["key"])
    error = assert_error(cast.viewer.patch(f"/api/v1/tasks/{pilot['id']}", json={}), 403)
    assert error["message"] == "your role in CLOUD is viewer; member or above is needed for this"
    assert error["details"] == {"program": "CLOUD", "role": "viewer", "required": "member"}
    # a member reports progress on the live task assigned to them, not on its copy
    progress = {"actual_start": "2027-01-04", "percent_complete": 50}
    error = assert_error(cast.member.patch(f"/api/v1/tasks/{pilot['id']}", json=progress), 403)
    assert error["message"] == (
        "your role in CLOUD is member; a what-if scenario is changed by managers only"
    )
    assert cast.viewer.get(f"/api/v1/tasks/{pilot['id']}").json()["percent_complete"] == 0


def test_a_change_request_can_carry_a_scenario(cast: Cast, net: Net) -> None:
    scenario = _scenario(cast)
    pilot = _copy_task(cast, scenario, net.plat["key"])
    cast.manager.patch(f"/api/v1/tasks/{pilot['id']}", json={"duration": 11})
    cr = post_created(
        cast.member,
        f"/api/v1/programs/{cast.program.id}/change-requests",
        {"title": "Longer pilot", "scenario_id": scenario["id"]},
    )
    assert cr["scenario_id"] == scenario["id"]
    approved = cast.manager.post(f"/api/v1/change-requests/{cr['id']}/approve", json={})
    assert approved.status_code == 200, approved.text
    assert cast.viewer.get(f"/api/v1/tasks/{net.plat['id']}").json()["duration"] == 11
    assert cast.viewer.get(f"/api/v1/scenarios/{scenario['id']}").json()["status"] == "applied"
    wrong = cast.member.post(
        f"/api/v1/programs/{cast.program.id}/change-requests",
        json={"title": "Old", "scenario_id": scenario["id"]},
    )
    assert_error(wrong, 422, "validation_failed")


def test_a_scenario_a_proposed_change_request_carries_is_not_deleted(cast: Cast, net: Net) -> None:
    scenario = _scenario(cast)
    cr = post_created(
        cast.member,
        f"/api/v1/programs/{cast.program.id}/change-requests",
        {"title": "Longer pilot", "scenario_id": scenario["id"]},
    )
    url = f"/api/v1/scenarios/{scenario['id']}"
    error = assert_error(cast.manager.delete(url), 409, "scenario_in_use")
    assert error["details"] == {"change_requests": ["CR-1"]}
    assert "decide or withdraw it" in error["message"]
    assert (
        cast.viewer.get(f"/api/v1/change-requests/{cr['id']}").json()["scenario_id"]
        == (scenario["id"])
    )
    withdrawn = cast.member.post(f"/api/v1/change-requests/{cr['id']}/withdraw", json={})
    assert withdrawn.status_code == 200, withdrawn.text
    assert cast.manager.delete(url).status_code == 204


@pytest.mark.parametrize("role", ROLES)
def test_who_may_create_read_apply_and_discard(cast: Cast, net: Net, role: str) -> None:
    client = cast.by_role(role)
    created = client.post(
        f"/api/v1/programs/{cast.program.id}/scenarios", json={"name": f"By {role}"}
    )
    assert created.status_code == WRITE[role], created.text
    scenario = _scenario(cast, "Shared")
    url = f"/api/v1/scenarios/{scenario['id']}"
    assert client.get(url).status_code == READ[role]
    assert client.get(f"{url}/compare").status_code == READ[role]
    assert client.get(f"/api/v1/programs/{cast.program.id}/scenarios").status_code == READ[role]
    change = {200: 200, 201: 200}.get(WRITE[role], WRITE[role])
    assert client.patch(url, json={"description": "x"}).status_code == change
    assert client.post(f"{url}/discard").status_code == change
    other = _scenario(cast, "Other")
    assert client.post(f"/api/v1/scenarios/{other['id']}/apply").status_code == change
    third = _scenario(cast, "Third")
    deleted = client.delete(f"/api/v1/scenarios/{third['id']}").status_code
    assert deleted == (204 if change == 200 else change)


def test_compare_says_when_a_p80s_forecast_ran_before_its_plans_latest_changes(
    cast: Cast, net: Net
) -> None:
    forecast = {"iterations": 100, "seed": 1}
    post_created(cast.manager, f"/api/v1/programs/{cast.program.id}/forecast", forecast)
    scenario = _scenario(cast)
    url = f"/api/v1/scenarios/{scenario['id']}/compare"

    def flags() -> tuple[bool, ...]:
        body = cast.viewer.get(url).json()
        p80, (m1,) = body["program"]["p80"], body["milestones"]
        assert p80["live"] is not None and p80["live_forecast_at"] is not None
        assert m1["p80_live"] is not None
        return (
            p80["live_plan_changed_since"],
            m1["p80_live_plan_changed_since"],
            p80["scenario_plan_changed_since"],
            m1["p80_scenario_plan_changed_since"],
        )

    assert flags() == (False, False, False, False)  # the copy not forecast: no P80, no flag
    longer = cast.manager.patch(f"/api/v1/tasks/{net.plat['id']}", json={"duration": 14})
    assert longer.status_code == 200, longer.text
    copy_id = scenario["copy_program_id"]
    post_created(cast.manager, f"/api/v1/programs/{copy_id}/forecast", forecast)
    assert flags() == (True, True, False, False)  # the live plan moved on since its forecast
    pilot = _copy_task(cast, scenario, net.plat["key"])
    assert cast.manager.patch(f"/api/v1/tasks/{pilot['id']}", json={"duration": 12}).is_success
    assert flags() == (True, True, True, True)

"""A change request carrying a what-if scenario: its impact is the scenario's comparison
with the live plan, and it no longer applies once the scenario is discarded or the live
plan changed under it.

The network (tests/api/conftest.py): PLAT Pilot (10 days, 4–15 Jan 2027) → TRAIN
Train the trainers (5 days, 18–22 Jan) → M1 (target 22 Jan); SEC Threat model
(3 days, 4–6 Jan) → M1.
"""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Cast, Net, post_created
from tests.factories import assert_error


def _scenario_with_a_longer_pilot(cast: Cast, net: Net) -> dict[str, Any]:
    """A scenario where the pilot takes 15 days instead of 10 and costs 5,000."""
    scenario = post_created(
        cast.manager, f"/api/v1/programs/{cast.program.id}/scenarios", {"name": "Longer pilot"}
    )
    tasks = cast.manager.get(
        "/api/v1/tasks", params={"program_id": scenario["copy_program_id"]}
    ).json()["items"]
    pilot = next(t for t in tasks if t["key"] == net.plat["key"])
    edited = cast.manager.patch(
        f"/api/v1/tasks/{pilot['id']}", json={"duration": 15, "budget": 5000}
    )
    assert edited.status_code == 200, edited.text
    return scenario


def _raise_with(cast: Cast, scenario: dict[str, Any]) -> dict[str, Any]:
    return post_created(
        cast.member,
        f"/api/v1/programs/{cast.program.id}/change-requests",
        {"title": "Longer pilot", "scenario_id": scenario["id"]},
    )


def _impact(cast: Cast, cr: dict[str, Any]) -> dict[str, Any]:
    response = cast.viewer.get(f"/api/v1/change-requests/{cr['id']}/impact")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_impact_of_a_scenario_request_is_the_scenarios_comparison(cast: Cast, net: Net) -> None:
    scenario = _scenario_with_a_longer_pilot(cast, net)
    impact = _impact(cast, _raise_with(cast, scenario))
    assert impact["applicable"] and impact["problems"] == []
    assert impact["scenario"] == {
        "id": scenario["id"],
        "key": "S1",
        "name": "Longer pilot",
        "status": "active",
    }
    compare = cast.viewer.get(f"/api/v1/scenarios/{scenario['id']}/compare").json()
    schedule = impact["schedule"]
    # 5 more working days on the pilot: training 25–29 Jan, M1 and the finish on 29 Jan
    assert (schedule["finish_before"], schedule["finish_after"]) == ("2027-01-22", "2027-01-29")
    assert schedule["finish_delta"] == compare["program"]["finish"]["slip"] == 5
    assert schedule["projects_affected"] == ["PLAT", "TRAIN"]
    [m1] = schedule["milestones"]
    assert (m1["key"], m1["id"], m1["early_finish_after"], m1["finish_delta"]) == (
        "M1",
        net.m1["id"],
        "2027-01-29",
        5,
    )
    moved = {m["key"]: (m["id"], m["start_delta"], m["finish_delta"]) for m in schedule["moves"]}
    assert moved == {
        net.plat["key"]: (net.plat["id"], 0, 5),
        net.train["key"]: (net.train["id"], 5, 5),
    }
    [miss] = schedule["misses"]
    assert (miss["key"], miss["kind"], miss["is_new"], miss["days_late_after"]) == (
        "M1",
        "target",
        True,
        5,
    )
    cost = impact["cost"]
    assert (cost["delta"], cost["budget_after"] - cost["budget_before"]) == (5000, 5000)
    assert [(t["task_id"], t["before"], t["after"]) for t in cost["tasks"]] == [
        (net.plat["id"], 0, 5000)
    ]
    assert [
        (d["task_id"], d["before"], d["after"]) for d in impact["scope"]["duration_changes"]
    ] == [(net.plat["id"], 10, 15)]


def test_a_request_whose_scenario_was_discarded_no_longer_applies(cast: Cast, net: Net) -> None:
    scenario = _scenario_with_a_longer_pilot(cast, net)
    cr = _raise_with(cast, scenario)
    assert cast.manager.post(f"/api/v1/scenarios/{scenario['id']}/discard").status_code == 200
    impact = _impact(cast, cr)
    assert not impact["applicable"] and impact["schedule"] is None
    [problem] = impact["problems"]
    assert problem == {
        "field": "scenario_id",
        "message": "scenario S1 Longer pilot was discarded: it can no longer be applied",
    }
    assert impact["cost"]["delta"] == 0
    refused = cast.manager.post(f"/api/v1/change-requests/{cr['id']}/approve", json={})
    assert_error(refused, 409, "scenario_closed")


def test_a_request_whose_live_plan_changed_under_its_scenario_no_longer_applies(
    cast: Cast, net: Net
) -> None:
    scenario = _scenario_with_a_longer_pilot(cast, net)
    cr = _raise_with(cast, scenario)
    cast.owner.patch(f"/api/v1/tasks/{net.plat['id']}", json={"duration": 12})
    impact = _impact(cast, cr)
    assert not impact["applicable"] and impact["schedule"] is None
    [problem] = impact["problems"]
    assert problem["field"] == "scenario_id"
    assert problem["message"].startswith(
        f"the live plan changed since scenario S1 Longer pilot was copied: task {net.plat['key']}"
    )
    refused = cast.manager.post(f"/api/v1/change-requests/{cr['id']}/approve", json={})
    assert_error(refused, 409, "scenario_conflict")
    assert cast.viewer.get(f"/api/v1/tasks/{net.plat['id']}").json()["duration"] == 12


def test_approving_keeps_the_scenarios_impact_for_the_retrospective(cast: Cast, net: Net) -> None:
    cr = _raise_with(cast, _scenario_with_a_longer_pilot(cast, net))
    approved = cast.manager.post(f"/api/v1/change-requests/{cr['id']}/approve", json={})
    assert approved.status_code == 200, approved.text
    kept = _impact(cast, cr)
    assert kept["as_decided"] and kept["schedule"]["finish_delta"] == 5
    assert kept["cost"]["delta"] == 5000
    retro = cast.viewer.get(f"/api/v1/programs/{cast.program.id}/retrospective").json()
    [row] = retro["change_requests"]["approved"]
    assert (row["key"], row["finish_delta"], row["cost_delta"]) == ("CR-1", 5, 5000)

"""Change requests: impact computed from the live plan; approval applies it in one
transaction (or is refused with 409 and writes nothing); rejection only logs a decision.

The network (tests/api/conftest.py): PLAT Pilot (10 days, 4–15 Jan 2027) → TRAIN
Train the trainers (5 days, 18–22 Jan) → M1 (target 22 Jan); SEC Threat model
(3 days, 4–6 Jan) → M1.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from podium.errors import Conflict, StaleVersion
from podium.models import Task, User
from podium.services.actor import Actor
from podium.services.common import today
from podium.services.governance import change_requests
from tests.api.conftest import Browser, Cast, Net
from tests.factories import assert_error


def _url(cast: Cast) -> str:
    return f"/api/v1/programs/{cast.program.id}/change-requests"


def _raise(cast: Cast, changes: list[dict[str, Any]], *, by: str = "member", **body: Any) -> dict:
    response = cast.by_role(by).post(
        _url(cast), json={"title": "Longer pilot", "changes": changes, **body}
    )
    assert response.status_code == 201, response.text
    return response.json()


def _slip(net: Net, days: int = 5) -> list[dict[str, Any]]:
    return [{"type": "slip", "task_id": net.plat["id"], "days": days}]


def _state(cast: Cast, net: Net) -> dict[str, Any]:
    """What approval would change: durations, budgets, decisions, baselines, dependencies."""
    viewer, pid = cast.viewer, cast.program.id
    tasks = {
        t["key"]: (t["duration"], t["budget"], t["constraint_type"])
        for t in viewer.get("/api/v1/tasks", params={"program_id": pid}).json()["items"]
    }
    return {
        "tasks": tasks,
        "decisions": viewer.get(f"/api/v1/programs/{pid}/decisions").json()["items"],
        "baselines": viewer.get(f"/api/v1/programs/{pid}/baselines").json()["items"],
        "dependencies": viewer.get("/api/v1/dependencies", params={"program_id": pid}).json()[
            "total"
        ],
    }


def test_impact_shows_milestones_moved_dates_newly_missed_and_cost(cast: Cast, net: Net) -> None:
    cr = _raise(
        cast,
        _slip(net),
        budget_changes=[{"task_id": net.plat["id"], "budget": 5000}],
        scope_change="Pilot covers two more clients",
    )
    assert (cr["key"], cr["status"], cr["requested_by"]) == ("CR-1", "proposed", "member")
    impact = cast.viewer.get(f"/api/v1/change-requests/{cr['id']}/impact").json()
    assert impact["applicable"] and not impact["as_decided"] and impact["problems"] == []
    schedule = impact["schedule"]
    # 5 more working days on the pilot: training 25–29 Jan, M1 and the finish on 29 Jan
    assert (schedule["finish_before"], schedule["finish_after"]) == ("2027-01-22", "2027-01-29")
    assert schedule["finish_delta"] == 5 and schedule["projects_affected"] == ["PLAT", "TRAIN"]
    [m1] = schedule["milestones"]
    assert (m1["key"], m1["early_finish_after"], m1["finish_delta"]) == ("M1", "2027-01-29", 5)
    [miss] = [m for m in schedule["misses"] if m["key"] == "M1"]
    assert (miss["kind"], miss["is_new"], miss["days_late_after"]) == ("target", True, 5)
    assert impact["cost"]["delta"] == 5000 and impact["cost"]["tasks"][0]["before"] == 0
    assert impact["scope"]["duration_changes"] == [
        {
            "task_id": net.plat["id"],
            "key": net.plat["key"],
            "name": "Pilot",
            "before": 10,
            "after": 15,
        }
    ]
    assert impact["scope"]["note"] == "Pilot covers two more clients"


def test_approving_applies_the_changes_logs_the_decision_and_rebaselines(
    cast: Cast, net: Net
) -> None:
    cr = _raise(
        cast,
        [*_slip(net), {"type": "delay_start", "task_id": net.sec["id"], "days": 2}],
        budget_changes=[{"task_id": net.plat["id"], "budget": 5000}],
        rebaseline=True,
    )
    response = cast.manager.post(
        f"/api/v1/change-requests/{cr['id']}/approve",
        json={"rationale": "Two more pilot clients are worth a week", "decided_by": "Steering"},
    )
    assert response.status_code == 200, response.text
    approved = response.json()
    assert approved["status"] == "approved" and approved["decision_id"] is not None
    plat = cast.viewer.get(f"/api/v1/tasks/{net.plat['id']}").json()
    assert (plat["duration"], plat["budget"]) == (15, 5000)
    sec = cast.viewer.get(f"/api/v1/tasks/{net.sec['id']}").json()
    # 2 working days after its start of 4 Jan
    assert (sec["constraint_type"], sec["constraint_date"]) == ("snet", "2027-01-06")
    m1 = cast.viewer.get(f"/api/v1/milestones/{net.m1['id']}").json()
    schedule = cast.viewer.get(f"/api/v1/programs/{cast.program.id}/schedule").json()
    assert m1["key"] == "M1" and schedule["finish"] == "2027-01-29"
    decision = cast.viewer.get(f"/api/v1/decisions/{approved['decision_id']}").json()
    assert decision["title"] == "Approved CR-1: Longer pilot"
    assert decision["decided_by"] == "Steering"
    assert {"type": "change_request", "id": cr["id"]} in [
        {"type": link["type"], "id": link["id"]} for link in decision["links"]
    ]
    [baseline] = cast.viewer.get(f"/api/v1/programs/{cast.program.id}/baselines").json()["items"]
    assert (baseline["name"], baseline["is_current"], baseline["finish"]) == (
        "After CR-1",
        True,
        "2027-01-29",
    )
    assert approved["baseline_id"] == baseline["id"]
    kept = cast.viewer.get(f"/api/v1/change-requests/{cr['id']}/impact").json()
    assert kept["as_decided"] and kept["schedule"]["finish_delta"] == 5


def test_the_decision_recording_an_approval_stays_linked_and_in_the_log(
    cast: Cast, net: Net
) -> None:
    cr = _raise(cast, _slip(net))
    approved = cast.manager.post(f"/api/v1/change-requests/{cr['id']}/approve", json={}).json()
    url = f"/api/v1/decisions/{approved['decision_id']}"
    for refused in (cast.manager.patch(url, json={"links": []}), cast.manager.delete(url)):
        error = assert_error(refused, 409, "decision_records_change_request")
        assert error["message"].startswith("this decision records that CR-1 was approved")
    # its wording may be corrected, the change request kept among its links
    decision = cast.viewer.get(url).json()
    corrected = cast.manager.patch(url, json={"title": "Approved CR-1: pilot +1 week"})
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["links"] == decision["links"]
    again = cast.viewer.get(f"/api/v1/change-requests/{cr['id']}").json()
    assert again["decision_id"] == approved["decision_id"]


def test_approval_is_refused_when_a_task_was_deleted_since_and_nothing_is_written(
    cast: Cast, net: Net
) -> None:
    cr = _raise(
        cast,
        [*_slip(net), {"type": "set_duration", "task_id": net.sec["id"], "days": 9}],
        budget_changes=[
            {"task_id": net.plat["id"], "budget": 5000},
            {"task_id": net.sec["id"], "budget": 900},
        ],
        rebaseline=True,
    )
    deleted = cast.manager.delete(f"/api/v1/tasks/{net.sec['id']}", params={"cascade": "true"})
    assert deleted.status_code == 204
    before = _state(cast, net)
    error = assert_error(
        cast.manager.post(f"/api/v1/change-requests/{cr['id']}/approve", json={}),
        409,
        "change_no_longer_applies",
    )
    # the deleted task is one reason, said once, on both fields it was named in
    assert error["message"].count("is not in the plan") == 1
    fields = [p["field"] for p in error["details"]]
    assert fields == ["changes.1.task_id", "budget_changes.1.task_id"]
    assert _state(cast, net) == before
    assert cast.viewer.get(f"/api/v1/change-requests/{cr['id']}").json()["status"] == "proposed"
    impact = cast.viewer.get(f"/api/v1/change-requests/{cr['id']}/impact").json()
    assert not impact["applicable"] and impact["schedule"] is None
    assert [p["field"] for p in impact["problems"]] == ["changes.1.task_id"]


def test_approval_is_refused_when_a_task_finished_since(cast: Cast, net: Net) -> None:
    cr = _raise(cast, _slip(net))
    cast.manager.patch(
        f"/api/v1/tasks/{net.plat['id']}",
        json={"actual_start": "2027-01-04", "actual_finish": "2027-01-15"},
    )
    error = assert_error(
        cast.manager.post(f"/api/v1/change-requests/{cr['id']}/approve", json={}), 409
    )
    assert f"{net.plat['key']} is finished" in error["message"]
    assert cast.viewer.get(f"/api/v1/tasks/{net.plat['id']}").json()["duration"] == 10


def test_a_change_that_would_form_a_cycle_rolls_back_the_whole_approval(
    cast: Cast, net: Net
) -> None:
    def link(pred: dict, succ: dict) -> dict[str, Any]:
        return {
            "type": "add_dependency",
            "predecessor": {"type": "task", "id": pred["id"]},
            "successor": {"type": "task", "id": succ["id"]},
        }

    duration = {"type": "set_duration", "task_id": net.sec["id"], "days": 4}
    cr = _raise(cast, [duration, link(net.train, net.sec)])  # no loop in the plan as it is
    # an edit that would close a loop is refused when made
    looped = cast.manager.patch(
        f"/api/v1/change-requests/{cr['id']}", json={"changes": [link(net.train, net.plat)]}
    )
    assert "cycle" in assert_error(looped, 422)["message"]
    # the live plan moves on: SEC now feeds the pilot, and training → SEC would close a loop
    live_link = {k: v for k, v in link(net.sec, net.plat).items() if k != "type"}
    moved = cast.manager.post("/api/v1/dependencies", json=live_link)
    assert moved.status_code == 201, moved.text
    before = _state(cast, net)
    error = assert_error(
        cast.manager.post(f"/api/v1/change-requests/{cr['id']}/approve", json={}), 409
    )
    assert "cycle" in error["message"]
    assert _state(cast, net) == before


def test_removing_a_dependency_and_adding_one_are_applied(cast: Cast, net: Net) -> None:
    deps = cast.viewer.get("/api/v1/dependencies", params={"program_id": cast.program.id}).json()
    [plat_to_train] = [d["id"] for d in deps["items"] if d["predecessor"]["id"] == net.plat["id"]]
    cr = _raise(
        cast,
        [
            {"type": "remove_dependency", "dependency_id": plat_to_train},
            {
                "type": "add_dependency",
                "predecessor": {"type": "task", "id": net.sec["id"]},
                "successor": {"type": "task", "id": net.train["id"]},
                "lag": 1,
            },
        ],
    )
    impact = cast.viewer.get(f"/api/v1/change-requests/{cr['id']}/impact").json()
    # training now waits on the threat model (4–6 Jan) + 1 day: 8–14 Jan; PLAT finishes last
    assert impact["schedule"]["finish_after"] == "2027-01-15"
    assert impact["scope"]["dependencies_removed"] == [f"{net.plat['key']} → {net.train['key']}"]
    assert impact["scope"]["dependencies_added"] == [
        f"{net.sec['key']} → {net.train['key']} (FS+1)"
    ]
    approved = cast.manager.post(f"/api/v1/change-requests/{cr['id']}/approve", json={})
    assert approved.status_code == 200, approved.text
    train = cast.viewer.get(f"/api/v1/tasks/{net.train['id']}").json()
    assert (train["early_start"], train["early_finish"]) == ("2027-01-08", "2027-01-14")


def test_a_link_that_already_exists_is_refused_up_front(cast: Cast, net: Net) -> None:
    def add(pred: dict, succ: dict) -> dict[str, Any]:
        return {
            "type": "add_dependency",
            "predecessor": {"type": "task", "id": pred["id"]},
            "successor": {"type": "task", "id": succ["id"]},
        }

    existing = add(net.plat, net.train)  # the network already links the pilot to training
    error = assert_error(
        cast.member.post(_url(cast), json={"title": "Link again", "changes": [existing]}), 422
    )
    [problem] = error["details"]
    assert problem["field"] == "changes.0"
    assert f"{net.plat['key']} → {net.train['key']} is already linked" in problem["message"]
    # a link to itself, or one that closes a loop, could never apply: refused, in keys
    error = assert_error(
        cast.member.post(_url(cast), json={"title": "Self", "changes": [add(net.plat, net.plat)]}),
        422,
    )
    assert error["details"] == [
        {"field": "changes.0", "message": f"{net.plat['key']} cannot depend on itself"}
    ]
    loop = add(net.train, net.plat)  # the pilot already comes before training
    error = assert_error(
        cast.member.post(_url(cast), json={"title": "Loop", "changes": [loop]}), 422
    )
    assert "cycle" in error["message"] and net.plat["key"] in error["message"], error
    assert not re.search(r"\bt[0-9]+\b", error["message"]), error
    assert cast.viewer.get(_url(cast)).json()["items"] == []
    twice = add(net.sec, net.train)
    error = assert_error(
        cast.member.post(_url(cast), json={"title": "Twice", "changes": [twice, twice]}), 422
    )
    assert [p["field"] for p in error["details"]] == ["changes.1"]
    # removed first in the same request, the link can be added back (with another lag)
    deps = cast.viewer.get("/api/v1/dependencies", params={"program_id": cast.program.id}).json()
    [plat_to_train] = [d["id"] for d in deps["items"] if d["predecessor"]["id"] == net.plat["id"]]
    cr = _raise(
        cast,
        [{"type": "remove_dependency", "dependency_id": plat_to_train}, {**existing, "lag": 2}],
    )
    approved = cast.manager.post(f"/api/v1/change-requests/{cr['id']}/approve", json={})
    assert approved.status_code == 200, approved.text


def _pilot_made_a_summary(cast: Cast, net: Net) -> dict[str, Any]:
    """A sub-task under the pilot: the pilot becomes a summary task, its budget and dates
    rolled up from it."""
    response = cast.manager.post(
        "/api/v1/tasks",
        json={
            "project_id": net.plat["project_id"],
            "name": "Pilot wave",
            "duration": 4,
            "parent_id": net.plat["id"],
        },
    )
    assert response.status_code == 201, response.text
    sub_task: dict[str, Any] = response.json()
    return sub_task


def test_every_change_to_a_summary_task_is_refused_on_its_field(cast: Cast, net: Net) -> None:
    sub_task = _pilot_made_a_summary(cast, net)
    pilot = net.plat["id"]
    said = f"{net.plat['key']} is a summary task: change its sub-tasks"
    for body, field in (
        ({"changes": [{"type": "slip", "task_id": pilot, "days": 2}]}, "changes.0.task_id"),
        ({"changes": [{"type": "delay_start", "task_id": pilot, "days": 2}]}, "changes.0.task_id"),
        ({"changes": [{"type": "set_duration", "task_id": pilot, "days": 2}]}, "changes.0.task_id"),
        ({"budget_changes": [{"task_id": pilot, "budget": 5}]}, "budget_changes.0.task_id"),
    ):
        response = cast.member.post(_url(cast), json={"title": "On the summary", **body})
        assert assert_error(response, 422)["details"] == [{"field": field, "message": said}]

    def link(pred: int, succ: int, kind: str) -> dict[str, Any]:
        return {
            "type": "add_dependency",
            "predecessor": {"type": "task", "id": pred},
            "successor": {"type": "task", "id": succ},
            "dependency_type": kind,
        }

    # a link into the summary's finish, or between it and its own sub-task, cannot apply:
    # said on the change (its type), as a link the plan cannot take
    for change, field in (
        (link(net.sec["id"], pilot, "FF"), "changes.1.dependency_type"),
        (link(pilot, sub_task["id"], "FS"), "changes.1"),
    ):
        fine = {"type": "slip", "task_id": net.sec["id"], "days": 1}
        body = {"title": "Linked", "changes": [fine, change]}
        [problem] = assert_error(cast.member.post(_url(cast), json=body), 422)["details"]
        assert problem["field"] == field and net.plat["key"] in problem["message"]
    assert cast.viewer.get(_url(cast)).json()["total"] == 0
    # nor can a request be changed to one
    cr = _raise(cast, [], budget_changes=[{"task_id": sub_task["id"], "budget": 5}])
    edit = {"budget_changes": [{"task_id": pilot, "budget": 5}]}
    response = cast.member.patch(f"/api/v1/change-requests/{cr['id']}", json=edit)
    error = assert_error(response, 422)
    assert error["details"] == [{"field": "budget_changes.0.task_id", "message": said}]
    stored = cast.viewer.get(f"/api/v1/change-requests/{cr['id']}").json()
    assert stored["budget_changes"] == [{"task_id": sub_task["id"], "budget": 5.0}]


def test_a_task_given_two_budgets_in_one_request_is_refused_on_the_second(
    cast: Cast, net: Net
) -> None:
    # both would count in the cost impact and only one could apply
    budgets = [{"task_id": net.sec["id"], "budget": b} for b in (100, 200)]
    body = {"title": "Twice", "budget_changes": budgets}
    error = assert_error(cast.member.post(_url(cast), json=body), 422)
    assert error["details"] == [
        {
            "field": "budget_changes.1.task_id",
            "message": f"{net.sec['key']} already has a new budget in this request: give it one",
        }
    ]
    assert cast.viewer.get(_url(cast)).json()["total"] == 0
    # nor can a request be edited to hold two
    cr = _raise(cast, [], budget_changes=budgets[:1])
    response = cast.member.patch(
        f"/api/v1/change-requests/{cr['id']}", json={"budget_changes": budgets}
    )
    assert assert_error(response, 422)["details"][0]["field"] == "budget_changes.1.task_id"


def test_a_budget_change_on_a_task_made_a_summary_since_no_longer_applies(
    cast: Cast, net: Net
) -> None:
    cr = _raise(cast, [], budget_changes=[{"task_id": net.plat["id"], "budget": 5000}])
    _pilot_made_a_summary(cast, net)
    problem = {
        "field": "budget_changes.0.task_id",
        "message": f"{net.plat['key']} is a summary task: change its sub-tasks",
    }
    impact = cast.viewer.get(f"/api/v1/change-requests/{cr['id']}/impact").json()
    assert not impact["applicable"] and impact["problems"] == [problem]
    assert impact["cost"]["tasks"] == [] and impact["cost"]["delta"] == 0  # no false figures
    before = _state(cast, net)
    error = assert_error(
        cast.manager.post(f"/api/v1/change-requests/{cr['id']}/approve", json={}),
        409,
        "change_no_longer_applies",
    )
    assert error["details"] == [problem]
    assert _state(cast, net) == before


def test_who_asked_and_who_decided_are_named_as_people_are_when_left_out(
    cast: Cast, net: Net
) -> None:
    for email, name in (("member@example.com", "Mina Member"), ("manager@example.com", "Max")):
        cast.db.execute(update(User).where(User.email == email).values(name=name))
    cast.db.commit()
    first, second = _raise(cast, _slip(net)), _raise(cast, _slip(net, 2))
    assert first["requested_by"] == "Mina Member"
    approved = cast.manager.post(f"/api/v1/change-requests/{first['id']}/approve", json={})
    assert approved.status_code == 200, approved.text
    decision = cast.viewer.get(f"/api/v1/decisions/{approved.json()['decision_id']}").json()
    assert approved.json()["decided_by"] == decision["decided_by"] == "Max"
    url = f"/api/v1/change-requests/{second['id']}/withdraw"
    withdrawn = cast.member.post(url)
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["decided_by"] == "Mina Member"


@pytest.mark.parametrize("verb", ["approve", "reject"])
def test_a_decision_dated_after_today_is_refused_and_changes_nothing(
    cast: Cast, net: Net, verb: str
) -> None:
    cr = _raise(cast, _slip(net))
    before = _state(cast, net)
    url = f"/api/v1/change-requests/{cr['id']}/{verb}"
    body = {"rationale": "Agreed", "decided_on": "2031-01-01"}
    error = assert_error(cast.manager.post(url, json=body), 422, "validation_failed")
    assert [d["field"] for d in error["details"]] == ["decided_on"]
    assert "2031-01-01 is in the future" in error["message"]
    assert _state(cast, net) == before
    assert cast.viewer.get(f"/api/v1/change-requests/{cr['id']}").json()["status"] == "proposed"
    raised = today().isoformat()  # the day it was raised: the earliest it can be decided
    past = cast.manager.post(url, json={**body, "decided_on": raised})
    assert past.status_code == 200, past.text
    decision = cast.viewer.get(f"/api/v1/decisions/{past.json()['decision_id']}").json()
    assert decision["decided_on"] == raised


@pytest.mark.parametrize("verb", ["approve", "reject"])
def test_a_decision_dated_before_the_request_was_raised_is_refused_naming_that_day(
    cast: Cast, net: Net, verb: str, browser_as: Callable[[str], Browser]
) -> None:
    cr = _raise(cast, _slip(net))
    raised = today()
    before = _state(cast, net)
    url = f"/api/v1/change-requests/{cr['id']}/{verb}"
    for day in ("1999-01-01", (raised - timedelta(days=1)).isoformat()):
        body = {"rationale": "No", "decided_on": day}
        error = assert_error(cast.manager.post(url, json=body), 422, "validation_failed")
        assert error["details"] == [
            {"field": "decided_on", "message": f"{day} is before CR-1 was raised ({raised})"}
        ]
    # nor in a meeting held before it was raised
    review = cast.manager.post(
        f"/api/v1/programs/{cast.program.id}/reviews",
        json={"name": "Steering", "frequency": "weekly", "first_date": "2026-01-05"},
    ).json()
    held = cast.manager.post(
        f"/api/v1/reviews/{review['id']}/occurrences", json={"held_on": "2026-01-05"}
    ).json()
    error = assert_error(
        cast.manager.post(url, json={"rationale": "No", "occurrence_id": held["id"]}), 422
    )
    assert error["details"][0]["field"] == "occurrence_id"
    assert (
        f"the meeting held on 2026-01-05 was before CR-1 was raised ({raised})"
        in (error["message"])
    )
    # the governance page says it beside the field, and nothing is decided
    page = browser_as("manager@example.com")
    form = {"rationale": "No", "decided_on": "1999-01-01", "version": cr["version"]}
    answer = page.post(
        f"/programs/{cast.program.id}/governance/change-requests/{cr['id']}/{verb}", form
    )
    assert answer.status_code == 422, answer.text
    assert f"1999-01-01 is before CR-1 was raised ({raised})" in answer.text
    assert 'data-error-for="decided_on"' in answer.text
    assert _state(cast, net) == before
    assert cast.viewer.get(f"/api/v1/change-requests/{cr['id']}").json()["status"] == "proposed"


def test_rejecting_needs_a_reason_logs_it_and_changes_nothing(cast: Cast, net: Net) -> None:
    cr = _raise(cast, _slip(net))
    url = f"/api/v1/change-requests/{cr['id']}/reject"
    assert_error(cast.manager.post(url, json={}), 422, "validation_failed")
    rejected = cast.manager.post(url, json={"rationale": "The launch date is fixed"}).json()
    assert rejected["status"] == "rejected"
    decision = cast.viewer.get(f"/api/v1/decisions/{rejected['decision_id']}").json()
    assert (decision["title"], decision["rationale"]) == (
        "Rejected CR-1: Longer pilot",
        "The launch date is fixed",
    )
    assert cast.viewer.get(f"/api/v1/tasks/{net.plat['id']}").json()["duration"] == 10
    error = assert_error(
        cast.manager.post(f"/api/v1/change-requests/{cr['id']}/approve", json={}),
        409,
        "change_request_decided",
    )
    assert "already rejected" in error["message"]


def test_decision_can_be_tied_to_the_review_it_was_taken_in(cast: Cast, net: Net) -> None:
    cr = _raise(cast, _slip(net, 1))
    held_on = today()  # a meeting held once the request was raised: today
    review = cast.manager.post(
        f"/api/v1/programs/{cast.program.id}/reviews",
        json={"name": "Steering", "frequency": "biweekly", "first_date": held_on.isoformat()},
    ).json()
    occurrence = cast.manager.post(
        f"/api/v1/reviews/{review['id']}/occurrences", json={"held_on": held_on.isoformat()}
    ).json()
    url = f"/api/v1/change-requests/{cr['id']}"
    # decided in the meeting of today: dated that day, not another
    for verb in ("approve", "reject"):
        error = assert_error(
            cast.manager.post(
                f"{url}/{verb}",
                json={
                    "rationale": "x",
                    "occurrence_id": occurrence["id"],
                    "decided_on": (held_on - timedelta(days=1)).isoformat(),
                },
            ),
            422,
        )
        assert error["details"][0]["field"] == "decided_on"
        assert f"meeting held on {held_on}" in error["message"]
    approved = cast.manager.post(f"{url}/approve", json={"occurrence_id": occurrence["id"]}).json()
    decision = cast.viewer.get(f"/api/v1/decisions/{approved['decision_id']}").json()
    assert (decision["occurrence_id"], decision["review_id"]) == (occurrence["id"], review["id"])
    assert decision["decided_on"] == held_on.isoformat()


def test_change_request_input_errors(cast: Cast, net: Net) -> None:
    url = _url(cast)
    error = assert_error(
        cast.member.post(
            url, json={"title": "X", "changes": [{"type": "slip", "task_id": 999999, "days": 2}]}
        ),
        422,
    )
    assert error["details"][0]["field"] == "changes.0.task_id"
    assert_error(cast.member.post(url, json={"title": "Nothing"}), 422)
    assert_error(cast.member.post(url, json={"title": "X", "colour": "red"}), 422)
    assert_error(cast.member.post(url, json={"title": "X", "changes": [{"type": "teleport"}]}), 422)
    assert_error(
        cast.member.post(
            url,
            json={"title": "X", "budget_changes": [{"task_id": net.plat["id"], "budget": -1}]},
        ),
        422,
    )
    assert_error(cast.viewer.get("/api/v1/change-requests/999999"), 404, "not_found")
    assert_error(cast.viewer.get("/api/v1/change-requests/0"), 422)
    assert_error(cast.viewer.get(f"{url}?status=lost"), 422)


def test_a_stale_approval_is_412(cast: Cast, net: Net) -> None:
    cr = _raise(cast, _slip(net))
    cast.member.patch(f"/api/v1/change-requests/{cr['id']}", json={"title": "Longer pilot, 5 days"})
    assert_error(
        cast.manager.post(
            f"/api/v1/change-requests/{cr['id']}/approve",
            json={},
            headers={"If-Match": f'"{cr["version"]}"'},
        ),
        412,
    )
    assert cast.viewer.get(f"/api/v1/tasks/{net.plat['id']}").json()["duration"] == 10


def test_a_request_decided_meanwhile_is_refused_as_decided_or_stale_not_a_fault(
    cast: Cast, net: Net, db: Session
) -> None:
    """Two managers deciding at once: the one who comes second is told, whatever they read."""
    manager = Actor.of(cast.manager.user)
    approve = change_requests.approve_change_request
    for verb, if_match, refused in (
        ("approve", False, Conflict),  # 409 change_request_decided
        ("reject", True, StaleVersion),  # 412 with If-Match
    ):
        cr = _raise(cast, _slip(net))
        # this request reads the request and its task before the other decision commits
        read = (
            change_requests.get_change_request(db, manager, cr["id"]),
            db.get(Task, net.plat["id"]),
        )
        other = cast.owner.post(
            f"/api/v1/change-requests/{cr['id']}/{verb}", json={"rationale": "First"}
        )
        assert other.status_code == 200, other.text
        with pytest.raises(refused) as error:
            approve(
                db,
                manager,
                cr["id"],
                rationale="Second",
                expected_version=cr["version"] if if_match else None,
            )
        db.rollback()
        assert read[0].id == cr["id"]  # held until here, so the session kept what it read
        if refused is Conflict:
            assert error.value.code == "change_request_decided"
    # the pilot slipped once (the first approval), and two decisions were logged in all
    assert cast.viewer.get(f"/api/v1/tasks/{net.plat['id']}").json()["duration"] == 15
    decisions = cast.viewer.get(f"/api/v1/programs/{cast.program.id}/decisions").json()
    assert decisions["total"] == 2


def test_only_the_requester_or_a_manager_edits_or_withdraws(cast: Cast, net: Net) -> None:
    cr = _raise(cast, _slip(net), by="manager")
    url = f"/api/v1/change-requests/{cr['id']}"
    assert_error(cast.member.patch(url, json={"title": "Mine now"}), 403)
    assert_error(cast.member.post(f"{url}/withdraw"), 403)
    withdrawn = cast.owner.post(f"{url}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert_error(cast.manager.patch(url, json={"title": "Too late"}), 409)


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("owner", 201),
        ("manager", 201),
        ("member", 201),
        ("admin", 201),
        ("viewer", 403),
        ("outsider", 404),
    ],
)
def test_members_and_above_raise_change_requests(
    cast: Cast, net: Net, role: str, expected: int
) -> None:
    response = cast.by_role(role).post(_url(cast), json={"title": "CR", "changes": _slip(net)})
    assert response.status_code == expected, response.text


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("owner", 200),
        ("manager", 200),
        ("admin", 200),
        ("member", 403),
        ("viewer", 403),
        ("outsider", 404),
    ],
)
@pytest.mark.parametrize("verb", ["approve", "reject"])
def test_managers_decide_change_requests(
    cast: Cast, net: Net, verb: str, role: str, expected: int
) -> None:
    cr = _raise(cast, _slip(net))
    response = cast.by_role(role).post(
        f"/api/v1/change-requests/{cr['id']}/{verb}", json={"rationale": "decided"}
    )
    assert response.status_code == expected, response.text
    if expected != 200:
        assert_error(response, expected)


@pytest.mark.parametrize(
    ("role", "expected"),
    [("viewer", 200), ("member", 200), ("admin", 200), ("outsider", 404)],
)
def test_everyone_in_the_program_reads_change_requests_and_their_impact(
    cast: Cast, net: Net, role: str, expected: int
) -> None:
    cr = _raise(cast, _slip(net))
    client = cast.by_role(role)
    for url in (
        _url(cast),
        f"/api/v1/change-requests/{cr['id']}",
        f"/api/v1/change-requests/{cr['id']}/impact",
    ):
        assert client.get(url).status_code == expected, url

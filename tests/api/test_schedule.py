"""Live rescheduling through the API: computed dates, critical path, impact, alerts, cycles.

The network (program start Monday 2027-01-04, Mon–Fri calendar, no holidays):

    PLAT-1 Pilot (10 d)  --FS-->  TRAIN-1 Train the trainers (5 d)  --FS-->  M1 (target 2027-01-22)
    SEC-1 Threat model (3 d)  --FS-->  M1

By hand: PLAT-1 runs Mon 4 Jan – Fri 15 Jan; TRAIN-1 Mon 18 – Fri 22 Jan; M1 falls
on Fri 22 Jan, on target. SEC-1 runs 4–6 Jan with 12 working days of float.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.api.conftest import Browser, Cast, Net, link, post_created, start_program_on
from tests.api.test_programs import assert_error


def _task(client, task: dict) -> dict:
    return client.get(f"/api/v1/tasks/{task['id']}").json()


def test_tasks_carry_hand_computed_dates_and_floats(cast: Cast, net: Net) -> None:
    plat, train, sec = (_task(cast.viewer, t) for t in (net.plat, net.train, net.sec))
    assert (plat["early_start"], plat["early_finish"]) == ("2027-01-04", "2027-01-15")
    assert (train["early_start"], train["early_finish"]) == ("2027-01-18", "2027-01-22")
    assert plat["total_float"] == 0 and plat["is_critical"] and train["is_critical"]
    assert (sec["early_start"], sec["early_finish"]) == ("2027-01-04", "2027-01-06")
    assert (sec["late_start"], sec["late_finish"]) == ("2027-01-20", "2027-01-22")
    assert sec["total_float"] == 12 and sec["free_float"] == 12 and not sec["is_critical"]


def test_program_and_projects_carry_their_computed_span(cast: Cast, net: Net) -> None:
    program = cast.viewer.get(f"/api/v1/programs/{cast.program.id}").json()
    assert (program["scheduled_start"], program["scheduled_finish"]) == ("2027-01-04", "2027-01-22")
    train_project = cast.viewer.get(f"/api/v1/projects/{net.train['project_id']}").json()
    assert (train_project["scheduled_start"], train_project["scheduled_finish"]) == (
        "2027-01-18",
        "2027-01-22",
    )


def test_critical_path_runs_across_projects_in_order(cast: Cast, net: Net) -> None:
    body = cast.viewer.get(f"/api/v1/programs/{cast.program.id}/critical-path").json()
    assert [s["activity"]["key"] for s in body["critical_path"]] == [
        net.plat["key"],
        net.train["key"],
        "M1",
    ]
    assert body["projects_on_critical_path"] == ["PLAT", "TRAIN"]
    assert body["finish"] == "2027-01-22"


def test_schedule_lists_milestone_forecast_against_target(cast: Cast, net: Net) -> None:
    body = cast.viewer.get(f"/api/v1/programs/{cast.program.id}/schedule").json()
    (m1,) = body["milestones"]
    assert (m1["target"], m1["forecast"], m1["slip"]) == ("2027-01-22", "2027-01-22", 0)


def test_editing_a_duration_reschedules_downstream_projects_in_the_same_request(
    cast: Cast, net: Net
) -> None:
    response = cast.manager.patch(f"/api/v1/tasks/{net.plat['id']}", json={"duration": 12})
    assert response.status_code == 200, response.text
    assert response.json()["early_finish"] == "2027-01-19"
    train = _task(cast.viewer, net.train)
    assert (train["early_start"], train["early_finish"]) == ("2027-01-20", "2027-01-26")
    # rescheduling is derived data: it does not bump the versions of the tasks it moved
    assert train["version"] == net.train["version"]


def test_upstream_slip_raises_a_cross_project_alert_with_its_chain_then_resolves(
    cast: Cast, net: Net
) -> None:
    url = f"/api/v1/programs/{cast.program.id}/alerts"
    assert cast.viewer.get(url).json()["total"] == 0
    cast.manager.patch(f"/api/v1/tasks/{net.plat['id']}", json={"duration": 12})
    (alert,) = cast.viewer.get(url).json()["items"]
    assert alert["kind"] == "milestone_target_missed"
    assert alert["details"]["days_late"] == 2 and alert["details"]["forecast"] == "2027-01-26"
    assert [step["key"] for step in alert["chain"]] == [net.plat["key"], net.train["key"], "M1"]
    assert alert["projects"] == ["PLAT", "TRAIN"] and alert["cross_project"] is True
    assert alert["triggered_by"] == "manager@example.com" and alert["resolved_at"] is None

    cast.manager.patch(f"/api/v1/tasks/{net.plat['id']}", json={"duration": 13})
    still = cast.viewer.get(url).json()["items"]
    assert [a["id"] for a in still] == [alert["id"]] and still[0]["details"]["days_late"] == 3

    # a project's new key reaches its open alerts at once (health reads them by key)
    renamed = cast.manager.patch(f"/api/v1/projects/{net.plat['project_id']}", json={"key": "CORE"})
    assert renamed.status_code == 200, renamed.text
    (moved,) = cast.viewer.get(url).json()["items"]
    assert moved["projects"] == ["CORE", "TRAIN"] and moved["chain"][0]["project_key"] == "CORE"
    health = cast.viewer.get(f"/api/v1/programs/{cast.program.id}/health")
    assert health.status_code == 200, health.text

    cast.manager.patch(f"/api/v1/tasks/{net.plat['id']}", json={"duration": 10})
    assert cast.viewer.get(url).json()["total"] == 0
    (resolved,) = cast.viewer.get(url, params={"status": "resolved"}).json()["items"]
    assert resolved["id"] == alert["id"] and resolved["resolved_at"] is not None
    assert resolved["first_detected_at"] == alert["first_detected_at"]


def test_one_alert_is_read_whole_with_its_chain_on_one_line(cast: Cast, net: Net) -> None:
    cast.manager.patch(f"/api/v1/tasks/{net.plat['id']}", json={"duration": 12})
    url = f"/api/v1/programs/{cast.program.id}/alerts"
    (listed,) = cast.viewer.get(url).json()["items"]
    one = cast.viewer.get(f"{url}/{listed['id']}")
    assert one.status_code == 200, one.text
    assert one.json() == listed
    assert listed["summary"] == f"{net.plat['key']} (PLAT) → {net.train['key']} (TRAIN) → M1"
    error = assert_error(cast.viewer.get(f"{url}/{listed['id'] + 1000}"), 404)
    assert error["message"] == f"{cast.program.key} has no alert {listed['id'] + 1000}"
    assert_error(cast.outsider.get(f"{url}/{listed['id']}"), 404)


def test_a_slip_past_a_started_successor_is_flagged(cast: Cast, net: Net) -> None:
    cast.assign_member(net.train["id"])
    started = cast.member.patch(
        f"/api/v1/tasks/{net.train['id']}",
        json={"actual_start": "2027-01-18", "percent_complete": 20},
    )
    assert started.status_code == 200, started.text
    cast.manager.patch(f"/api/v1/tasks/{net.plat['id']}", json={"duration": 12})
    kinds = {
        a["kind"]: a
        for a in cast.viewer.get(f"/api/v1/programs/{cast.program.id}/alerts").json()["items"]
    }
    pushed = kinds["started_successor_pushed"]
    assert pushed["details"]["required_start"] == "2027-01-20"
    assert [s["key"] for s in pushed["chain"]][-2:] == [net.plat["key"], net.train["key"]]


def test_progress_dated_after_the_status_date_is_flagged_until_the_status_date_catches_up(
    cast: Cast, net: Net
) -> None:
    url = f"/api/v1/programs/{cast.program.id}/alerts"
    cast.assign_member(net.plat["id"])
    started = cast.member.patch(
        f"/api/v1/tasks/{net.plat['id']}",
        json={"actual_start": "2027-01-04", "actual_finish": "2027-01-15"},
    )
    assert started.status_code == 200, started.text
    assert cast.viewer.get(url).json()["total"] == 0  # no status date: nothing to judge by
    program = f"/api/v1/programs/{cast.program.id}"
    assert cast.owner.patch(program, json={"status_date": "2027-01-08"}).status_code == 200
    (alert,) = cast.viewer.get(url).json()["items"]
    assert (alert["kind"], alert["severity"], alert["subject_id"]) == (
        "actual_after_status_date",
        "medium",
        net.plat["id"],
    )
    assert alert["title"] == f"{net.plat['key']} Pilot has an actual finish after the status date"
    assert alert["message"] == (
        "Actual finish 15 Jan 2027, after the status date 8 Jan 2027: correct the date or "
        "move the status date"
    )
    assert alert["details"] == {"actual_finish": "2027-01-15", "status_date": "2027-01-08"}
    assert [s["key"] for s in alert["chain"]] == [net.plat["key"]]  # about the task alone
    assert cast.owner.patch(program, json={"status_date": "2027-01-03"}).status_code == 200
    (both,) = cast.viewer.get(url).json()["items"]
    assert both["id"] == alert["id"] and both["title"].endswith(
        "has an actual start and finish after the status date"
    )
    assert cast.owner.patch(program, json={"status_date": "2027-01-15"}).status_code == 200
    assert cast.viewer.get(url).json()["total"] == 0


def test_impact_analysis_shows_what_moves_where_without_saving(cast: Cast, net: Net) -> None:
    url = f"/api/v1/programs/{cast.program.id}/impact"
    body = cast.viewer.post(
        url, json={"changes": [{"type": "slip", "task_id": net.plat["id"], "days": 10}]}
    )
    assert body.status_code == 200, body.text
    impact = body.json()
    assert impact["finish_before"] == "2027-01-22" and impact["finish_after"] == "2027-02-05"
    assert impact["finish_delta"] == 10
    assert impact["projects_affected"] == ["PLAT", "TRAIN"]
    train_moves = next(p for p in impact["by_project"] if p["project_key"] == "TRAIN")["moves"]
    assert (
        train_moves[0]["early_finish_after"] == "2027-02-05"
        and train_moves[0]["finish_delta"] == 10
    )
    assert [m["activity"]["key"] for m in impact["milestones"]] == ["M1"]
    (miss,) = impact["misses"]
    assert (miss["activity"]["key"], miss["kind"], miss["is_new"], miss["days_late_after"]) == (
        "M1",
        "target",
        True,
        10,
    )
    # nothing was written
    assert _task(cast.viewer, net.train)["early_finish"] == "2027-01-22"
    assert cast.viewer.get(f"/api/v1/programs/{cast.program.id}/alerts").json()["total"] == 0


def test_impact_of_removing_and_adding_dependencies(cast: Cast, net: Net) -> None:
    url = f"/api/v1/programs/{cast.program.id}/impact"
    link = cast.viewer.get("/api/v1/dependencies", params={"task_id": net.sec["id"]}).json()[
        "items"
    ][0]
    added = cast.viewer.post(
        url,
        json={
            "changes": [
                {"type": "remove_dependency", "dependency_id": link["id"]},
                {
                    "type": "add_dependency",
                    "predecessor": {"type": "task", "id": net.train["id"]},
                    "successor": {"type": "task", "id": net.sec["id"]},
                },
            ]
        },
    ).json()
    sec_move = next(p for p in added["by_project"] if p["project_key"] == "SEC")["moves"][0]
    assert sec_move["early_start_after"] == "2027-01-25"


def test_impact_refuses_the_links_a_change_request_refuses_in_the_same_words(
    cast: Cast, net: Net
) -> None:
    impact_url = f"/api/v1/programs/{cast.program.id}/impact"
    request_url = f"/api/v1/programs/{cast.program.id}/change-requests"
    deps = cast.viewer.get("/api/v1/dependencies", params={"task_id": net.plat["id"]}).json()
    (pilot_to_training,) = deps["items"]

    def add(pred: dict, succ: dict, lag: int = 0) -> dict:
        return {
            "type": "add_dependency",
            "predecessor": {"type": "task", "id": pred["id"]},
            "successor": {"type": "task", "id": succ["id"]},
            "lag": lag,
        }

    plat, train = net.plat["key"], net.train["key"]
    for changes, refusal in (
        (  # the plan links the pilot to training already: no quiet change of its lag
            [add(net.plat, net.train, lag=20)],
            {
                "field": "changes.0",
                "message": f"{plat} → {train} is already linked (dependency "
                f"{pilot_to_training['id']}): change that link's type or lag instead",
            },
        ),
        (
            [add(net.plat, net.plat)],
            {"field": "changes.0", "message": f"{plat} cannot depend on itself"},
        ),
        (
            [add(net.sec, net.train), add(net.sec, net.train, lag=2)],
            {"field": "changes.1", "message": "the same link is added twice (as changes.0)"},
        ),
    ):
        asked = cast.viewer.post(impact_url, json={"changes": changes})
        assert assert_error(asked, 422, "validation_failed")["details"] == [refusal]
        raised = cast.member.post(request_url, json={"title": "Link", "changes": changes})
        assert assert_error(raised, 422, "validation_failed")["details"] == [refusal]
    # removed first, the link may come back with another lag: a change both answer
    removed = {"type": "remove_dependency", "dependency_id": pilot_to_training["id"]}
    relinked = [removed, add(net.plat, net.train, lag=2)]
    asked = cast.viewer.post(impact_url, json={"changes": relinked})
    assert asked.status_code == 200, asked.text
    assert asked.json()["finish_delta"] == 2
    raised = cast.member.post(request_url, json={"title": "Lag", "changes": relinked})
    assert raised.status_code == 201, raised.text


def test_impact_with_unknown_task_is_422_naming_the_change(cast: Cast, net: Net) -> None:
    url = f"/api/v1/programs/{cast.program.id}/impact"
    error = assert_error(
        cast.viewer.post(url, json={"changes": [{"type": "slip", "task_id": 999999, "days": 3}]}),
        422,
    )
    assert error["details"][0]["field"] == "changes.0.task_id"
    assert_error(cast.viewer.post(url, json={"changes": []}), 422)


def test_impact_problems_name_tasks_by_their_keys(cast: Cast, net: Net) -> None:
    cast.assign_member(net.plat["id"])
    started = {"actual_start": "2027-01-04", "percent_complete": 20}
    assert cast.member.patch(f"/api/v1/tasks/{net.plat['id']}", json=started).status_code == 200
    url = f"/api/v1/programs/{cast.program.id}/impact"
    change = {"type": "delay_start", "task_id": net.plat["id"], "days": 3}
    error = assert_error(cast.viewer.post(url, json={"changes": [change]}), 422)
    assert error["details"] == [
        {
            "field": "changes",
            "message": f"'{net.plat['key']}' is already started: its start cannot be delayed",
        }
    ]
    assert f"t{net.plat['id']}" not in error["message"]


def test_a_start_pinned_by_its_constraint_cannot_be_delayed_and_says_by_which(
    cast: Cast, net: Net
) -> None:
    pinned = {"constraint_type": "mso", "constraint_date": "2027-01-18"}
    assert cast.manager.patch(f"/api/v1/tasks/{net.train['id']}", json=pinned).status_code == 200
    url = f"/api/v1/programs/{cast.program.id}/impact"
    change = {"type": "delay_start", "task_id": net.train["id"], "days": 2}
    error = assert_error(cast.viewer.post(url, json={"changes": [change]}), 422)
    assert error["details"][0]["message"] == (
        f"'{net.train['key']}' is pinned (must start on 2027-01-18): its start cannot be delayed"
    )


@pytest.mark.parametrize(
    ("kind", "days", "message"),
    [
        ("slip", -5, "a slip is 1 to 10000 working days"),
        ("slip", 0, "a slip is 1 to 10000 working days"),
        ("delay_start", -3, "a delay is 1 to 10000 working days"),
        ("delay_start", 0, "a delay is 1 to 10000 working days"),
        ("set_duration", -1, "a duration is 0 to 10000 working days"),
    ],
)
def test_a_slip_or_delay_of_no_working_days_or_fewer_is_refused_as_the_web_refuses_it(
    cast: Cast, net: Net, kind: str, days: int, message: str
) -> None:
    url = f"/api/v1/programs/{cast.program.id}/impact"
    change = {"type": kind, "task_id": net.plat["id"], "days": days}
    error = assert_error(
        cast.viewer.post(url, json={"changes": [change]}), 422, "validation_failed"
    )
    (problem,) = error["details"]
    assert problem["field"] == "changes.0.days" and problem["message"] == message
    too_many = {**change, "days": 10001}
    error = assert_error(
        cast.viewer.post(url, json={"changes": [too_many]}), 422, "validation_failed"
    )
    assert error["details"][0]["message"] == message  # the same words at either end


def test_a_change_request_refuses_a_negative_slip_as_impact_analysis_does(
    cast: Cast, net: Net
) -> None:
    url = f"/api/v1/programs/{cast.program.id}/change-requests"
    body = {
        "title": "Pull the pilot in",
        "changes": [{"type": "slip", "task_id": net.plat["id"], "days": -5}],
    }
    error = assert_error(cast.manager.post(url, json=body), 422)
    assert error["details"][0]["field"] == "changes.0.days"
    assert "a slip is 1 to 10000 working days" in error["details"][0]["message"]


def test_the_smallest_slip_and_delay_and_a_zero_duration_are_answered(cast: Cast, net: Net) -> None:
    url = f"/api/v1/programs/{cast.program.id}/impact"
    for kind, days in (("slip", 1), ("delay_start", 1), ("set_duration", 0)):
        change = {"type": kind, "task_id": net.plat["id"], "days": days}
        response = cast.viewer.post(url, json={"changes": [change]})
        assert response.status_code == 200, (kind, response.text)


def test_a_date_constraint_broken_by_a_link_from_another_project_crosses_projects(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    pinned = {"constraint_type": "mfo", "constraint_date": "2027-01-19"}
    assert cast.manager.patch(f"/api/v1/tasks/{net.train['id']}", json=pinned).status_code == 200
    alerts = cast.viewer.get(f"/api/v1/programs/{cast.program.id}/alerts").json()["items"]
    (alert,) = [a for a in alerts if a["kind"] == "constraint_violated"]
    assert alert["message"] == (
        f"{net.train['key']} is pinned (mfo 2027-01-19) 3 working days before its FS link "
        f"from {net.plat['key']} allows"
    )
    # the link comes from another project: its predecessor heads the chain, so the alert
    # crosses projects and the cross-project filters and pages find it
    assert [step["key"] for step in alert["chain"]] == [net.plat["key"], net.train["key"]]
    assert (alert["projects"], alert["cross_project"]) == (["PLAT", "TRAIN"], True)
    assert alert["summary"] == f"{net.plat['key']} (PLAT) → {net.train['key']} (TRAIN)"
    crossing = cast.viewer.get(
        f"/api/v1/programs/{cast.program.id}/alerts", params={"cross_project": "true"}
    ).json()["items"]
    assert [a["id"] for a in crossing] == [alert["id"]]
    overview = browser_as(cast.viewer.user.email).get(f"/programs/{cast.program.id}")
    assert "Crosses PLAT, TRAIN" in overview
    # a second link the pinned date breaks (SEC-1 ends 6 Jan; 6 days' lag wants 15 Jan) is
    # the same broken constraint: still one alert, about the link that breaks it most
    link(cast.manager, ("task", net.sec["id"]), ("task", net.train["id"]), lag=6)
    alerts = cast.viewer.get(f"/api/v1/programs/{cast.program.id}/alerts").json()["items"]
    (again,) = [a for a in alerts if a["kind"] == "constraint_violated"]
    assert (again["id"], again["details"]["days_late"]) == (alert["id"], 3)


def test_impact_that_would_close_a_cycle_is_409_naming_it(cast: Cast, net: Net) -> None:
    url = f"/api/v1/programs/{cast.program.id}/impact"
    change = {
        "type": "add_dependency",
        "predecessor": {"type": "task", "id": net.train["id"]},
        "successor": {"type": "task", "id": net.plat["id"]},
    }
    error = assert_error(cast.viewer.post(url, json={"changes": [change]}), 409, "dependency_cycle")
    assert set(error["details"]["cycle"]) == {net.plat["key"], net.train["key"]}


def test_a_dependency_that_closes_a_cycle_is_refused_and_nothing_changes(
    cast: Cast, net: Net
) -> None:
    response = cast.manager.post(
        "/api/v1/dependencies",
        json={
            "predecessor": {"type": "milestone", "id": net.m1["id"]},
            "successor": {"type": "task", "id": net.plat["id"]},
        },
    )
    error = assert_error(response, 409, "dependency_cycle")
    cycle = error["details"]["cycle"]
    assert cycle[0] == cycle[-1] and set(cycle) == {net.plat["key"], net.train["key"], "M1"}
    assert " → " in error["message"]
    assert (
        cast.viewer.get("/api/v1/dependencies", params={"program_id": cast.program.id}).json()[
            "total"
        ]
        == 3
    )


@pytest.mark.parametrize(("role", "expected"), [("viewer", 200), ("outsider", 404)])
def test_schedule_reads_follow_program_visibility(
    cast: Cast, net: Net, role: str, expected: int
) -> None:
    client = cast.by_role(role)
    pid = cast.program.id
    for url in (
        f"/api/v1/programs/{pid}/schedule",
        f"/api/v1/programs/{pid}/critical-path",
        f"/api/v1/programs/{pid}/alerts",
    ):
        assert client.get(url).status_code == expected
    impact = client.post(
        f"/api/v1/programs/{pid}/impact",
        json={"changes": [{"type": "slip", "task_id": net.plat["id"], "days": 1}]},
    )
    assert impact.status_code == expected


@pytest.mark.parametrize(
    ("role", "expected"), [("manager", 200), ("member", 403), ("viewer", 403), ("outsider", 404)]
)
def test_forcing_a_reschedule_needs_a_manager(
    cast: Cast, net: Net, role: str, expected: int
) -> None:
    assert (
        cast.by_role(role).post(f"/api/v1/programs/{cast.program.id}/reschedule").status_code
        == expected
    )


def test_changing_the_program_calendar_reschedules(cast: Cast, net: Net) -> None:
    calendar = post_created(
        cast.admin,
        "/api/v1/calendars",
        {
            "name": "with holiday",
            "workdays": ["Mon", "Tue", "Wed", "Thu", "Fri"],
            "holidays": [{"date": "2027-01-06", "name": "Epiphany"}],
        },
    )
    cast.owner.patch(f"/api/v1/programs/{cast.program.id}", json={"calendar_id": calendar["id"]})
    assert _task(cast.viewer, net.plat)["early_finish"] == "2027-01-18"
    cast.admin.patch(f"/api/v1/calendars/{calendar['id']}", json={"holidays": []})
    assert _task(cast.viewer, net.plat)["early_finish"] == "2027-01-15"


def test_an_edit_that_would_run_the_plan_past_the_last_date_is_refused(
    cast: Cast, net: Net
) -> None:
    program = f"/api/v1/programs/{cast.program.id}"
    start_program_on(cast, "9999-06-07")
    assert cast.viewer.get(program).json()["scheduled_finish"] == "9999-06-25"
    # the load reads up to the last date (its ten-year horizon would pass it), to the end
    # of the finish's week or month
    for period, end in (("week", "9999-06-27"), ("month", "9999-06-30"), ("day", "9999-06-25")):
        load = cast.viewer.get(f"{program}/resource-load", params={"period": period})
        assert load.status_code == 200, load.text
        assert load.json()["finish"] == end

    response = cast.manager.patch(f"/api/v1/tasks/{net.plat['id']}", json={"duration": 200})
    error = assert_error(response, 409, "invalid_schedule")
    assert "would finish after 9999-12-31" in error["message"]
    assert any(net.train["key"] in p or "M1" in p for p in error["details"]["problems"])
    # nothing changed
    assert _task(cast.viewer, net.plat)["duration"] == 10
    assert cast.viewer.get(program).json()["scheduled_finish"] == "9999-06-25"


def test_a_deadline_that_would_pull_dates_before_the_first_date_is_refused(
    cast: Cast, net: Net
) -> None:
    task = f"/api/v1/tasks/{net.train['id']}"
    before = _task(cast.viewer, net.plat)
    # a deadline in year 1 is not a date a plan may hold (the engine would also find its
    # late dates running before 0001-01-01: tests/unit/test_cpm_errors.py)
    response = cast.manager.patch(task, json={"deadline": "0001-01-01"})
    error = assert_error(response, 422, "validation_failed")
    assert "1900-01-01 to 2200-12-31" in error["message"]
    # nothing changed: no deadline, the same late dates
    assert _task(cast.viewer, net.train)["deadline"] is None
    assert _task(cast.viewer, net.plat)["late_start"] == before["late_start"]
    # a deadline long missed, but on a date that exists, is accepted and shown as missed
    assert cast.manager.patch(task, json={"deadline": "1900-01-05"}).status_code == 200
    assert _task(cast.viewer, net.plat)["total_float"] < -30_000

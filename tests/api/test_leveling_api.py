"""A program's resource load and leveling through the API: preview, apply, clear, refusals."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.models import Assignment, Program
from podium.services.scheduling import reschedule_program
from tests.api.conftest import ROLES, Cast
from tests.api.test_resources import Contest, contest
from tests.factories import assert_error, make_program, make_project, make_task


def url(cast: Cast, tail: str) -> str:
    return f"/api/v1/programs/{cast.program.id}/{tail}"


def over_allocation_alerts(cast: Cast, status: str = "open") -> list[dict[str, Any]]:
    response = cast.viewer.get(url(cast, "alerts"), params={"status": status})
    assert response.status_code == 200, response.text
    return [a for a in response.json()["items"] if a["kind"] == "over_allocation"]


def task(cast: Cast, task_id: int) -> dict[str, Any]:
    response = cast.viewer.get(f"/api/v1/tasks/{task_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def ops_takes_ana_thursday_and_friday(db: Session, setup: Contest) -> None:
    """Another program, OPS, whose RUN-1 has Ana on Thu 7 - Fri 8 Jan."""
    other = make_program(db, key="OPS")
    outside = make_task(
        db,
        make_project(db, other, "RUN"),
        "RUN-1",
        early_start=date(2027, 1, 7),
        early_finish=date(2027, 1, 8),
    )
    db.add(Assignment(program_id=other.id, task_id=outside.id, resource_id=setup.ana["id"]))
    db.commit()


# --- the program's resource load ------------------------------------------------


def test_the_program_load_shows_200_percent_on_the_overlap_days(cast: Cast) -> None:
    contest(cast)
    response = cast.viewer.get(url(cast, "resource-load"), params={"period": "day"})
    assert response.status_code == 200, response.text
    body = response.json()
    # the program's own span: Mon 4 to Fri 8 January
    assert (body["program_id"], body["period"], body["start"], body["finish"]) == (
        cast.program.id,
        "day",
        "2027-01-04",
        "2027-01-08",
    )
    [ana] = body["resources"]
    assert ana["resource"]["key"] == "ana"
    assert [
        (b["start"], b["demand"], b["utilization"], b["demand_here"], b["demand_elsewhere"])
        for b in ana["buckets"]
    ] == [
        ("2027-01-04", 2.0, 2.0, 2.0, 0.0),
        ("2027-01-05", 2.0, 2.0, 2.0, 0.0),
        ("2027-01-06", 2.0, 2.0, 2.0, 0.0),
        ("2027-01-07", 1.0, 1.0, 1.0, 0.0),
        ("2027-01-08", 1.0, 1.0, 1.0, 0.0),
    ]
    assert (ana["over_allocated_days"], ana["peak_utilization"]) == (3, 2.0)
    [overload] = ana["overloads"]
    assert (overload["start"], overload["finish"], overload["days"]) == (
        "2027-01-04",
        "2027-01-06",
        3,
    )


def test_work_in_another_program_counts_as_demand_elsewhere(cast: Cast, db: Session) -> None:
    setup = contest(cast)
    ops_takes_ana_thursday_and_friday(db, setup)
    body = cast.viewer.get(url(cast, "resource-load"), params={"period": "day"}).json()
    buckets = body["resources"][0]["buckets"]
    assert [(b["demand_here"], b["demand_elsewhere"]) for b in buckets] == [
        (2.0, 0.0),
        (2.0, 0.0),
        (2.0, 0.0),
        (1.0, 1.0),
        (1.0, 1.0),
    ]
    # the viewer cannot see OPS: its task counts but is not named
    overloads = body["resources"][0]["overloads"]
    assert overloads[-1]["hidden_tasks"] == 1 and "RUN-1" not in str(body)


def test_the_weekly_program_load_and_an_explicit_horizon(cast: Cast) -> None:
    contest(cast)
    body = cast.viewer.get(
        url(cast, "resource-load"), params={"start": "2027-01-04", "finish": "2027-01-15"}
    ).json()
    assert body["period"] == "week"
    assert [
        (b["start"], b["demand"], b["capacity"], b["over_allocated_days"])
        for b in body["resources"][0]["buckets"]
    ] == [("2027-01-04", 8.0, 5.0, 3), ("2027-01-11", 0.0, 5.0, 0)]
    # a window inside a week or month reads the whole of it: a bucket is labelled by its
    # first day, and a part of it would read as the whole
    inside = cast.viewer.get(
        url(cast, "resource-load"), params={"start": "2027-01-06", "finish": "2027-01-12"}
    ).json()
    assert (inside["start"], inside["finish"]) == ("2027-01-04", "2027-01-17")
    assert inside["resources"] == body["resources"]
    months = [
        cast.viewer.get(
            url(cast, "resource-load"), params={"period": "month", "start": first}
        ).json()
        for first in ("2027-01-01", "2027-01-06")
    ]
    assert months[0] == months[1] and months[1]["start"] == "2027-01-01"
    [january] = months[1]["resources"][0]["buckets"]
    assert (january["start"], january["demand"], january["capacity"]) == ("2027-01-01", 8.0, 21.0)


def test_a_program_without_assignments_has_no_resources_in_its_load(cast: Cast) -> None:
    body = cast.viewer.get(url(cast, "resource-load")).json()
    assert body["resources"] == []


@pytest.mark.parametrize(
    "params",
    [
        {"period": "quarter"},
        {"start": "not a date"},
        {"start": "2027-03-01", "finish": "2027-02-01"},
        {"start": "2027-01-01", "finish": "2040-01-01"},  # more than ten years
    ],
)
def test_bad_load_queries_are_422(cast: Cast, params: dict[str, Any]) -> None:
    assert_error(cast.viewer.get(url(cast, "resource-load"), params=params), 422)


# --- leveling: preview, apply, clear -------------------------------------------------


def test_the_preview_moves_the_task_with_more_float_and_writes_nothing(cast: Cast) -> None:
    setup = contest(cast)
    response = cast.manager.post(url(cast, "level"), json={})
    assert response.status_code == 200, response.text
    body = response.json()
    # SEC-1 drives M1 (target Fri 8): it keeps Mon 4–Wed 6, PLAT-1 waits until Thu 7
    assert [
        (m["type"], m["id"], m["key"], m["project_key"], m["start_before"], m["start_after"])
        for m in body["moves"]
    ] == [("task", setup.plat["id"], "PLAT-1", "PLAT", "2027-01-04", "2027-01-07")]
    assert (body["moves"][0]["finish_after"], body["moves"][0]["finish_delay_days"]) == (
        "2027-01-13",
        3,
    )
    assert body["milestones"] == []
    assert (body["over_allocated_days_before"], body["over_allocated_days_after"]) == (3, 0)
    assert (body["finish_before"], body["finish_after"]) == ("2027-01-08", "2027-01-13")
    assert (body["method"], body["applied"], body["unchanged_tasks"]) == ("heuristic", False, 1)
    assert (body["other_programs"], body["other_programs_hidden"]) == ([], 0)
    assert body["schedule_token"] and body["time_limit"] == 1.0
    plat = task(cast, setup.plat["id"])
    assert (plat["leveled_start"], plat["early_start"]) == (None, "2027-01-04")
    assert len(over_allocation_alerts(cast)) == 1


def test_applying_a_kept_preview_stores_what_it_showed(cast: Cast) -> None:
    setup = contest(cast)
    preview = cast.manager.post(url(cast, "level"), json={}).json()
    assert isinstance(preview["preview_id"], int)
    applied = cast.manager.post(
        url(cast, "level"), json={"apply": True, "preview_id": preview["preview_id"]}
    )
    assert applied.status_code == 200, applied.text
    body = applied.json()
    assert body["applied"] and body["moves"] == preview["moves"]
    assert body["preview_id"] == preview["preview_id"]
    assert task(cast, setup.plat["id"])["leveled_start"] == "2027-01-07"
    # kept previews are the program's own, and stale once the plan changed
    unknown = cast.manager.post(url(cast, "level"), json={"apply": True, "preview_id": 999999})
    assert_error(unknown, 404)
    again = cast.manager.post(
        url(cast, "level"), json={"apply": True, "preview_id": preview["preview_id"]}
    )
    assert_error(again, 409, "schedule_changed")  # applying it changed the plan


def test_work_of_another_program_on_a_shared_person_is_kept_free_and_not_named(
    cast: Cast, db: Session
) -> None:
    setup = contest(cast)
    ops_takes_ana_thursday_and_friday(db, setup)  # OPS: no one of the cast is a member
    body = cast.manager.post(url(cast, "level"), json={}).json()
    # Ana is busy for OPS on Thu 7 - Fri 8: PLAT-1 (5 d) waits for Mon 11, not Thu 7
    assert [(m["key"], m["start_after"], m["finish_after"]) for m in body["moves"]] == [
        ("PLAT-1", "2027-01-11", "2027-01-15")
    ]
    assert (body["over_allocated_days_before"], body["over_allocated_days_after"]) == (5, 0)
    assert (body["other_programs"], body["other_programs_hidden"]) == ([], 1)
    assert "OPS" not in str(body)


def test_apply_keeps_the_leveled_dates_resolves_the_alert_and_clear_brings_it_back(
    cast: Cast,
) -> None:
    setup = contest(cast)
    [alert] = over_allocation_alerts(cast)
    assert "Ana Lima" in alert["title"] + alert["message"]
    preview = cast.manager.post(url(cast, "level"), json={}).json()
    response = cast.manager.post(
        url(cast, "level"), json={"apply": True, "schedule_token": preview["schedule_token"]}
    )
    assert response.status_code == 200, response.text
    assert response.json()["applied"] is True
    assert response.json()["moves"] == preview["moves"]
    plat = task(cast, setup.plat["id"])
    assert (plat["leveled_start"], plat["early_start"], plat["early_finish"]) == (
        "2027-01-07",
        "2027-01-07",
        "2027-01-13",
    )
    assert task(cast, setup.sec["id"])["leveled_start"] is None
    assert over_allocation_alerts(cast) == []
    assert [a["id"] for a in over_allocation_alerts(cast, "resolved")] == [alert["id"]]
    load = cast.viewer.get(url(cast, "resource-load"), params={"period": "day"}).json()
    assert load["resources"][0]["over_allocated_days"] == 0

    cleared = cast.manager.post(url(cast, "level/clear"))
    assert cleared.status_code == 200, cleared.text
    assert cleared.json() == {
        "cleared": 1,
        "message": "removed 1 leveling hold: every task is back to its earliest start",
    }
    plat = task(cast, setup.plat["id"])
    assert (plat["leveled_start"], plat["early_start"]) == (None, "2027-01-04")
    assert len(over_allocation_alerts(cast)) == 1
    assert cast.manager.post(url(cast, "level/clear")).json() == {
        "cleared": 0,
        "message": "there were no leveling delays: nothing to clear",
    }


def test_the_optimal_method_with_weights(cast: Cast) -> None:
    setup = contest(cast)
    response = cast.manager.post(
        url(cast, "level"),
        json={"method": "optimal", "time_limit": 5, "weights": {"M1": 10, "plat": 1}},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["method"], body["optimal"], body["time_limit"]) == ("optimal", True, 5.0)
    assert [m["id"] for m in body["moves"]] == [setup.plat["id"]]
    assert body["over_allocated_days_after"] == 0


def test_a_program_without_assignments_has_nothing_to_level(cast: Cast) -> None:
    body = cast.manager.post(url(cast, "level"), json={"apply": True}).json()
    assert (body["status"], body["moves"], body["applied"]) == ("nothing to level", [], False)
    assert "no task" in body["message"]


def test_apply_after_the_plan_changed_is_409_and_writes_nothing(cast: Cast) -> None:
    setup = contest(cast)
    preview = cast.manager.post(url(cast, "level"), json={}).json()
    changed = cast.manager.patch(f"/api/v1/tasks/{setup.plat['id']}", json={"duration": 6})
    assert changed.status_code == 200, changed.text
    error = assert_error(
        cast.manager.post(
            url(cast, "level"), json={"apply": True, "schedule_token": preview["schedule_token"]}
        ),
        409,
        "schedule_changed",
    )
    assert error["details"]["expected"] == preview["schedule_token"]
    assert task(cast, setup.plat["id"])["leveled_start"] is None


def test_edits_that_move_nothing_leave_a_kept_preview_appliable(cast: Cast) -> None:
    """Notes, the work given on a duration-driven task, a resource's name or cost rate
    change neither the schedule nor the load: the preview still applies as shown."""
    setup = contest(cast)
    kept = cast.manager.post(url(cast, "level"), json={}).json()
    assignment = setup.assignments[0]["id"]
    for path, change in (
        (f"/api/v1/assignments/{assignment}", {"notes": "pairing with Bo"}),
        (f"/api/v1/assignments/{assignment}", {"work_hours": 12}),
        (f"/api/v1/resources/{setup.ana['id']}", {"name": "Ana L.", "cost_rate": 120}),
    ):
        changed = cast.manager.patch(path, json=change)
        assert changed.status_code == 200, changed.text
    applied = {"apply": True, "preview_id": kept["preview_id"]}
    response = cast.manager.post(url(cast, "level"), json=applied)
    assert response.status_code == 200, response.text
    assert task(cast, setup.plat["id"])["leveled_start"] is not None
    # new units do change the load: a preview made before them is stale
    again = cast.manager.post(url(cast, "level"), json={}).json()
    halved = cast.manager.patch(f"/api/v1/assignments/{assignment}", json={"units": 0.5})
    assert halved.status_code == 200, halved.text
    stale = {"apply": True, "preview_id": again["preview_id"]}
    assert_error(cast.manager.post(url(cast, "level"), json=stale), 409, "schedule_changed")


def test_a_preview_is_stale_once_another_program_books_or_moves_a_shared_person(
    cast: Cast, db: Session
) -> None:
    """Leveling kept other programs' work on Ana free as it was then: a new booking of
    her elsewhere, or a move of that work, must not be leveled around the old picture."""
    setup = contest(cast)
    before = cast.manager.post(url(cast, "level"), json={}).json()
    ops_takes_ana_thursday_and_friday(db, setup)
    for body in (
        {"apply": True, "preview_id": before["preview_id"]},
        {"apply": True, "schedule_token": before["schedule_token"]},
    ):
        assert_error(cast.manager.post(url(cast, "level"), json=body), 409, "schedule_changed")
    seen = cast.manager.post(url(cast, "level"), json={}).json()
    assert seen["schedule_token"] != before["schedule_token"]
    ops = db.scalar(select(Program).where(Program.key == "OPS"))
    assert ops is not None
    reschedule_program(db, ops.id)  # OPS's plan changes
    db.commit()
    stale = {"apply": True, "preview_id": seen["preview_id"]}
    assert_error(cast.manager.post(url(cast, "level"), json=stale), 409, "schedule_changed")
    assert task(cast, setup.plat["id"])["leveled_start"] is None
    fresh = cast.manager.post(url(cast, "level"), json={}).json()
    applied = {"apply": True, "preview_id": fresh["preview_id"]}
    assert cast.manager.post(url(cast, "level"), json=applied).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"time_limit": 0}, "time_limit"),
        ({"time_limit": 121}, "time_limit"),
        ({"time_limit": "soon"}, "time_limit"),
        ({"method": "genetic"}, "method"),
        ({"method": "optimal", "weights": {"NOPE": 3}}, "weights.NOPE"),
        ({"method": "optimal", "weights": {"M1": -1}}, "weights.M1"),
        ({"method": "optimal", "weights": {"M1": 1.5}}, "weights.M1"),
        ({"method": "optimal", "weights": {"M1": True}}, "weights.M1"),
        ({"method": "optimal", "weights": {"PLAT": False}}, "weights.PLAT"),
        ({"weights": {"M1": 3}}, "weights"),
        ({"apply": "yes please"}, "apply"),
        ({"schedule_token": "abc\x00"}, "schedule_token"),
        ({"priority": "speed"}, "priority"),
        ({"apply": True, "preview_id": 0}, "preview_id"),
        ({"apply": True, "preview_id": "latest"}, "preview_id"),
    ],
)
def test_invalid_leveling_requests_are_422_naming_the_field(
    cast: Cast, body: dict[str, Any], field: str
) -> None:
    contest(cast)
    error = assert_error(cast.manager.post(url(cast, "level"), json=body), 422)
    assert field in {d["field"] for d in error["details"]}, error


def test_malformed_json_is_400(cast: Cast) -> None:
    response = cast.manager.post(
        url(cast, "level"), content=b'{"apply": tru', headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "malformed_json")


def test_unknown_programs_are_404(cast: Cast) -> None:
    for tail in ("resource-load",):
        assert_error(cast.admin.get(f"/api/v1/programs/999999/{tail}"), 404, "not_found")
    for tail in ("level", "level/clear"):
        assert_error(cast.admin.post(f"/api/v1/programs/999999/{tail}", json={}), 404)


# --- holds and effort on the task API ----------------------------------------------------


def test_a_manager_sets_and_clears_a_leveling_hold_on_a_task(cast: Cast) -> None:
    setup = contest(cast)
    task_url = f"/api/v1/tasks/{setup.plat['id']}"
    held = cast.manager.patch(task_url, json={"leveled_start": "2027-01-11"})
    assert held.status_code == 200, held.text
    assert (held.json()["leveled_start"], held.json()["early_start"]) == (
        "2027-01-11",
        "2027-01-11",
    )
    error = assert_error(cast.member.patch(task_url, json={"leveled_start": None}), 403)
    assert "leveled_start" in error["message"]
    cleared = cast.manager.patch(task_url, json={"leveled_start": None})
    assert (cleared.json()["leveled_start"], cleared.json()["early_start"]) == (
        None,
        "2027-01-04",
    )


# --- who may read the load and level -------------------------------------------------------

READERS = {"owner", "manager", "member", "viewer", "admin"}
LEVELERS = {"owner", "manager", "admin"}


@pytest.mark.parametrize("role", ROLES)
def test_everyone_in_the_program_reads_its_resource_load(cast: Cast, role: str) -> None:
    contest(cast)
    response = cast.by_role(role).get(url(cast, "resource-load"))
    if role in READERS:
        assert response.status_code == 200, response.text
    else:
        assert_error(response, 404, "not_found")


@pytest.mark.parametrize("role", ROLES)
def test_managers_owners_and_admins_level_and_clear(cast: Cast, role: str) -> None:
    setup: Contest = contest(cast)
    api = cast.by_role(role)
    responses = [
        api.post(url(cast, "level"), json={}),
        api.post(url(cast, "level"), json={"apply": True}),
        api.post(url(cast, "level/clear")),
    ]
    if role in LEVELERS:
        assert [r.status_code for r in responses] == [200, 200, 200], responses[-1].text
        assert responses[-1].json()["cleared"] == 1
    else:
        for response in responses:
            assert_error(response, 404 if role == "outsider" else 403)
        assert task(cast, setup.plat["id"])["leveled_start"] is None

"""Leveling through the API says what it did and why: the resource that held each task,
the over-allocations it leaves, delays in one calendar, why an apply is refused; and it
refuses contradictory requests and closed programs."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import Cast, link, post_created
from tests.api.test_leveling_api import ops_takes_ana_thursday_and_friday, url
from tests.api.test_resources import contest, create
from tests.factories import assert_error


def preview(cast: Cast, **body: Any) -> dict[str, Any]:
    response = cast.manager.post(url(cast, "level"), json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


# --- contradictory requests --------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "fields"),
    [
        ({}, {"preview_id"}),  # without apply: it would have run a new preview
        ({"apply": True, "method": "optimal"}, {"method"}),
        ({"apply": True, "method": "heuristic"}, {"method"}),
        ({"apply": True, "time_limit": 3}, {"time_limit"}),
        ({"apply": True, "weights": {"M1": 2}}, {"weights"}),
        ({"apply": True, "schedule_token": "abc"}, {"schedule_token"}),
        ({"apply": True, "method": "optimal", "time_limit": 3}, {"method", "time_limit"}),
    ],
)
def test_a_preview_id_goes_with_apply_and_nothing_a_new_run_would_use(
    cast: Cast, extra: dict[str, Any], fields: set[str]
) -> None:
    contest(cast)
    kept = preview(cast)["preview_id"]
    error = assert_error(
        cast.manager.post(url(cast, "level"), json={"preview_id": kept, **extra}), 422
    )
    assert {d["field"] for d in error["details"]} == fields, error
    # nothing was applied, and no new preview was kept in its place
    again = cast.manager.post(url(cast, "level"), json={"apply": True, "preview_id": kept})
    assert again.status_code == 200, again.text


# --- why an apply is refused -----------------------------------------------------------------


def test_applying_a_preview_twice_says_it_was_already_applied_and_by_whom(cast: Cast) -> None:
    contest(cast)
    kept = preview(cast)["preview_id"]
    body = {"apply": True, "preview_id": kept}
    assert cast.manager.post(url(cast, "level"), json=body).status_code == 200
    error = assert_error(cast.owner.post(url(cast, "level"), json=body), 409, "schedule_changed")
    assert (
        f"leveling preview {kept} was already applied (by manager@example.com, "
        in (error["message"])
    )
    assert error["details"]["reason"] == "already_applied"
    assert error["details"]["applied_by"] == "manager@example.com"


def test_a_preview_made_stale_by_another_apply_names_that_apply(cast: Cast) -> None:
    contest(cast)
    first = preview(cast)["preview_id"]
    second = preview(cast, method="optimal", time_limit=3, weights={"PLAT": 10})["preview_id"]
    applied = {"apply": True, "preview_id": first}
    assert cast.manager.post(url(cast, "level"), json=applied).status_code == 200
    stale = {"apply": True, "preview_id": second}
    error = assert_error(cast.owner.post(url(cast, "level"), json=stale), 409, "schedule_changed")
    assert (
        f"leveling preview {first} was applied since (by manager@example.com, "
        in (error["message"])
    )
    assert error["details"]["reason"] == "plan_changed"


def test_a_preview_made_stale_by_an_edit_names_the_latest_change(cast: Cast) -> None:
    setup = contest(cast)
    kept = preview(cast)["preview_id"]
    edited = cast.manager.patch(f"/api/v1/tasks/{setup.plat['id']}", json={"duration": 6})
    assert edited.status_code == 200, edited.text
    stale = {"apply": True, "preview_id": kept}
    error = assert_error(cast.owner.post(url(cast, "level"), json=stale), 409, "schedule_changed")
    assert (
        "the plan changed since this leveling was previewed (latest change: update of "
        in (error["message"])
    )
    assert "by manager@example.com" in error["message"]


def test_a_preview_made_stale_by_a_persons_capacity_time_off_or_calendar_names_it(
    cast: Cast,
) -> None:
    setup = contest(cast)
    calendar = post_created(
        cast.admin, "/api/v1/calendars", {"name": "Ana's days", "workdays": ["Mon", "Tue"]}
    )
    ana = f"/api/v1/resources/{setup.ana['id']}"
    for who, path, change, said in (
        (cast.manager, ana, {"capacity": 2}, "capacity of Ana Lima changed from 1 to 2"),
        (
            cast.manager,
            ana,
            {"time_off": [{"start": "2027-01-05", "finish": "2027-01-05"}]},
            "time off of Ana Lima changed",
        ),
        (cast.manager, ana, {"calendar_id": calendar["id"]}, "calendar of Ana Lima changed"),
        (
            cast.admin,
            f"/api/v1/calendars/{calendar['id']}",
            {"holidays": [{"date": "2027-01-11", "name": "Off"}]},
            'holidays of the calendar "Ana\'s days" changed',
        ),
    ):
        kept = preview(cast)["preview_id"]
        changed = who.patch(path, json=change)
        assert changed.status_code == 200, changed.text
        stale = {"apply": True, "preview_id": kept}
        error = assert_error(cast.owner.post(url(cast, "level"), json=stale), 409)
        assert error["details"]["reason"] == "plan_changed"
        assert (
            f"the plan changed since this leveling was previewed (latest change: {said} by "
            f"{who.user.email}, " in error["message"]
        ), error["message"]


def test_a_preview_made_stale_by_another_program_says_so_without_naming_a_hidden_one(
    cast: Cast,
) -> None:
    setup = contest(cast)
    kept = preview(cast)
    ops_takes_ana_thursday_and_friday(cast.db, setup)  # OPS: the manager is not a member
    for body in (
        {"apply": True, "preview_id": kept["preview_id"]},
        {"apply": True, "schedule_token": kept["schedule_token"]},
    ):
        error = assert_error(cast.manager.post(url(cast, "level"), json=body), 409)
        assert error["message"].startswith(
            "the plan of a program you cannot see, which shares people with this program, "
            "changed since this leveling was previewed"
        ), error["message"]
        assert error["details"]["reason"] == "other_program" and "OPS" not in str(error)


# --- a closed program ------------------------------------------------------------------------


def test_a_closed_program_is_not_leveled_even_as_a_preview(cast: Cast) -> None:
    contest(cast)
    closed = cast.owner.post(f"/api/v1/programs/{cast.program.id}/close", json={})
    assert closed.status_code == 200, closed.text
    error = assert_error(cast.manager.post(url(cast, "level"), json={}), 409, "program_closed")
    assert "is closed" in error["message"]


# --- why tasks move, what stays over capacity -------------------------------------------------


def test_a_move_names_the_resource_that_held_it_and_what_only_follows(cast: Cast) -> None:
    setup = contest(cast)
    plat_project = cast.manager.get(f"/api/v1/tasks/{setup.plat['id']}").json()["project_id"]
    sec_project = cast.manager.get(f"/api/v1/tasks/{setup.sec['id']}").json()["project_id"]
    # PLAT-1 waits for Ana (SEC-1 and Review lead to M1, whose target is Fri 8), and
    # Rollout after it only follows
    rollout, review = (
        post_created(
            cast.manager, "/api/v1/tasks", {"project_id": project, "name": name, "duration": 1}
        )
        for project, name in ((plat_project, "Rollout"), (sec_project, "Review"))
    )
    link(cast.manager, ("task", setup.plat["id"]), ("task", rollout["id"]))
    link(cast.manager, ("task", setup.sec["id"]), ("task", review["id"]))
    body = preview(cast)
    why = {
        m["id"]: (m["held_by"], m["after_moved_predecessor"], m["finish_delay_days"], m["why"])
        for m in body["moves"]
    }
    assert why == {
        setup.plat["id"]: ([{"key": "ana", "name": "Ana Lima"}], False, 3, "waits for Ana Lima"),
        rollout["id"]: ([], True, 3, "follows a moved predecessor"),
    }
    assert body["milestones"] == []
    assert body["remaining"] == []


def test_a_task_moved_earlier_by_a_re_leveling_says_room_was_found_sooner(cast: Cast) -> None:
    setup = contest(cast)
    applied = cast.manager.post(url(cast, "level"), json={"apply": True})
    assert applied.status_code == 200, applied.text
    # PLAT-1 is held to Thu 7, after SEC-1 (Mon 4 - Wed 6): SEC-1 now takes one day
    shorter = cast.manager.patch(f"/api/v1/tasks/{setup.sec['id']}", json={"duration": 1})
    assert shorter.status_code == 200, shorter.text
    [move] = preview(cast)["moves"]
    assert (move["id"], move["start_before"], move["start_after"]) == (
        setup.plat["id"],
        "2027-01-07",
        "2027-01-05",
    )
    assert (move["finish_delay_days"], move["leveling_delay_days"]) == (-2, 1)
    assert move["why"] == "room found sooner; still waits for Ana Lima"
    # without SEC-1's claim on Ana, PLAT-1 goes back to where its predecessors put it
    ana_on_sec = setup.assignments[1]["id"]
    gone = cast.manager.delete(f"/api/v1/assignments/{ana_on_sec}")
    assert gone.status_code == 204, gone.text
    [move] = preview(cast)["moves"]
    assert (move["start_after"], move["finish_delay_days"]) == ("2027-01-04", -3)
    assert move["why"] == "room found sooner: no longer delayed by leveling"


def test_the_preview_lists_the_over_allocations_it_leaves_and_why(cast: Cast) -> None:
    setup = contest(cast)
    for t in (setup.plat, setup.sec):  # both under way: neither may move
        started = cast.manager.patch(
            f"/api/v1/tasks/{t['id']}", json={"actual_start": "2027-01-04", "percent_complete": 10}
        )
        assert started.status_code == 200, started.text
    body = preview(cast)
    assert body["moves"] == [] and body["over_allocated_days_after"] == 3
    [left] = body["remaining"]
    assert {k: left[k] for k in ("resource", "start", "finish", "days")} == {
        "resource": {"key": "ana", "name": "Ana Lima"},
        "start": "2027-01-04",
        "finish": "2027-01-06",
        "days": 3,
    }
    assert sorted((t["key"], t["why"]) for t in left["tasks"]) == [
        ("PLAT-1", "started"),
        ("SEC-1", "started"),
    ]
    assert left["hidden_tasks"] == 0


def test_work_of_a_hidden_program_left_over_capacity_is_counted_not_named(cast: Cast) -> None:
    setup = contest(cast)
    started = cast.manager.patch(
        f"/api/v1/tasks/{setup.sec['id']}",
        json={"actual_start": "2027-01-04", "percent_complete": 10, "duration": 5},
    )
    assert started.status_code == 200, started.text
    ops_takes_ana_thursday_and_friday(cast.db, setup)  # OPS: Ana on Thu 7 - Fri 8
    body = preview(cast)
    # SEC-1 (started) and OPS's RUN-1 both have Ana on Thu 7 - Fri 8: neither may move
    [left] = body["remaining"]
    assert (left["start"], left["finish"], left["days"]) == ("2027-01-07", "2027-01-08", 2)
    assert [(t["key"], t["why"]) for t in left["tasks"]] == [("SEC-1", "started")]
    assert left["hidden_tasks"] == 1 and "RUN-1" not in str(body)


def test_delays_count_working_days_of_the_program_calendar_for_every_task(cast: Cast) -> None:
    setup = contest(cast)
    off = cast.manager.patch(
        f"/api/v1/resources/{setup.ana['id']}",
        json={"time_off": [{"start": "2027-01-11", "finish": "2027-01-11"}]},
    )
    assert off.status_code == 200, off.text
    m2 = post_created(
        cast.manager,
        "/api/v1/milestones",
        {"program_id": cast.program.id, "key": "M2", "name": "Pilot done"},
    )
    link(cast.manager, ("task", setup.plat["id"]), ("milestone", m2["id"]))
    body = preview(cast)
    [plat] = body["moves"]
    [milestone] = body["milestones"]
    # PLAT-1 works Thu 7, Fri 8, then Tue 12 - Thu 14 (Ana is off Mon 11): it and M2 both
    # move from Fri 8 to Thu 14, four working days of the program's calendar
    assert (plat["finish_before"], plat["finish_after"]) == ("2027-01-08", "2027-01-14")
    assert (milestone["finish_before"], milestone["finish_after"]) == (
        "2027-01-08",
        "2027-01-14",
    )
    assert plat["finish_delay_days"] == milestone["finish_delay_days"] == 4
    assert plat["leveling_delay_days"] == milestone["leveling_delay_days"] == 4
    assert (milestone["type"], milestone["after_moved_predecessor"]) == ("milestone", True)


# --- why the optimal method proved nothing ----------------------------------------------------


def test_an_optimal_run_on_several_calendars_says_why_it_is_not_proven(
    cast: Cast, browser_as: Any
) -> None:
    setup = contest(cast)
    for key, off in (("ana", "2027-01-06"), ("bob", "2027-01-07")):
        calendar = post_created(
            cast.admin,
            "/api/v1/calendars",
            {"name": f"{key} days", "workdays": ["Mon", "Tue", "Wed", "Thu", "Fri"],
             "holidays": [{"date": off, "name": "off"}]},
        )  # fmt: skip
        if key == "ana":
            changed = cast.manager.patch(
                f"/api/v1/resources/{setup.ana['id']}", json={"calendar_id": calendar["id"]}
            )
            assert changed.status_code == 200, changed.text
        else:  # Bob shares SEC-1: Ana's tasks are on two calendars, hers and hers with Bob's
            bob = create(cast.manager, key="bob", name="Bob", calendar_id=calendar["id"])
            post_created(
                cast.manager,
                "/api/v1/assignments",
                {"task_id": setup.sec["id"], "resource_id": bob["id"]},
            )
    body = preview(cast, method="optimal", time_limit=5)
    assert (body["optimal"], body["status"].partition(" (")[0]) == (False, "feasible")
    assert body["message"].startswith(
        "not proven optimal: a person works on tasks with different calendars"
    ), body
    page = browser_as("manager@example.com").post(
        f"/programs/{cast.program.id}/resources/level", {"method": "optimal", "time_limit": "5"}
    )
    assert page.status_code == 200, page.text
    assert "(not proven optimal)" in page.text
    assert "Not proven optimal: a person works on tasks with different calendars" in page.text

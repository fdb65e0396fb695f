"""What a new program start, status date or default calendar would move, asked before saving.

The network of ``tests/api/conftest.py`` (program start Monday 2027-01-04, Mon–Fri):
PLAT-1 (10 d) → TRAIN-1 (5 d) → M1 (target Fri 22 Jan); SEC-1 (3 d) → M1. By hand:
PLAT-1 runs 4–15 Jan, TRAIN-1 18–22 Jan, M1 on 22 Jan. Starting a week later (Mon 11
Jan) moves every task five working days: PLAT-1 11–22 Jan, TRAIN-1 25–29 Jan, SEC-1
11–13 Jan, and M1 misses its target by five working days.
"""

from __future__ import annotations

import pytest

from tests.api.conftest import Cast, Net
from tests.factories import assert_error


def _url(cast: Cast) -> str:
    return f"/api/v1/programs/{cast.program.id}/settings/impact"


def _moves(impact: dict) -> dict[str, tuple[str, int]]:
    return {
        m["activity"]["key"]: (m["early_finish_after"], m["finish_delta"])
        for group in impact["by_project"]
        for m in group["moves"]
    }


def test_a_later_start_moves_every_project_and_misses_the_target_nothing_saved(
    cast: Cast, net: Net
) -> None:
    response = cast.viewer.post(_url(cast), json={"start_date": "2027-01-11"})
    assert response.status_code == 200, response.text
    impact = response.json()
    assert (impact["finish_before"], impact["finish_after"], impact["finish_delta"]) == (
        "2027-01-22",
        "2027-01-29",
        5,
    )
    assert impact["projects_affected"] == ["PLAT", "SEC", "TRAIN"]
    assert _moves(impact) == {
        net.plat["key"]: ("2027-01-22", 5),
        net.train["key"]: ("2027-01-29", 5),
        net.sec["key"]: ("2027-01-13", 5),
    }
    (miss,) = impact["misses"]
    assert (miss["activity"]["key"], miss["kind"], miss["is_new"], miss["days_late_after"]) == (
        "M1",
        "target",
        True,
        5,
    )
    program = cast.viewer.get(f"/api/v1/programs/{cast.program.id}").json()
    assert (program["start_date"], program["scheduled_finish"]) == ("2027-01-04", "2027-01-22")
    assert program["version"] == cast.program.version


def test_moving_the_status_date_on_and_clearing_it(cast: Cast, net: Net) -> None:
    # nothing has started: work left cannot start before the status date
    later = cast.viewer.post(_url(cast), json={"status_date": "2027-01-11"}).json()
    assert (later["finish_after"], later["finish_delta"]) == ("2027-01-29", 5)
    program_url = f"/api/v1/programs/{cast.program.id}"
    assert cast.owner.patch(program_url, json={"status_date": "2027-01-11"}).status_code == 200
    # given as null, the status date is cleared: the plan runs from its start again
    cleared = cast.viewer.post(_url(cast), json={"status_date": None}).json()
    assert (cleared["finish_before"], cleared["finish_after"], cleared["finish_delta"]) == (
        "2027-01-29",
        "2027-01-22",
        -5,
    )
    assert cleared["misses"] == []
    # the same date again moves nothing
    same = cast.viewer.post(_url(cast), json={"status_date": "2027-01-11"}).json()
    assert (same["finish_delta"], same["by_project"], same["milestones"]) == (0, [], [])


def test_a_start_inside_the_float_of_a_task_moves_only_what_it_must(cast: Cast, net: Net) -> None:
    # a start one day earlier (Fri 1 Jan): everything starts a working day sooner
    impact = cast.viewer.post(_url(cast), json={"start_date": "2027-01-01"}).json()
    assert impact["finish_delta"] == -1 and impact["misses"] == []
    assert _moves(impact)[net.train["key"]] == ("2027-01-21", -1)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "start_date"),
        ({"start_date": None}, "start_date"),
        ({"start_date": "next week"}, "start_date"),
        ({"status_date": "2027-02-30"}, "status_date"),
        ({"name": "Renamed"}, "name"),
    ],
)
def test_a_question_that_cannot_be_answered_is_422_naming_the_field(
    cast: Cast, net: Net, body: dict, field: str
) -> None:
    error = assert_error(cast.viewer.post(_url(cast), json=body), 422)
    assert field in str(error["details"])


@pytest.mark.parametrize(("role", "expected"), [("owner", 200), ("viewer", 200), ("outsider", 404)])
def test_anyone_in_the_program_may_ask(cast: Cast, net: Net, role: str, expected: int) -> None:
    response = cast.by_role(role).post(_url(cast), json={"start_date": "2027-01-11"})
    assert response.status_code == expected, response.text
    assert_error(
        cast.viewer.post(
            "/api/v1/programs/999999/settings/impact", json={"start_date": "2027-01-11"}
        ),
        404,
        "not_found",
    )


# --- a new default calendar -----------------------------------------------------------
#
# The program works to "Office" (Mon–Fri, as before); SEC's project has "Office" too, of
# its own. A four-day week (Mon–Thu) as the program's calendar moves the work that
# follows the program's calendar, by hand: PLAT-1 (10 d) 4–7, 11–14, 18–19 Jan, finishing
# Tue 19 Jan (2 working days of Mon–Fri later than Fri 15); TRAIN-1 (5 d) 20–21, 25–27
# Jan, finishing Wed 27 Jan (3 later than Fri 22); M1 on 27 Jan, 3 working days past its
# target. SEC-1 keeps 4–6 Jan: its project's own calendar is not the program's.


def _calendar(cast: Cast, name: str, workdays: list[str]) -> dict:
    response = cast.manager.post("/api/v1/calendars", json={"name": name, "workdays": workdays})
    assert response.status_code == 201, response.text
    created: dict = response.json()
    return created


def test_a_new_default_calendar_moves_the_work_that_follows_it_nothing_saved(
    cast: Cast, net: Net
) -> None:
    office = _calendar(cast, "Office", ["Mon", "Tue", "Wed", "Thu", "Fri"])
    short = _calendar(cast, "Four-day week", ["Mon", "Tue", "Wed", "Thu"])
    saved = cast.owner.patch(
        f"/api/v1/programs/{cast.program.id}", json={"calendar_id": office["id"]}
    )
    assert saved.status_code == 200, saved.text
    sec_project = cast.viewer.get(f"/api/v1/tasks/{net.sec['id']}").json()["project_id"]
    put = cast.manager.patch(f"/api/v1/projects/{sec_project}", json={"calendar_id": office["id"]})
    assert put.status_code == 200, put.text
    program = cast.viewer.get(f"/api/v1/programs/{cast.program.id}").json()

    response = cast.viewer.post(_url(cast), json={"calendar_id": short["id"]})
    assert response.status_code == 200, response.text
    impact = response.json()
    assert (impact["finish_before"], impact["finish_after"], impact["finish_delta"]) == (
        "2027-01-22",
        "2027-01-27",
        3,
    )
    assert _moves(impact) == {
        net.plat["key"]: ("2027-01-19", 2),
        net.train["key"]: ("2027-01-27", 3),
    }
    (miss,) = impact["misses"]
    assert (miss["activity"]["key"], miss["days_late_after"]) == ("M1", 3)
    after = cast.viewer.get(f"/api/v1/programs/{cast.program.id}").json()
    assert (after["calendar_id"], after["version"]) == (office["id"], program["version"])

    # back to the built-in Monday–Friday: the same days, so nothing moves
    same = cast.viewer.post(_url(cast), json={"calendar_id": None}).json()
    assert (same["finish_delta"], same["by_project"]) == (0, [])
    # with a later start as well: both at once
    both = cast.viewer.post(
        _url(cast), json={"calendar_id": short["id"], "start_date": "2027-01-11"}
    ).json()
    assert _moves(both)[net.sec["key"]] == ("2027-01-13", 5)  # the start moves SEC only
    assert _moves(both)[net.plat["key"]][0] == "2027-01-26"  # 11–14, 18–21, 25–26 Jan


def test_an_unknown_calendar_is_refused_on_its_field(cast: Cast, net: Net) -> None:
    error = assert_error(cast.viewer.post(_url(cast), json={"calendar_id": 999999}), 422)
    assert "calendar_id" in str(error["details"])
    error = assert_error(cast.viewer.post(_url(cast), json={"calendar_id": None}), 422)
    assert "give a new" in error["message"]  # the program has no calendar of its own

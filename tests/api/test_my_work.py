"""A person's work through the API: the tasks assigned to them, by how they stand.

The network of ``tests/api/conftest.py`` (Mon–Fri): PLAT-1 runs 4–15 January 2027,
TRAIN-1 18–22 January, SEC-1 4–6 January. The member is assigned to PLAT-1 and
SEC-1. On Monday 11 January SEC-1 should have finished (late) and PLAT-1 should
have started (it is due within the fortnight, so it is "next", flagged).
"""

from __future__ import annotations

import pytest

from tests.api.conftest import Cast, Net, post_created
from tests.factories import assert_error

URL = "/api/v1/users/me/tasks"


def _assigned(cast: Cast, net: Net) -> None:
    cast.assign_member(net.plat["id"])
    cast.assign_member(net.sec["id"])


def _states(body: dict) -> list[tuple[str, str]]:
    return [(item["key"], item["state"]) for item in body["items"]]


def test_the_members_tasks_are_sorted_by_how_they_stand_on_a_day(cast: Cast, net: Net) -> None:
    _assigned(cast, net)
    response = cast.member.get(URL, params={"on": "2027-01-11"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["email"] == "member@example.com" and body["on"] == "2027-01-11"
    assert _states(body) == [(net.sec["key"], "late"), (net.plat["key"], "next")]
    assert body["counts"] == {"late": 1, "in_progress": 0, "next": 1, "later": 0, "finished": 0}
    sec, plat = body["items"]
    assert (sec["program_key"], sec["project_key"], sec["early_finish"]) == (
        cast.program.key,
        "SEC",
        "2027-01-06",
    )
    assert plat["should_have_started"] and sec["should_have_started"]
    assert (plat["role"], plat["can_report"], plat["units"], plat["is_critical"]) == (
        "member",
        True,
        1.0,
        True,
    )
    assert plat["version"] == net.plat["version"]
    # a month before, both are further out than a fortnight
    early = cast.member.get(URL, params={"on": "2026-12-01"}).json()
    assert _states(early) == [(net.sec["key"], "later"), (net.plat["key"], "later")]


def test_reported_progress_moves_a_task_on_and_old_finished_work_drops_out(
    cast: Cast, net: Net
) -> None:
    _assigned(cast, net)
    task_url = f"/api/v1/tasks/{net.plat['id']}"
    started = cast.member.patch(
        task_url,
        json={"actual_start": "2027-01-04", "percent_complete": 40},
        headers={"If-Match": f'"{net.plat["version"]}"'},
    )
    assert started.status_code == 200, started.text
    sec_url = f"/api/v1/tasks/{net.sec['id']}"
    finished = cast.member.patch(
        sec_url, json={"actual_start": "2027-01-04", "actual_finish": "2027-01-08"}
    )
    assert finished.status_code == 200, finished.text
    body = cast.member.get(URL, params={"on": "2027-01-11"}).json()
    assert _states(body) == [(net.plat["key"], "in_progress"), (net.sec["key"], "finished")]
    assert body["items"][0]["percent_complete"] == 40
    # finished more than a fortnight before the day: no longer listed
    later = cast.member.get(URL, params={"on": "2027-01-25"}).json()
    assert [item["key"] for item in later["items"]] == [net.plat["key"]]
    assert later["items"][0]["state"] == "late"  # its finish, 15 January, is past


def test_a_scenarios_copy_and_other_peoples_tasks_are_not_listed(cast: Cast, net: Net) -> None:
    _assigned(cast, net)
    post_created(
        cast.manager,
        f"/api/v1/programs/{cast.program.id}/scenarios",
        {"name": "Slip the pilot"},
    )
    body = cast.member.get(URL, params={"on": "2027-01-11"}).json()
    assert sorted(item["key"] for item in body["items"]) == sorted(
        [net.plat["key"], net.sec["key"]]
    )
    assert {item["program_id"] for item in body["items"]} == {cast.program.id}
    # the viewer has no task of their own
    nothing = cast.viewer.get(URL).json()
    assert nothing["items"] == [] and set(nothing["counts"].values()) == {0}


@pytest.mark.parametrize(("role", "expected"), [("admin", 200), ("member", 200), ("owner", 403)])
def test_only_admins_see_another_persons_work(
    cast: Cast, net: Net, role: str, expected: int
) -> None:
    _assigned(cast, net)
    member_id = cast.member.get("/api/v1/users/me").json()["id"]
    response = cast.by_role(role).get(f"/api/v1/users/{member_id}/tasks")
    if expected == 200:
        assert len(response.json()["items"]) == 2
    else:
        assert_error(response, expected, "forbidden")


def test_bad_input_is_a_json_error(cast: Cast, net: Net) -> None:
    assert_error(cast.member.get(URL, params={"on": "someday"}), 422)
    assert_error(cast.admin.get("/api/v1/users/999999/tasks"), 404, "not_found")
    assert_error(cast.admin.get("/api/v1/users/x/tasks"), 422)

"""A scenario's copy follows the live program's settings (start, status date, calendar,
goal, currency) when they change after the copy, and is rescheduled with them: an
unedited scenario then still compares as no change at all."""

from __future__ import annotations

from tests.api.conftest import Cast, Net, post_created
from tests.factories import assert_error

FOLLOWED = ("start_date", "status_date", "calendar_id", "currency", "goal")


def test_the_copy_takes_the_live_programs_new_settings_and_moves_with_them(
    cast: Cast, net: Net
) -> None:
    live_url = f"/api/v1/programs/{cast.program.id}"
    untouched = post_created(cast.manager, f"{live_url}/scenarios", {"name": "As it is"})
    edited = post_created(cast.manager, f"{live_url}/scenarios", {"name": "Longer pilot"})
    gone = post_created(cast.manager, f"{live_url}/scenarios", {"name": "Given up"})
    assert cast.manager.post(f"/api/v1/scenarios/{gone['id']}/discard").status_code == 200
    tasks = cast.manager.get(
        "/api/v1/tasks", params={"program_id": edited["copy_program_id"]}
    ).json()["items"]
    pilot = next(t for t in tasks if t["key"] == net.plat["key"])
    assert cast.manager.patch(f"/api/v1/tasks/{pilot['id']}", json={"duration": 15}).is_success
    before = cast.viewer.get(f"/api/v1/scenarios/{edited['id']}/compare").json()

    four_days = post_created(
        cast.admin,
        "/api/v1/calendars",
        {"name": "Four days", "workdays": ["Mon", "Tue", "Wed", "Thu"]},
    )
    settings = {
        "start_date": "2027-01-11",
        "status_date": "2027-01-13",
        "calendar_id": four_days["id"],
        "currency": "EUR",
        "goal": {"outcome": "All clients in the cloud", "measure": "tickets", "unit": "per week",
                 "baseline_value": 120, "target_value": 80, "target_date": "2027-12-17"},
    }  # fmt: skip
    response = cast.owner.patch(live_url, json=settings)
    assert response.status_code == 200, response.text
    live = cast.viewer.get(live_url).json()

    for scenario in (untouched, edited):
        copy_url = f"/api/v1/programs/{scenario['copy_program_id']}"
        copy = cast.viewer.get(copy_url).json()
        assert {f: copy[f] for f in FOLLOWED} == {f: live[f] for f in FOLLOWED}, scenario["name"]
        # still the live program's to change, not the copy's
        assert_error(cast.owner.patch(copy_url, json={"status_date": None}), 409, "scenario_copy")

    copy = cast.viewer.get(f"/api/v1/programs/{untouched['copy_program_id']}").json()
    assert (copy["scheduled_start"], copy["scheduled_finish"]) == (
        live["scheduled_start"],
        live["scheduled_finish"],
    )
    same = cast.viewer.get(f"/api/v1/scenarios/{untouched['id']}/compare").json()
    finish = same["program"]["finish"]
    assert finish["slip"] == 0 and finish["live"] == finish["scenario"]
    assert [m["slip"] for m in same["milestones"]] == [0]
    assert [p["live"] == p["scenario"] for p in same["projects"]] == [True] * 3
    assert same["scope"]["tasks_moved"] == [] and same["scope"]["tasks_changed"] == []

    # a scenario's own edit still shows, measured from the new settings
    after = cast.viewer.get(f"/api/v1/scenarios/{edited['id']}/compare").json()
    assert after["program"]["finish"]["live"] != before["program"]["finish"]["live"]
    assert after["program"]["finish"]["slip"] == before["program"]["finish"]["slip"] == 5
    assert [(t["key"], t["fields"]) for t in after["scope"]["tasks_changed"]] == [
        (net.plat["key"], {"duration": [10, 15]})
    ]
    assert [t["key"] for t in after["scope"]["tasks_moved"]] == [
        t["key"] for t in before["scope"]["tasks_moved"]
    ]
    applied = cast.manager.post(f"/api/v1/scenarios/{untouched['id']}/apply")
    assert applied.status_code == 200, applied.text
    assert applied.json()["outcome"]["applied"] == {"created": {}, "updated": {}, "deleted": {}}

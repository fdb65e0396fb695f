"""Calendar feeds: a secret URL per program or person, valid iCalendar, stable UIDs, revocable."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
from sqlalchemy import update

from podium.models import Milestone
from tests.api.conftest import Cast, Net
from tests.factories import assert_error

pytestmark = pytest.mark.db


def _feed(cast: Cast, who: str = "viewer") -> dict:
    response = cast.by_role(who).post(f"/api/v1/programs/{cast.program.id}/feeds")
    assert response.status_code == 201, response.text
    return response.json()


def _calendar(cast: Cast, url: str) -> icalendar.Calendar:
    response = cast.viewer.client.get(url.removeprefix("http://testserver"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def _events(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(e["uid"]): e for e in calendar.walk("VEVENT")}


def _deadline_and_review(cast: Cast, net: Net) -> date:
    response = cast.manager.patch(f"/api/v1/tasks/{net.sec['id']}", json={"deadline": "2027-01-15"})
    assert response.status_code == 200, response.text
    first = datetime.now(UTC).date() + timedelta(days=7)
    response = cast.manager.post(
        f"/api/v1/programs/{cast.program.id}/reviews",
        json={
            "name": "Steering committee",
            "frequency": "biweekly",
            "first_date": first.isoformat(),
            "time_of_day": "09:30",
            "duration_minutes": 90,
        },
    )
    assert response.status_code == 201, response.text
    return first


def test_a_program_feed_is_valid_icalendar_with_milestones_deadlines_and_reviews(
    cast: Cast, net: Net
) -> None:
    first_review = _deadline_and_review(cast, net)
    # milestones no work leads to yet: no forecast, so one stands on its target, one is left out
    unfed = {}
    for name, target in (("Board sign-off", "2027-03-01"), ("Someday", None)):
        made = cast.manager.post(
            "/api/v1/milestones",
            json={"program_id": cast.program.id, "name": name, "target_date": target},
        )
        assert made.status_code == 201, made.text
        unfed[name] = made.json()["id"]
    created = _feed(cast)
    assert created["url"].startswith("http://testserver/feeds/") and created["kind"] == "program"
    calendar = _calendar(cast, created["url"])
    assert calendar["version"] == "2.0" and calendar["prodid"]
    events = _events(calendar)

    m1 = events[f"milestone-{net.m1['id']}@podium"]
    assert m1.decoded("dtstart") == date(2027, 1, 22)
    assert m1.decoded("dtend") == date(2027, 1, 23)
    assert "Target: 2027-01-22" in str(m1["description"])
    assert isinstance(m1.decoded("dtstamp"), datetime)

    sign_off = events[f"milestone-{unfed['Board sign-off']}@podium"]
    assert sign_off.decoded("dtstart") == date(2027, 3, 1)
    assert "No forecast yet" in str(sign_off["description"])
    assert f"milestone-{unfed['Someday']}@podium" not in events

    deadline = events[f"deadline-{net.sec['id']}@podium"]
    assert deadline.decoded("dtstart") == date(2027, 1, 15)

    reviews = sorted(
        (e for uid, e in events.items() if uid.startswith("review-")),
        key=lambda e: e.decoded("dtstart"),
    )
    assert len(reviews) == 26
    start = reviews[0].decoded("dtstart")
    assert start.date() == first_review
    assert (start.hour, start.minute) == (9, 30)
    assert reviews[0].decoded("dtend") - start == timedelta(minutes=90)
    assert reviews[1].decoded("dtstart") - start == timedelta(days=14)
    # a meeting called off leaves the feed (a subscribed calendar drops it)
    (review,) = cast.viewer.get(f"/api/v1/programs/{cast.program.id}/reviews").json()["items"]
    second = (first_review + timedelta(days=14)).isoformat()
    skipped = cast.manager.post(
        f"/api/v1/reviews/{review['id']}/skipped-dates", json={"date": second}
    )
    assert skipped.status_code == 200, skipped.text
    left = sorted(
        e.decoded("dtstart")
        for uid, e in _events(_calendar(cast, created["url"])).items()
        if uid.startswith("review-")
    )
    assert len(left) == 25 and left[1] - left[0] == timedelta(days=28)


def test_uids_stay_when_a_milestone_moves_and_sequence_and_last_modified_follow_each_change(
    cast: Cast, net: Net
) -> None:
    created = _feed(cast)
    uid = f"milestone-{net.m1['id']}@podium"
    made = datetime.now(UTC) - timedelta(days=30)  # the milestone was last edited then
    milestones = Milestone.__table__
    cast.db.execute(
        update(milestones).where(milestones.c.id == net.m1["id"]).values(updated_at=made)
    )
    cast.db.commit()
    before = _events(_calendar(cast, created["url"]))[uid]
    # an edit upstream moves the milestone: the milestone itself is not edited
    moving = datetime.now(UTC).replace(microsecond=0)
    response = cast.manager.patch(f"/api/v1/tasks/{net.plat['id']}", json={"duration": 15})
    assert response.status_code == 200, response.text
    after = _events(_calendar(cast, created["url"]))
    assert list(after).count(uid) == 1
    assert after[uid].decoded("dtstart") > before.decoded("dtstart")
    assert int(after[uid]["sequence"]) > int(before["sequence"])
    moved_at = after[uid].decoded("last-modified")  # the move revised the event
    assert moving <= moved_at <= after[uid].decoded("dtstamp")
    # an edit elsewhere that moves nothing leaves it as it was
    response = cast.manager.patch(f"/api/v1/tasks/{net.plat['id']}", json={"name": "Platform"})
    assert response.status_code == 200, response.text
    same = _events(_calendar(cast, created["url"]))[uid]
    assert int(same["sequence"]) == int(after[uid]["sequence"])
    assert same.decoded("last-modified") == moved_at
    response = cast.manager.patch(f"/api/v1/milestones/{net.m1['id']}", json={"name": "Ready"})
    assert response.status_code == 200, response.text
    edited = _events(_calendar(cast, created["url"]))[uid]
    assert int(edited["sequence"]) > int(after[uid]["sequence"])
    assert edited.decoded("last-modified") >= moved_at


def test_a_personal_feed_holds_the_persons_assigned_tasks(cast: Cast, net: Net) -> None:
    cast.assign_member(net.train["id"])
    response = cast.member.post("/api/v1/feeds")
    assert response.status_code == 201, response.text
    events = _events(_calendar(cast, response.json()["url"]))
    assert list(events) == [f"task-{net.train['id']}@podium"]
    task = events[f"task-{net.train['id']}@podium"]
    assert (task.decoded("dtstart"), task.decoded("dtend")) == (
        date(2027, 1, 18),
        date(2027, 1, 23),
    )


def test_a_personal_feed_leaves_out_programs_the_person_has_left(cast: Cast, net: Net) -> None:
    cast.assign_member(net.train["id"])
    url = cast.member.post("/api/v1/feeds").json()["url"]
    assert len(_events(_calendar(cast, url))) == 1
    member_id = cast.member.get("/api/v1/users/me").json()["id"]
    removed = cast.owner.delete(f"/api/v1/programs/{cast.program.id}/members/{member_id}")
    assert removed.status_code == 204, removed.text
    # still booked on the task, but no longer in the program: its dates are not theirs to see
    assert _events(_calendar(cast, url)) == {}


def test_a_revoked_feed_answers_not_found(cast: Cast, net: Net) -> None:
    created = _feed(cast)
    mine = cast.viewer.get("/api/v1/feeds").json()["items"]
    assert [f["id"] for f in mine] == [created["id"]] and "url" not in mine[0]
    assert cast.manager.get("/api/v1/feeds").json()["items"] == []
    assert_error(cast.manager.delete(f"/api/v1/feeds/{created['id']}"), 404, "not_found")
    assert cast.viewer.delete(f"/api/v1/feeds/{created['id']}").status_code == 204
    path = created["url"].removeprefix("http://testserver")
    assert cast.viewer.client.get(path).status_code == 404
    assert cast.viewer.client.get("/feeds/podcal_nothing.ics").status_code == 404


def test_outsiders_get_no_program_feed(cast: Cast) -> None:
    response = cast.outsider.post(f"/api/v1/programs/{cast.program.id}/feeds")
    assert_error(response, 404, "not_found")


def test_a_scenarios_copy_takes_no_calendar_feed(cast: Cast) -> None:
    scenario = cast.manager.post(
        f"/api/v1/programs/{cast.program.id}/scenarios", json={"name": "Slip the pilot"}
    ).json()
    refused = cast.viewer.post(f"/api/v1/programs/{scenario['copy_program_id']}/feeds")
    error = assert_error(refused, 409, "scenario_copy")
    assert "scenario's copy" in error["message"]
    assert error["details"] == {"live_program_id": cast.program.id}
    assert cast.viewer.get("/api/v1/feeds").json()["items"] == []


def test_a_program_feed_ends_for_good_when_its_maker_leaves_and_the_list_says_so(
    cast: Cast,
) -> None:
    created = _feed(cast)
    path = created["url"].removeprefix("http://testserver")
    assert created["active"] is True
    viewer_id = cast.viewer.get("/api/v1/users/me").json()["id"]
    members = f"/api/v1/programs/{cast.program.id}/members"
    assert cast.owner.delete(f"{members}/{viewer_id}").status_code == 204
    (listed,) = cast.viewer.get("/api/v1/feeds").json()["items"]
    assert listed["active"] is False and listed["revoked_at"] is not None
    assert cast.viewer.client.get(path).status_code == 404
    back = cast.owner.post(members, json={"email": "viewer@example.com", "role": "viewer"})
    assert back.status_code == 201, back.text
    assert cast.viewer.client.get(path).status_code == 404  # back in, the old URL stays dead

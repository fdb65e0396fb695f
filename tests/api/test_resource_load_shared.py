"""A resource's load reads the same whoever looks: capacity of people without a calendar
shared by programs with different holidays, units of a task with two resources, and the
window of one resource's load.

Two plans, imported as files, share Dan (no calendar of his own):

- ALPHA (Mon–Fri, holiday Wed 10 Mar 2027): A4, 5 days from Mon 1 Mar, Dan at 50 %;
  A3, a cutover of 7 days on a 7-day calendar (Mon 1–Sun 7 Mar), Cal at 100 %;
  A2, 5 days, Bob (no calendar, off on Wed 3 Mar) at 100 %: 1, 2, 4, 5 and Mon 8 Mar;
  A1 (10 days) and A5 (5 days) both on Ana at 100 %, A5 also on Eve at 25 %, and A6
  (5 days) on Eve at 100 %: Ana at 200 % and Eve at 125 % from Mon 1 to Fri 5 Mar.
- BETA (Mon–Fri, holiday Wed 3 Mar 2027): B2, 5 days from Mon 1 Mar (1, 2, 4, 5 and
  Mon 8 Mar), Dan at 50 %.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.models import Alert, AlertKind, Assignment, Resource
from podium.services.resources.load import MAX_DAYS
from tests.api.conftest import Cast
from tests.factories import assert_error, make_program, make_project, make_task

WEEK = ["Mon", "Tue", "Wed", "Thu", "Fri"]

ALPHA = {
    "format": "podium-plan",
    "version": 1,
    "program": {
        "key": "ALPHA",
        "name": "Alpha",
        "start": "2027-03-01",
        "status_date": "2027-03-01",
        "calendar": "alpha week",
    },
    "calendars": [
        {"name": "alpha week", "workdays": WEEK, "holidays": ["2027-03-10"]},
        {"name": "every day", "workdays": [*WEEK, "Sat", "Sun"]},
    ],
    "projects": [{"key": "AP", "name": "Alpha project"}],
    "tasks": [
        {"id": "A1", "project": "AP", "name": "Ana's long task", "duration": 10},
        {"id": "A2", "project": "AP", "name": "Bob's task", "duration": 5},
        {"id": "A3", "project": "AP", "name": "Cutover", "duration": 7, "calendar": "every day"},
        {"id": "A4", "project": "AP", "name": "Dan's half", "duration": 5},
        {"id": "A5", "project": "AP", "name": "Two people", "duration": 5},
        {"id": "A6", "project": "AP", "name": "Eve's task", "duration": 5},
    ],
    "milestones": [],
    "dependencies": [],
    "resources": [
        {"id": "ana", "name": "Ana"},
        {"id": "bob", "name": "Bob", "time_off": [{"start": "2027-03-03", "finish": "2027-03-03"}]},
        {"id": "cal", "name": "Cal"},
        {"id": "dan", "name": "Dan"},
        {"id": "eve", "name": "Eve"},
    ],
    "assignments": [
        {"task": "A1", "resource": "ana", "units": 1.0},
        {"task": "A2", "resource": "bob", "units": 1.0},
        {"task": "A3", "resource": "cal", "units": 1.0},
        {"task": "A4", "resource": "dan", "units": 0.5},
        {"task": "A5", "resource": "ana", "units": 1.0},
        {"task": "A5", "resource": "eve", "units": 0.25},
        {"task": "A6", "resource": "eve", "units": 1.0},
    ],
}

BETA = {
    "format": "podium-plan",
    "version": 1,
    "program": {
        "key": "BETA",
        "name": "Beta",
        "start": "2027-03-01",
        "status_date": "2027-03-01",
        "calendar": "beta week",
    },
    "calendars": [{"name": "beta week", "workdays": WEEK, "holidays": ["2027-03-03"]}],
    "projects": [{"key": "BP", "name": "Beta project"}],
    "tasks": [{"id": "B2", "project": "BP", "name": "Dan's other half", "duration": 5}],
    "milestones": [],
    "dependencies": [],
    "resources": [{"id": "dan", "name": "Dan"}],
    "assignments": [{"task": "B2", "resource": "dan", "units": 0.5}],
}


def _import(cast: Cast, plan: dict[str, Any]) -> int:
    response = cast.admin.post(
        "/api/v1/imports",
        files={"file": ("plan.json", json.dumps(plan).encode(), "application/json")},
    )
    assert response.status_code == 201, response.text
    program_id: int = response.json()["program_id"]
    return program_id


@pytest.fixture
def shared(cast: Cast) -> dict[str, int]:
    """ALPHA then BETA (rescheduled last, as it is imported last): program and resource ids."""
    ids = {"ALPHA": _import(cast, ALPHA), "BETA": _import(cast, BETA)}
    for r in cast.db.scalars(select(Resource)):
        ids[r.key] = r.id
    return ids


def _program_row(cast: Cast, program_id: int, key: str, **params: str) -> dict[str, Any]:
    response = cast.admin.get(f"/api/v1/programs/{program_id}/resource-load", params=params)
    assert response.status_code == 200, response.text
    (row,) = [r for r in response.json()["resources"] if r["resource"]["key"] == key]
    return row


def _own(cast: Cast, resource_id: int, **params: str) -> dict[str, Any]:
    response = cast.admin.get(f"/api/v1/resources/{resource_id}/load", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _weeks(buckets: list[dict[str, Any]]) -> list[tuple[str, float, float, int]]:
    return [(b["start"], b["demand"], b["capacity"], b["over_allocated_days"]) for b in buckets[:2]]


# --- capacity without a calendar: the same from every side ---------------------------


def test_a_person_without_a_calendar_has_the_same_capacity_whoever_looks(
    cast: Cast, shared: dict[str, int]
) -> None:
    """Dan works whenever his tasks do: every weekday one of his two programs works. Week
    of 1 Mar: A4 5 × 0.5 + B2 4 × 0.5 (not on BETA's holiday) = 4.5 of 5; week of 8 Mar:
    B2 on Monday, 0.5 of 5 (ALPHA's holiday on Wednesday is a BETA working day)."""
    expected = [("2027-03-01", 4.5, 5.0, 0), ("2027-03-08", 0.5, 5.0, 0)]
    for program in ("ALPHA", "BETA"):
        row = _program_row(cast, shared[program], "dan")
        assert _weeks(row["buckets"]) == expected, program
        assert row["overloads"] == [] and row["over_allocated_days"] == 0
    own = _own(cast, shared["dan"])
    assert _weeks(own["buckets"]) == expected and own["overloads"] == []
    days = _own(cast, shared["dan"], period="day", start="2027-03-03", finish="2027-03-03")
    assert [(b["demand"], b["capacity"]) for b in days["buckets"]] == [(0.5, 1.0)]


def test_the_program_rescheduled_last_raises_no_alert_on_its_holiday(
    cast: Cast, shared: dict[str, int]
) -> None:
    """BETA was rescheduled last: its holiday (Wed 3 Mar) is no day off for Dan, whose
    ALPHA task works that day."""
    open_alerts = cast.db.scalars(
        select(Alert.subject_id).where(
            Alert.kind == AlertKind.OVER_ALLOCATION, Alert.resolved_at.is_(None)
        )
    ).all()
    assert shared["dan"] not in open_alerts and shared["cal"] not in open_alerts
    assert {shared["ana"], shared["eve"]} <= set(open_alerts)


def test_a_cutover_on_a_seven_day_calendar_is_no_weekend_overload(
    cast: Cast, shared: dict[str, int]
) -> None:
    """Cal works the weekend of the cutover, as its task does: 7 of 7 days that week."""
    row = _program_row(cast, shared["ALPHA"], "cal")
    assert row["overloads"] == [] and row["over_allocated_days"] == 0
    assert _weeks(row["buckets"])[0] == ("2027-03-01", 7.0, 7.0, 0)
    weekend = _own(cast, shared["cal"], period="day", start="2027-03-06", finish="2027-03-07")
    assert [(b["demand"], b["capacity"]) for b in weekend["buckets"]] == [(1.0, 1.0)] * 2


def test_time_off_without_a_calendar_takes_a_day_and_adds_no_weekend(
    cast: Cast, shared: dict[str, int]
) -> None:
    """Bob is off on Wed 3 Mar: 4 of 4 days that week, not 4 of 6; the week of 8 Mar has
    ALPHA's four working days (Wed 10 is its holiday), not seven."""
    expected = [("2027-03-01", 4.0, 4.0, 0), ("2027-03-08", 1.0, 4.0, 0)]
    assert _weeks(_program_row(cast, shared["ALPHA"], "bob")["buckets"]) == expected
    assert _weeks(_own(cast, shared["bob"])["buckets"]) == expected


# --- units of a task with two resources ------------------------------------------------


def _units(overload: dict[str, Any]) -> dict[str, float]:
    return {t["key"]: t["units"] for t in overload["tasks"]}


def test_a_task_with_two_resources_shows_each_ones_units(
    cast: Cast, shared: dict[str, int]
) -> None:
    ana = _program_row(cast, shared["ALPHA"], "ana")
    eve = _program_row(cast, shared["ALPHA"], "eve")
    ((ana_over,), (eve_over,)) = ana["overloads"], eve["overloads"]
    assert (ana_over["start"], ana_over["finish"], ana_over["peak_demand"]) == (
        "2027-03-01",
        "2027-03-05",
        2.0,
    )
    assert _units(ana_over) == {"A1": 1.0, "A5": 1.0}
    assert (eve_over["days"], eve_over["peak_demand"]) == (5, 1.25)
    assert _units(eve_over) == {"A5": 0.25, "A6": 1.0}
    for key, units in (("ana", {"A1": 1.0, "A5": 1.0}), ("eve", {"A5": 0.25, "A6": 1.0})):
        own = _own(cast, shared[key])
        assert {t["key"]: t["units"] for t in own["tasks"]} == units
        assert _units(own["overloads"][0]) == units


# --- the window of one resource's load -----------------------------------------------


@pytest.fixture
def far(cast: Cast, db: Session) -> int:
    """Fay: a task in the week of Mon 4 Jan 2027 and one in year 9990."""
    program = make_program(db, key="FAR")
    project = make_project(db, program, "FAR")
    fay = Resource(key="fay", name="Fay")
    db.add(fay)
    db.flush()
    for key, first in (("FAR-1", date(2027, 1, 4)), ("FAR-2", date(9990, 1, 4))):
        task = make_task(db, project, key, early_start=first, early_finish=first + timedelta(4))
        db.add(Assignment(program_id=program.id, task_id=task.id, resource_id=fay.id))
    db.commit()
    return fay.id


def test_a_resources_load_reads_at_most_ten_years_and_says_where_the_rest_starts(
    cast: Cast, far: int
) -> None:
    last = date(2027, 1, 4) + timedelta(MAX_DAYS)  # Sun 11 Jan 2037
    response = cast.viewer.get(f"/api/v1/resources/{far}/load", params={"period": "day"})
    assert response.status_code == 200, response.text
    assert len(response.content) < 2_000_000
    body = response.json()
    assert (body["start"], body["finish"], body["next_start"]) == (
        "2027-01-04",
        "2037-01-11",
        "9990-01-04",
    )
    assert body["finish"] == last.isoformat() and len(body["buckets"]) == MAX_DAYS + 1
    assert [b["demand"] for b in body["buckets"][:7]] == [1.0] * 5 + [0.0] * 2
    weeks = _own(cast, far)  # 523 whole weeks, Mon 4 Jan 2027 to Sun 11 Jan 2037
    assert (weeks["finish"], weeks["next_start"]) == ("2037-01-11", "9990-01-04")
    assert len(weeks["buckets"]) == 523
    # the rest is asked for with a start: FAR-2 works Thu 4, Fri 5 and Mon 8 Jan 9990
    rest = _own(cast, far, start="9990-01-01")
    assert rest["next_start"] is None
    assert [(b["start"], b["demand"]) for b in rest["buckets"]] == [
        ("9990-01-01", 2.0),
        ("9990-01-08", 1.0),
    ]


def test_a_window_asked_for_is_never_cut_and_a_long_one_is_refused(cast: Cast, far: int) -> None:
    url = f"/api/v1/resources/{far}/load"
    for params in ({"finish": "9999-12-31"}, {"start": "2027-01-04", "finish": "2037-01-12"}):
        error = assert_error(cast.viewer.get(url, params=params), 422)
        assert f"at most {MAX_DAYS} days from the start 2027-01-04" in error["message"]
    body = _own(cast, far, period="day", start="2027-01-04", finish="2027-01-08")
    assert body["next_start"] is None and [b["demand"] for b in body["buckets"]] == [1.0] * 5


def test_a_short_load_says_nothing_was_left_out(cast: Cast, shared: dict[str, int]) -> None:
    assert _own(cast, shared["dan"])["next_start"] is None

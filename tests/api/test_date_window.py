"""Dates a plan may hold: 1900-01-01 to 2200-12-31. A year typed wrong (0001, 0999, 2999,
9999) in any date field is refused with a 422 naming the field and the window, and nothing
is stored; a program is not closed on a day that has not come yet."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from podium.models import Milestone, Program
from podium.services import reports as report_service
from podium.services.governance import decisions as decision_service
from podium.services.governance import retrospective as retrospective_service
from podium.services.governance import reviews as review_service
from tests.api.conftest import Cast, Net, post_created, start_program_on
from tests.factories import assert_error

pytestmark = pytest.mark.db

_names = itertools.count(1)
ABSURD = ["0001-01-01", "0999-06-30", "1899-12-31", "2201-01-01", "2999-01-01", "9999-12-31"]
TODAY = date(2030, 1, 7)


# sets a clock the cast and its network are built without: they are restored, not built
NET_NEUTRAL_FIXTURES = frozenset({"_today"})


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    """The clock's today for meetings, decisions, closes and reports: Monday 7 Jan 2030."""
    for service in (review_service, decision_service, retrospective_service, report_service):
        monkeypatch.setattr(service, "today", lambda: TODAY)


def _refused(response: Any, field: str, day: str) -> None:
    error = assert_error(response, 422, "validation_failed")
    assert field in error["message"] and day in error["message"]
    assert "1900-01-01 to 2200-12-31" in error["message"]
    detail = next(d for d in error["details"] if d["field"] == field)
    assert (detail["first"], detail["last"]) == ("1900-01-01", "2200-12-31")


def _refused_file(response: Any, location: str, day: str) -> None:
    error = assert_error(response, 422, "invalid_file")
    assert location in error["message"] and day in error["message"]
    assert "1900-01-01 to 2200-12-31" in error["message"]
    assert [d["location"] for d in error["details"]] == [location]


# --- each kind of record, written through the API ---------------------------------------

Write = Callable[[Cast, Net, str], Any]


def _program(cast: Cast, _net: Net, body: dict[str, Any]) -> Any:
    return cast.owner.patch(f"/api/v1/programs/{cast.program.id}", json=body)


def _task(cast: Cast, net: Net, body: dict[str, Any]) -> Any:
    return cast.manager.patch(f"/api/v1/tasks/{net.plat['id']}", json=body)


def _risk(cast: Cast, net: Net) -> dict[str, Any]:
    body = {
        "program_id": cast.program.id,
        "title": "Vendor API late",
        "probability": 3,
        "impact": 3,
        "project_ids": [net.plat["project_id"]],
    }
    return post_created(cast.manager, "/api/v1/risks", body)


def _benefit(cast: Cast, **fields: Any) -> Any:
    body = {
        "program_id": cast.program.id,
        "name": f"support tickets per month {next(_names)}",
        "unit": "tickets",
        "baseline_value": 1200,
        "baseline_date": "2027-01-01",
        "target_value": 840,
        "target_date": "2028-01-01",
        "direction": "down",
        **fields,
    }
    return cast.manager.post("/api/v1/benefits", json=body)


def _review(cast: Cast, **fields: Any) -> Any:
    body = {"name": f"Check {next(_names)}", "frequency": "weekly", "first_date": "2030-01-07"}
    return cast.manager.post(f"/api/v1/programs/{cast.program.id}/reviews", json={**body, **fields})


WRITES: dict[str, tuple[str, Write]] = {
    "new program": (
        "start_date",
        lambda c, _n, d: c.admin.post(
            "/api/v1/programs", json={"key": "FAR", "name": "Far", "start_date": d}
        ),
    ),
    "program start": ("start_date", lambda c, n, d: _program(c, n, {"start_date": d})),
    "status date": ("status_date", lambda c, n, d: _program(c, n, {"status_date": d})),
    "goal target": (
        "goal.target_date",
        lambda c, n, d: _program(c, n, {"goal": {"target_date": d}}),
    ),
    "project start": (
        "start_date",
        lambda c, n, d: c.manager.patch(
            f"/api/v1/projects/{n.plat['project_id']}", json={"start_date": d}
        ),
    ),
    "constraint": (
        "constraint_date",
        lambda c, n, d: _task(c, n, {"constraint_type": "snet", "constraint_date": d}),
    ),
    "deadline": ("deadline", lambda c, n, d: _task(c, n, {"deadline": d})),
    "actual start": (
        "actual_start",
        lambda c, n, d: _task(c, n, {"actual_start": d, "percent_complete": 10}),
    ),
    "actual finish": (
        "actual_finish",
        lambda c, n, d: _task(
            c, n, {"actual_start": d, "actual_finish": d, "percent_complete": 100}
        ),
    ),
    "new task": (
        "deadline",
        lambda c, n, d: c.manager.post(
            "/api/v1/tasks",
            json={"project_id": n.plat["project_id"], "name": "Far", "duration": 1, "deadline": d},
        ),
    ),
    "milestone target": (
        "target_date",
        lambda c, n, d: c.manager.patch(
            f"/api/v1/milestones/{n.m1['id']}", json={"target_date": d}
        ),
    ),
    "holiday": (
        "holidays",
        lambda c, _n, d: c.admin.post(
            "/api/v1/calendars",
            json={
                "name": "Far",
                "holidays": [{"date": "2027-12-24", "name": "Eve"}, {"date": d, "name": "Typo"}],
            },
        ),
    ),
    "extra workday": (
        "extra_workdays",
        lambda c, _n, d: c.admin.post(
            "/api/v1/calendars", json={"name": "Far", "extra_workdays": [{"date": d}]}
        ),
    ),
    "time off": (
        "time_off",
        lambda c, _n, d: c.manager.post(
            "/api/v1/resources",
            json={"key": "ana", "name": "Ana", "time_off": [{"start": d, "finish": d}]},
        ),
    ),
    "risk due": (
        "due_date",
        lambda c, n, d: c.manager.patch(f"/api/v1/risks/{_risk(c, n)['id']}", json={"due_date": d}),
    ),
    "risk action due": (
        "due_date",
        lambda c, n, d: c.manager.post(
            f"/api/v1/risks/{_risk(c, n)['id']}/actions", json={"title": "Call", "due_date": d}
        ),
    ),
    "benefit target": (
        "target_date",
        lambda c, _n, d: _benefit(c, baseline_date="1900-01-01", target_date=d),
    ),
    "benefit baseline": ("baseline_date", lambda c, _n, d: _benefit(c, baseline_date=d)),
    "benefit reading": (
        "measured_on",
        lambda c, _n, d: c.manager.post(
            f"/api/v1/benefits/{_benefit(c).json()['id']}/measurements",
            json={"measured_on": d, "value": 1000},
        ),
    ),
    "review first": ("first_date", lambda c, _n, d: _review(c, first_date=d)),
    "review until": ("until_date", lambda c, _n, d: _review(c, until_date=d)),
    "meeting held": (
        "held_on",
        lambda c, _n, d: c.manager.post(
            f"/api/v1/reviews/{_review(c).json()['id']}/occurrences", json={"held_on": d}
        ),
    ),
    "decision": (
        "decided_on",
        lambda c, _n, d: c.manager.post(
            f"/api/v1/programs/{c.program.id}/decisions", json={"title": "Go", "decided_on": d}
        ),
    ),
    "close": (
        "closed_on",
        lambda c, _n, d: c.owner.post(
            f"/api/v1/programs/{c.program.id}/close", json={"closed_on": d}
        ),
    ),
}

# refused for another reason first: a meeting, decision or close in the future; a benefit
# whose target comes before its baseline; a cadence that ends before it begins
PAST_ONLY = {"meeting held", "decision", "close", "benefit baseline"}
FUTURE_ONLY = {"benefit target", "review until"}


@pytest.mark.parametrize("kind", WRITES)
def test_a_date_outside_the_window_is_refused_naming_the_field_and_nothing_is_stored(
    cast: Cast, net: Net, kind: str
) -> None:
    field, write = WRITES[kind]
    program = f"/api/v1/programs/{cast.program.id}"
    before = cast.viewer.get(program).json()
    for day in ABSURD:
        if (kind in PAST_ONLY and day > "2200") or (kind in FUTURE_ONLY and day < "1900"):
            continue
        _refused(write(cast, net, day), field, day)
    # nothing kept: the plan and its program are as they were
    assert cast.viewer.get(program).json() == before
    assert cast.viewer.get(f"/api/v1/milestones/{net.m1['id']}").json()["target_date"] == (
        "2027-01-22"
    )
    task = cast.viewer.get(f"/api/v1/tasks/{net.plat['id']}").json()
    assert (task["constraint_type"], task["deadline"], task["actual_start"]) == ("asap", None, None)
    assert (
        cast.viewer.get("/api/v1/tasks", params={"program_id": cast.program.id}).json()["total"]
        == 3
    )
    assert cast.viewer.get(f"{program}/decisions").json()["items"] == []


def test_the_first_and_last_days_of_the_window_are_taken(cast: Cast, net: Net) -> None:
    url = f"/api/v1/milestones/{net.m1['id']}"
    for day in ("1900-01-01", "2200-12-31"):
        moved = cast.manager.patch(url, json={"target_date": day})
        assert moved.status_code == 200, moved.text
        assert moved.json()["target_date"] == day
    risk = _risk(cast, net)
    assert (
        cast.manager.patch(
            f"/api/v1/risks/{risk['id']}", json={"due_date": "2200-12-31"}
        ).status_code
        == 200
    )


def test_a_record_already_holding_a_far_date_can_still_be_edited_otherwise(
    cast: Cast, net: Net, db: Session
) -> None:
    # stored before the window was kept: a bulk update, as an old database would hold it
    db.execute(
        update(Milestone).where(Milestone.id == net.m1["id"]).values(target_date=date(9999, 1, 1))
    )
    db.commit()
    url = f"/api/v1/milestones/{net.m1['id']}"
    renamed = cast.manager.patch(url, json={"name": "Trainers ready at last"})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["target_date"] == "9999-01-01"
    # a calendar keeps a far holiday it holds when another is added
    calendar = post_created(cast.admin, "/api/v1/calendars", {"name": "Std"})
    from podium.models import Calendar

    db.execute(
        update(Calendar)
        .where(Calendar.id == calendar["id"])
        .values(holidays=[{"date": "0001-01-01", "name": "Old"}])
    )
    db.commit()
    added = cast.admin.patch(
        f"/api/v1/calendars/{calendar['id']}",
        json={"holidays": [{"date": "0001-01-01", "name": "Old"}, {"date": "2027-12-24"}]},
    )
    assert added.status_code == 200, added.text


# --- dates read rather than stored --------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "param", "field"),
    [
        ("/api/v1/programs/{pid}/health", "status_date", "status_date"),
        ("/api/v1/programs/{pid}/earned-value", "status_date", "status_date"),
        ("/api/v1/programs/{pid}/report", "date", "date"),
        ("/api/v1/programs/{pid}/benefits", "as_of", "as_of"),
        ("/api/v1/users/me/tasks", "on", "on"),
    ],
)
def test_a_query_date_outside_the_window_is_refused(
    cast: Cast, net: Net, path: str, param: str, field: str
) -> None:
    url = path.format(pid=cast.program.id)
    for day in ("0001-01-01", "9999-12-31"):
        _refused(cast.manager.get(url, params={param: day, "format": "md"}), field, day)
    assert cast.manager.get(url, params={param: "2027-02-01", "format": "md"}).status_code == 200


def test_a_report_is_not_issued_on_a_far_date(cast: Cast, net: Net) -> None:
    url = f"/api/v1/programs/{cast.program.id}/reports"
    _refused(cast.manager.post(url, json={"date": "2999-01-01"}), "date", "2999-01-01")
    assert cast.viewer.get(url).json()["items"] == []


# --- closing a program --------------------------------------------------------------------


def test_a_program_is_not_closed_on_a_day_that_has_not_come(cast: Cast, net: Net) -> None:
    url = f"/api/v1/programs/{cast.program.id}"
    for day in ("2030-01-08", "2031-06-30"):
        error = assert_error(
            cast.owner.post(f"{url}/close", json={"closed_on": day}), 422, "validation_failed"
        )
        assert error["details"][0]["field"] == "closed_on"
        assert f"{day} is in the future" in error["message"]
        assert "2030-01-07" in error["message"]
    _refused(cast.owner.post(f"{url}/close", json={"closed_on": "2999-01-01"}), "closed_on", "2999")
    assert cast.viewer.get(url).json()["status"] == "active"
    closed = cast.owner.post(f"{url}/close", json={"closed_on": "2030-01-07"})
    assert closed.status_code == 200, closed.text
    assert closed.json()["closed_on"] == "2030-01-07"


def test_a_decision_is_not_dated_before_the_program_began(cast: Cast, net: Net) -> None:
    start_program_on(cast, "2029-06-04")  # started before the clock's today, 7 Jan 2030
    pid = cast.program.id
    set_up = datetime(2029, 9, 3, 9, tzinfo=UTC)  # here since after its start
    cast.db.execute(update(Program).where(Program.id == pid).values(created_at=set_up))
    cast.db.commit()
    url = f"/api/v1/programs/{pid}/decisions"
    for day in ("1999-01-01", "2029-06-01"):
        error = assert_error(
            cast.manager.post(url, json={"title": "Pilot of three", "decided_on": day}), 422
        )
        assert error["details"] == [
            {"field": "decided_on", "message": f"{day} is before the program's start (2029-06-04)"}
        ]
    logged = post_created(
        cast.manager, url, {"title": "Pilot of three", "decided_on": "2029-06-04"}
    )
    moved = cast.manager.patch(
        f"/api/v1/decisions/{logged['id']}", json={"decided_on": "2029-05-31"}
    )
    assert assert_error(moved, 422)["details"][0]["field"] == "decided_on"
    assert cast.viewer.get(f"/api/v1/decisions/{logged['id']}").json()["decided_on"] == "2029-06-04"


# --- plans brought in, and previews -------------------------------------------------------


def test_an_imported_plan_with_a_far_date_is_refused_and_nothing_is_written(cast: Cast) -> None:
    plan = {
        "format": "podium-plan",
        "version": 1,
        "program": {"key": "FAR", "name": "Far", "start": "2027-01-04"},
        "calendars": [{"name": "far", "holidays": ["2027-05-31"]}],
        "projects": [{"key": "A", "name": "A"}],
        "tasks": [{"id": "A-1", "project": "A", "name": "Build", "duration": 5}],
        "milestones": [{"id": "M1", "name": "Done", "target": "9999-03-01"}],
    }
    before = cast.admin.get("/api/v1/programs").json()

    def upload() -> Any:
        files = {"file": ("plan.json", json.dumps(plan).encode(), "application/json")}
        return cast.member.post("/api/v1/imports", files=files)

    # an import is refused as a file with problems: each at its place in the plan
    _refused_file(upload(), "milestones[0].target", "9999-03-01")
    plan["milestones"][0]["target"] = "2027-03-01"
    plan["tasks"][0]["deadline"] = "0999-01-01"
    _refused_file(upload(), "tasks[0].deadline", "0999-01-01")
    plan["tasks"][0]["deadline"] = None
    plan["program"]["start"] = "0001-01-04"
    _refused_file(upload(), "program.start", "0001-01-04")
    plan["program"]["start"] = "2027-01-04"
    plan["calendars"][0]["holidays"] = ["2999-05-31"]
    _refused_file(upload(), "calendars[0].holidays[0]", "2999-05-31")
    assert cast.admin.get("/api/v1/programs").json() == before


def test_a_settings_preview_with_a_far_start_is_refused(cast: Cast, net: Net) -> None:
    url = f"/api/v1/programs/{cast.program.id}/settings/impact"
    _refused(cast.owner.post(url, json={"start_date": "0001-01-04"}), "start_date", "0001-01-04")
    assert cast.owner.post(url, json={"start_date": "2027-02-01"}).status_code == 200

"""Calendars API: workdays, holidays, extra working days, who may change them, deleting one
in use, versions, audit, and the programs rescheduled when one changes."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.models import AuditEntry, Calendar, Program, Resource
from tests.api.conftest import ROLES, Cast, Net
from tests.factories import (
    ApiUser,
    assert_error,
    make_program,
    make_project,
    make_task,
)

URL = "/api/v1/calendars"

US_2027 = {
    "name": "US office",
    "description": "Monday to Friday, US federal holidays",
    "workdays": ["Mon", "Tue", "Wed", "Thu", "Fri"],
    "holidays": [
        {"date": "2027-07-05", "name": "Independence Day (observed)"},
        {"date": "2027-05-31", "name": "Memorial Day"},
    ],
}


def create(api: ApiUser, **fields: Any) -> dict[str, Any]:
    response = api.post(URL, json={**US_2027, **fields})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


# --- creating and reading ------------------------------------------------------


def test_a_calendar_keeps_its_workdays_and_its_holidays_in_date_order(
    cast: Cast, db: Session
) -> None:
    response = cast.admin.post(URL, json=US_2027)
    assert response.status_code == 201, response.text
    assert response.headers["ETag"] == '"1"'
    body = response.json()
    assert body["name"] == "US office" and body["version"] == 1
    assert body["workdays"] == ["Mon", "Tue", "Wed", "Thu", "Fri"]
    assert body["holidays"] == [
        {"date": "2027-05-31", "name": "Memorial Day"},
        {"date": "2027-07-05", "name": "Independence Day (observed)"},
    ]
    assert db.get(Calendar, body["id"]).weekmask == "1111100"  # type: ignore[union-attr]
    fetched = cast.member.get(f"{URL}/{body['id']}")
    assert fetched.status_code == 200 and fetched.json() == body
    assert fetched.headers["ETag"] == '"1"'


def test_workdays_map_to_the_weekmask_in_weekday_order(cast: Cast, db: Session) -> None:
    body = create(
        cast.admin, name="Gulf", workdays=["Sun", "Mon", "Tue", "Wed", "Thu"], holidays=[]
    )
    assert body["workdays"] == ["Mon", "Tue", "Wed", "Thu", "Sun"]
    assert db.get(Calendar, body["id"]).weekmask == "1111001"  # type: ignore[union-attr]


def test_workdays_default_to_monday_to_friday(cast: Cast) -> None:
    body = cast.admin.post(URL, json={"name": "plain"}).json()
    assert body["workdays"] == ["Mon", "Tue", "Wed", "Thu", "Fri"] and body["holidays"] == []
    assert body["extra_workdays"] == []


@pytest.mark.parametrize("role", ROLES)
def test_everyone_signed_in_lists_and_reads_calendars(cast: Cast, role: str) -> None:
    calendar = create(cast.admin)
    listed = cast.by_role(role).get(URL)
    assert listed.status_code == 200, listed.text
    assert [c["name"] for c in listed.json()["items"]] == ["US office"]
    assert cast.by_role(role).get(f"{URL}/{calendar['id']}").status_code == 200


def test_list_is_paginated_and_sorted_by_name(cast: Cast) -> None:
    for name in ("delta", "alpha", "charlie", "bravo"):
        create(cast.admin, name=name)
    page = cast.viewer.get(URL, params={"limit": 2, "offset": 1}).json()
    assert (page["total"], page["limit"], page["offset"]) == (4, 2, 1)
    assert [c["name"] for c in page["items"]] == ["bravo", "charlie"]


def test_unknown_calendars_are_404(cast: Cast) -> None:
    for response in (
        cast.admin.get(f"{URL}/999999"),
        cast.admin.patch(f"{URL}/999999", json={"name": "x"}),
        cast.admin.delete(f"{URL}/999999"),
    ):
        assert_error(response, 404, "not_found")
    # an id past the database's INTEGER names nothing: refused as a field, as everywhere
    assert_error(cast.admin.get(f"{URL}/{2**40}"), 422, "validation_failed")
    # one who may change no calendar is told so first, whichever id is asked for
    for response in (
        cast.member.patch(f"{URL}/999999", json={"name": "x"}),
        cast.member.delete(f"{URL}/999999"),
        _import(cast.member, 999_999, FEED),
    ):
        assert_error(response, 403, "forbidden")


# --- refusals ----------------------------------------------------------------


def test_a_name_in_use_is_409_ignoring_case(cast: Cast) -> None:
    create(cast.admin, name="Standard")
    other = create(cast.admin, name="Night shift")
    error = assert_error(
        cast.admin.post(URL, json={**US_2027, "name": "standard"}), 409, "conflict"
    )
    assert error["details"] == {"field": "name"}
    assert_error(cast.admin.patch(f"{URL}/{other['id']}", json={"name": "STANDARD"}), 409)
    assert cast.admin.patch(f"{URL}/{other['id']}", json={"name": "Night shift"}).status_code == 200
    create(cast.admin, name="Ärztehaus")
    assert_error(cast.admin.post(URL, json={**US_2027, "name": "ÄRZTEHAUS"}), 409)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"workdays": []}, "workdays"),
        ({"workdays": ["Mon", "Funday"]}, "workdays.1"),
        ({"workdays": ["Mon", "Tue", "Mon"]}, "workdays.2"),
        ({"holidays": [{"date": "2027-02-30", "name": "nope"}]}, "holidays.0.date"),
        ({"holidays": [{"name": "no date"}]}, "holidays.0.date"),
        ({"holidays": [{"date": "2027-05-31", "colour": "red"}]}, "holidays.0.colour"),
        (
            {
                "holidays": [
                    {"date": "2027-05-31", "name": "Memorial Day"},
                    {"date": "2027-07-05"},
                    {"date": "2027-05-31", "name": "again"},
                ]
            },
            "holidays.2.date",
        ),
        ({"name": ""}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "nul\x00"}, "name"),
        ({"weekmask": "1111100"}, "weekmask"),
    ],
)
def test_invalid_calendars_are_422_naming_the_field(
    cast: Cast, fields: dict[str, Any], field: str
) -> None:
    error = assert_error(cast.admin.post(URL, json={**US_2027, **fields}), 422, "validation_failed")
    assert field in {d["field"] for d in error["details"]}, error


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"workdays": []}, "workdays"),
        ({"workdays": None}, "workdays"),
        ({"holidays": None}, "holidays"),
        ({"name": None}, "name"),
        ({"holidays": [{"date": "2027-01-01"}, {"date": "2027-01-01"}]}, "holidays.1.date"),
    ],
)
def test_invalid_changes_are_422_naming_the_field(
    cast: Cast, fields: dict[str, Any], field: str
) -> None:
    url = f"{URL}/{create(cast.admin)['id']}"
    error = assert_error(cast.admin.patch(url, json=fields), 422, "validation_failed")
    assert field in {d["field"] for d in error["details"]}, error


def test_malformed_json_is_400(cast: Cast) -> None:
    response = cast.admin.post(
        URL, content=b'{"name": ', headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "malformed_json")


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_requests_without_credentials_are_401(cast: Cast, method: str) -> None:
    assert_error(cast.admin.client.request(method, URL, json={}), 401, "unauthorized")


# --- changing ----------------------------------------------------------------


def test_new_holidays_replace_the_old_and_other_fields_stay(cast: Cast) -> None:
    url = f"{URL}/{create(cast.manager)['id']}"
    response = cast.manager.patch(
        url,
        json={
            "holidays": [{"date": "2027-12-24", "name": "Christmas Eve"}],
            "workdays": ["Mon", "Tue", "Wed", "Thu"],
        },
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == '"2"'
    body = response.json()
    assert body["holidays"] == [{"date": "2027-12-24", "name": "Christmas Eve"}]
    assert body["workdays"] == ["Mon", "Tue", "Wed", "Thu"]
    assert body["description"] == US_2027["description"]


def test_stale_if_match_is_412_and_changes_nothing(cast: Cast) -> None:
    url = f"{URL}/{create(cast.admin)['id']}"
    assert (
        cast.admin.patch(url, json={"description": "v2"}, headers={"If-Match": '"1"'}).status_code
        == 200
    )
    assert_error(
        cast.admin.patch(url, json={"workdays": ["Mon"]}, headers={"If-Match": '"1"'}),
        412,
        "stale_version",
    )
    assert_error(cast.admin.delete(url, headers={"If-Match": '"1"'}), 412, "stale_version")
    current = cast.admin.get(url).json()
    assert (current["description"], current["workdays"][-1], current["version"]) == ("v2", "Fri", 2)


def test_changes_are_audited_with_old_and_new(cast: Cast, db: Session) -> None:
    body = create(cast.manager, holidays=[])
    url = f"{URL}/{body['id']}"
    cast.manager.patch(url, json={"workdays": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]})
    cast.manager.patch(url, json={"holidays": [{"date": "2027-05-31", "name": "Memorial Day"}]})
    cast.manager.delete(url)
    entries = db.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == "calendar").order_by(AuditEntry.id)
    ).all()
    assert [(e.action, e.program_id, e.user_email) for e in entries] == [
        ("create", None, "manager@example.com"),
        ("update", None, "manager@example.com"),
        ("update", None, "manager@example.com"),
        ("delete", None, "manager@example.com"),
    ]
    assert entries[0].changes["name"] == [None, "US office"]
    assert entries[1].changes == {"weekmask": ["1111100", "1111110"]}
    assert entries[2].changes == {
        "holidays": [[], [{"date": "2027-05-31", "name": "Memorial Day"}]]
    }
    assert entries[3].changes["weekmask"] == ["1111110", None]


# --- deleting ----------------------------------------------------------------


def test_deleting_an_unused_calendar(cast: Cast) -> None:
    url = f"{URL}/{create(cast.admin)['id']}"
    assert cast.admin.delete(url, headers={"If-Match": '"1"'}).status_code == 204
    assert_error(cast.admin.get(url), 404)


def test_deleting_a_calendar_in_use_is_409_listing_its_users(cast: Cast, db: Session) -> None:
    calendar_id = create(cast.admin)["id"]
    program = db.get(Program, cast.program.id)
    assert program is not None
    program.calendar_id = calendar_id
    db.commit()
    project = make_project(db, cast.program, "PLAT", calendar_id=calendar_id)
    task = make_task(db, project, "PLAT-1", calendar_id=calendar_id)

    error = assert_error(cast.manager.delete(f"{URL}/{calendar_id}"), 409, "calendar_in_use")
    assert "program CLOUD" in error["message"]
    assert "project CLOUD/PLAT" in error["message"] and "task PLAT-1" in error["message"]
    assert error["details"]["programs"] == [{"id": cast.program.id, "key": "CLOUD"}]
    assert error["details"]["projects"] == [
        {"id": project.id, "key": "CLOUD/PLAT", "program_id": cast.program.id}
    ]
    assert error["details"]["tasks"] == [
        {"id": task.id, "key": "PLAT-1", "program_id": cast.program.id}
    ]
    assert cast.manager.get(f"{URL}/{calendar_id}").status_code == 200


def test_a_calendar_a_resource_works_on_is_in_use_too(cast: Cast, db: Session) -> None:
    calendar_id = create(cast.admin)["id"]
    db.add(Resource(key="crane", name="Tower crane", calendar_id=calendar_id))
    db.commit()
    error = assert_error(cast.manager.delete(f"{URL}/{calendar_id}"), 409, "calendar_in_use")
    assert "resource crane" in error["message"]
    crane = db.scalar(select(Resource).where(Resource.key == "crane"))
    assert crane is not None
    assert error["details"]["resources"] == [{"id": crane.id, "key": "crane"}]
    db.expire_all()
    assert crane.calendar_id == calendar_id  # the resource keeps its calendar


def test_users_in_programs_the_deleter_cannot_see_are_counted_not_named(
    cast: Cast, db: Session
) -> None:
    calendar_id = create(cast.admin)["id"]
    make_program(db, key="SECRET", calendar_id=calendar_id)
    error = assert_error(cast.manager.delete(f"{URL}/{calendar_id}"), 409, "calendar_in_use")
    assert "SECRET" not in error["message"] and "1 in programs you cannot see" in error["message"]
    assert error["details"]["programs"] == [] and error["details"]["hidden"] == 1
    admin_error = assert_error(cast.admin.delete(f"{URL}/{calendar_id}"), 409)
    assert "program SECRET" in admin_error["message"]


def test_long_lists_of_users_are_shortened_in_the_message(cast: Cast, db: Session) -> None:
    calendar_id = create(cast.admin)["id"]
    project = make_project(db, cast.program, "PLAT")
    for number in range(25):
        make_task(db, project, f"PLAT-{number}", calendar_id=calendar_id)
    error = assert_error(cast.admin.delete(f"{URL}/{calendar_id}"), 409, "calendar_in_use")
    assert error["message"].count("task PLAT-") == 20 and "and 5 more" in error["message"]
    assert error["details"]["tasks_total"] == 25


# --- who may change calendars ------------------------------------------------------

# admins, and managers or owners of at least one program
WRITERS = {"admin", "owner", "manager"}


@pytest.mark.parametrize("role", ROLES)
def test_admins_and_program_managers_or_owners_create_calendars(cast: Cast, role: str) -> None:
    response = cast.by_role(role).post(URL, json=US_2027)
    if role in WRITERS:
        assert response.status_code == 201, response.text
    else:
        assert_error(response, 403, "forbidden")


@pytest.mark.parametrize("role", ROLES)
def test_admins_and_program_managers_or_owners_change_calendars(cast: Cast, role: str) -> None:
    url = f"{URL}/{create(cast.admin)['id']}"
    response = cast.by_role(role).patch(url, json={"holidays": []})
    assert response.status_code == (200 if role in WRITERS else 403), response.text


@pytest.mark.parametrize("role", ROLES)
def test_admins_and_program_managers_or_owners_delete_calendars(cast: Cast, role: str) -> None:
    url = f"{URL}/{create(cast.admin)['id']}"
    response = cast.by_role(role).delete(url)
    assert response.status_code == (204 if role in WRITERS else 403), response.text


def test_owning_any_program_is_enough_to_edit_calendars(cast: Cast, db: Session) -> None:
    assert cast.outsider.post(URL, json=US_2027).status_code == 403
    make_program(db, owner=cast.outsider.user, key="OWN")
    assert cast.outsider.post(URL, json=US_2027).status_code == 201


# --- holidays from an iCalendar file ------------------------------------------------

FEED = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
    b"BEGIN:VEVENT\r\nUID:1@test\r\nDTSTART;VALUE=DATE:20270531\r\n"
    b"SUMMARY:Memorial Day (from the feed)\r\nEND:VEVENT\r\n"
    b"BEGIN:VEVENT\r\nUID:2@test\r\nDTSTART;VALUE=DATE:20271125\r\n"
    b"DTEND;VALUE=DATE:20271127\r\nSUMMARY:Thanksgiving\r\nEND:VEVENT\r\n"
    b"BEGIN:VEVENT\r\nUID:3@test\r\nDTSTART:20270310T100000Z\r\nSUMMARY:Review\r\nEND:VEVENT\r\n"
    b"END:VCALENDAR\r\n"
)


def _import(api: Any, calendar_id: int, data: bytes, **headers: str) -> Any:
    files = {"file": ("holidays.ics", data, "text/calendar")}
    return api.post(f"{URL}/{calendar_id}/holidays/import", files=files, headers=headers)


def test_an_icalendar_file_adds_its_all_day_events_as_holidays(cast: Cast) -> None:
    calendar_id = create(cast.admin)["id"]
    response = _import(cast.manager, calendar_id, FEED, **{"If-Match": '"1"'})
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == '"2"'
    body = response.json()
    assert (body["added"], body["already"]) == (2, 1)
    assert body["notes"] == ["1 timed event(s) skipped: only all-day events are holidays"]
    assert body["calendar"]["holidays"] == [
        {"date": "2027-05-31", "name": "Memorial Day"},  # known: it keeps its own name
        {"date": "2027-07-05", "name": "Independence Day (observed)"},
        {"date": "2027-11-25", "name": "Thanksgiving"},
        {"date": "2027-11-26", "name": "Thanksgiving"},
    ]
    assert (
        cast.member.get(f"{URL}/{calendar_id}").json()["holidays"] == body["calendar"]["holidays"]
    )


def test_a_bad_holiday_file_is_422_and_changes_nothing(cast: Cast) -> None:
    calendar_id = create(cast.admin)["id"]
    error = assert_error(_import(cast.admin, calendar_id, b"hello"), 422)
    assert "not an iCalendar file" in error["message"]
    assert error["details"][0]["field"] == "file"
    body = cast.admin.get(f"{URL}/{calendar_id}").json()
    assert body["version"] == 1 and len(body["holidays"]) == 2
    missing = cast.admin.post(f"{URL}/{calendar_id}/holidays/import", files={})
    assert_error(missing, 422)


def test_a_holiday_file_past_the_limit_is_413(cast: Cast) -> None:
    calendar_id = create(cast.admin)["id"]
    too_big = FEED + b" " * (2 * 1024 * 1024)
    assert_error(_import(cast.admin, calendar_id, too_big), 413)


def test_a_holiday_import_on_a_stale_version_is_412(cast: Cast) -> None:
    calendar_id = create(cast.admin)["id"]
    cast.admin.patch(f"{URL}/{calendar_id}", json={"description": "v2"})
    assert_error(_import(cast.admin, calendar_id, FEED, **{"If-Match": '"1"'}), 412)
    assert len(cast.admin.get(f"{URL}/{calendar_id}").json()["holidays"]) == 2


def test_only_editors_import_holidays_and_an_unknown_calendar_is_404(cast: Cast) -> None:
    calendar_id = create(cast.admin)["id"]
    assert_error(_import(cast.member, calendar_id, FEED), 403)
    assert_error(_import(cast.viewer, calendar_id, FEED), 403)
    assert_error(_import(cast.admin, 999_999, FEED), 404)


# --- extra working days -------------------------------------------------------------

CUTOVER = {"date": "2027-01-09", "name": "Cutover"}  # a Saturday


def test_extra_working_days_are_kept_in_date_order_and_read_back(cast: Cast, db: Session) -> None:
    extra = [CUTOVER, {"date": "2027-01-02", "name": ""}, {"date": "2027-01-03"}]
    body = create(cast.manager, extra_workdays=extra)
    assert body["extra_workdays"] == [
        {"date": "2027-01-02", "name": ""},
        {"date": "2027-01-03", "name": ""},
        {"date": "2027-01-09", "name": "Cutover"},
    ]
    assert len(body["holidays"]) == 2  # the holidays are their own list
    stored = db.get(Calendar, body["id"])
    assert stored is not None and stored.extra_workdays == body["extra_workdays"]
    fetched = cast.viewer.get(f"{URL}/{body['id']}")
    assert fetched.status_code == 200 and fetched.json() == body
    listed = cast.viewer.get(URL).json()["items"]
    assert listed[0]["extra_workdays"] == body["extra_workdays"]


def test_new_extra_working_days_replace_the_old_and_left_out_they_stay(cast: Cast) -> None:
    url = f"{URL}/{create(cast.admin, extra_workdays=[CUTOVER])['id']}"
    kept = cast.admin.patch(url, json={"description": "v2"}, headers={"If-Match": '"1"'})
    assert kept.status_code == 200, kept.text
    assert kept.json()["extra_workdays"] == [CUTOVER]

    replaced = cast.manager.patch(
        url,
        json={"extra_workdays": [{"date": "2027-01-16", "name": "Dress rehearsal"}]},
        headers={"If-Match": '"2"'},
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.headers["ETag"] == '"3"'
    body = replaced.json()
    assert body["extra_workdays"] == [{"date": "2027-01-16", "name": "Dress rehearsal"}]
    assert body["description"] == "v2" and len(body["holidays"]) == 2

    cleared = cast.manager.patch(url, json={"extra_workdays": []}).json()
    assert cleared["extra_workdays"] == [] and cleared["version"] == 4


def test_an_extra_working_day_on_a_worked_weekday_is_accepted(cast: Cast) -> None:
    wednesday = {"date": "2027-01-06", "name": "already worked"}
    body = create(cast.admin, extra_workdays=[wednesday])
    assert body["extra_workdays"] == [wednesday]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"extra_workdays": [CUTOVER, {"date": "2027-01-02"}, CUTOVER]}, "extra_workdays.2.date"),
        ({"extra_workdays": [{"date": "2027-02-30"}]}, "extra_workdays.0.date"),
        ({"extra_workdays": [{"date": "9 January"}]}, "extra_workdays.0.date"),
        ({"extra_workdays": [{"name": "no date"}]}, "extra_workdays.0.date"),
        ({"extra_workdays": [{"date": "2027-01-09", "colour": "red"}]}, "extra_workdays.0.colour"),
        ({"extra_workdays": [{"date": "2027-01-09", "name": "x" * 201}]}, "extra_workdays.0.name"),
        ({"extra_workdays": None}, "extra_workdays"),
    ],
)
def test_invalid_extra_working_days_are_422_naming_the_field(
    cast: Cast, fields: dict[str, Any], field: str
) -> None:
    error = assert_error(cast.admin.post(URL, json={**US_2027, **fields}), 422, "validation_failed")
    assert field in {d["field"] for d in error["details"]}, error
    assert cast.admin.get(URL).json()["total"] == 0


def test_a_date_both_a_holiday_and_an_extra_working_day_is_refused_naming_both(
    cast: Cast,
) -> None:
    both = [CUTOVER, {"date": "2027-05-31", "name": "Town fair"}]  # Memorial Day, a holiday
    error = assert_error(
        cast.admin.post(URL, json={**US_2027, "extra_workdays": both}), 422, "validation_failed"
    )
    assert error["details"] == [
        {
            "field": "extra_workdays.1.date",
            "message": "2027-05-31 is both a holiday (Memorial Day) "
            "and an extra working day (Town fair)",
        }
    ]

    url = f"{URL}/{create(cast.admin, extra_workdays=[CUTOVER])['id']}"
    # a new extra working day on a holiday the calendar has
    error = assert_error(
        cast.admin.patch(url, json={"extra_workdays": [CUTOVER, {"date": "2027-07-05"}]}), 422
    )
    assert error["details"][0]["field"] == "extra_workdays.1.date"
    assert "Independence Day (observed)" in error["details"][0]["message"]
    # a new holiday on an extra working day the calendar has: refused on the holiday
    holidays = [*US_2027["holidays"], {"date": "2027-01-09", "name": "Rest day"}]
    error = assert_error(cast.admin.patch(url, json={"holidays": holidays}), 422)
    assert error["details"][0]["field"] == "holidays.2.date"
    assert "holiday (Rest day) and an extra working day (Cutover)" in error["message"]
    # both changed at once: the holidays of the new list count
    moved = cast.admin.patch(
        url, json={"holidays": holidays, "extra_workdays": [{"date": "2027-01-16"}]}
    )
    assert moved.status_code == 200, moved.text
    assert [e["date"] for e in moved.json()["extra_workdays"]] == ["2027-01-16"]
    assert cast.admin.get(url).json()["version"] == 2


def test_at_most_five_thousand_extra_working_days(cast: Cast) -> None:
    start = date(2030, 1, 5)  # a Saturday: one a week, all distinct
    days = [{"date": (start + timedelta(weeks=k)).isoformat()} for k in range(5_001)]
    error = assert_error(cast.admin.post(URL, json={**US_2027, "extra_workdays": days}), 422)
    assert "extra_workdays" in {d["field"] for d in error["details"]}
    body = create(cast.admin, extra_workdays=days[:5_000])
    assert len(body["extra_workdays"]) == 5_000
    error = assert_error(
        cast.admin.patch(f"{URL}/{body['id']}", json={"extra_workdays": days}), 422
    )
    assert "extra_workdays" in {d["field"] for d in error["details"]}


@pytest.mark.parametrize("role", ROLES)
def test_only_admins_and_program_managers_or_owners_change_extra_working_days(
    cast: Cast, role: str
) -> None:
    url = f"{URL}/{create(cast.admin)['id']}"
    response = cast.by_role(role).patch(url, json={"extra_workdays": [CUTOVER]})
    if role in WRITERS:
        assert response.status_code == 200, response.text
        assert response.json()["extra_workdays"] == [CUTOVER]
    else:
        assert_error(response, 403, "forbidden")
        assert cast.admin.get(url).json()["extra_workdays"] == []
    created = cast.by_role(role).post(
        URL, json={**US_2027, "name": f"by {role}", "extra_workdays": [CUTOVER]}
    )
    assert created.status_code == (201 if role in WRITERS else 403), created.text


def test_extra_working_day_changes_are_audited(cast: Cast, db: Session) -> None:
    body = create(cast.manager, extra_workdays=[CUTOVER])
    cast.manager.patch(f"{URL}/{body['id']}", json={"extra_workdays": []})
    entries = db.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == "calendar").order_by(AuditEntry.id)
    ).all()
    assert entries[0].changes["extra_workdays"] == [None, [CUTOVER]]
    assert entries[1].changes == {"extra_workdays": [[CUTOVER], []]}


def test_an_extra_saturday_moves_the_program_finish_a_working_day_earlier(
    cast: Cast, net: Net
) -> None:
    """The network of tests/api/test_schedule.py, on a Mon–Fri calendar of its own:
    PLAT-1 (10 d) runs Mon 4 – Fri 15 Jan 2027, TRAIN-1 (5 d) Mon 18 – Fri 22 Jan.
    Working Saturday 9 Jan, PLAT-1's tenth day is Thu 14 Jan (4–8, 9, 11–14), and TRAIN-1
    runs Fri 15 – Thu 21 Jan (15, 18–21): the program finishes a working day earlier."""
    calendar = create(cast.admin, name="Cutover weekends", holidays=[])
    url = f"{URL}/{calendar['id']}"
    program = f"/api/v1/programs/{cast.program.id}"
    moved = cast.owner.patch(program, json={"calendar_id": calendar["id"]})
    assert moved.status_code == 200, moved.text

    def dates() -> tuple[str, str, str]:
        plat = cast.viewer.get(f"/api/v1/tasks/{net.plat['id']}").json()
        train = cast.viewer.get(f"/api/v1/tasks/{net.train['id']}").json()
        finish = cast.viewer.get(program).json()["scheduled_finish"]
        return plat["early_finish"], train["early_start"], finish

    assert dates() == ("2027-01-15", "2027-01-18", "2027-01-22")
    # a Wednesday is worked anyway: accepted, and nothing moves
    assert cast.admin.patch(url, json={"extra_workdays": [{"date": "2027-01-06"}]}).is_success
    assert dates() == ("2027-01-15", "2027-01-18", "2027-01-22")

    saturday = cast.manager.patch(url, json={"extra_workdays": [CUTOVER]})
    assert saturday.status_code == 200, saturday.text
    assert dates() == ("2027-01-14", "2027-01-15", "2027-01-21")

    # a Saturday after the work is done moves nothing; taking the cutover away moves it back
    cast.manager.patch(url, json={"extra_workdays": [{"date": "2027-01-30"}]})
    assert dates() == ("2027-01-15", "2027-01-18", "2027-01-22")


def test_a_holiday_file_with_a_day_the_calendar_works_extra_is_refused_whole(cast: Cast) -> None:
    calendar_id = create(cast.admin, extra_workdays=[{"date": "2027-11-26", "name": "Stock"}])["id"]
    error = assert_error(_import(cast.admin, calendar_id, FEED), 422, "validation_failed")
    assert error["details"] == [
        {
            "field": "holidays",
            "message": "2027-11-26 is both a holiday (Thanksgiving) and an extra working day "
            "(Stock): remove the extra working day first",
        }
    ]
    body = cast.admin.get(f"{URL}/{calendar_id}").json()
    assert body["version"] == 1 and len(body["holidays"]) == 2

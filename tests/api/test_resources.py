"""Resources API: the shared catalog, time off, versions, who may change it, and the load."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.models import Assignment, AuditEntry, Resource
from tests.api.conftest import ROLES, Cast, link, post_created
from tests.api.test_programs import NEW_PROGRAM
from tests.factories import ApiUser, assert_error, make_program, make_project, make_task

URL = "/api/v1/resources"

ANA = {
    "key": "ana",
    "name": "Ana Lima",
    "kind": "person",
    "description": "Cloud architect",
    "capacity": 1.0,
    "hours_per_day": 8.0,
    "cost_rate": 90.0,
}


def create(api: ApiUser, **fields: Any) -> dict[str, Any]:
    return post_created(api, URL, {**ANA, **fields})


@dataclass
class Contest:
    """PLAT-1 (5 days) and SEC-1 (3 days) both need Ana from Mon 4 Jan 2027; SEC-1 feeds
    milestone M1 (target Fri 8 Jan)."""

    ana: dict[str, Any]
    plat: dict[str, Any]
    sec: dict[str, Any]
    m1: dict[str, Any]
    assignments: list[dict[str, Any]]


def contest(cast: Cast) -> Contest:
    m = cast.manager
    pid = cast.program.id
    # over-allocations are alerted from the status date on (today without one): the plan
    # is dated, so its status date is too, and the alerts do not depend on today's date
    dated = cast.owner.patch(f"/api/v1/programs/{pid}", json={"status_date": "2027-01-04"})
    assert dated.status_code == 200, dated.text
    plat_project, sec_project = (
        post_created(m, "/api/v1/projects", {"program_id": pid, "key": key, "name": key.title()})
        for key in ("PLAT", "SEC")
    )
    plat = post_created(
        m, "/api/v1/tasks", {"project_id": plat_project["id"], "name": "Pilot", "duration": 5}
    )
    sec = post_created(
        m, "/api/v1/tasks", {"project_id": sec_project["id"], "name": "Threat model", "duration": 3}
    )
    m1 = post_created(
        m,
        "/api/v1/milestones",
        {"program_id": pid, "key": "M1", "name": "Secure", "target_date": "2027-01-08"},
    )
    link(m, ("task", sec["id"]), ("milestone", m1["id"]))
    ana = create(m)
    made = [
        post_created(m, "/api/v1/assignments", {"task_id": t["id"], "resource_id": ana["id"]})
        for t in (plat, sec)
    ]
    return Contest(ana, plat, sec, m1, made)


# --- creating and reading ------------------------------------------------------


def test_a_resource_keeps_its_fields_and_its_time_off_in_date_order(cast: Cast) -> None:
    response = cast.manager.post(
        URL,
        json={
            **ANA,
            "time_off": [
                {"start": "2027-08-02", "finish": "2027-08-13", "note": "Summer"},
                {"start": "2027-04-05", "finish": "2027-04-05"},
            ],
        },
    )
    assert response.status_code == 201, response.text
    assert response.headers["ETag"] == '"1"'
    body = response.json()
    assert {k: body[k] for k in (*ANA, "calendar_id", "user_id", "active", "version")} == {
        **ANA,
        "calendar_id": None,
        "user_id": None,
        "active": True,
        "version": 1,
    }
    assert body["time_off"] == [
        {"start": "2027-04-05", "finish": "2027-04-05", "note": ""},
        {"start": "2027-08-02", "finish": "2027-08-13", "note": "Summer"},
    ]
    fetched = cast.outsider.get(f"{URL}/{body['id']}")
    assert fetched.status_code == 200 and fetched.json() == body
    assert fetched.headers["ETag"] == '"1"'


def test_time_off_in_overlapping_periods_counts_each_day_once(cast: Cast) -> None:
    # twice the same nine years: 3,288 days off, within the limit of 3,660
    nine_years = {"start": "2027-01-01", "finish": "2035-12-31"}
    body = create(cast.manager, time_off=[nine_years, {**nine_years, "note": "again"}])
    assert len(body["time_off"]) == 2


def test_defaults_are_a_full_time_person_of_eight_hours(cast: Cast) -> None:
    body = post_created(cast.admin, URL, {"key": "lab", "name": "Test lab"})
    assert (body["kind"], body["capacity"], body["hours_per_day"], body["cost_rate"]) == (
        "person",
        1.0,
        8.0,
        0.0,
    )
    assert body["time_off"] == [] and body["active"] is True


def test_a_resource_links_a_calendar_and_a_user_account(cast: Cast) -> None:
    calendar = post_created(cast.admin, "/api/v1/calendars", {"name": "four days"})
    body = create(cast.admin, calendar_id=calendar["id"], user_id=cast.member.user.id)
    assert (body["calendar_id"], body["user_id"]) == (calendar["id"], cast.member.user.id)
    # one account, one resource: refused on another, kept on its own
    taken = {**ANA, "key": "z", "user_id": cast.member.user.id}
    error = assert_error(cast.admin.post(URL, json=taken), 409, "account_taken")
    assert "already linked to resource ana (Ana Lima)" in error["message"]
    other = create(cast.admin, key="w")["id"]
    again = {"user_id": cast.member.user.id}
    assert_error(cast.admin.patch(f"{URL}/{other}", json=again), 409, "account_taken")
    assert cast.admin.patch(f"{URL}/{body['id']}", json=again).status_code == 200
    error = assert_error(cast.admin.post(URL, json={**ANA, "key": "x", "user_id": 999999}), 422)
    assert error["details"][0]["field"] == "user_id"
    error = assert_error(cast.admin.post(URL, json={**ANA, "key": "y", "calendar_id": 999999}), 422)
    assert error["details"][0]["field"] == "calendar_id"


@pytest.mark.parametrize("role", ROLES)
def test_everyone_signed_in_lists_and_reads_resources(cast: Cast, role: str) -> None:
    resource = create(cast.admin)
    listed = cast.by_role(role).get(URL)
    assert listed.status_code == 200, listed.text
    assert [r["key"] for r in listed.json()["items"]] == ["ana"]
    assert cast.by_role(role).get(f"{URL}/{resource['id']}").status_code == 200


def test_the_list_filters_by_text_kind_activity_and_program_and_pages(cast: Cast) -> None:
    setup = contest(cast)
    create(cast.admin, key="devops", name="DevOps team", kind="team", capacity=3)
    create(cast.admin, key="lab", name="Migration test lab", kind="equipment")
    create(cast.admin, key="bo", name="Bo Chen", active=False)

    def keys(**params: Any) -> list[str]:
        response = cast.viewer.get(URL, params=params)
        assert response.status_code == 200, response.text
        return [r["key"] for r in response.json()["items"]]

    assert keys() == ["ana", "bo", "devops", "lab"]  # by name
    assert keys(q="LAB") == ["lab"] and keys(q="devops") == ["devops"]
    assert keys(kind="team") == ["devops"]
    assert keys(active="false") == ["bo"]
    assert keys(active="true", kind="person") == ["ana"]
    assert keys(program_id=cast.program.id) == [setup.ana["key"]]
    page = cast.viewer.get(URL, params={"limit": 2, "offset": 1}).json()
    assert (page["total"], page["limit"], page["offset"]) == (4, 2, 1)
    assert [r["key"] for r in page["items"]] == ["bo", "devops"]
    # a search is for the text typed: % and _ are characters, not wildcards
    create(cast.admin, key="q_a", name="100% QA rig", kind="equipment")
    assert keys(q="%") == ["q_a"] and keys(q="_") == ["q_a"] and keys(q="n_a") == []


@pytest.mark.parametrize(
    "params",
    [{"kind": "robot"}, {"active": "maybe"}, {"program_id": 0}, {"q": "a\x00"}, {"limit": 0}],
)
def test_bad_list_filters_are_422(cast: Cast, params: dict[str, Any]) -> None:
    assert_error(cast.viewer.get(URL, params=params), 422, "validation_failed")


def test_listing_who_works_in_a_program_needs_its_sight(cast: Cast) -> None:
    contest(cast)
    for program_id in (cast.program.id, 999_999):
        response = cast.outsider.get(URL, params={"program_id": program_id})
        assert_error(response, 404, "not_found")
    assert cast.admin.get(URL, params={"program_id": 999_999}).status_code == 404


@pytest.mark.parametrize("offset", [2**31, 2**63, 10**30])
def test_an_offset_past_any_id_is_422_on_every_list(cast: Cast, offset: int) -> None:
    for url in (
        URL,
        "/api/v1/assignments",
        "/api/v1/calendars",
        f"/api/v1/programs/{cast.program.id}/alerts",
    ):
        assert_error(cast.admin.get(url, params={"offset": offset}), 422, "validation_failed")


def test_unknown_resources_are_404(cast: Cast) -> None:
    for response in (
        cast.admin.get(f"{URL}/999999"),
        cast.admin.patch(f"{URL}/999999", json={"name": "x"}),
        cast.admin.delete(f"{URL}/999999"),
        cast.admin.get(f"{URL}/999999/load"),
        cast.admin.get(f"{URL}/999999/assignments"),
    ):
        assert_error(response, 404, "not_found")
    # one who may change no resource is told so first, whichever id is asked for
    for response in (
        cast.member.patch(f"{URL}/999999", json={"name": "x"}),
        cast.member.delete(f"{URL}/999999"),
    ):
        assert_error(response, 403, "forbidden")
    assert_error(cast.admin.get(f"{URL}/{2**40}"), 422, "validation_failed")


# --- refusals ----------------------------------------------------------------


def test_a_key_in_use_is_409_ignoring_case(cast: Cast) -> None:
    create(cast.admin)
    other = create(cast.admin, key="bo", name="Bo Chen")
    error = assert_error(cast.admin.post(URL, json={**ANA, "key": "ANA"}), 409, "duplicate_key")
    assert error["details"] == {"field": "key"}
    assert_error(cast.admin.patch(f"{URL}/{other['id']}", json={"key": "Ana"}), 409)
    assert cast.admin.patch(f"{URL}/{other['id']}", json={"key": "BO"}).json()["key"] == "BO"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"key": ""}, "key"),
        ({"key": "has space"}, "key"),
        ({"key": "x" * 41}, "key"),
        ({"name": ""}, "name"),
        ({"name": "nul\x00"}, "name"),
        ({"description": "nul\x00"}, "description"),
        ({"kind": "robot"}, "kind"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": -1}, "capacity"),
        ({"hours_per_day": 25}, "hours_per_day"),
        ({"hours_per_day": 0}, "hours_per_day"),
        ({"cost_rate": -5}, "cost_rate"),
        ({"calendar_id": 0}, "calendar_id"),
        ({"time_off": [{"start": "2027-02-30", "finish": "2027-03-01"}]}, "time_off.0.start"),
        ({"time_off": [{"start": "2027-03-01"}]}, "time_off.0.finish"),
        (
            {"time_off": [{"start": "2027-03-01", "finish": "2027-03-02", "why": "x"}]},
            "time_off.0.why",
        ),
        (
            {"time_off": [{"start": "2027-03-01", "finish": "2027-03-02", "note": "\x00"}]},
            "time_off.0.note",
        ),
        ({"time_off": [{"start": "2027-03-05", "finish": "2027-03-01"}]}, "time_off.0.finish"),
        # more than ten years of time off in all (each day is a holiday of its calendar)
        ({"time_off": [{"start": "2000-01-01", "finish": "9999-12-31"}]}, "time_off"),
        (
            {
                "time_off": [
                    {"start": f"{y}-01-01", "finish": f"{y}-12-31"} for y in range(2027, 2038)
                ]
            },
            "time_off",
        ),
        ({"capcity": 2}, "capcity"),
    ],
)
def test_invalid_resources_are_422_naming_the_field(
    cast: Cast, fields: dict[str, Any], field: str
) -> None:
    error = assert_error(cast.admin.post(URL, json={**ANA, **fields}), 422, "validation_failed")
    assert field in {d["field"] for d in error["details"]}, error


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": None}, "name"),
        ({"capacity": None}, "capacity"),
        ({"time_off": None}, "time_off"),
        ({"active": None}, "active"),
        ({"hours_per_day": 30}, "hours_per_day"),
        ({"version": 3}, "version"),
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
        URL, content=b'{"key": ', headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "malformed_json")


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_requests_without_credentials_are_401(cast: Cast, method: str) -> None:
    assert_error(cast.admin.client.request(method, URL, json={}), 401, "unauthorized")


# --- changing ----------------------------------------------------------------


def test_new_time_off_replaces_the_old_and_other_fields_stay(cast: Cast) -> None:
    away = [{"start": "2027-01-11", "finish": "2027-01-12"}]
    url = f"{URL}/{create(cast.manager, time_off=away)['id']}"
    response = cast.manager.patch(
        url,
        json={
            "time_off": [{"start": "2027-12-20", "finish": "2027-12-31", "note": "Holidays"}],
            "cost_rate": 95,
        },
        headers={"If-Match": '"1"'},
    )
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == '"2"'
    body = response.json()
    assert body["time_off"] == [{"start": "2027-12-20", "finish": "2027-12-31", "note": "Holidays"}]
    assert (body["cost_rate"], body["description"], body["version"]) == (95, "Cloud architect", 2)
    cleared = cast.manager.patch(url, json={"calendar_id": None, "user_id": None})
    assert cleared.status_code == 200 and cleared.json()["calendar_id"] is None


def test_time_off_pauses_the_assigned_task_and_the_schedule_moves(cast: Cast) -> None:
    setup = contest(cast)
    url = f"{URL}/{setup.ana['id']}"
    # Ana is off Tue 5 and Wed 6: the 3-day SEC-1 now runs Mon 4, Thu 7, Fri 8
    response = cast.manager.patch(
        url, json={"time_off": [{"start": "2027-01-05", "finish": "2027-01-06"}]}
    )
    assert response.status_code == 200, response.text
    sec = cast.viewer.get(f"/api/v1/tasks/{setup.sec['id']}").json()
    assert (sec["early_start"], sec["early_finish"]) == ("2027-01-04", "2027-01-08")


def test_capacity_below_an_assignments_units_is_422(cast: Cast) -> None:
    setup = contest(cast)
    error = assert_error(
        cast.manager.patch(f"{URL}/{setup.ana['id']}", json={"capacity": 0.5}), 422
    )
    assert error["details"] == [{"field": "capacity", "message": "at least 1"}]


def test_stale_if_match_is_412_and_changes_nothing(cast: Cast) -> None:
    url = f"{URL}/{create(cast.admin)['id']}"
    assert (
        cast.admin.patch(url, json={"name": "Ana L."}, headers={"If-Match": '"1"'}).status_code
        == 200
    )
    assert_error(
        cast.admin.patch(url, json={"capacity": 2}, headers={"If-Match": '"1"'}),
        412,
        "stale_version",
    )
    assert_error(cast.admin.delete(url, headers={"If-Match": '"1"'}), 412, "stale_version")
    assert_error(cast.admin.delete(url, headers={"If-Match": "two"}), 400, "bad_request")
    current = cast.admin.get(url).json()
    assert (current["name"], current["capacity"], current["version"]) == ("Ana L.", 1.0, 2)


def test_changes_are_audited_outside_any_program(cast: Cast, db: Session) -> None:
    url = f"{URL}/{create(cast.manager)['id']}"
    cast.manager.patch(url, json={"capacity": 0.8})
    cast.manager.delete(url)
    entries = db.scalars(
        select(AuditEntry).where(AuditEntry.entity_type == "resource").order_by(AuditEntry.id)
    ).all()
    assert [(e.action, e.program_id, e.user_email) for e in entries] == [
        ("create", None, "manager@example.com"),
        ("update", None, "manager@example.com"),
        ("delete", None, "manager@example.com"),
    ]
    assert entries[1].changes == {"capacity": [1.0, 0.8]}


# --- deleting ----------------------------------------------------------------


def test_deleting_an_unassigned_resource(cast: Cast, db: Session) -> None:
    body = create(cast.admin)
    url = f"{URL}/{body['id']}"
    assert cast.admin.delete(url, headers={"If-Match": '"1"'}).status_code == 204
    assert_error(cast.admin.get(url), 404)
    assert db.get(Resource, body["id"]) is None


def test_deleting_a_resource_in_use_is_409_counting_its_assignments(cast: Cast) -> None:
    setup = contest(cast)
    error = assert_error(cast.manager.delete(f"{URL}/{setup.ana['id']}"), 409, "resource_in_use")
    assert "2 in CLOUD" in error["message"]
    assert error["details"] == {"assignments": {"CLOUD": 2}, "hidden": 0}
    assert cast.manager.get(f"{URL}/{setup.ana['id']}").status_code == 200
    # the manager of another program learns how many, not where
    started = cast.outsider.post("/api/v1/programs", json={**NEW_PROGRAM, "key": "MINE"})
    assert started.status_code == 201, started.text
    error = assert_error(cast.outsider.delete(f"{URL}/{setup.ana['id']}"), 409, "resource_in_use")
    assert error["details"] == {"assignments": {}, "hidden": 2}
    assert "CLOUD" not in error["message"] and "2 in programs you cannot see" in error["message"]


# --- who may change resources ------------------------------------------------------


def test_a_person_other_programs_assign_is_changed_by_their_managers_only(cast: Cast) -> None:
    """Anyone may start a program and so manage one: that must not let them move the
    schedules of programs that book the person, or tie the person to their account."""
    setup = contest(cast)
    ana = f"{URL}/{setup.ana['id']}"
    own = {**NEW_PROGRAM, "key": "MINE"}
    for client in (cast.outsider, cast.member):
        started = client.post("/api/v1/programs", json=own | {"key": f"P{client.user.id}"})
        assert started.status_code == 201, started.text
    away = {"time_off": [{"start": "2027-01-04", "finish": "2027-06-30"}]}
    error = assert_error(cast.outsider.patch(ana, json=away), 403, "forbidden")
    assert error["details"] == {"programs": [], "hidden": 1} and "CLOUD" not in error["message"]
    member_id = cast.member.get("/api/v1/users/me").json()["id"]
    error = assert_error(cast.member.patch(ana, json={"user_id": member_id}), 403, "forbidden")
    assert error["details"] == {"programs": ["CLOUD"], "hidden": 0}
    after = cast.viewer.get(ana).json()
    assert after["time_off"] == [] and after["user_id"] is None and after["version"] == 1
    assert cast.manager.patch(ana, json={"cost_rate": 90}).status_code == 200
    lab = create(cast.outsider, key="lab", name="Test lab", kind="equipment")
    assert cast.outsider.patch(f"{URL}/{lab['id']}", json={"capacity": 2}).status_code == 200


WRITERS = {"admin", "owner", "manager"}


@pytest.mark.parametrize("role", ROLES)
def test_admins_and_program_managers_or_owners_create_resources(cast: Cast, role: str) -> None:
    response = cast.by_role(role).post(URL, json=ANA)
    if role in WRITERS:
        assert response.status_code == 201, response.text
    else:
        assert_error(response, 403, "forbidden")


@pytest.mark.parametrize("role", ROLES)
def test_admins_and_program_managers_or_owners_change_resources(cast: Cast, role: str) -> None:
    url = f"{URL}/{create(cast.admin)['id']}"
    response = cast.by_role(role).patch(url, json={"capacity": 2})
    assert response.status_code == (200 if role in WRITERS else 403), response.text


@pytest.mark.parametrize("role", ROLES)
def test_admins_and_program_managers_or_owners_delete_resources(cast: Cast, role: str) -> None:
    url = f"{URL}/{create(cast.admin)['id']}"
    response = cast.by_role(role).delete(url)
    assert response.status_code == (204 if role in WRITERS else 403), response.text


# --- load --------------------------------------------------------------------


def test_two_projects_competing_for_one_person_load_her_at_200_percent(cast: Cast) -> None:
    setup = contest(cast)
    response = cast.viewer.get(
        f"{URL}/{setup.ana['id']}/load",
        params={"period": "day", "start": "2027-01-04", "finish": "2027-01-08"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["resource"]["key"] == "ana" and body["period"] == "day"
    assert (body["start"], body["finish"]) == ("2027-01-04", "2027-01-08")
    assert [
        (b["start"], b["demand"], b["capacity"], b["utilization"], b["over_allocated_days"])
        for b in body["buckets"]
    ] == [
        ("2027-01-04", 2.0, 1.0, 2.0, 1),
        ("2027-01-05", 2.0, 1.0, 2.0, 1),
        ("2027-01-06", 2.0, 1.0, 2.0, 1),
        ("2027-01-07", 1.0, 1.0, 1.0, 0),
        ("2027-01-08", 1.0, 1.0, 1.0, 0),
    ]
    assert body["over_allocated_days"] == 3
    [overload] = body["overloads"]
    assert {k: overload[k] for k in ("start", "finish", "days", "peak_demand", "capacity")} == {
        "start": "2027-01-04",
        "finish": "2027-01-06",
        "days": 3,
        "peak_demand": 2.0,
        "capacity": 1.0,
    }
    assert sorted(t["key"] for t in overload["tasks"]) == ["PLAT-1", "SEC-1"]
    assert overload["hidden_tasks"] == 0
    assert sorted((t["key"], t["project_key"], t["program_key"]) for t in body["tasks"]) == [
        ("PLAT-1", "PLAT", "CLOUD"),
        ("SEC-1", "SEC", "CLOUD"),
    ]


def test_the_weekly_load_sums_the_days(cast: Cast) -> None:
    setup = contest(cast)
    body = cast.viewer.get(
        f"{URL}/{setup.ana['id']}/load",
        params={"start": "2027-01-04", "finish": "2027-01-15"},
    ).json()
    assert body["period"] == "week"
    assert [
        (b["start"], b["demand"], b["capacity"], b["over_allocated_days"]) for b in body["buckets"]
    ] == [("2027-01-04", 8.0, 5.0, 3), ("2027-01-11", 0.0, 5.0, 0)]


def test_a_week_reads_the_same_on_the_resources_page_and_the_programs(cast: Cast) -> None:
    """A booking from Wednesday to Thursday: two days of a five-day week, on both (the
    resource's load used to cut the week to the booked days: 100 %)."""
    setup = contest(cast)
    bo = create(cast.admin, key="bo", name="Bo Chen")
    mid = post_created(
        cast.manager,
        "/api/v1/tasks",
        {
            "project_id": setup.plat["project_id"],
            "name": "Midweek check",
            "duration": 2,
            "constraint_type": "snet",
            "constraint_date": "2027-01-06",
        },
    )
    post_created(
        cast.manager, "/api/v1/assignments", {"task_id": mid["id"], "resource_id": bo["id"]}
    )
    for period, first in (("week", "2027-01-04"), ("month", "2027-01-01")):
        own = cast.viewer.get(f"{URL}/{bo['id']}/load", params={"period": period}).json()
        program = cast.viewer.get(
            f"/api/v1/programs/{cast.program.id}/resource-load", params={"period": period}
        ).json()
        (row,) = [r for r in program["resources"] if r["resource"]["key"] == "bo"]
        seen = {b["start"]: b for b in row["buckets"]}
        (bucket,) = own["buckets"]
        assert own["start"] == first and bucket["start"] == first
        assert bucket["demand"] == 2.0 and bucket["capacity"] == (5.0 if period == "week" else 21.0)
        assert seen[first]["utilization"] == bucket["utilization"] < 1


def test_tasks_of_programs_the_reader_cannot_see_count_but_are_not_named(
    cast: Cast, db: Session
) -> None:
    setup = contest(cast)
    other = make_program(db, key="SECRET")
    project = make_project(db, other, "OPS")
    hidden = make_task(
        db, project, "OPS-1", early_start=date(2027, 1, 4), early_finish=date(2027, 1, 8)
    )
    db.add(Assignment(program_id=other.id, task_id=hidden.id, resource_id=setup.ana["id"]))
    db.commit()
    body = cast.viewer.get(
        f"{URL}/{setup.ana['id']}/load",
        params={"period": "day", "start": "2027-01-04", "finish": "2027-01-08"},
    ).json()
    assert [b["demand"] for b in body["buckets"]] == [3.0, 3.0, 3.0, 2.0, 2.0]
    assert body["hidden_tasks"] == 1 and "OPS-1" not in str(body)
    assert body["overloads"][0]["hidden_tasks"] == 1
    admin_view = cast.admin.get(f"{URL}/{setup.ana['id']}/load").json()
    assert admin_view["hidden_tasks"] == 0 and "OPS-1" in str(admin_view)


def test_an_unassigned_resource_has_an_empty_load(cast: Cast) -> None:
    body = cast.viewer.get(f"{URL}/{create(cast.admin)['id']}/load").json()
    assert body["tasks"] == [] and body["overloads"] == [] and body["over_allocated_days"] == 0


@pytest.mark.parametrize(
    "params",
    [
        {"period": "year"},
        {"start": "2027-02-30"},
        {"start": "2027-01-01", "finish": "2040-01-01"},
        {"start": "2027-02-01", "finish": "2027-01-01"},
    ],
)
def test_bad_load_queries_are_422(cast: Cast, params: dict[str, Any]) -> None:
    url = f"{URL}/{create(cast.admin)['id']}/load"
    assert_error(cast.viewer.get(url, params=params), 422)

"""Programs API: CRUD, goal, members, audit, versions, errors and the permission matrix."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import ROLES, Cast
from tests.factories import assert_error

NEW_PROGRAM = {
    "key": "DATA",
    "name": "Data platform",
    "start_date": "2027-02-01",
    "goal": {
        "outcome": "Migrate all client environments to the cloud",
        "measure": "support tickets per month",
        "unit": "tickets",
        "baseline_value": 1200,
        "target_value": 840,
        "target_date": "2027-12-17",
    },
}


def test_created_program_carries_its_structured_goal_and_makes_creator_owner(cast: Cast) -> None:
    created = cast.member.post("/api/v1/programs", json=NEW_PROGRAM)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["goal"]["target_value"] == 840
    assert body["goal"]["target_date"] == "2027-12-17"
    assert created.headers["ETag"] == '"1"'
    members = cast.member.get(f"/api/v1/programs/{body['id']}/members").json()["items"]
    assert [(m["email"], m["role"]) for m in members] == [("member@example.com", "owner")]


def test_list_shows_only_programs_the_user_belongs_to(cast: Cast) -> None:
    cast.outsider.post("/api/v1/programs", json=NEW_PROGRAM)
    viewer_keys = [p["key"] for p in cast.viewer.get("/api/v1/programs").json()["items"]]
    outsider_keys = [p["key"] for p in cast.outsider.get("/api/v1/programs").json()["items"]]
    admin_keys = [p["key"] for p in cast.admin.get("/api/v1/programs").json()["items"]]
    assert viewer_keys == ["CLOUD"]
    assert outsider_keys == ["DATA"]
    assert admin_keys == ["CLOUD", "DATA"]


def test_list_is_paginated_and_filterable(cast: Cast) -> None:
    for i in range(3):
        cast.owner.post(
            "/api/v1/programs", json={**NEW_PROGRAM, "key": f"X{i}", "name": f"Extra {i}"}
        )
    page = cast.owner.get("/api/v1/programs", params={"limit": 2, "offset": 1}).json()
    assert page["total"] == 4 and page["limit"] == 2 and page["offset"] == 1
    assert [p["key"] for p in page["items"]] == ["X0", "X1"]
    found = cast.owner.get("/api/v1/programs", params={"q": "extra 2"}).json()
    assert [p["key"] for p in found["items"]] == ["X2"]


def test_unknown_program_and_invisible_program_are_both_404(cast: Cast) -> None:
    assert_error(cast.owner.get("/api/v1/programs/999999"), 404, "not_found")
    assert_error(cast.outsider.get(f"/api/v1/programs/{cast.program.id}"), 404, "not_found")


def test_update_with_stale_if_match_is_412_and_changes_nothing(cast: Cast) -> None:
    url = f"/api/v1/programs/{cast.program.id}"
    first = cast.owner.patch(url, json={"name": "Renamed"}, headers={"If-Match": '"1"'})
    assert first.status_code == 200 and first.headers["ETag"] == '"2"'
    stale = cast.owner.patch(url, json={"name": "Lost update"}, headers={"If-Match": '"1"'})
    assert_error(stale, 412, "stale_version")
    assert cast.owner.get(url).json()["name"] == "Renamed"


def test_partial_goal_update_keeps_the_other_goal_fields(cast: Cast) -> None:
    url = f"/api/v1/programs/{cast.program.id}"
    cast.owner.patch(url, json={"goal": NEW_PROGRAM["goal"]})
    cast.owner.patch(url, json={"goal": {"target_value": 800}})
    goal = cast.owner.get(url).json()["goal"]
    assert goal["target_value"] == 800 and goal["baseline_value"] == 1200


def test_audit_log_records_field_changes_with_old_and_new(cast: Cast) -> None:
    url = f"/api/v1/programs/{cast.program.id}"
    cast.owner.patch(url, json={"name": "Cloud migration 2027"})
    entries = cast.viewer.get(f"{url}/audit").json()["items"]
    latest = entries[0]
    assert latest["action"] == "update" and latest["user_email"] == "owner@example.com"
    assert latest["changes"]["name"] == ["Cloud migration", "Cloud migration 2027"]
    assert entries[-1]["action"] == "create"


def test_duplicate_key_is_409(cast: Cast) -> None:
    assert_error(
        cast.owner.post("/api/v1/programs", json={**NEW_PROGRAM, "key": "CLOUD"}), 409, "conflict"
    )


def test_invalid_fields_are_422_naming_the_field(cast: Cast) -> None:
    error = assert_error(
        cast.owner.post(
            "/api/v1/programs", json={**NEW_PROGRAM, "start_date": "not a date", "colour": "red"}
        ),
        422,
        "validation_failed",
    )
    fields = {d["field"] for d in error["details"]}
    assert {"start_date", "colour"} <= fields


def test_malformed_json_is_400(cast: Cast) -> None:
    response = cast.owner.post(
        "/api/v1/programs", content=b'{"key": "X",', headers={"Content-Type": "application/json"}
    )
    error = assert_error(response, 400, "malformed_json")
    (detail,) = error["details"]
    assert detail["field"] == "body" and detail["position"] == 12
    assert detail["message"].startswith("Expecting")


@pytest.mark.parametrize("header", [None, "Bearer nope", "Basic abc"])
def test_missing_or_invalid_credentials_are_401(
    app_client: TestClient, cast: Cast, header: str | None
) -> None:
    headers = {"Authorization": header} if header else {}
    assert_error(app_client.get("/api/v1/programs", headers=headers), 401, "unauthorized")


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("owner", 200),
        ("admin", 200),
        ("manager", 403),
        ("member", 403),
        ("viewer", 403),
        ("outsider", 404),
    ],
)
def test_only_owners_and_admins_edit_the_program(cast: Cast, role: str, expected: int) -> None:
    response = cast.by_role(role).patch(
        f"/api/v1/programs/{cast.program.id}", json={"description": "x"}
    )
    assert response.status_code == expected, response.text


@pytest.mark.parametrize("role", ROLES)
def test_only_owners_and_admins_manage_members(cast: Cast, role: str) -> None:
    response = cast.by_role(role).post(
        f"/api/v1/programs/{cast.program.id}/members",
        json={"email": "outsider@example.com", "role": "viewer"},
    )
    expected = {"owner": 201, "admin": 201, "outsider": 404}.get(role, 403)
    assert response.status_code == expected, response.text


def test_last_owner_cannot_be_demoted_or_removed(cast: Cast) -> None:
    owner_id = cast.owner.user.id
    url = f"/api/v1/programs/{cast.program.id}/members/{owner_id}"
    assert_error(cast.owner.patch(url, json={"role": "viewer"}), 409)
    assert_error(cast.owner.delete(url), 409)


def test_a_non_member_is_named_by_email_in_the_404(cast: Cast) -> None:
    outsider = cast.outsider.user
    url = f"/api/v1/programs/{cast.program.id}/members/{outsider.id}"
    error = assert_error(cast.owner.patch(url, json={"role": "viewer"}), 404)
    assert error["message"] == f"{outsider.email} is not a member of program {cast.program.key}"


def test_a_program_is_closed_with_its_retrospective_not_by_a_patch(cast: Cast) -> None:
    url = f"/api/v1/programs/{cast.program.id}"
    closing = cast.owner.patch(url, json={"status": "closed"})
    assert_error(closing, 409, "close_with_retrospective")
    assert cast.owner.get(url).json()["status"] == "active"
    closed = cast.owner.post(f"{url}/close", json={})
    assert closed.status_code == 200, closed.text
    # closed, its settings wait for a reopening; its status alone reopens it
    moved = cast.owner.patch(url, json={"start_date": "2030-01-07", "name": "Renamed"})
    error = assert_error(moved, 409, "program_closed")
    assert error["details"]["fields"] == ["name", "start_date"]
    assert cast.owner.patch(url, json={"status": "active"}).status_code == 200
    assert cast.owner.patch(url, json={"name": "Renamed"}).json()["name"] == "Renamed"


def test_a_status_date_given_at_creation_is_in_the_history(cast: Cast) -> None:
    made = cast.owner.post(
        "/api/v1/programs",
        json={
            "key": "DATED",
            "name": "Dated",
            "start_date": "2027-01-04",
            "status_date": "2027-02-01",
        },
    )
    assert made.status_code == 201, made.text
    audit = cast.owner.get(f"/api/v1/programs/{made.json()['id']}/audit").json()["items"]
    created = next(e for e in audit if e["entity_type"] == "program" and e["action"] == "create")
    assert created["changes"]["status_date"] == [None, "2027-02-01"]


def test_deleting_a_program_removes_it(cast: Cast) -> None:
    url = f"/api/v1/programs/{cast.program.id}"
    assert cast.manager.delete(url).status_code == 403
    assert cast.owner.delete(url).status_code == 204
    assert_error(cast.owner.get(url), 404)


def test_unknown_route_is_a_json_404(cast: Cast) -> None:
    assert_error(cast.owner.get("/api/v1/nowhere"), 404)


def test_nul_characters_are_422_on_every_database(cast: Cast) -> None:
    response = cast.owner.post("/api/v1/programs", json={**NEW_PROGRAM, "name": "a\u0000b"})
    error = assert_error(response, 422, "validation_failed")
    assert error["details"][0]["field"] == "name"


@pytest.mark.parametrize("name", ["\x1b[31mRED\x1b[0m", "ring\x07", "back\x08space", "del\x7f"])
def test_control_characters_are_refused_but_tabs_and_line_breaks_are_text(
    cast: Cast, name: str
) -> None:
    response = cast.owner.post("/api/v1/programs", json={**NEW_PROGRAM, "name": name})
    error = assert_error(response, 422, "validation_failed")
    assert error["details"][0]["message"].endswith("only tabs and line breaks)")
    url = f"/api/v1/programs/{cast.program.id}"
    text = "line one\r\nline two\tand a tab"
    assert cast.owner.patch(url, json={"description": text}).json()["description"] == text


def test_an_id_too_large_for_the_database_is_a_clear_error_not_a_500(cast: Cast) -> None:
    response = cast.owner.get("/api/v1/programs/99999999999999")
    assert response.status_code in (404, 422), response.text
    assert set(response.json()["error"]) == {"code", "message", "details"}


def test_a_program_is_not_created_closed(cast: Cast) -> None:
    before = cast.member.get("/api/v1/programs").json()["total"]
    made = cast.member.post("/api/v1/programs", json={**NEW_PROGRAM, "status": "closed"})
    assert_error(made, 409, "close_with_retrospective")
    assert cast.member.get("/api/v1/programs").json()["total"] == before


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e300"])
def test_a_goal_value_is_a_finite_number(cast: Cast, value: str) -> None:
    url = f"/api/v1/programs/{cast.program.id}"
    raw = '{"goal": {"target_value": VALUE}}'.replace("VALUE", value)
    headers = {"Content-Type": "application/json"}
    error = assert_error(cast.owner.patch(url, content=raw, headers=headers), 422)
    assert error["details"][0]["field"] == "goal.target_value"
    body = '{"key": "X", "name": "X", "start_date": "2027-02-01", "goal": {"baseline_value": V}}'
    body = body.replace("V}", value + "}")
    made = cast.member.post("/api/v1/programs", content=body, headers=headers)
    assert_error(made, 422)
    assert cast.owner.get(url).json()["goal"]["target_value"] is None


def test_removing_a_member_checks_the_version_it_was_read_at(cast: Cast) -> None:
    url = f"/api/v1/programs/{cast.program.id}/members/{cast.viewer.user.id}"
    changed = cast.owner.patch(url, json={"role": "member"})
    assert changed.status_code == 200 and changed.headers["ETag"] == '"2"'
    assert_error(cast.owner.delete(url, headers={"If-Match": '"1"'}), 412, "stale_version")
    assert_error(cast.owner.delete(url, headers={"If-Match": "garbage"}), 400)
    assert cast.owner.delete(url, headers={"If-Match": '"2"'}).status_code == 204


def test_a_deactivated_account_is_neither_added_nor_counted_as_an_owner(cast: Cast) -> None:
    members = f"/api/v1/programs/{cast.program.id}/members"
    for user in (cast.outsider.user, cast.viewer.user):
        off = cast.admin.patch(f"/api/v1/users/{user.id}", json={"is_active": False})
        assert off.status_code == 200, off.text
    added = cast.owner.post(members, json={"email": "outsider@example.com", "role": "owner"})
    error = assert_error(added, 422, "validation_failed")
    assert error["details"][0]["message"] == "no user with email outsider@example.com"
    # the viewer, deactivated, is made an owner: the real owner is still the last one
    assert (
        cast.owner.patch(f"{members}/{cast.viewer.user.id}", json={"role": "owner"}).status_code
        == 200
    )
    assert_error(cast.owner.delete(f"{members}/{cast.owner.user.id}"), 409)


@pytest.mark.parametrize("field", ["key", "name", "start_date", "status"])
def test_a_field_every_program_has_cannot_be_set_to_null(cast: Cast, field: str) -> None:
    url = f"/api/v1/programs/{cast.program.id}"
    before = cast.owner.get(url).json()
    error = assert_error(cast.owner.patch(url, json={field: None}), 422, "validation_failed")
    assert error["details"] == [{"field": field, "message": "may be left out but not set to null"}]
    assert cast.owner.get(url).json()["version"] == before["version"]


def test_a_goal_target_before_the_program_starts_is_refused_on_the_date_that_moved(
    cast: Cast, browser_as
) -> None:
    early = {**NEW_PROGRAM, "goal": {**NEW_PROGRAM["goal"], "target_date": "2026-10-01"}}
    error = assert_error(cast.owner.post("/api/v1/programs", json=early), 422)
    assert [d["field"] for d in error["details"]] == ["goal.target_date"]
    assert "before the program starts (1 Feb 2027)" in error["message"]
    made = cast.owner.post("/api/v1/programs", json=NEW_PROGRAM).json()
    url, version = f"/api/v1/programs/{made['id']}", {"If-Match": '"1"'}
    moved = cast.owner.patch(url, json={"start_date": "2028-01-03"}, headers=version)
    assert assert_error(moved, 422)["details"][0]["field"] == "start_date"
    earlier = cast.owner.patch(url, json={"goal": {"target_date": "2027-01-29"}}, headers=version)
    assert assert_error(earlier, 422)["details"][0]["field"] == "goal.target_date"
    same_day = cast.owner.patch(url, json={"goal": {"target_date": "2027-02-01"}}, headers=version)
    assert same_day.status_code == 200, same_day.text
    # the web form says it beside the goal's target date, keeping what was typed
    page = browser_as("owner@example.com")
    form = {
        "key": "WEB",
        "name": "Web",
        "start_date": "2027-02-01",
        "status": "active",
        "goal_target_date": "2027-01-15",
    }
    refused = page.post("/programs", form)
    assert refused.status_code == 422
    assert "is before the program starts" in refused.text and 'value="2027-01-15"' in refused.text


def test_a_program_stored_with_its_goal_before_its_start_still_takes_other_changes(
    cast: Cast,
) -> None:
    """Written before the rule: only a change of either date is checked."""
    cast.program.goal_target_date = date(2026, 6, 1)
    cast.db.commit()
    url = f"/api/v1/programs/{cast.program.id}"
    version = cast.owner.get(url).headers["ETag"]
    renamed = cast.owner.patch(url, json={"name": "Renamed"}, headers={"If-Match": version})
    assert renamed.status_code == 200, renamed.text

"""Milestones API: keys, the projects feeding one, cascade delete, versions, audit, roles."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.models import AuditEntry, Dependency, Milestone, Program, Task
from tests.api.conftest import ROLES, Cast
from tests.factories import (
    ApiUser,
    assert_error,
    make_program,
    make_project,
    make_task,
)

URL = "/api/v1/milestones"


def create(api: ApiUser, program: Program, **fields: Any) -> dict[str, Any]:
    response = api.post(URL, json={"program_id": program.id, "name": "Pilot done", **fields})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def link(api: ApiUser, task: Task, milestone: dict[str, Any], **fields: Any) -> dict[str, Any]:
    response = api.post(
        "/api/v1/dependencies",
        json={
            "predecessor": {"type": "task", "id": task.id},
            "successor": {"type": "milestone", "id": milestone["id"]},
            **fields,
        },
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


# --- creating and reading ------------------------------------------------------


def test_manager_creates_a_milestone_with_all_its_fields(cast: Cast) -> None:
    response = cast.manager.post(
        URL,
        json={
            "program_id": cast.program.id,
            "key": "GO-LIVE",
            "name": "Go live",
            "description": "All client environments run in the cloud",
            "target_date": "2027-11-30",
        },
    )
    assert response.status_code == 201, response.text
    assert response.headers["ETag"] == '"1"'
    body = response.json()
    assert {
        k: body[k] for k in ("program_id", "key", "name", "target_date", "predecessors", "version")
    } == {
        "program_id": cast.program.id,
        "key": "GO-LIVE",
        "name": "Go live",
        "target_date": "2027-11-30",
        "predecessors": [],
        "version": 1,
    }
    fetched = cast.viewer.get(f"{URL}/{body['id']}")
    assert fetched.status_code == 200 and fetched.json() == body
    assert fetched.headers["ETag"] == '"1"'


def test_keys_left_out_count_up_from_the_highest_m_number(cast: Cast) -> None:
    assert create(cast.manager, cast.program)["key"] == "M1"
    assert create(cast.manager, cast.program)["key"] == "M2"
    assert create(cast.manager, cast.program, key="M7")["key"] == "M7"
    assert create(cast.manager, cast.program, key="MX")["key"] == "MX"
    assert create(cast.manager, cast.program)["key"] == "M8"


def test_automatic_keys_are_per_program(cast: Cast, db: Session) -> None:
    other = make_program(db, owner=cast.owner.user, key="OTHER")
    create(cast.owner, cast.program)
    create(cast.owner, cast.program)
    assert create(cast.owner, other)["key"] == "M1"


def test_predecessors_show_which_projects_feed_the_milestone(cast: Cast, db: Session) -> None:
    plat = make_task(db, make_project(db, cast.program, "PLAT"), "PLAT-1")
    data = make_task(db, make_project(db, cast.program, "DATA"), "DATA-4")
    milestone = create(cast.manager, cast.program, name="Cut-over ready")
    first = link(cast.manager, plat, milestone)
    second = link(cast.manager, data, milestone, type="FF", lag=-2)
    body = cast.viewer.get(f"{URL}/{milestone['id']}").json()
    assert body["predecessors"] == [
        {
            "dependency_id": first["id"],
            "dependency_type": "FS",
            "lag": 0,
            "type": "task",
            "id": plat.id,
            "key": "PLAT-1",
            "name": "Task PLAT-1",
            "project_id": plat.project_id,
            "project_key": "PLAT",
        },
        {
            "dependency_id": second["id"],
            "dependency_type": "FF",
            "lag": -2,
            "type": "task",
            "id": data.id,
            "key": "DATA-4",
            "name": "Task DATA-4",
            "project_id": data.project_id,
            "project_key": "DATA",
        },
    ]
    listed = cast.viewer.get(URL, params={"program_id": cast.program.id}).json()["items"]
    assert [p["project_key"] for p in listed[0]["predecessors"]] == ["PLAT", "DATA"]


def test_a_milestone_feeding_another_is_listed_without_a_project(cast: Cast) -> None:
    first = create(cast.manager, cast.program)
    second = create(cast.manager, cast.program)
    cast.manager.post(
        "/api/v1/dependencies",
        json={
            "predecessor": {"type": "milestone", "id": first["id"]},
            "successor": {"type": "milestone", "id": second["id"]},
        },
    )
    predecessors = cast.viewer.get(f"{URL}/{second['id']}").json()["predecessors"]
    assert [(p["type"], p["key"], p["project_key"]) for p in predecessors] == [
        ("milestone", "M1", None)
    ]
    assert cast.viewer.get(f"{URL}/{first['id']}").json()["predecessors"] == []


# --- listing -----------------------------------------------------------------


def test_list_is_paginated_and_filtered_by_program(cast: Cast, db: Session) -> None:
    other = make_program(db, owner=cast.outsider.user, key="OTHER")
    for _ in range(3):
        create(cast.manager, cast.program)
    create(cast.outsider, other, name="Elsewhere")
    page = cast.viewer.get(
        URL, params={"program_id": cast.program.id, "limit": 2, "offset": 1}
    ).json()
    assert (page["total"], page["limit"], page["offset"]) == (3, 2, 1)
    assert [m["key"] for m in page["items"]] == ["M2", "M3"]
    assert [m["name"] for m in cast.outsider.get(URL).json()["items"]] == ["Elsewhere"]
    assert cast.viewer.get(URL).json()["total"] == 3
    assert cast.admin.get(URL).json()["total"] == 4
    assert [
        m["name"] for m in cast.admin.get(URL, params={"program_id": other.id}).json()["items"]
    ] == ["Elsewhere"]


def test_listing_an_invisible_or_unknown_program_is_404(cast: Cast) -> None:
    assert_error(cast.outsider.get(URL, params={"program_id": cast.program.id}), 404, "not_found")
    assert_error(cast.owner.get(URL, params={"program_id": 999999}), 404, "not_found")
    assert_error(cast.owner.get(URL, params={"program_id": 2**40}), 422)


def test_unknown_and_invisible_milestones_are_404(cast: Cast) -> None:
    url = f"{URL}/{create(cast.manager, cast.program)['id']}"
    for response in (
        cast.outsider.get(url),
        cast.outsider.patch(url, json={"name": "x"}),
        cast.outsider.delete(url),
        cast.owner.get(f"{URL}/999999"),
        cast.owner.patch(f"{URL}/999999", json={"name": "x"}),
        cast.owner.delete(f"{URL}/999999"),
    ):
        assert_error(response, 404, "not_found")
    assert_error(cast.owner.get(f"{URL}/{2**40}"), 422, "validation_failed")


# --- refusals ----------------------------------------------------------------


def test_creating_in_an_unknown_or_invisible_program_is_404(cast: Cast) -> None:
    assert_error(cast.owner.post(URL, json={"program_id": 999999, "name": "x"}), 404)
    assert_error(cast.outsider.post(URL, json={"program_id": cast.program.id, "name": "x"}), 404)


def test_a_key_used_in_the_program_is_409(cast: Cast, db: Session) -> None:
    create(cast.manager, cast.program, key="M1")
    second = create(cast.manager, cast.program, key="M2")
    error = assert_error(
        cast.manager.post(URL, json={"program_id": cast.program.id, "key": "M1", "name": "x"}), 409
    )
    assert error["details"] == {"field": "key"}
    assert_error(cast.manager.patch(f"{URL}/{second['id']}", json={"key": "M1"}), 409)
    assert cast.manager.patch(f"{URL}/{second['id']}", json={"key": "M2"}).status_code == 200


def test_a_milestone_key_cannot_be_the_key_of_a_task(cast: Cast, db: Session) -> None:
    make_task(db, make_project(db, cast.program, "PLAT"), "PLAT-1")
    error = assert_error(
        cast.manager.post(URL, json={"program_id": cast.program.id, "key": "PLAT-1", "name": "x"}),
        409,
    )
    assert "task" in error["message"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 301}, "name"),
        ({"key": "1st"}, "key"),
        ({"key": "has space"}, "key"),
        ({"target_date": "2027-02-30"}, "target_date"),
        ({"program_id": "CLOUD"}, "program_id"),
        ({"program_id": 2**40}, "program_id"),
        ({"colour": "red"}, "colour"),
        ({"name": "nul\x00byte"}, "name"),
    ],
)
def test_invalid_fields_are_422_naming_the_field(
    cast: Cast, fields: dict[str, Any], field: str
) -> None:
    body = {"program_id": cast.program.id, "name": "Pilot done", **fields}
    error = assert_error(cast.manager.post(URL, json=body), 422, "validation_failed")
    assert field in {d["field"] for d in error["details"]}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": None}, "name"),
        ({"key": None}, "key"),
        ({"description": None}, "description"),
        ({"program_id": 2}, "program_id"),
        ({"target_date": "soon"}, "target_date"),
    ],
)
def test_invalid_changes_are_422_naming_the_field(
    cast: Cast, fields: dict[str, Any], field: str
) -> None:
    url = f"{URL}/{create(cast.manager, cast.program)['id']}"
    error = assert_error(cast.manager.patch(url, json=fields), 422, "validation_failed")
    assert field in {d["field"] for d in error["details"]}


def test_missing_name_and_program_are_422(cast: Cast) -> None:
    error = assert_error(cast.manager.post(URL, json={}), 422)
    assert {"program_id", "name"} <= {d["field"] for d in error["details"]}


def test_malformed_json_is_400(cast: Cast) -> None:
    response = cast.manager.post(
        URL, content=b'{"name": "x",', headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "malformed_json")


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_requests_without_credentials_are_401(cast: Cast, method: str) -> None:
    assert_error(cast.owner.client.request(method, URL, json={}), 401, "unauthorized")


# --- changing and deleting -------------------------------------------------------


def test_update_changes_only_the_fields_sent(cast: Cast) -> None:
    created = create(cast.manager, cast.program, description="keep me", target_date="2027-06-30")
    url = f"{URL}/{created['id']}"
    response = cast.manager.patch(
        url, json={"name": "Pilot signed off", "target_date": None}, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == '"2"'
    body = response.json()
    assert (body["name"], body["description"], body["target_date"], body["version"]) == (
        "Pilot signed off",
        "keep me",
        None,
        2,
    )


def test_stale_if_match_is_412_and_changes_nothing(cast: Cast) -> None:
    url = f"{URL}/{create(cast.manager, cast.program)['id']}"
    assert (
        cast.manager.patch(url, json={"name": "Renamed"}, headers={"If-Match": '"1"'}).status_code
        == 200
    )
    assert_error(
        cast.manager.patch(url, json={"name": "Lost"}, headers={"If-Match": '"1"'}),
        412,
        "stale_version",
    )
    assert_error(
        cast.manager.patch(url, json={"key": "M9"}, headers={"If-Match": 'W/"1"'}),
        412,
        "stale_version",
    )
    assert_error(cast.manager.delete(url, headers={"If-Match": '"1"'}), 412, "stale_version")
    current = cast.manager.get(url).json()
    assert (current["name"], current["key"], current["version"]) == ("Renamed", "M1", 2)


def test_deleting_a_milestone_without_dependencies(cast: Cast) -> None:
    url = f"{URL}/{create(cast.manager, cast.program)['id']}"
    assert cast.manager.delete(url, headers={"If-Match": '"1"'}).status_code == 204
    assert_error(cast.manager.get(url), 404)


def test_deleting_a_linked_milestone_is_409_unless_cascade(cast: Cast, db: Session) -> None:
    task = make_task(db, make_project(db, cast.program, "PLAT"), "PLAT-1")
    milestone = create(cast.manager, cast.program)
    after = create(cast.manager, cast.program)
    into = link(cast.manager, task, milestone)
    out = cast.manager.post(
        "/api/v1/dependencies",
        json={
            "predecessor": {"type": "milestone", "id": milestone["id"]},
            "successor": {"type": "milestone", "id": after["id"]},
        },
    ).json()
    url = f"{URL}/{milestone['id']}"
    error = assert_error(cast.manager.delete(url), 409, "milestone_has_dependencies")
    assert error["details"] == {"dependency_ids": [into["id"], out["id"]]}
    assert cast.manager.get(url).status_code == 200

    assert cast.manager.delete(url, params={"cascade": "true"}).status_code == 204
    assert_error(cast.manager.get(url), 404)
    db.expire_all()
    assert db.scalars(select(Dependency)).all() == []
    assert cast.manager.get(f"{URL}/{after['id']}").json()["predecessors"] == []
    deleted = db.scalars(
        select(AuditEntry).where(AuditEntry.action == "delete").order_by(AuditEntry.id)
    ).all()
    assert [(e.entity_type, e.entity_id) for e in deleted] == [
        ("dependency", into["id"]),
        ("dependency", out["id"]),
        ("milestone", milestone["id"]),
    ]


def test_every_change_is_in_the_program_audit_with_old_and_new(cast: Cast) -> None:
    body = create(cast.manager, cast.program, name="Pilot done", target_date="2027-03-01")
    url = f"{URL}/{body['id']}"
    cast.manager.patch(url, json={"target_date": "2027-03-15"})
    cast.manager.delete(url)
    entries = cast.viewer.get(
        f"/api/v1/programs/{cast.program.id}/audit", params={"entity_type": "milestone"}
    ).json()["items"]
    assert [e["action"] for e in entries] == ["delete", "update", "create"]
    deleted, updated, created = entries
    assert created["changes"] == {
        "key": [None, "M1"],
        "name": [None, "Pilot done"],
        "description": [None, ""],
        "target_date": [None, "2027-03-01"],
    }
    assert (
        created["entity_label"] == "Pilot done" and created["user_email"] == "manager@example.com"
    )
    assert updated["changes"] == {"target_date": ["2027-03-01", "2027-03-15"]}
    assert deleted["changes"]["key"] == ["M1", None]


def test_a_refused_change_records_nothing(cast: Cast, db: Session) -> None:
    create(cast.manager, cast.program, key="M1")
    assert_error(
        cast.manager.post(URL, json={"program_id": cast.program.id, "key": "M1", "name": "x"}), 409
    )
    assert len(db.scalars(select(Milestone)).all()) == 1
    assert (
        len(db.scalars(select(AuditEntry).where(AuditEntry.entity_type == "milestone")).all()) == 1
    )


# --- permission matrix ------------------------------------------------------------

WRITERS = {"owner", "manager", "admin"}


def expected_status(role: str, success: int) -> int:
    return success if role in WRITERS else 404 if role == "outsider" else 403


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_and_above_create_milestones(cast: Cast, role: str) -> None:
    response = cast.by_role(role).post(URL, json={"program_id": cast.program.id, "name": "x"})
    assert response.status_code == expected_status(role, 201), response.text


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_and_above_change_milestones(cast: Cast, role: str) -> None:
    url = f"{URL}/{create(cast.owner, cast.program)['id']}"
    response = cast.by_role(role).patch(url, json={"name": "x"})
    assert response.status_code == expected_status(role, 200), response.text


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_and_above_delete_milestones(cast: Cast, role: str) -> None:
    url = f"{URL}/{create(cast.owner, cast.program)['id']}"
    response = cast.by_role(role).delete(url)
    assert response.status_code == expected_status(role, 204), response.text


@pytest.mark.parametrize("role", ROLES)
def test_every_member_reads_milestones(cast: Cast, role: str) -> None:
    url = f"{URL}/{create(cast.owner, cast.program)['id']}"
    assert cast.by_role(role).get(url).status_code == (404 if role == "outsider" else 200)


def test_forbidden_says_which_role_is_needed(cast: Cast) -> None:
    error = assert_error(
        cast.member.post(URL, json={"program_id": cast.program.id, "name": "x"}), 403, "forbidden"
    )
    assert error["message"] == "your role in CLOUD is member; manager or above is needed for this"
    assert error["details"] == {"program": "CLOUD", "role": "member", "required": "manager"}


def test_forbidden_names_the_program_to_someone_in_several(cast: Cast, db: Session) -> None:
    make_program(db, owner=cast.member.user, key="LAB")  # owner there, member in CLOUD
    error = assert_error(
        cast.member.post(URL, json={"program_id": cast.program.id, "name": "x"}), 403, "forbidden"
    )
    assert error["message"] == "your role in CLOUD is member; manager or above is needed for this"
    assert error["details"]["program"] == "CLOUD"

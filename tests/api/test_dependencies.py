"""Dependencies API: links across projects, every refusal, filters, versions, audit and roles."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.models import Dependency, Milestone, Project, Role, Task
from tests.api.conftest import ROLES, Cast
from tests.factories import (
    ApiUser,
    add_member,
    assert_error,
    make_milestone,
    make_program,
    make_project,
    make_task,
)

URL = "/api/v1/dependencies"


def end(record: Task | Milestone) -> dict[str, Any]:
    return {"type": "task" if isinstance(record, Task) else "milestone", "id": record.id}


def link(
    api: ApiUser, predecessor: Task | Milestone, successor: Task | Milestone, **fields: Any
) -> Any:
    return api.post(
        URL, json={"predecessor": end(predecessor), "successor": end(successor), **fields}
    )


def linked(
    api: ApiUser, predecessor: Task | Milestone, successor: Task | Milestone, **fields: Any
) -> dict[str, Any]:
    response = link(api, predecessor, successor, **fields)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def plan(cast: Cast, db: Session) -> dict[str, Any]:
    """Two projects of the cast's program, a few tasks in each, and a milestone."""
    plat = make_project(db, cast.program, "PLAT")
    data = make_project(db, cast.program, "DATA")
    return {
        "PLAT": plat,
        "DATA": data,
        "PLAT-1": make_task(db, plat, "PLAT-1"),
        "PLAT-2": make_task(db, plat, "PLAT-2"),
        "DATA-1": make_task(db, data, "DATA-1"),
        "DATA-2": make_task(db, data, "DATA-2"),
        "M1": make_milestone(db, cast.program, "M1"),
    }


# --- creating and reading ------------------------------------------------------


def test_task_to_task_link_between_projects_is_cross_project_and_described(
    cast: Cast, plan: dict[str, Any]
) -> None:
    response = link(cast.manager, plan["PLAT-1"], plan["DATA-1"], type="SS", lag=-3)
    assert response.status_code == 201, response.text
    assert response.headers["ETag"] == '"1"'
    body = response.json()
    assert body["program_id"] == cast.program.id
    assert body["predecessor"] == {
        "type": "task",
        "id": plan["PLAT-1"].id,
        "key": "PLAT-1",
        "name": "Task PLAT-1",
        "project_id": plan["PLAT"].id,
        "project_key": "PLAT",
    }
    assert body["successor"]["key"] == "DATA-1" and body["successor"]["project_key"] == "DATA"
    assert (body["type"], body["lag"], body["cross_project"], body["version"]) == (
        "SS",
        -3,
        True,
        1,
    )
    fetched = cast.viewer.get(f"{URL}/{body['id']}")
    assert fetched.status_code == 200 and fetched.json() == body
    assert fetched.headers["ETag"] == '"1"'


def test_links_inside_one_project_or_to_a_milestone_are_not_cross_project(
    cast: Cast, plan: dict[str, Any]
) -> None:
    inside = linked(cast.manager, plan["PLAT-1"], plan["PLAT-2"])
    to_milestone = linked(cast.manager, plan["DATA-2"], plan["M1"])
    from_milestone = linked(cast.manager, plan["M1"], plan["PLAT-2"], type="FF")
    assert [
        inside["cross_project"],
        to_milestone["cross_project"],
        from_milestone["cross_project"],
    ] == [
        False,
        False,
        False,
    ]
    assert to_milestone["successor"] == {
        "type": "milestone",
        "id": plan["M1"].id,
        "key": "M1",
        "name": "Milestone M1",
        "project_id": None,
        "project_key": None,
    }


def test_type_defaults_to_finish_to_start_with_no_lag(cast: Cast, plan: dict[str, Any]) -> None:
    body = linked(cast.manager, plan["PLAT-1"], plan["PLAT-2"])
    assert (body["type"], body["lag"]) == ("FS", 0)


def test_program_id_in_the_body_is_accepted_when_it_matches_the_ends(
    cast: Cast, plan: dict[str, Any]
) -> None:
    body = linked(cast.manager, plan["PLAT-1"], plan["PLAT-2"], program_id=cast.program.id)
    assert body["program_id"] == cast.program.id


# --- refusals ----------------------------------------------------------------


def test_unknown_ends_are_422_naming_the_field(cast: Cast, plan: dict[str, Any]) -> None:
    missing = {"type": "task", "id": 999999}
    error = assert_error(
        cast.manager.post(URL, json={"predecessor": missing, "successor": end(plan["PLAT-1"])}),
        422,
        "validation_failed",
    )
    assert error["details"][0]["field"] == "predecessor.id"
    error = assert_error(
        cast.manager.post(
            URL,
            json={
                "predecessor": end(plan["PLAT-1"]),
                "successor": {"type": "milestone", "id": 999999},
            },
        ),
        422,
    )
    assert error["details"][0]["field"] == "successor.id"


def test_an_end_in_a_program_the_user_cannot_see_is_as_unknown_as_a_missing_one(
    cast: Cast, db: Session, plan: dict[str, Any]
) -> None:
    hidden = make_program(db, key="HIDDEN")
    hidden_task = make_task(db, make_project(db, hidden, "SEC"), "SEC-1")
    error = assert_error(link(cast.manager, plan["PLAT-1"], hidden_task), 422)
    assert error["details"][0]["field"] == "successor.id"
    assert "HIDDEN" not in error["message"] and "SEC-1" not in error["message"]


@pytest.mark.parametrize(
    "bad", [{"type": "task", "id": 0}, {"type": "task", "id": 2**40}, {"type": "epic", "id": 1}]
)
def test_malformed_ends_are_422_naming_the_field(
    cast: Cast, plan: dict[str, Any], bad: dict[str, Any]
) -> None:
    error = assert_error(
        cast.manager.post(URL, json={"predecessor": bad, "successor": end(plan["M1"])}), 422
    )
    assert error["details"][0]["field"].startswith("predecessor.")


def test_ends_in_different_programs_are_409(cast: Cast, db: Session, plan: dict[str, Any]) -> None:
    other = make_program(db, owner=cast.owner.user, key="OTHER")
    other_task = make_task(db, make_project(db, other, "OPS"), "OPS-1")
    assert_error(link(cast.owner, plan["PLAT-1"], other_task), 409, "cross_program_dependency")
    assert_error(
        link(cast.owner, make_milestone(db, other, "M1"), plan["M1"]),
        409,
        "cross_program_dependency",
    )


def test_a_program_id_that_is_not_the_program_of_the_ends_is_409(
    cast: Cast, db: Session, plan: dict[str, Any]
) -> None:
    other = make_program(db, owner=cast.owner.user, key="OTHER")
    error = assert_error(
        link(cast.owner, plan["PLAT-1"], plan["PLAT-2"], program_id=other.id),
        409,
        "program_mismatch",
    )
    assert error["details"]["program_id"] == cast.program.id
    assert_error(link(cast.owner, plan["PLAT-1"], plan["PLAT-2"], program_id=999999), 404)


def test_a_task_or_milestone_cannot_depend_on_itself(cast: Cast, plan: dict[str, Any]) -> None:
    assert_error(link(cast.manager, plan["PLAT-1"], plan["PLAT-1"]), 409, "self_dependency")
    assert_error(link(cast.manager, plan["M1"], plan["M1"]), 409, "self_dependency")


def test_a_second_link_between_the_same_ends_is_409_whatever_its_type(
    cast: Cast, plan: dict[str, Any]
) -> None:
    first = linked(cast.manager, plan["PLAT-1"], plan["DATA-1"])
    error = assert_error(
        link(cast.manager, plan["PLAT-1"], plan["DATA-1"], type="SS"), 409, "duplicate_dependency"
    )
    assert error["details"] == {"dependency_id": first["id"]}
    assert error["message"].startswith("PLAT-1 → DATA-1 is already a dependency")


def test_a_summary_task_cannot_be_linked_to_its_own_subtasks(
    cast: Cast, db: Session, plan: dict[str, Any]
) -> None:
    summary = make_task(db, plan["PLAT"], "PLAT-10", wbs="3")
    child = make_task(db, plan["PLAT"], "PLAT-11", parent=summary, wbs="3.1")
    grandchild = make_task(db, plan["PLAT"], "PLAT-12", parent=child, wbs="3.1.1")
    error = assert_error(link(cast.manager, summary, grandchild), 409, "summary_descendant")
    assert error["details"] == {"summary": "PLAT-10", "descendant": "PLAT-12"}
    assert_error(link(cast.manager, child, summary), 409, "summary_descendant")
    assert link(cast.manager, child, plan["PLAT-1"]).status_code == 201


def test_a_link_that_closes_a_cycle_is_refused_naming_the_cycle_in_order(
    cast: Cast, plan: dict[str, Any]
) -> None:
    linked(cast.manager, plan["PLAT-1"], plan["DATA-1"])
    linked(cast.manager, plan["DATA-1"], plan["M1"])
    linked(cast.manager, plan["M1"], plan["PLAT-2"])
    error = assert_error(
        link(cast.manager, plan["PLAT-2"], plan["PLAT-1"]), 409, "dependency_cycle"
    )
    assert error["details"] == {"cycle": ["PLAT-2", "PLAT-1", "DATA-1", "M1", "PLAT-2"]}
    assert "PLAT-2 → PLAT-1 → DATA-1 → M1 → PLAT-2" in error["message"]
    assert cast.viewer.get(URL, params={"program_id": cast.program.id}).json()["total"] == 3


def test_the_reverse_of_an_existing_link_is_a_two_step_cycle(
    cast: Cast, plan: dict[str, Any]
) -> None:
    linked(cast.manager, plan["PLAT-1"], plan["PLAT-2"])
    error = assert_error(
        link(cast.manager, plan["PLAT-2"], plan["PLAT-1"]), 409, "dependency_cycle"
    )
    assert error["details"]["cycle"] == ["PLAT-2", "PLAT-1", "PLAT-2"]


def test_converging_paths_are_not_a_cycle(cast: Cast, plan: dict[str, Any]) -> None:
    linked(cast.manager, plan["PLAT-1"], plan["PLAT-2"])
    linked(cast.manager, plan["PLAT-1"], plan["DATA-1"])
    linked(cast.manager, plan["PLAT-2"], plan["M1"])
    assert link(cast.manager, plan["DATA-1"], plan["M1"]).status_code == 201


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"lag": 10001}, "lag"),
        ({"lag": -10001}, "lag"),
        ({"lag": 1.5}, "lag"),
        ({"type": "XX"}, "type"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_invalid_fields_are_422_naming_the_field(
    cast: Cast, plan: dict[str, Any], fields: dict[str, Any], field: str
) -> None:
    error = assert_error(
        link(cast.manager, plan["PLAT-1"], plan["PLAT-2"], **fields), 422, "validation_failed"
    )
    assert field in {d["field"] for d in error["details"]}


def test_missing_ends_are_422(cast: Cast) -> None:
    error = assert_error(cast.manager.post(URL, json={"type": "FS"}), 422)
    assert {"predecessor", "successor"} <= {d["field"] for d in error["details"]}


def test_lags_at_the_bounds_are_accepted(cast: Cast, plan: dict[str, Any]) -> None:
    assert linked(cast.manager, plan["PLAT-1"], plan["PLAT-2"], lag=10000)["lag"] == 10000
    assert linked(cast.manager, plan["DATA-1"], plan["DATA-2"], lag=-10000)["lag"] == -10000


def test_malformed_json_is_400(cast: Cast) -> None:
    response = cast.manager.post(
        URL, content=b'{"predecessor": ', headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "malformed_json")


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_requests_without_credentials_are_401(cast: Cast, method: str) -> None:
    response = cast.owner.client.request(method, URL, json={})
    assert_error(response, 401, "unauthorized")


# --- reading, filters and pages -------------------------------------------------


def test_unknown_and_invisible_dependencies_are_404(cast: Cast, plan: dict[str, Any]) -> None:
    body = linked(cast.manager, plan["PLAT-1"], plan["PLAT-2"])
    assert_error(cast.outsider.get(f"{URL}/{body['id']}"), 404, "not_found")
    assert_error(cast.outsider.patch(f"{URL}/{body['id']}", json={"lag": 1}), 404)
    assert_error(cast.outsider.delete(f"{URL}/{body['id']}"), 404)
    assert_error(cast.manager.get(f"{URL}/999999"), 404)
    assert_error(cast.manager.get(f"{URL}/{2**40}"), 422, "validation_failed")


def test_listing_an_invisible_program_is_404(cast: Cast, plan: dict[str, Any]) -> None:
    assert_error(cast.outsider.get(URL, params={"program_id": cast.program.id}), 404)
    assert cast.outsider.get(URL).json()["total"] == 0


def test_filters_pick_either_end_and_the_cross_project_flag(
    cast: Cast, plan: dict[str, Any]
) -> None:
    a = linked(cast.manager, plan["PLAT-1"], plan["PLAT-2"])
    b = linked(cast.manager, plan["PLAT-2"], plan["DATA-1"])
    c = linked(cast.manager, plan["DATA-1"], plan["M1"])
    d = linked(cast.manager, plan["M1"], plan["DATA-2"])

    def ids(**params: Any) -> list[int]:
        response = cast.viewer.get(URL, params=params)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    assert ids(program_id=cast.program.id) == [a["id"], b["id"], c["id"], d["id"]]
    assert ids(task_id=plan["PLAT-2"].id) == [a["id"], b["id"]]
    assert ids(task_id=plan["DATA-1"].id) == [b["id"], c["id"]]
    assert ids(milestone_id=plan["M1"].id) == [c["id"], d["id"]]
    assert ids(cross_project="true") == [b["id"]]
    assert ids(cross_project="false") == [a["id"], c["id"], d["id"]]
    assert ids(task_id=plan["DATA-1"].id, cross_project="false") == [c["id"]]


def test_list_is_paginated(cast: Cast, plan: dict[str, Any]) -> None:
    linked(cast.manager, plan["PLAT-1"], plan["PLAT-2"])
    second = linked(cast.manager, plan["PLAT-2"], plan["DATA-1"])
    linked(cast.manager, plan["DATA-1"], plan["M1"])
    page = cast.viewer.get(URL, params={"limit": 1, "offset": 1}).json()
    assert (page["total"], page["limit"], page["offset"]) == (3, 1, 1)
    assert [item["id"] for item in page["items"]] == [second["id"]]


def test_list_covers_only_programs_the_user_belongs_to(
    cast: Cast, db: Session, plan: dict[str, Any]
) -> None:
    mine = linked(cast.manager, plan["PLAT-1"], plan["PLAT-2"])
    other = make_program(db, owner=cast.outsider.user, key="OTHER")
    project = make_project(db, other, "OPS")
    theirs = linked(cast.outsider, make_task(db, project, "OPS-1"), make_task(db, project, "OPS-2"))
    assert [i["id"] for i in cast.viewer.get(URL).json()["items"]] == [mine["id"]]
    assert [i["id"] for i in cast.outsider.get(URL).json()["items"]] == [theirs["id"]]
    assert [i["id"] for i in cast.admin.get(URL).json()["items"]] == [mine["id"], theirs["id"]]


@pytest.mark.parametrize("param", ["program_id", "task_id", "milestone_id"])
def test_out_of_range_filters_are_422(cast: Cast, param: str) -> None:
    error = assert_error(cast.viewer.get(URL, params={param: 2**40}), 422)
    assert error["details"][0]["field"] == param


# --- changing and deleting -------------------------------------------------------


def test_type_and_lag_change_with_the_version(cast: Cast, plan: dict[str, Any]) -> None:
    body = linked(cast.manager, plan["PLAT-1"], plan["DATA-1"])
    response = cast.manager.patch(
        f"{URL}/{body['id']}", json={"type": "SF", "lag": 4}, headers={"If-Match": '"1"'}
    )
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == '"2"'
    assert (response.json()["type"], response.json()["lag"], response.json()["version"]) == (
        "SF",
        4,
        2,
    )


def test_stale_if_match_is_412_and_changes_nothing(cast: Cast, plan: dict[str, Any]) -> None:
    url = f"{URL}/{linked(cast.manager, plan['PLAT-1'], plan['DATA-1'])['id']}"
    assert cast.manager.patch(url, json={"lag": 2}, headers={"If-Match": '"1"'}).status_code == 200
    assert_error(
        cast.manager.patch(url, json={"lag": 9}, headers={"If-Match": '"1"'}), 412, "stale_version"
    )
    assert_error(cast.manager.delete(url, headers={"If-Match": '"1"'}), 412, "stale_version")
    current = cast.manager.get(url).json()
    assert (current["lag"], current["version"]) == (2, 2)


def test_if_match_that_is_not_an_etag_is_400(cast: Cast, plan: dict[str, Any]) -> None:
    url = f"{URL}/{linked(cast.manager, plan['PLAT-1'], plan['DATA-1'])['id']}"
    assert_error(cast.manager.patch(url, json={"lag": 2}, headers={"If-Match": "yesterday"}), 400)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"successor": {"type": "task", "id": 1}}, "successor"),
        ({"program_id": 1}, "program_id"),
        ({"lag": None}, "lag"),
        ({"type": None}, "type"),
        ({"lag": 20000}, "lag"),
    ],
)
def test_only_type_and_lag_can_change(
    cast: Cast, plan: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    url = f"{URL}/{linked(cast.manager, plan['PLAT-1'], plan['DATA-1'])['id']}"
    error = assert_error(cast.manager.patch(url, json=body), 422)
    assert field in {d["field"] for d in error["details"]}


def test_deleting_removes_the_link(cast: Cast, db: Session, plan: dict[str, Any]) -> None:
    url = f"{URL}/{linked(cast.manager, plan['PLAT-1'], plan['DATA-1'])['id']}"
    assert cast.manager.delete(url, headers={"If-Match": '"1"'}).status_code == 204
    assert_error(cast.manager.get(url), 404)
    assert db.scalars(select(Dependency)).all() == []


def test_every_change_is_in_the_program_audit_with_old_and_new(
    cast: Cast, plan: dict[str, Any]
) -> None:
    body = linked(cast.manager, plan["PLAT-1"], plan["M1"], lag=2)
    url = f"{URL}/{body['id']}"
    cast.manager.patch(url, json={"lag": 5})
    cast.manager.delete(url)
    entries = cast.viewer.get(
        f"/api/v1/programs/{cast.program.id}/audit", params={"entity_type": "dependency"}
    ).json()["items"]
    assert [e["action"] for e in entries] == ["delete", "update", "create"]
    deleted, updated, created = entries
    assert created["entity_id"] == body["id"] and created["user_email"] == "manager@example.com"
    assert created["entity_label"] == "PLAT-1 → M1"
    assert created["changes"] == {
        "predecessor": [None, "task PLAT-1"],
        "successor": [None, "milestone M1"],
        "type": [None, "FS"],
        "lag": [None, 2],
    }
    assert updated["changes"] == {"lag": [2, 5]}
    assert deleted["changes"]["lag"] == [5, None] and deleted["entity_label"] == "PLAT-1 → M1"


def test_a_refused_link_leaves_nothing_behind(
    cast: Cast, db: Session, plan: dict[str, Any]
) -> None:
    linked(cast.manager, plan["PLAT-1"], plan["PLAT-2"])
    assert_error(link(cast.manager, plan["PLAT-2"], plan["PLAT-1"]), 409)
    entries = cast.viewer.get(
        f"/api/v1/programs/{cast.program.id}/audit", params={"entity_type": "dependency"}
    ).json()
    assert entries["total"] == 1
    assert len(db.scalars(select(Dependency)).all()) == 1


# --- permission matrix ------------------------------------------------------------

WRITERS = {"owner", "manager", "admin"}


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_and_above_create_dependencies(
    cast: Cast, plan: dict[str, Any], role: str
) -> None:
    response = link(cast.by_role(role), plan["PLAT-1"], plan["DATA-1"])
    if role in WRITERS:
        assert response.status_code == 201, response.text
    elif role == "outsider":
        # the ends live in a program the outsider cannot see: as unknown as missing ones
        assert_error(response, 422)
    else:
        assert_error(response, 403, "forbidden")


@pytest.mark.parametrize("role", ROLES)
def test_outsiders_naming_the_program_get_404(cast: Cast, plan: dict[str, Any], role: str) -> None:
    response = link(cast.by_role(role), plan["PLAT-1"], plan["DATA-1"], program_id=cast.program.id)
    expected = 201 if role in WRITERS else 404 if role == "outsider" else 403
    assert response.status_code == expected, response.text


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_and_above_change_dependencies(
    cast: Cast, plan: dict[str, Any], role: str
) -> None:
    url = f"{URL}/{linked(cast.owner, plan['PLAT-1'], plan['DATA-1'])['id']}"
    response = cast.by_role(role).patch(url, json={"lag": 1})
    expected = 200 if role in WRITERS else 404 if role == "outsider" else 403
    assert response.status_code == expected, response.text


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_and_above_delete_dependencies(
    cast: Cast, plan: dict[str, Any], role: str
) -> None:
    url = f"{URL}/{linked(cast.owner, plan['PLAT-1'], plan['DATA-1'])['id']}"
    response = cast.by_role(role).delete(url)
    expected = 204 if role in WRITERS else 404 if role == "outsider" else 403
    assert response.status_code == expected, response.text


@pytest.mark.parametrize("role", ROLES)
def test_every_member_reads_dependencies(cast: Cast, plan: dict[str, Any], role: str) -> None:
    url = f"{URL}/{linked(cast.owner, plan['PLAT-1'], plan['DATA-1'])['id']}"
    response = cast.by_role(role).get(url)
    assert response.status_code == (404 if role == "outsider" else 200), response.text


def test_an_outsider_made_manager_can_link_at_once(
    cast: Cast, db: Session, plan: dict[str, Any]
) -> None:
    assert link(cast.outsider, plan["PLAT-1"], plan["PLAT-2"]).status_code == 422
    add_member(db, cast.program, cast.outsider.user, Role.MANAGER)
    assert link(cast.outsider, plan["PLAT-1"], plan["PLAT-2"]).status_code == 201


def test_changing_a_dependency_is_audited_with_its_ends_as_label(cast: Cast, db: Session) -> None:
    project = Project(program_id=cast.program.id, key="AUD", name="Audit")
    db.add(project)
    db.flush()
    a = Task(
        program_id=cast.program.id,
        project_id=project.id,
        key="AUD-1",
        name="a",
        duration=1,
        wbs="1",
    )
    b = Task(
        program_id=cast.program.id,
        project_id=project.id,
        key="AUD-2",
        name="b",
        duration=1,
        wbs="2",
    )
    db.add_all([a, b])
    db.commit()
    created = cast.manager.post(
        "/api/v1/dependencies",
        json={
            "predecessor": {"type": "task", "id": a.id},
            "successor": {"type": "task", "id": b.id},
        },
    ).json()
    cast.manager.patch(f"/api/v1/dependencies/{created['id']}", json={"lag": 2})
    entries = cast.viewer.get(
        f"/api/v1/programs/{cast.program.id}/audit",
        params={"entity_type": "dependency", "entity_id": created["id"]},
    ).json()["items"]
    assert entries[0]["action"] == "update" and entries[0]["changes"]["lag"] == [0, 2]
    assert "AUD-1" in entries[0]["entity_label"] and "AUD-2" in entries[0]["entity_label"]

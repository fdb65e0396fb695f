"""Tasks API: the WBS, keys, field rules, member progress, audit, versions, errors, roles."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session

from podium.models import Dependency, Milestone, ProgressRecord, Project
from tests.api.conftest import ROLES, Cast
from tests.api.test_programs import NEW_PROGRAM, assert_error
from tests.api.test_projects import make_calendar, new_project

URL = "/api/v1/tasks"


def add(cast: Cast, project: dict[str, Any], name: str, **fields: Any) -> dict[str, Any]:
    response = cast.owner.post(URL, json={"project_id": project["id"], "name": name, **fields})
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def outline(cast: Cast, project: dict[str, Any]) -> list[tuple[str, str]]:
    """(wbs, name) of every task of the project, in list order."""
    page = cast.viewer.get(URL, params={"project_id": project["id"], "limit": 500}).json()
    return [(t["wbs"], t["name"]) for t in page["items"]]


def depend(
    db: Session, cast: Cast, predecessor: dict[str, Any], successor: dict[str, Any]
) -> Dependency:
    dependency = Dependency(
        program_id=cast.program.id,
        predecessor_task_id=predecessor["id"],
        successor_task_id=successor["id"],
    )
    db.add(dependency)
    db.commit()
    return dependency


def audit_of(cast: Cast, task: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = cast.viewer.get(
        f"/api/v1/programs/{cast.program.id}/audit",
        params={"entity_type": "task", "entity_id": task["id"]},
    ).json()["items"]
    return items


@pytest.fixture
def plat(cast: Cast) -> dict[str, Any]:
    return new_project(cast, "PLAT", name="Platform upgrade")


@pytest.fixture
def tree(cast: Cast, plat: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A (1) with A1 (1.1), A2 (1.2); B (2); C (3)."""
    a = add(cast, plat, "A")
    tasks = {
        "A": a,
        "A1": add(cast, plat, "A1", parent_id=a["id"]),
        "A2": add(cast, plat, "A2", parent_id=a["id"]),
        "B": add(cast, plat, "B"),
        "C": add(cast, plat, "C"),
    }
    return tasks


# --- creating ----------------------------------------------------------------


def test_a_new_task_gets_a_project_key_a_wbs_code_and_defaults(
    cast: Cast, plat: dict[str, Any]
) -> None:
    response = cast.manager.post(URL, json={"project_id": plat["id"], "name": "Pilot"})
    assert response.status_code == 201, response.text
    assert response.headers["ETag"] == '"1"'
    task = response.json()
    assert task["key"] == "PLAT-1" and task["project_key"] == "PLAT" and task["wbs"] == "1"
    assert task["program_id"] == cast.program.id and task["parent_id"] is None
    assert (
        task["duration"] == 1
        and task["constraint_type"] == "asap"
        and task["percent_complete"] == 0
    )
    assert task["estimate"] is None and task["is_summary"] is False and task["version"] == 1
    assert cast.viewer.get(f"{URL}/{task['id']}").json() == task


def test_keys_count_up_per_project_and_skip_keys_taken_by_hand(
    cast: Cast, plat: dict[str, Any]
) -> None:
    assert add(cast, plat, "one")["key"] == "PLAT-1"
    assert add(cast, plat, "by hand", key="PLAT-2")["key"] == "PLAT-2"
    assert add(cast, plat, "by hand too", key="PLAT-3")["key"] == "PLAT-3"
    assert add(cast, plat, "four")["key"] == "PLAT-4"
    assert add(cast, plat, "five")["key"] == "PLAT-5"
    other = new_project(cast, "DATA")
    assert add(cast, other, "first of data")["key"] == "DATA-1"


def test_a_duplicate_key_in_the_program_is_409(cast: Cast, plat: dict[str, Any]) -> None:
    add(cast, plat, "one", key="PILOT")
    other = new_project(cast, "DATA")
    response = cast.owner.post(URL, json={"project_id": other["id"], "name": "x", "key": "PILOT"})
    assert assert_error(response, 409, "conflict")["details"] == {"field": "key"}
    second = add(cast, plat, "two")
    assert_error(cast.owner.patch(f"{URL}/{second['id']}", json={"key": "PILOT"}), 409)


def test_a_task_can_be_inserted_at_a_position_among_its_siblings(
    cast: Cast, plat: dict[str, Any], tree: Any
) -> None:
    add(cast, plat, "first", position=0)
    add(cast, plat, "A0", parent_id=tree["A"]["id"], position=0)
    add(cast, plat, "last", position=99)
    assert outline(cast, plat) == [
        ("1", "first"),
        ("2", "A"),
        ("2.1", "A0"),
        ("2.2", "A1"),
        ("2.3", "A2"),
        ("3", "B"),
        ("4", "C"),
        ("5", "last"),
    ]


def test_renumbering_siblings_does_not_change_their_versions(
    cast: Cast, plat: dict[str, Any], tree: Any
) -> None:
    add(cast, plat, "first", position=0)
    b = cast.viewer.get(f"{URL}/{tree['B']['id']}")
    assert b.json()["wbs"] == "3" and b.json()["version"] == 1 and b.headers["ETag"] == '"1"'
    assert (
        cast.owner.patch(
            f"{URL}/{tree['B']['id']}", json={"name": "B!"}, headers={"If-Match": '"1"'}
        ).status_code
        == 200
    )


def test_a_parent_must_be_a_non_milestone_task_of_the_same_project(
    cast: Cast, plat: dict[str, Any]
) -> None:
    other = new_project(cast, "DATA")
    foreign = add(cast, other, "elsewhere")
    milestone = add(cast, plat, "Go-live", is_milestone=True)
    for parent_id in (foreign["id"], milestone["id"], 999999):
        response = cast.owner.post(
            URL, json={"project_id": plat["id"], "name": "x", "parent_id": parent_id}
        )
        error = assert_error(response, 422, "validation_failed")
        assert error["details"][0]["field"] == "parent_id"


def test_creating_in_an_invisible_or_unknown_project_is_404(
    cast: Cast, plat: dict[str, Any]
) -> None:
    assert_error(cast.outsider.post(URL, json={"project_id": plat["id"], "name": "x"}), 404)
    assert_error(cast.owner.post(URL, json={"project_id": 999999, "name": "x"}), 404)


# --- field rules ---------------------------------------------------------------


def test_a_milestone_has_duration_zero(cast: Cast, plat: dict[str, Any]) -> None:
    milestone = add(cast, plat, "Go-live", is_milestone=True)
    assert milestone["duration"] == 0 and milestone["is_milestone"] is True
    response = cast.owner.post(
        URL, json={"project_id": plat["id"], "name": "x", "is_milestone": True, "duration": 3}
    )
    assert assert_error(response, 422)["details"][0]["field"] == "duration"
    task = add(cast, plat, "Work", duration=5)
    became = cast.owner.patch(f"{URL}/{task['id']}", json={"is_milestone": True}).json()
    assert became["duration"] == 0 and became["is_milestone"] is True


def test_a_summary_task_cannot_become_a_milestone(cast: Cast, tree: Any) -> None:
    assert_error(cast.owner.patch(f"{URL}/{tree['A']['id']}", json={"is_milestone": True}), 409)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"constraint_type": "snet"}, "constraint_date"),
        ({"constraint_type": "asap", "constraint_date": "2027-02-01"}, "constraint_date"),
        ({"constraint_type": "later"}, "constraint_type"),
        ({"estimate": {"optimistic": 5, "most_likely": 4, "pessimistic": 9}}, "estimate"),
        ({"estimate": {"optimistic": 0, "most_likely": 0, "pessimistic": 0}}, "estimate"),
        ({"estimate": {"optimistic": 1, "most_likely": 2}}, "estimate.pessimistic"),
        ({"actual_start": "2027-02-05", "actual_finish": "2027-02-01"}, "actual_finish"),
        ({"actual_finish": "2027-02-01"}, "actual_start"),
        ({"percent_complete": 100}, "actual_finish"),
        (
            {"actual_start": "2027-02-01", "actual_finish": "2027-02-03", "percent_complete": 50},
            "percent_complete",
        ),
        ({"percent_complete": 101}, "percent_complete"),
        ({"percent_complete": -1}, "percent_complete"),
        ({"duration": -1}, "duration"),
        ({"duration": 10**12}, "duration"),
        ({"calendar_id": 999999}, "calendar_id"),
        ({"wbs": "9"}, "wbs"),
        ({"is_summary": True}, "is_summary"),
        ({"key": "bad key"}, "key"),
        ({"name": ""}, "name"),
        ({"deadline": "someday"}, "deadline"),
    ],
)
def test_invalid_fields_are_422_naming_the_field(
    cast: Cast, plat: dict[str, Any], fields: dict[str, Any], field: str
) -> None:
    response = cast.owner.post(URL, json={"project_id": plat["id"], "name": "x", **fields})
    error = assert_error(response, 422, "validation_failed")
    assert field in [d["field"] for d in error["details"]], error


def test_constraints_estimates_and_deadlines_are_stored(
    cast: Cast, plat: dict[str, Any], db: Session
) -> None:
    calendar = make_calendar(db)
    task = add(
        cast,
        plat,
        "Pilot",
        duration=10,
        calendar_id=calendar.id,
        constraint_type="snet",
        constraint_date="2027-02-01",
        deadline="2027-03-01",
        estimate={"optimistic": 8, "most_likely": 10, "pessimistic": 15},
    )
    assert task["constraint_type"] == "snet" and task["constraint_date"] == "2027-02-01"
    assert task["estimate"] == {"optimistic": 8, "most_likely": 10, "pessimistic": 15}
    assert task["deadline"] == "2027-03-01" and task["calendar_id"] == calendar.id
    cleared = cast.owner.patch(
        f"{URL}/{task['id']}", json={"constraint_type": "asap", "estimate": None}
    ).json()
    assert cleared["constraint_type"] == "asap" and cleared["constraint_date"] is None
    assert cleared["estimate"] is None


def test_an_actual_finish_implies_a_hundred_percent(cast: Cast, plat: dict[str, Any]) -> None:
    task = add(cast, plat, "Pilot")
    url = f"{URL}/{task['id']}"
    cast.assign_member(task["id"])
    started = cast.member.patch(
        url, json={"actual_start": "2027-02-01", "percent_complete": 40}
    ).json()
    assert started["percent_complete"] == 40
    finished = cast.member.patch(url, json={"actual_finish": "2027-02-05"}).json()
    assert finished["percent_complete"] == 100 and finished["actual_finish"] == "2027-02-05"
    reopen = cast.member.patch(url, json={"actual_finish": None})
    assert assert_error(reopen, 422)["details"][0]["field"] == "actual_finish"
    reopened = cast.member.patch(url, json={"actual_finish": None, "percent_complete": 90}).json()
    assert reopened["percent_complete"] == 90 and reopened["actual_finish"] is None


def test_a_null_for_a_required_field_is_422(cast: Cast, plat: dict[str, Any]) -> None:
    task = add(cast, plat, "Pilot")
    for field in ("name", "duration", "percent_complete", "constraint_type", "position"):
        error = assert_error(cast.owner.patch(f"{URL}/{task['id']}", json={field: None}), 422)
        assert error["details"][0]["field"] == field


def test_malformed_json_is_400(cast: Cast, plat: dict[str, Any]) -> None:
    response = cast.owner.post(
        URL, content=b'{"name": "x",', headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "malformed_json")


def test_requests_without_credentials_are_401(
    app_client: TestClient, cast: Cast, tree: Any
) -> None:
    task_url = f"{URL}/{tree['A']['id']}"
    assert_error(app_client.get(URL), 401)
    assert_error(app_client.get(task_url), 401)
    assert_error(app_client.patch(task_url, json={"name": "x"}), 401)
    assert_error(app_client.post(f"{task_url}/indent"), 401)


def test_unknown_and_invisible_tasks_are_both_404(cast: Cast, tree: Any) -> None:
    task_url = f"{URL}/{tree['B']['id']}"
    assert_error(cast.owner.get(f"{URL}/999999"), 404, "not_found")
    error = assert_error(cast.outsider.get(task_url), 404, "not_found")
    assert "program" not in error["message"]
    for response in (
        cast.outsider.patch(task_url, json={"percent_complete": 5}),
        cast.outsider.delete(task_url),
        cast.outsider.post(f"{task_url}/indent"),
        cast.outsider.post(f"{task_url}/outdent"),
        cast.outsider.post(f"{task_url}/move", json={"parent_id": None}),
    ):
        assert_error(response, 404, "not_found")
    assert_error(cast.owner.get(f"{URL}/99999999999"), 422)


# --- the WBS -----------------------------------------------------------------


def test_wbs_codes_follow_the_tree(cast: Cast, plat: dict[str, Any], tree: Any) -> None:
    assert outline(cast, plat) == [("1", "A"), ("1.1", "A1"), ("1.2", "A2"), ("2", "B"), ("3", "C")]
    a = cast.viewer.get(f"{URL}/{tree['A']['id']}").json()
    assert a["is_summary"] is True
    assert cast.viewer.get(f"{URL}/{tree['A1']['id']}").json()["is_summary"] is False


def test_indent_makes_a_task_the_last_child_of_the_one_above(
    cast: Cast, plat: dict[str, Any], tree: Any
) -> None:
    response = cast.manager.post(f"{URL}/{tree['B']['id']}/indent")
    assert response.status_code == 200, response.text
    assert response.json()["wbs"] == "1.3" and response.json()["parent_id"] == tree["A"]["id"]
    assert response.headers["ETag"] == '"2"'
    cast.manager.post(f"{URL}/{tree['A2']['id']}/indent")
    assert outline(cast, plat) == [
        ("1", "A"),
        ("1.1", "A1"),
        ("1.1.1", "A2"),
        ("1.2", "B"),
        ("2", "C"),
    ]


def test_the_first_task_of_a_level_cannot_be_indented(cast: Cast, tree: Any) -> None:
    assert_error(cast.owner.post(f"{URL}/{tree['A']['id']}/indent"), 409, "conflict")
    assert_error(cast.owner.post(f"{URL}/{tree['A1']['id']}/indent"), 409, "conflict")


def test_nothing_is_indented_under_a_milestone(cast: Cast, plat: dict[str, Any]) -> None:
    add(cast, plat, "Go-live", is_milestone=True)
    after = add(cast, plat, "After")
    assert_error(cast.owner.post(f"{URL}/{after['id']}/indent"), 409, "conflict")


def test_outdent_makes_a_task_the_next_sibling_of_its_parent(
    cast: Cast, plat: dict[str, Any], tree: Any
) -> None:
    response = cast.manager.post(f"{URL}/{tree['A1']['id']}/outdent")
    assert response.status_code == 200, response.text
    assert response.json()["wbs"] == "2" and response.json()["parent_id"] is None
    assert outline(cast, plat) == [("1", "A"), ("1.1", "A2"), ("2", "A1"), ("3", "B"), ("4", "C")]
    assert_error(cast.owner.post(f"{URL}/{tree['B']['id']}/outdent"), 409, "conflict")


def test_move_puts_a_task_and_its_subtree_anywhere_in_the_project(
    cast: Cast, plat: dict[str, Any], tree: Any
) -> None:
    response = cast.manager.post(
        f"{URL}/{tree['A']['id']}/move", json={"parent_id": tree["C"]["id"]}
    )
    assert response.status_code == 200, response.text
    assert outline(cast, plat) == [
        ("1", "B"),
        ("2", "C"),
        ("2.1", "A"),
        ("2.1.1", "A1"),
        ("2.1.2", "A2"),
    ]
    cast.manager.post(f"{URL}/{tree['A2']['id']}/move", json={"parent_id": None, "position": 0})
    cast.manager.post(f"{URL}/{tree['B']['id']}/move", json={"parent_id": None, "position": 2})
    assert outline(cast, plat) == [
        ("1", "A2"),
        ("2", "C"),
        ("2.1", "A"),
        ("2.1.1", "A1"),
        ("3", "B"),
    ]


def test_a_patch_of_parent_or_position_moves_the_task(
    cast: Cast, plat: dict[str, Any], tree: Any
) -> None:
    cast.owner.patch(f"{URL}/{tree['C']['id']}", json={"position": 0})
    cast.owner.patch(
        f"{URL}/{tree['B']['id']}", json={"parent_id": tree["A"]["id"], "name": "B moved"}
    )
    assert outline(cast, plat) == [
        ("1", "C"),
        ("2", "A"),
        ("2.1", "A1"),
        ("2.2", "A2"),
        ("2.3", "B moved"),
    ]


def test_a_task_cannot_move_under_itself_or_its_descendants(cast: Cast, tree: Any) -> None:
    a = tree["A"]["id"]
    assert_error(cast.owner.post(f"{URL}/{a}/move", json={"parent_id": a}), 409, "conflict")
    assert_error(
        cast.owner.post(f"{URL}/{a}/move", json={"parent_id": tree["A1"]["id"]}), 409, "conflict"
    )
    assert_error(
        cast.owner.patch(f"{URL}/{a}", json={"parent_id": tree["A2"]["id"]}), 409, "conflict"
    )


def test_a_task_cannot_move_into_another_project(cast: Cast, tree: Any) -> None:
    other = new_project(cast, "DATA")
    foreign = add(cast, other, "elsewhere")
    response = cast.owner.post(f"{URL}/{tree['B']['id']}/move", json={"parent_id": foreign["id"]})
    assert assert_error(response, 422)["details"][0]["field"] == "parent_id"
    assert_error(cast.owner.post(f"{URL}/{tree['B']['id']}/move", json={"position": 0}), 422)


def test_deleting_a_summary_deletes_its_subtree_and_renumbers(
    cast: Cast, plat: dict[str, Any], tree: Any
) -> None:
    assert cast.manager.delete(f"{URL}/{tree['A']['id']}").status_code == 204
    assert outline(cast, plat) == [("1", "B"), ("2", "C")]
    assert_error(cast.owner.get(f"{URL}/{tree['A1']['id']}"), 404)
    assert cast.owner.delete(f"{URL}/{tree['B']['id']}").status_code == 204
    assert outline(cast, plat) == [("1", "C")]


def test_deleting_a_task_that_dependencies_rely_on_is_409_naming_them(
    cast: Cast, plat: dict[str, Any], tree: Any, db: Session
) -> None:
    depend(db, cast, tree["A1"], tree["B"])
    milestone = Milestone(program_id=cast.program.id, key="M1", name="Pilot done")
    db.add(milestone)
    db.commit()
    db.add(
        Dependency(
            program_id=cast.program.id,
            predecessor_task_id=tree["A2"]["id"],
            successor_milestone_id=milestone.id,
        )
    )
    db.commit()
    error = assert_error(cast.owner.delete(f"{URL}/{tree['A']['id']}"), 409, "conflict")
    named = [(d["predecessor"], d["successor"]) for d in error["details"]["dependencies"]]
    assert named == [(tree["A1"]["key"], tree["B"]["key"]), (tree["A2"]["key"], "M1")]
    assert tree["A1"]["key"] in error["message"]
    assert_error(cast.owner.delete(f"{URL}/{tree['B']['id']}"), 409)
    assert len(outline(cast, plat)) == 5
    assert (
        cast.owner.delete(f"{URL}/{tree['A']['id']}", params={"cascade": "true"}).status_code == 204
    )
    assert outline(cast, plat) == [("1", "B"), ("2", "C")]
    assert db.scalar(select(func.count(Dependency.id))) == 0


def test_deleting_with_a_stale_if_match_is_412(cast: Cast, tree: Any) -> None:
    url = f"{URL}/{tree['B']['id']}"
    cast.owner.patch(url, json={"name": "B2"})
    assert_error(cast.owner.delete(url, headers={"If-Match": '"1"'}), 412)
    assert cast.owner.delete(url, headers={"If-Match": '"2"'}).status_code == 204


def test_a_deleted_tasks_id_is_never_given_again_so_its_stale_edit_finds_nothing(
    cast: Cast, plat: dict[str, Any], tree: Any
) -> None:
    """SQLite without AUTOINCREMENT gave the next task the deleted newest one's id: an
    edit still held for the deleted task (If-Match "1") then overwrote the new one."""
    deleted = tree["C"]
    assert cast.owner.delete(f"{URL}/{deleted['id']}").status_code == 204
    new = add(cast, plat, "D")
    assert new["id"] > deleted["id"]
    stale = {"name": "Lost", "percent_complete": 50}
    response = cast.owner.patch(f"{URL}/{deleted['id']}", json=stale, headers={"If-Match": '"1"'})
    assert_error(response, 404)
    assert cast.viewer.get(f"{URL}/{new['id']}").json()["name"] == "D"


def test_a_move_with_a_stale_if_match_is_412_and_moves_nothing(
    cast: Cast, plat: dict[str, Any], tree: Any
) -> None:
    b = f"{URL}/{tree['B']['id']}"
    cast.owner.patch(b, json={"name": "B2"})
    for response in (
        cast.owner.post(f"{b}/indent", headers={"If-Match": '"1"'}),
        cast.owner.post(
            f"{b}/move", json={"parent_id": None, "position": 0}, headers={"If-Match": '"1"'}
        ),
    ):
        assert_error(response, 412, "stale_version")
    assert outline(cast, plat)[3] == ("2", "B2")


def test_an_update_with_a_stale_if_match_is_412_and_changes_nothing(cast: Cast, tree: Any) -> None:
    url = f"{URL}/{tree['B']['id']}"
    assert (
        cast.owner.patch(url, json={"name": "New"}, headers={"If-Match": '"1"'}).headers["ETag"]
        == '"2"'
    )
    assert_error(cast.owner.patch(url, json={"name": "Lost"}, headers={"If-Match": '"1"'}), 412)
    assert_error(
        cast.member.patch(url, json={"percent_complete": 5}, headers={"If-Match": '"1"'}), 412
    )
    body = cast.owner.get(url).json()
    assert body["name"] == "New" and body["percent_complete"] == 0 and body["version"] == 2


# --- listing -----------------------------------------------------------------


def test_the_list_is_in_project_order_then_wbs_order(cast: Cast, plat: dict[str, Any]) -> None:
    first = new_project(cast, "FIRST")  # created second, but moved before PLAT
    cast.owner.patch(f"/api/v1/projects/{plat['id']}", json={"position": 5})
    for i in range(11):
        add(cast, plat, f"step {i + 1}")
    add(cast, first, "kick-off")
    items = cast.viewer.get(URL, params={"program_id": cast.program.id}).json()["items"]
    assert [(t["project_key"], t["wbs"]) for t in items] == [("FIRST", "1")] + [
        ("PLAT", str(i)) for i in range(1, 12)
    ]


def test_the_list_is_paginated_and_filtered(cast: Cast, plat: dict[str, Any], tree: Any) -> None:
    add(cast, plat, "Go-live", is_milestone=True)
    page = cast.viewer.get(URL, params={"project_id": plat["id"], "limit": 2, "offset": 2}).json()
    assert (page["total"], page["limit"], page["offset"]) == (6, 2, 2)
    assert [t["name"] for t in page["items"]] == ["A2", "B"]
    children = cast.viewer.get(URL, params={"parent_id": tree["A"]["id"]}).json()
    assert [t["name"] for t in children["items"]] == ["A1", "A2"]
    milestones = cast.viewer.get(URL, params={"milestones_only": "true"}).json()
    assert [t["name"] for t in milestones["items"]] == ["Go-live"]
    found = cast.viewer.get(URL, params={"q": "go-"}).json()
    assert [t["name"] for t in found["items"]] == ["Go-live"]
    by_key = cast.viewer.get(URL, params={"q": tree["B"]["key"].lower()}).json()
    assert [t["name"] for t in by_key["items"]] == ["B"]
    beyond = cast.viewer.get(URL, params={"offset": 50}).json()
    assert beyond["items"] == [] and beyond["total"] == 6


def test_the_list_shows_only_tasks_of_visible_programs(
    cast: Cast, plat: dict[str, Any], tree: Any
) -> None:
    other = cast.outsider.post("/api/v1/programs", json=NEW_PROGRAM).json()
    mine = cast.outsider.post(
        "/api/v1/projects", json={"program_id": other["id"], "key": "MINE", "name": "x"}
    ).json()
    cast.outsider.post(URL, json={"project_id": mine["id"], "name": "outsider's task"})
    assert [t["name"] for t in cast.outsider.get(URL).json()["items"]] == ["outsider's task"]
    assert cast.viewer.get(URL).json()["total"] == 5
    assert cast.admin.get(URL).json()["total"] == 6
    assert_error(cast.outsider.get(URL, params={"program_id": cast.program.id}), 404)
    assert_error(cast.outsider.get(URL, params={"project_id": plat["id"]}), 404)


@contextmanager
def counting_queries(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_listing_tasks_takes_as_many_queries_for_many_tasks_as_for_few(
    cast: Cast, plat: dict[str, Any], engine: Engine
) -> None:
    parent = add(cast, plat, "parent")
    add(cast, plat, "child", parent_id=parent["id"])
    params = {"project_id": plat["id"], "limit": 500}
    cast.viewer.get(URL, params=params)  # warm up: token bookkeeping
    with counting_queries(engine) as few:
        assert len(cast.viewer.get(URL, params=params).json()["items"]) == 2
    for i in range(30):
        add(cast, plat, f"more {i}", parent_id=parent["id"] if i % 2 else None)
    with counting_queries(engine) as many:
        assert len(cast.viewer.get(URL, params=params).json()["items"]) == 32
    assert len(many) == len(few), many


def test_listing_projects_takes_as_many_queries_for_many_as_for_few(
    cast: Cast, engine: Engine
) -> None:
    first = new_project(cast, "A")
    add(cast, first, "one")
    cast.viewer.get("/api/v1/projects")
    with counting_queries(engine) as few:
        cast.viewer.get("/api/v1/projects")
    for i in range(10):
        project = new_project(cast, f"P{i}")
        add(cast, project, "task")
    with counting_queries(engine) as many:
        assert cast.viewer.get("/api/v1/projects").json()["total"] == 11
    assert len(many) == len(few)


# --- audit -------------------------------------------------------------------


def test_every_task_change_is_audited_with_old_and_new_values(
    cast: Cast, plat: dict[str, Any], tree: Any
) -> None:
    b = tree["B"]
    cast.manager.patch(f"{URL}/{b['id']}", json={"name": "Build", "duration": 4})
    cast.assign_member(b["id"])
    cast.member.patch(
        f"{URL}/{b['id']}", json={"actual_start": "2027-02-01", "percent_complete": 25}
    )
    cast.manager.post(f"{URL}/{b['id']}/indent")
    cast.manager.post(f"{URL}/{b['id']}/outdent")
    cast.manager.delete(f"{URL}/{b['id']}")
    entries = audit_of(cast, b)
    assert [e["action"] for e in entries] == [
        "delete",
        "update",
        "update",
        "update",
        "update",
        "create",
    ]
    delete, outdent, indent, progress, edit, create = entries
    assert (
        create["changes"]["key"] == [None, b["key"]] and create["user_email"] == "owner@example.com"
    )
    assert edit["changes"] == {"name": ["B", "Build"], "duration": [1, 4]}
    assert edit["user_email"] == "manager@example.com"
    assert progress["changes"] == {
        "actual_start": [None, "2027-02-01"],
        "percent_complete": [0, 25],
    }
    assert progress["user_email"] == "member@example.com"
    assert indent["changes"]["parent_id"] == [None, tree["A"]["id"]]
    assert indent["changes"]["wbs"] == ["2", "1.3"]
    assert outdent["changes"]["wbs"] == ["1.3", "2"]
    assert delete["changes"]["name"] == ["Build", None]


def test_deleting_a_summary_audits_every_removed_task(cast: Cast, tree: Any) -> None:
    cast.owner.delete(f"{URL}/{tree['A']['id']}")
    for name in ("A", "A1", "A2"):
        assert audit_of(cast, tree[name])[0]["action"] == "delete"


# --- permissions ---------------------------------------------------------------

WRITERS = {"owner", "manager", "admin"}


def _expected(role: str, success: int) -> int:
    return success if role in WRITERS else 404 if role == "outsider" else 403


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_owners_and_admins_create_tasks(
    cast: Cast, plat: dict[str, Any], role: str
) -> None:
    response = cast.by_role(role).post(URL, json={"project_id": plat["id"], "name": "x"})
    assert response.status_code == _expected(role, 201), response.text


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_owners_and_admins_edit_task_plans(cast: Cast, tree: Any, role: str) -> None:
    response = cast.by_role(role).patch(
        f"{URL}/{tree['B']['id']}", json={"name": "x", "duration": 3}
    )
    assert response.status_code == _expected(role, 200), response.text
    if role == "member":
        assert response.json()["error"]["details"]["fields"] == ["duration", "name"]
        assert "duration, name" in response.json()["error"]["message"]


@pytest.mark.parametrize("role", ROLES)
def test_members_and_above_update_progress(cast: Cast, tree: Any, role: str) -> None:
    cast.assign_member(tree["B"]["id"])
    response = cast.by_role(role).patch(
        f"{URL}/{tree['B']['id']}", json={"actual_start": "2027-02-01", "percent_complete": 30}
    )
    expected = {"viewer": 403, "outsider": 404}.get(role, 200)
    assert response.status_code == expected, response.text


def test_members_update_progress_only_on_the_tasks_assigned_to_them(cast: Cast, tree: Any) -> None:
    url = f"{URL}/{tree['B']['id']}"
    refused = cast.member.patch(url, json={"actual_start": "2027-02-01", "percent_complete": 30})
    error = assert_error(refused, 403, "forbidden")
    assert "not assigned to you" in error["message"] and error["details"]["assigned"] is False
    cast.assign_member(tree["B"]["id"])
    assert cast.member.patch(url, json={"actual_start": "2027-02-01"}).status_code == 200
    other = cast.member.patch(f"{URL}/{tree['C']['id']}", json={"percent_complete": 0})
    assert other.status_code == 200  # nothing changes: nothing to refuse


def test_a_member_may_send_unchanged_plan_fields_back_with_progress(cast: Cast, tree: Any) -> None:
    b = tree["B"]
    cast.assign_member(b["id"])
    response = cast.member.patch(
        f"{URL}/{b['id']}",
        json={
            "name": b["name"],
            "duration": b["duration"],
            "percent_complete": 10,
            "actual_start": "2027-02-01",
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["percent_complete"] == 10


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_owners_and_admins_delete_tasks(cast: Cast, tree: Any, role: str) -> None:
    response = cast.by_role(role).delete(f"{URL}/{tree['C']['id']}")
    assert response.status_code == _expected(role, 204), response.text


@pytest.mark.parametrize("operation", ["indent", "outdent", "move"])
@pytest.mark.parametrize("role", ROLES)
def test_only_managers_owners_and_admins_restructure_the_wbs(
    cast: Cast, tree: Any, role: str, operation: str
) -> None:
    task = tree["A2"] if operation == "outdent" else tree["B"]
    body = {"parent_id": None, "position": 0} if operation == "move" else None
    response = cast.by_role(role).post(f"{URL}/{task['id']}/{operation}", json=body)
    assert response.status_code == _expected(role, 200), response.text


@pytest.mark.parametrize("role", ROLES)
def test_everyone_in_the_program_reads_tasks_and_outsiders_get_404(
    cast: Cast, tree: Any, role: str
) -> None:
    response = cast.by_role(role).get(f"{URL}/{tree['A']['id']}")
    assert response.status_code == (404 if role == "outsider" else 200), response.text


def test_a_task_key_cannot_reuse_a_program_milestone_key(cast: Cast, db: Session) -> None:
    project = Project(program_id=cast.program.id, key="KEYS", name="Keys")
    db.add_all([project, Milestone(program_id=cast.program.id, key="M9", name="Nine")])
    db.commit()
    response = cast.manager.post(
        "/api/v1/tasks", json={"project_id": project.id, "name": "x", "key": "M9"}
    )
    assert response.status_code == 409, response.text
    assert "milestone" in response.json()["error"]["message"]


def test_progress_without_an_actual_start_is_422_naming_the_field(cast: Cast) -> None:
    project = new_project(cast)
    task = cast.manager.post(
        "/api/v1/tasks", json={"project_id": project["id"], "name": "Work", "duration": 5}
    )
    cast.assign_member(task.json()["id"])
    response = cast.member.patch(
        f"/api/v1/tasks/{task.json()['id']}", json={"percent_complete": 30}
    )
    error = assert_error(response, 422, "validation_failed")
    assert error["details"] == [
        {"field": "actual_start", "message": "is required when percent_complete is above 0"}
    ]


def test_progress_reports_are_kept_as_history_one_per_day(cast: Cast, db: Session) -> None:
    project = new_project(cast)
    cast.owner.patch(f"/api/v1/programs/{cast.program.id}", json={"status_date": "2027-01-08"})
    task = cast.manager.post(
        "/api/v1/tasks",
        json={"project_id": project["id"], "name": "Work", "duration": 10, "budget": 1000},
    ).json()
    url = f"/api/v1/tasks/{task['id']}"
    cast.assign_member(task["id"])
    cast.member.patch(
        url, json={"actual_start": "2027-01-04", "percent_complete": 20, "actual_cost": 150}
    )
    cast.member.patch(url, json={"percent_complete": 30})
    cast.owner.patch(f"/api/v1/programs/{cast.program.id}", json={"status_date": "2027-01-15"})
    cast.member.patch(url, json={"percent_complete": 60, "actual_cost": 500})
    rows = db.execute(
        select(ProgressRecord.as_of, ProgressRecord.percent_complete, ProgressRecord.actual_cost)
        .where(ProgressRecord.task_id == task["id"])
        .order_by(ProgressRecord.as_of)
    ).all()
    assert [tuple(r) for r in rows] == [
        (date(2027, 1, 8), 30.0, 150.0),
        (date(2027, 1, 15), 60.0, 500.0),
    ]


def test_a_summary_task_takes_no_duration_or_progress_of_its_own(
    cast: Cast, plat: dict[str, Any], tree: Any, browser_as: Any
) -> None:
    page = browser_as("manager@example.com").get(f"/tasks/{tree['A']['id']}")
    # duration, actual start and finish, % complete, budget and actual cost
    assert 'data-testid="summary-progress"' in page and page.count(" readonly") == 6
    leaf = browser_as("manager@example.com").get(f"/tasks/{tree['A1']['id']}")
    assert "summary-progress" not in leaf and " readonly" not in leaf
    url = f"{URL}/{tree['A']['id']}"
    for body in (
        {"duration": 50},
        {"actual_start": "2027-01-04", "percent_complete": 30},
        {"actual_start": "2027-01-04", "actual_finish": "2027-01-05"},
    ):
        error = assert_error(cast.manager.patch(url, json=body), 409, "summary_rolls_up")
        assert set(error["details"]["fields"]) & set(body)
        assert error["message"].startswith(f"task {tree['A']['key']} has sub-tasks")
    # its other fields change as any task's; sending a rolled-up field back unchanged is fine
    stored = cast.viewer.get(url).json()
    renamed = cast.manager.patch(url, json={"name": "Wave A", "duration": stored["duration"]})
    assert renamed.status_code == 200, renamed.text
    assert cast.viewer.get(url).json()["percent_complete"] == 0


def test_a_link_finds_its_other_end_by_key_in_any_case_when_only_one_has_it(
    cast: Cast, db: Session
) -> None:
    from podium.errors import ValidationFailed
    from podium.services.pages_tasks import find_activity
    from tests.factories import make_milestone, make_project, make_task

    project = make_project(db, cast.program, "WAVE")
    task = make_task(db, project, "WAVE-1")
    milestone = make_milestone(db, cast.program, "M7")
    for typed, found in (("WAVE-1", task.id), ("wave-1", task.id), (" Wave-1 ", task.id)):
        assert find_activity(db, cast.program.id, typed, field="other").id == found
    assert find_activity(db, cast.program.id, "m7", field="other").id == milestone.id
    # two keys that differ only in case: the one typed exactly, else neither
    twin = make_task(db, project, "wave-1b")
    make_task(db, project, "WAVE-1B")
    assert find_activity(db, cast.program.id, "wave-1b", field="other").id == twin.id
    with pytest.raises(ValidationFailed, match="no task or milestone Wave-1b"):
        find_activity(db, cast.program.id, "Wave-1b", field="other")

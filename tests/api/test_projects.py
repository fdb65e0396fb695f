"""Projects API: CRUD, keys, references, task counts, audit, versions, errors and permissions."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from podium.models import Calendar, Dependency, Project, Task
from tests.api.conftest import ROLES, Browser, Cast
from tests.api.test_programs import NEW_PROGRAM, assert_error

URL = "/api/v1/projects"


def make_calendar(db: Session, name: str = "standard") -> Calendar:
    calendar = Calendar(name=name)
    db.add(calendar)
    db.commit()
    return calendar


def new_project(cast: Cast, key: str = "PLAT", **fields: Any) -> dict[str, Any]:
    body = {"program_id": cast.program.id, "key": key, "name": f"Project {key}", **fields}
    response = cast.owner.post(URL, json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def new_task(cast: Cast, project_id: int, name: str, **fields: Any) -> dict[str, Any]:
    response = cast.owner.post(
        "/api/v1/tasks", json={"project_id": project_id, "name": name, **fields}
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def test_a_manager_creates_a_project_that_starts_with_no_tasks(cast: Cast, db: Session) -> None:
    calendar = make_calendar(db)
    response = cast.manager.post(
        URL,
        json={
            "program_id": cast.program.id,
            "key": "PLAT",
            "name": "Platform upgrade",
            "description": "New hosting platform",
            "start_date": "2027-01-04",
            "calendar_id": calendar.id,
            "manager_id": cast.manager.user.id,
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["ETag"] == '"1"'
    assert body["key"] == "PLAT" and body["program_id"] == cast.program.id
    assert body["start_date"] == "2027-01-04" and body["calendar_id"] == calendar.id
    assert body["manager_id"] == cast.manager.user.id
    assert body["task_count"] == 0 and body["version"] == 1 and body["position"] == 0
    assert cast.viewer.get(f"{URL}/{body['id']}").json() == body


def test_new_projects_go_after_the_existing_ones(cast: Cast) -> None:
    first = new_project(cast, "A")
    second = new_project(cast, "B")
    inserted = new_project(cast, "C", position=0)
    assert (first["position"], second["position"], inserted["position"]) == (0, 1, 0)
    listed = cast.viewer.get(URL, params={"program_id": cast.program.id}).json()["items"]
    assert [p["key"] for p in listed] == ["A", "C", "B"]  # position, then creation order


def test_project_keys_are_unique_within_a_program_only(cast: Cast) -> None:
    new_project(cast, "PLAT")
    duplicate = cast.owner.post(
        URL, json={"program_id": cast.program.id, "key": "PLAT", "name": "x"}
    )
    assert assert_error(duplicate, 409, "conflict")["details"] == {"field": "key"}
    other = cast.owner.post("/api/v1/programs", json=NEW_PROGRAM).json()
    elsewhere = cast.owner.post(URL, json={"program_id": other["id"], "key": "PLAT", "name": "x"})
    assert elsewhere.status_code == 201, elsewhere.text


def test_renaming_a_project_to_a_taken_key_is_409(cast: Cast) -> None:
    new_project(cast, "PLAT")
    data = new_project(cast, "DATA")
    assert_error(cast.owner.patch(f"{URL}/{data['id']}", json={"key": "PLAT"}), 409, "conflict")


@pytest.mark.parametrize("key", ["", "1PLAT", "PL AT", "X" * 21, "PLAT!"])
def test_a_badly_formed_key_is_422_naming_key(cast: Cast, key: str) -> None:
    response = cast.owner.post(URL, json={"program_id": cast.program.id, "key": key, "name": "x"})
    error = assert_error(response, 422, "validation_failed")
    assert [d["field"] for d in error["details"]] == ["key"]


def test_an_unknown_calendar_is_422_naming_calendar_id(cast: Cast) -> None:
    response = cast.owner.post(
        URL, json={"program_id": cast.program.id, "key": "P", "name": "x", "calendar_id": 999999}
    )
    error = assert_error(response, 422, "validation_failed")
    assert error["details"][0]["field"] == "calendar_id"


@pytest.mark.parametrize("who", ["outsider", "admin"])
def test_the_project_manager_must_be_a_member_of_the_program(cast: Cast, who: str) -> None:
    response = cast.owner.post(
        URL,
        json={
            "program_id": cast.program.id,
            "key": "P",
            "name": "x",
            "manager_id": cast.by_role(who).user.id,
        },
    )
    error = assert_error(response, 422, "validation_failed")
    assert error["details"][0]["field"] == "manager_id"
    project = new_project(cast, "Q")
    changed = cast.owner.patch(f"{URL}/{project['id']}", json={"manager_id": cast.manager.user.id})
    assert changed.status_code == 200 and changed.json()["manager_id"] == cast.manager.user.id


@pytest.mark.parametrize("who", ["viewer", "member"])
def test_a_member_who_may_not_plan_is_refused_as_the_project_manager(cast: Cast, who: str) -> None:
    person = cast.by_role(who).user
    body = {"program_id": cast.program.id, "key": "P", "name": "x", "manager_id": person.id}
    error = assert_error(cast.owner.post(URL, json=body), 422, "validation_failed")
    assert error["details"][0]["field"] == "manager_id"
    assert error["details"][0]["message"] == (
        f"{person.email} is a {who} of this program: a project's manager must be one of "
        "its managers or owners, who plan it"
    )
    project = new_project(cast, "Q")
    refused = cast.owner.patch(f"{URL}/{project['id']}", json={"manager_id": person.id})
    assert assert_error(refused, 422)["details"][0]["field"] == "manager_id"
    owner = cast.owner.patch(f"{URL}/{project['id']}", json={"manager_id": cast.owner.user.id})
    assert owner.status_code == 200 and owner.json()["manager_id"] == cast.owner.user.id


def test_creating_a_project_in_an_invisible_or_unknown_program_is_404(cast: Cast) -> None:
    body = {"key": "P", "name": "x"}
    assert_error(cast.outsider.post(URL, json={**body, "program_id": cast.program.id}), 404)
    assert_error(cast.owner.post(URL, json={**body, "program_id": 999999}), 404)


def test_the_list_shows_only_projects_of_visible_programs(cast: Cast) -> None:
    new_project(cast, "PLAT")
    other = cast.outsider.post("/api/v1/programs", json=NEW_PROGRAM).json()
    cast.outsider.post(URL, json={"program_id": other["id"], "key": "MINE", "name": "Mine"})
    assert [p["key"] for p in cast.viewer.get(URL).json()["items"]] == ["PLAT"]
    assert [p["key"] for p in cast.outsider.get(URL).json()["items"]] == ["MINE"]
    assert [p["key"] for p in cast.admin.get(URL).json()["items"]] == ["PLAT", "MINE"]
    assert_error(cast.outsider.get(URL, params={"program_id": cast.program.id}), 404)


def test_the_list_is_paginated_and_filtered_by_text(cast: Cast) -> None:
    for key, name in [("A", "Data transfer"), ("B", "Cybersecurity"), ("C", "Staff training")]:
        new_project(cast, key, name=name)
    page = cast.viewer.get(URL, params={"limit": 2, "offset": 1}).json()
    assert (page["total"], page["limit"], page["offset"]) == (3, 2, 1)
    assert [p["key"] for p in page["items"]] == ["B", "C"]
    found = cast.viewer.get(URL, params={"q": "TRAIN"}).json()
    assert [p["key"] for p in found["items"]] == ["C"] and found["total"] == 1
    by_key = cast.viewer.get(URL, params={"q": "b", "program_id": cast.program.id}).json()
    assert [p["key"] for p in by_key["items"]] == ["B"]


def test_projects_report_how_many_tasks_they_hold(cast: Cast) -> None:
    plat = new_project(cast, "PLAT")
    data = new_project(cast, "DATA")
    parent = new_task(cast, plat["id"], "Pilot")
    new_task(cast, plat["id"], "Install", parent_id=parent["id"])
    new_task(cast, plat["id"], "Sign-off")
    counts = {p["key"]: p["task_count"] for p in cast.viewer.get(URL).json()["items"]}
    assert counts == {"PLAT": 3, "DATA": 0}
    assert cast.viewer.get(f"{URL}/{plat['id']}").json()["task_count"] == 3
    assert cast.viewer.get(f"{URL}/{data['id']}").json()["task_count"] == 0


def test_unknown_and_invisible_projects_are_both_404(cast: Cast) -> None:
    project = new_project(cast)
    assert_error(cast.owner.get(f"{URL}/999999"), 404, "not_found")
    error = assert_error(cast.outsider.get(f"{URL}/{project['id']}"), 404, "not_found")
    assert "program" not in error["message"]
    assert_error(cast.outsider.patch(f"{URL}/{project['id']}", json={"name": "x"}), 404)
    assert_error(cast.outsider.delete(f"{URL}/{project['id']}"), 404)


def test_an_out_of_range_id_is_422_not_a_crash(cast: Cast) -> None:
    assert_error(cast.owner.get(f"{URL}/99999999999"), 422)
    assert_error(cast.owner.get(URL, params={"program_id": 99999999999}), 422)


def test_an_update_changes_only_the_fields_sent_and_bumps_the_version(cast: Cast) -> None:
    project = new_project(cast, description="before")
    response = cast.manager.patch(f"{URL}/{project['id']}", json={"name": "Platform 2"})
    assert response.status_code == 200, response.text
    assert response.headers["ETag"] == '"2"'
    body = response.json()
    assert body["name"] == "Platform 2" and body["description"] == "before" and body["version"] == 2


def test_an_update_with_a_stale_if_match_is_412_and_changes_nothing(cast: Cast) -> None:
    project = new_project(cast)
    url = f"{URL}/{project['id']}"
    assert (
        cast.owner.patch(url, json={"name": "New"}, headers={"If-Match": '"1"'}).status_code == 200
    )
    assert_error(cast.owner.patch(url, json={"name": "Lost"}, headers={"If-Match": '"1"'}), 412)
    assert_error(cast.owner.delete(url, headers={"If-Match": '"1"'}), 412)
    assert cast.owner.get(url).json()["name"] == "New"


def test_a_null_for_a_required_field_is_422(cast: Cast) -> None:
    project = new_project(cast)
    error = assert_error(cast.owner.patch(f"{URL}/{project['id']}", json={"name": None}), 422)
    assert error["details"][0]["field"] == "name"


def test_unknown_fields_and_nul_characters_are_422(cast: Cast) -> None:
    body = {"program_id": cast.program.id, "key": "P", "name": "x"}
    assert_error(cast.owner.post(URL, json={**body, "task_count": 3}), 422)
    assert_error(cast.owner.post(URL, json={**body, "name": "a\x00b"}), 422)


def test_malformed_json_is_400(cast: Cast) -> None:
    response = cast.owner.post(
        URL, content=b'{"key": ', headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "malformed_json")


def test_requests_without_credentials_are_401(app_client: TestClient, cast: Cast) -> None:
    project = new_project(cast)
    assert_error(app_client.get(URL), 401)
    assert_error(app_client.get(f"{URL}/{project['id']}"), 401)
    assert_error(
        app_client.post(URL, json={"program_id": cast.program.id, "key": "X", "name": "x"}), 401
    )


def test_every_project_change_is_audited_in_its_program(cast: Cast) -> None:
    project = new_project(cast)
    cast.owner.patch(f"{URL}/{project['id']}", json={"name": "Renamed"})
    cast.owner.delete(f"{URL}/{project['id']}")
    entries = cast.viewer.get(
        f"/api/v1/programs/{cast.program.id}/audit",
        params={"entity_type": "project", "entity_id": project["id"]},
    ).json()["items"]
    assert [e["action"] for e in entries] == ["delete", "update", "create"]
    assert entries[1]["changes"] == {"name": ["Project PLAT", "Renamed"]}
    assert entries[2]["changes"]["key"] == [None, "PLAT"]


def test_deleting_a_project_linked_to_other_work_is_refused_naming_the_links_unless_cascade(
    cast: Cast, db: Session
) -> None:
    plat = new_project(cast, "PLAT")
    data = new_project(cast, "DATA")
    pilot = new_task(cast, plat["id"], "Pilot")
    child = new_task(cast, plat["id"], "Install", parent_id=pilot["id"])
    rollout = new_task(cast, plat["id"], "Roll out")
    transfer = new_task(cast, data["id"], "Transfer")
    m1 = cast.owner.post(
        "/api/v1/milestones", json={"program_id": cast.program.id, "key": "M1", "name": "Live"}
    ).json()
    links = [
        Dependency(program_id=cast.program.id, predecessor_task_id=child["id"], **succ)
        for succ in (
            {"successor_task_id": transfer["id"]},  # into another project
            {"successor_task_id": rollout["id"]},  # inside PLAT: no reason to refuse
            {"successor_milestone_id": m1["id"]},  # into a program milestone
        )
    ]
    db.add_all(links)
    db.commit()
    across, inside, to_m1 = links
    error = assert_error(cast.manager.delete(f"{URL}/{plat['id']}"), 409)
    assert error["code"] == "project_has_outside_links"
    assert error["message"] == (
        f"project PLAT cannot be deleted: dependencies {child['key']} → {transfer['key']}, "
        f"{child['key']} → M1 link its tasks to work outside it; delete them first or use "
        "?cascade=true"
    )
    assert error["details"]["dependencies"] == [
        {"id": across.id, "predecessor": child["key"], "successor": transfer["key"],
         "type": "FS", "other_project": "DATA"},
        {"id": to_m1.id, "predecessor": child["key"], "successor": "M1", "type": "FS",
         "other_project": None},
    ]  # fmt: skip
    assert cast.owner.get(f"{URL}/{plat['id']}").status_code == 200  # nothing went
    assert db.scalar(select(func.count(Dependency.id))) == 3

    response = cast.manager.delete(f"{URL}/{plat['id']}", params={"cascade": "true"})
    assert response.status_code == 204, response.text
    assert_error(cast.owner.get(f"{URL}/{plat['id']}"), 404)
    assert_error(cast.owner.get(f"/api/v1/tasks/{child['id']}"), 404)
    assert cast.owner.get(f"/api/v1/tasks/{transfer['id']}").status_code == 200
    assert cast.owner.get(f"/api/v1/milestones/{m1['id']}").status_code == 200
    assert db.scalar(select(func.count(Dependency.id))) == 0
    assert db.scalar(select(func.count(Task.id))) == 1
    audit = cast.viewer.get(
        f"/api/v1/programs/{cast.program.id}/audit", params={"limit": 500}
    ).json()["items"]
    deleted = {
        (e["entity_type"], e["entity_id"]): e["entity_label"]
        for e in audit
        if e["action"] == "delete"
    }
    assert deleted == {
        ("project", plat["id"]): "Project PLAT",
        ("task", pilot["id"]): "Pilot",
        ("task", child["id"]): "Install",
        ("task", rollout["id"]): "Roll out",
        ("dependency", across.id): f"{child['key']} → {transfer['key']}",
        ("dependency", inside.id): f"{child['key']} → {rollout['key']}",
        ("dependency", to_m1.id): f"{child['key']} → M1",
    }


def test_the_settings_page_names_the_links_a_project_takes_and_deletes_it_with_them(
    cast: Cast, db: Session, browser_as: Callable[[str], Browser]
) -> None:
    plat, data = new_project(cast, "PLAT"), new_project(cast, "DATA")
    pilot, transfer = new_task(cast, plat["id"], "Pilot"), new_task(cast, data["id"], "Move")
    db.add(
        Dependency(
            program_id=cast.program.id,
            predecessor_task_id=pilot["id"],
            successor_task_id=transfer["id"],
        )
    )
    db.commit()
    manager = browser_as(cast.manager.user.email)
    url = f"/projects/{plat['id']}"
    page = manager.get(f"{url}/settings")
    assert "1 of them with work outside it" in page
    named = re.search(r'data-testid="outside-links"[^>]*>(.*?)</ul>', page, re.S)
    assert named is not None
    shown = " ".join(re.sub(r"<[^>]+>", " ", named.group(1)).split())
    assert shown == f"{pilot['key']} → {transfer['key']} FS · DATA"
    links = re.search(r'name="links" value="([0-9,]*)"', page)
    assert links is not None
    form = {
        "confirm_key": "PLAT",
        "version": cast.owner.get(f"{URL}/{plat['id']}").json()["version"],
    }
    # a link added since the page was read is not deleted unseen
    later = new_task(cast, data["id"], "Check")
    db.add(
        Dependency(
            program_id=cast.program.id,
            predecessor_task_id=pilot["id"],
            successor_task_id=later["id"],
        )
    )
    db.commit()
    refused = manager.post(f"{url}/delete", {**form, "links": links.group(1)})
    assert refused.status_code == 409
    assert "The links between PLAT and work outside it changed since this page was read" in (
        refused.text
    )
    assert f'{pilot["key"]}</span> → <span class="key">{later["key"]}' in refused.text
    links = re.search(r'name="links" value="([0-9,]*)"', refused.text)
    assert links is not None and len(links.group(1).split(",")) == 2
    deleted = manager.post(f"{url}/delete", {**form, "links": links.group(1)})
    assert deleted.status_code == 303, deleted.text
    assert_error(cast.owner.get(f"{URL}/{plat['id']}"), 404)
    assert db.scalar(select(func.count(Dependency.id))) == 0


# --- the permission matrix ---------------------------------------------------

WRITERS = {"owner", "manager", "admin"}


def _expected(role: str, success: int) -> int:
    return success if role in WRITERS else 404 if role == "outsider" else 403


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_owners_and_admins_create_projects(cast: Cast, role: str) -> None:
    response = cast.by_role(role).post(
        URL, json={"program_id": cast.program.id, "key": "P", "name": "x"}
    )
    assert response.status_code == _expected(role, 201), response.text


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_owners_and_admins_change_projects(cast: Cast, role: str) -> None:
    project = new_project(cast)
    response = cast.by_role(role).patch(f"{URL}/{project['id']}", json={"name": "Changed"})
    assert response.status_code == _expected(role, 200), response.text


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_owners_and_admins_delete_projects(cast: Cast, role: str) -> None:
    project = new_project(cast)
    response = cast.by_role(role).delete(f"{URL}/{project['id']}")
    assert response.status_code == _expected(role, 204), response.text


@pytest.mark.parametrize("role", ROLES)
def test_everyone_in_the_program_reads_projects_and_outsiders_get_404(
    cast: Cast, role: str
) -> None:
    project = new_project(cast)
    response = cast.by_role(role).get(f"{URL}/{project['id']}")
    assert response.status_code == (404 if role == "outsider" else 200), response.text


def test_the_settings_form_offers_and_takes_only_who_may_plan_as_project_manager(
    cast: Cast, db: Session, browser_as: Callable[[str], Browser]
) -> None:
    project = new_project(cast, "Q")
    url = f"/projects/{project['id']}/settings"
    owner = browser_as(cast.owner.user.email)
    page = owner.get(url)
    assert f"({cast.manager.user.email})</option>" in page
    assert f"({cast.viewer.user.email})</option>" not in page
    assert f"({cast.member.user.email})</option>" not in page
    form = {"key": "Q", "name": "Project Q", "description": "", "start_date": "",
            "calendar_id": "", "version": project["version"]}  # fmt: skip
    refused = owner.post(url, {**form, "manager_id": cast.viewer.user.id})
    assert refused.status_code == 422
    assert "is a viewer of this program: a project&#39;s manager must be one of" in refused.text
    assert cast.owner.get(f"{URL}/{project['id']}").json()["manager_id"] is None
    # a project named a member as its manager before the rule: its other settings still save
    stored = db.get(Project, project["id"])
    assert stored is not None
    stored.manager_id = cast.member.user.id
    db.commit()
    page = owner.get(url)
    assert f"({cast.member.user.email})</option>" in page  # kept, not silently dropped
    current = cast.owner.get(f"{URL}/{project['id']}").json()
    saved = owner.post(
        url,
        {**form, "name": "Renamed", "manager_id": cast.member.user.id,
         "version": current["version"]},
    )  # fmt: skip
    assert saved.status_code == 303, saved.text
    assert cast.owner.get(f"{URL}/{project['id']}").json()["name"] == "Renamed"

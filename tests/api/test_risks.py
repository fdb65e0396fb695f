"""Risks API: the register, filters, actions, history, escalations, matrix, rules — every
route's errors and its permission matrix."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.api.conftest import ROLES, Cast
from tests.factories import ApiUser, assert_error, make_project, make_task

URL = "/api/v1/risks"


@pytest.fixture
def projects(cast: Cast, db: Session) -> dict[str, int]:
    return {k: make_project(db, cast.program, k).id for k in ("PLAT", "DATA")}


def create(api: ApiUser, cast: Cast, projects: dict[str, int], **fields: Any) -> dict[str, Any]:
    body = {
        "program_id": cast.program.id,
        "title": "Vendor API late",
        "probability": 3,
        "impact": 3,
        "project_ids": [projects["PLAT"]],
        **fields,
    }
    response = api.post(URL, json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def expected_status(role: str, ok: int, needed: str) -> int:
    order = ["viewer", "member", "manager", "owner"]
    if role == "outsider":
        return 404
    if role == "admin" or order.index(role) >= order.index(needed):
        return ok
    return 403


# --- the register -----------------------------------------------------------------


def test_a_member_raises_a_risk_with_every_field(
    cast: Cast, projects: dict[str, int], db: Session
) -> None:
    task = make_task(db, make_project(db, cast.program, "SEC"), "SEC-4")
    response = cast.member.post(
        URL,
        json={
            "program_id": cast.program.id,
            "title": "Pen test finds critical issues",
            "description": "The external pen test may find issues that block sign-off.",
            "cause": "New landing zone, untested controls",
            "effect": "Security sign-off and wave 1 slip",
            "probability": 3,
            "impact": 4,
            "level": "task",
            "response": "mitigate",
            "owner_id": cast.manager.user.id,
            "due_date": "2027-03-01",
            "task_ids": [task.id],
        },
    )
    assert response.status_code == 201, response.text
    assert response.headers["ETag"] == '"1"'
    body = response.json()
    assert {
        k: body[k]
        for k in (
            "key",
            "score",
            "band",
            "level",
            "effective_level",
            "escalation",
            "status",
            "due_date",
            "url",
        )
    } == {
        "key": "R1",
        "score": 12,
        "band": "high",
        "level": "task",
        "effective_level": "task",
        "escalation": "none",
        "status": "open",
        "due_date": "2027-03-01",
        "url": f"/risks/{body['id']}",
    }
    assert body["owner"] == {
        "id": cast.manager.user.id,
        "name": "manager",
        "email": "manager@example.com",
    }
    assert body["tasks"] == [{"id": task.id, "key": "SEC-4", "name": "Task SEC-4"}]
    assert cast.viewer.get(f"{URL}/{body['id']}").json() == body


def test_a_cross_project_risk_is_escalated_in_the_response(
    cast: Cast, projects: dict[str, int]
) -> None:
    body = create(cast.member, cast, projects, project_ids=list(projects.values()), probability=1)
    assert body["escalation"] == "program" and body["effective_level"] == "program"
    (move,) = cast.viewer.get(f"{URL}/{body['id']}/escalations").json()["items"]
    assert move["by"] == "member@example.com" and move["to_escalation"] == "program"
    assert move["reason"] == "linked to 2 projects (DATA, PLAT)"


def test_filters_narrow_the_register(cast: Cast, projects: dict[str, int]) -> None:
    a = create(cast.member, cast, projects, probability=5, impact=4, title="Lease ends")
    b = create(cast.member, cast, projects, probability=2, impact=2, project_ids=[projects["DATA"]])
    c = create(cast.manager, cast, projects, probability=1, impact=1, status="closed")
    program = {"program_id": cast.program.id}

    def ids(**params: Any) -> list[int]:
        response = cast.viewer.get(URL, params={**program, **params})
        assert response.status_code == 200, response.text
        return [r["id"] for r in response.json()["items"]]

    assert ids() == [a["id"], b["id"], c["id"]]  # highest score first
    assert ids(sort="key") == [a["id"], b["id"], c["id"]]
    assert ids(sort="-score") == [c["id"], b["id"], a["id"]]
    assert ids(live="true") == [a["id"], b["id"]]
    assert ids(status=["open", "closed"]) == [a["id"], b["id"], c["id"]]
    assert ids(status="closed") == [c["id"]]
    assert ids(project_id=projects["DATA"]) == [b["id"]]
    assert ids(probability=5, impact=4) == [a["id"]]
    assert ids(min_score=4) == [a["id"], b["id"]]
    assert ids(level="program") == [a["id"]]  # 20: escalated (and on the steering agenda)
    assert ids(escalation="steering") == [a["id"]]
    assert ids(q="lease") == [a["id"]]
    page = cast.viewer.get(URL, params={**program, "limit": 1, "offset": 1}).json()
    assert (page["total"], [r["id"] for r in page["items"]]) == (3, [b["id"]])


def test_updates_keep_history_and_need_the_current_version(
    cast: Cast, projects: dict[str, int]
) -> None:
    risk = create(cast.member, cast, projects, probability=4, impact=4)
    url = f"{URL}/{risk['id']}"
    changed = cast.member.patch(
        url,
        json={"probability": 2, "status": "mitigating", "note": "pilot went well"},
        headers={"If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["score"] == 8 and changed.headers["ETag"] == '"2"'
    assert_error(
        cast.member.patch(url, json={"impact": 1}, headers={"If-Match": '"1"'}),
        412,
        "stale_version",
    )
    history = cast.viewer.get(f"{url}/history").json()["items"]
    assert [(h["score"], h["status"], h["note"]) for h in history] == [
        (16, "open", "raised"),
        (8, "mitigating", "pilot went well"),
    ]
    escalations = cast.viewer.get(f"{url}/escalations").json()["items"]
    assert [e["to_escalation"] for e in escalations] == ["program", "none"]


def test_links_are_replaced_and_checked(cast: Cast, projects: dict[str, int], db: Session) -> None:
    risk = create(cast.member, cast, projects)
    url = f"{URL}/{risk['id']}"
    body = cast.member.patch(url, json={"project_ids": [projects["DATA"]]}).json()
    assert [p["key"] for p in body["projects"]] == ["DATA"] and body["version"] == 2
    from tests.factories import make_program

    other = make_project(db, make_program(db, key="ERP"), "GL")
    error = assert_error(
        cast.member.patch(url, json={"project_ids": [other.id]}), 422, "validation_failed"
    )
    assert error["details"] == [
        {"field": "project_ids", "message": f"no project {other.id} in this program"}
    ]
    assert_error(cast.member.patch(url, json={"project_ids": []}), 422, "validation_failed")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": ""}, "title"),
        ({"probability": 0}, "probability"),
        ({"impact": 6}, "impact"),
        ({"probability": True}, "probability"),
        ({"impact": True}, "impact"),
        ({"probability": 2.0}, "probability"),
        ({"impact": "3.5"}, "impact"),
        ({"level": "portfolio"}, "level"),
        ({"response": "ignore"}, "response"),
        ({"status": "gone"}, "status"),
        ({"due_date": "2027-02-30"}, "due_date"),
        ({"colour": "red"}, "colour"),
        ({"title": "nul\x00"}, "title"),
        ({"project_ids": [0]}, "project_ids.0"),
    ],
)
def test_invalid_risks_are_422_naming_the_field(
    cast: Cast, projects: dict[str, int], fields: dict[str, Any], field: str
) -> None:
    body = {
        "program_id": cast.program.id,
        "title": "x",
        "probability": 1,
        "impact": 1,
        "project_ids": [projects["PLAT"]],
        **fields,
    }
    error = assert_error(cast.member.post(URL, json=body), 422, "validation_failed")
    assert field in [d["field"] for d in error["details"]]


@pytest.mark.parametrize("field", ["probability", "impact"])
def test_a_json_boolean_is_not_a_rating(cast: Cast, projects: dict[str, int], field: str) -> None:
    risk = create(cast.member, cast, projects, probability=2, impact=2)
    url = f"{URL}/{risk['id']}"
    error = assert_error(cast.member.patch(url, json={field: True}), 422, "validation_failed")
    assert [d["field"] for d in error["details"]] == [field]
    assert cast.viewer.get(url).json()[field] == 2


def test_an_owner_must_be_a_member_and_nulls_are_refused(
    cast: Cast, projects: dict[str, int]
) -> None:
    error = assert_error(
        cast.member.post(
            URL,
            json={
                "program_id": cast.program.id,
                "title": "x",
                "probability": 1,
                "impact": 1,
                "level": "program",
                "owner_id": cast.outsider.user.id,
            },
        ),
        422,
    )
    assert error["details"][0]["field"] == "owner_id"
    url = f"{URL}/{create(cast.member, cast, projects)['id']}"
    assert_error(cast.member.patch(url, json={"title": None}), 422, "validation_failed")
    # a deactivated member cannot be made an owner
    gone = cast.admin.patch(f"/api/v1/users/{cast.viewer.user.id}", json={"is_active": False})
    assert gone.status_code == 200, gone.text
    error = assert_error(cast.member.patch(url, json={"owner_id": cast.viewer.user.id}), 422)
    assert "deactivated" in error["details"][0]["message"]


def test_missing_risks_and_programs_are_404_and_anonymous_is_401(cast: Cast) -> None:
    assert_error(cast.owner.get(f"{URL}/999999"), 404, "not_found")
    assert_error(cast.owner.get(f"{URL}/{2**40}"), 422)
    assert_error(
        cast.owner.post(
            URL,
            json={
                "program_id": 999999,
                "title": "x",
                "probability": 1,
                "impact": 1,
                "level": "program",
            },
        ),
        404,
    )
    assert_error(cast.owner.client.get(URL), 401, "unauthorized")


# --- mitigation actions -----------------------------------------------------------------


def test_actions_are_planned_done_and_deleted(cast: Cast, projects: dict[str, int]) -> None:
    risk = create(cast.member, cast, projects)
    url = f"{URL}/{risk['id']}/actions"
    made = cast.member.post(
        url,
        json={
            "title": "Weekly call with vendor",
            "owner_id": cast.member.user.id,
            "due_date": "2020-01-31",
        },
    )
    assert made.status_code == 201, made.text
    action = made.json()
    assert action["overdue"] is True and action["done"] is False
    done = cast.member.patch(
        f"{url}/{action['id']}", json={"done": True}, headers={"If-Match": '"1"'}
    )
    assert done.status_code == 200, done.text
    assert done.json()["done"] and done.json()["done_on"] and not done.json()["overdue"]
    assert_error(
        cast.member.patch(
            f"{url}/{action['id']}", json={"title": "x"}, headers={"If-Match": '"1"'}
        ),
        412,
    )
    assert [a["title"] for a in cast.viewer.get(url).json()["items"]] == ["Weekly call with vendor"]
    assert cast.viewer.get(f"{URL}/{risk['id']}").json()["actions"][0]["done"] is True
    assert_error(cast.member.patch(f"{url}/999999", json={"title": "x"}), 404)
    assert cast.manager.delete(f"{url}/{action['id']}").status_code == 204
    assert cast.viewer.get(url).json()["items"] == []


# --- matrix and rules -------------------------------------------------------------------


def test_the_matrix_counts_live_risks_per_cell(cast: Cast, projects: dict[str, int]) -> None:
    create(cast.member, cast, projects, probability=5, impact=4)
    create(cast.member, cast, projects, probability=5, impact=4)
    create(cast.manager, cast, projects, probability=1, impact=1, status="closed")
    url = f"/api/v1/programs/{cast.program.id}/risk-matrix"
    body = cast.viewer.get(url).json()
    assert body["total"] == 2
    assert body["rows"][0][3] == {
        "probability": 5,
        "impact": 4,
        "score": 20,
        "band": "critical",
        "count": 2,
    }
    assert [row[0]["probability"] for row in body["rows"]] == [5, 4, 3, 2, 1]
    assert cast.viewer.get(url, params={"status": "closed"}).json()["rows"][4][0]["count"] == 1
    assert cast.viewer.get(url, params={"project_id": projects["DATA"]}).json()["total"] == 0


def test_rules_start_as_the_defaults_and_a_change_re_escalates(
    cast: Cast, projects: dict[str, int]
) -> None:
    url = f"/api/v1/programs/{cast.program.id}/risk-escalation-rules"
    got = cast.viewer.get(url)
    assert got.json() == {
        "program_score": 15,
        "cross_project": True,
        "steering_score": 20,
        "version": 0,
    }
    assert got.headers["ETag"] == '"0"'
    risk = create(cast.member, cast, projects, probability=3, impact=4)
    put = cast.manager.put(url, json={"program_score": 12}, headers={"If-Match": '"0"'})
    assert put.status_code == 200, put.text
    assert put.json() == {
        "program_score": 12,
        "cross_project": True,
        "steering_score": 20,
        "version": 1,
        "risks_moved": 1,  # the risk scoring 12 now escalates to program level
    }
    assert cast.viewer.get(f"{URL}/{risk['id']}").json()["escalation"] == "program"
    assert_error(
        cast.manager.put(url, json={"steering_score": None}, headers={"If-Match": '"0"'}), 412
    )
    off = cast.manager.put(url, json={"steering_score": None}, headers={"If-Match": '"1"'})
    assert (off.json()["steering_score"], off.json()["risks_moved"]) == (None, 0)
    assert_error(cast.manager.put(url, json={"program_score": 26}), 422)
    assert_error(cast.manager.put(url, json={"cross_project": None}), 422)
    assert_error(cast.manager.put(url, json={"colour": 1}), 422)


# --- the permission matrix --------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_member_reads_the_register(cast: Cast, projects: dict[str, int], role: str) -> None:
    risk = create(cast.owner, cast, projects)
    api = cast.by_role(role)
    for path in ("", "/history", "/escalations", "/actions"):
        assert api.get(f"{URL}/{risk['id']}{path}").status_code == expected_status(
            role, 200, "viewer"
        )
    for path in ("risk-matrix", "risk-escalation-rules"):
        response = api.get(f"/api/v1/programs/{cast.program.id}/{path}")
        assert response.status_code == expected_status(role, 200, "viewer")
    listed = api.get(URL, params={"program_id": cast.program.id})
    assert listed.status_code == expected_status(role, 200, "viewer")


@pytest.mark.parametrize("role", ROLES)
def test_members_and_above_raise_and_change_risks(
    cast: Cast, projects: dict[str, int], role: str
) -> None:
    api = cast.by_role(role)
    body = {
        "program_id": cast.program.id,
        "title": "x",
        "probability": 1,
        "impact": 1,
        "level": "program",
    }
    assert api.post(URL, json=body).status_code == expected_status(role, 201, "member")
    risk = create(cast.owner, cast, projects)
    response = api.patch(f"{URL}/{risk['id']}", json={"impact": 2})
    assert response.status_code == expected_status(role, 200, "member")
    action = api.post(f"{URL}/{risk['id']}/actions", json={"title": "Call the vendor"})
    assert action.status_code == expected_status(role, 201, "member")


@pytest.mark.parametrize("role", ROLES)
def test_only_managers_close_delete_and_change_rules(
    cast: Cast, projects: dict[str, int], role: str
) -> None:
    api = cast.by_role(role)
    risk = create(cast.owner, cast, projects)
    closed = api.patch(f"{URL}/{risk['id']}", json={"status": "closed"})
    assert closed.status_code == expected_status(role, 200, "manager")
    other = create(cast.owner, cast, projects)
    action = cast.owner.post(f"{URL}/{other['id']}/actions", json={"title": "a"}).json()
    deleted = api.delete(f"{URL}/{other['id']}/actions/{action['id']}")
    assert deleted.status_code == expected_status(role, 204, "manager")
    assert api.delete(f"{URL}/{other['id']}").status_code == expected_status(role, 204, "manager")
    rules = api.put(
        f"/api/v1/programs/{cast.program.id}/risk-escalation-rules", json={"program_score": 14}
    )
    assert rules.status_code == expected_status(role, 200, "manager")


def test_a_member_cannot_reopen_a_closed_risk(cast: Cast, projects: dict[str, int]) -> None:
    risk = create(cast.member, cast, projects)
    cast.manager.patch(f"{URL}/{risk['id']}", json={"status": "closed"})
    error = assert_error(cast.member.patch(f"{URL}/{risk['id']}", json={"status": "open"}), 403)
    assert "close a risk" in error["message"]
    # nor plan new actions on it: a closed risk is changed by managers
    action = {"title": "One more call"}
    error = assert_error(cast.member.post(f"{URL}/{risk['id']}/actions", json=action), 403)
    assert "to change a closed risk" in error["message"]
    assert cast.manager.post(f"{URL}/{risk['id']}/actions", json=action).status_code == 201


@pytest.mark.parametrize(("field", "words"), [("title", "at least 1 character")])
def test_an_empty_title_is_said_as_text_not_as_a_list(
    cast: Cast, projects: dict[str, int], field: str, words: str
) -> None:
    body = {"program_id": cast.program.id, "title": "", "probability": 1, "impact": 1}
    error = assert_error(cast.member.post(URL, json=body), 422, "validation_failed")
    [detail] = [d for d in error["details"] if d["field"] == field]
    assert words in detail["message"] and "item" not in detail["message"]

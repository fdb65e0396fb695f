"""Risks after the plan loses a project or a task: links, level, escalation and alert are
judged again in the deleting request."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from podium.models import Project
from tests.api.conftest import Cast
from tests.factories import ApiUser, make_project, make_task

URL = "/api/v1/risks"


@pytest.fixture
def projects(cast: Cast, db: Session) -> dict[str, Project]:
    return {k: make_project(db, cast.program, k) for k in ("DATA", "SEC")}


def ids(projects: dict[str, Project]) -> list[int]:
    return [p.id for p in projects.values()]


def raise_risk(cast: Cast, **fields: Any) -> dict[str, Any]:
    body = {"program_id": cast.program.id, "title": "Residency rules", **fields}
    response = cast.member.post(URL, json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def risk_alerts(api: ApiUser, cast: Cast, risk_id: int, status: str) -> list[dict[str, Any]]:
    url = f"/api/v1/programs/{cast.program.id}/alerts?status={status}"
    return [
        a
        for a in api.get(url).json()["items"]
        if a["kind"] == "risk_escalated" and a["subject_id"] == risk_id
    ]


def test_deleting_a_project_brings_a_cross_project_risk_back_and_resolves_its_alert(
    cast: Cast, projects: dict[str, Project]
) -> None:
    risk = raise_risk(cast, probability=2, impact=3, project_ids=ids(projects))
    assert risk["escalation"] == "program"
    assert [a["projects"] for a in risk_alerts(cast.viewer, cast, risk["id"], "open")] == [
        ["DATA", "SEC"]
    ]

    assert cast.manager.delete(f"/api/v1/projects/{projects['SEC'].id}").status_code == 204

    after = cast.viewer.get(f"{URL}/{risk['id']}").json()
    assert [p["key"] for p in after["projects"]] == ["DATA"]
    assert (after["level"], after["escalation"], after["effective_level"]) == (
        "project",
        "none",
        "project",
    )
    assert after["version"] > risk["version"]
    assert risk_alerts(cast.viewer, cast, risk["id"], "open") == []
    (resolved,) = risk_alerts(cast.viewer, cast, risk["id"], "resolved")
    assert resolved["resolved_at"] is not None
    moves = cast.viewer.get(f"{URL}/{risk['id']}/escalations").json()["items"]
    back = next(m for m in moves if m["to_escalation"] == "none")
    assert back["by"] == "manager@example.com"


def test_a_risk_still_escalated_by_its_score_gets_its_alert_updated(
    cast: Cast, projects: dict[str, Project]
) -> None:
    risk = raise_risk(cast, probability=4, impact=4, project_ids=ids(projects))

    cast.manager.delete(f"/api/v1/projects/{projects['SEC'].id}")

    assert cast.viewer.get(f"{URL}/{risk['id']}").json()["escalation"] == "program"
    (alert,) = risk_alerts(cast.viewer, cast, risk["id"], "open")
    assert alert["projects"] == ["DATA"] and alert["cross_project"] is False


def test_a_risk_whose_only_project_is_deleted_moves_up_to_program_level(
    cast: Cast, projects: dict[str, Project], db: Session
) -> None:
    project_risk = raise_risk(cast, probability=2, impact=2, project_ids=[projects["SEC"].id])
    task = make_task(db, projects["SEC"], "SEC-1")
    task_risk = raise_risk(cast, probability=2, impact=2, level="task", task_ids=[task.id])

    assert cast.manager.delete(f"/api/v1/projects/{projects['SEC'].id}").status_code == 204

    for risk in (project_risk, task_risk):
        after = cast.viewer.get(f"{URL}/{risk['id']}").json()
        assert (after["level"], after["projects"], after["tasks"]) == ("program", [], [])
        history = cast.viewer.get(f"{URL}/{risk['id']}/history").json()["items"]
        assert "moved up to program level: project SEC was deleted" in [h["note"] for h in history]
    # the risk is valid again: it can be edited without touching its links
    url = f"{URL}/{task_risk['id']}"
    assert cast.member.patch(url, json={"impact": 3}).status_code == 200


def test_deleting_a_task_with_cascade_moves_its_task_level_risk_up_to_the_project(
    cast: Cast, projects: dict[str, Project], db: Session
) -> None:
    first = make_task(db, projects["DATA"], "DATA-1", wbs="1")
    second = make_task(db, projects["DATA"], "DATA-2", wbs="2")
    link = {
        "predecessor": {"type": "task", "id": first.id},
        "successor": {"type": "task", "id": second.id},
    }
    assert cast.manager.post("/api/v1/dependencies", json=link).status_code == 201
    alone = raise_risk(cast, probability=3, impact=3, level="task", task_ids=[first.id])
    shared = raise_risk(cast, probability=3, impact=3, level="task", task_ids=[first.id, second.id])

    response = cast.manager.delete(f"/api/v1/tasks/{first.id}?cascade=true")
    assert response.status_code == 204, response.text

    after = cast.viewer.get(f"{URL}/{alone['id']}").json()
    assert after["level"] == "project" and after["tasks"] == []
    assert [p["key"] for p in after["projects"]] == ["DATA"]
    history = cast.viewer.get(f"{URL}/{alone['id']}/history").json()["items"]
    assert "moved up to project level: task DATA-1 was deleted" in [h["note"] for h in history]
    kept = cast.viewer.get(f"{URL}/{shared['id']}").json()
    assert kept["level"] == "task" and [t["key"] for t in kept["tasks"]] == ["DATA-2"]
    assert cast.member.patch(f"{URL}/{alone['id']}", json={"impact": 2}).status_code == 200


def test_a_failed_delete_leaves_the_risks_as_they_were(
    cast: Cast, projects: dict[str, Project], db: Session
) -> None:
    first = make_task(db, projects["DATA"], "DATA-1", wbs="1")
    second = make_task(db, projects["DATA"], "DATA-2", wbs="2")
    link = {
        "predecessor": {"type": "task", "id": first.id},
        "successor": {"type": "task", "id": second.id},
    }
    cast.manager.post("/api/v1/dependencies", json=link)
    risk = raise_risk(cast, probability=3, impact=3, level="task", task_ids=[first.id])

    assert cast.manager.delete(f"/api/v1/tasks/{first.id}").status_code == 409

    assert cast.viewer.get(f"{URL}/{risk['id']}").json() == risk

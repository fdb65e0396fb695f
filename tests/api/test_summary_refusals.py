"""A plan a summary task could not keep is refused on the field that asks for it (422),
not as a general 409 once the plan fails to schedule: a sub-task under a task pinned by
a must-start-on, a finish-to-finish link into a summary, a summary linked to its own
sub-task by a move…"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import pytest

from tests.api.conftest import Browser, Cast, link, post_created
from tests.factories import assert_error

Plan = dict[str, dict[str, Any]]


@pytest.fixture
def plan(cast: Cast) -> Plan:
    """Project A: PIN (must start on Tue 5 Jan), T, S with its sub-task S1, and V."""
    m = cast.manager
    project = post_created(
        m, "/api/v1/projects", {"program_id": cast.program.id, "key": "A", "name": "A"}
    )

    def task(name: str, **fields: Any) -> dict[str, Any]:
        body = {"project_id": project["id"], "name": name, "duration": 3, **fields}
        return post_created(m, "/api/v1/tasks", body)

    pinned = {"constraint_type": "mso", "constraint_date": "2027-01-05"}
    made = {"PIN": task("Pinned", **pinned), "T": task("T"), "S": task("S"), "V": task("V")}
    made["S1"] = task("S1", parent_id=made["S"]["id"])
    return {"project": project, **made}


def _field(response: Any, field: str) -> str:
    error = assert_error(response, 422, "validation_failed")
    assert [d["field"] for d in error["details"]] == [field], error
    message: str = error["details"][0]["message"]
    return message


def _count(cast: Cast, plan: Plan) -> int:
    url = f"/api/v1/tasks?project_id={plan['project']['id']}"
    total: int = cast.viewer.get(url).json()["total"]
    return total


def test_a_sub_task_under_a_task_that_must_start_on_a_date_is_refused_on_its_parent(
    cast: Cast, plan: Plan
) -> None:
    before = _count(cast, plan)
    body = {"project_id": plan["project"]["id"], "name": "Under", "parent_id": plan["PIN"]["id"]}
    message = _field(cast.manager.post("/api/v1/tasks", json=body), "parent_id")
    assert message == (
        f'task {plan["PIN"]["key"]} has a "must start on" constraint, which a summary task '
        f"cannot keep: remove it (or give it to the sub-tasks) before putting tasks under "
        f"{plan['PIN']['key']}"
    )
    assert _count(cast, plan) == before
    # moved under it, or indented under it, the same
    url = f"/api/v1/tasks/{plan['T']['id']}"
    _field(cast.manager.patch(url, json={"parent_id": plan["PIN"]["id"]}), "parent_id")
    assert cast.viewer.get(url).json()["parent_id"] is None


def test_a_summary_cannot_take_a_pinning_constraint(cast: Cast, plan: Plan) -> None:
    url = f"/api/v1/tasks/{plan['S']['id']}"
    for kind in ("mso", "mfo", "snlt", "fnet"):
        body = {"constraint_type": kind, "constraint_date": "2027-01-12"}
        message = _field(cast.manager.patch(url, json=body), "constraint_type")
        assert message.startswith(f"task {plan['S']['key']} has sub-tasks, and a summary task")
    assert cast.viewer.get(url).json()["constraint_type"] == "asap"
    # the ones a summary keeps are taken
    for kind in ("snet", "fnlt"):
        body = {"constraint_type": kind, "constraint_date": "2027-01-12"}
        assert cast.manager.patch(url, json=body).status_code == 200


def test_a_link_that_must_end_on_a_summarys_finish_is_refused_on_its_type(
    cast: Cast, plan: Plan
) -> None:
    t, s = plan["T"], plan["S"]
    body = {
        "predecessor": {"type": "task", "id": t["id"]},
        "successor": {"type": "task", "id": s["id"]},
        "type": "FF",
        "lag": 0,
    }
    message = _field(cast.manager.post("/api/v1/dependencies", json=body), "type")
    assert message.startswith(
        f"{s['key']} is a summary task (it has sub-tasks), and a finish-to-finish (FF) link"
    )
    assert cast.viewer.get("/api/v1/dependencies").json()["total"] == 0
    # made FS it is taken; changed to SF afterwards it is refused the same way
    ss = link(cast.manager, ("task", t["id"]), ("task", s["id"]), "SS")
    response = cast.manager.patch(f"/api/v1/dependencies/{ss['id']}", json={"type": "SF"})
    assert "start-to-finish (SF)" in _field(response, "type")
    # from a summary, any type still goes (its finish is its sub-tasks' latest)
    link(cast.manager, ("task", s["id"]), ("task", plan["V"]["id"]), "FF")


def test_a_task_at_the_end_of_a_finish_link_cannot_take_sub_tasks(cast: Cast, plan: Plan) -> None:
    t, v = plan["T"], plan["V"]
    link(cast.manager, ("task", t["id"]), ("task", v["id"]), "FF")
    body = {"project_id": plan["project"]["id"], "name": "Under", "parent_id": v["id"]}
    message = _field(cast.manager.post("/api/v1/tasks", json=body), "parent_id")
    assert message.startswith(f"{t['key']} → {v['key']} is a finish-to-finish link")


def test_moving_a_task_under_a_task_it_is_linked_to_is_refused_on_its_parent(
    cast: Cast, plan: Plan
) -> None:
    # T → V; put T (or S, whose sub-task S1 is linked to V) under V: a summary linked to
    # its own sub-task
    t, v, s = plan["T"], plan["V"], plan["S"]
    link(cast.manager, ("task", t["id"]), ("task", v["id"]))
    link(cast.manager, ("task", plan["S1"]["id"]), ("task", v["id"]), "SS")
    for moved, pred in ((t, t), (s, plan["S1"])):
        url = f"/api/v1/tasks/{moved['id']}"
        message = _field(cast.manager.patch(url, json={"parent_id": v["id"]}), "parent_id")
        assert message == (
            f"{pred['key']} → {v['key']} links these tasks, and a summary task cannot be "
            "linked to its own sub-tasks: remove that dependency first"
        )
        assert cast.viewer.get(url).json()["parent_id"] is None


def test_the_web_forms_show_the_refusal_on_the_field(
    cast: Cast, plan: Plan, browser_as: Callable[[str], Browser]
) -> None:
    manager = browser_as("manager@example.com")
    project_id, pin, s = plan["project"]["id"], plan["PIN"], plan["S"]
    # adding a task under the pinned one: on the parent field of the project's add form
    response = manager.post(
        f"/projects/{project_id}/tasks", {"name": "Under", "parent_id": str(pin["id"])}
    )
    assert response.status_code == 422
    page = html.unescape(response.text)
    said = page[page.index('data-error-for="parent_id"') :]
    assert 'has a "must start on" constraint' in said[: said.index("</p>")]
    # a must-start-on on a summary: on the constraint field of the task page
    form = {"version": str(s["version"]), "name": "S", "constraint_type": "mso"}
    form |= {"constraint_date": "2027-01-12"}
    response = manager.post(f"/tasks/{s['id']}", form)
    assert response.status_code == 422
    page = html.unescape(response.text)
    said = page[page.index('data-error-for="constraint_type"') :]
    assert "a summary task cannot keep" in said[: said.index("</p>")]
    # a finish-to-finish link into the summary: on the link form's type
    form = {"relation": "predecessor", "other": plan["T"]["key"], "type": "FF", "lag": "0"}
    response = manager.post(f"/tasks/{s['id']}/dependencies", form)
    assert response.status_code == 422
    page = html.unescape(response.text)
    said = page[page.index('data-error-for="type"') :]
    assert "cannot end on one" in said[: said.index("</p>")]
    # indenting T under the pinned task, the row above it: refused, said above the table
    t = plan["T"]
    response = manager.post(
        f"/projects/{project_id}/tasks/{t['id']}/move",
        {"move": "indent", "version": str(t["version"])},
    )
    assert response.status_code == 422, html.unescape(response.text)[-3000:]
    page = html.unescape(response.text)
    said = page[page.index('data-testid="table-error"') :]
    said = said[: said.index("</div>")]
    assert f'Parent: Task {pin["key"]} has a "must start on" constraint' in said
    assert cast.viewer.get(f"/api/v1/tasks/{t['id']}").json()["parent_id"] is None

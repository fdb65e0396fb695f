"""Assignments after review: work given stays with the task, every interface keeps an
effort-driven task's duration, summaries and milestones stay unassigned, and the task
page's assignment forms (given work, removal confirmed, someone else's removal, odd input).

By hand (8 h a day unless said): 80 h with one full-time person take 10 days; with a
second at 50 % they put in 12 h a day, 6.67 days, rounded up to 7 (56 h + 28 h = 84 h
planned); with both full time 5 days.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.models import AuditEntry
from tests.api.conftest import Cast, post_created
from tests.api.test_assignments import URL, project_and_task, resource
from tests.api.test_stale_forms_stay_stale import form_of
from tests.factories import assert_error


def assign(cast: Cast, task: dict[str, Any], who: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return post_created(
        cast.manager, URL, {"task_id": task["id"], "resource_id": who["id"], **fields}
    )


def task_now(cast: Cast, task: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = cast.viewer.get(f"/api/v1/tasks/{task['id']}").json()
    return found


def given_now(cast: Cast, assignment: dict[str, Any]) -> float | None:
    value: float | None = cast.viewer.get(f"{URL}/{assignment['id']}").json()["given_work_hours"]
    return value


# --- the work given is the task's --------------------------------------------------------


def test_taking_off_the_person_who_holds_the_work_leaves_it_with_the_others(
    cast: Cast, db: Session
) -> None:
    _, task = project_and_task(cast, effort_driven=True)
    priya = resource(cast, key="priya", name="Priya Nair")
    sam = resource(cast, key="sam", name="Sam Tran")
    first = assign(cast, task, priya, work_hours=80)
    second = assign(cast, task, sam, units=0.5)
    assert task_now(cast, task)["duration"] == 7
    assert cast.manager.patch(f"{URL}/{second['id']}", json={"units": 1}).status_code == 200
    assert task_now(cast, task)["duration"] == 5

    assert cast.manager.delete(f"{URL}/{first['id']}").status_code == 204
    # Sam alone holds the task's 80 h: 10 days, and the duration still follows the work
    sam_now = cast.viewer.get(f"{URL}/{second['id']}").json()
    assert (sam_now["given_work_hours"], sam_now["work_hours"]) == (80.0, 80.0)
    assert task_now(cast, task)["duration"] == 10
    task_url = f"/api/v1/tasks/{task['id']}"
    error = assert_error(cast.manager.patch(task_url, json={"duration": 5}), 409, "effort_driven")
    assert error["details"]["work_hours"] == 80.0
    handed = db.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity_type == "assignment", AuditEntry.entity_id == second["id"])
        .order_by(AuditEntry.id)  # PostgreSQL returns rows in no set order without it
    ).all()
    assert handed[-1].changes == {"work_hours": [None, 80.0]}


def test_the_work_goes_to_the_others_by_the_hours_each_puts_in_a_day(cast: Cast) -> None:
    _, task = project_and_task(cast, effort_driven=True)
    priya = resource(cast, key="priya", name="Priya Nair")
    sam = resource(cast, key="sam", name="Sam Tran")
    kim = resource(cast, key="kim", name="Kim Lee", hours_per_day=4)
    first = assign(cast, task, priya, work_hours=80)
    on_sam = assign(cast, task, sam, work_hours=10)  # 90 h in all
    on_kim = assign(cast, task, kim)
    cast.manager.delete(f"{URL}/{first['id']}")
    # Sam 8 h a day, Kim 4: Sam takes two thirds of Priya's 80 h, Kim one third
    assert (given_now(cast, on_sam), given_now(cast, on_kim)) == (10 + 53.33, 26.67)
    assert task_now(cast, task)["duration"] == 8  # 90 h at 12 h a day: 7.5, rounded up


def test_the_last_person_off_takes_the_work_and_the_task_keeps_its_duration(cast: Cast) -> None:
    _, task = project_and_task(cast, effort_driven=True)
    only = assign(cast, task, resource(cast), work_hours=80)
    assert cast.manager.delete(f"{URL}/{only['id']}").status_code == 204
    assert task_now(cast, task)["duration"] == 10
    # nothing is given any more: the duration is the plan's own again
    response = cast.manager.patch(f"/api/v1/tasks/{task['id']}", json={"duration": 4})
    assert response.status_code == 200, response.text


def test_work_given_on_a_duration_driven_task_waits_and_stays_with_the_task(cast: Cast) -> None:
    _, task = project_and_task(cast, duration=3)
    priya = resource(cast, key="priya", name="Priya Nair")
    sam = resource(cast, key="sam", name="Sam Tran")
    first = assign(cast, task, priya, work_hours=80)
    assert (first["work_hours"], first["given_work_hours"]) == (24.0, 80.0)
    on_sam = assign(cast, task, sam)
    cast.manager.delete(f"{URL}/{first['id']}")
    assert task_now(cast, task)["duration"] == 3  # the duration drives the work meanwhile
    assert given_now(cast, on_sam) == 80.0
    made = cast.manager.patch(f"/api/v1/tasks/{task['id']}", json={"effort_driven": True})
    assert made.json()["duration"] == 10


def test_the_api_says_what_work_given_does_on_each_kind_of_task(cast: Cast) -> None:
    schema = cast.viewer.get("/api/openapi.json").json()["components"]["schemas"]
    given = schema["AssignmentCreate"]["properties"]["work_hours"]["description"]
    assert "kept for when the task becomes effort-driven" in given
    assert "duration drives the work meanwhile" in given


# --- the service keeps an effort-driven task's duration, whoever changes it ----------------


def test_ticking_effort_driven_on_the_task_page_sets_the_duration_from_the_work(
    cast: Cast, browser_as: Any
) -> None:
    _, task = project_and_task(cast)
    assign(cast, task, resource(cast), work_hours=24)
    assert task_now(cast, task)["duration"] == 10
    web = browser_as("manager@example.com")
    fields = form_of(web.get(f"/tasks/{task['id']}"), "task-form")
    sent: dict[str, Any] = {}
    for name, value in [*fields, ("effort_driven", "1")]:
        sent.setdefault(name, []).append(value)
    saved = web.post(f"/tasks/{task['id']}", sent)
    assert saved.status_code == 303, saved.text
    now = task_now(cast, task)
    assert (now["effort_driven"], now["duration"]) == (True, 3)  # 24 h at 8 h a day
    # saved again as the page now shows it: the duration agrees with the work, no 409
    fields = form_of(web.get(f"/tasks/{task['id']}"), "task-form")
    again: dict[str, Any] = {}
    for name, value in fields:
        again.setdefault(name, []).append(value)
    assert web.post(f"/tasks/{task['id']}", again).status_code == 303


def test_new_hours_per_day_set_the_effort_driven_tasks_durations_again(cast: Cast) -> None:
    _, task = project_and_task(cast, effort_driven=True)
    ana = resource(cast)
    assign(cast, task, ana, work_hours=80)
    before = task_now(cast, task)
    assert before["duration"] == 10
    response = cast.admin.patch(f"/api/v1/resources/{ana['id']}", json={"hours_per_day": 4})
    assert response.status_code == 200, response.text
    after = task_now(cast, task)
    # 80 h at 4 h a day: 20 days, and the program is rescheduled with it
    assert after["duration"] == 20
    assert after["early_finish"] > before["early_finish"]


def test_new_hours_per_day_leave_a_closed_programs_plan_as_it_was_closed(cast: Cast) -> None:
    _, task = project_and_task(cast, effort_driven=True)
    ana = resource(cast)
    assign(cast, task, ana, work_hours=80)
    closed = cast.owner.post(f"/api/v1/programs/{cast.program.id}/close", json={})
    assert closed.status_code == 200, closed.text
    response = cast.admin.patch(f"/api/v1/resources/{ana['id']}", json={"hours_per_day": 4})
    assert response.status_code == 200, response.text
    assert task_now(cast, task)["duration"] == 10


# --- summaries and milestones take no assignment ----------------------------------------


def test_an_assigned_task_takes_no_sub_task_and_does_not_become_a_milestone(
    cast: Cast,
) -> None:
    project, task = project_and_task(cast)
    assign(cast, task, resource(cast))
    refused = cast.manager.post(
        "/api/v1/tasks", json={"project_id": project["id"], "parent_id": task["id"], "name": "Sub"}
    )
    error = assert_error(refused, 409, "task_assigned")
    assert error["message"] == (
        "DATA-1 has assignments (Ana Lima 100 %) and a summary task (one with sub-tasks) "
        "takes none: take it off DATA-1 first"
    )
    assert error["details"]["assignments"][0]["resource"] == "Ana Lima"
    below = post_created(cast.manager, "/api/v1/tasks", {"project_id": project["id"], "name": "B"})
    for moved in (
        cast.manager.post(f"/api/v1/tasks/{below['id']}/indent"),
        cast.manager.post(f"/api/v1/tasks/{below['id']}/move", json={"parent_id": task["id"]}),
        cast.manager.patch(f"/api/v1/tasks/{below['id']}", json={"parent_id": task["id"]}),
    ):
        assert_error(moved, 409, "task_assigned")
    milestone = cast.manager.patch(
        f"/api/v1/tasks/{task['id']}", json={"is_milestone": True, "duration": 0}
    )
    error = assert_error(milestone, 409, "task_assigned")
    assert "a milestone takes none" in error["message"]
    assert task_now(cast, task)["is_milestone"] is False
    assert task_now(cast, below)["parent_id"] is None


def test_the_task_page_refuses_to_make_an_assigned_task_a_milestone(
    cast: Cast, browser_as: Any
) -> None:
    _, task = project_and_task(cast)
    assign(cast, task, resource(cast))
    web = browser_as("manager@example.com")
    sent: dict[str, Any] = {}
    for name, value in [*form_of(web.get(f"/tasks/{task['id']}"), "task-form")]:
        sent.setdefault(name, []).append(value)
    sent["is_milestone"] = ["0", "1"]
    sent["duration"] = "0"
    refused = web.post(f"/tasks/{task['id']}", sent)
    assert refused.status_code == 422
    assert "DATA-1 has assignments (Ana Lima 100 %) and a milestone takes none" in refused.text


def test_milestones_and_summaries_offer_no_assign_form_and_say_why(
    cast: Cast, browser_as: Any
) -> None:
    project, parent = project_and_task(cast)
    post_created(
        cast.manager,
        "/api/v1/tasks",
        {"project_id": project["id"], "parent_id": parent["id"], "name": "Child"},
    )
    gate = post_created(
        cast.manager,
        "/api/v1/tasks",
        {"project_id": project["id"], "name": "Gate", "is_milestone": True},
    )
    resource(cast)
    web = browser_as("manager@example.com")
    for task, said in (
        (parent, "A summary task takes no assignments: assign its sub-tasks."),
        (gate, "A milestone has no work to assign"),
    ):
        page = web.get(f"/tasks/{task['id']}")
        assert 'data-testid="assignment-form"' not in page
        assert said in page


# --- the task page's assignment forms ----------------------------------------------------


def _row_forms(page: str) -> list[dict[str, str]]:
    """The fields of each assignment's row form, in the rows' order."""
    forms: list[dict[str, str]] = []
    for name, value in form_of(page, "assignment-row-form"):
        if name == "csrf_token":
            forms.append({})
        forms[-1][name] = value
    return forms


def _row_form(web: Any, task: dict[str, Any]) -> dict[str, str]:
    return _row_forms(web.get(f"/tasks/{task['id']}"))[0]


def test_the_task_page_shows_sets_and_clears_the_work_given(cast: Cast, browser_as: Any) -> None:
    _, task = project_and_task(cast, effort_driven=True)
    made = assign(cast, task, resource(cast), work_hours=80)
    web = browser_as("manager@example.com")
    row = _row_form(web, task)
    assert (row["units"], row["work_hours"]) == ("100", "80")
    changed = web.post(f"/tasks/{task['id']}/assignments/{made['id']}", {**row, "work_hours": "40"})
    assert changed.status_code == 303, changed.text
    assert given_now(cast, made) == 40.0
    assert task_now(cast, task)["duration"] == 5
    row = _row_form(web, task)
    cleared = web.post(f"/tasks/{task['id']}/assignments/{made['id']}", {**row, "work_hours": ""})
    assert cleared.status_code == 303, cleared.text
    assert given_now(cast, made) is None
    # a form without the field (sent before it was there) leaves the work given be
    cast.manager.patch(f"{URL}/{made['id']}", json={"work_hours": 16})
    row = _row_form(web, task)
    del row["work_hours"]
    assert web.post(f"/tasks/{task['id']}/assignments/{made['id']}", row).status_code == 303
    assert given_now(cast, made) == 16.0
    refused = web.post(
        f"/tasks/{task['id']}/assignments/{made['id']}", {**_row_form(web, task), "work_hours": "0"}
    )
    assert refused.status_code == 422
    assert "More than 0 and at most 10,000,000 hours (blank: none)." in refused.text


def test_the_task_page_says_what_was_given_and_what_the_whole_days_plan(
    cast: Cast, browser_as: Any
) -> None:
    project, task = project_and_task(cast, effort_driven=True)
    assign(cast, task, resource(cast), work_hours=80)
    assign(cast, task, resource(cast, key="bo", name="Bo Chen"), units=0.5)
    page = browser_as("viewer@example.com").get(f"/tasks/{task['id']}")
    assert (
        "80 h of work given for the task: at 12 h a day that takes 6.67 days, rounded up "
        "to 7 working days, so 84 h planned."
    ) in page
    assert "80 h given" in page  # on Ana's row, for those who cannot change it

    waiting = post_created(
        cast.manager, "/api/v1/tasks", {"project_id": project["id"], "name": "B", "duration": 3}
    )
    assign(cast, waiting, resource(cast, key="cy", name="Cy Diaz"), work_hours=80)
    page = browser_as("manager@example.com").get(f"/tasks/{waiting['id']}")
    assert (
        "80 h of work given for the task is kept for when it becomes effort-driven; its "
        "duration (3 working days) drives the work now: 24 h planned."
    ) in page


def test_removing_an_assignment_asks_first(cast: Cast, browser_as: Any) -> None:
    _, task = project_and_task(cast, effort_driven=True)
    made = assign(cast, task, resource(cast), work_hours=80)
    assign(cast, task, resource(cast, key="bo", name="Bo Chen"))
    web = browser_as("manager@example.com")
    page = web.get(f"/tasks/{task['id']}")
    assert 'data-testid="remove-confirm"' not in page
    asked = web.get(f"/tasks/{task['id']}?remove={made['id']}")
    assert "Take <strong>Ana Lima</strong> off DATA-1?" in asked
    assert "The 80 h of work given on it stays with the task" in asked
    confirm = dict(form_of(asked, "remove-confirm"))
    removed = web.post(f"/tasks/{task['id']}/assignments/{made['id']}/delete", confirm)
    assert removed.status_code == 303
    assert_error(cast.viewer.get(f"{URL}/{made['id']}"), 404)


def test_a_form_about_an_assignment_someone_else_removed_says_so(
    cast: Cast, browser_as: Any
) -> None:
    _, task = project_and_task(cast)
    made = assign(cast, task, resource(cast))
    other = assign(cast, task, resource(cast, key="bo", name="Bo Chen"))
    web = browser_as("manager@example.com")
    page = web.get(f"/tasks/{task['id']}")
    ana_row = _row_forms(page)[0]  # rows in name order: Ana's first
    assert cast.owner.delete(f"{URL}/{made['id']}").status_code == 204
    for action, why in (
        (f"/tasks/{task['id']}/assignments/{made['id']}", "so nothing was changed"),
        (f"/tasks/{task['id']}/assignments/{made['id']}/delete", "so there was nothing to remove"),
    ):
        response = web.post(action, {**ana_row, "units": "50"})
        assert response.status_code == 409, response.text
        assert (
            f"Ana Lima is no longer on DATA-1: someone else took that assignment off the task, "
            f"{why}. These are its assignments now."
        ) in response.text
        assert 'data-resource="bo"' in response.text and 'data-resource="ana"' not in response.text
    assert cast.viewer.get(f"{URL}/{other['id']}").json()["units"] == 1.0


def test_a_row_read_before_someone_else_changed_it_stays_stale(cast: Cast, browser_as: Any) -> None:
    _, task = project_and_task(cast)
    made = assign(cast, task, resource(cast))
    web = browser_as("manager@example.com")
    row = _row_form(web, task)
    assert cast.owner.patch(f"{URL}/{made['id']}", json={"units": 0.75}).status_code == 200
    refused = web.post(f"/tasks/{task['id']}/assignments/{made['id']}", {**row, "units": "50"})
    assert refused.status_code == 412
    assert "changed by someone else" in refused.text
    again = _row_forms(refused.text)[0]
    assert (again["units"], again["version"]) == ("50", row["version"])  # as typed, as read
    assert web.post(f"/tasks/{task['id']}/assignments/{made['id']}", again).status_code == 412
    assert cast.viewer.get(f"{URL}/{made['id']}").json()["units"] == 0.75


@pytest.mark.parametrize("raw", ["²", "١", "99999999999999999999999"])
def test_a_resource_in_other_digits_is_refused_not_a_crash(
    cast: Cast, browser_as: Any, raw: str
) -> None:
    _, task = project_and_task(cast)
    resource(cast)
    web = browser_as("manager@example.com")
    response = web.post(f"/tasks/{task['id']}/assignments", {"resource_id": raw, "units": "50"})
    assert response.status_code == 422
    assert "Choose a resource." in response.text
    assert cast.viewer.get(URL, params={"task_id": task["id"]}).json()["total"] == 0


# --- degenerate values ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"units": 1e-12}, "units"),
        ({"units": 0.0099}, "units"),
        ({"units": True}, "units"),
        ({"work_hours": True}, "work_hours"),
        ({"work_hours": 0}, "work_hours"),
        ({"units": "0.5"}, "units"),
    ],
)
def test_units_below_one_percent_booleans_and_no_work_are_422(
    cast: Cast, fields: dict[str, Any], field: str
) -> None:
    _, task = project_and_task(cast, effort_driven=True)
    ana = resource(cast)
    body = {"task_id": task["id"], "resource_id": ana["id"], **fields}
    error = assert_error(cast.manager.post(URL, json=body), 422, "validation_failed")
    assert field in {d["field"] for d in error["details"]}, error
    made = assign(cast, task, ana, work_hours=8)
    error = assert_error(cast.manager.patch(f"{URL}/{made['id']}", json=fields), 422)
    assert field in {d["field"] for d in error["details"]}, error
    assert task_now(cast, task)["duration"] == 1


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("0", "At least 1 %, not 0 %."),
        ("-50", "At least 1 %, not -50 %."),
        ("2000000", "At most 1,000,000 %, not 2000000 %."),
        ("nan", "Enter a percentage, like 50."),
    ],
)
def test_a_row_s_units_no_resource_could_take_are_refused_naming_what_was_typed(
    cast: Cast, browser_as: Any, typed: str, said: str
) -> None:
    _, task = project_and_task(cast)
    made = assign(cast, task, resource(cast))
    web = browser_as("manager@example.com")
    row = _row_form(web, task)
    refused = web.post(f"/tasks/{task['id']}/assignments/{made['id']}", {**row, "units": typed})
    assert refused.status_code == 422
    assert said in refused.text
    assert "From 1 % to" not in refused.text
    assert cast.viewer.get(f"{URL}/{made['id']}").json()["units"] == 1.0  # nothing changed


def test_the_task_page_refuses_units_below_one_percent(cast: Cast, browser_as: Any) -> None:
    _, task = project_and_task(cast)
    ana = resource(cast)
    web = browser_as("manager@example.com")
    response = web.post(
        f"/tasks/{task['id']}/assignments",
        {"resource_id": str(ana["id"]), "units": "0.0000001"},
    )
    assert response.status_code == 422
    assert "At least 1 %, not 0.0000001 %." in response.text
    assert cast.viewer.get(URL, params={"task_id": task["id"]}).json()["total"] == 0

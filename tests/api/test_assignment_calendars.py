"""A resource whose calendar shares no working weekday with its task is refused when it is
assigned, on ``resource_id`` (the API, the task page and the CLI), before anything is
written: the task could never be worked."""

from __future__ import annotations

from typing import Any

from tests.api.conftest import Cast, post_created
from tests.api.test_assignments import URL, project_and_task, resource
from tests.factories import assert_error


def _calendar(cast: Cast, name: str, *days: str) -> dict[str, Any]:
    return post_created(cast.admin, "/api/v1/calendars", {"name": name, "workdays": list(days)})


def test_a_weekend_crew_on_a_weekday_task_is_refused_on_the_resource(cast: Cast) -> None:
    _, task = project_and_task(cast)  # Monday to Friday
    weekends = _calendar(cast, "Weekends only", "Sat", "Sun")
    crew = resource(cast, key="crew", name="Weekend crew", calendar_id=weekends["id"])
    response = cast.manager.post(URL, json={"task_id": task["id"], "resource_id": crew["id"]})
    assert_error(response, 422, "validation_failed")
    [detail] = response.json()["error"]["details"]
    assert detail["field"] == "resource_id"
    assert detail["message"].startswith(
        "Weekend crew works to the calendar 'Weekends only', which has no working weekday in "
        f"common with {task['key']}'s calendar: the task could never be worked"
    )
    assert cast.manager.get(URL, params={"task_id": task["id"]}).json()["total"] == 0
    # one day in common is enough: the task is worked on Mondays
    monday = _calendar(cast, "Saturday to Monday", "Sat", "Sun", "Mon")
    late = resource(cast, key="late", name="Late shift", calendar_id=monday["id"])
    made = cast.manager.post(URL, json={"task_id": task["id"], "resource_id": late["id"]})
    assert made.status_code == 201, made.text


def test_the_days_left_by_the_other_resources_count_too(cast: Cast) -> None:
    _, task = project_and_task(cast)
    early = _calendar(cast, "Early week", "Mon", "Tue", "Wed")
    late = _calendar(cast, "Late week", "Thu", "Fri")
    first = resource(cast, key="first", name="First half", calendar_id=early["id"])
    second = resource(cast, key="second", name="Second half", calendar_id=late["id"])
    made = cast.manager.post(URL, json={"task_id": task["id"], "resource_id": first["id"]})
    assert made.status_code == 201, made.text
    refused = cast.manager.post(URL, json={"task_id": task["id"], "resource_id": second["id"]})
    assert_error(refused, 422, "validation_failed")
    assert "and its other resources' calendars" in refused.json()["error"]["message"]


def test_the_task_page_says_it_beside_the_resource(cast: Cast, browser_as: Any) -> None:
    _, task = project_and_task(cast)
    weekends = _calendar(cast, "Weekends only", "Sat", "Sun")
    crew = resource(cast, key="crew", name="Weekend crew", calendar_id=weekends["id"])
    web = browser_as("manager@example.com")
    assert "Weekend crew" in web.get(f"/tasks/{task['id']}")  # offered in the picker
    response = web.post(
        f"/tasks/{task['id']}/assignments", {"resource_id": str(crew["id"]), "units": "100"}
    )
    assert response.status_code == 422
    assert "which has no working weekday in common" in response.text
    assert cast.manager.get(URL, params={"task_id": task["id"]}).json()["total"] == 0

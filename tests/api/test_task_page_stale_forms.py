"""The task page's forms, refused, are drawn again as sent, at the version they were read at.

A save refused for what was typed (a duration out of range), after someone else saved the
task, came back at the task's new version with the old values typed in: the next save
passed the version check and wrote them over the other change, with no 412.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.api.conftest import Browser, Cast, Net, post_created
from tests.api.test_assignments import URL as ASSIGNMENTS
from tests.api.test_assignments import project_and_task, resource
from tests.api.test_stale_forms_stay_stale import form_of

TASKS = "/api/v1/tasks"
Fields = list[tuple[str, str]]


def as_sent(fields: Fields, **changes: str) -> dict[str, Any]:
    """The form as a browser sends it (a checkbox after its hidden ``0``), ``changes`` typed."""
    sent: dict[str, list[str]] = {}
    for name, value in fields:
        sent.setdefault(name, []).append(changes.get(name, value))
    return {name: values[0] if len(values) == 1 else values for name, values in sent.items()}


def _rename_meanwhile(cast: Cast, task: dict[str, Any]) -> str:
    name = f"{task['name']} (RENAMED BY B)"
    response = cast.owner.patch(f"{TASKS}/{task['id']}", json={"name": name})
    assert response.status_code == 200, response.text
    return name


def test_a_save_refused_after_someone_else_saved_keeps_the_version_read_so_the_next_is_412(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    web = browser_as("manager@example.com")
    url = f"/tasks/{net.plat['id']}"
    read = form_of(web.get(url), "task-form")
    renamed = _rename_meanwhile(cast, net.plat)

    refused = web.post(url, as_sent(read, duration="200000"))
    assert refused.status_code == 422, refused.text
    assert "Must be at most 100,000." in refused.text
    again = dict(form_of(refused.text, "task-form"))
    assert again["version"] == dict(read)["version"]  # the version it was read at
    assert (again["name"], again["duration"]) == ("Pilot", "200000")  # as sent
    assert "changed by someone else since you opened it" in refused.text  # said at once

    stale = web.post(url, as_sent(form_of(refused.text, "task-form"), duration="16"))
    assert stale.status_code == 412, stale.text
    assert "changed by someone else" in stale.text
    still = dict(form_of(stale.text, "task-form"))
    assert (still["version"], still["duration"]) == (dict(read)["version"], "16")
    task = cast.viewer.get(f"{TASKS}/{net.plat['id']}").json()
    assert (task["name"], task["duration"]) == (renamed, 10)  # theirs kept, nothing of ours


def test_a_refused_save_with_nobody_else_in_between_saves_once_corrected(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    web = browser_as("manager@example.com")
    url = f"/tasks/{net.plat['id']}"
    refused = web.post(url, as_sent(form_of(web.get(url), "task-form"), duration="200000"))
    assert refused.status_code == 422
    assert "since you opened it" not in refused.text
    saved = web.post(url, as_sent(form_of(refused.text, "task-form"), duration="16"))
    assert saved.status_code == 303, saved.text
    assert cast.viewer.get(f"{TASKS}/{net.plat['id']}").json()["duration"] == 16


def test_an_assignment_row_refused_blank_stays_blank_at_the_version_read(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    _, task = project_and_task(cast)
    made = post_created(
        cast.manager,
        ASSIGNMENTS,
        {"task_id": task["id"], "resource_id": resource(cast)["id"], "units": 0.5},
    )
    web = browser_as("manager@example.com")
    url = f"/tasks/{task['id']}"
    read = dict(form_of(web.get(url), "assignment-row-form"))
    refused = web.post(f"{url}/assignments/{made['id']}", {**read, "units": ""})
    assert refused.status_code == 422 and "Required." in refused.text
    again = dict(form_of(refused.text, "assignment-row-form"))
    assert (again["units"], again["version"]) == ("", read["version"])  # not the stored 50

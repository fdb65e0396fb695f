"""Reopening a finished task on its page: clearing the actual finish with % complete left
at 100 is refused beside % complete, which is the field to change; lowering it reopens."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from tests.api.conftest import Browser, Cast, Net

pytestmark = pytest.mark.db

REOPEN = "Lower % complete to reopen the task: at 100 % it is finished."


def _finished(cast: Cast, net: Net) -> dict:
    response = cast.manager.patch(
        f"/api/v1/tasks/{net.plat['id']}",
        json={"actual_start": "2027-01-04", "actual_finish": "2027-01-15"},
    )
    assert response.status_code == 200, response.text
    task: dict = response.json()
    assert task["percent_complete"] == 100
    return task


def _progress(task: dict, **changes: str) -> dict[str, object]:
    """The page's progress fields as it shows them for ``task``, with ``changes`` typed."""
    shown = {
        "version": task["version"],
        "actual_start": task["actual_start"] or "",
        "actual_finish": task["actual_finish"] or "",
        "percent_complete": "100",
        "actual_cost": "",
    }
    return shown | changes


def _error_for(page: str, field: str) -> str | None:
    found = re.search(rf'data-error-for="{field}">.*?<span>(.*?)</span>', page, re.S)
    return found.group(1) if found else None


def test_clearing_the_finish_at_100_asks_for_a_lower_percentage_beside_it(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    task = _finished(cast, net)
    manager = browser_as("manager@example.com")

    refused = manager.post(f"/tasks/{task['id']}", _progress(task, actual_finish=""))
    assert refused.status_code == 422
    assert _error_for(refused.text, "percent_complete") == REOPEN
    assert _error_for(refused.text, "actual_finish") is None
    again = cast.viewer.get(f"/api/v1/tasks/{task['id']}").json()
    assert (again["actual_finish"], again["percent_complete"]) == ("2027-01-15", 100)

    reopened = manager.post(
        f"/tasks/{task['id']}", _progress(task, actual_finish="", percent_complete="80")
    )
    assert reopened.status_code == 303, reopened.text
    again = cast.viewer.get(f"/api/v1/tasks/{task['id']}").json()
    assert (again["actual_finish"], again["percent_complete"]) == (None, 80)


def test_100_without_a_finish_on_an_open_task_still_asks_for_the_finish(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    task = net.plat
    manager = browser_as("manager@example.com")
    fields = _progress(task, actual_start="2027-01-04", percent_complete="100")
    refused = manager.post(f"/tasks/{task['id']}", fields)
    assert refused.status_code == 422
    assert _error_for(refused.text, "actual_finish") == "Is required when % complete is 100."
    assert _error_for(refused.text, "percent_complete") is None

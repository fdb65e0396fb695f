"""Scenarios API and pages: new hours per day of a shared resource after the copy are no
conflict: the comparison and the applied scenario say which effort-driven tasks moved
for them; a change of work given is named ``given_work_hours`` in the comparison, as
the assignments API names it (``work_hours`` stays, deprecated), and the page says
"work given"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.api.conftest import Browser, Cast
from tests.api.test_scenarios_effort import _jobs, _patch, _plan, _scenario, _tasks

pytestmark = pytest.mark.db


def _compare(cast: Cast, scenario: dict[str, Any]) -> dict[str, Any]:
    response = cast.viewer.get(f"/api/v1/scenarios/{scenario['id']}/compare")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_new_hours_per_day_after_the_copy_are_shown_and_applied_not_refused(
    cast: Cast,
) -> None:
    plan = _plan(cast)  # the build: Ana 100 %, 80 h given at 8 h a day: 10 days
    scenario = _scenario(cast)
    _patch(cast, f"/api/v1/resources/{plan['ana']['id']}", {"hours_per_day": 10})
    assert _tasks(cast, cast.program.id)["PLAT-1"]["duration"] == 8

    hours = _compare(cast, scenario)["hours_changed"]
    assert hours["resources"] == [{"key": "ana", "name": "Ana", "hours_per_day": [8.0, 10.0]}]
    assert [(t["key"], t["copied"], t["live"], t["scenario"]) for t in hours["tasks"]] == [
        ("PLAT-1", 10, 8, 8)
    ]
    assert hours["note"].startswith("Since this scenario was copied, hours per day changed")

    response = cast.manager.post(f"/api/v1/scenarios/{scenario['id']}/apply")
    assert response.status_code == 200, response.text
    outcome = response.json()["outcome"]
    (task,) = outcome["hours_changed"]["tasks"]
    assert (task["key"], task["copied"], task["applied"]) == ("PLAT-1", 10, 8)
    assert _tasks(cast, cast.program.id)["PLAT-1"]["duration"] == 8


def test_without_new_hours_the_comparison_says_nothing_of_them(cast: Cast) -> None:
    _plan(cast)
    scenario = _scenario(cast)
    assert _compare(cast, scenario)["hours_changed"] == {"resources": [], "tasks": [], "note": ""}


def test_the_comparison_names_the_work_given_as_the_assignments_api_does(cast: Cast) -> None:
    _plan(cast)
    scenario = _scenario(cast)
    copy_id = scenario["copy_program_id"]
    _patch(cast, f"/api/v1/assignments/{_jobs(cast, copy_id)['ana']['id']}", {"work_hours": 120})
    (change,) = _compare(cast, scenario)["scope"]["assignments_changed"]
    live, copy = _jobs(cast, cast.program.id)["ana"], _jobs(cast, copy_id)["ana"]
    given = [live["given_work_hours"], copy["given_work_hours"]]
    assert given == [80.0, 120.0]
    assert change["fields"] == {"given_work_hours": given, "work_hours": given}

    schema = cast.viewer.get("/api/openapi.json").json()["components"]["schemas"]
    said = schema["AssignmentChangeOut"]["properties"]["fields"]["description"]
    assert "given_work_hours" in said and "deprecated" in said


def test_the_page_says_work_given_and_what_new_hours_did(
    cast: Cast, browser_as: Callable[[str], Browser]
) -> None:
    plan = _plan(cast)
    scenario = _scenario(cast)
    copy_id = scenario["copy_program_id"]
    _patch(cast, f"/api/v1/assignments/{_jobs(cast, copy_id)['ana']['id']}", {"work_hours": 120})
    _patch(cast, f"/api/v1/resources/{plan['ana']['id']}", {"hours_per_day": 10})
    manager = browser_as("manager@example.com")
    url = f"/scenarios/{scenario['id']}"

    page = manager.get(url)
    assert "work given (h) 80.0 → 120.0" in page
    assert "work hours" not in page
    assert 'data-testid="hours-changed"' in page and 'data-testid="stale"' not in page
    assert "Ana&#39;s from 8 h to 10 h" in page
    assert "10 wd when copied; now 8 wd in the live plan, 12 wd in the scenario" in page

    applied = manager.post(f"{url}/apply")
    assert applied.status_code == 303, applied.text
    page = manager.get(url)
    assert 'data-testid="hours-applied"' in page
    assert "10 wd when copied, 12 wd applied" in page

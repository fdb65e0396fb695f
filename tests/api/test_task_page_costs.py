"""The task page's form: an actual finish means done, and a task's budget and actual cost.

The page sends every field it shows, the % complete too: a finish given with the
percentage left as the page showed it is done (100 %), as the field's hint says; a
percentage typed below 100 is still refused beside its field. Managers give a task its
budget; managers, and members on their own tasks, record what it cost.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.api.conftest import Browser, Cast, post_created

Form = dict[str, object]


@pytest.fixture
def task(cast: Cast) -> dict[str, Any]:
    project = post_created(
        cast.manager,
        "/api/v1/projects",
        {"program_id": cast.program.id, "key": "APP", "name": "App"},
    )
    body = {"project_id": project["id"], "name": "Design", "duration": 5}
    return post_created(cast.manager, "/api/v1/tasks", body)


def _read(cast: Cast, task_id: int) -> dict[str, Any]:
    body: dict[str, Any] = cast.viewer.get(f"/api/v1/tasks/{task_id}").json()
    return body


def _progress_form(task: dict[str, Any], **fields: object) -> Form:
    """The progress fields as the page sends them: each as it was shown, unless given."""
    shown: Form = {
        "version": str(task["version"]),
        "actual_start": task["actual_start"] or "",
        "actual_finish": task["actual_finish"] or "",
        "percent_complete": f"{task['percent_complete']:g}",
        "actual_cost": f"{task['actual_cost']:g}",
    }
    return shown | fields


def _error_for(page: str, field: str) -> str:
    """The message shown under ``field``."""
    found = re.search(rf'data-error-for="{field}"[^>]*>(.*?)</p>', html.unescape(page), re.S)
    assert found is not None, f"no error for {field}"
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def test_an_actual_finish_with_the_percent_left_as_shown_finishes_the_task(
    cast: Cast, task: dict[str, Any], browser_as: Callable[[str], Browser]
) -> None:
    manager = browser_as("manager@example.com")
    form = _progress_form(task, actual_start="2027-01-04", actual_finish="2027-01-08")
    assert form["percent_complete"] == "0"  # left as shown
    response = manager.post(f"/tasks/{task['id']}", form)
    assert response.status_code == 303, html.unescape(response.text)[-2000:]
    saved = _read(cast, task["id"])
    assert (saved["actual_finish"], saved["percent_complete"]) == ("2027-01-08", 100)


def test_a_finish_with_the_percent_field_emptied_also_finishes_the_task(
    cast: Cast, task: dict[str, Any], browser_as: Callable[[str], Browser]
) -> None:
    manager = browser_as("manager@example.com")
    form = _progress_form(
        task, actual_start="2027-01-04", actual_finish="2027-01-08", percent_complete=""
    )
    assert manager.post(f"/tasks/{task['id']}", form).status_code == 303
    assert _read(cast, task["id"])["percent_complete"] == 100


def test_a_percent_typed_below_100_with_an_actual_finish_is_still_refused(
    cast: Cast, task: dict[str, Any], browser_as: Callable[[str], Browser]
) -> None:
    manager = browser_as("manager@example.com")
    form = _progress_form(
        task, actual_start="2027-01-04", actual_finish="2027-01-08", percent_complete="60"
    )
    response = manager.post(f"/tasks/{task['id']}", form)
    assert response.status_code == 422
    assert _error_for(response.text, "percent_complete") == "Must be 100 when actual finish is set."
    saved = _read(cast, task["id"])
    assert (saved["actual_finish"], saved["percent_complete"]) == (None, 0)


def test_a_member_finishes_their_own_task_by_giving_its_actual_finish(
    cast: Cast, task: dict[str, Any], browser_as: Callable[[str], Browser]
) -> None:
    cast.assign_member(task["id"])
    started = _read(cast, task["id"])
    member = browser_as("member@example.com")
    form = _progress_form(started, actual_start="2027-01-04", actual_finish="2027-01-07")
    assert member.post(f"/tasks/{task['id']}", form).status_code == 303
    assert _read(cast, task["id"])["percent_complete"] == 100


def test_a_manager_gives_a_task_its_budget_and_actual_cost(
    cast: Cast, task: dict[str, Any], browser_as: Callable[[str], Browser]
) -> None:
    manager = browser_as("manager@example.com")
    page = html.unescape(manager.get(f"/tasks/{task['id']}"))
    assert 'name="budget"' in page and 'name="actual_cost"' in page
    form = _progress_form(task, budget="12000", actual_cost="2500.5")
    assert manager.post(f"/tasks/{task['id']}", form).status_code == 303
    saved = _read(cast, task["id"])
    assert (saved["budget"], saved["actual_cost"]) == (12000, 2500.5)
    # shown in the input as a number the browser takes back, grouped in its hint
    page = html.unescape(manager.get(f"/tasks/{task['id']}"))
    assert re.search(r'name="budget" type="number" value="12000"', page)
    # (to the whole unit, the half away from zero, as the status report rounds)
    assert "12,000 planned" in page and "2,501 spent so far" in page
    # emptied, it is no budget: 0
    form = _progress_form(saved, budget="")
    assert manager.post(f"/tasks/{task['id']}", form).status_code == 303
    assert _read(cast, task["id"])["budget"] == 0


def test_a_negative_or_wordy_amount_is_refused_beside_its_field(
    cast: Cast, task: dict[str, Any], browser_as: Callable[[str], Browser]
) -> None:
    manager = browser_as("manager@example.com")
    response = manager.post(
        f"/tasks/{task['id']}", _progress_form(task, budget="-5", actual_cost="lots")
    )
    assert response.status_code == 422
    assert _error_for(response.text, "budget") == "Must be at least 0."
    assert _error_for(response.text, "actual_cost") == "Enter a number."
    saved = _read(cast, task["id"])
    assert (saved["budget"], saved["actual_cost"]) == (0, 0)


def test_a_member_records_the_actual_cost_of_their_own_task_but_not_its_budget(
    cast: Cast, task: dict[str, Any], browser_as: Callable[[str], Browser]
) -> None:
    cast.manager.patch(f"/api/v1/tasks/{task['id']}", json={"budget": 8000})
    member = browser_as("member@example.com")
    url = f"/tasks/{task['id']}"
    # not assigned to them: refused, as any progress on it is
    refused = member.post(url, _progress_form(_read(cast, task["id"]), actual_cost="300"))
    assert refused.status_code == 403
    cast.assign_member(task["id"])
    page = html.unescape(member.get(url))
    assert 'name="actual_cost"' in page and 'name="budget"' not in page
    assert re.search(r'data-testid="budget">\s*8,000', page)
    current = _read(cast, task["id"])
    assert member.post(url, _progress_form(current, actual_cost="300")).status_code == 303
    assert _read(cast, task["id"])["actual_cost"] == 300
    forged = member.post(url, _progress_form(_read(cast, task["id"]), budget="9000"))
    assert forged.status_code == 403
    assert _read(cast, task["id"])["budget"] == 8000


def test_a_viewer_reads_the_costs_and_no_budget_reads_none_set(
    cast: Cast, task: dict[str, Any], browser_as: Callable[[str], Browser]
) -> None:
    viewer = browser_as("viewer@example.com")
    page = html.unescape(viewer.get(f"/tasks/{task['id']}"))
    assert re.search(r'data-testid="budget">\s*none set', page)
    assert re.search(r'data-testid="actual-cost">\s*none recorded', page)
    cast.manager.patch(f"/api/v1/tasks/{task['id']}", json={"budget": 1500, "actual_cost": 200})
    page = html.unescape(viewer.get(f"/tasks/{task['id']}"))
    assert re.search(r'data-testid="budget">\s*1,500', page)
    assert re.search(r'data-testid="actual-cost">\s*200', page)


def test_a_summarys_costs_are_its_sub_tasks_read_only_and_sent_back_unchanged(
    cast: Cast, task: dict[str, Any], browser_as: Callable[[str], Browser]
) -> None:
    body = {"project_id": task["project_id"], "parent_id": task["id"], "duration": 2}
    for name, budget in (("Sketch", 700), ("Review", 300)):
        post_created(cast.manager, "/api/v1/tasks", {**body, "name": name, "budget": budget})
    summary = _read(cast, task["id"])
    assert summary["budget"] == 1000
    manager = browser_as("manager@example.com")
    page = html.unescape(manager.get(f"/tasks/{task['id']}"))
    assert re.search(r'name="budget" type="number" value="1000"[^>]*readonly', page)
    assert "Added up from its sub-tasks" in page
    form = _progress_form(summary, budget="1000", name="Design", duration=str(summary["duration"]))
    assert manager.post(f"/tasks/{task['id']}", form).status_code == 303
    now = _read(cast, task["id"])
    changed = manager.post(f"/tasks/{task['id']}", _progress_form(now, budget="5000"))
    assert changed.status_code == 422
    assert "change budget on the sub-tasks" in html.unescape(changed.text)
    assert _read(cast, task["id"])["budget"] == 1000


def test_without_budgets_the_overview_and_performance_say_no_budget_set(
    cast: Cast, task: dict[str, Any], browser_as: Callable[[str], Browser]
) -> None:
    program = cast.program.id
    post_created(cast.manager, f"/api/v1/programs/{program}/baselines", {"name": "Plan"})
    viewer = browser_as("viewer@example.com")
    overview = html.unescape(viewer.get(f"/programs/{program}"))
    assert "No budget set in the baseline" in overview and "of budget" not in overview
    performance = html.unescape(viewer.get(f"/programs/{program}/performance"))
    assert re.search(r'data-testid="ev-budget">no budget set<', performance)
    assert 'data-testid="ev-no-budget"' in performance
    # given a budget on the task page and baselined again, the figures come back
    manager = browser_as("manager@example.com")
    form = _progress_form(_read(cast, task["id"]), budget="4000")
    assert manager.post(f"/tasks/{task['id']}", form).status_code == 303
    post_created(cast.manager, f"/api/v1/programs/{program}/baselines", {"name": "Costed"})
    overview = html.unescape(viewer.get(f"/programs/{program}"))
    assert "No budget set" not in overview
    assert re.search(r"of budget <strong>4,000</strong>", overview)
    performance = html.unescape(viewer.get(f"/programs/{program}/performance"))
    assert re.search(r'data-testid="ev-budget">of budget <span[^>]*>4,000<', performance)
    assert 'data-testid="ev-no-budget"' not in performance


def test_deleting_a_task_with_recorded_cost_says_its_progress_and_costs_go_too(
    cast: Cast, task: dict[str, Any], browser_as: Callable[[str], Browser]
) -> None:
    page = browser_as("manager@example.com")
    confirm = page.get(f"/projects/{task['project_id']}?delete={task['id']}")
    assert "Delete <strong>APP-1 Design</strong>?" in confirm
    assert 'data-testid="delete-progress"' not in confirm  # nothing recorded yet
    recorded = cast.manager.patch(
        f"/api/v1/tasks/{task['id']}",
        json={"actual_start": "2027-01-04", "percent_complete": 30, "actual_cost": 2500.5},
    )
    assert recorded.status_code == 200, recorded.text
    confirm = html.unescape(page.get(f"/projects/{task['project_id']}?delete={task['id']}"))
    assert "Its recorded progress and costs (2,501 spent) go with it, out of earned value." in (
        re.sub(r"\s+", " ", confirm)
    )

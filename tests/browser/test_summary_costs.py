"""The project page refuses to indent a task, or add one, under a task with a budget: as a
summary its own budget would no longer count. The refusal says why and what to do."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, update

from podium.db import session_factory
from podium.models import Task
from tests.browser.work_plan import WorkPeople, WorkProgram

pytestmark = pytest.mark.browser

REFUSAL = (
    "Task APP-3 has a budget of 40,000 and cannot take sub-tasks: a summary's budget and "
    "actual cost are the sums of its sub-tasks' (what earned value counts), so its own "
    "would no longer count; clear it first, and give it to the sub-tasks."
)


@pytest.fixture
def budgeted(web_engine: Engine, work_program: WorkProgram) -> WorkProgram:
    """The work program with a budget of 40,000 on APP-3 Test."""
    db = session_factory(web_engine)()
    try:
        db.execute(
            update(Task).where(Task.id == work_program.task_ids["APP-3"]).values(budget=40000)
        )
        db.commit()
    finally:
        db.close()
    return work_program


def test_indenting_or_adding_under_a_task_with_a_budget_is_refused_with_the_reason(
    page_as: Callable[[str], Page], work_people: WorkPeople, budgeted: WorkProgram
) -> None:
    page = page_as(work_people.emails["rosa"])
    page.goto(f"/projects/{budgeted.project_ids['APP']}")
    form = page.get_by_test_id("add-form")
    form.get_by_label("Name").fill("Load test")
    form.get_by_role("button", name="Add task").click()
    expect(page.get_by_test_id("flash")).to_have_text("Added APP-4.")
    app4 = page.locator('#wbs tr[data-task-key="APP-4"]')

    app4.get_by_role("button", name="Indent APP-4").click()  # under APP-3, just above it
    expect(page.get_by_test_id("table-error")).to_have_text(REFUSAL)
    expect(app4.get_by_test_id("wbs-code")).to_have_text("4")

    form = page.get_by_test_id("add-form")
    form.get_by_label("Name").fill("Soak test")
    form.get_by_label("Under").select_option(str(budgeted.task_ids["APP-3"]))
    form.get_by_role("button", name="Add task").click()
    expect(page.get_by_test_id("form-error")).to_have_text(REFUSAL)
    expect(form.get_by_label("Name")).to_have_value("Soak test")
    expect(page.locator("#wbs tr[data-task-key]")).to_have_count(4)

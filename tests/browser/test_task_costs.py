"""The task page in a browser: an actual finish finishes the task as its hint says, and a
task's budget and actual cost are given on the page (a manager) or its actual cost only
(a member on their own task)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from tests.browser.conftest import screenshot
from tests.browser.work_plan import WorkPeople, WorkProgram, api_get, assign_person

pytestmark = pytest.mark.browser

OpenPage = Callable[[str], Page]
PHONE = {"width": 390, "height": 844}


def test_a_manager_finishes_a_task_by_its_actual_finish_and_gives_it_a_budget(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram, live_server: str
) -> None:
    task_id = work_program.task_ids["APP-1"]
    page = page_as(work_people.emails["rosa"])
    page.goto(f"/tasks/{task_id}")

    form = page.get_by_test_id("task-form")
    expect(form.get_by_label("% complete")).to_have_value("0")
    form.get_by_label("Actual start").fill("2027-03-01")
    form.get_by_label("Actual finish").fill("2027-03-05")
    form.get_by_label("Budget").fill("12000")
    form.get_by_label("Actual cost").fill("9500")
    form.get_by_role("button", name="Save changes").click()

    expect(page.get_by_test_id("flash")).to_contain_text("Saved")
    form = page.get_by_test_id("task-form")
    expect(form.get_by_label("% complete")).to_have_value("100")
    expect(form.get_by_label("Budget")).to_have_value("12000")
    expect(page.get_by_test_id("costs")).to_contain_text("12,000")
    token = work_people.tokens[work_people.emails["rosa"]]
    saved = api_get(live_server, token, f"/tasks/{task_id}")
    assert (saved["percent_complete"], saved["budget"], saved["actual_cost"]) == (100, 12000, 9500)
    screenshot(page.get_by_test_id("task-form"), "task-costs.png")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page.get_by_test_id("task-form"), "task-costs-phone.png")


def test_a_percent_typed_below_100_with_a_finish_is_refused_beside_it(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram, live_server: str
) -> None:
    task_id = work_program.task_ids["APP-1"]
    page = page_as(work_people.emails["rosa"])
    page.goto(f"/tasks/{task_id}")
    form = page.get_by_test_id("task-form")
    form.get_by_label("Actual start").fill("2027-03-01")
    form.get_by_label("Actual finish").fill("2027-03-05")
    form.get_by_label("% complete").fill("60")
    form.get_by_role("button", name="Save changes").click()

    form = page.get_by_test_id("task-form")
    expect(form.locator('[data-error-for="percent_complete"]')).to_have_text(
        "Must be 100 when actual finish is set."
    )
    expect(form.get_by_label("% complete")).to_be_focused()
    token = work_people.tokens[work_people.emails["rosa"]]
    assert api_get(live_server, token, f"/tasks/{task_id}")["actual_finish"] is None


def test_a_member_records_the_actual_cost_of_their_task_and_reads_its_budget(
    page_as: OpenPage,
    work_people: WorkPeople,
    work_program: WorkProgram,
    live_server: str,
    web_engine: Engine,
) -> None:
    assign_person(web_engine, work_program, work_people.emails["sam"], "APP-1")
    task_id = work_program.task_ids["APP-1"]
    page = page_as(work_people.emails["sam"])
    page.goto(f"/tasks/{task_id}")
    expect(page.get_by_test_id("plan-fields").get_by_test_id("budget")).to_have_text("none set")
    form = page.get_by_test_id("task-form")
    expect(form.get_by_label("Budget")).to_have_count(0)
    form.get_by_label("Actual cost").fill("750")
    form.get_by_role("button", name="Save changes").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Saved")
    token = work_people.tokens[work_people.emails["sam"]]
    assert api_get(live_server, token, f"/tasks/{task_id}")["actual_cost"] == 750

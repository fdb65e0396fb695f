"""Date fields offer only the days a plan may hold (1900 to 2200): the browser flags a
year typed wrong before sending it, and the server's refusal is shown beside the field
when the browser's check is bypassed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.work_plan import WorkPeople, WorkProgram

pytestmark = pytest.mark.browser


def test_a_deadline_in_year_one_is_flagged_in_the_browser_and_refused_beside_the_field(
    page_as: Callable[[str], Page], work_people: WorkPeople, work_program: WorkProgram
) -> None:
    page = page_as(work_people.emails["rosa"])
    page.goto(f"/tasks/{work_program.task_ids['APP-2']}")
    deadline = page.get_by_label("Deadline")
    expect(deadline).to_have_attribute("min", "1900-01-01")
    expect(deadline).to_have_attribute("max", "2200-12-31")
    deadline.fill("0001-01-01")
    assert deadline.evaluate("el => el.validity.rangeUnderflow")

    deadline.evaluate("el => el.form.noValidate = true")  # as a browser without the check
    page.get_by_role("button", name="Save changes").click()

    field = page.locator(".field", has=page.get_by_label("Deadline"))
    expect(field).to_contain_text("outside the dates a plan may hold")
    expect(field).to_contain_text("1900-01-01 to 2200-12-31")
    page.goto(f"/tasks/{work_program.task_ids['APP-2']}")
    expect(page.get_by_label("Deadline")).to_have_value("")  # nothing was kept


def test_the_rows_of_a_calendar_and_of_time_off_offer_the_same_days(
    page_as: Callable[[str], Page], work_people: WorkPeople, work_program: WorkProgram
) -> None:
    page = page_as(work_people.emails["rosa"])
    page.goto("/resources/new")
    start = page.get_by_label("Start of time off 1")
    expect(start).to_have_attribute("min", "1900-01-01")
    expect(start).to_have_attribute("max", "2200-12-31")

"""A refused value is said in plain words beside its field, the same way on every form:
the API's checks as people say them ("Must be at most 100."), never pydantic's
"Input should be…" or "Value should have at least 1 item after validation"."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import screenshot
from tests.browser.test_phone_layout_lists import PHONE, _fits, _on_screen
from tests.browser.work_plan import WorkPeople, WorkProgram

pytestmark = pytest.mark.browser

OpenPage = Callable[[str], Page]
RAW = ("Input should", "Value should", "Field required", "Value error")


def _said(form: Locator, field: str) -> Locator:
    return form.locator(f'[data-error-for="{field}"]')


def _no_raw_words(page: Page) -> None:
    text = page.locator("main").inner_text()
    assert not any(raw in text for raw in RAW), text


def _fill_resource(page: Page, key: str) -> Locator:
    page.goto("/resources/new")
    form = page.get_by_test_id("resource-form")
    form.get_by_label("Name").fill(f"Test rig {key}")
    form.get_by_label("Key").fill(key)
    form.get_by_label("Capacity (units per day)").fill("20000")
    form.get_by_label("Hours per day").fill("0")
    form.get_by_label("Cost per hour").fill("-5")
    form.get_by_role("button", name="Add resource").click()
    form = page.get_by_test_id("resource-form")
    # the refused form is a new page: wait for it before reading the page's width
    expect(_said(form, "capacity")).to_be_visible()
    return form


def test_forms_say_a_refused_value_in_plain_words_beside_its_field(
    page_as: OpenPage,
    work_people: WorkPeople,
    work_program: WorkProgram,
    console_errors: Callable[[Page], list[str]],
) -> None:
    page = page_as(work_people.emails["rosa"])
    errors = console_errors(page)

    # a project's settings: a blank name (a text the schema strips, then counts)
    page.goto(f"/projects/{work_program.project_ids['APP']}/settings")
    form = page.get_by_test_id("project-form")
    form.get_by_label("Name").fill("")
    form.get_by_label("Key").fill("A PP")
    form.get_by_role("button", name="Save settings").click()
    form = page.get_by_test_id("project-form")
    expect(_said(form, "name")).to_have_text("Required.")
    expect(_said(form, "key")).to_have_text("Letters, digits, '_' or '-', starting with a letter.")
    _no_raw_words(page)
    screenshot(page.get_by_test_id("project-form"), "form-errors-project.png")

    # a task: bounds said as people write numbers (100, not 100.0)
    page.goto(f"/tasks/{work_program.task_ids['APP-1']}")
    form = page.get_by_test_id("task-form")
    form.get_by_label("% complete").fill("150")
    form.get_by_label("Duration").fill("-1")
    form.get_by_role("button", name="Save changes").click()
    form = page.get_by_test_id("task-form")
    expect(_said(form, "percent_complete")).to_have_text("Must be at most 100.")
    expect(_said(form, "duration")).to_have_text("Must be at least 0.")
    _no_raw_words(page)

    # a resource: its own words for what capacity and hours mean, the rest as everywhere
    form = _fill_resource(page, f"rig-{work_program.key.lower()}")
    expect(_said(form, "capacity")).to_have_text(
        "More than 0: 1 is one full-time person, 0.5 half-time, 3 a team of three (at most 10,000)."
    )
    expect(_said(form, "hours_per_day")).to_have_text("More than 0 hours, and at most 24.")
    expect(_said(form, "cost_rate")).to_have_text("Must be at least 0.")
    _no_raw_words(page)
    screenshot(page, "form-errors-resource.png", full_page=True)

    # a review's time of day is a time, not a key
    page.goto(f"/programs/{work_program.id}/governance")
    page.get_by_text("Set up a review").click()
    form = page.get_by_test_id("review-form")
    form.get_by_label("Name").fill("Weekly check")
    form.get_by_label("Time").fill("25:00")
    form.get_by_role("button", name="Set up review").click()
    form = page.get_by_test_id("review-form")
    expect(_said(form, "time_of_day")).to_have_text("A time like 09:30 (hours 00 to 23).")
    _no_raw_words(page)
    assert errors == []


def test_a_refused_value_and_its_words_fit_a_phone(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram
) -> None:
    page = page_as(work_people.emails["rosa"])
    page.set_viewport_size(PHONE)
    form = _fill_resource(page, f"phone-{work_program.key.lower()}")
    _fits(page)
    words = _said(form, "capacity")
    _on_screen(words)
    expect(words).to_contain_text("(at most 10,000)")
    screenshot(page, "form-errors-resource-phone.png", full_page=True)

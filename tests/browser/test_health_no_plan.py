"""A program just started, with nothing planned, reads "No plan yet" in grey — not Green —
on the programs list and its overview, with what to do next."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from tests.browser.conftest import new_person, screenshot

pytestmark = pytest.mark.browser

_numbers = itertools.count(1)


def test_a_new_program_has_no_plan_yet_on_the_list_and_the_overview(
    page_as: Callable[[str], Page],
    web_engine: Engine,
    console_errors: Callable[[Page], list[str]],
) -> None:
    page = page_as(new_person(web_engine, "Imani Sato").email)
    errors = console_errors(page)
    page.goto("/")
    page.get_by_test_id("new-program").click()
    key = f"EMPTY{next(_numbers)}"
    form = page.get_by_test_id("program-form")
    form.get_by_label("Name", exact=True).fill("Warehouse automation")
    form.get_by_label("Key").fill(key)
    form.get_by_label("Start").fill("2027-09-06")
    form.get_by_role("button", name="Create program").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Program created")

    page.goto("/")
    cell = page.locator(f"[data-program-key='{key}'] [data-testid='health']")
    badge = cell.locator("[data-health]")
    expect(badge).to_have_attribute("data-health", "no_plan")
    expect(badge).to_have_text("No plan yet")
    expect(cell).not_to_contain_text("Green")
    expect(cell).not_to_contain_text("On plan")
    expect(cell.get_by_test_id("no-plan")).to_contain_text("Nothing scheduled yet")
    # neutral grey, not a red, amber or green
    assert badge.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(241, 245, 249)"
    screenshot(page.locator(f"[data-program-key='{key}']"), "health-no-plan-list.png")

    cell.get_by_role("link", name="add a project and its tasks").click()
    expect(page).to_have_url(re.compile(r"/programs/\d+/projects$"))
    page.go_back()
    page.locator(f"[data-program-key='{key}']").get_by_role(
        "link", name="Warehouse automation"
    ).click()
    panel = page.get_by_test_id("health")
    expect(panel).to_have_attribute("data-health", "no_plan")
    expect(panel.locator(".health--large")).to_have_text("No plan yet")
    expect(panel.get_by_test_id("no-plan")).to_contain_text("Nothing is planned yet")
    expect(panel).not_to_contain_text("on plan and within tolerances")
    hint = panel.get_by_test_id("no-plan-hint")
    expect(hint.get_by_role("link", name="Add a project and its tasks")).to_be_visible()
    expect(hint.get_by_role("link", name="import a plan")).to_have_attribute("href", "/import")
    screenshot(panel, "health-no-plan-overview.png")
    assert errors == []

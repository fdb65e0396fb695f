"""A program's currency in a browser: set on the settings page (a code that is not one is
refused beside the field), then shown with the task's budget and on the performance page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.work_plan import WorkPeople, WorkProgram

pytestmark = pytest.mark.browser

OpenPage = Callable[[str], Page]


def _amount_axis(page: Page) -> dict[str, str]:
    """Once the S-curve is drawn: its amounts' axis name, and 12,000 as its tooltip writes it."""
    expect(page.get_by_test_id("s-curve")).to_have_attribute("data-drawn", "true")
    return page.evaluate(
        """() => {
            const chart = window.echarts.getInstanceByDom(document.getElementById('pf-chart'));
            const option = chart.getOption();
            return {name: option.yAxis[0].name || '', tip: option.tooltip[0].valueFormatter(12000)};
        }"""
    )


def test_an_owner_sets_the_currency_and_amounts_show_it(
    page_as: OpenPage,
    work_people: WorkPeople,
    work_program: WorkProgram,
    console_errors: Callable[[Page], list[str]],
) -> None:
    page = page_as(work_people.emails["rosa"])
    errors = console_errors(page)
    page.goto(f"/programs/{work_program.id}/settings")
    form = page.get_by_test_id("program-form")
    form.get_by_label("Currency").fill("EURO")
    form.get_by_role("button", name="Save settings").click()
    expect(page.locator("#f-currency-error")).to_contain_text("ISO 4217 code")
    expect(page.get_by_test_id("program-form").get_by_label("Currency")).to_have_value("EURO")

    page.get_by_test_id("program-form").get_by_label("Currency").fill("eur")
    page.get_by_test_id("program-form").get_by_role("button", name="Save settings").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Saved")
    expect(page.get_by_test_id("program-form").get_by_label("Currency")).to_have_value("EUR")

    page.goto(f"/tasks/{work_program.task_ids['APP-1']}")
    form = page.get_by_test_id("task-form")
    form.get_by_label("Budget (EUR)").fill("12000")
    form.get_by_role("button", name="Save changes").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Saved")
    expect(page.locator("#f-budget-hint")).to_have_text("12,000\u00a0EUR planned")

    page.goto(f"/programs/{work_program.id}/performance")
    page.locator("#baseline-name").fill("Costed plan")
    page.get_by_role("button", name="Take baseline").click()
    expect(page.get_by_test_id("ev-budget")).to_have_text("of budget 12,000\u00a0EUR")
    expect(page.get_by_test_id("evm-currency")).to_have_text("EUR")
    expect(page.get_by_test_id("curve-currency")).to_have_text("Amounts in EUR")
    assert _amount_axis(page) == {"name": "EUR", "tip": "12,000\u00a0EUR"}
    bac = page.get_by_test_id("evm-table").locator('tr[data-scope="program"] [data-col="bac"]')
    expect(bac).to_have_text("12,000")  # the caption names the currency, not each cell
    expect(bac.locator("[data-value]")).to_have_attribute("data-value", "12000.0")
    assert errors == []


def test_without_a_currency_the_curves_amounts_are_bare(
    page_as: OpenPage,
    work_people: WorkPeople,
    work_program: WorkProgram,
    console_errors: Callable[[Page], list[str]],
) -> None:
    page = page_as(work_people.emails["rosa"])
    errors = console_errors(page)
    page.goto(f"/programs/{work_program.id}/performance")
    page.locator("#baseline-name").fill("Plan")
    page.get_by_role("button", name="Take baseline").click()
    assert _amount_axis(page) == {"name": "", "tip": "12,000"}
    assert page.get_by_test_id("s-curve").get_attribute("data-currency") is None
    expect(page.get_by_test_id("curve-currency")).to_have_count(0)
    assert errors == []

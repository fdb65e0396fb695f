"""The benefits page on the sample program: realization against the path, the chart, adding a
measurement (members), defining a KPI (managers), and the goal's link to its KPI."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from podium.services import demo
from tests.browser.conftest import World, screenshot
from tests.browser.test_risks import load_demo_program

pytestmark = pytest.mark.browser
PageAs = Callable[[str], Page]
MARIA, LI, SAM, ERIN = (email for email, _n, _r in demo.PEOPLE)


@pytest.fixture(scope="session")
def demo_program(web_engine: Engine, world: World) -> int:
    return load_demo_program(web_engine)


def _tickets(page: Page):  # type: ignore[no-untyped-def]
    return page.locator("[data-benefit='support tickets per month']")


def test_the_goal_kpi_is_charted_against_its_path(page_as: PageAs, demo_program: int) -> None:
    page = page_as(ERIN)
    page.goto(f"/programs/{demo_program}/benefits")
    card = _tickets(page)
    expect(card.get_by_test_id("goal-kpi")).to_be_visible()
    expect(card).to_have_attribute("data-state", "off_track")
    expect(card.get_by_test_id("benefit-state")).to_contain_text("Off track")
    expect(card.get_by_test_id("realization")).to_contain_text("%")
    expect(card.get_by_test_id("benefit-chart")).to_have_attribute("data-drawn", "true")
    expect(card.get_by_test_id("measure-form")).to_have_count(0)  # a viewer
    screenshot(page, "benefits.png", full_page=True)


# the boxes of the chart's words, and of the measured line (the widest stroke in its blue)
CHART_BOXES_JS = """svg => {
    const box = (e) => { const b = e.getBoundingClientRect();
        return {x: b.x, y: b.y, right: b.right, bottom: b.bottom, width: b.width}; };
    const words = {};
    for (const t of svg.querySelectorAll("text")) words[t.textContent.trim()] = box(t);
    const blue = [...svg.querySelectorAll("path[stroke='#3b4fd8']")].map(box);
    return {words, measured: blue.sort((a, b) => b.width - a.width)[0]};
}"""


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] < b["right"]
        and b["x"] < a["right"]
        and a["y"] < b["bottom"]
        and b["y"] < a["bottom"]
    )


def test_the_charts_words_do_not_cover_one_another(page_as: PageAs, demo_program: int) -> None:
    page = page_as(ERIN)
    page.goto(f"/programs/{demo_program}/benefits")
    chart = _tickets(page).get_by_test_id("benefit-chart")
    expect(chart).to_have_attribute("data-drawn", "true")
    boxes = chart.locator("svg").first.evaluate(CHART_BOXES_JS)
    words = boxes["words"]
    legend = ["Linear path to target", "Measured", "Trend of the readings"]
    shown = [*legend, "tickets", "status date"]  # the value axis's unit, the status date's mark
    assert set(shown) <= set(words), words.keys()
    for n, first in enumerate(shown):
        for second in shown[n + 1 :]:
            assert not _overlap(words[first], words[second]), (first, second)
    assert not _overlap(words["status date"], boxes["measured"])


def test_the_overview_raises_the_benefit_off_track_and_links_to_it(
    page_as: PageAs, demo_program: int
) -> None:
    page = page_as(ERIN)
    # every open alert: other tests' copies of the demo share its people, and their
    # over-allocations can push this medium alert out of the most severe eight
    page.goto(f"/programs/{demo_program}?alerts=all")
    alert = page.get_by_test_id("alerts").locator(".alert-item", has_text="off track")
    expect(alert).to_have_count(1)
    expect(alert.locator(".alert-item__title")).to_contain_text(
        "Benefit support tickets per month off track:"
    )
    expect(alert).to_contain_text("points behind (off track beyond 10)")
    expect(alert).to_contain_text("Crosses DATA, PLAT, TRAIN")
    screenshot(page.get_by_test_id("alerts"), "overview-alerts-benefit.png")
    alert.locator(".alert-item__title a").click()
    expect(page).to_have_url(re.compile(rf"/programs/{demo_program}/benefits#benefit-\d+$"))
    expect(_tickets(page)).to_have_attribute("data-state", "off_track")


def test_a_member_adds_a_measurement_and_the_realization_moves(
    page_as: PageAs, demo_program: int
) -> None:
    page = page_as(SAM)
    page.goto(f"/programs/{demo_program}/benefits")
    card = _tickets(page)
    before = card.get_by_test_id("measurements").locator("tbody tr").count()
    form = card.get_by_test_id("measure-form")
    form.get_by_label("Date").fill("2035-01-01")
    form.get_by_role("button", name="Add measurement").click()
    expect(page.locator("[data-error-for='value']")).to_be_visible()
    card = _tickets(page)
    form = card.get_by_test_id("measure-form")
    form.get_by_label("Date").fill("2035-01-01")
    form.get_by_label("Value (tickets)").fill("830")
    form.get_by_label("Source").fill("Service desk monthly export")
    form.get_by_role("button", name="Add measurement").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Measurement recorded")
    card = _tickets(page)
    expect(card.get_by_test_id("measurements").locator("tbody tr")).to_have_count(before + 1)
    expect(card.get_by_test_id("define-form")).to_have_count(0)  # members do not define KPIs


def test_a_manager_defines_a_benefit(page_as: PageAs, demo_program: int) -> None:
    page = page_as(LI)
    page.goto(f"/programs/{demo_program}/benefits")
    page.get_by_text("Define a benefit").click()
    form = page.get_by_test_id("define-form")
    form.get_by_label("Name").fill("client satisfaction")
    form.get_by_label("Unit").fill("score")
    form.get_by_label("Baseline", exact=True).fill("6.5")
    form.get_by_label("Target", exact=True).fill("8")
    form.get_by_label("Target date").fill("2030-12-31")
    form.get_by_label("Good direction").select_option("down")
    form.get_by_role("button", name="Define benefit").click()
    expect(page.locator("[data-error-for='target_value']")).to_contain_text("direction says down")
    form = page.get_by_test_id("define-form")
    form.get_by_label("Good direction").select_option("up")
    form.get_by_role("button", name="Define benefit").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Benefit defined")
    expect(page.locator("[data-benefit='client satisfaction']")).to_have_attribute(
        "data-state", "no_data"
    )


def test_the_overview_links_the_goal_to_its_kpi(page_as: PageAs, demo_program: int) -> None:
    page = page_as(MARIA)
    page.goto(f"/programs/{demo_program}")
    kpi = page.get_by_test_id("goal-kpi")
    expect(kpi).to_contain_text("support tickets per month")
    kpi.get_by_role("link", name="support tickets per month").click()
    expect(_tickets(page)).to_be_visible()

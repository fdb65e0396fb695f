"""The forecast page: a manager runs a forecast; its dates, charts, drivers; the overview's P80."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from datetime import date
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, select

from podium.db import session_factory
from podium.models import User
from podium.services import auth
from tests.browser.conftest import PlanProgram, screenshot

pytestmark = pytest.mark.browser

PageAs = Callable[[str], Page]


def _api(live_server: str, engine: Engine, email: str, path: str) -> Any:
    db = session_factory(engine)()
    try:
        user = db.scalars(select(User).where(User.email == email)).one()
        _t, secret = auth.create_token(db, user, name="forecast page tests")
        db.commit()
    finally:
        db.close()
    response = httpx.get(
        f"{live_server}/api/v1{path}", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.is_success, response.text
    return response.json()


def _shown(day: str) -> str:
    """A date as the page writes it (``14 Nov 2027``)."""
    d = date.fromisoformat(day)
    return f"{d.day} {d.strftime('%b %Y')}"


def _run(page: Page, *, iterations: int, seed: int) -> None:
    form = page.get_by_test_id("run-forecast")
    form.locator("input[name=iterations]").fill(str(iterations))
    form.locator("input[name=seed]").fill(str(seed))
    form.get_by_role("button", name="Run forecast").click()
    expect(page).to_have_url(re.compile(r"/forecast\?forecast=\d+$"))


def test_a_manager_runs_a_forecast_and_reads_its_dates_charts_and_drivers(
    page_as: PageAs,
    fresh_plan: PlanProgram,
    plan_people: dict[str, str],
    live_server: str,
    web_engine: Engine,
) -> None:
    page = page_as(plan_people["omar"])
    page.goto(f"/programs/{fresh_plan.id}")
    page.get_by_role("link", name="Forecast", exact=True).click()
    expect(page.get_by_test_id("no-forecast")).to_be_visible()
    _run(page, iterations=3000, seed=7)

    forecast_id = int(page.url.rsplit("=", 1)[1])
    api = _api(live_server, web_engine, plan_people["omar"], f"/forecasts/{forecast_id}")
    results = api["results"]
    table = page.get_by_test_id("confidence-table")
    program_row = table.locator("[data-key=program]")
    expect(program_row).to_contain_text(_shown(results["program"]["p80"]))
    expect(program_row.locator("td").nth(2)).to_have_text(_shown(results["program"]["p10"]))
    expect(program_row).to_contain_text(_shown(results["program"]["finish"]))
    for m in results["milestones"]:
        row = table.locator(f"[data-key='{m['key']}']")
        expect(row).to_contain_text(_shown(m["p50"]))
        if m["probability"] is not None:
            expect(row).to_contain_text(f"{m['probability'] * 100:.0f} %")
    expect(page.get_by_test_id("forecast-meta")).to_contain_text("3,000 iterations")
    expect(page.get_by_test_id("histogram")).to_have_attribute("data-drawn", "true")
    expect(page.get_by_test_id("tornado")).to_have_attribute("data-drawn", "true")
    top = results["criticality"][0]
    expect(page.get_by_test_id("criticality").locator("tbody tr").first).to_contain_text(top["key"])
    screenshot(page, "forecast.png", full_page=True)

    # a milestone's own distribution
    first = results["milestones"][0]["key"]
    page.get_by_test_id("distribution-scope").select_option(first)
    expect(page.get_by_test_id("histogram")).to_have_attribute("data-drawn", "true")

    # a second forecast: the trend appears, and the overview shows the newest P80
    _run(page, iterations=1000, seed=8)
    expect(page.get_by_test_id("trend")).to_have_attribute("data-drawn", "true")
    newest = _api(
        live_server, web_engine, plan_people["omar"], f"/programs/{fresh_plan.id}/forecasts"
    )["items"][0]
    page.goto(f"/programs/{fresh_plan.id}")
    expect(page.get_by_test_id("finish-p80")).to_contain_text(_shown(newest["program_p80"]))
    expect(page.get_by_test_id("milestones").locator("th", has_text="P80")).to_be_visible()
    screenshot(page, "forecast-overview.png", full_page=True)


# the labels ECharts lays out on the histogram's date axis, with the dates they stand for
AXIS_LABELS_JS = """box => echarts.getInstanceByDom(box).getModel().getComponent("xAxis").axis
    .getViewLabels().map(label => [label.tick.value, label.formattedLabel])"""
DAY_MONTH = re.compile(r"^(\d{1,2} )?(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)( \d{4})?$")


def _label_dates(texts: list[str]) -> list[date]:
    """The dates of axis labels (``5 Apr 2027``, ``19 Apr``, ``Mar``: the 1st), each
    label's year the last one written."""
    months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    dates, year = [], 0
    for text in texts:
        found = DAY_MONTH.match(text)
        assert found, text
        day, month, written = found.groups()
        year = int(written) if written else year
        dates.append(date(year, months.index(month) + 1, int(day) if day else 1))
    return dates


def test_the_histograms_dates_name_their_month_at_even_steps(
    page_as: PageAs, fresh_plan: PlanProgram, plan_people: dict[str, str]
) -> None:
    page = page_as(plan_people["omar"])
    page.goto(f"/programs/{fresh_plan.id}/forecast")
    _run(page, iterations=500, seed=3)
    histogram = page.get_by_test_id("histogram")
    expect(histogram).to_have_attribute("data-drawn", "true")
    labels = histogram.evaluate(AXIS_LABELS_JS)
    assert len(labels) >= 3, labels
    texts = [text for _value, text in labels]
    assert all(DAY_MONTH.match(text) for text in texts), texts  # "8 Mar", not "8"
    assert re.search(r" \d{4}$", texts[0]), texts  # the year, on the first date at least
    # the axis counts bars of working days, so the dates are read from the labels
    days = [day.toordinal() for day in _label_dates(texts)]
    steps = {b - a for a, b in itertools.pairwise(days)}
    assert steps <= {7} or steps <= {14} or steps <= {28, 29, 30, 31}, texts  # even steps


def test_a_viewer_reads_the_forecast_but_cannot_run_one(
    page_as: PageAs, fresh_plan: PlanProgram, plan_people: dict[str, str]
) -> None:
    manager = page_as(plan_people["omar"])
    manager.goto(f"/programs/{fresh_plan.id}/forecast")
    _run(manager, iterations=500, seed=1)
    page = page_as(plan_people["vera"])
    page.goto(f"/programs/{fresh_plan.id}/forecast")
    expect(page.get_by_test_id("confidence-table")).to_be_visible()
    expect(page.get_by_test_id("run-forecast")).to_have_count(0)
    expect(page.get_by_test_id("no-trend")).to_be_visible()


def test_a_bad_iteration_count_is_refused_in_place(
    page_as: PageAs, fresh_plan: PlanProgram, plan_people: dict[str, str]
) -> None:
    page = page_as(plan_people["omar"])
    page.goto(f"/programs/{fresh_plan.id}/forecast")
    form = page.get_by_test_id("run-forecast")
    form.locator("input[name=iterations]").evaluate(
        "el => { el.removeAttribute('min'); el.removeAttribute('step'); }"
    )
    form.locator("input[name=iterations]").fill("50")
    form.get_by_role("button", name="Run forecast").click()
    expect(page.get_by_test_id("run-forecast")).to_contain_text("Must be between 100 and 100000")

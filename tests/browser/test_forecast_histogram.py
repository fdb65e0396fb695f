"""The forecast page's histogram: bars of equal working days stand side by side."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PlanProgram

pytestmark = pytest.mark.browser

# each bar's position on the axis and its first and last days, as the chart holds them
BARS_JS = """box => echarts.getInstanceByDom(box).getOption().series[0].data
    .map(bar => [bar[0], bar[2], bar[3]])"""


def test_the_bars_stand_side_by_side_and_name_their_working_days(
    page_as: Callable[[str], Page], fresh_plan: PlanProgram, plan_people: dict[str, str]
) -> None:
    page = page_as(plan_people["omar"])
    page.goto(f"/programs/{fresh_plan.id}/forecast")
    form = page.get_by_test_id("run-forecast")
    form.locator("input[name=iterations]").fill("2000")
    form.locator("input[name=seed]").fill("5")
    form.get_by_role("button", name="Run forecast").click()
    expect(page).to_have_url(re.compile(r"/forecast\?forecast=\d+$"))
    histogram = page.get_by_test_id("histogram")
    expect(histogram).to_have_attribute("data-drawn", "true")
    bars = histogram.evaluate(BARS_JS)
    assert len(bars) > 5
    # one bar per step, whatever weekend lies between two bars' days
    assert [x for x, _first, _last in bars] == [k + 0.5 for k in range(len(bars))]
    firsts = [first for _x, first, _last in bars]
    assert len(set(firsts)) == len(firsts)
    # a bar's tooltip names its days and the share finished by its last one
    histogram.evaluate(
        "box => echarts.getInstanceByDom(box).dispatchAction("
        "{type: 'showTip', seriesIndex: 0, dataIndex: 2})"
    )
    tip = page.locator("div", has_text=re.compile(r"iterations\s*Finished by")).last
    expect(tip).to_contain_text("Finished by")

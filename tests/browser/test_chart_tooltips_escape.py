"""Chart tooltips are HTML that the page's script builds: names and units people typed
are put in as text, never as markup (a unit like ``<meta http-equiv=refresh …>`` sent
whoever hovered the chart to another site)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, select

from podium.db import session_factory
from podium.models import User
from podium.services import tasks as task_service
from podium.services.actor import Actor
from podium.services.benefits import writing as benefits
from podium.services.uow import complete
from tests.browser.conftest import PLAN_PEOPLE, PlanProgram

pytestmark = pytest.mark.browser
PageAs = Callable[[str], Page]
MARKUP = "<b class=inj>typed</b>"


def _as_maya(engine: Engine, change: Callable[[object, Actor], None]) -> None:
    db = session_factory(engine)()
    try:
        maya = db.scalars(select(User).where(User.email == PLAN_PEOPLE["maya"][0])).one()
        change(db, Actor.of(maya))
        complete(db)
    finally:
        db.close()


def _tip(page: Page, chart: str, data_index: int) -> str:
    """Show the tooltip of one point of the chart in ``chart`` (its element's id) and
    return the tooltip's HTML."""
    return page.evaluate(
        """([id, index]) => {
            const chart = window.echarts.getInstanceByDom(document.getElementById(id));
            chart.dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: index});
            const tips = [...document.querySelectorAll('#' + id + ' div')]
              .filter(d => d.style.position === 'absolute' && d.textContent);
            return tips.map(d => d.innerHTML).join('');
        }""",
        [chart, data_index],
    )


def test_a_benefit_unit_is_text_in_the_tooltip(
    page_as: PageAs, web_engine: Engine, fresh_plan: PlanProgram, plan_people: dict[str, str]
) -> None:
    made: dict[str, int] = {}

    def define(db: object, maya: Actor) -> None:
        benefit = benefits.create_benefit(
            db,  # type: ignore[arg-type]
            maya,
            program_id=fresh_plan.id,
            name="Tickets",
            baseline_value=100,
            target_value=50,
            target_date=date(2031, 1, 1),
            direction="down",
            unit=MARKUP,
        )
        benefits.add_measurement(db, maya, benefit.id, measured_on=date(2026, 1, 5), value=90)  # type: ignore[arg-type]
        made["id"] = benefit.id

    _as_maya(web_engine, define)
    page = page_as(plan_people["vera"])
    page.goto(f"/programs/{fresh_plan.id}/benefits")
    chart = f"bn-chart-{made['id']}"
    expect(page.locator(f"#{chart}")).to_have_attribute("data-drawn", "true")
    html = _tip(page, chart, 0)
    assert "&lt;b class=inj&gt;typed&lt;/b&gt;" in html, html
    assert page.locator(".inj").count() == 0


def test_task_names_are_text_in_the_tooltip_of_the_forecast_drivers(
    page_as: PageAs, web_engine: Engine, fresh_plan: PlanProgram, plan_people: dict[str, str]
) -> None:
    def rename(db: object, maya: Actor) -> None:
        for task_id in fresh_plan.task_ids.values():
            task_service.update_task(db, maya, task_id, {"name": MARKUP})  # type: ignore[arg-type]

    _as_maya(web_engine, rename)
    page = page_as(plan_people["omar"])
    page.goto(f"/programs/{fresh_plan.id}/forecast")
    form = page.get_by_test_id("run-forecast")
    form.locator("input[name=iterations]").fill("500")
    form.locator("input[name=seed]").fill("3")
    form.get_by_role("button", name="Run forecast").click()
    expect(page).to_have_url(re.compile(r"/forecast\?forecast=\d+$"))
    expect(page.get_by_test_id("tornado")).to_have_attribute("data-drawn", "true")
    html = _tip(page, "fc-tornado", 0)
    assert "&lt;b class=inj&gt;" in html, html
    assert page.locator(".inj").count() == 0

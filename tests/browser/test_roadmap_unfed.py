"""The roadmap draws no forecast for a program milestone no work leads to (*unfed*).

The scheduler places such a milestone on the program's start (or status date): a
placeholder, not a forecast. The chart draws only its target (when it has one), the
row says it has no forecast, and the side panel says why.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, select

from podium.db import session_factory
from podium.models import User
from podium.services.actor import Actor
from podium.services.milestones import create_milestone
from podium.services.uow import complete
from tests.browser.conftest import PlanProgram
from tests.browser.test_roadmap import open_roadmap

pytestmark = pytest.mark.browser


# BOARD's target: within the sample plan's months (dated from today), far from its start
TARGET = datetime.now(UTC).date() + timedelta(days=120)


def _add_unfed(engine: Engine, program: PlanProgram, owner: str) -> dict[str, int]:
    """BOARD (a target four months away) and LATER (no target), linked to nothing."""
    db = session_factory(engine)()
    try:
        user = db.scalar(select(User).where(User.email == owner))
        assert user is not None
        made = {
            key: create_milestone(
                db, Actor.of(user), program_id=program.id, key=key, name=name, target_date=target
            ).id
            for key, name, target in (
                ("BOARD", "Board sign-off", TARGET),
                ("LATER", "Someday", None),
            )
        }
        complete(db)
        return made
    finally:
        db.close()


def test_an_unfed_milestone_shows_its_target_and_no_forecast(
    page: Page,
    fresh_plan: PlanProgram,
    plan_people: dict[str, str],
    web_engine: Engine,
    console_errors: Callable[[Page], list[str]],
) -> None:
    made = _add_unfed(web_engine, fresh_plan, plan_people["maya"])
    console_errors(page)
    open_roadmap(page, fresh_plan, plan_people["vera"])
    board, later = f"m{made['BOARD']}", f"m{made['LATER']}"

    # the rows say so; a milestone work leads to does not
    for node in (board, later):
        row = page.locator(f'.rm-labels [data-node="{node}"]')
        expect(row.get_by_test_id("unfed-tag")).to_have_text("no forecast")
    fed = f"m{fresh_plan.milestone_ids['M1']}"
    expect(
        page.locator(f'.rm-labels [data-node="{fed}"]').get_by_test_id("unfed-tag")
    ).to_have_count(0)

    # the chart: BOARD's target, not a forecast diamond on the program's start
    drawn = page.locator(f'.rm-bars [data-node="{board}"]')
    expect(drawn).to_have_attribute("data-target", TARGET.isoformat())
    expect(drawn).to_have_class("rm-bar rm-bar--pmilestone rm-bar--unfed")
    expect(drawn.locator(".rm-diamond")).to_have_count(0)
    expect(drawn.locator(".rm-bar__label")).to_have_text("BOARD target · no forecast yet")
    assert drawn.get_attribute("data-start") is None
    # LATER has neither forecast nor target: nothing to draw
    expect(page.locator(f'.rm-bars [data-node="{later}"]')).to_have_count(0)
    expect(page.locator(f'.rm-bars [data-node="{fed}"] .rm-diamond')).to_have_count(1)

    # the side panel
    page.locator(f'.rm-labels [data-select="{later}"]').click()
    panel = page.locator(".rm-details")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("Forecastnone yet: no work is linked to it")
    expect(panel).to_contain_text("Targetnot set")
    expect(panel).not_to_contain_text("Total float")

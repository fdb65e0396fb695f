"""The programs list and the overview keep the forecast's confidence in sight: the odds of
the goal date under the forecast finish, and an amber word on a milestone the plan has on
track whose P80 is past its target (the sample plan, with a forecast run on it)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, select

from podium.db import session_factory
from podium.models import Milestone, Program, User
from podium.services import milestones, overview, programs
from podium.services.actor import Actor
from podium.services.forecasts import ForecastSettings, run_forecast
from podium.services.uow import complete
from tests.browser.conftest import PlanProgram, screenshot

pytestmark = pytest.mark.browser

PageAs = Callable[[str], Page]


def _shown(day: date) -> str:
    return f"{day.day} {day:%b %Y}"


def _doubtful_plan(engine: Engine, plan: PlanProgram, owner_email: str) -> dict[str, object]:
    """Set M3's target on its planned date and the goal on the planned finish (both on
    track, not a day to spare), run a forecast; what the pages should say of it."""
    db = session_factory(engine)()
    try:
        owner = Actor.of(db.scalars(select(User).where(User.email == owner_email)).one())
        m3 = db.get(Milestone, plan.milestone_ids["M3"])
        program = db.get(Program, plan.id)
        assert m3 is not None and program is not None and m3.early_finish is not None
        milestones.update_milestone(db, owner, m3.id, {"target_date": m3.early_finish})
        programs.update_program(db, owner, plan.id, {"goal_target_date": program.scheduled_finish})
        complete(db)
        run_forecast(db, owner, plan.id, ForecastSettings(iterations=2000, seed=11))
        complete(db)
        view = overview.program_overview(db, owner, plan.id)
        glance = view.glance
        assert glance is not None and glance.program_probability is not None
        assert glance.program_p80 is not None and program.goal_target_date is not None
        assert glance.program_p80 > program.goal_target_date
        doubtful = {m.key: glance.milestone_p80[m.id] for m in view.doubtful_milestones}
        assert "M3" in doubtful, "M3's work is uncertain: its P80 falls past its planned date"
        return {
            "p80": glance.program_p80,
            "odds": f"{glance.program_probability * 100:.0f} %",
            "doubtful": doubtful,
        }
    finally:
        db.close()


def test_the_programs_list_and_overview_show_the_odds_and_the_p80_past_target(
    page_as: PageAs, fresh_plan: PlanProgram, plan_people: dict[str, str], web_engine: Engine
) -> None:
    said = _doubtful_plan(web_engine, fresh_plan, plan_people["maya"])
    page = page_as(plan_people["vera"])
    page.goto("/")
    row = page.locator(f"tr[data-program-key='{fresh_plan.key}']")
    odds = row.get_by_test_id("finish-p80")
    expect(odds).to_be_visible()
    expect(odds).to_contain_text(f"P80 {_shown(said['p80'])}")
    expect(odds).to_contain_text(f"{said['odds']} likely by the goal date")
    amber = odds.get_by_test_id("goal-odds")
    expect(amber).to_have_class(re.compile(r"\btext-watch\b"))
    expect(amber).to_have_css("color", "rgb(148, 96, 11)")  # --amber, not the verdict's green
    expect(row.get_by_test_id("finish").locator("[data-state]")).to_have_attribute(
        "data-state", "on_time"
    )
    screenshot(row, "programs-list-forecast-odds.png")

    page.goto(f"/programs/{fresh_plan.id}")
    tile = page.get_by_test_id("finish-p80")
    expect(tile).to_contain_text(f"{said['odds']} likely by the goal date")
    m3 = page.get_by_test_id("milestones").locator("tr[data-milestone-key='M3']")
    expect(m3.locator("[data-state='on_track']")).to_have_text("On track")
    qualifier = m3.get_by_test_id("p80-past-target")
    doubtful = said["doubtful"]
    assert isinstance(doubtful, dict)
    expect(qualifier).to_be_visible()
    expect(qualifier).to_have_text(f"P80 {_shown(doubtful['M3'])}, past target")
    expect(qualifier).to_have_css("color", "rgb(148, 96, 11)")
    expect(page.get_by_test_id("milestones-p80-past")).to_contain_text("M3")
    screenshot(page, "overview-p80-past-target.png", full_page=True)

    page.goto(f"/programs/{fresh_plan.id}/milestones")
    row_m3 = page.get_by_test_id("milestone-list").locator("tr[data-milestone-key='M3']")
    expect(row_m3.get_by_test_id("p80-past-target")).to_be_visible()
    page.goto(f"/milestones/{fresh_plan.milestone_ids['M3']}")
    expect(page.get_by_test_id("state").get_by_test_id("p80-past-target")).to_be_visible()

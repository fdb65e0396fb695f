"""The escalation rules form on the Risks tab and the benefit edit and delete forms, in a
real browser, on a plan program of the test's own."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, select

from podium.db import session_factory
from podium.models import Benefit, BenefitMeasurement, Program, Role, User
from podium.services import benefits, programs, risks
from podium.services.actor import Actor
from podium.services.uow import complete
from tests.browser.conftest import PLAN_PEOPLE, PlanProgram, screenshot
from tests.browser.work_plan import WorkPeople

pytestmark = pytest.mark.browser

MAYA, OMAR, VERA = (PLAN_PEOPLE[name][0] for name in ("maya", "omar", "vera"))


def _maya(db) -> Actor:  # type: ignore[no-untyped-def]
    user = db.scalar(select(User).where(User.email == MAYA))
    assert user is not None
    return Actor.of(user)


def _seed_risk(engine: Engine, program_id: int, task_id: int) -> None:
    db = session_factory(engine)()
    try:
        risks.create_risk(
            db,
            _maya(db),
            program_id=program_id,
            title="Legacy database fails to migrate",
            probability=4,
            impact=4,
            level="task",
            task_ids=[task_id],
        )
        complete(db)
    finally:
        db.close()


def _seed_benefit(engine: Engine, program_id: int, member: str) -> int:
    db = session_factory(engine)()
    try:
        maya = _maya(db)
        programs.add_member(db, maya, program_id, email=member, role=Role.MEMBER)
        program = db.get(Program, program_id)
        assert program is not None and program.start_date is not None
        start = program.start_date
        benefit = benefits.create_benefit(
            db,
            maya,
            program_id=program_id,
            name="support tickets per month",
            unit="tickets",
            baseline_value=1000,
            baseline_date=start,
            target_value=700,
            target_date=start + timedelta(days=365),
            direction="down",
        )
        for days, value in ((30, 980), (60, 950)):
            benefits.add_measurement(
                db, maya, benefit.id, measured_on=start + timedelta(days=days), value=value
            )
        benefit_id = benefit.id
        complete(db)
        return benefit_id
    finally:
        db.close()


def test_a_manager_changes_the_escalation_rules_and_the_register_follows(
    page_as, web_engine: Engine, fresh_plan: PlanProgram
) -> None:
    _seed_risk(web_engine, fresh_plan.id, fresh_plan.task_ids["PLAT-5"])
    page: Page = page_as(OMAR)
    page.goto(f"/programs/{fresh_plan.id}/risks")
    expect(page.get_by_test_id("escalated-count")).to_have_text("1")  # 16 ≥ 15 by default
    form = page.get_by_test_id("rules-form")
    form.get_by_label("To program level at score").fill("30")
    form.get_by_role("button", name="Save escalation rules").click()
    form = page.get_by_test_id("rules-form")
    expect(form.locator("[data-error-for='program_score']")).to_contain_text("from 1 to 25")
    # the refused form is drawn in answer to its POST: the address is the page's again,
    # so reloading it opens the page rather than a GET of the form's action (405)
    expect(page).to_have_url(re.compile(rf"/programs/{fresh_plan.id}/risks$"))
    page.reload()
    expect(page.get_by_test_id("rules-form")).to_be_visible()
    form = page.get_by_test_id("rules-form")
    form.get_by_label("To program level at score").fill("20")
    form.get_by_label("To the steering agenda at score").fill("")
    form.get_by_label("Escalate risks linked to more than one project").uncheck()
    form.get_by_role("button", name="Save escalation rules").click()
    expect(page.get_by_test_id("flash")).to_contain_text(
        "Escalation rules saved and every live risk re-evaluated: 1 live risk changed level."
    )
    expect(page.get_by_test_id("rules-summary")).to_contain_text("when it scores 20 or more")
    expect(page.get_by_test_id("rules-summary")).to_contain_text("no risk goes on the steering")
    expect(page.get_by_test_id("escalated-count")).to_have_text("0")
    db = session_factory(web_engine)()
    try:
        rules, version = risks.escalation_rules(db, _maya(db), fresh_plan.id)
    finally:
        db.close()
    assert (rules.program_score, rules.cross_project, rules.steering_score) == (20, False, None)
    assert version >= 1
    screenshot(page.locator("#escalation-rules"), "risks-escalation-rules.png")

    viewer: Page = page_as(VERA)
    viewer.goto(f"/programs/{fresh_plan.id}/risks")
    expect(viewer.get_by_test_id("rules-summary")).to_be_visible()
    expect(viewer.get_by_test_id("rules-form")).to_have_count(0)


def test_a_manager_edits_a_benefit_deletes_a_reading_then_the_benefit(
    page_as, web_engine: Engine, fresh_plan: PlanProgram, work_people: WorkPeople
) -> None:
    member = work_people.emails["sam"]
    benefit_id = _seed_benefit(web_engine, fresh_plan.id, member)
    as_member: Page = page_as(member)
    as_member.goto(f"/programs/{fresh_plan.id}/benefits")
    expect(as_member.get_by_test_id("measure-form")).to_have_count(1)
    expect(as_member.get_by_test_id("edit-benefit-form")).to_have_count(0)  # managers only

    page: Page = page_as(OMAR)
    page.goto(f"/programs/{fresh_plan.id}/benefits")
    card = page.locator(f"#benefit-{benefit_id}")
    card.get_by_text("Edit or delete this benefit").click()
    form = card.get_by_test_id("edit-benefit-form")
    expect(form.get_by_label("Target", exact=True)).to_have_value("700")
    form.get_by_label("Name").fill("")
    form.get_by_role("button", name="Save benefit").click()
    form = page.locator(f"#benefit-{benefit_id}").get_by_test_id("edit-benefit-form")
    expect(form.locator("[data-error-for='name']")).to_contain_text("Required.")
    form.get_by_label("Name").fill("tickets a month")
    form.get_by_label("Target", exact=True).fill("600")
    form.get_by_role("button", name="Save benefit").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Benefit saved.")
    card = page.locator("[data-benefit='tickets a month']")
    expect(card).to_contain_text("600")
    db = session_factory(web_engine)()
    try:
        stored = db.get(Benefit, benefit_id)
        assert stored is not None
        assert (stored.name, stored.target_value) == ("tickets a month", 600)
        first = min(m.measured_on for m in stored.measurements)
    finally:
        db.close()

    card.get_by_role("button", name=f"Delete the reading of {_shown(first)}").click()
    card = page.locator("[data-benefit='tickets a month']")
    expect(card.get_by_test_id("measurements").locator("tbody tr")).to_have_count(1)
    assert _readings(web_engine, benefit_id) == 1
    screenshot(page, "benefits-edit.png", full_page=True)

    card.get_by_text("Edit or delete this benefit").click()
    card.get_by_role("button", name="Delete tickets a month and its readings").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Benefit deleted.")
    expect(page.get_by_test_id("no-benefits")).to_be_visible()
    db = session_factory(web_engine)()
    try:
        assert db.get(Benefit, benefit_id) is None
    finally:
        db.close()
    assert _readings(web_engine, benefit_id) == 0


def _readings(engine: Engine, benefit_id: int) -> int:
    db = session_factory(engine)()
    try:
        return len(
            list(
                db.scalars(
                    select(BenefitMeasurement).where(BenefitMeasurement.benefit_id == benefit_id)
                )
            )
        )
    finally:
        db.close()


def _shown(day: date) -> str:
    """A date as the ``date`` filter shows it (``3 Mar 2027``)."""
    return f"{day.day} {day:%b %Y}"

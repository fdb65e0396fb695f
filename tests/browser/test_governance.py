"""The Governance tab and the retrospective page, in a real browser.

Each test seeds governance on a plan program of its own: a weekly dependency
check with one meeting held and a decision logged in it, two stakeholders, and a
change request slipping the pilot (PLAT-5) by five days.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, select

from podium.db import session_factory
from podium.models import ReviewFrequency, Task, User
from podium.services.actor import Actor
from podium.services.governance import change_requests, decisions, reviews, stakeholders
from podium.services.governance.reviews import AttendeeIn
from podium.services.uow import complete
from tests.browser.conftest import PLAN_PEOPLE, PlanProgram, screenshot

pytestmark = pytest.mark.browser

MAYA, OMAR, VERA = (PLAN_PEOPLE[name][0] for name in ("maya", "omar", "vera"))


@dataclass(frozen=True)
class Seeded:
    program_id: int
    cr_id: int
    pilot_id: int


def _seed(engine: Engine, plan: PlanProgram) -> Seeded:
    db = session_factory(engine)()
    try:
        users = {u.email: u for u in db.scalars(select(User))}
        maya, omar = Actor.of(users[MAYA]), Actor.of(users[OMAR])
        pilot = db.get(Task, plan.task_ids["PLAT-5"])
        assert pilot is not None and pilot.early_start is not None
        start = pilot.early_start - timedelta(weeks=8)
        tuesday = start + timedelta(days=(1 - start.weekday()) % 7)
        review = reviews.create_review(
            db,
            omar,
            program_id=plan.id,
            name="Weekly dependency check",
            frequency=ReviewFrequency.WEEKLY,
            first_date=tuesday,
            time_of_day="09:30",
            duration_minutes=45,
            attendees=[
                AttendeeIn(email=OMAR, role="chair"),
                AttendeeIn(name="Priya", role="security"),
            ],
        )
        held = reviews.record_occurrence(db, omar, review.id, held_on=tuesday)
        decisions.record_decision(
            db,
            omar,
            program_id=plan.id,
            title="Pilot limited to three clients",
            rationale="Three cover every hosting pattern",
            decided_by="Steering committee",
            decided_on=tuesday,
            occurrence_id=held.id,
            links=[{"type": "task", "id": pilot.id}],
        )
        stakeholders.add_stakeholder(
            db,
            maya,
            program_id=plan.id,
            name="Dana Reyes",
            role="COO",
            influence=5,
            interest=4,
            reports=["status_report"],
        )
        stakeholders.add_stakeholder(
            db, maya, program_id=plan.id, name="Support team", influence=2, interest=5
        )
        cr = change_requests.create_change_request(
            db,
            omar,
            program_id=plan.id,
            title="Extend the pilot to five clients",
            rationale="Surface legacy database problems early",
            changes=[{"type": "slip", "task_id": pilot.id, "days": 5}],
            budget_changes=[{"task_id": pilot.id, "budget": pilot.budget + 9000}],
        )
        complete(db)
        return Seeded(plan.id, cr.id, pilot.id)
    finally:
        db.close()


def _duration(engine: Engine, task_id: int) -> int:
    db = session_factory(engine)()
    try:
        task = db.get(Task, task_id)
        assert task is not None
        return task.duration
    finally:
        db.close()


def test_a_viewer_reads_reviews_the_next_agenda_decisions_changes_and_stakeholders(
    page_as, web_engine: Engine, fresh_plan: PlanProgram
) -> None:
    seeded = _seed(web_engine, fresh_plan)
    page: Page = page_as(VERA)
    page.goto(f"/programs/{seeded.program_id}")
    page.get_by_role("link", name="Governance").click()
    expect(page.get_by_role("heading", name="Reviews")).to_be_visible()
    row = page.locator("[data-review='Weekly dependency check']")
    expect(row).to_contain_text("Every week on Tuesday, 09:30 (45 min)")
    expect(row).to_contain_text("Priya")
    agenda = page.get_by_test_id("agenda")
    expect(agenda).to_contain_text("Change requests awaiting decision")
    expect(agenda.locator("[data-kind='change_request']")).to_contain_text("finish +5 working days")
    cr = page.locator("[data-testid='change-request'][data-key='CR-1']")
    expect(cr.get_by_test_id("finish-delta")).to_have_text("+5 working days")
    expect(cr.locator("[data-milestone='M1']")).to_contain_text("+5 wd")
    # days as every page writes them ("13 Apr 2027"), not as the API sends them
    a_day = re.compile(r"^\d{1,2} [A-Z][a-z]{2} \d{4}$")
    expect(cr.locator("[data-milestone='M1'] td").nth(1)).to_have_text(a_day)
    expect(cr.locator("[data-milestone='M1'] td").nth(2)).to_have_text(a_day)
    expect(cr.get_by_test_id("impact")).not_to_contain_text(re.compile(r"\d{4}-\d{2}-\d{2}"))
    expect(cr).to_contain_text("+9,000")
    expect(page.get_by_test_id("approve-form")).to_have_count(0)  # viewers do not decide
    expect(row.get_by_role("button", name=re.compile("^Call off"))).to_have_count(0)
    expect(page.locator("[data-decision='D-1']")).to_contain_text("Pilot limited to three clients")
    expect(page.locator("[data-stakeholder='Dana Reyes']")).to_contain_text("Manage closely")
    expect(page.locator("[data-stakeholder='Support team']")).to_contain_text("Keep informed")
    screenshot(page, "governance.png", full_page=True)


def test_a_manager_approves_a_change_request_and_the_plan_moves(
    page_as, web_engine: Engine, fresh_plan: PlanProgram
) -> None:
    seeded = _seed(web_engine, fresh_plan)
    before = _duration(web_engine, seeded.pilot_id)
    page: Page = page_as(OMAR)
    page.goto(f"/programs/{seeded.program_id}/governance")
    cr = page.locator("[data-testid='change-request'][data-key='CR-1']")
    cr.get_by_label("Decision rationale").fill("Worth a week")
    cr.get_by_role("button", name="Approve and apply").click()
    cr = page.locator("[data-testid='change-request'][data-key='CR-1']")
    expect(cr).to_contain_text("Approved")
    expect(cr).to_contain_text("(as decided)")
    expect(page.locator("[data-decision='D-2']")).to_contain_text(
        "Approved CR-1: Extend the pilot to five clients"
    )
    assert _duration(web_engine, seeded.pilot_id) == before + 5
    page.get_by_label("Propose a topic for this meeting").fill("Second landing-zone engineer")
    page.get_by_role("button", name="Propose").click()
    expect(page.get_by_test_id("agenda").locator("[data-kind='proposed']")).to_contain_text(
        "Second landing-zone engineer"
    )
    screenshot(page, "governance-approved.png", full_page=True)


def test_an_approval_that_no_longer_applies_is_refused_in_place(
    page_as, web_engine: Engine, fresh_plan: PlanProgram
) -> None:
    seeded = _seed(web_engine, fresh_plan)
    page: Page = page_as(OMAR)
    page.goto(f"/programs/{seeded.program_id}/governance")
    # meanwhile the pilot is reported finished: the slip can no longer apply
    db = session_factory(web_engine)()
    try:
        pilot = db.get(Task, seeded.pilot_id)
        assert pilot is not None and pilot.early_start and pilot.early_finish
        pilot.actual_start, pilot.actual_finish = pilot.early_start, pilot.early_finish
        pilot.percent_complete = 100.0
        complete(db)
    finally:
        db.close()
    before = _duration(web_engine, seeded.pilot_id)
    cr = page.locator("[data-testid='change-request'][data-key='CR-1']")
    cr.get_by_role("button", name="Approve and apply").click()
    error = page.get_by_test_id("cr-error")
    expect(error).to_be_focused()  # the page opens on the refusal, not at its top
    expect(error).to_be_in_viewport()
    expect(error).to_contain_text("no longer applies to the plan")
    expect(error).to_contain_text("PLAT-5 is finished")
    expect(page.locator("[data-testid='change-request'][data-key='CR-1']")).to_contain_text(
        "Proposed"
    )
    assert _duration(web_engine, seeded.pilot_id) == before
    screenshot(page, "governance-refused.png", full_page=True)


def test_rejecting_needs_a_reason(page_as, web_engine: Engine, fresh_plan: PlanProgram) -> None:
    seeded = _seed(web_engine, fresh_plan)
    page: Page = page_as(OMAR)
    page.goto(f"/programs/{seeded.program_id}/governance")
    cr = page.locator("[data-testid='change-request'][data-key='CR-1']")
    cr.get_by_role("button", name="Reject").click()
    expect(page.get_by_test_id("cr-error")).to_contain_text("Give the reason for rejecting it")
    cr = page.locator("[data-testid='change-request'][data-key='CR-1']")
    expect(cr.get_by_label("Decision rationale")).to_be_focused()  # where the reason goes
    expect(cr.get_by_label("Decision rationale")).to_be_in_viewport()
    cr.get_by_label("Decision rationale").fill("Launch date is fixed")
    cr.get_by_role("button", name="Reject").click()
    expect(page.locator("[data-testid='change-request'][data-key='CR-1']")).to_contain_text(
        "Rejected"
    )


def test_a_manager_withdraws_a_change_request_and_the_plan_stays(
    page_as, web_engine: Engine, fresh_plan: PlanProgram
) -> None:
    seeded = _seed(web_engine, fresh_plan)
    before = _duration(web_engine, seeded.pilot_id)
    page: Page = page_as(OMAR)
    page.goto(f"/programs/{seeded.program_id}/governance")
    cr = page.locator("[data-testid='change-request'][data-key='CR-1']")
    cr.get_by_test_id("withdraw").click()
    cr = page.locator("[data-testid='change-request'][data-key='CR-1']")
    expect(cr).to_contain_text("withdrawn")
    expect(cr.get_by_test_id("approve-form")).to_have_count(0)
    assert _duration(web_engine, seeded.pilot_id) == before


def test_a_manager_calls_off_the_next_meeting_and_puts_it_back(
    page_as, web_engine: Engine, fresh_plan: PlanProgram
) -> None:
    seeded = _seed(web_engine, fresh_plan)
    page: Page = page_as(OMAR)
    page.goto(f"/programs/{seeded.program_id}/governance")
    next_cell = page.locator(
        "[data-review='Weekly dependency check'] [data-testid='next-occurrence']"
    )
    first = next_cell.inner_text().splitlines()[0]  # "15 Dec 2026", then its button
    next_cell.get_by_role("button", name=re.compile("^Call off")).click()
    expect(page.get_by_role("status")).to_contain_text("Meeting called off")
    skipped = page.get_by_test_id("skipped")
    expect(skipped).to_contain_text(f"{first} called off")
    expect(page.get_by_role("heading", name=re.compile("^Agenda"))).not_to_contain_text(first)
    skipped.get_by_role("button", name=re.compile("^Put back")).click()
    expect(page.get_by_test_id("skipped")).to_have_count(0)
    expect(page.get_by_role("heading", name=re.compile("^Agenda"))).to_contain_text(first)


def test_the_owner_records_a_lesson_and_closes_the_program(
    page_as, web_engine: Engine, fresh_plan: PlanProgram
) -> None:
    seeded = _seed(web_engine, fresh_plan)
    viewer: Page = page_as(VERA)
    viewer.goto(f"/programs/{seeded.program_id}/retrospective")
    expect(viewer.get_by_test_id("retro-status")).to_contain_text("Draft")
    expect(viewer.get_by_test_id("close-form")).to_have_count(0)
    expect(viewer.get_by_test_id("lesson-form")).to_have_count(0)
    page: Page = page_as(MAYA)
    page.goto(f"/programs/{seeded.program_id}/governance")
    page.get_by_role("link", name="Retrospective").click()
    expect(page.get_by_role("heading", name="Conflicts caught early and late")).to_be_visible()
    expect(page.get_by_test_id("milestones").locator("[data-milestone='M1']")).to_be_visible()
    page.get_by_label("Lesson", exact=True).fill("Book the penetration test in week one")
    page.get_by_role("button", name="Record lesson").click()
    expect(page.get_by_test_id("lessons")).to_contain_text("Book the penetration test in week one")
    page.get_by_label("Outcome in a sentence").fill("Migrated on time, tickets down 25 %")
    page.get_by_role("button", name=f"Close {fresh_plan.key}").click()
    # closing freezes the plan: it is confirmed first, what was typed carried along
    expect(page.get_by_test_id("close-confirm")).to_contain_text("tickets down 25 %")
    expect(page.get_by_test_id("retro-status")).to_contain_text("Draft")
    page.get_by_role("button", name=f"Close {fresh_plan.key}").click()
    expect(page.get_by_test_id("retro-status")).to_contain_text("Closed")
    expect(page.get_by_test_id("outcome")).to_contain_text("Migrated on time, tickets down 25 %")
    expect(page.get_by_test_id("close")).to_have_count(0)
    screenshot(page, "retrospective.png", full_page=True)
    # closed, the plan is frozen: the change request can no longer be approved
    page.goto(f"/programs/{seeded.program_id}/governance")
    page.get_by_role("button", name="Approve and apply").click()
    expect(page.get_by_test_id("cr-error")).to_contain_text("is closed")
    page.goto(f"/programs/{seeded.program_id}/retrospective")
    page.get_by_role("button", name=f"Reopen {fresh_plan.key}").click()
    # reopened, the retrospective kept at the close is still the one shown, marked so
    expect(page.get_by_test_id("retro-status")).to_contain_text("Kept")
    expect(page.get_by_test_id("outcome")).to_contain_text("Migrated on time, tickets down 25 %")
    expect(page.get_by_test_id("close-form")).to_be_visible()

"""The Governance tab's forms, in a real browser: a review set up, edited and a meeting of
it recorded; a change request raised with its impact shown; stakeholders added, edited
and removed. Each form shows one refusal in place; who may not use a form does not see it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, select

from podium.db import session_factory
from podium.models import ChangeRequest, Review, ReviewOccurrence, Role, Stakeholder, User
from podium.services import programs
from podium.services.actor import Actor
from podium.services.uow import complete
from tests.browser.conftest import PLAN_PEOPLE, PlanProgram, screenshot
from tests.browser.work_plan import WorkPeople

pytestmark = pytest.mark.browser

MAYA, OMAR, VERA = (PLAN_PEOPLE[name][0] for name in ("maya", "omar", "vera"))


def _rows(engine: Engine, model: type, program_id: int) -> list:
    db = session_factory(engine)(expire_on_commit=False)
    try:
        rows = list(db.scalars(select(model).where(model.program_id == program_id)))
        for row in rows:
            if isinstance(row, Review):
                list(row.attendees)  # read while the session is open
        return rows
    finally:
        db.close()


def _add_member(engine: Engine, program_id: int, email: str) -> None:
    db = session_factory(engine)()
    try:
        maya = db.scalar(select(User).where(User.email == MAYA))
        assert maya is not None
        programs.add_member(db, Actor.of(maya), program_id, email=email, role=Role.MEMBER)
        complete(db)
    finally:
        db.close()


def _today() -> str:
    return datetime.now(UTC).astimezone().date().isoformat()


def test_a_manager_sets_up_a_review_edits_it_and_records_a_meeting(
    page_as, web_engine: Engine, fresh_plan: PlanProgram
) -> None:
    page: Page = page_as(OMAR)
    page.goto(f"/programs/{fresh_plan.id}/governance")
    page.get_by_text("Set up a review").click()
    form = page.get_by_test_id("review-form")
    form.get_by_label("First meeting").fill(_today())
    form.get_by_role("button", name="Set up review").click()
    form = page.get_by_test_id("review-form")
    expect(form.locator("[data-error-for='name']")).to_contain_text("Required.")
    form.get_by_label("Name").fill("Steering committee")
    form.get_by_label("Cadence").select_option("biweekly")
    form.get_by_label("Time").fill("14:00")
    form.get_by_label("Attendees").fill("omar@example.com, chair\nPriya, security")
    form.get_by_label("Benefits off track").uncheck()
    form.get_by_role("button", name="Set up review").click()
    row = page.locator("[data-review='Steering committee']")
    expect(row).to_contain_text("Every two weeks on")
    expect(row).to_contain_text("14:00")
    expect(row).to_contain_text("Omar Haddad")
    expect(row).to_contain_text("Priya")
    (review,) = _rows(web_engine, Review, fresh_plan.id)
    assert review.frequency.value == "biweekly"
    assert "benefits" not in review.sections
    assert [a.role for a in review.attendees] == ["chair", "security"]

    page.get_by_role("link", name="Edit Steering committee").click()
    form = page.get_by_test_id("review-form")
    expect(form.get_by_label("Name")).to_have_value("Steering committee")
    form.get_by_label("Cadence").select_option("monthly")
    until = (datetime.now(UTC).date() + timedelta(days=400)).isoformat()
    form.get_by_label("Until").fill(until)
    form.get_by_role("button", name="Save review").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Review saved.")
    expect(page.locator("[data-review='Steering committee']")).to_contain_text("Monthly on the")
    (review,) = _rows(web_engine, Review, fresh_plan.id)
    assert review.frequency.value == "monthly"
    assert review.until_date is not None and review.until_date.isoformat() == until

    agenda = page.get_by_test_id("agenda")
    expect(agenda).to_contain_text("Agenda · Steering committee")
    agenda.get_by_text("Record this meeting").click()
    meeting = page.get_by_test_id("meeting-form")
    held_on = meeting.get_by_label("Held on").input_value()
    meeting.get_by_label("Priya").uncheck()
    meeting.get_by_label("Minutes").fill("Pilot scope agreed")
    meeting.get_by_role("button", name="Record meeting").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Meeting recorded")
    expect(page.locator("[data-review='Steering committee']")).to_contain_text("(1 held)")
    (occurrence,) = _rows(web_engine, ReviewOccurrence, fresh_plan.id)
    assert occurrence.held_on.isoformat() == held_on
    assert occurrence.notes == "Pilot scope agreed"
    assert occurrence.attendees_present == ["Omar Haddad"]
    kept = [s["key"] for s in occurrence.agenda["sections"]]  # the agenda as it stood
    assert "risks" in kept and "benefits" not in kept

    # the same date again is refused beside the date
    page.get_by_test_id("agenda").get_by_text("Record this meeting").click()
    meeting = page.get_by_test_id("meeting-form")
    meeting.get_by_label("Held on").fill(held_on)
    meeting.get_by_role("button", name="Record meeting").click()
    expect(
        page.get_by_test_id("meeting-form").locator("[data-error-for='held_on']")
    ).to_contain_text("already has an occurrence")
    assert len(_rows(web_engine, ReviewOccurrence, fresh_plan.id)) == 1
    screenshot(page, "governance-review-form.png", full_page=True)


def test_a_member_raises_a_change_request_and_sees_its_impact(
    page_as, web_engine: Engine, fresh_plan: PlanProgram, work_people: WorkPeople
) -> None:
    member = work_people.emails["sam"]
    _add_member(web_engine, fresh_plan.id, member)
    pilot = fresh_plan.task_ids["PLAT-5"]
    page: Page = page_as(member)
    page.goto(f"/programs/{fresh_plan.id}/governance")
    expect(page.get_by_test_id("review-form")).to_have_count(0)  # managers set up reviews
    expect(page.get_by_test_id("stakeholder-form")).to_have_count(0)
    page.get_by_text("Raise a change request").click()
    form = page.get_by_test_id("cr-form")
    form.get_by_label("Title").fill("Extend the pilot to five clients")
    form.locator("#cr-slip_task").select_option(str(pilot))
    form.get_by_role("button", name="Raise change request").click()
    form = page.get_by_test_id("cr-form")
    expect(form.locator("[data-error-for='slip_days']")).to_contain_text(
        "Give the number of working days."
    )
    # a slip of fewer than one working day is refused on the days, which takes the focus
    form.get_by_label("By working days").fill("-3")
    form.get_by_role("button", name="Raise change request").click()
    form = page.get_by_test_id("cr-form")
    days = form.get_by_label("By working days")
    expect(form.locator("[data-error-for='slip_days']")).to_have_text(
        "A slip is 1 to 10000 working days."
    )
    expect(days).to_have_attribute("aria-invalid", "true")
    expect(days).to_be_focused()
    expect(form.get_by_test_id("form-error")).to_have_count(0)
    days.fill("5")
    form.locator("#cr-budget_task").select_option(str(pilot))
    form.get_by_label("New budget").fill("50000")
    form.get_by_label("Why").fill("Surface legacy database problems early")
    form.get_by_role("button", name="Raise change request").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Change request raised")
    cr = page.locator("[data-testid='change-request'][data-key='CR-1']")
    expect(cr).to_contain_text("Extend the pilot to five clients")
    expect(cr.get_by_test_id("finish-delta")).to_have_text("+5 working days")
    expect(cr).to_contain_text("budget")
    (stored,) = _rows(web_engine, ChangeRequest, fresh_plan.id)
    (slip,) = stored.changes
    assert (slip["type"], slip["task_id"], slip["days"]) == ("slip", pilot, 5)
    assert stored.budget_changes == [{"task_id": pilot, "budget": 50000.0}]
    assert stored.requested_by == "Sam Tran"  # by name, as the page names people
    expect(cr).to_contain_text("Requested by Sam Tran")
    screenshot(page, "governance-change-request-form.png", full_page=True)


def test_a_manager_adds_edits_and_removes_a_stakeholder(
    page_as, web_engine: Engine, fresh_plan: PlanProgram
) -> None:
    page: Page = page_as(OMAR)
    page.goto(f"/programs/{fresh_plan.id}/governance")
    page.get_by_text("Add a stakeholder").click()
    form = page.get_by_test_id("stakeholder-form")
    form.get_by_label("Role").fill("COO")
    form.get_by_role("button", name="Add stakeholder").click()
    form = page.get_by_test_id("stakeholder-form")
    expect(form.locator("[data-error-for='name']")).to_contain_text("Required.")
    form.get_by_label("Name").fill("Dana Reyes")
    form.get_by_label("Influence (1–5)").select_option("5")
    form.get_by_label("Interest (1–5)").select_option("4")
    form.get_by_label("Executive status report").check()
    form.get_by_role("button", name="Add stakeholder").click()
    row = page.locator("[data-stakeholder='Dana Reyes']")
    expect(row).to_contain_text("Manage closely")
    expect(row).to_contain_text("Executive status report")
    (dana,) = _rows(web_engine, Stakeholder, fresh_plan.id)
    assert (dana.role, dana.influence, dana.interest) == ("COO", 5, 4)
    assert dana.reports == ["status_report"]

    page.get_by_role("link", name="Edit Dana Reyes").click()
    form = page.get_by_test_id("stakeholder-form")
    form.get_by_label("Interest (1–5)").select_option("1")
    form.get_by_role("button", name="Save stakeholder").click()
    expect(page.locator("[data-stakeholder='Dana Reyes']")).to_contain_text("Keep satisfied")
    (dana,) = _rows(web_engine, Stakeholder, fresh_plan.id)
    assert dana.interest == 1
    screenshot(page, "governance-stakeholder-form.png", full_page=True)

    page.get_by_role("link", name="Edit Dana Reyes").click()
    page.get_by_role("button", name="Remove Dana Reyes").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Stakeholder removed.")
    expect(page.locator("[data-stakeholder='Dana Reyes']")).to_have_count(0)
    assert _rows(web_engine, Stakeholder, fresh_plan.id) == []


def test_a_viewer_sees_none_of_the_forms(page_as, fresh_plan: PlanProgram) -> None:
    page: Page = page_as(VERA)
    page.goto(f"/programs/{fresh_plan.id}/governance")
    expect(page.get_by_role("heading", name="Reviews")).to_be_visible()
    for form in ("review-form", "meeting-form", "cr-form", "stakeholder-form"):
        expect(page.get_by_test_id(form)).to_have_count(0)
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)

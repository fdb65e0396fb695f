"""Decisions on the Governance tab, in a real browser: which review meeting a decision was
taken in, on which day and by whom — for change requests approved or rejected and for
decisions logged by hand — and the refusal of a value that cannot be right."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, select, update

from podium.db import session_factory
from podium.models import ChangeRequest, Decision, ReviewOccurrence
from podium.services.common import today
from tests.browser.conftest import PlanProgram, screenshot
from tests.browser.test_governance import OMAR, _seed

pytestmark = pytest.mark.browser


def _meeting_id(engine: Engine, program_id: int) -> int:
    db = session_factory(engine)()
    try:
        held = db.scalar(
            select(ReviewOccurrence.id).where(ReviewOccurrence.program_id == program_id)
        )
        assert held is not None
        return held
    finally:
        db.close()


def _held_on(engine: Engine, meeting_id: int) -> str:
    """The day a meeting was held: a decision taken in it is dated that day."""
    db = session_factory(engine)()
    try:
        held = db.get(ReviewOccurrence, meeting_id)
        assert held is not None
        return held.held_on.isoformat()
    finally:
        db.close()


def _decision(engine: Engine, program_id: int, title: str) -> Decision | None:
    """The program's decision of that title (other tests' programs have the same titles)."""
    db = session_factory(engine)()
    try:
        return db.scalar(
            select(Decision).where(Decision.program_id == program_id, Decision.title == title)
        )
    finally:
        db.close()


def _raised_before(engine: Engine, cr_id: int, meeting_id: int) -> None:
    """The change request raised a week before the meeting (a request is decided once
    raised: in a meeting held since)."""
    db = session_factory(engine)()
    try:
        held = db.get(ReviewOccurrence, meeting_id)
        assert held is not None
        raised = datetime.combine(held.held_on - timedelta(weeks=1), time(9), UTC)
        db.execute(update(ChangeRequest).where(ChangeRequest.id == cr_id).values(created_at=raised))
        db.commit()
    finally:
        db.close()


def test_an_approval_taken_in_a_review_shows_under_that_meeting(
    page_as, web_engine: Engine, fresh_plan: PlanProgram
) -> None:
    seeded = _seed(web_engine, fresh_plan)
    meeting = _meeting_id(web_engine, seeded.program_id)
    _raised_before(web_engine, seeded.cr_id, meeting)
    page: Page = page_as(OMAR)
    page.goto(f"/programs/{seeded.program_id}/governance")
    cr = page.locator("[data-testid='change-request'][data-key='CR-1']")
    expect(cr.get_by_label("Decided on")).to_have_value("")  # the meeting's day, else today
    expect(cr.get_by_label("Decided by")).not_to_have_value("")  # the signed-in person
    cr.get_by_label("Decision rationale").fill("Worth a week")
    cr.get_by_label("Decided in").select_option(str(meeting))
    held_on = _held_on(web_engine, meeting)  # taken in the meeting: dated its day
    cr.get_by_label("Decided by").fill("Steering committee")
    cr.get_by_role("button", name="Approve and apply").click()
    expect(page.locator("[data-testid='change-request'][data-key='CR-1']")).to_contain_text(
        "Approved"
    )
    held = page.locator(f"#meeting-{meeting}")
    expect(held.get_by_test_id("meeting-decisions")).to_contain_text(
        "Approved CR-1: Extend the pilot to five clients"
    )
    expect(held).to_contain_text("Steering committee")
    logged = page.locator("[data-decision='D-2']")
    expect(logged).to_contain_text("Weekly dependency check")
    expect(logged).to_contain_text("Steering committee")
    decision = _decision(
        web_engine, seeded.program_id, "Approved CR-1: Extend the pilot to five clients"
    )
    assert decision is not None
    assert (decision.occurrence_id, decision.decided_on.isoformat(), decision.decided_by) == (
        meeting,
        held_on,
        "Steering committee",
    )
    held.scroll_into_view_if_needed()
    screenshot(page, "governance-decided-in-meeting.png", full_page=True)


def test_a_decision_logged_by_hand_keeps_its_meeting_and_the_records_it_is_about(
    page_as, web_engine: Engine, fresh_plan: PlanProgram
) -> None:
    seeded = _seed(web_engine, fresh_plan)
    meeting = _meeting_id(web_engine, seeded.program_id)
    page: Page = page_as(OMAR)
    page.goto(f"/programs/{seeded.program_id}/governance")
    page.get_by_text("Log a decision").click()
    form = page.get_by_test_id("decision-form")
    form.get_by_label("What was decided").fill("Freeze the wave 2 scope")
    form.get_by_label("Why").fill("Cut-over dates are fixed with clients")
    form.get_by_label("Decided in").select_option(str(meeting))  # the date left empty
    form.get_by_label("About").select_option(f"change_request:{seeded.cr_id}")
    expect(form.get_by_label("Decided by")).to_have_value("Omar Haddad")
    form.get_by_label("Decided by").fill("")  # left empty: the person, by name as offered
    form.get_by_role("button", name="Log decision").click()
    logged = page.locator("[data-decision='D-2']")
    expect(logged).to_contain_text("Freeze the wave 2 scope")
    expect(logged).to_contain_text("Omar Haddad")
    expect(logged).to_contain_text("CR-1 Extend the pilot to five clients")
    expect(page.locator(f"#meeting-{meeting}")).to_contain_text("Freeze the wave 2 scope")
    decision = _decision(web_engine, seeded.program_id, "Freeze the wave 2 scope")
    assert decision is not None and decision.occurrence_id == meeting
    assert decision.decided_on.isoformat() == _held_on(web_engine, meeting)
    assert decision.decided_by == "Omar Haddad"  # the default
    screenshot(page.get_by_test_id("meetings"), "governance-meetings.png")


def test_a_meeting_or_date_that_cannot_be_right_gives_the_form_back_with_the_error(
    page_as, web_engine: Engine, fresh_plan: PlanProgram
) -> None:
    seeded = _seed(web_engine, fresh_plan)
    page: Page = page_as(OMAR)
    page.goto(f"/programs/{seeded.program_id}/governance")
    cr = page.locator("[data-testid='change-request'][data-key='CR-1']")
    cr.get_by_label("Decided in").evaluate(
        "el => { el.add(new Option('forged', 'zz')); el.value = 'zz'; }"
    )
    cr.get_by_label("Decision rationale").fill("Worth a week")
    cr.get_by_role("button", name="Approve and apply").click()
    cr = page.locator("[data-testid='change-request'][data-key='CR-1']")
    expect(cr).to_contain_text("Proposed")
    expect(cr.get_by_test_id("cr-error")).to_be_visible()
    expect(cr.locator("[data-error-for='occurrence_id']")).to_contain_text(
        "Choose a review meeting from the list"
    )
    expect(cr.get_by_label("Decision rationale")).to_have_value("Worth a week")
    screenshot(cr, "governance-decision-refused.png")
    db = session_factory(web_engine)()
    try:
        request = db.get(ChangeRequest, seeded.cr_id)
        assert request is not None and request.status.value == "proposed"
    finally:
        db.close()

    page.get_by_text("Log a decision").click()
    form = page.get_by_test_id("decision-form")
    form.get_by_label("What was decided").fill("Hire a second landing-zone engineer")
    form.get_by_label("Decided on").fill((today() + timedelta(days=3)).isoformat())
    form.get_by_role("button", name="Log decision").click()
    form = page.get_by_test_id("decision-form")
    expect(form).to_be_visible()
    expect(form.locator("[data-error-for='decided_on']")).to_contain_text("has not come yet")
    expect(form.get_by_label("What was decided")).to_have_value(
        "Hire a second landing-zone engineer"
    )
    assert _decision(web_engine, seeded.program_id, "Hire a second landing-zone engineer") is None

"""The overview's "Needs attention" on a phone: a long alert title wraps as text, not one
word per line, and its days late stay on the card."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from podium.db import session_factory
from podium.models import Alert, AlertKind, Severity
from tests.browser.conftest import screenshot
from tests.browser.work_plan import WorkPeople, WorkProgram

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
TITLE = (
    "Milestone M1 Launch of the customer portal to every region is forecast 25 working "
    "days past its target"
)


def test_a_long_alert_title_and_its_days_late_fit_a_phone(
    page_as: Callable[[str], Page],
    web_engine: Engine,
    work_people: WorkPeople,
    work_program: WorkProgram,
) -> None:
    db = session_factory(web_engine)()
    try:
        alert = Alert(
            program_id=work_program.id,
            kind=AlertKind.MILESTONE_TARGET_MISSED,
            severity=Severity.HIGH,
            fingerprint="phone-test",
            subject_type="milestone",
            subject_id=work_program.milestone_ids["M1"],
            title=TITLE,
            cross_project=True,
            projects=["APP", "OPS"],
            details={"days_late": 25},
        )
        db.add(alert)
        db.commit()
        alert_id = alert.id
    finally:
        db.close()
    page = page_as(work_people.emails["rosa"])
    page.set_viewport_size(PHONE)
    page.goto(f"/programs/{work_program.id}")

    item = page.get_by_test_id("alerts").locator(f'[data-alert-id="{alert_id}"]')
    days = item.get_by_test_id("days-late")
    expect(days).to_have_text("+25 working days")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    card = page.get_by_test_id("alerts").bounding_box()
    title = item.locator(".alert-item__title").bounding_box()
    late = days.bounding_box()
    assert card is not None and title is not None and late is not None
    assert late["x"] + late["width"] <= card["x"] + card["width"], "the days late stay on the card"
    assert title["width"] >= 200, f"the title is squeezed to {title['width']} px"
    assert title["x"] + title["width"] <= card["x"] + card["width"]
    item.scroll_into_view_if_needed()
    screenshot(item, "overview-alert-phone.png")

"""The health rules page: owners tune what makes work amber or red, and health follows.

The work program's milestone M1 "Launch" is forecast on Friday 26 March 2027. With
its target moved to Thursday the 25th it is one working day late, which the
default rules call red (red after 0 working days past the target); tuned to red
only after 5 days and amber after 0, the program is amber.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from podium.db import session_factory
from podium.services import milestones
from podium.services.actor import SYSTEM
from tests.browser.conftest import screenshot
from tests.browser.work_plan import WorkPeople, WorkProgram

pytestmark = pytest.mark.browser

OpenPage = Callable[[str], Page]


def _launch_due_the_day_before(engine: Engine, program: WorkProgram) -> None:
    db = session_factory(engine)()
    try:
        milestones.update_milestone(
            db, SYSTEM, program.milestone_ids["M1"], {"target_date": date(2027, 3, 25)}
        )
        db.commit()
    finally:
        db.close()


def test_an_owner_tunes_a_rule_and_the_programs_health_follows(
    page_as: OpenPage,
    web_engine: Engine,
    work_people: WorkPeople,
    work_program: WorkProgram,
    console_errors: Callable[[Page], list[str]],
) -> None:
    _launch_due_the_day_before(web_engine, work_program)
    page = page_as(work_people.emails["rosa"])
    errors = console_errors(page)
    page.goto(f"/programs/{work_program.id}/performance")
    expect(page.get_by_test_id("health")).to_have_attribute("data-health", "red")
    page.get_by_test_id("health-rules-link").click()
    rule = page.locator('[data-rule="past_target"]')
    rule.get_by_label("Amber after days").fill("zero")
    rule.get_by_label("Red after days").fill("5")
    page.get_by_role("button", name="Save rules").click()
    expect(page.get_by_test_id("rule-problems")).to_contain_text(
        "Past target, amber after days: expected a whole number of working days >= 0 "
        "(blank: never), not 'zero'"
    )
    rule = page.locator('[data-rule="past_target"]')
    expect(rule.get_by_label("Red after days")).to_have_value("5")  # kept as typed
    # and said beside the setting it is about, not only at the top of a long page
    expect(rule.locator('[data-error-for="past_target.amber_after_days"]')).to_have_text(
        "Expected a whole number of working days >= 0 (blank: never), not 'zero'"
    )
    expect(rule.get_by_label("Amber after days")).to_have_attribute("aria-invalid", "true")
    expect(rule.get_by_label("Red after days")).not_to_have_attribute("aria-invalid", "true")

    rule.get_by_label("Amber after days").fill("0")
    page.get_by_role("button", name="Save rules").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Saved")
    expect(page.locator('[data-rule="past_target"]').get_by_label("Red after days")).to_have_value(
        "5"
    )
    screenshot(page, "health-rules.png", full_page=True)
    page.goto(f"/programs/{work_program.id}/performance")
    expect(page.get_by_test_id("health")).to_have_attribute("data-health", "amber")

    page.goto(f"/programs/{work_program.id}/health-rules")
    page.get_by_role("button", name="Back to the defaults").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Saved")
    expect(page.locator('[data-rule="past_target"]').get_by_label("Red after days")).to_have_value(
        "0"
    )
    assert errors == []


def test_a_stale_form_is_refused_and_members_only_read_the_rules(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram
) -> None:
    url = f"/programs/{work_program.id}/health-rules"
    first, second = page_as(work_people.emails["rosa"]), page_as(work_people.emails["rosa"])
    for page in (first, second):
        page.goto(url)
    first.locator('[data-rule="negative_float"]').get_by_role("checkbox").first.check()
    first.get_by_role("button", name="Save rules").click()
    expect(first.get_by_test_id("flash")).to_contain_text("Saved")
    second.get_by_role("button", name="Save rules").click()
    expect(second.get_by_test_id("rule-problems")).to_contain_text("changed by someone else")

    sam = page_as(work_people.emails["sam"])
    sam.goto(url)
    expect(sam.get_by_test_id("read-only")).to_be_visible()
    expect(sam.get_by_role("button", name="Save rules")).to_have_count(0)
    token = sam.locator('input[name="csrf_token"]').first.get_attribute("value") or ""
    assert sam.request.post(url, form={"csrf_token": token, "defaults": "1"}).status == 403

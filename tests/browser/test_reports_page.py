"""The reports page: read today's report, issue it (managers), read the issued copy."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import World, screenshot

pytestmark = pytest.mark.browser


def test_a_manager_issues_the_report_and_reads_the_kept_copy(page_as, world: World) -> None:
    program_id = world.program_ids["CLOUD"]
    page: Page = page_as(world.emails["ana"])
    page.goto(f"/programs/{program_id}/reports")
    expect(page.get_by_role("heading", name="Status report on")).to_be_visible()
    before = page.locator("[data-report-id]").count()
    page.get_by_role("button", name="Issue this report").click()
    expect(page.locator("[data-report-id]")).to_have_count(before + 1)
    screenshot(page, "reports.png")
    page.locator("[data-report-id]").first.get_by_role("link", name="Web page").click()
    expect(page.get_by_role("heading", name="Milestones")).to_be_visible()
    expect(page.locator("body")).to_contain_text("Health:")
    # the report of another date: chosen, shown, issued as of it
    page.goto(f"/programs/{program_id}/reports")
    page.get_by_label("Status on").fill("2027-01-06")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="Status report on 6 Jan 2027")).to_be_visible()
    page.get_by_role("button", name="Issue this report").click()
    expect(page.locator("[data-report-id]").first).to_contain_text("6 Jan 2027")


def test_the_draft_report_reads_as_a_web_page(page_as, world: World) -> None:
    page: Page = page_as(world.emails["dan"])
    page.goto(f"/programs/{world.program_ids['CLOUD']}/reports")
    page.get_by_test_id("draft-html").click()
    expect(page.get_by_role("heading", name="Cross-project blockers")).to_be_visible()


def test_a_viewer_cannot_issue_and_a_forged_post_is_refused(page_as, world: World) -> None:
    program_id = world.program_ids["CLOUD"]
    page: Page = page_as(world.emails["dan"])
    page.goto(f"/programs/{program_id}/reports")
    expect(page.get_by_test_id("issue-form")).to_have_count(0)
    token = page.locator("meta[name='csrf-token']").get_attribute("content")
    response = page.request.post(
        f"/programs/{program_id}/reports", form={"csrf_token": token or ""}
    )
    assert response.status == 403

"""The reports page: read today's report, issue it (managers), read the issued copy."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Browser, Page, expect

from podium.services import reports
from tests.browser.conftest import World, screenshot
from tests.browser.work_plan import WorkPeople, WorkProgram

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_a_manager_issues_the_report_and_reads_the_kept_copy(
    page_as, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reports, "today", lambda: date(2027, 1, 29))  # the plan's days have come
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
    # a day still to come is refused beside the field
    page.get_by_label("Status on").fill("2027-06-01")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("2027-06-01 is in the future")).to_be_visible()


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


def test_the_report_fits_a_phone_its_chart_shrinking_and_wide_tables_scrolling_in_place(
    browser: Browser, page_as, work_people: WorkPeople, work_program: WorkProgram
) -> None:
    rosa = work_people.emails["rosa"]
    api = page_as(rosa).request
    bearer = {"Authorization": f"Bearer {work_people.tokens[rosa]}"}
    url = f"/api/v1/programs/{work_program.id}"
    taken = api.post(f"{url}/baselines", data={"name": "Plan"}, headers=bearer)
    assert taken.status == 201, taken.text()  # a baseline: the report draws its S-curve
    html = api.get(f"{url}/report?format=html", headers=bearer).text()
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page = phone.new_page()
        page.set_content(html)
        # laid out at the phone's width (its viewport meta), not at a desktop's 980 px
        widths = page.evaluate("[window.innerWidth, document.documentElement.scrollWidth]")
        assert widths == [PHONE["width"], PHONE["width"]], widths
        chart = page.locator("svg").bounding_box()
        assert chart is not None and chart["x"] + chart["width"] <= PHONE["width"], chart
        assert chart["width"] / chart["height"] == pytest.approx(640 / 240, rel=0.01)
        # the milestones table, wider than the screen, scrolls in its own box
        box = page.locator(".wide", has=page.get_by_text("M1 Launch"))
        inside = box.evaluate("e => [e.scrollWidth, e.clientWidth, getComputedStyle(e).overflowX]")
        assert inside[0] > inside[1] and inside[2] == "auto", inside
    finally:
        phone.close()

"""Program milestones on the web: the list, a milestone's page, and its forms.

The work program (Mon–Fri from Monday 1 March 2027): Design 1–5 March, Build 8–19
March, Test 22–26 March, Provision 1–4 March, Deploy 22–23 March; M1 "Launch"
waits on Test and Deploy, so it falls on 26 March (target 30 April: on track).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import save_twice, screenshot
from tests.browser.work_plan import WorkPeople, WorkProgram

pytestmark = pytest.mark.browser

OpenPage = Callable[[str], Page]


def test_a_manager_adds_a_milestone_links_its_work_and_sees_it_late_then_on_track(
    page_as: OpenPage,
    work_people: WorkPeople,
    work_program: WorkProgram,
    console_errors: Callable[[Page], list[str]],
) -> None:
    page = page_as(work_people.emails["rosa"])
    errors = console_errors(page)
    page.goto(f"/programs/{work_program.id}")
    page.get_by_role("navigation", name="Program sections").get_by_role(
        "link", name="Milestones"
    ).click()
    launch = page.get_by_test_id("milestone-list").locator('tr[data-milestone-key="M1"]')
    expect(launch.get_by_test_id("forecast")).to_have_text("26 Mar 2027")
    expect(launch.get_by_test_id("fed-by")).to_contain_text("APP")
    expect(launch.get_by_test_id("fed-by")).to_contain_text("OPS")

    form = page.get_by_test_id("add-milestone")
    form.get_by_label("Target date").fill("2027-03-18")
    form.get_by_role("button", name="Add milestone").click()
    expect(page.locator("#milestone-name-error")).to_be_visible()
    form = page.get_by_test_id("add-milestone")
    form.get_by_label("Name").fill("Build reviewed")
    form.get_by_role("button", name="Add milestone").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Milestone added")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Build reviewed")
    expect(page.get_by_test_id("no-predecessors")).to_be_visible()
    expect(page.get_by_test_id("state")).to_contain_text("Nothing feeds it")
    expect(page.get_by_test_id("slip")).to_have_text("—")

    link = page.get_by_test_id("link-form")
    link.get_by_label("Waits on (key)").fill("NOPE-1")
    link.get_by_role("button", name="Add link").click()
    expect(page.locator("#link-other-error")).to_contain_text("No task or milestone NOPE-1")
    for key in ("APP-2", "APP-1"):
        link = page.get_by_test_id("link-form")
        link.get_by_label("Waits on (key)").fill(key)
        link.get_by_role("button", name="Add link").click()
        expect(page.get_by_test_id("flash")).to_contain_text("Linked")
    # Build finishes on Friday 19 March, one working day past the 18th
    expect(page.get_by_test_id("forecast")).to_have_text("19 Mar 2027")
    expect(page.get_by_test_id("state")).to_contain_text("Late by 1 working day")
    feeds = page.get_by_test_id("predecessors")
    expect(feeds.locator('tr[data-key="APP-2"]').get_by_test_id("last-in")).to_be_visible()
    expect(feeds.locator('tr[data-key="APP-1"]').get_by_test_id("last-in")).to_have_count(0)
    screenshot(page, "milestone.png", full_page=True)

    form = page.get_by_test_id("milestone-form")
    form.get_by_label("Target date").fill("2027-03-26")
    form.get_by_role("button", name="Save milestone").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Saved")
    expect(page.get_by_test_id("state")).to_contain_text("On track")

    page.get_by_role("button", name="Remove the link with APP-1").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Link removed")
    expect(page.get_by_test_id("predecessors").locator('tr[data-key="APP-1"]')).to_have_count(0)

    page.get_by_role("link", name="Milestones", exact=True).first.click()
    row = page.get_by_test_id("milestone-list").locator('tr[data-milestone-key="M2"]')
    expect(row).to_contain_text("Build reviewed")
    expect(row.get_by_test_id("fed-by")).to_contain_text("(1 link)")
    screenshot(page, "milestones.png", full_page=True)
    assert errors == []


def test_a_stale_form_is_refused_and_a_linked_milestone_is_deleted_only_with_its_links(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram
) -> None:
    url = f"/milestones/{work_program.milestone_ids['M1']}"
    first, second = page_as(work_people.emails["rosa"]), page_as(work_people.emails["rosa"])
    for page in (first, second):
        page.goto(url)
    save_twice(
        first,
        second,
        form="milestone-form",
        button="Save milestone",
        names=("Go live", "Launch day"),
    )

    first.reload()
    first.get_by_role("button", name="Delete milestone").click()
    expect(first.get_by_test_id("delete-error")).to_contain_text("still has links")
    zone = first.get_by_test_id("delete-milestone")
    zone.get_by_label("also remove its links").check()
    zone.get_by_role("button", name="Delete milestone").click()
    expect(first.get_by_test_id("flash")).to_contain_text("Milestone M1 deleted")
    expect(first.get_by_test_id("no-milestones")).to_be_visible()
    assert first.request.get(url).status == 404


def test_members_read_milestones_and_cannot_change_them(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram
) -> None:
    page = page_as(work_people.emails["sam"])
    url = f"/milestones/{work_program.milestone_ids['M1']}"
    page.goto(f"/programs/{work_program.id}")  # the overview's milestones open their pages
    page.get_by_test_id("milestones").get_by_role("link", name="Launch").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Launch")
    expect(page.get_by_test_id("predecessors").locator('tr[data-key="APP-3"]')).to_be_visible()
    for form in ("milestone-form", "link-form", "delete-milestone"):
        expect(page.get_by_test_id(form)).to_have_count(0)
    page.goto(f"/programs/{work_program.id}/milestones")
    expect(page.get_by_test_id("add-milestone")).to_have_count(0)
    token = page.locator('input[name="csrf_token"]').first.get_attribute("value") or ""
    response = page.request.post(url, form={"csrf_token": token, "name": "Hijacked"})
    assert response.status == 403

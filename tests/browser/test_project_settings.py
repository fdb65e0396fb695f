"""A project's settings page: managers change its start, calendar, manager; deleting it.

The work program (Mon–Fri from Monday 1 March 2027): APP's Design runs 1–5 March,
then Build 8–19 March and Test 22–26 March; OPS's Provision 1–4 March and Deploy
22–23 March (after Build). A start of Monday 8 March for APP moves its work a
week: Design 8–12 March, and the project ends on 2 April.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import save_twice, screenshot
from tests.browser.work_plan import WorkPeople, WorkProgram

pytestmark = pytest.mark.browser

OpenPage = Callable[[str], Page]


def test_a_manager_moves_a_projects_start_and_names_its_manager(
    page_as: OpenPage,
    work_people: WorkPeople,
    work_program: WorkProgram,
    console_errors: Callable[[Page], list[str]],
) -> None:
    page = page_as(work_people.emails["rosa"])
    errors = console_errors(page)
    page.goto(f"/projects/{work_program.project_ids['APP']}")
    page.get_by_test_id("project-settings-link").click()
    expect(page.get_by_test_id("project-span")).to_have_text("1 Mar 2027 → 26 Mar 2027")
    form = page.get_by_test_id("project-form")
    form.get_by_label("Name").fill("")
    form.get_by_role("button", name="Save settings").click()
    expect(page.locator("#f-name-error")).to_be_visible()

    form = page.get_by_test_id("project-form")
    form.get_by_label("Name").fill("Portal application")
    form.get_by_label("Start").fill("2027-03-08")
    # only who may plan the program is offered: its owner Rosa, not Sam (a member) nor
    # Uma (a viewer)
    choices = form.get_by_label("Project manager").locator("option")
    expect(choices).to_have_text(["Nobody named", "Rosa Quinn (rosa@example.com)"])
    form.get_by_label("Project manager").select_option(label="Rosa Quinn (rosa@example.com)")
    form.get_by_role("button", name="Save settings").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Saved")
    expect(page.get_by_test_id("project-span")).to_have_text("8 Mar 2027 → 2 Apr 2027")
    form = page.get_by_test_id("project-form")
    expect(form.get_by_label("Project manager")).to_have_value(str(_user_id(page, "rosa")))
    screenshot(page, "project-settings.png", full_page=True)
    page.goto(f"/tasks/{work_program.task_ids['APP-1']}")
    expect(page.get_by_test_id("early-finish")).to_contain_text("12 Mar 2027")
    assert errors == []


def _user_id(page: Page, who: str) -> str:
    option = (
        page.get_by_test_id("project-form")
        .get_by_label("Project manager")
        .locator("option", has_text=f"{who}@example.com")
    )
    return option.get_attribute("value") or ""


def test_a_stale_form_is_refused_and_deleting_takes_the_key_typed_again(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram
) -> None:
    url = f"/projects/{work_program.project_ids['OPS']}/settings"
    first, second = page_as(work_people.emails["rosa"]), page_as(work_people.emails["rosa"])
    for page in (first, second):
        page.goto(url)
    save_twice(
        first, second, form="project-form", button="Save settings", names=("Operations team", "Ops")
    )

    # OPS has 2 tasks and 3 links: Provision → Deploy, and Build → Deploy, Deploy → M1
    first.reload()
    expect(first.get_by_test_id("footprint")).to_contain_text("2 tasks and 3 dependencies")
    expect(first.get_by_test_id("footprint")).to_contain_text("2 of them with work outside it")
    # they are named: confirming deletes them with the project
    expect(first.get_by_test_id("outside-links").locator("li")).to_have_text(
        ["APP-2 → OPS-2 FS · APP", "OPS-2 → M1 FS · program milestone"]
    )
    zone = first.get_by_test_id("delete-project")
    zone.get_by_label("to confirm").fill("APP")
    zone.get_by_role("button", name="Delete project").click()
    expect(first.get_by_test_id("delete-error")).to_contain_text("Type the project's key, OPS")
    zone = first.get_by_test_id("delete-project")
    zone.get_by_label("to confirm").fill("OPS")
    zone.get_by_role("button", name="Delete project").click()
    expect(first.get_by_test_id("flash")).to_contain_text("Project OPS deleted")
    expect(first.locator('tr[data-project-key="OPS"]')).to_have_count(0)
    assert first.request.get(url).status == 404


def test_members_read_a_projects_settings_and_cannot_change_them(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram
) -> None:
    page = page_as(work_people.emails["sam"])
    url = f"/projects/{work_program.project_ids['APP']}/settings"
    page.goto(url)
    expect(page.get_by_test_id("read-only")).to_be_visible()
    expect(page.get_by_test_id("project-form").get_by_label("Name")).to_be_disabled()
    expect(page.get_by_test_id("delete-project")).to_have_count(0)
    token = page.locator('input[name="csrf_token"]').first.get_attribute("value") or ""
    response = page.request.post(url, form={"csrf_token": token, "name": "Hijacked", "key": "X"})
    assert response.status == 403
    response = page.request.post(
        f"/projects/{work_program.project_ids['APP']}/delete",
        form={"csrf_token": token, "confirm_key": "APP"},
    )
    assert response.status == 403

"""A new program from the web, a program's settings (owners), and deleting a program."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, select

from podium.db import session_factory
from podium.models import Calendar
from tests.browser.conftest import new_person, save_twice, screenshot
from tests.browser.work_plan import WorkPeople, WorkProgram

pytestmark = pytest.mark.browser

OpenPage = Callable[[str], Page]
_numbers = itertools.count(1)


def test_anyone_signed_in_starts_a_program_and_becomes_its_owner(
    page_as: OpenPage, web_engine: Engine, console_errors: Callable[[Page], list[str]]
) -> None:
    # a person of the test's own: owning a program lets one edit calendars and resources
    page = page_as(new_person(web_engine, "Vera Holm").email)
    console_errors(page)
    page.goto("/")
    page.get_by_test_id("new-program").click()
    key = f"NEW{next(_numbers)}"
    form = page.get_by_test_id("program-form")
    form.get_by_label("Name", exact=True).fill("Office move")
    form.get_by_label("Key").fill("1-bad")
    form.get_by_label("Outcome").fill("Everyone works from the new office by December.")
    form.get_by_role("button", name="Create program").click()
    expect(page.locator("#f-key-error")).to_be_visible()
    expect(page.locator("#f-start_date-error")).to_be_visible()

    form = page.get_by_test_id("program-form")
    expect(form.get_by_label("Outcome")).to_have_value(
        "Everyone works from the new office by December."
    )
    form.get_by_label("Key").fill(key)
    form.get_by_label("Start").fill("2027-09-06")
    form.get_by_label("Target value").fill("250")
    form.get_by_label("Measure").fill("people moved")
    form.get_by_role("button", name="Create program").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Program created")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Office move")

    page.get_by_role("link", name="Overview").click()
    expect(page.get_by_test_id("your-role")).to_have_text("Owner")
    expect(page.get_by_test_id("goal-outcome")).to_contain_text("new office by December")
    page.goto("/")
    expect(page.get_by_test_id("programs").locator(f'tr[data-program-key="{key}"]')).to_be_visible()


def test_an_owner_changes_the_start_and_the_program_is_rescheduled(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram
) -> None:
    page = page_as(work_people.emails["rosa"])
    design = f"/tasks/{work_program.task_ids['APP-1']}"
    page.goto(design)  # Design, 5 days from Monday 1 March 2027
    expect(page.get_by_test_id("early-finish")).to_contain_text("5 Mar 2027")

    page.goto(f"/programs/{work_program.id}")
    page.get_by_role("navigation", name="Program sections").get_by_role(
        "link", name="Settings"
    ).click()
    form = page.get_by_test_id("program-form")
    expect(form.get_by_label("Start")).to_have_value("2027-03-01")
    form.get_by_label("Start").fill("2027-03-08")
    form.get_by_label("Status date").fill("2027-03-08")
    form.get_by_label("Status", exact=True).select_option(label="On hold")
    form.get_by_role("button", name="Save settings").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Saved")
    expect(page.get_by_test_id("program-form").get_by_label("Status date")).to_have_value(
        "2027-03-08"
    )
    page.goto(design)
    expect(page.get_by_test_id("early-finish")).to_contain_text("12 Mar 2027")


def test_an_owner_previews_what_a_later_start_moves_before_saving_it(
    page_as: OpenPage,
    work_people: WorkPeople,
    work_program: WorkProgram,
    console_errors: Callable[[Page], list[str]],
) -> None:
    # by hand: from Monday 1 March the plan ends with Test on Friday 26 March; seven
    # weeks later (19 April) is 35 working days on, so Launch (target 30 April) lands
    # on 14 May, ten working days late
    page = page_as(work_people.emails["rosa"])
    errors = console_errors(page)
    page.goto(f"/programs/{work_program.id}/settings")
    form = page.get_by_test_id("program-form")
    form.get_by_label("Start").fill("2027-04-19")
    page.get_by_test_id("preview-button").click()
    preview = page.get_by_test_id("settings-impact")
    expect(preview.get_by_test_id("finish-change")).to_contain_text("26 Mar 2027")
    expect(preview.get_by_test_id("finish-change")).to_contain_text("14 May 2027")
    expect(preview.get_by_test_id("finish-change")).to_contain_text("+35")
    expect(preview).to_contain_text("If the program starts on 19 Apr 2027 instead of 1 Mar 2027")
    expect(preview.get_by_test_id("moves-count")).to_have_text("5 in 2 projects")
    miss = preview.get_by_test_id("misses").locator('li[data-key="M1"]')
    expect(miss).to_contain_text("10 working days late")
    expect(preview.locator('[data-project="APP"] tr[data-key="APP-1"]')).to_contain_text(
        "23 Apr 2027"
    )
    # the typed date stays in the form, and nothing was saved
    expect(form.get_by_label("Start")).to_have_value("2027-04-19")
    screenshot(page, "program-settings-preview.png", full_page=True)
    page.reload()
    expect(page.get_by_test_id("program-form").get_by_label("Start")).to_have_value("2027-03-01")

    # the same dates as saved: nothing to preview, and the page says so
    page.get_by_test_id("preview-button").click()
    expect(page.get_by_test_id("preview-note")).to_contain_text("as saved, so nothing moves")
    expect(page.get_by_test_id("settings-impact").get_by_test_id("impact-results")).to_have_count(0)
    assert errors == []


def test_an_owner_previews_what_a_four_day_week_moves(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram, web_engine: Engine
) -> None:
    # by hand, on Monday to Thursday from 1 March: Design 1–4 and 8 March, Build 9 March
    # to 24 March, Test 25 March to Thursday 1 April, where Launch lands: four working
    # days of today's Monday–Friday after Friday 26 March
    name = f"Four-day week {work_program.id}"
    db = session_factory(web_engine)()
    db.add(Calendar(name=name, weekmask="1111000", holidays=[]))
    db.commit()
    db.close()
    page = page_as(work_people.emails["rosa"])
    page.goto(f"/programs/{work_program.id}/settings")
    form = page.get_by_test_id("program-form")
    form.get_by_label("Calendar").select_option(label=name)
    page.get_by_test_id("preview-button").click()
    preview = page.get_by_test_id("settings-impact")
    expect(preview).to_contain_text(f"If the program works to “{name}” instead of")
    expect(preview.get_by_test_id("finish-change")).to_contain_text("1 Apr 2027")
    expect(preview.get_by_test_id("finish-change")).to_contain_text("+4")
    expect(preview.locator('[data-project="APP"] tr[data-key="APP-1"]')).to_contain_text(
        "8 Mar 2027"
    )
    page.reload()  # nothing was saved
    expect(page.get_by_test_id("program-form").get_by_label("Calendar")).not_to_have_value(
        str(_calendar_id(web_engine, name))
    )


def _calendar_id(engine: Engine, name: str) -> int:
    db = session_factory(engine)()
    try:
        found = db.scalar(select(Calendar.id).where(Calendar.name == name))
        assert found is not None
        return found
    finally:
        db.close()


def test_the_preview_works_without_scripts_and_is_for_owners_only(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram
) -> None:
    page = page_as(work_people.emails["rosa"])
    page.goto(f"/programs/{work_program.id}/settings")
    token = page.locator('input[name="csrf_token"]').first.get_attribute("value") or ""
    form = {
        "csrf_token": token,
        "version": page.locator('input[name="version"]').first.get_attribute("value") or "",
        "key": work_program.key,
        "name": "Work",
        "start_date": "2027-03-01",
        "status_date": "2027-03-08",
        "status": "active",
    }
    # a plain post (no HTMX) gets the whole page back, with the preview under the form
    url = f"/programs/{work_program.id}/settings/preview"
    response = page.request.post(url, form=form)
    assert response.status == 200
    html = response.text()
    assert "If the status date moves from none to 8 Mar 2027" in html
    assert 'data-testid="program-form"' in html
    # a bad date is sent back with the form's errors, and nothing is previewed
    response = page.request.post(url, form={**form, "status_date": "next week"})
    assert response.status == 422
    assert "Correct the form first" in response.text()
    assert 'data-testid="impact-results"' not in response.text()

    sam = page_as(work_people.emails["sam"])
    sam.goto(f"/programs/{work_program.id}/settings")
    expect(sam.get_by_test_id("preview-button")).to_have_count(0)
    sam_token = sam.locator('input[name="csrf_token"]').first.get_attribute("value") or ""
    assert sam.request.post(url, form={**form, "csrf_token": sam_token}).status == 403


def test_a_stale_settings_form_is_refused_and_a_blank_name_is_kept_out(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram
) -> None:
    first = page_as(work_people.emails["rosa"])
    second = page_as(work_people.emails["rosa"])
    url = f"/programs/{work_program.id}/settings"
    first.goto(url)
    second.goto(url)
    first.get_by_test_id("program-form").get_by_label("Name", exact=True).fill("")
    first.get_by_role("button", name="Save settings").click()
    expect(first.locator("#f-name-error")).to_be_visible()
    save_twice(
        first, second, form="program-form", button="Save settings", names=("Renamed", "Other name")
    )
    first.reload()
    expect(first.get_by_role("heading", level=1)).to_contain_text("Renamed")


def test_members_and_viewers_read_the_settings_and_cannot_save_them(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram
) -> None:
    page = page_as(work_people.emails["sam"])
    page.goto(f"/programs/{work_program.id}/settings")
    expect(page.get_by_test_id("read-only")).to_contain_text("Only the program's owners")
    expect(page.get_by_test_id("program-form").get_by_label("Name", exact=True)).to_be_disabled()
    expect(page.get_by_role("button", name="Save settings")).to_have_count(0)
    expect(page.get_by_test_id("delete-program")).to_have_count(0)
    # a forged post is refused by the server, not only hidden
    token = page.locator('input[name="csrf_token"]').first.get_attribute("value")
    response = page.request.post(
        f"/programs/{work_program.id}/settings",
        form={
            "csrf_token": token or "",
            "name": "Hijacked",
            "key": "X",
            "start_date": "2027-01-04",
        },
    )
    assert response.status == 403


def test_deleting_a_program_takes_its_key_typed_again(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram
) -> None:
    page = page_as(work_people.emails["rosa"])
    page.goto(f"/programs/{work_program.id}/settings")
    zone = page.get_by_test_id("delete-program")
    zone.get_by_label("to confirm").fill("WRONG")
    zone.get_by_role("button", name="Delete program").click()
    expect(page.get_by_test_id("delete-error")).to_contain_text(
        f"Type the program's key, {work_program.key}"
    )

    zone = page.get_by_test_id("delete-program")
    zone.get_by_label("to confirm").fill(work_program.key)
    zone.get_by_role("button", name="Delete program").click()
    expect(page.get_by_role("heading", name="Programs", level=1)).to_be_visible()
    expect(page.locator(f'tr[data-program-key="{work_program.key}"]')).to_have_count(0)
    assert page.request.get(f"/programs/{work_program.id}").status == 404


def test_screenshot_of_the_settings_page(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram
) -> None:
    page = page_as(work_people.emails["rosa"])
    page.goto(f"/programs/{work_program.id}/settings")
    form = page.get_by_test_id("program-form")
    form.get_by_label("Outcome").fill(
        "Migrate all client environments to the cloud by Q4, cutting support tickets by 30 %."
    )
    form.get_by_label("Measure").fill("support tickets per month")
    form.get_by_label("Unit").fill("tickets")
    form.get_by_label("Baseline value").fill("1200")
    form.get_by_label("Target value").fill("840")
    form.get_by_label("Target date").fill("2027-12-17")
    form.get_by_role("button", name="Save settings").click()
    expect(page.get_by_test_id("flash")).to_be_visible()
    screenshot(page, "program-settings.png", full_page=True)

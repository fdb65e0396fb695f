"""On a phone (390 px wide) the list pages keep their buttons on screen: rows with forms
stack instead of scrolling sideways inside their cards, where Save, Remove and Revoke
sat off to the right with nothing to say they were there."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import Engine

from podium.db import session_factory
from podium.models import Calendar, User
from podium.services import auth
from tests.browser.conftest import PlanProgram, new_person, screenshot
from tests.browser.work_plan import WorkPeople, WorkProgram, assign_person

pytestmark = pytest.mark.browser

OpenPage = Callable[[str], Page]
PHONE = {"width": 390, "height": 844}
REMOVE = re.compile(r"^Remove")


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a {PHONE['width']} px phone"


def _on_screen(target: Locator) -> dict[str, float]:
    """The box of ``target``, asserted to lie within the phone's width as the page is
    drawn (no card scrolled sideways to reach it)."""
    expect(target).to_be_visible()
    box = target.bounding_box()
    assert box is not None, target
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (target, box)
    return box


def _on_phone(page_as: OpenPage, email: str, path: str) -> Page:
    page = page_as(email)
    page.set_viewport_size(PHONE)
    page.goto(path)
    _fits(page)
    return page


def test_my_work_rows_stack_with_the_progress_form_on_screen(
    page_as: OpenPage, web_engine: Engine, work_people: WorkPeople, work_program: WorkProgram
) -> None:
    assign_person(web_engine, work_program, work_people.emails["sam"], "APP-2")
    page = _on_phone(page_as, work_people.emails["sam"], "/my-work")
    row = page.locator(f'tr[data-program="{work_program.key}"][data-key="APP-2"]')
    for field in ("Started", "% done", "Finished"):
        _on_screen(row.get_by_label(field))
    _on_screen(row.get_by_role("button", name="Save"))
    screenshot(page, "phone-my-work.png", full_page=True)


def test_the_members_remove_buttons_are_on_screen(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram
) -> None:
    page = _on_phone(page_as, work_people.emails["rosa"], f"/programs/{work_program.id}/members")
    members = page.get_by_test_id("members")
    removes = members.get_by_role("button", name=REMOVE)
    expect(removes).to_have_count(3)
    for remove in removes.all():
        _on_screen(remove)
    for form in members.get_by_test_id("role-form").all():
        _on_screen(form)


def test_the_add_user_form_is_one_column(page_as: OpenPage, web_engine: Engine) -> None:
    admin = new_person(web_engine, "Ines Duarte", admin=True)
    page = _on_phone(page_as, admin.email, "/users")
    form = page.get_by_test_id("add-user-form")
    for label in ("Email", "Name", "Password"):
        box = _on_screen(form.get_by_label(label, exact=True))
        # the fields had shrunk to 24 px, their labels run together
        assert box["width"] >= 200, (label, box)
    _on_screen(form.get_by_role("button", name="Add user"))


def test_an_assignments_remove_button_is_on_screen(
    page_as: OpenPage, web_engine: Engine, work_people: WorkPeople, work_program: WorkProgram
) -> None:
    assign_person(web_engine, work_program, work_people.emails["sam"], "APP-1")
    page = _on_phone(
        page_as, work_people.emails["rosa"], f"/tasks/{work_program.task_ids['APP-1']}"
    )
    assignments = page.get_by_test_id("assignment-list")
    _on_screen(assignments.get_by_role("button", name=REMOVE))
    _on_screen(assignments.get_by_test_id("units-input"))


def test_a_projects_main_reason_is_on_screen(
    page_as: OpenPage, plan_people: dict[str, str], plan_program: PlanProgram
) -> None:
    page = _on_phone(page_as, plan_people["maya"], f"/programs/{plan_program.id}/performance")
    rows = page.get_by_test_id("project-health").locator("tbody tr")
    expect(rows.first).to_contain_text("more")  # a long reason, and others behind it
    for row in rows.all():
        for cell in row.locator("td").all():
            _on_screen(cell)


def test_the_working_week_fits_its_card(page_as: OpenPage, web_engine: Engine) -> None:
    db = session_factory(web_engine)()
    try:
        calendar = Calendar(
            name=f"Phone {uuid.uuid4().hex[:6]}",
            weekmask="1111100",
            holidays=[{"date": "2027-12-25", "name": "Christmas Day"}],
        )
        db.add(calendar)
        db.commit()
        path = f"/calendars/{calendar.id}"
    finally:
        db.close()
    admin = new_person(web_engine, "Jon Berg", admin=True)
    page = _on_phone(page_as, admin.email, path)
    days = page.get_by_test_id("calendar-week").locator("li")
    expect(days).to_have_count(7)
    _on_screen(days.last)


def test_a_tokens_revoke_button_is_on_screen(page_as: OpenPage, web_engine: Engine) -> None:
    person = new_person(web_engine, "Kai Moreno")
    db = session_factory(web_engine)()
    try:
        user = db.get(User, person.id)
        assert user is not None
        auth.create_token(db, user, name="nightly export")
        db.commit()
    finally:
        db.close()
    page = _on_phone(page_as, person.email, "/account")
    _on_screen(page.get_by_test_id("tokens").get_by_role("button", name=re.compile(r"^Revoke")))
    screenshot(page, "phone-account.png", full_page=True)

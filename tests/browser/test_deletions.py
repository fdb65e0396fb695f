"""Deleting a resource and a baseline on the web: refused with the reason, or done."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, select

from podium.db import session_factory
from podium.models import Resource, User
from tests.browser.conftest import new_person
from tests.browser.work_plan import WorkPeople, WorkProgram, assign_person

pytestmark = pytest.mark.browser

OpenPage = Callable[[str], Page]


def _resource_of(engine: Engine, email: str) -> int:
    db = session_factory(engine)()
    try:
        user = db.scalar(select(User).where(User.email == email))
        assert user is not None
        found = db.scalar(select(Resource.id).where(Resource.user_id == user.id))
        assert found is not None
        return found
    finally:
        db.close()


def test_a_resource_in_use_is_kept_with_the_reason_and_an_unused_one_is_deleted(
    page_as: OpenPage,
    web_engine: Engine,
    work_people: WorkPeople,
    work_program: WorkProgram,
    console_errors: Callable[[Page], list[str]],
) -> None:
    ines = new_person(web_engine, "Ines Duarte")  # booked here only, whatever else ran
    assign_person(web_engine, work_program, ines.email, "APP-1")
    page = page_as(work_people.emails["rosa"])
    errors = console_errors(page)
    page.goto(f"/resources/{_resource_of(web_engine, ines.email)}")
    page.get_by_role("link", name="Delete resource…").click()
    page.get_by_role("button", name="Delete the resource").click()
    expect(page.get_by_test_id("delete-error")).to_contain_text(
        f"Ines Duarte is assigned to tasks (1 in {work_program.key});"
    )

    page.goto("/resources/new")
    key = f"crane-{work_program.id}"
    form = page.get_by_test_id("resource-form")
    form.get_by_label("Name").fill(f"Tower crane {key}")
    form.get_by_label("Key").fill(key)
    form.get_by_label("Kind").select_option("equipment")
    form.get_by_role("button", name="Add resource").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Saved")
    page.get_by_role("link", name="Delete resource…").click()
    page.get_by_role("button", name="Delete the resource").click()
    expect(page.get_by_test_id("flash")).to_contain_text(f"Tower crane {key} ({key}) deleted.")
    page.goto(f"/resources?q={key}")
    expect(page.get_by_test_id("resources")).to_have_count(0)
    assert errors == []


def test_a_manager_deletes_a_baseline_after_opening_its_delete_button(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram
) -> None:
    page = page_as(work_people.emails["rosa"])
    page.goto(f"/programs/{work_program.id}/performance")
    for name in ("Plan of record", "Re-plan"):
        form = page.get_by_test_id("take-baseline")
        form.get_by_label("Name").fill(name)
        form.get_by_role("button", name="Take baseline").click()
        expect(page.locator(f'[data-baseline="{name}"]')).to_be_visible()
    row = page.locator('[data-baseline="Plan of record"]')
    row.get_by_text("Delete…").click()
    row.get_by_role("button", name="Delete “Plan of record”").click()
    expect(page.locator('[data-baseline="Plan of record"]')).to_have_count(0)
    expect(
        page.locator('[data-baseline="Re-plan"] [data-testid="current-baseline"]')
    ).to_be_visible()

    sam = page_as(work_people.emails["sam"])
    sam.goto(f"/programs/{work_program.id}/performance")
    expect(sam.get_by_test_id("delete-baseline")).to_have_count(0)

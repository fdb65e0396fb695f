"""The audit log page (admins): every change in the system, a deleted program's too,
narrowed by program and kind, in the rows the history pages show."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from podium.db import session_factory
from podium.services import programs
from podium.services.actor import Actor
from podium.services.uow import complete
from tests.browser.conftest import new_person, screenshot
from tests.factories import make_program

pytestmark = pytest.mark.browser

OpenPage = Callable[[str], Page]


def test_an_admin_reads_a_deleted_programs_changes_and_narrows_the_log_to_users(
    page_as: OpenPage, web_engine: Engine, console_errors: Callable[[Page], list[str]]
) -> None:
    admin = new_person(web_engine, "Ines Audit", admin=True)
    key = f"GONE{uuid.uuid4().hex[:4].upper()}"
    db = session_factory(web_engine)()
    try:
        owner = Actor(user_id=admin.id, email=admin.email, is_admin=True)
        gone = make_program(db, key=key, name="Retired pilot")
        programs.delete_program(db, owner, gone.id)
        complete(db)
    finally:
        db.close()
    page = page_as(admin.email)
    console_errors(page)
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log", level=1)).to_be_visible()

    filters = page.get_by_test_id("audit-filters")
    filters.get_by_label("Program").select_option(label=f"{key} (deleted)")
    filters.get_by_role("button", name="Show").click()
    rows = page.get_by_test_id("history").locator("tbody tr")
    expect(rows).to_have_count(2)
    deleted = rows.first
    expect(deleted).to_have_attribute("data-action", "delete")
    expect(deleted.get_by_test_id("entry-program")).to_have_text(f"{key} deleted")
    expect(deleted).to_contain_text("Ines Audit")
    # what the program was, kept by its deletion
    expect(deleted.locator('[data-field="name"]')).to_contain_text("Retired pilot")
    screenshot(page, "audit-log.png", full_page=True)

    filters = page.get_by_test_id("audit-filters")
    filters.get_by_label("Program").select_option("")
    filters.get_by_label("Kind of record").select_option("user")
    filters.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("history")).to_contain_text(f"Created user {admin.email}")
    kinds = (
        page.get_by_test_id("history")
        .locator("tbody tr")
        .evaluate_all("rs => [...new Set(rs.map(r => r.dataset.entity))]")
    )
    assert kinds == ["user"]
    expect(page.get_by_test_id("entry-program").first).to_have_text("—")

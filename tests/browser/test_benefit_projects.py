"""A benefit's contributing projects, picked on the Benefits tab's define and edit forms."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, select

from podium.db import session_factory
from podium.models import Benefit, User
from podium.services import benefits
from podium.services.actor import Actor
from podium.services.uow import complete
from tests.browser.conftest import PLAN_PEOPLE, PlanProgram, screenshot

pytestmark = pytest.mark.browser

MAYA, OMAR = PLAN_PEOPLE["maya"][0], PLAN_PEOPLE["omar"][0]


def _stored(engine: Engine, name: str) -> tuple[int, list[str]]:
    """The benefit's id and its contributing projects' keys."""
    db = session_factory(engine)()
    try:
        benefit = db.scalars(select(Benefit).where(Benefit.name == name)).one()
        return benefit.id, sorted(p.key for p in benefit.projects)
    finally:
        db.close()


def _save_elsewhere(engine: Engine, benefit_id: int) -> None:
    """Someone else changes the benefit meanwhile (a new version)."""
    db = session_factory(engine)()
    try:
        maya = db.scalars(select(User).where(User.email == MAYA)).one()
        benefits.update_benefit(db, Actor.of(maya), benefit_id, {"unit": "clients"})
        complete(db)
    finally:
        db.close()


def test_a_manager_picks_and_changes_the_projects_that_contribute(
    page_as: Callable[[str], Page], web_engine: Engine, fresh_plan: PlanProgram
) -> None:
    page = page_as(OMAR)
    page.goto(f"/programs/{fresh_plan.id}/benefits")
    page.get_by_text("Define a benefit").click()
    form = page.get_by_test_id("define-form")
    projects = form.get_by_test_id("benefit-projects")
    expect(projects.get_by_role("checkbox")).to_have_count(5)  # the plan's five projects
    form.get_by_label("Name").fill("clients migrated")
    form.get_by_label("Baseline", exact=True).fill("0")
    form.get_by_label("Target", exact=True).fill("120")
    form.get_by_label("Target date").fill("2030-12-31")
    projects.get_by_role("checkbox", name="DATA Data transfer").check()
    projects.get_by_role("checkbox", name="PLAT Platform upgrade").check()
    form.get_by_role("button", name="Define benefit").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Benefit defined")
    benefit_id, keys = _stored(web_engine, "clients migrated")
    assert keys == ["DATA", "PLAT"]
    card = page.locator(f"#benefit-{benefit_id}")
    expect(card).to_contain_text("Contributing: PLAT DATA")

    # the edit form shows them ticked; one off, another on
    card.get_by_text("Edit or delete this benefit").click()
    edit = card.get_by_test_id("edit-benefit-form").get_by_test_id("benefit-projects")
    expect(edit.get_by_role("checkbox", name="DATA Data transfer")).to_be_checked()
    expect(edit.get_by_role("checkbox", name="PLAT Platform upgrade")).to_be_checked()
    expect(edit.get_by_role("checkbox", name="SEC Cybersecurity")).not_to_be_checked()
    edit.get_by_role("checkbox", name="PLAT Platform upgrade").uncheck()
    edit.get_by_role("checkbox", name="TRAIN Staff training").check()
    screenshot(card, "benefits-projects.png")
    card.get_by_role("button", name="Save benefit").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Benefit saved.")
    assert _stored(web_engine, "clients migrated") == (benefit_id, ["DATA", "TRAIN"])
    expect(page.locator(f"#benefit-{benefit_id}")).to_contain_text("Contributing: DATA TRAIN")

    # someone else saves first: refused (412), the projects chosen stay ticked to try again
    card = page.locator(f"#benefit-{benefit_id}")
    card.get_by_text("Edit or delete this benefit").click()
    edit = card.get_by_test_id("edit-benefit-form").get_by_test_id("benefit-projects")
    edit.get_by_role("checkbox", name="DATA Data transfer").uncheck()
    _save_elsewhere(web_engine, benefit_id)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        card.get_by_role("button", name="Save benefit").click()
    assert answer.value.status == 412
    form = page.locator(f"#benefit-{benefit_id}").get_by_test_id("edit-benefit-form")
    expect(form).to_contain_text("changed")
    edit = form.get_by_test_id("benefit-projects")
    expect(edit.get_by_role("checkbox", name="DATA Data transfer")).not_to_be_checked()
    expect(edit.get_by_role("checkbox", name="TRAIN Staff training")).to_be_checked()
    assert _stored(web_engine, "clients migrated") == (benefit_id, ["DATA", "TRAIN"])

    # none ticked: no project contributes
    page.goto(f"/programs/{fresh_plan.id}/benefits")
    card = page.locator(f"#benefit-{benefit_id}")
    card.get_by_text("Edit or delete this benefit").click()
    edit = card.get_by_test_id("edit-benefit-form").get_by_test_id("benefit-projects")
    edit.get_by_role("checkbox", name="DATA Data transfer").uncheck()
    edit.get_by_role("checkbox", name="TRAIN Staff training").uncheck()
    card.get_by_role("button", name="Save benefit").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Benefit saved.")
    assert _stored(web_engine, "clients migrated") == (benefit_id, [])

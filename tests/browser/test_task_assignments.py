"""The task page's assignments: the work given is shown and changed in each row, the
task says what was given against what its whole days plan, and a removal is confirmed
first (its work given staying with the task)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, select

from podium.db import session_factory
from podium.models import User
from podium.services import tasks
from podium.services.actor import Actor
from podium.services.uow import complete
from tests.browser.conftest import screenshot
from tests.browser.test_phone_layout_lists import PHONE, _on_phone, _on_screen
from tests.browser.test_resources import book_people
from tests.browser.work_plan import WorkPeople, WorkProgram, api_get

pytestmark = pytest.mark.browser

OpenPage = Callable[[str], Page]


def _effort_driven(engine: Engine, people: WorkPeople, program: WorkProgram, key: str) -> None:
    db = session_factory(engine)()
    try:
        rosa = db.scalar(select(User).where(User.email == people.emails["rosa"]))
        assert rosa is not None
        tasks.update_task(db, Actor.of(rosa), program.task_ids[key], {"effort_driven": True})
        complete(db)
    finally:
        db.close()


def test_the_work_given_is_set_in_a_row_and_a_removal_is_confirmed(
    page_as: OpenPage,
    web_engine: Engine,
    work_people: WorkPeople,
    work_program: WorkProgram,
    live_server: str,
    console_errors: Callable[[Page], list[str]],
) -> None:
    _effort_driven(web_engine, work_people, work_program, "APP-2")
    lead, helper = f"Priya Nair {work_program.key}", f"Sam Ito {work_program.key}"
    book_people(
        web_engine, work_people, work_program, {lead: [("APP-2", 1.0)], helper: [("APP-2", 0.5)]}
    )
    task_id = work_program.task_ids["APP-2"]
    token = work_people.tokens[work_people.emails["rosa"]]
    page = page_as(work_people.emails["rosa"])
    console_errors(page)
    page.goto(f"/tasks/{task_id}")

    rows = page.get_by_test_id("assignment-list")
    lead_row = rows.locator("tr", has_text=lead)
    expect(lead_row.get_by_test_id("given-input")).to_have_value("")
    lead_row.get_by_test_id("given-input").fill("80")
    lead_row.get_by_role("button", name="Set").click()
    expect(page.get_by_test_id("flash")).to_contain_text(f"Changed {lead}'s assignment")
    # 80 h over 12 h a day: 6.67 days, rounded up to 7; 56 h + 28 h planned
    summary = page.get_by_test_id("work-summary")
    expect(summary).to_contain_text(
        "80 h of work given for the task: at 12 h a day that takes 6.67 days, rounded up to "
        "7 working days, so 84 h planned."
    )
    lead_row = page.get_by_test_id("assignment-list").locator("tr", has_text=lead)
    expect(lead_row.get_by_test_id("given-input")).to_have_value("80")
    expect(lead_row.get_by_test_id("work")).to_have_text("56 h")
    assert api_get(live_server, token, f"/tasks/{task_id}")["duration"] == 7
    screenshot(page.get_by_test_id("assignments"), "task-assignments-given-work.png")

    # the ✕ asks first; keeping it changes nothing
    page.get_by_role("button", name=f"Remove {lead}").click()
    confirm = page.get_by_test_id("remove-confirm")
    expect(confirm).to_contain_text(f"Take {lead} off APP-2?")
    expect(confirm).to_contain_text("The 80 h of work given on it stays with the task")
    expect(confirm.get_by_role("button", name="Yes, remove")).to_be_focused()
    screenshot(page.get_by_test_id("assignments"), "task-assignments-remove-confirm.png")
    confirm.get_by_role("link", name="Keep").click()
    expect(page.get_by_test_id("remove-confirm")).to_have_count(0)
    expect(
        page.get_by_test_id("assignment-list").locator("tbody > tr[data-resource]")
    ).to_have_count(2)

    page.get_by_role("button", name=f"Remove {lead}").click()
    page.get_by_test_id("remove-confirm").get_by_role("button", name="Yes, remove").click()
    expect(page.get_by_test_id("flash")).to_contain_text(
        f"Removed {lead}. The 80 h of work given on it stays with APP-2: {helper} 80 h."
    )
    # Sam alone, at 50 %: 80 h at 4 h a day take 20 days
    helper_row = page.get_by_test_id("assignment-list").locator("tr", has_text=helper)
    expect(helper_row.get_by_test_id("given-input")).to_have_value("80")
    assert api_get(live_server, token, f"/tasks/{task_id}")["duration"] == 20

    # cleared, the work given no longer sets the duration
    helper_row.get_by_test_id("given-input").fill("")
    helper_row.get_by_role("button", name="Set").click()
    expect(page.get_by_test_id("flash")).to_contain_text(f"Changed {helper}'s assignment")
    expect(page.get_by_test_id("work-summary")).to_contain_text("No work is given yet")
    expect(page.get_by_test_id("assignment-list").locator("tr", has_text=helper).get_by_test_id(
        "given-input"
    )).to_have_value("")  # fmt: skip


def test_the_work_given_and_the_confirmation_fit_a_phone(
    page_as: OpenPage,
    web_engine: Engine,
    work_people: WorkPeople,
    work_program: WorkProgram,
) -> None:
    name = f"Lena Moss {work_program.key}"
    book_people(web_engine, work_people, work_program, {name: [("APP-1", 1.0)]})
    page = _on_phone(
        page_as, work_people.emails["rosa"], f"/tasks/{work_program.task_ids['APP-1']}"
    )
    row = page.get_by_test_id("assignment-list").locator("tr", has_text=name)
    for target in ("units-input", "given-input"):
        _on_screen(row.get_by_test_id(target))
    _on_screen(row.get_by_role("button", name="Set"))
    row.get_by_role("button", name=f"Remove {name}").click()
    confirm = page.get_by_test_id("remove-confirm")
    _on_screen(confirm.get_by_role("button", name="Yes, remove"))
    _on_screen(confirm.get_by_role("link", name="Keep"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page.get_by_test_id("assignments"), "task-assignments-phone.png")


def _name_cells_fit(page: Page) -> None:
    """Each resource's name reads on at most two lines, and the rows stay inside their
    card (as table columns in the side column the name wrapped over four lines, and the
    table ran past the card below 1100 px)."""
    card = page.get_by_test_id("assignments")
    card_box = card.bounding_box()
    assert card_box is not None
    cells = card.locator("[data-testid=assignment-list] td.data__wide")
    expect(cells).to_have_count(3)
    for cell in cells.all():
        line = cell.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)")
        box = cell.bounding_box()
        assert box is not None
        assert box["height"] <= 2 * line + 1, (cell.inner_text(), box, line)
    table = card.get_by_test_id("assignment-list").bounding_box()
    assert table is not None
    assert table["x"] + table["width"] <= card_box["x"] + card_box["width"] + 1, (table, card_box)


def test_names_of_three_assignments_read_on_a_line_or_two_wide_and_on_a_phone(
    page_as: OpenPage,
    web_engine: Engine,
    work_people: WorkPeople,
    work_program: WorkProgram,
) -> None:
    key = work_program.key
    names = [
        f"Nadia Haddad (cloud architect) {key}",
        f"Vendor integration engineers {key}",
        f"DevOps team {key}",
    ]
    book_people(web_engine, work_people, work_program, {n: [("APP-2", 0.5)] for n in names})
    path = f"/tasks/{work_program.task_ids['APP-2']}"
    page = page_as(work_people.emails["rosa"])
    for width in (1280, 1000):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(path)
        _name_cells_fit(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page.get_by_test_id("assignments"), "task-assignments-three.png")

    page = _on_phone(page_as, work_people.emails["rosa"], path)
    _name_cells_fit(page)
    for name in names:
        row = page.get_by_test_id("assignment-list").locator("tr", has_text=name)
        _on_screen(row.get_by_test_id("units-input"))
        _on_screen(row.get_by_role("button", name="Set"))
        _on_screen(row.get_by_role("button", name=f"Remove {name}"))

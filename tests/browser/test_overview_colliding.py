"""The overview shows an over-allocation's tasks as tasks that collide, with no arrows:
they overlap in time, none drives another."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from tests.browser.test_resources import Booked, book_people
from tests.browser.work_plan import WorkPeople, WorkProgram

pytestmark = pytest.mark.browser


@pytest.fixture
def kim(web_engine: Engine, work_people: WorkPeople, work_program: WorkProgram) -> Booked:
    """Kim full time on APP-1 and OPS-1, which run in the same first week."""
    name = f"Kim Berg {work_program.key}"
    ids = book_people(
        web_engine, work_people, work_program, {name: [("APP-1", 1.0), ("OPS-1", 1.0)]}
    )
    return Booked(work_program, ids[name], "", name)


def test_an_over_allocation_on_the_overview_lists_the_tasks_that_collide(
    page_as: Callable[[str], Page], kim: Booked, work_people: WorkPeople
) -> None:
    page = page_as(work_people.emails["rosa"])
    page.goto(f"/programs/{kim.program.id}")
    item = page.locator(".alert-item", has_text=f"{kim.resource_name} over-allocated")
    expect(item).to_have_count(1)
    colliding = item.get_by_test_id("colliding")
    expect(colliding).to_have_text("APP APP-1, OPS OPS-1 collide")
    expect(item.get_by_test_id("chain")).to_have_count(0)
    expect(colliding.get_by_role("link", name="OPS-1")).to_have_attribute(
        "href", f"/tasks/{kim.program.task_ids['OPS-1']}"
    )

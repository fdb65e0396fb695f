"""A program manager's first day: an administrator starts a program from nothing.

The header keeps each link on one line and inside the window at desktop and tablet
widths, and a project's span and task count follow the tasks added to its WBS.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from podium.db import session_factory
from podium.models import User
from tests.browser.conftest import new_person, screenshot
from tests.factories import make_program, make_project

pytestmark = pytest.mark.browser

OpenPage = Callable[[str], Page]

# the height of a header link or button whose words share one line (two lines are ~45)
ONE_LINE = 34


@pytest.mark.parametrize("width", [1280, 900])
def test_an_administrators_header_keeps_each_link_on_one_line_inside_the_window(
    page_as: OpenPage, web_engine: Engine, width: int
) -> None:
    admin = new_person(web_engine, "Pat Manager", admin=True)
    page = page_as(admin.email)
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/")
    expect(page.get_by_role("link", name="Users")).to_be_visible()
    lines = page.locator(".site-nav a, .account__name, .account__signout button").evaluate_all(
        """els => els.map(e => {
            const range = document.createRange();
            range.selectNodeContents(e);
            const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
            return [e.innerText.trim(), tops.size];
        })"""
    )
    broken = [text for text, count in lines if count > 1]
    assert not broken, f"broken over two lines at {width} px: {broken}"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    box = page.get_by_role("button", name="Sign out").bounding_box()
    assert box is not None and box["x"] + box["width"] <= width
    assert box["height"] <= ONE_LINE
    screenshot(page, f"header-admin-{width}.png")


def test_adding_tasks_updates_the_projects_span_and_count_above_the_table(
    page_as: OpenPage, web_engine: Engine
) -> None:
    manager = new_person(web_engine, "Imani Sato")
    db = session_factory(web_engine)()
    try:
        owner = db.get(User, manager.id)
        program = make_program(db, owner=owner, name="Clinic network rollout")
        project = make_project(db, program, "BUILD", name="Building works")
        db.commit()
        project_id = project.id
    finally:
        db.close()
    page = page_as(manager.email)
    page.goto(f"/projects/{project_id}")
    facts = page.get_by_test_id("project-facts")
    expect(facts).to_contain_text("Not scheduled yet")
    expect(facts).to_contain_text("0 tasks")
    add = page.get_by_test_id("add-form")
    for name, duration in (("Site survey", "5"), ("Construction", "20")):
        add.get_by_label("Name", exact=True).fill(name)
        add.get_by_label("Duration").fill(duration)
        add.get_by_role("button", name="Add task").click()
        expect(page.get_by_test_id("flash")).to_contain_text("Added")
    # both start on the program's first day, 4 Jan 2027; the longer ends on 29 Jan
    expect(facts).to_contain_text("2 tasks")
    expect(page.get_by_test_id("project-start")).to_have_text("4 Jan 2027")
    expect(page.get_by_test_id("project-finish")).to_have_text("29 Jan 2027")
    expect(page.locator("#project-facts")).to_have_count(1)

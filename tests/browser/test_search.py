"""Search from the top bar: a key typed exactly opens its page; words list what matches."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from podium.db import session_factory
from podium.services import tasks
from podium.services.actor import SYSTEM
from tests.browser.conftest import screenshot
from tests.browser.work_plan import WorkPeople, WorkProgram

pytestmark = pytest.mark.browser

OpenPage = Callable[[str], Page]


def test_the_top_bar_finds_tasks_by_name_and_opens_a_key_typed_exactly(
    page_as: OpenPage,
    web_engine: Engine,
    work_people: WorkPeople,
    work_program: WorkProgram,
    console_errors: Callable[[Page], list[str]],
) -> None:
    # a name and a key of this program's own: Sam is in every work program the other
    # tests made
    unique_key = f"K{work_program.id}-1"
    db = session_factory(web_engine)()
    try:
        tasks.update_task(
            db, SYSTEM, work_program.task_ids["OPS-1"], {"name": f"Rack {work_program.key}"}
        )
        tasks.update_task(db, SYSTEM, work_program.task_ids["APP-1"], {"key": unique_key})
        db.commit()
    finally:
        db.close()
    page = page_as(work_people.emails["sam"])
    errors = console_errors(page)
    page.goto("/")
    box = page.get_by_test_id("site-search")
    box.fill(f"rack {work_program.key.lower()}")
    box.press("Enter")
    expect(page.get_by_role("heading", name="Search", level=1)).to_be_visible()
    task_hits = page.get_by_test_id("hits-task")
    hit = task_hits.locator(f'li[data-program="{work_program.key}"][data-key="OPS-1"]')
    expect(hit).to_contain_text(f"Rack {work_program.key}")
    expect(hit).to_contain_text("Operations")  # its project
    expect(page.get_by_test_id("site-search")).to_have_value(f"rack {work_program.key.lower()}")
    screenshot(page, "search.png", full_page=True)
    hit.get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/tasks/{work_program.task_ids['OPS-1']}$"))

    # a task's key, typed exactly (any case): straight to the task
    box = page.get_by_test_id("site-search")
    box.fill(unique_key.lower())
    box.press("Enter")
    expect(page).to_have_url(re.compile(rf"/tasks/{work_program.task_ids['APP-1']}$"))
    # a program's key is often a word: it is listed, not opened
    box = page.get_by_test_id("site-search")
    box.fill(work_program.key)
    box.press("Enter")
    programs = page.get_by_test_id("hits-program")
    expect(programs.locator(f'li[data-key="{work_program.key}"]')).to_be_visible()
    assert errors == []


def test_nothing_found_says_so_and_a_viewer_finds_only_their_programs(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram
) -> None:
    page = page_as(work_people.emails["uma"])
    page.goto("/search?q=zzz-nothing")
    expect(page.get_by_test_id("no-hits")).to_contain_text("Nothing matches “zzz-nothing”")
    page.goto("/search?q=" + "x" * 201)
    expect(page.get_by_test_id("search-error")).to_contain_text("at most 200 characters")
    # the read-only programs of other tests are not Uma's
    page.goto("/search?q=cloud")
    expect(page.get_by_test_id("hits-program")).to_have_count(0)

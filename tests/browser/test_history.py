"""History: who changed what, when, from what to what — for a program, a project, a task."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, select

from podium.db import session_factory
from podium.models import Assignment, Resource, User
from podium.services import tasks
from podium.services.actor import Actor
from podium.services.uow import complete
from tests.browser.conftest import World, screenshot
from tests.browser.work_plan import WorkPeople, WorkProgram

pytestmark = pytest.mark.browser

OpenPage = Callable[[str], Page]


def test_an_edit_in_the_browser_shows_in_the_history_with_old_and_new(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram
) -> None:
    task_id = work_program.task_ids["APP-2"]
    page = page_as(work_people.emails["rosa"])
    page.goto(f"/tasks/{task_id}")
    form = page.get_by_test_id("task-form")
    form.get_by_label("Duration (working days)").fill("12")
    form.get_by_label("Name").fill("Build the portal")
    form.get_by_role("button", name="Save changes").click()
    expect(page.get_by_test_id("flash")).to_be_visible()

    page.get_by_role("link", name="History").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("History of APP-2")
    newest = page.get_by_test_id("history").locator("tbody tr").first
    expect(newest).to_have_attribute("data-action", "update")
    expect(newest).to_contain_text("Rosa Quinn")
    expect(newest).to_contain_text("Changed")
    duration = newest.locator('[data-field="duration"]')
    expect(duration).to_contain_text("Duration")
    expect(duration.locator(".changes__old")).to_have_text("10 d")
    expect(duration.locator(".changes__new")).to_have_text("12 d")
    name = newest.locator('[data-field="name"]')
    expect(name.locator(".changes__old")).to_have_text("Build")
    expect(name.locator(".changes__new")).to_have_text("Build the portal")
    # the first entry of a task is its creation, with what it was created with
    oldest = page.get_by_test_id("history").locator('tbody tr[data-action="create"]')
    expect(oldest.first).to_contain_text("Created")


def test_member_progress_and_link_changes_show_in_the_project_and_task_history(
    page_as: OpenPage,
    web_engine: Engine,
    work_people: WorkPeople,
    work_program: WorkProgram,
) -> None:
    db = session_factory(web_engine)()
    try:
        sam = db.scalar(select(User).where(User.email == work_people.emails["sam"]))
        assert sam is not None
        # members report progress on their own tasks: Sam works on OPS-1
        resource = Resource(key=f"history-{sam.id}", name="Sam", user_id=sam.id)
        db.add(resource)
        db.flush()
        task_id = work_program.task_ids["OPS-1"]
        db.add(
            Assignment(
                program_id=work_program.id, task_id=task_id, resource_id=resource.id, units=0.5
            )
        )
        complete(db)
        progress = {"actual_start": date(2027, 3, 1), "percent_complete": 25.0}
        tasks.update_task(db, Actor.of(sam), work_program.task_ids["OPS-1"], progress)
        complete(db)
    finally:
        db.close()
    page = page_as(work_people.emails["uma"])  # a viewer reads the history too

    page.goto(f"/projects/{work_program.project_ids['OPS']}/history")
    rows = page.get_by_test_id("history").locator("tbody tr")
    expect(rows.first).to_contain_text("Sam Tran")
    expect(rows.first.locator('[data-field="percent_complete"] .changes__old')).to_have_text("0 %")
    expect(rows.first.locator('[data-field="percent_complete"] .changes__new')).to_have_text("25 %")
    keys = set(rows.evaluate_all("rs => rs.map(r => r.dataset.key)"))
    assert {"OPS", "OPS-1", "OPS-2"} <= keys
    assert not {"APP-1", "APP-3"} & keys  # another project's work stays out
    # the APP-2 → OPS-2 link touches this project
    expect(page.get_by_test_id("history").locator('[data-entity="dependency"]')).not_to_have_count(
        0
    )

    page.goto(f"/tasks/{work_program.task_ids['OPS-2']}/history")
    labels = page.locator('[data-entity="dependency"] .history__label').all_inner_texts()
    assert sorted(labels) == ["APP-2 → OPS-2", "OPS-1 → OPS-2", "OPS-2 → M1"]


def test_the_history_is_paginated_newest_first(
    page_as: OpenPage, web_engine: Engine, work_people: WorkPeople, work_program: WorkProgram
) -> None:
    db = session_factory(web_engine)()
    try:
        rosa = db.scalar(select(User).where(User.email == work_people.emails["rosa"]))
        assert rosa is not None
        start = {"actual_start": date(2027, 3, 22)}
        tasks.update_task(db, Actor.of(rosa), work_program.task_ids["APP-3"], start)
        for percent in range(1, 61):
            tasks.update_task(
                db,
                Actor.of(rosa),
                work_program.task_ids["APP-3"],
                {"percent_complete": float(percent)},
            )
        complete(db)
    finally:
        db.close()
    page = page_as(work_people.emails["rosa"])
    page.goto(f"/programs/{work_program.id}/history")

    rows = page.get_by_test_id("history").locator("tbody tr")
    expect(rows).to_have_count(50)
    first = rows.first.locator('[data-field="percent_complete"] .changes__new')
    expect(first).to_have_text("60 %")
    total = int(page.get_by_test_id("entry-count").inner_text().split()[0])
    assert total > 60
    page.get_by_role("link", name="Next").click()
    expect(page).to_have_url(f"{page.url.split('?')[0]}?page=2")
    expect(rows).to_have_count(total - 50)
    expect(page.get_by_role("link", name="Previous")).to_be_visible()


def test_screenshot_of_the_history(page_as: OpenPage, world: World) -> None:
    page = page_as(world.emails["ana"])
    page.goto(f"/programs/{world.program_ids['CLOUD']}/history")
    expect(page.get_by_test_id("history")).to_be_visible()
    screenshot(page, "history.png")

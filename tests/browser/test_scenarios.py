"""Scenarios in the browser: copy the plan, edit a task of the copy on the usual task page
(under the scenario banner), see the milestone move side by side, apply; a refused apply
lists the conflicts."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import Engine, exists, select
from sqlalchemy.orm import aliased

from podium.db import session_factory
from podium.models import Dependency, Milestone, Program, Scenario, Task
from podium.services import baselines as baseline_service
from podium.services import tasks as task_service
from podium.services.actor import SYSTEM
from podium.services.uow import complete
from tests.browser.conftest import PlanProgram, screenshot

pytestmark = pytest.mark.browser

PageAs = Callable[[str], Page]


def _milestone_and_feeder(engine: Engine, program_id: int) -> tuple[str, str]:
    """A milestone and a task feeding it that has not started (keys)."""
    db = session_factory(engine)()
    try:
        child = aliased(Task)
        row = db.execute(
            select(Milestone.key, Task.key)
            .join(Dependency, Dependency.successor_milestone_id == Milestone.id)
            .join(Task, Task.id == Dependency.predecessor_task_id)
            .where(
                Milestone.program_id == program_id,
                Task.actual_start.is_(None),
                ~exists().where(child.parent_id == Task.id),
            )
            .order_by(Milestone.key)
        ).first()
        assert row is not None
        return row[0], row[1]
    finally:
        db.close()


def _task(engine: Engine, program_id: int, key: str) -> Task:
    db = session_factory(engine)()
    try:
        task = db.scalar(select(Task).where(Task.program_id == program_id, Task.key == key))
        assert task is not None
        db.expunge(task)
        return task
    finally:
        db.close()


def _create(page: Page, program_id: int, name: str) -> int:
    page.goto(f"/programs/{program_id}")
    page.get_by_role("link", name="Scenarios", exact=True).click()
    form = page.get_by_test_id("create-scenario")
    form.get_by_label("Name").fill(name)
    form.get_by_role("button", name="Copy the plan").click()
    expect(page).to_have_url(re.compile(r"/scenarios/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


# where an element's words begin and end on screen (not its box: a heading's box is as wide
# as its card, wherever its words sit)
TEXT_JS = """e => { const range = document.createRange(); range.selectNodeContents(e);
    const b = range.getBoundingClientRect(); return [b.left, b.right]; }"""


def test_the_scenarios_page_lines_up_its_text_and_spaces_its_form_as_the_other_forms(
    page_as: PageAs, plan_program: PlanProgram, plan_people: dict[str, str]
) -> None:
    page = page_as(plan_people["omar"])
    page.goto(f"/programs/{plan_program.id}/scenarios")
    heading = page.get_by_role("heading", name="What-if scenarios")
    intro = page.locator(".card__intro")
    assert intro.evaluate(TEXT_JS)[0] == pytest.approx(heading.evaluate(TEXT_JS)[0], abs=1)
    form = page.get_by_test_id("create-scenario")
    name, description = form.get_by_label("Name"), form.get_by_label("Description (optional)")

    def border(field: Locator) -> str:
        return str(field.evaluate("e => getComputedStyle(e).borderTopColor"))

    assert border(description) == border(name)
    area, button = description.bounding_box(), form.get_by_role("button", name="Copy the plan")
    below = button.bounding_box()
    assert area is not None and below is not None
    assert below["y"] - (area["y"] + area["height"]) >= 12  # not touching


def test_a_manager_edits_a_scenario_on_the_task_page_compares_and_applies(
    page_as: PageAs, fresh_plan: PlanProgram, plan_people: dict[str, str], web_engine: Engine
) -> None:
    milestone_key, task_key = _milestone_and_feeder(web_engine, fresh_plan.id)
    live_task = _task(web_engine, fresh_plan.id, task_key)
    page = page_as(plan_people["maya"])
    scenario_id = _create(page, fresh_plan.id, "Feeder two months late")
    expect(page.get_by_test_id("scenario-status")).to_have_text("active")
    expect(page.get_by_test_id("scope")).to_contain_text("Nothing yet")

    page.get_by_test_id("copy-links").get_by_role(
        "link", name="Edit the copy’s projects & tasks"
    ).click()
    banner = page.get_by_test_id("scenario-banner")
    expect(banner).to_contain_text(
        f"Scenario Feeder two months late of {fresh_plan.key} — "
        "changes here do not touch the live plan"
    )
    db = session_factory(web_engine)()
    scenario = db.get(Scenario, scenario_id)
    assert scenario is not None and scenario.copy_program_id is not None
    copy_id = scenario.copy_program_id
    db.close()
    copy_task = _task(web_engine, copy_id, task_key)
    page.goto(f"/tasks/{copy_task.id}")
    expect(page.get_by_test_id("scenario-banner")).to_be_visible()
    form = page.get_by_test_id("task-form")
    form.get_by_label("Duration (working days)").fill(str(live_task.duration + 40))
    form.get_by_role("button", name="Save changes").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Saved")
    screenshot(page, "scenario-task.png")
    assert _task(web_engine, fresh_plan.id, task_key).duration == live_task.duration

    page.get_by_test_id("scenario-banner").get_by_role("link").click()
    expect(page).to_have_url(re.compile(rf"/scenarios/{scenario_id}$"))
    row = page.get_by_test_id("compare").locator(f"[data-milestone='{milestone_key}']")
    expect(row.locator(".scenario-slip--late")).to_contain_text("+")
    expect(page.get_by_test_id("scope").locator(f"[data-task='{task_key}']")).to_contain_text(
        f"duration {live_task.duration} → {live_task.duration + 40}"
    )
    screenshot(page, "scenario-compare.png", full_page=True)
    # choosing a baseline adds its column at once (the page's scripts send the choice)
    db = session_factory(web_engine)()
    baseline_service.take_baseline(db, SYSTEM, fresh_plan.id, name="Plan of record")
    complete(db)
    db.close()
    page.reload()
    page.get_by_label("Baseline").select_option(label="Plan of record")
    expect(page).to_have_url(re.compile(r"baseline_id=\d+"))
    expect(page.get_by_test_id("compare")).to_contain_text("Baseline Plan of record")

    page.get_by_role("link", name="Apply to the live plan…").click()
    expect(page.get_by_test_id("apply-form")).to_contain_text("Keep it as a scenario")
    page.get_by_role("button", name=re.compile(r"^Apply to ")).click()
    expect(page.get_by_test_id("scenario-status")).to_have_text("applied")
    expect(page.get_by_test_id("applied")).to_contain_text("updated 1 task.")
    assert _task(web_engine, fresh_plan.id, task_key).duration == live_task.duration + 40
    db = session_factory(web_engine)()
    assert db.get(Program, copy_id) is None
    db.close()


def test_applying_after_the_live_plan_moved_lists_the_conflicts_and_changes_nothing(
    page_as: PageAs, fresh_plan: PlanProgram, plan_people: dict[str, str], web_engine: Engine
) -> None:
    _milestone, task_key = _milestone_and_feeder(web_engine, fresh_plan.id)
    page = page_as(plan_people["maya"])
    scenario_id = _create(page, fresh_plan.id, "Stale copy")
    live = _task(web_engine, fresh_plan.id, task_key)
    db = session_factory(web_engine)()
    scenario = db.get(Scenario, scenario_id)
    assert scenario is not None and scenario.copy_program_id is not None
    copied = _task(web_engine, scenario.copy_program_id, task_key)
    # the scenario and the live plan lengthen the same task, each its own way
    task_service.update_task(db, SYSTEM, copied.id, {"duration": live.duration + 3})
    task_service.update_task(db, SYSTEM, live.id, {"duration": live.duration + 1})
    complete(db)
    db.close()

    page.reload()  # the page warns before anyone tries
    expect(page.get_by_test_id("stale")).to_contain_text(
        f"task {task_key} was changed in the live plan (duration)"
    )
    screenshot(page, "scenario-stale.png", full_page=True)
    page.get_by_role("link", name="Apply to the live plan…").click()
    expect(page.get_by_test_id("apply-form")).to_contain_text("Keep it as a scenario")
    page.get_by_role("button", name=re.compile(r"^Apply to ")).click()
    refused = page.get_by_test_id("apply-refused")
    expect(page.get_by_test_id("stale")).to_have_count(0)
    expect(refused).to_contain_text("Not applied")
    expect(refused).to_contain_text("Progress reported on the live plan is not the reason")
    expect(refused.get_by_test_id("conflicts")).to_contain_text(
        f"task {task_key} was changed in the live plan (duration)"
    )
    expect(page.get_by_test_id("scenario-status")).to_have_text("active")
    screenshot(page, "scenario-conflicts.png", full_page=True)
    page.get_by_role("link", name="Discard…").click()
    page.get_by_role("button", name="Discard the scenario").click()
    expect(page).to_have_url(re.compile(rf"/programs/{fresh_plan.id}/scenarios$"))
    expect(page.locator(f"[data-scenario-id='{scenario_id}']")).to_contain_text("discarded")
    assert _task(web_engine, fresh_plan.id, task_key).duration == live.duration + 1


def test_a_manager_renames_a_scenario_then_deletes_it_with_its_copy(
    page_as: PageAs, fresh_plan: PlanProgram, plan_people: dict[str, str], web_engine: Engine
) -> None:
    page = page_as(plan_people["maya"])
    scenario_id = _create(page, fresh_plan.id, "Second test lab")
    page.get_by_text("Rename or describe").click()
    form = page.get_by_test_id("rename-form")
    form.get_by_label("Name").fill("")
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("rename-form").locator("[data-error-for='name']")).to_contain_text(
        "Required."
    )
    form = page.get_by_test_id("rename-form")
    form.get_by_label("Name").fill("Two test labs")
    form.get_by_label("What it tries").fill("A second lab from January halves the queue")
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Scenario saved.")
    expect(page.locator("h1")).to_contain_text("Two test labs")
    expect(page.locator(".page-head")).to_contain_text("A second lab from January")
    db = session_factory(web_engine)()
    scenario = db.get(Scenario, scenario_id)
    assert scenario is not None and scenario.copy_program_id is not None
    copy_id, copy = scenario.copy_program_id, db.get(Program, scenario.copy_program_id)
    assert copy is not None and "Two test labs" in copy.name  # the copy takes the new name
    db.close()

    zone = page.get_by_test_id("delete-scenario")
    zone.get_by_role("link", name="Delete scenario…").click()
    zone.get_by_role("link", name="Keep it").click()
    expect(page.get_by_test_id("delete-confirm")).to_have_count(0)
    zone.get_by_role("link", name="Delete scenario…").click()
    screenshot(page, "scenario-delete-confirm.png")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "scenario-delete-confirm-phone.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    zone.get_by_role("button", name="Delete the scenario").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Scenario deleted")
    expect(page.locator("main")).not_to_contain_text("Two test labs")
    db = session_factory(web_engine)()
    assert db.get(Scenario, scenario_id) is None and db.get(Program, copy_id) is None
    db.close()

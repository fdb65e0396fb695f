"""The impact page, reviewed: long names wrap, a change that changes nothing says so,
finished tasks are not offered, an empty program says why, and finishing later than the
baseline is counted apart from missed targets and deadlines."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, select

from podium.db import session_factory
from podium.models import User
from podium.services import baselines
from podium.services.actor import Actor
from tests.browser.conftest import PlanProgram, screenshot, sign_in
from tests.browser.test_depmap_review import LONG_TAIL, import_variant, long_names
from tests.factories import make_program

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def ask(page: Page, task_id: int, kind: str, days: int) -> None:
    """Choose the task (through Tom Select's own API), the kind and the days, and ask."""
    page.evaluate("(v) => document.querySelector('#im-task').tomselect.setValue(v)", str(task_id))
    page.locator(f'input[name="kind"][value="{kind}"]').check()
    page.locator("#im-days").fill(str(days))
    page.get_by_role("button", name="Show the impact").click()
    expect(page.get_by_test_id("impact-results")).to_be_visible()


def test_a_long_unbroken_task_name_wraps_on_a_phone(
    page: Page, web_engine: Engine, plan_people: dict[str, str]
) -> None:
    program = import_variant(web_engine, "WIDE", long_names)
    sign_in(page, plan_people["maya"])
    page.set_viewport_size(PHONE)
    page.goto(f"/programs/{program.id}/impact")

    ask(page, program.task_ids["PLATOPERATIONS-100005"], "slip", 10)

    question = page.get_by_test_id("impact-question")
    expect(question).to_contain_text(LONG_TAIL)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    box = question.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    screenshot(page, "impact-phone.png")


def test_a_new_duration_equal_to_the_tasks_own_says_nothing_changes(
    page: Page, plan_program: PlanProgram, plan_people: dict[str, str]
) -> None:
    sign_in(page, plan_people["maya"])
    page.goto(f"/programs/{plan_program.id}/impact")
    train5 = plan_program.task_ids["TRAIN-5"]
    duration = page.request.get(f"/api/v1/tasks/{train5}").json()["duration"]

    ask(page, train5, "set_duration", duration)

    answer = page.get_by_test_id("no-moves")
    expect(answer).to_have_text(f"Nothing changes: TRAIN-5 already takes {duration} working days.")
    expect(answer).not_to_contain_text("float")


def test_finished_tasks_are_not_offered_and_an_empty_program_says_why(
    page: Page, web_engine: Engine, plan_program: PlanProgram, plan_people: dict[str, str]
) -> None:
    sign_in(page, plan_people["maya"])
    page.goto(f"/programs/{plan_program.id}/impact")
    chooser = page.locator("#im-task")
    finished = plan_program.task_ids["PLAT-1"]  # 100 % done
    expect(chooser.locator(f'option[value="{finished}"]')).to_have_count(0)
    expect(chooser.locator(f'option[value="{plan_program.task_ids["SEC-2"]}"]')).to_have_count(1)
    expect(page.locator("#im-task-hint")).to_contain_text("Finished tasks are not listed")
    # a form read before the task finished is refused with a message that says why
    refused = page.request.post(
        f"/programs/{plan_program.id}/impact",
        form={
            "task_id": str(finished),
            "kind": "slip",
            "days": "3",
            "csrf_token": page.get_by_test_id("impact-form")
            .locator('input[name="csrf_token"]')
            .input_value(),
        },
        headers={"HX-Request": "true"},
    )
    assert refused.status == 422
    assert "not finished" in refused.text()

    db = session_factory(web_engine)()
    try:
        maya = db.scalars(select(User).where(User.email == plan_people["maya"])).one()
        empty = make_program(db, owner=maya, name="Nothing yet").id
    finally:
        db.close()
    page.goto(f"/programs/{empty}/impact")
    expect(page.get_by_test_id("no-tasks")).to_contain_text("no unfinished task")
    expect(page.get_by_test_id("impact-form")).to_have_count(0)


def test_finishing_later_than_the_baseline_is_counted_apart_from_missed_dates(
    page: Page, web_engine: Engine, fresh_plan: PlanProgram, plan_people: dict[str, str]
) -> None:
    db = session_factory(web_engine)()
    try:
        maya = db.scalars(select(User).where(User.email == plan_people["maya"])).one()
        baselines.take_baseline(db, Actor.of(maya), fresh_plan.id, name="Plan of record")
        db.commit()
    finally:
        db.close()
    sign_in(page, plan_people["maya"])
    page.goto(f"/programs/{fresh_plan.id}/impact")

    ask(page, fresh_plan.task_ids["PLAT-5"], "slip", 30)

    results = page.get_by_test_id("impact-results")
    missed = results.get_by_test_id("misses").locator("li")
    behind = results.get_by_test_id("baseline-misses").locator("li")
    expect(behind.first).to_be_visible()
    kinds = missed.evaluate_all("items => items.map(i => i.dataset.kind)")
    assert kinds and set(kinds) <= {"target", "deadline"}, kinds
    assert set(behind.evaluate_all("items => items.map(i => i.dataset.kind)")) == {"baseline"}
    expect(results.get_by_test_id("misses-count")).to_have_text(str(len(kinds)))
    expect(results.get_by_test_id("baseline-count")).to_have_text(str(behind.count()))
    expect(behind.first).to_contain_text(re.compile(r"baseline finish \d"))
    # M1 is listed once as a missed target and once as behind its baseline, each in its place
    expect(results.get_by_test_id("misses").locator('li[data-key="M1"]')).to_have_count(1)
    expect(results.get_by_test_id("baseline-misses").locator('li[data-key="M1"]')).to_have_count(1)
    screenshot(page, "impact-baseline.png", full_page=True)

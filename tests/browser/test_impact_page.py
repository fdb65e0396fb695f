"""Impact analysis in a real browser: a slip shows what moves where and which milestone
misses its target, and nothing is saved."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import PlanProgram, screenshot, sign_in

pytestmark = pytest.mark.browser


def program_state(page: Page, program: PlanProgram) -> dict[str, Any]:
    """Everything the analysis could have written: tasks, milestones and the schedule."""
    tasks = page.request.get(f"/api/v1/tasks?program_id={program.id}&limit=200")
    milestones = page.request.get(f"/api/v1/milestones?program_id={program.id}&limit=200")
    schedule = page.request.get(f"/api/v1/programs/{program.id}/schedule")
    assert tasks.ok and milestones.ok and schedule.ok
    return {"tasks": tasks.json(), "milestones": milestones.json(), "schedule": schedule.json()}


def forecast(state: dict[str, Any], key: str) -> dict[str, Any]:
    return next(m for m in state["schedule"]["milestones"] if m["milestone"]["key"] == key)


def ask(page: Page, search: str, option: str, kind: str, days: int) -> None:
    task = page.get_by_role("combobox", name="Task")
    task.click()
    task.fill(search)
    dropdown = page.locator(".ts-dropdown")
    expect(dropdown.get_by_role("option")).to_have_count(1)
    expect(dropdown.get_by_role("option")).to_contain_text(option)
    task.press("Enter")
    expect(page.locator("#im-task")).to_have_value(re.compile(r"^\d+$"))
    # leave the chooser, as a user tabbing on would: with the focus still in it, a
    # dropdown that opened again under load covered the radio buttons below it
    task.press("Tab")
    expect(dropdown).to_be_hidden()
    page.get_by_role("radio", name=kind).check()
    page.locator("#im-days").fill(str(days))
    page.get_by_role("button", name="Show the impact").click()


def test_enter_right_after_typing_chooses_the_match_and_the_list_stays_closed(
    page: Page, plan_program: PlanProgram, plan_people: dict[str, str]
) -> None:
    sign_in(page, plan_people["maya"])
    page.goto(f"/programs/{plan_program.id}/impact")
    task = page.get_by_role("combobox", name="Task")
    task.click()
    task.press_sequentially("VEND-3")  # at typing speed, then Enter at once
    task.press("Enter")
    expect(page.locator("#im-task")).to_have_value(str(plan_program.task_ids["VEND-3"]))
    page.wait_for_timeout(600)  # longer than any filtering delay
    expect(page.locator(".ts-dropdown")).to_be_hidden()
    # its long name is cut in the chooser, which stays inside the form
    chooser = page.locator(".im-form .ts-wrapper").bounding_box()
    form = page.locator(".im-form").bounding_box()
    assert chooser is not None and form is not None
    assert chooser["x"] + chooser["width"] <= form["x"] + form["width"] + 0.5
    page.get_by_role("radio", name="New duration").check()  # nothing covers it


def test_a_slip_shows_the_moves_by_project_the_missed_milestone_and_saves_nothing(
    page: Page, plan_program: PlanProgram, plan_people: dict[str, str]
) -> None:
    sign_in(page, plan_people["vera"])  # a viewer may ask: nothing is written
    page.goto(f"/programs/{plan_program.id}/impact")
    before = program_state(page, plan_program)
    m2 = forecast(before, "M2")
    assert m2["slip"] < 0, "the security sign-off milestone is ahead of its target"
    slip = -m2["slip"] + 5  # SEC-4 → SEC-5 → M2: five working days past the target

    ask(page, "Penetration", "SEC-4", "Slip by", slip)

    results = page.get_by_test_id("impact-results")
    expect(results).to_contain_text(f"If SEC-4 slips {slip} working days")
    sec = results.locator('[data-testid="project-moves"][data-project="SEC"]')
    data = results.locator('[data-testid="project-moves"][data-project="DATA"]')
    expect(sec.locator('tr[data-key="SEC-5"]')).to_contain_text(f"+{slip}")
    expect(data.locator('tr[data-key="DATA-4"]')).to_be_visible()
    expect(data.locator("h3")).to_contain_text("Data transfer")
    miss = results.get_by_test_id("misses").locator('li[data-key="M2"]')
    expect(miss).to_have_attribute("data-kind", "target")
    expect(miss).to_contain_text(re.compile(r"\b([5-9]|\d{2,}) working days late"))
    expect(results.get_by_test_id("milestone-moves").locator('tr[data-key="M2"]')).to_be_visible()
    expect(results.get_by_test_id("finish-change")).to_contain_text("→")
    expect(results.get_by_test_id("nothing-saved")).to_be_visible()

    assert program_state(page, plan_program) == before


def test_a_new_duration_with_enough_float_moves_nothing_else(
    page: Page, plan_program: PlanProgram, plan_people: dict[str, str]
) -> None:
    sign_in(page, plan_people["maya"])
    page.goto(f"/programs/{plan_program.id}/impact")
    before = program_state(page, plan_program)
    train5 = next(t for t in before["tasks"]["items"] if t["key"] == "TRAIN-5")
    assert train5["total_float"] > 2

    ask(page, "Client-facing", "TRAIN-5", "New duration", train5["duration"] + 1)

    results = page.get_by_test_id("impact-results")
    expect(results).to_contain_text(f"If TRAIN-5 takes {train5['duration'] + 1} working days")
    expect(results.get_by_test_id("misses-count")).to_have_text("none")
    expect(results.get_by_test_id("finish-change")).to_contain_text("0\u00a0d")
    assert program_state(page, plan_program) == before


def test_a_question_without_a_task_gets_a_message_in_place(
    page: Page, plan_program: PlanProgram, plan_people: dict[str, str]
) -> None:
    sign_in(page, plan_people["maya"])
    page.goto(f"/programs/{plan_program.id}/impact")
    page.locator("#im-days").fill("5")
    # the browser would refuse the empty required select; send the form as htmx would
    page.evaluate(
        "() => { const f = document.querySelector('.im-form'); "
        "f.querySelector('#im-task').removeAttribute('required'); htmx.trigger(f, 'submit'); }"
    )
    expect(page.locator("#messages")).to_contain_text("Choose a task of this program")


def test_screenshot_of_the_impact_analysis(
    page: Page, plan_program: PlanProgram, plan_people: dict[str, str]
) -> None:
    sign_in(page, plan_people["maya"])
    page.goto(f"/programs/{plan_program.id}/impact")
    slip = -forecast(program_state(page, plan_program), "M2")["slip"] + 5
    ask(page, "Penetration", "SEC-4", "Slip by", slip)
    expect(page.get_by_test_id("misses")).to_be_visible()
    screenshot(page, "impact.png")


def test_without_javascript_the_form_still_answers(
    browser: Browser, live_server: str, plan_program: PlanProgram, plan_people: dict[str, str]
) -> None:
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, plan_people["omar"])
        page.goto(f"/programs/{plan_program.id}/impact")
        page.locator("#im-task").select_option(str(plan_program.task_ids["PLAT-5"]))
        page.locator("#im-days").fill("10")
        page.get_by_role("button", name="Show the impact").click()

        results = page.get_by_test_id("impact-results")
        expect(results).to_contain_text("If PLAT-5 slips 10 working days")
        expect(
            results.locator('[data-testid="project-moves"][data-project="TRAIN"]')
        ).to_be_visible()
    finally:
        context.close()

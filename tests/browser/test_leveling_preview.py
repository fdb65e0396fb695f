"""The leveling preview on the Resources tab: readable on a phone, why each task moves,
and the over-allocations leveling leaves with the work that keeps them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from podium.db import session_factory
from podium.models import Task
from podium.services.uow import complete
from tests.browser.conftest import screenshot
from tests.browser.test_resources import Booked, booked  # noqa: F401 (a fixture)
from tests.browser.work_plan import WorkPeople

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
OpenPage = Callable[[str], Page]


def test_the_preview_reads_on_a_phone_with_the_delay_beside_the_task(
    page_as: OpenPage,
    work_people: WorkPeople,
    booked: Booked,  # noqa: F811
) -> None:
    page = page_as(work_people.emails["rosa"])
    page.set_viewport_size(PHONE)
    page.goto(f"/programs/{booked.program.id}/resources")
    page.get_by_test_id("level-form").get_by_role("button", name="Preview leveling").click()
    moves = page.get_by_test_id("level-moves")
    row = moves.locator("tbody tr").first
    expect(row).to_have_attribute("data-key", "OPS-1")
    # nothing wider than the phone, and no table scrolls sideways inside its card
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    hidden = page.locator("[data-testid=level-preview] table").evaluate_all(
        "ts => ts.filter(t => t.scrollWidth > t.clientWidth + 1).length"
    )
    assert hidden == 0
    delay = row.locator("td", has_text="+").first
    box = delay.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    expect(delay).to_have_attribute("data-label", "Delay")  # its label, as the row stacks
    expect(row.get_by_test_id("move-why")).to_contain_text(f"waits for {booked.resource_name}")
    expect(page.get_by_test_id("over-change")).to_contain_text("4")
    expect(page.get_by_test_id("resource-days-note")).to_contain_text("resource-day")
    screenshot(page, "phone-leveling-preview.png", full_page=True)


def test_the_preview_names_what_stays_over_capacity_and_why(
    page_as: OpenPage,
    web_engine: Engine,
    work_people: WorkPeople,
    booked: Booked,  # noqa: F811
    console_errors: Callable[[Page], list[str]],
) -> None:
    db = session_factory(web_engine)()
    try:
        for key in ("APP-1", "OPS-1"):  # both under way: leveling may move neither
            task = db.get(Task, booked.program.task_ids[key])
            assert task is not None
            task.actual_start = date(2027, 3, 1)
            task.percent_complete = 10
        complete(db)
    finally:
        db.close()
    page = page_as(work_people.emails["rosa"])
    console_errors(page)
    page.goto(f"/programs/{booked.program.id}/resources")
    page.get_by_test_id("level-form").get_by_role("button", name="Preview leveling").click()
    preview = page.get_by_test_id("level-preview")
    left = preview.get_by_test_id("level-remaining")
    expect(left.locator(f'tr[data-resource="{booked.resource_key}"]')).to_contain_text(
        booked.resource_name
    )
    expect(left.get_by_test_id("remaining-tasks")).to_have_text("APP-1 (started), OPS-1 (started)")
    # the peak reads as the over-allocations table and the commands say it: 2 of 1, not 2.0
    expect(left.locator('td[data-label="Days"]')).to_contain_text(" d, peak 2 of 1)")
    expect(preview.get_by_test_id("no-moves")).to_have_text(
        "Nothing moves: what is over capacity involves only work leveling may not move "
        "(listed above)."
    )
    expect(preview).not_to_contain_text("no resource is over capacity")
    expect(page.get_by_test_id("apply-form")).to_have_count(0)


def test_the_optimal_method_takes_weights_per_project_and_milestone(
    page_as: OpenPage,
    work_people: WorkPeople,
    booked: Booked,  # noqa: F811
) -> None:
    page = page_as(work_people.emails["rosa"])
    page.goto(f"/programs/{booked.program.id}/resources")
    form = page.get_by_test_id("level-form")
    weights = form.get_by_test_id("level-weights")
    expect(weights).to_be_hidden()  # the heuristic weighs nothing
    form.get_by_label("Method").select_option("optimal")
    expect(weights).to_be_visible()
    expect(weights.locator("input")).to_have_count(3)  # APP, OPS and milestone M1
    ops = weights.get_by_label("OPS", exact=False)
    ops.fill("-1")
    form.get_by_role("button", name="Preview leveling").click()
    expect(form.locator("#lv-weights_OPS-error")).to_have_text("Must be 0 or more.")
    form = page.get_by_test_id("level-form")  # drawn again, with what was typed
    expect(form.get_by_label("Method")).to_have_value("optimal")
    expect(form.get_by_test_id("level-weights").get_by_label("OPS", exact=False)).to_have_value(
        "-1"
    )
    form.get_by_test_id("level-weights").get_by_label("OPS", exact=False).fill("10")
    form.get_by_label("Time limit (seconds)").fill("5")
    screenshot(page.get_by_test_id("leveling"), "leveling-weights.png")
    form.get_by_role("button", name="Preview leveling").click()
    preview = page.get_by_test_id("level-preview")
    expect(preview.get_by_test_id("level-weights-used")).to_have_text(
        "Weights: a day of delay counts 10 on OPS."
    )
    screenshot(preview.locator(".im-headline"), "leveling-weights-preview.png")
    # OPS weighs more: the person's other task waits instead
    expect(preview.get_by_test_id("level-moves").locator("tbody tr").first).to_have_attribute(
        "data-key", "APP-1"
    )
    form = page.get_by_test_id("level-form")
    form.get_by_label("Method").select_option("heuristic")
    expect(form.get_by_test_id("level-weights")).to_be_hidden()
    form.get_by_label("Method").select_option("optimal")
    page.set_viewport_size(PHONE)
    expect(form.get_by_test_id("level-weights")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page.get_by_test_id("leveling"), "phone-leveling-weights.png")

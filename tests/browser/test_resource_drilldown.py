"""A resource's own page drills down like the program's heatmap; deleting a resource and
clearing the leveling ask first; the time off form adds rows; the Resources tab reads on
a phone."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine

from podium.db import session_factory
from podium.models import Assignment
from tests.browser.conftest import PlanProgram, screenshot
from tests.browser.test_resources import book_people
from tests.browser.work_plan import WorkPeople, WorkProgram
from tests.factories import make_program, make_project, make_task

pytestmark = pytest.mark.browser

OpenPage = Callable[[str], Page]
PHONE = {"width": 390, "height": 844}
_numbers = itertools.count(1)


def _booked_here_and_unseen(engine: Engine, people: WorkPeople, program: WorkProgram) -> int:
    """A person on APP-1 and OPS-1 of the work program (both in the week of 1 Mar 2027),
    and on a task of a program Rosa cannot see that same week; the person's id."""
    name = f"Kim Berg {program.key}"
    ids = book_people(engine, people, program, {name: [("APP-1", 1.0), ("OPS-1", 1.0)]})
    db = session_factory(engine)()
    try:
        other = make_program(db, key=f"HID{next(_numbers)}")  # Rosa is not in it
        task = make_task(
            db,
            make_project(db, other, "RUN"),
            "RUN-1",
            early_start=date(2027, 3, 1),
            early_finish=date(2027, 3, 5),
        )
        db.add(Assignment(program_id=other.id, task_id=task.id, resource_id=ids[name], units=0.5))
        db.commit()
    finally:
        db.close()
    return ids[name]


def test_a_resources_page_opens_a_weeks_tasks_in_place_and_lists_its_over_allocations(
    page_as: OpenPage,
    web_engine: Engine,
    work_people: WorkPeople,
    work_program: WorkProgram,
    console_errors: Callable[[Page], list[str]],
) -> None:
    kim = _booked_here_and_unseen(web_engine, work_people, work_program)
    page = page_as(work_people.emails["rosa"])
    console_errors(page)
    page.goto(f"/resources/{kim}")

    over = page.get_by_test_id("overloads").locator('tr[data-start="2027-03-01"]')
    expect(over.get_by_test_id("overload-task")).to_have_text(["APP-1", "OPS-1"])
    expect(over).to_contain_text(f"APP · {work_program.key}")
    expect(over.get_by_test_id("overload-hidden")).to_have_text("+1 in programs you cannot see")

    week = page.get_by_test_id("load-strip").locator('li[data-start="2027-03-01"]')
    expect(week).to_have_class("rs-cell rs-l-over")
    week.get_by_role("link").click()
    detail = page.get_by_test_id("cell-detail")
    expect(detail).to_contain_text("week of 1 Mar 2027")
    expect(detail.get_by_test_id("cell-tasks").locator("tbody tr")).to_have_count(2)
    expect(detail.get_by_test_id("cell-hidden")).to_contain_text(
        "1 task in programs you cannot see asks 2.5 of these days"
    )
    expect(page).to_have_url(f"/resources/{kim}")  # opened in place, not a new page
    screenshot(page, "resource-drill.png", full_page=True)

    page.get_by_role("link", name="Month", exact=True).click()
    strip = page.get_by_test_id("load-strip")
    expect(strip).to_have_attribute("data-period", "month")
    strip.locator('li[data-start="2027-03-01"] a').click()
    expect(page.get_by_test_id("cell-detail")).to_contain_text("March 2027")

    page.set_viewport_size(PHONE)
    page.goto(f"/resources/{kim}")
    page.get_by_test_id("load-strip").locator('li[data-start="2027-03-01"] a').click()
    expect(page.get_by_test_id("cell-detail")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "resource-drill-phone.png", full_page=True)


def test_deleting_a_resource_asks_first(
    page_as: OpenPage,
    web_engine: Engine,
    work_people: WorkPeople,
    work_program: WorkProgram,
    console_errors: Callable[[Page], list[str]],
) -> None:
    name = f"Spare crane {work_program.key}"
    crane = book_people(web_engine, work_people, work_program, {name: []})[name]
    page = page_as(work_people.emails["rosa"])
    console_errors(page)
    page.goto(f"/resources/{crane}")
    expect(page.get_by_test_id("delete-confirm")).to_have_count(0)

    page.get_by_role("link", name="Delete resource…").click()
    confirm = page.get_by_test_id("delete-confirm")
    expect(confirm).to_contain_text(f"Delete {name}")
    expect(confirm.get_by_role("button", name="Delete the resource")).to_be_focused()
    confirm.get_by_role("link", name="Keep it").click()
    expect(page.get_by_test_id("delete-confirm")).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)

    page.get_by_role("link", name="Delete resource…").click()
    page.get_by_role("button", name="Delete the resource").click()
    expect(page.get_by_test_id("flash")).to_contain_text(
        re.compile(rf"{re.escape(name)} \(\S+\) deleted\.")
    )


def test_the_time_off_form_adds_a_row_without_saving(
    page_as: OpenPage, work_people: WorkPeople, console_errors: Callable[[Page], list[str]]
) -> None:
    page = page_as(work_people.emails["rosa"])
    console_errors(page)
    page.goto("/resources/new")
    key = f"row-{next(_numbers)}"
    form = page.get_by_test_id("resource-form")
    form.get_by_label("Name").fill(f"Row Adder {key}")
    form.get_by_label("Key").fill(key)
    form.get_by_label("Start of time off 1").fill("2027-04-01")
    form.get_by_label("Finish of time off 1").fill("2027-04-02")
    form.get_by_label("Start of time off 2").fill("2027-05-03")
    form.get_by_label("Finish of time off 2").fill("2027-05-03")
    expect(form.get_by_label("Start of time off 3")).to_have_count(0)
    form.get_by_role("button", name="Add a row").click()
    expect(form.get_by_label("Start of time off 3")).to_be_focused()
    form.get_by_label("Start of time off 3").fill("2027-06-07")
    form.get_by_label("Finish of time off 3").fill("2027-06-11")
    form.get_by_label("Note of time off 3").fill("Summer")
    form.get_by_role("button", name="Add resource").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Saved")
    off = page.get_by_test_id("resource-time-off")
    expect(off.locator("li")).to_have_count(3)
    expect(off).to_contain_text("7 Jun 2027 – 11 Jun 2027")


def test_the_resources_tab_reads_on_a_phone(
    page_as: OpenPage,
    web_engine: Engine,
    work_people: WorkPeople,
    work_program: WorkProgram,
    plan_people: dict[str, str],
    plan_program: PlanProgram,
) -> None:
    name = f"Kim Berg {work_program.key}"
    book_people(web_engine, work_people, work_program, {name: [("APP-1", 1.0), ("OPS-1", 1.0)]})
    page = page_as(work_people.emails["rosa"])
    page.set_viewport_size(PHONE)
    page.goto(f"/programs/{work_program.id}/resources")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # an over-allocation is a card: every figure on the screen, none behind a scroll
    card = page.get_by_test_id("overloads").locator("tbody tr").first
    for cell in ("When", "Days", "Peak / capacity", "Tasks colliding"):
        box = card.locator(f'td[data-label="{cell}"]').bounding_box()
        assert box is not None and box["x"] >= 0, cell
        assert box["x"] + box["width"] <= PHONE["width"], (cell, box)
    expect(card.get_by_test_id("over-days")).to_be_visible()
    screenshot(page, "resources-phone.png", full_page=True)

    # a long plan's heatmap says it scrolls, and the names stay beside the weeks
    plan = page_as(plan_people["maya"])
    plan.set_viewport_size(PHONE)
    plan.goto(f"/programs/{plan_program.id}/resources")
    expect(plan.get_by_test_id("scroll-hint")).to_be_visible()
    frame = plan.locator(".rs-scroll-frame")
    expect(frame).to_have_attribute("data-more", "right")
    weeks = plan.locator(".rs-heatmap thead th.rs-col").count()
    shown = plan.locator(".rs-heatmap thead th.rs-col").evaluate_all(
        "cols => cols.filter(c => c.getBoundingClientRect().right <= innerWidth).length"
    )
    assert weeks > shown >= 4, (weeks, shown)
    plan.locator(".rs-scroll").evaluate("box => { box.scrollLeft = box.scrollWidth; }")
    expect(frame).to_have_attribute("data-more", "left")
    name_box = plan.locator(".rs-heatmap tbody th.rs-name").first.bounding_box()
    scroller = plan.locator(".rs-scroll").bounding_box()
    assert name_box is not None and scroller is not None
    assert abs(name_box["x"] - scroller["x"]) < 2, (name_box, scroller)
    screenshot(plan, "resources-heatmap-phone.png", full_page=True)

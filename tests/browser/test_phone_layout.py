"""On a phone (390 px wide) the pages fit the screen: no sideways scrolling of the
whole page, the header wraps with Sign out on screen, and the task page stacks its
fields instead of overlapping them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import screenshot
from tests.browser.work_plan import WorkPeople, WorkProgram

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a {PHONE['width']} px phone"
    box = page.get_by_role("button", name="Sign out").bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]


def test_the_main_pages_fit_a_phone(
    page_as: Callable[[str], Page], work_people: WorkPeople, work_program: WorkProgram
) -> None:
    page = page_as(work_people.emails["rosa"])
    page.set_viewport_size(PHONE)
    task = work_program.task_ids["APP-1"]
    program = f"/programs/{work_program.id}"
    for path in (
        "/",
        "/resources",
        "/calendars",
        "/my-work",
        f"/tasks/{task}",
        program,
        f"{program}/resources",
        f"{program}/roadmap",
        f"{program}/milestones",
        f"{program}/impact",
        f"/projects/{work_program.project_ids['APP']}",
        f"{program}/settings",
        f"{program}/benefits",
        f"{program}/performance",
        f"{program}/governance",
        "/resources/new",
        "/search?q=APP",
    ):
        page.goto(path)
        _fits(page)
        # a table that scrolls sideways shows so: a shadow at the edge it goes on past
        bare = page.locator("table.data, .card--flush").evaluate_all(
            "els => els.filter(e => e.scrollWidth > e.clientWidth + 1"
            " && getComputedStyle(e).overflowX === 'auto'"
            " && !getComputedStyle(e).backgroundImage.includes('radial-gradient'))"
            ".map(e => e.className)"
        )
        assert bare == [], (path, bare)
        if path == program:
            # each verdict tile reads whole: no date or figure cut to an ellipsis
            cut = page.locator(
                ".verdict-strip .tile__value, .verdict-strip .tile__sub"
            ).evaluate_all(
                "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)"
            )
            assert cut == [], cut
            # the milestones stack, row by row, instead of scrolling sideways in their card
            table = page.get_by_test_id("milestones")
            assert table.evaluate("t => t.scrollWidth <= t.clientWidth + 1")
            slip = table.get_by_test_id("slip").first.bounding_box()
            assert slip is not None and slip["x"] + slip["width"] <= PHONE["width"], slip
        if path.startswith("/projects/"):
            # the WBS scrolls in its card with the task names kept (they shrank to nothing)
            name = page.locator("#wbs th", has_text="Task").bounding_box()
            assert name is not None and name["width"] >= 150, name
        if path.endswith("/roadmap"):
            # the names stay beside the bars however far the chart is scrolled
            page.locator(".rm-viewport").evaluate("v => { v.scrollLeft = v.scrollWidth; }")
            labels = page.get_by_test_id("roadmap-rows").bounding_box()
            chart = page.locator(".rm-viewport").bounding_box()
            assert labels is not None and chart is not None
            assert abs(labels["x"] - chart["x"]) < 2, (labels, chart)
            assert labels["width"] < chart["width"] / 2, (labels, chart)
        if path.endswith("/resources") and path != "/resources":
            # the form takes its card's width (a hidden floated "busy" note squeezed it)
            form = page.get_by_test_id("level-form").bounding_box()
            card = page.get_by_test_id("leveling").bounding_box()
            assert form is not None and card is not None
            assert form["width"] >= card["width"] - 60, (form, card)
    screenshot(page, "phone-task.png", full_page=True)


def test_the_task_page_stacks_its_fields_on_a_phone(
    page_as: Callable[[str], Page], work_people: WorkPeople, work_program: WorkProgram
) -> None:
    page = page_as(work_people.emails["rosa"])
    page.set_viewport_size(PHONE)
    page.goto(f"/tasks/{work_program.task_ids['APP-1']}")
    boxes = [
        page.get_by_label(label, exact=True).bounding_box()
        for label in ("Actual start", "Actual finish")
    ]
    assert all(boxes), boxes
    first, second = boxes
    assert first is not None and second is not None
    # one above the other, not side by side over each other
    assert second["y"] >= first["y"] + first["height"]

"""The roadmap on a phone (390 px): its controls wrap on screen, task names stay
readable beside the bars, and a program whose work is not under way today opens on that
work, not on an empty stretch of weeks around today.

The work program (``tests/browser/work_plan.py``) runs from Monday 1 March 2027 to
26 March 2027: APP-1 Design 1–5 March … APP-3 Test 22–26 March.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from playwright.sync_api import Locator, Page, expect

from podium.web import roadmap
from tests.browser.conftest import screenshot
from tests.browser.work_plan import WorkPeople, WorkProgram

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
OpenPage = Callable[[str], Page]


def _open(
    page_as: OpenPage,
    people: WorkPeople,
    program: WorkProgram,
    monkeypatch: pytest.MonkeyPatch,
    *,
    today: date,
    size: dict[str, int],
) -> Page:
    monkeypatch.setattr(roadmap, "today", lambda: today)
    page = page_as(people.emails["rosa"])
    page.set_viewport_size(size)
    page.goto(f"/programs/{program.id}/roadmap")
    expect(page.locator("#roadmap")).to_have_attribute("data-state", "ready")
    return page


def _box(locator: Locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None
    return found


def _in_view(page: Page, program: WorkProgram, key: str) -> bool:
    """Whether the task's bar is wholly in the chart's visible part (right of the names)."""
    chart = page.locator(".rm-viewport")
    names = _box(page.locator(".rm-labels"))
    seen = _box(chart)
    bar = _box(page.locator(f'.rm-bars [data-node="t{program.task_ids[key]}"] .rm-bar__body'))
    left, right = names["x"] + names["width"], seen["x"] + seen["width"]
    return left <= bar["x"] and bar["x"] + bar["width"] <= right


def test_on_a_phone_the_controls_wrap_on_screen_and_names_stay_readable(
    page_as: OpenPage,
    work_people: WorkPeople,
    work_program: WorkProgram,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = _open(
        page_as, work_people, work_program, monkeypatch, today=date(2027, 3, 10), size=PHONE
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    card = _box(page.locator("#roadmap"))
    for name in ("Day", "Week", "Month", "Quarter", "Expand all", "Collapse all", "Go to today"):
        button = _box(page.get_by_role("button", name=name, exact=True))
        assert card["x"] <= button["x"] and button["x"] + button["width"] <= (
            card["x"] + card["width"]
        ), name
        assert button["height"] < 40, f"{name} is broken over two lines"
    page.get_by_role("button", name="Quarter", exact=True).click()
    expect(page.locator(".rm-head-svg")).to_have_attribute("data-zoom", "quarter")

    # a key and a short name read whole, a critical one too (its tag a ▲, still "critical"
    # to a screen reader); a long name keeps a good part of itself
    design = page.locator(f'.rm-labels [data-node="t{work_program.task_ids["APP-1"]}"]')
    expect(design.get_by_test_id("critical-tag")).to_have_text("critical")
    assert design.locator(".rm-name").evaluate("e => e.scrollWidth <= e.clientWidth")
    servers = page.locator(f'.rm-labels [data-node="t{work_program.task_ids["OPS-1"]}"] .rm-name')
    expect(servers).to_contain_text("Provision servers")
    assert _box(servers)["width"] >= 90
    screenshot(page, "roadmap-phone.png", full_page=True)


def test_a_program_that_starts_after_today_opens_on_its_first_work(
    page_as: OpenPage,
    work_people: WorkPeople,
    work_program: WorkProgram,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 16 weeks before the work: today is on the chart, the work far to its right
    page = _open(
        page_as, work_people, work_program, monkeypatch, today=date(2026, 11, 10), size=PHONE
    )
    assert _in_view(page, work_program, "APP-1")
    expect(page.locator(".rm-today")).to_have_count(1)
    screenshot(page.locator("#roadmap"), "roadmap-phone-future.png")
    # "Go to today" still goes to today, where there is no work yet
    page.get_by_role("button", name="Go to today").click()
    assert not _in_view(page, work_program, "APP-1")


def test_a_program_that_finished_before_today_opens_on_its_last_work(
    page_as: OpenPage,
    work_people: WorkPeople,
    work_program: WorkProgram,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = _open(
        page_as, work_people, work_program, monkeypatch, today=date(2027, 6, 1), size=PHONE
    )
    assert _in_view(page, work_program, "APP-3")


def test_a_program_under_way_still_opens_on_today(
    page_as: OpenPage,
    work_people: WorkPeople,
    work_program: WorkProgram,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = _open(
        page_as, work_people, work_program, monkeypatch, today=date(2027, 3, 16), size=PHONE
    )
    line = _box(page.locator(".rm-today"))
    names, seen = _box(page.locator(".rm-labels")), _box(page.locator(".rm-viewport"))
    assert names["x"] + names["width"] <= line["x"] <= seen["x"] + seen["width"]

"""The roadmap (Gantt) in a real browser: dates from the API, arrows, critical path, zoom,
collapse, and a manager's drag that reschedules another project."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import Engine, select

from podium.db import session_factory
from podium.models import Calendar, Program, Task, User
from podium.services.uow import complete
from tests.browser.conftest import PlanProgram, World, screenshot, sign_in
from tests.factories import make_program, make_project

pytestmark = pytest.mark.browser


def open_roadmap(page: Page, program: PlanProgram, email: str) -> Locator:
    sign_in(page, email)
    page.goto(f"/programs/{program.id}/roadmap")
    chart = page.locator("#roadmap")
    expect(chart).to_have_attribute("data-state", "ready")
    return chart


def api_tasks(page: Page, program: PlanProgram) -> dict[str, dict[str, Any]]:
    """The program's tasks by key, read through the API with the browser's session."""
    response = page.request.get(f"/api/v1/tasks?program_id={program.id}&limit=200")
    assert response.ok, response.text()
    return {t["key"]: t for t in response.json()["items"]}


def bar(page: Page, program: PlanProgram, key: str) -> Locator:
    return page.locator(f'.rm-bars [data-node="t{program.task_ids[key]}"]')


def label(page: Page, program: PlanProgram, key: str) -> Locator:
    return page.locator(f'.rm-labels [data-node="t{program.task_ids[key]}"]')


def box(locator: Locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None
    return found


def test_the_roadmap_shows_every_project_milestones_and_the_today_line(
    page: Page, plan_program: PlanProgram, plan_people: dict[str, str]
) -> None:
    open_roadmap(page, plan_program, plan_people["maya"])

    projects = page.locator(".rm-labels .rm-label--project")
    expect(projects).to_have_count(5)
    expect(projects.nth(0)).to_contain_text("Platform upgrade")
    expect(page.locator(".rm-bars .rm-bar--pmilestone")).to_have_count(4)
    expect(page.locator(".rm-bars .rm-bar--summary")).to_have_count(2)
    expect(page.locator(".rm-bars .rm-bar--milestone").first).to_be_visible()
    expect(page.locator(".rm-today")).to_have_count(1)
    expect(page.get_by_test_id("roadmap-status")).to_contain_text("5 projects, 29 tasks")
    expect(page.get_by_role("link", name="Roadmap")).to_have_attribute("aria-current", "page")


def test_bars_match_the_dates_the_api_gives(
    page: Page, plan_program: PlanProgram, plan_people: dict[str, str]
) -> None:
    open_roadmap(page, plan_program, plan_people["maya"])
    tasks = api_tasks(page, plan_program)
    px = float(page.locator(".rm-svg").get_attribute("data-px-per-day") or 0)
    assert px > 0

    for key in ("PLAT-4", "SEC-4", "DATA-5", "TRAIN-3", "VEND-3"):
        expect(bar(page, plan_program, key)).to_have_attribute(
            "data-start", tasks[key]["early_start"]
        )
        expect(bar(page, plan_program, key)).to_have_attribute(
            "data-finish", tasks[key]["early_finish"]
        )
    # and they are drawn there: the width is the span in days, the offsets the gaps
    first, second = (
        box(bar(page, plan_program, k).locator(".rm-bar__body")) for k in ("PLAT-4", "DATA-5")
    )
    span = date.fromisoformat(tasks["PLAT-4"]["early_finish"]) - date.fromisoformat(
        tasks["PLAT-4"]["early_start"]
    )
    assert first["width"] == pytest.approx((span.days + 1) * px, abs=1.5)
    gap = date.fromisoformat(tasks["DATA-5"]["early_start"]) - date.fromisoformat(
        tasks["PLAT-4"]["early_start"]
    )
    assert second["x"] - first["x"] == pytest.approx(gap.days * px, abs=1.5)


def test_cross_project_arrows_are_dashed_and_coloured_differently(
    page: Page, plan_program: PlanProgram, plan_people: dict[str, str]
) -> None:
    open_roadmap(page, plan_program, plan_people["maya"])
    ids = plan_program.task_ids

    cross = page.locator(f'.rm-link[data-from="t{ids["SEC-5"]}"][data-to="t{ids["DATA-4"]}"]')
    within = page.locator(f'.rm-link[data-from="t{ids["DATA-1"]}"][data-to="t{ids["DATA-2"]}"]')
    expect(cross).to_have_class(re.compile(r"\brm-link--cross\b"))
    expect(within).not_to_have_class(re.compile(r"\brm-link--cross\b"))

    def style(locator: Locator) -> dict[str, str]:
        return locator.evaluate(
            "el => { const s = getComputedStyle(el); "
            "return {dash: s.strokeDasharray, stroke: s.stroke}; }"
        )

    cross_style, within_style = style(cross), style(within)
    assert cross_style["dash"] not in ("", "none")
    assert within_style["dash"] in ("", "none")
    assert cross_style["stroke"] != within_style["stroke"]
    # every cross-project dependency of the program is drawn as one
    expect(page.locator(".rm-link--cross")).to_have_count(8)


def test_critical_tasks_are_marked_in_colour_and_in_words(
    page: Page, plan_program: PlanProgram, plan_people: dict[str, str]
) -> None:
    open_roadmap(page, plan_program, plan_people["maya"])
    tasks = api_tasks(page, plan_program)
    critical = sorted(k for k, t in tasks.items() if t["is_critical"])
    assert critical, "the sample plan has a critical path"

    for key, task in tasks.items():
        marked = re.compile(r"\bis-critical\b")
        if task["is_critical"]:
            expect(bar(page, plan_program, key)).to_have_class(marked)
            expect(label(page, plan_program, key).get_by_test_id("critical-tag")).to_have_text(
                "critical"
            )
        else:
            expect(bar(page, plan_program, key)).not_to_have_class(marked)
            expect(label(page, plan_program, key).get_by_test_id("critical-tag")).to_have_count(0)


def test_zoom_changes_the_scale(
    page: Page, plan_program: PlanProgram, plan_people: dict[str, str]
) -> None:
    open_roadmap(page, plan_program, plan_people["maya"])
    page.get_by_role("button", name="Week", exact=True).click()
    week_width = box(bar(page, plan_program, "PLAT-4").locator(".rm-bar__body"))["width"]

    page.get_by_role("button", name="Month", exact=True).click()

    expect(page.get_by_role("button", name="Month", exact=True)).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator(".rm-head-svg")).to_have_attribute("data-zoom", "month")
    month_width = box(bar(page, plan_program, "PLAT-4").locator(".rm-bar__body"))["width"]
    assert month_width < week_width / 2
    expect(page.locator(".rm-head__bottom").first).to_have_text(
        re.compile(r"^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)$")
    )

    page.get_by_role("button", name="Day", exact=True).click()
    day_width = box(bar(page, plan_program, "PLAT-4").locator(".rm-bar__body"))["width"]
    assert day_width > week_width * 3
    expect(page.locator(".rm-head-svg")).to_have_attribute("data-zoom", "day")


def test_the_today_badge_leaves_the_period_labels_readable_at_every_zoom(
    page: Page, plan_program: PlanProgram, plan_people: dict[str, str]
) -> None:
    open_roadmap(page, plan_program, plan_people["maya"])
    for zoom in ("Day", "Week", "Month", "Quarter"):
        page.get_by_role("button", name=zoom, exact=True).click()
        expect(page.locator(".rm-head-svg")).to_have_attribute("data-zoom", zoom.lower())
        covered = page.evaluate(
            """() => {
                const badge = document.querySelector(".rm-head__today");
                if (!badge) return [];
                const b = badge.getBoundingClientRect();
                return [...document.querySelectorAll(".rm-head__top")]
                    .filter((t) => {
                        const r = t.getBoundingClientRect();
                        return r.left < b.right && r.right > b.left;
                    })
                    .map((t) => t.textContent);
            }"""
        )
        assert covered == [], zoom


def test_collapsing_a_project_hides_its_rows_and_expanding_brings_them_back(
    page: Page, plan_program: PlanProgram, plan_people: dict[str, str]
) -> None:
    open_roadmap(page, plan_program, plan_people["maya"])
    toggle = page.get_by_role("button", name="Collapse PLAT Platform upgrade")
    expect(label(page, plan_program, "PLAT-4")).to_be_visible()

    toggle.click()

    expect(label(page, plan_program, "PLAT-4")).to_have_count(0)
    expect(bar(page, plan_program, "PLAT-4")).to_have_count(0)
    expect(label(page, plan_program, "SEC-4")).to_be_visible()
    expanded = page.get_by_role("button", name="Expand PLAT Platform upgrade")
    expect(expanded).to_have_attribute("aria-expanded", "false")

    expanded.click()
    expect(label(page, plan_program, "PLAT-4")).to_be_visible()

    # a summary task collapses too
    page.get_by_role("button", name="Collapse PLAT-2 Landing zone").click()
    expect(label(page, plan_program, "PLAT-3")).to_have_count(0)
    expect(label(page, plan_program, "PLAT-5")).to_be_visible()


def drag_bar(page: Page, target: Locator, dx: float) -> None:
    target.scroll_into_view_if_needed()
    where = box(target)
    x, y = where["x"] + min(12, where["width"] / 3), where["y"] + where["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 6):
        page.mouse.move(x + dx * step / 5, y)
    page.mouse.up()


def test_a_managers_drag_moves_the_successor_in_another_project_and_highlights_it(
    page: Page, fresh_plan: PlanProgram, plan_people: dict[str, str]
) -> None:
    open_roadmap(page, fresh_plan, plan_people["omar"])
    before = api_tasks(page, fresh_plan)
    page.get_by_role("button", name="Week", exact=True).click()
    px = float(page.locator(".rm-svg").get_attribute("data-px-per-day") or 0)

    drag_bar(page, bar(page, fresh_plan, "SEC-4").locator(".rm-bar__body"), 10 * px)

    status = page.get_by_test_id("roadmap-status")
    expect(status).to_contain_text("Saved SEC-4", timeout=15_000)
    after = api_tasks(page, fresh_plan)
    assert after["SEC-4"]["constraint_type"] == "snet"
    assert after["SEC-4"]["early_start"] > before["SEC-4"]["early_start"]
    # the successor in the data-transfer project moved, and the chart says so
    assert after["DATA-4"]["early_start"] > before["DATA-4"]["early_start"]
    moved = re.compile(r"\bis-moved\b")
    for key in ("SEC-4", "SEC-5", "DATA-4"):
        expect(bar(page, fresh_plan, key)).to_have_class(moved)
        expect(bar(page, fresh_plan, key)).to_have_attribute(
            "data-start", after[key]["early_start"]
        )
        expect(label(page, fresh_plan, key).get_by_test_id("moved-tag")).to_be_visible()
    expect(bar(page, fresh_plan, "DATA-1")).not_to_have_class(moved)
    expect(status).to_contain_text("DATA")
    expect(page.locator(".rm-ghost").first).to_be_attached()


def test_a_manager_types_a_new_duration_and_the_chart_shows_what_moved(
    page: Page, fresh_plan: PlanProgram, plan_people: dict[str, str]
) -> None:
    open_roadmap(page, fresh_plan, plan_people["omar"])
    before = api_tasks(page, fresh_plan)

    label(page, fresh_plan, "PLAT-5").get_by_role("button", name=re.compile("Pilot")).click()
    panel = page.get_by_role("complementary", name="Selected task")
    duration = panel.get_by_label("Duration (working days)")
    expect(duration).to_have_value(str(before["PLAT-5"]["duration"]))
    start = panel.get_by_label("Start no earlier than")  # only the days a plan may hold
    expect(start).to_have_attribute("min", "1900-01-01")
    expect(start).to_have_attribute("max", "2200-12-31")
    duration.fill(str(before["PLAT-5"]["duration"] + 5))
    panel.get_by_role("button", name="Save and reschedule").click()

    expect(page.get_by_test_id("roadmap-status")).to_contain_text("Saved PLAT-5")
    after = api_tasks(page, fresh_plan)
    assert after["PLAT-5"]["duration"] == before["PLAT-5"]["duration"] + 5
    assert after["TRAIN-3"]["early_start"] > before["TRAIN-3"]["early_start"]
    expect(bar(page, fresh_plan, "TRAIN-3")).to_have_class(re.compile(r"\bis-moved\b"))


def test_a_viewer_has_no_handles_and_a_forged_change_is_refused(
    page: Page, plan_program: PlanProgram, plan_people: dict[str, str]
) -> None:
    open_roadmap(page, plan_program, plan_people["vera"])
    before = api_tasks(page, plan_program)

    expect(page.locator(".rm-handle")).to_have_count(0)
    expect(page.locator(".rm-bar.is-draggable")).to_have_count(0)
    expect(page.get_by_test_id("edit-hint")).to_contain_text("managers move tasks")
    page.get_by_role("button", name="Week", exact=True).click()
    drag_bar(page, bar(page, plan_program, "SEC-4").locator(".rm-bar__body"), 70)
    panel = page.get_by_role("complementary", name="Selected task")
    expect(panel.get_by_label("Duration (working days)")).to_have_count(0)

    status = page.evaluate(
        """async (id) => {
            const token = document.querySelector('meta[name="csrf-token"]').content;
            const r = await fetch('/api/v1/tasks/' + id, {
                method: 'PATCH',
                headers: {'Content-Type': 'application/json', 'X-CSRF-Token': token},
                body: JSON.stringify({constraint_type: 'snet', constraint_date: '2030-01-07'}),
            });
            return r.status;
        }""",
        plan_program.task_ids["SEC-4"],
    )

    assert status == 403
    assert api_tasks(page, plan_program) == before


def test_screenshot_of_the_roadmap(
    page: Page, plan_program: PlanProgram, plan_people: dict[str, str]
) -> None:
    open_roadmap(page, plan_program, plan_people["maya"])
    page.get_by_role("button", name="Week", exact=True).click()
    expect(page.locator(".rm-today")).to_have_count(1)
    screenshot(page, "roadmap.png")


def test_the_plan_pages_and_their_data_are_not_found_for_non_members(
    page: Page, plan_program: PlanProgram, world: World
) -> None:
    sign_in(page, world.emails["ben"])
    for path in ("roadmap", "roadmap.json", "dependencies", "dependencies.json", "impact"):
        response = page.request.get(f"/programs/{plan_program.id}/{path}")
        assert response.status == 404, path


def test_baseline_bars_show_the_current_baselines_dates_under_the_live_ones(
    page: Page, fresh_plan: PlanProgram, plan_people: dict[str, str]
) -> None:
    open_roadmap(page, fresh_plan, plan_people["maya"])
    token = page.locator("meta[name='csrf-token']").get_attribute("content") or ""
    headers = {"X-CSRF-Token": token}
    taken = page.request.post(
        f"/api/v1/programs/{fresh_plan.id}/baselines", data={"name": "Plan"}, headers=headers
    )
    assert taken.ok, taken.text()
    before = api_tasks(page, fresh_plan)
    task_id = fresh_plan.task_ids["SEC-4"]
    moved = page.request.patch(
        f"/api/v1/tasks/{task_id}",
        data={"duration": before["SEC-4"]["duration"] + 5},
        headers=headers,
    )
    assert moved.ok, moved.text()
    page.reload()
    expect(page.locator("#roadmap")).to_have_attribute("data-state", "ready")
    after = api_tasks(page, fresh_plan)
    planned = page.locator(f'[data-baseline-of="t{task_id}"]')
    expect(planned).to_have_attribute("data-baseline-finish", before["SEC-4"]["early_finish"])
    expect(bar(page, fresh_plan, "SEC-4")).to_have_attribute(
        "data-finish", after["SEC-4"]["early_finish"]
    )
    assert after["SEC-4"]["early_finish"] > before["SEC-4"]["early_finish"]
    screenshot(page, "roadmap-baseline.png")


def test_an_extra_working_saturday_of_the_program_calendar_is_not_shaded_as_a_day_off(
    page: Page, web_engine: Engine, fresh_plan: PlanProgram, plan_people: dict[str, str]
) -> None:
    # the program moves to a calendar of its own: its week and holidays, and one Saturday
    # worked, on the first weekend after PLAT-4 starts
    with session_factory(web_engine)() as db:
        program = db.get(Program, fresh_plan.id)
        task = db.get(Task, fresh_plan.task_ids["PLAT-4"])
        assert program is not None and task is not None and task.early_start is not None
        base = db.get(Calendar, program.calendar_id) if program.calendar_id else None
        start = task.early_start
        saturday = start + timedelta(days=(5 - start.weekday()) % 7 or 7)
        cal = Calendar(
            name=f"Cutover {fresh_plan.key}",
            weekmask="1111100",
            holidays=[
                h for h in (base.holidays if base else []) if h["date"] != saturday.isoformat()
            ],
            extra_workdays=[{"date": saturday.isoformat(), "name": "cutover"}],
        )
        db.add(cal)
        db.flush()
        program.calendar_id = cal.id
        complete(db)

    open_roadmap(page, fresh_plan, plan_people["maya"])
    page.get_by_role("button", name="Day", exact=True).click()
    expect(page.locator(".rm-head-svg")).to_have_attribute("data-zoom", "day")
    px = float(page.locator(".rm-svg").get_attribute("data-px-per-day") or 0)
    group = bar(page, fresh_plan, "PLAT-4")
    shown_start = date.fromisoformat(group.get_attribute("data-start") or "")
    moved = re.search(r"translate\(([-\d.]+),", group.get_attribute("transform") or "")
    assert moved is not None and px > 0
    x_start = float(moved.group(1))

    def at(day: date) -> float:
        return x_start + (day - shown_start).days * px

    shaded = [
        float(x or 0)
        for x in page.locator(".rm-offday").evaluate_all(
            "rects => rects.map(r => r.getAttribute('x'))"
        )
    ]
    near = [x for x in shaded if abs(x - at(saturday)) < 0.5]
    sunday = [x for x in shaded if abs(x - at(saturday + timedelta(days=1))) < 0.5]
    next_saturday = [x for x in shaded if abs(x - at(saturday + timedelta(days=7))) < 0.5]
    assert near == [], "the extra working Saturday is shaded as a day off"
    assert len(sunday) == 1 and len(next_saturday) == 1


def test_the_roadmap_of_a_program_with_nothing_scheduled_draws_an_empty_chart(
    page: Page, web_engine: Engine, plan_people: dict[str, str]
) -> None:
    # a program with a start date and a project, but no task: no dated row at all
    with session_factory(web_engine)() as db:
        maya = db.scalars(select(User).where(User.email == plan_people["maya"])).one()
        program = make_program(db, owner=maya, key="EMPTY", name="Nothing planned yet")
        make_project(db, program, "IDLE")
        program_id = program.id

    sign_in(page, plan_people["maya"])
    page.goto(f"/programs/{program_id}/roadmap")
    expect(page.locator("#roadmap")).to_have_attribute("data-state", "ready")
    expect(page.locator(".rm-head-svg")).to_be_visible()
    expect(page.get_by_test_id("roadmap-status")).to_contain_text("not scheduled yet")

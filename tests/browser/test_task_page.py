"""The task page: computed dates as the API has them, edits by role, links across projects."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import Engine

from tests.browser.conftest import World, screenshot
from tests.browser.work_plan import WorkPeople, WorkProgram, api_get, assign_person

pytestmark = pytest.mark.browser

OpenPage = Callable[[str], Page]


def day_of(cell: Locator) -> str | None:
    return cell.locator("time").first.get_attribute("datetime")


def api_task(base: str, token: str, task_id: int) -> dict[str, Any]:
    result: dict[str, Any] = api_get(base, token, f"/tasks/{task_id}")
    return result


def cloud_task_id(world: World, live_server: str, key: str) -> int:
    token = world.tokens[world.emails["ana"]]
    found = api_get(live_server, token, "/tasks", program_id=world.program_ids["CLOUD"], q=key)
    return int(next(t["id"] for t in found["items"] if t["key"] == key))


def test_the_task_page_shows_the_apis_dates_and_floats_and_links_across_projects(
    page_as: OpenPage, world: World, live_server: str
) -> None:
    task_id = cloud_task_id(world, live_server, "PLAT-4")
    task = api_task(live_server, world.tokens[world.emails["ana"]], task_id)
    page = page_as(world.emails["ana"])
    page.goto(f"/tasks/{task_id}")

    schedule = page.get_by_test_id("schedule")
    for field in ("early_start", "early_finish", "late_start", "late_finish"):
        assert day_of(schedule.get_by_test_id(field.replace("_", "-"))) == task[field]
    expect(schedule.get_by_test_id("total-float")).to_have_text(str(task["total_float"]))
    expect(schedule.get_by_test_id("free-float")).to_have_text(str(task["free_float"]))
    expect(schedule.get_by_test_id("critical")).to_contain_text("Critical")

    before = page.get_by_test_id("predecessors").locator("[data-link-key]")
    expect(before).to_have_count(1)
    expect(before.first).to_have_attribute("data-link-key", "PLAT-3")
    after = page.get_by_test_id("successors")
    for key, project in (("SEC-4", "SEC"), ("VEND-1", "VEND")):
        link = after.locator(f'[data-link-key="{key}"]')
        expect(link).to_have_attribute("data-cross-project", "true")
        expect(link.get_by_test_id("project-key")).to_have_text(project)
        expect(link).to_contain_text("Cross-project")
        expect(link.get_by_test_id("type")).to_have_text("FS")
    same = after.locator('[data-link-key="PLAT-5"]')
    expect(same).not_to_have_attribute("data-cross-project", "true")
    expect(same).not_to_contain_text("Cross-project")


def test_a_manager_changes_a_duration_and_the_successors_move(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram, live_server: str
) -> None:
    token = work_people.tokens[work_people.emails["rosa"]]
    first, second = work_program.task_ids["APP-1"], work_program.task_ids["APP-2"]
    was = api_task(live_server, token, second)
    page = page_as(work_people.emails["rosa"])
    page.goto(f"/tasks/{first}")

    form = page.get_by_test_id("task-form")
    form.get_by_label("Duration (working days)").fill("8")
    form.get_by_label("Deadline").fill("2027-03-05")
    form.get_by_role("button", name="Save changes").click()

    expect(page.get_by_test_id("flash")).to_contain_text("Saved")
    expect(page.get_by_test_id("flash")).to_be_focused()
    now = api_task(live_server, token, second)
    assert (was["early_start"], now["early_start"]) == ("2027-03-08", "2027-03-11")
    successor = page.get_by_test_id("successors").locator('[data-link-key="APP-2"]')
    assert day_of(successor) == now["early_start"]
    mine = api_task(live_server, token, first)
    assert (mine["duration"], mine["deadline"]) == (8, "2027-03-05")
    assert day_of(page.get_by_test_id("early-finish")) == mine["early_finish"] == "2027-03-10"


def test_a_rule_of_the_service_shows_next_to_the_field_it_names(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram, live_server: str
) -> None:
    task_id = work_program.task_ids["APP-1"]
    page = page_as(work_people.emails["rosa"])
    page.goto(f"/tasks/{task_id}")

    form = page.get_by_test_id("task-form")
    form.get_by_label("Actual finish").fill("2027-03-05")
    form.get_by_label("Constraint", exact=True).select_option("snet")
    form.get_by_role("button", name="Save changes").click()

    form = page.get_by_test_id("task-form")
    expect(form.locator('[data-error-for="actual_start"]')).to_have_text(
        "Is required when actual finish is set."
    )
    expect(form.locator('[data-error-for="constraint_date"]')).to_have_text(
        "Is required for constraint snet."
    )
    expect(form.get_by_label("Constraint date")).to_be_focused()  # the first field in error
    expect(form.get_by_label("Actual finish")).to_have_value("2027-03-05")  # kept as typed
    token = work_people.tokens[work_people.emails["rosa"]]
    assert api_task(live_server, token, task_id)["actual_finish"] is None


def test_a_save_refused_after_someone_else_renamed_the_task_cannot_then_undo_the_rename(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram, live_server: str
) -> None:
    task_id = work_program.task_ids["APP-1"]
    token = work_people.tokens[work_people.emails["rosa"]]
    page = page_as(work_people.emails["rosa"])
    page.goto(f"/tasks/{task_id}")
    theirs = "Design (RENAMED BY B)"
    httpx.patch(
        f"{live_server}/api/v1/tasks/{task_id}",
        json={"name": theirs},
        headers={"Authorization": f"Bearer {token}"},
    ).raise_for_status()

    form = page.get_by_test_id("task-form")
    form.get_by_label("Duration (working days)").fill("200000")
    form.get_by_role("button", name="Save changes").click()
    form = page.get_by_test_id("task-form")
    expect(form.locator('[data-error-for="duration"]')).to_have_text("Must be at most 100,000.")
    expect(form.get_by_label("Name", exact=True)).to_have_value("Design")  # as sent
    said = form.get_by_test_id("form-error")
    expect(said).to_contain_text("APP-1 was changed by someone else since you opened it")

    form.get_by_label("Duration (working days)").fill("16")
    form.get_by_role("button", name="Save changes").click()
    form = page.get_by_test_id("task-form")
    expect(form.locator('[data-error-for="duration"]')).to_have_count(0)  # answered
    task = api_task(live_server, token, task_id)
    assert (task["name"], task["duration"]) == (theirs, 5)  # theirs kept, not overwritten
    expect(form.get_by_test_id("form-error")).to_contain_text("changed by someone else")
    expect(form.get_by_label("Duration (working days)")).to_have_value("16")


def test_a_three_point_estimate_out_of_order_is_said_in_its_own_fieldset(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram, live_server: str
) -> None:
    task_id = work_program.task_ids["APP-1"]
    page = page_as(work_people.emails["rosa"])
    page.goto(f"/tasks/{task_id}")

    form = page.get_by_test_id("task-form")
    for label, value in (("Optimistic", "20"), ("Most likely", "5"), ("Pessimistic", "2")):
        form.get_by_label(label, exact=True).fill(value)
    form.get_by_role("button", name="Save changes").click()

    form = page.get_by_test_id("task-form")
    fieldset = form.locator("fieldset", has_text="Three-point estimate")
    expect(fieldset.locator('[data-error-for="estimate"]')).to_have_text(
        "Needs optimistic ≤ most likely ≤ pessimistic."
    )
    expect(form.get_by_test_id("form-error")).to_have_count(0)
    expect(form.get_by_label("Optimistic", exact=True)).to_have_value("20")  # kept as typed
    token = work_people.tokens[work_people.emails["rosa"]]
    assert api_task(live_server, token, task_id)["estimate"] is None


def test_a_member_changes_progress_only(
    page_as: OpenPage,
    work_people: WorkPeople,
    work_program: WorkProgram,
    live_server: str,
    web_engine: Engine,
) -> None:
    assign_person(web_engine, work_program, work_people.emails["sam"], "APP-1")
    task_id = work_program.task_ids["APP-1"]
    page = page_as(work_people.emails["sam"])
    page.goto(f"/tasks/{task_id}")

    form = page.get_by_test_id("task-form")
    expect(page.get_by_test_id("member-note")).to_be_visible()
    expect(form.get_by_label("Name")).to_have_count(0)
    expect(form.get_by_label("Duration (working days)")).to_have_count(0)
    expect(page.get_by_test_id("link-form")).to_have_count(0)
    expect(page.get_by_test_id("plan-fields").get_by_test_id("duration")).to_have_text(
        "5 working days"
    )
    form.get_by_label("Actual start").fill("2027-03-01")
    form.get_by_label("% complete").fill("60")
    form.get_by_role("button", name="Save changes").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Saved")

    token = work_people.tokens[work_people.emails["sam"]]
    saved = api_task(live_server, token, task_id)
    assert (saved["actual_start"], saved["percent_complete"]) == ("2027-03-01", 60)

    csrf = page.locator('meta[name="csrf-token"]').get_attribute("content") or ""
    forged = page.request.post(f"/tasks/{task_id}", form={"csrf_token": csrf, "duration": "9"})
    assert forged.status == 403
    assert "progress" in forged.text()
    assert api_task(live_server, token, task_id)["duration"] == 5


def test_a_member_reads_a_task_not_assigned_to_them_without_a_form(
    page_as: OpenPage,
    work_people: WorkPeople,
    work_program: WorkProgram,
    live_server: str,
    web_engine: Engine,
) -> None:
    assign_person(web_engine, work_program, work_people.emails["sam"], "APP-1")  # not APP-2
    task_id = work_program.task_ids["APP-2"]
    page = page_as(work_people.emails["sam"])
    page.goto(f"/tasks/{task_id}")

    expect(page.get_by_test_id("unassigned-note")).to_contain_text(
        "you report progress on the tasks assigned to you, and APP-2 is not"
    )
    expect(page.get_by_test_id("member-note")).to_have_count(0)
    expect(page.get_by_test_id("task-form")).to_have_count(0)
    expect(page.get_by_test_id("progress-fields").get_by_test_id("actual-start")).to_have_text(
        "not started"
    )

    csrf = page.locator('meta[name="csrf-token"]').get_attribute("content") or ""
    forged = page.request.post(
        f"/tasks/{task_id}", form={"csrf_token": csrf, "percent_complete": "10"}
    )
    assert forged.status == 403
    assert "not assigned to you" in forged.text()
    token = work_people.tokens[work_people.emails["sam"]]
    assert api_task(live_server, token, task_id)["percent_complete"] == 0


def test_a_viewer_sees_no_edit_controls_and_posting_is_refused(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram, live_server: str
) -> None:
    task_id = work_program.task_ids["APP-2"]
    page = page_as(work_people.emails["uma"])
    page.goto(f"/tasks/{task_id}")

    expect(page.get_by_test_id("read-only-note")).to_be_visible()
    expect(page.locator("#task-page form")).to_have_count(0)
    expect(page.locator("#task-page input, #task-page select, #task-page button")).to_have_count(0)
    expect(page.get_by_test_id("progress-fields")).to_contain_text("not started")

    csrf = page.locator('meta[name="csrf-token"]').get_attribute("content") or ""
    for path, form in (
        (f"/tasks/{task_id}", {"percent_complete": "50"}),
        (f"/tasks/{task_id}/dependencies", {"relation": "successor", "other": "OPS-1"}),
    ):
        forged = page.request.post(path, form={"csrf_token": csrf, **form})
        assert forged.status == 403, path
    token = work_people.tokens[work_people.emails["uma"]]
    assert api_task(live_server, token, task_id)["percent_complete"] == 0


def test_links_are_added_and_removed_and_a_cycle_is_refused_naming_it(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram, live_server: str
) -> None:
    token = work_people.tokens[work_people.emails["rosa"]]
    task_id = work_program.task_ids["APP-1"]
    page = page_as(work_people.emails["rosa"])
    page.goto(f"/tasks/{task_id}")

    form = page.get_by_test_id("link-form")
    form.get_by_label("APP-1 …").select_option("predecessor")
    form.get_by_label("Task or milestone").fill("APP-3")
    form.get_by_role("button", name="Add link").click()
    cycle = page.get_by_test_id("cycle-error")
    expect(cycle).to_contain_text("would close a loop")
    expect(cycle.locator(".chain__key")).to_have_text(["APP-3", "APP-1", "APP-2", "APP-3"])

    form = page.get_by_test_id("link-form")
    form.get_by_label("APP-1 …").select_option("successor")
    form.get_by_label("Task or milestone").fill("OPS-1")
    form.get_by_label("Type").select_option("SS")
    form.get_by_label("Lag (working days)").fill("2")
    form.get_by_role("button", name="Add link").click()
    link = page.get_by_test_id("successors").locator('[data-link-key="OPS-1"]')
    expect(link).to_contain_text("Cross-project")
    expect(link.get_by_test_id("type")).to_have_text("SS")
    expect(link.get_by_test_id("lag")).to_have_text("+2d")
    ops = api_task(live_server, token, work_program.task_ids["OPS-1"])
    assert ops["early_start"] == "2027-03-03"  # two working days after APP-1 starts

    form = page.get_by_test_id("link-form")
    form.get_by_label("Task or milestone").fill("NOPE-9")
    form.get_by_role("button", name="Add link").click()
    expect(page.locator('[data-error-for="other"]')).to_have_text(
        "No task or milestone NOPE-9 in this program."
    )

    page.get_by_role("button", name="Remove the link with OPS-1").click()
    expect(page.get_by_test_id("flash")).to_have_text("Removed the link with OPS-1.")
    expect(page.get_by_test_id("successors").locator('[data-link-key="OPS-1"]')).to_have_count(0)
    links = api_get(live_server, token, "/dependencies", task_id=task_id)["items"]
    assert [(d["predecessor"]["key"], d["successor"]["key"]) for d in links] == [("APP-1", "APP-2")]


def test_screenshot_of_a_task(page_as: OpenPage, world: World, live_server: str) -> None:
    page = page_as(world.emails["ana"])
    page.goto(f"/tasks/{cloud_task_id(world, live_server, 'PLAT-4')}")
    expect(page.get_by_test_id("successors")).to_be_visible()
    screenshot(page, "task.png")


def test_a_manager_changes_a_links_type_and_lag_in_place(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram
) -> None:
    # Build (8–19 March) waits on Design (1–5 March); with a lag of 2 it starts on the
    # 10th and finishes on the 23rd
    page = page_as(work_people.emails["rosa"])
    page.goto(f"/tasks/{work_program.task_ids['APP-2']}")
    link = page.get_by_test_id("predecessors").locator('[data-link-key="APP-1"]')
    link.get_by_label("Change the link with APP-1").click()
    link.get_by_label("Lag in working days with APP-1").fill("2")
    link.get_by_role("button", name="Change").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Changed the link with APP-1.")
    expect(page.get_by_test_id("early-finish")).to_contain_text("23 Mar 2027")
    link = page.get_by_test_id("predecessors").locator('[data-link-key="APP-1"]')
    expect(link.get_by_test_id("lag")).to_have_text("+2d")


def test_a_summary_task_shows_the_span_and_progress_of_its_sub_tasks(
    page_as: OpenPage, world: World, live_server: str
) -> None:
    token = world.tokens[world.emails["ana"]]
    summary = api_task(live_server, token, cloud_task_id(world, live_server, "PLAT-2"))
    design, build = (
        api_task(live_server, token, cloud_task_id(world, live_server, key))
        for key in ("PLAT-3", "PLAT-4")
    )
    weighted = sum(t["duration"] * t["percent_complete"] for t in (design, build)) / (
        design["duration"] + build["duration"]
    )
    # the landing zone spans its design and build, started when the design did
    assert summary["is_summary"] and summary["percent_complete"] == round(weighted, 2) > 0
    assert summary["actual_start"] == design["actual_start"] and summary["actual_finish"] is None
    page = page_as(world.emails["ana"])
    page.goto(f"/tasks/{summary['id']}")
    form = page.get_by_test_id("task-form")
    expect(form.get_by_label("Duration (working days)")).to_have_value(str(summary["duration"]))
    expect(form.get_by_label("% complete")).to_have_value(f"{summary['percent_complete']:g}")
    expect(form.get_by_label("Actual start")).to_have_value(design["actual_start"])
    expect(page.get_by_test_id("summary-progress")).to_contain_text("weighted by their durations")
    screenshot(page, "task-summary.png", full_page=True)

    viewer = page_as(world.emails["dan"])
    viewer.goto(f"/tasks/{summary['id']}")
    expect(viewer.get_by_test_id("duration")).to_contain_text(f"{summary['duration']} working days")
    # the rolled-up percent (two decimals in the form) reads as a whole percent
    whole = min(99, max(1, round(summary["percent_complete"])))
    expect(viewer.get_by_test_id("percent")).to_have_text(f"{whole} %")


def test_a_constraint_a_summary_cannot_keep_is_refused_next_to_its_field(
    page_as: OpenPage, world: World, live_server: str
) -> None:
    # PLAT-2 "Landing zone" has sub-tasks: a must start on is refused beside the constraint
    # (before anything is saved), not as a general message that the plan cannot be scheduled
    task_id = cloud_task_id(world, live_server, "PLAT-2")
    page = page_as(world.emails["ana"])
    page.goto(f"/tasks/{task_id}")

    form = page.get_by_test_id("task-form")
    form.get_by_label("Constraint", exact=True).select_option("mso")
    form.get_by_label("Constraint date").fill("2027-03-01")
    form.get_by_role("button", name="Save changes").click()

    form = page.get_by_test_id("task-form")
    expect(form.locator('[data-error-for="constraint_type"]')).to_contain_text(
        'a summary task cannot keep a "must start on" constraint'
    )
    expect(form.get_by_label("Constraint", exact=True)).to_be_focused()
    screenshot(page, "task-summary-constraint-refused.png")
    saved = api_task(live_server, world.tokens[world.emails["ana"]], task_id)
    assert saved["constraint_type"] == "asap"

"""A project's WBS: dates as the API has them; managers edit in place and every edit reschedules."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import Engine, select

from podium.db import session_factory
from podium.models import Project, Task, User
from podium.services import tasks as task_service
from podium.services.actor import Actor
from podium.services.uow import complete
from tests.browser.conftest import PlanProgram, World, screenshot
from tests.browser.work_plan import WorkPeople, WorkProgram, api_get, grow_app

pytestmark = pytest.mark.browser

OpenPage = Callable[[str], Page]


def day_of(cell: Locator) -> str | None:
    return cell.locator("time").first.get_attribute("datetime")


def api_tasks(base: str, token: str, project_id: int) -> dict[str, dict[str, Any]]:
    items = api_get(base, token, "/tasks", project_id=project_id, limit=500)["items"]
    return {t["key"]: t for t in items}


TABLE_JS = """rows => rows.map(r => {
    const cell = (id) => r.querySelector(`[data-testid="${id}"]`);
    const day = (id) => cell(id).querySelector("time")?.getAttribute("datetime") ?? null;
    return {
        key: r.dataset.taskKey,
        wbs: cell("wbs-code").textContent.trim(),
        start: day("start"),
        finish: day("finish"),
        float: cell("float").textContent.trim(),
        critical: cell("critical") !== null,
    };
})"""


def row(page: Page, key: str) -> Locator:
    return page.locator(f'#wbs tr[data-task-key="{key}"]')


def test_the_wbs_shows_every_task_with_the_apis_dates_floats_and_critical_marks(
    page_as: OpenPage, world: World, live_server: str
) -> None:
    token = world.tokens[world.emails["ana"]]
    plat = next(
        p
        for p in api_get(live_server, token, "/projects", program_id=world.program_ids["CLOUD"])[
            "items"
        ]
        if p["key"] == "PLAT"
    )
    expected = api_tasks(live_server, token, plat["id"])
    page = page_as(world.emails["ana"])
    page.goto(f"/programs/{world.program_ids['CLOUD']}/projects")
    page.get_by_role("link", name="Platform upgrade").click()

    rows = page.locator("#wbs tr[data-task-key]")
    expect(rows).to_have_count(len(expected))
    shown = rows.evaluate_all(TABLE_JS)
    in_wbs_order = sorted(expected.values(), key=lambda t: [int(p) for p in t["wbs"].split(".")])
    assert [r["key"] for r in shown] == [t["key"] for t in in_wbs_order]
    for r in shown:
        task = expected[r["key"]]
        assert r["wbs"] == task["wbs"]
        assert (r["start"], r["finish"]) == (task["early_start"], task["early_finish"])
        assert r["float"].startswith(f"{task['total_float']} d")
        assert r["critical"] == task["is_critical"]
    expect(row(page, "PLAT-4").get_by_test_id("duration")).to_have_text("40 d")
    # indentation follows the WBS: sub-tasks of the summary sit deeper
    name_x = row(page, "PLAT-3").locator(".wbs-name__inner .key").bounding_box()
    parent_x = row(page, "PLAT-2").locator(".wbs-name__inner .key").bounding_box()
    assert name_x and parent_x and name_x["x"] > parent_x["x"]


def test_changing_a_duration_in_place_moves_the_successor_in_the_table_and_the_api(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram, live_server: str
) -> None:
    token = work_people.tokens[work_people.emails["rosa"]]
    app = work_program.project_ids["APP"]
    before = api_tasks(live_server, token, app)
    page = page_as(work_people.emails["rosa"])
    page.goto(f"/projects/{app}")
    assert day_of(row(page, "APP-3").get_by_test_id("start")) == before["APP-3"]["early_start"]

    row(page, "APP-2").get_by_role("link", name="Edit APP-2").click()
    editor = page.get_by_test_id("row-form")
    expect(editor.get_by_label("Name")).to_be_focused()
    editor.get_by_label("Duration (days)").fill("15")
    editor.get_by_role("button", name="Save").click()

    expect(page.get_by_test_id("flash")).to_contain_text("Saved APP-2")
    expect(row(page, "APP-2").get_by_test_id("duration")).to_have_text("15 d")
    after = api_tasks(live_server, token, app)
    assert after["APP-3"]["early_start"] != before["APP-3"]["early_start"]
    assert day_of(row(page, "APP-3").get_by_test_id("start")) == after["APP-3"]["early_start"]
    assert day_of(row(page, "APP-3").get_by_test_id("finish")) == after["APP-3"]["early_finish"]
    # one week later (five more working days, no holidays in March 2027)
    assert after["APP-3"]["early_start"] == "2027-03-29"
    assert before["APP-3"]["early_start"] == "2027-03-22"


def test_a_validation_error_shows_next_to_its_field_and_nothing_is_saved(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram, live_server: str
) -> None:
    app = work_program.project_ids["APP"]
    page = page_as(work_people.emails["rosa"])
    page.goto(f"/projects/{app}")

    row(page, "APP-1").get_by_role("link", name="Edit APP-1").click()
    editor = page.get_by_test_id("row-form")
    editor.get_by_label("Name").fill("")
    editor.get_by_label("Duration (days)").fill("-3")
    editor.get_by_role("button", name="Save").click()

    name_error = editor.locator('[data-error-for="name"]')
    expect(name_error).to_have_text("Required.")
    expect(editor.locator('[data-error-for="duration"]')).to_have_text("Must be at least 0.")
    expect(editor.get_by_label("Name")).to_have_attribute("aria-invalid", "true")
    expect(editor.get_by_label("Name")).to_be_focused()
    # the message is tied to its field, and sits right under it
    described = editor.get_by_label("Name").get_attribute("aria-describedby") or ""
    assert "row-name-error" in described
    field_box = editor.get_by_label("Duration (days)").bounding_box()
    error_box = editor.locator('[data-error-for="duration"]').bounding_box()
    assert field_box and error_box and 0 <= error_box["y"] - field_box["y"] < 60
    token = work_people.tokens[work_people.emails["rosa"]]
    assert api_tasks(live_server, token, app)["APP-1"]["duration"] == 5

    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_test_id("row-form")).to_have_count(0)


def test_typing_into_another_field_before_the_opened_form_settles_keeps_the_focus_there(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram
) -> None:
    """An opened row form focuses its name once it settles; someone quicker than that,
    already typing a duration, keeps typing into the duration."""
    page = page_as(work_people.emails["rosa"])
    page.goto(f"/projects/{work_program.project_ids['APP']}")
    # a settle slow enough to type into during it, and a flag raised when it is done
    page.evaluate(
        """() => {
            htmx.config.defaultSettleDelay = 400;
            document.addEventListener(
                "htmx:afterSettle", () => { document.body.dataset.settled = "yes"; },
                { once: true });
        }"""
    )
    row(page, "APP-1").get_by_role("link", name="Edit APP-1").click()
    editor = page.get_by_test_id("row-form")
    duration = editor.get_by_label("Duration (days)")
    duration.fill("12")
    assert page.evaluate("document.body.dataset.settled") is None  # typed before it settled
    expect(page.locator("body")).to_have_attribute("data-settled", "yes")
    expect(duration).to_be_focused()
    page.keyboard.type("0")
    expect(duration).to_have_value("120")
    expect(editor.get_by_label("Name")).not_to_have_value(re.compile("0"))


def test_the_add_form_shows_errors_by_field(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram
) -> None:
    page = page_as(work_people.emails["rosa"])
    page.goto(f"/projects/{work_program.project_ids['APP']}")
    form = page.get_by_test_id("add-form")
    form.get_by_label("Name").fill("Release notes")
    form.get_by_label("Key").fill("APP-1")  # taken
    form.get_by_role("button", name="Add task").click()

    expect(form.locator('[data-error-for="key"]')).to_contain_text("already has a task with key")
    expect(form.get_by_label("Name")).to_have_value("Release notes")


def test_add_indent_outdent_move_and_delete_a_task(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram, live_server: str
) -> None:
    app = work_program.project_ids["APP"]
    page = page_as(work_people.emails["rosa"])
    page.goto(f"/projects/{app}")

    form = page.get_by_test_id("add-form")
    form.get_by_label("Name").fill("Release notes")
    form.get_by_label("Duration").fill("3")
    form.get_by_role("button", name="Add task").click()
    expect(page.get_by_test_id("flash")).to_have_text("Added APP-4.")
    expect(row(page, "APP-4").get_by_test_id("wbs-code")).to_have_text("4")
    expect(page.get_by_test_id("add-form").get_by_label("Name")).to_be_focused()

    row(page, "APP-4").get_by_role("button", name="Indent APP-4").click()
    expect(row(page, "APP-4").get_by_test_id("wbs-code")).to_have_text("3.1")
    # a summary now: the span of its one 3-day sub-task, not its own 5 days
    expect(row(page, "APP-3").get_by_test_id("duration")).to_have_text("3 d")

    row(page, "APP-4").get_by_role("button", name="Outdent APP-4").click()
    expect(row(page, "APP-4").get_by_test_id("wbs-code")).to_have_text("4")

    row(page, "APP-4").get_by_role("button", name="Move APP-4 up").click()
    expect(row(page, "APP-4").get_by_test_id("wbs-code")).to_have_text("3")
    expect(row(page, "APP-3").get_by_test_id("wbs-code")).to_have_text("4")
    expect(row(page, "APP-4").get_by_role("button", name="Move APP-4 down")).to_be_enabled()
    expect(row(page, "APP-1").get_by_role("button", name="Move APP-1 up")).to_be_disabled()

    token = work_people.tokens[work_people.emails["rosa"]]
    assert api_tasks(live_server, token, app)["APP-4"]["wbs"] == "3"

    row(page, "APP-4").get_by_role("link", name="Delete APP-4").click()
    confirm = page.get_by_test_id("delete-confirm")
    expect(confirm).to_contain_text("Delete APP-4 Release notes?")
    expect(confirm.get_by_role("button", name="Delete")).to_be_focused()
    confirm.get_by_role("button", name="Delete").click()
    expect(page.get_by_test_id("flash")).to_have_text("Deleted APP-4.")
    expect(row(page, "APP-4")).to_have_count(0)
    assert "APP-4" not in api_tasks(live_server, token, app)


def test_deleting_a_task_others_depend_on_names_the_links_and_offers_the_cascade(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram, live_server: str
) -> None:
    app = work_program.project_ids["APP"]
    page = page_as(work_people.emails["rosa"])
    page.goto(f"/projects/{app}")

    row(page, "APP-2").get_by_role("link", name="Delete APP-2").click()
    with page.expect_response(lambda r: r.url.endswith("/delete")) as answer:
        page.get_by_test_id("delete-confirm").get_by_role("button", name="Delete").click()
    assert answer.value.status == 409

    confirm = page.get_by_test_id("delete-confirm")
    expect(confirm).to_contain_text("Other work depends on APP-2")
    expect(confirm.get_by_test_id("conflict-links").locator("li")).to_have_text(
        ["APP-1 → APP-2", "APP-2 → APP-3", "APP-2 → OPS-2"]
    )
    expect(row(page, "APP-2")).to_have_count(1)
    confirm.get_by_role("button", name="Delete APP-2 and 3 links").click()

    expect(page.get_by_test_id("flash")).to_have_text("Deleted APP-2.")
    token = work_people.tokens[work_people.emails["rosa"]]
    assert "APP-2" not in api_tasks(live_server, token, app)
    links = api_get(live_server, token, "/dependencies", program_id=work_program.id)["items"]
    assert all("APP-2" not in (d["predecessor"]["key"], d["successor"]["key"]) for d in links)


def test_a_large_wbs_comes_a_page_at_a_time_and_an_edit_stays_on_its_page(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram, web_engine: Engine
) -> None:
    grow_app(web_engine, work_program, 447)  # APP: 3 tasks and 447 more, 450 rows
    app = work_program.project_ids["APP"]
    page = page_as(work_people.emails["rosa"])
    page.goto(f"/projects/{app}")
    rows = page.locator("#wbs tr[data-task-key]")
    expect(rows).to_have_count(200)
    first = rows.evaluate_all("rows => rows.map(r => r.dataset.taskKey)")
    pager = page.locator("#wbs .pagination").first
    expect(pager).to_contain_text("1–200 of 450")
    pager.get_by_role("link", name="Next").click()
    expect(page).to_have_url(re.compile(r"\?page=2$"))
    expect(rows).to_have_count(200)
    keys = rows.evaluate_all("rows => rows.map(r => r.dataset.taskKey)")
    base = int(first[3].removeprefix("APP-X"))  # the first added task, on row 4
    assert (keys[0], keys[-1]) == (f"APP-X{base + 197}", f"APP-X{base + 396}")  # rows 201-400

    # an edit on page 2 comes back on page 2, its row marked
    edited, deleted = keys[50], keys[100]
    row(page, edited).get_by_role("link", name=f"Edit {edited}").click()
    form = page.get_by_test_id("row-form")
    form.get_by_label("Duration (days)").fill("4")
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("flash")).to_have_text(f"Saved {edited}; dates recalculated.")
    expect(row(page, edited)).to_have_class(re.compile("wbs-row--changed"))
    expect(page.locator("#wbs .pagination").first).to_contain_text("201–400 of 450")
    # a delete there (with the two links of the chain) stays there
    row(page, deleted).get_by_role("link", name=f"Delete {deleted}").click()
    page.get_by_test_id("delete-confirm").get_by_role("button", name="Delete").click()
    confirm = page.get_by_test_id("delete-confirm")
    confirm.get_by_role("button", name=f"Delete {deleted} and 2 links").click()
    expect(page.get_by_test_id("flash")).to_have_text(f"Deleted {deleted}.")
    expect(page.locator("#wbs .pagination").first).to_contain_text("201–400 of 449")
    # a task added at the end is shown on the last page
    form = page.get_by_test_id("add-form")
    form.get_by_label("Name").fill("Go-live review")
    form.get_by_role("button", name="Add task").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Added APP-")
    expect(page.locator("#wbs .pagination").first).to_contain_text("401–450 of 450")
    expect(rows.last).to_contain_text("Go-live review")
    page.goto(f"/projects/{app}?page=99")  # past the end: the last page
    expect(page.locator("#wbs .pagination").first).to_contain_text("401–450 of 450")
    screenshot(page, "project-pages.png")


def test_a_viewer_sees_no_edit_controls_and_a_forged_post_is_refused(
    page_as: OpenPage, world: World, live_server: str
) -> None:
    token = world.tokens[world.emails["dan"]]
    projects = api_get(live_server, token, "/projects", program_id=world.program_ids["CLOUD"])
    plat = next(p for p in projects["items"] if p["key"] == "PLAT")
    page = page_as(world.emails["dan"])
    page.goto(f"/projects/{plat['id']}")

    expect(page.locator("#wbs tr[data-task-key]")).to_have_count(6)
    expect(page.get_by_test_id("add-form")).to_have_count(0)
    expect(page.locator("#wbs").get_by_role("button")).to_have_count(0)
    expect(page.get_by_role("link", name="Edit PLAT-1")).to_have_count(0)

    csrf = page.locator('meta[name="csrf-token"]').get_attribute("content")
    forged = page.request.post(
        f"/projects/{plat['id']}/tasks",
        form={"csrf_token": csrf or "", "name": "Sneaky", "duration": "1"},
    )
    assert forged.status == 403
    task_id = api_tasks(live_server, token, plat["id"])["PLAT-1"]["id"]
    moved = page.request.post(
        f"/projects/{plat['id']}/tasks/{task_id}/delete", form={"csrf_token": csrf or ""}
    )
    assert moved.status == 403
    assert len(api_tasks(live_server, token, plat["id"])) == 6


def test_screenshot_of_a_project(page_as: OpenPage, world: World, live_server: str) -> None:
    token = world.tokens[world.emails["ana"]]
    projects = api_get(live_server, token, "/projects", program_id=world.program_ids["CLOUD"])
    data = next(p for p in projects["items"] if p["key"] == "DATA")
    page = page_as(world.emails["ana"])
    page.goto(f"/projects/{data['id']}")
    expect(page.locator("#wbs tr[data-task-key]")).to_have_count(8)
    screenshot(page, "project.png")


def _summary_of_three_quarters(engine: Engine, plan: PlanProgram, owner: str) -> tuple[int, float]:
    """PLAT-4 three quarters done beside PLAT-3 finished: their summary PLAT-2 rolls up a
    percentage with decimals. The PLAT project's id, and that percentage."""
    db = session_factory(engine)()
    try:
        maya = Actor.of(db.scalars(select(User).where(User.email == owner)).one())
        task_service.update_task(db, maya, plan.task_ids["PLAT-4"], {"percent_complete": 75.0})
        complete(db)
        done, doing = (db.get(Task, plan.task_ids[key]) for key in ("PLAT-3", "PLAT-4"))
        assert done is not None and doing is not None
        rolled = (done.duration * 100 + doing.duration * 75) / (done.duration + doing.duration)
        project = db.scalars(
            select(Project.id).where(Project.program_id == plan.id, Project.key == "PLAT")
        ).one()
        return project, rolled
    finally:
        db.close()


def test_a_summarys_rolled_up_percent_is_whole_and_clear_of_the_edit_button(
    page_as: OpenPage, web_engine: Engine, fresh_plan: PlanProgram, plan_people: dict[str, str]
) -> None:
    project_id, rolled = _summary_of_three_quarters(web_engine, fresh_plan, plan_people["maya"])
    assert not rolled.is_integer()  # 85.71…: the page shows it as its leaves are, whole
    page = page_as(plan_people["maya"])
    page.goto(f"/projects/{project_id}")
    summary = row(page, "PLAT-2")
    percent = summary.get_by_test_id("progress").locator(".num")
    expect(percent).to_have_text(f"{round(rolled)} %")
    expect(row(page, "PLAT-4").get_by_test_id("progress").locator(".num")).to_have_text("75 %")
    text, pencil = (
        percent.bounding_box(),
        summary.get_by_role("link", name="Edit PLAT-2").bounding_box(),
    )
    assert text is not None and pencil is not None
    assert pencil["x"] - (text["x"] + text["width"]) >= 8  # not touching

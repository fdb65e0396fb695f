"""My work: a person's tasks across programs, and progress reported in each row.

The work program is moved to start two weeks ago (Mon–Fri, no holidays), so on
any day the tests run (the start rolls to a weekday 12 to 14 days ago): Design
(5 working days) finished at least six days ago and is *late*, unreported; Build
(10 working days after Design) should have started 5 to 7 days ago and finishes
at least 4 days from now, so it is *next*, flagged "should have started".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import Engine

from podium.db import session_factory
from podium.models import Role
from podium.services import programs
from podium.services.actor import SYSTEM
from podium.services.common import today
from podium.services.scheduling import reschedule_program
from tests.browser.conftest import new_person, screenshot
from tests.browser.work_plan import WorkPeople, WorkProgram, assign_person

pytestmark = pytest.mark.browser

OpenPage = Callable[[str], Page]
# where an element's words begin and end on screen (a heading's box is as wide as its card)
TEXT_JS = """e => { const range = document.createRange(); range.selectNodeContents(e);
    const b = range.getBoundingClientRect(); return [b.left, b.right]; }"""
START = today() - timedelta(days=14)


def _started_two_weeks_ago(engine: Engine, program: WorkProgram) -> None:
    db = session_factory(engine)()
    try:
        programs.update_program(db, SYSTEM, program.id, {"start_date": START})
        reschedule_program(db, program.id)
        db.commit()
    finally:
        db.close()


def _row(page: Page, program: WorkProgram, key: str) -> Locator:
    return page.locator(f'tr[data-program="{program.key}"][data-key="{key}"]')


def test_a_member_sees_their_late_and_next_tasks_and_reports_progress_in_the_row(
    page_as: OpenPage,
    web_engine: Engine,
    work_people: WorkPeople,
    work_program: WorkProgram,
    console_errors: Callable[[Page], list[str]],
) -> None:
    _started_two_weeks_ago(web_engine, work_program)
    for key in ("APP-1", "APP-2"):
        assign_person(web_engine, work_program, work_people.emails["sam"], key)
    page = page_as(work_people.emails["sam"])
    errors = console_errors(page)
    page.goto("/")
    page.get_by_test_id("my-work-link").click()
    expect(page.get_by_role("heading", name="My work", level=1)).to_be_visible()

    design = _row(page.get_by_test_id("state-late"), work_program, "APP-1")
    expect(design).to_be_visible()
    expect(design.get_by_test_id("late-tag")).to_have_text("finish passed")
    expect(design).to_contain_text("50 % of your time")
    build = _row(page.get_by_test_id("state-next"), work_program, "APP-2")
    expect(build.get_by_test_id("should-start-tag")).to_be_visible()
    screenshot(page, "my-work.png", full_page=True)

    # Design finished three days ago: reported in its row, which is drawn again
    design.get_by_label("Started").fill(START.isoformat())
    design.get_by_label("Finished").fill((today() - timedelta(days=3)).isoformat())
    design.get_by_role("button", name="Save").click()
    saved = _row(page, work_program, "APP-1")
    expect(saved.get_by_test_id("row-saved")).to_be_visible()
    expect(saved).to_have_attribute("data-state", "finished")
    expect(saved.get_by_label("% done")).to_have_value("100")

    # a finish before the start is refused beside the row, and nothing is saved
    build = _row(page, work_program, "APP-2")
    build.get_by_label("Started").fill(today().isoformat())
    build.get_by_label("Finished").fill(START.isoformat())
    build.get_by_role("button", name="Save").click()
    expect(_row(page, work_program, "APP-2").get_by_test_id("row-errors")).to_contain_text("finish")
    page.reload()
    expect(_row(page.get_by_test_id("state-finished"), work_program, "APP-1")).to_be_visible()
    expect(_row(page.get_by_test_id("state-next"), work_program, "APP-2")).to_be_visible()
    assert errors == []


def test_a_row_read_before_someone_else_saved_is_refused(
    page_as: OpenPage, web_engine: Engine, work_people: WorkPeople, work_program: WorkProgram
) -> None:
    _started_two_weeks_ago(web_engine, work_program)
    assign_person(web_engine, work_program, work_people.emails["sam"], "OPS-1")
    first = page_as(work_people.emails["sam"])
    second = page_as(work_people.emails["sam"])
    for page in (first, second):
        page.goto("/my-work")
    row = _row(first, work_program, "OPS-1")
    row.get_by_label("% done").fill("30")
    row.get_by_label("Started").fill(START.isoformat())
    row.get_by_role("button", name="Save").click()
    expect(_row(first, work_program, "OPS-1").get_by_test_id("row-saved")).to_be_visible()

    row = _row(second, work_program, "OPS-1")
    row.get_by_label("% done").fill("60")
    row.get_by_role("button", name="Save").click()
    expect(_row(second, work_program, "OPS-1").get_by_test_id("row-errors")).to_contain_text(
        "changed by someone else"
    )
    first.reload()
    expect(_row(first, work_program, "OPS-1").get_by_label("% done")).to_have_value("30")

    # without scripts: a plain post gets the page back, the row's errors beside it
    token = first.locator('input[name="csrf_token"]').first.get_attribute("value") or ""
    url = f"/my-work/tasks/{work_program.task_ids['OPS-1']}"
    response = first.request.post(url, form={"csrf_token": token, "percent_complete": "130"})
    assert response.status == 422
    assert 'data-testid="row-errors"' in response.text() and "<h1>My work</h1>" in response.text()
    # and an old finish takes the task off the list, saying so
    row = _row(first, work_program, "OPS-1")
    row.get_by_label("Started").fill((START - timedelta(days=10)).isoformat())
    row.get_by_label("Finished").fill((START - timedelta(days=5)).isoformat())
    row.get_by_role("button", name="Save").click()
    expect(first.get_by_test_id("list-saved")).to_contain_text(
        "Saved OPS-1: it finished over two weeks ago, so it leaves this list"
    )
    expect(_row(first, work_program, "OPS-1")).to_have_count(0)
    first.reload()
    expect(_row(first, work_program, "OPS-1")).to_have_count(0)


def _count(page: Page, state: str) -> Locator:
    return page.get_by_test_id("counts").locator(f'a[data-state="{state}"]')


def _number(count: Locator) -> int:
    """The number a count link shows ("2 later": 2)."""
    return int(count.inner_text().split()[0])


def test_a_task_started_from_later_moves_to_in_progress_and_the_counts_follow(
    page_as: OpenPage,
    web_engine: Engine,
    work_people: WorkPeople,
    work_program: WorkProgram,
    console_errors: Callable[[Page], list[str]],
) -> None:
    # the program starts on 1 March 2027, months away: both tasks are "later"
    for key in ("APP-1", "APP-2"):
        assign_person(web_engine, work_program, work_people.emails["sam"], key)
    page = page_as(work_people.emails["sam"])
    errors = console_errors(page)
    page.goto("/my-work")
    # the person may have work in other tests' programs: the counts move by one each
    expect(_row(page.get_by_test_id("state-later"), work_program, "APP-2")).to_have_count(1)
    later, in_progress = (_number(_count(page, s)) for s in ("later", "in_progress"))
    assert later >= 2
    design = _row(page.get_by_test_id("state-later"), work_program, "APP-1")
    design.get_by_label("Started").fill(today().isoformat())
    design.get_by_label("% done").fill("10")
    design.get_by_role("button", name="Save").focus()
    page.keyboard.press("Enter")  # from the keyboard: the focus follows the row

    # without a reload: the row is now under "In progress", saying it saved, and the
    # counts and the groups' own counts follow
    started = _row(page.get_by_test_id("state-in_progress"), work_program, "APP-1")
    expect(started.get_by_test_id("row-saved")).to_have_text("Saved")
    expect(started).to_have_attribute("data-state", "in_progress")
    expect(started.get_by_label("% done")).to_have_value("10")
    expect(started.get_by_role("button", name="Save")).to_be_focused()
    expect(_row(page.get_by_test_id("state-later"), work_program, "APP-1")).to_have_count(0)
    expect(_count(page, "in_progress")).to_have_text(f"{in_progress + 1} in progress")
    expect(_count(page, "later")).to_have_text(f"{later - 1} later")
    expect(page.get_by_test_id("state-later").locator(".count")).to_have_text(str(later - 1))
    expect(page.get_by_test_id("state-in_progress").locator(".count")).to_have_text(
        str(in_progress + 1)
    )

    # saved again from its new place, from the keyboard: the row still saves (its version
    # followed), and the focus stays on its Save button in the redrawn list
    started.get_by_label("% done").fill("40")
    started.get_by_role("button", name="Save").focus()
    page.keyboard.press("Enter")
    again = _row(page.get_by_test_id("state-in_progress"), work_program, "APP-1")
    expect(again.get_by_label("% done")).to_have_value("40")
    expect(again.get_by_test_id("row-saved")).to_have_text("Saved")
    expect(again.get_by_role("button", name="Save")).to_be_focused()
    page.reload()
    expect(_count(page, "in_progress")).to_have_text(f"{in_progress + 1} in progress")
    expect(_row(page.get_by_test_id("state-in_progress"), work_program, "APP-1")).to_be_visible()
    assert errors == []


def test_a_viewer_reads_their_tasks_and_a_person_with_none_is_told_how_work_arrives(
    page_as: OpenPage, web_engine: Engine, work_people: WorkPeople, work_program: WorkProgram
) -> None:
    assign_person(web_engine, work_program, work_people.emails["uma"], "APP-3")
    page = page_as(work_people.emails["uma"])
    page.goto("/my-work")
    row = _row(page, work_program, "APP-3")
    expect(row.get_by_test_id("read-only")).to_contain_text("your role in")
    expect(row.get_by_role("button", name="Save")).to_have_count(0)
    # a forged post is refused by the server, not only hidden
    token = page.locator('input[name="csrf_token"]').first.get_attribute("value") or ""
    response = page.request.post(
        f"/my-work/tasks/{work_program.task_ids['APP-3']}",
        form={"csrf_token": token, "percent_complete": "50"},
    )
    assert response.status == 403

    nobody = page_as(new_person(web_engine, "Omar Reyes").email)
    nobody.goto("/my-work")
    empty = nobody.get_by_test_id("no-work")
    expect(empty).to_contain_text("Nothing is assigned to you")
    # centred as the other pages' empty states, its heading as well as its words
    box = empty.bounding_box()
    assert box is not None
    middle = box["x"] + box["width"] / 2
    for part in (empty.locator("h2"), empty.locator("p")):
        left, right = part.evaluate(TEXT_JS)
        assert (left + right) / 2 == pytest.approx(middle, abs=2)


def test_a_resource_linked_to_an_account_on_the_web_brings_its_tasks_to_my_work(
    page_as: OpenPage,
    web_engine: Engine,
    work_people: WorkPeople,
    work_program: WorkProgram,
    console_errors: Callable[[Page], list[str]],
) -> None:
    noor = new_person(web_engine, "Nadia Okafor")
    db = session_factory(web_engine)()
    try:
        programs.add_member(db, SYSTEM, work_program.id, email=noor.email, role=Role.MEMBER)
        db.commit()
    finally:
        db.close()
    page = page_as(work_people.emails["rosa"])
    errors = console_errors(page)
    page.goto("/resources/new")
    key = f"nadia-{work_program.id}"
    form = page.get_by_test_id("resource-form")
    form.get_by_label("Name").fill(f"Nadia Okafor {key}")
    form.get_by_label("Key").fill(key)
    form.get_by_label("Account").fill("nobody@example.com")
    form.get_by_role("button", name="Add resource").click()
    expect(page.locator("#f-account_email-error")).to_contain_text(
        "No account with email nobody@example.com"
    )
    page.get_by_test_id("resource-form").get_by_label("Account").fill(noor.email.upper())
    page.get_by_test_id("resource-form").get_by_role("button", name="Add resource").click()
    expect(page.get_by_test_id("resource-account")).to_have_text(noor.email)

    page.goto(f"/tasks/{work_program.task_ids['OPS-2']}")
    form = page.get_by_test_id("assignments").get_by_test_id("assignment-form")
    form.get_by_label("Resource").select_option(
        label=f"Nadia Okafor {key} (person, capacity 100 %)"
    )
    form.get_by_role("button", name="Assign").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Assigned")
    assert errors == []

    mine = page_as(noor.email)
    mine.goto("/my-work")
    row = _row(mine, work_program, "OPS-2")
    expect(row).to_contain_text("Deploy")
    expect(row.get_by_role("button", name="Save")).to_be_visible()

"""Resources: the program's load heatmap and its drill-down, leveling, assignments on the
task page, and the organisation's resource pages."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import Engine, select

from podium.db import session_factory
from podium.models import Assignment, User
from podium.services.actor import Actor
from podium.services.resources import assignments, catalog
from podium.services.uow import complete
from tests.browser.conftest import screenshot
from tests.browser.work_plan import WorkPeople, WorkProgram, make_work_program
from tests.factories import make_program, make_project, make_task

pytestmark = pytest.mark.browser

OpenPage = Callable[[str], Page]
_numbers = itertools.count(1)


@dataclass(frozen=True)
class Booked:
    """A work program whose APP-1 and OPS-1 both take all of one person in its first week."""

    program: WorkProgram
    resource_id: int
    resource_key: str
    resource_name: str


def book_people(
    engine: Engine,
    people: WorkPeople,
    program: WorkProgram,
    plan: dict[str, list[tuple[str, float]]],
    *,
    capacities: dict[str, float] | None = None,
) -> dict[str, int]:
    """Resources named in ``plan`` (name → [(task key, units)]), assigned; their ids."""
    db = session_factory(engine)()
    try:
        rosa = db.scalar(select(User).where(User.email == people.emails["rosa"]))
        assert rosa is not None
        pm = Actor.of(rosa)
        ids = {}
        for name, bookings in plan.items():
            key = f"{name.split()[0].lower()}-{next(_numbers)}"
            resource = catalog.create_resource(
                db,
                pm,
                key=key,
                name=name,
                capacity=(capacities or {}).get(name, 1.0),
                cost_rate=80.0,
            )
            ids[name] = resource.id
            for task_key, units in bookings:
                assignments.create_assignment(
                    db,
                    pm,
                    task_id=program.task_ids[task_key],
                    resource_id=resource.id,
                    units=units,
                )
        complete(db)
        return ids
    finally:
        db.close()


@pytest.fixture
def booked(web_engine: Engine, work_people: WorkPeople, work_program: WorkProgram) -> Booked:
    name = f"Kim Berg {work_program.key}"
    ids = book_people(
        web_engine, work_people, work_program, {name: [("APP-1", 1.0), ("OPS-1", 1.0)]}
    )
    db = session_factory(web_engine)()
    try:
        key = db.get(catalog.Resource, ids[name])
        assert key is not None
        return Booked(work_program, ids[name], key.key, name)
    finally:
        db.close()


# a refused form (422) or a stale preview (409) is an answer the page shows in place; the
# browser and htmx still log its status, which is not an error of the page
def test_an_over_allocation_shows_red_and_the_cell_lists_the_colliding_tasks(
    page_as: OpenPage,
    work_people: WorkPeople,
    booked: Booked,
    console_errors: Callable[[Page], list[str]],
) -> None:
    page = page_as(work_people.emails["rosa"])
    console_errors(page)
    page.goto(f"/programs/{booked.program.id}/resources")

    expect(page.get_by_role("link", name="Resources", exact=True).first).to_be_visible()
    over = page.get_by_test_id("overloads").locator(f'tr[data-resource="{booked.resource_key}"]')
    expect(over).to_have_count(1)
    expect(over.get_by_test_id("over-days")).to_have_text("4")
    expect(over.get_by_test_id("overload-task")).to_have_text(["APP-1", "OPS-1"])

    row = page.get_by_test_id("heatmap").locator(f'tr[data-resource="{booked.resource_key}"]')
    red = row.locator("td.rs-l-over")
    expect(red).to_have_count(1)
    expect(red).to_have_attribute("data-start", "2027-03-01")
    expect(red).to_contain_text("180")  # 9 of 5 days: two tasks at once for four days

    red.get_by_role("link").click()
    detail = page.get_by_test_id("cell-detail")
    expect(detail).to_contain_text(booked.resource_name)
    expect(detail.get_by_test_id("cell-over-days")).to_contain_text("4 over-allocated days")
    tasks = detail.get_by_test_id("cell-tasks").locator("tbody tr")
    expect(tasks).to_have_count(2)
    expect(tasks.nth(0)).to_have_attribute("data-key", "APP-1")
    expect(tasks.nth(1)).to_have_attribute("data-key", "OPS-1")
    expect(tasks.nth(0)).to_contain_text("100 %")
    expect(tasks.nth(1)).to_contain_text(booked.program.key)

    page.get_by_role("link", name="Month", exact=True).click()
    expect(page.get_by_test_id("heatmap")).to_have_attribute("data-period", "month")
    expect(page.get_by_test_id("heatmap").locator("td.rs-l-over")).to_have_count(1)


def test_the_overview_links_an_over_allocations_tasks_to_their_pages(
    page_as: OpenPage, booked: Booked, work_people: WorkPeople
) -> None:
    page = page_as(work_people.emails["rosa"])
    page.goto(f"/programs/{booked.program.id}")
    for key in ("APP-1", "OPS-1"):
        link = page.locator(f'a[data-chain-key="{key}"]').first
        expect(link).to_have_attribute("href", f"/tasks/{booked.program.task_ids[key]}")
    page.locator('a[data-chain-key="APP-1"]').first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("APP-1")


def test_leveling_is_previewed_then_applied_and_the_red_cell_goes(
    page_as: OpenPage,
    work_people: WorkPeople,
    booked: Booked,
    console_errors: Callable[[Page], list[str]],
) -> None:
    page = page_as(work_people.emails["rosa"])
    console_errors(page)
    page.goto(f"/programs/{booked.program.id}/resources")

    form = page.get_by_test_id("level-form")
    form.get_by_label("Method").select_option("heuristic")
    form.get_by_role("button", name="Preview leveling").click()
    preview = page.get_by_test_id("level-preview")
    expect(preview.get_by_test_id("over-change")).to_contain_text("4")
    expect(preview.get_by_test_id("over-change").locator("strong")).to_have_text("0")
    moves = preview.get_by_test_id("level-moves").locator("tbody tr")
    expect(moves).to_have_count(1)
    expect(moves.first).to_have_attribute("data-key", "OPS-1")
    screenshot(page, "resources-leveling.png", full_page=True)

    # nothing was saved by the preview
    page.goto(f"/programs/{booked.program.id}/resources")
    expect(page.get_by_test_id("heatmap").locator("td.rs-l-over")).to_have_count(1)
    page.get_by_test_id("level-form").get_by_role("button", name="Preview leveling").click()
    # the apply stores the kept preview, not a second leveling run
    expect(page.get_by_test_id("apply-form").locator("input[name=preview_id]")).to_have_value(
        re.compile(r"^\d+$")
    )
    page.get_by_test_id("apply-form").get_by_role("button", name="Apply leveling").click()

    expect(page.get_by_test_id("flash")).to_contain_text(
        "Leveling applied: 1 task holds its leveled start"
    )
    expect(page.get_by_test_id("heatmap").locator("td.rs-l-over")).to_have_count(0)
    expect(page.get_by_test_id("no-overloads")).to_be_visible()

    page.goto(f"/tasks/{booked.program.task_ids['OPS-1']}")
    expect(page.get_by_test_id("leveling-hold")).to_contain_text("starts no earlier than")

    page.goto(f"/programs/{booked.program.id}/resources")
    page.get_by_test_id("clear-leveling-open").click()  # it asks first
    expect(page.get_by_test_id("clear-confirm")).to_contain_text("holds of 1 task?")
    page.get_by_test_id("clear-leveling").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Leveling cleared")
    expect(page.get_by_test_id("heatmap").locator("td.rs-l-over")).to_have_count(1)
    expect(page.get_by_test_id("clear-leveling-open")).to_have_count(0)  # no hold left


def test_the_preview_says_whose_work_on_a_shared_person_it_kept_free(
    page_as: OpenPage, web_engine: Engine, work_people: WorkPeople, booked: Booked
) -> None:
    other = make_work_program(web_engine, work_people)
    db = session_factory(web_engine)()
    try:
        rosa = db.scalar(select(User).where(User.email == work_people.emails["rosa"]))
        assert rosa is not None
        assignments.create_assignment(
            db, Actor.of(rosa), task_id=other.task_ids["APP-1"], resource_id=booked.resource_id
        )
        complete(db)
    finally:
        db.close()
    page = page_as(work_people.emails["rosa"])
    page.goto(f"/programs/{booked.program.id}/resources")
    page.get_by_test_id("level-form").get_by_role("button", name="Preview leveling").click()
    note = page.get_by_test_id("level-preview").get_by_test_id("level-elsewhere")
    expect(note).to_have_text(
        f"Shared people's work in {other.key} is kept free: it does not move, "
        "and this program's work goes around it."
    )


def test_applying_a_preview_after_the_plan_changed_is_refused_with_a_message(
    page_as: OpenPage,
    web_engine: Engine,
    work_people: WorkPeople,
    booked: Booked,
    console_errors: Callable[[Page], list[str]],
) -> None:
    page = page_as(work_people.emails["rosa"])
    console_errors(page)
    page.goto(f"/programs/{booked.program.id}/resources")
    page.get_by_test_id("level-form").get_by_role("button", name="Preview leveling").click()
    expect(page.get_by_test_id("apply-form")).to_be_visible()

    heatmap = page.get_by_test_id("heatmap")
    expect(heatmap.get_by_role("link", name="Lea Roth")).to_have_count(0)
    book_people(web_engine, work_people, booked.program, {"Lea Roth": [("APP-2", 0.5)]})
    page.get_by_test_id("apply-form").get_by_role("button", name="Apply leveling").click()
    refusal = page.get_by_test_id("form-error").first
    expect(refusal).to_contain_text(
        "Nothing was applied: the plan changed since this leveling was previewed"
    )
    expect(page.get_by_test_id("flash")).to_have_count(0)
    # the load above is drawn again as it is now (Lea is booked), and says so
    expect(refusal).to_contain_text("the load above are shown as they are now")
    expect(heatmap.get_by_role("link", name="Lea Roth")).to_have_count(1)
    expect(page.locator("#rs-load")).to_have_count(1)
    # the redrawn table's frame is marked at once for its sideways-scroll shadows and hint
    expect(page.locator(".rs-scroll-frame")).to_have_attribute("data-more", re.compile(".*"))
    over = page.get_by_test_id("overloads").locator(f'tr[data-resource="{booked.resource_key}"]')
    expect(over.get_by_test_id("over-days")).to_have_text("4")
    screenshot(page, "resources-leveling-refused.png", full_page=True)


def test_a_member_sees_the_load_but_no_leveling_form(
    page_as: OpenPage,
    work_people: WorkPeople,
    booked: Booked,
    console_errors: Callable[[Page], list[str]],
) -> None:
    page = page_as(work_people.emails["sam"])
    console_errors(page)
    page.goto(f"/programs/{booked.program.id}/resources")
    expect(page.get_by_test_id("heatmap").locator("td.rs-l-over")).to_have_count(1)
    expect(page.get_by_test_id("leveling")).to_have_count(0)
    expect(page.get_by_test_id("level-form")).to_have_count(0)
    expect(page.get_by_test_id("clear-leveling")).to_have_count(0)


def test_the_task_page_assigns_a_resource_and_refuses_units_above_its_capacity(
    page_as: OpenPage,
    work_people: WorkPeople,
    booked: Booked,
    console_errors: Callable[[Page], list[str]],
) -> None:
    page = page_as(work_people.emails["rosa"])
    console_errors(page)
    page.goto(f"/tasks/{booked.program.task_ids['APP-3']}")
    section = page.get_by_test_id("assignments")
    expect(section.get_by_test_id("no-assignments")).to_be_visible()

    form = section.get_by_test_id("assignment-form")
    form.get_by_label("Resource").select_option(
        label=f"{booked.resource_name} (person, capacity 100 %)"
    )
    form.get_by_label("Units (%)").fill("150")
    form.get_by_role("button", name="Assign").click()
    error = page.locator('[data-error-for="units"]')
    expect(error).to_contain_text(f"150 % is more than {booked.resource_name}'s capacity of 100 %")
    expect(page.get_by_test_id("assignments").get_by_label("Units (%)")).to_be_focused()

    form = page.get_by_test_id("assignment-form")
    form.get_by_label("Units (%)").fill("50")
    form.get_by_role("button", name="Assign").click()
    expect(page.get_by_test_id("flash")).to_contain_text(f"Assigned {booked.resource_name}")
    row = page.get_by_test_id("assignment-list").locator(
        f'tr[data-resource="{booked.resource_key}"]'
    )
    expect(row.get_by_test_id("units-input")).to_have_value("50")
    expect(row.get_by_test_id("work")).to_have_text("20 h")  # 5 days x 0.5 x 8 hours
    expect(row.get_by_test_id("cost")).to_have_text("1,600")

    row.get_by_test_id("units-input").fill("250")
    row.get_by_role("button", name="Set").click()
    expect(page.get_by_test_id("units-error")).to_contain_text("250 % is more than")
    screenshot(page, "resources-task.png", full_page=True)

    page.get_by_role("button", name=f"Remove {booked.resource_name}").click()
    page.get_by_test_id("remove-confirm").get_by_role("button", name="Yes, remove").click()
    expect(page.get_by_test_id("flash")).to_contain_text(f"Removed {booked.resource_name}")
    expect(page.get_by_test_id("no-assignments")).to_be_visible()

    page.goto(f"/tasks/{booked.program.task_ids['APP-3']}")
    page.get_by_test_id("task-form").get_by_label("Effort-driven").check()
    page.get_by_test_id("task-form").get_by_role("button", name="Save changes").click()
    expect(page.get_by_test_id("effort-driven")).to_be_visible()


def test_the_resources_page_adds_a_resource_with_time_off(
    page_as: OpenPage,
    work_people: WorkPeople,
    work_program: WorkProgram,
    console_errors: Callable[[Page], list[str]],
) -> None:
    page = page_as(work_people.emails["rosa"])
    console_errors(page)
    page.goto(f"/programs/{work_program.id}")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Resources").click()
    expect(page.get_by_role("heading", name="Resources", level=1)).to_be_visible()
    page.get_by_test_id("add-resource").click()

    key = f"noor-{next(_numbers)}"
    form = page.get_by_test_id("resource-form")
    form.get_by_label("Name").fill(f"Noor Said {key}")
    form.get_by_label("Key").fill("bad key")
    form.get_by_label("Capacity (units per day)").fill("0.8")
    form.get_by_label("Cost per hour").fill("1500")
    form.get_by_label("Start of time off 1").fill("2027-04-12")
    form.get_by_label("Finish of time off 1").fill("2027-04-09")
    form.get_by_label("Note of time off 1").fill("Holiday")
    form.get_by_role("button", name="Add resource").click()
    expect(page.locator('[data-error-for="key"]')).to_be_visible()

    form = page.get_by_test_id("resource-form")
    form.get_by_label("Key").fill(key)
    form.get_by_role("button", name="Add resource").click()
    expect(page.locator("#f-time_off_0_finish-error")).to_contain_text("before the start")

    form = page.get_by_test_id("resource-form")
    form.get_by_label("Finish of time off 1").fill("2027-04-16")
    form.get_by_role("button", name="Add resource").click()
    expect(page.get_by_test_id("flash")).to_contain_text("Saved")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Noor Said {key}")
    expect(page.get_by_test_id("resource-facts")).to_contain_text("Capacity 0.8")
    expect(page.get_by_test_id("resource-time-off")).to_contain_text("12 Apr 2027 – 16 Apr 2027")
    expect(page.get_by_test_id("resource-time-off")).to_contain_text("Holiday")

    page.goto(f"/resources?q={key}")
    row = page.get_by_test_id("resources").locator(f'tr[data-key="{key}"]')
    expect(row).to_contain_text("1 period")
    page.get_by_role("link", name=f"Noor Said {key}").click()
    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_label("Start of time off 1")).to_have_value("2027-04-12")
    expect(page.get_by_label("Cost per hour")).to_have_value("1500")  # "1,500" would show empty
    screenshot(page, "resources-form.png", full_page=True)


def test_a_cleared_field_and_a_stale_edit_are_refused_keeping_what_was_typed(
    page_as: OpenPage, web_engine: Engine, work_people: WorkPeople, work_program: WorkProgram
) -> None:
    ids = book_people(web_engine, work_people, work_program, {"Lea Roth": []})
    edit = f"/resources/{ids['Lea Roth']}/edit"
    first, second = page_as(work_people.emails["rosa"]), page_as(work_people.emails["rosa"])
    first.goto(edit)
    second.goto(edit)

    form = first.get_by_test_id("resource-form")
    form.get_by_label("Name").fill("")
    form.get_by_label("Cost per hour").fill("")
    form.get_by_role("button", name="Save").click()
    expect(first.locator('[data-error-for="name"]')).to_contain_text("Required")
    expect(first.locator('[data-error-for="cost_rate"]')).to_contain_text("Required")

    other = second.get_by_test_id("resource-form")
    other.get_by_label("Name").fill("Lea Roth-Meyer")
    other.get_by_role("button", name="Save").click()
    expect(second.get_by_test_id("flash")).to_contain_text("Saved")

    form = first.get_by_test_id("resource-form")
    form.get_by_label("Name").fill("Lea R.")
    form.get_by_label("Cost per hour").fill("95")
    form.get_by_role("button", name="Save").click()
    expect(first.get_by_test_id("resource-form")).to_contain_text("changed")
    expect(first.get_by_label("Name")).to_have_value("Lea R.")  # kept, not lost
    first.goto(f"/resources/{ids['Lea Roth']}")
    expect(first.get_by_role("heading", level=1)).to_contain_text("Lea Roth-Meyer")


def test_a_person_another_program_books_offers_no_edit_to_a_manager_of_one(
    page_as: OpenPage, web_engine: Engine, work_people: WorkPeople, work_program: WorkProgram
) -> None:
    ids = book_people(
        web_engine, work_people, work_program, {"Ivo Brandt": [("APP-1", 0.5)], "Una Free": []}
    )
    db = session_factory(web_engine)()
    try:
        other = make_program(db, key=f"OTH{next(_numbers)}")  # rosa is not in it
        run = make_task(db, make_project(db, other, "RUN"), "RUN-1")
        db.add(Assignment(program_id=other.id, task_id=run.id, resource_id=ids["Ivo Brandt"]))
        db.commit()
    finally:
        db.close()
    page = page_as(work_people.emails["rosa"])
    page.goto(f"/resources/{ids['Ivo Brandt']}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ivo Brandt")
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    page.goto(f"/resources/{ids['Ivo Brandt']}/edit")
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(page.locator("main")).to_contain_text("1 program you cannot see")
    page.goto(f"/resources/{ids['Una Free']}")
    expect(page.get_by_role("link", name="Edit")).to_be_visible()


def test_a_member_cannot_add_resources(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram
) -> None:
    page = page_as(work_people.emails["sam"])
    page.goto("/resources")
    expect(page.get_by_test_id("add-resource")).to_have_count(0)
    page.goto("/resources/new")
    expect(page.get_by_role("heading", name="Not allowed")).to_be_visible()


def test_screenshots_of_the_resource_pages(
    page_as: OpenPage,
    web_engine: Engine,
    work_people: WorkPeople,
    console_errors: Callable[[Page], list[str]],
) -> None:
    portal = make_work_program(web_engine, work_people)
    other = make_work_program(web_engine, work_people)
    ids = book_people(
        web_engine,
        work_people,
        portal,
        {
            "Ana Costa": [("APP-1", 1.0), ("APP-2", 0.5)],
            "Ben Ito": [("APP-2", 1.0), ("APP-3", 0.5)],
            "Core platform team": [("OPS-1", 2.0), ("OPS-2", 3.0), ("APP-3", 1.0)],
            "Dara Kahn": [("OPS-1", 1.0), ("APP-1", 0.5)],
            "Eli Moss": [("APP-3", 0.8)],
            "Test lab": [("APP-2", 0.5), ("APP-3", 1.0)],
        },
        capacities={"Core platform team": 3.0},
    )
    db = session_factory(web_engine)()
    try:
        rosa = db.scalar(select(User).where(User.email == work_people.emails["rosa"]))
        assert rosa is not None
        for key, units in (("APP-2", 0.5), ("APP-3", 0.5)):
            assignments.create_assignment(
                db,
                Actor.of(rosa),
                task_id=other.task_ids[key],
                resource_id=ids["Ben Ito"],
                units=units,
            )
        complete(db)
    finally:
        db.close()

    page = page_as(work_people.emails["rosa"])
    console_errors(page)
    page.goto(f"/programs/{portal.id}/resources")
    page.get_by_test_id("heatmap").locator("td.rs-l-over a").first.click()
    expect(page.get_by_test_id("cell-detail")).to_be_visible()
    screenshot(page, "resources.png", full_page=True)

    page.goto("/resources")
    screenshot(page, "resources-list.png", full_page=True)

    page.goto(f"/resources/{ids['Ben Ito']}")
    expect(page.get_by_test_id("resource-load")).to_be_visible()
    page.get_by_test_id("load-strip").locator("li.rs-l-over a").first.click()
    expect(page.get_by_test_id("cell-detail")).to_be_visible()
    screenshot(page, "resources-detail.png", full_page=True)

"""Names of one long word (200 characters, a project name's most, and no space to break at)
wrap inside their cards: the project page, the projects list, the overview and the risk
register stay as wide as the screen, their tables' other columns inside the card. Keys as
long as they may be (a task's 40 characters, a project's 20) and a goal measure of one
200-character word fit a laptop's 1024 px too, and so does the decision log with a rationale
quoting a long URL."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import Engine, select

from podium.db import session_factory
from podium.models import Resource, User
from podium.services import milestones, programs, projects, risks, tasks
from podium.services.actor import Actor
from podium.services.governance import decisions
from podium.services.uow import complete
from tests.browser.conftest import VIEWPORT, screenshot
from tests.browser.work_plan import WorkPeople, WorkProgram, assign_person

pytestmark = pytest.mark.browser

OpenPage = Callable[[str], Page]
PROJECT_NAME = "Portal" + "X" * 194  # 200 characters: the longest a project name may be
TASK_NAME = "Build" + "Y" * 295  # 300: a task's, a milestone's and a risk's longest
MILESTONE_NAME = "Launch" + "Z" * 294
RISK_TITLE = "Vendor" + "W" * 294
RUNBOOK = (
    "https://confluence.example.com/display/PMO/"
    "Cloud+Migration+Runbook+Wave+Two+Cutover+Checklist+Version+Three+Final+Approved"
)


def _name_everything_long(engine: Engine, program: WorkProgram, email: str) -> None:
    """Give APP, APP-2, the milestone and a new risk linked to APP names of one word."""
    db = session_factory(engine)()
    try:
        owner = Actor.of(db.scalars(select(User).where(User.email == email)).one())
        app = program.project_ids["APP"]
        projects.update_project(db, owner, app, {"name": PROJECT_NAME})
        tasks.update_task(db, owner, program.task_ids["APP-2"], {"name": TASK_NAME})
        milestones.update_milestone(
            db, owner, program.milestone_ids["M1"], {"name": MILESTONE_NAME}
        )
        risks.create_risk(
            db,
            owner,
            program_id=program.id,
            title=RISK_TITLE,
            probability=3,
            impact=3,
            project_ids=[app],
        )
        complete(db)
    finally:
        db.close()


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORT["width"], f"{page.url} is {width} px wide"


def _inside(inner: Locator, outer: Locator) -> None:
    """``inner`` is drawn within ``outer``'s width (not pushed out of the card)."""
    box, frame = inner.bounding_box(), outer.bounding_box()
    assert box is not None and frame is not None
    assert box["x"] >= frame["x"] - 1 and box["x"] + box["width"] <= frame["x"] + frame["width"] + 1


@pytest.fixture
def long_named(
    web_engine: Engine, work_people: WorkPeople, work_program: WorkProgram
) -> WorkProgram:
    _name_everything_long(web_engine, work_program, work_people.emails["rosa"])
    return work_program


def test_the_project_page_wraps_its_name_and_stays_as_wide_as_the_screen(
    page_as: OpenPage, work_people: WorkPeople, long_named: WorkProgram
) -> None:
    page = page_as(work_people.emails["rosa"])
    page.goto(f"/projects/{long_named.project_ids['APP']}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(PROJECT_NAME)
    _fits(page)
    # the long task name is cut short in its column, whole in its title
    name = page.locator('#wbs tr[data-task-key="APP-2"]').get_by_test_id("task-name")
    expect(name).to_have_attribute("title", TASK_NAME)
    _inside(page.get_by_test_id("wbs").locator("th").last, page.locator("#wbs .card--flush"))
    screenshot(page, "long-name-project.png", full_page=True)


def test_the_projects_list_keeps_its_columns_in_the_card(
    page_as: OpenPage, work_people: WorkPeople, long_named: WorkProgram
) -> None:
    page = page_as(work_people.emails["rosa"])
    page.goto(f"/programs/{long_named.id}/projects")
    table = page.get_by_test_id("project-list")
    expect(table).to_contain_text(PROJECT_NAME)
    _fits(page)
    card = page.locator(".card", has=table)
    for column in ("start", "finish", "task-count", "critical-count"):
        _inside(table.locator(f'tr[data-project-key="APP"] [data-testid="{column}"]'), card)


def test_the_overview_keeps_its_projects_and_milestones_columns_in_their_cards(
    page_as: OpenPage, work_people: WorkPeople, long_named: WorkProgram
) -> None:
    page = page_as(work_people.emails["rosa"])
    page.goto(f"/programs/{long_named.id}")
    projects_table = page.get_by_test_id("projects")
    expect(projects_table).to_contain_text(PROJECT_NAME)
    _fits(page)
    card = page.locator(".card", has=projects_table)
    for column in ("start", "finish", "task-count", "critical-count"):
        _inside(
            projects_table.locator(f'tr[data-project-key="APP"] [data-testid="{column}"]'), card
        )
    milestones_table = page.get_by_test_id("milestones")
    expect(milestones_table).to_contain_text(MILESTONE_NAME)
    _inside(milestones_table.locator("th").last, page.locator(".card", has=milestones_table))


def test_the_risk_register_and_its_form_wrap_long_names(
    page_as: OpenPage, work_people: WorkPeople, long_named: WorkProgram
) -> None:
    page = page_as(work_people.emails["rosa"])
    page.goto(f"/programs/{long_named.id}/risks")
    expect(page.get_by_test_id("risk-table")).to_contain_text(RISK_TITLE)
    form = page.get_by_test_id("add-risk-form")
    project_box = form.locator("label.check", has_text=PROJECT_NAME)
    expect(project_box).to_be_visible()
    _fits(page)
    _inside(project_box, form)


def _nothing_cut_off(page: Page) -> None:
    """No part of a card is drawn past its right edge, unless in a box that scrolls."""
    cut = page.evaluate(
        """() => {
          const cut = [];
          for (const card of document.querySelectorAll('.card')) {
            const edge = card.getBoundingClientRect().right;
            for (const e of card.querySelectorAll('*')) {
              if (e.getBoundingClientRect().right <= edge + 2) continue;
              let scrolls = false;
              for (let a = e.parentElement; a && a !== card.parentElement; a = a.parentElement) {
                const o = getComputedStyle(a).overflowX;
                if (o === 'auto' || o === 'scroll') { scrolls = true; break; }
              }
              if (scrolls || !e.getClientRects().length) continue;
              cut.push(e.outerHTML.slice(0, 80));
              break;
            }
          }
          return cut;
        }"""
    )
    assert cut == [], f"{page.url}: {cut}"


@pytest.mark.parametrize(
    "where",
    ["history", "task history", "dependencies", "performance", "retrospective", "resource"],
)
def test_pages_that_list_names_keep_them_in_their_cards(
    page_as: OpenPage,
    web_engine: Engine,
    work_people: WorkPeople,
    long_named: WorkProgram,
    where: str,
) -> None:
    rosa = work_people.emails["rosa"]
    assign_person(web_engine, long_named, rosa, "APP-2")
    db = session_factory(web_engine)()
    try:
        resource_id = db.scalars(
            select(Resource.id).join(User, Resource.user_id == User.id).where(User.email == rosa)
        ).one()
    finally:
        db.close()
    address, shown = {
        "history": (f"/programs/{long_named.id}/history", PROJECT_NAME),
        "task history": (f"/tasks/{long_named.task_ids['APP-2']}/history", TASK_NAME),
        "dependencies": (f"/programs/{long_named.id}/dependencies", TASK_NAME),
        "performance": (f"/programs/{long_named.id}/performance", PROJECT_NAME),
        "retrospective": (f"/programs/{long_named.id}/retrospective", MILESTONE_NAME),
        "resource": (f"/resources/{resource_id}", TASK_NAME),
    }[where]
    page = page_as(rosa)
    page.goto(address)
    expect(page.locator("main")).to_contain_text(shown)
    _fits(page)
    _nothing_cut_off(page)


def test_the_heatmap_cuts_a_long_resource_name_short_but_keeps_its_capacity(
    page_as: OpenPage, web_engine: Engine, work_people: WorkPeople, long_named: WorkProgram
) -> None:
    rosa = work_people.emails["rosa"]
    assign_person(web_engine, long_named, rosa, "APP-2")
    db = session_factory(web_engine)()
    try:
        resource = db.scalars(
            select(Resource).join(User, Resource.user_id == User.id).where(User.email == rosa)
        ).one()
        resource.name, resource.capacity = "Rosa" + "R" * 196, 2
        complete(db)
    finally:
        db.close()
    page = page_as(rosa)
    page.goto(f"/programs/{long_named.id}/resources")
    row_head = page.get_by_test_id("heatmap").locator("tbody th.rs-name")
    expect(row_head.get_by_role("link")).to_have_attribute("title", "Rosa" + "R" * 196)
    marker = row_head.get_by_title("capacity")
    expect(marker).to_have_text("×2")
    _inside(marker, row_head)
    _fits(page)


def test_the_longest_keys_and_goal_measure_fit_a_1024_px_screen(
    page_as: OpenPage, web_engine: Engine, work_people: WorkPeople, work_program: WorkProgram
) -> None:
    # APP-2 → OPS-2 crosses projects; none of the keys has a hyphen to break at
    keys = {"APP-2": "B" * 36 + "0002", "OPS-2": "D" * 36 + "0002"}
    db = session_factory(web_engine)()
    try:
        owner = Actor.of(
            db.scalars(select(User).where(User.email == work_people.emails["rosa"])).one()
        )
        for code, new in (("APP", "P" * 20), ("OPS", "Q" * 20)):
            projects.update_project(db, owner, work_program.project_ids[code], {"key": new})
        for old, new in keys.items():
            tasks.update_task(db, owner, work_program.task_ids[old], {"key": new})
        programs.update_program(db, owner, work_program.id, {"goal_measure": "M" * 200})
        decisions.record_decision(  # a rationale quoting a long URL, in the decision log
            db,
            owner,
            program_id=work_program.id,
            title="Adopt the runbook",
            rationale=f"See {RUNBOOK}",
        )
        complete(db)
    finally:
        db.close()
    page = page_as(work_people.emails["rosa"])
    page.set_viewport_size({"width": 1024, "height": 768})
    page.goto(f"/programs/{work_program.id}/dependencies")
    table = page.get_by_test_id("cross-dependencies")
    expect(table).to_contain_text(keys["OPS-2"])
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
    card = page.locator(".card", has=table)
    for column in table.locator("th").all():  # the link and the successor's start too
        _inside(column, card)
    page.goto(f"/programs/{work_program.id}")
    measure = page.get_by_test_id("goal-measure")
    expect(measure).to_have_text("M" * 200)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
    _inside(measure, page.get_by_test_id("goal"))
    page.goto(f"/programs/{work_program.id}/governance")
    log = page.get_by_test_id("decisions")
    expect(log).to_contain_text(RUNBOOK)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
    for column in log.locator("th").all():  # who decided, in which review, about what too
        _inside(column, log)

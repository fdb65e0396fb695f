"""The dependency map, reviewed as a person uses it: on a phone, with long names, with the
chooser reset, from the keyboard, and for programs with little or nothing to draw."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine, select

from podium.db import session_factory
from podium.interop.plan_format import read_plan
from podium.models import Milestone, Task, User
from podium.services.actor import Actor
from podium.services.demo_plan import demo_plan
from podium.services.plans import import_plan
from podium.services.uow import complete
from tests.browser.conftest import PLAN_PEOPLE, PlanProgram, screenshot, sign_in
from tests.factories import make_program

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

_keys = iter(range(1, 10_000))


def import_variant(
    engine: Engine, prefix: str, change: Callable[[dict[str, Any]], None]
) -> PlanProgram:
    """The sample plan, changed by ``change``, imported as a new program owned by Maya."""
    plan = demo_plan(datetime.now(UTC).date())
    plan["program"]["key"] = f"{prefix}{next(_keys)}"
    change(plan)
    db = session_factory(engine)()
    try:
        maya = db.scalars(select(User).where(User.email == PLAN_PEOPLE["maya"][0])).one()
        program = import_plan(db, Actor.of(maya), read_plan(plan))
        complete(db)
        tasks = db.scalars(select(Task).where(Task.program_id == program.id))
        milestones = db.scalars(select(Milestone).where(Milestone.program_id == program.id))
        return PlanProgram(
            id=program.id,
            key=program.key,
            task_ids={t.key: t.id for t in tasks},
            milestone_ids={m.key: m.id for m in milestones},
        )
    finally:
        db.close()


LONG_TAIL = "WithAnExtraordinarilyLongUnbrokenName"


def long_names(plan: dict[str, Any]) -> None:
    """Long project keys and names, long task keys, long unbroken task names, and M1's
    target a week after the start, so that it is late."""
    renamed: dict[str, str] = {}
    for project in plan["projects"]:
        renamed[project["key"]] = project["key"] + "OPERATIONS"
        project["key"] += "OPERATIONS"
        project["name"] += " for every regional data centre and all of its tooling"
    task_keys: dict[str, str] = {}
    for task in plan["tasks"]:
        prefix, number = task["id"].rsplit("-", 1)
        task_keys[task["id"]] = f"{renamed[prefix]}-10000{number}"
    for task in plan["tasks"]:
        task["id"] = task_keys[task["id"]]
        task["project"] = renamed[task["project"]]
        if task.get("parent"):
            task["parent"] = task_keys[task["parent"]]
        task["name"] = task["name"].replace(" ", "") + LONG_TAIL
    for link in plan["dependencies"]:
        link["from"] = task_keys.get(link["from"], link["from"])
        link["to"] = task_keys.get(link["to"], link["to"])
    for assignment in plan.get("assignments", []):
        for field, value in list(assignment.items()):
            if isinstance(value, str) and value in task_keys:
                assignment[field] = task_keys[value]
    start = date.fromisoformat(plan["program"]["start"])
    for milestone in plan["milestones"]:
        milestone["name"] += " and an even longer name for the whole programme"
        if milestone["id"] == "M1":
            milestone["target"] = (start + timedelta(weeks=1)).isoformat()


def keep_projects(*keys: str) -> Callable[[dict[str, Any]], None]:
    """Only the projects ``keys``, their tasks and the links between them; no milestones."""

    def change(plan: dict[str, Any]) -> None:
        plan["projects"] = [p for p in plan["projects"] if p["key"] in keys]
        plan["tasks"] = [t for t in plan["tasks"] if t["project"] in keys]
        kept = {t["id"] for t in plan["tasks"]}
        plan["dependencies"] = [
            d for d in plan["dependencies"] if d["from"] in kept and d["to"] in kept
        ]
        plan["milestones"] = []
        plan["assignments"] = []
        plan["resources"] = []

    return change


def open_map(page: Page, program_id: int, email: str, *, query: str = "") -> None:
    sign_in(page, email)
    page.goto(f"/programs/{program_id}/dependencies{query}")
    expect(page.locator("#depmap")).to_have_attribute("data-state", "ready")


def test_on_a_phone_the_graph_is_drawn_above_the_panel_and_nothing_scrolls_sideways(
    page: Page, plan_program: PlanProgram, plan_people: dict[str, str]
) -> None:
    page.set_viewport_size(PHONE)
    open_map(page, plan_program.id, plan_people["vera"])

    graph = page.locator(".dm-graph").bounding_box()
    panel = page.locator("#dm-panel").bounding_box()
    assert graph is not None and panel is not None
    assert graph["width"] > 300 and graph["height"] >= 300, graph
    assert graph["y"] + graph["height"] <= panel["y"] + 1, "the panel sits under the graph"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # nothing in the map's card is wider than the card: the toolbar wraps
    card = page.evaluate(
        "(() => { const c = document.querySelector('#depmap'); "
        "return [c.scrollWidth, c.clientWidth]; })()"
    )
    assert card[0] <= card[1], card
    chooser = page.get_by_label("Show what blocks and is blocked by").bounding_box()
    assert chooser is not None and chooser["x"] + chooser["width"] <= PHONE["width"]
    # the graph is drawn at a zoom that can be read, and a chosen node comes into view
    assert page.evaluate("window.podiumDepmap.cy.zoom()") >= 0.5
    m4 = f"m{plan_program.milestone_ids['M4']}"
    page.get_by_label("Show what blocks and is blocked by").select_option(m4)
    where = page.evaluate(
        "(id) => window.podiumDepmap.cy.getElementById(id).renderedPosition()", m4
    )
    assert 0 <= where["x"] <= graph["width"] and 0 <= where["y"] <= graph["height"], where
    expect(page.get_by_test_id("reach")).to_have_attribute("data-node", m4)
    page.evaluate("() => window.scrollTo(0, 0)")
    screenshot(page, "depmap-phone.png", full_page=True)


def test_long_names_are_cut_to_fit_their_boxes_with_the_full_text_as_the_tooltip(
    page: Page, web_engine: Engine, plan_people: dict[str, str]
) -> None:
    program = import_variant(web_engine, "LONG", long_names)
    open_map(page, program.id, plan_people["maya"])

    boxes = page.evaluate(
        """() => window.podiumDepmap.cy.nodes().map(n => ({
            id: n.id(), project: n.hasClass('project'), shape: n.style('shape'),
            label: n.data('label'), full: n.data('full'),
            node: n.boundingBox({includeLabels: false, includeOverlays: false}),
            text: n.boundingBox({includeNodes: false, includeEdges: false,
                                 includeLabels: true, includeOverlays: false})}))"""
    )
    tasks = [b for b in boxes if not b["project"] and b["shape"] != "diamond"]
    assert tasks
    for b in tasks:  # keys and names stay inside their boxes
        assert b["text"]["x1"] >= b["node"]["x1"] and b["text"]["x2"] <= b["node"]["x2"], b
    key = "PLATOPERATIONS-100005"
    plat5 = next(b for b in tasks if b["full"].startswith(key))
    assert "…" in plat5["label"] and plat5["label"].split("\n")[0].endswith("-100005")
    assert LONG_TAIL in plat5["full"]
    # project boxes, with their labels, never overlap the next column
    columns = sorted((b for b in boxes if b["project"]), key=lambda b: b["node"]["x1"])
    assert len(columns) >= 5
    for left, right in pairwise(columns):
        assert left["node"]["x2"] < right["node"]["x1"], (left["id"], right["id"])
        assert left["text"]["x2"] < right["text"]["x1"], (left["id"], right["id"])
        assert left["label"].endswith("…"), left["label"]
    # the tooltip has the whole text
    page.evaluate(
        # braces: the emitted element is not sent back (serializing it takes seconds)
        "(id) => { window.podiumDepmap.cy.getElementById(id).emit('mouseover'); }",
        plat5["id"],
    )
    expect(page.locator(".dm-graph")).to_have_attribute("title", plat5["full"])
    screenshot(page, "depmap-long-names.png")


def test_resetting_the_chooser_shows_the_empty_panel_without_an_error(
    page: Page, plan_program: PlanProgram, plan_people: dict[str, str]
) -> None:
    open_map(page, plan_program.id, plan_people["vera"])
    chooser = page.get_by_label("Show what blocks and is blocked by")
    chooser.select_option(f"t{plan_program.task_ids['SEC-5']}")
    expect(page.get_by_test_id("reach")).to_be_visible()

    chooser.select_option("")

    expect(page.get_by_test_id("reach-empty")).to_be_visible()
    expect(page.get_by_test_id("reach")).to_have_count(0)
    expect(page.locator("#messages")).not_to_contain_text("Bad request")
    assert page.evaluate("window.podiumDepmap.cy.nodes('.chosen').length") == 0
    answer = page.request.get(
        f"/programs/{plan_program.id}/dependencies/reach?node=", headers={"HX-Request": "true"}
    )
    assert answer.status == 200 and 'data-testid="reach-empty"' in answer.text()


def test_without_javascript_the_empty_choice_shows_the_map_page(
    browser: Browser, live_server: str, plan_program: PlanProgram, plan_people: dict[str, str]
) -> None:
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, plan_people["vera"])
        page.goto(
            f"/programs/{plan_program.id}/dependencies?node=t{plan_program.task_ids['SEC-5']}"
        )
        expect(page.get_by_test_id("reach")).to_be_visible()
        page.locator("#dm-node").select_option("")
        page.get_by_role("button", name="Show", exact=True).click()
        expect(page.get_by_test_id("reach-empty")).to_be_visible()
        assert page.url.endswith("dependencies?node=")
        still_refused = page.request.get(f"/programs/{plan_program.id}/dependencies?node=x1")
        assert still_refused.status == 400
    finally:
        context.close()


def test_opening_a_listed_node_from_the_keyboard_puts_the_focus_on_its_heading(
    page: Page, plan_program: PlanProgram, plan_people: dict[str, str]
) -> None:
    open_map(page, plan_program.id, plan_people["vera"])
    plat6 = f"t{plan_program.task_ids['PLAT-6']}"
    chooser = page.get_by_label("Show what blocks and is blocked by")
    chooser.focus()
    chooser.select_option(f"t{plan_program.task_ids['PLAT-5']}")
    expect(page.get_by_test_id("reach")).to_be_visible()

    for _ in range(60):  # Tab through the toolbar into the panel, to PLAT-6
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.focus || ''") == plat6:
            break
    else:
        pytest.fail("Tab never reached PLAT-6 in the panel")
    page.keyboard.press("Enter")

    expect(page.get_by_test_id("reach")).to_have_attribute("data-node", plat6)
    heading = page.get_by_test_id("reach").locator(".dm-reach__title")
    expect(heading).to_be_focused()
    expect(heading).to_contain_text("PLAT-6")


def test_an_empty_program_says_there_is_nothing_to_draw(
    page: Page, web_engine: Engine, plan_people: dict[str, str]
) -> None:
    db = session_factory(web_engine)()
    try:
        maya = db.scalars(select(User).where(User.email == plan_people["maya"])).one()
        empty = make_program(db, owner=maya, key=f"BARE{next(_keys)}", name="Nothing yet").id
    finally:
        db.close()
    open_map(page, empty, plan_people["maya"])

    hint = page.get_by_test_id("depmap-hint")
    expect(hint).to_contain_text("Nothing to draw yet")
    expect(hint.get_by_role("button")).to_be_hidden()


def test_a_program_without_cross_project_links_points_to_the_ones_within_projects(
    page: Page, web_engine: Engine, plan_people: dict[str, str]
) -> None:
    program = import_variant(web_engine, "SOLO", keep_projects("PLAT"))
    open_map(page, program.id, plan_people["maya"])

    hint = page.get_by_test_id("depmap-hint")
    expect(hint).to_contain_text("No dependency crosses projects")
    expect(hint).to_contain_text("within a project")
    hint.get_by_role("button", name="Show dependencies within projects").click()

    expect(page.get_by_label("Show dependencies within projects")).to_be_checked()
    expect(hint).to_be_hidden()
    assert page.evaluate("window.podiumDepmap.cy.edges('.within').length") > 0


def test_one_cross_project_dependency_is_said_in_the_singular(
    page: Page, web_engine: Engine, plan_people: dict[str, str]
) -> None:
    def one_cross_link(plan: dict[str, Any]) -> None:
        keep_projects("PLAT", "SEC")(plan)
        project_of = {t["id"]: t["project"] for t in plan["tasks"]}
        crossing = [d for d in plan["dependencies"] if project_of[d["from"]] != project_of[d["to"]]]
        plan["dependencies"] = [d for d in plan["dependencies"] if d not in crossing[1:]]

    program = import_variant(web_engine, "PAIR", one_cross_link)
    open_map(page, program.id, plan_people["maya"])

    status = page.get_by_test_id("depmap-status")
    expect(status).to_contain_text("1 cross-project dependency ")
    expect(status).not_to_contain_text("1 cross-project dependencies")
    expect(page.get_by_test_id("depmap-hint")).to_be_hidden()


def test_a_milestone_past_its_target_is_marked_late_in_words_not_colour_alone(
    page: Page, web_engine: Engine, plan_people: dict[str, str]
) -> None:
    program = import_variant(web_engine, "LATE", long_names)
    open_map(page, program.id, plan_people["maya"])
    m1 = f"m{program.milestone_ids['M1']}"

    late = page.evaluate(
        "() => window.podiumDepmap.cy.nodes('.late').map(n => [n.id(), n.data('label')])"
    )
    assert [node for node, _label in late] == [m1]
    assert "late" in late[0][1]
    on_time = page.evaluate(
        "(id) => window.podiumDepmap.cy.getElementById(id).data('label')",
        f"m{program.milestone_ids['M4']}",
    )
    assert "late" not in on_time
    expect(page.get_by_test_id("depmap-status")).to_contain_text("1 program milestone is late")
    chooser = page.get_by_label("Show what blocks and is blocked by")
    expect(chooser.locator(f'option[value="{m1}"]')).to_contain_text("(late)")

    chooser.select_option(m1)

    expect(page.get_by_test_id("reach-late")).to_contain_text("target")
    data = page.request.get(f"/programs/{program.id}/dependencies.json").json()
    flags = {n["key"]: n["late"] for n in data["nodes"] if n["type"] == "program-milestone"}
    assert flags == {"M1": True, "M2": False, "M3": False, "M4": False}

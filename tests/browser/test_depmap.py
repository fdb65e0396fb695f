"""The dependency map in a real browser: cross-project edges drawn distinctly, and a
node's side panel listing what it blocks and what blocks it, by project."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import PlanProgram, screenshot, sign_in

pytestmark = pytest.mark.browser


def open_map(page: Page, program: PlanProgram, email: str) -> Locator:
    sign_in(page, email)
    page.goto(f"/programs/{program.id}/dependencies")
    graph = page.locator("#depmap")
    expect(graph).to_have_attribute("data-state", "ready")
    return graph


def api_cross_dependencies(page: Page, program: PlanProgram) -> list[tuple[str, str]]:
    response = page.request.get(
        f"/api/v1/dependencies?program_id={program.id}&cross_project=true&limit=200"
    )
    assert response.ok
    return sorted(
        (f"t{d['predecessor']['id']}", f"t{d['successor']['id']}") for d in response.json()["items"]
    )


def edges(page: Page, selector: str) -> list[dict[str, str]]:
    return page.evaluate(
        """(sel) => window.podiumDepmap.cy.edges(sel).map(e => ({
            from: e.source().id(), to: e.target().id(),
            style: e.style('line-style'), colour: e.style('line-color')}))""",
        selector,
    )


def click_node(page: Page, node: str) -> None:
    """Click a node where cytoscape drew it on its canvas."""
    graph = page.locator(".dm-graph")
    graph.scroll_into_view_if_needed()
    # resize() drops cytoscape's cached idea of where its canvas is on the page
    where = page.evaluate(
        "(id) => { const cy = window.podiumDepmap.cy; cy.resize(); "
        "return cy.getElementById(id).renderedPosition(); }",
        node,
    )
    box = graph.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + where["x"], box["y"] + where["y"])


def test_cross_project_edges_are_drawn_dashed_and_listed(
    page: Page, plan_program: PlanProgram, plan_people: dict[str, str]
) -> None:
    graph = open_map(page, plan_program, plan_people["vera"])
    expected = api_cross_dependencies(page, plan_program)
    assert len(expected) == 8

    cross = edges(page, ".cross")
    assert sorted((e["from"], e["to"]) for e in cross) == expected
    assert {e["style"] for e in cross} == {"dashed"}
    into_milestones = edges(page, ".milestone")
    assert into_milestones and {e["style"] for e in into_milestones} == {"dotted"}
    assert {e["colour"] for e in cross}.isdisjoint({e["colour"] for e in into_milestones})
    assert edges(page, ".within") == []  # hidden until asked for
    expect(graph).to_have_attribute("data-cross-edges", "8")

    table = page.get_by_test_id("cross-dependencies")
    expect(table.locator("tbody tr")).to_have_count(8)
    ids = plan_program.task_ids
    row = table.locator(f'tr[data-from="t{ids["SEC-5"]}"][data-to="t{ids["DATA-4"]}"]')
    expect(row).to_contain_text("Security sign-off")
    expect(row).to_contain_text("Wave 1")


def test_dependencies_within_projects_show_on_request_drawn_solid(
    page: Page, plan_program: PlanProgram, plan_people: dict[str, str]
) -> None:
    open_map(page, plan_program, plan_people["maya"])

    page.get_by_label("Show dependencies within projects").check()

    within = edges(page, ".within")
    assert len(within) > 10
    assert {e["style"] for e in within} == {"solid"}
    expect(page.get_by_test_id("depmap-status")).to_contain_text("other dependencies")
    assert len(edges(page, ".cross")) == 8


def test_clicking_a_node_lists_what_it_blocks_and_what_blocks_it_by_project(
    page: Page, plan_program: PlanProgram, plan_people: dict[str, str]
) -> None:
    open_map(page, plan_program, plan_people["vera"])
    sec5 = f"t{plan_program.task_ids['SEC-5']}"

    click_node(page, sec5)

    reach = page.get_by_test_id("reach")
    expect(reach).to_have_attribute("data-node", sec5)
    blocks = reach.get_by_test_id("blocks")
    data = blocks.locator('[data-project="DATA"]')
    for key in ("DATA-4", "DATA-5", "DATA-6", "DATA-7"):
        expect(data.locator(f'li[data-node="t{plan_program.task_ids[key]}"]')).to_be_visible()
    program = blocks.locator('[data-project="program"]')
    for key in ("M2", "M3", "M4"):
        expect(program).to_contain_text(key)
    blocked_by = reach.get_by_test_id("blocked-by")
    expect(blocked_by.locator('[data-project="SEC"]')).to_contain_text("SEC-4")
    expect(blocked_by.locator('[data-project="PLAT"]')).to_contain_text("PLAT-4")
    expect(blocked_by).not_to_contain_text("DATA-")
    # and the graph highlights the chain
    classes = page.evaluate(
        "(id) => window.podiumDepmap.cy.getElementById(id).classes()",
        f"t{plan_program.task_ids['DATA-4']}",
    )
    assert "downstream" in classes


def test_the_chooser_opens_a_node_without_a_mouse(
    page: Page, plan_program: PlanProgram, plan_people: dict[str, str]
) -> None:
    open_map(page, plan_program, plan_people["vera"])
    m1 = f"m{plan_program.milestone_ids['M1']}"

    page.get_by_label("Show what blocks and is blocked by").select_option(m1)

    reach = page.get_by_test_id("reach")
    expect(reach).to_have_attribute("data-node", m1)
    expect(reach.get_by_test_id("blocks")).to_contain_text("Nothing waits on it")
    expect(reach.get_by_test_id("blocked-by").locator('[data-project="PLAT"]')).to_contain_text(
        "PLAT-5"
    )
    expect(reach.get_by_test_id("blocked-by").locator('[data-project="TRAIN"]')).to_contain_text(
        "TRAIN-3"
    )
    # a listed node opens in turn
    reach.get_by_role("button", name="PLAT-5").click()
    expect(page.get_by_test_id("reach")).to_have_attribute(
        "data-node", f"t{plan_program.task_ids['PLAT-5']}"
    )


def test_screenshot_of_the_dependency_map(
    page: Page, plan_program: PlanProgram, plan_people: dict[str, str]
) -> None:
    open_map(page, plan_program, plan_people["maya"])
    click_node(page, f"t{plan_program.task_ids['SEC-5']}")
    expect(page.get_by_test_id("reach")).to_be_visible()
    page.evaluate("() => window.scrollTo(0, 0)")
    screenshot(page, "depmap.png")

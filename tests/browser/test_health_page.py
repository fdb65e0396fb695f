"""Health on the programs list and the overview: a colour with a word, and the API's reasons."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import World, screenshot

pytestmark = pytest.mark.browser


def _api_health(world: World, live_server: str, program_id: int) -> dict:
    token = world.tokens[world.emails["ana"]]
    response = httpx.get(
        f"{live_server}/api/v1/programs/{program_id}/health",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200, response.text
    result: dict = response.json()
    return result


def test_overview_shows_health_with_the_same_reasons_as_the_api(
    page_as, world: World, live_server: str
) -> None:
    program_id = world.program_ids["CLOUD"]
    api = _api_health(world, live_server, program_id)
    page: Page = page_as(world.emails["ana"])
    page.goto(f"/programs/{program_id}")
    panel = page.get_by_test_id("health")
    status = api["program"]["status"]
    expect(panel).to_have_attribute("data-health", status)
    expect(panel.locator(".health--large")).to_have_text(status.capitalize())
    assert api["program"]["reasons"], "the seeded program has a late milestone"
    first = api["program"]["reasons"][0]
    expect(page.get_by_test_id("health-reasons").locator("li").first).to_contain_text(
        first["ref"]["key"]
    )
    lines = page.get_by_test_id("health-reasons").locator("li[data-rule]")
    kinds = {(r["rule"], r["severity"]) for r in api["program"]["reasons"]}
    expect(lines).to_have_count(min(6, len(kinds)))  # one line per rule and colour
    expect(page.get_by_test_id("health-reasons")).to_contain_text(
        f"All {len(api['program']['reasons'])} reasons"
    )
    for project in api["projects"]:
        expect(page.get_by_test_id("health-projects")).to_contain_text(project["ref"]["key"])
    screenshot(page, "health.png")


def test_programs_list_shows_each_programs_health_in_words(
    page_as, world: World, live_server: str
) -> None:
    api = _api_health(world, live_server, world.program_ids["CLOUD"])
    page: Page = page_as(world.emails["ana"])
    page.goto("/")
    cell = page.locator("[data-program-key='CLOUD'] [data-testid='health']")
    expect(cell.locator("[data-health]")).to_have_attribute("data-health", api["program"]["status"])
    expect(cell.locator("[data-health]")).to_have_text(api["program"]["status"].capitalize())

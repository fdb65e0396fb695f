"""The programs list and the program overview in a real browser."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import World, sign_in

pytestmark = pytest.mark.browser


def api_program_keys(live_server: str, token: str) -> list[str]:
    response = httpx.get(
        f"{live_server}/api/v1/programs", headers={"Authorization": f"Bearer {token}"}
    )
    response.raise_for_status()
    return [item["key"] for item in response.json()["items"]]


@pytest.mark.parametrize("who", ["ana", "ben", "dan"])
def test_the_list_shows_exactly_the_programs_the_user_belongs_to(
    page: Page, world: World, live_server: str, who: str
) -> None:
    email = world.emails[who]
    expected = api_program_keys(live_server, world.tokens[email])
    assert expected, "every one of these users belongs to a program"

    sign_in(page, email)

    rows = page.locator("[data-program-key]")
    expect(rows).to_have_count(len(expected))
    assert [rows.nth(i).get_attribute("data-program-key") for i in range(len(expected))] == expected


def test_the_list_shows_goal_target_and_dates(page: Page, world: World) -> None:
    sign_in(page, world.emails["ana"])

    cloud = page.locator('[data-program-key="CLOUD"]')
    expect(cloud.get_by_role("link", name="Cloud migration")).to_have_attribute(
        "href", f"/programs/{world.program_ids['CLOUD']}"
    )
    expect(cloud.get_by_test_id("goal-outcome")).to_contain_text("reducing support ticket volume")
    expect(cloud.get_by_test_id("target")).to_have_text("840 tickets")
    expect(cloud.locator('time[datetime="2027-12-17"]')).to_have_text("17 Dec 2027")
    expect(cloud.locator('time[datetime="2027-01-04"]')).to_have_text("4 Jan 2027")
    expect(cloud).to_contain_text("Active")


def test_a_user_without_programs_sees_the_empty_state(page: Page, world: World) -> None:
    sign_in(page, world.emails["cleo"])

    expect(page.get_by_test_id("no-programs")).to_contain_text("No programs yet")
    expect(page.locator("[data-program-key]")).to_have_count(0)


def test_the_overview_shows_the_goal_numbers(page: Page, world: World) -> None:
    sign_in(page, world.emails["ana"])
    page.get_by_role("link", name="Cloud migration").click()

    goal = page.get_by_test_id("goal")
    expect(goal.get_by_test_id("goal-outcome")).to_contain_text("Migrate all client environments")
    expect(goal.get_by_test_id("goal-measure")).to_have_text("support tickets per month")
    expect(goal.get_by_test_id("goal-baseline")).to_have_text("1,200 tickets")
    expect(goal.get_by_test_id("goal-target")).to_have_text("840 tickets")
    expect(goal.get_by_test_id("goal-change")).to_have_text("\u221230\u00a0%")
    expect(goal.get_by_test_id("goal-date")).to_have_text("17 Dec 2027")
    expect(page.get_by_test_id("your-role")).to_have_text("Owner")


def test_the_overview_lists_members_with_roles_and_the_projects(page: Page, world: World) -> None:
    sign_in(page, world.emails["ben"])
    page.goto(f"/programs/{world.program_ids['CLOUD']}")

    members = page.get_by_test_id("members").locator("[data-member-email]")
    expect(members).to_have_count(3)
    expect(members.nth(0)).to_contain_text("Ana Ferreira")
    expect(members.nth(0)).to_contain_text("owner")
    expect(page.locator('[data-member-email="ben@example.com"]')).to_contain_text("member")
    expect(page.locator('[data-member-email="dan@example.com"]')).to_contain_text("viewer")

    projects = page.get_by_test_id("projects").locator("[data-project-key]")
    expect(projects).to_have_count(5)
    expect(page.locator('[data-project-key="PLAT"]')).to_contain_text("Platform upgrade")
    expect(page.locator('[data-project-key="PLAT"]')).to_contain_text("6 tasks")
    expect(page.locator('[data-project-key="VEND"]')).to_contain_text("1 task")


def test_a_program_without_projects_says_so(page: Page, world: World) -> None:
    sign_in(page, world.emails["dan"])
    page.goto(f"/programs/{world.program_ids['HR']}")

    expect(page.get_by_test_id("no-projects")).to_be_visible()
    expect(page.get_by_test_id("goal-target")).to_have_text("not set")


def test_a_non_member_gets_the_not_found_page(page: Page, world: World) -> None:
    sign_in(page, world.emails["ben"])

    response = page.goto(f"/programs/{world.program_ids['HR']}")

    assert response is not None and response.status == 404
    expect(page.get_by_test_id("error-page")).to_have_attribute("data-status", "404")
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    expect(page.get_by_test_id("signed-in-user")).to_have_text("Ben Okafor")
    expect(page.get_by_text("People platform")).to_have_count(0)


def test_an_unknown_address_gets_the_not_found_page_in_the_layout(page: Page, world: World) -> None:
    sign_in(page, world.emails["ben"])

    response = page.goto("/no/such/page")

    assert response is not None and response.status == 404
    expect(page.get_by_test_id("error-page")).to_be_visible()
    expect(page.get_by_test_id("signed-in-user")).to_have_text("Ben Okafor")

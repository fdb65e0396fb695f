"""The programs list and the program overview: the numbers are the API's, the bad news first."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import Engine, event

from podium.app import create_app
from podium.config import Settings
from tests.browser.conftest import World, screenshot
from tests.browser.work_plan import (
    WorkPeople,
    WorkProgram,
    api_get,
    grow_app,
    make_work_program,
)
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

OpenPage = Callable[[str], Page]


def day_of(cell: Locator) -> str | None:
    """The ISO date a cell shows (its ``<time datetime>``)."""
    return cell.locator("time").first.get_attribute("datetime")


@pytest.fixture
def cloud(world: World, live_server: str) -> dict[str, Any]:
    """The CLOUD program as the API reports it: schedule, open alerts, projects."""
    token = world.tokens[world.emails["ana"]]
    program_id = world.program_ids["CLOUD"]
    return {
        "id": program_id,
        "schedule": api_get(live_server, token, f"/programs/{program_id}/schedule"),
        "alerts": api_get(live_server, token, f"/programs/{program_id}/alerts"),
        "projects": api_get(live_server, token, "/projects", program_id=program_id)["items"],
        "tasks": api_get(live_server, token, "/tasks", program_id=program_id, limit=500)["items"],
    }


def test_the_overview_finish_and_milestone_forecasts_equal_the_schedule_api(
    page_as: OpenPage, world: World, cloud: dict[str, Any]
) -> None:
    page = page_as(world.emails["ana"])
    page.goto(f"/programs/{cloud['id']}")

    schedule = cloud["schedule"]
    finish = page.get_by_test_id("at-a-glance").get_by_test_id("finish")
    assert day_of(finish.get_by_test_id("forecast-finish")) == schedule["finish"]
    expect(finish).to_contain_text("5 working days ahead")
    expect(finish).to_contain_text("17 Dec 2027")

    rows = page.get_by_test_id("milestones").locator("[data-milestone-key]")
    expect(rows).to_have_count(len(schedule["milestones"]))
    for i, forecast in enumerate(schedule["milestones"]):  # both in forecast order
        row = rows.nth(i)
        expect(row).to_have_attribute("data-milestone-key", forecast["milestone"]["key"])
        assert day_of(row.get_by_test_id("forecast")) == forecast["forecast"]
        assert day_of(row.get_by_test_id("target")) == forecast["target"]
        expect(row.get_by_test_id("slip")).to_have_attribute("data-value", str(forecast["slip"]))


def test_a_late_milestone_says_so_in_words_and_with_an_icon(
    page_as: OpenPage, world: World, cloud: dict[str, Any]
) -> None:
    page = page_as(world.emails["dan"])  # a viewer reads the same overview
    page.goto(f"/programs/{cloud['id']}")

    late = page.locator('[data-milestone-key="M1"]')
    expect(late.locator('[data-state="late"]')).to_have_text("Late by 5 working days")
    expect(late.locator('[data-state="late"] svg')).to_have_count(1)
    expect(page.locator('[data-milestone-key="M2"] [data-state="on_track"]')).to_have_text(
        "On track"
    )
    summary = page.get_by_test_id("milestone-summary")
    expect(summary).to_contain_text("1 late of 4")
    # the next milestone is the one due first, late as it is, not the first on track
    expect(page.get_by_test_id("next-milestone")).to_contain_text("M1")
    expect(page.get_by_test_id("next-milestone")).to_contain_text("Late by 5 working days")


def test_open_alerts_come_first_with_their_upstream_to_downstream_chain(
    page_as: OpenPage, world: World, cloud: dict[str, Any]
) -> None:
    page = page_as(world.emails["ana"])
    page.goto(f"/programs/{cloud['id']}")

    api_alerts = cloud["alerts"]["items"]
    assert len(api_alerts) == 1
    expect(page.get_by_test_id("open-alert-count")).to_have_text(str(cloud["alerts"]["total"]))
    alerts = page.get_by_test_id("alerts")
    # the bad news sits above the milestones and the goal
    alerts_top = alerts.bounding_box()
    milestones_top = page.get_by_test_id("milestones").bounding_box()
    assert alerts_top and milestones_top and alerts_top["y"] < milestones_top["y"]

    item = alerts.locator(f'[data-alert-id="{api_alerts[0]["id"]}"]')
    keys = item.get_by_test_id("chain").locator("[data-chain-key]")
    assert keys.all_inner_texts() == [step["key"] for step in api_alerts[0]["chain"]]
    assert [s["key"] for s in api_alerts[0]["chain"]][-2:] == ["TRAIN-3", "M1"]
    expect(item.get_by_test_id("days-late")).to_have_text(
        f"+{api_alerts[0]['details']['days_late']} working days"
    )
    expect(item).to_contain_text("Crosses PLAT, TRAIN")
    expect(item).to_contain_text("First detected")
    expect(item.get_by_text("High")).to_be_visible()


def test_the_overview_projects_show_the_apis_spans_task_and_critical_counts(
    page_as: OpenPage, world: World, cloud: dict[str, Any]
) -> None:
    page = page_as(world.emails["ben"])
    page.goto(f"/programs/{cloud['id']}")

    table = page.get_by_test_id("projects")
    for project in cloud["projects"]:
        row = table.locator(f'[data-project-key="{project["key"]}"]')
        assert day_of(row.get_by_test_id("start")) == project["scheduled_start"]
        assert day_of(row.get_by_test_id("finish")) == project["scheduled_finish"]
        count = project["task_count"]
        expect(row.get_by_test_id("task-count")).to_have_text(
            f"{count} task{'' if count == 1 else 's'}"
        )
        critical = sum(
            1 for t in cloud["tasks"] if t["project_id"] == project["id"] and t["is_critical"]
        )
        expect(row.get_by_test_id("critical-count")).to_have_text(str(critical))


def test_the_programs_list_shows_forecast_next_milestone_and_open_alerts(
    page_as: OpenPage, world: World, cloud: dict[str, Any]
) -> None:
    page = page_as(world.emails["ana"])
    page.goto("/")

    row = page.locator('[data-program-key="CLOUD"]')
    assert day_of(row.get_by_test_id("forecast-finish")) == cloud["schedule"]["finish"]
    expect(row.get_by_test_id("finish")).to_contain_text("5 working days ahead")
    # nothing is reached yet: the one due first, by its target
    upcoming = min(cloud["schedule"]["milestones"], key=lambda m: str(m["target"]))
    milestone = row.get_by_test_id("next-milestone")
    expect(milestone).to_contain_text(upcoming["milestone"]["name"])
    assert day_of(milestone.get_by_test_id("milestone-forecast")) == upcoming["forecast"]
    assert day_of(milestone.get_by_test_id("milestone-target")) == upcoming["target"]
    expect(row.get_by_test_id("alert-count")).to_have_text(str(cloud["alerts"]["total"]))

    unscheduled = page.locator('[data-program-key="ERP"]')
    expect(unscheduled.get_by_test_id("finish")).to_contain_text("Not scheduled yet")
    expect(unscheduled.get_by_test_id("no-alerts")).to_have_text("None")


def test_a_work_program_without_alerts_shows_none_and_its_milestone(
    page_as: OpenPage, work_people: WorkPeople, work_program: WorkProgram, live_server: str
) -> None:
    token = work_people.tokens[work_people.emails["rosa"]]
    schedule = api_get(live_server, token, f"/programs/{work_program.id}/schedule")
    page = page_as(work_people.emails["rosa"])
    page.goto(f"/programs/{work_program.id}")

    expect(page.get_by_test_id("alerts")).to_have_count(0)
    expect(page.get_by_test_id("open-alert-count")).to_have_text("0")
    row = page.locator('[data-milestone-key="M1"]')
    assert day_of(row.get_by_test_id("forecast")) == schedule["milestones"][0]["forecast"]


def test_screenshots_of_the_programs_list_and_the_overview(page_as: OpenPage, world: World) -> None:
    page = page_as(world.emails["ana"])
    page.goto("/")
    expect(page.locator("[data-program-key]")).to_have_count(2)
    screenshot(page, "programs.png")

    page.goto(f"/programs/{world.program_ids['CLOUD']}")
    expect(page.get_by_test_id("alerts")).to_be_visible()
    screenshot(page, "overview.png")


# --- the overview's cost does not grow with the program --------------------------


@pytest.fixture
def client(web_engine: Engine) -> Iterator[TestClient]:
    settings = Settings(database_url=str(web_engine.url), environment="test", secret_key="x")
    with TestClient(create_app(settings, engine=web_engine), follow_redirects=False) as client:
        yield client


def _statements(engine: Engine, run: Callable[[], object]) -> int:
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def _sign_in(client: TestClient, email: str) -> None:
    form = client.get("/login").text
    token = form.split('name="csrf_token" value="')[1].split('"')[0]
    answer = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code == 303


def test_the_overview_and_list_cost_the_same_queries_for_20_or_2000_tasks(
    client: TestClient, web_engine: Engine, work_people: WorkPeople
) -> None:
    small = make_work_program(web_engine, work_people)
    large = make_work_program(web_engine, work_people)
    grow_app(web_engine, small, 15)
    grow_app(web_engine, large, 2000)
    _sign_in(client, work_people.emails["rosa"])

    def get(path: str) -> Callable[[], None]:
        def run() -> None:
            assert client.get(path).status_code == 200

        return run

    for path in ("/programs/{}", "/programs/{}/projects"):
        assert _statements(web_engine, get(path.format(small.id))) == _statements(
            web_engine, get(path.format(large.id))
        )

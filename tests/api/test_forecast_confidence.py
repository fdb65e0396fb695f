"""The newest Monte Carlo forecast beside the plan's dates wherever a status is read first:
the programs list and a program (API and pages), the milestones (API, overview, Milestones
pages). A plan may finish ahead of its goal date that is far from likely to; a milestone
on track may have its P80 past its target; neither is hidden."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from podium.services import overview
from podium.services.actor import Actor
from tests.api.conftest import Browser, Cast, Net, post_created
from tests.api.test_tasks import counting_queries
from tests.factories import make_user

pytestmark = pytest.mark.db

GOAL = "2027-01-22"  # the network's milestone M1 is forecast on its target, this day


def _run(cast: Cast, seed: int = 7) -> dict[str, Any]:
    return post_created(
        cast.manager,
        f"/api/v1/programs/{cast.program.id}/forecast",
        {"iterations": 1000, "seed": seed},
    )


def _uncertain(cast: Cast, net: Net) -> dict[str, Any]:
    """Give the pilot a long pessimistic tail and the program the goal date M1 is forecast
    on, then run a forecast: the plan finishes on the goal date, its P80 after it."""
    response = cast.manager.patch(
        f"/api/v1/tasks/{net.plat['id']}",
        json={"estimate": {"optimistic": 8, "most_likely": 10, "pessimistic": 20}},
    )
    assert response.status_code == 200, response.text
    response = cast.owner.patch(
        f"/api/v1/programs/{cast.program.id}", json={"goal": {"target_date": GOAL}}
    )
    assert response.status_code == 200, response.text
    return _run(cast)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


def _cell(page: str, testid: str, tag: str = "div") -> str:
    """The text of the first element with this test id (``tag`` closes it)."""
    found = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</{tag}>', page, re.S)
    assert found is not None, f"no {testid} on the page"
    return _text(found.group(1))


def _row(page: str, key: str) -> str:
    found = re.search(rf'<tr data-milestone-key="{key}".*?</tr>', page, re.S)
    assert found is not None, f"no row for {key}"
    return found.group(0)


# --- the programs API ------------------------------------------------------------------


def test_a_program_gives_its_newest_forecasts_p80_and_odds_of_the_goal_date(
    cast: Cast, net: Net
) -> None:
    url = f"/api/v1/programs/{cast.program.id}"
    assert cast.viewer.get(url).json()["latest_forecast"] is None
    assert cast.viewer.get("/api/v1/programs").json()["items"][0]["latest_forecast"] is None

    _uncertain(cast, net)
    newest = _run(cast, seed=8)  # the newest one counts, not the first
    expected = {
        "forecast_id": newest["id"],
        "created_at": newest["created_at"],
        "p80_finish": newest["program_p80"],
        "goal_probability": newest["results"]["program"]["probability"],
        "goal_date": GOAL,
        "plan_changed_since": False,
    }
    assert newest["program_p80"] > GOAL and 0 < expected["goal_probability"] < 0.8
    assert cast.viewer.get(url).json()["latest_forecast"] == expected
    (item,) = cast.viewer.get("/api/v1/programs").json()["items"]
    assert item["latest_forecast"] == expected
    # a change of the plan: the forecast read an older one
    response = cast.manager.patch(f"/api/v1/tasks/{net.sec['id']}", json={"duration": 4})
    assert response.status_code == 200, response.text
    assert cast.viewer.get(url).json()["latest_forecast"]["plan_changed_since"] is True
    (item,) = cast.viewer.get("/api/v1/programs").json()["items"]
    assert item["latest_forecast"]["plan_changed_since"] is True


def test_the_programs_schema_describes_the_forecast_fields(cast: Cast) -> None:
    schemas = cast.viewer.get("/api/openapi.json").json()["components"]["schemas"]
    fields = schemas["ProgramLatestForecastOut"]["properties"]
    assert "80 %" in fields["p80_finish"]["description"]
    assert "goal_date" in fields["goal_probability"]["description"]
    assert "latest_forecast" in schemas["ProgramOut"]["properties"]
    milestone = schemas["MilestoneLatestForecastOut"]["properties"]
    assert "on_track" in milestone["p80_past_target"]["description"]


def _program_with_forecast(cast: Cast, n: int) -> None:
    """Another program of the admin's seeing, with one task and a forecast of it."""
    client = cast.admin
    program = post_created(
        client, "/api/v1/programs", {"key": f"MORE{n}", "name": f"More {n}", "start_date": GOAL}
    )
    project = post_created(
        client, "/api/v1/projects", {"program_id": program["id"], "key": "P", "name": "P"}
    )
    post_created(client, "/api/v1/tasks", {"project_id": project["id"], "name": "T", "duration": 3})
    post_created(client, f"/api/v1/programs/{program['id']}/forecast", {"iterations": 100})


def test_listing_programs_reads_their_newest_forecasts_in_one_statement(
    cast: Cast, net: Net, engine: Engine, db: Session
) -> None:
    _run(cast)
    _run(cast, seed=2)
    admin = Actor.of(make_user(db, email="counting-admin@example.com", is_admin=True))
    cast.admin.get("/api/v1/programs")  # warm up: token bookkeeping
    with counting_queries(engine) as few:
        assert len(cast.admin.get("/api/v1/programs").json()["items"]) == 1
    with counting_queries(engine) as few_pages:
        items, _total = overview.program_list(db, admin, limit=50, offset=0)
        assert [i.glance is not None for i in items] == [True]
    db.rollback()
    for n in range(3):
        _program_with_forecast(cast, n)
    with counting_queries(engine) as many:
        listed = cast.admin.get("/api/v1/programs").json()["items"]
        assert all(p["latest_forecast"] for p in listed) and len(listed) == 4
    with counting_queries(engine) as many_pages:
        items, _total = overview.program_list(db, admin, limit=50, offset=0)
        assert [i.glance is not None for i in items] == [True] * 4
    assert len(many) == len(few), many
    assert len(many_pages) == len(few_pages), many_pages


# --- the milestones API ----------------------------------------------------------------


def test_a_milestone_on_track_whose_p80_is_past_its_target_says_so(
    cast: Cast, net: Net, db: Session
) -> None:
    url = f"/api/v1/milestones/{net.m1['id']}"
    assert cast.viewer.get(url).json()["latest_forecast"] is None
    forecast = _uncertain(cast, net)
    (m1,) = forecast["results"]["milestones"]
    shown = cast.viewer.get(url).json()
    assert shown["state"] == "on_track" and shown["forecast"] == shown["target_date"] == GOAL
    assert shown["latest_forecast"] == {
        "forecast_id": forecast["id"],
        "created_at": forecast["created_at"],
        "p80": m1["p80"],
        "p80_past_target": True,
        "plan_changed_since": False,
    }
    listed = cast.viewer.get("/api/v1/milestones", params={"program_id": cast.program.id})
    assert listed.json()["items"][0]["latest_forecast"] == shown["latest_forecast"]
    # a target past the P80: on track, and likely
    later = cast.manager.patch(url, json={"target_date": m1["p80"]})
    assert later.status_code == 200, later.text
    assert later.json()["latest_forecast"]["p80_past_target"] is False
    # a target before the forecast: late, which says more than the P80 does
    earlier = cast.manager.patch(url, json={"target_date": "2027-01-15"})
    assert earlier.json()["state"] == "late"
    assert earlier.json()["latest_forecast"]["p80_past_target"] is False


# --- the pages -------------------------------------------------------------------------


def test_the_programs_list_shows_the_odds_of_the_goal_date_beside_the_forecast_finish(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    viewer = browser_as("viewer@example.com")
    assert 'data-testid="finish-p80"' not in viewer.get("/")  # no forecast: nothing more
    forecast = _uncertain(cast, net)
    odds = round(forecast["results"]["program"]["probability"] * 100)
    p80 = date.fromisoformat(forecast["program_p80"])
    page = viewer.get("/")
    assert _cell(page, "forecast-finish") == "22 Jan 2027"
    assert _cell(page, "finish-p80") == (
        f"P80 {p80.day} {p80:%b %Y} · {odds} % likely by the goal date"
    )
    # as the overview's forecast tile says it
    overview_page = viewer.get(f"/programs/{cast.program.id}")
    assert _cell(overview_page, "finish-p80", "p") == _cell(page, "finish-p80")
    # the P80 past the goal date: the odds in amber
    assert re.search(r'class="text-watch" data-testid="goal-odds"', page)


def test_the_goal_odds_name_the_goal_date_they_were_counted_against_once_it_moved(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    _uncertain(cast, net)
    response = cast.owner.patch(
        f"/api/v1/programs/{cast.program.id}", json={"goal": {"target_date": "2027-03-31"}}
    )
    assert response.status_code == 200, response.text
    cell = _cell(browser_as("viewer@example.com").get("/"), "finish-p80")
    assert "likely by 22 Jan 2027, the goal date when it ran" in cell


def test_a_forecast_of_an_older_plan_says_so_on_the_programs_list_and_milestone_pages(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    forecast = _uncertain(cast, net)
    response = cast.manager.patch(f"/api/v1/tasks/{net.sec['id']}", json={"duration": 4})
    assert response.status_code == 200, response.text
    viewer = browser_as("viewer@example.com")
    made = date.fromisoformat(forecast["created_at"][:10])
    ran = f"forecast of {made.day} {made:%b %Y}, before the plan's latest changes"
    assert ran in _cell(viewer.get("/"), "finish-p80")
    assert "before the plan's latest changes" in _cell(
        viewer.get(f"/programs/{cast.program.id}"), "milestones-p80-outdated", "span"
    )
    assert "before the plan's latest changes" in _cell(
        viewer.get(f"/programs/{cast.program.id}/milestones"), "p80-source", "p"
    )
    assert ran in _cell(viewer.get(f"/milestones/{net.m1['id']}"), "p80-outdated", "span")


def test_milestone_rows_on_track_with_their_p80_past_target_carry_an_amber_qualifier(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    viewer = browser_as("viewer@example.com")
    pages = {
        "overview": f"/programs/{cast.program.id}",
        "milestones": f"/programs/{cast.program.id}/milestones",
        "milestone": f"/milestones/{net.m1['id']}",
        "programs": "/",
    }
    for url in pages.values():  # no forecast yet: on track, and nothing more
        assert 'data-testid="p80-past-target"' not in viewer.get(url)
    forecast = _uncertain(cast, net)
    p80 = date.fromisoformat(forecast["results"]["milestones"][0]["p80"])
    qualifier = f"P80 {p80.day} {p80:%b %Y}, past target"
    for name, url in pages.items():
        page = viewer.get(url)
        where = _row(page, "M1") if name in ("overview", "milestones") else page
        assert 'data-state="on_track"' in where, name
        assert 'class="verdict verdict--watch" data-testid="p80-past-target"' in where, name
        assert qualifier in _text(where), name
    tile = _cell(viewer.get(pages["overview"]), "milestones-p80-past", "p")
    assert tile == "M1 P80 past target"
    # the milestone's page shows its P80 beside its forecast
    assert _cell(viewer.get(pages["milestone"]), "p80", "dd") == f"{p80.day} {p80:%b %Y}"

"""A summary task is done when its sub-tasks all are, as the scheduler reads it: the
milestones it feeds are reached, and the pages, the API, health and the report agree.

The plan, from Monday 2027-01-04 on Monday-to-Friday::

    PLAT-1  Wave (summary)      baseline 04 … 08 January
      PLAT-2  Copy   3 days     done 04 … 12 January (took longer)
      PLAT-3  Check  2 days     after Copy, done 13 … 19 January
    M1  Wave done, after Wave, target Wednesday 2027-01-20

The summary's own stored progress stays empty: only its sub-tasks carry any. Once both
are finished, M1 is reached on Tuesday 19 January, one working day ahead of its target,
7 working days after the baseline (11 … 19 January).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from podium.models import Task
from podium.services.actor import SYSTEM
from podium.services.reports import build_report
from tests.api.conftest import Browser, Cast, link, post_created
from tests.api.test_projects import new_project

TASKS = "/api/v1/tasks"


@pytest.fixture
def wave(cast: Cast) -> dict[str, dict[str, Any]]:
    o = cast.owner
    plat = new_project(cast, "PLAT")
    s = post_created(o, TASKS, {"project_id": plat["id"], "name": "Wave"})
    a = post_created(
        o, TASKS, {"project_id": plat["id"], "name": "Copy", "parent_id": s["id"], "duration": 3}
    )
    b = post_created(
        o, TASKS, {"project_id": plat["id"], "name": "Check", "parent_id": s["id"], "duration": 2}
    )
    link(o, ("task", a["id"]), ("task", b["id"]))
    m1 = post_created(
        o,
        "/api/v1/milestones",
        {
            "program_id": cast.program.id,
            "key": "M1",
            "name": "Wave done",
            "target_date": "2027-01-20",
        },
    )
    link(o, ("task", s["id"]), ("milestone", m1["id"]))
    baseline = o.post(f"/api/v1/programs/{cast.program.id}/baselines", json={"name": "Plan"})
    assert baseline.status_code == 201, baseline.text
    return {"S": s, "A": a, "B": b, "M1": m1}


def _finish(cast: Cast, task: dict[str, Any], start: str, finish: str) -> None:
    response = cast.owner.patch(
        f"{TASKS}/{task['id']}", json={"actual_start": start, "actual_finish": finish}
    )
    assert response.status_code == 200, response.text


def _finish_all(cast: Cast, wave: dict[str, dict[str, Any]]) -> None:
    _finish(cast, wave["A"], "2027-01-04", "2027-01-12")
    _finish(cast, wave["B"], "2027-01-13", "2027-01-19")


def _milestone(cast: Cast, wave: dict[str, dict[str, Any]]) -> dict[str, Any]:
    response = cast.viewer.get(f"/api/v1/milestones/{wave['M1']['id']}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_a_milestone_fed_by_a_summary_is_reached_once_its_sub_tasks_are_done(
    cast: Cast, wave: dict[str, dict[str, Any]], db: Session
) -> None:
    _finish(cast, wave["A"], "2027-01-04", "2027-01-12")
    assert _milestone(cast, wave)["state"] == "on_track"  # Check is still to do
    _finish(cast, wave["B"], "2027-01-13", "2027-01-19")

    summary = cast.viewer.get(f"{TASKS}/{wave['S']['id']}").json()
    assert (summary["actual_finish"], summary["percent_complete"]) == ("2027-01-19", 100)
    stored = db.get(Task, wave["S"]["id"])
    assert stored is not None and stored.actual_finish is None  # its own, unused
    m1 = _milestone(cast, wave)
    assert (m1["state"], m1["forecast"], m1["slip"]) == ("reached", "2027-01-19", -1)
    listed = cast.viewer.get("/api/v1/milestones", params={"program_id": cast.program.id})
    assert [m["state"] for m in listed.json()["items"]] == ["reached"]
    [row] = build_report(db, SYSTEM, cast.program.id)["milestones"]
    assert (row["key"], row["state"]) == ("M1", "reached")


def test_the_pages_count_a_finished_summary_as_done(
    cast: Cast, wave: dict[str, dict[str, Any]], browser_as: Callable[[str], Browser]
) -> None:
    _finish_all(cast, wave)
    web = browser_as("viewer@example.com")
    listed = web.get(f"/programs/{cast.program.id}/milestones")
    assert 'data-state="reached"' in listed
    page = web.get(f"/milestones/{wave['M1']['id']}")
    facts = re.search(r'data-testid="milestone-facts".*?</section>', page, re.S)
    assert facts is not None
    assert "1 of 1 done" in _text(facts.group(0))
    row = re.search(rf'<tr data-key="{wave["S"]["key"]}">.*?</tr>', page, re.S)
    assert row is not None and "done" in _text(row.group(0)).split()
    projects = web.get(f"/programs/{cast.program.id}/projects")
    done = re.search(r'data-testid="done-count">(\d+)<', projects)
    assert done is not None and done.group(1) == "3"  # the summary and its two sub-tasks
    overview = web.get(f"/programs/{cast.program.id}")
    tile = re.search(r'data-testid="next-milestone">.*?</div>', overview, re.S)
    assert tile is not None and "Every milestone is reached." in _text(tile.group(0))


def test_a_milestone_after_a_reached_one_shows_it_done_on_its_page(
    cast: Cast, wave: dict[str, dict[str, Any]], browser_as: Callable[[str], Browser]
) -> None:
    m2 = post_created(
        cast.owner, "/api/v1/milestones", {"program_id": cast.program.id, "name": "Cut over"}
    )
    link(cast.owner, ("milestone", wave["M1"]["id"]), ("milestone", m2["id"]))
    _finish_all(cast, wave)
    page = browser_as("viewer@example.com").get(f"/milestones/{m2['id']}")
    facts = re.search(r'data-testid="milestone-facts".*?</section>', page, re.S)
    assert facts is not None and "1 of 1 done" in _text(facts.group(0))


def test_health_leaves_a_finished_summary_and_its_reached_milestone_be(
    cast: Cast, wave: dict[str, dict[str, Any]]
) -> None:
    url = f"/api/v1/programs/{cast.program.id}/health"
    _finish_all(cast, wave)
    health = cast.viewer.get(url).json()
    # finished work is no longer forecast: its slip past the baseline (7 working days,
    # amber after 5) is history, for the summary as for its sub-tasks and the milestone
    tasks = {t["ref"]["key"]: t for t in health["tasks"]}
    assert wave["S"]["key"] not in tasks, tasks[wave["S"]["key"]]["reasons"]
    assert [m["status"] for m in health["milestones"]] == ["green"]


def test_a_milestone_task_with_its_date_is_reached_as_the_scheduler_reads_it(
    cast: Cast, wave: dict[str, dict[str, Any]]
) -> None:
    # a milestone at the end of the wave: its one date (an actual start) marks it reached
    ready = post_created(
        cast.owner,
        TASKS,
        {
            "project_id": wave["S"]["project_id"],
            "name": "Ready",
            "parent_id": wave["S"]["id"],
            "is_milestone": True,
        },
    )
    _finish_all(cast, wave)
    assert _milestone(cast, wave)["state"] == "on_track"  # Ready is not reached yet
    response = cast.owner.patch(f"{TASKS}/{ready['id']}", json={"actual_start": "2027-01-19"})
    assert response.status_code == 200, response.text
    m1 = _milestone(cast, wave)
    assert (m1["state"], m1["forecast"]) == ("reached", "2027-01-19")

"""Summary tasks read with their sub-tasks' span, progress and costs rolled up (API).

The plan, from Monday 2027-01-04 on Monday-to-Friday::

    S  Migration wave (stored: 7 days)     1  2027-01-04 … 2027-01-15  (10 working days)
      S1 Prepare                            1.1 2027-01-04 … 2027-01-08  (5)
        A  Copy     3 days                  1.1.1 04 … 06
        B  Check    2 days, after A         1.1.2 07 … 08
      M  Ready (milestone), after B         1.2   08
      C  Switch   5 days, after B           1.3   11 … 15
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from sqlalchemy.orm import Session

from podium.models import Task
from tests.api.conftest import Cast, link
from tests.api.test_programs import assert_error
from tests.api.test_projects import new_project

URL = "/api/v1/tasks"


def _add(cast: Cast, project: dict[str, Any], name: str, **fields: Any) -> dict[str, Any]:
    response = cast.owner.post(URL, json={"project_id": project["id"], "name": name, **fields})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


@pytest.fixture
def wave(cast: Cast) -> dict[str, dict[str, Any]]:
    plat = new_project(cast, "PLAT", name="Platform upgrade")
    s = _add(cast, plat, "Migration wave", duration=7)
    s1 = _add(cast, plat, "Prepare", parent_id=s["id"])
    a = _add(cast, plat, "Copy", parent_id=s1["id"], duration=3, budget=1000)
    b = _add(cast, plat, "Check", parent_id=s1["id"], duration=2)
    m = _add(cast, plat, "Ready", parent_id=s["id"], is_milestone=True)
    c = _add(cast, plat, "Switch", parent_id=s["id"], duration=5, budget=500)
    for before, after in ((a, b), (b, m), (b, c)):
        link(cast.owner, ("task", before["id"]), ("task", after["id"]))
    return {"S": s, "S1": s1, "A": a, "B": b, "M": m, "C": c}


def _get(cast: Cast, task: dict[str, Any]) -> dict[str, Any]:
    response = cast.viewer.get(f"{URL}/{task['id']}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _progress(cast: Cast, task: dict[str, Any], **fields: Any) -> None:
    response = cast.owner.patch(f"{URL}/{task['id']}", json=fields)
    assert response.status_code == 200, response.text


def _rolled(body: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(
        body[f] for f in ("duration", "percent_complete", "actual_start", "actual_finish", "budget")
    )


def test_a_summary_reads_its_span_not_its_stored_duration(
    cast: Cast, wave: dict[str, dict[str, Any]], db: Session
) -> None:
    s, s1 = _get(cast, wave["S"]), _get(cast, wave["S1"])
    assert (s["early_start"], s["early_finish"]) == ("2027-01-04", "2027-01-15")
    assert s["is_summary"] is True and _rolled(s) == (10, 0, None, None, 1500)
    assert (s1["early_start"], s1["early_finish"]) == ("2027-01-04", "2027-01-08")
    assert _rolled(s1) == (5, 0, None, None, 1000)
    # a leaf shows its own values; the summary's own stay stored, unused
    assert _rolled(_get(cast, wave["A"])) == (3, 0, None, None, 1000)
    assert db.get(Task, wave["S"]["id"]).duration == 7  # type: ignore[union-attr]


def test_progress_rolls_up_through_nested_summaries_weighted_by_duration(
    cast: Cast, wave: dict[str, dict[str, Any]]
) -> None:
    _progress(cast, wave["A"], actual_start="2027-01-04", actual_finish="2027-01-06")
    _progress(cast, wave["A"], actual_cost=400)
    _progress(cast, wave["B"], actual_start="2027-01-07", percent_complete=50)
    s1 = _get(cast, wave["S1"])
    # (3 × 100 + 2 × 50) / 5 — and for S through the same leaves, C not started: / 10
    assert _rolled(s1)[1:] == (80, "2027-01-04", None, 1000)
    s = _get(cast, wave["S"])
    assert _rolled(s)[1:] == (40, "2027-01-04", None, 1500) and s["actual_cost"] == 400
    listed = cast.viewer.get(URL, params={"project_id": wave["S"]["project_id"]}).json()
    by_key = {t["key"]: t for t in listed["items"]}
    assert by_key[s["key"]]["percent_complete"] == 40
    assert by_key[s1["key"]]["percent_complete"] == 80
    assert by_key[s["key"]]["duration"] == s["duration"]
    assert by_key[wave["B"]["key"]]["percent_complete"] == 50


def test_a_summary_finishes_when_every_sub_task_has_even_its_milestone(
    cast: Cast, wave: dict[str, dict[str, Any]]
) -> None:
    _progress(cast, wave["A"], actual_start="2027-01-04", actual_finish="2027-01-06")
    _progress(cast, wave["B"], actual_start="2027-01-07", actual_finish="2027-01-08")
    _progress(cast, wave["C"], actual_start="2027-01-11", actual_finish="2027-01-15")
    # all the work is done, the milestone is not reached: 100 %, still not finished
    s = _get(cast, wave["S"])
    assert _rolled(s)[1:4] == (100, "2027-01-04", None)
    assert _rolled(_get(cast, wave["S1"]))[1:4] == (100, "2027-01-04", "2027-01-08")
    _progress(cast, wave["M"], actual_start="2027-01-08", actual_finish="2027-01-08")
    assert _rolled(_get(cast, wave["S"]))[1:4] == (100, "2027-01-04", "2027-01-15")


def test_a_summary_read_and_sent_back_whole_is_not_a_change_but_a_new_value_is(
    cast: Cast, wave: dict[str, dict[str, Any]], db: Session
) -> None:
    _progress(cast, wave["B"], actual_start="2027-01-07", percent_complete=50)
    url = f"{URL}/{wave['S']['id']}"
    shown = _get(cast, wave["S"])
    fields = ("duration", "percent_complete", "actual_start", "actual_finish", "budget")
    body = {f: shown[f] for f in (*fields, "actual_cost")} | {"name": "Wave one"}
    response = cast.manager.patch(url, json=body)
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "Wave one" and _rolled(response.json()) == _rolled(shown)
    stored = db.get(Task, wave["S"]["id"])
    assert stored is not None
    db.refresh(stored)
    assert (stored.duration, stored.percent_complete, stored.actual_start, stored.budget) == (
        7,
        0,
        None,
        0,
    )
    for change, field in (({"budget": 999}, "budget"), ({"duration": 3}, "duration")):
        error = assert_error(cast.manager.patch(url, json=change), 409, "summary_rolls_up")
        assert error["details"]["fields"] == [field]


def test_exports_keep_a_summary_own_values_so_a_round_trip_is_identical(
    cast: Cast, wave: dict[str, dict[str, Any]]
) -> None:
    _progress(cast, wave["A"], actual_start="2027-01-04", actual_finish="2027-01-06")
    export = f"/api/v1/programs/{cast.program.id}/export"
    plan = json.loads(cast.owner.get(export, params={"format": "json"}).content)
    summary = next(t for t in plan["tasks"] if t["id"] == wave["S"]["key"])
    assert (summary["duration"], summary["percent_complete"], summary["actual_start"]) == (
        7,
        0,
        None,
    )
    assert summary["budget"] == 0
    plan["program"]["key"] = "AGAIN"
    response = cast.owner.post(
        "/api/v1/imports",
        files={"file": ("plan.json", json.dumps(plan).encode(), "application/json")},
    )
    assert response.status_code == 201, response.text
    again_id = response.json()["program_id"]
    again = json.loads(
        cast.owner.get(f"/api/v1/programs/{again_id}/export", params={"format": "json"}).content
    )
    assert again["tasks"] == plan["tasks"]
    exported = cast.owner.get(export, params={"format": "csv"}).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(exported)))
    row = next(r for r in rows if r["ID"] == wave["S"]["key"])
    # no rolled-up progress written as the summary's own (read back, it would be stored)
    assert (row["Duration"], row["Start"], row["Finish"], row["% Complete"]) == ("", "", "", "")


def test_the_web_pages_show_a_summary_rolled_up(
    cast: Cast, wave: dict[str, dict[str, Any]], browser_as: Any
) -> None:
    _progress(cast, wave["A"], actual_start="2027-01-04", actual_finish="2027-01-06")
    s, s1 = wave["S"], wave["S1"]
    manager, viewer = browser_as("manager@example.com"), browser_as("viewer@example.com")
    # the task page: read-only inputs for a manager (sent back, they change nothing) …
    page = manager.get(f"/tasks/{s['id']}")
    assert 'name="duration" type="number" value="10"' in page
    assert 'name="percent_complete" type="number" value="30"' in page
    assert 'name="actual_start" type="date" value="2027-01-04"' in page
    form = {"version": str(s["version"]), "name": "Wave one", "duration": "10"}
    form |= {"actual_start": "2027-01-04", "actual_finish": "", "percent_complete": "30"}
    assert manager.post(f"/tasks/{s['id']}", form).status_code == 303
    assert _get(cast, s)["name"] == "Wave one"
    # … and facts for a viewer
    page = viewer.get(f"/tasks/{s1['id']}")
    assert 'data-testid="duration">5 working days' in page
    assert 'data-testid="percent">60 %' in page  # 3 of 5 days done
    assert 'data-testid="actual-start"><time datetime="2027-01-04"' in page
    # the project's WBS: the span and the progress, not the summary's stored 7 days and 0 %
    wbs = viewer.get(f"/projects/{s['project_id']}")
    row = wbs[wbs.index(f'data-task-id="{s["id"]}"') :]
    row = row[: row.index("</tr>")]
    assert 'data-value="10"' in row and "30 %" in row
    # the roadmap's data: each task a row under the field names
    data = json.loads(viewer.get(f"/programs/{cast.program.id}/roadmap.json"))
    fields = data["task_fields"]
    rows = {r[fields.index("key")]: r for r in data["tasks"]}
    summary = rows[s["key"]]
    assert (summary[fields.index("duration")], summary[fields.index("percent")]) == (10, 30)

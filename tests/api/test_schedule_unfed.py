"""A program milestone no work leads to (*unfed*) has no forecast, wherever forecasts are
shown: the schedule API, impact analysis, the roadmap, the dependency map, a scenario
beside the live plan and the variance against a baseline.

The network of ``tests/api/conftest.py`` (program start Monday 4 January 2027,
Mon–Fri): PLAT-1 (10 d) → TRAIN-1 (5 d) → M1 (target Friday 22 January), SEC-1 (3 d)
→ M1; by hand, M1 falls on 22 January, on its target. Added here: GO after M1 (no
target), and three milestones nothing leads to — M7 (no target), M8 (target 1
December 2026, before the program starts) and M9 (target 1 March 2027). The scheduler
places those three on the program's start, 4 January: a placeholder, not a forecast,
so it must not read as one (nor M8 as late, nor M9 as 40 working days early).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from tests.api.conftest import Browser, Cast, Net, link, post_created

pytestmark = pytest.mark.db

UNFED = {"M7": None, "M8": "2026-12-01", "M9": "2027-03-01"}


def _milestones(cast: Cast, net: Net) -> dict[str, dict]:
    made = {"M1": net.m1}
    for key, target in UNFED.items():
        made[key] = post_created(
            cast.manager,
            "/api/v1/milestones",
            {"program_id": cast.program.id, "key": key, "name": f"{key} sign-off",
             "target_date": target},
        )  # fmt: skip
    made["GO"] = post_created(
        cast.manager,
        "/api/v1/milestones",
        {"program_id": cast.program.id, "key": "GO", "name": "Go live"},
    )
    link(cast.manager, ("milestone", net.m1["id"]), ("milestone", made["GO"]["id"]))
    return made


def _schedule(cast: Cast) -> dict[str, dict]:
    response = cast.viewer.get(f"/api/v1/programs/{cast.program.id}/schedule")
    assert response.status_code == 200, response.text
    return {m["milestone"]["key"]: m for m in response.json()["milestones"]}


def test_the_schedule_gives_an_unfed_milestone_no_forecast_and_no_slip(
    cast: Cast, net: Net
) -> None:
    made = _milestones(cast, net)
    schedule = _schedule(cast)
    m1 = schedule["M1"]
    assert (m1["fed"], m1["forecast"], m1["slip"]) == (True, "2027-01-22", 0)
    go = schedule["GO"]  # fed, without a target: a forecast and no slip (not 0)
    assert (go["fed"], go["forecast"], go["slip"]) == (True, "2027-01-22", None)
    for key, target in UNFED.items():
        m = schedule[key]
        assert (m["target"], m["fed"], m["forecast"], m["slip"]) == (target, False, None, None)
    # the milestones with a forecast first, by forecast; those without one after, by key
    assert list(schedule) == ["GO", "M1", "M7", "M8", "M9"]
    # the recomputed schedule says the same
    again = cast.owner.post(f"/api/v1/programs/{cast.program.id}/reschedule")
    assert again.status_code == 200, again.text
    m9 = next(m for m in again.json()["milestones"] if m["milestone"]["key"] == "M9")
    assert (m9["fed"], m9["forecast"], m9["slip"]) == (False, None, None)

    # fed at last: SEC-1 runs 4–6 January, so M9 has a forecast 38 working days early
    # (7–8 January, 15 in the three weeks after, 20 in February and 1 March)
    link(cast.manager, ("task", net.sec["id"]), ("milestone", made["M9"]["id"]))
    m9 = _schedule(cast)["M9"]
    assert (m9["fed"], m9["forecast"], m9["slip"]) == (True, "2027-01-06", -38)


def test_the_openapi_document_says_forecast_and_slip_may_be_null(cast: Cast) -> None:
    schemas = cast.viewer.get("/api/openapi.json").json()["components"]["schemas"]
    out = schemas["MilestoneForecastOut"]
    assert "fed" in out["required"] and out["properties"]["fed"]["type"] == "boolean"
    assert "unfed" in out["properties"]["fed"]["description"]
    for name in ("forecast", "slip"):
        prop = out["properties"][name]
        assert {"type": "null"} in prop["anyOf"], name
        assert "unfed" in prop["description"], name


def test_a_new_status_date_moves_no_unfed_milestone_and_misses_no_target_of_one(
    cast: Cast, net: Net
) -> None:
    _milestones(cast, net)
    response = cast.viewer.post(
        f"/api/v1/programs/{cast.program.id}/settings/impact", json={"status_date": "2027-01-11"}
    )
    assert response.status_code == 200, response.text
    impact = response.json()
    moved = {m["activity"]["key"] for m in impact["milestones"]}
    assert {"M1", "GO"} <= moved and not moved & set(UNFED)
    missed = {(m["activity"]["key"], m["kind"]) for m in impact["misses"]}
    assert ("M1", "target") in missed  # a week later: past its target
    assert not {key for key, _ in missed} & set(UNFED)  # M8's target is not "missed by more"


def test_the_roadmap_and_the_dependency_map_draw_no_forecast_for_an_unfed_milestone(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    made = _milestones(cast, net)
    viewer = browser_as("viewer@example.com")
    pid = cast.program.id
    roadmap = viewer.client.get(f"/programs/{pid}/roadmap.json").json()
    shown = {m["key"]: m for m in roadmap["milestones"]}
    assert (shown["M1"]["fed"], shown["M1"]["forecast"]) == (True, "2027-01-22")
    for key, target in UNFED.items():
        m = shown[key]
        assert (m["fed"], m["forecast"], m["target"], m["total_float"]) == (
            False, None, target, None
        ), key  # fmt: skip
    # by forecast, those without one by target (none: last)
    assert list(shown) == ["M8", "GO", "M1", "M9", "M7"]

    graph = viewer.client.get(f"/programs/{pid}/dependencies.json").json()
    nodes = {n["key"]: n for n in graph["nodes"] if n["type"] == "program-milestone"}
    assert nodes["M1"]["start"] == "2027-01-22" and nodes["M1"]["fed"] is True
    for key in UNFED:
        assert (nodes[key]["start"], nodes[key]["finish"]) == (None, None), key
        assert nodes[key]["fed"] is False and nodes[key]["late"] is False, key
    panel = viewer.get(f"/programs/{pid}/dependencies/reach?node=m{made['M8']['id']}")
    facts = re.search(r'data-testid="reach".*?<p class="muted small">(.*?)</p>', panel, re.S)
    assert facts is not None and "no forecast yet" in facts.group(1)
    assert "4 Jan 2027" not in facts.group(1) and 'data-testid="reach-late"' not in panel


def test_a_scenario_beside_the_live_plan_gives_an_unfed_milestone_no_forecast(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    _milestones(cast, net)
    scenario = post_created(
        cast.manager, f"/api/v1/programs/{cast.program.id}/scenarios", {"name": "Sign off early"}
    )
    copy = scenario["copy_program_id"]
    tasks = cast.manager.get("/api/v1/tasks", params={"program_id": copy}).json()["items"]
    sec = next(t for t in tasks if t["key"] == net.sec["key"])
    copied = cast.manager.get("/api/v1/milestones", params={"program_id": copy}).json()["items"]
    m9 = next(m for m in copied if m["key"] == "M9")
    link(cast.manager, ("task", sec["id"]), ("milestone", m9["id"]))  # fed in the scenario only

    compare = cast.viewer.get(f"/api/v1/scenarios/{scenario['id']}/compare")
    assert compare.status_code == 200, compare.text
    rows = {m["key"]: m for m in compare.json()["milestones"]}
    m8 = rows["M8"]  # unfed on both sides: no dates, and not late for standing on the start
    assert (m8["live"], m8["scenario"], m8["slip"]) == (None, None, None)
    assert (m8["fed_live"], m8["fed_scenario"], m8["late_live"], m8["late_scenario"]) == (
        False, False, False, False
    )  # fmt: skip
    m9 = rows["M9"]
    assert (m9["fed_live"], m9["live"]) == (False, None)
    assert (m9["fed_scenario"], m9["scenario"], m9["slip"]) == (True, "2027-01-06", None)
    assert rows["M1"]["fed_live"] and rows["M1"]["live"] == "2027-01-22"

    page = browser_as("viewer@example.com").get(f"/scenarios/{scenario['id']}")
    row = re.search(r'<tr data-milestone="M9".*?</tr>', page, re.S)
    assert row is not None
    live = re.search(r'data-side="live">(.*?)</td>', row.group(0), re.S)
    assert live is not None and "none yet" in live.group(1) and "2027" not in live.group(1)
    assert "6 Jan 2027" in row.group(0)  # the scenario's forecast


def test_the_variance_against_a_baseline_gives_an_unfed_milestone_no_forecast(
    cast: Cast, net: Net, browser_as: Callable[[str], Browser]
) -> None:
    _milestones(cast, net)
    baseline = post_created(
        cast.manager, f"/api/v1/programs/{cast.program.id}/baselines", {"name": "Plan of record"}
    )
    variance = cast.viewer.get(f"/api/v1/baselines/{baseline['id']}/variance").json()
    rows = {m["key"]: m for m in variance["milestones"]}
    assert rows["M1"]["live_finish"] == "2027-01-22" and rows["M1"]["finish_variance"] == 0
    for key in UNFED:
        assert (rows[key]["live_finish"], rows[key]["finish_variance"]) == (None, None), key

    page = browser_as("viewer@example.com").get(f"/programs/{cast.program.id}/performance")
    table = re.search(r'data-testid="milestone-variance">(.*?)</table>', page, re.S)
    assert table is not None
    forecasts = dict(
        re.findall(
            r'data-milestone-key="(\w+)".*?data-testid="forecast">(.*?)</td>', table.group(1)
        )
    )
    assert "none yet" in forecasts["M9"] and "Jan 2027" not in forecasts["M9"]
    assert "22 Jan 2027" in forecasts["M1"]

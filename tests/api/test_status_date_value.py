"""The status date means one thing: the data date the schedule resumes the work from.

Planned value counts the baseline's work on the working days *before* the status
date, as the scheduler does (it schedules the work left from the status date on),
so work that keeps pace with the schedule has an SPI of 1 and a program on its
first day has planned nothing yet. The network (tests/api/conftest.py): PLAT-1
4–15 Jan 2027 (10 days), SEC-1 4–6 Jan (3 days), TRAIN-1 18–22 Jan (5 days).
"""

from __future__ import annotations

import pytest

from tests.api.conftest import Cast, Net


def _budgets_and_baseline(cast: Cast, net: Net) -> None:
    for task, budget in ((net.plat, 10_000), (net.sec, 3_000), (net.train, 5_000)):
        changed = cast.manager.patch(f"/api/v1/tasks/{task['id']}", json={"budget": budget})
        assert changed.status_code == 200, changed.text
    taken = cast.manager.post(
        f"/api/v1/programs/{cast.program.id}/baselines", json={"name": "Plan"}
    )
    assert taken.status_code == 201, taken.text


def _status_on(cast: Cast, day: str) -> None:
    moved = cast.owner.patch(f"/api/v1/programs/{cast.program.id}", json={"status_date": day})
    assert moved.status_code == 200, moved.text


def test_a_program_on_its_first_day_has_planned_nothing_and_is_not_red_for_schedule(
    cast: Cast, net: Net
) -> None:
    pid = cast.program.id
    _budgets_and_baseline(cast, net)
    _status_on(cast, "2027-01-04")  # the program's start: no working day before it

    value = cast.viewer.get(f"/api/v1/programs/{pid}/earned-value").json()["program"]
    assert (value["bac"], value["pv"], value["ev"], value["ac"]) == (18_000, 0, 0, 0)
    assert value["spi"] is None and value["sv"] == 0  # nothing planned: no index yet
    health = cast.viewer.get(f"/api/v1/programs/{pid}/health").json()
    assert health["program"]["status"] == "green", health["program"]["reasons"]
    rules = {r["rule"] for r in health["program"]["reasons"]}
    assert "schedule_performance" not in rules


def test_a_task_exactly_on_plan_has_an_spi_of_one(cast: Cast, net: Net) -> None:
    pid = cast.program.id
    _budgets_and_baseline(cast, net)
    _status_on(cast, "2027-01-08")  # a Friday: the work left resumes on it
    done = cast.manager.patch(
        f"/api/v1/tasks/{net.sec['id']}",
        json={"actual_start": "2027-01-04", "actual_finish": "2027-01-06", "percent_complete": 100},
    )
    assert done.status_code == 200, done.text
    # four of PLAT-1's ten days done by Thursday: six left, Fri 8 – Fri 15 Jan
    going = cast.manager.patch(
        f"/api/v1/tasks/{net.plat['id']}",
        json={"actual_start": "2027-01-04", "percent_complete": 40},
    )
    assert going.status_code == 200, going.text
    plat = cast.viewer.get(f"/api/v1/tasks/{net.plat['id']}").json()
    assert plat["early_finish"] == "2027-01-15"  # the schedule has it on its baseline

    value = cast.viewer.get(f"/api/v1/programs/{pid}/earned-value").json()
    by_project = {p["id"]: p for p in value["projects"]}
    # PLAT: 1,000 a day planned Mon 4 – Thu 7 Jan, 4,000; 40 % of 10,000 earned
    assert (by_project["PLAT"]["pv"], by_project["PLAT"]["ev"]) == (4_000, 4_000)
    assert f"{by_project['PLAT']['spi']:.2f}" == "1.00"
    # SEC: all three days planned before Friday and done
    assert (by_project["SEC"]["pv"], by_project["SEC"]["ev"]) == (3_000, 3_000)
    program = value["program"]
    assert (program["pv"], program["ev"], program["sv"]) == (7_000, 7_000, 0)
    assert program["spi"] == pytest.approx(1.0)
    health = cast.viewer.get(f"/api/v1/programs/{pid}/health").json()
    assert health["program"]["status"] == "green", health["program"]["reasons"]


def test_the_curves_reach_the_budget_the_day_after_the_baseline_finish(
    cast: Cast, net: Net
) -> None:
    pid = cast.program.id
    _budgets_and_baseline(cast, net)
    _status_on(cast, "2027-01-08")
    curves = cast.viewer.get(
        f"/api/v1/programs/{pid}/earned-value/curves", params={"step_days": 1}
    ).json()
    pv = dict(zip(curves["dates"], curves["program"]["pv"], strict=True))
    # TRAIN-1's last day (Fri 22 Jan) is still to do as of it: 1,000 of its 5,000
    assert pv["2027-01-22"] == 17_000
    assert curves["dates"][-1] == "2027-01-23" and pv["2027-01-23"] == 18_000
    # the status date's point is the table's PV
    table = cast.viewer.get(f"/api/v1/programs/{pid}/earned-value").json()["program"]
    assert pv["2027-01-08"] == table["pv"] == 7_000

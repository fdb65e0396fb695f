"""`podium schedule --file … --level` says what leveling leaves over capacity (work it may
not move), and counts the makespan before and after alike."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.integration.test_cli_level_file import level, podium, two_projects


def test_two_pinned_tasks_on_one_person_stay_over_capacity_and_the_result_says_so(
    tmp_path: Path,
) -> None:
    plan = two_projects()
    for task in plan["tasks"]:
        if task["id"] in ("DATA-1", "SEC-1"):
            task["constraint"] = {"type": "mso", "date": "2027-01-04"}
    result = level(tmp_path, plan)
    assert all(row["start_delay"] == 0 for row in result["tasks"])
    # Ana on both from Monday 4 to Wednesday 6 January: three days at twice her capacity
    assert result["over_allocations"] == [
        {
            "resource": "ana",
            "start": "2027-01-04",
            "finish": "2027-01-06",
            "days": 3,
            "peak_demand": 2.0,
            "capacity": 1.0,
            "tasks": [{"id": "DATA-1", "why": "pinned"}, {"id": "SEC-1", "why": "pinned"}],
        }
    ]
    source = tmp_path / "plan.json"
    code, out = podium(
        "schedule", "--file", str(source), "--level", "--output", str(tmp_path / "r.json")
    )
    assert code == 0, out
    said = " ".join(out.split())
    assert "Still over capacity, with work leveling may not move" in said
    assert "ana: 2027-01-04–2027-01-06 (3 d, peak 2 of 1): DATA-1 (pinned), SEC-1 (pinned)" in said


def test_a_leveled_plan_within_capacity_lists_no_over_allocation(tmp_path: Path) -> None:
    result = level(tmp_path, two_projects())
    assert result["over_allocations"] == []


def test_an_overload_before_the_status_date_is_history_and_not_listed(tmp_path: Path) -> None:
    plan: dict[str, Any] = two_projects()
    plan["program"]["status_date"] = "2027-01-11"
    for task in plan["tasks"]:
        if task["id"] in ("DATA-1", "SEC-1"):
            task.update(actual_start="2027-01-04", actual_finish="2027-01-08")
    result = level(tmp_path, plan)
    assert result["over_allocations"] == []


def test_a_plan_of_milestones_alone_has_no_makespan_before_or_after(tmp_path: Path) -> None:
    plan = two_projects()
    plan.update(tasks=[], dependencies=[], assignments=[])
    plan["milestones"] = [{"id": "M1", "name": "Kick-off"}]
    result = level(tmp_path, plan)
    assert (result["makespan"], result["unleveled_makespan"], result["lower_bound"]) == (0, 0, 0)
    empty = two_projects()
    empty.update(tasks=[], dependencies=[], assignments=[])
    result = level(tmp_path, empty)
    assert (result["makespan"], result["unleveled_makespan"], result["lower_bound"]) == (0, 0, 0)


def test_a_gate_after_the_work_ends_the_program_on_its_day_before_and_after(
    tmp_path: Path,
) -> None:
    plan = two_projects()
    plan["tasks"].append(
        {
            "id": "GATE",
            "project": "SEC",
            "name": "Go/no-go",
            "duration": 0,
            "constraint": {"type": "snet", "date": "2027-01-25"},
        }
    )
    result = level(tmp_path, plan)
    # Monday 25 January: fifteen working days after Monday 4 January, before as after
    assert (result["makespan"], result["unleveled_makespan"]) == (15, 15)
    assert json.dumps(result).count('"GATE"') == 1

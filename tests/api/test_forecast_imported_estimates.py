"""An imported task's three-point estimate follows its duration in the forecast: a change
of duration rescales it, undoing the change gives it back as entered (it was neither
ignored nor halved), in the live plan and in a scenario's copy."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from podium.models import Task
from tests.api.conftest import Cast

PLAN: dict[str, Any] = {
    "format": "podium-plan",
    "version": 1,
    "program": {"key": "MOVE", "name": "Data move", "start": "2027-01-04"},
    "projects": [{"key": "DATA", "name": "Data transfer"}],
    "tasks": [
        {"id": "DATA-1", "project": "DATA", "name": "Prepare", "duration": 10},
        {
            "id": "DATA-2",
            "project": "DATA",
            "name": "Wave 2",
            "duration": 25,
            "estimate": {"optimistic": 20, "most_likely": 25, "pessimistic": 40},
        },
    ],
    "dependencies": [{"from": "DATA-1", "to": "DATA-2", "type": "FS", "lag": 0}],
}


def _import(cast: Cast) -> tuple[int, int]:
    """The imported program's id and its estimated task's id (the manager owns it)."""
    response = cast.manager.post(
        "/api/v1/imports",
        files={"file": ("plan.json", json.dumps(PLAN).encode(), "application/json")},
    )
    assert response.status_code == 201, response.text
    program_id = response.json()["program_id"]
    tasks = cast.manager.get("/api/v1/tasks", params={"program_id": program_id}).json()
    (wave,) = [t for t in tasks["items"] if t["key"] == "DATA-2"]
    return program_id, wave["id"]


def _forecast(cast: Cast, program_id: int) -> dict[str, Any]:
    response = cast.manager.post(
        f"/api/v1/programs/{program_id}/forecast", json={"seed": 2027, "iterations": 500}
    )
    assert response.status_code == 201, response.text
    return response.json()


def _set_duration(cast: Cast, task_id: int, days: int) -> None:
    response = cast.manager.patch(f"/api/v1/tasks/{task_id}", json={"duration": days})
    assert response.status_code == 200, response.text


def _check_the_slip_and_its_undoing(cast: Cast, program_id: int, task_id: int) -> None:
    before = _forecast(cast, program_id)
    assert before["inputs"]["estimates"] == {"DATA-2": [20.0, 25.0, 40.0]}
    assert before["inputs"]["rescaled_estimates"] == {}
    _set_duration(cast, task_id, 50)
    slipped = _forecast(cast, program_id)
    assert slipped["inputs"]["estimates"] == {"DATA-2": [40.0, 50.0, 80.0]}
    assert slipped["inputs"]["rescaled_estimates"] == {"DATA-2": [20.0, 25.0, 40.0]}
    # the plan moved out 25 working days: the forecast moves with it, not earlier than it
    assert slipped["results"]["program"]["p50"] > before["results"]["program"]["p50"]
    assert slipped["results"]["program"]["p50"] >= slipped["program_finish"]
    _set_duration(cast, task_id, 25)
    undone = _forecast(cast, program_id)
    assert undone["inputs"]["estimates"] == {"DATA-2": [20.0, 25.0, 40.0]}  # not halved
    assert undone["inputs"]["rescaled_estimates"] == {}
    assert undone["results"] == before["results"]


def test_an_imported_estimate_is_rescaled_by_a_slip_and_restored_by_its_undoing(
    cast: Cast, db: Session
) -> None:
    program_id, task_id = _import(cast)
    assert db.scalar(select(Task.estimate_basis).where(Task.id == task_id)) == 25
    _check_the_slip_and_its_undoing(cast, program_id, task_id)


def test_an_estimate_stored_without_its_duration_counts_as_entered_for_the_one_before_a_change(
    cast: Cast, db: Session
) -> None:
    # as a database written before imports recorded it: the estimate, no duration with it
    program_id, task_id = _import(cast)
    db.execute(update(Task).where(Task.id == task_id).values(estimate_basis=None))
    db.commit()
    _check_the_slip_and_its_undoing(cast, program_id, task_id)
    assert db.scalar(select(Task.estimate_basis).where(Task.id == task_id)) == 25


def test_a_scenario_copy_keeps_the_duration_the_estimate_was_entered_for(
    cast: Cast, db: Session
) -> None:
    program_id, task_id = _import(cast)
    _set_duration(cast, task_id, 50)  # slipped live before the scenario is made
    response = cast.manager.post(
        f"/api/v1/programs/{program_id}/scenarios", json={"name": "Faster wave"}
    )
    assert response.status_code == 201, response.text
    copy_id = response.json()["copy_program_id"]
    tasks = cast.manager.get("/api/v1/tasks", params={"program_id": copy_id}).json()["items"]
    (copied,) = [t for t in tasks if t["key"] == "DATA-2"]
    assert db.scalar(select(Task.estimate_basis).where(Task.id == copied["id"])) == 25
    assert _forecast(cast, copy_id)["inputs"]["estimates"] == {"DATA-2": [40.0, 50.0, 80.0]}
    # the scenario undoes the slip: its copy's estimate is the one entered
    _set_duration(cast, copied["id"], 25)
    inputs = _forecast(cast, copy_id)["inputs"]
    assert inputs["estimates"] == {"DATA-2": [20.0, 25.0, 40.0]}
    assert inputs["rescaled_estimates"] == {}
    # … and halving it there halves the estimate, the live plan's staying as it was
    _set_duration(cast, copied["id"], 12)
    assert _forecast(cast, copy_id)["inputs"]["estimates"] == {"DATA-2": [9.6, 12.0, 19.2]}
    assert _forecast(cast, program_id)["inputs"]["estimates"] == {"DATA-2": [40.0, 50.0, 80.0]}


def test_a_scenario_copied_from_an_estimate_stored_without_its_duration_rescales_it_too(
    cast: Cast, db: Session
) -> None:
    program_id, task_id = _import(cast)
    db.execute(update(Task).where(Task.id == task_id).values(estimate_basis=None))
    db.commit()
    response = cast.manager.post(
        f"/api/v1/programs/{program_id}/scenarios", json={"name": "Slower wave"}
    )
    assert response.status_code == 201, response.text
    copy_id = response.json()["copy_program_id"]
    tasks = cast.manager.get("/api/v1/tasks", params={"program_id": copy_id}).json()["items"]
    (copied,) = [t for t in tasks if t["key"] == "DATA-2"]
    _set_duration(cast, copied["id"], 50)
    inputs = _forecast(cast, copy_id)["inputs"]
    assert inputs["estimates"] == {"DATA-2": [40.0, 50.0, 80.0]}
    assert inputs["rescaled_estimates"] == {"DATA-2": [20.0, 25.0, 40.0]}

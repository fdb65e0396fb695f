"""Values a JSON client would not mean as what a lenient reader makes of them are refused:
a number for a date (read as seconds from 1970: ``0`` is 1970-01-01) and ``true`` for a
number (read as 1), a word or a number for true or false (``"yes"``, 1). Dates are written
YYYY-MM-DD; numbers are numbers; true and false are JSON's."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import Cast, Net
from tests.factories import assert_error

RESOURCE = {"key": "ANA", "name": "Ana", "kind": "person"}


def _field_message(error: dict[str, Any], field: str) -> str:
    said = {d["field"]: d["message"] for d in error["details"]}
    assert field in said, error
    return str(said[field])


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("deadline", 0, "must be a date written YYYY-MM-DD"),
        ("deadline", 86_400, "must be a date written YYYY-MM-DD"),
        ("actual_start", "0", "must be a date written YYYY-MM-DD"),
        ("constraint_date", True, "must be a date written YYYY-MM-DD"),
        ("deadline", "2027-01-20T00:00:00", "must be a date written YYYY-MM-DD"),
        ("percent_complete", True, "must be a number, not true or false"),
        ("duration", False, "must be a number, not true or false"),
        ("budget", True, "must be a number, not true or false"),
    ],
)
def test_a_task_change_with_a_number_for_a_date_or_true_for_a_number_is_422(
    cast: Cast, net: Net, field: str, value: Any, message: str
) -> None:
    url = f"/api/v1/tasks/{net.plat['id']}"
    before = cast.viewer.get(url).json()
    error = assert_error(cast.manager.patch(url, json={field: value}), 422, "validation_failed")
    assert _field_message(error, field) == message
    assert cast.viewer.get(url).json() == before  # nothing changed


@pytest.mark.parametrize("value", ["yes", "true", 1, 0])
def test_true_or_false_is_written_as_such_not_as_a_word_or_a_number(
    cast: Cast, net: Net, value: Any
) -> None:
    # "apply": "yes" applied leveling, "effort_driven": 1 switched a task's mode
    url = f"/api/v1/programs/{cast.program.id}/level"
    error = assert_error(cast.manager.post(url, json={"apply": value}), 422, "validation_failed")
    assert _field_message(error, "apply") == "must be true or false"
    task = f"/api/v1/tasks/{net.plat['id']}"
    before = cast.viewer.get(task).json()
    error = assert_error(cast.manager.patch(task, json={"effort_driven": value}), 422)
    assert _field_message(error, "effort_driven") == "must be true or false"
    assert cast.viewer.get(task).json() == before
    assert cast.manager.patch(task, json={"effort_driven": True}).status_code == 200


def test_dates_and_numbers_written_as_such_are_taken(cast: Cast, net: Net) -> None:
    url = f"/api/v1/tasks/{net.plat['id']}"
    changed = cast.manager.patch(
        url,
        json={
            "deadline": "2027-01-29",
            "actual_start": "2027-01-04",
            "percent_complete": 25,
            "budget": 1200.5,
        },
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["deadline"], body["percent_complete"], body["budget"]) == (
        "2027-01-29",
        25,
        1200.5,
    )


def test_a_number_for_a_date_inside_a_list_of_periods_is_refused(cast: Cast) -> None:
    program = cast.owner.get(f"/api/v1/programs/{cast.program.id}").json()
    error = assert_error(
        cast.admin.post(
            "/api/v1/resources",
            json={**RESOURCE, "time_off": [{"start": 0, "finish": "2027-01-04"}]},
        ),
        422,
        "validation_failed",
    )
    assert "must be a date written YYYY-MM-DD" in error["message"] + str(error["details"])
    assert (
        program["version"]
        == cast.owner.get(f"/api/v1/programs/{cast.program.id}").json()["version"]
    )
    assert cast.admin.get("/api/v1/resources").json()["total"] == 0


@pytest.mark.parametrize("start", ["0", "86400", "2027-01-04T00:00:00"])
def test_a_date_in_the_query_is_written_yyyy_mm_dd(cast: Cast, start: str) -> None:
    resource = cast.admin.post("/api/v1/resources", json=RESOURCE).json()
    load = f"/api/v1/resources/{resource['id']}/load"
    error = assert_error(cast.viewer.get(load, params={"start": start}), 422, "validation_failed")
    assert "must be a date written YYYY-MM-DD" in str(error["details"])
    taken = cast.viewer.get(load, params={"start": "2027-01-04", "finish": "2027-01-08"})
    assert taken.status_code == 200, taken.text
    assert taken.json()["start"] == "2027-01-04"

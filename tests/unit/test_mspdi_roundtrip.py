"""MSPDI → plan → MSPDI → plan compares equal, for every real file and a generated plan."""

from __future__ import annotations

from pathlib import Path

import pytest

from podium.interop.mspdi import read_mspdi, write_mspdi
from podium.interop.plan_format import plan_to_json, read_plan

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "projects"
FILES = sorted(p.name for p in DATA.glob("*.xml")) if DATA.exists() else []


@pytest.mark.parametrize("name", FILES)
def test_a_file_read_written_and_read_again_is_the_same_plan(name: str) -> None:
    first = read_mspdi((DATA / name).read_bytes())
    assert first.ok
    written = write_mspdi(first.document)
    second = read_mspdi(written)
    assert second.ok, second.problems
    assert plan_to_json(read_plan(second.document)) == plan_to_json(read_plan(first.document))


def test_the_written_dates_are_the_schedule_podium_computes() -> None:
    document = {
        "format": "podium-plan",
        "version": 1,
        "program": {"key": "RT", "name": "RT", "start": "2027-01-04"},
        "calendars": [{"name": "standard", "holidays": ["2027-01-06"]}],
        "projects": [{"key": "RT", "name": "Round trip"}],
        "tasks": [
            {"id": "RT-1", "project": "RT", "name": "Design", "duration": 3},
            {"id": "RT-2", "project": "RT", "name": "Build", "duration": 2},
        ],
        "dependencies": [{"from": "RT-1", "to": "RT-2", "type": "FS", "lag": 1}],
    }
    document["program"]["calendar"] = "standard"
    again = read_mspdi(write_mspdi(document))
    assert again.ok
    dates = again.file_dates
    assert (str(dates["RT-1"].start), str(dates["RT-1"].finish)) == ("2027-01-04", "2027-01-07")
    assert str(dates["RT-2"].start) == "2027-01-11"
    assert again.document["dependencies"] == [
        {"from": "RT-1", "to": "RT-2", "type": "FS", "lag": 1}
    ]

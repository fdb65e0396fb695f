"""A plan file that writes one field twice: JSON would keep the last value without a word."""

from __future__ import annotations

import json

import pytest

from podium.interop.plan_format import PlanError, read_plan


def test_a_field_written_twice_is_refused_at_its_object() -> None:
    text = (
        '{"format": "podium-plan", "version": 1,'
        ' "program": {"key": "P", "name": "P", "start": "2027-01-04", "start": "2028-01-03"},'
        ' "projects": [{"key": "P", "name": "P"}],'
        ' "tasks": [{"id": "T1", "project": "P", "name": "A", "duration": 5, "duration": 50}]}'
    )
    with pytest.raises(PlanError) as caught:
        read_plan(text.encode())
    assert caught.value.problems == [
        {"location": "program", "message": "the field 'start' is written twice"},
        {"location": "tasks[0]", "message": "the field 'duration' is written twice"},
    ]


def test_a_plan_without_repeated_fields_reads_as_before() -> None:
    plan = {
        "format": "podium-plan",
        "version": 1,
        "program": {"key": "P", "name": "P", "start": "2027-01-04"},
        "projects": [{"key": "P", "name": "P"}],
        "tasks": [{"id": "T1", "project": "P", "name": "A", "duration": 5}],
    }
    assert read_plan(json.dumps(plan).encode()).tasks[0].duration == 5


def test_a_plan_past_the_task_limit_is_told_the_limit_in_words() -> None:
    plan = {
        "format": "podium-plan",
        "version": 1,
        "program": {"key": "P", "name": "P", "start": "2027-01-04"},
        "projects": [{"key": "P", "name": "P"}],
        "tasks": [
            {"id": f"T{i}", "project": "P", "name": "A", "duration": 1} for i in range(100_001)
        ],
    }
    with pytest.raises(PlanError) as caught:
        read_plan(plan)
    assert {
        "location": "tasks",
        "message": "a plan holds at most 100,000 tasks; this one has 100,001",
    } in caught.value.problems

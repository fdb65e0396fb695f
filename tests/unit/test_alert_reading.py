"""Reading an alert: its chain, or for an over-allocation the tasks that collide, on one
line; its details worded for people."""

from __future__ import annotations

from typing import Any

from podium.models import Alert, AlertKind
from podium.services.scheduling.alerts import alert_facts, chain_text, collision_words


def _step(key: str, project: str | None) -> dict[str, Any]:
    return {"type": "task", "id": 1, "key": key, "name": key, "project_key": project}


def _alert(kind: AlertKind, chain: list[dict[str, Any]], **details: Any) -> Alert:
    return Alert(kind=kind, chain=chain, details=details)


def test_collision_words_count_the_tasks_and_the_other_programs() -> None:
    assert collision_words(3, 0) == "collide"
    assert collision_words(2, 1) == "and work in 1 other program collide"
    assert collision_words(1, 2) == "collides with work in 2 other programs"
    assert collision_words(1, 0) == "is over capacity on its own"


def test_a_chain_reads_upstream_to_downstream_and_colliding_tasks_as_a_list() -> None:
    steps = [_step("PLAT-6", "PLAT"), _step("PLAT-7", "PLAT"), _step("DATA-4", "DATA")]
    late = _alert(AlertKind.DEADLINE_MISSED, [*steps, _step("M1", None)])
    assert chain_text(late) == "PLAT-6 (PLAT) → PLAT-7 → DATA-4 (DATA) → M1"
    over = _alert(AlertKind.OVER_ALLOCATION, steps, other_programs=0)
    assert chain_text(over) == "PLAT-6 (PLAT), PLAT-7, DATA-4 (DATA) collide"
    shared = _alert(AlertKind.OVER_ALLOCATION, steps[:1], other_programs=1)
    assert chain_text(shared) == "PLAT-6 (PLAT) collides with work in 1 other program"
    assert chain_text(_alert(AlertKind.RISK_ESCALATED, [])) == ""


def test_an_over_allocations_details_name_each_period_with_its_tasks() -> None:
    periods = [
        {"start": "2027-01-04", "finish": "2027-01-06", "days": 3, "peak_demand": 1.5,
         "capacity": 1.0, "tasks": ["PLAT-6", "DATA-4"], "other_tasks": 0},
        {"start": "2027-02-01", "finish": "2027-02-01", "days": 1, "peak_demand": 2.0,
         "capacity": 1.0, "tasks": ["PLAT-6"], "other_tasks": 2},
    ]  # fmt: skip
    alert = _alert(
        AlertKind.OVER_ALLOCATION, [], resource_id=3, resource_key="nadia", days=4,
        peak_utilization=2.0, other_programs=1, periods=periods,
    )  # fmt: skip
    assert alert_facts(alert) == [
        ("peak", "200% of capacity"),
        ("over capacity", "4 working days"),
        ("other programs", "work in 1 other program"),
        ("periods", "4 Jan 2027 – 6 Jan 2027, 3 working days: demand up to 1.5 against "
                    "capacity 1 (150%); PLAT-6 and DATA-4"),
        ("", "1 Feb 2027, 1 working day: demand up to 2 against capacity 1 (200%); PLAT-6 "
             "and 2 tasks in other programs"),
    ]  # fmt: skip


def test_details_no_wording_knows_are_shown_as_they_are_stored() -> None:
    alert = _alert(AlertKind.DEADLINE_MISSED, [], days_late=1, new_fact="kept")
    assert alert_facts(alert) == [("late by", "1 working day"), ("new fact", "kept")]


def test_work_asked_on_a_day_off_is_counted_apart_never_as_a_share_of_nothing() -> None:
    from podium.services.resources.overallocation import _asked, overload_facts

    assert _asked(1.5, 6, 0) == "is asked for up to 150% of capacity on 6 days"
    assert _asked(1.5, 6, 1) == "is asked for up to 150% of capacity on 6 days, 1 of them a day off"
    assert _asked(2.0, 3, 2) == "is asked for up to 200% of capacity on 3 days, 2 of them days off"
    assert _asked(None, 2, 2) == "is asked to work on 2 days off"
    facts = dict(overload_facts({"peak_utilization": None, "days": 2, "days_off": 2}))
    assert "peak" not in facts
    assert facts["days off"] == "asked to work on 2 of its days off"

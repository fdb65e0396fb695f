"""Constraints (Microsoft Project's types) and deadlines, on hand-computed networks.

Mon-Fri calendar from Monday 2027-01-04: week 1 is Mon 4 … Fri 8, week 2 Mon 11 … Fri 15.
"""

from __future__ import annotations

from .engine_factories import day, early, floats, late, link, run, task


def constrained(activity_id: str, duration: int, kind: str, when: str) -> object:
    return task(activity_id, duration, constraint_type=kind, constraint_date=day(when))


def test_snet_holds_a_task_until_its_date() -> None:
    result = run(constrained("A", 2, "snet", "2027-01-06"))
    assert early(result, "A") == ("2027-01-06", "2027-01-07")


def test_snet_on_a_saturday_starts_the_task_on_monday() -> None:
    result = run(constrained("A", 1, "snet", "2027-01-09"))
    assert early(result, "A") == ("2027-01-11", "2027-01-11")


def test_snet_earlier_than_the_predecessors_allow_yields_to_the_links() -> None:
    result = run(task("A", 3), constrained("B", 1, "snet", "2027-01-05"), links=[link("A", "B")])
    assert early(result, "B") == ("2027-01-07", "2027-01-07")


def test_fnet_holds_the_finish_until_its_date() -> None:
    result = run(constrained("A", 2, "fnet", "2027-01-08"))
    assert early(result, "A") == ("2027-01-07", "2027-01-08")


def test_mso_later_than_needed_leaves_free_float_on_the_predecessor() -> None:
    result = run(task("A", 5), constrained("B", 1, "mso", "2027-01-12"), links=[link("A", "B")])
    assert early(result, "B") == ("2027-01-12", "2027-01-12")
    assert floats(result, "A") == (1, 1)
    assert result.conflicts == ()


def test_mso_earlier_than_its_predecessor_pins_the_task_and_reports_the_broken_link() -> None:
    result = run(task("A", 5), constrained("B", 1, "mso", "2027-01-06"), links=[link("A", "B")])
    assert early(result, "B") == ("2027-01-06", "2027-01-06")
    (conflict,) = result.conflicts
    assert (conflict.activity, conflict.kind, conflict.pred, conflict.days) == ("B", "link", "A", 3)
    assert floats(result, "A") == (-3, 0)
    assert result["A"].is_critical


def test_mfo_pins_the_finish() -> None:
    result = run(constrained("B", 3, "mfo", "2027-01-15"))
    assert early(result, "B") == ("2027-01-13", "2027-01-15")


def test_snlt_missed_is_reported_as_negative_float_and_does_not_move_the_task() -> None:
    result = run(task("A", 3), constrained("B", 2, "snlt", "2027-01-05"), links=[link("A", "B")])
    assert early(result, "B") == ("2027-01-07", "2027-01-08")
    assert late(result, "B") == ("2027-01-05", "2027-01-06")
    assert floats(result, "B") == (-2, 0)
    assert result["A"].total_float == -2
    (conflict,) = result.conflicts
    assert (conflict.activity, conflict.kind, conflict.days) == ("B", "snlt", 2)
    assert conflict.message == "B starts 2 working days after its snlt date 2027-01-05"


def test_fnlt_missed_is_reported_with_the_days_late() -> None:
    result = run(task("A", 3), constrained("B", 2, "fnlt", "2027-01-07"), links=[link("A", "B")])
    assert early(result, "B") == ("2027-01-07", "2027-01-08")
    (conflict,) = result.conflicts
    assert (conflict.kind, conflict.days) == ("fnlt", 1)
    assert conflict.message == "B finishes 1 working day after its fnlt date 2027-01-07"
    assert result["B"].total_float == -1


def test_fnlt_met_reduces_total_float_to_the_slack_before_it() -> None:
    result = run(task("A", 5), constrained("B", 1, "fnlt", "2027-01-05"))
    assert floats(result, "B") == (1, 1)


def test_a_missed_deadline_is_reported_but_never_moves_the_task() -> None:
    result = run(task("A", 3), task("B", 2, deadline=day("2027-01-07")), links=[link("A", "B")])
    assert early(result, "B") == ("2027-01-07", "2027-01-08")
    assert result["B"].deadline_missed
    (miss,) = result.deadline_misses
    assert (miss.activity, miss.deadline, miss.early_finish, miss.days_late) == (
        "B",
        day("2027-01-07"),
        day("2027-01-08"),
        1,
    )
    assert floats(result, "A") == (-1, 0)


def test_a_deadline_after_the_finish_adds_no_float() -> None:
    result = run(task("A", 3), task("B", 2, deadline=day("2027-01-15")), links=[link("A", "B")])
    assert not result["B"].deadline_missed
    assert floats(result, "B") == (0, 0)


def test_a_deadline_on_a_short_parallel_task_takes_away_its_float() -> None:
    result = run(task("A", 2, deadline=day("2027-01-05")), task("B", 5))
    assert floats(result, "A") == (0, 0)
    assert result["A"].is_critical
    assert result.critical_path == ("B",)

"""Total and free float, critical paths across projects, near-critical work."""

from __future__ import annotations

from datetime import date

from podium.engine import Network, schedule

from .engine_factories import MONDAY, early, floats, late, link, milestone, run, task


def test_a_short_parallel_branch_has_equal_total_and_free_float() -> None:
    result = run(task("A", 5), task("B", 2), task("C", 1), links=[link("A", "C"), link("B", "C")])
    assert floats(result, "A") == (0, 0)
    assert floats(result, "B") == (3, 3)
    assert late(result, "B") == ("2027-01-07", "2027-01-08")


def test_free_float_belongs_to_the_last_task_of_a_chain_total_float_to_all_of_it() -> None:
    result = run(
        task("A", 5),
        task("B", 2),
        task("D", 1),
        task("C", 1),
        links=[link("A", "C"), link("B", "D"), link("D", "C")],
    )
    assert floats(result, "B") == (2, 0)
    assert floats(result, "D") == (2, 2)
    assert early(result, "C") == ("2027-01-11", "2027-01-11")


def test_a_task_without_successors_has_free_float_up_to_the_program_finish() -> None:
    result = run(task("A", 5), task("B", 3))
    assert floats(result, "B") == (2, 2)


def test_the_critical_path_runs_across_projects_in_order() -> None:
    result = run(
        task("A", 3, group="PLAT"),
        task("B", 2, group="PLAT"),
        task("C", 4, group="TRAIN"),
        task("D", 1, group="TRAIN"),
        task("E", 1, group="TRAIN"),
        milestone("M"),
        links=[link("A", "B"), link("B", "C"), link("C", "D"), link("A", "E"), link("D", "M")],
    )
    assert result.critical_path == ("A", "B", "C", "D", "M")
    assert result.critical_ids() == ("A", "B", "C", "D", "M")
    assert result["C"].group == "TRAIN"
    assert result.finish == date(2027, 1, 15)


def test_two_equal_branches_are_both_critical_paths() -> None:
    result = run(
        task("A", 1),
        task("B", 2),
        task("C", 2),
        task("D", 1),
        links=[link("A", "B"), link("A", "C"), link("B", "D"), link("C", "D")],
    )
    assert set(result.critical_paths) == {("A", "B", "D"), ("A", "C", "D")}
    assert result.critical_path in result.critical_paths


def test_the_finish_driving_path_comes_before_a_deadline_driven_chain() -> None:
    result = run(task("A", 3, deadline=date(2027, 1, 5)), task("B", 10))
    assert result.critical_path == ("B",)
    assert result.critical_paths == (("B",), ("A",))
    assert floats(result, "A") == (-1, 0)


def test_near_critical_work_is_listed_up_to_the_threshold() -> None:
    net = Network(MONDAY, [task("A", 10), task("B", 8), task("C", 2)])
    assert schedule(net, near_critical_threshold=2).near_critical == ("B",)
    assert schedule(net, near_critical_threshold=8).near_critical == ("B", "C")


def test_program_start_and_finish_span_all_activities() -> None:
    result = run(
        task("A", 2, constraint_type="snet", constraint_date=date(2027, 1, 6)), task("B", 1)
    )
    assert (result.start, result.finish) == (date(2027, 1, 4), date(2027, 1, 7))


def test_an_empty_program_starts_and_finishes_on_its_start_day() -> None:
    result = run()
    assert (result.start, result.finish, len(result)) == (MONDAY, MONDAY, 0)
    assert result.critical_path == ()


def test_results_iterate_in_input_order_and_look_up_by_id() -> None:
    result = run(task("B", 1), task("A", 1))
    assert [row.id for row in result] == ["B", "A"]
    assert "A" in result and "Z" not in result
    assert result["A"].early_start == MONDAY

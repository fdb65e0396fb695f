"""CP-SAT on programs with several calendars that end with a milestone, what a result
says when the solver fails, the time limit of the whole run, and why activities moved."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from podium.engine import WorkCalendar
from podium.engine.leveling import Assignment, Resource, check_leveling, cpsat, level, level_optimal
from tests.unit.engine_factories import link, milestone, network, task

ANA_OFF_WEDNESDAY = Resource("ana", calendar=WorkCalendar("1111100", [date(2027, 1, 6)]))


def ending_with_a_milestone() -> tuple[Any, list[Resource], list[Assignment]]:
    """A1 (3 d) → A2 (2 d) → END and B1 (2 d) → END; Ana (off Wed 6) does A1 and B1, Bob
    A2: two calendars (Ana's and the program's), and the program ends with a milestone."""
    net = network(
        task("A1", 3),
        task("A2", 2),
        task("B1", 2),
        milestone("END"),
        links=[link("A1", "A2"), link("A2", "END"), link("B1", "END")],
    )
    resources = [ANA_OFF_WEDNESDAY, Resource("bob")]
    work = [Assignment("A1", "ana"), Assignment("B1", "ana"), Assignment("A2", "bob")]
    return net, resources, work


@pytest.fixture
def solver_answers(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The statuses CP-SAT answered during the test."""
    seen: list[str] = []
    solve = cpsat._Model.solve

    def spied(self: cpsat._Model, seconds: float, **options: Any) -> cpsat._Outcome:
        outcome = solve(self, seconds, **options)
        seen.append(outcome.status)
        return outcome

    monkeypatch.setattr(cpsat._Model, "solve", spied)
    yield seen


def test_cp_sat_solves_a_multi_calendar_program_that_ends_with_a_milestone(
    solver_answers: list[str],
) -> None:
    net, resources, work = ending_with_a_milestone()
    result = level_optimal(net, resources, work, time_limit=5.0)
    # the milestone's finish is read the same way by the model and by the schedule: the
    # model is not infeasible, and its answer is the result
    assert solver_answers == ["optimal"]
    assert (result.method, result.optimal, result.status) == ("cp-sat", True, "optimal")
    assert result.program_finish == date(2027, 1, 11)
    assert result["END"].finish == date(2027, 1, 11)
    assert check_leveling(net, resources, work, result) == []


def test_cp_sat_proves_a_weighted_objective_on_such_a_program(
    solver_answers: list[str],
) -> None:
    net, resources, work = ending_with_a_milestone()
    result = level_optimal(net, resources, work, time_limit=5.0, weights={"END": 5})
    assert solver_answers == ["optimal"] and result.method == "cp-sat"
    assert check_leveling(net, resources, work, result) == []


def test_cp_sat_solves_a_program_whose_fixed_work_alone_overloads_a_person(
    solver_answers: list[str],
) -> None:
    # S1 is under way and P1 pinned: both have Ana from Tue 5, which leveling cannot
    # help; M1 can still be placed after them
    net = network(
        task("S1", 3, actual_start=date(2027, 1, 4), percent_complete=30),
        task("P1", 2, constraint_type="mso", constraint_date=date(2027, 1, 5)),
        task("M1", 2),
        status_date=date(2027, 1, 5),
    )
    work = [Assignment(t, "ana") for t in ("S1", "P1", "M1")]
    result = level_optimal(net, [Resource("ana")], work, time_limit=5.0)
    assert solver_answers == ["optimal"]
    assert result.method == "cp-sat" and "failed" not in result.status
    assert result["M1"].start > result["S1"].finish  # after the fixed work, not in it
    assert check_leveling(net, [Resource("ana")], work, result) == []


def test_a_solver_plan_on_several_calendars_says_why_it_is_not_proven_optimal(
    solver_answers: list[str],
) -> None:
    # Ana (off Wed 6) does A and C, and B with Bob (off Thu 7): her tasks are on two
    # calendars, hers and hers with Bob's, so the solver's optimum is not the plan's
    bob_off_thursday = Resource("bob", calendar=WorkCalendar("1111100", [date(2027, 1, 7)]))
    net = network(task("A", 3), task("B", 3), task("C", 2), links=[link("A", "C")])
    work = [Assignment("A", "ana"), Assignment("B", "ana"), Assignment("B", "bob")]
    work.append(Assignment("C", "ana"))
    resources = [ANA_OFF_WEDNESDAY, bob_off_thursday]
    result = level_optimal(net, resources, work, time_limit=5.0)
    assert solver_answers == ["optimal"] and result.method == "cp-sat"
    assert not result.optimal
    assert result.status == f"feasible (not proven optimal: {cpsat.SEVERAL_CALENDARS})"
    assert check_leveling(net, resources, work, result) == []


def test_a_solver_failure_is_said_and_logged_not_called_nothing_better(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def infeasible(self: cpsat._Model, seconds: float, **_options: Any) -> cpsat._Outcome:
        return cpsat._Outcome(None, "infeasible", None)

    monkeypatch.setattr(cpsat._Model, "solve", infeasible)
    net, resources, work = ending_with_a_milestone()
    with caplog.at_level(logging.ERROR, logger=cpsat.__name__):
        # a weight on B1, which leveling delays or which delays the finish: the plan is
        # not trivially optimal, so the status says what the solver answered
        result = level_optimal(net, resources, work, time_limit=2.0, weights={"B1": 1})
    assert "CP-SAT failed on this program: infeasible" in result.status
    assert "nothing better" not in result.status
    assert any("infeasible" in r.getMessage() for r in caplog.records)


def test_a_weighted_run_that_delays_nothing_at_the_critical_path_finish_is_optimal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def proves_nothing(self: cpsat._Model, seconds: float, **_options: Any) -> cpsat._Outcome:
        return cpsat._Outcome(None, "unknown", None)

    monkeypatch.setattr(cpsat._Model, "solve", proves_nothing)
    net = network(
        task("A", 3), task("B", 2), milestone("M1"), links=[link("A", "B"), link("B", "M1")]
    )
    work = [Assignment("A", "ana"), Assignment("B", "ana")]
    for weights in (None, {"M1": 10}):
        result = level_optimal(net, [Resource("ana")], work, time_limit=2.0, weights=weights)
        assert (result.optimal, result.status) == (True, "optimal"), weights


def test_building_the_model_counts_in_the_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    def slow_resources(self: cpsat._Model) -> None:
        time.sleep(0.6)
        self._in_time()  # as the model's own loops do

    def no_solve(self: cpsat._Model, *args: object, **kwargs: object) -> None:
        raise AssertionError("the solver ran though building its model used up the time")

    monkeypatch.setattr(cpsat._Model, "_resources", slow_resources)
    monkeypatch.setattr(cpsat._Model, "solve", no_solve)
    net, resources, work = ending_with_a_milestone()
    result = level_optimal(
        net, resources, work, time_limit=0.5, heuristic_time=0.05, weights={"B1": 1}
    )
    assert result.method == "heuristic"
    assert result.status == "feasible (heuristic; CP-SAT found no schedule within the time limit)"


# --- why activities moved -------------------------------------------------------------


@pytest.mark.parametrize("leveler", ["heuristic", "cp-sat"])
def test_a_moved_task_names_the_resource_that_held_it_and_its_successor_follows(
    leveler: str,
) -> None:
    # A1 (3 d, Ana) drives the finish; B1 (2 d, Ana and Bob) waits for Ana; B2 follows
    # B1 and needs no one; C1 (Bob) comes after A2, out of B1's way
    net = network(
        task("A1", 3),
        task("A2", 3),
        task("B1", 2),
        task("B2", 1),
        task("C1", 1),
        links=[link("A1", "A2"), link("B1", "B2"), link("A2", "C1")],
    )
    resources = [Resource("ana"), Resource("bob")]
    work = [
        Assignment("A1", "ana"),
        Assignment("B1", "ana"),
        Assignment("B1", "bob"),
        Assignment("C1", "bob"),
    ]
    if leveler == "heuristic":
        result = level(net, resources, work, time_limit=0.2)
    else:
        result = level_optimal(net, resources, work, time_limit=5.0)
    assert result.delayed() == ("B1", "B2")
    # Bob had room for B1 all along: only Ana held it
    assert result.held_by == {"B1": ("ana",)}
    assert result.follows_moved == frozenset({"B2"})


def test_nothing_moved_nothing_held() -> None:
    net = network(task("A1", 2), task("B1", 2))
    result = level(net, [Resource("ana"), Resource("bob")], [Assignment("A1", "ana")])
    assert (result.held_by, result.follows_moved) == ({}, frozenset())

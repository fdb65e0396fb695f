"""Resource leveling on small programs checked by hand (Mon 2027-01-04 start, Mon-Fri)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import pytest

from podium.engine import Network, WorkCalendar
from podium.engine.leveling import (
    Assignment,
    Busy,
    InvalidResources,
    LevelingResult,
    Resource,
    check_leveling,
    cpsat,
    level,
    level_optimal,
)
from tests.unit.engine_factories import day, link, milestone, network, task

Leveler = Callable[[Network, Sequence[Resource], Sequence[Assignment]], LevelingResult]


def fast(
    net: Network, resources: Sequence[Resource], assignments: Sequence[Assignment]
) -> LevelingResult:
    return level(net, resources, assignments, time_limit=0.2)


def optimal(
    net: Network, resources: Sequence[Resource], assignments: Sequence[Assignment]
) -> LevelingResult:
    return level_optimal(net, resources, assignments, time_limit=5.0)


BOTH = pytest.mark.parametrize("leveler", [fast, optimal], ids=["heuristic", "cp-sat"])
ANA = Resource("ana")


def dates(result: LevelingResult, activity_id: str) -> tuple[str, str]:
    row = result[activity_id]
    return row.start.isoformat(), row.finish.isoformat()


def feasible(
    net: Network,
    resources: Sequence[Resource],
    assignments: Sequence[Assignment],
    result: LevelingResult,
) -> bool:
    return check_leveling(net, resources, assignments, result) == []


@BOTH
def test_two_projects_competing_for_one_person_delay_the_one_with_float(
    leveler: Leveler,
) -> None:
    # project A: A1 (3 d, Ana) then A2 (2 d); project B: B1 (2 d, Ana). B1 has float:
    # Ana does A1 first and B1 while A2 runs; the program still ends on Friday.
    net = network(
        task("A1", 3, group="A"),
        task("A2", 2, group="A"),
        task("B1", 2, group="B"),
        links=[link("A1", "A2")],
    )
    work = [Assignment("A1", "ana"), Assignment("B1", "ana")]
    result = leveler(net, [ANA], work)
    assert dates(result, "A1") == ("2027-01-04", "2027-01-06")
    assert dates(result, "A2") == ("2027-01-07", "2027-01-08")
    assert dates(result, "B1") == ("2027-01-07", "2027-01-08")
    assert (result["B1"].start_delay, result["B1"].finish_delay) == (3, 3)
    assert result["A1"].finish_delay == 0
    assert result.delayed() == ("B1",)
    assert (result.makespan, result.unleveled_makespan) == (5, 5)
    assert result.program_finish == day("2027-01-08")
    assert feasible(net, [ANA], work, result)


def test_cp_sat_proves_the_two_project_schedule_optimal() -> None:
    net = network(task("A1", 3), task("B1", 2), task("C1", 4))
    work = [Assignment(t, "ana") for t in ("A1", "B1", "C1")]
    result = level_optimal(net, [ANA], work, time_limit=5.0)
    assert result.makespan == 9
    assert result.optimal and result.status == "optimal"
    assert result.lower_bound == 9
    assert result.method == "cp-sat"


@BOTH
def test_half_time_assignments_run_side_by_side(leveler: Leveler) -> None:
    net = network(
        task("T1", 4),
        task("T2", 4),
        task("T3", 1),
        task("T4", 1),
        links=[link("T1", "T4"), link("T2", "T4")],
    )
    work = [
        Assignment("T1", "ana", 0.5),
        Assignment("T2", "ana", 0.5),
        Assignment("T3", "ana", 0.6),
    ]
    result = leveler(net, [ANA], work)
    assert dates(result, "T1") == ("2027-01-04", "2027-01-07")
    assert dates(result, "T2") == ("2027-01-04", "2027-01-07")
    assert dates(result, "T3") == ("2027-01-08", "2027-01-08")
    assert feasible(net, [ANA], work, result)


@BOTH
def test_a_team_of_two_takes_two_full_time_tasks_at_once(leveler: Leveler) -> None:
    team = Resource("team", capacity=2.0)
    net = network(task("T1", 2), task("T2", 2), task("T3", 2))
    work = [Assignment(t, "team") for t in ("T1", "T2", "T3")]
    result = leveler(net, [team], work)
    assert sorted(dates(result, t) for t in ("T1", "T2", "T3")) == [
        ("2027-01-04", "2027-01-05"),
        ("2027-01-04", "2027-01-05"),
        ("2027-01-06", "2027-01-07"),
    ]
    assert result.makespan == 4


@BOTH
def test_a_persons_day_off_pauses_the_task_and_its_successor_follows(leveler: Leveler) -> None:
    ana = Resource("ana", calendar=WorkCalendar("1111100", [date(2027, 1, 6)]))
    net = network(task("T1", 3), task("T2", 2), links=[link("T1", "T2")])
    work = [Assignment("T1", "ana")]
    result = leveler(net, [ana], work)
    assert dates(result, "T1") == ("2027-01-04", "2027-01-07")  # Mon, Tue, (Wed off), Thu
    assert dates(result, "T2") == ("2027-01-08", "2027-01-11")
    assert result["T1"].finish_delay == 1
    assert feasible(net, [ana], work, result)


@BOTH
def test_a_public_holiday_and_a_persons_time_off_both_count(leveler: Leveler) -> None:
    holiday = date(2027, 1, 5)
    calendar = WorkCalendar("1111100", [holiday])
    ana = Resource("ana", calendar=WorkCalendar("1111100", [holiday, date(2027, 1, 7)]))
    net = network(task("T1", 2), task("T2", 2), calendar=calendar)
    work = [Assignment("T1", "ana"), Assignment("T2", "ana")]
    result = leveler(net, [ana], work)
    # Ana works Mon 4, Wed 6, Fri 8, Mon 11: two tasks of two days end on Monday
    assert sorted(dates(result, t) for t in ("T1", "T2")) == [
        ("2027-01-04", "2027-01-06"),
        ("2027-01-08", "2027-01-11"),
    ]
    assert feasible(net, [ana], work, result)


@BOTH
def test_a_started_task_keeps_its_dates_and_others_wait_for_the_person(
    leveler: Leveler,
) -> None:
    net = network(
        task("S", 3, actual_start=day("2027-01-04"), percent_complete=10.0),
        task("U", 2, deadline=day("2027-01-05")),
        status_date=day("2027-01-04"),
    )
    work = [Assignment("S", "ana"), Assignment("U", "ana")]
    result = leveler(net, [ANA], work)
    assert dates(result, "S") == ("2027-01-04", "2027-01-06")
    assert dates(result, "U") == ("2027-01-07", "2027-01-08")
    assert feasible(net, [ANA], work, result)


@BOTH
def test_a_pinned_task_never_moves_and_the_others_go_around_it(leveler: Leveler) -> None:
    net = network(
        task("P", 2, constraint_type="mso", constraint_date=day("2027-01-05")),
        task("Q", 3),
        task("R", 1),
    )
    work = [Assignment(t, "ana") for t in ("P", "Q", "R")]
    result = leveler(net, [ANA], work)
    assert dates(result, "P") == ("2027-01-05", "2027-01-06")
    assert dates(result, "R") == ("2027-01-04", "2027-01-04")  # fits the Monday before P
    assert dates(result, "Q") == ("2027-01-07", "2027-01-11")
    assert feasible(net, [ANA], work, result)


@BOTH
def test_lags_and_link_types_hold_after_leveling(leveler: Leveler) -> None:
    net = network(
        task("A", 3),
        task("B", 2),
        task("C", 2),
        task("D", 1),
        milestone("M"),
        links=[
            link("A", "B", "SS", 1),
            link("A", "C", "FF", 2),
            link("B", "D", "FS", -1),
            link("C", "M"),
        ],
    )
    work = [Assignment(t, "ana") for t in ("A", "B", "C", "D")]
    result = leveler(net, [ANA], work)
    assert feasible(net, [ANA], work, result)
    assert result.makespan == 8  # Ana's 8 days of work, one after the other
    assert result["M"].start == result["C"].finish


@BOTH
def test_summary_tasks_roll_up_from_their_leveled_subtasks(leveler: Leveler) -> None:
    net = network(
        task("P", 0),
        task("P1", 2, parent="P"),
        task("P2", 2, parent="P"),
        task("after", 1),
        links=[link("P", "after")],
    )
    work = [Assignment("P1", "ana"), Assignment("P2", "ana")]
    result = leveler(net, [ANA], work)
    assert dates(result, "P") == ("2027-01-04", "2027-01-07")
    assert dates(result, "after") == ("2027-01-08", "2027-01-08")
    assert feasible(net, [ANA], work, result)


def test_weights_decide_which_project_goes_first() -> None:
    net = network(
        task("A1", 3),
        milestone("MA"),
        task("B1", 3),
        milestone("MB"),
        links=[link("A1", "MA"), link("B1", "MB")],
    )
    work = [Assignment("A1", "ana"), Assignment("B1", "ana")]
    b_first = level_optimal(net, [ANA], work, time_limit=5.0, weights={"MB": 10})
    assert dates(b_first, "B1") == ("2027-01-04", "2027-01-06")
    a_first = level_optimal(net, [ANA], work, time_limit=5.0, weights={"MA": 10})
    assert dates(a_first, "A1") == ("2027-01-04", "2027-01-06")
    assert b_first.makespan == a_first.makespan == 6
    assert b_first.optimal and a_first.optimal  # nothing past the horizon could do better


def test_a_weight_whose_best_plan_lies_past_the_horizon_is_not_claimed_optimal() -> None:
    # Ana does A (20 d, then milestone MA) and B (20 d, then C, 20 d, without her).
    # B first finishes the program on day 40, with MA on day 40; A first puts MA on
    # day 20 and the finish on day 60: weight 100 on MA makes that the better plan
    # (60 + 100 x 20 against 40 + 100 x 40), though it is four weeks later
    net = network(
        task("A", 20),
        milestone("MA"),
        task("B", 20),
        task("C", 20),
        links=[link("A", "MA"), link("B", "C")],
    )
    work = [Assignment("A", "ana"), Assignment("B", "ana")]
    plain = level_optimal(net, [ANA], work, time_limit=5.0)
    assert dates(plain, "B") == ("2027-01-04", "2027-01-29")
    assert plain.makespan == 40
    weighted = level_optimal(net, [ANA], work, time_limit=5.0, weights={"MA": 100})
    # the solver looks a week (and half the leveling delay) past the heuristic's
    # finish: it cannot reach that plan, so it does not claim to have proved its answer,
    # and says why
    assert (weighted.optimal, weighted.status) == (
        False,
        f"feasible (not proven optimal: {cpsat.PAST_THE_HORIZON})",
    )
    assert feasible(net, [ANA], work, weighted)


def test_without_conflicts_leveling_gives_the_critical_path_schedule() -> None:
    net = network(task("A", 3), task("B", 2), links=[link("A", "B", "FS", 2)])
    work = [Assignment("A", "ana"), Assignment("B", "ana")]
    result = level(net, [ANA], work)
    assert dates(result, "B") == ("2027-01-11", "2027-01-12")
    assert result.delayed() == ()
    assert result.optimal  # the critical-path finish cannot be beaten


def test_every_bad_resource_or_assignment_is_reported_at_once() -> None:
    net = network(task("P", 0), task("P1", 2, parent="P"), task("T", 1))
    resources = [
        Resource("ana"),
        Resource("ana"),
        Resource("bob", capacity=0.0),
        Resource("crowd", capacity=1e16),
    ]
    work = [
        Assignment("T", "nobody"),
        Assignment("nothing", "ana"),
        Assignment("P", "ana"),
        Assignment("T", "ana", 1.5),
        Assignment("P1", "ana", -1.0),
        Assignment("T", "bob", 1e308),
    ]
    with pytest.raises(InvalidResources) as caught:
        level(net, resources, work)
    text = "\n".join(caught.value.problems)
    for expected in (
        "resource 'ana' is listed twice",
        "capacity 0.0 must be positive",
        "no resource 'nobody'",
        "no task 'nothing'",
        "'P' is a summary task",
        "1.5 units exceed the resource's capacity of 1",
        "units -1.0 must be positive",
        "capacity 1e+16 is more than 10000 units",
        "1e+308 units exceed the resource's capacity of 0",
    ):
        assert expected in text


@BOTH
def test_leveling_that_would_move_work_past_the_last_date_is_refused(leveler: Leveler) -> None:
    # side by side they end in 9993; one after another they would need until 10009
    tasks = [task(f"T{i}", 1_000) for i in range(5)]
    net = network(*tasks, start=day("9990-01-01"))
    work = [Assignment(t.id, "ana") for t in tasks]
    with pytest.raises(InvalidResources, match="leveling would move work past 9999-12-31"):
        leveler(net, [ANA], work)


def test_a_task_whose_calendars_share_no_day_is_refused() -> None:
    weekend = Resource("guard", calendar=WorkCalendar("0000011"))
    net = network(task("T", 1))
    with pytest.raises(InvalidResources, match="no working day in common"):
        level(net, [weekend], [Assignment("T", "guard")])


def test_the_checker_finds_an_overload_and_a_broken_link() -> None:
    net = network(task("A", 2), task("B", 2))
    unleveled = level(net, [ANA], [])
    overload = check_leveling(
        net, [ANA], [Assignment("A", "ana"), Assignment("B", "ana")], unleveled
    )
    assert {(v.kind, v.resource) for v in overload} == {("capacity", "ana")}
    assert [v.day for v in overload] == [day("2027-01-04"), day("2027-01-05")]
    linked = network(task("A", 2), task("B", 2), links=[link("A", "B")])
    broken = check_leveling(linked, [ANA], [], unleveled)
    assert [(v.kind, v.activity) for v in broken] == [("link", "B")]


def test_the_checker_catches_work_placed_before_its_projects_start() -> None:
    # LATE starts on Monday 1 February; a schedule leveled as if it did not (its task and
    # its milestone in January) is caught, task by task; leveling itself keeps the start
    def plan(project_start: date | None) -> Network:
        return network(
            task("A", 3),
            task("B", 2, group="LATE", project_start=project_start),
            milestone("M", group="LATE", project_start=project_start),
            task(
                "PIN",
                1,
                constraint_type="mso",
                constraint_date=day("2027-01-05"),
                project_start=project_start,
            ),
            links=[link("B", "M")],
        )

    held = plan(day("2027-02-01"))
    kept = level(held, [ANA], [Assignment("A", "ana"), Assignment("B", "ana")])
    assert dates(kept, "B") == ("2027-02-01", "2027-02-02")
    assert check_leveling(held, [ANA], [], kept) == []
    wrong = level(plan(None), [ANA], [Assignment("A", "ana"), Assignment("B", "ana")])
    too_early = dates(wrong, "B")[0]
    assert too_early < "2027-02-01"
    found = check_leveling(held, [ANA], [], wrong)
    assert [(v.kind, v.activity) for v in found] == [("bound", "B"), ("bound", "M")]
    assert found[0].message == f"B starts on {too_early}, before its project's start 2027-02-01"


def test_the_heuristic_levels_many_tasks_within_its_time_limit() -> None:
    acts = [task(f"T{i}", 1 + i % 5) for i in range(300)]
    links = [link(f"T{i}", f"T{i + 3}") for i in range(0, 297, 2)]
    people = [Resource(f"p{k}") for k in range(10)]
    work = [Assignment(f"T{i}", f"p{i % 10}", 1.0 if i % 3 else 0.5) for i in range(300)]
    net = network(*acts, links=links)
    result = level(net, people, work, time_limit=0.3)
    assert result.seconds < 2.0
    assert feasible(net, people, work, result)


@pytest.mark.parametrize("method", ["heuristic", "cp-sat"])
def test_time_a_person_gives_another_program_is_kept_free(method: str) -> None:
    # Ana works full time for another program Tue 5 - Wed 6 Jan and half time on Mon 11
    # (the weekend before is not worked). A1 needs her full time two days in a row, B1 half
    # time: A1 takes Thu 7 - Fri 8 and B1 the free half of Mon 11, then Tue 12 (the other
    # way round, A1 could not start before Tue 12 and would end on Wed 13)
    net = network(task("A1", 2), task("B1", 2))
    work = [Assignment("A1", "ana"), Assignment("B1", "ana", 0.5)]
    elsewhere = [
        Busy("ana", day("2027-01-05"), day("2027-01-06"), 1.0, WorkCalendar()),
        Busy("ana", day("2027-01-09"), day("2027-01-11"), 0.5, WorkCalendar()),
    ]
    run = level if method == "heuristic" else level_optimal
    result = run(net, [ANA], work, time_limit=2.0, busy=elsewhere)
    assert dates(result, "A1") == ("2027-01-07", "2027-01-08")
    assert dates(result, "B1") == ("2027-01-11", "2027-01-12")
    assert result.program_finish == day("2027-01-12")
    assert check_leveling(net, [ANA], work, result, elsewhere) == []
    # without the other program, A1 then B1 from Monday: done on Thursday
    alone = level(net, [ANA], work, time_limit=0.2)
    assert alone.program_finish == day("2027-01-07")
    assert check_leveling(net, [ANA], work, alone, elsewhere) != []


def test_the_checker_counts_time_taken_elsewhere() -> None:
    net = network(task("A1", 2))
    work = [Assignment("A1", "ana")]
    result = level(net, [ANA], work, time_limit=0.2)
    taken = [Busy("ana", day("2027-01-05"), day("2027-01-05"), 0.5)]
    assert check_leveling(net, [ANA], work, result) == []
    (clash,) = check_leveling(net, [ANA], work, result, taken)
    assert (clash.resource, clash.day) == ("ana", day("2027-01-05"))


def test_time_taken_elsewhere_of_an_unknown_resource_is_refused() -> None:
    with pytest.raises(InvalidResources, match="unknown resource 'bob'"):
        level(
            network(task("A1", 2)),
            [ANA],
            [Assignment("A1", "ana")],
            busy=[Busy("bob", day("2027-01-05"), day("2027-01-05"))],
        )


def test_time_taken_elsewhere_counts_in_days_when_the_tasks_have_other_calendars() -> None:
    # B1 is on a calendar with Thu 7 off, so Ana's tasks have two calendars: CP-SAT books
    # in calendar days, which cannot prove optimality (and does not claim it, saying why)
    net = network(
        task("A1", 2),
        task("B1", 2, calendar="thu-off"),
        calendars={"thu-off": WorkCalendar("1111100", [day("2027-01-07")])},
    )
    work = [Assignment("A1", "ana"), Assignment("B1", "ana", 0.5)]
    elsewhere = [Busy("ana", day("2027-01-05"), day("2027-01-06"), 1.0, WorkCalendar())]
    result = level_optimal(net, [ANA], work, time_limit=2.0, busy=elsewhere)
    assert dates(result, "A1") == ("2027-01-07", "2027-01-08")
    # Mon 4 - Tue 5 clashes on Tue, Fri 8 - Mon 11 with A1 on Fri: B1 goes after A1
    assert dates(result, "B1") == ("2027-01-11", "2027-01-12")
    assert (result.optimal, result.status) == (
        False,
        f"feasible (not proven optimal: {cpsat.SEVERAL_CALENDARS})",
    )
    assert check_leveling(net, [ANA], work, result, elsewhere) == []

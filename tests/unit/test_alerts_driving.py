"""Driving links and the chain an alert shows, on networks built by hand (and random ones
checked against the engine).

Program start Monday 1 March 2027, Mon–Fri unless told. By hand:

* P1 (16 d) runs 1–22 March, Q1 (12 d) 1–16 March. R1 waits on P1 with FS -5 (five
  working days before P1's finish: Tuesday 16 March) and on Q1 with FS (Wednesday 17):
  Q1 holds it, although P1's finish less five calendar-counted days is later.
* FF: A (10 d) finishes Friday 12 March, so C (3 d) finishing with it starts Wednesday
  10; B (8 d) finishes Wednesday 10, so C after it starts Thursday 11: B holds C.
* SF: A (5 d) starts Monday 1, so C (2 d) finishing 4 working days after A's start
  finishes Thursday 4 and starts Wednesday 3; B (3 d) finishes Wednesday 3, so C after it
  starts Thursday 4: B holds C.
* SS: A (5 d) starts Monday 1; with SS +2 C may start Wednesday 3, with SS +4 Friday 5;
  B (3 d) finishes Wednesday 3, so C after it starts Thursday 4.
* A lag over a weekend: A (5 d) finishes Friday 5; FS +2 lets C start Wednesday 10
  (Monday and Tuesday are the lag, not the weekend); B (6 d) to Monday 8 lets it start
  Tuesday 9. With FS +1, both let C start Tuesday 9.
* Calendars: the lag counts the successor's working days. C works every day: A (4 d,
  Mon–Fri) finishes Thursday 4, and FS +2 lets C start Sunday 7 (Friday and Saturday are
  the lag); B (5 d) finishes Friday 5, so C may start Saturday 6. A holds C (counted in
  A's Mon–Fri days the lag would end on Tuesday 9, a date C never has).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from hypothesis import HealthCheck, given, reject, settings

from podium.engine import Activity, CycleError, Link, Network, WorkCalendar, schedule
from podium.models import AlertKind
from podium.services.scheduling.alerts import detect_conflicts
from podium.services.scheduling.driving import DrivingLinks, date_of, link_requirement
from podium.services.scheduling.network import ProgramNetwork

from .engine_factories import link, milestone, network, task
from .engine_strategies import networks

MARCH = date(2027, 3, 1)  # a Monday


def program(net: Network, projects: Mapping[str, str] | None = None) -> ProgramNetwork:
    """``net`` as the scheduling service holds a program: ``projects`` gives each
    activity's project key (none: a program milestone)."""
    keys = sorted(set((projects or {}).values()))
    project_ids = {key: i for i, key in enumerate(keys, 1)}
    ids = [a.id for a in net.activities]
    of = {aid: (projects or {}).get(aid) for aid in ids}
    return ProgramNetwork(
        program_id=1,
        network=net,
        labels={aid: aid for aid in ids},
        names={aid: f"Task {aid}" for aid in ids},
        project_of={aid: project_ids[key] if key else None for aid, key in of.items()},
        project_keys={i: key for key, i in project_ids.items()},
        targets={},
        deadlines={a.id: a.deadline for a in net.activities if a.deadline},
        started={a.id: a.actual_start for a in net.activities if a.actual_start},
        finished={a.id for a in net.activities if a.actual_finish},
        calendars=dict(net.calendars),
        calendar_of={a.id: a.calendar for a in net.activities},
        links=[(x.pred, x.succ, x.type, x.lag) for x in net.links],
    )


def chain_of(
    *activities: Activity,
    links: list[Link],
    subject: str,
    projects: Mapping[str, str] | None = None,
    **options: object,
) -> list[str]:
    net = network(*activities, links=links, start=MARCH, **options)  # type: ignore[arg-type]
    return DrivingLinks(program(net, projects), schedule(net)).chain(subject)


def test_a_negative_lag_does_not_make_its_predecessor_the_driver() -> None:
    net = network(
        task("P1", 16),
        task("Q1", 12),
        task("R1", 1, deadline=date(2027, 3, 16)),
        links=[link("P1", "R1", "FS", -5), link("Q1", "R1")],
        start=MARCH,
    )
    pn, result = program(net, {"P1": "P", "Q1": "Q", "R1": "R"}), schedule(net)
    assert date_of(result, "early_start", "R1") == date(2027, 3, 17)
    (missed,) = detect_conflicts(pn, result)
    assert missed.kind == AlertKind.DEADLINE_MISSED
    assert DrivingLinks(pn, result).chain("R1") == ["Q1", "R1"]


def test_a_finish_to_finish_link_drives_only_when_it_holds_the_finish() -> None:
    a, b, c = task("A", 10), task("B", 8), task("C", 3)
    assert chain_of(a, b, c, links=[link("A", "C", "FF"), link("B", "C")], subject="C") == [
        "B",
        "C",
    ]
    longer = task("A", 12)  # finishes Wednesday 17: C must finish then, starting Monday 15
    assert chain_of(longer, b, c, links=[link("A", "C", "FF"), link("B", "C")], subject="C") == [
        "A",
        "C",
    ]


def test_a_start_to_finish_link_counts_from_the_predecessors_start() -> None:
    a, c = task("A", 5), task("C", 2)
    links = [link("A", "C", "SF", 4), link("B", "C")]
    assert chain_of(a, task("B", 3), c, links=links, subject="C") == ["B", "C"]
    assert chain_of(a, task("B", 1), c, links=links, subject="C") == ["A", "C"]


def test_a_start_to_start_link_with_a_lag() -> None:
    a, b, c = task("A", 5), task("B", 3), task("C", 2)
    assert chain_of(a, b, c, links=[link("A", "C", "SS", 2), link("B", "C")], subject="C") == [
        "B",
        "C",
    ]
    assert chain_of(a, b, c, links=[link("A", "C", "SS", 4), link("B", "C")], subject="C") == [
        "A",
        "C",
    ]


def test_a_lag_counts_working_days_over_a_weekend() -> None:
    a, b, c = task("A", 5), task("B", 6), task("C", 1)
    assert chain_of(a, b, c, links=[link("A", "C", "FS", 2), link("B", "C")], subject="C") == [
        "A",
        "C",
    ]
    net = network(a, b, c, links=[link("A", "C", "FS", 1), link("B", "C")], start=MARCH)
    pn, result = program(net), schedule(net)
    assert date_of(result, "early_start", "C") == date(2027, 3, 9)
    assert link_requirement(pn, result, "A", "C", "FS", 1) == ("start", (date(2027, 3, 9),))


def test_a_lag_counts_the_successors_working_days() -> None:
    every_day = {"daily": WorkCalendar("1111111")}
    activities = (task("A", 4), task("B", 5), task("C", 1, calendar="daily"))
    links = [link("A", "C", "FS", 2), link("B", "C")]
    net = network(*activities, links=links, start=MARCH, calendars=every_day)
    result = schedule(net)
    assert date_of(result, "early_start", "C") == date(2027, 3, 7)
    assert DrivingLinks(program(net), result).chain("C") == ["A", "C"]


def test_the_chain_runs_through_a_milestone_and_across_projects() -> None:
    activities = (task("A", 5), task("B", 3), milestone("M"), task("C", 2), task("D", 2))
    links = [link("A", "M"), link("B", "M"), link("M", "C"), link("C", "D")]
    projects = {"A": "PLAT", "B": "DATA", "C": "TRAIN", "D": "TRAIN"}
    assert chain_of(*activities, links=links, subject="D", projects=projects) == [
        "A",
        "M",
        "C",
        "D",
    ]
    net = network(*activities, links=links, start=MARCH)
    drivers = DrivingLinks(program(net, projects), schedule(net))
    assert drivers.across_projects("C") == "A"  # through the program milestone
    assert drivers.across_projects("D") is None  # C, of its own project, holds it


def test_a_link_into_a_summary_drives_its_first_subtask_and_a_summary_its_last() -> None:
    activities = (
        task("X", 4),
        task("S", 0),
        task("S1", 2, parent="S"),
        task("S2", 3, parent="S"),
        task("Y", 5),
    )
    links = [link("X", "S"), link("S1", "S2"), link("Y", "S2")]
    assert chain_of(*activities, links=links, subject="S1") == ["X", "S1"]
    assert chain_of(*activities, links=links, subject="S") == ["X", "S1", "S2", "S"]


def test_a_started_successor_is_judged_in_its_own_calendar() -> None:
    every_day = {"daily": WorkCalendar("1111111")}
    net = network(
        task("A", 4),
        task("C", 3, calendar="daily", actual_start=date(2027, 3, 6)),
        links=[link("A", "C", "FS", 2)],
        start=MARCH,
        calendars=every_day,
    )
    pn = program(net)
    (pushed,) = [d for d in detect_conflicts(pn, schedule(net)) if d.upstream == "A"]
    assert pushed.details["required_start"] == "2027-03-07"
    assert pushed.message == "FS+2 link from A; 1 working day of conflict"


@given(networks(calendars=True, summaries=True))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_links_allow_what_the_engine_scheduled_and_what_moved_is_driven(net: Network) -> None:
    """No link allows less than the schedule gives its successor (a link into a summary:
    each of its subtasks), and a task or milestone later than its first possible day is
    held there by one of its links."""
    try:
        result = schedule(net)
    except CycleError:
        reject()  # links between summaries' subtasks can close a loop
    pn = program(net)
    parent = {a.id: a.parent for a in net.activities if a.parent}
    for activity in net.activities:
        if activity.id in parent.values():
            continue  # a summary: its subtasks hold it
        ends, up = {activity.id}, parent.get(activity.id)
        while up is not None:
            ends.add(up)
            up = parent.get(up)
        held = False
        for x in net.links:
            if x.succ not in ends:
                continue
            end, allowed = link_requirement(pn, result, x.pred, activity.id, x.type, x.lag)
            scheduled = date_of(result, f"early_{end}", activity.id)
            assert min(allowed) <= scheduled, (x, allowed, scheduled)
            held |= scheduled in allowed
        if not held:
            first = pn.calendar(activity.id).roll_forward(net.start)
            assert date_of(result, "early_start", activity.id) == first, activity

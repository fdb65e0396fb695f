"""Resource load: demand against capacity per day, and over-allocations, hand-checked."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from podium.engine import Activity, Link, Network, WorkCalendar, schedule
from podium.engine.leveling import Resource
from podium.engine.load import Booking, resource_load

WEEK = WorkCalendar()  # Mon–Fri
MON = date(2027, 1, 4)


def day(d: int) -> date:
    return date(2027, 1, d)


def book(
    task: str,
    start: int,
    finish: int,
    units: float = 1.0,
    *,
    group: str | None = None,
    calendar: WorkCalendar = WEEK,
    resource: str = "ana",
) -> Booking:
    return Booking(task, resource, units, day(start), day(finish), calendar, group)


def test_two_projects_competing_for_one_person_overload_where_they_overlap() -> None:
    # A Mon 4–Fri 8, B Wed 6–Tue 12: both on Ana on Wed 6, Thu 7 and Fri 8
    load = resource_load(
        [Resource("ana")], [book("A", 4, 8, group="PLAT"), book("B", 6, 12, group="SEC")]
    )
    assert load.days[0] == np.datetime64("2027-01-04") and load.days[-1] == np.datetime64(
        "2027-01-12"
    )
    assert load.demand[0].tolist() == [1, 1, 2, 2, 2, 0, 0, 1, 1]
    assert load.capacity[0].tolist() == [1, 1, 1, 1, 1, 0, 0, 1, 1]
    (over,) = load.overloads
    assert (over.resource, over.start, over.finish, over.days) == ("ana", day(6), day(8), 3)
    assert (over.peak_demand, over.capacity, over.excess) == (2.0, 1.0, 3.0)
    assert over.tasks == ("A", "B") and over.groups == ("PLAT", "SEC")


def test_part_time_assignments_fit_until_they_add_up_past_capacity() -> None:
    fits = resource_load([Resource("ana")], [book("A", 4, 8, 0.5), book("B", 4, 8, 0.5)])
    assert fits.overloads == () and fits.demand[0, :5].tolist() == [1.0] * 5
    over = resource_load([Resource("ana")], [book("A", 4, 8, 0.6), book("B", 7, 8, 0.5)])
    (o,) = over.overloads
    assert (o.start, o.finish, o.days) == (day(7), day(8), 2)
    assert o.peak_demand == pytest.approx(1.1) and o.excess == pytest.approx(0.2)


def test_a_team_has_the_capacity_of_its_members() -> None:
    team = Resource("devs", capacity=3.0)
    load = resource_load([team], [book(t, 4, 4, resource="devs") for t in "ABC"])
    assert load.overloads == ()
    load = resource_load([team], [book(t, 4, 4, resource="devs") for t in "ABCD"])
    assert [(o.start, o.peak_demand, o.capacity) for o in load.overloads] == [(day(4), 4, 3)]


def test_time_off_removes_capacity_and_the_task_pauses_on_the_day_off() -> None:
    away = WorkCalendar("1111100", [day(6)])  # Ana is off on Wednesday 6
    ana = Resource("ana", calendar=away)
    # the task works on its effective calendar (its own and Ana's): not on the 6th
    load = resource_load([ana], [book("A", 4, 8, calendar=away)])
    assert load.capacity[0].tolist() == [1, 1, 0, 1, 1]
    assert load.demand[0].tolist() == [1, 1, 0, 1, 1] and load.overloads == ()
    # a task that ignores her day off over-allocates her on it
    load = resource_load([ana], [book("A", 4, 8)])
    (o,) = load.overloads
    assert (o.start, o.finish, o.capacity, o.peak_demand) == (day(6), day(6), 0.0, 1.0)


def test_an_overload_across_a_weekend_is_one_period() -> None:
    load = resource_load([Resource("ana")], [book("A", 7, 12), book("B", 7, 12)])
    (o,) = load.overloads
    assert (o.start, o.finish, o.days) == (day(7), day(12), 4)


def test_weekly_and_monthly_buckets_sum_unit_days() -> None:
    load = resource_load(
        [Resource("ana")],
        [book("A", 4, 15), book("B", 28, 29)],
        start=day(1),
        finish=date(2027, 2, 2),
    )
    weeks, demand, capacity = load.buckets("week")
    assert weeks[:5].tolist() == [date(2026, 12, 28), day(4), day(11), day(18), day(25)]
    assert demand[0, :5].tolist() == [0, 5, 5, 0, 2]
    assert capacity[0, :5].tolist() == [1, 5, 5, 5, 5]  # Fri 1 Jan is the only day of week 1
    months, demand, capacity = load.buckets("month")
    assert months.tolist() == [day(1), date(2027, 2, 1)]
    assert demand[0].tolist() == [12, 0] and capacity[0].tolist() == [21, 2]


def test_resources_without_bookings_have_an_empty_horizon() -> None:
    load = resource_load([Resource("ana"), Resource("li")], [])
    assert load.demand.shape == (2, 0) and load.overloads == ()


def test_a_leveling_hold_delays_unstarted_work_like_an_extra_start_no_earlier_than() -> None:
    net = Network(
        MON,
        [
            Activity("A", 3),
            Activity("B", 2, not_before=day(11)),
            Activity("C", 2, not_before=day(5), constraint_type="snet", constraint_date=day(7)),
        ],
        [Link("A", "B")],
    )
    result = schedule(net)
    assert result["B"].early_start == day(11)  # not Thu 7, the day after A
    assert result["C"].early_start == day(7)  # the later of the hold and the constraint
    started = Network(
        MON,
        [Activity("B", 2, not_before=day(11), actual_start=day(4), percent_complete=50)],
        status_date=MON,
    )
    assert schedule(started)["B"].early_start == day(4)  # started work keeps its dates
    pinned = Network(
        MON, [Activity("B", 2, not_before=day(11), constraint_type="mso", constraint_date=day(5))]
    )
    assert schedule(pinned)["B"].early_start == day(5)


@given(
    st.lists(
        st.tuples(
            st.integers(0, 2),
            st.integers(0, 40),
            st.integers(0, 15),
            st.sampled_from([0.25, 0.5, 1.0]),
            st.integers(0, 2),
        ),
        max_size=25,
    )
)
def test_demand_is_the_units_on_each_working_day_of_every_booking(
    raw: list[tuple[int, int, int, float, int]],
) -> None:
    calendars = [WEEK, WorkCalendar("1111110"), WorkCalendar("1111100", [day(12), day(13)])]
    first = date(2027, 1, 1)
    bookings = [
        Booking(
            f"T{k}",
            f"r{r}",
            units,
            first + timedelta(days=s),
            first + timedelta(days=s + length),
            calendars[c],
        )
        for k, (r, s, length, units, c) in enumerate(raw)
    ]
    people = [Resource(f"r{r}", capacity=1.0) for r in range(3)]
    load = resource_load(people, bookings, start=first, finish=date(2027, 3, 31))
    expected = np.zeros_like(load.demand)
    for b in bookings:
        for i, d in enumerate(load.days.tolist()):
            if b.start <= d <= b.finish and b.calendar.is_workday(d):
                expected[int(b.resource[1:]), i] += b.units
    assert np.allclose(load.demand, expected)
    over = expected > load.capacity + 1e-6
    assert sum(o.days for o in load.overloads) == int(over.sum())
    for o in load.overloads:  # every task named works on one of the overloaded days
        assert o.tasks and all(
            t in {b.task for b in bookings if b.resource == o.resource} for t in o.tasks
        )

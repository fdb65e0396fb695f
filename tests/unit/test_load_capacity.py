"""The capacity of a resource without a calendar of its own, and of time off alone,
hand-checked: it works whenever its tasks do, whoever looks."""

from __future__ import annotations

from datetime import date

import numpy as np

from podium.engine import WorkCalendar
from podium.engine.calendar import DaysOff, less_time_off
from podium.engine.leveling import Resource
from podium.engine.load import Booking, resource_load

# March 2027: Mon 1, Wed 3, Sat 6, Sun 7, Mon 8, Wed 10, Mon 15
ALPHA = WorkCalendar("1111100", [date(2027, 3, 10)])  # a program off on Wed 10 Mar
BETA = WorkCalendar("1111100", [date(2027, 3, 3)])  # another off on Wed 3 Mar
EVERY_DAY = WorkCalendar("1111111")


def day(d: int) -> date:
    return date(2027, 3, d)


def book(task: str, start: int, finish: int, units: float, calendar: WorkCalendar) -> Booking:
    return Booking(task, "dan", units, day(start), day(finish), calendar)


def test_a_person_shared_by_two_programs_works_every_day_either_works() -> None:
    """A4 (ALPHA, Mon 1–Mon 15, 50 %) and B2 (BETA, Mon 1–Mon 8, 50 %): capacity on every
    weekday, whichever program's holidays come first."""
    bookings = [book("A4", 1, 15, 0.5, ALPHA), book("B2", 1, 8, 0.5, BETA)]
    loads = [
        resource_load([Resource("dan")], bookings, home_calendars={"dan": homes})
        for homes in ([ALPHA, BETA], [BETA, ALPHA])
    ]
    for load in loads:
        assert load.capacity[0, :10].tolist() == [1, 1, 1, 1, 1, 0, 0, 1, 1, 1]
        # Wed 3: only A4 works (BETA's holiday); Wed 10: only B2 would, and it is over
        assert load.demand[0, :10].tolist() == [1, 1, 0.5, 1, 1, 0, 0, 1, 0.5, 0]
        assert load.overloads == ()
        weeks, demand, capacity = load.buckets("week")
        assert weeks.tolist() == [day(1), day(8), day(15)]
        assert demand[0].tolist() == [4.5, 2.5, 0.5] and capacity[0].tolist() == [5, 5, 1]
    assert np.array_equal(loads[0].capacity, loads[1].capacity)


def test_a_weekend_task_gives_its_person_the_weekend() -> None:
    """A 7-day cutover Mon 1–Sun 7 at 100 %: Sat 6 and Sun 7 are worked, 7 of 7 that week;
    the next week has ALPHA's four working days."""
    load = resource_load(
        [Resource("dan")],
        [book("A3", 1, 7, 1.0, EVERY_DAY)],
        start=day(1),
        finish=day(14),
        home_calendars={"dan": [ALPHA]},
    )
    assert load.capacity[0, :7].tolist() == [1] * 7 and load.overloads == ()
    assert load.buckets("week")[2][0].tolist() == [7, 4]


def test_time_off_alone_takes_days_away_and_adds_no_weekend() -> None:
    away = less_time_off(None, [(day(3), day(3))])
    assert isinstance(away, DaysOff) and away.weekmask == "1111111"
    # on a task it takes the day off away and nothing else
    both = ALPHA.intersection(away)
    assert both is not None and both.weekmask == "1111100"
    assert both.holidays == (day(3), day(10))
    # a task Mon 1–Mon 8 that pauses on Wed 3 (its effective calendar): 4 + 1 days
    load = resource_load(
        [Resource("bob", calendar=away)],
        [Booking("A2", "bob", 1.0, day(1), day(8), both)],
        start=day(1),
        finish=day(14),
        home_calendars={"bob": [ALPHA]},
    )
    assert load.capacity[0, :7].tolist() == [1, 1, 0, 1, 1, 0, 0]
    assert load.buckets("week")[1][0].tolist() == [4, 1]
    assert load.buckets("week")[2][0].tolist() == [4, 4]  # not 6 and 7
    assert load.overloads == ()


def test_a_day_off_with_work_on_it_is_an_overload_on_a_day_without_capacity() -> None:
    """A started task keeps its own calendar through Bob's day off (Wed 3), and another
    task doubles him on Thu 4: one period of two days, one of them a day off; the peak
    with capacity is 200 %."""
    away = DaysOff([day(3)])
    load = resource_load(
        [Resource("bob", calendar=away)],
        [
            Booking("A2", "bob", 1.0, day(1), day(5), ALPHA),
            Booking("A7", "bob", 1.0, day(4), day(4), ALPHA),
        ],
        home_calendars={"bob": [ALPHA]},
    )
    (o,) = load.overloads
    assert (o.start, o.finish, o.days, o.days_off) == (day(3), day(4), 2, 1)
    assert (o.peak_demand, o.capacity, o.peak_utilization) == (2.0, 1.0, 2.0)
    only_off = resource_load(
        [Resource("bob", calendar=away)],
        [Booking("A2", "bob", 1.0, day(1), day(5), ALPHA)],
        home_calendars={"bob": [ALPHA]},
    )
    (o,) = only_off.overloads
    assert (o.days, o.days_off, o.capacity, o.peak_utilization) == (1, 1, 0.0, None)


def test_a_resource_with_its_own_calendar_keeps_it_whoever_books_it() -> None:
    own = WorkCalendar("1111000")  # Mon–Thu
    load = resource_load(
        [Resource("dan", calendar=own)],
        [book("A3", 1, 7, 0.5, EVERY_DAY)],
        home_calendars={"dan": [ALPHA, BETA]},
    )
    assert load.capacity[0].tolist() == [1, 1, 1, 1, 0, 0, 0]
    assert [o.days for o in load.overloads] == [3]  # Fri 5 to Sun 7: not its days

"""Extra working days in the database: a calendar's extra Saturday reschedules the programs
that work to it, a resource's own calendar and time off are honoured with it, the load
counts its capacity, and the roadmap is told of it (hand-checked on small plans)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from podium.models import Calendar, Program, Project, Task
from podium.services import calendars, roadmap
from podium.services.actor import SYSTEM
from podium.services.resources import assignments, catalog, load
from podium.services.uow import complete
from tests.factories import make_program, make_project, make_task

SATURDAY = date(2027, 1, 9)  # worked for a cutover
CUTOVER = [{"date": SATURDAY.isoformat(), "name": "cutover"}]


def day(d: int) -> date:
    return date(2027, 1, d)


def _plan(db: Session, cal: Calendar | None = None) -> tuple[Program, Project]:
    program = make_program(
        db,
        key="XTR",
        start_date=day(4),
        status_date=day(4),
        calendar_id=cal.id if cal else None,
    )
    return program, make_project(db, program, "OPS")


def _dates(db: Session, task: Task) -> tuple[date | None, date | None]:
    db.refresh(task)
    return task.early_start, task.early_finish


def test_an_extra_saturday_on_the_program_calendar_shortens_the_task_and_comes_off_again(
    db: Session,
) -> None:
    cal = calendars.create_calendar(db, SYSTEM, name="Cutover weeks")
    program, ops = _plan(db, cal)
    task = make_task(db, ops, "OPS-1", duration=6)
    complete(db)
    # Mon 4 .. Fri 8 is five days; the sixth is Mon 11
    assert _dates(db, task) == (day(4), day(11))
    cal.extra_workdays = CUTOVER  # saved on its own: the programs on it are rescheduled
    complete(db)
    assert _dates(db, task) == (day(4), SATURDAY)
    db.refresh(program)
    assert program.scheduled_finish == SATURDAY
    cal.extra_workdays = []
    complete(db)
    assert _dates(db, task) == (day(4), day(11))


def test_a_holiday_on_the_same_date_wins_over_the_extra_day(db: Session) -> None:
    cal = calendars.create_calendar(
        db, SYSTEM, name="Both", holidays=[calendars.Holiday(day(5), "closed")]
    )
    _, ops = _plan(db, cal)
    task = make_task(db, ops, "OPS-1", duration=6)
    cal.extra_workdays = CUTOVER
    complete(db)
    # Mon 4, Wed 6, Thu 7, Fri 8, Sat 9, Mon 11 (Tue 5 closed)
    assert _dates(db, task) == (day(4), day(11))


def test_a_task_done_by_a_person_works_the_extra_day_only_if_both_calendars_do(
    db: Session,
) -> None:
    program_cal = calendars.create_calendar(db, SYSTEM, name="Program")
    program_cal.extra_workdays = CUTOVER
    own = calendars.create_calendar(db, SYSTEM, name="Ana's week")
    _, ops = _plan(db, program_cal)
    task = make_task(db, ops, "OPS-1", duration=6)
    ana = catalog.create_resource(db, SYSTEM, key="ana", name="Ana", calendar_id=own.id)
    assignments.create_assignment(db, SYSTEM, task_id=task.id, resource_id=ana.id)
    complete(db)
    # Ana's own calendar does not work the Saturday: the task does not either
    assert _dates(db, task) == (day(4), day(11))
    own.extra_workdays = CUTOVER
    complete(db)
    assert _dates(db, task) == (day(4), SATURDAY)
    # time off on the Saturday takes it away again
    catalog.update_resource(
        db, SYSTEM, ana.id, {"time_off": [catalog.TimeOff(SATURDAY, SATURDAY, "rest")]}
    )
    complete(db)
    assert _dates(db, task) == (day(4), day(11))


def test_the_load_gives_a_person_capacity_on_their_extra_day(db: Session) -> None:
    own = calendars.create_calendar(db, SYSTEM, name="Ana's week")
    own.extra_workdays = CUTOVER
    program_cal = calendars.create_calendar(db, SYSTEM, name="Program")
    program_cal.extra_workdays = CUTOVER
    _, ops = _plan(db, program_cal)
    task = make_task(db, ops, "OPS-1", duration=6)
    ana = catalog.create_resource(db, SYSTEM, key="ana", name="Ana", calendar_id=own.id)
    assignments.create_assignment(db, SYSTEM, task_id=task.id, resource_id=ana.id)
    complete(db)
    found = load.one_resource_load(db, SYSTEM, ana.id, period="day", start=day(4), finish=day(10))
    by_day = {b["start"]: (b["demand"], b["capacity"]) for b in found["buckets"]}
    assert by_day[SATURDAY] == (1.0, 1.0)
    assert by_day[day(10)] == (0.0, 0.0)  # Sunday: neither worked nor booked
    assert found["over_allocated_days"] == 0


def test_the_roadmap_is_given_the_extra_days_of_the_program_calendar(db: Session) -> None:
    cal = calendars.create_calendar(db, SYSTEM, name="Cutover weeks")
    cal.extra_workdays = CUTOVER
    program, ops = _plan(db, cal)
    make_task(db, ops, "OPS-1", duration=6)
    complete(db)
    plan = roadmap.program_plan(db, SYSTEM, program.id)
    assert plan.calendar.extra_workdays == [SATURDAY]
    assert plan.calendar.weekmask == "1111100"

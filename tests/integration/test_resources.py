"""Resources and assignments in the database: calendars honoured, over-allocation alerts,
effort-driven tasks, load across programs (hand-checked on small plans)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from podium.errors import Conflict, ValidationFailed
from podium.models import Alert, AlertKind, Program, Project, Resource, Task, WebhookDelivery
from podium.services import calendars, webhooks
from podium.services.actor import SYSTEM
from podium.services.resources import assignments, catalog, demand, effort, load
from podium.services.uow import complete
from tests.factories import make_program, make_project, make_task


def day(d: int, month: int = 1) -> date:
    return date(2027, month, d)


def _two_projects(db: Session) -> tuple[Program, Project, Project]:
    # over-allocations are alerted from the status date on (today without one)
    program = make_program(db, key="RES", start_date=day(4), status_date=day(4))
    return program, make_project(db, program, "PLAT"), make_project(db, program, "SEC")


def _open_alerts(db: Session, program: Program) -> list[Alert]:
    return list(
        db.scalars(
            select(Alert).where(
                Alert.program_id == program.id,
                Alert.kind == AlertKind.OVER_ALLOCATION,
                Alert.resolved_at.is_(None),
            )
        )
    )


def _ana_on(db: Session, *tasks: Task) -> Resource:
    """Ana Lima, full time on each of ``tasks``, and the program rescheduled."""
    ana = catalog.create_resource(db, SYSTEM, key="ana", name="Ana Lima")
    for task in tasks:
        assignments.create_assignment(db, SYSTEM, task_id=task.id, resource_id=ana.id)
    complete(db)
    return ana


def test_two_projects_competing_for_one_person_raise_one_cross_project_alert(db: Session) -> None:
    program, plat, sec = _two_projects(db)
    a = make_task(db, plat, "PLAT-1")  # Mon 4 – Fri 8 Jan
    b = make_task(db, sec, "SEC-1", duration=3)  # Mon 4 – Wed 6 Jan
    ana = _ana_on(db, a, b)
    (alert,) = _open_alerts(db, program)
    assert alert.subject_type == "resource" and alert.subject_id == ana.id
    assert alert.cross_project and alert.projects == ["PLAT", "SEC"]
    assert alert.details["days"] == 3 and alert.details["peak_utilization"] == 2.0
    assert alert.details["periods"] == [
        {
            "start": "2027-01-04",
            "finish": "2027-01-06",
            "days": 3,
            "peak_demand": 2.0,
            "capacity": 1.0,
            "tasks": ["PLAT-1", "SEC-1"],
            "other_tasks": 0,
        }
    ]
    assert "Ana Lima" in alert.title and "PLAT-1 (PLAT)" in alert.message
    assert [(s["type"], s["id"], s["key"]) for s in alert.chain] == [
        ("task", a.id, "PLAT-1"),
        ("task", b.id, "SEC-1"),
    ]
    # half time each: the conflict goes away and the alert is resolved
    for x in assignments.list_assignments(db, SYSTEM, program_id=program.id):
        assignments.update_assignment(db, SYSTEM, x.assignment.id, {"units": 0.5})
    complete(db)
    assert _open_alerts(db, program) == []
    assert db.scalar(select(Alert.resolved_at).where(Alert.id == alert.id)) is not None


def test_work_booked_until_the_last_date_is_alerted_over_twenty_years_of_it(db: Session) -> None:
    # an actual finish typed as 9999-12-31 (stored before dates were kept to 1900–2200, so
    # written here as an old database holds it): the alert looks at twenty years of it, not
    # eight thousand (which overflowed the last date and filled memory with days)
    program, plat, sec = _two_projects(db)
    done = make_task(
        db, plat, "PLAT-1", actual_start=day(4), actual_finish=day(8), percent_complete=100
    )
    db.execute(update(Task).where(Task.id == done.id).values(actual_finish=date.max))
    db.commit()
    db.refresh(done)
    b = make_task(db, sec, "SEC-1", duration=3)  # Mon 4 – Wed 6 Jan
    ana = _ana_on(db, done, b)
    (alert,) = _open_alerts(db, program)
    (period,) = alert.details["periods"]
    assert (period["start"], period["finish"]) == ("2027-01-04", "2027-01-06")
    assert period["tasks"] == ["PLAT-1", "SEC-1"]
    # the days looked at: from the first booking, twenty years at most
    booked = demand.gather_demand(db, {ana.id}).bookings
    years = timedelta(days=load.MAX_DAYS)  # ten
    assert load.alert_window(booked, day(4)) == (day(4), day(4) + 2 * years)
    later = date(2060, 1, 1)  # a status date far on: ten years before it, ten after
    assert load.alert_window(booked, later) == (later - years, later + years)
    last = load.alert_window(booked, date.max)
    assert last is not None and last[1] == date.max
    assert load.alert_window([], day(4)) is None


def test_time_off_pauses_an_assigned_task_and_capacity_changes_reschedule(db: Session) -> None:
    _program, plat, _ = _two_projects(db)
    a = make_task(db, plat, "PLAT-1")
    ana = catalog.create_resource(
        db,
        SYSTEM,
        key="ana",
        name="Ana",
        time_off=[catalog.TimeOff(day(6), day(7), "training")],
    )
    assignments.create_assignment(db, SYSTEM, task_id=a.id, resource_id=ana.id)
    complete(db)
    db.refresh(a)
    # five working days without Wed 6 and Thu 7: Mon 4, Tue 5, Fri 8, Mon 11, Tue 12
    assert (a.early_start, a.early_finish) == (day(4), day(12))
    catalog.update_resource(db, SYSTEM, ana.id, {"time_off": []})
    complete(db)
    db.refresh(a)
    assert a.early_finish == day(8)


def test_a_resource_calendar_with_a_holiday_moves_the_task(db: Session) -> None:
    _program, plat, _ = _two_projects(db)
    a = make_task(db, plat, "PLAT-1", duration=2)
    cal = calendars.create_calendar(
        db, SYSTEM, name="Ana's", holidays=[calendars.Holiday(day(4), "local holiday")]
    )
    ana = catalog.create_resource(db, SYSTEM, key="ana", name="Ana", calendar_id=cal.id)
    assignments.create_assignment(db, SYSTEM, task_id=a.id, resource_id=ana.id)
    complete(db)
    db.refresh(a)
    assert (a.early_start, a.early_finish) == (day(5), day(6))
    # a change to the resource's calendar reschedules the programs that assign it
    calendars.update_calendar(db, SYSTEM, cal.id, {"holidays": []})
    complete(db)
    db.refresh(a)
    assert (a.early_start, a.early_finish) == (day(4), day(5))


def test_an_effort_driven_task_gets_shorter_with_a_second_person(db: Session) -> None:
    _program, plat, _ = _two_projects(db)
    a = make_task(db, plat, "PLAT-1", effort_driven=True)
    ana = catalog.create_resource(db, SYSTEM, key="ana", name="Ana")
    li = catalog.create_resource(db, SYSTEM, key="li", name="Li", hours_per_day=8)
    assignments.create_assignment(db, SYSTEM, task_id=a.id, resource_id=ana.id, work_hours=80)
    complete(db)
    assert a.duration == 10  # 80 h at 8 h a day
    assignments.create_assignment(db, SYSTEM, task_id=a.id, resource_id=li.id, units=0.5)
    complete(db)
    assert a.duration == 7  # 80 h at 12 h a day: 6.67, rounded up
    (x, y) = assignments.list_assignments(db, SYSTEM, task_id=a.id)
    assert (x.resource.key, x.work_hours, y.resource.key, y.work_hours) == ("ana", 56, "li", 28)
    assert effort.effort_duration([(1.0, None, 8.0)]) is None  # no work given


def test_assignments_refuse_milestones_summaries_and_units_above_capacity(db: Session) -> None:
    _program, plat, _ = _two_projects(db)
    parent = make_task(db, plat, "PLAT-1")
    make_task(db, plat, "PLAT-2", parent=parent, wbs="1.1")
    milestone = make_task(db, plat, "PLAT-3", is_milestone=True, duration=0)
    ana = catalog.create_resource(db, SYSTEM, key="ana", name="Ana")
    with pytest.raises(Conflict, match="summary"):
        assignments.create_assignment(db, SYSTEM, task_id=parent.id, resource_id=ana.id)
    with pytest.raises(Conflict, match="milestone"):
        assignments.create_assignment(db, SYSTEM, task_id=milestone.id, resource_id=ana.id)
    leaf = db.scalar(select(Task).where(Task.key == "PLAT-2"))
    assert leaf is not None
    with pytest.raises(ValidationFailed, match="capacity"):
        assignments.create_assignment(db, SYSTEM, task_id=leaf.id, resource_id=ana.id, units=1.5)
    assignments.create_assignment(db, SYSTEM, task_id=leaf.id, resource_id=ana.id)
    with pytest.raises(Conflict, match="already assigned"):
        assignments.create_assignment(db, SYSTEM, task_id=leaf.id, resource_id=ana.id)
    with pytest.raises(ValidationFailed, match="capacity"):
        catalog.update_resource(db, SYSTEM, ana.id, {"capacity": 0.5})
    with pytest.raises(Conflict, match="assigned"):
        catalog.delete_resource(db, SYSTEM, ana.id)


def test_a_person_shared_by_two_programs_is_over_allocated_in_both(db: Session) -> None:
    first, plat, _ = _two_projects(db)
    other = make_program(db, key="OTHER", start_date=day(4), status_date=day(4))
    ops = make_project(db, other, "OPS")
    a = make_task(db, plat, "PLAT-1")
    b = make_task(db, ops, "OPS-1", duration=2)
    ana = catalog.create_resource(db, SYSTEM, key="ana", name="Ana")
    assignments.create_assignment(db, SYSTEM, task_id=a.id, resource_id=ana.id)
    complete(db)
    assert _open_alerts(db, first) == []
    assignments.create_assignment(db, SYSTEM, task_id=b.id, resource_id=ana.id)
    complete(db)
    (mine,) = _open_alerts(db, first)
    (theirs,) = _open_alerts(db, other)
    # each side sees that another program collides, never which one or its tasks
    assert mine.details["other_programs"] == 1 and mine.cross_project
    assert theirs.details["other_programs"] == 1
    assert "1 other program" in mine.message and "OTHER" not in mine.message
    assert "RES" not in theirs.message and "PLAT-1" not in str(theirs.details)
    assert [p["tasks"] for p in mine.details["periods"]] == [["PLAT-1"]]
    assert [p["other_tasks"] for p in mine.details["periods"]] == [1]
    assert [p["tasks"] for p in theirs.details["periods"]] == [["OPS-1"]]
    report = load.program_resource_load(db, SYSTEM, first.id, period="day")
    (row,) = report["resources"]
    first_day = row["buckets"][0]
    assert first_day["start"] == day(4)
    assert (first_day["demand"], first_day["demand_here"], first_day["demand_elsewhere"]) == (
        2.0,
        1.0,
        1.0,
    )
    assert row["over_allocated_days"] == 2
    assert [t["key"] for t in row["overloads"][0]["tasks"]] == ["PLAT-1", "OPS-1"]
    weekly = load.one_resource_load(db, SYSTEM, ana.id, period="week")
    assert weekly["buckets"][0] == {
        "start": day(4),
        "demand": 7.0,
        "capacity": 5.0,
        "utilization": 1.4,
        "over_allocated_days": 2,
    }


def test_an_over_allocation_feeds_health_as_a_reason_naming_the_resource(db: Session) -> None:
    from podium.services import health

    program, plat, sec = _two_projects(db)
    a = make_task(db, plat, "PLAT-1")
    b = make_task(db, sec, "SEC-1", duration=3)
    ana = catalog.create_resource(db, SYSTEM, key="ana", name="Ana Lima")
    for task in (a, b):
        assignments.create_assignment(db, SYSTEM, task_id=task.id, resource_id=ana.id)
    complete(db)
    report = health.program_health(db, SYSTEM, program.id).report
    reasons = [r for r in report.program.reasons if r.rule == "over_allocation"]
    assert [(r.severity, r.ref.kind, r.ref.id, r.ref.key, r.value) for r in reasons] == [
        ("amber", "resource", ana.id, "ana", 2.0)  # by its key, as every other kind
    ]
    assert "Ana Lima is booked at 200 % of capacity from 2027-01-04 to 2027-01-06" in (
        reasons[0].message
    )
    # the over-allocation alert is judged once, by this rule, not again as a conflict alert
    assert not [r for r in report.program.reasons if r.rule == "conflict_alerts"]


def test_an_edit_looks_again_only_at_the_people_whose_tasks_moved(db: Session) -> None:
    from podium.models import Dependency, DependencyType

    program, plat, sec = _two_projects(db)
    a1, a2 = make_task(db, plat, "PLAT-1"), make_task(db, sec, "SEC-1", duration=3)
    b1, b2 = make_task(db, plat, "PLAT-2"), make_task(db, sec, "SEC-2")
    ana = catalog.create_resource(db, SYSTEM, key="ana", name="Ana")
    bo = catalog.create_resource(db, SYSTEM, key="bo", name="Bo")
    for task, person in ((a1, ana), (a2, ana), (b1, bo), (b2, bo)):
        assignments.create_assignment(db, SYSTEM, task_id=task.id, resource_id=person.id)
    complete(db)
    before = {a.subject_id: a for a in _open_alerts(db, program)}
    assert set(before) == {ana.id, bo.id} and before[ana.id].details["days"] == 3
    # a shorter PLAT-1 moves only Ana's work: her alert is refreshed, Bo's kept as it is
    db.refresh(a1)
    a1.duration = 2
    complete(db)
    after = {a.subject_id: a for a in _open_alerts(db, program)}
    assert after[ana.id].id == before[ana.id].id and after[ana.id].details["days"] == 2
    assert after[bo.id].id == before[bo.id].id and after[bo.id].details["days"] == 5
    # SEC-1 now waits for PLAT-1: Ana is no longer over-allocated; Bo still is
    db.add(
        Dependency(
            program_id=program.id,
            predecessor_task_id=a1.id,
            successor_task_id=a2.id,
            type=DependencyType.FS,
        )
    )
    complete(db)
    assert [a.subject_id for a in _open_alerts(db, program)] == [bo.id]


def test_the_raised_and_resolved_events_of_an_alert_carry_its_id(db: Session) -> None:
    program, plat, sec = _two_projects(db)
    webhooks.subscribe(
        db, SYSTEM, program.id, url="http://127.0.0.1:9/hook", events=[], allow_private=True
    )
    a, b = make_task(db, plat, "PLAT-1"), make_task(db, sec, "SEC-1", duration=3)
    ana = catalog.create_resource(db, SYSTEM, key="ana", name="Ana Lima")
    for task in (a, b):
        assignments.create_assignment(db, SYSTEM, task_id=task.id, resource_id=ana.id)
    complete(db)
    (alert,) = _open_alerts(db, program)
    for x in assignments.list_assignments(db, SYSTEM, program_id=program.id):
        assignments.update_assignment(db, SYSTEM, x.assignment.id, {"units": 0.5})
    complete(db)
    sent = {
        d.event: d.payload["data"]
        for d in db.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id))
        if d.event.startswith("alert.")
    }
    assert sent["alert.raised"]["alert_id"] == sent["alert.resolved"]["alert_id"] == alert.id
    assert sent["alert.raised"]["title"] == alert.title

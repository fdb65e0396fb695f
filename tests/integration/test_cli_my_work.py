"""`podium user tasks EMAIL`: a person's work on a real database (SQLite and PostgreSQL).

By hand (program start Monday 4 January 2027, Mon–Fri): DATA-1 (5 d) runs 4–8
January, DATA-2 (5 d, after DATA-1) 11–15 January. On Wednesday 13 January DATA-1
has not been reported and its finish has passed (late); DATA-2 should have started
on Monday (next, flagged). A task in a program Ana is not in is not hers to see.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from podium.models import Assignment, Dependency, Resource, Role
from podium.services.scheduling import reschedule_program
from tests.factories import add_member, make_program, make_project, make_task, make_user
from tests.integration.test_cli_programs import flat, podium, table_rows


def _ana(db: Session) -> None:
    ana = make_user(db, email="ana@example.com", name="Ana Lima")
    cloud = make_program(db, key="CLOUD", start_date=date(2027, 1, 4))
    other = make_program(db, key="OTHER", start_date=date(2027, 1, 4))
    add_member(db, cloud, ana, Role.MEMBER)
    data = make_project(db, cloud, "DATA")
    first = make_task(db, data, "DATA-1", duration=5)
    second = make_task(db, data, "DATA-2", wbs="2", duration=5)
    hidden = make_task(db, make_project(db, other, "OPS"), "OPS-1", duration=5)
    db.add(
        Dependency(program_id=cloud.id, predecessor_task_id=first.id, successor_task_id=second.id)
    )
    person = Resource(key="ana", name="Ana Lima", user_id=ana.id)
    db.add(person)
    db.flush()
    for task in (first, second, hidden):
        db.add(Assignment(program_id=task.program_id, task_id=task.id, resource_id=person.id))
    for program in (cloud, other):
        reschedule_program(db, program.id)
    db.commit()


def test_tasks_lists_late_and_next_work_in_the_persons_programs(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _ana(db)
    code, out = podium("user", "tasks", "ana@example.com", "--on", "2027-01-13")
    assert code == 0, out
    text = flat(out)
    assert (
        "Work of Ana Lima as of 2027-01-13: 1 late, 0 in progress, 1 starting soon, 0 later, "
        "0 finished lately."
    ) in text
    assert "Late (1)" in text and "Starting soon (1)" in text
    rows = table_rows(out)
    assert rows["DATA-1"] == [
        "Task DATA-1",
        "CLOUD",
        "DATA",
        "2027-01-04 → 2027-01-08",
        "not started",
        "critical",
    ]  # the whole chain is critical; a late task is not also "should have started"
    assert rows["DATA-2"][3:] == [
        "2027-01-11 → 2027-01-15",
        "not started",
        "critical, should have started",
    ]
    assert "OPS-1" not in rows


def test_tasks_of_someone_with_none_and_of_nobody(
    cli_env: None, engine: Engine, db: Session
) -> None:
    _ana(db)
    make_user(db, email="li@example.com", name="Li Wei")
    code, out = podium("user", "tasks", "li@example.com")
    assert code == 0 and "Nothing is assigned to Li Wei." in flat(out)
    code, out = podium("user", "tasks", "who@example.com")
    assert code == 1 and "no user with email who@example.com" in out
    code, out = podium("user", "tasks", "ana@example.com", "--on", "soon")
    assert code == 1 and "--on must be YYYY-MM-DD, not 'soon'" in flat(out)

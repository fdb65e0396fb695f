"""Every way a task gets a three-point estimate records the duration it was entered for."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from podium.models import Program, Task
from podium.services import projects
from podium.services import tasks as task_service
from podium.services.actor import SYSTEM
from podium.services.demo import load_demo
from podium.services.uow import complete
from tests.factories import make_program


def test_the_demo_records_the_duration_of_every_estimate_it_loads(db: Session) -> None:
    load_demo(db)
    complete(db)
    program_id = db.scalar(select(Program.id).where(Program.key == "CLOUD"))
    rows = db.execute(
        select(Task.key, Task.duration, Task.estimate_basis).where(
            Task.program_id == program_id, Task.estimate_most_likely.is_not(None)
        )
    ).all()
    assert rows  # the demo has estimates
    assert [(key, basis) for key, duration, basis in rows if basis != duration] == []


def test_a_duration_changed_unread_counts_the_stored_one_as_the_estimates(db: Session) -> None:
    program = make_program(db, start_date=date(2027, 1, 4))
    project = projects.create_project(db, SYSTEM, program_id=program.id, key="DATA", name="Data")
    task = task_service.create_task(
        db,
        SYSTEM,
        project_id=project.id,
        name="Wave 2",
        duration=25,
        estimate_optimistic=20.0,
        estimate_most_likely=25.0,
        estimate_pessimistic=40.0,
    )
    complete(db)
    assert task.estimate_basis == 25
    # stored without one (as before it was recorded), then slipped without the old
    # duration read first: the stored duration is still the one the estimate is for
    db.execute(update(Task).where(Task.id == task.id).values(estimate_basis=None))
    db.commit()
    db.expire(task)
    task.duration = 50
    db.flush()
    assert task.estimate_basis == 25
    complete(db)
    # an edit that leaves the duration alone records it as it stands
    db.execute(update(Task).where(Task.id == task.id).values(estimate_basis=None))
    db.commit()
    task.name = "Wave 2 (larger)"
    db.flush()
    assert task.estimate_basis == 50

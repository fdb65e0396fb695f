"""A process reuses what it loaded only while the stored schedule token still matches."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from podium.db import session_factory
from podium.models import Dependency, DependencyType, Program, Project, Task
from podium.services.actor import SYSTEM
from podium.services.scheduling import cache, reschedule_program
from podium.services.scheduling.views import program_schedule
from podium.services.uow import complete


def _program(session: Session) -> tuple[int, int, int]:
    program = Program(key="C", name="C", start_date=date(2027, 1, 4))
    session.add(program)
    session.flush()
    project = Project(program_id=program.id, key="P", name="P")
    session.add(project)
    session.flush()
    a = Task(program_id=program.id, project_id=project.id, key="P-1", name="a", duration=5)
    b = Task(program_id=program.id, project_id=project.id, key="P-2", name="b", duration=5)
    session.add_all([a, b])
    session.flush()
    session.add(
        Dependency(
            program_id=program.id,
            predecessor_task_id=a.id,
            successor_task_id=b.id,
            type=DependencyType.FS,
        )
    )
    complete(session)
    return program.id, a.id, b.id


def _finish(engine: Engine, program_id: int) -> date | None:
    with session_factory(engine)() as session:
        return program_schedule(session, SYSTEM, program_id).finish


def test_a_change_stored_by_another_process_is_seen(engine: Engine) -> None:
    cache.clear()
    with session_factory(engine)() as session:
        program_id, a_id, _ = _program(session)
    assert _finish(engine, program_id) == date(2027, 1, 15)
    stale = dict(cache._networks)
    with session_factory(engine)() as session:  # "another process" edits and reschedules
        task = session.get(Task, a_id)
        assert task is not None
        task.duration = 10
        complete(session)
    cache._networks.clear()
    cache._networks.update(stale)  # this process only knows the old schedule
    assert _finish(engine, program_id) == date(2027, 1, 22)


def test_a_rolled_back_reschedule_leaves_nothing_that_is_reused(engine: Engine) -> None:
    cache.clear()
    with session_factory(engine)() as session:
        program_id, a_id, b_id = _program(session)
    with session_factory(engine)() as session:
        task = session.get(Task, a_id)
        assert task is not None
        task.duration = 20
        session.flush()
        reschedule_program(session, program_id)
        session.rollback()
    assert _finish(engine, program_id) == date(2027, 1, 15)
    with session_factory(engine)() as session:
        b = session.get(Task, b_id)
        assert b is not None and b.early_finish == date(2027, 1, 15)


def test_a_task_created_after_the_last_schedule_gets_its_dates_stored(engine: Engine) -> None:
    cache.clear()
    with session_factory(engine)() as session:
        program_id, _a_id, b_id = _program(session)
    with session_factory(engine)() as session:
        old = session.get(Task, b_id)
        assert old is not None
        project_id = old.project_id
        session.delete(old)
        session.flush()
        session.add(
            Task(program_id=program_id, project_id=project_id, key="P-3", name="c", duration=5)
        )
        complete(session)
    with session_factory(engine)() as session:
        tasks = {
            t.key: t for t in session.scalars(select(Task).where(Task.program_id == program_id))
        }
        assert tasks["P-3"].early_start == date(2027, 1, 4)
        assert tasks["P-3"].early_finish == date(2027, 1, 8)


def test_a_renamed_task_milestone_or_project_is_read_by_its_new_name(engine: Engine) -> None:
    """Names and keys are not schedule inputs (nothing is rescheduled), but what a
    process remembers carries them: the forecast's drivers, the impact analysis and the
    alerts named a task by its old name until the next reschedule."""
    from podium.models import Milestone
    from podium.services.scheduling.cache import current_network

    cache.clear()
    with session_factory(engine)() as session:
        program_id, a_id, _ = _program(session)
        milestone = Milestone(program_id=program_id, key="M1", name="Go", target_date=None)
        session.add(milestone)
        complete(session)
        milestone_id = milestone.id
    with session_factory(engine)() as session:
        before = current_network(session, program_id)
        assert "a" in before.names.values() and "Go" in before.names.values()
    with session_factory(engine)() as session:
        task, ms = session.get(Task, a_id), session.get(Milestone, milestone_id)
        assert task is not None and ms is not None
        task.name, task.key, ms.name = "Landing zone", "P-9", "Go-live"
        complete(session)
    with session_factory(engine)() as session:
        after = current_network(session, program_id)
        assert {"Landing zone", "Go-live"} <= set(after.names.values())
        assert "P-9" in after.labels.values() and "P-1" not in after.labels.values()
    with session_factory(engine)() as session:
        project = session.scalars(select(Project).where(Project.program_id == program_id)).one()
        project.key = "Q"
        complete(session)
    with session_factory(engine)() as session:
        assert "Q" in current_network(session, program_id).project_keys.values()

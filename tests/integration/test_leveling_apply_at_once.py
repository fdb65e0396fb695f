"""Applying leveling while someone else applies or edits the plan (SQLite and PostgreSQL):
the check that the plan is the previewed one and the writing of the holds are one step."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from podium.db import session_factory
from podium.errors import Conflict
from podium.models import AuditEntry, Task
from podium.services.actor import SYSTEM
from podium.services.resources import leveling
from podium.services.uow import complete
from tests.integration.test_leveling_service import _contested, day


def _holds(engine: Engine, program_id: int) -> dict[str, Any]:
    with Session(engine) as session:
        rows = session.execute(
            select(Task.key, Task.leveled_start).where(Task.program_id == program_id)
        )
        return {key: hold for key, hold in rows}


def _start_apply(
    session: Session, program_id: int, preview_id: int, answer: dict[str, Any]
) -> threading.Thread:
    """Apply the preview on ``session`` in another thread, started; ``answer`` gets
    ``applied`` (True) or ``refused`` (the Conflict)."""

    def apply() -> None:
        try:
            leveling.level_program(session, SYSTEM, program_id, apply=True, preview_id=preview_id)
            complete(session)
            answer["applied"] = True
        except Conflict as exc:
            session.rollback()
            answer["refused"] = exc

    other = threading.Thread(target=apply)
    other.start()
    return other


def test_of_two_applies_at_once_the_second_is_refused(engine: Engine, db: Session) -> None:
    program_id, *_ = _contested(db)
    # two previews of the same plan: PLAT-1 waits (heuristic), or SEC-1 waits (PLAT weighted)
    first_preview = leveling.level_program(db, SYSTEM, program_id).preview_id
    second_preview = leveling.level_program(
        db, SYSTEM, program_id, method="optimal", time_limit=3, weights={"PLAT": 10}
    ).preview_id
    complete(db)
    first, second = session_factory(engine)(), session_factory(engine)()
    try:
        leveling.level_program(first, SYSTEM, program_id, apply=True, preview_id=first_preview)
        answer: dict[str, Any] = {}
        other = _start_apply(second, program_id, second_preview, answer)
        other.join(1.0)
        assert other.is_alive(), answer  # it waits while the first holds the plan
        complete(first)
        other.join(30)
        assert not other.is_alive()
    finally:
        first.close()
        second.close()
    refused = answer.get("refused")
    assert isinstance(refused, Conflict), answer
    assert refused.code == "schedule_changed"
    assert f"leveling preview {first_preview} was applied since" in refused.message
    assert _holds(engine, program_id) == {"PLAT-1": day(7), "SEC-1": None}
    with Session(engine) as session:
        changes = session.scalars(
            select(AuditEntry.changes).where(AuditEntry.entity_type == "task")
        )
        leveled = [c for c in changes if "leveled_start" in c]
    assert leveled == [{"leveled_start": [None, "2027-01-07"]}]


def test_an_edit_committed_while_leveling_runs_refuses_the_apply(
    engine: Engine, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    program_id, plat, _sec, _m1 = _contested(db)
    preview = leveling.level_program(db, SYSTEM, program_id)
    complete(db)
    real_run = leveling._run

    def run_while_someone_edits(*args: Any) -> Any:
        result = real_run(*args)
        with session_factory(engine)() as other:  # between the check and the write
            task = other.get(Task, plat.id)
            assert task is not None
            task.duration = 6
            complete(other)
        return result

    monkeypatch.setattr(leveling, "_run", run_while_someone_edits)
    with pytest.raises(Conflict, match="changed since") as refused:
        leveling.level_program(
            db, SYSTEM, program_id, apply=True, schedule_token=preview.schedule_token
        )
    db.rollback()
    assert refused.value.code == "schedule_changed"
    assert _holds(engine, program_id) == {"PLAT-1": None, "SEC-1": None}


def test_an_edit_committed_alongside_an_apply_schedules_with_the_holds_applied(
    engine: Engine, db: Session
) -> None:
    """The edit's reschedule waits for the apply and reads its holds: PLAT-1's stored
    dates keep its hold (read before the apply committed, they were computed without it
    and written over the leveled dates)."""
    program_id, _plat, sec, _m1 = _contested(db)
    preview = leveling.level_program(db, SYSTEM, program_id).preview_id
    complete(db)
    applying = session_factory(engine)()
    done: dict[str, Any] = {}
    try:
        leveling.level_program(applying, SYSTEM, program_id, apply=True, preview_id=preview)

        def edit() -> None:
            with session_factory(engine)() as other:
                task = other.get(Task, sec.id)
                assert task is not None
                task.description = "moved on"  # any edit: the program is rescheduled
                task.duration = 2
                complete(other)
                done["edited"] = True

        other = threading.Thread(target=edit)
        other.start()
        other.join(1.0)
        complete(applying)
        other.join(30)
        assert not other.is_alive() and done == {"edited": True}
    finally:
        applying.close()
    with Session(engine) as session:
        stored = session.execute(
            select(Task.key, Task.leveled_start, Task.early_start).where(
                Task.program_id == program_id
            )
        ).all()
    assert {key: (hold, start) for key, hold, start in stored} == {
        "PLAT-1": (day(7), day(7)),
        "SEC-1": (None, day(4)),
    }


def test_an_edit_that_wrote_a_task_before_it_touched_the_plan_does_not_deadlock_an_apply(
    engine: Engine, db: Session
) -> None:
    """An edit that first writes a task's name (the apply's holds go to that row too),
    then its duration: it took the plan at its first write, so the apply waits for it
    and is then refused; before, each held what the other needed (on PostgreSQL, a
    deadlock that threw one of them out)."""
    program_id, plat, _sec, _m1 = _contested(db)
    preview = leveling.level_program(db, SYSTEM, program_id).preview_id
    complete(db)
    editing, applying = session_factory(engine)(), session_factory(engine)()
    answer: dict[str, Any] = {}
    try:
        task = editing.get(Task, plat.id)
        assert task is not None
        task.name = "Landing zone, renamed"  # not a schedule input
        editing.flush()
        other = _start_apply(applying, program_id, preview, answer)
        other.join(1.0)
        assert other.is_alive(), answer  # it waits for the edit
        task.duration = 6
        complete(editing)
        other.join(30)
        assert not other.is_alive()
    finally:
        editing.close()
        applying.close()
    refused = answer.get("refused")
    assert isinstance(refused, Conflict), answer
    assert refused.code == "schedule_changed"
    assert _holds(engine, program_id) == {"PLAT-1": None, "SEC-1": None}

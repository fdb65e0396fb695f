"""Leveling holds: the leveled start a task keeps until the program is leveled again.

Applying a leveling stores ``Task.leveled_start`` (start no earlier than that
day) on the tasks it delayed, so the critical-path schedule keeps the leveled
dates on every later edit; clearing removes them.

Every write of holds first takes the program's plan for its transaction
(:func:`~podium.services.scheduling.pending.lock_plan`; every edit that reschedules
takes it too, before it writes), so that what it checks and reads before writing (the
plan a preview was made on, the holds it replaces) cannot change before it commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from podium.engine import Network
from podium.engine.leveling import LevelingResult
from podium.models import AuditEntry, Role, Task, utcnow
from podium.services.actor import Actor, require_role
from podium.services.closed import refuse_if_closed
from podium.services.scheduling.pending import lock_plan, mark_program


def holds_of(result: LevelingResult, network: Network) -> dict[int, date]:
    """The leveled starts of the work tasks leveling delayed (applying clears the others).

    Milestones (no duration) and summary tasks get none: they move only with the work
    they follow or contain, which keeps its own hold, so the tasks held are the tasks a
    preview lists as moving (on a plan without holds)."""
    parents = {a.parent for a in network.activities if a.parent is not None}
    work = {a.id for a in network.activities if a.duration > 0 and a.id not in parents}
    return {
        int(row.id[1:]): row.start
        for row in result
        if row.id in work and row.id[0] == "t" and (row.start_delay > 0 or row.finish_delay > 0)
    }


def set_holds(session: Session, actor: Actor, program_id: int, holds: Mapping[int, date]) -> int:
    """Make ``holds`` (task id → leveled start) the program's only leveling holds, in bulk:
    one statement for the tasks, one for their audit entries; returns how many changed.
    A closed program's plan is refused, as the objects' own flush would refuse it."""
    refuse_if_closed(session, program_id)
    session.flush()
    lock_plan(session, program_id)  # the holds replaced are read after it
    rows = session.execute(
        select(Task.id, Task.key, Task.leveled_start).where(Task.program_id == program_id)
    ).all()
    changed = [
        (r.id, r.key, r.leveled_start, holds.get(r.id))
        for r in rows
        if r.leveled_start != holds.get(r.id)
    ]
    if not changed:
        return 0
    now = utcnow()
    table = Task.__table__
    session.execute(
        update(table)  # type: ignore[arg-type]
        .where(table.c.id == bindparam("_id"))
        .values(leveled_start=bindparam("_hold"), version=table.c.version + 1, updated_at=now),
        [{"_id": task_id, "_hold": hold} for task_id, _key, _old, hold in changed],
    )
    session.execute(
        insert(AuditEntry),
        [
            {
                "at": now,
                "user_id": actor.user_id,
                "user_email": actor.email,
                "program_id": program_id,
                "entity_type": "task",
                "entity_id": task_id,
                "entity_label": key,
                "action": "update",
                "changes": {
                    "leveled_start": [
                        old.isoformat() if old else None,
                        hold.isoformat() if hold else None,
                    ]
                },
            }
            for task_id, key, old, hold in changed
        ],
    )
    for task_id, *_ in changed:  # loaded tasks read the new values
        obj = session.identity_map.get(identity_key(Task, task_id))
        if obj is not None:
            session.expire(obj)
    mark_program(session, program_id)
    return len(changed)


def clear_leveling(session: Session, actor: Actor, program_id: int) -> int:
    """Remove every leveling hold of the program; returns how many tasks had one."""
    require_role(session, actor, program_id, Role.MANAGER)
    return set_holds(session, actor, program_id, {})


def cleared_message(cleared: int) -> str:
    """What clearing ``cleared`` holds did, as people read it."""
    if not cleared:
        return "there were no leveling delays: nothing to clear"
    holds = "hold" if cleared == 1 else "holds"
    return f"removed {cleared} leveling {holds}: every task is back to its earliest start"


def check_applied(session: Session, program_id: int) -> list[str]:
    """Keys of tasks whose stored schedule disagrees with their hold (should be none)."""
    rows = session.execute(
        select(Task.key, Task.early_start, Task.leveled_start).where(
            Task.program_id == program_id, Task.leveled_start.is_not(None)
        )
    )
    return [r.key for r in rows if r.early_start is not None and r.early_start < r.leveled_start]

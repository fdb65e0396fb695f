"""A closed program's plan is frozen: its projects, tasks, milestones, dependencies,
assignments and change requests cannot change until an owner reopens it.

A ``before_flush`` listener checks every pending change to those records, however
it was made (API, page, command, import), so no write path can forget the rule.
What happens after a close stays possible: lessons learned, benefit measurements,
risks, reports, feeds, and reopening (the program's status back to active, before
the edit or in the same flush).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from podium.errors import Conflict
from podium.models import (
    Assignment,
    ChangeRequest,
    Dependency,
    Milestone,
    Program,
    ProgramStatus,
    Project,
    Task,
)

FROZEN = (Project, Task, Milestone, Dependency, Assignment, ChangeRequest)


class ProgramClosed(Conflict):
    code = "program_closed"


def refuse_if_closed(session: Session, program_id: int) -> None:
    """Refuse a change to a closed program's plan made in bulk (``UPDATE`` statements skip
    the check below, which watches the objects a flush writes)."""
    program = session.get(Program, program_id)
    if program is not None and program.status == ProgramStatus.CLOSED:
        raise _closed(program)


def _closed(program: Program) -> ProgramClosed:
    return ProgramClosed(
        f"{program.key} is closed: its plan cannot change until an owner reopens it "
        "(on its retrospective page, or `podium program reopen`)",
        details={"program_id": program.id},
    )


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_closed_programs(session: Session, _context: Any, _instances: Any) -> None:
    touched = {
        obj.program_id
        for obj in (*session.new, *session.dirty, *session.deleted)
        if isinstance(obj, FROZEN)
        and obj.program_id is not None
        and (obj not in session.dirty or session.is_modified(obj))
    }
    for program_id in sorted(touched):
        program = session.get(Program, program_id)
        if (
            program is not None
            and program.status == ProgramStatus.CLOSED
            and program not in session.deleted  # deleting the program deletes its plan
        ):
            raise _closed(program)

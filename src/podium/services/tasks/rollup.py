"""What summary tasks show: duration, progress and cost rolled up from their leaf tasks.

Computed when read, from the stored schedule (a summary's early start and finish are
the scheduler's roll-up of its leaves) and the leaves' own values — never stored: a
summary keeps its own stored values, unused, so that exports and imports round-trip
them unchanged. The method is :mod:`podium.engine.rollup`'s. Whether a task's work is
all done is read the same way, from its leaves (:func:`finished_tasks`), as the
scheduler marks it finished.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from functools import cache
from typing import Any

from sqlalchemy import CTE, ColumnElement, Select, bindparam, case, exists, func, select
from sqlalchemy.orm import Session, aliased

from podium.engine import WorkCalendar
from podium.engine.rollup import LeafWork, RolledUp, leaves_below, roll_up
from podium.models import Program, Project, Task
from podium.services.work_calendars import calendars_by_id

# the fields a summary shows rolled up, in place of its own stored values
SHOWN_ROLLED_UP = (
    "duration",
    "percent_complete",
    "actual_start",
    "actual_finish",
    "budget",
    "actual_cost",
)


# The recursive queries below are built once and run with the ids bound: building one
# (its aliases, its common table expression's columns) costs more than running it on a
# small program, and pages such as the programs list run them for every program.


def _below() -> CTE:
    """``(top_id, task_id)``: each of the ``task_ids`` bound with itself and every task
    below it, at any depth (a recursive query)."""
    top = select(Task.id.label("top_id"), Task.id.label("task_id")).where(
        Task.id.in_(bindparam("task_ids", expanding=True))
    )
    below = top.cte("below", recursive=True)
    child = aliased(Task)
    return below.union_all(
        select(below.c.top_id, child.id).where(child.parent_id == below.c.task_id)
    )


def leaf_work(row: Any) -> LeafWork:
    """A task row (or ORM task) as a leaf that a summary adds up."""
    return LeafWork(
        duration=int(row.duration or 0),
        percent_complete=float(row.percent_complete or 0),
        actual_start=row.actual_start,
        actual_finish=row.actual_finish,
        is_milestone=bool(row.is_milestone),
        budget=float(row.budget or 0),
        actual_cost=float(row.actual_cost or 0),
    )


def summary_calendars(session: Session, task_ids: Collection[int]) -> dict[int, WorkCalendar]:
    """Each task's working calendar as the scheduler reads it: its own, else its project's,
    else its program's, else Monday to Friday (two queries)."""
    if not task_ids:
        return {}
    rows = session.execute(
        select(Task.id, Task.calendar_id, Project.calendar_id, Program.calendar_id)
        .join(Project, Project.id == Task.project_id)
        .join(Program, Program.id == Task.program_id)
        .where(Task.id.in_(list(task_ids)))
    ).all()
    chosen = {task_id: own or project or program for task_id, own, project, program in rows}
    calendars = calendars_by_id(session, chosen.values())
    default = WorkCalendar()
    return {
        task_id: calendars.get(calendar_id, default) if calendar_id is not None else default
        for task_id, calendar_id in chosen.items()
    }


@cache
def _leaves_below_query() -> Select[Any]:
    """Each leaf below the bound ``task_ids`` (not themselves), with its ``top_id``."""
    below = _below()
    grandchild = aliased(Task)
    return (
        select(
            below.c.top_id,
            Task.duration,
            Task.percent_complete,
            Task.actual_start,
            Task.actual_finish,
            Task.is_milestone,
            Task.budget,
            Task.actual_cost,
        )
        .join(Task, Task.id == below.c.task_id)
        .where(
            below.c.task_id != below.c.top_id,
            ~exists().where(grandchild.parent_id == Task.id),
        )
    )


def rolled_up(session: Session, summaries: Iterable[Task]) -> dict[int, RolledUp]:
    """The rolled-up values of these summary tasks, by task id (three queries for any
    number: their leaves at every depth, then their calendars)."""
    by_id = {task.id: task for task in summaries}
    if not by_id:
        return {}
    session.flush()
    rows = session.execute(_leaves_below_query(), {"task_ids": list(by_id)}).all()
    leaves: dict[int, list[LeafWork]] = {}
    for row in rows:
        leaves.setdefault(row.top_id, []).append(leaf_work(row))
    calendars = summary_calendars(session, list(by_id))
    return {
        task_id: roll_up(
            leaves.get(task_id, []),
            start=task.early_start,
            finish=task.early_finish,
            calendar=calendars.get(task_id, WorkCalendar()),
        )
        for task_id, task in by_id.items()
        if task_id in leaves
    }


def rolled_up_rows(
    session: Session,
    rows: Iterable[Any],
) -> dict[int, RolledUp]:
    """The rolled-up values of every summary among ``rows`` — every task of the trees they
    belong to, already read (``id``, ``parent_id``, the early dates and the leaf fields):
    for pages that read a whole project or program anyway (two queries, for calendars)."""
    by_id = {row.id: row for row in rows}
    below = leaves_below({task_id: row.parent_id for task_id, row in by_id.items()})
    if not below:
        return {}
    calendars = summary_calendars(session, list(below))
    return {
        summary_id: roll_up(
            [leaf_work(by_id[leaf]) for leaf in leaves],
            start=by_id[summary_id].early_start,
            finish=by_id[summary_id].early_finish,
            calendar=calendars.get(summary_id, WorkCalendar()),
        )
        for summary_id, leaves in below.items()
        if summary_id in by_id
    }


def finished_leaf() -> ColumnElement[bool]:
    """Whether a leaf task (one without sub-tasks) is finished, as the scheduler judges
    it: its actual finish recorded, or started with nothing left to do (100 %, or a
    milestone, whose one date is its start)."""
    return Task.actual_finish.is_not(None) | (
        Task.actual_start.is_not(None)
        & (
            (func.coalesce(Task.percent_complete, 0) >= 100)
            | (Task.duration == 0)
            | Task.is_milestone.is_(True)
        )
    )


def finished_tasks(session: Session, task_ids: Collection[int]) -> set[int]:
    """The tasks among ``task_ids`` whose work is all done, as the scheduler marks them
    finished (one query for any number): a leaf that is finished, a summary whose every
    leaf, at every depth, is. A summary's own stored progress is never read."""
    if not task_ids:
        return set()
    return set(session.scalars(_finished_query(), {"task_ids": list(task_ids)}))


@cache
def _finished_query() -> Select[Any]:
    below = _below()
    grandchild = aliased(Task)
    all_done = func.min(case((finished_leaf(), 1), else_=0))
    return (
        select(below.c.top_id)
        .join(Task, Task.id == below.c.task_id)
        .where(~exists().where(grandchild.parent_id == Task.id))
        .group_by(below.c.top_id)
        .having(all_done == 1)
    )


def summaries_with_work_left(session: Session, program_id: int) -> set[int]:
    """The summary tasks of a program above a leaf not finished, at any height (one query,
    walked up by the database from those leaves, each summary once): the others are done."""
    return set(session.scalars(_work_left_query(), {"program_id": program_id}))


@cache
def _work_left_query() -> Select[Any]:
    child = aliased(Task)
    left = (
        select(Task.parent_id.label("id"))
        .where(
            Task.program_id == bindparam("program_id"),
            Task.parent_id.is_not(None),
            ~finished_leaf(),
            ~exists().where(child.parent_id == Task.id),
        )
        .cte("work_left", recursive=True)
    )
    above = aliased(Task)
    left = left.union(
        select(above.parent_id).where(above.id == left.c.id, above.parent_id.is_not(None))
    )
    return select(left.c.id)


def shown_values(task: Task, rolled: RolledUp | None) -> Mapping[str, Any]:
    """The values shown for the rolled-up fields: the task's own, or a summary's roll-up."""
    source: Any = rolled if rolled is not None else task
    return {name: getattr(source, name) for name in SHOWN_ROLLED_UP}


__all__ = [
    "SHOWN_ROLLED_UP",
    "RolledUp",
    "finished_leaf",
    "finished_tasks",
    "leaf_work",
    "rolled_up",
    "rolled_up_rows",
    "shown_values",
    "summaries_with_work_left",
    "summary_calendars",
]

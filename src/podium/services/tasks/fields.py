"""The task fields, by who may change them, and the read view of a task."""

from __future__ import annotations

from dataclasses import dataclass

from podium.engine.rollup import RolledUp
from podium.models import (
    Task,
)

TASK_FIELDS = [
    "key",
    "name",
    "description",
    "project_id",
    "parent_id",
    "position",
    "wbs",
    "duration",
    "is_milestone",
    "calendar_id",
    "constraint_type",
    "constraint_date",
    "deadline",
    "actual_start",
    "actual_finish",
    "percent_complete",
    "estimate_optimistic",
    "estimate_most_likely",
    "estimate_pessimistic",
    "budget",
    "actual_cost",
    "effort_driven",
    "leveled_start",
]
PROGRESS_FIELDS = frozenset({"actual_start", "actual_finish", "percent_complete", "actual_cost"})
# a summary task's own values of these are not used: its span, progress and costs roll up
# from its sub-tasks (shown in their place: see podium.services.tasks.rollup)
ROLLED_UP_FIELDS = frozenset(
    {"duration", "actual_start", "actual_finish", "percent_complete", "budget", "actual_cost"}
)
TREE_FIELDS = frozenset({"parent_id", "position"})
EDITABLE_FIELDS = frozenset(TASK_FIELDS) - {"project_id", "wbs"}
WBS_MAX_LENGTH = 100
NEW = -1  # stands for a task not inserted yet when laying out the tree


@dataclass(frozen=True, slots=True)
class TaskView:
    """A task with what is read beside it: its project's key, whether it has children and,
    for a summary, what rolls up from them (see :mod:`podium.services.tasks.rollup`)."""

    task: Task
    project_key: str
    is_summary: bool
    rolled: RolledUp | None = None

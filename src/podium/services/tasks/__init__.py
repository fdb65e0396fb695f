"""Tasks: the work breakdown structure (WBS) inside each project.

Tasks form a tree per project; ``position`` orders siblings (0, 1, 2 …) and
``wbs`` (``1``, ``1.1``, ``1.2``, ``2`` …) is computed from it. Whenever the
tree changes (create, move, indent, outdent, delete) the whole project is
renumbered in one pass: its tasks are loaded once as plain rows, the tree is
walked in memory, and only the rows whose position or code changed are written.

Renumbering is derived data: it changes neither the ``version`` nor the
``updated_at`` of the siblings it shifts, so nobody's ``If-Match`` goes stale
because a task was inserted above theirs. The task that was moved is updated,
versioned and audited like any other change.

Progress rules (the scheduler relies on them):

* ``actual_finish`` needs an ``actual_start`` and may not be before it;
* setting ``actual_finish`` implies ``percent_complete`` 100 (when no percentage
  is sent); 100 % needs an ``actual_finish``, and an ``actual_finish`` with less
  than 100 % is refused: "finished" means one thing.
"""

from __future__ import annotations

from podium.services.tasks.fields import (
    EDITABLE_FIELDS,
    NEW,
    PROGRESS_FIELDS,
    TASK_FIELDS,
    TREE_FIELDS,
    WBS_MAX_LENGTH,
    TaskView,
)
from podium.services.tasks.reading import describe, get_task, list_tasks
from podium.services.tasks.tree import Placement, Row, layout, renumber_project
from podium.services.tasks.writing import (
    create_task,
    delete_task,
    indent_task,
    move_task,
    outdent_task,
    update_task,
)

__all__ = [
    "EDITABLE_FIELDS",
    "NEW",
    "PROGRESS_FIELDS",
    "TASK_FIELDS",
    "TREE_FIELDS",
    "WBS_MAX_LENGTH",
    "Placement",
    "Row",
    "TaskView",
    "create_task",
    "delete_task",
    "describe",
    "get_task",
    "indent_task",
    "layout",
    "list_tasks",
    "move_task",
    "outdent_task",
    "renumber_project",
    "update_task",
]

"""What every plan importer returns: a plan-format document, or the problems that stop it.

Each reader (Microsoft Project XML, Primavera P6 XER, CSV …) turns a file into a
document of the plan exchange format (see :mod:`podium.interop.plan_format`),
which the one import path checks and writes (nothing is written when there is
any problem). Beside the document a reader keeps what the file said the dates
were, so that after Podium reschedules the plan the import can report, per
task, where its dates differ and why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

MAX_IMPORT_BYTES = 20 * 1024 * 1024  # the largest file an import reads (uploads)
# a file on the server's own disk (``podium import``): a 100,000-task program exports
# to about 70 MB of plan JSON or MSPDI, and must come back in
LOCAL_IMPORT_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Problem:
    """Something in the file that stops the import: where it is and what is wrong.

    ``location`` names the place people can find: ``line 12``, ``Task UID 7``,
    ``TASK row 3 (task_code A1010)``.
    """

    location: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"location": self.location, "message": self.message}


@dataclass(frozen=True, slots=True)
class FileDates:
    """A task's dates as the file stored them, and anything that explains a difference
    (a manual task, an unsupported constraint …)."""

    start: date | None
    finish: date | None
    note: str = ""


@dataclass(frozen=True, slots=True)
class FileBaseline:
    """A task's baseline as the file stored it (Microsoft Project's Baseline 0, a P6
    target plan …): it becomes a Podium baseline after the import."""

    start: date | None
    finish: date | None
    duration: int | None = None
    cost: float = 0.0


@dataclass
class ImportedPlan:
    """A file read into a plan-format ``document`` (empty when ``problems``), the dates the
    file stored per task id of the document, the file's baseline per task id (when it
    has one), and notes on what was not carried over."""

    format: str
    document: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    file_dates: dict[str, FileDates] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    baseline: dict[str, FileBaseline] = field(default_factory=dict)
    # where the file holds what the document has at a path: "tasks[3]" → "line 5",
    # "tasks[3].name" → "line 5, column Task Name"
    origins: dict[str, str] = field(default_factory=dict)
    # a file with problems: the document as far as it could be read (values that could
    # not be read left out or replaced), so that the plan's own checks are listed with
    # the reader's problems at once; never imported
    partial: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def locate(self, problems: Iterable[Mapping[str, str]]) -> list[dict[str, str]]:
        """Problems the plan checks found in ``document`` (located by its paths, such as
        ``dependencies[2]`` or ``tasks[3].name``), located in the file instead where the
        reader knows the place (``line 4, column Predecessors``, or ``line 5 (lag)`` for a
        part of line 5's item without a column of its own); the document's path stays in
        ``path``."""
        located = []
        for problem in problems:
            path = problem.get("location", "")
            where = self.origins.get(path)
            match = _ITEM.match(path)
            if where is None and match is not None and match[1] in self.origins:
                rest = match[2].lstrip(".")
                where = f"{self.origins[match[1]]} ({rest})" if rest else self.origins[match[1]]
            if where is None:
                located.append(dict(problem))
            else:
                located.append({**problem, "location": where, "path": path})
        return located


_ITEM = re.compile(r"^([a-z_]+\[\d+\])(.*)$")

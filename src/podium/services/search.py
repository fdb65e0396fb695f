"""Search: programs, projects, tasks, program milestones and risks by key or name.

One box finds "DATA-4", "R7", "landing zone" or "CLOUD" in every program the
actor can see (live programs only: a scenario's hidden copy is found through its
scenario). Each kind is one query, capped at ``limit`` hits (and says whether
there were more); a key that matches exactly comes first, then keys that start
with the text, then the rest by key. Matching ignores case; ``%`` and ``_`` in
the text are matched as themselves. Shorter keys come before longer ones, so
``DATA-4`` lists before ``DATA-14``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import ColumnElement, case, func, or_, select
from sqlalchemy.orm import Session

from podium.errors import ValidationFailed
from podium.models import Milestone, Program, Project, Risk, Task
from podium.services.actor import Actor, visible_program_ids

Kind = Literal["program", "project", "task", "milestone", "risk"]
KINDS: tuple[Kind, ...] = ("program", "project", "task", "milestone", "risk")
KIND_LABELS: dict[Kind, str] = {
    "program": "Programs",
    "project": "Projects",
    "task": "Tasks",
    "milestone": "Program milestones",
    "risk": "Risks and issues",
}
MAX_QUERY = 200
PER_KIND = 20
_RISK_KEY = re.compile(r"^r(\d{1,9})$")
# the program a hit is in: its id, key and name
_PROGRAM = (Program.id.label("pid"), Program.key.label("pkey"), Program.name.label("pname"))


@dataclass(frozen=True, slots=True)
class Hit:
    """One thing found, with the page that shows it."""

    kind: Kind
    id: int
    key: str
    name: str
    program_id: int
    program_key: str
    context: str  # where it sits: the program's name, or the task's project
    url: str


@dataclass(frozen=True, slots=True)
class Found:
    """What a search found, by kind (every kind listed, perhaps empty)."""

    q: str
    hits: dict[Kind, list[Hit]] = field(default_factory=dict)
    more: dict[Kind, bool] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(len(found) for found in self.hits.values())


def _pattern(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _matches(text: str, *columns: Any) -> ColumnElement[bool]:
    like = _pattern(text)
    return or_(*(func.lower(c).like(like, escape="\\") for c in columns))


def _rank(text: str, key: Any) -> Any:
    """0 for the exact key, 1 for a key starting with the text, 2 for the rest."""
    lowered = text.lower()
    prefix = _pattern(text)[1:]  # "text%"
    return case(
        (func.lower(key) == lowered, 0),
        (func.lower(key).like(prefix, escape="\\"), 1),
        else_=2,
    )


def _visible(query: Any, ids: list[int] | None) -> Any:
    """Live programs only, and only those ``ids`` (``None``: every one)."""
    query = query.where(Program.scenario_of_id.is_(None))
    return query if ids is None else query.where(Program.id.in_(ids))


def _run(session: Session, query: Any, limit: int) -> tuple[list[Any], bool]:
    rows = list(session.execute(query.limit(limit + 1)))
    return rows[:limit], len(rows) > limit


def search(session: Session, actor: Actor, q: str, *, limit: int = PER_KIND) -> Found:
    """What matches ``q`` (trimmed; 1 to 200 characters) in the actor's programs."""
    text = q.strip()
    if not text or len(text) > MAX_QUERY:
        raise ValidationFailed(
            f"search for 1 to {MAX_QUERY} characters",
            details=[{"field": "q", "message": f"give 1 to {MAX_QUERY} characters"}],
        )
    found = Found(q=text)
    visible = visible_program_ids(session, actor)

    def keep(kind: Kind, query: Any, make: Any) -> None:
        rows, more = _run(session, _visible(query, visible), limit)
        found.hits[kind] = [make(row) for row in rows]
        found.more[kind] = more

    keep(
        "program",
        select(Program.id, Program.key, Program.name, Program.status)
        .where(_matches(text, Program.key, Program.name))
        .order_by(_rank(text, Program.key), func.length(Program.key), Program.key),
        lambda r: Hit(
            "program",
            r.id,
            r.key,
            r.name,
            r.id,
            r.key,
            r.status.value.replace("_", " "),
            f"/programs/{r.id}",
        ),
    )
    keep(
        "project",
        select(Project.id, Project.key, Project.name, *_PROGRAM)
        .join(Program, Program.id == Project.program_id)
        .where(_matches(text, Project.key, Project.name))
        .order_by(_rank(text, Project.key), Program.key, func.length(Project.key), Project.key),
        lambda r: Hit("project", r.id, r.key, r.name, r.pid, r.pkey, r.pname, f"/projects/{r.id}"),
    )
    keep(
        "task",
        select(Task.id, Task.key, Task.name, *_PROGRAM[:2], Project.name.label("project"))
        .join(Program, Program.id == Task.program_id)
        .join(Project, Project.id == Task.project_id)
        .where(_matches(text, Task.key, Task.name))
        .order_by(_rank(text, Task.key), Program.key, func.length(Task.key), Task.key),
        lambda r: Hit("task", r.id, r.key, r.name, r.pid, r.pkey, r.project, f"/tasks/{r.id}"),
    )
    keep(
        "milestone",
        select(Milestone.id, Milestone.key, Milestone.name, *_PROGRAM)
        .join(Program, Program.id == Milestone.program_id)
        .where(_matches(text, Milestone.key, Milestone.name))
        .order_by(
            _rank(text, Milestone.key), Program.key, func.length(Milestone.key), Milestone.key
        ),
        lambda r: Hit(
            "milestone",
            r.id,
            r.key,
            r.name,
            r.pid,
            r.pkey,
            r.pname,
            f"/milestones/{r.id}",
        ),
    )
    number = _RISK_KEY.match(text.lower())
    risk_match = _matches(text, Risk.title)
    if number is not None:
        risk_match = or_(risk_match, Risk.number == int(number.group(1)))
    keep(
        "risk",
        select(Risk.id, Risk.number, Risk.title, *_PROGRAM)
        .join(Program, Program.id == Risk.program_id)
        .where(risk_match)
        .order_by(
            case((Risk.number == (int(number.group(1)) if number else -1), 0), else_=1),
            Program.key,
            Risk.number,
        ),
        lambda r: Hit(
            "risk", r.id, f"R{r.number}", r.title, r.pid, r.pkey, r.pname, f"/risks/{r.id}"
        ),
    )
    return found

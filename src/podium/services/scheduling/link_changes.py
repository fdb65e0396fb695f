"""The links a list of hypothetical changes adds, checked against the live plan.

Impact analysis (``POST /programs/{id}/impact``, ``podium impact``) and change
requests take the same changes, so they refuse the same added links with the same
words: a task linked to itself, a link the plan already has (unless the same
changes remove it first: re-adding it with another type or lag is a change), and
the same link added twice. Ends that are not in the program are reported by the
caller, in its own words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.models import Dependency, Milestone, Task

End = tuple[str, int]  # ("task" | "milestone", id)


def _end_is(side: str, end: End) -> Any:
    kind, record_id = end
    column = getattr(Dependency, f"{side}_{'task' if kind == 'task' else 'milestone'}_id")
    return column == record_id


def existing_link(session: Session, predecessor: End, successor: End) -> int | None:
    """The id of the dependency already linking these two ends in this direction, if any."""
    return session.scalar(
        select(Dependency.id).where(
            _end_is("predecessor", predecessor), _end_is("successor", successor)
        )
    )


def end_key(session: Session, end: End) -> str:
    """The key people know an end by (``PLAT-3``, ``M1``)."""
    kind, record_id = end
    record: Task | Milestone | None = (
        session.get(Task, record_id) if kind == "task" else session.get(Milestone, record_id)
    )
    return record.key if record is not None else f"{kind} {record_id}"


@dataclass
class LinkLedger:
    """The links removed and added so far by a list of changes read in order."""

    session: Session
    removed: set[int] = field(default_factory=set)
    added: dict[tuple[End, End], int] = field(default_factory=dict)

    def remove(self, dependency_id: int) -> None:
        """A change removes this dependency (one of the program's)."""
        self.removed.add(dependency_id)

    def add(self, index: int, predecessor: End, successor: End) -> str | None:
        """Why change ``index`` cannot add ``predecessor`` → ``successor`` (``None``: it can);
        both ends are the program's."""
        if predecessor == successor:
            return f"{end_key(self.session, predecessor)} cannot depend on itself"
        existing = existing_link(self.session, predecessor, successor)
        if existing is not None and existing not in self.removed:
            return (
                f"{end_key(self.session, predecessor)} → {end_key(self.session, successor)} "
                f"is already linked (dependency {existing}): change that link's type or lag "
                "instead"
            )
        pair = (predecessor, successor)
        if pair in self.added:
            return f"the same link is added twice (as changes.{self.added[pair]})"
        self.added[pair] = index
        return None

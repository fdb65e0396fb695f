"""What a leveling run shows (:class:`LevelingOutcome`), and previews kept to apply later.

A preview is kept with the holds it computed (the program's latest few), so
that applying it stores exactly what it showed instead of leveling again: a
search cut short by its time limit, or CP-SAT, may find another plan on a
second run. Applying is refused once the plan has changed since the preview.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any, Literal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from podium.errors import Conflict, NotFound
from podium.models import LevelingPreview, Program
from podium.services.actor import Actor
from podium.services.resources.holds import set_holds
from podium.services.resources.overallocation import programs_sharing
from podium.services.scheduling import cache

Method = Literal["heuristic", "optimal"]


@dataclass
class LevelingOutcome:
    """A leveling run: what moves, the program finish before and after, and whether applied."""

    program_id: int
    method: Method
    optimal: bool
    status: str
    seconds: float
    time_limit: float
    finish_before: date | None
    finish_after: date | None
    over_allocated_days_before: int
    over_allocated_days_after: int
    moves: list[dict[str, Any]] = field(default_factory=list)
    milestones: list[dict[str, Any]] = field(default_factory=list)
    unchanged_tasks: int = 0
    # programs whose work on a shared resource leveling kept free: the keys of those the
    # actor may see, and how many others
    other_programs: list[str] = field(default_factory=list)
    other_programs_hidden: int = 0
    schedule_token: str | None = None
    preview_id: int | None = None  # the kept preview: apply it to store exactly this
    applied: bool = False
    message: str = ""


KEPT_PREVIEWS = 5  # per program
_DATES = ("finish_before", "finish_after", "start_before", "start_after", "target")


def leveling_token(session: Session, program_id: int) -> str | None:
    """What a preview must find unchanged to be applied: the program's schedule token
    and, when its people work in other programs too, theirs (leveling kept their work
    free as it was scheduled then: a change there, or a program newly booking one of
    the people, makes the preview stale)."""
    own = cache.stored_token(session, program_id)
    _resources, sharing = programs_sharing(session, program_id)
    others = sorted(
        (pid, token or "")
        for pid, token in session.execute(
            select(Program.id, Program.schedule_token).where(Program.id.in_(sharing - {program_id}))
        )
    )
    if own is None or not others:
        return own
    digest = hashlib.sha256(repr(others).encode()).hexdigest()[:16]
    return f"{own}.{digest}"


def keep_preview(
    session: Session, actor: Actor, outcome: LevelingOutcome, holds: Mapping[int, date]
) -> None:
    """Keep the preview to apply later; drop the program's older ones."""
    row = LevelingPreview(
        program_id=outcome.program_id,
        schedule_token=outcome.schedule_token or "",
        method=outcome.method,
        outcome=_plain(outcome),
        holds={str(task_id): day.isoformat() for task_id, day in holds.items()},
        created_by=actor.email,
    )
    session.add(row)
    session.flush()
    outcome.preview_id = row.id
    older = session.scalars(
        select(LevelingPreview.id)
        .where(LevelingPreview.program_id == outcome.program_id)
        .order_by(LevelingPreview.id.desc())
        .offset(KEPT_PREVIEWS)
    ).all()
    if older:
        session.execute(delete(LevelingPreview).where(LevelingPreview.id.in_(older)))


def apply_preview(
    session: Session, actor: Actor, program_id: int, preview_id: int
) -> LevelingOutcome:
    """Store the kept preview's holds (no second leveling run) and return what it showed.

    Raises :class:`NotFound` when the program keeps no such preview, and
    :class:`Conflict` (``schedule_changed``) when the plan changed since.
    """
    row = session.get(LevelingPreview, preview_id)
    if row is None or row.program_id != program_id:
        raise NotFound(
            f"no leveling preview {preview_id} of this program (a program keeps its "
            f"{KEPT_PREVIEWS} latest); preview it again",
            details={"preview_id": preview_id},
        )
    token = leveling_token(session, program_id)
    if row.schedule_token != (token or ""):
        raise Conflict(
            "the plan changed since this leveling was previewed; preview it again",
            code="schedule_changed",
            details={"expected": row.schedule_token, "current": token},
        )
    set_holds(
        session, actor, program_id, {int(k): date.fromisoformat(v) for k, v in row.holds.items()}
    )
    shown = _revived(row.outcome)
    outcome = LevelingOutcome(**shown)
    outcome.applied = True
    outcome.preview_id = row.id
    return outcome


def _plain(outcome: LevelingOutcome) -> dict[str, Any]:
    """A preview as JSON: dates as ISO strings (one pass over the moves: a big program's
    preview lists thousands)."""

    def iso(value: Any) -> Any:
        return value.isoformat() if isinstance(value, date) else value

    shown = {f.name: iso(getattr(outcome, f.name)) for f in fields(outcome)}
    for name in ("moves", "milestones"):
        shown[name] = [{k: iso(v) for k, v in entry.items()} for entry in shown[name]]
    return shown


def _revived(value: dict[str, Any]) -> dict[str, Any]:
    """A kept preview's dates back as dates."""
    out: dict[str, Any] = {}
    for k, v in value.items():
        if k in _DATES and isinstance(v, str):
            out[k] = date.fromisoformat(v)
        elif isinstance(v, list):
            out[k] = [_revived(x) if isinstance(x, dict) else x for x in v]
        else:
            out[k] = v
    return out

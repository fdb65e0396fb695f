"""Leveling previews kept to apply later.

A preview (what a leveling run shows, a :class:`~.leveling_outcome.LevelingOutcome`)
is kept with the holds it computed (the program's latest few), so that applying
it stores exactly what it showed instead of leveling again: a search cut short by
its time limit, or CP-SAT, may find another plan on a second run. Applying is
refused once the plan has changed since the preview, and the refusal says what
changed when it can tell: the preview was already applied, another preview was
applied since, someone changed the plan (the latest change: of the program, of
the capacity, time off or calendar of one of its people, or of a calendar it works
to), or a program sharing people with this one changed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session

from podium.errors import Conflict, NotFound
from podium.models import (
    Assignment,
    AuditEntry,
    LevelingPreview,
    Program,
    Project,
    Resource,
    Task,
    utcnow,
)
from podium.services.actor import Actor, visible_program_ids
from podium.services.resources.holds import set_holds
from podium.services.resources.leveling_outcome import LevelingOutcome, why_it_moves
from podium.services.resources.overallocation import programs_sharing
from podium.services.scheduling import cache
from podium.services.scheduling.pending import lock_plan

KEPT_PREVIEWS = 5  # per program
_DATES = (
    "finish_before",
    "finish_after",
    "start_before",
    "start_after",
    "target",
    "start",
    "finish",
)
# kept beside what the preview showed: who applied it and when, and the schedule tokens
# of the programs sharing its people (to tell which one changed)
_APPLIED, _OTHERS = "_applied", "_others"


def _sharing_tokens(session: Session, program_id: int) -> dict[int, str]:
    """The schedule tokens of the other programs that book the program's people."""
    _resources, sharing = programs_sharing(session, program_id)
    return {
        pid: token or ""
        for pid, token in session.execute(
            select(Program.id, Program.schedule_token).where(Program.id.in_(sharing - {program_id}))
        )
    }


def leveling_token(session: Session, program_id: int) -> str | None:
    """What a preview must find unchanged to be applied: the program's schedule token
    and, when its people work in other programs too, theirs (leveling kept their work
    free as it was scheduled then: a change there, or a program newly booking one of
    the people, makes the preview stale)."""
    own = cache.stored_token(session, program_id)
    others = sorted(_sharing_tokens(session, program_id).items())
    if own is None or not others:
        return own
    digest = hashlib.sha256(repr(others).encode()).hexdigest()[:16]
    return f"{own}.{digest}"


def keep_preview(
    session: Session, actor: Actor, outcome: LevelingOutcome, holds: Mapping[int, date]
) -> None:
    """Keep the preview to apply later; drop the program's older ones."""
    shown = _plain(outcome)
    others = _sharing_tokens(session, outcome.program_id)
    shown[_OTHERS] = {str(pid): token for pid, token in others.items()}
    row = LevelingPreview(
        program_id=outcome.program_id,
        schedule_token=outcome.schedule_token or "",
        method=outcome.method,
        outcome=shown,
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

    The check and the write are one step (:func:`~.holds.lock_plan`): of two applies at
    once, the second finds the plan the first changed. Raises :class:`NotFound` when the
    program keeps no such preview, and :class:`Conflict` (``schedule_changed``, saying
    what changed) when the plan changed since.
    """
    lock_plan(session, program_id)
    row = session.scalar(
        select(LevelingPreview)
        .where(LevelingPreview.id == preview_id)
        .execution_options(populate_existing=True)
    )
    if row is None or row.program_id != program_id:
        raise NotFound(
            f"no leveling preview {preview_id} of this program (a program keeps its "
            f"{KEPT_PREVIEWS} latest); preview it again",
            details={"preview_id": preview_id},
        )
    token = leveling_token(session, program_id)
    if row.schedule_token != (token or ""):
        raise plan_changed(
            session, actor, program_id, expected=row.schedule_token, current=token, preview=row
        )
    set_holds(
        session, actor, program_id, {int(k): date.fromisoformat(v) for k, v in row.holds.items()}
    )
    row.outcome = {
        **row.outcome,
        _APPLIED: {"by": actor.email or "the system", "at": utcnow().isoformat()},
    }
    outcome = LevelingOutcome(**_revived(row.outcome))
    for move in (*outcome.moves, *outcome.milestones):
        move.setdefault("why", why_it_moves(move))  # kept before moves said why in words
    outcome.applied = True
    outcome.preview_id = row.id
    return outcome


def plan_changed(
    session: Session,
    actor: Actor,
    program_id: int,
    *,
    expected: str,
    current: str | None,
    preview: LevelingPreview | None = None,
) -> Conflict:
    """The refusal of an apply whose preview (token ``expected``) is stale, saying what
    changed when that can be told."""
    details: dict[str, Any] = {"expected": expected, "current": current}
    applied = preview.outcome.get(_APPLIED) if preview is not None else None
    if preview is not None and applied:
        details.update(reason="already_applied", applied_by=applied["by"], applied_at=applied["at"])
        return Conflict(
            f"leveling preview {preview.id} was already applied ({_by_at(applied)}): its "
            "delays are the plan's leveling holds now; preview again to level the plan as "
            "it is now",
            code="schedule_changed",
            details=details,
        )
    own_expected, own_now = expected.split(".")[0], (current or "").split(".")[0]
    if own_expected == own_now:
        details["reason"] = "other_program"
        where = _changed_elsewhere(session, actor, program_id, preview)
        return Conflict(
            f"the plan of {where}, which shares people with this program, changed since "
            "this leveling was previewed (leveling went around their work as it was then); "
            "preview it again",
            code="schedule_changed",
            details=details,
        )
    details["reason"] = "plan_changed"
    why = _latest_change(session, program_id, preview) if preview is not None else ""
    return Conflict(
        f"the plan changed since this leveling was previewed{why}; preview it again",
        code="schedule_changed",
        details=details,
    )


def _by_at(applied: Mapping[str, str]) -> str:
    return f"by {applied['by']}, {_when(datetime.fromisoformat(applied['at']))}"


def _when(at: datetime) -> str:
    return f"{at.day} {at:%b %Y %H:%M} UTC"


def _changed_elsewhere(
    session: Session, actor: Actor, program_id: int, preview: LevelingPreview | None
) -> str:
    """The programs sharing people whose plan changed since ``preview``: their keys when
    the actor sees them, else how many (all sharing programs without a preview)."""
    now = _sharing_tokens(session, program_id)
    kept = preview.outcome.get(_OTHERS) if preview is not None else None
    changed = (
        {pid for pid, token in now.items() if kept.get(str(pid)) != token}
        | {int(pid) for pid in kept if int(pid) not in now}
        if isinstance(kept, dict)
        else set(now)
    )
    visible = visible_program_ids(session, actor)
    seen = sorted(
        key
        for pid, key in session.execute(
            select(Program.id, Program.key).where(Program.id.in_(changed))
        )
        if visible is None or pid in visible
    )
    hidden = len(changed) - len(seen)
    if hidden:
        seen.append(
            "a program you cannot see" if hidden == 1 else f"{hidden} programs you cannot see"
        )
    return " and ".join(seen) if seen else "another program"


def _latest_change(session: Session, program_id: int, preview: LevelingPreview) -> str:
    """What changed the plan since ``preview``: another kept preview applied since, else
    the latest recorded change of the program, of one of its people (capacity, time off,
    calendar, hours per day) or of a calendar it works to (empty when none is known)."""
    created = preview.created_at
    others = session.scalars(
        select(LevelingPreview).where(
            LevelingPreview.program_id == program_id, LevelingPreview.id != preview.id
        )
    ).all()
    applied = [
        (row.outcome[_APPLIED], row.id)
        for row in others
        if isinstance(row.outcome.get(_APPLIED), dict)
        and datetime.fromisoformat(row.outcome[_APPLIED]["at"]) > created
    ]
    if applied:
        last, other_id = max(applied, key=lambda pair: pair[0]["at"])
        return f": leveling preview {other_id} was applied since ({_by_at(last)})"
    resources, calendars = _plan_inputs(session, program_id)
    entries = session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.at > created,
            or_(
                AuditEntry.program_id == program_id,
                and_(AuditEntry.entity_type == "resource", AuditEntry.entity_id.in_(resources)),
                and_(AuditEntry.entity_type == "calendar", AuditEntry.entity_id.in_(calendars)),
            ),
        )
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(_LOOKED_AT)
    )
    for entry in entries:
        what = _what_changed(entry)
        if what:
            who = entry.user_email or "the system"
            return f" (latest change: {what} by {who}, {_when(entry.at)})"
    return ""


_LOOKED_AT = 50  # the latest changes searched for one that can change the plan
# what of a resource or a calendar the plan reads, as people name it
_RESOURCE_INPUTS = {
    "capacity": "capacity",
    "time_off": "time off",
    "calendar_id": "calendar",
    "hours_per_day": "hours per day",
}
_CALENDAR_INPUTS = {
    "weekmask": "working days",
    "holidays": "holidays",
    "extra_workdays": "extra working days",
}
_NUMBERS = ("capacity", "hours_per_day")
_NOT_THE_PLAN = {"notes", "work_hours"}  # of an assignment: no schedule or load reads them


def _plan_inputs(session: Session, program_id: int) -> tuple[set[int], set[int]]:
    """The resources the program assigns, and the calendars its plan works to (its own,
    its projects', its tasks' and those resources')."""
    resources = set(
        session.scalars(
            select(Assignment.resource_id).where(Assignment.program_id == program_id).distinct()
        )
    )
    calendars = {
        *session.scalars(select(Program.calendar_id).where(Program.id == program_id)),
        *session.scalars(select(Project.calendar_id).where(Project.program_id == program_id)),
        *session.scalars(select(Task.calendar_id).where(Task.program_id == program_id).distinct()),
        *session.scalars(select(Resource.calendar_id).where(Resource.id.in_(resources))),
    }
    return resources, {c for c in calendars if c is not None}


def _what_changed(entry: AuditEntry) -> str:
    """The change an audit entry records, in words, when it can change the plan (empty
    for a resource's or calendar's change the plan does not read, and an assignment's
    new notes)."""
    changes = entry.changes or {}
    if entry.entity_type in ("resource", "calendar"):
        names = _RESOURCE_INPUTS if entry.entity_type == "resource" else _CALENDAR_INPUTS
        read = [name for name in names if name in changes]
        if entry.action != "update" or not read:
            return ""
        if entry.entity_type == "resource":
            whose = entry.entity_label
        else:
            whose = f"the calendar {entry.entity_label!r}"
        what = " and ".join(names[name] for name in read)
        how = ""
        if len(read) == 1 and read[0] in _NUMBERS:
            old, new = changes[read[0]]
            if isinstance(old, int | float) and isinstance(new, int | float):
                how = f" from {old:g} to {new:g}"
        return f"{what} of {whose} changed{how}"
    if entry.entity_type == "assignment" and changes and set(changes) <= _NOT_THE_PLAN:
        return ""
    what = f"{entry.entity_type} {entry.entity_label}".strip()
    if "leveled_start" in changes:
        what = f"the leveling holds ({what})"
    return f"{entry.action} of {what}"


def _plain(outcome: LevelingOutcome) -> dict[str, Any]:
    """A preview as JSON: dates as ISO strings (one pass over the moves: a big program's
    preview lists thousands)."""

    def iso(value: Any) -> Any:
        return value.isoformat() if isinstance(value, date) else value

    shown = {f.name: iso(getattr(outcome, f.name)) for f in fields(outcome)}
    for name in ("moves", "milestones", "remaining"):
        shown[name] = [{k: iso(v) for k, v in entry.items()} for entry in shown[name]]
    return shown


def _revived(value: dict[str, Any]) -> dict[str, Any]:
    """A kept preview's dates back as dates (without what is kept beside it)."""
    out: dict[str, Any] = {}
    for k, v in value.items():
        if k.startswith("_"):
            continue
        if k in _DATES and isinstance(v, str):
            out[k] = date.fromisoformat(v)
        elif isinstance(v, list):
            out[k] = [_revived(x) if isinstance(x, dict) else x for x in v]
        else:
            out[k] = v
    return out

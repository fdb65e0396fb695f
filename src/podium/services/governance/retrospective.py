"""Closing a program, and its retrospective: outcomes against the goal, milestones against
their baselines, schedule and cost performance, the change requests approved, which
conflicts were caught early or late, and lessons learned.

Before close the retrospective is a draft computed from the live data; closing
keeps its numbers unchanged with the close-out record (lessons stay editable), and
that kept copy is what is read until a new close replaces it, after a reopen too.
Benefits and the goal are read as of the close (today for a draft); the outcome is
judged against the goal's own baseline and target, never a goal KPI's that differ.
Lead times come from the alert history: the working days between an alert's
``first_detected_at`` and the date it threatened (the deadline or target in its
``details``, or the start it overtook) — see :mod:`podium.engine.governance`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, aliased

from podium.engine.governance import FlaggedConflict, detection_leads, summarize_leads
from podium.errors import Conflict, Forbidden, NotFound, field_error
from podium.interop import retrospective_render
from podium.models import (
    Alert,
    Baseline,
    BaselineItem,
    Program,
    ProgramStatus,
    Role,
    Task,
    utcnow,
)
from podium.models.governance import (
    ChangeRequest,
    ChangeRequestStatus,
    Decision,
    Lesson,
    ProgramCloseout,
    ReviewOccurrence,
)
from podium.services.actor import Actor, refuse_on_scenario_copy, refuse_scenario_copy, require_role
from podium.services.benefits import benefit_outcomes
from podium.services.common import apply_update, flush, today
from podium.services.date_window import check_plan_date
from podium.services.governance._audit import audit_action, audit_created, audit_deleted
from podium.services.governance.goal_outcome import goal_outcome
from podium.services.overview import program_calendar
from podium.services.pages_schedule import milestone_rows
from podium.services.performance import program_performance
from podium.services.programs import get_program
from podium.services.scheduling.alerts import SCHEDULE_ALERT_KINDS
from podium.services.scheduling.pending import mark_program
from podium.services.tasks.rollup import finished_leaf

# Aliases are built once: making one costs more than the query it serves.
_CHILD = aliased(Task)

EARLY_THRESHOLD = 10  # working days of warning that count as "caught early"
LESSON_CATEGORIES = {"went_well": "What went well", "improve": "What to do differently"}


def _jsonable(value: Any) -> Any:
    """Dates as ISO strings, all the way down (the retrospective is stored as JSON)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _num(value: float | None) -> float | None:
    if value is None or np.isnan(value):
        return None
    return round(float(value), 2)


# --- lessons ---------------------------------------------------------------------------


def list_lessons(session: Session, actor: Actor, program_id: int) -> list[Lesson]:
    require_role(session, actor, program_id, Role.VIEWER)
    return list(
        session.scalars(select(Lesson).where(Lesson.program_id == program_id).order_by(Lesson.id))
    )


def add_lesson(
    session: Session, actor: Actor, program_id: int, *, text: str, category: str = "improve"
) -> Lesson:
    """Record a lesson learned (members and above), during the program or after its close."""
    require_role(session, actor, program_id, Role.MEMBER)
    refuse_on_scenario_copy(session, program_id, "lessons")
    if category not in LESSON_CATEGORIES:
        raise field_error("category", f"one of {', '.join(LESSON_CATEGORIES)}")
    lesson = Lesson(program_id=program_id, text=text, category=category, recorded_by=actor.email)
    session.add(lesson)
    flush(session)
    audit_created(
        session, actor, lesson, program_id=program_id, fields=["category", "text"], label=text[:80]
    )
    return lesson


def delete_lesson(session: Session, actor: Actor, lesson_id: int) -> None:
    """Remove a lesson (whoever recorded it, or a manager)."""
    lesson = session.get(Lesson, lesson_id) if 0 < lesson_id <= 2**31 - 1 else None
    if lesson is None:
        raise NotFound(f"lesson {lesson_id} not found")
    try:
        role = require_role(session, actor, lesson.program_id, Role.MEMBER)
    except NotFound as exc:
        raise NotFound(f"lesson {lesson_id} not found") from exc
    if role.rank < Role.MANAGER.rank and lesson.recorded_by != actor.email:
        raise Forbidden(
            "only whoever recorded a lesson, or a manager, can remove it",
            details={"role": role.value, "required": Role.MANAGER.value},
        )
    audit_deleted(
        session,
        actor,
        lesson,
        program_id=lesson.program_id,
        fields=["category", "text"],
        label=lesson.text[:80],
    )
    session.delete(lesson)
    flush(session)


# --- the report's parts --------------------------------------------------------------------


def _baseline_items(session: Session, baseline: Baseline | None) -> dict[int, date | None]:
    if baseline is None:
        return {}
    rows = session.execute(
        select(BaselineItem.record_id, BaselineItem.finish).where(
            BaselineItem.baseline_id == baseline.id, BaselineItem.kind == "milestone"
        )
    )
    return {record_id: finish for record_id, finish in rows}


def _work_done(session: Session, program_id: int) -> bool:
    """Whether the program has work and all of it is finished, so that its finish is a
    date reached rather than a forecast."""
    child = _CHILD
    leaves = select(Task.id).where(
        Task.program_id == program_id, ~exists().where(child.parent_id == Task.id)
    )
    has_work = session.scalar(select(leaves.exists()))
    work_left = session.scalar(select(leaves.where(~finished_leaf()).exists()))
    return bool(has_work) and not work_left


def _milestones(session: Session, program: Program) -> dict[str, Any]:
    calendar = program_calendar(session, program)
    baselines = list(
        session.scalars(
            select(Baseline)
            .where(Baseline.program_id == program.id)
            .order_by(Baseline.taken_at, Baseline.id)
        )
    )
    original = baselines[0] if baselines else None
    current = next((b for b in baselines if b.is_current), None)
    first, last = _baseline_items(session, original), _baseline_items(session, current)
    rows = []
    for m in milestone_rows(session, [program.id], {program.id: calendar})[program.id]:
        planned = first.get(m.id)
        rows.append(
            {
                "key": m.key,
                "name": m.name,
                "target": _iso(m.target),
                "original_baseline": _iso(planned),
                "current_baseline": _iso(last.get(m.id)),
                "actual": _iso(m.forecast),
                "reached": m.reached,
                "slip_vs_original": (
                    calendar.slip(planned, m.forecast) if planned and m.forecast else None
                ),
                "slip_vs_target": m.slip,
            }
        )
    finish_planned = original.finish if original else None
    return {
        "original_baseline": original.name if original else None,
        "current_baseline": current.name if current else None,
        "baselines_taken": len(baselines),
        "start": _iso(program.scheduled_start),
        "finish_planned": _iso(finish_planned),
        "finish_actual": _iso(program.scheduled_finish),  # the forecast until reached
        "finish_reached": _work_done(session, program.id),
        "finish_slip": (
            calendar.slip(finish_planned, program.scheduled_finish)
            if finish_planned and program.scheduled_finish
            else None
        ),
        "goal_date": _iso(program.goal_target_date),
        "milestones": rows,
    }


def _performance(session: Session, actor: Actor, program_id: int) -> dict[str, Any]:
    perf = program_performance(session, actor, program_id)
    ev = perf.result.program
    return {
        "status_date": perf.status_date.isoformat(),
        "baseline": perf.baseline.name if perf.baseline else None,
        "formula": perf.result.formula,
        **{
            name: _num(getattr(ev, name))
            for name in ("bac", "pv", "ev", "ac", "sv", "cv", "spi", "cpi", "eac", "vac")
        },
    }


def _change_requests(session: Session, program_id: int) -> dict[str, Any]:
    requests = list(
        session.scalars(
            select(ChangeRequest)
            .where(ChangeRequest.program_id == program_id)
            .order_by(ChangeRequest.number)
        )
    )
    counts = {s.value: 0 for s in ChangeRequestStatus}
    for cr in requests:
        counts[cr.status.value] += 1
    approved = []
    for cr in requests:
        if cr.status != ChangeRequestStatus.APPROVED:
            continue
        impact = cr.impact_at_decision or {}
        schedule = impact.get("schedule") or {}
        approved.append(
            {
                "key": f"CR-{cr.number}",
                "title": cr.title,
                "requested_by": cr.requested_by,
                "decided_on": _iso(cr.decided_at.date() if cr.decided_at else None),
                "finish_delta": schedule.get("finish_delta", 0),
                "cost_delta": (impact.get("cost") or {}).get("delta", 0.0),
                "scope": cr.scope_change,
            }
        )
    return {"counts": counts, "approved": approved}


def _affected_date(alert: Alert) -> date | None:
    """The day the conflict threatened: a deadline or target, the start a pushed successor
    had, or the first day a resource is over-allocated."""
    details = alert.details or {}
    periods = details.get("periods")
    first_period = periods[0] if isinstance(periods, list) and periods else None
    raw = (
        details.get("limit")
        or details.get("actual_start")
        or (first_period.get("start") if isinstance(first_period, dict) else None)
    )
    try:
        return date.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        return None


def conflict_leads(session: Session, program: Program) -> dict[str, Any]:
    """Every schedule conflict ever flagged, with its lead time, and the early/late counts."""
    calendar = program_calendar(session, program)
    alerts = list(
        session.scalars(
            select(Alert)
            .where(Alert.program_id == program.id, Alert.kind.in_(SCHEDULE_ALERT_KINDS))
            .order_by(Alert.first_detected_at, Alert.id)
        )
    )
    dated = [(a, _affected_date(a)) for a in alerts]
    flagged = [
        FlaggedConflict(str(a.id), a.first_detected_at.date(), day, a.cross_project)
        for a, day in dated
        if day is not None
    ]
    leads = detection_leads(flagged, calendar, early_threshold=EARLY_THRESHOLD)
    by_id = {a.id: a for a in alerts}
    rows = [
        {
            "title": by_id[int(lead.conflict.key)].title,
            "kind": by_id[int(lead.conflict.key)].kind.value,
            "cross_project": lead.conflict.cross_project,
            "first_detected": lead.conflict.first_detected.isoformat(),
            "affected": lead.conflict.affected.isoformat(),
            "resolved": _iso(
                resolved.date() if (resolved := by_id[int(lead.conflict.key)].resolved_at) else None
            ),
            "lead_days": lead.lead_days,
            "caught": lead.caught,
        }
        for lead in leads
    ]
    cross = [lead for lead in leads if lead.conflict.cross_project]
    return {
        "early_threshold": EARLY_THRESHOLD,
        "all": asdict(summarize_leads(leads)),
        "cross_project": asdict(summarize_leads(cross)),
        "undated": sum(1 for _, day in dated if day is None),
        "conflicts": rows,
    }


def _lessons(session: Session, program_id: int) -> list[dict[str, Any]]:
    return [
        {
            "id": lesson.id,
            "category": lesson.category,
            "text": lesson.text,
            "recorded_by": lesson.recorded_by,
            "recorded_at": lesson.created_at.isoformat(timespec="seconds"),
        }
        for lesson in session.scalars(
            select(Lesson).where(Lesson.program_id == program_id).order_by(Lesson.id)
        )
    ]


def _governance_counts(session: Session, program_id: int) -> dict[str, int]:
    def count(model: Any) -> int:
        return int(
            session.scalar(
                select(func.count()).select_from(model).where(model.program_id == program_id)
            )
            or 0
        )

    return {"decisions": count(Decision), "reviews_held": count(ReviewOccurrence)}


def _benefits(
    session: Session, program_id: int, until: date, *, closed: bool
) -> list[dict[str, Any]]:
    """Every benefit's outcome as of ``until``, and whether it is ``due``: the program is
    closed, or the benefit's target date has passed. Until then a target not reached is
    not reached *yet* (as the goal says "not met yet" in a draft), not missed."""
    return [
        {**b, "due": closed or (b["target_date"] is not None and b["target_date"] < until)}
        for b in benefit_outcomes(session, program_id, as_of=until)
    ]


def build_retrospective(
    session: Session, actor: Actor, program_id: int, *, closeout: ProgramCloseout | None = None
) -> dict[str, Any]:
    """Every number of the retrospective, from the live data (plain JSON).

    Benefits and the goal are read as they stood on ``as_of``: the close, or today for a
    draft (a reading dated later is not counted, in the goal line nor in the table)."""
    program = get_program(session, actor, program_id)
    until = closeout.closed_on if closeout else today()
    return {
        "program": {
            "id": program.id,
            "key": program.key,
            "name": program.name,
            "currency": program.currency,
        },
        "closed": closeout is not None,
        "closed_on": _iso(closeout.closed_on) if closeout else None,
        "closed_by": closeout.closed_by if closeout else None,
        "generated_at": utcnow().isoformat(timespec="seconds"),
        "as_of": until.isoformat(),
        "goal": goal_outcome(session, program, closeout, until),
        "benefits": _jsonable(_benefits(session, program_id, until, closed=closeout is not None)),
        "schedule": _milestones(session, program),
        "performance": _performance(session, actor, program_id),
        "change_requests": _change_requests(session, program_id),
        "conflicts": conflict_leads(session, program),
        "governance": _governance_counts(session, program_id),
        "lessons": _lessons(session, program_id),
    }


def closeout_of(session: Session, program_id: int) -> ProgramCloseout | None:
    return session.scalar(select(ProgramCloseout).where(ProgramCloseout.program_id == program_id))


def _with_later_fields(kept: dict[str, Any]) -> dict[str, Any]:
    """A retrospective kept before some of its fields existed, with them as it implies:
    read as of its close, no note on the goal, a benefit without a reading neither met
    nor missed (every benefit due), whether its finish was reached not known."""
    goal = {"direction": None, "kpi": None, "note": None, **kept["goal"]}
    goal.setdefault("achieved_unit", goal["unit"])
    benefits = [
        {"due": True, **b} | ({"met": None} if b.get("latest_value") is None else {})
        for b in kept["benefits"] or []
    ]  # kept at a close: every benefit is due
    schedule = {"finish_reached": None, **kept["schedule"]}
    return {
        "as_of": kept["closed_on"],
        **kept,
        "goal": goal,
        "benefits": benefits,
        "schedule": schedule,
    }


def get_retrospective(
    session: Session, actor: Actor, program_id: int, *, draft: bool = False
) -> dict[str, Any]:
    """The retrospective kept at the program's last close (lessons as they are now), or a
    draft from the live data when it was never closed or ``draft`` is asked for.

    Reopening does not drop the kept one: it stands for what the program achieved at
    that close until a new close replaces it, and says so (``reopened``: the program has
    been reopened since, so its live plan may differ). ``kept_on`` is the day of the
    close whose retrospective is kept, on a draft too (none: never closed)."""
    program = get_program(session, actor, program_id)
    closeout = closeout_of(session, program_id)
    kept_on = _iso(closeout.closed_on) if closeout else None
    if closeout is None or draft:
        draft_data = build_retrospective(session, actor, program_id)
        return {**draft_data, "reopened": False, "kept_on": kept_on}
    return {
        **_with_later_fields(closeout.retrospective),
        "reopened": program.status != ProgramStatus.CLOSED,
        "kept_on": kept_on,
        "lessons": _lessons(session, program_id),
    }


def render(data: dict[str, Any], fmt: str) -> bytes:
    """The retrospective as Markdown, HTML or PDF bytes."""
    if fmt == "md":
        return retrospective_render.render_markdown(data).encode()
    if fmt == "html":
        return retrospective_render.render_html(data).encode()
    if fmt == "pdf":
        return retrospective_render.render_pdf(data)
    raise NotFound(f"no retrospective format {fmt!r}: html, md or pdf")


def closable_program(session: Session, actor: Actor, program_id: int) -> Program:
    """The program, if the actor may close it now (an owner, the live plan, not closed):
    what a form checks before asking to confirm a close."""
    program = get_program(session, actor, program_id, needed=Role.OWNER)
    refuse_scenario_copy(program, "close the live program")
    if program.status == ProgramStatus.CLOSED:
        raise Conflict(f"{program.key} is already closed", code="program_closed")
    return program


def close_program(
    session: Session,
    actor: Actor,
    program_id: int,
    *,
    closed_on: date | None = None,
    outcome_value: float | None = None,
    outcome_summary: str = "",
    lessons: Sequence[tuple[str, str]] = (),
    expected_version: int | None = None,
) -> ProgramCloseout:
    """Close a program (owners): record the outcome and lessons, keep the retrospective.

    A ``closed_on`` given is not before the program's start, nor after today: a program
    is closed once its work has ended, as a decision is logged once taken.
    """
    program = closable_program(session, actor, program_id)
    check_plan_date("closed_on", closed_on)
    if closed_on is not None and closed_on > today():
        # the clock's today, as for decisions and meetings: a close is something that
        # has happened, whatever date the plan's progress is reported as of
        raise field_error(
            "closed_on",
            f"{closed_on.isoformat()} is in the future: close a program on the day its "
            f"work ended, today ({today().isoformat()}) at the latest",
        )
    if closed_on is not None and closed_on < program.start_date:
        # without a date, a program cancelled before its start closes today
        raise field_error(
            "closed_on",
            f"{closed_on.isoformat()} is before the program's start "
            f"({program.start_date.isoformat()})",
        )
    for category, text in lessons:
        add_lesson(session, actor, program_id, text=text, category=category)
    apply_update(
        session,
        actor,
        program,
        {"status": ProgramStatus.CLOSED},
        program_id=program_id,
        expected_version=expected_version,
    )
    previous = closeout_of(session, program_id)
    if previous is not None:  # closed before, reopened since: this close replaces it
        session.delete(previous)
        flush(session)
    closeout = ProgramCloseout(
        program_id=program_id,
        closed_by=actor.email,
        closed_on=closed_on or today(),
        outcome_value=outcome_value,
        outcome_summary=outcome_summary,
    )
    closeout.retrospective = build_retrospective(session, actor, program_id, closeout=closeout)
    session.add(closeout)
    flush(session)
    audit_action(
        session,
        actor,
        closeout,
        program_id=program_id,
        action="close",
        changes={
            "outcome_value": [None, outcome_value],
            "closed_on": [None, _iso(closeout.closed_on)],
        },
        label=f"{program.key} closed",
    )
    return closeout


def reopen_program(
    session: Session, actor: Actor, program_id: int, *, expected_version: int | None = None
) -> Program:
    """Reopen a closed program (owners) so its plan can change again; its retrospective
    stays until the program is closed anew."""
    program = get_program(session, actor, program_id, needed=Role.OWNER)
    refuse_scenario_copy(program, "reopen the live program")
    if program.status != ProgramStatus.CLOSED:
        raise Conflict(f"{program.key} is not closed", code="program_not_closed")
    apply_update(
        session,
        actor,
        program,
        {"status": ProgramStatus.ACTIVE},
        program_id=program_id,
        expected_version=expected_version,
    )
    mark_program(session, program_id)  # a shared calendar may have changed meanwhile
    return program

"""``podium program close`` and ``podium program reopen``: ending a program with its
retrospective, and taking it up again.

Closing keeps the retrospective as it stands (the outcome against the goal, the
milestones against their baselines, earned value, the conflicts caught early or
late, the lessons) and freezes the plan: its projects, tasks, milestones,
dependencies, assignments and change requests cannot change until an owner
reopens it. Input is checked as the API checks it (podium.api.retrospective);
only owners close and reopen: ``--as EMAIL`` acts as that user, else the system.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Any

import typer
from rich.markup import escape
from sqlalchemy.orm import Session

from podium.cli._app import (
    AsUser,
    ProgramRef,
    actor_for,
    checked_text,
    console,
    fail,
    parse_day,
    service_work,
)
from podium.cli.programs import counted, program_app
from podium.currency import figure, share
from podium.models import Program, ProgramStatus, Role
from podium.services import programs
from podium.services.actor import Actor
from podium.services.common import today
from podium.services.governance import retrospective
from podium.services.governance.retrospective import LESSON_CATEGORIES
from podium.services.scheduling import reschedule_pending
from podium.text import listed

# what the API takes (podium.api.retrospective: CloseIn, LessonIn)
MAX_OUTCOME = 1e15
SUMMARY_LENGTH = 20_000
LESSON_LENGTH = 20_000
MAX_LESSONS = 100
CATEGORIES = {c.replace("_", "-"): c for c in LESSON_CATEGORIES}
FROZEN = "projects, tasks, milestones, dependencies, assignments and change requests"

OutcomeValue = Annotated[
    float | None,
    typer.Option(help="the goal measure's value achieved (default: the goal KPI's last reading)"),
]
OutcomeSummary = Annotated[str, typer.Option(help="what the program achieved, in a few lines")]
LessonOption = Annotated[
    list[str] | None,
    typer.Option(
        "--lesson", help="'went-well: TEXT' or 'improve: TEXT' (no category: improve); repeat it"
    ),
]
ClosedOn = Annotated[
    str | None, typer.Option("--closed-on", help="the day it closed, YYYY-MM-DD (default: today)")
]


def _outcome(value: float) -> float:
    if not math.isfinite(value) or abs(value) > MAX_OUTCOME:
        raise fail(f"--outcome-value must be between -1e15 and 1e15, not {value:g}")
    return value


def _lesson(value: str) -> tuple[str, str]:
    """``went-well: TEXT`` → ``("went_well", "TEXT")``; a single word before the first colon
    that is not a category is refused (a typo would file the lesson wrongly)."""
    head, colon, rest = value.partition(":")
    wanted = head.strip().lower().replace("_", "-")
    category = "improve"
    if colon and wanted in CATEGORIES:
        category, value = CATEGORIES[wanted], rest
    elif colon and wanted and len(wanted.split()) == 1:
        known = ", ".join(f"{c}:" for c in CATEGORIES)
        raise fail(escape(f"--lesson starts with {known} or no category, not {head.strip()!r}:"))
    return category, checked_text(value, "--lesson", LESSON_LENGTH, required=True)


def _lessons(values: list[str]) -> list[tuple[str, str]]:
    if len(values) > MAX_LESSONS:
        raise fail(f"--lesson: at most {MAX_LESSONS} lessons, not {len(values)}")
    return [_lesson(value) for value in values]


def _what_is_kept(outcome_value: float | None, summary: str, lessons: list[tuple[str, str]]) -> str:
    """What the close records beside the retrospective, as a phrase."""
    kept = []
    if outcome_value is not None:
        kept.append(f"the outcome {outcome_value:g}")
    if summary:
        kept.append("the outcome summary")
    if lessons:
        kept.append(counted(len(lessons), "lesson"))
    return listed(kept)


def _goal_line(goal: dict[str, Any]) -> str | None:
    """The outcome against the goal's target, as the retrospective kept it (figures
    written as the report writes them), and why it is not judged when it is not."""
    value = goal.get("achieved_value")
    if value is None:
        return None
    unit = f" {goal['achieved_unit']}" if goal.get("achieved_unit") else ""
    goal_unit = f" {goal['unit']}" if goal.get("unit") else ""
    source = goal.get("achieved_from") or ""
    if source == "goal KPI":
        source = f"the goal KPI's reading of {goal['achieved_on']}"
    line = f"Outcome: {figure(value)}{unit} ({source})"
    if goal.get("target_value") is not None:
        line += f" against a target of {figure(goal['target_value'])}{goal_unit}"
        if goal.get("met") is not None:
            line += ": met" if goal["met"] else ": not met"
        if goal.get("achieved_pct") is not None:
            line += f", {share(goal['achieved_pct'])} of the way from the baseline"
    line += "."
    if goal.get("note"):
        line += f" {goal['note']}"
    return escape(line)


def _finish_line(schedule: dict[str, Any]) -> str:
    """The finish, reached or forecast (work is left), against the original baseline."""
    finish = schedule.get("finish_actual")
    if finish is None:
        return "Finish: not scheduled."
    reached = schedule.get("finish_reached")
    what = "reached" if reached else "forecast" if reached is not None else "actual or forecast"
    planned = schedule.get("finish_planned")
    if planned is None:
        return f"Finish: {finish} ({what}; no baseline to compare)."
    slip = schedule.get("finish_slip")
    moved = f", {slip:+d} working days" if slip else ", on time"
    return f"Finish: {finish} ({what}; original baseline {planned}{moved})."


def _milestones_line(schedule: dict[str, Any]) -> str | None:
    rows = schedule.get("milestones") or []
    if not rows:
        return None
    reached = sum(1 for m in rows if m.get("reached"))
    late = sum(1 for m in rows if (m.get("slip_vs_target") or 0) > 0)
    return f"Milestones: {reached} of {len(rows)} reached, {late} past their target."


def _owned(session: Session, email: str | None, program: str) -> tuple[Actor, Program]:
    """The actor and the program, which they must own."""
    actor = actor_for(session, email)
    return actor, programs.find_program(session, actor, program, needed=Role.OWNER)


@program_app.command("close")
def program_close(
    program: ProgramRef,
    outcome_value: OutcomeValue = None,
    outcome_summary: OutcomeSummary = "",
    lesson: LessonOption = None,
    closed_on: ClosedOn = None,
    yes: Annotated[bool, typer.Option("--yes", help="really close it")] = False,
    as_user: AsUser = None,
) -> None:
    """Close the program (owners): keep its retrospective and freeze its plan until an owner
    reopens it. Without --yes, say what closing does and change nothing."""
    value = _outcome(outcome_value) if outcome_value is not None else None
    summary = checked_text(outcome_summary, "--outcome-summary", SUMMARY_LENGTH)
    lessons = _lessons(lesson or [])
    day = parse_day(closed_on, "--closed-on") if closed_on is not None else None
    with service_work() as session:
        actor, found = _owned(session, as_user, program)
        key, name = found.key, escape(found.name)
        if found.status == ProgramStatus.CLOSED:
            raise fail(f"{key} is already closed: `podium program reopen {key}` takes it up again")
        if day is not None and day < found.start_date:
            raise fail(f"--closed-on {day} is before the program's start ({found.start_date})")
        if not yes:
            kept = _what_is_kept(value, summary, lessons)
            raise fail(
                f"this would close {key} ({name}) on {day or today()}: its plan ({FROZEN}) "
                "is frozen until an owner reopens it, and its retrospective is kept as it "
                f"stands{f', with {escape(kept)}' if kept else ''}. Lessons, benefit "
                "measurements and risks can still be recorded after. Run again with --yes "
                "to close it."
            )
        closeout = retrospective.close_program(
            session, actor, found.id, closed_on=day, outcome_value=value,
            outcome_summary=summary, lessons=lessons, expected_version=found.version,
        )  # fmt: skip
        report: dict[str, Any] = closeout.retrospective
        on = closeout.closed_on
        total = len(retrospective.list_lessons(session, actor, found.id))
    console.print(
        f"Closed [bold]{key}[/] {name} on {on}: its plan is frozen until an owner reopens it."
    )
    lines = [
        _goal_line(report["goal"]),
        _finish_line(report["schedule"]),
        _milestones_line(report["schedule"]),
    ]
    for line in lines:
        if line:
            console.print(f"  {line}")
    recorded = f"{len(lessons)} recorded now, " if lessons else ""
    console.print(f"  Lessons: {recorded}{total} in all.")
    console.print(f"Kept its retrospective: `podium retrospective {key}` prints it.")


@program_app.command("reopen")
def program_reopen(program: ProgramRef, as_user: AsUser = None) -> None:
    """Reopen a closed program (owners) so that its plan can change again; its retrospective
    stays as kept until it is closed anew (`podium retrospective` prints it, marked as kept
    at that close; `--draft` prints one from the live plan)."""
    with service_work() as session:
        actor, found = _owned(session, as_user, program)
        key, name = found.key, escape(found.name)
        if found.status != ProgramStatus.CLOSED:
            raise fail(f"{key} is not closed (it is {found.status.value}): nothing to reopen")
        closeout = retrospective.closeout_of(session, found.id)
        closed_on: date | None = closeout.closed_on if closeout is not None else None
        was = found.scheduled_finish
        retrospective.reopen_program(session, actor, found.id, expected_version=found.version)
        reschedule_pending(session)  # now, to say where it lands (reopening marks it)
        session.refresh(found)
        now = found.scheduled_finish
    console.print(f"Reopened [bold]{key}[/] {name}: its plan can change again.")
    if was != now:
        console.print(f"Rescheduled with what changed while it was closed: finish {was} → {now}.")
    if closed_on is not None:
        console.print(
            f"The retrospective kept at its close on {closed_on} stays until it is closed again: "
            f"`podium retrospective {key}` prints it, `--draft` one from the live plan."
        )

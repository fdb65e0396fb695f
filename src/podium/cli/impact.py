"""``podium impact``: what would move if a task slipped, took longer or started later, or a
dependency were added or removed — nothing is saved.

The answer comes from the same analysis as ``POST /api/v1/programs/{id}/impact`` and
the web's *What if?* page: the plan rescheduled on a copy. The changes are written as
``podium change raise`` writes them (``--slip PLAT-5=10``, ``--delay-start``,
``--duration``, ``--add-link``, ``--remove-link``), with the API's limits: a slip or a
delay is 1 to 10000 working days, a duration 0 to 10000.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from podium.cli._app import AsUser, ProgramRef, actor_for, app, console, fail, service_work
from podium.cli.change_requests import (
    PLAN_ORDER,
    AddLinks,
    Delays,
    Durations,
    RemoveLinks,
    Slips,
    check_days,
    options_named,
    plan_changes,
)
from podium.cli.program_preview import print_misses
from podium.cli.programs import counted
from podium.models import Dependency
from podium.services import dependencies, programs
from podium.services.scheduling.link_changes import end_key
from podium.services.scheduling.views import ChangeRequest, ImpactView, analyze_program_impact

MOVES_SHOWN = 50


# what a new link holds back, as people say it: (the successor's end, the predecessor's)
LINK_ENDS = {
    "FS": ("start", "finishes"),
    "SS": ("start", "starts"),
    "FF": ("finish", "finishes"),
    "SF": ("finish", "starts"),
}


def _link_said(pred: str, succ: str, kind: str, lag: int) -> str:
    """A new link in words: ``TRAIN-5 cannot start until 2 working days after PLAT-6
    finishes (a new link)``."""
    end, event = LINK_ENDS[kind]
    by = f"{counted(abs(lag), 'working day')} {'after' if lag > 0 else 'before'} "
    return f"{succ} cannot {end} until {by if lag else ''}{pred} {event} (a new link)"


def _said(session: Session, planned: list[dict[str, Any]]) -> list[str]:
    """The changes in words, in the order they apply; tasks and milestones by their keys
    as stored."""
    lines = []
    for change in planned:
        kind = change["type"]
        if kind == "remove_dependency":
            link = session.get(Dependency, change["dependency_id"])
            assert link is not None  # plan_changes found it
            (view,) = dependencies.describe_dependencies(session, [link])
            pred, succ = view.predecessor.key, view.successor.key
            lines.append(f"{succ} no longer waits on {pred} (the link {pred} → {succ} removed)")
        elif kind == "add_dependency":
            pred, succ = (
                end_key(session, (change[side]["type"], change[side]["id"]))
                for side in ("predecessor", "successor")
            )
            lines.append(_link_said(pred, succ, change["dependency_type"], change["lag"]))
        else:
            key = end_key(session, ("task", change["task_id"]))
            days = counted(change["days"], "working day")
            if kind == "slip":
                lines.append(f"{key} takes {days} more")
            elif kind == "delay_start":
                lines.append(f"{key} starts {days} later")
            else:
                lines.append(f"{key} takes {days}")
    return lines


def _delta(days: int) -> str:
    return f"{days:+d}" if days else "0"


def print_impact(title: str, said: list[str], view: ImpactView) -> None:
    """What moves, project by project, the milestones, and the dates newly missed."""
    console.print(f"What if, in {title} (nothing is saved):")
    for line in said:
        console.print(f"  {escape(line)}")
    console.print(
        f"  program finish {view.finish_before} → {view.finish_after} "
        f"({view.finish_delta:+d} working days)"
    )
    tasks = [m for moves in view.by_project.values() for m in moves]
    if not tasks and not view.milestones:
        console.print("Nothing moves: the work has enough float to absorb this.")
        return
    if tasks:
        table = Table(
            "project",
            "task",
            "start",
            "finish",
            "finish moves (working days)",
            title=f"What moves: {counted(len(tasks), 'task')} in "
            f"{counted(len(view.projects_affected), 'project')}",
            title_justify="left",
        )
        for m in tasks[:MOVES_SHOWN]:
            table.add_row(
                escape(m.ref.project_key or ""),
                escape(f"{m.ref.key} {m.ref.name}"),
                f"{m.early_start_before} → {m.early_start_after}",
                f"{m.early_finish_before} → {m.early_finish_after}",
                _delta(m.finish_delta),
            )
        console.print(table)
        if len(tasks) > MOVES_SHOWN:
            console.print(f"… and {len(tasks) - MOVES_SHOWN} more tasks move.")
    if view.milestones:
        table = Table(
            "milestone",
            "forecast",
            "moves (working days)",
            title="Milestones",
            title_justify="left",
        )
        for m in view.milestones:
            table.add_row(
                escape(f"{m.ref.key} {m.ref.name}"),
                f"{m.early_finish_before} → {m.early_finish_after}",
                _delta(m.finish_delta),
            )
        console.print(table)
    if view.summaries:
        table = Table(
            "summary task",
            "finish",
            "moves (working days)",
            title="Summary tasks whose span moves",
            title_justify="left",
        )
        for m in view.summaries[:MOVES_SHOWN]:
            table.add_row(
                escape(f"{m.ref.key} {m.ref.name}"),
                f"{m.early_finish_before} → {m.early_finish_after}",
                _delta(m.finish_delta),
            )
        console.print(table)
    print_misses(view, "POST /api/v1/programs/{id}/impact")


@app.command("impact")
def impact(
    program: ProgramRef,
    slip: Slips = None,
    delay_start: Delays = None,
    duration: Durations = None,
    add_link: AddLinks = None,
    remove_link: RemoveLinks = None,
    as_user: AsUser = None,
) -> None:
    """What would move if… (nothing is saved): tasks that slip, take another duration or
    start later, dependencies added or removed; each project's moves, the milestones, and
    the deadlines, targets and baseline finishes newly missed."""
    given = (remove_link, add_link, slip, delay_start, duration)
    specs = {option: list(value or []) for option, value in zip(PLAN_ORDER, given, strict=True)}
    if not any(specs.values()):
        raise fail("give at least one change: --slip TASK=DAYS, --delay-start, --duration, ...")
    check_days(specs)
    with service_work() as session:
        actor = actor_for(session, as_user)
        found = programs.find_program(session, actor, program)
        planned = plan_changes(session, actor, found, specs)
        changes = [
            ChangeRequest(
                type=c["type"],
                task_id=c.get("task_id"),
                days=c.get("days"),
                predecessor=_end(c.get("predecessor")),
                successor=_end(c.get("successor")),
                dependency_type=c.get("dependency_type", "FS"),
                lag=c.get("lag", 0),
                dependency_id=c.get("dependency_id"),
            )
            for c in planned
        ]
        with options_named(specs, []):  # a refusal of changes.0 names --add-link PLAT-1:…
            view = analyze_program_impact(session, actor, found.id, changes)
        title = f"[bold]{escape(found.key)}[/] {escape(found.name)}"
        said = _said(session, planned)
    print_impact(title, said, view)


def _end(end: Mapping[str, Any] | None) -> tuple[str, int] | None:
    """A dependency's end as the analysis takes it: ("task", 12)."""
    return (str(end["type"]), int(end["id"])) if end else None

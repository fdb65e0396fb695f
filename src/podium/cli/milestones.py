"""``podium milestone …``: a program's milestones, their forecasts and the work feeding them.

A milestone belongs to the program, not to a project: it waits on tasks of any
project (or on other milestones) through dependencies into it. Its forecast is
what the scheduler stored; the slip counts working days of the program's calendar,
as the program's overview page counts it. Input is checked as the API checks it.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Column, Table
from sqlalchemy.orm import Session

from podium.cli._app import (
    ProgramRef,
    app,
    checked_key,
    checked_text,
    console,
    fail,
    parse_day,
    service_work,
)
from podium.cli.programs import counted
from podium.cli.task_common import link_said, relink
from podium.engine.network import MAX_LAG
from podium.errors import ValidationFailed
from podium.models import DependencyType, Milestone, Program
from podium.services import dependencies, milestones, programs
from podium.services.actor import SYSTEM
from podium.services.dependencies import DependencyView, EndRef
from podium.services.forecasts import ForecastGlance
from podium.services.overview import program_calendar
from podium.services.pages_milestones import LinkRow, milestone_page, program_milestones
from podium.services.pages_schedule import MilestoneRow, milestone_rows
from podium.services.pages_tasks import find_activity
from podium.services.scheduling import reschedule_pending

milestone_app = typer.Typer(
    help="Program milestones: their targets, forecasts and the work they wait on.",
    no_args_is_help=True,
)
app.add_typer(milestone_app, name="milestone")

# what the API takes (podium.api.milestones)
KEY_PATTERN = r"^[A-Za-z][A-Za-z0-9_.-]{0,39}$"
KEY_RULE = "a letter, then at most 39 letters, digits, '.', '-' or '_'"
TEXT_LENGTHS = {"--name": 300, "--description": 10_000}
TYPES = tuple(t.value for t in DependencyType)
STATES = {s: s.replace("_", " ") for s in ("reached", "late", "on_track", "no_target")}
STATES["not_scheduled"] = "not scheduled"
STATES["unfed"] = "nothing feeds it"
SHOWN_LENGTH = 60

MilestoneKey = Annotated[str, typer.Argument(metavar="KEY", help="the milestone's key, e.g. M1")]
Target = Annotated[str | None, typer.Option("--target", help="its target date, YYYY-MM-DD")]
Description = Annotated[str | None, typer.Option(help="what reaching it means")]
After = Annotated[str, typer.Option("--after", help="the key of the task or milestone it waits on")]


def _checked_key(key: str) -> str:
    """A milestone key, trimmed; one the API refuses fails the command."""
    return checked_key(key, pattern=KEY_PATTERN, rule=KEY_RULE, what="milestone", example="M1")


def _checked_text(value: str, option: str) -> str:
    """--name or --description, trimmed; a blank name, a text too long or with NUL fails."""
    return checked_text(value, option, TEXT_LENGTHS[option], required=option == "--name")


def _open(session: Session, program: str, key: str) -> tuple[Program, Milestone]:
    """The program (key or id) and its milestone with this key; a task's key or an
    unknown one fails the command."""
    found = programs.find_program(session, SYSTEM, program)
    try:
        ref: EndRef | None = find_activity(session, found.id, key, field="KEY")
    except ValidationFailed:
        ref = None
    if ref is None or ref.type != "milestone":
        problem = f"no milestone {key!r} in {found.key}"
        if ref is not None:
            problem = f"{key} is a task in {found.key}, not a milestone"
        raise fail(escape(problem) + f" (`podium milestone list {found.key}` lists them)")
    return found, milestones.get_milestone(session, SYSTEM, ref.id)


def _waits_on(
    session: Session, program: Program, milestone: Milestone, key: str
) -> tuple[EndRef, DependencyView | None]:
    """The task or milestone ``--after`` names, and the link by which the milestone
    waits on it (if it does); an unknown key fails the command."""
    try:
        other = find_activity(session, program.id, key, field="--after")
    except ValidationFailed as exc:
        unknown = f"--after: no task or milestone {key.strip()!r} in {program.key}"
        raise fail(escape(unknown)) from exc
    into = dependencies.predecessors_of_milestones(session, [milestone.id])[milestone.id]
    link = next((v for v in into if EndRef(v.predecessor.type, v.predecessor.id) == other), None)
    return other, link


def _row(session: Session, program: Program, milestone_id: int) -> MilestoneRow:
    """The milestone's stored forecast, its slip (working days) and state."""
    calendar = program_calendar(session, program)
    rows = milestone_rows(session, [program.id], {program.id: calendar})[program.id]
    return next(r for r in rows if r.id == milestone_id)


def _day(day: date | None, blank: str = "—") -> str:
    return day.isoformat() if day is not None else blank


def _forecast(row: MilestoneRow, blank: str = "—") -> str:
    """Its forecast date; ``none yet`` when no work leads to it (its stored date is only
    the program's start or status date, as the pages say)."""
    return "none yet" if row.state == "unfed" else _day(row.forecast, blank)


def _signed(days: int | None, unit: str = "") -> str:
    """``+2`` (late, or a lag), ``−3`` (ahead, or a lead), ``0``, with the unit if
    given (``+1 working day``); ``—`` for none."""
    if days is None:
        return "—"
    sign = "+" if days > 0 else "−" if days < 0 else ""
    return sign + (counted(abs(days), unit) if unit else str(abs(days)))


def _standing(row: MilestoneRow) -> str:
    """Its state in words, with the slip: ``late by 2 working days``."""
    if row.state == "late" and row.slip is not None:
        return f"late by {counted(row.slip, 'working day')}"
    if row.state == "on_track" and row.slip:
        return f"on track, {counted(-row.slip, 'working day')} ahead"
    if row.state == "on_track":
        return "on track, on its target"
    return STATES[row.state]


def _moved(before: MilestoneRow, after: MilestoneRow) -> str:
    """How the forecast moved, and where that leaves the milestone."""
    if before.forecast_shown != after.forecast_shown:
        moved = f"{_forecast(before)} → {_forecast(after)}"
        return f"Forecast {moved}: {_standing(after)}."
    return f"Forecast {_forecast(after, 'not scheduled')}, unchanged: {_standing(after)}."


def _shown(value: Any) -> str:
    """A field's value in a change line, long texts cut short."""
    if value is None or value == "":
        return "—"
    text = str(value).replace("\n", " ")
    return escape(text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 1] + "…")


def _kind(view: DependencyView) -> str:
    """A link's type, and its lag when it has one: ``FS``, ``FS +1``."""
    lag = view.dependency.lag
    return view.dependency.type.value + (f" {_signed(lag)}" if lag else "")


def _links_table(title: str, links: list[LinkRow], *, into: bool) -> Table:
    """The other end of each link (into the milestone: its predecessor; out of it: its
    successor): key, name, project, type, lag and its scheduled finish."""
    table = Table(
        "key", "name", "project", "type", Column("lag", justify="right"), "finish", title=title
    )
    table.title_justify = "left"
    for link in links:
        view = link.view
        end, lag = view.predecessor if into else view.successor, _signed(view.dependency.lag)
        table.add_row(
            end.key, escape(end.name), end.project_key or "—", view.dependency.type.value, lag,
            _day(link.dates.early_finish),
        )  # fmt: skip
    return table


def _state(row: MilestoneRow, glance: ForecastGlance | None) -> str:
    """Its state, and when the plan has it on track but the newest Monte Carlo forecast's
    P80 falls past its target, that P80 (as the pages' amber note)."""
    p80 = glance.p80_past_target(row) if glance is not None else None
    return STATES[row.state] + (f", P80 {p80.isoformat()} past target" if p80 else "")


@milestone_app.command("list")
def milestone_list(program: ProgramRef) -> None:
    """List the program's milestones by forecast: target, slip, state and what feeds them."""
    with service_work() as session:
        found = programs.find_program(session, SYSTEM, program)
        key, view = found.key, program_milestones(session, SYSTEM, found.id)
    if not view.rows:
        add = f"podium milestone add {key} --name NAME --target YYYY-MM-DD"
        console.print(f"No milestone in {key} yet: add one with `{add}`.")
        return
    dates = [Column(h, no_wrap=True, min_width=10) for h in ("target", "forecast")]
    table = Table(
        Column("key", no_wrap=True), "name", *dates, Column("slip", justify="right"), "state",
        "fed by", title=f"{counted(len(view.rows), 'milestone')} of {key}", title_justify="left",
        caption="slip: working days past the target (+ late, − ahead)", caption_justify="left",
    )  # fmt: skip
    for r in view.rows:
        fed_by = f"{view.links[r.id]} from {', '.join(view.fed_by[r.id]) or 'milestones'}"
        table.add_row(
            r.key, escape(r.name), _day(r.target), _forecast(r), _signed(r.slip),
            _state(r, view.glance), fed_by if view.links[r.id] else "—",
        )  # fmt: skip
    console.print(table)


@milestone_app.command("show")
def milestone_show(program: ProgramRef, key: MilestoneKey) -> None:
    """A milestone: target, forecast, slip, state, what it waits on (what comes in last
    first: it sets the forecast) and what waits on it."""
    facts = Table.grid(padding=(0, 2))
    with service_work() as session:
        found, milestone = _open(session, program, key)
        page = milestone_page(session, SYSTEM, milestone.id)
        row, into, out = page.row, page.predecessors, page.successors
        title = f"[bold]{escape(milestone.key)}[/] {escape(milestone.name)} (program {found.key})"
        description, hint = milestone.description, f"{found.key} {milestone.key}"
        facts.add_row("target", _day(row.target, "not set"))
        facts.add_row("forecast", _forecast(row, "not scheduled yet"))
        if row.slip is not None:
            facts.add_row("slip", _signed(row.slip, "working day"))
        facts.add_row("state", _state(row, page.glance))
        if milestone.total_float is not None:
            critical = ", critical" if milestone.is_critical else ""
            facts.add_row("float", f"{counted(milestone.total_float, 'working day')}{critical}")
    console.print(title)
    if description:
        console.print(escape(description))
    console.print(facts)
    if into:
        console.print(_links_table(f"Waits on ({len(into)})", into, into=True))
    else:
        console.print(f"Waits on nothing: `podium milestone link {hint} --after TASK` links it.")
    if out:
        console.print(_links_table(f"Waited on by ({len(out)})", out, into=False))


@milestone_app.command("add")
def milestone_add(
    program: ProgramRef,
    name: Annotated[str, typer.Option(help="what is reached, e.g. 'All environments migrated'")],
    key: Annotated[str | None, typer.Option(help=f"{KEY_RULE}; M1, M2… if left out")] = None,
    target: Target = None,
    description: Description = None,
) -> None:
    """Add a milestone to the program, and print the key it got."""
    name = _checked_text(name, "--name")
    wanted = _checked_key(key) if key is not None else None
    text = _checked_text(description or "", "--description")
    day = parse_day(target, "--target") if target is not None else None
    with service_work() as session:
        found = programs.find_program(session, SYSTEM, program)
        made = milestones.create_milestone(
            session, SYSTEM, program_id=found.id, name=name, key=wanted, description=text,
            target_date=day,
        )  # fmt: skip
        added = f"[bold]{made.key}[/] {escape(name)} to {found.key}"
        hint = f"{found.key} {made.key}"
    aimed = f"target {day}" if day is not None else "no target date"
    console.print(f"Added milestone {added} ({aimed}).")
    console.print(f"Link the work it waits on: `podium milestone link {hint} --after TASK`.")


@milestone_app.command("set")
def milestone_set(
    program: ProgramRef,
    key: MilestoneKey,
    name: Annotated[str | None, typer.Option(help="a new name")] = None,
    new_key: Annotated[str | None, typer.Option("--key", help=f"a new key: {KEY_RULE}")] = None,
    target: Target = None,
    clear_target: Annotated[bool, typer.Option("--clear-target", help="no target date")] = False,
    description: Description = None,
) -> None:
    """Change only what is given; say what changed and how the forecast moved."""
    if target is not None and clear_target:
        raise fail("give --target or --clear-target, not both")
    updates: dict[str, Any] = {}
    if new_key is not None:
        updates["key"] = _checked_key(new_key)
    if name is not None:
        updates["name"] = _checked_text(name, "--name")
    if description is not None:
        updates["description"] = _checked_text(description, "--description")
    if target is not None or clear_target:
        updates["target_date"] = parse_day(target, "--target") if target is not None else None
    if not updates:
        raise fail("nothing to change: give at least one of the options (see --help)")
    with service_work() as session:
        found, milestone = _open(session, program, key)
        before = {field: getattr(milestone, field) for field in updates}
        was = _row(session, found, milestone.id)
        milestones.update_milestone(
            session, SYSTEM, milestone.id, updates, expected_version=milestone.version
        )
        reschedule_pending(session)  # now rather than at commit: to say where it lands
        now = _row(session, found, milestone.id)
        lines = [
            (field.removesuffix("_date"), _shown(old), _shown(getattr(milestone, field)))
            for field, old in before.items()
            if getattr(milestone, field) != old
        ]
        title = f"[bold]{escape(milestone.key)}[/] {escape(milestone.name)}"
    if not lines:
        console.print(f"Nothing changed: {title} already has those settings.")
        return
    console.print(f"Updated {title}:")
    grid = Table.grid(padding=(0, 2))
    for label, old, new in lines:
        grid.add_row(f"  {label}", f"{old} → {new}")
    console.print(grid)
    if (was.forecast_shown, was.state, was.slip) != (now.forecast_shown, now.state, now.slip):
        console.print(_moved(was, now))


@milestone_app.command("link")
def milestone_link(
    program: ProgramRef,
    key: MilestoneKey,
    after: After,
    kind: Annotated[
        str | None,
        typer.Option("--type", help="FS (finish-to-start, a new link's default), SS, FF or SF"),
    ] = None,
    lag: Annotated[
        int | None,
        typer.Option(help="working days to wait (a new link's default: 0); negative: a lead"),
    ] = None,
) -> None:
    """Make the milestone wait on a task (of any project) or on another milestone; when it
    waits on it already, change that link's type or lag."""
    if kind is not None and kind.strip().upper() not in TYPES:
        raise fail(escape(f"--type must be one of {', '.join(TYPES)}, not {kind!r}"))
    if lag is not None and abs(lag) > MAX_LAG:
        raise fail(f"--lag must be between -{MAX_LAG} and {MAX_LAG} working days, not {lag}")
    dependency_type = DependencyType(kind.strip().upper()) if kind is not None else None
    with service_work() as session:
        found, milestone = _open(session, program, key)
        other, same = _waits_on(session, found, milestone, after)
        was = _row(session, found, milestone.id)
        if same is None:
            made = dependencies.create_dependency(
                session, SYSTEM, predecessor=other, successor=EndRef("milestone", milestone.id),
                dependency_type=dependency_type or DependencyType.FS, lag=lag or 0,
            )  # fmt: skip
            changed = None
        else:
            made, changed = same.dependency, relink(session, SYSTEM, same, dependency_type, lag)
        reschedule_pending(session)
        view = dependencies.describe_dependencies(session, [made])[0]
        moved = _moved(was, _row(session, found, milestone.id))
    console.print(link_said(view, _kind(view), changed))
    if changed is None or changed:
        console.print(moved)


@milestone_app.command("unlink")
def milestone_unlink(program: ProgramRef, key: MilestoneKey, after: After) -> None:
    """Stop the milestone waiting on that task or milestone."""
    with service_work() as session:
        found, milestone = _open(session, program, key)
        _other, link = _waits_on(session, found, milestone, after)
        if link is None:
            raise fail(
                escape(f"{milestone.key} does not wait on {after.strip()}")
                + f" (`podium milestone show {found.key} {milestone.key}` lists what it waits on)"
            )
        was = _row(session, found, milestone.id)
        dependencies.delete_dependency(
            session, SYSTEM, link.dependency.id, expected_version=link.dependency.version
        )
        reschedule_pending(session)
        moved = _moved(was, _row(session, found, milestone.id))
        gone = f"{milestone.key} no longer waits on {link.predecessor.label}"
    console.print(f"{escape(gone)}.")
    console.print(moved)


@milestone_app.command("delete")
def milestone_delete(
    program: ProgramRef,
    key: MilestoneKey,
    with_links: Annotated[
        bool, typer.Option("--with-links", help="also remove the dependencies to and from it")
    ] = False,
) -> None:
    """Delete a milestone; one that dependencies touch only with --with-links."""
    with service_work() as session:
        found, milestone = _open(session, program, key)
        linked = len(dependencies.dependencies_touching_milestone(session, milestone.id))
        what = escape(f"{milestone.key} ({milestone.name})")
        if linked and not with_links:
            raise fail(
                f"milestone {what} has {counted(linked, 'link')} (dependencies to or from it): "
                "--with-links deletes it and removes them"
            )
        milestones.delete_milestone(
            session, SYSTEM, milestone.id, cascade=with_links, expected_version=milestone.version
        )
        where = found.key
    removed = f" and its {counted(linked, 'link')}" if linked else ""
    console.print(f"Deleted milestone {what}{removed} from {where}.")

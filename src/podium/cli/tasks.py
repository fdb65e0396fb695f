"""``podium task …``: the tasks of a program's projects — their plan, progress and schedule.

A task is found by its key in the program (keys are unique across its projects and
milestones), a project by its key, a calendar by its name (any case). Dates are what
the scheduler stored: every change reschedules the program at once, and the command
says how the task's scheduled finish moved and which other tasks it moved. Input is
checked as the API checks it (``podium.api.tasks``); ``--as EMAIL`` acts as that
user, with their role's rights (default: the system). Linking tasks, moving them in
the WBS and deleting them: :mod:`podium.cli.task_links`.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Column, Table

from podium.cli._app import (
    AsUser,
    ProgramRef,
    actor_for,
    app,
    console,
    fail,
    service_work,
)
from podium.cli.programs import counted
from podium.cli.task_common import (
    ESTIMATE_FIELDS,
    EVERY,
    KEY_RULE,
    ActualCost,
    ActualFinish,
    ActualStart,
    Budget,
    CalendarName,
    Constraint,
    ConstraintDate,
    Deadline,
    Description,
    Duration,
    Estimate,
    Percent,
    TaskKey,
    as_options,
    calendar_id_of,
    checked_task_key,
    checked_task_text,
    day,
    find_project,
    index_of,
    is_late,
    moves,
    open_task,
    schedule_of,
    shown_fields,
    span,
    task_fields,
)
from podium.services import calendars, programs, tasks
from podium.services.actor import SYSTEM
from podium.services.scheduling import reschedule_pending
from podium.services.tasks.rollup import shown_values

task_app = typer.Typer(
    help="The tasks of a program's projects: plan, progress, links and schedule.",
    no_args_is_help=True,
)
app.add_typer(task_app, name="task")

# --- the commands -----------------------------------------------------------------------


@task_app.command("list")
def task_list(
    program: ProgramRef,
    project: Annotated[str | None, typer.Option(help="only this project's tasks")] = None,
    critical: Annotated[bool, typer.Option("--critical", help="only critical tasks")] = False,
    late: Annotated[
        bool, typer.Option("--late", help="only unfinished tasks past a deadline or constraint")
    ] = False,
    as_user: AsUser = None,
) -> None:
    """List tasks in WBS order (sub-tasks indented): duration, scheduled dates, float,
    progress and the critical path."""
    with service_work() as session:
        actor = actor_for(session, as_user)
        found = programs.find_program(session, actor, program)
        home = find_project(session, actor, found, project) if project is not None else None
        views, total = tasks.list_tasks(
            session, actor, program_id=found.id, project_id=home.id if home else None, limit=EVERY
        )
        where, rows = f"{home.key} of {found.key}" if home else found.key, []
        for v in views:
            t = v.task
            if (critical and not t.is_critical) or (late and not is_late(t)):
                continue
            name = f"[bold]{escape(t.name)}[/]" if v.is_summary else escape(t.name)
            shown = shown_values(t, v.rolled)
            rows.append(
                [t.key, "  " * t.wbs.count(".") + name, *([] if home else [v.project_key]),
                 "◆" if t.is_milestone else str(shown["duration"]),
                 day(t.early_start), day(t.early_finish),
                 "—" if t.total_float is None else str(t.total_float),
                 f"{shown['percent_complete']:g} %", "●" if t.is_critical else ""]
            )  # fmt: skip
    kind = " ".join(k for k, wanted in (("late", late), ("critical", critical)) if wanted)
    if not total:
        add = f"podium task add {found.key} --project {home.key if home else 'KEY'} --name NAME"
        console.print(f"No task in {where} yet: add one with `{add}`.")
        return
    if not rows:
        console.print(f"No {kind} task in {where}.")
        return
    table = Table(
        Column("key", no_wrap=True), Column("name", min_width=10),
        *([] if home else ["project"]), Column("days", justify="right", no_wrap=True),
        Column("start", no_wrap=True), Column("finish", no_wrap=True),
        Column("float", justify="right", no_wrap=True),
        Column("done", justify="right", no_wrap=True), Column("crit", no_wrap=True),
        title=f"{counted(len(rows), f'{kind} task'.strip())} of {where}", title_justify="left",
        caption="days: working days (◆ a milestone; a summary in bold: the span of its "
        "sub-tasks, and their progress weighted by duration); float: working days it can "
        "slip without moving the program's finish; ● on the critical path",
        caption_justify="left",
    )  # fmt: skip
    for row in rows:
        table.add_row(*row)
    console.print(table)


@task_app.command("add")
def task_add(
    program: ProgramRef,
    project: Annotated[str, typer.Option(help="the key of its project")],
    name: Annotated[str, typer.Option(help="what is done, e.g. 'Copy the data'")],
    key: Annotated[str | None, typer.Option(help=f"{KEY_RULE}; PROJECT-n if left out")] = None,
    duration: Duration = None,
    parent: Annotated[str | None, typer.Option(help="the task it goes under")] = None,
    position: Annotated[int | None, typer.Option(help="among its siblings, 1 = first")] = None,
    milestone: Annotated[bool, typer.Option("--milestone", help="no duration")] = False,
    constraint: Constraint = None,
    constraint_date: ConstraintDate = None,
    deadline: Deadline = None,
    calendar: CalendarName = None,
    estimate: Estimate = None,
    budget: Budget = None,
    effort_driven: Annotated[
        bool, typer.Option("--effort-driven", help="its duration follows the work assigned")
    ] = False,
    description: Description = None,
    percent: Percent = None,
    actual_start: ActualStart = None,
    actual_finish: ActualFinish = None,
    actual_cost: ActualCost = None,
    as_user: AsUser = None,
) -> None:
    """Add a task to a project (managers), and say where the schedule puts it."""
    name, wanted = checked_task_text(name, "--name"), checked_task_key(key) if key else None
    fields = task_fields(
        duration=duration, constraint=constraint, constraint_date=constraint_date,
        deadline=deadline, estimate=estimate, budget=budget, percent=percent,
        actual_start=actual_start, actual_finish=actual_finish, actual_cost=actual_cost,
        is_milestone=milestone, effort_driven=effort_driven,
        description=checked_task_text(description or "", "--description"),
    )  # fmt: skip
    index = index_of(position)
    with service_work() as session:
        actor = actor_for(session, as_user)
        found = programs.find_program(session, actor, program)
        home = find_project(session, actor, found, project)
        above = open_task(session, actor, found.key, parent)[1] if parent is not None else None
        if above is not None and above.project_id != home.id:
            raise fail(escape(f"--parent: {above.key} is not a task of {home.key}"))
        if calendar is not None:
            fields["calendar_id"] = calendar_id_of(session, calendar)
        before = schedule_of(session, actor, found.id)
        with as_options():
            made = tasks.create_task(
                session, actor, project_id=home.id, name=name, key=wanted, position=index,
                parent_id=above.id if above else None, **fields,
            )  # fmt: skip
        reschedule_pending(session)
        moved = moves(None, before, schedule_of(session, actor, found.id))
        added = f"[bold]{escape(made.key)}[/] {escape(name)} to {home.key} of {found.key}"
        under = f", under {escape(above.key)}" if above else ""
        length = "a milestone" if made.is_milestone else counted(made.duration, "working day")
        when, hint = span((made.early_start, made.early_finish)), f"{found.key} {made.key}"
    console.print(f"Added task {added} (WBS {made.wbs}{under}): {length}, scheduled {when}.")
    for line in moved:
        console.print(line)
    console.print(f"Link it to the work it waits on: `podium task link {hint} --after KEY`.")


def change_task(
    program: str, key: str, updates: dict[str, Any], *, as_user: str | None,
    calendar: str | None = None,
) -> None:  # fmt: skip
    """Change the task through the service; print each change old → new and the moves."""
    with service_work() as session:
        actor = actor_for(session, as_user)
        found, task = open_task(session, actor, program, key)
        if calendar is not None:
            updates["calendar_id"] = calendar_id_of(session, calendar)
        known, _count = calendars.list_calendars(session, SYSTEM, limit=EVERY)
        names = {c.id: c.name for c in known}
        money_in = found.currency  # the program's: budgets and costs print with it
        was = shown_fields(task, names, currency=money_in)
        before = schedule_of(session, actor, found.id)
        with as_options():
            # an effort-driven task's duration follows from the work given (the service)
            tasks.update_task(session, actor, task.id, updates, expected_version=task.version)
        reschedule_pending(session)  # now rather than at commit: to say where it lands
        now = shown_fields(task, names, currency=money_in)
        changes = [(label, old, now[label]) for label, old in was.items() if now[label] != old]
        moved = moves(task.id, before, schedule_of(session, actor, found.id))
        title = f"[bold]{escape(task.key)}[/] {escape(task.name)}"
    if not changes:
        console.print(f"Nothing changed: {title} already has those settings.")
        return
    console.print(f"Updated {title}:")
    grid = Table.grid(padding=(0, 2))
    for label, old, new in changes:
        grid.add_row(f"  {label}", f"{old} → {new}")
    console.print(grid)
    for line in moved:
        console.print(line)


@task_app.command("set")
def task_set(
    program: ProgramRef,
    key: TaskKey,
    new_key: Annotated[str | None, typer.Option("--key", help=f"a new key: {KEY_RULE}")] = None,
    name: Annotated[str | None, typer.Option(help="a new name")] = None,
    duration: Duration = None,
    milestone: Annotated[bool | None, typer.Option("--milestone/--no-milestone")] = None,
    constraint: Constraint = None,
    constraint_date: ConstraintDate = None,
    deadline: Deadline = None,
    no_deadline: Annotated[bool, typer.Option("--no-deadline", help="no deadline")] = False,
    calendar: CalendarName = None,
    no_calendar: Annotated[
        bool, typer.Option("--no-calendar", help="no calendar of its own: the project's")
    ] = False,
    estimate: Estimate = None,
    no_estimate: Annotated[bool, typer.Option("--no-estimate", help="no estimate")] = False,
    budget: Budget = None,
    effort_driven: Annotated[
        bool | None, typer.Option("--effort-driven/--duration-driven", help="see `add`")
    ] = None,
    no_hold: Annotated[bool, typer.Option("--no-hold", help="remove a leveling hold")] = False,
    description: Description = None,
    as_user: AsUser = None,
) -> None:
    """Change only what is given (managers); say what changed and how the schedule moved.

    Progress (percent, actual dates, cost): `podium task progress`."""
    for given, cleared, option, clear in (
        (deadline, no_deadline, "--deadline", "--no-deadline"),
        (calendar, no_calendar, "--calendar", "--no-calendar"),
        (estimate, no_estimate, "--estimate", "--no-estimate"),
    ):
        if given is not None and cleared:
            raise fail(f"give {option} or {clear}, not both")
    updates = task_fields(
        duration=duration, constraint=constraint, constraint_date=constraint_date,
        deadline=deadline, estimate=estimate, budget=budget, is_milestone=milestone,
        effort_driven=effort_driven, key=checked_task_key(new_key) if new_key else None,
        name=checked_task_text(name, "--name") if name is not None else None,
        description=(
            None if description is None else checked_task_text(description, "--description")
        ),
    )  # fmt: skip
    cleared_fields = (
        ["deadline"] * no_deadline + ["calendar_id"] * no_calendar
        + list(ESTIMATE_FIELDS) * no_estimate + ["leveled_start"] * no_hold
    )  # fmt: skip
    updates |= dict.fromkeys(cleared_fields)
    if not updates and calendar is None:
        raise fail("nothing to change: give at least one of the options (see --help)")
    change_task(program, key, updates, as_user=as_user, calendar=calendar)


@task_app.command("progress")
def task_progress(
    program: ProgramRef,
    key: TaskKey,
    percent: Percent = None,
    actual_start: ActualStart = None,
    actual_finish: ActualFinish = None,
    actual_cost: ActualCost = None,
    as_user: AsUser = None,
) -> None:
    """Report progress: what a member may change, on a task assigned to them."""
    updates = task_fields(
        percent=percent, actual_start=actual_start, actual_finish=actual_finish,
        actual_cost=actual_cost,
    )  # fmt: skip
    if not updates:
        options = "--percent, --actual-start, --actual-finish or --actual-cost"
        raise fail(f"nothing to report: give {options}")
    change_task(program, key, updates, as_user=as_user)

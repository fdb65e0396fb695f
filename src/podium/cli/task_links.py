"""``podium task show|link|unlink|move|indent|outdent|delete``: a task among the others.

What it waits on and what waits on it (dependencies to tasks of any project of the
program, or to program milestones; linking again changes a link's type or lag), its
place in its project's WBS, and taking it out. Registered on the ``podium task`` group
of :mod:`podium.cli.tasks`, whose helpers these commands share; like them, each prints
how the schedule moved.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Column, Table
from sqlalchemy.orm import Session

from podium.cli._app import AsUser, ProgramRef, actor_for, console, fail, service_work
from podium.cli.programs import counted
from podium.cli.task_common import (
    EVERY,
    MOVES_SHOWN,
    TaskKey,
    as_options,
    day,
    index_of,
    is_late,
    link_said,
    money,
    moves,
    open_task,
    relink,
    schedule_of,
    shown_fields,
    span,
)
from podium.cli.tasks import task_app
from podium.currency import in_currency
from podium.engine.network import MAX_LAG
from podium.errors import ValidationFailed
from podium.models import DependencyType, Program, Role, Task
from podium.services import dependencies, tasks
from podium.services.actor import Actor
from podium.services.dependencies import DependencyView, EndRef
from podium.services.pages_tasks import Link, find_activity, task_page
from podium.services.resources.assignments import list_assignments
from podium.services.scheduling import reschedule_pending

TYPES = tuple(t.value for t in DependencyType)
HIDDEN_IN_SHOW = ("key", "name", "description", "milestone")  # in the title, or said otherwise

After = Annotated[
    str, typer.Option("--after", help="the task (of any project) or milestone it waits on")
]
Parent = Annotated[str | None, typer.Option("--parent", help="the task it goes under")]


def _kind(view: DependencyView) -> str:
    """A link's type, and its lag when it has one: ``FS``, ``FS +2``."""
    lag = view.dependency.lag
    return view.dependency.type.value + (f" {lag:+d}" if lag else "")


def _links_table(title: str, links: list[Link]) -> Table:
    """The other end of each dependency: key, name, project, type, lag and its dates."""
    table = Table(
        "key", "name", "project", "type", Column("lag", justify="right"), "start", "finish",
        title=title, title_justify="left",
    )  # fmt: skip
    for link in links:
        end, dependency = link.other, link.view.dependency
        table.add_row(
            end.key, escape(end.name), end.project_key or "program", dependency.type.value,
            f"{dependency.lag:+d}" if dependency.lag else "0", day(link.other_start),
            day(link.other_finish),
        )  # fmt: skip
    return table


def _waits_on(
    session: Session, actor: Actor, program: Program, task: Task, key: str
) -> tuple[EndRef, DependencyView | None]:
    """The task or milestone ``--after`` names, and the link by which the task waits on
    it (if it does); an unknown key fails the command."""
    try:
        other = find_activity(session, program.id, key, field="--after")
    except ValidationFailed as exc:
        unknown = f"--after: no task or milestone {key.strip()!r} in {program.key}"
        raise fail(escape(unknown)) from exc
    views, _total = dependencies.list_dependencies(
        session, actor, program_id=program.id, task_id=task.id, limit=EVERY
    )
    into = [v for v in views if v.dependency.successor_task_id == task.id]
    same = (v for v in into if EndRef(v.predecessor.type, v.predecessor.id) == other)
    return other, next(same, None)


def _under(session: Session, actor: Actor, task: Task) -> str:
    """Where the task sits: under its parent, or at the top level of its project."""
    if task.parent_id is None:
        return "at the top level"
    parent = tasks.get_task(session, actor, task.parent_id)
    return escape(f"under {parent.key} {parent.name}")


@task_app.command("show")
def task_show(program: ProgramRef, key: TaskKey, as_user: AsUser = None) -> None:
    """A task: every field, its schedule, what it waits on (what comes in last first),
    what waits on it, and who is assigned."""
    facts, people = Table.grid(padding=(0, 2)), Table(title_justify="left")
    with service_work() as session:
        actor = actor_for(session, as_user)
        found, task = open_task(session, actor, program, key)
        page = task_page(session, actor, task.id)
        _subs, children = tasks.list_tasks(session, actor, parent_id=task.id, limit=1)
        title = f"[bold]{escape(task.key)}[/] {escape(task.name)} "
        title += f"(project {page.project.key}, program {found.key})"
        description, hint = task.description, f"{found.key} {task.key}"
        facts.add_row("wbs", f"{task.wbs}, {_under(session, actor, task)}")
        fields = shown_fields(task, dict(page.calendars), page.rolled, currency=found.currency)
        if task.is_milestone:
            fields["duration"] = "a milestone: no duration"
        elif children:
            fields["duration"] += f", the span of its {counted(children, 'sub-task')}"
            fields["% complete"] += " (rolled up: weighted by the sub-tasks' durations)"
        if is_late(task) and task.deadline:
            fields["deadline"] += " (the scheduled finish is past it)"
        if task.estimate_pessimistic is not None:
            fields["estimate"] += " (optimistic / most likely / pessimistic)"
        for label, value in fields.items():
            if label not in HIDDEN_IN_SHOW and (label != "leveling hold" or task.leveled_start):
                facts.add_row(label, value)
        facts.add_row("scheduled", span((task.early_start, task.early_finish)))
        facts.add_row("latest", span((task.late_start, task.late_finish), "—"))
        if task.total_float is not None:
            critical = ", critical" if task.is_critical else ""
            floats = f"{counted(task.total_float, 'working day')} total, {task.free_float} free"
            facts.add_row("float", floats + critical)
        facts.add_row("version", str(task.version))
        into, out = page.predecessors, page.successors
        assigned = list_assignments(session, actor, task_id=task.id)
        people.title = f"Assigned ({len(assigned)})"
        for header in ("resource", "units", "work", in_currency("cost", found.currency)):
            people.add_column(header, justify="left" if header == "resource" else "right")
        for a in assigned:
            people.add_row(
                escape(a.resource.name), f"{a.assignment.units * 100:g} %",
                f"{a.work_hours:g} h", money(a.cost),
            )  # fmt: skip
    console.print(title)
    if description:
        console.print(escape(description))
    console.print(facts)
    if into:
        console.print(_links_table(f"Waits on ({len(into)})", into[::-1]))
    else:
        console.print(f"Waits on nothing: `podium task link {hint} --after KEY` links it.")
    if out:
        console.print(_links_table(f"Waited on by ({len(out)})", out))
    console.print(people if assigned else "No one is assigned to it.")


@task_app.command("link")
def task_link(
    program: ProgramRef,
    key: Annotated[str, typer.Argument(metavar="SUCCESSOR", help="the task that waits")],
    after: After,
    kind: Annotated[
        str | None,
        typer.Option("--type", help="FS (finish-to-start, a new link's default), SS, FF or SF"),
    ] = None,
    lag: Annotated[
        int | None,
        typer.Option(help="working days to wait (a new link's default: 0); negative: a lead"),
    ] = None,
    as_user: AsUser = None,
) -> None:
    """Make a task wait on another task (of any project of the program) or a milestone;
    when it waits on it already, change that link's type or lag (managers)."""
    if kind is not None and kind.strip().upper() not in TYPES:
        raise fail(escape(f"--type must be one of {', '.join(TYPES)}, not {kind!r}"))
    if lag is not None and abs(lag) > MAX_LAG:
        raise fail(f"--lag must be between -{MAX_LAG} and {MAX_LAG} working days, not {lag}")
    dependency_type = DependencyType(kind.strip().upper()) if kind is not None else None
    with service_work() as session:
        actor = actor_for(session, as_user)
        found, task = open_task(session, actor, program, key)
        other, same = _waits_on(session, actor, found, task, after)
        before = schedule_of(session, actor, found.id)
        if same is None:
            made = dependencies.create_dependency(
                session, actor, predecessor=other, successor=EndRef("task", task.id),
                dependency_type=dependency_type or DependencyType.FS, lag=lag or 0,
            )  # fmt: skip
            changed = None
        else:
            made, changed = same.dependency, relink(session, actor, same, dependency_type, lag)
        reschedule_pending(session)  # now rather than at commit: to say where it lands
        view = dependencies.describe_dependencies(session, [made])[0]
        moved = moves(task.id, before, schedule_of(session, actor, found.id))
    end, mine = view.predecessor, view.successor
    across = f": across projects, {end.project_key} → {mine.project_key}" * view.cross_project
    console.print(link_said(view, _kind(view), changed, across))
    if changed is None or changed:
        for line in moved:
            console.print(line)


@task_app.command("unlink")
def task_unlink(
    program: ProgramRef,
    key: Annotated[str, typer.Argument(metavar="SUCCESSOR", help="the task that waits")],
    after: After,
    as_user: AsUser = None,
) -> None:
    """Stop a task waiting on that task or milestone."""
    with service_work() as session:
        actor = actor_for(session, as_user)
        found, task = open_task(session, actor, program, key)
        _other, link = _waits_on(session, actor, found, task, after)
        if link is None:
            raise fail(
                escape(f"{task.key} does not wait on {after.strip()}")
                + f" (`podium task show {found.key} {task.key}` lists what it waits on)"
            )
        before = schedule_of(session, actor, found.id)
        dependencies.delete_dependency(
            session, actor, link.dependency.id, expected_version=link.dependency.version
        )
        reschedule_pending(session)
        moved = moves(task.id, before, schedule_of(session, actor, found.id))
        gone = f"{task.key} no longer waits on {link.predecessor.label}"
    console.print(f"{escape(gone)}.")
    for line in moved:
        console.print(line)


def _place(program: str, key: str, as_user: str | None, verb: str, parent: str | None = None,
           top: bool = False, index: int | None = None) -> None:  # fmt: skip
    """Move, indent or outdent the task; say its new WBS code and place, and the moves."""
    with service_work() as session:
        actor = actor_for(session, as_user)
        found, task = open_task(session, actor, program, key)
        wbs, version, before = task.wbs, task.version, schedule_of(session, actor, found.id)
        with as_options():
            if verb == "Indented":
                tasks.indent_task(session, actor, task.id, expected_version=version)
            elif verb == "Outdented":
                tasks.outdent_task(session, actor, task.id, expected_version=version)
            else:
                above = open_task(session, actor, found.key, parent)[1] if parent else None
                if above is not None and above.project_id != task.project_id:
                    raise fail(escape(f"--parent: {above.key} is not in {task.key}'s project"))
                parent_id = above.id if above else None if top else task.parent_id
                tasks.move_task(
                    session, actor, task.id, parent_id=parent_id, position=index,
                    expected_version=version,
                )  # fmt: skip
        reschedule_pending(session)
        moved = moves(task.id, before, schedule_of(session, actor, found.id))
        title = f"[bold]{escape(task.key)}[/] {escape(task.name)}"
        placed = f"WBS {wbs} → {task.wbs}, {_under(session, actor, task)}"
    console.print(f"{verb} {title}: {placed}.")
    for line in moved:
        console.print(line)


@task_app.command("move")
def task_move(
    program: ProgramRef,
    key: TaskKey,
    parent: Parent = None,
    top: Annotated[bool, typer.Option("--top", help="to the top level of its project")] = False,
    position: Annotated[int | None, typer.Option(help="among its siblings, 1 = first")] = None,
    as_user: AsUser = None,
) -> None:
    """Move a task, with its sub-tasks, under another task of its project, to the top
    level, or to another place among its siblings (managers)."""
    if parent is not None and top:
        raise fail("give --parent or --top, not both")
    if parent is None and not top and position is None:
        raise fail("say where: --parent KEY, --top or --position N (see --help)")
    index = index_of(position)
    _place(program, key, as_user, "Moved", parent=parent, top=top, index=index)


@task_app.command("indent")
def task_indent(program: ProgramRef, key: TaskKey, as_user: AsUser = None) -> None:
    """Make a task the last sub-task of the one just above it (managers)."""
    _place(program, key, as_user, "Indented")


@task_app.command("outdent")
def task_outdent(program: ProgramRef, key: TaskKey, as_user: AsUser = None) -> None:
    """Make a sub-task the next sibling of its parent (managers)."""
    _place(program, key, as_user, "Outdented")


def _dependencies(n: int) -> str:
    return f"{n} dependenc{'y' if n == 1 else 'ies'}"


@task_app.command("delete")
def task_delete(
    program: ProgramRef,
    key: TaskKey,
    yes: Annotated[bool, typer.Option("--yes", help="really delete it, and what it holds")] = False,
    with_links: Annotated[
        bool, typer.Option("--with-links", help="also remove the dependencies relying on them")
    ] = False,
    as_user: AsUser = None,
) -> None:
    """Delete a task with its sub-tasks and assignments (managers); without --yes, say
    what would go and change nothing."""
    with service_work() as session:
        actor = actor_for(session, as_user)
        found, task = open_task(session, actor, program, key)
        views, _total = tasks.list_tasks(session, actor, project_id=task.project_id, limit=EVERY)
        below = [v.task for v in views if v.task.wbs.startswith(task.wbs + ".")]
        ids = {t.id for t in below} | {task.id}
        every, _count = dependencies.list_dependencies(
            session, actor, program_id=found.id, limit=EVERY
        )
        links = [
            f"{v.predecessor.key} → {v.successor.key}"
            for v in every
            if {v.dependency.predecessor_task_id, v.dependency.successor_task_id} & ids
        ]
        assigned = [
            a for a in list_assignments(session, actor, program_id=found.id)
            if a.assignment.task_id in ids
        ]  # fmt: skip
        parts = [f"its {counted(len(below), 'sub-task')} ({', '.join(t.key for t in below)})"]
        parts = (parts if below else []) + [counted(len(assigned), "assignment")] * bool(assigned)
        if task.percent_complete or task.actual_cost:
            spent = f" and costs ({money(task.actual_cost, found.currency)} spent)"
            parts.append("its recorded progress" + spent * bool(task.actual_cost))
        what = f"task {task.key} ({task.name})"
        held = (" with " + " and ".join(parts)) * bool(parts)
        shown = ", ".join(links[:MOVES_SHOWN]) + ", …" * (len(links) > MOVES_SHOWN)
        verb = "relies" if len(links) == 1 else "rely"
        relying = f"{_dependencies(len(links))} {verb} on it" + " or its sub-tasks" * bool(below)
        relying += f" ({shown})"
        if not yes:
            also = f"; {relying}" if links else ""
            again = "--yes --with-links to delete it and them" if links else "--yes to delete it"
            raise fail(escape(f"this would delete {what}{held}{also}: run again with {again}"))
        tasks.get_task(session, actor, task.id, needed=Role.MANAGER)  # refused before the rest
        if links and not with_links:
            raise fail(
                escape(f"{what} cannot be deleted: {relying}")
                + ": unlink them first (`podium task unlink`), or run again with --with-links"
                " to remove them too"
            )
        before = schedule_of(session, actor, found.id)
        tasks.delete_task(
            session, actor, task.id, cascade=with_links, expected_version=task.version
        )
        reschedule_pending(session)
        moved = moves(None, before, schedule_of(session, actor, found.id))
        where = f"{views[0].project_key} of {found.key}"
        removed = f", and {_dependencies(len(links))}" * bool(links)
    console.print(f"Deleted {escape(what + held)} from {where}{removed}.")
    for line in moved:
        console.print(line)

"""Commands on the risk register: list, add, update, close, realize, the matrix."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from podium.cli._app import (
    AsUser,
    ProgramRef,
    actor_for,
    app,
    console,
    fail,
    parse_day,
    print_problems,
    require_current_schema,
)
from podium.engine.risks import RISK_LEVELS, RISK_RESPONSES, RISK_STATUSES, score_band
from podium.errors import PodiumError
from podium.models import Program, Risk, User
from podium.services import programs, risks
from podium.services.actor import Actor
from podium.services.uow import unit_of_work

risk_app = typer.Typer(help="The risk and issue register.", no_args_is_help=True)
app.add_typer(risk_app, name="risk")

RiskRef = Annotated[str, typer.Argument(help="R3 or 3")]
BAND_STYLE = {"low": "green", "medium": "yellow", "high": "dark_orange", "critical": "bold red"}


def _choice(value: str, allowed: tuple[str, ...], option: str) -> str:
    if value not in allowed:
        raise fail(f"{option} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def find_risk(session: Session, actor: Actor, program: Program, ref: str) -> Risk:
    """A risk of the program by its key (``R3``) or number (``3``)."""
    text = ref.strip().upper().removeprefix("R")
    if text.isdecimal():
        register, _ = risks.list_risks(session, actor, program_id=program.id, limit=100_000)
        found = next((r for r in register if r.number == int(text)), None)
        if found is not None:
            return found
    raise fail(f"no risk {ref!r} in {program.key}")


def person(user: User | None) -> str:
    """How a user is shown: their name, else their email."""
    return (user.name or user.email) if user else ""


@risk_app.command("list")
def risk_list(
    program: ProgramRef,
    status: Annotated[
        list[str] | None, typer.Option(help="open, mitigating, closed, realized (repeatable)")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="closed risks too")] = False,
    level: Annotated[str | None, typer.Option(help="task, project or program")] = None,
    min_score: Annotated[int | None, typer.Option(help="only scores at or above")] = None,
) -> None:
    """The register, highest score first (closed risks only with --all or --status)."""
    for s in status or []:
        _choice(s, RISK_STATUSES, "--status")
    if level is not None:
        _choice(level, RISK_LEVELS, "--level")
    require_current_schema()
    table = Table("key", "score", "P×I", "title", "level", "status", "owner", "projects", "actions")
    try:
        with unit_of_work() as session:
            found = programs.find_program(session, actor_for(session, None), program)
            chosen = risks.RiskFilter(
                statuses=tuple(status or ()),
                live_only=not (all_ or status),
                level=level,
                min_score=min_score,
            )
            items, total = risks.list_risks(
                session,
                actor_for(session, None),
                program_id=found.id,
                risk_filter=chosen,
                limit=1000,
            )
            for r in items:
                escalated = {"program": " ↑ program", "steering": " ↑ steering"}.get(
                    r.escalation, ""
                )
                open_actions = sum(not a.done for a in r.actions)
                table.add_row(
                    r.key,
                    f"[{BAND_STYLE[score_band(r.score)]}]{r.score}[/]",
                    f"{r.probability}×{r.impact}",
                    r.title,
                    r.level + escalated,
                    r.status,
                    person(r.owner),
                    ", ".join(sorted({p.key for p in r.projects} | {t.key for t in r.tasks})),
                    f"{open_actions} open" if open_actions else "",
                )
            key = found.key
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    if not total:
        add = f"`podium risk add {key} --title TITLE -p 1-5 -i 1-5`"
        if status or level is not None or min_score is not None:
            console.print(f"No risk in {key} matches those filters.")
        elif all_:
            console.print(f"No risk in {key} yet: add one with {add}.")
        else:
            console.print(
                f"No open, mitigating or realized risk in {key} (--all lists closed ones "
                f"too): add one with {add}."
            )
        return
    table.title = f"{key}: {total} risk{'s' if total != 1 else ''}"
    table.title_justify = "left"
    console.print(table)


@risk_app.command("add")
def risk_add(
    program: ProgramRef,
    title: Annotated[str, typer.Option(help="what might happen")],
    probability: Annotated[int, typer.Option("--probability", "-p", min=1, max=5, help="1-5")],
    impact: Annotated[int, typer.Option("--impact", "-i", min=1, max=5, help="1-5")],
    level: Annotated[str, typer.Option(help="task, project or program")] = "project",
    project: Annotated[
        list[str] | None, typer.Option(help="linked project key (repeatable)")
    ] = None,
    task: Annotated[list[str] | None, typer.Option(help="linked task key (repeatable)")] = None,
    owner: Annotated[str | None, typer.Option(help="owner's email (a member)")] = None,
    response: Annotated[str, typer.Option(help="avoid, mitigate, transfer or accept")] = "mitigate",
    cause: Annotated[str, typer.Option(help="what could make it happen")] = "",
    effect: Annotated[str, typer.Option(help="what happens if it does")] = "",
    description: Annotated[str, typer.Option(help="more detail")] = "",
    due: Annotated[str | None, typer.Option(help="response due date YYYY-MM-DD")] = None,
    as_user: AsUser = None,
) -> None:
    """Raise a risk; the program's escalation rules are applied at once."""
    from sqlalchemy import select

    from podium.models import Project, Task

    _choice(level, RISK_LEVELS, "--level")
    _choice(response, RISK_RESPONSES, "--response")
    due_date = parse_day(due, "--due") if due else None
    require_current_schema()
    try:
        with unit_of_work() as session:
            actor = actor_for(session, as_user)
            found = programs.find_program(session, actor, program)
            project_ids, task_ids = [], []
            for key in project or []:
                pid = session.scalar(
                    select(Project.id).where(Project.program_id == found.id, Project.key == key)
                )
                if pid is None:
                    raise fail(f"no project {key} in {found.key}")
                project_ids.append(pid)
            for key in task or []:
                tid = session.scalar(
                    select(Task.id).where(Task.program_id == found.id, Task.key == key)
                )
                if tid is None:
                    raise fail(f"no task {key} in {found.key}")
                task_ids.append(tid)
            owner_id = actor_for(session, owner).user_id if owner else None
            risk = risks.create_risk(
                session,
                actor,
                program_id=found.id,
                title=title.strip(),
                probability=probability,
                impact=impact,
                level=level,
                response=response,
                cause=cause,
                effect=effect,
                description=description,
                owner_id=owner_id,
                due_date=due_date,
                project_ids=project_ids,
                task_ids=task_ids,
            )
            session.flush()
            session.refresh(risk)
            summary = f"{risk.key} in {found.key}, score {risk.score}"
            escalation = risk.escalation
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    console.print(f"Raised [bold]{summary}[/].")
    if escalation != "none":
        where = "the steering agenda" if escalation == "steering" else "program level"
        console.print(f"[bold red]Escalated to {where}[/] under the program's rules.")


@risk_app.command("matrix")
def risk_matrix(
    program: ProgramRef,
    all_: Annotated[bool, typer.Option("--all", help="closed risks too")] = False,
) -> None:
    """The 5×5 probability-impact matrix with the number of risks in each cell."""
    from podium.engine.risks import IMPACT_LABELS, PROBABILITY_LABELS

    require_current_schema()
    try:
        with unit_of_work() as session:
            actor = actor_for(session, None)
            found = programs.find_program(session, actor, program)
            chosen = risks.RiskFilter(live_only=not all_)
            grid = risks.matrix_counts(session, actor, found.id, risk_filter=chosen)
            key = found.key
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    table = Table(
        "probability ↓ / impact →",
        *(f"{i} {IMPACT_LABELS[i]}" for i in range(1, 6)),
        title=f"{key}: risks by probability and impact ({'all' if all_ else 'not closed'})",
        title_justify="left",
        show_lines=True,
    )
    for row in grid:
        p = row[0].probability
        cells = [f"[{BAND_STYLE[c.band]}]{c.count}[/]" if c.count else "[dim]·[/]" for c in row]
        table.add_row(f"{p} {PROBABILITY_LABELS[p]}", *cells)
    console.print(table)
    total = sum(c.count for row in grid for c in row)
    console.print(f"{total} risk{'s' if total != 1 else ''}; colour = score band.")


def _change_risk(
    program: str,
    ref: str,
    updates: dict[str, Any],
    *,
    owner: str | None = None,
    note: str,
    as_user: str | None,
) -> None:
    """Apply ``updates`` (and a new ``owner``, by email) to a risk and say what changed,
    escalation included."""
    watched = ("probability", "impact", "score", "status", "response", "level", "due_date")
    require_current_schema()
    try:
        with unit_of_work() as session:
            actor = actor_for(session, as_user)
            found = find_risk(session, actor, programs.find_program(session, actor, program), ref)
            if owner is not None:
                updates["owner_id"] = actor_for(session, owner).user_id
            before = {name: getattr(found, name) for name in watched}
            owner_before, escalation_before = person(found.owner), found.escalation
            changed = risks.update_risk(session, actor, found.id, updates, note=note)
            session.flush()
            session.refresh(changed)
            moves = [
                f"{name.replace('_', ' ')} {before[name] or '—'} → {getattr(changed, name) or '—'}"
                for name in watched
                if getattr(changed, name) != before[name]
            ]
            if person(changed.owner) != owner_before:
                moves.append(f"owner {owner_before or '—'} → {person(changed.owner) or '—'}")
            label = f"{changed.key} {changed.title}"
            escalation = (escalation_before, changed.escalation)
            own_level = f"{changed.level} level"
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    console.print(f"Updated [bold]{label}[/]: {'; '.join(moves) or 'nothing changed'}.")
    if escalation[0] != escalation[1]:
        where = {"none": own_level, "program": "program level", "steering": "the steering agenda"}
        style = "green" if escalation[1] == "none" else "bold red"
        moved = f"Moved from {where[escalation[0]]} to {where[escalation[1]]}"
        console.print(f"[{style}]{moved}[/] under the program's rules.")


@risk_app.command("update")
def risk_update(
    program: ProgramRef,
    risk: RiskRef,
    probability: Annotated[
        int | None, typer.Option("--probability", "-p", min=1, max=5, help="1-5")
    ] = None,
    impact: Annotated[int | None, typer.Option("--impact", "-i", min=1, max=5, help="1-5")] = None,
    status: Annotated[
        str | None, typer.Option(help="open, mitigating, realized or closed (managers)")
    ] = None,
    owner: Annotated[str | None, typer.Option(help="owner's email (a member)")] = None,
    no_owner: Annotated[bool, typer.Option("--no-owner", help="leave it without an owner")] = False,
    response: Annotated[
        str | None, typer.Option(help="avoid, mitigate, transfer or accept")
    ] = None,
    due: Annotated[str | None, typer.Option(help="response due date YYYY-MM-DD")] = None,
    level: Annotated[str | None, typer.Option(help="task, project or program")] = None,
    title: Annotated[str | None, typer.Option(help="what might happen")] = None,
    cause: Annotated[str | None, typer.Option(help="what could make it happen")] = None,
    effect: Annotated[str | None, typer.Option(help="what happens if it does")] = None,
    note: Annotated[str, typer.Option(help="why, kept in the risk's history")] = "",
    as_user: AsUser = None,
) -> None:
    """Change a risk's ratings, status, owner or response; the escalation rules apply again."""
    if owner is not None and no_owner:
        raise fail("give --owner or --no-owner, not both")
    for value, allowed, option in (
        (status, RISK_STATUSES, "--status"),
        (response, RISK_RESPONSES, "--response"),
        (level, RISK_LEVELS, "--level"),
    ):
        if value is not None:
            _choice(value, allowed, option)
    updates: dict[str, Any] = {
        name: value
        for name, value in (
            ("probability", probability),
            ("impact", impact),
            ("status", status),
            ("response", response),
            ("level", level),
            ("title", title.strip() if title is not None else None),
            ("cause", cause),
            ("effect", effect),
        )
        if value is not None
    }
    if no_owner:
        updates["owner_id"] = None
    if due is not None:
        updates["due_date"] = parse_day(due, "--due")
    if not updates and owner is None:
        raise fail("nothing to change: give at least one of the options (see --help)")
    _change_risk(program, risk, updates, owner=owner, note=note, as_user=as_user)


@risk_app.command("close")
def risk_close(
    program: ProgramRef,
    risk: RiskRef,
    note: Annotated[str, typer.Option(help="why it is no longer a threat")] = "",
    as_user: AsUser = None,
) -> None:
    """Close a risk that is no longer a threat (managers); the day is kept."""
    _change_risk(program, risk, {"status": "closed"}, note=note, as_user=as_user)


@risk_app.command("realize")
def risk_realize(
    program: ProgramRef,
    risk: RiskRef,
    note: Annotated[str, typer.Option(help="what happened")] = "",
    as_user: AsUser = None,
) -> None:
    """Mark a risk as happened: it becomes an issue (the day is kept)."""
    _change_risk(program, risk, {"status": "realized"}, note=note, as_user=as_user)

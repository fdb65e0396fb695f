"""Commands on the risk register and the benefits: list, add, the matrix, measure."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from podium.cli._app import actor_for, app, console, fail, print_problems, require_current_schema
from podium.engine.risks import RISK_LEVELS, RISK_RESPONSES, RISK_STATUSES
from podium.errors import PodiumError
from podium.services import benefits, programs, risks
from podium.services.uow import unit_of_work

risk_app = typer.Typer(help="The risk and issue register.", no_args_is_help=True)
benefit_app = typer.Typer(help="Benefits: the KPIs a program exists to move.", no_args_is_help=True)
app.add_typer(risk_app, name="risk")
app.add_typer(benefit_app, name="benefit")

ProgramRef = Annotated[str, typer.Argument(help="program key or id")]
AsUser = Annotated[
    str | None, typer.Option("--as", help="act as this user (email); default: the system")
]
BAND_STYLE = {"low": "green", "medium": "yellow", "high": "dark_orange", "critical": "bold red"}


def _choice(value: str, allowed: tuple[str, ...], option: str) -> str:
    if value not in allowed:
        raise fail(f"{option} must be one of {', '.join(allowed)}, not {value!r}")
    return value


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
    from podium.engine.risks import score_band

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
                    (r.owner.name or r.owner.email) if r.owner else "",
                    ", ".join(sorted({p.key for p in r.projects} | {t.key for t in r.tasks})),
                    f"{open_actions} open" if open_actions else "",
                )
            key = found.key
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
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
    try:
        due_date = date.fromisoformat(due) if due else None
    except ValueError as exc:
        raise fail(f"--due must be YYYY-MM-DD, not {due!r}") from exc
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
                title=title,
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


@benefit_app.command("list")
def benefit_list(program: ProgramRef) -> None:
    """Each KPI: baseline, target, latest reading, realization against the linear path."""
    require_current_schema()
    table = Table(
        "id", "benefit", "baseline", "target", "by", "latest", "realized", "expected", "state"
    )
    styles = {"met": "green", "on_track": "green", "behind": "yellow", "off_track": "red"}
    try:
        with unit_of_work() as session:
            actor = actor_for(session, None)
            found = programs.find_program(session, actor, program)
            for view in benefits.list_benefits(session, actor, found.id):
                b, r = view.benefit, view.realization
                table.add_row(
                    str(b.id),
                    ("★ " if b.is_goal else "") + b.name + (f" ({b.unit})" if b.unit else ""),
                    f"{b.baseline_value:g}",
                    f"{b.target_value:g}",
                    str(b.target_date),
                    f"{r.latest.value:g} on {r.latest.on}" if r.latest else "—",
                    f"{r.realization_pct:.1f} %" if r.realization_pct is not None else "—",
                    f"{r.expected_pct:.1f} %",
                    f"[{styles.get(r.state, 'dim')}]{r.state.replace('_', ' ')}[/]",
                )
            key = found.key
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    table.title = f"{key}: benefits (★ the goal's KPI)"
    table.title_justify = "left"
    console.print(table)


@benefit_app.command("measure")
def benefit_measure(
    program: ProgramRef,
    benefit: Annotated[str, typer.Argument(help="benefit id or name")],
    value: Annotated[float, typer.Option(help="the reading")],
    on: Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD (default: today)")] = None,
    source: Annotated[str, typer.Option(help="where the number comes from")] = "",
    note: Annotated[str, typer.Option(help="anything worth knowing about it")] = "",
    as_user: AsUser = None,
) -> None:
    """Record a measurement of a KPI (one per day)."""
    from datetime import UTC, datetime

    try:
        day = date.fromisoformat(on) if on else datetime.now(UTC).date()
    except ValueError as exc:
        raise fail(f"--date must be YYYY-MM-DD, not {on!r}") from exc
    require_current_schema()
    try:
        with unit_of_work() as session:
            actor = actor_for(session, as_user)
            found = programs.find_program(session, actor, program)
            views = benefits.list_benefits(session, actor, found.id)
            chosen = next(
                (
                    v.benefit
                    for v in views
                    if str(v.benefit.id) == benefit or v.benefit.name == benefit
                ),
                None,
            )
            if chosen is None:
                names = ", ".join(f"{v.benefit.id} {v.benefit.name!r}" for v in views) or "none"
                raise fail(f"no benefit {benefit!r} in {found.key} (there are: {names})")
            benefits.add_measurement(
                session, actor, chosen.id, measured_on=day, value=value, source=source, note=note
            )
            session.flush()
            session.expire_all()
            view = benefits.describe(session, benefits.get_benefit(session, actor, chosen.id))
            r = view.realization
            summary = f"{chosen.name} = {value:g} on {day}"
            realized = (
                f"{r.realization_pct:.1f} % realized, {r.expected_pct:.1f} % expected by the path"
                if r.realization_pct is not None
                else ""
            )
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    console.print(f"Recorded [bold]{summary}[/]. {realized}")

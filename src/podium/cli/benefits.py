"""Commands on the benefits, the KPIs a program exists to move: list, add, measure."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

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
from podium.engine.benefits import DIRECTIONS
from podium.errors import PodiumError
from podium.models import Benefit, Program
from podium.services import benefits, programs
from podium.services.actor import Actor
from podium.services.uow import unit_of_work

benefit_app = typer.Typer(help="Benefits: the KPIs a program exists to move.", no_args_is_help=True)
app.add_typer(benefit_app, name="benefit")


def _find_benefit(session: Session, actor: Actor, program: Program, ref: str) -> Benefit:
    """A benefit of the program by id or exact name."""
    views = benefits.list_benefits(session, actor, program.id)
    chosen = next(
        (v.benefit for v in views if str(v.benefit.id) == ref or v.benefit.name == ref), None
    )
    if chosen is None:
        names = ", ".join(f"{v.benefit.id} {v.benefit.name!r}" for v in views) or "none"
        raise fail(f"no benefit {ref!r} in {program.key} (there are: {names})")
    return chosen


def _realized(view: benefits.BenefitView) -> str:
    r = view.realization
    if r.realization_pct is None:
        return ""
    return f"{r.realization_pct:.1f} % realized, {r.expected_pct:.1f} % expected by the path"


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


@benefit_app.command("add")
def benefit_add(
    program: ProgramRef,
    name: Annotated[str, typer.Argument(help="what is measured, e.g. 'support tickets per month'")],
    baseline: Annotated[float, typer.Option(help="the value before the program")],
    target: Annotated[float, typer.Option(help="the value the program aims for")],
    by: Annotated[str, typer.Option("--by", help="target date YYYY-MM-DD")],
    direction: Annotated[
        str | None,
        typer.Option(help="up or down: which way is good (default: from baseline to target)"),
    ] = None,
    unit: Annotated[str, typer.Option(help="e.g. tickets, %, EUR")] = "",
    description: Annotated[str, typer.Option(help="more detail")] = "",
    baseline_date: Annotated[
        str | None, typer.Option(help="YYYY-MM-DD (default: the program's start)")
    ] = None,
    goal: Annotated[
        bool, typer.Option("--goal", help="the goal's KPI (replaces the current one)")
    ] = False,
    project: Annotated[
        list[str] | None, typer.Option(help="contributing project key (repeatable)")
    ] = None,
    as_user: AsUser = None,
) -> None:
    """Define a benefit KPI (managers): baseline, target and the date it is due by."""
    target_date = parse_day(by, "--by")
    start = parse_day(baseline_date, "--baseline-date") if baseline_date else None
    if direction is None:
        direction = "down" if target < baseline else "up"
    if direction not in DIRECTIONS:
        raise fail(f"--direction must be one of {', '.join(DIRECTIONS)}, not {direction!r}")
    require_current_schema()
    try:
        with unit_of_work() as session:
            actor = actor_for(session, as_user)
            found = programs.find_program(session, actor, program)
            known = {p.key: p.id for p in found.projects}
            unknown = [k for k in project or [] if k not in known]
            if unknown:
                raise fail(f"no project {unknown[0]} in {found.key}")
            benefit = benefits.create_benefit(
                session,
                actor,
                program_id=found.id,
                name=name,
                baseline_value=baseline,
                target_value=target,
                target_date=target_date,
                direction=direction,
                unit=unit,
                description=description,
                baseline_date=start,
                is_goal=goal,
                project_ids=[known[k] for k in project or []],
            )
            session.flush()
            summary = (
                f"{benefit.name} (id {benefit.id}) in {found.key}: "
                f"{baseline:g} → {target:g}{f' {unit}' if unit else ''} by {target_date}"
            )
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    console.print(f"Defined [bold]{summary}[/]{' as the goal KPI' if goal else ''}.")


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
    day = parse_day(on, "--date") if on else datetime.now(UTC).date()
    require_current_schema()
    try:
        with unit_of_work() as session:
            actor = actor_for(session, as_user)
            found = programs.find_program(session, actor, program)
            chosen = _find_benefit(session, actor, found, benefit)
            benefits.add_measurement(
                session, actor, chosen.id, measured_on=day, value=value, source=source, note=note
            )
            session.flush()
            session.expire_all()
            view = benefits.describe(session, benefits.get_benefit(session, actor, chosen.id))
            summary = f"{chosen.name} = {value:g} on {day}"
            realized = _realized(view)
    except PodiumError as exc:
        print_problems(exc)
        raise typer.Exit(1) from exc
    console.print(f"Recorded [bold]{summary}[/]. {realized}")

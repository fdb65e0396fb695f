"""Commands on what-if scenarios: create (copy the plan), list, compare, apply, discard."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from podium.cli._app import app, console, err, print_problems, require_current_schema
from podium.errors import PodiumError
from podium.models import ScenarioStatus
from podium.services import programs
from podium.services import scenarios as service
from podium.services.actor import SYSTEM
from podium.services.uow import unit_of_work

scenario_app = typer.Typer(
    help="What-if scenarios: copy the plan, compare, apply or discard.", no_args_is_help=True
)
app.add_typer(scenario_app, name="scenario")

ProgramArg = Annotated[str, typer.Argument(help="program key or id")]
ScenarioArg = Annotated[str, typer.Argument(help="scenario id, CLOUD~S2 or CLOUD/S2")]


def _refused(exc: PodiumError) -> typer.Exit:
    conflicts = exc.details.get("conflicts") if isinstance(exc.details, dict) else None
    if conflicts:
        err.print(f"[bold red]error:[/] {exc.message.split(':')[0]}")
        table = Table("record", "change", "what happened", title=f"{len(conflicts)} conflict(s)")
        for c in conflicts:
            table.add_row(f"{c['kind']} {c['key']}", c["change"], c["message"])
        err.print(table)
    else:
        print_problems(exc)
    return typer.Exit(1)


@scenario_app.command("create")
def scenario_create(
    program: ProgramArg,
    name: Annotated[str, typer.Argument(help="what the scenario tries")],
    description: Annotated[str, typer.Option("--description", "-d")] = "",
) -> None:
    """Copy a program's live plan into a new scenario, to edit without touching the plan."""
    require_current_schema()
    try:
        with unit_of_work() as session:
            found = programs.find_program(session, SYSTEM, program)
            scenario = service.create_scenario(
                session, SYSTEM, found.id, name=name, description=description
            )
            copy = service.copy_of(scenario)
            line = (
                f"created scenario S{scenario.number} {scenario.name!r} (id {scenario.id}): "
                f"edit program {copy.key} (id {copy.id}) without touching {found.key}"
            )
    except PodiumError as exc:
        raise _refused(exc) from exc
    console.print(line)


@scenario_app.command("list")
def scenario_list(
    program: ProgramArg,
    all_: Annotated[bool, typer.Option("--all", help="also applied and discarded")] = False,
) -> None:
    """A program's scenarios, newest first."""
    require_current_schema()
    table = Table("id", "scenario", "status", "copy", "created by", "created")
    try:
        with unit_of_work() as session:
            found = programs.find_program(session, SYSTEM, program)
            status = None if all_ else ScenarioStatus.ACTIVE
            items, _ = service.list_scenarios(session, SYSTEM, found.id, status=status)
            for s in items:
                copy = service.copy_of(s).key if s.copy_program_id else "—"
                table.add_row(
                    str(s.id),
                    f"S{s.number} {s.name}",
                    s.status.value,
                    copy,
                    s.created_by,
                    s.created_at.date().isoformat(),
                )
    except PodiumError as exc:
        raise _refused(exc) from exc
    console.print(table)


def _day(value: Any) -> str:
    return "—" if value is None else str(value)


def _slip(value: int | None) -> str:
    return "" if not value else f"{value:+d} wd"


@scenario_app.command("compare")
def scenario_compare(
    scenario: ScenarioArg,
    baseline: Annotated[int | None, typer.Option("--baseline", help="baseline id")] = None,
    format: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """The scenario side by side with the live plan (and a baseline)."""
    require_current_schema()
    try:
        with unit_of_work() as session:
            found = service.find_scenario(session, SYSTEM, scenario)
            view = service.compare_scenario(session, SYSTEM, found.id, baseline_id=baseline)
    except PodiumError as exc:
        raise _refused(exc) from exc
    if format == "json":
        typer.echo(json.dumps(view, indent=2, default=str))
        return
    columns = ["", "live", "scenario", "slip"] + (["baseline"] if view["baseline"] else [])
    table = Table(*columns, title=f"S{view['scenario']['number']} {view['scenario']['name']}")

    def row(label: str, cells: dict[str, Any]) -> None:
        extra = [_day(cells.get("baseline"))] if view["baseline"] else []
        table.add_row(
            label, _day(cells["live"]), _day(cells["scenario"]), _slip(cells.get("slip")), *extra
        )

    row("program finish", view["program"]["finish"])
    p80 = view["program"]["p80"]
    if p80["live"] or p80["scenario"]:
        row("program P80", p80)
    for m in view["milestones"]:
        row(f"{m['key']} {m['name']}", m)
    for p in view["projects"]:
        row(f"project {p['key']}", p)
    cost = view["cost"]
    extra = [f"{cost['baseline']:,.0f}"] if view["baseline"] else []
    table.add_row("cost", f"{cost['live']:,.0f}", f"{cost['scenario']:,.0f}", "", *extra)
    for r in view["resources"]:
        table.add_row(f"{r['name']} over-allocated days", str(r["live"]), str(r["scenario"]), "")
    console.print(table)
    scope = view["scope"]
    for label, key in (
        ("added", "tasks_added"),
        ("removed", "tasks_removed"),
        ("changed", "tasks_changed"),
    ):
        if scope[key]:
            console.print(f"tasks {label}: " + ", ".join(t["key"] for t in scope[key]))


@scenario_app.command("apply")
def scenario_apply(scenario: ScenarioArg) -> None:
    """Apply the scenario to the live plan in one transaction; refused, with the list of
    conflicts, if the live plan changed since the copy."""
    require_current_schema()
    try:
        with unit_of_work() as session:
            found = service.find_scenario(session, SYSTEM, scenario)
            service.apply_scenario(session, SYSTEM, found.id)
            outcome = found.outcome or {}
            line = f"applied S{found.number} {found.name}"
    except PodiumError as exc:
        raise _refused(exc) from exc
    counts = outcome.get("applied", {})
    parts = [
        f"{what} {n} {kind}"
        for what in ("created", "updated", "deleted")
        for kind, n in sorted(counts.get(what, {}).items())
    ]
    console.print(line + (": " + ", ".join(parts) if parts else " (no differences)"))


@scenario_app.command("discard")
def scenario_discard(scenario: ScenarioArg) -> None:
    """Give a scenario up: its copy of the plan is deleted."""
    require_current_schema()
    try:
        with unit_of_work() as session:
            found = service.find_scenario(session, SYSTEM, scenario)
            service.discard_scenario(session, SYSTEM, found.id)
            line = f"discarded S{found.number} {found.name}"
    except PodiumError as exc:
        raise _refused(exc) from exc
    console.print(line)

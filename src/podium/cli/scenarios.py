"""Commands on what-if scenarios: create (copy the plan), list, compare, apply, discard,
rename and delete.

``rename`` and ``delete`` name a scenario within its program (``S2`` or its name);
``--as EMAIL`` acts as that user (only managers and owners change scenarios), else the
system.
"""

from __future__ import annotations

import re
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from podium.cli._app import (
    AsUser,
    actor_for,
    app,
    checked_text,
    console,
    err,
    fail,
    in_options,
    print_problems,
    require_current_schema,
    service_work,
)
from podium.cli.scenario_view import (
    clash_warning,
    compare_table,
    conflicts_table,
    hours_changed,
    p80_notes,
    scope_changes,
)
from podium.errors import PodiumError
from podium.models import Program, Role, Scenario, ScenarioStatus
from podium.services import programs
from podium.services import scenarios as service
from podium.services.actor import SYSTEM, Actor, require_role
from podium.services.uow import unit_of_work

# the service's fields as `scenario create` takes them
CREATE_OPTIONS = {"name": "NAME", "description": "--description"}

scenario_app = typer.Typer(
    help="What-if scenarios: copy the plan, compare, apply or discard.", no_args_is_help=True
)
app.add_typer(scenario_app, name="scenario")

ProgramArg = Annotated[str, typer.Argument(help="program key or id")]
ScenarioArg = Annotated[
    str,
    typer.Argument(
        metavar="SCENARIO", help="scenario id, CLOUD~S2 or CLOUD/S2; or the program, then NAME"
    ),
]
InProgram = Annotated[
    str | None,
    typer.Argument(metavar="[NAME]", help="after a program: S2 or the scenario's name (any case)"),
]


def _refused(exc: PodiumError) -> typer.Exit:
    conflicts = exc.details.get("conflicts") if isinstance(exc.details, dict) else None
    if conflicts:
        err.print(f"[bold red]error:[/] {exc.message.split(':')[0]}")
        err.print(conflicts_table(conflicts))
    else:
        print_problems(exc)
    return typer.Exit(1)


@scenario_app.command("create")
def scenario_create(
    program: ProgramArg,
    name: Annotated[str, typer.Argument(help="what the scenario tries")],
    description: Annotated[str, typer.Option("--description", "-d")] = "",
    as_user: AsUser = None,
) -> None:
    """Copy a program's live plan into a new scenario, to edit without touching the plan."""
    require_current_schema()
    try:
        with unit_of_work() as session:
            actor = actor_for(session, as_user)
            found = programs.find_program(session, actor, program)
            scenario = service.create_scenario(
                session, actor, found.id, name=name, description=description
            )
            copy = service.copy_of(scenario)
            line = (
                f"created scenario S{scenario.number} {scenario.name!r} (id {scenario.id}): "
                f"edit program {copy.key} (id {copy.id}) without touching {found.key}"
            )
    except PodiumError as exc:  # a name or description refused: told as typed
        raise _refused(in_options(exc, CREATE_OPTIONS)) from exc
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
            key = found.key
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
    if not items:
        create = f"`podium scenario create {key} NAME`"
        if all_:
            console.print(f"No scenario in {key} yet: start one with {create}.")
        else:
            console.print(
                f"No active scenario in {key} (--all lists applied and discarded ones too): "
                f"start one with {create}."
            )
        return
    console.print(table)


@scenario_app.command("compare")
def scenario_compare(
    scenario: ScenarioArg,
    name: InProgram = None,
    baseline: Annotated[int | None, typer.Option("--baseline", help="baseline id")] = None,
    format: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """The scenario side by side with the live plan (and a baseline): dates, P80s, cost,
    over-allocation, every change applying would write, and the clashes with the live
    plan that would refuse it."""
    if format not in ("table", "json"):
        raise fail(f"--format must be table or json, not {format!r}")
    require_current_schema()
    try:
        with unit_of_work() as session:
            found = _scenario(session, scenario, name)
            view = service.compare_scenario(session, SYSTEM, found.id, baseline_id=baseline)
            clashes = service.find_conflicts(session, found)
            live = programs.get_program(session, SYSTEM, found.program_id)
            # the live program's: the cost row names it once, as a table's heading would
            currency, keys = live.currency, (live.key, service.copy_of(found).key)
    except PodiumError as exc:
        raise _refused(exc) from exc
    if format == "json":
        # the API's model, so the keys are the API's; imported here, as FastAPI's import
        # would cost every command its time
        from podium.api.scenarios import CompareOut

        typer.echo(CompareOut.model_validate(view).model_dump_json(indent=2))
        clash_warning(err, clashes)
        return
    compare_table(view, currency)
    p80_notes(view["program"]["p80"], keys)
    scope_changes(view["scope"])
    hours_changed(view["hours_changed"], "scenario")
    clash_warning(console, clashes)


@scenario_app.command("apply")
def scenario_apply(scenario: ScenarioArg, name: InProgram = None, as_user: AsUser = None) -> None:
    """Apply the scenario to the live plan in one transaction; refused, with the list of
    conflicts, if the live plan changed since the copy."""
    require_current_schema()
    try:
        with unit_of_work() as session:
            actor = actor_for(session, as_user)
            found = _scenario(session, scenario, name)
            service.apply_scenario(session, actor, found.id)
            outcome = found.outcome or {}
            line = f"applied S{found.number} {found.name}"
    except PodiumError as exc:
        raise _refused(exc) from exc
    parts = service.applied_in_words(outcome.get("applied"))
    console.print(line + (": " + ", ".join(parts) if parts else " (no differences)"))
    hours_changed(outcome.get("hours_changed"), "applied")


@scenario_app.command("discard")
def scenario_discard(scenario: ScenarioArg, name: InProgram = None, as_user: AsUser = None) -> None:
    """Give a scenario up: its copy of the plan is deleted."""
    require_current_schema()
    try:
        with unit_of_work() as session:
            actor = actor_for(session, as_user)
            found = _scenario(session, scenario, name)
            service.discard_scenario(session, actor, found.id)
            line = f"discarded S{found.number} {found.name}"
    except PodiumError as exc:
        raise _refused(exc) from exc
    console.print(line)


# --- rename and delete, naming the scenario within its program -----------------------------

ScenarioName = Annotated[
    str,
    typer.Argument(metavar="NAME", help="the scenario: S2, CLOUD~S2 or its name (any case)"),
]
# what the service takes, however it is given
TEXT_LENGTHS = {"NEW": service.NAME_LENGTH, "--description": service.DESCRIPTION_LENGTH}


def _in_program(session: Session, actor: Actor, program: Program, ref: str) -> Scenario:
    """The program's scenario by key (``S2``, ``CLOUD~S2``, ``CLOUD/S2``) or by name, any
    case; unknown or ambiguous: the command fails, naming those there are."""
    known, _total = service.list_scenarios(session, actor, program.id, limit=10_000)
    text = ref.strip()
    key = re.fullmatch(rf"(?:{re.escape(program.key)}[~/])?S(\d+)", text, re.IGNORECASE)
    found = [s for s in known if key is not None and s.number == int(key.group(1))]
    found = found or [s for s in known if s.name.casefold() == text.casefold()]
    if len(found) > 1:
        keys = ", ".join(f"S{s.number}" for s in found)
        raise fail(escape(f"{len(found)} scenarios of {program.key} are named {text!r}: give one "
                          f"of {keys}"))  # fmt: skip
    if not found:
        there = ", ".join(f"S{s.number} {s.name!r}" for s in known) or "none yet"
        raise fail(escape(f"no scenario {text!r} in {program.key} (there are: {there})"))
    return found[0]


def _scenario(session: Session, first: str, name: str | None) -> Scenario:
    """The scenario ``first`` names (an id, ``CLOUD~S2``, ``CLOUD/S2``), or, with ``name``,
    the scenario of program ``first`` that ``name`` names (``S2`` or its name), as the
    rename and delete commands take it."""
    if name is None:
        return service.find_scenario(session, SYSTEM, first)
    program = programs.find_program(session, SYSTEM, first)
    return _in_program(session, SYSTEM, program, name)


@scenario_app.command("rename")
def scenario_rename(
    program: ProgramArg,
    scenario: ScenarioName,
    new: Annotated[str, typer.Argument(metavar="NEW", help="its new name")],
    description: Annotated[str | None, typer.Option("--description", "-d")] = None,
    as_user: AsUser = None,
) -> None:
    """Rename an active scenario (managers); its copy of the plan takes the new name."""
    updates = {"name": checked_text(new, "NEW", TEXT_LENGTHS["NEW"], required=True)}
    if description is not None:
        updates["description"] = checked_text(
            description, "--description", TEXT_LENGTHS["--description"]
        )
    with service_work() as session:
        actor = actor_for(session, as_user)
        found = programs.find_program(session, actor, program)
        chosen = _in_program(session, actor, found, scenario)
        before = {field: getattr(chosen, field) for field in updates}
        service.update_scenario(session, actor, chosen.id, updates, expected_version=chosen.version)
        title = f"S{chosen.number} of {found.key}"
        changed = [f for f, old in before.items() if getattr(chosen, f) != old]
    if not changed:
        console.print(f"Nothing changed: scenario {title} already has that name.")
    elif "name" in changed:
        moved = f"{before['name']!r} → {chosen.name!r}"
        console.print(escape(f"Renamed scenario {title}: {moved}") + ".")
    if "description" in changed:
        console.print(f"Updated the description of scenario {title}.")


@scenario_app.command("delete")
def scenario_delete(
    program: ProgramArg,
    scenario: ScenarioName,
    yes: Annotated[bool, typer.Option("--yes", help="really delete it")] = False,
    as_user: AsUser = None,
) -> None:
    """Delete a scenario altogether, with its copy of the plan (managers); the live plan
    does not change. (`scenario discard` keeps its record.)"""
    with service_work() as session:
        actor = actor_for(session, as_user)
        found = programs.find_program(session, actor, program)
        chosen = _in_program(session, actor, found, scenario)
        copy = service.copy_of(chosen).key if chosen.copy_program_id else None
        held = f", with its copy {copy}" if copy else ""
        what = escape(f"scenario S{chosen.number} {chosen.name!r} of {found.key} "
                      f"({chosen.status.value}{held})")  # fmt: skip
        require_role(session, actor, found.id, Role.MANAGER)  # before saying what would go
        if not yes:
            keep = f" (`podium scenario discard {copy}` keeps its record)" if copy else ""
            raise fail(f"this would delete {what}: run again with --yes to delete it{keep}")
        service.delete_scenario(session, actor, chosen.id, expected_version=chosen.version)
    console.print(f"Deleted {what}.")

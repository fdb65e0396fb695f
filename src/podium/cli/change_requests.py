"""Raising, changing and withdrawing a change request from the command line, with the
same changes the API takes, each task or milestone named by its key (listing, approving
and rejecting are in :mod:`podium.cli.governance`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
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
    service_work,
)
from podium.cli.governance import EVERY, ChangeRef, change_app, open_request, print_changes
from podium.cli.programs import counted
from podium.currency import with_currency
from podium.engine.impact import CHANGE_DAYS
from podium.errors import ValidationFailed
from podium.models import Program
from podium.services import dependencies, programs
from podium.services.actor import Actor
from podium.services.dependencies import EndRef
from podium.services.pages_tasks import find_activity

# --- raising, changing and withdrawing a change request ----------------------------

# what the API takes (podium.api.change_requests, podium.api.schedule.ChangeIn)
CR_TEXT_LENGTHS = {"--title": 300, "--rationale": 20_000, "--requested-by": 320, "--scope": 20_000}
MAX_CHANGES, MAX_DAYS, MAX_BUDGET = 200, 10_000, 1e12
LINK_TYPES = ("FS", "SS", "FF", "SF")
CR_LABELS = {"changes": "plan changes", "budget_changes": "budget changes"}
CR_LABELS |= {"scope_change": "scope", "requested_by": "requested by"}
CHANGE_FIELD = re.compile(r"\b((?:budget_)?changes)\.(\d+)(?:\.\w+)?")
TASK_CHANGES = {"--slip": "slip", "--delay-start": "delay_start", "--duration": "set_duration"}
PLAN_ORDER = ("--remove-link", "--add-link", *TASK_CHANGES)  # the order plan_changes gives

Slips = Annotated[
    list[str] | None, typer.Option("--slip", help="TASK=DAYS: it takes DAYS more working days")
]
Delays = Annotated[
    list[str] | None,
    typer.Option("--delay-start", help="TASK=DAYS: it starts no earlier than DAYS later"),
]
Durations = Annotated[
    list[str] | None, typer.Option("--duration", help="TASK=DAYS: it takes DAYS working days")
]
AddLinks = Annotated[
    list[str] | None,
    typer.Option("--add-link", help="PRED:SUCC[:TYPE[:LAG]]: a new dependency, e.g. PLAT-3:M1"),
]
RemoveLinks = Annotated[
    list[str] | None, typer.Option("--remove-link", help="PRED:SUCC: without that dependency")
]
RequestedBy = Annotated[str, typer.Option("--requested-by", help="who asks (default: your name)")]
Budgets = Annotated[
    list[str] | None, typer.Option("--budget", help="TASK=AMOUNT: the task's new planned cost")
]


def impact_line(impact: dict[str, Any], currency: str | None) -> str:
    """A change request's impact in one sentence: finish, milestones, cost (in the
    program's ``currency``), or why it no longer applies."""
    if not impact["applicable"]:
        problems = "; ".join(p["message"] for p in impact["problems"])
        return escape(f"It does not apply to the plan as it is now: {problems}.")
    schedule, parts = impact["schedule"], []
    if schedule:
        delta = schedule["finish_delta"]
        parts.append(f"finish {delta:+d} working days" if delta else "finish unchanged")
        moved = ", ".join(f"{m['key']} {m['finish_delta']:+d}" for m in schedule["milestones"])
        parts += [f"milestones {moved}"] if moved else []
    if cost := impact["cost"]["delta"]:
        parts.append(f"cost {with_currency(f'{cost:+,.0f}', currency)}")
    return f"Impact: {'; '.join(parts)}." if parts else "Impact: no date or cost moves."


def _task_id(session: Session, program: Program, key: str, option: str) -> int:
    """The id of the task with this key; a milestone's key or an unknown one fails."""
    end = find_activity(session, program.id, key, field=option)
    if end.type != "task":
        raise fail(escape(f"{option}: {key} is a milestone; this change applies to tasks"))
    return end.id


def _keyed(spec: str, option: str, form: str) -> tuple[str, str]:
    """``KEY=VALUE`` split; anything else fails the command."""
    key, sep, value = (part.strip() for part in spec.partition("="))
    if not sep or not key or not value:
        raise fail(escape(f"{option} takes {form}, e.g. PLAT-5=3, not {spec!r}"))
    return key, value


def _days(text: str, option: str) -> int:
    """A whole number of working days within the API's limits."""
    try:
        days = int(text)
    except ValueError:
        raise fail(escape(f"{option}: {text!r} is not a whole number of working days")) from None
    if abs(days) > MAX_DAYS:
        raise fail(f"{option}: between -{MAX_DAYS} and {MAX_DAYS} working days, not {days}")
    return days


def _link(
    session: Session, program: Program, spec: str, option: str
) -> tuple[EndRef, EndRef, list[str]]:
    """``PRED:SUCC`` (and for --add-link ``:TYPE:LAG``): the two ends and what follows."""
    parts = [part.strip() for part in spec.split(":")]
    most = 4 if option == "--add-link" else 2
    if not 2 <= len(parts) <= most or not all(parts):
        form = "PRED:SUCC[:TYPE[:LAG]]" if option == "--add-link" else "PRED:SUCC"
        raise fail(escape(f"{option} takes {form}, e.g. PLAT-3:M1, not {spec!r}"))
    before, after = (find_activity(session, program.id, key, field=option) for key in parts[:2])
    return before, after, parts[2:]


def _dependency_id(
    session: Session, actor: Actor, program: Program, before: EndRef, after: EndRef, spec: str
) -> int:
    """The dependency from ``before`` to ``after``; none fails the command."""
    task_id, milestone_id = (before.id, None) if before.type == "task" else (None, before.id)
    views, _ = dependencies.list_dependencies(
        session, actor, program_id=program.id, task_id=task_id, milestone_id=milestone_id,
        limit=EVERY,
    )  # fmt: skip
    for view in views:
        ends = (
            EndRef(view.predecessor.type, view.predecessor.id),
            EndRef(view.successor.type, view.successor.id),
        )
        if ends == (before, after):
            return view.dependency.id
    raise fail(escape(f"--remove-link: no dependency {spec.strip()} in {program.key}"))


def check_days(specs: dict[str, list[str]]) -> None:
    """Refuse a slip, delay or duration outside the API's range, naming the option (a
    spec that is not ``TASK=DAYS`` is left to :func:`plan_changes` to explain)."""
    for option, kind in TASK_CHANGES.items():
        fewest, what = CHANGE_DAYS[kind]
        for spec in specs[option]:
            try:
                days = int(spec.partition("=")[2].strip())
            except ValueError:
                continue
            if not fewest <= days <= MAX_DAYS:
                raise fail(
                    escape(
                        f"{option} {spec.strip()}: {what} is {fewest} to {MAX_DAYS} working days"
                    )
                )


def plan_changes(
    session: Session, actor: Actor, program: Program, specs: dict[str, list[str]]
) -> list[dict[str, Any]]:
    """The changes the options describe, as the API takes them: links removed first (so a
    request may re-add one with another type or lag), then links added, then task changes."""
    check_days(specs)
    out: list[dict[str, Any]] = []
    for spec in specs["--remove-link"]:
        before, after, _ = _link(session, program, spec, "--remove-link")
        dependency_id = _dependency_id(session, actor, program, before, after, spec)
        out.append({"type": "remove_dependency", "dependency_id": dependency_id})
    for spec in specs["--add-link"]:
        before, after, rest = _link(session, program, spec, "--add-link")
        kind = rest[0].upper() if rest else "FS"
        if kind not in LINK_TYPES:
            raise fail(escape(f"--add-link: the type is FS, SS, FF or SF, not {rest[0]!r}"))
        out.append({
            "type": "add_dependency", "dependency_type": kind,
            "predecessor": {"type": before.type, "id": before.id},
            "successor": {"type": after.type, "id": after.id},
            "lag": _days(rest[1], "--add-link") if len(rest) > 1 else 0,
        })  # fmt: skip
    for option, kind in TASK_CHANGES.items():  # in PLAN_ORDER
        for spec in specs[option]:
            key, days = _keyed(spec, option, "TASK=DAYS")
            task_id = _task_id(session, program, key, option)
            out.append({"type": kind, "task_id": task_id, "days": _days(days, option)})
    if len(out) > MAX_CHANGES:
        raise fail(f"a change request carries at most {MAX_CHANGES} changes, not {len(out)}")
    return out


def budget_changes(session: Session, program: Program, specs: list[str]) -> list[dict[str, Any]]:
    """``--budget TASK=AMOUNT`` each, as the API takes them."""
    if len(specs) > MAX_CHANGES:
        raise fail(f"a change request carries at most {MAX_CHANGES} budget changes")
    out = []
    for spec in specs:
        key, text = _keyed(spec, "--budget", "TASK=AMOUNT")
        try:
            amount = float(text.replace(",", ""))
        except ValueError:
            raise fail(escape(f"--budget: {text!r} is not an amount")) from None
        if not 0 <= amount <= MAX_BUDGET:
            raise fail(escape(f"--budget: between 0 and {MAX_BUDGET:,.0f}, not {text}"))
        out.append({"task_id": _task_id(session, program, key, "--budget"), "budget": amount})
    return out


@contextmanager
def options_named(specs: dict[str, list[str]], budgets: list[str]) -> Iterator[None]:
    """A refusal about ``changes.2`` or ``budget_changes.0`` names the option that gave it."""
    given = [f"{option} {spec.strip()}" for option in PLAN_ORDER for spec in specs[option]]
    names = {f"changes.{i}": text for i, text in enumerate(given)}
    names |= {f"budget_changes.{i}": f"--budget {spec.strip()}" for i, spec in enumerate(budgets)}

    def named(text: str) -> str:
        return CHANGE_FIELD.sub(lambda m: names.get(f"{m[1]}.{m[2]}", m[0]), text)

    try:
        yield
    except ValidationFailed as exc:
        details = exc.details if isinstance(exc.details, list) else []
        problems = [
            {**d, "field": named(str(d.get("field"))), "message": named(str(d.get("message", "")))}
            for d in details
            if isinstance(d, dict)
        ]
        raise ValidationFailed(named(exc.message), details=problems) from exc


def _cr_text(value: str, option: str, *, required: bool = False) -> str:
    return checked_text(value, option, CR_TEXT_LENGTHS[option], required=required)


def _specs(
    slip: list[str] | None,
    delay_start: list[str] | None,
    duration: list[str] | None,
    add_link: list[str] | None,
    remove_link: list[str] | None,
) -> dict[str, list[str]]:
    """The plan-change options by name (each a list, maybe empty)."""
    given = (slip, delay_start, duration, add_link, remove_link)
    names = ("--slip", "--delay-start", "--duration", "--add-link", "--remove-link")
    return {name: value or [] for name, value in zip(names, given, strict=True)}


@change_app.command("raise")
def change_raise(
    program: ProgramRef,
    title: Annotated[str, typer.Option(help="what is asked for")],
    rationale: Annotated[str, typer.Option(help="why")] = "",
    requested_by: RequestedBy = "",
    slip: Slips = None,
    delay_start: Delays = None,
    duration: Durations = None,
    add_link: AddLinks = None,
    remove_link: RemoveLinks = None,
    budget: Budgets = None,
    scope: Annotated[str, typer.Option(help="a note on the change of scope")] = "",
    rebaseline: Annotated[
        bool, typer.Option("--rebaseline", help="take a new baseline when it is approved")
    ] = False,
    scenario: Annotated[
        str | None, typer.Option(help="a what-if scenario (S2 or its id): approving applies it")
    ] = None,
    as_user: AsUser = None,
) -> None:
    """Raise a change request (members): changes to the plan, new budgets, a scope note or a
    scenario. Print the number it got and its impact on the live plan."""
    from podium.services import scenarios
    from podium.services.governance import change_requests

    fields: dict[str, Any] = {
        "title": _cr_text(title, "--title", required=True),
        "rationale": _cr_text(rationale, "--rationale"),
        "requested_by": _cr_text(requested_by, "--requested-by"),
        "scope_change": _cr_text(scope, "--scope"),
        "rebaseline": rebaseline,
    }
    specs = _specs(slip, delay_start, duration, add_link, remove_link)
    with service_work() as session:
        actor = actor_for(session, as_user)
        found = programs.find_program(session, actor, program)
        if scenario is not None:
            ref = scenario.strip()
            ref = ref if ref.isdecimal() else f"{found.key}/{ref}"
            fields["scenario_id"] = scenarios.find_scenario(session, actor, ref).id
        fields["changes"] = plan_changes(session, actor, found, specs)
        fields["budget_changes"] = budget_changes(session, found, budget or [])
        with options_named(specs, budget or []):
            cr = change_requests.create_change_request(
                session, actor, program_id=found.id, **fields
            )
        label = escape(f"CR-{cr.number} {cr.title}")
        impact = impact_line(change_requests.compute_impact(session, actor, cr), found.currency)
        where, by = found.key, escape(cr.requested_by)
    console.print(f"Raised [bold]{label}[/] in {where}, requested by {by}.")
    console.print(impact)


@change_app.command("set")
def change_set(
    program: ProgramRef,
    request: ChangeRef,
    title: Annotated[str | None, typer.Option(help="a new title")] = None,
    rationale: Annotated[str | None, typer.Option(help="why")] = None,
    requested_by: Annotated[str | None, typer.Option("--requested-by", help="who asks")] = None,
    slip: Slips = None,
    delay_start: Delays = None,
    duration: Durations = None,
    add_link: AddLinks = None,
    remove_link: RemoveLinks = None,
    no_changes: Annotated[
        bool, typer.Option("--no-changes", help="no changes to the plan any more")
    ] = False,
    budget: Budgets = None,
    no_budgets: Annotated[bool, typer.Option("--no-budgets", help="no budget changes")] = False,
    scope: Annotated[str | None, typer.Option(help="the note on the change of scope")] = None,
    rebaseline: Annotated[
        bool | None,
        typer.Option("--rebaseline/--no-rebaseline", help="take a new baseline on approval"),
    ] = None,
    as_user: AsUser = None,
) -> None:
    """Change a proposed request (whoever raised it, or a manager). Plan-change options
    replace all its plan changes, --budget all its budget changes; the rest is kept."""
    from podium.services.governance import change_requests

    specs = _specs(slip, delay_start, duration, add_link, remove_link)
    if no_changes and any(specs.values()):
        raise fail("give plan changes or --no-changes, not both")
    if no_budgets and budget:
        raise fail("give --budget or --no-budgets, not both")
    updates: dict[str, Any] = {}
    for field, option, value in (
        ("title", "--title", title),
        ("rationale", "--rationale", rationale),
        ("requested_by", "--requested-by", requested_by),
        ("scope_change", "--scope", scope),
    ):
        if value is not None:
            required = field in ("title", "requested_by")
            updates[field] = _cr_text(value, option, required=required)
    if rebaseline is not None:
        updates["rebaseline"] = rebaseline
    replans, rebudgets = no_changes or any(specs.values()), no_budgets or bool(budget)
    if not updates and not replans and not rebudgets:
        raise fail("nothing to change: give at least one of the options (see --help)")
    with service_work() as session:
        actor = actor_for(session, as_user)
        found, cr = open_request(session, actor, program, request)
        if replans:
            updates["changes"] = plan_changes(session, actor, found, specs)
        if rebudgets:
            updates["budget_changes"] = budget_changes(session, found, budget or [])
        before = {field: getattr(cr, field) for field in updates}
        with options_named(specs, budget or []):
            change_requests.update_change_request(
                session, actor, cr.id, updates, expected_version=cr.version
            )
        lines = [
            (CR_LABELS.get(field, field), *_shown_pair(old, getattr(cr, field)))
            for field, old in before.items()
        ]
        title_now = f"[bold]{escape(f'CR-{cr.number} {cr.title}')}[/]"
        impact = impact_line(change_requests.compute_impact(session, actor, cr), found.currency)
    print_changes(title_now, lines)
    console.print(impact)


def _counted(value: Any) -> Any:
    """A list of changes by its length (``2 changes``), any other value as it is."""
    return counted(len(value), "change") if isinstance(value, list) else value


def _shown_pair(old: Any, new: Any) -> tuple[Any, Any]:
    """Old and new as printed: lists of changes by their length, and a list edited
    without changing its length says so (else it would read as nothing changed)."""
    shown_old, shown_new = _counted(old), _counted(new)
    if old != new and shown_old == shown_new:
        shown_new = f"{shown_new}, edited"
    return shown_old, shown_new


@change_app.command("withdraw")
def change_withdraw(program: ProgramRef, request: ChangeRef, as_user: AsUser = None) -> None:
    """Withdraw a proposed request (whoever raised it, or a manager): the plan is unchanged."""
    from podium.services.governance import change_requests

    with service_work() as session:
        actor = actor_for(session, as_user)
        found, cr = open_request(session, actor, program, request)
        change_requests.withdraw_change_request(session, actor, cr.id, expected_version=cr.version)
        label, where = escape(f"CR-{cr.number} {cr.title}"), found.key
    console.print(f"Withdrew [bold]{label}[/] in {where}: the plan is unchanged.")

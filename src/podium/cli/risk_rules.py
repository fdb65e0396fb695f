"""``podium risk rules``: when a program's risks escalate, read and changed.

The rules are said in a sentence, as the Risks tab says them. A change goes through the
service the API's ``PUT /programs/{id}/risk-escalation-rules`` calls (managers, with the
version read), which applies the new rules to every live risk at once; the command
names the risks that moved.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape

from podium.cli._app import AsUser, ProgramRef, actor_for, console, fail, service_work
from podium.cli.programs import counted
from podium.cli.risks import risk_app
from podium.engine.risks import EscalationRules
from podium.models import Role
from podium.services import programs, risks
from podium.services.actor import require_role

LOWEST, HIGHEST = 1, 25  # a threshold is a score (the API's RulesIn: 1 to 25, or null: off)
WHERE = {"program": "program level", "steering": "the steering agenda"}  # none: its own level
NAMES = {
    "program_score": "program score",
    "cross_project": "cross-project",
    "steering_score": "steering score",
}

ProgramScore = Annotated[
    int | None,
    typer.Option(help=f"a live risk scoring this or more escalates ({LOWEST} to {HIGHEST})"),
]
SteeringScore = Annotated[
    int | None,
    typer.Option(
        help=f"a program-level risk scoring this or more goes to steering ({LOWEST} to {HIGHEST})"
    ),
]


def said(rules: EscalationRules) -> str:
    """The rules in a sentence, as the Risks tab says them."""
    ways = []
    if rules.program_score is not None:
        ways.append(f"when it scores {rules.program_score} or more")
    if rules.cross_project:
        ways.append("when it is linked to more than one project")
    program = ", or ".join(ways) if ways else "never on its own (both rules are off)"
    if rules.steering_score is not None:
        steering = (
            f"a program-level risk scoring {rules.steering_score} or more goes on the "
            "steering agenda"
        )
    else:
        steering = "no risk goes on the steering agenda on its own"
    return f"A live risk goes to program level {program}; {steering}."


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "off" if value is None else str(value)


def _where(escalation: str, level: str) -> str:
    """Where a risk is handled: escalated, or at the level it was raised."""
    return WHERE.get(escalation, f"{level} level")


def _score(value: int | None, off: bool, option: str) -> int | None:
    """The threshold asked for: a score from 1 to 25, or None for off."""
    if value is not None and off:
        raise fail(f"give --{option} or --no-{option}, not both")
    if value is not None and not LOWEST <= value <= HIGHEST:
        raise fail(f"--{option} must be a score from {LOWEST} to {HIGHEST}, not {value}")
    return value


@risk_app.command("rules")
def risk_rules(
    program: ProgramRef,
    program_score: ProgramScore = None,
    no_program_score: Annotated[
        bool, typer.Option("--no-program-score", help="no risk escalates for its score alone")
    ] = False,
    cross_project: Annotated[
        bool | None,
        typer.Option(
            "--cross-project/--no-cross-project",
            help="a risk linked to more than one project escalates (or not)",
        ),
    ] = None,
    steering_score: SteeringScore = None,
    no_steering_score: Annotated[
        bool, typer.Option("--no-steering-score", help="no risk goes on the steering agenda")
    ] = False,
    as_user: AsUser = None,
) -> None:
    """When risks escalate to program level and to the steering agenda; with options,
    change those rules (managers): every live risk is re-evaluated at once."""
    config: dict[str, Any] = {}
    for name, value, off in (
        ("program_score", program_score, no_program_score),
        ("steering_score", steering_score, no_steering_score),
    ):
        checked = _score(value, off, name.replace("_", "-"))
        if value is not None or off:
            config[name] = checked
    if cross_project is not None:
        config["cross_project"] = cross_project
    with service_work() as session:
        actor = actor_for(session, as_user)
        found = programs.find_program(session, actor, program)
        rules, version = risks.escalation_rules(session, actor, found.id)
        key = found.key
        old = rules.to_json()
        changes = [
            f"{NAMES[name]} {_shown(old[name])} → {_shown(value)}"
            for name, value in config.items()
            if old[name] != value
        ]
        if config and not changes:
            require_role(session, actor, found.id, Role.MANAGER)  # only a manager hears so
        moved: list[str] = []
        if changes:
            live, _total = risks.list_risks(
                session, actor, program_id=found.id,
                risk_filter=risks.RiskFilter(live_only=True), limit=100_000,
            )  # fmt: skip
            before = {r.id: r.escalation for r in live}
            rules, version, _moved = risks.update_escalation_rules(
                session, actor, found.id, config, expected_version=version
            )
            moved = [
                f"{r.key} {_where(before[r.id], r.level)} → {_where(r.escalation, r.level)}"
                for r in live
                if r.escalation != before[r.id]
            ]
    if not config:
        defaults = " (the defaults: no one has changed them)" if version == 0 else ""
        console.print(f"[bold]{escape(key)}[/] escalation rules{defaults}:")
        console.print(said(rules))
        return
    if not changes:
        console.print(f"Nothing changed: {escape(key)}'s escalation rules already say so.")
        console.print(said(rules))
        return
    console.print(f"Changed {escape(key)}'s escalation rules: {'; '.join(changes)}.")
    console.print(said(rules))
    if moved:
        console.print(f"{counted(len(moved), 'live risk')} moved: {escape(', '.join(moved))}.")
    else:
        console.print("No live risk moved.")
